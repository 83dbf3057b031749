"""Modules found on a Dask cluster written to Neo4j by the workers, in parallel."""

from __future__ import annotations

from typing import Any

_DRIVERS: dict = {}  # one driver (and connection pool) per worker process and server


def write_neo4j(
    modules: Any,
    uri: str,
    auth: Any = None,
    *,
    write_property: str = "community",
    include_intermediate_communities: bool = False,
    batch_size: int = 10_000,
    database: str | None = None,
    client: Any = None,
) -> dict:
    """Write each node's module to a node property, every partition by a worker.

    Each partition of ``modules`` is written by a task on a worker with
    :func:`infomap_learn.adapters.neo4j.write_communities` (batches of ``batch_size``
    nodes, one managed write transaction each, through one session); the workers keep one
    driver per server, so each worker process holds one connection pool. Only
    ``write_property`` is set, so a failed write can simply be run again.

    Parameters
    ----------
    modules : dask.dataframe.DataFrame
        As :func:`infomap_learn.dask.infomap` returns it, for links whose node ids are the
        nodes' ``elementId`` strings.
    uri, auth
        The server, as for :func:`infomap_learn.adapters.neo4j.connect` (the workers must
        reach it; ``auth`` travels to them).
    write_property : str, default "community"
    include_intermediate_communities : bool, default False
        Write the module path (the ``level_*`` columns of a hierarchy) as a list.
    batch_size : int, default 10_000
    database : str, optional
    client : distributed.Client, optional
        By default the current client.

    Returns
    -------
    dict
        ``node_properties_written`` (total), ``partitions`` and ``written_per_partition``.

    Raises
    ------
    infomap_learn.adapters.neo4j.Neo4jWriteError, Neo4jConnectionError, Neo4jAuthError
        From the worker whose partition failed; the other partitions may have been
        written (run the same write again to complete it).

    Examples
    --------
    >>> import pandas as pd
    >>> import dask.dataframe as dd
    >>> from infomap_learn.dask import write_neo4j
    >>> modules = dd.from_pandas(pd.DataFrame({"node": ["4:a:0"], "module": [0]}), 1)
    >>> write_neo4j(modules, "http://localhost:7474")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    infomap_learn.adapters.neo4j.Neo4jConnectionError: unsupported server URI ...
    """
    import dask

    from infomap_learn.adapters.neo4j import connect

    from ._front import _client

    # the client checks the server first: a wrong URI or password fails here, clearly,
    # before any worker writes
    connect(uri, auth).close()
    client = _client(client)
    missing = [c for c in ("node", "module") if c not in modules.columns]
    if missing:
        raise ValueError(f"modules has no column {missing[0]!r}: pass what infomap() returns")
    levels = [c for c in modules.columns if c.startswith("level_")]
    columns = levels if include_intermediate_communities and levels else ["module"]
    tasks = [
        dask.delayed(_write_partition)(
            part, columns, uri, auth, write_property, batch_size, database
        )
        for part in modules.to_delayed()
    ]
    written = client.gather(client.compute(tasks))
    return {
        "node_properties_written": int(sum(written)),
        "partitions": len(written),
        "written_per_partition": [int(w) for w in written],
    }


def _worker_driver(uri: str, auth: Any):
    from infomap_learn.adapters.neo4j import connect

    key = (uri, repr(auth))
    driver = _DRIVERS.get(key)
    if driver is None:
        driver = _DRIVERS[key] = connect(uri, auth)
    return driver


def _write_partition(part, columns, uri, auth, write_property, batch_size, database) -> int:
    from infomap_learn.adapters.neo4j import write_communities

    if len(part) == 0:
        return 0
    values = part[columns].to_numpy()
    stats = write_communities(
        _worker_driver(uri, auth), part["node"].astype(str).tolist(),
        values if len(columns) > 1 else values[:, 0], write_property=write_property,
        include_intermediate_communities=len(columns) > 1, batch_size=batch_size,
        database=database,
    )  # fmt: skip
    return stats.node_properties_written
