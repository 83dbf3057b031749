"""Numba kernel of the finished tree's fine tune: nodes moved between sibling leaf modules,
everything above them fixed, in one call.

``_hierarchy.tune_leaf_modules`` takes the same steps from Python, with the same random
stream, and is the reference (and the path of large networks, meta data and recorded
teleportation). On small networks its bookkeeping, level by level, took two thirds of its
time in Python (PBMC's kNN graph), holding the GIL that trials on other threads wait for.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .._kernels import compact_labels, crossing_flows, distinct_pairs, plogp_sum, prefix_key_table
from ._moves import aggregate_unit_arrays, find_modules_serial
from ._recursion import _rng_state, _with


@njit(cache=True, nogil=True)
def _leaf_module_ids(keys, leaf_depth):
    """``paths.leaf_module_ids`` from the prefix keys and each node's depth."""
    n = leaf_depth.shape[0]
    width = keys.max() + 1 if keys.size else 1
    deepest = np.empty(n, dtype=np.int64)
    for i in range(n):
        deepest[i] = keys[leaf_depth[i] - 1, i] + width * (leaf_depth[i] - 1)
    return compact_labels(deepest, deepest.max() + 1 if n else 0)[0]


@njit(cache=True, nogil=True)
def tune_leaf_modules(leaf, out_ptr, out_idx, out_flow, paths, seed, costs, undirected,
                      tele_total, settings):  # fmt: skip
    """``_hierarchy.tune_leaf_modules`` without meta data and recorded teleportation
    (``out_*``: the flow's out-links; ``seed``: the random state's seed, a uint64;
    ``settings``: the search settings of ``_recursion.recursive_partition``)."""
    core_loop_limit, aggregated_limit, random_sweeps, exact_min_links, _, sweep_threshold, _ = (
        settings
    )
    paths = paths.copy()
    n, depth = paths.shape
    keys = prefix_key_table(paths)
    leaf_depth = np.zeros(n, dtype=np.int64)
    for i in range(n):
        for level in range(depth):
            if paths[i, level] >= 0:
                leaf_depth[i] += 1
    sizes = np.empty(depth, dtype=np.int64)
    offsets = np.zeros(depth + 1, dtype=np.int64)
    for level in range(depth):
        sizes[level] = keys[level].max() + 1
        offsets[level + 1] = offsets[level] + sizes[level]
    # the parent of each leaf module: the root (0) or a module, one id across levels
    above = np.zeros(n, dtype=np.int64)
    for i in range(n):
        if leaf_depth[i] > 1:
            parent_level = leaf_depth[i] - 2
            above[i] = keys[parent_level, i] + 1 + offsets[parent_level]
    parent_of, n_parents = compact_labels(above, offsets[depth] + 1)
    parent_exit = np.zeros(n_parents)
    max_depth = leaf_depth.max()
    tuned = np.full(n, max_depth == 1)
    for level in range(depth - 1):
        any_at = False
        for i in range(n):
            any_at |= leaf_depth[i] - 2 == level
        key = keys[level]
        k = sizes[level]
        if any_at:
            exit_ = crossing_flows(key, k, out_ptr, out_idx, out_flow)[0]
            for i in range(n):
                if leaf_depth[i] - 2 == level:
                    parent_exit[parent_of[i]] = exit_[key[i]]
        # a parent with modules of modules among its children: its leaf modules stay
        lowest = np.full(k, depth + 1, dtype=np.int64)
        highest = np.zeros(k, dtype=np.int64)
        for i in range(n):
            if key[i] >= 0:
                lowest[key[i]] = min(lowest[key[i]], leaf_depth[i])
                highest[key[i]] = max(highest[key[i]], leaf_depth[i])
        for i in range(n):
            if leaf_depth[i] - 2 == level:
                tuned[i] = lowest[key[i]] == highest[key[i]]
    if not tuned.any():
        return paths
    leaf_module = _leaf_module_ids(keys, leaf_depth)
    n_leaf_modules = leaf_module.max() + 1
    unit_key = np.empty(n, dtype=np.int64)
    for i in range(n):
        unit_key[i] = i if tuned[i] else n + leaf_module[i]
    unit_of, n_units = compact_labels(unit_key, n + n_leaf_modules)
    parent_of_unit = np.zeros(n_units, dtype=np.int64)
    module_of = np.zeros(n_units, dtype=np.int64)
    for i in range(n):
        parent_of_unit[unit_of[i]] = parent_of[i] if tuned[i] else n_parents + leaf_module[i]
        module_of[unit_of[i]] = leaf_module[i]
    exact = leaf.out_idx.shape[0] >= exact_min_links  # (as _units.aggregate)
    a = aggregate_unit_arrays(leaf, unit_of, n_units, undirected, exact)
    units = _with(a, a.codeflow, parent_of_unit)
    new_of_unit, _ = find_modules_serial(
        module_of, units, undirected, np.concatenate((parent_exit, np.zeros(n_leaf_modules))),
        tele_total, plogp_sum(units.codeflow), costs, _rng_state(seed), core_loop_limit,
        sweep_threshold, random_sweeps, exact_min_links, aggregated_limit, False, False,
    )  # fmt: skip
    new_leaf = np.empty(n, dtype=np.int64)
    for i in range(n):
        new_leaf[i] = new_of_unit[unit_of[i]]
    local = distinct_pairs(parent_of, new_leaf)[1]
    for i in range(n):
        if tuned[i]:
            paths[i, leaf_depth[i] - 1] = local[i]
    return paths
