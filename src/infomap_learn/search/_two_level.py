"""The two-level search: core loop, aggregation rounds, fine and coarse tune."""

from __future__ import annotations

import numpy as np

from .. import _kernels as K
from . import _constants as constants
from . import _moves as M
from ._move_terms import module_scratch
from ._parallel_moves import run_core_loop_parallel
from ._tune import two_level_search_serial
from ._units import (
    SearchContext,
    Units,
    _module_state,
    aggregate,
    codelength_of,
    module_exit_totals,
    pool_threads,
)


def _parent_groups(parent: np.ndarray, n_parents: int) -> list[np.ndarray]:
    """The units split into ``constants.PARENT_GROUPS`` groups of whole parents (contiguous ranges
    of parent ids) with about equal numbers of units."""
    counts = np.bincount(parent, minlength=n_parents)
    before = np.cumsum(counts) - counts
    group_of_unit = ((before * constants.PARENT_GROUPS) // parent.size)[parent]
    order = np.argsort(group_of_unit, kind="stable")
    bounds = np.searchsorted(group_of_unit[order], np.arange(constants.PARENT_GROUPS + 1))
    return [order[bounds[g] : bounds[g + 1]] for g in range(constants.PARENT_GROUPS)]


def _runs_in_groups(units: Units, ctx: SearchContext) -> bool:
    """Whether a search over ``units`` splits its parents into ``constants.PARENT_GROUPS`` groups
    (a fixed rule: it depends on the sizes only, never on the threads)."""
    return (
        units.n >= constants.PARENT_GROUPS_MIN_UNITS
        and ctx.parent_exit.shape[0] >= constants.PARENT_GROUPS
    )


def _moves_in_parallel(units: Units, ctx: SearchContext) -> bool:
    """Whether a search over ``units`` proposes its moves on several threads
    (``_parallel_moves``): a large search with a pool of threads. The result does not
    depend on their number, but differs from the one-thread search's."""
    return units.n >= constants.PARALLEL_MOVES_MIN_UNITS and pool_threads(ctx.pool) > 1


def _core(
    units: Units, module_of: np.ndarray, ctx: SearchContext, sweeps: int = 0,
    settle_joined: bool = False,
):  # fmt: skip
    """Run the core loop on ``units`` from ``module_of`` (modified in place; modules may
    be renamed), for at most ``sweeps`` sweeps (0: ``CORE_LOOP_LIMIT``, or a random
    number up to it); ``settle_joined``: see ``_moves.core_loop``."""
    k = int(module_of.max()) + 1 if module_of.size else 0
    k = max(k, units.n)
    n_parents = ctx.parent_exit.shape[0]
    grouped = _runs_in_groups(units, ctx)
    if grouped:
        # Parents are independent: a unit only moves among the modules of its parent.
        # Each module is renamed after one of its units, so that a group of whole parents
        # owns the ids of its units: its modules, and a free id for every unit that may
        # open a new module. No module is shared between groups.
        first_unit = np.full(k, units.n, dtype=np.int64)
        np.minimum.at(first_unit, module_of, np.arange(units.n))
        module_of[:] = first_unit[module_of]
        del first_unit  # (8 bytes a unit, not held through the core loop)
        k = units.n
    state = _module_state(units, module_of, k, ctx.costs, pool_threads(ctx.pool))
    arrays = units.arrays
    # (one set for every group: each writes only its own modules' entries)
    scratch = module_scratch(state)

    def run(unit_group: np.ndarray, owned: np.ndarray, rng_state: np.ndarray):
        limit = sweeps or constants.CORE_LOOP_LIMIT
        if not sweeps and constants.RANDOM_CORE_LOOP_LIMIT:
            limit = K.random_sweep_limit(rng_state, limit)
        return M.core_loop(
            module_of, arrays, units.undirected, state, ctx.parent_exit, units.tele_total,
            ctx.codeflow_plogp_sum, ctx.costs, rng_state, limit,
            constants.CORE_LOOP_THRESHOLD, unit_group, owned, scratch, settle_joined,
        )  # fmt: skip

    if not grouped and _moves_in_parallel(units, ctx):
        import numba

        threads = min(pool_threads(ctx.pool), numba.config.NUMBA_NUM_THREADS)
        return run_core_loop_parallel(
            module_of, arrays, units.undirected, state, ctx.parent_exit, units.tele_total,
            ctx.codeflow_plogp_sum, ctx.costs, ctx.rng_state, sweeps or constants.CORE_LOOP_LIMIT,
            constants.CORE_LOOP_THRESHOLD,
            max(constants.PARALLEL_BLOCK_MIN, units.n // constants.PARALLEL_BLOCKS), settle_joined,
            threads,
        )  # fmt: skip
    if not grouped:
        return run(np.arange(units.n), np.arange(k), ctx.rng_state)
    groups = [g for g in _parent_groups(units.parent, n_parents) if g.size]
    seeds = K.split_rng(ctx.rng_state, len(groups))
    jobs = [(g, g, seeds[i : i + 1].copy()) for i, g in enumerate(groups)]
    if ctx.pool is None or (ctx.costs.meta_rate and ctx.costs.meta_total != 0.0):
        # (with meta data the groups share the state's table of (module, category) weights,
        # whose insertions and deletions move other groups' entries: one group at a time;
        # the physical nodes of state networks are priced without it)
        results = [run(*job) for job in jobs]
    else:
        results = list(ctx.pool.map(lambda job: run(*job), jobs))
    moves = sum(int(r[0]) for r in results)
    # each group's codelength counts the nodes' constant term once
    length = sum(r[1] for r in results) + (len(results) - 1) * ctx.codeflow_plogp_sum
    return moves, length


def find_modules(
    units: Units, ctx: SearchContext, initial: np.ndarray | None = None, aggregated: bool = False,
    settle_joined: bool = False, stop_unmoved: bool = False,
):  # fmt: skip
    """Core loop and aggregation, repeated until the module network stops changing.

    As Infomap, the core loops on module networks (after the first aggregation, or from the
    start with ``aggregated``: units that are modules already) sweep up to
    ``AGGREGATED_CORE_LOOP_LIMIT`` times, the first one on nodes ``CORE_LOOP_LIMIT``.

    ``stop_unmoved``: a first core loop that moves no unit ends the search; for the coarse
    tune's move of submodules, whose modules are those of a finished search: unmoved,
    the module network is the one that search ended on; and for the fine tune of large
    networks (``constants.FINE_TUNE_STOP_UNMOVED_MIN_UNITS``: on the 3000-point blobs kNN
    graph its module moves after unmoved nodes still shorten the code).

    Returns the module of each unit (ids 0..k-1) and the codelength. Searches that run
    their units one at a time (below the size for parent groups) run in one kernel call,
    ``_moves.find_modules_serial``; ``_find_modules_stepwise`` takes the same steps from
    Python, as the groups and the parallel moves (``_core``) need, and is its reference.
    """
    n = units.n
    module_of = (
        np.arange(n, dtype=np.int64) if initial is None else np.array(initial, dtype=np.int64)
    )
    if _runs_in_groups(units, ctx) or _moves_in_parallel(units, ctx):
        return _find_modules_stepwise(
            units, ctx, module_of, aggregated, settle_joined, stop_unmoved
        )
    first_sweeps = (
        constants.AGGREGATED_CORE_LOOP_LIMIT if aggregated else constants.CORE_LOOP_LIMIT
    )
    labels, length = M.find_modules_serial(
        module_of, units.arrays, units.undirected, ctx.parent_exit, units.tele_total,
        ctx.codeflow_plogp_sum, ctx.costs, ctx.rng_state, first_sweeps,
        constants.CORE_LOOP_THRESHOLD,
        bool(constants.RANDOM_CORE_LOOP_LIMIT) and not aggregated,
        constants.AGGREGATE_EXACT_MIN_LINKS, constants.AGGREGATED_CORE_LOOP_LIMIT, settle_joined,
        stop_unmoved,
    )  # fmt: skip
    return labels, float(length)


def _find_modules_stepwise(
    units: Units, ctx: SearchContext, module_of: np.ndarray, aggregated: bool = False,
    settle_joined: bool = False, stop_unmoved: bool = False,
):  # fmt: skip
    """``find_modules`` one step at a time from Python (module_of is modified)."""
    unit_module = np.arange(units.n, dtype=np.int64)  # module of each original unit
    current = units
    length = np.inf
    first = True
    while True:
        sweeps = constants.AGGREGATED_CORE_LOOP_LIMIT if aggregated or not first else 0
        moves, length = _core(current, module_of, ctx, sweeps, settle_joined and first)
        module_of, k = K.compact_labels(module_of, max(int(module_of.max()) + 1, current.n))
        unit_module = module_of[unit_module]
        if (moves == 0 and (stop_unmoved or not first)) or k == current.n or k == 1:
            break
        current = aggregate(current, module_of, k, threads=pool_threads(ctx.pool))
        module_of = np.arange(k, dtype=np.int64)
        first = False
    return unit_module, float(length)


def _coarse_tune(
    units: Units, labels: np.ndarray, ctx: SearchContext, fast: bool = False,
    length: float | None = None, settle: bool = False,
):  # fmt: skip
    """Split each module into submodules (a search inside each, or only its first core
    loop if ``fast``, settled if ``settle``: see ``_moves.core_loop``), then move the
    submodules between modules. ``labels`` must be the modules of a finished search (no
    move of a module shortens the code), ``length`` their codelength if known.

    Returns the new labels, their codelength and the submodules of ``labels``."""
    k = int(labels.max()) + 1
    sub_ctx = SearchContext(
        parent_exit=module_exit_totals(units, labels, k, pool_threads(ctx.pool)),
        codeflow_plogp_sum=ctx.codeflow_plogp_sum,
        rng_state=ctx.rng_state,
        pool=ctx.pool,
        # (submodules inside the modules never change the number of modules)
        costs=ctx.costs._replace(preferred=0),
    )
    sub_units = units.with_parent(labels)
    if fast:
        sublabels = np.arange(units.n, dtype=np.int64)
        _core(sub_units, sublabels, sub_ctx, settle_joined=settle)
        sublabels, _ = K.compact_labels(sublabels, units.n)
    else:
        sublabels, _ = find_modules(sub_units, sub_ctx)
    n_sub = int(sublabels.max()) + 1
    if n_sub == k:
        # every module is one submodule: nothing to move that the search that found the
        # modules did not try
        return labels, codelength_of(units, labels, ctx) if length is None else length, sublabels
    agg = aggregate(units, sublabels, n_sub, threads=pool_threads(ctx.pool))
    initial = np.zeros(n_sub, dtype=np.int64)
    initial[sublabels] = labels
    # (unmoved submodules leave the modules of a finished search: see find_modules)
    agg_labels, length = find_modules(agg, ctx, initial, aggregated=True, stop_unmoved=True)
    return agg_labels[sublabels], length, sublabels


def _stall_limit(n_units: int) -> int:
    """Tune iterations in a row without improvement after which a search of ``n_units``
    units stops tuning (once a coarse tune has run): see ``constants.TUNE_STALL_LIMIT``."""
    if n_units <= constants.TUNE_PATIENT_MAX_UNITS:
        return int(constants.TUNE_PATIENT_STALL_LIMIT)
    return int(constants.TUNE_STALL_LIMIT)


def _fast_first_coarse_tune(units: Units) -> bool:
    """Whether the first of the alternating coarse tunes of a search over ``units`` runs
    only a first core loop inside each module: see
    ``constants.FAST_FIRST_COARSE_TUNE_MIN_UNITS``."""
    return units.n >= constants.FAST_FIRST_COARSE_TUNE_MIN_UNITS


def _searches_serially(units: Units, ctx: SearchContext) -> bool:
    """Whether every search of a two-level search over ``units`` runs its units one at a
    time (no parent groups, no parallel moves): then it runs in one kernel call."""
    return units.n < constants.PARENT_GROUPS_MIN_UNITS and not _moves_in_parallel(units, ctx)


def two_level_search(
    units: Units,
    ctx: SearchContext,
    tune_limit: int = constants.TUNE_ITERATION_LIMIT,
    keep_submodules: bool = False,
    initial: np.ndarray | None = None,
    settle_joined: bool = False,
    stall_limit: int | None = None,
    first_modules: list | None = None,
    settle_fast_coarse: bool = False,
):
    """Two-level partition of ``units``: modules found by the core loop and aggregation,
    then at most ``tune_limit`` tune iterations (fine and coarse in turn) while they
    shorten the code.

    Returns (labels, codelength), and with ``keep_submodules`` also the submodules that
    the last coarse tune found (a search from singletons under the modules it started
    from), if they lie in the returned modules, or None. ``initial`` (module ids 0..k-1):
    start from these modules instead of one module per unit. ``settle_joined``: the first
    core loop leaves units alone once their module holds others (``_moves.core_loop``).
    ``stall_limit``: tune iterations in a row without improvement that end the tuning
    (default: :func:`_stall_limit` of the number of units). ``first_modules``: the
    modules and codelength that its first step, ``find_modules(units, ctx)`` from one
    module per unit, found already (with ``ctx``, whose random state went on from there),
    in a list that the search empties (the modules are its own: not held twice); then
    ``initial`` and ``settle_joined``, which are that step's, must not be given.
    ``settle_fast_coarse``: the coarse tunes that run only a first core loop inside each
    module settle it as ``settle_joined`` does the first step's.

    Searches whose steps all run their units one at a time run in one kernel call,
    ``_tune.two_level_search_serial``; ``_two_level_search_stepwise`` takes the same steps
    from Python and is its reference.
    """
    if stall_limit is None:
        stall_limit = _stall_limit(units.n)
    if first_modules is not None and (initial is not None or settle_joined):
        raise ValueError("first_modules are the first step's: initial and settle_joined too")
    if first_modules is not None or not _searches_serially(units, ctx):
        return _two_level_search_stepwise(
            units, ctx, tune_limit, keep_submodules, initial, settle_joined, stall_limit,
            first_modules, settle_fast_coarse,
        )  # fmt: skip
    start = np.arange(units.n, dtype=np.int64) if initial is None else np.array(initial, np.int64)
    labels, length, found, found_kept = two_level_search_serial(
        start, units.arrays, units.undirected, ctx.parent_exit, units.tele_total,
        ctx.codeflow_plogp_sum, ctx.costs, ctx.rng_state, int(tune_limit), bool(settle_joined),
        (int(constants.CORE_LOOP_LIMIT), int(constants.AGGREGATED_CORE_LOOP_LIMIT)),
        constants.CORE_LOOP_THRESHOLD, bool(constants.RANDOM_CORE_LOOP_LIMIT),
        int(constants.AGGREGATE_EXACT_MIN_LINKS), bool(constants.ALTERNATE_COARSE_TUNE),
        _fast_first_coarse_tune(units), constants.TUNE_RELATIVE_THRESHOLD, int(stall_limit),
        bool(settle_fast_coarse),
    )  # fmt: skip
    if not keep_submodules:
        return labels, float(length)
    return labels, float(length), found if found_kept else None


def _two_level_search_stepwise(
    units: Units,
    ctx: SearchContext,
    tune_limit: int = constants.TUNE_ITERATION_LIMIT,
    keep_submodules: bool = False,
    initial: np.ndarray | None = None,
    settle_joined: bool = False,
    stall_limit: int | None = None,
    first_modules: list | None = None,
    settle_fast_coarse: bool = False,
):
    """``two_level_search`` one step at a time from Python."""
    if stall_limit is None:
        stall_limit = _stall_limit(units.n)
    if first_modules is None:
        labels, length = find_modules(units, ctx, initial, settle_joined=settle_joined)
    else:
        labels, length = first_modules
        first_modules.clear()
    submodules = None  # (the modules that were split, their submodules)
    fast_first = _fast_first_coarse_tune(units)
    fine = True
    stalled = 0
    n_coarse = 0
    for _ in range(tune_limit):
        if int(labels.max()) + 1 <= 1:
            break
        if fine:
            large = units.n >= constants.FINE_TUNE_STOP_UNMOVED_MIN_UNITS
            new_labels, new_length = find_modules(units, ctx, labels, stop_unmoved=large)
        else:
            fast = bool(constants.ALTERNATE_COARSE_TUNE) and (n_coarse % 2 == 1) != fast_first
            n_coarse += 1
            new_labels, new_length, sublabels = _coarse_tune(
                units, labels, ctx, fast, length, fast and settle_fast_coarse
            )
        improved = new_length < length - constants.TUNE_RELATIVE_THRESHOLD * abs(length)
        if new_length < length:
            labels, length = new_labels, new_length
        new_labels = None  # (a step's modules, unless kept, are not held through the next)
        if not fine:
            # the coarse tune moves whole submodules: they lie in its modules or in the
            # ones it started from, whichever are kept
            submodules = (labels, sublabels)
        stalled = 0 if improved else stalled + 1
        if stalled >= stall_limit and n_coarse > 0:
            break
        fine = not fine
    if not keep_submodules:
        return labels, length
    found = submodules[1] if submodules is not None and submodules[0] is labels else None
    return labels, length, found
