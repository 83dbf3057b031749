"""``infomap_learn.dask.infomap``: links in a Dask DataFrame -> modules in a Dask DataFrame."""

from __future__ import annotations

import operator
import time
from typing import Any

import numpy as np

from ..mapequation import hierarchical_codelength, plogp
from ..paths import canonical_paths
from . import _search, _shards, _subtrees
from ._search import DistributedStats, _Cluster, _Level

_FLOW_MODELS = ("undirected", "directed")


def infomap(
    links: Any,
    client: Any = None,
    *,
    two_level: bool = True,
    directed: bool = False,
    teleportation_probability: float = 0.15,
    markov_time: float = 1.0,
    num_trials: int = 1,
    seed: int = 0,
    n_partitions: int | None = None,
    max_local_links: int = 2_000_000,
    max_rounds: int = 50,
    tune_iterations: int = 2,
    return_stats: bool = False,
):
    """Modules of a network given as a Dask DataFrame of links, searched on a Dask cluster.

    The links stay on the workers, cut into ``n_partitions`` shards by source node; the
    client keeps one number per node. The flow is computed on the workers (power iteration
    for directed networks), rounds of synchronous local moves run there until they stop
    shortening the code, and the modules are aggregated into a module network, searched
    again on the workers while it has more than ``max_local_links`` links and then on the
    client with :func:`infomap_learn.infomap`. Two-level answers are fine-tuned: nodes move
    between the modules found (on the workers) and the module network is searched again
    while the codelength shortens. The reported codelength is the exact map equation of
    the answer on the whole network.

    Parameters
    ----------
    links : dask.dataframe.DataFrame or pandas.DataFrame
        Columns ``source`` and ``target`` (node ids: integers or strings) and optionally
        ``weight`` (finite and positive; 1 where absent). A pandas DataFrame is split into
        ``n_partitions`` parts. Nodes are the ids that appear in a link.
    client : distributed.Client, optional
        The cluster to run on; by default the current client (``distributed.get_client``).
    two_level : bool, default True
        Modules only; False asks for a hierarchy of nested modules, searched on the client
        on a module network, the shorter of two: super-modules above the fine-tuned
        two-level modules, or a hierarchical search of the modules of the distributed
        rounds (each then a leaf module, or its nodes put in its parent, whichever codes
        shorter). Nodes do not move below the top after that.
    directed : bool, default False
        Links run from ``source`` to ``target``: the flow is PageRank with teleportation to
        links, unrecorded (Infomap's default for directed networks).
    teleportation_probability : float in [0, 1), default 0.15
        Directed networks only.
    markov_time : float > 0, default 1.0
        Scales link flows: larger values give fewer, larger modules.
    num_trials : int >= 1, default 1
        Trials of the search on the client (the distributed rounds run once).
    seed : int >= 0, default 0
        The answer for a seed does not depend on the number of workers or partitions.
    n_partitions : int, optional
        Shards of the network; by default the partitions of ``links``.
    max_local_links : int, default 2_000_000
        A module network with more links is aggregated on the workers again.
    max_rounds : int, default 50
        Rounds of local moves per level and per fine-tuning.
    tune_iterations : int, default 2
        Fine-tuning passes (two-level answers).
    return_stats : bool, default False
        Also return a :class:`~infomap_learn.dask.DistributedStats` (codelength, rounds,
        bytes moved, shard sizes).

    Returns
    -------
    modules : dask.dataframe.DataFrame
        One row per node: ``node`` (the id as given) and ``module`` (top module, 0..k-1 by
        decreasing flow); hierarchical answers also have ``level_1`` .. ``level_d``: the
        index of the node's module at each level among its siblings, -1 below its leaf
        module (as :attr:`infomap_learn.ModuleTree.paths`).
    stats : DistributedStats
        Only with ``return_stats=True``.

    Raises
    ------
    ValueError
        If a column is missing, an id is missing or of another type, a weight is not
        finite and positive (the link is named as written), or an option is out of range.
    RuntimeError
        If a worker was lost and Dask could not recompute what it held: no labels are
        returned.

    Examples
    --------
    >>> import pandas as pd
    >>> from distributed import Client, LocalCluster
    >>> from infomap_learn.dask import infomap
    >>> cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
    ...                        dashboard_address=None)
    >>> client = Client(cluster)
    >>> links = pd.DataFrame({"source": [1, 2, 3, 4, 5, 6, 3],
    ...                       "target": [2, 3, 1, 5, 6, 4, 4]})
    >>> modules, stats = infomap(links, client, n_partitions=2, return_stats=True)
    >>> modules.compute().sort_values("node")["module"].tolist()
    [0, 0, 0, 1, 1, 1]
    >>> round(stats.codelength, 5)
    2.32073
    >>> client.close(); cluster.close()
    """
    began = time.perf_counter()
    options = _check_options(
        two_level=two_level, directed=directed,
        teleportation_probability=teleportation_probability, markov_time=markov_time,
        num_trials=num_trials, seed=seed, n_partitions=n_partitions,
        max_local_links=max_local_links, max_rounds=max_rounds,
        tune_iterations=tune_iterations,
    )  # fmt: skip
    client = _client(client)
    links = _as_dask_frame(links, options["n_partitions"])
    cluster = _Cluster(client)
    stats = DistributedStats()
    try:
        ids, level = _load(cluster, links, options, stats)
        frame = _run(cluster, ids, level, options, stats)
    except Exception as error:
        _raise_lost_worker(error)
        raise
    stats.seconds = time.perf_counter() - began
    import dask.dataframe as dd

    modules = dd.from_pandas(frame, npartitions=max(1, min(len(level.shards), len(frame))))
    return (modules, stats) if return_stats else modules


# ---------------------------------------------------------------------------------------
# checks
# ---------------------------------------------------------------------------------------


def _check_options(**options) -> dict:
    """The options the single-machine search shares are checked by its
    :class:`~infomap_learn.options.SearchOptions` (declared once); the rest here."""
    from ..options import SearchOptions, _check_bool, _is_int

    _check_bool("directed", options["directed"])
    SearchOptions(
        two_level=options["two_level"],
        flow_model="directed" if options["directed"] else "undirected",
        teleportation_probability=options["teleportation_probability"],
        markov_time=options["markov_time"], num_trials=options["num_trials"],
        seed=options["seed"],
    )  # fmt: skip
    lowest = {"max_local_links": 1, "max_rounds": 1, "tune_iterations": 0, "n_partitions": 1}
    for name, low in lowest.items():
        value = options[name]
        if name == "n_partitions" and value is None:
            continue
        if not _is_int(value) or value < low:
            raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")
    return options


class NoLinksError(ValueError):
    """The links have no rows: there is no network to search."""


def _client(client):
    try:
        from distributed import Client, get_client
    except ImportError:  # pragma: no cover - the dask extra brings it
        raise ImportError(
            "infomap_learn.dask needs dask.distributed: pip install 'infomap-learn[dask]'"
        ) from None
    if client is None:
        try:
            return get_client()
        except ValueError:
            raise ValueError(
                "no Dask client: pass client=, or start one first (distributed.Client() for "
                "a local cluster, or the address of your scheduler)"
            ) from None
    if not isinstance(client, Client):
        raise TypeError(f"client must be a distributed.Client, got {type(client).__name__}")
    return client


def _as_dask_frame(links, n_partitions):
    import dask.dataframe as dd
    import pandas as pd

    if isinstance(links, pd.DataFrame):
        links = dd.from_pandas(links, npartitions=max(1, min(n_partitions or 1, len(links))))
    elif not isinstance(links, dd.DataFrame):
        raise TypeError(
            "links must be a dask or pandas DataFrame with columns source, target "
            f"[, weight]; got {type(links).__name__}"
        )
    missing = [c for c in ("source", "target") if c not in links.columns]
    if missing:
        raise ValueError(
            f"links has no column {missing[0]!r} (columns: {list(links.columns)}); it needs "
            "source and target, and optionally weight"
        )
    return links


def _raise_lost_worker(error: Exception) -> None:
    if _search.lost_worker(error):
        raise RuntimeError(
            f"a Dask worker was lost during the distributed search and its data could not "
            f"be recomputed ({type(error).__name__}: {error}); no labels were returned, "
            "run it again"
        ) from error


# ---------------------------------------------------------------------------------------
# loading: links -> shards with flows
# ---------------------------------------------------------------------------------------


def _ids_of(part):
    import pandas as pd

    return pd.unique(np.concatenate([part["source"].to_numpy(), part["target"].to_numpy()]))


def _check_part(part, ids):
    """Indices of the part's links into ``ids`` and their weights, checked."""
    source, target = part["source"].to_numpy(), part["target"].to_numpy()
    if "weight" in part.columns:
        weight = part["weight"].to_numpy(dtype=np.float64, na_value=np.nan)
        bad = ~(np.isfinite(weight) & (weight > 0))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ValueError(
                f"link {_as_written(source[i])!r} -> {_as_written(target[i])!r} has weight "
                f"{float(weight[i])!r}; weights "
                "must be finite and positive"
            )
    else:
        weight = np.ones(len(part))
    return np.searchsorted(ids, source), np.searchsorted(ids, target), weight


def _as_written(node_id):
    return node_id.item() if isinstance(node_id, np.generic) else node_id


def _split_part(part, ids, starts, directed):
    source, target, weight = _check_part(part, ids)
    return _shards.split_links(source, target, weight, starts, directed)


def _load(cluster: _Cluster, links, options, stats: DistributedStats):
    client = cluster.client
    directed = options["directed"]
    part_futures = client.compute(list(links.to_delayed()))
    id_parts = client.gather(client.map(_ids_of, part_futures, pure=False))
    ids = _sorted_ids(id_parts)
    n = ids.size
    if n == 0:
        raise NoLinksError("links has no rows: there is no network to search")
    n_shards = options["n_partitions"] or links.npartitions
    starts = _shards.shard_starts(n, n_shards)
    ids_future = client.submit(_search._same, ids, pure=False)  # (recomputable)
    splits = client.map(
        _split_part, part_futures, ids=ids_future, starts=starts, directed=directed, pure=False
    )
    shards = [
        client.submit(
            _shards.build_shard, int(start), int(stop),
            [client.submit(operator.getitem, s, p, pure=False) for s in splits], directed,
            pure=False,
        )  # fmt: skip
        for p, (start, stop) in enumerate(zip(starts[:-1], starts[1:]))
    ]
    entries = sum(cluster.call(_entries, shards))
    del part_futures, splits
    if directed:
        shards, iterations = _directed_flow(cluster, shards, starts, options)
        stats.flow_iterations = iterations
    else:
        total = sum(cluster.call(_total_strength, shards))
        shards = cluster.transform(
            _shards.with_undirected_flow, shards, total=total,
            markov_time=options["markov_time"],
        )  # fmt: skip
    node_flow = np.concatenate(cluster.call(_node_flow_of, shards))
    stats.n_nodes, stats.n_shards = n, len(shards)
    stats.n_links = entries if directed else entries // 2
    stats.shard_bytes = cluster.call(_shard_bytes, shards)
    return ids, _search.with_views(cluster, _Level(shards, starts, node_flow, directed, entries))


def _sorted_ids(id_parts) -> np.ndarray:
    import pandas as pd

    values = np.concatenate(id_parts) if id_parts else np.zeros(0, np.int64)
    if pd.isna(values).any():
        raise ValueError("links has a missing node id (NaN or None) in source or target")
    if values.dtype == object and len({type(v) for v in values[:1000]}) > 1:
        raise ValueError("node ids must be all integers or all strings, not a mix")
    try:
        return np.unique(values)
    except TypeError:
        raise ValueError("node ids must be all integers or all strings, not a mix") from None


def _entries(shard) -> int:
    return int(shard.out_idx.size)


def _total_strength(shard) -> float:
    return float(_shards.out_weights(shard).sum())


def _node_flow_of(shard) -> np.ndarray:
    return shard.node_flow


def _shard_bytes(shard) -> int:
    return shard.nbytes


def _directed_flow(cluster: _Cluster, shards, starts: np.ndarray, options):
    """PageRank by power iteration over the shards, as :func:`infomap_learn.flow.pagerank`
    (teleportation to links, unrecorded; the same tolerance and iteration limits)."""
    from .._pagerank import _power_iteration

    alpha = float(options["teleportation_probability"])
    n = int(starts[-1])
    out_weight = np.concatenate(cluster.call(_shards.out_weights, shards))
    targets = cluster.call(_shards.rank_targets, shards)

    def owned(rank: np.ndarray) -> list[dict]:  # (each shard, its own nodes' numbers)
        return [
            {"rank": rank[start:stop], "out_weight": out_weight[start:stop]}
            for start, stop in zip(starts[:-1], starts[1:])
        ]

    def spread(rank: np.ndarray) -> np.ndarray:
        passed = np.zeros(n)
        parts = cluster.call(_shards.spread_rank, shards, owned(rank))
        for where, sums in zip(targets, parts):
            passed[where] += sums
        return passed

    rank, iterations = _power_iteration(
        spread, out_weight == 0, out_weight / out_weight.sum(), alpha
    )
    total = sum(cluster.call(_shards.link_flow_total, shards, owned(rank)))
    flows = cluster.transform(
        _shards.with_directed_flow, shards, rank=rank, out_weight=out_weight, total=total,
        markov_time=options["markov_time"],
    )  # fmt: skip
    return flows, iterations


# ---------------------------------------------------------------------------------------
# the search
# ---------------------------------------------------------------------------------------


def _local_tree(source, target, flow, module_flow, two_level, options, seed):
    """The module network searched on the client, its flows taken as given."""
    from ..network import Network
    from ..search import infomap as local_infomap

    network = Network(
        source, target, flow, n_nodes=module_flow.size, directed=True,
        node_weights=module_flow,
    )  # fmt: skip
    return local_infomap(
        network, flow_model="precomputed", two_level=two_level,
        num_trials=options["num_trials"], seed=seed,
    )  # fmt: skip


def _run(cluster: _Cluster, ids, level0: _Level, options, stats: DistributedStats):
    import pandas as pd

    seed, directed = options["seed"], options["directed"]
    node_term = float(plogp(level0.node_flow).sum())
    stats.one_level_codelength = -node_term
    level, node_module = level0, np.arange(level0.n_nodes)
    depth = 0
    while True:
        module_of, _ = _search.move_rounds(
            cluster, level, np.arange(level.n_nodes), seed=seed + depth,
            phase=f"level {depth}", max_rounds=options["max_rounds"], stats_out=stats,
        )  # fmt: skip
        labels, source, target, flow, module_flow = _search.aggregate(cluster, level, module_of)
        node_module = labels[node_module]
        stats.levels.append({
            "nodes": level.n_nodes, "links": level.n_entries, "modules": module_flow.size,
            "rounds": sum(r.phase == f"level {depth}" for r in stats.rounds),
        })  # fmt: skip
        shrunk = module_flow.size < 0.9 * level.n_nodes
        if source.size <= options["max_local_links"] or not shrunk:
            break
        level = _search.module_level(
            cluster, source, target, flow, module_flow, len(level0.shards), directed
        )
        depth += 1
    stats.local_nodes, stats.local_links = module_flow.size, int(source.size)

    def leaf_terms(module_flow):  # modules as leaves -> the nodes as leaves
        return float(plogp(module_flow).sum()) - node_term

    network = (source, target, flow, module_flow)  # its nodes: node_module
    if not options["two_level"]:
        # a hierarchy of the distributed modules, one candidate answer
        tree = _local_tree(*network, False, options, seed)
        nested_paths, nested_length = _nested_modules(
            tree, node_module, leaf_terms(module_flow)
        )
    tree = _local_tree(*network, True, options, seed)
    codelength = tree.codelength + leaf_terms(module_flow)
    for iteration in range(options["tune_iterations"]):
        labels = tree.labels[node_module]
        tuned, _ = _search.move_rounds(
            cluster, level0, labels.copy(), seed=seed + 7919 * (iteration + 1),
            phase=f"tune {iteration + 1}", max_rounds=options["max_rounds"],
            stats_out=stats,
        )  # fmt: skip
        if np.array_equal(tuned, labels):
            break
        found, *tuned_network = _search.aggregate(cluster, level0, tuned)
        tuned_tree = _local_tree(*tuned_network, True, options, seed)
        tuned_length = tuned_tree.codelength + leaf_terms(tuned_network[3])
        if not tuned_length < codelength - _search._MIN_IMPROVEMENT:
            break
        node_module, network, tree, codelength = found, tuned_network, tuned_tree, tuned_length
    labels = tree.labels[node_module]
    paths = labels[:, None]
    if not options["two_level"]:
        # the module network of the tuned modules, from the one they were found on
        tuned_network = _search.coarsened(*network, tree.labels)
        module_paths, module_length = _super_modules(*tuned_network, seed)
        codelength = module_length + leaf_terms(tuned_network[3])
        paths = module_paths[labels]
        if nested_length < codelength:
            paths, codelength = nested_paths, nested_length
        # below the top: each top module searched again from its nodes, as Infomap does;
        # the top either the tree's (super-modules may make it coarse) or the modules
        tops = [paths]
        if not _same_partition(paths[:, 0], labels):
            tops.append(labels[:, None])
        for top in tops:
            if top[:, 0].max() > top[:, 0].min():
                searched, searched_length = _subtrees.repartitioned(cluster, level0, top, seed)
                if searched_length < codelength - _search._MIN_IMPROVEMENT:
                    paths, codelength = searched, searched_length
    paths = canonical_paths(paths, level0.node_flow)
    stats.codelength = codelength
    frame = pd.DataFrame({"node": ids, "module": paths[:, 0]})
    if not options["two_level"]:
        for i in range(paths.shape[1]):
            frame[f"level_{i + 1}"] = paths[:, i]
    return frame


def _same_partition(first: np.ndarray, second: np.ndarray) -> bool:
    """Whether two labellings group the nodes alike (ids aside)."""
    pairs = np.unique(np.stack([first, second]), axis=1).shape[1]
    return pairs == np.unique(first).size == np.unique(second).size


def _super_modules(source, target, flow, module_flow, seed):
    """Paths of the modules of a module network with super-modules above them, searched
    as Infomap searches super-modules (modules coded by their enter flow), and the
    codelength with each module a leaf module of its nodes (leaf terms of the modules)."""
    from ..flow import Flow
    from ..search import leaf_units
    from ..search._hierarchy import _add_super_modules

    module_network = Flow.from_links(
        module_flow, source, target, flow, undirected=False, flow_model="precomputed"
    )
    paths = np.arange(module_flow.size, dtype=np.int64)[:, None]
    paths = _add_super_modules(leaf_units(module_network), paths, seed)
    return paths, hierarchical_codelength(module_network, paths).codelength


def _nested_modules(tree, node_module, leaf_terms):
    """Node paths from a hierarchy of the modules of the distributed rounds: each of them
    a leaf module of its own below its place in ``tree``, or its nodes directly in that
    place, whichever codes shorter; and that codelength."""
    coarse = tree.paths
    depth = (coarse >= 0).sum(axis=1)
    extended = np.full((coarse.shape[0], coarse.shape[1] + 1), -1, dtype=np.int64)
    extended[:, : coarse.shape[1]] = coarse
    extended[np.arange(coarse.shape[0]), depth] = np.arange(coarse.shape[0])
    extended_length = hierarchical_codelength(tree.flow, extended).codelength + leaf_terms
    dissolved_length = tree.codelength + leaf_terms
    if extended_length < dissolved_length:
        return extended[node_module], extended_length
    return coarse[node_module], dissolved_length
