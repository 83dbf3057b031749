"""Neo4j (and any Bolt/Cypher server): read a graph, run Infomap, write communities back.

What Neo4j GDS's write mode does for Louvain and Leiden, with Infomap and no server plugin:
the graph is read over Bolt with the official ``neo4j`` driver, searched in memory with
:func:`infomap_learn.infomap`, and each node's community is written back as a node property
in batched, managed write transactions, with statistics in GDS's spirit.

>>> from infomap_learn.adapters.neo4j import label_communities
>>> stats = label_communities(                                  # doctest: +SKIP
...     "neo4j://localhost:7687", auth=("neo4j", "secret"), database="neo4j",
...     node_labels=["Person"], relationship_types=["KNOWS"], write_property="community")
>>> stats.community_count, stats.node_properties_written        # doctest: +SKIP
(12, 10543)

Three layers, usable separately:

* :func:`read_graph` -> ``(Network, node_ids)``: a user Cypher query whose rows give
  ``source``, ``target`` and optionally ``weight``, or node labels and relationship types
  from which a safe query is written here. Records stream in pages into compact arrays.
* :func:`write_communities`: batched ``UNWIND $rows ... SET`` statements, one managed write
  transaction per batch, returning :class:`CommunityStatistics`.
* :func:`label_communities`: both, with the search in between; :func:`add_subcommand` puts it
  on the ``infomap-learn neo4j`` command line.

Safety: every value travels as a query parameter; labels, relationship types and property
names are validated and backtick-quoted; nothing is ever deleted and no property other than
the one written is touched. Re-running is idempotent, so a write that failed part-way (see
:class:`Neo4jWriteError`) is completed by running it again.

The package: ``_errors`` (settings, errors and the driver's errors translated), ``_read``
(names, the read query, records into a Network), ``_write`` (batched writes, statistics),
``_label`` (the driver and the one call), ``_cli`` (the command line).
"""

from ._cli import add_subcommand, run_cli
from ._errors import (
    CONNECTION_TIMEOUT,
    FETCH_SIZE,
    MAX_TRANSACTION_RETRY_TIME,
    Neo4jAdapterError,
    Neo4jAuthError,
    Neo4jConnectionError,
    Neo4jQueryError,
    Neo4jWriteError,
)
from ._label import connect, label_communities
from ._read import build_read_query, read_graph
from ._write import CommunityStatistics, write_communities

__all__ = [
    "CONNECTION_TIMEOUT",
    "FETCH_SIZE",
    "MAX_TRANSACTION_RETRY_TIME",
    "CommunityStatistics",
    "Neo4jAdapterError",
    "Neo4jAuthError",
    "Neo4jConnectionError",
    "Neo4jQueryError",
    "Neo4jWriteError",
    "add_subcommand",
    "build_read_query",
    "connect",
    "label_communities",
    "read_graph",
    "run_cli",
    "write_communities",
]
