"""Reading a graph over Bolt: validated names, the read query, records into a Network."""

from __future__ import annotations

import logging
import math
import time
import unicodedata
from array import array
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from ...network import Network
from ._errors import (
    _MAX_NAME_LENGTH,
    FETCH_SIZE,
    Neo4jAdapterError,
    Neo4jQueryError,
    _driver_errors,
    _neo4j,
    _translate,
    _where,
)

logger = logging.getLogger("infomap_learn.adapters.neo4j")

# --------------------------------------------------------------------------------------
# names: validated, then backtick-quoted
# --------------------------------------------------------------------------------------


def _quote(name: Any, what: str) -> str:
    r"""Validate a label, relationship type or property name and backtick-quote it.

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
