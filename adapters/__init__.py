"""Adapters: the boundary between infomap-learn and outside systems (kNN graphs, Neo4j)."""
