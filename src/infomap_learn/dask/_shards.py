"""Shards: the part of a network one worker holds, and the per-shard steps of the search.

Nodes are split into contiguous ranges of global indices, one per shard; a shard holds the
links of its own nodes (both directions of an undirected link, out- and in-links of a
directed one), so the other end of a cut link is a *ghost* that another shard owns. The
functions here run on the workers, one shard at a time; ``_search`` orchestrates them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np

from . import _kernels


@dataclass(frozen=True, eq=False)
class Shard:
    """Links of the nodes ``start .. start + n_owned - 1`` in CSR form by owned node.

    ``out_idx``/``in_idx`` hold global node indices; ``out_val``/``in_val`` link weights
    before the flow is computed and link flows after; ``self_val`` the self-link of each
    owned node; ``node_flow`` the visit rate of each owned node once known. Undirected
    shards store each link in both directions and share the out-arrays as in-arrays.
    :attr:`rank_layout` says where each link passes rank in power iteration.
    """

    start: int
    out_ptr: np.ndarray
    out_idx: np.ndarray
    out_val: np.ndarray
    in_ptr: np.ndarray
    in_idx: np.ndarray
    in_val: np.ndarray
    self_val: np.ndarray
    directed: bool
    node_flow: np.ndarray | None = None

    @property
    def n_owned(self) -> int:
        return self.out_ptr.shape[0] - 1

    @cached_property
    def rank_layout(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``(targets, slot, has_self, self_slot)``: the distinct heads of the out-links and
        self-links (sorted), the position of each out-link's head among them, the owned
        nodes with a self-link and their positions; worked out once per shard (on the
        worker that holds it), not at every step of power iteration."""
        owned = np.arange(self.start, self.start + self.n_owned)
        has_self = self.self_val > 0
        targets = np.unique(np.concatenate([self.out_idx, owned[has_self]]))
        return (
            targets, np.searchsorted(targets, self.out_idx), has_self,
            np.searchsorted(targets, owned[has_self]),
        )  # fmt: skip

    @cached_property
    def local_view(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(ghosts, out_local, in_local)``: the other ends of the links that the shard
        does not own (global ids, sorted), and each link's other end in the shard's own
        view of the network, owned nodes ``0 .. n_owned - 1`` then the ghosts. The
        rounds send a shard only the modules of that view (see the kernels)."""
        n_owned = self.n_owned
        ends = self.out_idx if not self.directed else np.concatenate([self.out_idx, self.in_idx])
        owned = (ends >= self.start) & (ends < self.start + n_owned)
        ghosts = np.unique(ends[~owned])

        def local(idx):
            inside = (idx >= self.start) & (idx < self.start + n_owned)
            return np.where(inside, idx - self.start, n_owned + np.searchsorted(ghosts, idx))

        out_local = local(self.out_idx)
        in_local = local(self.in_idx) if self.directed else out_local
        return ghosts, out_local, in_local

    @property
    def nbytes(self) -> int:
        arrays = [self.out_ptr, self.out_idx, self.out_val, self.self_val]
        if self.directed:
            arrays += [self.in_ptr, self.in_idx, self.in_val]
        if self.node_flow is not None:
            arrays.append(self.node_flow)
        return int(sum(a.nbytes for a in arrays))


def shard_starts(n_nodes: int, n_shards: int) -> np.ndarray:
    """First node of each shard and ``n_nodes`` at the end: ranges of equal size."""
    n_shards = max(1, min(n_shards, n_nodes))
    return np.linspace(0, n_nodes, n_shards + 1).round().astype(np.int64)


def _by_owner(rows, cols, vals, starts):
    owner = np.searchsorted(starts, rows, side="right") - 1
    order = np.argsort(owner, kind="stable")
    bounds = np.searchsorted(owner[order], np.arange(starts.size))
    rows, cols, vals = rows[order], cols[order], vals[order]
    return [
        (rows[b0:b1], cols[b0:b1], vals[b0:b1]) for b0, b1 in zip(bounds[:-1], bounds[1:])
    ]


def split_links(source, target, weight, starts, directed: bool) -> list[tuple]:
    """The links of one input part cut into one piece per shard: ``(out, in)`` triplets
    ``(owned node, other end, value)`` with global indices (``in`` empty if undirected)."""
    source = np.asarray(source, dtype=np.int64)
    target = np.asarray(target, dtype=np.int64)
    weight = np.asarray(weight, dtype=np.float64)
    if directed:
        out = _by_owner(source, target, weight, starts)
        into = _by_owner(target, source, weight, starts)
    else:
        back = source != target
        out = _by_owner(
            np.concatenate([source, target[back]]),
            np.concatenate([target, source[back]]),
            np.concatenate([weight, weight[back]]),
            starts,
        )
        empty = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))
        into = [empty] * len(out)
    return list(zip(out, into))


def _csr(rows, cols, vals, start, n_owned):
    local = rows - start
    order = np.argsort(local, kind="stable")
    ptr = np.zeros(n_owned + 1, dtype=np.int64)
    np.cumsum(np.bincount(local, minlength=n_owned), out=ptr[1:])
    return ptr, cols[order], vals[order]


def build_shard(start: int, stop: int, pieces: list, directed: bool) -> Shard:
    """The shard of nodes ``start .. stop - 1`` from its pieces of every input part."""
    n_owned = stop - start

    def joined(which):
        parts = [piece[which] for piece in pieces]
        return tuple(np.concatenate([p[i] for p in parts]) for i in range(3))

    rows, cols, vals = joined(0)
    is_self = rows == cols
    self_val = np.bincount(rows[is_self] - start, vals[is_self], n_owned)
    out = _csr(rows[~is_self], cols[~is_self], vals[~is_self], start, n_owned)
    if directed:
        rows, cols, vals = joined(1)
        keep = rows != cols  # a self-link is counted once, among the out-links
        into = _csr(rows[keep], cols[keep], vals[keep], start, n_owned)
    else:
        into = out
    return Shard(start, *out, *into, self_val=self_val, directed=directed)


# ---------------------------------------------------------------------------------------
# flow
# ---------------------------------------------------------------------------------------


def out_weights(shard: Shard) -> np.ndarray:
    """Out-weight of each owned node, its self-link included (undirected: its strength)."""
    rows = np.repeat(np.arange(shard.n_owned), np.diff(shard.out_ptr))
    return np.bincount(rows, shard.out_val, shard.n_owned) + shard.self_val


def with_undirected_flow(shard: Shard, total: float, markov_time: float) -> Shard:
    """Node flow = strength / total; each direction of a link carries weight / total."""
    node_flow = out_weights(shard) / total
    out_val = shard.out_val * (markov_time / total)
    return replace(
        shard, out_val=out_val, in_val=out_val, self_val=shard.self_val / total,
        node_flow=node_flow,
    )  # fmt: skip


def rank_targets(shard: Shard) -> np.ndarray:
    """Every node the shard's links lead to (self-links included), sorted."""
    return shard.rank_layout[0]


def _rank_shares(rank: np.ndarray, out_weight: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(out_weight > 0, rank / out_weight, 0.0)


def spread_rank(shard: Shard, rank: np.ndarray, out_weight: np.ndarray) -> np.ndarray:
    """The rank the owned nodes pass along their links in one step of power iteration,
    summed per node of :func:`rank_targets` (``rank`` and ``out_weight`` of the owned
    nodes: a step sends a shard its own nodes' numbers, not all ``n``)."""
    targets, slot, has_self, self_slot = shard.rank_layout
    share = _rank_shares(rank, out_weight)
    rows = np.repeat(np.arange(shard.n_owned), np.diff(shard.out_ptr))
    sums = np.bincount(slot, share[rows] * shard.out_val, targets.size)
    sums += np.bincount(self_slot, share[has_self] * shard.self_val[has_self], targets.size)
    return sums


def with_directed_flow(
    shard: Shard, rank: np.ndarray, out_weight: np.ndarray, total: float, markov_time: float
) -> Shard:
    """Link flow = rank of the source x weight / its out-weight / ``total`` (the sum over
    all links, so link flows sum to one: unrecorded teleportation); node flow = in-flow."""
    owned = np.arange(shard.start, shard.start + shard.n_owned)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(out_weight > 0, rank / out_weight, 0.0) / total
    out_rows = np.repeat(owned, np.diff(shard.out_ptr))
    in_rows = np.repeat(np.arange(shard.n_owned), np.diff(shard.in_ptr))
    in_flow = share[shard.in_idx] * shard.in_val
    self_flow = share[owned] * shard.self_val
    node_flow = np.bincount(in_rows, in_flow, shard.n_owned) + self_flow
    return replace(
        shard,
        out_val=share[out_rows] * shard.out_val * markov_time,
        in_val=in_flow * markov_time,
        self_val=self_flow,
        node_flow=node_flow,
    )


def link_flow_total(shard: Shard, rank: np.ndarray, out_weight: np.ndarray) -> float:
    """Sum of rank x weight / out-weight over the shard's out-links and self-links (the
    owned nodes' ``rank`` and ``out_weight``)."""
    share = _rank_shares(rank, out_weight)
    rows = np.repeat(np.arange(shard.n_owned), np.diff(shard.out_ptr))
    return float((share[rows] * shard.out_val).sum() + (share * shard.self_val).sum())


# ---------------------------------------------------------------------------------------
# moves and aggregation (the kernels, on a shard)
# ---------------------------------------------------------------------------------------


def ghosts(shard: Shard) -> np.ndarray:
    """The shard's ghost nodes (global ids, sorted): see :attr:`Shard.local_view`."""
    return shard.local_view[0]


def view_nodes(shard: Shard) -> np.ndarray:
    """The nodes of the shard's view (global ids): its own, then its ghosts."""
    return np.concatenate([np.arange(shard.start, shard.start + shard.n_owned), ghosts(shard)])


def propose(
    shard: Shard, module_of, stats, enter_total: float, seed: int, move_probability: float
):
    """The moves of the shard's nodes in one synchronous round (see
    :func:`~infomap_learn.dask._kernels.propose_moves`): global node indices and their
    new modules (numbered as in ``module_of``). ``module_of``: the module of each node
    of the shard's view (owned nodes, then ghosts; :attr:`Shard.local_view`), numbered
    within the view; ``stats``: module flow, exit flow, enter flow (directed only) and
    size (as float) of those modules; ``enter_total`` the sum of all enter flows."""
    if stats.shape[0] == 3:
        flow, exit_flow, size = stats
        enter_flow = exit_flow
    else:
        flow, exit_flow, enter_flow, size = stats
    _, out_local, in_local = shard.local_view
    moved, target = _kernels.propose_moves(
        shard.start, shard.out_ptr, out_local, shard.out_val,
        shard.in_ptr, in_local, shard.in_val, shard.node_flow,
        module_of, flow, exit_flow, enter_flow, size, enter_total, seed, move_probability,
    )  # fmt: skip
    return moved + shard.start, target


def crossing(shard: Shard, module_of):
    """Per owned node, its flow out of its module and (directed) into it: summed by
    module on the client, the exit and enter flows (``module_of``: of the shard's view)."""
    _, out_local, in_local = shard.local_view
    leaving, arriving = _kernels.crossing_flows(
        shard.out_ptr, out_local, shard.out_val, shard.in_ptr, in_local, shard.in_val,
        module_of,
    )  # fmt: skip
    return (leaving, arriving) if shard.directed else (leaving,)


def aggregated(shard: Shard, module_of, n_modules: int):
    """The shard's links and self-links summed by module pair: ``(keys, flows)``
    (``module_of``: the module, 0..n_modules-1, of each node of the shard's view)."""
    keys, flows = _kernels.module_links(
        shard.out_ptr, shard.local_view[1], shard.out_val, module_of, n_modules
    )
    has_self = np.flatnonzero(shard.self_val > 0)
    modules = module_of[has_self]
    return (
        np.concatenate([keys, modules * n_modules + modules]),
        np.concatenate([flows, shard.self_val[has_self]]),
    )


def internal_links(shard: Shard, module_of, group_of_module: np.ndarray) -> list[tuple]:
    """The shard's links inside a module (both ends in it; ``module_of``: of the shard's
    view), split by the group of their module: per group ``(source, target, flow)`` in
    global node ids. Undirected shards give each link once from each end."""
    _, out_local, _ = shard.local_view
    source = np.repeat(np.arange(shard.n_owned), np.diff(shard.out_ptr))
    module = module_of[source]
    inside = np.flatnonzero(module == module_of[out_local])
    group = group_of_module[module[inside]]
    order = np.argsort(group, kind="stable")
    inside, group = inside[order], group[order]
    bounds = np.searchsorted(group, np.arange(group_of_module.max() + 2))
    pieces = []
    for first, last in zip(bounds[:-1], bounds[1:]):
        links = inside[first:last]
        pieces.append((source[links] + shard.start, shard.out_idx[links], shard.out_val[links]))
    return pieces


def shards_from_links(source, target, flow, node_flow, n_shards: int, directed: bool):
    """Shards of a network whose link flows and node flows are known (a module network)."""
    starts = shard_starts(node_flow.size, n_shards)
    pieces = split_links(source, target, flow, starts, directed)
    shards = []
    for p, (start, stop) in enumerate(zip(starts[:-1], starts[1:])):
        shard = build_shard(int(start), int(stop), [pieces[p]], directed)
        shards.append(replace(shard, node_flow=node_flow[start:stop]))
    return starts, shards
