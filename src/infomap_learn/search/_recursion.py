"""Numba kernels of the hierarchical search's recursion: the re-partition of the modules
below the top ones, level by level, with the super-modules inside each module, in one call.

``_hierarchy._recursive_partition`` and ``_hierarchy._coarsest_super_modules`` take the
same steps from Python, with the same random streams, and are the references (and the path
of large networks, whose searches run on several threads, and of meta data). On small
networks the recursion spent a third of its time in Python between its kernels (PBMC's kNN
graph: about 2,000 numpy calls per trial), holding the GIL that trials on other threads
wait for. ``_hierarchy._recursion_in_one_call`` says when these run.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .._kernels import compact_labels, distinct_pairs, plogp_array, plogp_sum, sum_by_label
from ._moves import UnitArrays, aggregate_unit_arrays, module_flow_totals
from ._tune import two_level_search_serial

_INT64_MAX = np.iinfo(np.int64).max


@njit(cache=True, inline="always")
def _rng_state(seed):
    """``_units.new_context``'s random state of ``seed`` (a uint64: the seed mod 2**64)."""
    return np.array([seed * np.uint64(2654435761) + np.uint64(1)], dtype=np.uint64)


@njit(cache=True, inline="always")
def _with(units, codeflow, parent):
    """``units`` with other codeflows and parents."""
    return UnitArrays(
        codeflow, units.exit, units.enter, units.tele_src, units.tele_tgt, parent,
        units.out_ptr, units.out_idx, units.out_flow, units.in_ptr, units.in_idx,
        units.in_flow, units.meta_ptr, units.meta_idx, units.meta_flow,
    )  # fmt: skip


@njit(cache=True, inline="always")
def _counts(labels, n):
    out = np.zeros(n, dtype=np.int64)
    for i in range(labels.shape[0]):
        out[labels[i]] += 1
    return out


@njit(cache=True, nogil=True)
def _search(units, start, undirected, parent_exit, tele_total, costs, seed, tune_limit,
            stall_limit, settings):  # fmt: skip
    """``_two_level.two_level_search`` of ``units`` from the modules ``start``, with the
    random state of ``seed``: (labels, the submodules of its last coarse tune, whether they
    lie in the labels)."""
    (core_loop_limit, aggregated_limit, random_sweeps, exact_min_links, alternate_coarse,
     sweep_threshold, tune_threshold) = settings  # fmt: skip
    labels, _, found, kept = two_level_search_serial(
        start, units, undirected, parent_exit, tele_total, plogp_sum(units.codeflow), costs,
        _rng_state(seed), tune_limit, False, (core_loop_limit, aggregated_limit),
        sweep_threshold, random_sweeps, exact_min_links, alternate_coarse, False,
        tune_threshold, stall_limit,
    )  # fmt: skip
    return labels, found, kept


@njit(cache=True, nogil=True)
def parent_codelengths(units, labels, k, parent_exit, module_cost, undirected, tele_total):
    """``_hierarchy._parent_codelengths`` without meta data."""
    mflow, menter, mexit = module_flow_totals(labels, k, units, undirected, tele_total)
    group_parent = np.zeros(k, dtype=np.int64)
    for u in range(labels.shape[0]):
        group_parent[labels[u]] = units.parent[u]
    n_parents = parent_exit.shape[0]
    q = parent_exit
    own = plogp_array(mexit + mflow) - plogp_array(mexit)
    return (
        plogp_array(q + sum_by_label(group_parent, menter, n_parents)) - plogp_array(q)
        - sum_by_label(group_parent, plogp_array(menter), n_parents)
        + sum_by_label(group_parent, own, n_parents)
        + module_cost * _counts(group_parent, n_parents)
    )  # fmt: skip


@njit(cache=True, nogil=True)
def coarsest_super_modules(units, labels, parent_exit, seed, costs, undirected, tele_total,
                           threshold, max_rounds, round_stride, tune_limit,
                           stall_limit, settings):  # fmt: skip
    """``_hierarchy._coarsest_super_modules`` without meta data (``seed`` a uint64)."""
    n_parents = parent_exit.shape[0]
    q = parent_exit
    labels, k = compact_labels(labels, labels.max() + 1)
    searching = np.ones(n_parents, dtype=np.bool_)
    for round_ in range(max_rounds):
        module_parent = np.zeros(k, dtype=np.int64)
        for u in range(labels.shape[0]):
            module_parent[labels[u]] = units.parent[u]
        n_modules = _counts(module_parent, n_parents)
        any_searching = False
        for parent in range(n_parents):
            searching[parent] = searching[parent] and n_modules[parent] > 2
            any_searching |= searching[parent]
        if not any_searching:
            break
        enter = module_flow_totals(labels, k, units, undirected, tele_total)[1]
        super_parent = np.empty(k, dtype=np.int64)
        for m in range(k):
            frozen = not searching[module_parent[m]]
            super_parent[m] = n_parents + m if frozen else module_parent[m]
        exact = units.out_idx.shape[0] >= settings[3]  # (as _units.aggregate)
        aggregated = aggregate_unit_arrays(units, labels, k, undirected, exact)
        agg = _with(aggregated, enter, super_parent)
        sub_exit = np.concatenate((q, np.zeros(k)))
        sub_seed = seed * np.uint64(round_stride) + np.uint64(round_)
        super_of_module, _, _ = _search(
            agg, np.arange(k), undirected, sub_exit, tele_total, costs, sub_seed, tune_limit,
            stall_limit, settings,
        )  # fmt: skip
        n_super = super_of_module.max() + 1
        new = parent_codelengths(
            agg, super_of_module, n_super, sub_exit, costs.per_module, undirected, tele_total
        )
        plogp_enter = sum_by_label(module_parent, plogp_array(enter), n_parents)
        new = new[:n_parents] - plogp_enter
        enter_sum = sum_by_label(module_parent, enter, n_parents)
        old = plogp_array(q + enter_sum) - plogp_array(q) - plogp_enter
        first_of_pair = distinct_pairs(module_parent, super_of_module)[0]
        n_super_in = _counts(first_of_pair, n_parents + k)[:n_parents]
        accept = np.zeros(n_parents, dtype=np.bool_)
        any_accepted = False
        for parent in range(n_parents):
            accept[parent] = (
                searching[parent] and n_super_in[parent] > 1
                and n_super_in[parent] < n_modules[parent]
                and new[parent] < old[parent] - threshold
            )  # fmt: skip
            any_accepted |= accept[parent]
        if not any_accepted:
            break
        module_key = np.empty(k, dtype=np.int64)
        sizes = np.zeros(n_super, dtype=np.int64)
        nontrivial_parent = np.zeros(n_super, dtype=np.int64)
        for m in range(k):
            if accept[module_parent[m]]:
                module_key[m] = super_of_module[m]
                sizes[super_of_module[m]] += 1
                nontrivial_parent[super_of_module[m]] = module_parent[m]
            else:
                module_key[m] = n_super + m
        module_key, k = compact_labels(module_key, n_super + k)
        for u in range(labels.shape[0]):
            labels[u] = module_key[labels[u]]
        n_nontrivial = np.zeros(n_parents, dtype=np.int64)
        for s in range(n_super):
            if sizes[s] > 1:
                n_nontrivial[nontrivial_parent[s]] += 1
        for parent in range(n_parents):
            searching[parent] = accept[parent] and n_nontrivial[parent] > 1
    return labels


@njit(cache=True, nogil=True)
def _search_level(units, unit_of, queued, deepest, parent_exit, first_split, has_first_split,
                  seed, costs, undirected, tele_total, sub_stall_limit, limits,
                  settings):  # fmt: skip
    """One level of ``_recursive_partition``, from its search to the coarsest
    super-modules: (each node's submodule, each unit's search module, the search's coarse
    tune submodules per unit, whether it has them)."""
    threshold, max_rounds, round_stride, sub_tune_limit, super_tune_limit, super_stall_limit = (
        limits
    )
    n_units = units.codeflow.shape[0]
    found = np.zeros(0, dtype=np.int64)
    has_found = False
    if not has_first_split:
        fine_of_unit, found, has_found = _search(
            units, np.arange(n_units), undirected, parent_exit, tele_total, costs, seed,
            sub_tune_limit, sub_stall_limit, settings,
        )  # fmt: skip
    else:
        offset = first_split.max() + 1
        fine_of_unit = np.zeros(n_units, dtype=np.int64)
        for u in range(unit_of.shape[0]):
            start = first_split[u] if queued[u] else offset + deepest[u]
            fine_of_unit[unit_of[u]] = start
        bound = 0
        for u in range(unit_of.shape[0]):
            start = first_split[u] if queued[u] else offset + deepest[u]
            bound = max(bound, start + 1)
        fine_of_unit, _ = compact_labels(fine_of_unit, bound)
    sub = coarsest_super_modules(
        units, fine_of_unit, parent_exit, seed, costs, undirected, tele_total, threshold,
        max_rounds, round_stride, super_tune_limit, super_stall_limit, settings,
    )  # fmt: skip
    return sub[unit_of], fine_of_unit, found, has_found


@njit(cache=True, nogil=True)
def recursive_partition(leaf, top, seed, first_split, has_first_split, costs, undirected,
                        tele_total, levels, reuse, seed_stride, stall_limits, limits,
                        settings):  # fmt: skip
    """``_hierarchy._recursive_partition`` without meta data (``seed`` a uint64; ``levels``:
    (target, strength, ln 2) of :func:`_hierarchy.depth_bias`; ``stall_limits``: (the most
    units of a patient search, its stall limit, the others'), ``_two_level._stall_limit``)."""
    threshold = limits[0]
    target, strength, ln2 = levels
    patient_units, patient_stall, stall = stall_limits
    n = leaf.codeflow.shape[0]
    columns = [top.copy()]
    deepest, k = compact_labels(top.copy(), top.max() + 1)
    size = _counts(deepest, k)
    queued = np.empty(n, dtype=np.bool_)
    for u in range(n):
        queued[u] = size[deepest[u]] > 2
    level = 0
    while queued.any():
        level += 1
        level_seed = seed * np.uint64(seed_stride) + np.uint64(level)
        parent_exit = module_flow_totals(deepest, k, leaf, undirected, tele_total)[2]
        leaf_in_modules = _with(leaf, leaf.codeflow, deepest)
        if queued.all():  # (no copy of the links)
            unit_of = np.arange(n)
            sub, fine_of_unit, found, has_found = _search_level(
                leaf_in_modules, unit_of, queued, deepest, parent_exit, first_split,
                has_first_split, level_seed, costs, undirected, tele_total,
                patient_stall if n <= patient_units else stall, limits, settings,
            )  # fmt: skip
        else:
            unit_key = np.empty(n, dtype=np.int64)
            for u in range(n):
                unit_key[u] = u if queued[u] else n + deepest[u]
            unit_of, n_units = compact_labels(unit_key, n + k)
            parent_of_unit = np.zeros(n_units, dtype=np.int64)
            for u in range(n):
                parent_of_unit[unit_of[u]] = deepest[u]
            exact = leaf.out_idx.shape[0] >= settings[3]  # (as _units.aggregate)
            aggregated = aggregate_unit_arrays(leaf, unit_of, n_units, undirected, exact)
            units = _with(aggregated, aggregated.codeflow, parent_of_unit)
            sub, fine_of_unit, found, has_found = _search_level(
                units, unit_of, queued, deepest, parent_exit, first_split, has_first_split,
                level_seed, costs, undirected, tele_total,
                patient_stall if n_units <= patient_units else stall, limits, settings,
            )  # fmt: skip
        has_first_split = False
        q = parent_exit
        without = plogp_array(q + sum_by_label(deepest, leaf.codeflow, k)) - plogp_array(q)
        with_sub = parent_codelengths(
            leaf_in_modules, sub, sub.max() + 1, q, costs.per_module, undirected, tele_total
        )
        sub, n_sub = compact_labels(sub, sub.max() + 1)
        sub_parent = np.zeros(n_sub, dtype=np.int64)
        for u in range(n):
            sub_parent[sub[u]] = deepest[u]
        n_children = _counts(sub_parent, k)
        size = _counts(deepest, k)
        any_queued = np.zeros(k, dtype=np.bool_)
        for u in range(n):
            any_queued[deepest[u]] |= queued[u]
        bias = 0.0
        if target != 0 and strength > 0:
            bias = min(strength * (target - (level + 1) + 0.5) / ln2, 0.0)
        keep = np.empty(k, dtype=np.bool_)
        for m in range(k):
            keep[m] = (
                n_children[m] > 1 and n_children[m] < size[m]
                and with_sub[m] < without[m] - threshold + bias and any_queued[m]
            )  # fmt: skip
        split = np.empty(n, dtype=np.bool_)
        for u in range(n):
            split[u] = keep[deepest[u]]
        if not split.any():
            break
        local = distinct_pairs(deepest, sub)[1]
        first_of_module = np.full(k, _INT64_MAX, dtype=np.int64)
        for u in range(n):
            first_of_module[deepest[u]] = min(first_of_module[deepest[u]], local[u])
        column = np.empty(n, dtype=np.int64)
        new_key = np.empty(n, dtype=np.int64)
        for u in range(n):
            column[u] = local[u] - first_of_module[deepest[u]] if split[u] else -1
            new_key[u] = n + local[u] if split[u] else deepest[u]
        columns.append(column)
        deepest, k = compact_labels(new_key, n + local.max() + 1)
        size = _counts(deepest, k)
        for u in range(n):
            queued[u] = split[u] and size[deepest[u]] > 2
        if reuse:
            first_split, has_first_split = _next_split(
                sub, n_sub, fine_of_unit, found, has_found, unit_of, queued
            )
    paths = np.empty((n, len(columns)), dtype=np.int64)
    for level in range(len(columns)):
        paths[:, level] = columns[level]
    return paths


@njit(cache=True, inline="always")
def _next_split(sub, n_sub, fine_of_unit, found, has_found, unit_of, queued):
    """``_hierarchy._next_split``: (the next level's modules, whether known)."""
    n = sub.shape[0]
    fine = np.empty(n, dtype=np.int64)
    for u in range(n):
        fine[u] = fine_of_unit[unit_of[u]]
    fine_count = _counts(distinct_pairs(sub, fine)[0], n_sub)
    out = np.empty(n, dtype=np.int64)
    if not has_found:
        for u in range(n):
            grouped = fine_count[sub[u]] > 1
            if queued[u] and not grouped:
                return out, False
            out[u] = fine[u] if grouped else 0
        return out, True
    offset = fine.max() + 1
    for u in range(n):
        out[u] = fine[u] if fine_count[sub[u]] > 1 else offset + found[unit_of[u]]
    return out, True
