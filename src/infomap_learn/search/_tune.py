"""Numba kernel of the whole two-level search, fine and coarse tune included, in one call.

``search._two_level._two_level_search_stepwise`` takes the same steps from Python, one
kernel call per step, and is the reference. Small searches (the recursion's modules, kNN
graphs of a few thousand points, every trial on Les Miserables) spent much of their time
in Python between the steps (Les Miserables, ten two-level trials: 4.0 ms per call
before, 3.3 ms after), holding the GIL that trials on other threads wait for.
``_two_level.two_level_search`` calls it where every search of the two-level search runs
its units one at a time (no parent groups, no parallel moves):
``_two_level._searches_serially``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .._kernels import compact_labels, random_sweep_limit
from ._move_terms import module_scratch
from ._moves import (
    ModuleCosts,
    UnitArrays,
    aggregate_unit_arrays,
    core_loop,
    find_modules_serial,
    init_modules,
    module_flow_totals,
)


@njit(cache=True, nogil=True)
def _with_parent(units, parent):
    """``units`` under the fixed modules ``parent``."""
    return UnitArrays(
        units.codeflow, units.exit, units.enter, units.tele_src, units.tele_tgt, parent,
        units.out_ptr, units.out_idx, units.out_flow, units.in_ptr, units.in_idx,
        units.in_flow, units.meta_ptr, units.meta_idx, units.meta_flow,
    )  # fmt: skip


@njit(cache=True, nogil=True)
def _coarse_tune(
    labels, length, units, undirected, parent_exit, tele_total, codeflow_plogp_sum, costs,
    rng_state, limits, sweep_threshold, random_sweeps, exact_min_links, fast, settle,
):  # fmt: skip
    """``_two_level._coarse_tune``: submodules searched inside each module (only a first
    core loop if ``fast``, settled if ``settle``), then moved between the modules. Returns
    the new labels, their codelength and the submodules."""
    core_loop_limit, aggregated_limit = limits
    n = units.codeflow.shape[0]
    k = labels.max() + 1
    sub_exit = module_flow_totals(labels, k, units, undirected, tele_total)[2]
    sub_units = _with_parent(units, labels)
    # (submodules inside the modules never change the number of modules)
    sub_costs = ModuleCosts(
        costs.per_module, 0, costs.meta_rate, costs.n_meta, costs.meta_total
    )
    if fast:
        sublabels = np.arange(n)
        sweeps = core_loop_limit
        if random_sweeps:
            sweeps = random_sweep_limit(rng_state, sweeps)
        state = init_modules(sublabels, n, sub_units, undirected, costs.n_meta, costs.meta_total)
        core_loop(
            sublabels, sub_units, undirected, state, sub_exit, tele_total, codeflow_plogp_sum,
            sub_costs, rng_state, sweeps, sweep_threshold, np.arange(n), np.arange(n),
            module_scratch(state), settle,
        )  # fmt: skip
        sublabels, n_sub = compact_labels(sublabels, n)
    else:
        sublabels, _ = find_modules_serial(
            np.arange(n), sub_units, undirected, sub_exit, tele_total, codeflow_plogp_sum,
            sub_costs, rng_state, core_loop_limit, sweep_threshold, random_sweeps,
            exact_min_links, aggregated_limit,
        )  # fmt: skip
        n_sub = sublabels.max() + 1
    if n_sub == k:
        # every module is one submodule: nothing to move that the search that found the
        # modules did not try
        return labels, length, sublabels
    agg = aggregate_unit_arrays(
        units, sublabels, n_sub, undirected, 0 < exact_min_links <= units.out_idx.shape[0]
    )
    initial = np.zeros(n_sub, dtype=np.int64)
    initial[sublabels] = labels
    # (unmoved submodules leave the modules of a finished search: see find_modules)
    agg_labels, new_length = find_modules_serial(
        initial, agg, undirected, parent_exit, tele_total, codeflow_plogp_sum, costs,
        rng_state, aggregated_limit, sweep_threshold, False, exact_min_links,
        aggregated_limit, False, True,
    )  # fmt: skip
    return agg_labels[sublabels], new_length, sublabels


@njit(cache=True, nogil=True)
def two_level_search_serial(
    module_of, units, undirected, parent_exit, tele_total, codeflow_plogp_sum, costs,
    rng_state, tune_limit, settle_joined, limits, sweep_threshold, random_sweeps,
    exact_min_links, alternate_coarse, fast_first, tune_threshold, stall_limit,
    settle_fast_coarse=False,
):  # fmt: skip
    """``_two_level.two_level_search`` in one call, from the modules ``module_of`` (which
    it overwrites; one per unit for a search from singletons), with the same steps and
    random stream. ``limits``: the core loop limits on units and on module networks;
    ``alternate_coarse``: every other coarse tune runs only a first core loop (from the
    second on, or from the first if ``fast_first``);
    ``settle_fast_coarse``: those first core loops are settled (``_moves.core_loop``);
    ``tune_threshold``: a tune iteration improves if it shortens the code by this share;
    ``stall_limit``: the tuning stops after this many iterations in a row that do not
    improve, once a coarse tune has run.

    Returns (labels, codelength, the submodules of the last coarse tune, whether they lie
    in the returned modules)."""
    core_loop_limit, aggregated_limit = limits
    labels, length = find_modules_serial(
        module_of, units, undirected, parent_exit, tele_total, codeflow_plogp_sum, costs,
        rng_state, core_loop_limit, sweep_threshold, random_sweeps, exact_min_links,
        aggregated_limit, settle_joined,
    )  # fmt: skip
    submodules = np.zeros(0, dtype=np.int64)
    submodules_kept = False
    fine = True
    stalled = 0
    n_coarse = 0
    for _ in range(tune_limit):
        if labels.max() + 1 <= 1:
            break
        if fine:
            new_labels, new_length = find_modules_serial(
                labels.copy(), units, undirected, parent_exit, tele_total,
                codeflow_plogp_sum, costs, rng_state, core_loop_limit, sweep_threshold,
                random_sweeps, exact_min_links, aggregated_limit,
            )  # fmt: skip
        else:
            fast = alternate_coarse and (n_coarse % 2 == 1) != fast_first
            n_coarse += 1
            new_labels, new_length, submodules = _coarse_tune(
                labels, length, units, undirected, parent_exit, tele_total,
                codeflow_plogp_sum, costs, rng_state, limits, sweep_threshold, random_sweeps,
                exact_min_links, fast, fast and settle_fast_coarse,
            )  # fmt: skip
        improved = new_length < length - tune_threshold * abs(length)
        if new_length < length:
            labels, length = new_labels, new_length
            if fine:
                submodules_kept = False
        if not fine:
            # the coarse tune moves whole submodules: they lie in its modules or in the
            # ones it started from, whichever are kept
            submodules_kept = True
        stalled = 0 if improved else stalled + 1
        if stalled >= stall_limit and n_coarse > 0:
            break
        fine = not fine
    return labels, length, submodules, submodules_kept
