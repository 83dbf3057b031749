"""Numba kernels of the distributed search, run by the workers on one shard each.

A shard owns the nodes ``start .. start + n_owned - 1`` (global indices) and holds their
links in CSR form by owned node: ``out_ptr`` (local rows), ``out_idx`` (the other ends, owned
or *ghost* nodes of other shards) and ``out_val`` (flows). The kernels see the shard's own
view of the network: node ``i < n_owned`` is owned node ``start + i`` and the ghosts follow,
``module_of`` gives the module of each node of that view and ``out_idx`` points into it
(see ``Shard.local_view``), so a round sends a shard its own nodes' and ghosts' modules,
never all ``n``. Directed
networks also keep the links into owned nodes (``in_*``); undirected ones store every link
in both directions and pass the same arrays twice. Self-links are kept apart (``self_val``)
because they never cross a module boundary.

Every kernel has a plain-numpy twin in ``_reference`` that the tests compare it with.
"""

from __future__ import annotations

import numpy as np
from numba import njit

_MIN_GAIN = 1e-10  # bits: smaller gains are rounding noise, not moves


@njit(cache=True, inline="always")
def _plogp(x):  # pragma: no cover - compiled
    return x * np.log2(x) if x > 0.0 else 0.0


@njit(cache=True, inline="always")
def _coin(seed, node):  # pragma: no cover - compiled
    """A uniform number in [0, 1) from (seed, node) alone: the same on any worker."""
    z = np.uint64(seed) * np.uint64(0x9E3779B97F4A7C15) + np.uint64(node)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z = z ^ (z >> np.uint64(31))
    return float(z >> np.uint64(11)) / 9007199254740992.0


@njit(cache=True, inline="always")
def _slot(keys, module, mask):  # pragma: no cover - compiled
    """The slot of ``module`` in an open-addressing table (linear probing), claimed if
    new; ``keys`` holds -1 in free slots."""
    h = (np.uint64(module) * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(40)
    i = np.int64(h) & mask
    while keys[i] != module and keys[i] != -1:
        i = (i + 1) & mask
    return i


@njit(cache=True, inline="always")
def _sum_by_module(begin, end, idx, val, module_of, keys, mask, touched, n_touched, sums):
    # pragma: no cover - compiled
    """Add the link values ``val[begin:end]`` to ``sums`` by the module of the link's
    other end (table slots claimed as needed and listed in ``touched``); returns the new
    count of touched slots and the values' total."""
    total = 0.0
    for e in range(begin, end):
        m = module_of[idx[e]]
        i = _slot(keys, m, mask)
        if keys[i] == -1:
            keys[i] = m
            touched[n_touched] = i
            n_touched += 1
        sums[i] += val[e]
        total += val[e]
    return n_touched, total


@njit(cache=True)
def propose_moves(
    start, out_ptr, out_idx, out_val, in_ptr, in_idx, in_val, node_flow,
    module_of, module_flow, module_exit, module_enter, module_size,
    enter_total, seed, move_probability,
):  # pragma: no cover - compiled  # fmt: skip
    """The best module of each owned node against the module statistics of the round.

    Every owned node, with probability ``move_probability`` (the coin is a hash of ``seed``
    and the node), looks at the modules of its neighbours and picks the one that shortens
    the two-level codelength most, given everyone else stays where they are. All owned
    nodes decide against the same statistics (a synchronous round), so two singletons
    would swap into each other's module forever: a node alone in its module joins another
    singleton only if that one's module id is lower.

    The flows towards each neighbouring module are summed in a small hash table sized by
    the largest degree, so a call costs the shard's links, not the number of modules.

    ``start`` is the global index of the first owned node (for the coins only).
    Returns ``(moved, target)``: local indices of the nodes that move and their modules.
    """
    n_owned = out_ptr.shape[0] - 1
    max_degree = 1
    for local in range(n_owned):
        degree = out_ptr[local + 1] - out_ptr[local] + in_ptr[local + 1] - in_ptr[local]
        max_degree = max(max_degree, degree)
    capacity = 1
    while capacity < 2 * max_degree:
        capacity *= 2
    mask = capacity - 1
    keys = np.full(capacity, -1, dtype=np.int64)
    to_module = np.zeros(capacity)
    from_module = np.zeros(capacity)
    touched = np.empty(capacity, dtype=np.int64)
    moved = np.empty(n_owned, dtype=np.int64)
    target = np.empty(n_owned, dtype=np.int64)
    n_moved = 0
    for local in range(n_owned):
        u = start + local
        if _coin(seed, u) >= move_probability:
            continue
        a = module_of[local]
        n_touched, out_u = _sum_by_module(
            out_ptr[local], out_ptr[local + 1], out_idx, out_val, module_of,
            keys, mask, touched, 0, to_module,
        )  # fmt: skip
        n_touched, in_u = _sum_by_module(
            in_ptr[local], in_ptr[local + 1], in_idx, in_val, module_of,
            keys, mask, touched, n_touched, from_module,
        )  # fmt: skip
        p = node_flow[local]
        i = _slot(keys, a, mask)
        o_a = to_module[i] if keys[i] == a else 0.0
        i_a = from_module[i] if keys[i] == a else 0.0
        exit_a = module_exit[a] - (out_u - o_a) + i_a
        enter_a = module_enter[a] - (in_u - i_a) + o_a
        flow_a = module_flow[a] - p
        base_a = (
            -_plogp(module_enter[a]) - _plogp(module_exit[a])
            + _plogp(module_exit[a] + module_flow[a])
        )
        new_a = -_plogp(enter_a) - _plogp(exit_a) + _plogp(exit_a + flow_a)
        alone = module_size[a] == 1
        best, best_delta = a, -_MIN_GAIN
        for t in range(n_touched):
            b = keys[touched[t]]
            if b == a or (alone and module_size[b] == 1 and b > a):
                continue
            o_b, i_b = to_module[touched[t]], from_module[touched[t]]
            exit_b = module_exit[b] + (out_u - o_b) - i_b
            enter_b = module_enter[b] + (in_u - i_b) - o_b
            flow_b = module_flow[b] + p
            total = enter_total + (enter_a - module_enter[a]) + (enter_b - module_enter[b])
            delta = (
                _plogp(total) - _plogp(enter_total)
                + new_a - base_a
                - _plogp(enter_b) - _plogp(exit_b) + _plogp(exit_b + flow_b)
                + _plogp(module_enter[b]) + _plogp(module_exit[b])
                - _plogp(module_exit[b] + module_flow[b])
            )
            if delta < best_delta or (delta == best_delta and b < best):
                best, best_delta = b, delta
        for t in range(n_touched):
            keys[touched[t]] = -1
            to_module[touched[t]] = 0.0
            from_module[touched[t]] = 0.0
        if best != a:
            moved[n_moved] = local
            target[n_moved] = best
            n_moved += 1
    return moved[:n_moved], target[:n_moved]


@njit(cache=True)
def crossing_flows(out_ptr, out_idx, out_val, in_ptr, in_idx, in_val, module_of):
    # pragma: no cover - compiled
    """Per owned node, the flow of its links that cross a module boundary: out of its
    module (``leaving``) and into it (``arriving``). Summed by module, they are the exit
    and enter flows; per node, a shard's answer costs its links and its nodes, whatever
    the number of modules."""
    n_owned = out_ptr.shape[0] - 1
    leaving = np.zeros(n_owned)
    arriving = np.zeros(n_owned)
    for local in range(n_owned):
        a = module_of[local]
        for e in range(out_ptr[local], out_ptr[local + 1]):
            if module_of[out_idx[e]] != a:
                leaving[local] += out_val[e]
        for e in range(in_ptr[local], in_ptr[local + 1]):
            if module_of[in_idx[e]] != a:
                arriving[local] += in_val[e]
    return leaving, arriving


@njit(cache=True)
def module_links(out_ptr, out_idx, out_val, module_of, n_modules):
    # pragma: no cover - compiled
    """The shard's out-links summed by (module of source, module of target), self-pairs
    included: ``(keys, flows)`` with ``key = source_module * n_modules + target_module``,
    sorted."""
    m = out_idx.shape[0]
    keys = np.empty(m, dtype=np.int64)
    for local in range(out_ptr.shape[0] - 1):
        a = module_of[local] * n_modules
        for e in range(out_ptr[local], out_ptr[local + 1]):
            keys[e] = a + module_of[out_idx[e]]
    order = np.argsort(keys, kind="mergesort")
    out_keys = np.empty(m, dtype=np.int64)
    out_flows = np.empty(m)
    k = -1
    for j in range(m):
        e = order[j]
        if k < 0 or keys[e] != out_keys[k]:
            k += 1
            out_keys[k] = keys[e]
            out_flows[k] = 0.0
        out_flows[k] += out_val[e]
    return out_keys[: k + 1], out_flows[: k + 1]


@njit(cache=True)
def coins(seed, start, n_owned):  # pragma: no cover - compiled
    """The coin of each of ``n_owned`` nodes from ``start`` (see :func:`propose_moves`)."""
    out = np.empty(n_owned)
    for local in range(n_owned):
        out[local] = _coin(seed, start + local)
    return out
