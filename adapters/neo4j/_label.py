"""Reading, the search and writing in one call (and the driver for it)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from ._errors import (
    CONNECTION_TIMEOUT,
    MAX_TRANSACTION_RETRY_TIME,
    Neo4jConnectionError,
    Neo4jQueryError,
    _driver_errors,
    _neo4j,
    _redact,
    _translate,
    _where,
)
from ._read import (
    _names,
    _quote,
    read_graph,
)
from ._write import (
    CommunityStatistics,
    _check_batch_size,
    write_communities,
)

logger = logging.getLogger("infomap_learn.adapters.neo4j")

# --------------------------------------------------------------------------------------
# one call
# --------------------------------------------------------------------------------------


_BOLT_SCHEMES = ("neo4j", "neo4j+s", "neo4j+ssc", "bolt", "bolt+s", "bolt+ssc")


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
    scheme = uri.split("://", 1)[0].lower() if "://" in uri else ""
    if scheme not in _BOLT_SCHEMES:
        hint = (
            " (that is the HTTP API; the Bolt port is usually 7687, not 7474)"
            if scheme in ("http", "https")
            else ""
        )
        raise Neo4jConnectionError(
            f"unsupported server URI {_redact(uri)}: the scheme must be one of "
            f"{', '.join(s + '://' for s in _BOLT_SCHEMES)}{hint}"
        )
    if "@" in uri.split("://", 1)[1].split("/", 1)[0]:
        # (the driver would repeat the URI, credentials and all, in its errors)
        raise Neo4jConnectionError(
            f"the server URI {_redact(uri)} was given with a user name or password in it: "
            "pass them as auth=(user, password) (NEO4J_USERNAME / NEO4J_PASSWORD for the "
            "command line) instead"
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
    from ...search import infomap

    _quote(write_property, "write property")  # fail before reading
    _check_batch_size(batch_size)
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
        if not np.any(network.source != network.target):
            what = (
                "the query" if query is not None
                else f"relationship types {_names(relationship_types, 'relationship type')}"
                if relationship_types is not None
                else "the selected nodes"
            )  # fmt: skip
            raise Neo4jQueryError(
                f"nothing to cluster on {_where(driver, database)}: {what} gave "
                f"{network.n_nodes} nodes and no relationships between two of them (a typo "
                "in a relationship type or label?); nothing was written"
            )
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
