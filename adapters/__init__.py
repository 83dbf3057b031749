"""Adapters: the boundary between infomap-learn and outside systems: kNN graphs from
embeddings, Neo4j over Bolt, and front doors for igraph, networkx and scanpy/AnnData."""
