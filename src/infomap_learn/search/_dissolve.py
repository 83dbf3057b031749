"""Reshaping a finished tree: dissolving modules into their parents where that shortens
the codelength, and removing levels that hold a single child."""

from __future__ import annotations

import numpy as np

from ..flow import Flow
from ..mapequation import module_flows
from ..mapequation import plogp as _plogp
from ..paths import prefix_keys
from . import _constants as constants
from ._dissolve_kernel import collapse_single_child_modules as _collapse_in_one_call
from ._dissolve_kernel import dissolve_modules as _dissolve_in_one_call
from ._hierarchy import _children_per_parent


def dissolve_modules(
    flow: Flow, paths: np.ndarray, module_cost: float = 0.0, preferred_modules: int = 0,
    keep_top: bool = False, in_one_call: bool = True,
) -> np.ndarray:
    """Dissolve modules into their parents while that shortens the codelength.

    Dissolving module M (children c, exit x_M, enter e_M) under parent P (exit x_P, its
    children's codeword rates summing to S_P; the root has no exit) drops M's codebook and
    puts M's children in P's. Children keep their enter rates, so the codelength changes by

        plogp(x_P + S_P - e_M + C) - plogp(x_P + S_P) + plogp(e_M) - plogp(x_M + C)
        + plogp(x_M),     C = sum of the children's rates,

    which is computed for every module at once, less ``module_cost`` (one module fewer). In
    each round the best module of every parent is dissolved unless an ancestor is dissolved
    in the same round; under a preferred number of top modules, which couples them, the best
    set of top modules (:func:`top_set_deltas`). Only modules of modules are dissolved: a
    leaf module's nodes would land beside modules, a tree shape that Infomap does not define
    a codelength for. ``keep_top``: the top modules stay (the distributed search dissolves
    them on the client, where the root is known).

    Without a preferred number of modules and without recorded teleportation the rounds
    run in one kernel call, ``_dissolve_kernel.dissolve_modules``; these steps are its
    reference (``in_one_call=False``).
    """
    if in_one_call and not preferred_modules and flow.teleport_source is None:
        return _dissolve_in_one_call(
            np.ascontiguousarray(flow.node_flow, dtype=np.float64), flow.out_ptr,
            flow.out_idx, flow.out_flow, np.ascontiguousarray(paths, dtype=np.int64),
            float(module_cost), bool(keep_top), float(constants.CORE_LOOP_THRESHOLD),
            int(constants.MAX_ROUNDS),
        )  # fmt: skip
    paths = np.array(paths, dtype=np.int64)
    n = paths.shape[0]
    p = flow.node_flow
    for _ in range(constants.MAX_ROUNDS):
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
                # (summed in order, as the kernel does: numpy's sum is pairwise)
                s_p = np.full(k, np.cumsum(stats[0][1])[-1])
            else:
                x_p = stats[level - 1][2][parent_of[level]]
                s_p = child_sum[level - 1][parent_of[level]]
            delta = (
                _plogp(x_p + s_p - enter + C) - _plogp(x_p + s_p) + _plogp(enter)
                - _plogp(exit_ + C) + _plogp(exit_)
                - module_cost  # (one module fewer)
            )
            is_leaf_module = np.ones(k, dtype=bool)
            if level + 1 < depth:
                sub = keys[level + 1]
                is_leaf_module[key[sub >= 0]] = False
            # A leaf module's nodes would land beside modules: Infomap's trees never mix
            # nodes and modules under one parent (its codelength is not defined for that).
            allowed = ~is_leaf_module & ~has_leaf[level] & (level > 0 or not keep_top)
            present = key >= 0
            blocked_module = np.zeros(k, dtype=bool)
            blocked_module[key[present & blocked]] = True
            candidate = allowed & ~blocked_module & (delta < -constants.CORE_LOOP_THRESHOLD)
            # the best candidate of each parent
            best = np.zeros(k, dtype=bool)
            if level == 0 and preferred_modules and allowed.any():
                # (the preference couples the top modules: the best set, not the best one;
                # its terms for one module are ``delta``'s and the penalty's)
                sets, set_delta = top_set_deltas(
                    allowed, enter, exit_, C, np.bincount(parent_of[1], minlength=k),
                    module_cost, preferred_modules,
                )  # fmt: skip
                if set_delta.min() < -constants.CORE_LOOP_THRESHOLD:
                    best = sets[int(np.argmin(set_delta))]
                    any_chosen = True
            elif candidate.any():
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
            # (siblings dissolved together, all top modules, one after another: their
            # children's ids must stay apart)
            for module in np.unique(key[nodes]) if level == 0 else [None]:
                moved = nodes if module is None else nodes & (key == module)
                if level + 1 < depth:
                    # M's children move up one level with ids apart from M's siblings
                    below = paths[moved, level + 1]
                    offset = int(paths[:, level].max()) + 1
                    paths[moved, level + 1] = np.where(below >= 0, below + offset, -1)
                paths[moved, level:-1] = paths[moved, level + 1 :]
                paths[moved, -1] = -1
        while paths.shape[1] > 1 and (paths[:, -1] < 0).all():
            paths = paths[:, :-1]
    return paths


def top_set_deltas(
    allowed: np.ndarray,
    enter: np.ndarray,
    exit_: np.ndarray,
    child_sum: np.ndarray,
    n_children: np.ndarray,
    module_cost: float = 0.0,
    preferred_modules: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Sets of top modules to dissolve together (boolean rows over the top modules) and
    the change of the codelength that dissolving each set makes: every non-empty set of
    the ``allowed`` ones if there are at most ``constants.TOP_SET_MAX_MODULES``, else
    each one alone.

    Dissolving a set D of top modules (enter e, exit x, children's rates C, c children
    each) changes the codelength by

        plogp(S + sum_D (C - e)) - plogp(S) + sum_D [plogp(e) - plogp(x + C) + plogp(x)]
        - |D| module_cost + |k + sum_D (c - 1) - preferred| - |k - preferred|,

    with S the top modules' enter rates summed and k their number (the penalty only with
    a ``preferred_modules``): the :func:`dissolve_modules` change of one module, whose
    root term and penalty couple the modules of a set.

    Examples
    --------
    >>> sets, delta = top_set_deltas(
    ...     np.array([True, True, False]), np.full(3, 0.1), np.full(3, 0.1),
    ...     np.full(3, 0.3), np.array([3, 3, 4]), 0.0, 7,
    ... )
    >>> sets.astype(int).tolist(), (delta[2] < delta[:2]).tolist()
    ([[1, 0, 0], [0, 1, 0], [1, 1, 0]], [True, True])
    """
    idx = np.flatnonzero(allowed)
    k = enter.shape[0]
    if idx.size > constants.TOP_SET_MAX_MODULES:
        chosen = np.eye(idx.size)
    else:
        subsets = np.arange(1, 1 << idx.size)
        chosen = ((subsets[:, None] >> np.arange(idx.size)) & 1).astype(np.float64)
    e, x, c = enter[idx], exit_[idx], child_sum[idx]
    total = enter.sum()
    own = _plogp(e) - _plogp(x + c) + _plogp(x) - module_cost
    delta = _plogp(total + chosen @ (c - e)) - _plogp(np.array([total])) + chosen @ own
    if preferred_modules:
        delta += (
            np.abs(k + chosen @ (n_children[idx] - 1) - preferred_modules)
            - abs(k - preferred_modules)
        )  # fmt: skip
    sets = np.zeros((chosen.shape[0], k), dtype=bool)
    sets[:, idx] = chosen > 0
    return sets, delta


def collapse_single_child_modules(paths: np.ndarray, in_one_call: bool = True) -> np.ndarray:
    """Remove the redundant level below every module whose only child is one submodule.

    Such a module and its child hold the same nodes and enter flow, so dropping the child
    level saves the module's own codebook (a codelength never lower than zero) and changes
    nothing else. The module keeps its id, so sibling ids stay distinct. Runs in one kernel
    call, ``_dissolve_kernel.collapse_single_child_modules``; these steps are its reference
    (``in_one_call=False``).

    Examples
    --------
    >>> import numpy as np
    >>> collapse_single_child_modules(np.array([[0, 0, 0], [0, 0, 1], [1, 0, -1]])).tolist()
    [[0, 0], [0, 1], [1, -1]]
    """
    if in_one_call:
        return _collapse_in_one_call(np.ascontiguousarray(paths, dtype=np.int64))
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
