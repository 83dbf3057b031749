"""Below the top modules of a distributed hierarchy: each top module searched again from
its nodes, on the workers, as Infomap's multilevel search does on one machine.

The map equation's terms of different top modules are independent once each module's
exit and enter flows are known, so a top module can be searched alone: its nodes, the
links inside it, and one *outside* node standing for the rest of the network (linked
from and to each node with the flow that node sends out of the module and receives from
outside). The top modules are dealt into groups by size; a task per group gathers its
modules' links from the shards (split there by group), re-partitions every module from
its nodes (:func:`infomap_learn.search._recursive_partition`: a two-level search with
tuning, super-modules inside, recursively while a split shortens the code), and keeps,
per top module, the shorter of that subtree and the one it had. The client then holds
the paths and the exact codelength: the top modules' index codebook plus the modules'
own terms, which each group computes.
"""

from __future__ import annotations

import operator

import numpy as np

from ..mapequation import plogp
from . import _search, _shards

_MAX_GROUPS = 32
_SUB_TRIALS = 3
_GROUP_SEED_MIX = 1_000_003


def repartitioned(cluster, level0, paths: np.ndarray, seed: int) -> tuple[np.ndarray, float]:
    """The tree ``paths`` (of ``level0``'s nodes) with every top module's subtree searched
    again from its nodes where that is shorter, and its codelength."""
    top, _ = _compact(paths[:, 0])
    n_top = int(top.max()) + 1
    group_of_module = _groups(np.bincount(top, minlength=n_top), min(_MAX_GROUPS, n_top))
    group_of_node = group_of_module[top]
    n_groups = int(group_of_module.max()) + 1

    def attempt():
        parts = _search._call_with_modules(
            cluster, _shards.crossing, level0, _search._wire(top)
        )  # fmt: skip
        leaving = np.concatenate([part[0] for part in parts])
        arriving = np.concatenate([part[-1] for part in parts])
        pieces = _search._call_with_modules(
            cluster, _shards.internal_links, level0, _search._wire(top), method="futures",
            group_of_module=group_of_module,
        )  # fmt: skip
        client, tasks, members = cluster.client, [], []
        for group in range(n_groups):
            nodes = np.flatnonzero(group_of_node == group)
            members.append(nodes)
            own = [client.submit(operator.getitem, piece, group, pure=False) for piece in pieces]
            arrays = (
                nodes, level0.node_flow[nodes], leaving[nodes], arriving[nodes], top[nodes],
                paths[nodes, 1:],
            )  # fmt: skip
            cluster.sent += _search._nbytes(list(arrays))
            tasks.append(client.submit(
                _group_subtrees, own, *arrays, seed * _GROUP_SEED_MIX + group, pure=False,
            ))  # fmt: skip
        results = client.gather(tasks)
        cluster.received += sum(_search._nbytes(list(r)) for r in results)
        return leaving, arriving, members, results

    leaving, arriving, members, results = cluster.retried(attempt)
    width = 1 + max(below.shape[1] for below, _ in results)
    tree = np.full((paths.shape[0], width), -1, dtype=np.int64)
    tree[:, 0] = top
    for nodes, (below, _) in zip(members, results):
        tree[nodes, 1 : 1 + below.shape[1]] = below
    enter = np.bincount(top, arriving, n_top)
    index_codebook = float(plogp(enter.sum()) - plogp(enter).sum())
    return tree, index_codebook + sum(share for _, share in results)


def _compact(labels: np.ndarray) -> tuple[np.ndarray, int]:
    present, compact = np.unique(labels, return_inverse=True)
    return compact.reshape(-1).astype(np.int64), present.size


def _groups(size: np.ndarray, n_groups: int) -> np.ndarray:
    """Modules dealt into ``n_groups`` groups by decreasing size (ties by id), so that
    the groups hold similar numbers of nodes and depend on the modules only."""
    order = np.lexsort((np.arange(size.size), -size))
    group = np.empty(size.size, dtype=np.int64)
    group[order] = np.arange(size.size) % n_groups
    return group


def _group_subtrees(pieces, nodes, node_flow, leaving, arriving, top, below, seed):
    """On a worker: the subtrees of a group's top modules (each searched again from its
    nodes, or the one of ``below`` where that is shorter) and the sum of their terms."""
    from ..flow import Flow
    from ..search import _recursive_partition, leaf_units
    from ..search._constants import CORE_LOOP_THRESHOLD
    from ..search._subtrees import _subtree_codelengths

    n = nodes.size
    source = np.concatenate([p[0] for p in pieces])
    target = np.concatenate([p[1] for p in pieces])
    flow = np.concatenate([p[2] for p in pieces])
    out, into = np.flatnonzero(leaving > 0), np.flatnonzero(arriving > 0)
    outside = np.full(max(out.size, into.size), n)
    flow_graph = Flow.from_links(
        np.append(node_flow, max(1.0 - float(node_flow.sum()), 0.0)),
        np.concatenate([np.searchsorted(nodes, source), out, outside[: into.size]]),
        np.concatenate([np.searchsorted(nodes, target), outside[: out.size], into]),
        np.concatenate([flow, leaving[out], arriving[into]]),
        undirected=False, flow_model="precomputed",
    )  # fmt: skip
    local_top, n_top = _compact(top)
    modules = np.append(local_top, n_top)  # (the outside node: a module of its own)
    units = leaf_units(flow_graph)
    trees = [_recursive_partition(units, modules, seed + trial) for trial in range(_SUB_TRIALS)]
    width = max(1 + below.shape[1], *(tree.shape[1] for tree in trees))
    kept = np.full((n + 1, width), -1, dtype=np.int64)
    kept[:, 0] = modules
    kept[:n, 1 : 1 + below.shape[1]] = below
    chosen = kept[:n, 1:]
    best = _subtree_codelengths(flow_graph, kept)[:n_top]
    for tree in trees:
        tree = np.pad(tree, ((0, 0), (0, width - tree.shape[1])), constant_values=-1)
        theirs = _subtree_codelengths(flow_graph, tree)[:n_top]
        take = theirs < best - CORE_LOOP_THRESHOLD
        chosen = np.where(take[local_top][:, None], tree[:n, 1:], chosen)
        best = np.where(take, theirs, best)
    depth = int(np.flatnonzero((chosen >= 0).any(axis=0)).max()) + 1 if (chosen >= 0).any() else 0
    return chosen[:, :depth], float(best.sum())
