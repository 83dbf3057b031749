"""Numba kernel of a finished tree's moves of modules under sibling modules, in one call.

``_absorb.absorb_modules`` takes the same steps from Python and is the reference (and the
path with recorded teleportation). On the small networks of the hierarchy's finished trees
its rounds were the largest share of a trial's Python time (breast cancer's kNN graph),
holding the GIL that trials on other threads wait for.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .._kernels import (
    aggregate_links,
    crossing_flows,
    plogp_scalar,
    prefix_key_table,
    symmetric_links,
)
from ._dissolve_kernel import without_empty_levels


@njit(cache=True, inline="always")
def _flows(keys, level, out_ptr, out_idx, out_flow):
    """(enter, exit) of the modules at ``level`` (none below the tree: empty)."""
    if level >= keys.shape[0]:
        return np.zeros(0), np.zeros(0)
    k = keys[level].max() + 1
    exit_, enter = crossing_flows(keys[level], k, out_ptr, out_idx, out_flow)
    return enter, exit_


@njit(cache=True, nogil=True)
def _deltas(keys, level, out_ptr, out_idx, out_flow):
    """``_absorb._deltas`` without teleportation: (mover, receiver, the receiver's parent,
    the parent's codebook total, the shrink of it, the rest of each move's change)."""
    n = keys.shape[1]
    key = keys[level]
    k = key.max() + 1
    parent = np.zeros(k, dtype=np.int64)
    if level > 0:
        for i in range(n):
            if key[i] >= 0:
                parent[key[i]] = keys[level - 1, i]
    enter, exit_ = _flows(keys, level, out_ptr, out_idx, out_flow)
    sub_enter = _flows(keys, level + 1, out_ptr, out_idx, out_flow)[0]
    sub_k = sub_enter.shape[0]
    child_of = np.zeros(sub_k, dtype=np.int64)
    of_modules = np.ones(k, dtype=np.bool_)
    for i in range(n):
        below = keys[level + 1, i] if level + 1 < keys.shape[0] else -1
        if below >= 0:
            child_of[below] = key[i]
        elif key[i] >= 0:
            of_modules[key[i]] = False  # (a node of its own: not a module of modules)
    child_sum = np.zeros(k)
    for s in range(sub_k):
        child_sum[child_of[s]] += sub_enter[s]
    x_g = np.zeros(k)
    s_g = np.zeros(k)
    if level == 0:
        top_total = 0.0  # (in order, as the reference's cumsum)
        for m in range(k):
            top_total += enter[m]
        s_g[:] = top_total
    else:
        up_exit = _flows(keys, level - 1, out_ptr, out_idx, out_flow)[1]
        up_children = np.zeros(up_exit.shape[0])
        for m in range(k):
            up_children[parent[m]] += enter[m]
        for m in range(k):
            x_g[m] = up_exit[parent[m]]
            s_g[m] = up_children[parent[m]]
    module_of = np.empty(n, dtype=np.int64)
    for i in range(n):
        module_of[i] = key[i] if key[i] >= 0 else k
    ptr, idx, data = aggregate_links(module_of, k + 1, out_ptr, out_idx, out_flow)
    a, b, f = symmetric_links(ptr, idx, data, k)
    count = 0
    for j in range(a.shape[0]):
        if parent[a[j]] == parent[b[j]] and of_modules[b[j]]:
            count += 1
    mover = np.empty(count, dtype=np.int64)
    receiver = np.empty(count, dtype=np.int64)
    group = np.empty(count, dtype=np.int64)
    total = np.empty(count)
    shrink = np.empty(count)
    own = np.empty(count)
    c = 0
    for j in range(a.shape[0]):
        m, p = a[j], b[j]
        if parent[m] != parent[p] or not of_modules[p]:
            continue
        e_u = max(enter[p] + enter[m] - f[j], 0.0)
        x_u = max(exit_[p] + exit_[m] - f[j], 0.0)
        mover[c] = m
        receiver[c] = p
        group[c] = parent[p]
        total[c] = x_g[p] + s_g[p]
        shrink[c] = enter[p] + enter[m] - e_u
        own[c] = (
            plogp_scalar(enter[p]) + plogp_scalar(enter[m]) - plogp_scalar(e_u)
            + plogp_scalar(x_u + child_sum[p] + enter[m]) - plogp_scalar(x_u)
            - plogp_scalar(enter[m]) - plogp_scalar(exit_[p] + child_sum[p])
            + plogp_scalar(exit_[p])
        )  # fmt: skip
        c += 1
    return mover, receiver, group, total, shrink, own


@njit(cache=True, nogil=True)
def _batch_delta(chosen, group, total, shrink, own):
    """``_absorb._Moves.batch_delta``: moves that share no module add up but for the
    codebooks of the parents they share (summed in the reference's order)."""
    own_sum = 0.0
    for i in chosen:
        own_sum += own[i]
    groups = np.unique(group[chosen])
    first_total = np.zeros(groups.shape[0])
    seen = np.zeros(groups.shape[0], dtype=np.bool_)
    shrink_sum = np.zeros(groups.shape[0])
    for i in chosen:
        g = np.searchsorted(groups, group[i])
        if not seen[g]:
            seen[g] = True
            first_total[g] = total[i]
        shrink_sum[g] += shrink[i]
    parents_sum = 0.0
    for g in range(groups.shape[0]):
        parents_sum += plogp_scalar(first_total[g] - shrink_sum[g]) - plogp_scalar(first_total[g])
    return own_sum + parents_sum


@njit(cache=True, nogil=True)
def _apply(paths, key, level, movers, receivers):
    """``_absorb._apply``: each mover under its receiver as a new child."""
    n, depth = paths.shape
    k = key.max() + 1
    receiver_of = np.full(k, -1, dtype=np.int64)
    child_id = np.full(k, -1, dtype=np.int64)
    next_id = paths[:, level + 1].max() + 1
    for j in range(movers.shape[0]):
        receiver_of[movers[j]] = receivers[j]
        child_id[movers[j]] = next_id + j
    column = np.full(k, -1, dtype=np.int64)
    for i in range(n):
        if key[i] >= 0:
            column[key[i]] = paths[i, level]
    grown = np.full((n, depth + 1), -1, dtype=np.int64)
    grown[:, :depth] = paths
    for i in range(n):
        if key[i] >= 0 and receiver_of[key[i]] >= 0:
            for c in range(depth - 1, level, -1):
                grown[i, c + 1] = paths[i, c]
            grown[i, level + 1] = child_id[key[i]]
            grown[i, level] = column[receiver_of[key[i]]]
    return without_empty_levels(grown)


@njit(cache=True, nogil=True)
def absorb_modules(out_ptr, out_idx, out_flow, paths, top_level, threshold, max_rounds):
    """``_absorb.absorb_modules`` without teleportation, before its final collapse:
    (the paths, whether a module moved)."""
    paths = paths.copy()
    moved = False
    level = 0 if top_level else 1
    while level < paths.shape[1] - 1:
        for _ in range(max_rounds):
            keys = prefix_key_table(paths)
            mover, receiver, group, total, shrink, own = _deltas(
                keys, level, out_ptr, out_idx, out_flow
            )
            delta = np.empty(mover.shape[0])
            n_good = 0
            for j in range(delta.shape[0]):
                delta[j] = own[j] + plogp_scalar(total[j] - shrink[j]) - plogp_scalar(total[j])
                if delta[j] < -threshold:
                    n_good += 1
            if n_good == 0:
                break
            good = np.empty(n_good, dtype=np.int64)
            g = 0
            for j in range(delta.shape[0]):
                if delta[j] < -threshold:
                    good[g] = j
                    g += 1
            order = good[np.argsort(delta[good], kind="mergesort")]
            used = np.zeros(keys[level].max() + 1, dtype=np.bool_)
            chosen = np.empty(order.shape[0], dtype=np.int64)
            n_chosen = 0
            for i in order:
                if not (used[mover[i]] or used[receiver[i]]):
                    used[mover[i]] = True
                    used[receiver[i]] = True
                    chosen[n_chosen] = i
                    n_chosen += 1
            chosen = chosen[:n_chosen]
            if _batch_delta(chosen, group, total, shrink, own) > delta[chosen[0]]:
                chosen = chosen[:1]
            paths = _apply(paths, keys[level], level, mover[chosen], receiver[chosen])
            moved = True
        level += 1
    return paths, moved
