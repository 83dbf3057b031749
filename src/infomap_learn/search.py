"""The search for the partition and module tree that minimise the map equation.

Two-level search (Infomap's core algorithm, as described in Rosvall & Bergstrom 2008 and
Edler, Bohlin & Rosvall 2017): every unit starts in a module of its own; units move in random
order to the neighbouring module that lowers the codelength most until a sweep gains too
little (the *core loop*); modules are then aggregated into units and the core loop runs again
on the module network, until nothing moves. A *tune loop* follows: fine-tuning moves single
nodes again, starting from the current modules, and coarse-tuning splits each module into
submodules and moves those between modules, each followed by more aggregation, while the
codelength keeps improving. Several trials with different seeds keep the best.

Hierarchical search, as the official Infomap's (Rosvall & Bergstrom 2011): after the
two-level partition, super-modules are searched for among the top modules (the module
network clustered again, each module coded by its enter flow) while that shortens the
index code. Only the coarsest level is kept: every top module is partitioned again from
its nodes (a two-level search under the module's exit flow, then super-modules inside it,
keeping their coarsest level), wherever that shortens the module's code, and so on down
level by level; all modules of a level are searched in one call. (Where the top modules are
the two-level modules, the last coarse tune has searched below them from singletons
already, and its submodules stand in for the first level's two-level search.) Beyond
Infomap's search, the finished tree is tuned: nodes move between sibling leaf modules, and
modules of modules are dissolved into their parents where that shortens the code.

The hot loops are numba kernels in ``_kernels.py``; this module only orchestrates them.
"""

from __future__ import annotations

from concurrent.futures import Executor, ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, replace

import numpy as np

from . import _kernels as K
from .flow import Flow, compute_flow
from .mapequation import (
    hierarchical_codelength,
    module_flows,
    one_level_codelength,
    two_level_codelength,
)
from .mapequation import plogp as _plogp
from .network import Network
from .paths import (
    canonical_paths,  # noqa: F401 (its home until 2026-12; still importable)
    prefix_keys,
)
from .tree import ModuleTree

CORE_LOOP_LIMIT = 10
CORE_LOOP_THRESHOLD = 1e-10
TUNE_ITERATION_LIMIT = 20
TUNE_RELATIVE_THRESHOLD = 1e-5
# A search for submodules inside given modules is split into this many groups of parents,
# each with its own random order, so that groups can move their units in parallel. The
# grouping does not depend on the number of threads, and neither does the result.
PARENT_GROUPS = 8
PARENT_GROUPS_MIN_UNITS = 20_000
# Tune iterations (fine, coarse, fine, ...) in the hierarchical search: for the two-level
# modules it starts from (below super-modules the recursion searches again; elsewhere the
# finished tree's leaf tune continues where these stop) and in the recursion's sub-searches.
# Measured with benchmarks/hierarchy_quality.py on kNN graphs and LFR: 20 top iterations
# cost up to 1.5x the time for codelengths shorter by less than 0.02%; one sub iteration
# instead of two loses up to 0.06% (PBMC) for 20-30% less time.
HIERARCHY_TOP_TUNE_LIMIT = 2
HIERARCHY_SUB_TUNE_LIMIT = 2
# Seeds of the searches within a trial: trial, level and round numbers spread by primes so
# that no two searches share a random stream.
SEED_STRIDE = 1_000_003
ROUND_STRIDE = 7919
# Bounds on loops that end when nothing improves; each improving round shortens the code, so
# they are only a guard against rounding cycles.
MAX_ROUNDS = 1000


@dataclass(frozen=True)
class Units:
    """The network the kernels work on: leaf nodes or aggregated modules."""

    codeflow: np.ndarray
    tele_src: np.ndarray
    tele_tgt: np.ndarray
    parent: np.ndarray
    out_ptr: np.ndarray
    out_idx: np.ndarray
    out_flow: np.ndarray
    in_ptr: np.ndarray
    in_idx: np.ndarray
    in_flow: np.ndarray
    exit: np.ndarray
    enter: np.ndarray
    undirected: bool
    tele_total: float

    @property
    def n(self) -> int:
        return self.codeflow.shape[0]


def leaf_units(flow: Flow) -> Units:
    """Units for the leaf nodes of a flow graph."""
    n = flow.n_nodes
    # The flow's own CSR arrays, shared rather than copied (the kernels never write them).
    out_ptr, out_idx, out_flow = flow.out_ptr, flow.out_idx, flow.out_flow
    in_ptr, in_idx, in_flow = flow.in_ptr, flow.in_idx, flow.in_flow
    if flow.teleport_source is None:
        tele_src = tele_tgt = np.zeros(n)
        tele_total = 0.0
    else:
        tele_src, tele_tgt = flow.teleport_source, flow.teleport_target
        tele_total = float(tele_src.sum())
    exit_ = K.row_sums(out_ptr, out_flow)
    enter = exit_ if flow.undirected else K.row_sums(in_ptr, in_flow)
    return Units(
        codeflow=np.ascontiguousarray(flow.node_flow, dtype=np.float64),
        tele_src=tele_src,
        tele_tgt=tele_tgt,
        parent=np.zeros(n, dtype=np.int64),
        out_ptr=out_ptr,
        out_idx=out_idx,
        out_flow=out_flow,
        in_ptr=in_ptr,
        in_idx=in_idx,
        in_flow=in_flow,
        exit=exit_,
        enter=enter,
        undirected=flow.undirected,
        tele_total=tele_total,
    )


def aggregate(units: Units, module_of: np.ndarray, k: int, codeflow=None) -> Units:
    """Units for the modules of ``module_of`` (ids 0..k-1). ``codeflow`` overrides the
    summed codeflow (the super-module search codes modules by their enter flow)."""
    out_ptr, out_idx, out_flow = K.aggregate_links(
        module_of, k, units.out_ptr, units.out_idx, units.out_flow
    )
    if units.undirected:
        in_ptr, in_idx, in_flow = out_ptr, out_idx, out_flow
    else:
        in_ptr, in_idx, in_flow = K.aggregate_links(
            module_of, k, units.in_ptr, units.in_idx, units.in_flow
        )
    parent = np.zeros(k, dtype=np.int64)
    parent[module_of] = units.parent
    exit_ = K.row_sums(out_ptr, out_flow)
    return Units(
        codeflow=K.sum_by_label(module_of, units.codeflow, k) if codeflow is None else codeflow,
        tele_src=K.sum_by_label(module_of, units.tele_src, k),
        tele_tgt=K.sum_by_label(module_of, units.tele_tgt, k),
        parent=parent,
        out_ptr=out_ptr,
        out_idx=out_idx,
        out_flow=out_flow,
        in_ptr=in_ptr,
        in_idx=in_idx,
        in_flow=in_flow,
        exit=exit_,
        enter=exit_ if units.undirected else K.row_sums(in_ptr, in_flow),
        undirected=units.undirected,
        tele_total=units.tele_total,
    )


@dataclass
class SearchContext:
    """What stays fixed during one search: the parents' exit flows, the constant term of
    the codelength and the random state."""

    parent_exit: np.ndarray
    codeflow_plogp_sum: float
    rng_state: np.ndarray
    pool: Executor | None = None  # threads for groups of parents (None: one at a time)


def _module_state(units: Units, module_of: np.ndarray, k: int):
    return K.init_modules(
        module_of, k, units.codeflow, units.exit, units.enter, units.tele_src,
        units.tele_tgt, units.parent, units.out_ptr, units.out_idx, units.out_flow,
        units.in_ptr, units.in_idx, units.in_flow, units.undirected,
    )


def codelength_of(units: Units, module_of: np.ndarray, ctx: SearchContext) -> float:
    """The search objective for ``module_of`` over ``units``."""
    module_of, k = K.compact_labels(np.asarray(module_of, dtype=np.int64), module_of.max() + 1)
    state = _module_state(units, module_of, k)
    return K.objective(
        *state, ctx.parent_exit, units.tele_total, ctx.codeflow_plogp_sum, np.arange(k)
    )


def module_totals(units: Units, module_of: np.ndarray, k: int):
    """Codeflow, enter flow and exit flow of each module, teleportation included."""
    state = _module_state(units, module_of, k)
    codeflow, mod_exit, mod_enter, mod_tsrc, mod_ttgt, _, _ = state
    exit_ = mod_exit + mod_tsrc * (1.0 - mod_ttgt)
    enter = mod_enter + (units.tele_total - mod_tsrc) * mod_ttgt
    return codeflow, enter, exit_


def module_exit_totals(units: Units, module_of: np.ndarray, k: int) -> np.ndarray:
    """Exit flow of each module, teleportation included."""
    return module_totals(units, module_of, k)[2]


def _parent_groups(parent: np.ndarray, n_parents: int) -> list[np.ndarray]:
    """The units split into ``PARENT_GROUPS`` groups of whole parents (contiguous ranges
    of parent ids) with about equal numbers of units."""
    counts = np.bincount(parent, minlength=n_parents)
    before = np.cumsum(counts) - counts
    group_of_unit = ((before * PARENT_GROUPS) // parent.size)[parent]
    order = np.argsort(group_of_unit, kind="stable")
    bounds = np.searchsorted(group_of_unit[order], np.arange(PARENT_GROUPS + 1))
    return [order[bounds[g] : bounds[g + 1]] for g in range(PARENT_GROUPS)]


def _runs_in_groups(units: Units, ctx: SearchContext) -> bool:
    """Whether a search over ``units`` splits its parents into ``PARENT_GROUPS`` groups
    (a fixed rule: it depends on the sizes only, never on the threads)."""
    return units.n >= PARENT_GROUPS_MIN_UNITS and ctx.parent_exit.shape[0] >= PARENT_GROUPS


def _core(units: Units, module_of: np.ndarray, ctx: SearchContext):
    """Run the core loop on ``units`` from ``module_of`` (modified in place; modules may
    be renamed)."""
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
        k = units.n
    state = _module_state(units, module_of, k)

    def run(unit_group: np.ndarray, owned: np.ndarray, rng_state: np.ndarray):
        return K.core_loop(
            module_of, units.codeflow, units.exit, units.enter, units.tele_src,
            units.tele_tgt, units.parent, units.out_ptr, units.out_idx, units.out_flow,
            units.in_ptr, units.in_idx, units.in_flow, units.undirected, *state,
            ctx.parent_exit, units.tele_total, ctx.codeflow_plogp_sum, rng_state,
            CORE_LOOP_LIMIT, CORE_LOOP_THRESHOLD, unit_group, owned,
        )  # fmt: skip

    if not grouped:
        return run(np.arange(units.n), np.arange(k), ctx.rng_state)
    groups = [g for g in _parent_groups(units.parent, n_parents) if g.size]
    seeds = K.split_rng(ctx.rng_state, len(groups))
    jobs = [(g, g, seeds[i : i + 1].copy()) for i, g in enumerate(groups)]
    if ctx.pool is None:
        results = [run(*job) for job in jobs]
    else:
        results = list(ctx.pool.map(lambda job: run(*job), jobs))
    moves = sum(int(r[0]) for r in results)
    # each group's codelength counts the nodes' constant term once
    length = sum(r[1] for r in results) + (len(results) - 1) * ctx.codeflow_plogp_sum
    return moves, length


def find_modules(units: Units, ctx: SearchContext, initial: np.ndarray | None = None):
    """Core loop and aggregation, repeated until the module network stops changing.

    Returns the module of each unit (ids 0..k-1) and the codelength. Searches that run
    their units one at a time (below the size for parent groups) run in one kernel call,
    ``_kernels.find_modules_serial``; ``_find_modules_stepwise`` takes the same steps from
    Python, as the groups need, and is its reference.
    """
    n = units.n
    module_of = (
        np.arange(n, dtype=np.int64) if initial is None else np.array(initial, dtype=np.int64)
    )
    if _runs_in_groups(units, ctx):
        return _find_modules_stepwise(units, ctx, module_of)
    labels, length = K.find_modules_serial(
        module_of, units.codeflow, units.exit, units.enter, units.tele_src, units.tele_tgt,
        units.parent, units.out_ptr, units.out_idx, units.out_flow, units.in_ptr,
        units.in_idx, units.in_flow, units.undirected, ctx.parent_exit, units.tele_total,
        ctx.codeflow_plogp_sum, ctx.rng_state, CORE_LOOP_LIMIT, CORE_LOOP_THRESHOLD,
    )  # fmt: skip
    return labels, float(length)


def _find_modules_stepwise(units: Units, ctx: SearchContext, module_of: np.ndarray):
    """``find_modules`` one step at a time from Python (module_of is modified)."""
    unit_module = np.arange(units.n, dtype=np.int64)  # module of each original unit
    current = units
    length = np.inf
    first = True
    while True:
        moves, length = _core(current, module_of, ctx)
        module_of, k = K.compact_labels(module_of, max(int(module_of.max()) + 1, current.n))
        unit_module = module_of[unit_module]
        if (moves == 0 and not first) or k == current.n or k == 1:
            break
        current = aggregate(current, module_of, k)
        module_of = np.arange(k, dtype=np.int64)
        first = False
    return unit_module, float(length)


def _coarse_tune(units: Units, labels: np.ndarray, ctx: SearchContext):
    """Split each module into submodules, then move the submodules between modules.

    Returns the new labels, their codelength and the submodules of ``labels``."""
    k = int(labels.max()) + 1
    sub_ctx = SearchContext(
        parent_exit=module_exit_totals(units, labels, k),
        codeflow_plogp_sum=ctx.codeflow_plogp_sum,
        rng_state=ctx.rng_state,
        pool=ctx.pool,
    )
    sub_units = replace(units, parent=labels)
    sublabels, _ = find_modules(sub_units, sub_ctx)
    n_sub = int(sublabels.max()) + 1
    agg = aggregate(units, sublabels, n_sub)
    initial = np.zeros(n_sub, dtype=np.int64)
    initial[sublabels] = labels
    agg_labels, length = find_modules(agg, ctx, initial)
    return agg_labels[sublabels], length, sublabels


def two_level_search(
    units: Units,
    ctx: SearchContext,
    tune_limit: int = TUNE_ITERATION_LIMIT,
    keep_submodules: bool = False,
):
    """Two-level partition of ``units``: modules found by the core loop and aggregation,
    then at most ``tune_limit`` tune iterations (fine and coarse in turn) while they
    shorten the code.

    Returns (labels, codelength), and with ``keep_submodules`` also the submodules that
    the last coarse tune found (a search from singletons under the modules it started
    from), if they lie in the returned modules, or None."""
    labels, length = find_modules(units, ctx)
    submodules = None  # (the modules that were split, their submodules)
    fine = True
    stalled = 0
    for _ in range(tune_limit):
        if int(labels.max()) + 1 <= 1:
            break
        if fine:
            new_labels, new_length = find_modules(units, ctx, labels)
        else:
            new_labels, new_length, sublabels = _coarse_tune(units, labels, ctx)
        improved = new_length < length - TUNE_RELATIVE_THRESHOLD * abs(length)
        if new_length < length:
            labels, length = new_labels, new_length
        if not fine:
            # the coarse tune moves whole submodules: they lie in its modules or in the
            # ones it started from, whichever are kept
            submodules = (labels, sublabels)
        stalled = 0 if improved else stalled + 1
        if stalled >= 2:
            break
        fine = not fine
    if not keep_submodules:
        return labels, length
    found = submodules[1] if submodules is not None and submodules[0] is labels else None
    return labels, length, found


def new_context(
    units: Units,
    seed: int,
    parent_exit: np.ndarray | None = None,
    pool: Executor | None = None,
) -> SearchContext:
    leaf_plogp = units.codeflow[units.codeflow > 0]
    return SearchContext(
        parent_exit=np.zeros(1) if parent_exit is None else parent_exit,
        codeflow_plogp_sum=float((leaf_plogp * np.log2(leaf_plogp)).sum()),
        rng_state=np.array([(int(seed) * 2654435761 + 1) % 2**64], dtype=np.uint64),
        pool=pool,
    )


def _add_super_modules(
    leaf: Units, paths: np.ndarray, seed: int, pool: Executor | None = None
) -> np.ndarray:
    """Group the top modules into super-modules while that shortens the codelength."""
    while True:
        top = prefix_keys(paths[:, :1])[0]
        k = int(top.max()) + 1
        if k <= 2:
            return paths
        _, enter, _ = module_totals(leaf, top, k)
        agg = aggregate(leaf, top, k, codeflow=enter)
        ctx = new_context(agg, seed, pool=pool)
        super_labels, length = two_level_search(agg, ctx)
        n_super = int(super_labels.max()) + 1
        old_index = float(_plogp(np.array([enter.sum()]))[0] - _plogp(enter).sum())
        if n_super <= 1 or n_super >= k or not length < old_index - CORE_LOOP_THRESHOLD:
            return paths
        paths = np.concatenate([super_labels[top][:, None], paths], axis=1)


def _parent_codelengths(
    units: Units, labels: np.ndarray, k: int, parent_exit: np.ndarray
) -> np.ndarray:
    """Codelength of each parent's codebooks when its units are grouped by ``labels``:
    the parent's index codebook over the groups (with the parent's exit) and each group's
    codebook, without the units' own constant term."""
    mflow, menter, mexit = module_totals(units, labels, k)
    group_parent = np.zeros(k, dtype=np.int64)
    group_parent[labels] = units.parent
    n_parents = parent_exit.shape[0]
    q = parent_exit
    return (
        _plogp(q + np.bincount(group_parent, menter, n_parents)) - _plogp(q)
        - np.bincount(group_parent, _plogp(menter), n_parents)
        + np.bincount(group_parent, _plogp(mexit + mflow) - _plogp(mexit), n_parents)
    )


def _pair_ids(first: np.ndarray, second: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct (first, second) pairs of non-negative ints, in lexicographic order, as
    (first of each pair, index of each element's pair): ``np.unique(..., axis=0)`` without
    its row-view cost."""
    width = int(second.max()) + 1 if second.size else 1
    unique, inverse = np.unique(first * width + second, return_inverse=True)
    return unique // width, inverse.ravel()


def _children_per_parent(parent_of_unit: np.ndarray, labels: np.ndarray, n_parents: int):
    """Number of distinct labels under each parent."""
    return np.bincount(_pair_ids(parent_of_unit, labels)[0], minlength=n_parents)


def _coarsest_super_modules(
    units: Units,
    labels: np.ndarray,
    parent_exit: np.ndarray,
    seed: int,
    pool: Executor | None = None,
) -> np.ndarray:
    """Group the modules ``labels`` within each parent into super-modules, repeatedly,
    and return the coarsest grouping (the levels in between are dropped).

    A parent takes a super-module level where it shortens the parent's index codebook
    (modules coded by their enter flow, as for the super-modules of the whole network),
    and keeps looking while it has more than one non-trivial super-module."""
    n_parents = parent_exit.shape[0]
    q = parent_exit
    labels, k = K.compact_labels(np.asarray(labels, dtype=np.int64), int(labels.max()) + 1)
    searching = np.ones(n_parents, dtype=bool)
    for round_ in range(MAX_ROUNDS):
        module_parent = np.zeros(k, dtype=np.int64)
        module_parent[labels] = units.parent
        n_modules = np.bincount(module_parent, minlength=n_parents)
        searching &= n_modules > 2  # one or two modules: any grouping is trivial
        if not searching.any():
            break
        _, enter, _ = module_totals(units, labels, k)
        # modules of other parents are frozen: each alone under a parent of its own
        frozen = ~searching[module_parent]
        super_parent = np.where(frozen, n_parents + np.arange(k), module_parent)
        agg = replace(aggregate(units, labels, k, codeflow=enter), parent=super_parent)
        sub_ctx = new_context(
            agg, seed * ROUND_STRIDE + round_, np.concatenate([q, np.zeros(k)]), pool
        )
        super_of_module, _ = two_level_search(agg, sub_ctx)
        n_super = int(super_of_module.max()) + 1
        new = _parent_codelengths(agg, super_of_module, n_super, sub_ctx.parent_exit)
        new = new[:n_parents] - np.bincount(module_parent, _plogp(enter), n_parents)
        enter_sum = np.bincount(module_parent, enter, n_parents)
        old = (
            _plogp(q + enter_sum) - _plogp(q) - np.bincount(module_parent, _plogp(enter), n_parents)
        )
        n_super_in = _children_per_parent(module_parent, super_of_module, n_parents + k)
        n_super_in = n_super_in[:n_parents]
        accept = (
            searching & (n_super_in > 1) & (n_super_in < n_modules)
            & (new < old - CORE_LOOP_THRESHOLD)
        )
        if not accept.any():
            break
        take = accept[module_parent]
        module_key = np.where(take, super_of_module, n_super + np.arange(k))
        module_key, k = K.compact_labels(module_key, n_super + k)
        labels = module_key[labels]
        # keep going where more than one super-module holds several modules
        sizes = np.bincount(super_of_module[take], minlength=n_super)
        nontrivial_parent = np.zeros(n_super, dtype=np.int64)
        nontrivial_parent[super_of_module[take]] = module_parent[take]
        n_nontrivial = np.bincount(nontrivial_parent[sizes > 1], minlength=n_parents)
        searching = accept & (n_nontrivial > 1)
    return labels


def _recursive_partition(
    leaf: Units,
    top: np.ndarray,
    seed: int,
    pool: Executor | None = None,
    first_split: np.ndarray | None = None,
) -> np.ndarray:
    """Module paths below the top modules ``top``: every module is re-partitioned from
    its nodes (a two-level search with tuning, then super-modules inside it, keeping the
    coarsest level), wherever that shortens the codelength, level by level.

    All modules of a level are searched in one call, each under a parent of its own, so
    that the search runs them side by side in groups (see ``_core``). ``first_split``:
    submodules of the top modules that a search from singletons found (the coarse tune of
    the two-level search, under these modules or the ones it started from); they stand in
    for the first level's search."""
    n = leaf.n
    paths = top.astype(np.int64)[:, None]
    deepest, k = K.compact_labels(paths[:, 0].copy(), int(top.max()) + 1)
    # Infomap leaves modules of one or two nodes alone: a split could not pay.
    queued = np.bincount(deepest, minlength=k)[deepest] > 2
    level = 0
    while queued.any():
        level += 1
        level_seed = seed * SEED_STRIDE + level
        parent_exit = module_exit_totals(leaf, deepest, k)
        leaf_in_modules = replace(leaf, parent=deepest)
        if queued.all():  # (no copy of the links: at 1M nodes that is the peak memory)
            unit_of, n_units = np.arange(n), n
            units = leaf_in_modules
        else:
            # Nodes of modules not searched become single units, alone under their module.
            unit_key = np.where(queued, np.arange(n), n + deepest)
            unit_of, n_units = K.compact_labels(unit_key, n + k)
            parent_of_unit = np.zeros(n_units, dtype=np.int64)
            parent_of_unit[unit_of] = deepest
            units = replace(aggregate(leaf, unit_of, n_units), parent=parent_of_unit)
        q = parent_exit
        module_flow = np.bincount(deepest, leaf.codeflow, k)
        without = _plogp(q + module_flow) - _plogp(q)
        ctx = new_context(units, level_seed, parent_exit, pool)
        if first_split is None:
            fine_of_unit, _ = two_level_search(units, ctx, tune_limit=HIERARCHY_SUB_TUNE_LIMIT)
        else:
            # The top modules are the two-level modules, and their coarse tune searched
            # below them from singletons already: its submodules stand in for this search
            # (frozen units keep a module of their own).
            start = np.where(queued, first_split, int(first_split.max()) + 1 + deepest)
            fine_of_unit = np.zeros(n_units, dtype=np.int64)
            fine_of_unit[unit_of] = start
            fine_of_unit, _ = K.compact_labels(fine_of_unit, int(start.max()) + 1)
            first_split = None
        sub = _coarsest_super_modules(units, fine_of_unit, parent_exit, level_seed, pool)
        sub = sub[unit_of]
        with_sub = _parent_codelengths(leaf_in_modules, sub, int(sub.max()) + 1, q)
        sub, n_sub = K.compact_labels(sub, int(sub.max()) + 1)
        sub_parent = np.zeros(n_sub, dtype=np.int64)
        sub_parent[sub] = deepest
        n_children = np.bincount(sub_parent, minlength=k)
        size = np.bincount(deepest, minlength=k)
        keep = (
            (n_children > 1) & (n_children < size)
            & (with_sub < without - CORE_LOOP_THRESHOLD)
            & np.bincount(deepest, queued, k).astype(bool)
        )
        split = keep[deepest]
        if not split.any():
            break
        # number the submodules within their module
        local = _pair_ids(deepest, sub)[1]
        first_of_module = np.full(k, np.iinfo(np.int64).max)
        np.minimum.at(first_of_module, deepest, local)
        column = np.where(split, local - first_of_module[deepest], -1)
        paths = np.concatenate([paths, column[:, None]], axis=1)
        new_key = np.where(split, n + local, deepest)
        deepest, k = K.compact_labels(new_key, n + int(local.max()) + 1)
        queued = split & (np.bincount(deepest, minlength=k)[deepest] > 2)
    return paths


def dissolve_modules(flow: Flow, paths: np.ndarray) -> np.ndarray:
    """Dissolve modules into their parents while that shortens the codelength.

    Dissolving module M (children c, exit x_M, enter e_M) under parent P (exit x_P, its
    children's codeword rates summing to S_P; the root has no exit) drops M's codebook and
    puts M's children in P's. Children keep their enter rates, so the codelength changes by

        plogp(x_P + S_P - e_M + C) - plogp(x_P + S_P) + plogp(e_M) - plogp(x_M + C)
        + plogp(x_M),     C = sum of the children's rates,

    which is computed for every module at once. In each round the best module of every
    parent is dissolved unless an ancestor is dissolved in the same round. Only modules
    of modules are dissolved: a leaf module's nodes would land beside modules, a tree
    shape that Infomap does not define a codelength for.
    """
    paths = np.array(paths, dtype=np.int64)
    n = paths.shape[0]
    p = flow.node_flow
    for _ in range(MAX_ROUNDS):
        depth = paths.shape[1]
        if depth < 2:
            break
        keys = prefix_keys(paths)
        sizes = [int(key.max()) + 1 for key in keys]
        stats = [module_flows(flow, key, k) for key, k in zip(keys, sizes, strict=True)]
        # rate sum C of each module's children and whether it holds nodes of its own
        child_sum, has_leaf, parent_of = [], [], []
        for level in range(depth):
            key, k = keys[level], sizes[level]
            sub = keys[level + 1] if level + 1 < depth else np.full(n, -1)
            leaf = (key >= 0) & (sub < 0)
            total = np.zeros(k)
            total += np.bincount(key[leaf], p[leaf], k)
            if level + 1 < depth:
                has_sub = sub >= 0
                sub_parent = np.zeros(sizes[level + 1], dtype=np.int64)
                sub_parent[sub[has_sub]] = key[has_sub]
                total += np.bincount(sub_parent, stats[level + 1][1], k)
            child_sum.append(total)
            has_leaf.append(np.bincount(key[leaf], minlength=k) > 0)
            parent = np.zeros(k, dtype=np.int64)
            if level > 0:
                present = key >= 0
                parent[key[present]] = keys[level - 1][present]
            parent_of.append(parent)
        chosen = []  # per level: the modules dissolved this round
        blocked = np.zeros(n, dtype=bool)  # nodes under a module dissolved above
        any_chosen = False
        for level in range(depth):
            key, k = keys[level], sizes[level]
            _, enter, exit_ = stats[level]
            C = child_sum[level]
            if level == 0:
                x_p = np.zeros(k)
                s_p = np.full(k, stats[0][1].sum())
            else:
                x_p = stats[level - 1][2][parent_of[level]]
                s_p = child_sum[level - 1][parent_of[level]]
            delta = (
                _plogp(x_p + s_p - enter + C) - _plogp(x_p + s_p) + _plogp(enter)
                - _plogp(exit_ + C) + _plogp(exit_)
            )
            is_leaf_module = np.ones(k, dtype=bool)
            if level + 1 < depth:
                sub = keys[level + 1]
                is_leaf_module[key[sub >= 0]] = False
            # A leaf module's nodes would land beside modules: Infomap's trees never mix
            # nodes and modules under one parent (its codelength is not defined for that).
            allowed = ~is_leaf_module & ~has_leaf[level]
            present = key >= 0
            blocked_module = np.zeros(k, dtype=bool)
            blocked_module[key[present & blocked]] = True
            candidate = allowed & ~blocked_module & (delta < -CORE_LOOP_THRESHOLD)
            # the best candidate of each parent
            best = np.zeros(k, dtype=bool)
            if candidate.any():
                idx = np.flatnonzero(candidate)
                order = np.lexsort((delta[idx], parent_of[level][idx]))
                idx = idx[order]
                first = np.r_[True, parent_of[level][idx][1:] != parent_of[level][idx][:-1]]
                best[idx[first]] = True
                any_chosen = True
            chosen.append(best)
            blocked |= present & best[np.where(present, key, 0)]
        if not any_chosen:
            break
        for level in range(depth - 1, -1, -1):
            key = keys[level]
            present = key >= 0
            nodes = present & chosen[level][np.where(present, key, 0)]
            if not nodes.any():
                continue
            if level + 1 < depth:
                # M's children move up one level with ids apart from M's siblings
                below = paths[nodes, level + 1]
                offset = int(paths[:, level].max()) + 1
                paths[nodes, level + 1] = np.where(below >= 0, below + offset, -1)
            paths[nodes, level:-1] = paths[nodes, level + 1 :]
            paths[nodes, -1] = -1
        while paths.shape[1] > 1 and (paths[:, -1] < 0).all():
            paths = paths[:, :-1]
    return paths


def tune_leaf_modules(
    leaf: Units, flow: Flow, paths: np.ndarray, seed: int, pool: Executor | None = None
) -> np.ndarray:
    """Move nodes between sibling leaf modules (and merge siblings) while that shortens
    the codelength, everything above the leaf modules fixed: the fine tune of a tree.
    A parent may be left with a single child (collapse_single_child_modules removes it).

    Under a fixed parent, a move changes only the two leaf modules' codebooks and the
    parent's codebook, which is the two-level objective of the search with the parent's
    exit flow, so the core loop and aggregation do it for all parents at once."""
    paths = np.array(paths, dtype=np.int64)
    n, depth = paths.shape
    keys = prefix_keys(paths)
    key_table = np.array(keys)  # (depth, n)
    leaf_depth = (paths >= 0).sum(axis=1)
    offsets = np.cumsum([0] + [int(key.max()) + 1 for key in keys])
    rows = np.arange(n)
    leaf_key = key_table[leaf_depth - 1, rows] + offsets[leaf_depth - 1]
    # the parent of each leaf module: the root (0) or a module, one id across levels
    parent_level = np.maximum(leaf_depth - 2, 0)
    above = np.where(
        leaf_depth > 1, key_table[parent_level, rows] + 1 + offsets[parent_level], 0
    )
    parent_of, n_parents = K.compact_labels(above, int(offsets[-1]) + 1)
    parent_exit = np.zeros(n_parents)
    for level in range(depth - 1):
        at = leaf_depth - 2 == level
        if at.any():
            key = keys[level]
            _, _, exit_ = module_flows(flow, key, int(key.max()) + 1)
            parent_exit[parent_of[at]] = exit_[key[at]]
    # A parent with modules of modules among its children has enter rates in its codebook
    # that the search would not see: its leaf modules stay as they are, each one unit
    # under a parent of its own.
    tuned = np.full(n, leaf_depth.max() == 1)  # the root's children, in a two-level tree
    for level in range(depth - 1):
        key = keys[level]
        present = key >= 0
        k = int(key.max()) + 1
        lowest = np.full(k, depth + 1)
        highest = np.zeros(k, dtype=np.int64)
        np.minimum.at(lowest, key[present], leaf_depth[present])
        np.maximum.at(highest, key[present], leaf_depth[present])
        at = leaf_depth - 2 == level
        tuned[at] = (lowest == highest)[key[at]]
    if not tuned.any():
        return paths
    leaf_module, n_leaf_modules = K.compact_labels(leaf_key, int(offsets[-1]))
    unit_of, n_units = K.compact_labels(
        np.where(tuned, rows, n + leaf_module), n + n_leaf_modules
    )
    parent_of_unit = np.zeros(n_units, dtype=np.int64)
    parent_of_unit[unit_of] = np.where(tuned, parent_of, n_parents + leaf_module)
    module_of = np.zeros(n_units, dtype=np.int64)
    module_of[unit_of] = leaf_module
    units = replace(aggregate(leaf, unit_of, n_units), parent=parent_of_unit)
    ctx = new_context(
        units, seed, np.concatenate([parent_exit, np.zeros(n_leaf_modules)]), pool
    )
    new_of_unit, _ = find_modules(units, ctx, module_of)
    new_leaf = new_of_unit[unit_of]
    # the new leaf modules, numbered after their siblings' ids
    local = _pair_ids(parent_of, new_leaf)[1]
    # (a tuned parent's children are all leaf modules, so the new ids meet no others)
    paths[rows[tuned], leaf_depth[tuned] - 1] = local[tuned]
    return paths


def collapse_single_child_modules(paths: np.ndarray) -> np.ndarray:
    """Remove the redundant level below every module whose only child is one submodule.

    Such a module and its child hold the same nodes and enter flow, so dropping the child
    level saves the module's own codebook (a codelength never lower than zero) and changes
    nothing else. The module keeps its id, so sibling ids stay distinct.
    """
    paths = np.array(paths, dtype=np.int64)
    level = 0
    while level < paths.shape[1] - 1:
        keys = prefix_keys(paths)
        key, below = keys[level], keys[level + 1]
        present = key >= 0
        k = int(key.max()) + 1
        has_leaf = np.zeros(k, dtype=bool)
        has_leaf[key[present & (below < 0)]] = True
        # number of distinct children: count each (module, child) pair once
        n_children = _children_per_parent(key[below >= 0], below[below >= 0], k)
        single = (n_children == 1) & ~has_leaf
        if not single.any():
            level += 1
            continue
        nodes = present & single[np.where(present, key, 0)]
        paths[nodes, level + 1 : -1] = paths[nodes, level + 2 :]
        paths[nodes, -1] = -1
        while paths.shape[1] > 1 and (paths[:, -1] < 0).all():
            paths = paths[:, :-1]
    return paths


def _n_threads(n_jobs: int | None, num_trials: int) -> tuple[int, int]:
    """Threads for trials side by side, and threads for parent groups within a trial.

    ``n_jobs`` has scikit-learn's meaning (joblib's ``effective_n_jobs``): None is 1 unless
    a ``joblib.parallel_config(n_jobs=...)`` context says otherwise, -1 is every core, -2
    all but one, and so on.
    """
    from joblib import effective_n_jobs

    if n_jobs is not None and (
        isinstance(n_jobs, (bool, np.bool_))
        or not isinstance(n_jobs, (int, np.integer))
        or n_jobs == 0
    ):
        raise ValueError(
            "n_jobs must be None or a non-zero integer (scikit-learn's meaning: None is 1, "
            f"-1 every core, -2 all but one), got {n_jobs!r}"
        )
    threads = max(1, int(effective_n_jobs(None if n_jobs is None else int(n_jobs))))
    trial_threads = max(1, min(threads, num_trials))
    return trial_threads, max(1, threads // trial_threads)


def _progress_bar(total: int, progress: bool | None):
    import sys

    from tqdm.auto import tqdm

    disable = not progress if progress is not None else not sys.stderr.isatty()
    return tqdm(total=total, desc="infomap trials", unit="trial", disable=disable,
                file=sys.stderr, leave=False)


def infomap(
    network,
    *,
    two_level: bool = False,
    flow_model: str | None = None,
    teleportation_probability: float = 0.15,
    recorded_teleportation: bool = False,
    to_nodes: bool = False,
    markov_time: float = 1.0,
    num_trials: int = 1,
    seed: int = 0,
    progress: bool | None = False,
    n_jobs: int | None = None,
):
    """Find the module tree of ``network`` that minimises the map equation.

    Parameters
    ----------
    network : Network
    two_level : bool, default False
        Only a partition into modules; by default a hierarchy of nested modules is
        searched for, as the official Infomap does.
    flow_model : {"undirected", "directed", "undirdir", "outdirdir", "rawdir"} or None
        None means "directed" for a directed network and "undirected" otherwise.
    teleportation_probability : float in [0, 1), default 0.15
    recorded_teleportation : bool, default False
    to_nodes : bool, default False
        Teleport to nodes (by the network's node weights) rather than to links.
    markov_time : float > 0, default 1.0
        Larger values give fewer, larger modules.
    num_trials : int >= 1, default 1
        Independent searches; the shortest codelength wins.
    seed : int >= 0, default 0
        The same seed gives the same result.
    n_jobs : int or None, default None
        Threads, with scikit-learn's meaning: None is one thread (unless a
        ``joblib.parallel_config(n_jobs=...)`` context sets another number), -1 every
        core, -2 all but one. Trials run side by side (at most one thread per trial), and
        threads left over search for submodules in several groups of modules at once (the
        coarse tune and the hierarchical search, on 20,000 units or more). The result is
        the same for any number of threads.
    progress : bool or None, default False
        Show a progress bar over trials and search stages on stderr (tqdm); None shows it
        only when stderr is a terminal.

    Returns
    -------
    ModuleTree
        With ``codelength``, ``labels``, ``multilevel_labels``, ``num_top_modules``,
        ``num_levels`` and writers for Infomap's file formats.

    Examples
    --------
    >>> import numpy as np
    >>> from infomap_learn import Network, infomap
    >>> edges = np.array([[0, 1], [1, 2], [2, 0], [3, 4], [4, 5], [5, 3], [2, 3]])
    >>> tree = infomap(Network.from_edges(edges), two_level=True)
    >>> round(tree.codelength, 5), tree.labels.tolist()
    (2.32073, [0, 0, 0, 1, 1, 1])
    """

    if not isinstance(network, Network):
        raise TypeError(f"network must be a Network, got {type(network).__name__}")
    if isinstance(num_trials, bool) or not isinstance(num_trials, (int, np.integer)) \
            or num_trials < 1:
        raise ValueError(f"num_trials must be an integer >= 1, got {num_trials!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    flow = compute_flow(
        network,
        flow_model=flow_model,
        teleportation_probability=teleportation_probability,
        recorded_teleportation=recorded_teleportation,
        to_nodes=to_nodes,
        markov_time=markov_time,
    )
    leaf = leaf_units(flow)
    one_level = one_level_codelength(flow)
    n_threads, group_threads = _n_threads(n_jobs, int(num_trials))

    def run_trial(trial: int, group_pool: Executor | None):
        trial_seed = int(seed) * SEED_STRIDE + trial
        ctx = new_context(leaf, trial_seed, pool=group_pool)
        tune_limit = TUNE_ITERATION_LIMIT if two_level else HIERARCHY_TOP_TUNE_LIMIT
        labels, _, submodules = two_level_search(
            leaf, ctx, tune_limit=tune_limit, keep_submodules=True
        )
        paths = labels[:, None]
        n_top = int(labels.max()) + 1
        if not two_level and 1 < n_top < network.n_nodes:
            # As Infomap: super-modules above the modules, then only the coarsest level is
            # kept and everything below it searched again, module by module; then the
            # whole tree is tuned (leaf modules, dissolved modules).
            paths = _add_super_modules(leaf, paths, trial_seed, group_pool)
            if paths.shape[1] > 1:
                submodules = None  # they lie under other modules than the top ones
            paths = _recursive_partition(leaf, paths[:, 0], trial_seed, group_pool, submodules)
            if paths.shape[1] > 1:  # (else these are the top search's tuned modules)
                paths = tune_leaf_modules(leaf, flow, paths, trial_seed, group_pool)
            paths = collapse_single_child_modules(dissolve_modules(flow, paths))
        length = hierarchical_codelength(flow, paths).codelength
        if paths.shape[1] > 1 or not np.array_equal(paths[:, 0], labels):
            flat = two_level_codelength(flow, labels).codelength
            if length > flat:
                # the greedy hierarchy can end above the trial's own modules: keep those
                paths, length = labels[:, None], flat
        if length > one_level:
            # a greedy search can end above the trivial solution on small networks; like
            # Infomap, never return more than the one-level codelength
            paths, length = np.zeros((network.n_nodes, 1), dtype=np.int64), one_level
        return paths, length

    group_threads_context = (
        ThreadPoolExecutor(group_threads) if group_threads > 1 else nullcontext(None)
    )
    with group_threads_context as group_pool, _progress_bar(int(num_trials), progress) as bar:
        if n_threads == 1:
            results = []
            for trial in range(int(num_trials)):
                results.append(run_trial(trial, group_pool))
                bar.update(1)
        else:
            # The kernels release the GIL, so trials run side by side; each trial has its
            # own seed and state, and the best is chosen in trial order: the result does
            # not depend on the number of threads.
            with ThreadPoolExecutor(max_workers=n_threads) as pool:
                futures = [
                    pool.submit(run_trial, trial, group_pool) for trial in range(int(num_trials))
                ]
                results = []
                for future in futures:
                    results.append(future.result())
                    bar.update(1)
    best_paths, best_length = results[0]
    for paths, length in results[1:]:
        if length < best_length - 1e-12:
            best_paths, best_length = paths, length
    return ModuleTree.from_paths(
        flow,
        best_paths,
        node_names=network.node_names,
        options={
            "two_level": two_level,
            "flow_model": flow.flow_model,
            "teleportation_probability": teleportation_probability,
            "recorded_teleportation": recorded_teleportation,
            "to_nodes": to_nodes,
            "markov_time": markov_time,
            "num_trials": num_trials,
            "seed": seed,
            "directed": network.directed,
        },
    )
