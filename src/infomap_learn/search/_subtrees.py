"""Two module trees with the same top modules, mixed: each top module keeps the shorter of
its two subtrees (the map equation's terms of different top modules are independent)."""

from __future__ import annotations

import numpy as np

from ..flow import Flow
from ..mapequation import MetaData, meta_costs, module_flows
from ..mapequation import plogp as _plogp
from ..paths import leaf_module_ids, prefix_keys
from . import _constants as constants
from ._dissolve import collapse_single_child_modules


def _subtree_codelengths(
    flow: Flow, paths: np.ndarray, meta: MetaData | None = None, module_cost: float = 0.0
) -> np.ndarray:
    """Each top module's share of the codelength of the tree ``paths``: the codebooks of
    the module and of every module below it, their modules' ``module_cost`` and the leaf
    modules' meta-data term at its rate. The root's index codebook (and anything that
    counts top modules) is left out: two trees with the same top modules differ by the
    sum of their shares' differences."""
    keys = prefix_keys(paths)
    top = keys[0]
    n_top = int(top.max()) + 1
    share = np.zeros(n_top)
    p = flow.node_flow
    for level, key in enumerate(keys):
        present = key >= 0
        k = int(key.max()) + 1
        top_of = np.zeros(k, dtype=np.int64)
        top_of[key[present]] = top[present]
        _, _, exit_flow = module_flows(flow, key, k)
        below = keys[level + 1] if level + 1 < len(keys) else np.full_like(key, -1)
        leaf = present & (below < 0)
        # (float even where no leaf node lies at this level)
        child_sum = np.bincount(key[leaf], p[leaf], k).astype(np.float64)
        child_plogp = np.bincount(key[leaf], _plogp(p[leaf]), k).astype(np.float64)
        if (below >= 0).any():
            sub_k = int(below.max()) + 1
            _, sub_enter, _ = module_flows(flow, below, sub_k)
            sub_parent = np.zeros(sub_k, dtype=np.int64)
            sub_parent[below[below >= 0]] = key[below >= 0]
            child_sum += np.bincount(sub_parent, sub_enter, k)
            child_plogp += np.bincount(sub_parent, _plogp(sub_enter), k)
        terms = _plogp(exit_flow + child_sum) - _plogp(exit_flow) - child_plogp + module_cost
        share += np.bincount(top_of, terms, n_top)
    if meta is not None and meta.rate:
        leaf = leaf_module_ids(paths)
        k = int(leaf.max()) + 1
        top_of = np.zeros(k, dtype=np.int64)
        top_of[leaf] = top
        costs = meta_costs(leaf, meta.categories, meta.weights, k, with_total=not meta.physical)
        share += meta.rate * np.bincount(top_of, costs, n_top)
    return share


def best_subtrees(
    flow: Flow,
    paths: np.ndarray,
    other: np.ndarray,
    meta: MetaData | None = None,
    module_cost: float = 0.0,
) -> np.ndarray:
    """The tree ``paths`` with the subtree of each top module replaced by ``other``'s
    where that is shorter. The two trees must have the same top modules (ids may differ);
    the codelength terms of different top modules are independent, so the result is at
    most as long as either tree. Returns ``paths`` itself where no subtree is shorter."""
    original = paths
    width = max(paths.shape[1], other.shape[1])
    paths, other = (
        np.pad(tree, ((0, 0), (0, width - tree.shape[1])), constant_values=-1)
        for tree in (paths, other)
    )
    mine = _subtree_codelengths(flow, paths, meta, module_cost)
    theirs = _subtree_codelengths(flow, other, meta, module_cost)
    top = prefix_keys(paths[:, :1])[0]
    take = (theirs < mine - constants.CORE_LOOP_THRESHOLD)[top]
    if not take.any():
        return original
    mixed = paths.copy()
    mixed[take, 1:] = other[take, 1:]
    depth = int(np.flatnonzero((mixed >= 0).any(axis=0)).max()) + 1
    return collapse_single_child_modules(mixed[:, :depth])
