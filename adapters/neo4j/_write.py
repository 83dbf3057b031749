"""Writing communities back: batched managed write transactions, and their statistics."""

from __future__ import annotations

import logging
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np

from ._errors import (
    Neo4jAuthError,
    Neo4jConnectionError,
    Neo4jQueryError,
    Neo4jWriteError,
    _driver_errors,
    _translate,
    _where,
)
from ._read import (
    _quote,
)

logger = logging.getLogger("infomap_learn.adapters.neo4j")

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


def _check_batch_size(batch_size: Any) -> int:
    """``batch_size`` as an int, or a Neo4jQueryError naming it."""
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) \
            or batch_size < 1:
        raise Neo4jQueryError(f"batch_size must be a positive integer, got {batch_size!r}")
    return int(batch_size)


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
    batch_size = _check_batch_size(batch_size)
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
                # (a lost connection passes; a rejected write fails again as it is)
                then = (
                    "run the same write again to complete it (it is idempotent)"
                    if isinstance(cause, Neo4jConnectionError)
                    else "remove the cause (the server's message above), then run the same "
                    "write again: it is idempotent"
                )
                raise Neo4jWriteError(
                    f"writing {write_property!r} failed at batch {b + 1} of {batches} "
                    f"(nodes {lo}..{hi - 1}) after {written} of {n} nodes were written "
                    f"(batches 1..{b} committed): {cause}. Nothing else was changed; {then}.",
                    nodes_written=written,
                    failed_batch=b + 1,
                    batches=batches,
                ) from exc
            if b == 0 and count == 0:
                # (nodes deleted since the read leave some of a batch unmatched, not all)
                raise Neo4jQueryError(
                    f"none of the first {hi - lo} node ids matched a node ({where}), e.g. "
                    f"{node_ids[0]!r}: the ids must be elementId(n) values; a query's "
                    "source and target must be nodes or elementId(...) of nodes, not a "
                    "property such as a name. Nothing was written."
                )
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
