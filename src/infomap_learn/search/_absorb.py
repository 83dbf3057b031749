"""A move on finished trees: a module goes under a sibling module of modules.

The recursive re-partition fixes every level from the top down, so a module that codes
shorter as a child of a neighbouring module than beside it stays beside it. Moving such
modules below the top level shortens our multilevel trees of kNN graphs (blobs: from
0.10% to 0.22% below Infomap's codelength; digits k=15: 0.07% to 0.10%).

At the top level the move shortens the code too (digits with the variable Markov time:
one module of 8 nodes under its neighbour of 45 takes the tree from 5.8605 to 5.8374 bits,
Infomap's best; breast cancer from 0.03% to 0.30% below Infomap), and the search makes it
unless ``move_top_modules=False``. The estimator asks for that: on labelled embeddings
the top-level moves merge classes (its top-level NMI fell from 0.645 to 0.607, mean over
``benchmarks/embedding_quality.py``'s data sets; digits 0.879 to 0.765).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import _kernels as K
from ..flow import Flow
from ..mapequation import module_flows
from ..mapequation import plogp as _plogp
from ..paths import prefix_keys
from . import _constants as constants
from ._absorb_kernel import absorb_modules as _absorb_in_one_call
from ._dissolve import collapse_single_child_modules


def _sibling_flows(flow: Flow, key: np.ndarray, parent: np.ndarray, k: int):
    """Ordered pairs ``(a, b)`` of linked sibling modules at one level (both orders) and
    the link flow between them, both directions summed."""
    module_of = np.where(key >= 0, key, k)  # (nodes above the level: one module apart)
    ptr, idx, data = K.aggregate_links(module_of, k + 1, flow.out_ptr, flow.out_idx, flow.out_flow)
    a, b, f = K.symmetric_links(ptr, idx, data, k)
    siblings = parent[a] == parent[b]
    return a[siblings], b[siblings], f[siblings]


class _Levels:
    """A tree's module keys per level and, computed once each, its modules' flows; a move
    at a level renews the keys and drops the flows from that level down (the levels
    above keep their modules)."""

    def __init__(self, flow: Flow, paths: np.ndarray):
        self.flow = flow
        self._flows: dict[int, tuple] = {}
        self.renew(paths, 0)

    def renew(self, paths: np.ndarray, from_level: int) -> None:
        self.keys = prefix_keys(paths)
        self._flows = {lv: v for lv, v in self._flows.items() if lv < from_level}

    def size(self, level: int) -> int:
        return int(self.keys[level].max()) + 1 if level < len(self.keys) else 0

    def flows(self, level: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(flow, enter, exit) of the modules at ``level``."""
        if level not in self._flows:
            self._flows[level] = module_flows(self.flow, self.keys[level], self.size(level))
        return self._flows[level]


def absorb_deltas(flow: Flow, paths: np.ndarray, level: int):
    """Every move of a module ``m`` at ``level`` under a sibling ``p`` that is a module of
    modules, with the change of the codelength it makes.

    With ``G`` their parent (exit ``x_G``, its children's rates summing to ``S_G``; the
    root has no exit), ``C_p`` the rates of ``p``'s children and ``e``/``x`` the enter and
    exit rates of ``p``, ``m`` and their union ``u``, ``G``'s codebook changes by

        plogp(x_G + S_G - e_p - e_m + e_u) - plogp(x_G + S_G)
        + plogp(e_p) + plogp(e_m) - plogp(e_u)

    and ``p``'s by ``plogp(x_u + C_p + e_m) - plogp(x_u) - plogp(e_m) - plogp(x_p + C_p)
    + plogp(x_p)``; ``m``'s own codebook keeps its rates. The union's rates are those of
    the two less the link flow between them, and, with recorded teleportation, the
    teleportation terms of the union. Returns ``(m, p, delta)`` over module keys of the
    level (:func:`~infomap_learn.paths.prefix_keys`).
    """
    moves = _deltas(_Levels(flow, paths), level)
    return moves.mover, moves.receiver, moves.delta


def _deltas(levels: _Levels, level: int):
    flow, keys = levels.flow, levels.keys
    key = keys[level]
    k = levels.size(level)
    present = key >= 0
    parent = np.zeros(k, dtype=np.int64)
    if level > 0:
        parent[key[present]] = keys[level - 1][present]
    _, enter, exit_ = levels.flows(level)
    below = keys[level + 1] if level + 1 < len(keys) else np.full(len(key), -1)
    has_sub = below >= 0
    sub_k = levels.size(level + 1)
    sub_enter = levels.flows(level + 1)[1] if sub_k else np.zeros(0)
    child_of = np.zeros(sub_k, dtype=np.int64)
    child_of[below[has_sub]] = key[has_sub]
    child_sum = np.bincount(child_of, sub_enter, k)
    # a module of modules: every node of it lies in a submodule
    of_modules = np.bincount(key[present & ~has_sub], minlength=k) == 0
    if level == 0:
        x_g = np.zeros(k)
        s_g = np.full(k, np.cumsum(enter)[-1])  # (summed in order, as the kernel does)
    else:
        up_exit = levels.flows(level - 1)[2]
        up_children = np.bincount(parent, enter, levels.size(level - 1))
        x_g, s_g = up_exit[parent], up_children[parent]
    m, p, f = _sibling_flows(flow, key, parent, k)
    into_modules = of_modules[p]
    m, p, f = m[into_modules], p[into_modules], f[into_modules]
    e_u = enter[p] + enter[m] - f
    x_u = exit_[p] + exit_[m] - f
    if flow.teleport_source is not None:
        t = np.bincount(key[present], flow.teleport_source[present], k)
        tau = np.bincount(key[present], flow.teleport_target[present], k)
        total = flow.teleport_source.sum()
        # (the teleportation terms of the parts out, the union's in)
        e_u += (
            (total - t[p] - t[m]) * (tau[p] + tau[m])
            - (total - t[p]) * tau[p] - (total - t[m]) * tau[m]
        )  # fmt: skip
        x_u += (
            (t[p] + t[m]) * (1.0 - tau[p] - tau[m])
            - t[p] * (1.0 - tau[p]) - t[m] * (1.0 - tau[m])
        )  # fmt: skip
    e_u = np.maximum(e_u, 0.0)
    x_u = np.maximum(x_u, 0.0)
    # G's codebook total (x_G + S_G) and by how much a move shrinks it; everything else
    # a move changes is its own
    total = x_g[p] + s_g[p]
    shrink = enter[p] + enter[m] - e_u
    own = (
        _plogp(enter[p]) + _plogp(enter[m]) - _plogp(e_u)
        + _plogp(x_u + child_sum[p] + enter[m]) - _plogp(x_u) - _plogp(enter[m])
        - _plogp(exit_[p] + child_sum[p]) + _plogp(exit_[p])
    )  # fmt: skip
    return _Moves(m, p, parent[p], total, shrink, own)


@dataclass(frozen=True)
class _Moves:
    """The candidate moves of one level: mover, receiver, their parent ``G``, ``G``'s
    codebook total, how much each move shrinks it, and the rest of each move's change."""

    mover: np.ndarray
    receiver: np.ndarray
    parent: np.ndarray
    total: np.ndarray
    shrink: np.ndarray
    own: np.ndarray

    @property
    def delta(self) -> np.ndarray:
        """The change of the codelength of each move alone."""
        return self.own + _plogp(self.total - self.shrink) - _plogp(self.total)

    def batch_delta(self, chosen: np.ndarray) -> float:
        """The change of moves that share no module: each receiver gets one new child, so
        only their parents' codebooks add up."""
        parents, first, inverse = np.unique(
            self.parent[chosen], return_index=True, return_inverse=True
        )
        total = self.total[chosen][first]
        shrink = np.bincount(inverse, self.shrink[chosen], len(parents))
        # (summed in order, as the kernel does: numpy's sum is pairwise)
        parents = _plogp(total - shrink) - _plogp(total)
        return float(np.cumsum(self.own[chosen])[-1] + np.cumsum(parents)[-1])


def _apply(
    paths: np.ndarray, key: np.ndarray, level: int, movers: np.ndarray, receivers: np.ndarray
) -> np.ndarray:
    """Put each module ``movers[i]`` (a key at ``level``, ``key`` the level's module keys)
    under ``receivers[i]`` as a new child; the movers' own levels move one down."""
    k = int(key.max()) + 1
    receiver_of = np.full(k, -1, dtype=np.int64)
    receiver_of[movers] = receivers
    nodes = np.flatnonzero((key >= 0) & (receiver_of[np.maximum(key, 0)] >= 0))
    # the column value of each receiver at this level, from any of its nodes
    column = np.full(k, -1, dtype=np.int64)
    column[key[key >= 0]] = paths[key >= 0, level]
    child_id = np.full(k, -1, dtype=np.int64)
    child_id[movers] = int(paths[:, level + 1].max()) + 1 + np.arange(len(movers))
    grown = np.concatenate([paths, np.full((len(paths), 1), -1, dtype=np.int64)], axis=1)
    grown[nodes, level + 2 :] = paths[nodes, level + 1 :]
    grown[nodes, level + 1] = child_id[key[nodes]]
    grown[nodes, level] = column[receiver_of[key[nodes]]]
    while grown.shape[1] > 1 and (grown[:, -1] < 0).all():
        grown = grown[:, :-1]
    return grown


def absorb_modules(
    flow: Flow, paths: np.ndarray, top_level: bool = False, in_one_call: bool = True
) -> np.ndarray:
    """Move modules below the top level (and top modules, with ``top_level``) under
    sibling modules of modules while the moves shorten the code.

    Level by level from the second (the first with ``top_level``; a move changes nothing
    above its level), rounds take the moves that shorten the code, best first, each
    module in at most one move (as mover or as receiver), until none is left. The changes are exact
    (:func:`absorb_deltas`, the map equation of ``flow``; a move keeps the leaf modules
    and the number of modules, so the meta-data and entropy-correction terms stay as
    they are; below the top the preferred-number term too): moves of one round add up
    but for the codebook of a parent they share, and a round whose moves together gain
    less than its best one alone keeps that one. A parent left with one child loses the
    level between (:func:`collapse_single_child_modules`). Returns ``paths`` itself when
    nothing moves.

    Without recorded teleportation the rounds run in one kernel call,
    ``_absorb_kernel.absorb_modules``; these steps are its reference (``in_one_call=False``).
    """
    original = paths
    if in_one_call and flow.teleport_source is None:
        moved_paths, moved = _absorb_in_one_call(
            flow.out_ptr, flow.out_idx, flow.out_flow,
            np.ascontiguousarray(paths, dtype=np.int64), bool(top_level),
            float(constants.CORE_LOOP_THRESHOLD), int(constants.MAX_ROUNDS),
        )  # fmt: skip
        return collapse_single_child_modules(moved_paths) if moved else original
    paths = np.array(paths, dtype=np.int64)
    levels = _Levels(flow, paths)
    moved = False
    level = 0 if top_level else 1
    while level < paths.shape[1] - 1:
        for _ in range(constants.MAX_ROUNDS):
            moves = _deltas(levels, level)
            delta = moves.delta
            good = delta < -constants.CORE_LOOP_THRESHOLD
            if not good.any():
                break
            order = np.flatnonzero(good)[np.argsort(delta[good], kind="stable")]
            # each module in one move at most: a receiver's change assumes one new child
            used = np.zeros(levels.size(level), dtype=bool)
            chosen = []
            for i in order.tolist():  # (module pairs of one level, not nodes)
                if not (used[moves.mover[i]] or used[moves.receiver[i]]):
                    used[moves.mover[i]] = used[moves.receiver[i]] = True
                    chosen.append(i)
            if moves.batch_delta(np.array(chosen)) > delta[chosen[0]]:
                chosen = chosen[:1]
            paths = _apply(
                paths, levels.keys[level], level, moves.mover[chosen], moves.receiver[chosen]
            )
            levels.renew(paths, level)
            moved = True
        level += 1
    return collapse_single_child_modules(paths) if moved else original
