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
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import sys
import time
import unicodedata
import warnings
from array import array
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import numpy as np

from ..network import Network

__all__ = [
    "CommunityStatistics",
    "Neo4jAdapterError",
    "Neo4jAuthError",
    "Neo4jConnectionError",
    "Neo4jQueryError",
    "Neo4jWriteError",
    "add_subcommand",
    "connect",
    "label_communities",
    "read_graph",
    "write_communities",
]

logger = logging.getLogger(__name__)

#: Seconds to wait for a TCP connection (and Bolt handshake) to a server: drivers made here.
CONNECTION_TIMEOUT = 5.0
#: Seconds a managed transaction is retried on transient errors: drivers made here.
MAX_TRANSACTION_RETRY_TIME = 10.0
#: Records fetched per Bolt ``PULL`` while reading (the page size of a read).
FETCH_SIZE = 10_000

_MAX_NAME_LENGTH = 255


# --------------------------------------------------------------------------------------
# errors
# --------------------------------------------------------------------------------------


class Neo4jAdapterError(Exception):
    """Base class of the errors this adapter raises; the message names the problem."""


class Neo4jConnectionError(Neo4jAdapterError, ConnectionError):
    """The server cannot be reached, refused the connection or timed out."""


class Neo4jAuthError(Neo4jConnectionError):
    """The server rejected the credentials."""


class Neo4jQueryError(Neo4jAdapterError, ValueError):
    """Bad input: a missing database, an invalid name, a query the server rejects, no rows,
    or rows of the wrong shape."""


class Neo4jWriteError(Neo4jAdapterError, RuntimeError):
    """A write that failed part-way.

    Batches before ``failed_batch`` were committed (``nodes_written`` nodes); nothing after
    it was attempted. Running the same write again completes it: it is idempotent.

    Attributes
    ----------
    nodes_written : int
        Nodes whose property was written (committed) before the failure.
    failed_batch : int
        1-based number of the batch that failed.
    batches : int
        Number of batches of the whole write.
    """

    def __init__(self, message: str, *, nodes_written: int, failed_batch: int, batches: int):
        super().__init__(message)
        self.nodes_written = nodes_written
        self.failed_batch = failed_batch
        self.batches = batches


def _neo4j():
    """Import the official driver, with a clear error when it is missing."""
    try:
        import neo4j
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "the Neo4j adapter needs the official neo4j driver: "
            "pip install 'infomap-learn[neo4j]' (or pip install neo4j)"
        ) from exc
    return neo4j


def _redact(uri: str) -> str:
    """``uri`` without any user info (credentials never reach a message or a log)."""
    try:
        parts = urlsplit(uri)
    except ValueError:
        return "<invalid URI>"
    if parts.username is None and parts.password is None:
        return uri
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


def _where(driver: Any, database: str | None) -> str:
    """'database 'x' at bolt://host:port' for messages."""
    db = f"database {database!r}" if database is not None else "the default database"
    address = None
    try:  # the driver's initial address; never contains credentials
        address = driver._pool.address  # best effort, for messages only
    except Exception:  # pragma: no cover - a private attribute that may change
        address = None
    return f"{db} at {address}" if address is not None else db


def _translate(exc: BaseException, where: str, action: str) -> Neo4jAdapterError:
    """Turn a driver exception into one of ours with a message naming the problem."""
    neo4j = _neo4j()
    ex = neo4j.exceptions
    with warnings.catch_warnings():  # driver 5.x warns on some attributes (GQL preview)
        warnings.simplefilter("ignore")
        code = str(getattr(exc, "code", None) or "")
        text = getattr(exc, "message", None) or str(exc)
    text = " ".join(str(text).split())
    if isinstance(exc, ex.AuthError) or code.startswith("Neo.ClientError.Security.Unauthorized"):
        return Neo4jAuthError(
            f"authentication failed while {action} ({where}): wrong user name or password "
            "(set NEO4J_USERNAME / NEO4J_PASSWORD, or pass auth=(user, password))"
        )
    if "DatabaseNotFound" in code:
        return Neo4jQueryError(f"{where}: the database does not exist ({text})")
    if isinstance(exc, ex.ClientError) and (
        "Security.Forbidden" in code or "Security.AuthorizationExpired" in code
    ):
        return Neo4jAuthError(f"permission denied while {action} ({where}): {text}")
    if isinstance(exc, (ex.ServiceUnavailable, ex.SessionExpired, OSError)):
        return Neo4jConnectionError(f"cannot reach the server while {action} ({where}): {text}")
    if isinstance(exc, ex.TransientError):
        return Neo4jConnectionError(
            f"the server is temporarily unavailable while {action} ({where}): {code}: {text}"
        )
    if isinstance(exc, ex.ConfigurationError):
        return Neo4jConnectionError(f"invalid connection settings while {action}: {text}")
    if isinstance(exc, ex.Neo4jError):
        return Neo4jQueryError(f"the server rejected the query while {action} ({where}): "
                               f"{code}: {text}")
    return Neo4jAdapterError(f"{action} failed ({where}): {type(exc).__name__}: {text}")


def _driver_errors() -> tuple[type[BaseException], ...]:
    ex = _neo4j().exceptions
    return (ex.Neo4jError, ex.DriverError, OSError)


# --------------------------------------------------------------------------------------
# names: validated, then backtick-quoted
# --------------------------------------------------------------------------------------


def _quote(name: Any, what: str) -> str:
    """Validate a label, relationship type or property name and backtick-quote it.

    Any printable name is allowed (backticks inside are doubled, Cypher's escape); empty
    names, control characters and backslashes are refused, the latter because some Cypher
    parsers (Neo4j 4) turn ``\\u0060`` into a backtick before quoting applies.

    Raises
    ------
    Neo4jQueryError
        If the name is not acceptable.
    """
    if not isinstance(name, str):
        raise Neo4jQueryError(f"{what} must be a string, got {type(name).__name__}: {name!r}")
    if not name or len(name) > _MAX_NAME_LENGTH:
        raise Neo4jQueryError(
            f"{what} must have 1 to {_MAX_NAME_LENGTH} characters, got {len(name)}: {name!r}"
        )
    for ch in name:
        if ch == "\\" or unicodedata.category(ch) in ("Cc", "Cs", "Cn"):
            raise Neo4jQueryError(
                f"{what} {name!r} contains {ch!r}: backslashes, control and unassigned "
                "characters are not allowed in names"
            )
    return "`" + name.replace("`", "``") + "`"


def _names(value: str | Iterable[str] | None, what: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    out = list(value)
    for v in out:
        _quote(v, what)
    return out


def _label_predicate(var: str, labels: Sequence[str]) -> str:
    """``(var:`A` OR var:`B`)``, or "" for no labels."""
    if not labels:
        return ""
    return "(" + " OR ".join(f"{var}:{_quote(x, 'node label')}" for x in labels) + ")"


def build_read_query(
    node_labels: Sequence[str] | None = None,
    relationship_types: Sequence[str] | None = None,
    weight_property: str | None = None,
) -> str:
    """The Cypher query :func:`read_graph` runs in labels / relationship-types mode.

    One row per selected node: its elementId and the list of its outgoing relationships'
    targets among the selected nodes (with weights, ``[target, weight]`` pairs). Nodes
    without relationships come with an empty list, so isolated nodes are kept; each
    relationship appears once, at its source node. The pattern comprehension runs per row,
    so the server streams the result without a global aggregation.

    Raises
    ------
    Neo4jQueryError
        If a label, type or property name is invalid.
    """
    labels = _names(node_labels, "node label")
    types = _names(relationship_types, "relationship type")
    rel = "r"
    if types:
        rel += ":" + "|".join(_quote(t, "relationship type") for t in types)
    a_where = _label_predicate("a", labels)
    b_where = _label_predicate("b", labels)
    item = "elementId(b)"
    if weight_property is not None:
        item = f"[elementId(b), r.{_quote(weight_property, 'weight property')}]"
    return (
        "MATCH (a)"
        + (f" WHERE {a_where}" if a_where else "")
        + f" RETURN elementId(a) AS id, [(a)-[{rel}]->(b)"
        + (f" WHERE {b_where}" if b_where else "")
        + f" | {item}] AS targets"
    )


# --------------------------------------------------------------------------------------
# reading
# --------------------------------------------------------------------------------------


class _Reader:
    """Consume records into compact growing arrays, mapping node identities to 0..n-1."""

    def __init__(self, weighted: bool) -> None:
        self.index: dict[str, int] = {}
        self.src = array("q")
        self.tgt = array("q")
        self.weight = array("d") if weighted else None
        self.rows = 0
        self.relationships = 0

    def node(self, key: str) -> int:
        index = self.index
        i = index.get(key)
        if i is None:
            i = index[key] = len(index)
        return i


def _node_key(value: Any, column: str, row: int, node_type: type) -> str | None:
    if isinstance(value, str):
        return value
    if value is None:
        return None
    if isinstance(value, node_type):
        return value.element_id
    raise Neo4jQueryError(
        f"row {row}: column {column!r} must be a node or its elementId (a string), got "
        f"{type(value).__name__} {value!r}; return e.g. elementId(a) AS {column}"
    )


def _weight_value(value: Any, row: int) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        if value is None:
            raise Neo4jQueryError(
                f"row {row}: weight is null; give every relationship a weight, e.g. "
                "coalesce(r.weight, 1.0) AS weight"
            )
        raise Neo4jQueryError(
            f"row {row}: weight must be a number, got {type(value).__name__} {value!r}"
        )
    w = float(value)
    if not (w >= 0 and math.isfinite(w)):
        raise Neo4jQueryError(f"row {row}: weight is {w!r}; weights must be finite and >= 0")
    return w


def _consume_rows(result: Any, reader: _Reader, node_type: type) -> None:
    """User query mode: rows of ``source``, ``target`` [, ``weight``], or of ``source``,
    ``targets`` [, ``weights``] (one row per node with lists)."""
    keys = list(result.keys())
    if not keys:  # some servers send no column names for an empty result
        first = result.peek()
        if first is None:
            return
        keys = list(first.keys())
    if "source" in keys and "targets" in keys and "target" not in keys:
        _consume_user_lists(result, reader, node_type, keys)
        return
    missing = [c for c in ("source", "target") if c not in keys]
    if missing:
        raise Neo4jQueryError(
            "the query must return columns 'source' and 'target' (and optionally 'weight'), "
            f"or 'source' and 'targets' (and optionally 'weights'); it returns {keys}"
        )
    si, ti = keys.index("source"), keys.index("target")
    wi = keys.index("weight") if "weight" in keys else None
    reader.weight = array("d") if wi is not None else None
    src, tgt, wts, index = reader.src, reader.tgt, reader.weight, reader.index
    get = index.get
    row = 0
    for row, record in enumerate(result, 1):
        s, t = record[si], record[ti]
        if s.__class__ is not str:
            s = _node_key(s, "source", row, node_type)
        if t.__class__ is not str:
            t = _node_key(t, "target", row, node_type)
        if s is None or t is None:  # a node without relationships: an isolated node
            if s is None and t is None:
                raise Neo4jQueryError(f"row {row}: source and target are both null")
            reader.node(s if s is not None else t)
            continue
        i = get(s)
        if i is None:
            i = index[s] = len(index)
        j = get(t)
        if j is None:
            j = index[t] = len(index)
        src.append(i)
        tgt.append(j)
        if wts is not None:
            wts.append(_weight_value(record[wi], row))
    reader.rows = row
    reader.relationships = len(src)


def _consume_user_lists(result: Any, reader: _Reader, node_type: type, keys: list) -> None:
    """User query mode, one row per node: ``source``, ``targets`` [, ``weights``]."""
    si, ti = keys.index("source"), keys.index("targets")
    wi = keys.index("weights") if "weights" in keys else None
    reader.weight = array("d") if wi is not None else None
    src, tgt, wts, index = reader.src, reader.tgt, reader.weight, reader.index
    get = index.get
    row = 0
    for row, record in enumerate(result, 1):
        s, targets = record[si], record[ti]
        if s.__class__ is not str:
            s = _node_key(s, "source", row, node_type)
            if s is None:
                raise Neo4jQueryError(f"row {row}: source is null")
        a = reader.node(s)
        if targets is None:
            targets = []
        if not isinstance(targets, list):
            raise Neo4jQueryError(
                f"row {row}: column 'targets' must be a list of nodes or elementIds, got "
                f"{type(targets).__name__} {targets!r}"
            )
        if wi is not None:
            weights = record[wi]
            if not isinstance(weights, list) or len(weights) != len(targets):
                raise Neo4jQueryError(
                    f"row {row}: column 'weights' must be a list as long as 'targets' "
                    f"({len(targets)}), got {weights!r:.80}"
                )
            for w in weights:
                wts.append(_weight_value(w, row))
        for t in targets:
            if t.__class__ is not str:
                t = _node_key(t, "targets", row, node_type)
                if t is None:
                    raise Neo4jQueryError(f"row {row}: 'targets' contains null")
            j = get(t)
            if j is None:
                j = index[t] = len(index)
            src.append(a)
            tgt.append(j)
    reader.rows = row
    reader.relationships = len(src)


def _consume_adjacency(result: Any, reader: _Reader) -> None:
    """Labels mode: rows of ``id`` and ``targets`` (see :func:`build_read_query`)."""
    src, tgt, wts, node = reader.src, reader.tgt, reader.weight, reader.node
    row = 0
    for row, record in enumerate(result, 1):
        a = node(record[0])
        targets = record[1]
        if not targets:
            continue
        if wts is None:
            for b in targets:
                src.append(a)
                tgt.append(node(b))
        else:
            for b, w in targets:
                src.append(a)
                tgt.append(node(b))
                wts.append(_weight_value(w, row))
    reader.rows = row
    reader.relationships = len(src)


def read_graph(
    driver: Any,
    query: str | None = None,
    *,
    node_labels: str | Sequence[str] | None = None,
    relationship_types: str | Sequence[str] | None = None,
    weight_property: str | None = None,
    directed: bool = False,
    database: str | None = None,
    parameters: Mapping[str, Any] | None = None,
    fetch_size: int = FETCH_SIZE,
) -> tuple[Network, list[str]]:
    """Read a graph from a Neo4j (or other Bolt/Cypher) server into a :class:`Network`.

    Two modes:

    * ``query``: a Cypher query whose rows give ``source`` and ``target`` (nodes or their
      ``elementId`` strings) and optionally ``weight`` (a number). A row whose ``target`` is
      null adds its ``source`` as a node without relationships (``OPTIONAL MATCH``).
      Alternatively one row per node with ``source``, a list ``targets`` and optionally a
      list ``weights``: several times faster to read, as the driver's cost is per record
      (see the second example).
    * labels: ``node_labels`` (nodes with any of them; None for all nodes) and
      ``relationship_types`` (any of them; None for all) between the selected nodes, with
      the weight in ``weight_property``. Nodes without relationships are kept.

    The records stream in pages of ``fetch_size`` into compact arrays; node identities are
    mapped to indices with one dict. Nodes are numbered by sorted elementId, so the same
    graph gives the same network (and the same communities) whatever the order of rows.

    Parameters
    ----------
    driver : neo4j.Driver
        An open driver (see :func:`connect`).
    query : str, optional
        A Cypher query (values go in ``parameters``, never into the text).
    node_labels, relationship_types : str or sequence of str, optional
        Only without ``query``.
    weight_property : str, optional
        Relationship property with the weight (labels mode); every selected relationship
        must have it. None means weight 1 (in query mode, a ``weight`` column).
    directed : bool, default False
        Read relationships as directed links.
    database : str, optional
        None means the server's default database.
    parameters : mapping, optional
        Query parameters for ``query``.
    fetch_size : int, default 10_000
        Records per page.

    Returns
    -------
    network : Network
        Nodes 0..n-1 in the order of ``node_ids``; multiple relationships between two nodes
        are summed into one link.
    node_ids : list of str
        The elementId of each node.

    Raises
    ------
    Neo4jConnectionError, Neo4jAuthError
        The server is unreachable or refuses the credentials.
    Neo4jQueryError
        A missing database, invalid names, a query the server rejects, no rows, rows of the
        wrong shape, or invalid weights.

    Examples
    --------
    >>> net, ids = read_graph(driver, node_labels="Person",        # doctest: +SKIP
    ...                       relationship_types=["KNOWS", "LIKES"], weight_property="w")
    >>> net, ids = read_graph(driver, "MATCH (a:Person)-[r:KNOWS]->(b:Person) "  # doctest: +SKIP
    ...     "RETURN elementId(a) AS source, elementId(b) AS target, r.w AS weight")
    >>> q = ("MATCH (a:Person) RETURN elementId(a) AS source, "
    ...      "[(a)-[:KNOWS]->(b:Person) | elementId(b)] AS targets")
    >>> net, ids = read_graph(driver, q)                            # doctest: +SKIP
    """
    neo4j = _neo4j()
    if query is not None:
        if not isinstance(query, str) or not query.strip():
            raise Neo4jQueryError("query must be a non-empty Cypher string")
        if node_labels is not None or relationship_types is not None:
            raise Neo4jQueryError("give either query or node_labels/relationship_types, not both")
        if weight_property is not None:
            raise Neo4jQueryError(
                "weight_property is for labels mode; with a query, return a 'weight' column"
            )
        text = query
        params = dict(parameters or {})
    else:
        if parameters:
            raise Neo4jQueryError("parameters are only for a user query")
        text = build_read_query(node_labels, relationship_types, weight_property)
        params = {}
    if isinstance(fetch_size, bool) or not isinstance(fetch_size, int) or fetch_size < 1:
        raise Neo4jQueryError(f"fetch_size must be a positive integer, got {fetch_size!r}")
    node_type = neo4j.graph.Node
    weighted = weight_property is not None

    def work(tx: Any) -> _Reader:  # a managed transaction: a retry starts afresh
        reader = _Reader(weighted)
        result = tx.run(text, params)
        if query is not None:
            _consume_rows(result, reader, node_type)
        else:
            _consume_adjacency(result, reader)
        return reader

    where = _where(driver, database)
    start = time.perf_counter()
    try:
        with driver.session(database=database, fetch_size=fetch_size) as session:
            reader = session.execute_read(work)
    except Neo4jAdapterError:
        raise
    except _driver_errors() as exc:
        raise _translate(exc, where, "reading the graph") from exc
    if not reader.index:
        if query is not None:
            raise Neo4jQueryError(f"{where}: the query returned no rows; nothing to cluster")
        labels = _names(node_labels, "node label")
        raise Neo4jQueryError(
            f"{where}: found no nodes" + (f" with labels {labels}" if labels else "")
            + "; nothing to cluster"
        )
    network, node_ids = _build_network(reader, directed)
    logger.info(
        "read %d nodes and %d relationships in %.2f s",
        len(node_ids), reader.relationships, time.perf_counter() - start,
    )
    return network, node_ids


def _build_network(reader: _Reader, directed: bool) -> tuple[Network, list[str]]:
    """Number nodes by sorted elementId and build the network from the arrays."""
    keys = list(reader.index)  # insertion order = first appearance
    reader.index = {}
    order = sorted(range(len(keys)), key=keys.__getitem__)
    node_ids = [keys[i] for i in order]
    del keys
    rank = np.empty(len(order), np.int64)
    rank[np.asarray(order, dtype=np.int64)] = np.arange(len(order))
    src = rank[np.frombuffer(reader.src, dtype=np.int64)] if reader.src else np.empty(0, int)
    tgt = rank[np.frombuffer(reader.tgt, dtype=np.int64)] if reader.tgt else np.empty(0, int)
    reader.src = reader.tgt = array("q")
    weight = None
    if reader.weight is not None:
        weight = np.frombuffer(reader.weight, dtype=np.float64) if reader.weight else None
    try:
        network = Network(src, tgt, weight, n_nodes=len(node_ids), directed=directed)
    except ValueError as exc:
        raise Neo4jQueryError(f"the graph read is not a valid network: {exc}") from exc
    return network, node_ids


# --------------------------------------------------------------------------------------
# writing
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CommunityStatistics:
    """What a write did, in the spirit of Neo4j GDS's write-mode statistics.

    :meth:`to_dict` gives GDS-style camelCase keys (``nodePropertiesWritten``,
    ``communityCount``, ...), which the command line prints as JSON.

    Attributes
    ----------
    node_properties_written : int
        Nodes whose property was set (0 in a dry run).
    community_count : int
        Top-level communities.
    codelength : float or None
        Map equation codelength of the result, in bits (None for plain labels).
    levels : int
        Module levels (1 for a two-level partition).
    compute_millis, write_millis, read_millis : float or None
        Milliseconds of the search, the writes and the read (None when not measured here).
    node_count : int
        Nodes in the result.
    link_count : int or None
        Links of the network read here (parallel relationships are summed into one link).
    write_property : str
    include_intermediate_communities : bool
    batches : int
        Batches of the write (planned ones in a dry run).
    batch_size : int
    dry_run : bool
    nodes_not_found : int
        Nodes that no longer existed when written (deleted since the read).
    community_distribution : dict
        ``min``, ``max``, ``mean``, ``p50``, ``p90``, ``p99`` of top-level community sizes.
    one_level_codelength : float or None
        Codelength with all nodes in one module, for comparison.
    preview : list of dict
        In a dry run, the first rows that would be written (``id`` and ``value``).
    write_query : str
        The Cypher statement run for each batch (values are parameters).
    """

    node_properties_written: int
    community_count: int
    codelength: float | None
    levels: int
    compute_millis: float | None
    write_millis: float
    node_count: int
    write_property: str
    include_intermediate_communities: bool
    batches: int
    batch_size: int
    dry_run: bool
    nodes_not_found: int = 0
    read_millis: float | None = None
    link_count: int | None = None
    community_distribution: dict[str, float] = field(default_factory=dict)
    one_level_codelength: float | None = None
    preview: list[dict[str, Any]] = field(default_factory=list)
    write_query: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The statistics with GDS-style camelCase keys (JSON-serialisable)."""
        out = {}
        for key, value in asdict(self).items():
            head, *rest = key.split("_")
            out[head + "".join(p.capitalize() for p in rest)] = value
        return out


def _labels_of(result: Any) -> tuple[np.ndarray, np.ndarray, float | None, float | None]:
    """(top-level labels, multilevel labels, codelength, one-level codelength)."""
    if hasattr(result, "multilevel_labels") and hasattr(result, "labels"):
        top = np.asarray(result.labels)
        multi = np.asarray(result.multilevel_labels)
        return top, multi, float(result.codelength), float(result.one_level_codelength)
    labels = np.asarray(result)
    if labels.dtype.kind not in "iu" or labels.ndim not in (1, 2) or (
        labels.ndim == 2 and labels.shape[1] == 0
    ):
        raise ValueError(
            "result must be a ModuleTree, or integer labels of shape (n,) or (n, levels)"
        )
    multi = labels if labels.ndim == 2 else labels[:, None]
    return multi[:, 0], multi, None, None


def _distribution(top: np.ndarray) -> dict[str, float]:
    if top.size == 0:
        return {}
    sizes = np.bincount(top - top.min())
    sizes = sizes[sizes > 0]
    p50, p90, p99 = np.percentile(sizes, [50, 90, 99], method="lower")
    return {
        "min": int(sizes.min()),
        "max": int(sizes.max()),
        "mean": float(sizes.mean()),
        "p50": int(p50),
        "p90": int(p90),
        "p99": int(p99),
    }


def _write_batch(tx: Any, statement: str, rows: list[dict[str, Any]]) -> int:
    record = tx.run(statement, rows=rows).single()
    return int(record[0]) if record is not None else 0


def write_communities(
    driver: Any,
    node_ids: Sequence[str],
    result: Any,
    *,
    write_property: str = "community",
    include_intermediate_communities: bool = False,
    batch_size: int = 10_000,
    database: str | None = None,
    dry_run: bool = False,
    progress: Callable[[int, int, int], None] | None = None,
) -> CommunityStatistics:
    """Write each node's community to a node property, in batches.

    Each batch of rows is one managed write transaction (``session.execute_write``) of::

        UNWIND $rows AS row MATCH (n) WHERE elementId(n) = row.id
        SET n.`<write_property>` = row.c RETURN count(n)

    Only that property is set: no node or relationship is created or deleted, no other
    property is touched, and running the same write again leaves the same values.

    Parameters
    ----------
    driver : neo4j.Driver
    node_ids : sequence of str
        elementId of each node, as :func:`read_graph` returns them.
    result : ModuleTree or array_like of int
        The communities: a :class:`~infomap_learn.ModuleTree`, or labels of shape (n,) or
        (n, levels) (top level first).
    write_property : str, default "community"
        Node property to set: the top-level module, 0..k-1 by decreasing flow.
    include_intermediate_communities : bool, default False
        Write the whole module path as a list instead, top level first (``value[0]`` is the
        top-level module; ids are unique within a level). Like GDS's
        ``includeIntermediateCommunities``, but in Infomap's top-down path order: GDS puts
        the final community last.
    batch_size : int, default 10_000
        Nodes per transaction.
    database : str, optional
        None means the server's default database.
    dry_run : bool, default False
        Write nothing and do not contact the server; the statistics say what would be
        written (``batches``, ``node_count``, ``preview``, ``write_query``).
    progress : callable, optional
        Called as ``progress(batch, batches, nodes_written)`` after each committed batch.

    Returns
    -------
    CommunityStatistics

    Raises
    ------
    Neo4jWriteError
        A batch failed: the message says how many nodes were written and which batch
        failed. Run the same write again to complete it.
    Neo4jQueryError
        Invalid ``write_property``, ``batch_size`` or lengths.
    Neo4jConnectionError, Neo4jAuthError
        The server cannot be reached before anything was written.
    """
    prop = _quote(write_property, "write property")
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) \
            or batch_size < 1:
        raise Neo4jQueryError(f"batch_size must be a positive integer, got {batch_size!r}")
    batch_size = int(batch_size)
    top, multi, codelength, one_level = _labels_of(result)
    n = len(node_ids)
    if top.shape[0] != n:
        raise Neo4jQueryError(
            f"node_ids has {n} entries but the result has {top.shape[0]} nodes"
        )
    if any(not isinstance(x, str) for x in node_ids):
        raise Neo4jQueryError("node_ids must be elementId strings")
    statement = (
        "UNWIND $rows AS row MATCH (n) WHERE elementId(n) = row.id "
        f"SET n.{prop} = row.c RETURN count(n) AS written"
    )
    values = multi.tolist() if include_intermediate_communities else top.tolist()
    batches = (n + batch_size - 1) // batch_size
    stats = CommunityStatistics(
        node_properties_written=0,
        community_count=int(np.unique(top).size),
        codelength=codelength,
        levels=int(multi.shape[1]),
        compute_millis=None,
        write_millis=0.0,
        node_count=n,
        write_property=write_property,
        include_intermediate_communities=bool(include_intermediate_communities),
        batches=batches,
        batch_size=batch_size,
        dry_run=bool(dry_run),
        community_distribution=_distribution(top),
        one_level_codelength=one_level,
        write_query=statement,
    )
    if dry_run:
        preview = [{"id": node_ids[i], "value": values[i]} for i in range(min(n, 5))]
        return replace(stats, preview=preview)

    where = _where(driver, database)
    written = not_found = 0
    start = time.perf_counter()
    with driver.session(database=database) as session:
        for b in range(batches):
            lo, hi = b * batch_size, min(n, (b + 1) * batch_size)
            rows = [{"id": node_ids[i], "c": values[i]} for i in range(lo, hi)]
            try:
                count = session.execute_write(_write_batch, statement, rows)
            except _driver_errors() as exc:
                cause = _translate(exc, where, f"writing batch {b + 1}")
                if b == 0 and isinstance(cause, (Neo4jAuthError, Neo4jQueryError)):
                    raise cause from exc  # nothing written: the setting is wrong
                raise Neo4jWriteError(
                    f"writing {write_property!r} failed at batch {b + 1} of {batches} "
                    f"(nodes {lo}..{hi - 1}) after {written} of {n} nodes were written "
                    f"(batches 1..{b} committed): {cause}. Nothing else was changed; run "
                    "the same write again to complete it (it is idempotent).",
                    nodes_written=written,
                    failed_batch=b + 1,
                    batches=batches,
                ) from exc
            written += count
            not_found += (hi - lo) - count
            logger.debug("batch %d/%d: %d nodes written", b + 1, batches, count)
            if progress is not None:
                progress(b + 1, batches, written)
    millis = 1000 * (time.perf_counter() - start)
    if not_found:
        warnings.warn(
            f"{not_found} of {n} nodes no longer exist and were not written",
            RuntimeWarning,
            stacklevel=2,
        )
    return replace(
        stats, node_properties_written=written, nodes_not_found=not_found, write_millis=millis
    )


# --------------------------------------------------------------------------------------
# one call
# --------------------------------------------------------------------------------------


def connect(
    uri: str,
    auth: Any = None,
    *,
    driver_config: Mapping[str, Any] | None = None,
) -> Any:
    """Open a driver and check that the server answers, failing fast.

    Parameters
    ----------
    uri : str
        ``neo4j://host:7687`` (routing; also for a single server), ``bolt://host:7687``
        (one server), or their ``+s`` / ``+ssc`` TLS variants (Aura: ``neo4j+s://``).
    auth : (user, password) tuple or neo4j auth token, optional
        None for a server without authentication.
    driver_config : mapping, optional
        Extra ``neo4j.GraphDatabase.driver`` settings; ``connection_timeout`` defaults to
        :data:`CONNECTION_TIMEOUT` and ``max_transaction_retry_time`` to
        :data:`MAX_TRANSACTION_RETRY_TIME` seconds here.

    Returns
    -------
    neo4j.Driver
        Close it when done (it is a context manager).

    Raises
    ------
    Neo4jConnectionError, Neo4jAuthError
    """
    neo4j = _neo4j()
    if not isinstance(uri, str) or not uri:
        raise Neo4jConnectionError(
            "no server URI: pass uri (e.g. neo4j://localhost:7687) or set NEO4J_URI"
        )
    config: dict[str, Any] = {
        "connection_timeout": CONNECTION_TIMEOUT,
        "max_transaction_retry_time": MAX_TRANSACTION_RETRY_TIME,
        "user_agent": "infomap-learn",
    }
    config.update(driver_config or {})
    safe = _redact(uri)
    try:
        driver = neo4j.GraphDatabase.driver(uri, auth=auth, **config)
    except (ValueError, ImportError, neo4j.exceptions.ConfigurationError) as exc:
        raise Neo4jConnectionError(f"invalid server URI or settings ({safe}): {exc}") from exc
    try:
        driver.verify_connectivity()
    except _driver_errors() as exc:
        driver.close()
        raise _translate(exc, f"server {safe}", "connecting") from exc
    return driver


def label_communities(
    uri_or_driver: Any,
    *,
    query: str | None = None,
    node_labels: str | Sequence[str] | None = None,
    relationship_types: str | Sequence[str] | None = None,
    weight_property: str | None = None,
    directed: bool = False,
    write_property: str = "community",
    include_intermediate_communities: bool = False,
    database: str | None = None,
    auth: Any = None,
    two_level: bool = False,
    num_trials: int = 1,
    seed: int = 0,
    markov_time: float = 1.0,
    n_jobs: int | None = None,
    batch_size: int = 10_000,
    dry_run: bool = False,
    parameters: Mapping[str, Any] | None = None,
    driver_config: Mapping[str, Any] | None = None,
    progress: Callable[[int, int, int], None] | None = None,
) -> CommunityStatistics:
    """Read a graph, find its communities with Infomap and write them back: GDS write mode.

    Parameters
    ----------
    uri_or_driver : str or neo4j.Driver
        A server URI (a driver is opened with :func:`connect` and closed at the end) or an
        open driver (left open).
    query, node_labels, relationship_types, weight_property, directed, parameters
        What to read: see :func:`read_graph`.
    write_property, include_intermediate_communities, batch_size, dry_run, progress
        What to write: see :func:`write_communities`.
    database : str, optional
        None means the server's default database.
    auth : (user, password), optional
        With a URI only.
    two_level, num_trials, seed, markov_time, n_jobs
        Passed to :func:`infomap_learn.infomap` (``n_jobs``: scikit-learn's meaning, None
        one thread, -1 every core); the same graph and seed give the same communities.
    driver_config : mapping, optional
        With a URI only: extra driver settings (see :func:`connect`).

    Returns
    -------
    CommunityStatistics
        ``node_properties_written``, ``community_count``, ``codelength``, ``levels``,
        ``compute_millis``, ``write_millis``, ``read_millis``, ...

    Raises
    ------
    Neo4jConnectionError, Neo4jAuthError, Neo4jQueryError, Neo4jWriteError
        See :func:`read_graph` and :func:`write_communities`.

    Examples
    --------
    >>> stats = label_communities("neo4j://localhost:7687", auth=("neo4j", "pw"),  # doctest: +SKIP
    ...                           node_labels="Person", relationship_types="KNOWS")
    >>> stats.to_dict()["communityCount"]                                    # doctest: +SKIP
    12
    """
    from ..search import infomap

    _quote(write_property, "write property")  # fail before reading
    own = isinstance(uri_or_driver, str)
    if own:
        driver = connect(uri_or_driver, auth, driver_config=driver_config)
    else:
        if auth is not None or driver_config is not None:
            raise Neo4jQueryError("auth and driver_config go with a URI, not with a driver")
        driver = uri_or_driver
    try:
        start = time.perf_counter()
        network, node_ids = read_graph(
            driver,
            query,
            node_labels=node_labels,
            relationship_types=relationship_types,
            weight_property=weight_property,
            directed=directed,
            database=database,
            parameters=parameters,
        )
        read_millis = 1000 * (time.perf_counter() - start)
        start = time.perf_counter()
        tree = infomap(
            network, two_level=two_level, num_trials=num_trials, seed=seed,
            markov_time=markov_time, n_jobs=n_jobs,
        )
        compute_millis = 1000 * (time.perf_counter() - start)
        stats = write_communities(
            driver,
            node_ids,
            tree,
            write_property=write_property,
            include_intermediate_communities=include_intermediate_communities,
            batch_size=batch_size,
            database=database,
            dry_run=dry_run,
            progress=progress,
        )
    finally:
        if own:
            driver.close()
    return replace(
        stats,
        compute_millis=compute_millis,
        read_millis=read_millis,
        link_count=int(network.n_links),
    )


# --------------------------------------------------------------------------------------
# command line
# --------------------------------------------------------------------------------------

_CLI_HELP = """\
Read a graph from Neo4j (or any Bolt/Cypher server), find its communities with Infomap
and write each node's community to a node property, like Neo4j GDS's write mode. Prints
the statistics as JSON.

The server and credentials come from the environment: NEO4J_URI (or --uri),
NEO4J_USERNAME, NEO4J_PASSWORD and NEO4J_DATABASE (or --database). Credentials are never
printed or logged.
"""


def add_subcommand(subparsers: Any) -> argparse.ArgumentParser:
    """Register the ``neo4j`` subcommand on an argparse ``subparsers`` object.

    Its ``func`` default runs :func:`label_communities` and returns an exit code: 0 on
    success, 1 on an adapter error (message on stderr), 2 on bad arguments.

    Parameters
    ----------
    subparsers
        What ``parser.add_subparsers()`` returned.

    Returns
    -------
    argparse.ArgumentParser
        The subcommand's parser.
    """
    p = subparsers.add_parser(
        "neo4j",
        help="label the nodes of a Neo4j graph with their Infomap communities",
        description=_CLI_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--uri", help="server URI (default: $NEO4J_URI)")
    p.add_argument("--database", help="database name (default: $NEO4J_DATABASE, else the "
                   "server's default)")
    what = p.add_mutually_exclusive_group()
    what.add_argument("--query", help="Cypher query returning rows of source, target [, weight] "
                      "(or source, targets [, weights] lists)")
    what.add_argument("--node-label", action="append", metavar="LABEL", dest="node_labels",
                      help="read nodes with this label (repeatable); '*' for all nodes")
    p.add_argument("--relationship-type", action="append", metavar="TYPE",
                   dest="relationship_types",
                   help="read relationships of this type (repeatable; default all)")
    p.add_argument("--weight-property", help="relationship property with the weight")
    p.add_argument("--directed", action="store_true", help="relationships are directed links")
    p.add_argument("--write-property", default="community",
                   help="node property to write (default: community)")
    p.add_argument("--include-intermediate-communities", action="store_true",
                   help="write the module path (a list, top level first)")
    p.add_argument("--two-level", action="store_true", help="a partition, no hierarchy")
    p.add_argument("-N", "--trials", type=int, default=1, help="number of trials (default 1)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--markov-time", type=float, default=1.0, help="Markov time (default 1)")
    p.add_argument("--n-jobs", type=int, default=-1, help="threads (default -1: every core)")
    p.add_argument("--batch-size", type=int, default=10_000,
                   help="nodes per write transaction (default 10000)")
    p.add_argument("--dry-run", action="store_true",
                   help="read and compute, but write nothing; report what would be written")
    p.set_defaults(func=run_cli)
    return p


def run_cli(args: argparse.Namespace, environ: Mapping[str, str] | None = None) -> int:
    """Run the ``neo4j`` subcommand for parsed ``args``; returns the exit code."""
    env = os.environ if environ is None else environ
    uri = args.uri or env.get("NEO4J_URI")
    if not uri:
        print("infomap-learn neo4j: error: no server: give --uri or set NEO4J_URI",
              file=sys.stderr)
        return 2
    if args.query is None and args.relationship_types is None and args.node_labels is None:
        print("infomap-learn neo4j: error: give --query, or --node-label and/or "
              "--relationship-type", file=sys.stderr)
        return 2
    if args.query is not None and (args.relationship_types or args.weight_property):
        print("infomap-learn neo4j: error: --relationship-type and --weight-property go with "
              "--node-label, not --query", file=sys.stderr)
        return 2
    labels = args.node_labels
    if labels == ["*"]:
        labels = None
    user, password = env.get("NEO4J_USERNAME"), env.get("NEO4J_PASSWORD")
    auth = None
    if user or password:
        auth = (user or "neo4j", password or "")
    try:
        stats = label_communities(
            uri,
            query=args.query,
            node_labels=labels,
            relationship_types=args.relationship_types,
            weight_property=args.weight_property,
            directed=args.directed,
            write_property=args.write_property,
            include_intermediate_communities=args.include_intermediate_communities,
            database=args.database or env.get("NEO4J_DATABASE") or None,
            auth=auth,
            two_level=args.two_level,
            num_trials=args.trials,
            seed=args.seed,
            markov_time=args.markov_time,
            n_jobs=args.n_jobs,
            batch_size=args.batch_size,
            dry_run=args.dry_run,
        )
    except Neo4jAdapterError as exc:
        message = str(exc)
        if password:
            message = message.replace(password, "***")
        print(f"infomap-learn neo4j: error: {message}", file=sys.stderr)
        return 1
    except (ValueError, ImportError) as exc:  # bad search options; no driver installed
        print(f"infomap-learn neo4j: error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(stats.to_dict(), indent=2))
    return 0
