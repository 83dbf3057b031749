"""Numba kernel of a finished tree's dissolving of modules into their parents, in one call.

``_dissolve.dissolve_modules`` takes the same steps from Python and is the reference (and
the path under a preferred number of modules, whose top modules it dissolves as a set, and
with recorded teleportation). On the small networks of the hierarchy's finished trees its
rounds, level by level, were a few hundred numpy calls per trial, holding the GIL that
trials on other threads wait for.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .._kernels import crossing_flows, plogp_scalar, prefix_key_table


@njit(cache=True, nogil=True)
def without_empty_levels(paths):
    """``paths`` without its last columns where they hold no module (a copy; one column
    at least)."""
    width = paths.shape[1]
    while width > 1:
        for i in range(paths.shape[0]):
            if paths[i, width - 1] >= 0:
                return paths[:, :width].copy()
        width -= 1
    return paths[:, :width].copy()


@njit(cache=True, nogil=True)
def dissolve_modules(node_flow, out_ptr, out_idx, out_flow, paths, module_cost, keep_top,
                     threshold, max_rounds):  # fmt: skip
    """``_dissolve.dissolve_modules`` without a preferred number of modules and without
    recorded teleportation (``out_*``: the flow's out-links)."""
    paths = paths.copy()
    n = paths.shape[0]
    for _ in range(max_rounds):
        depth = paths.shape[1]
        if depth < 2:
            break
        keys = prefix_key_table(paths)
        sizes = np.empty(depth, dtype=np.int64)
        for level in range(depth):
            sizes[level] = keys[level].max() + 1
        width = max(sizes.max(), 1)
        enter = np.zeros((depth, width))
        exit_ = np.zeros((depth, width))
        for level in range(depth):
            k = sizes[level]
            level_exit, level_enter = crossing_flows(keys[level], k, out_ptr, out_idx, out_flow)
            exit_[level, :k] = level_exit
            enter[level, :k] = level_enter
        # the rates C of each module's children, whether it holds nodes, its parent
        child_sum = np.zeros((depth, width))
        has_leaf = np.zeros((depth, width), dtype=np.bool_)
        parent_of = np.zeros((depth, width), dtype=np.int64)
        for level in range(depth):
            k = sizes[level]
            own = np.zeros(k)
            for i in range(n):
                below = keys[level + 1, i] if level + 1 < depth else -1
                if keys[level, i] >= 0 and below < 0:
                    own[keys[level, i]] += node_flow[i]
                    has_leaf[level, keys[level, i]] = True
            if level + 1 < depth:
                sub_parent = np.zeros(sizes[level + 1], dtype=np.int64)
                for i in range(n):
                    if keys[level + 1, i] >= 0:
                        sub_parent[keys[level + 1, i]] = keys[level, i]
                from_subs = np.zeros(k)
                for s in range(sizes[level + 1]):
                    from_subs[sub_parent[s]] += enter[level + 1, s]
                for m in range(k):
                    own[m] += from_subs[m]
            child_sum[level, :k] = own
            if level > 0:
                for i in range(n):
                    if keys[level, i] >= 0:
                        parent_of[level, keys[level, i]] = keys[level - 1, i]
        chosen = np.zeros((depth, width), dtype=np.bool_)
        blocked = np.zeros(n, dtype=np.bool_)  # nodes under a module dissolved above
        any_chosen = False
        for level in range(depth):
            k = sizes[level]
            # (numpy sums the top level's enter rates in this order too: cumsum)
            top_total = 0.0
            if level == 0:
                for m in range(k):
                    top_total += enter[0, m]
            is_leaf_module = np.ones(k, dtype=np.bool_)
            blocked_module = np.zeros(k, dtype=np.bool_)
            for i in range(n):
                key = keys[level, i]
                if key < 0:
                    continue
                if level + 1 < depth and keys[level + 1, i] >= 0:
                    is_leaf_module[key] = False
                if blocked[i]:
                    blocked_module[key] = True
            n_parents = sizes[level - 1] if level > 0 else 1
            best_of_parent = np.full(n_parents, -1, dtype=np.int64)
            best_delta = np.zeros(n_parents)
            for m in range(k):
                if level == 0:
                    x_p = 0.0
                    s_p = top_total
                else:
                    x_p = exit_[level - 1, parent_of[level, m]]
                    s_p = child_sum[level - 1, parent_of[level, m]]
                e = enter[level, m]
                x = exit_[level, m]
                c = child_sum[level, m]
                delta = (
                    plogp_scalar(x_p + s_p - e + c) - plogp_scalar(x_p + s_p)
                    + plogp_scalar(e) - plogp_scalar(x + c) + plogp_scalar(x)
                    - module_cost
                )  # fmt: skip
                allowed = (
                    not is_leaf_module[m] and not has_leaf[level, m]
                    and (level > 0 or not keep_top)
                )  # fmt: skip
                if allowed and not blocked_module[m] and delta < -threshold:
                    parent = parent_of[level, m]
                    # the best candidate of each parent (ties: the first)
                    if best_of_parent[parent] < 0 or delta < best_delta[parent]:
                        best_of_parent[parent] = m
                        best_delta[parent] = delta
            for parent in range(n_parents):
                if best_of_parent[parent] >= 0:
                    chosen[level, best_of_parent[parent]] = True
                    any_chosen = True
            for i in range(n):
                if keys[level, i] >= 0 and chosen[level, keys[level, i]]:
                    blocked[i] = True
        if not any_chosen:
            break
        for level in range(depth - 1, -1, -1):
            nodes = np.zeros(n, dtype=np.bool_)
            for i in range(n):
                nodes[i] = keys[level, i] >= 0 and chosen[level, keys[level, i]]
            if not nodes.any():
                continue
            # (siblings dissolved together, all top modules, one after another: their
            # children's ids must stay apart)
            n_groups = sizes[level] if level == 0 else 1
            for group in range(n_groups):
                if level == 0 and not chosen[0, group]:
                    continue
                offset = 0
                if level + 1 < depth:
                    for i in range(n):
                        offset = max(offset, paths[i, level] + 1)
                for i in range(n):
                    if not nodes[i] or (level == 0 and keys[0, i] != group):
                        continue
                    if level + 1 < depth and paths[i, level + 1] >= 0:
                        paths[i, level + 1] += offset
                    for column in range(level, depth - 1):
                        paths[i, column] = paths[i, column + 1]
                    paths[i, depth - 1] = -1
        paths = without_empty_levels(paths)
    return paths


@njit(cache=True, nogil=True)
def collapse_single_child_modules(paths):
    """``_dissolve.collapse_single_child_modules``: the level below every module whose only
    child is one submodule removed."""
    paths = paths.copy()
    n = paths.shape[0]
    level = 0
    while level < paths.shape[1] - 1:
        depth = paths.shape[1]
        keys = prefix_key_table(paths)
        k = keys[level].max() + 1
        n_below = keys[level + 1].max() + 1
        has_leaf = np.zeros(k, dtype=np.bool_)
        sub_parent = np.zeros(max(n_below, 0), dtype=np.int64)
        for i in range(n):
            key = keys[level, i]
            if key < 0:
                continue
            if keys[level + 1, i] < 0:
                has_leaf[key] = True
            else:
                sub_parent[keys[level + 1, i]] = key
        n_children = np.zeros(k, dtype=np.int64)
        for s in range(max(n_below, 0)):
            n_children[sub_parent[s]] += 1
        single = np.zeros(k, dtype=np.bool_)
        any_single = False
        for m in range(k):
            single[m] = n_children[m] == 1 and not has_leaf[m]
            any_single |= single[m]
        if not any_single:
            level += 1
            continue
        for i in range(n):
            if keys[level, i] >= 0 and single[keys[level, i]]:
                for column in range(level + 1, depth - 1):
                    paths[i, column] = paths[i, column + 1]
                paths[i, depth - 1] = -1
        paths = without_empty_levels(paths)
    return paths
