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
per top module, the shorter of that subtree and the one it had, then dissolves modules
below the top and moves them under siblings where that pays (their terms are the
group's own). The client then holds the paths and the exact codelength: the top
modules' index codebook plus the modules' own terms, which each group computes; and it
dissolves top modules into the root and moves top modules under others where that pays,
from each group's flows of its modules and the flow between top modules (Infomap's trees
are tuned so too).
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
        return arriving, members, results

    arriving, members, results = cluster.retried(attempt)
    enter = np.bincount(top, arriving, n_top)
    index_codebook = float(plogp(enter.sum()) - plogp(enter).sum())
    codelength = index_codebook + sum(share for _, share, _ in results)
    tree, gain, modules = _dissolved_tops(
        paths.shape[0], members, [below for below, _, _ in results],
        [records for _, _, records in results],
    )  # fmt: skip
    _, source, target, flow, _ = _search.aggregate(cluster, level0, tree[:, 0])
    tree, absorbed_gain = _absorbed_tops(tree, source, target, flow, modules)
    return tree, codelength + gain + absorbed_gain


def _absorbed_tops(tree: np.ndarray, source, target, flow, modules: dict):
    """The tree with top modules moved under other top modules (as their children), one
    at a time, the best first, while that shortens the code; and the summed change.

    ``source, target, flow``: the flow between the top modules (numbered in the order of
    their ids in ``tree[:, 0]``); ``modules``: enter, exit and children flows and whether
    its children are modules, by module id. Moving M under N (N's children all modules)
    drops M's codeword from the root, merges their boundary (``w``, the flow between
    them, no longer crosses it) and adds M's enter flow to N's codebook:
    ``plogp(S') - plogp(S) - plogp(e_N') + plogp(e_N) + plogp(x_N' + C_N + e_M)
    - plogp(x_N') - plogp(x_N + C_N) + plogp(x_N)``, ``e_N' = e_N + e_M - w``, ``x_N' =
    x_N + x_M - w``, ``S' = S - e_M - e_N + e_N'`` (M's own codebook stays)."""
    ids = np.unique(tree[:, 0])
    enter = modules["enter"][ids].copy()
    exit_ = modules["exit"][ids].copy()
    children = modules["children"][ids].copy()
    receives = modules["allowed"][ids].copy()
    total, gain = float(enter.sum()), 0.0
    crossing = source != target
    source, target, flow = source[crossing], target[crossing], flow[crossing]
    moves = []
    while source.size:
        # flow between each pair of top modules, both ways; each pair a move either way
        low, high = np.minimum(source, target), np.maximum(source, target)
        pairs, inverse = np.unique(low * ids.size + high, return_inverse=True)
        between = np.bincount(inverse.reshape(-1), flow, pairs.size)
        first, second = np.divmod(pairs, ids.size)
        mover = np.concatenate([first, second])
        receiver = np.concatenate([second, first])
        w = np.concatenate([between, between])
        ok = receives[receiver]
        mover, receiver, w = mover[ok], receiver[ok], w[ok]
        delta = _absorb_delta(total, enter, exit_, children, mover, receiver, w)
        good = np.flatnonzero(delta < -_search._MIN_IMPROVEMENT)
        if not good.size:
            break
        # the best moves of disjoint pairs, each applied on the root as it is then
        used = np.zeros(ids.size, dtype=bool)
        into = np.arange(ids.size)
        for move in good[np.argsort(delta[good], kind="stable")]:
            m, n = int(mover[move]), int(receiver[move])
            if used[m] or used[n]:
                continue
            change = float(_absorb_delta(total, enter, exit_, children, m, n, w[move]))
            if not change < -_search._MIN_IMPROVEMENT:
                continue
            used[m] = used[n] = True
            e_joined = enter[n] + enter[m] - w[move]
            total += float(e_joined - enter[m] - enter[n])
            children[n] += enter[m]
            enter[n], exit_[n] = e_joined, exit_[n] + exit_[m] - w[move]
            gain += change
            into[m] = n
            moves.append((ids[m], ids[n]))
        source, target = into[source], into[target]  # (M's links are N's now)
        crossing = source != target
        source, target, flow = source[crossing], target[crossing], flow[crossing]
    for moved, into in moves:
        rows = tree[:, 0] == moved
        if tree[rows, -1].max() >= 0:  # (its rows go one level down)
            tree = np.pad(tree, ((0, 0), (0, 1)), constant_values=-1)
        place = int(tree[tree[:, 0] == into, 1].max()) + 1
        tree[rows, 2:] = tree[rows, 1:-1]
        tree[rows, 0], tree[rows, 1] = into, place
    return tree, gain


def _absorb_delta(total, enter, exit_, children, mover, receiver, w):
    """The change of the codelength when top module ``mover`` goes under ``receiver``
    (see :func:`_absorbed_tops`); arrays of moves or one."""
    e_m, e_n, x_m, x_n, c_n = (
        enter[mover], enter[receiver], exit_[mover], exit_[receiver], children[receiver]
    )  # fmt: skip
    e_joined, x_joined = e_n + e_m - w, x_n + x_m - w
    return (
        plogp(total - e_m - e_n + e_joined) - plogp(total) - plogp(e_joined) + plogp(e_n)
        + plogp(x_joined + c_n + e_m) - plogp(x_joined) - plogp(x_n + c_n) + plogp(x_n)
    )  # fmt: skip


def _dissolved_tops(n: int, members: list, below: list, records: list):
    """The tree of all groups, top modules dissolved into their parent (the root) one at
    a time, the best first, while that shortens the code (the change of
    :func:`infomap_learn.search._dissolve.dissolve_modules` for a top module: the root's
    codebook and the module's own); the summed change of the codelength; and every
    module's enter, exit and children flows and whether its children are modules, by
    the ids of the tree's top level."""
    # every module of every group and level, numbered globally
    rows, offsets, start = [], [], 0
    for group_records in records:
        group_offsets = []
        for level in range(group_records["keys"].shape[1]):
            enter, exit_, children, allowed, parent = group_records[level]
            if level:
                parent = np.where(parent >= 0, parent + group_offsets[-1], -1)
            group_offsets.append(start)
            rows.append((enter, exit_, children, allowed, parent))
            start += enter.size
        offsets.append(group_offsets)
    enter, exit_, children, allowed, parent = (
        np.concatenate([row[i] for row in rows]) for i in range(5)
    )
    is_top = np.zeros(enter.size, dtype=bool)
    for group_records, group_offsets in zip(records, offsets):
        is_top[group_offsets[0] : group_offsets[0] + group_records[0][0].size] = True
        is_top[group_offsets[0] + group_records["outside"]] = False
    dissolved = np.zeros(enter.size, dtype=bool)
    total, gain = float(enter[is_top].sum()), 0.0
    while True:
        candidates = np.flatnonzero(is_top & allowed)
        if not candidates.size:
            break
        e, x, c = enter[candidates], exit_[candidates], children[candidates]
        delta = (
            plogp(total - e + c) - plogp(total) + plogp(e) - plogp(x + c) + plogp(x)
        )
        best = int(np.argmin(delta))
        if not delta[best] < -_search._MIN_IMPROVEMENT:
            break
        module = candidates[best]
        dissolved[module], is_top[module] = True, False
        is_top[parent == module] = True
        total += float(children[module] - enter[module])
        gain += float(delta[best])
    width = 1 + max(b.shape[1] for b in below)
    tree = np.full((n, width), -1, dtype=np.int64)
    for nodes, rows, group_records, group_offsets in zip(members, below, records, offsets):
        keys = group_records["keys"]
        ids = np.where(keys >= 0, keys + np.array(group_offsets)[None, :], -1)
        # the leading modules of a node's path that were dissolved (always a prefix)
        lead = np.zeros(nodes.size, dtype=np.int64)
        still = np.ones(nodes.size, dtype=bool)
        for level in range(ids.shape[1]):
            still &= (ids[:, level] >= 0) & dissolved[np.maximum(ids[:, level], 0)]
            lead += still
        columns = np.concatenate([np.full((nodes.size, 1), -1), rows], axis=1)
        for shift in np.unique(lead):
            at = lead == shift
            shifted = columns[at, shift:]
            shifted[:, 0] = ids[at, shift]  # (a global id: unique among the root's children)
            tree[nodes[at], : shifted.shape[1]] = shifted
    depth = int(np.flatnonzero((tree >= 0).any(axis=0)).max()) + 1
    modules = {"enter": enter, "exit": exit_, "children": children, "allowed": allowed}
    return tree[:, :depth], gain, modules


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
    from ..search._absorb import absorb_modules
    from ..search._constants import CORE_LOOP_THRESHOLD
    from ..search._dissolve import collapse_single_child_modules, dissolve_modules
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
    chosen = kept.copy()
    best = _subtree_codelengths(flow_graph, kept)[:n_top]
    for tree in trees:
        tree = np.pad(tree, ((0, 0), (0, width - tree.shape[1])), constant_values=-1)
        theirs = _subtree_codelengths(flow_graph, tree)[:n_top]
        take = theirs < best - CORE_LOOP_THRESHOLD
        chosen[:n] = np.where(take[local_top][:, None], tree[:n], chosen[:n])
        best = np.where(take, theirs, best)
    # modules below the top dissolved where that pays (their terms are the group's own)
    chosen = chosen[:, : int(np.flatnonzero((chosen >= 0).any(axis=0)).max()) + 1]
    chosen = collapse_single_child_modules(dissolve_modules(flow_graph, chosen, keep_top=True))
    if chosen.shape[1] > 2:  # (and moved under siblings, below the top: the same holds)
        chosen = absorb_modules(flow_graph, chosen, top_level=False)
    shares = _subtree_codelengths(flow_graph, chosen)[:n_top]
    return chosen[:n, 1:], float(shares.sum()), _module_records(flow_graph, chosen)


def _module_records(flow, tree: np.ndarray) -> dict:
    """What the client needs to dissolve top modules (see :func:`_dissolved_tops`): each
    node's module at every level (``keys``, the outside node's row left out; its top
    module's id ``outside``: not a module of the network), and per
    module of every level its enter and exit flow, the summed enter flow of its children
    (``children``), its parent at the level above, and whether it may be dissolved (its
    children are modules, not nodes). The outside node's top module is never dissolved."""
    from ..mapequation import module_flows
    from ..paths import prefix_keys

    keys = prefix_keys(tree)
    n_levels = len(keys)
    records = {"keys": np.stack(keys, axis=1)[:-1]}
    for level, key in enumerate(keys):
        k = int(key.max()) + 1
        _, enter, exit_ = module_flows(flow, key, k)
        sub = keys[level + 1] if level + 1 < n_levels else np.full_like(key, -1)
        nodes_here = (key >= 0) & (sub < 0)
        has_sub = sub >= 0
        parent_of_sub = np.zeros(int(sub.max()) + 1, dtype=np.int64)
        parent_of_sub[sub[has_sub]] = key[has_sub]
        children = np.zeros(k)
        if has_sub.any():
            _, sub_enter, _ = module_flows(flow, sub, parent_of_sub.size)
            children = np.bincount(parent_of_sub, sub_enter, k)
        allowed = (np.bincount(key[nodes_here], minlength=k) == 0) & (
            np.bincount(key[has_sub], minlength=k) > 0
        )
        parent = np.full(k, -1, dtype=np.int64)
        if level > 0:
            present = key >= 0
            parent[key[present]] = keys[level - 1][present]
        else:
            records["outside"] = int(key[-1])
            allowed[key[-1]] = False
        records[level] = (enter, exit_, children, allowed, parent)
    return records
