"""Module paths: a module tree as an (n_nodes, depth) integer array.

Row ``i`` is node ``i``'s path from the top: ``paths[i, 0]`` its top module among the top
modules, ``paths[i, 1]`` its submodule within that one, and so on, ``-1`` below a node's
depth (a node whose branch is shallower). Level ``l`` (0-based here, 1-based in the public
API's ``level=`` and ``labels_at``) is column ``l``. The search, the tree, the map equation,
the writers and the views read module trees through these functions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._kernels import compact_labels, prefix_key_table

__all__ = ["ModuleLevel", "canonical_paths", "leaf_module_ids", "module_levels", "prefix_keys"]


def prefix_keys(paths: np.ndarray) -> list[np.ndarray]:
    """One array per level: the id of each node's module at that level (-1 for none).

    Ids are numbered in lexicographic order of the path prefix (depth-first order of the
    tree); a module is identified by its parent's id and its own column value.

    Examples
    --------
    >>> import numpy as np
    >>> keys = prefix_keys(np.array([[0, 0], [0, 1], [1, -1], [1, -1]]))
    >>> [key.tolist() for key in keys]
    [[0, 0, 1, 1], [0, 1, -1, -1]]
    """
    table = prefix_key_table(np.ascontiguousarray(paths, dtype=np.int64))
    return list(table)


def _prefix_keys_reference(paths: np.ndarray) -> list[np.ndarray]:
    """``prefix_keys`` in plain numpy: the reference of ``_kernels.prefix_key_table``."""
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
    """Renumber sibling modules 0, 1, ... by decreasing flow (ties by first node).

    Examples
    --------
    >>> import numpy as np
    >>> paths = np.array([[0, 0], [0, 1], [1, -1]])
    >>> canonical_paths(paths, np.array([0.1, 0.2, 0.7])).tolist()
    [[1, 1], [1, 0], [0, -1]]
    """
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


@dataclass(frozen=True)
class ModuleLevel:
    """The modules at one level of a module tree: the one per-level aggregation that the
    text, HTML and plot views read.

    Module ids are those of :func:`prefix_keys` at this level (depth-first order of the
    tree). Nodes whose branch ends above this level belong to no module here.

    Examples
    --------
    >>> import numpy as np
    >>> paths = np.array([[0, 0], [0, 1], [0, 1], [1, -1]])
    >>> top, sub = module_levels(paths, np.array([0.1, 0.2, 0.4, 0.3]))
    >>> top.size.tolist(), top.top_nodes(0).tolist(), top.top_nodes(0, limit=2).tolist()
    ([3, 1], [2, 1, 0], [2, 1])
    >>> sub.children_of(0).tolist(), sub.label.tolist()
    ([1, 0], [1, 2])
    """

    flow: np.ndarray  # flow of each module
    size: np.ndarray  # number of nodes under each module
    label: np.ndarray  # 1-based number among its siblings (the last entry of its path + 1)
    parent: np.ndarray  # id of its parent module at the level above (0: the root)
    members: np.ndarray  # nodes grouped by module, each group by decreasing flow, then index
    member_start: np.ndarray  # module i's: members[member_start[i]:member_start[i + 1]]
    by_parent: np.ndarray  # module ids grouped by parent, siblings by decreasing flow, then path
    parent_start: np.ndarray  # parent p's: by_parent[parent_start[p]:parent_start[p + 1]]

    def children_of(self, parent: int) -> np.ndarray:
        """Ids of the modules under ``parent`` (an id at the level above; 0 at the top),
        by decreasing flow.

        Examples
        --------
        >>> import numpy as np
        >>> top, sub = module_levels(np.array([[0, 0], [0, 1], [1, 0]]), np.array([.2, .5, .3]))
        >>> top.children_of(0).tolist(), sub.children_of(0).tolist()
        ([0, 1], [1, 0])
        """
        return self.by_parent[self.parent_start[parent] : self.parent_start[parent + 1]]

    def top_nodes(self, module: int, limit: int | None = None) -> np.ndarray:
        """The nodes of ``module`` by decreasing flow (ties by index), at most ``limit``.

        Examples
        --------
        >>> import numpy as np
        >>> (top,) = module_levels(np.array([[0], [0], [0]]), np.array([.2, .5, .3]))
        >>> top.top_nodes(0).tolist(), top.top_nodes(0, limit=2).tolist()
        ([1, 2, 0], [1, 2])
        """
        begin, end = int(self.member_start[module]), int(self.member_start[module + 1])
        return self.members[begin : end if limit is None else min(end, begin + limit)]


def leaf_module_ids(paths: np.ndarray) -> np.ndarray:
    """Each node's leaf module (the deepest module of its path) as one id across levels,
    numbered in order of first appearance.

    Examples
    --------
    >>> leaf_module_ids(np.array([[0, 0], [0, 1], [1, -1], [1, -1]])).tolist()
    [0, 1, 2, 2]
    """
    paths = np.asarray(paths, dtype=np.int64)
    keys = np.array(prefix_keys(paths)).reshape(paths.shape[1], paths.shape[0])
    depth = (paths >= 0).sum(axis=1)
    width = int(keys.max()) + 1 if keys.size else 1
    deepest = keys[depth - 1, np.arange(paths.shape[0])] + width * (depth - 1)
    return compact_labels(deepest, int(deepest.max()) + 1 if deepest.size else 0)[0]


def module_levels(
    paths: np.ndarray, node_flow: np.ndarray, max_depth: int | None = None
) -> list[ModuleLevel]:
    """Per-level module aggregates of a module tree, vectorised over nodes.

    Parameters
    ----------
    paths : ndarray of int, shape (n, depth)
        Module paths (-1 below a node's depth).
    node_flow : ndarray of float, shape (n,)
        Flow of each node.
    max_depth : int, optional
        Only the top ``max_depth`` levels.

    Returns
    -------
    list of ModuleLevel
        One per level, the top first.

    Examples
    --------
    >>> import numpy as np
    >>> paths = np.array([[0, 0], [0, 1], [1, -1]])
    >>> top, sub = module_levels(paths, np.array([0.5, 0.3, 0.2]))
    >>> top.flow.tolist(), top.children_of(0).tolist(), sub.children_of(0).tolist()
    ([0.8, 0.2], [0, 1], [0, 1])
    >>> top.top_nodes(0).tolist(), sub.label.tolist()
    ([0, 1], [1, 2])
    """
    paths = np.asarray(paths, dtype=np.int64)
    node_flow = np.asarray(node_flow, dtype=np.float64)
    keys = prefix_keys(paths)
    if max_depth is not None:
        keys = keys[:max_depth]
    levels = []
    n_parents = 1  # the root
    for level, key in enumerate(keys):
        nodes = np.flatnonzero(key >= 0)
        ids = key[nodes]
        k = int(ids.max()) + 1 if ids.size else 0
        label = np.zeros(k, dtype=np.int64)
        label[ids] = paths[nodes, level] + 1
        parent = np.zeros(k, dtype=np.int64)
        if level > 0:
            parent[ids] = keys[level - 1][nodes]
        flow = np.bincount(ids, weights=node_flow[nodes], minlength=k)
        size = np.bincount(ids, minlength=k)
        by_parent = np.lexsort((np.arange(k), -flow, parent))
        levels.append(
            ModuleLevel(
                flow=flow,
                size=size,
                label=label,
                parent=parent,
                members=nodes[np.lexsort((nodes, -node_flow[nodes], ids))],
                member_start=np.concatenate(([0], np.cumsum(size))),
                by_parent=by_parent,
                parent_start=np.searchsorted(parent[by_parent], np.arange(n_parents + 1)),
            )
        )
        n_parents = k
    return levels


def assign_to_neighbouring_modules(
    paths: np.ndarray, source: np.ndarray, target: np.ndarray
) -> np.ndarray:
    """Module paths with every node that has none (a row of -1) put in a neighbour's leaf
    module, as Infomap's ``--assign-to-neighbouring-module`` does.

    Nodes are taken in index order; each joins the leaf module of its first out-link
    target (by index) that has a module, else of its first in-link source, else a new top
    module of its own. A node placed earlier counts as having a module. The links are
    ``source -> target``. An undirected link counts as an out-link of its source: the
    smaller node index in a ``Network``, while Infomap keeps the direction the file wrote,
    so the two agree on undirected files that write each link from its smaller id.

    Examples
    --------
    >>> import numpy as np
    >>> paths = np.array([[0, 0], [-1, -1], [1, 0], [-1, -1]])
    >>> assign_to_neighbouring_modules(paths, np.array([1, 0, 3]), np.array([2, 1, 3])).tolist()
    [[0, 0], [1, 0], [1, 0], [2, -1]]
    """
    paths = np.array(paths, dtype=np.int64)
    orphans = np.flatnonzero(paths[:, 0] < 0)
    if not orphans.size:
        return paths
    source = np.asarray(source, dtype=np.int64)
    target = np.asarray(target, dtype=np.int64)
    out_order = np.lexsort((target, source))
    in_order = np.lexsort((source, target))
    out_start = np.searchsorted(source[out_order], np.arange(paths.shape[0] + 1))
    in_start = np.searchsorted(target[in_order], np.arange(paths.shape[0] + 1))
    next_top = int(paths[:, 0].max()) + 1 if (paths[:, 0] >= 0).any() else 0
    for u in orphans.tolist():  # (orphans are few; each looks at its own links only)
        outs = target[out_order[out_start[u] : out_start[u + 1]]]
        ins = source[in_order[in_start[u] : in_start[u + 1]]]
        for v in np.concatenate([outs, ins]).tolist():
            if v != u and paths[v, 0] >= 0:
                paths[u] = paths[v]
                break
        else:
            paths[u] = -1
            paths[u, 0] = next_top
            next_top += 1
    return paths
