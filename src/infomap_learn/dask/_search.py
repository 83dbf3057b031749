"""The distributed map-equation search: flow, synchronous local moves, aggregation.

The pattern of GossipMap and DSLM-Map (Bae & Howe 2015; Hamann et al. 2018 for the
synchronous local moves of distributed Louvain): the workers hold the links in shards (see
``_shards``), and the client holds one number per node (its flow and module) and the
statistics of every module. A *round* sends each shard the modules of its own nodes and of
its ghosts (the other ends of its cut links), numbered within the shard, and the
statistics of those modules only, so that what a worker receives grows with its shards, not
with the network; where the shards' views together outweigh a copy of every node's module
per worker (few workers, links without locality), each worker gets that copy once instead
(see :attr:`_Level.send_views`); each shard proposes the best module of each of its nodes;
the client applies the proposals, the shards sum the new exit and enter flows, and the
client computes the exact codelength. A round that would lengthen the code is undone
and the share of nodes allowed to move halved. When rounds stop gaining, the modules are
aggregated: the shards sum their links by module pair, and once the module network is
small enough it is searched on the client by :func:`infomap_learn.infomap` (two-level or
hierarchical), its module flows and link flows taken as given. For two-level answers,
nodes are then moved between the modules found (fine-tuning, distributed again) and the
module network searched again while that shortens the code.

The codelength of the answer is exact: the map equation of the whole network's flow; only
the search is distributed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from ..mapequation import plogp
from . import _shards

_MIN_IMPROVEMENT = 1e-10  # bits, as Infomap's minimum codelength improvement
_MIN_MOVE_PROBABILITY = 1.0 / 64
_SEED_MIX = 1_000_003
_RETRIES = 3


@dataclass
class RoundRecord:
    """One synchronous round of local moves (``phase`` "level 0", "level 1", "tune 1"...)."""

    phase: str
    round: int
    moves: int
    accepted: bool
    codelength: float
    seconds: float
    bytes_sent: int
    bytes_received: int


@dataclass
class DistributedStats:
    """What the distributed search did, for tuning and for projections.

    Attributes
    ----------
    codelength : float
        The map equation of the answer on the whole network (bits).
    one_level_codelength : float
        The codelength with all nodes in one module.
    n_nodes, n_links : int
        Nodes and links (an undirected link counted once) of the network searched.
    n_shards : int
    shard_bytes : list of int
        Memory of each shard's arrays after the flow is known.
    flow_iterations : int
        Power-iteration steps (0 for undirected flow).
    levels : list of dict
        Each distributed level: ``nodes``, ``links`` (directed entries), ``modules`` after
        its rounds, ``rounds``.
    local_nodes, local_links : int
        Size of the module network searched on the client (the first time).
    rounds : list of RoundRecord
    seconds : float
        Wall time of the whole search.
    """

    codelength: float = np.nan
    one_level_codelength: float = np.nan
    n_nodes: int = 0
    n_links: int = 0
    n_shards: int = 0
    shard_bytes: list = field(default_factory=list)
    flow_iterations: int = 0
    levels: list = field(default_factory=list)
    local_nodes: int = 0
    local_links: int = 0
    rounds: list = field(default_factory=list)
    seconds: float = 0.0

    @property
    def bytes_per_round(self) -> float:
        """Mean bytes sent to and received from the workers per round."""
        if not self.rounds:
            return 0.0
        return float(np.mean([r.bytes_sent + r.bytes_received for r in self.rounds]))


class _Cluster:
    """The client, calls on every shard that survive a lost worker, and what crosses the
    wire, counted."""

    def __init__(self, client):
        self.client = client
        self.n_workers = max(1, len(client.scheduler_info()["workers"]))
        self.sent = 0
        self.received = 0

    def call(self, func, shards, each: list[dict] | None = None, **values) -> list:
        """``func(shard, **each[i], **values)`` on every shard ``i``, the results in shard
        order.

        Arrays among ``values`` are scattered once and fetched by the workers that need
        them (counted as sent to every worker: an upper bound). ``each`` holds one dict of
        arguments per shard, scattered straight to the worker that holds the shard
        (counted once). When a worker dies, Dask recomputes the shards it held from their
        lineage; the call is then repeated with its arrays scattered again (they live on
        the client), up to ``_RETRIES`` times.
        """
        def gathered():
            results = self.client.gather(self.futures(func, shards, each, **values))
            self.received += sum(_nbytes(r) for r in results)
            return results

        return self.retried(gathered)

    def retried(self, attempt):
        """``attempt()``, repeated after a lost worker up to ``_RETRIES`` times."""
        for number in range(_RETRIES + 1):
            try:
                return attempt()
            except Exception as error:
                if number == _RETRIES or not lost_worker(error):
                    raise
                self.client.wait_for_workers(1, timeout=120)
        raise AssertionError("unreachable")  # pragma: no cover

    def futures(self, func, shards, each: list[dict] | None = None, **values) -> list:
        """As :meth:`call`, the results left on the workers (futures), not retried."""
        kwargs = {
            name: self.client.scatter(value, hash=False)
            if isinstance(value, np.ndarray) else value
            for name, value in values.items()
        }  # fmt: skip
        self.sent += sum(_nbytes(v) for v in values.values()) * self.n_workers
        return self._on_their_workers(func, shards, each, kwargs)

    def _on_their_workers(self, func, shards, each, kwargs) -> list:
        """Each task on the worker that holds its shard (where Dask knows it), so that the
        arguments travel to every worker once and the shards not at all; left alone,
        Dask would run small shards' tasks where the larger arguments are. A shard's own
        arguments go to its holder in one scatter per worker."""
        where = self.client.who_has(shards)
        holders = [tuple(where.get(shard.key, ())) for shard in shards]
        own = [None] * len(shards)
        if each is not None:
            for holder in dict.fromkeys(holders):
                mine = [i for i, h in enumerate(holders) if h == holder]
                scattered = self.client.scatter(
                    [each[i] for i in mine], workers=list(holder) or None, hash=False
                )
                for i, future in zip(mine, scattered):
                    own[i] = future
            self.sent += sum(_nbytes(list(args.values())) for args in each)
        tasks = []
        for shard, holder, args in zip(shards, holders, own):
            placement = {"workers": list(holder), "allow_other_workers": True} if holder else {}
            task = (
                self.client.submit(func, shard, pure=False, **placement, **kwargs)
                if args is None
                else self.client.submit(
                    _with_own, func, shard, args, pure=False, **placement, **kwargs
                )
            )  # fmt: skip
            tasks.append(task)
        return tasks

    def transform(self, func, shards, **values) -> list:
        """Futures of ``func(shard, **values)``: new shards that Dask can recompute if a
        worker dies (arrays among ``values`` travel in the task, not by scatter)."""
        kwargs = {
            name: self.client.submit(_same, value, pure=False)
            if isinstance(value, np.ndarray) else value
            for name, value in values.items()
        }  # fmt: skip
        self.sent += sum(_nbytes(v) for v in values.values())
        return self.client.map(func, shards, pure=False, **kwargs)


def _same(value):
    return value


def _with_own(func, shard, own: dict, **values):
    return func(shard, **own, **values)


def lost_worker(error: BaseException) -> bool:
    """Whether ``error`` says a worker died and took data with it (not a user's error such
    as a missing input file, which is an ``OSError`` too)."""
    import asyncio
    import concurrent.futures

    from distributed import KilledWorker
    from distributed.comm import CommClosedError

    if isinstance(error, (KilledWorker, CommClosedError, asyncio.CancelledError,
                          concurrent.futures.CancelledError)):  # fmt: skip
        return True
    # (distributed raises a plain OSError, ConnectionError or TimeoutError when it cannot
    # reach a worker; a task that raises one, reading a file say, is the user's error: its
    # traceback ends in the task's code, re-raised by the client, not in distributed's)
    if not (isinstance(error, (ConnectionError, TimeoutError)) or type(error) is OSError):
        return False
    last = error.__traceback__
    while last is not None and last.tb_next is not None:
        last = last.tb_next
    return last is None or _in_distributed(last.tb_frame.f_code.co_filename)


def _in_distributed(filename: str) -> bool:
    """Whether ``filename`` is a module of dask.distributed (or the event loop under it)."""
    parts = filename.replace("\\", "/").split("/")
    return "distributed" in parts or "asyncio" in parts or "tornado" in parts


def _nbytes(value) -> int:
    if isinstance(value, np.ndarray):
        return int(value.nbytes)
    if isinstance(value, (tuple, list)):
        return sum(_nbytes(v) for v in value)
    if isinstance(value, dict):
        return sum(_nbytes(v) for v in value.values())
    return 8


# ---------------------------------------------------------------------------------------
# module statistics and codelength
# ---------------------------------------------------------------------------------------


@dataclass
class _Level:
    """Shards of one network on the workers, and its per-node numbers on the client.

    ``views``: the nodes of each shard's view, its own nodes then its ghosts (global
    ids; see ``Shard.local_view``): what the client sends a shard is indexed by them.
    ``send_views``: whether the views together are smaller than a copy of every node
    per worker; if not, each worker gets every node's module once, and each shard reads
    its view out of it (``_in_view``)."""

    shards: list
    starts: np.ndarray
    node_flow: np.ndarray
    directed: bool
    n_entries: int
    views: list = field(default_factory=list)
    send_views: bool = True

    @property
    def n_nodes(self) -> int:
        return self.node_flow.size


def with_views(cluster: _Cluster, level: _Level) -> _Level:
    """The level with each shard's view, its ghosts fetched once (``O(cut links)``), and
    the cheaper way of sending the modules for the rounds."""
    ghost_lists = cluster.call(_shards.ghosts, level.shards)
    level.views = [
        np.concatenate([np.arange(start, stop), ghosts])
        for start, stop, ghosts in zip(level.starts[:-1], level.starts[1:], ghost_lists)
    ]
    # (a view's module statistics shrink with its nodes as a copy's do with every node,
    # so the node counts decide for both)
    level.send_views = sum(v.size for v in level.views) < cluster.n_workers * level.n_nodes
    return level


def _wire(module_of: np.ndarray) -> np.ndarray:
    """Module ids as sent to the workers: 4 bytes each while they fit."""
    return module_of.astype(np.int32) if module_of.size < 2**31 else module_of


def _in_view(shard, shard_func, every_module_of: np.ndarray, **values):
    """``shard_func(shard, module_of=...)`` with the modules of the shard's view read, on its
    worker, out of every node's modules."""
    return shard_func(shard, module_of=every_module_of[_shards.view_nodes(shard)], **values)


def _call_with_modules(cluster: _Cluster, func, level: _Level, module_of: np.ndarray,
                       method: str = "call", **values) -> list:  # fmt: skip
    """``func(shard, module_of=<the modules of its view>, **values)`` on every shard, the
    modules sent as views or as one copy per worker (``level.send_views``); ``method``:
    ``"call"`` for the results, ``"futures"`` to leave them on the workers."""
    run = getattr(cluster, method)
    if level.send_views:
        own = [{"module_of": module_of[view]} for view in level.views]
        return run(func, level.shards, own, **values)
    return run(_in_view, level.shards, shard_func=func, every_module_of=module_of, **values)


def _module_stats(cluster: _Cluster, level: _Level, module_of: np.ndarray):
    n_modules = int(module_of.max()) + 1
    parts = _call_with_modules(cluster, _shards.crossing, level, _wire(module_of))
    # the shards hold the nodes in order: their parts joined are per node
    leaving = np.concatenate([part[0] for part in parts])
    exit_flow = np.bincount(module_of, leaving, n_modules)
    if level.directed:
        arriving = np.concatenate([part[1] for part in parts])
        enter_flow = np.bincount(module_of, arriving, n_modules)
    else:
        enter_flow = exit_flow
    flow = np.bincount(module_of, level.node_flow, n_modules)
    size = np.bincount(module_of, minlength=n_modules).astype(np.float64)
    # one array, so that one scatter carries them: flow, exit, enter, size
    return np.stack([flow, exit_flow, enter_flow, size])


def _codelength(stats: np.ndarray, node_term: float) -> float:
    flow, exit_flow, enter_flow, _ = stats
    return float(
        plogp(enter_flow.sum()) - plogp(enter_flow).sum() - plogp(exit_flow).sum()
        + plogp(exit_flow + flow).sum() - node_term
    )  # fmt: skip


# ---------------------------------------------------------------------------------------
# rounds of local moves
# ---------------------------------------------------------------------------------------


def move_rounds(
    cluster: _Cluster,
    level: _Level,
    module_of: np.ndarray,
    *,
    seed: int,
    phase: str,
    max_rounds: int,
    stats_out: DistributedStats,
) -> tuple[np.ndarray, float]:
    """Synchronous rounds of local moves from ``module_of`` (ids < n_nodes) until a round
    gains less than ``_MIN_IMPROVEMENT`` bits; returns the modules and the codelength of
    the level's network (its node flows as leaves)."""
    node_term = float(plogp(level.node_flow).sum())
    stats = _module_stats(cluster, level, module_of)
    codelength = _codelength(stats, node_term)
    move_probability = 1.0
    for round_number in range(max_rounds):
        began, sent, received = time.perf_counter(), cluster.sent, cluster.received
        round_seed = (seed * _SEED_MIX + round_number) % (2**63)
        # (undirected: enter flows are the exit flows, not sent twice)
        sent_stats = stats if level.directed else stats[[0, 1, 3]]
        round_values = {
            "enter_total": float(stats[2].sum()), "seed": round_seed,
            "move_probability": move_probability,
        }  # fmt: skip
        if level.send_views:
            own, view_modules = _views_of_modules(level, module_of, sent_stats)
            proposals = cluster.call(_shards.propose, level.shards, own, **round_values)
        else:
            # (every module with its global id: the proposals name global ids)
            proposals = cluster.call(
                _in_view, level.shards, shard_func=_shards.propose,
                every_module_of=_wire(module_of), stats=sent_stats, **round_values,
            )  # fmt: skip
            view_modules = [None] * len(proposals)
        moved = sum(len(nodes) for nodes, _ in proposals)
        accepted = False
        if moved:
            candidate = module_of.copy()
            for (nodes, targets), modules in zip(proposals, view_modules):
                candidate[nodes] = targets if modules is None else modules[targets]
            candidate_stats = _module_stats(cluster, level, candidate)
            candidate_length = _codelength(candidate_stats, node_term)
            accepted = candidate_length < codelength - _MIN_IMPROVEMENT
        stats_out.rounds.append(
            RoundRecord(
                phase, round_number, moved, accepted,
                candidate_length if moved else codelength, time.perf_counter() - began,
                cluster.sent - sent, cluster.received - received,
            )
        )  # fmt: skip
        if accepted:
            gain = codelength - candidate_length
            module_of, stats = _compacted(candidate, candidate_stats)
            codelength = candidate_length
            if gain < _MIN_IMPROVEMENT * 1e3 and move_probability == 1.0:
                break
        elif moved:
            move_probability /= 2
            if move_probability < _MIN_MOVE_PROBABILITY:
                break
        else:
            break
    return module_of, codelength


def _views_of_modules(level: _Level, module_of: np.ndarray, stats: np.ndarray):
    """Each shard's arguments of a round: the modules of its view's nodes, numbered
    0..k_s-1 within the view in the order of their global ids (the kernel's tie rules
    compare ids), and the statistics of those k_s modules; and each view's modules
    (global ids), to read the proposals back."""
    own, modules_of_views = [], []
    for view in level.views:
        modules, local = np.unique(module_of[view], return_inverse=True)
        own.append({"module_of": _wire(local.reshape(-1)), "stats": stats[:, modules]})
        modules_of_views.append(modules)
    return own, modules_of_views


def _compacted(module_of: np.ndarray, stats: np.ndarray):
    """Module ids renumbered 0..k-1 in their order (the statistics with them), so that
    a round sends the statistics of the k modules, not of every id ever used."""
    used = stats[3] > 0
    new_id = np.cumsum(used) - 1
    return new_id[module_of], stats[:, used]


def aggregate(cluster: _Cluster, level: _Level, module_of: np.ndarray):
    """The module network: ``(labels, source, target, flow, module_flow)`` with modules
    renumbered 0..k-1 (``labels`` of the level's nodes), self-links carrying the flow that
    stays in a module; undirected links in both directions."""
    present, labels = np.unique(module_of, return_inverse=True)
    k = present.size
    labels = labels.astype(np.int64)
    parts = _call_with_modules(cluster, _shards.aggregated, level, labels, n_modules=k)
    keys = np.concatenate([p[0] for p in parts])
    flows = np.concatenate([p[1] for p in parts])
    return (labels, *_summed_links(keys, flows, k), np.bincount(labels, level.node_flow, k))


def coarsened(source, target, flow, module_flow, labels: np.ndarray):
    """A module network grouped again by ``labels`` (0..k-1, one per module), on the
    client: ``(source, target, flow, module_flow)`` as :func:`aggregate` gives them."""
    k = int(labels.max()) + 1
    links = _summed_links(labels[source] * k + labels[target], flow, k)
    return (*links, np.bincount(labels, module_flow, k))


def _summed_links(keys: np.ndarray, flows: np.ndarray, k: int):
    """Link flows summed by ``key = source * k + target``: ``(source, target, flow)``."""
    unique, inverse = np.unique(keys, return_inverse=True)
    source, target = np.divmod(unique, k)
    return source, target, np.bincount(inverse, flows, unique.size)


def module_level(cluster: _Cluster, source, target, flow, module_flow, n_shards, directed):
    """A module network as the shards of the next distributed level."""
    if not directed:
        keep = source <= target
        source, target, flow = source[keep], target[keep], flow[keep]
    starts, shards = _shards.shards_from_links(
        source, target, flow, module_flow, n_shards, directed
    )
    # (in tasks, not scattered: Dask can recompute a shard that a dead worker held)
    futures = [cluster.client.submit(_same, shard, pure=False) for shard in shards]
    cluster.sent += sum(s.nbytes for s in shards)
    entries = int((source != target).sum()) * (1 if directed else 2)
    return with_views(cluster, _Level(futures, starts, module_flow, directed, entries))
