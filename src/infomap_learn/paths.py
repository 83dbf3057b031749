"""Module paths: a module tree as an (n_nodes, depth) integer array.

Row ``i`` is node ``i``'s path from the top: ``paths[i, 0]`` its top module among the top
modules, ``paths[i, 1]`` its submodule within that one, and so on, ``-1`` below a node's
depth (a node whose branch is shallower). Level ``l`` (0-based here, 1-based in the public
API's ``level=`` and ``labels_at``) is column ``l``. The search, the tree, the map equation
and every writer read module trees through these two functions.
"""

from __future__ import annotations

import numpy as np

__all__ = ["canonical_paths", "prefix_keys"]


def prefix_keys(paths: np.ndarray) -> list[np.ndarray]:
    """One array per level: the id of each node's module at that level (-1 for none).

    Ids are numbered in lexicographic order of the path prefix (depth-first order of the
    tree); a module is identified by its parent's id and its own column value.
    """
    n, depth = paths.shape
    keys = []
    parent = np.zeros(n, dtype=np.int64)
    for level in range(depth):
        column = paths[:, level]
        present = column >= 0
        key = np.full(n, -1, dtype=np.int64)
        if present.any():
            width = int(column.max()) + 1
            combined = parent[present] * width + column[present]
            _, key[present] = np.unique(combined, return_inverse=True)
        keys.append(key)
        parent = key
    return keys



def canonical_paths(paths: np.ndarray, node_flow: np.ndarray) -> np.ndarray:
    """Renumber sibling modules 0, 1, ... by decreasing flow (ties by first node)."""
    paths = np.asarray(paths, dtype=np.int64)
    n, depth = paths.shape
    out = np.full_like(paths, -1)
    keys = prefix_keys(paths)
    parent = np.zeros(n, dtype=np.int64)
    for level in range(depth):
        key = keys[level]
        present = key >= 0
        k = int(key.max()) + 1
        flow = np.bincount(key[present], node_flow[present], k)
        first = np.full(k, n, dtype=np.int64)
        np.minimum.at(first, key[present], np.flatnonzero(present))
        module_parent = np.zeros(k, dtype=np.int64)
        module_parent[key[present]] = parent[present]
        order = np.lexsort((first, -flow, module_parent))
        rank = np.empty(k, dtype=np.int64)
        # rank within parent: position in sorted order minus the parent's start
        sorted_parent = module_parent[order]
        starts = np.flatnonzero(np.r_[True, sorted_parent[1:] != sorted_parent[:-1]])
        start_of = np.repeat(starts, np.diff(np.r_[starts, k]))
        rank[order] = np.arange(k) - start_of
        out[present, level] = rank[key[present]]
        parent = np.where(present, key, parent)
    return out
