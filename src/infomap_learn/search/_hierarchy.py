"""The hierarchical search: super-modules, recursive re-partition, tuning the finished tree."""

from __future__ import annotations

from concurrent.futures import Executor
from functools import partial

import numpy as np

from .. import _kernels as K
from ..flow import Flow
from ..mapequation import (
    meta_costs,
    module_flows,
)
from ..mapequation import plogp as _plogp
from ..paths import leaf_module_ids, prefix_keys
from . import _constants as constants
from . import _leaf_tune
from . import _recursion as R
from ._moves import ModuleCosts
from ._two_level import (
    _coarse_tune,
    find_modules,
    two_level_search,
)
from ._units import (
    Units,
    aggregate,
    module_exit_totals,
    module_totals,
    new_context,
    pool_threads,
)


def depth_bias(levels: tuple[int, float], depth: int) -> float:
    """Bits by which a level that makes the tree ``depth`` levels deep (the leaf nodes'
    level counted) may lengthen the code and still be taken, for a preferred number of
    levels ``levels`` (target, strength; target 0: none): Infomap's
    ``--preferred-number-of-levels``, the log-odds of a Bernoulli prior on the depth,
    ``strength * (target - depth + 1/2) / ln 2``, positive below the target (where, as in
    Infomap, the searches use it only as far as it is negative: a level must still
    shorten the code).

    Examples
    --------
    >>> round(depth_bias((3, 1.0), 3), 4), round(depth_bias((3, 1.0), 4), 4)
    (0.7213, -0.7213)
    >>> depth_bias((0, 1.0), 3)
    0.0
    """
    target, strength = levels
    if not target or strength <= 0:
        return 0.0
    return float(strength * (target - depth + 0.5) / np.log(2.0))


def _add_super_modules(
    leaf: Units,
    paths: np.ndarray,
    seed: int,
    pool: Executor | None = None,
    module_cost: float = 0.0,
    preferred_modules: int = 0,
    levels: tuple[int, float] = (0, 0.0),
) -> np.ndarray:
    """Group the top modules into super-modules while that shortens the codelength
    (``module_cost`` bits per module and ``|top modules - preferred_modules|`` bits
    included, when given; by :func:`depth_bias` of ``levels`` more or less)."""
    while True:
        top = prefix_keys(paths[:, :1])[0]
        k = int(top.max()) + 1
        if k <= 2:
            return paths
        agg = aggregate(leaf, top, k, by_enter=True, threads=pool_threads(pool))
        enter = agg.codeflow
        super_labels, length = None, np.inf
        attempts = (
            constants.SUPER_MODULE_TRIALS if k <= constants.SUPER_MODULE_TRIALS_MAX_MODULES else 1
        )
        seeds = [seed + attempt * constants.ROUND_STRIDE for attempt in range(attempts)]
        search = partial(
            _super_module_search, agg, module_cost=module_cost,
            preferred_modules=preferred_modules,
        )  # fmt: skip
        if attempts > 1 and pool_threads(pool) > 1:
            # side by side, each on one thread (each search is serial, see below)
            found_by_attempt = list(pool.map(search, seeds))
        else:
            # Never with parallel proposals: a network of top modules has hundreds of
            # links a unit, and as modules merge in chains a block's proposals go stale
            # (LFR 1M, 20k modules, 6.1M links: 31k moves, 1.19 s parallel against 0.44 s
            # serial, mu 0.6 1.87 against 0.62 s, the same levels); so also the same
            # levels on any number of threads.
            found_by_attempt = [search(attempt_seed) for attempt_seed in seeds]
        for found, found_length in found_by_attempt:
            if found_length < length - constants.CORE_LOOP_THRESHOLD:
                super_labels, length = found, found_length
        n_super = int(super_labels.max()) + 1
        old_index = float(_plogp(np.array([enter.sum()]))[0] - _plogp(enter).sum())
        if preferred_modules:
            old_index += abs(k - preferred_modules)
        # (the new level makes the tree one deeper than its module levels and leaves; a
        # level that lengthens the code is never taken, as in Infomap, whose search for it
        # falls back to one module: only a preference for fewer levels changes the test)
        bias = min(depth_bias(levels, paths.shape[1] + 2), 0.0)
        if (
            n_super <= 1 or n_super >= k
            or not length < old_index - constants.CORE_LOOP_THRESHOLD + bias
        ):  # fmt: skip
            return paths
        paths = np.concatenate([super_labels[top][:, None], paths], axis=1)


def _super_module_search(
    agg: Units,
    seed: int,
    pool: Executor | None = None,
    module_cost: float = 0.0,
    preferred_modules: int = 0,
) -> tuple[np.ndarray, float]:
    """One search for the super-modules of the modules ``agg`` (coded by their enter
    flow): (super-module of each module, codelength)."""
    ctx = new_context(
        agg, seed, pool=pool, module_cost=module_cost, preferred_modules=preferred_modules
    )
    # (its modules' terms included; tuned through a stalled iteration: with the first-stall
    # stop, blobs' multilevel gap went from -0.20% to -0.17%, see _constants.TUNE_STALL_LIMIT)
    return two_level_search(agg, ctx, stall_limit=constants.TUNE_PATIENT_STALL_LIMIT)


def deferred_coarse_tune(
    leaf: Units,
    labels: np.ndarray,
    length: float,
    seed: int,
    pool: Executor | None = None,
    module_cost: float = 0.0,
    preferred_modules: int = 0,
    meta_rate: float = 0.0,
) -> tuple[np.ndarray, float, np.ndarray]:
    """The coarse tune that the top search of a hierarchical search leaves out (where it
    ends on a fine tune: ``constants.HIERARCHY_TOP_TUNE_LIMIT`` and the limits beside it),
    for top modules ``labels`` (of codelength
    ``length``) that took no super-modules: its submodules, searched from single nodes
    inside each module, are the recursion's first level (``first_split`` of
    :func:`_recursive_partition`). Returns the modules (the tuned ones where shorter by more
    than ``constants.CORE_LOOP_THRESHOLD``), their codelength and the submodules, which lie
    in either."""
    ctx = new_context(
        leaf, seed, pool=pool, module_cost=module_cost, preferred_modules=preferred_modules,
        meta_rate=meta_rate,
    )  # fmt: skip
    tuned, tuned_length, submodules = _coarse_tune(leaf, labels, ctx, False, length)
    # (a tune that finds the same modules can score them shorter by rounding, and new top
    # modules search their super-modules again: on LFR 100k mu 0.6 a quarter second)
    if tuned_length < length - constants.CORE_LOOP_THRESHOLD:
        return tuned, float(tuned_length), submodules
    return labels, float(length), submodules


def _meta_costs(units: Units, labels: np.ndarray, k: int) -> np.ndarray:
    """The meta cost of each group of units (``labels``, ids 0..k-1): its meta weight
    times the entropy of its categories (zero without meta data)."""
    if not units.n_meta:
        return np.zeros(k)
    row = np.repeat(np.arange(units.n), np.diff(units.meta_ptr))
    return meta_costs(
        labels[row], units.meta_idx, units.meta_flow, k, with_total=units.meta_total > 0
    )


def _parent_codelengths(
    units: Units,
    labels: np.ndarray,
    k: int,
    parent_exit: np.ndarray,
    module_cost: float = 0.0,
    meta_rate: float = 0.0,
) -> np.ndarray:
    """Codelength of each parent's codebooks when its units are grouped by ``labels``:
    the parent's index codebook over the groups (with the parent's exit) and each group's
    codebook, without the units' own constant term, ``module_cost`` per group and, at
    ``meta_rate``, the groups' meta costs (the groups as leaf modules)."""
    mflow, menter, mexit = module_totals(units, labels, k)
    group_parent = np.zeros(k, dtype=np.int64)
    group_parent[labels] = units.parent
    n_parents = parent_exit.shape[0]
    q = parent_exit
    meta = meta_rate * _meta_costs(units, labels, k) if meta_rate else np.zeros(k)
    return (
        _plogp(q + np.bincount(group_parent, menter, n_parents)) - _plogp(q)
        - np.bincount(group_parent, _plogp(menter), n_parents)
        + np.bincount(group_parent, _plogp(mexit + mflow) - _plogp(mexit) + meta, n_parents)
        + module_cost * np.bincount(group_parent, minlength=n_parents)
    )


def _pair_ids(first: np.ndarray, second: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct (first, second) pairs of non-negative ints, in lexicographic order, as
    (first of each pair, index of each element's pair), by ``_kernels.distinct_pairs``."""
    return K.distinct_pairs(
        np.ascontiguousarray(first, dtype=np.int64), np.ascontiguousarray(second, dtype=np.int64)
    )


def _pair_ids_reference(first: np.ndarray, second: np.ndarray):
    """``_pair_ids`` with ``np.unique``: the reference of ``_kernels.distinct_pairs``."""
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
    module_cost: float = 0.0,
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
    for round_ in range(constants.MAX_ROUNDS):
        module_parent = np.zeros(k, dtype=np.int64)
        module_parent[labels] = units.parent
        n_modules = np.bincount(module_parent, minlength=n_parents)
        searching &= n_modules > 2  # one or two modules: any grouping is trivial
        if not searching.any():
            break
        # modules of other parents are frozen: each alone under a parent of its own
        frozen = ~searching[module_parent]
        super_parent = np.where(frozen, n_parents + np.arange(k), module_parent)
        # Large groupings leave out the links between modules of different parents: with
        # them, the grouping's module networks held the peak memory at 1M nodes. Smaller
        # ones keep them, because a move there marks its neighbours under other parents
        # to be tried again, and those extra tries shorten the code (kNN 200k: +0.037%
        # without them; see constants.SUBMODULE_GROUPING_TUNE_MAX_UNITS). So do groupings of
        # few submodules per module searched (constants.SUBMODULE_GROUPING_FEW_PER_PARENT).
        large = k >= constants.SUBMODULE_GROUPING_TUNE_MAX_UNITS or (
            k >= constants.PARENT_GROUPS_MIN_UNITS
            and k <= constants.SUBMODULE_GROUPING_FEW_PER_PARENT * int(searching.sum())
        )
        agg = aggregate(
            units, labels, k, by_enter=True, threads=pool_threads(pool),
            parent=super_parent if large else None,
        )
        enter = agg.codeflow
        if not large:
            agg = agg.with_parent(super_parent)
        sub_ctx = new_context(
            agg, seed * constants.ROUND_STRIDE + round_, np.concatenate([q, np.zeros(k)]), pool,
            module_cost,
        )  # fmt: skip
        super_of_module, _ = two_level_search(
            agg, sub_ctx, stall_limit=constants.TUNE_PATIENT_STALL_LIMIT,
            tune_limit=0 if large else constants.TUNE_ITERATION_LIMIT,
        )  # fmt: skip
        n_super = int(super_of_module.max()) + 1
        new = _parent_codelengths(
            agg, super_of_module, n_super, sub_ctx.parent_exit, module_cost
        )
        new = new[:n_parents] - np.bincount(module_parent, _plogp(enter), n_parents)
        enter_sum = np.bincount(module_parent, enter, n_parents)
        old = (
            _plogp(q + enter_sum) - _plogp(q) - np.bincount(module_parent, _plogp(enter), n_parents)
        )
        n_super_in = _children_per_parent(module_parent, super_of_module, n_parents + k)
        n_super_in = n_super_in[:n_parents]
        accept = (
            searching & (n_super_in > 1) & (n_super_in < n_modules)
            & (new < old - constants.CORE_LOOP_THRESHOLD)
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
    module_cost: float = 0.0,
    meta_rate: float = 0.0,
    levels: tuple[int, float] = (0, 0.0),
    reuse: str = "as found",
) -> np.ndarray:
    """Module paths below the top modules ``top``: every module is re-partitioned from
    its nodes (a two-level search with tuning, then super-modules inside it, keeping the
    coarsest level), wherever that shortens the codelength, level by level.

    All modules of a level are searched in one call, each under a parent of its own, so
    that the search runs them side by side in groups (see ``_core``). ``first_split``:
    submodules of the top modules that a search from singletons found (the coarse tune of
    the two-level search, under these modules or the ones it started from); they stand in
    for the first level's search. Where ``constants.RECURSION_REUSE`` says so, a level
    that searched gives the next level modules from its search (:func:`_next_split`),
    which ``reuse`` takes ``"as found"``, or ``"tuned"``: as the start of a search with
    tuning (the search's choice on large first-order networks, see
    ``constants.HIERARCHY_LARGE_MIN_NODES``); ``"never"``: every level searches from
    single nodes.
    ``levels``: a preferred number of levels, which biases each level's splits
    (:func:`depth_bias`).

    Where :func:`_recursion_in_one_call` says so, ``_recursion.recursive_partition`` takes
    these steps in one kernel call (this function is its reference)."""
    if reuse not in ("as found", "tuned", "never"):
        raise ValueError(f"reuse must be 'as found', 'tuned' or 'never', got {reuse!r}")
    # (the kernel takes the level above's modules as found or not at all)
    if reuse != "tuned" and _recursion_in_one_call(leaf, pool, meta_rate):
        return _recursive_partition_kernel(
            leaf, top, seed, first_split, module_cost, levels, reuse
        )
    n = leaf.n
    paths = top.astype(np.int64)[:, None]
    deepest, k = K.compact_labels(paths[:, 0].copy(), int(top.max()) + 1)
    # Infomap leaves modules of one or two nodes alone: a split could not pay.
    queued = np.bincount(deepest, minlength=k)[deepest] > 2
    level = 0
    while queued.any():
        level += 1
        level_seed = seed * constants.SEED_STRIDE + level
        parent_exit = module_exit_totals(leaf, deepest, k, pool_threads(pool))
        leaf_in_modules = leaf.with_parent(deepest)
        if queued.all():  # (no copy of the links: at 1M nodes that is the peak memory)
            unit_of, n_units = np.arange(n), n
            units = leaf_in_modules
        else:
            # Nodes of modules not searched become single units, alone under their module.
            unit_key = np.where(queued, np.arange(n), n + deepest)
            unit_of, n_units = K.compact_labels(unit_key, n + k)
            parent_of_unit = np.zeros(n_units, dtype=np.int64)
            parent_of_unit[unit_of] = deepest
            units = aggregate(leaf, unit_of, n_units, threads=pool_threads(pool)).with_parent(
                parent_of_unit
            )
        q = parent_exit
        module_flow = np.bincount(deepest, leaf.codeflow, k)
        without = _plogp(q + module_flow) - _plogp(q)
        if meta_rate:  # (each module a leaf module as it is)
            without = without + meta_rate * _meta_costs(leaf, deepest, k)
        ctx = new_context(units, level_seed, parent_exit, pool, module_cost, meta_rate=meta_rate)
        found = None
        if first_split is None:
            fine_of_unit, _, found = two_level_search(
                units, ctx, tune_limit=constants.HIERARCHY_SUB_TUNE_LIMIT, keep_submodules=True
            )
        else:
            # The top modules are the two-level modules, and their coarse tune searched
            # below them from singletons already: its submodules stand in for this search
            # (frozen units keep a module of their own); below the first level, a level
            # above's search gave them, and reuse="tuned" only starts a search from them.
            start = np.where(queued, first_split, int(first_split.max()) + 1 + deepest)
            fine_of_unit = np.zeros(n_units, dtype=np.int64)
            fine_of_unit[unit_of] = start
            fine_of_unit, _ = K.compact_labels(fine_of_unit, int(start.max()) + 1)
            first_split = None
            if reuse == "tuned" and level > 1:
                fine_of_unit, _, found = two_level_search(
                    units, ctx, tune_limit=constants.HIERARCHY_SUB_TUNE_LIMIT,
                    keep_submodules=True, initial=fine_of_unit,
                )  # fmt: skip
        sub = _coarsest_super_modules(
            units, fine_of_unit, parent_exit, level_seed, pool, module_cost
        )
        sub = sub[unit_of]
        with_sub = _parent_codelengths(
            leaf_in_modules, sub, int(sub.max()) + 1, q, module_cost, meta_rate
        )
        sub, n_sub = K.compact_labels(sub, int(sub.max()) + 1)
        sub_parent = np.zeros(n_sub, dtype=np.int64)
        sub_parent[sub] = deepest
        n_children = np.bincount(sub_parent, minlength=k)
        size = np.bincount(deepest, minlength=k)
        # (Infomap biases a split at recursion level l by the depth l + 1; never towards a
        # split that lengthens the code, see _add_super_modules)
        bias = min(depth_bias(levels, level + 1), 0.0)
        keep = (
            (n_children > 1) & (n_children < size)
            & (with_sub < without - constants.CORE_LOOP_THRESHOLD + bias)
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
        if constants.RECURSION_REUSE and reuse != "never":
            first_split = _next_split(sub, n_sub, fine_of_unit[unit_of], found, unit_of, queued)
    return paths


def _recursion_in_one_call(leaf: Units, pool: Executor | None, meta_rate: float) -> bool:
    """Whether :func:`_recursive_partition` runs in one kernel call: without meta data,
    where every search of it runs its units one at a time (no parent groups, no parallel
    moves: ``_two_level._searches_serially`` of every subnetwork)."""
    return (
        not meta_rate
        and leaf.n < constants.PARENT_GROUPS_MIN_UNITS
        and (leaf.n < constants.PARALLEL_MOVES_MIN_UNITS or pool is None)
    )


def _recursive_partition_kernel(
    leaf: Units,
    top: np.ndarray,
    seed: int,
    first_split: np.ndarray | None,
    module_cost: float,
    levels: tuple[int, float],
    reuse: str = "as found",
) -> np.ndarray:
    """:func:`_recursive_partition` by ``_recursion.recursive_partition``, with the
    constants as they are now (``reuse``: "as found" or "never")."""
    target, strength = levels
    return R.recursive_partition(
        leaf.arrays, np.ascontiguousarray(top, dtype=np.int64), np.uint64(int(seed) % 2**64),
        np.zeros(0, np.int64) if first_split is None else np.asarray(first_split, np.int64),
        first_split is not None, _module_costs(module_cost, leaf.meta_total), leaf.undirected,
        float(leaf.tele_total),
        (int(target) if strength > 0 else 0, float(strength), float(np.log(2.0))),
        bool(constants.RECURSION_REUSE) and reuse == "as found", int(constants.SEED_STRIDE),
        (
            int(constants.TUNE_PATIENT_MAX_UNITS), int(constants.TUNE_PATIENT_STALL_LIMIT),
            int(constants.TUNE_STALL_LIMIT),
        ),
        (
            float(constants.CORE_LOOP_THRESHOLD), int(constants.MAX_ROUNDS),
            int(constants.ROUND_STRIDE), int(constants.HIERARCHY_SUB_TUNE_LIMIT),
            int(constants.TUNE_ITERATION_LIMIT), int(constants.TUNE_PATIENT_STALL_LIMIT),
        ),
        _search_settings(),
    )  # fmt: skip


def _search_settings() -> tuple:
    """The search constants as the kernels of small networks take them, as they are now:
    (core loop limit, aggregated core loop limit, random sweeps, exact minimum links,
    alternate coarse tune, sweep threshold, tune threshold)."""
    return (
        int(constants.CORE_LOOP_LIMIT), int(constants.AGGREGATED_CORE_LOOP_LIMIT),
        bool(constants.RANDOM_CORE_LOOP_LIMIT), int(constants.AGGREGATE_EXACT_MIN_LINKS),
        bool(constants.ALTERNATE_COARSE_TUNE), float(constants.CORE_LOOP_THRESHOLD),
        float(constants.TUNE_RELATIVE_THRESHOLD),
    )  # fmt: skip


def _module_costs(module_cost: float, meta_total: float) -> ModuleCosts:
    """The objective's module terms of the searches of the kernels of small networks (no
    preferred number of modules, no meta data)."""
    return ModuleCosts(float(module_cost), 0, 0.0, 0, float(meta_total))


def _next_split(sub, n_sub, fine, found, unit_of, queued):
    """The next level's modules where this level's search knows them: a new module that
    groups several of the search's modules splits into those; one that is a module of the
    search splits into the submodules its coarse tune found (``found``, per unit). None
    where some queued node has neither."""
    fine_count = _children_per_parent(sub, fine, n_sub)
    grouped = fine_count[sub] > 1
    if found is None:
        if not grouped[queued].all():
            return None
        return np.where(grouped, fine, 0)
    offset = int(fine.max()) + 1
    return np.where(grouped, fine, offset + found[unit_of])


def tune_leaf_modules(
    leaf: Units,
    flow: Flow,
    paths: np.ndarray,
    seed: int,
    pool: Executor | None = None,
    module_cost: float = 0.0,
    meta_rate: float = 0.0,
) -> np.ndarray:
    """Move nodes between sibling leaf modules (and merge siblings) while that shortens
    the codelength, everything above the leaf modules fixed: the fine tune of a tree.
    A parent may be left with a single child (collapse_single_child_modules removes it).

    Under a fixed parent, a move changes only the two leaf modules' codebooks and the
    parent's codebook, which is the two-level objective of the search with the parent's
    exit flow, so the core loop and aggregation do it for all parents at once.

    Without recorded teleportation, where :func:`_recursion_in_one_call` says so,
    ``_leaf_tune.tune_leaf_modules`` takes these steps in one kernel call (this function
    is its reference)."""
    if flow.teleport_source is None and _recursion_in_one_call(leaf, pool, meta_rate):
        return _leaf_tune.tune_leaf_modules(
            leaf.arrays, flow.out_ptr, flow.out_idx, flow.out_flow,
            np.ascontiguousarray(paths, dtype=np.int64), np.uint64(int(seed) % 2**64),
            _module_costs(module_cost, leaf.meta_total), leaf.undirected,
            float(leaf.tele_total), _search_settings(),
        )  # fmt: skip
    paths = np.array(paths, dtype=np.int64)
    n, depth = paths.shape
    keys = prefix_keys(paths)
    key_table = np.array(keys)  # (depth, n)
    leaf_depth = (paths >= 0).sum(axis=1)
    offsets = np.cumsum([0] + [int(key.max()) + 1 for key in keys])
    rows = np.arange(n)
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
    leaf_module = leaf_module_ids(paths)
    n_leaf_modules = int(leaf_module.max()) + 1
    unit_of, n_units = K.compact_labels(
        np.where(tuned, rows, n + leaf_module), n + n_leaf_modules
    )
    parent_of_unit = np.zeros(n_units, dtype=np.int64)
    parent_of_unit[unit_of] = np.where(tuned, parent_of, n_parents + leaf_module)
    module_of = np.zeros(n_units, dtype=np.int64)
    module_of[unit_of] = leaf_module
    units = aggregate(leaf, unit_of, n_units).with_parent(parent_of_unit)
    ctx = new_context(
        units, seed, np.concatenate([parent_exit, np.zeros(n_leaf_modules)]), pool, module_cost,
        meta_rate=meta_rate,
    )  # fmt: skip
    new_of_unit, _ = find_modules(units, ctx, module_of)
    new_leaf = new_of_unit[unit_of]
    # the new leaf modules, numbered after their siblings' ids
    local = _pair_ids(parent_of, new_leaf)[1]
    # (a tuned parent's children are all leaf modules, so the new ids meet no others)
    paths[rows[tuned], leaf_depth[tuned] - 1] = local[tuned]
    return paths
