"""Numba kernels of the meta-data entropy in the core loop (Emmons & Mucha's map equation
with meta data, Infomap's ``--meta-data``).

A module's meta cost is ``plogp(W_M) - sum_c plogp(W_Mc)``: its total meta weight times the
entropy of its categories, ``W_Mc`` the weight of category ``c`` among its units. For the
physical nodes of a state network (categories: physical nodes, weights: state flows) the
cost is ``-sum_c plogp(W_Mc)`` alone (``total_weight`` 0 instead of 1): the physical
nodes' codewords in the module's codebook. The core loop keeps, per module, the sum of the
weights and the cost, and the weights ``W_Mc`` themselves in a hash table of the
(module, category) pairs that hold a unit: no more pairs than units' meta entries, so a
state network of millions of state and physical nodes costs memory in its states only.
A move changes the costs by the change it was chosen for, in the moving unit's categories
only. For physical nodes the table gives the starting costs only: each core loop call
keeps, per physical node, the distinct modules of its states and their ``W_Mc``
(``physical_modules``, as Infomap's memory search keeps them), so a move is priced in the
modules of the unit's physical nodes, not in all their states; and searches of different
parents share nothing they write. Every search starts from costs computed afresh; the
final codelength is computed from the tree by ``mapequation.meta_codelength``, the
plain-numpy reference.

The table is a float64 array of shape (capacity, 3), capacity a power of two at least
twice the units' meta entries: per slot the key ``category * n_modules + module`` (exact
in a float below 2**53; -1: empty), the weight and the number of unit entries behind it.
Linear probing; a pair whose last unit leaves is deleted by backward shift, so the table
never fills, and the rounding a departed unit leaves behind is dropped with it.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .._kernels import plogp_scalar as _plogp

_EMPTY = -1.0


@njit(cache=True, inline="always")
def _home(key, mask):
    """The slot a key hashes to (Fibonacci hashing of the integer key)."""
    mixed = np.uint64(key) * np.uint64(0x9E3779B97F4A7C15)
    return np.int64((mixed >> np.uint64(29)) & np.uint64(mask))


@njit(cache=True, inline="always")
def _find(table, key):
    """The slot of ``key``, or the empty slot where it would go."""
    mask = table.shape[0] - 1
    i = _home(key, mask)
    while table[i, 0] != _EMPTY and table[i, 0] != key:
        i = (i + 1) & mask
    return i


@njit(cache=True, inline="always")
def weight_of(table, n_modules, m, c):
    """``W_mc``: the weight of category ``c`` in module ``m`` (0 where none)."""
    i = _find(table, float(c * n_modules + m))
    return table[i, 1]  # (an empty slot's weight is 0)


@njit(cache=True)
def _delete(table, i):
    """Empty slot ``i`` and shift back the entries after it that probed past it."""
    mask = table.shape[0] - 1
    j = i
    while True:
        table[i, 0], table[i, 1], table[i, 2] = _EMPTY, 0.0, 0.0
        while True:
            j = (j + 1) & mask
            if table[j, 0] == _EMPTY:
                return
            home = _home(table[j, 0], mask)
            # the entry at j stays unless its home lies cyclically in (i, j]
            if (i <= j and (home <= i or home > j)) or (i > j and home <= i and home > j):
                break
        table[i, 0], table[i, 1], table[i, 2] = table[j, 0], table[j, 1], table[j, 2]
        i = j


@njit(cache=True, inline="always")
def _add(table, n_modules, m, c, weight, count):
    """Add ``weight`` from ``count`` unit entries (+1 or -1) to pair (m, c)."""
    key = float(c * n_modules + m)
    i = _find(table, key)
    if table[i, 0] == _EMPTY:
        table[i, 0], table[i, 1], table[i, 2] = key, weight, count
    else:
        table[i, 1] += weight
        table[i, 2] += count
        if table[i, 2] <= 0.0:
            _delete(table, i)


@njit(cache=True, nogil=True)
def init_meta(module_of, n_modules, meta_ptr, meta_idx, meta_flow, n_meta, total_weight=1.0):
    """Per module: the sum of its units' meta weights and the meta cost (its
    ``plogp(W_M)`` weighed by ``total_weight``); and the table of the (module, category)
    weights (see the module docstring; empty for ``n_meta`` 0)."""
    meta_total = np.zeros(n_modules)
    meta_cost = np.zeros(n_modules)
    n_entries = meta_idx.shape[0] if n_meta > 0 else 0
    capacity = 0
    if n_entries > 0:
        capacity = 2
        while capacity < 2 * n_entries:
            capacity *= 2
    table = np.zeros((capacity, 3))
    table[:, 0] = _EMPTY
    for u in range(module_of.shape[0] if n_entries > 0 else 0):
        m = module_of[u]
        for j in range(meta_ptr[u], meta_ptr[u + 1]):
            _add(table, n_modules, m, meta_idx[j], meta_flow[j], 1.0)
            meta_total[m] += meta_flow[j]
    for m in range(n_modules):
        meta_cost[m] = total_weight * _plogp(meta_total[m])
    for i in range(capacity):
        if table[i, 0] != _EMPTY:
            meta_cost[np.int64(table[i, 0]) % n_modules] -= _plogp(table[i, 1])
    return table, meta_total, meta_cost


@njit(cache=True, inline="always")
def unit_meta_cost(meta_ptr, meta_idx, meta_flow, u, total_u, total_weight):
    """The meta cost of a module that holds unit ``u`` alone."""
    cost = total_weight * _plogp(total_u)
    for j in range(meta_ptr[u], meta_ptr[u + 1]):
        cost -= _plogp(meta_flow[j])
    return cost


@njit(cache=True, inline="always")
def meta_change(meta, meta_total, m, meta_ptr, meta_idx, meta_flow, u, sign, total_u,
                total_weight):  # fmt: skip
    """Change of module ``m``'s meta cost when unit ``u`` joins (sign 1) or leaves (-1)."""
    change = total_weight * (_plogp(meta_total[m] + sign * total_u) - _plogp(meta_total[m]))
    n_modules = meta_total.shape[0]
    for j in range(meta_ptr[u], meta_ptr[u + 1]):
        old = weight_of(meta, n_modules, m, meta_idx[j])
        change -= _plogp(old + sign * meta_flow[j]) - _plogp(old)
    return change


@njit(cache=True, inline="always")
def leave_meta(meta, meta_total, a, meta_ptr, meta_idx, meta_flow, u, total_weight, shared,
               physical):  # fmt: skip
    """Unit ``u``'s total meta weight and the change of module ``a``'s meta cost when ``u``
    leaves it: for physical nodes the one :func:`add_category_modules` left in
    ``shared[-1]``, else :func:`meta_change`'s."""
    total_u = 0.0
    for j in range(meta_ptr[u], meta_ptr[u + 1]):
        total_u += meta_flow[j]
    if physical:
        return total_u, shared[shared.shape[0] - 1]
    return total_u, meta_change(meta, meta_total, a, meta_ptr, meta_idx, meta_flow, u, -1.0,
                                total_u, total_weight)  # fmt: skip


@njit(cache=True, nogil=True)
def move_meta(state, a, b, u, meta_ptr, meta_idx, meta_flow, total_u, change_a, change_b,
              a_empties, in_table=True):  # fmt: skip
    """Unit ``u`` moves from module ``a`` to ``b`` in the state's meta table (unless not
    ``in_table``: physical nodes, see :func:`add_category_modules`): its weights and their
    sum move, and the costs change by ``change_a`` and ``change_b`` (the changes the move
    was chosen for): work in ``u``'s categories only."""
    meta, meta_total, meta_cost = state[7], state[8], state[9]
    n_modules = meta_total.shape[0]
    for j in range(meta_ptr[u], meta_ptr[u + 1] if in_table else meta_ptr[u]):
        _add(meta, n_modules, a, meta_idx[j], -meta_flow[j], -1.0)
        _add(meta, n_modules, b, meta_idx[j], meta_flow[j], 1.0)
    meta_total[a] -= total_u
    meta_total[b] += total_u
    meta_cost[a] += change_a
    meta_cost[b] += change_b
    if a_empties:  # (what u leaves behind is rounding: a starts again from zero)
        meta_total[a] = 0.0
        meta_cost[a] = 0.0


@njit(cache=True, nogil=True)
def physical_modules(module_of, moving, meta_ptr, meta_idx, meta_flow, n_meta, n_modules):
    """Per physical node (category), the distinct modules that hold the units ``moving``
    with it, each with its summed weight ``W_mc`` and its number of unit entries: a slab
    ``(ptr, used, module, weight, count)``, the entries of category ``c`` at
    ``ptr[c] .. ptr[c] + used[c]`` (room for one per unit entry), kept by
    :func:`move_physical` as the units move; and the scratch arrays of
    :func:`add_category_modules` for ``n_modules`` modules (``shared``, ``stamp``).
    Empty for ``n_meta`` 0. Only ``moving``'s units are listed: a core loop call keeps
    its own, so calls on disjoint parents share nothing they write."""
    if n_meta == 0:
        return ((np.zeros(1, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64),
                 np.zeros(0), np.zeros(0, np.int64)),
                np.zeros(0), np.zeros(0, np.int64))  # fmt: skip
    ptr = np.zeros(n_meta + 1, dtype=np.int64)
    for i in range(moving.shape[0]):
        u = moving[i]
        for j in range(meta_ptr[u], meta_ptr[u + 1]):
            ptr[meta_idx[j] + 1] += 1
    for c in range(n_meta):
        ptr[c + 1] += ptr[c]
    # the units' entries by category, so that each category's modules are found with
    # one mark per module (units one by one would scan each category's list per entry)
    fill = ptr[:-1].copy()
    entry_module = np.empty(ptr[-1], dtype=np.int64)
    entry_weight = np.empty(ptr[-1])
    for i in range(moving.shape[0]):
        u = moving[i]
        for j in range(meta_ptr[u], meta_ptr[u + 1]):
            c = meta_idx[j]
            entry_module[fill[c]] = module_of[u]
            entry_weight[fill[c]] = meta_flow[j]
            fill[c] += 1
    used = np.zeros(n_meta, dtype=np.int64)
    module = np.empty(ptr[-1], dtype=np.int64)
    weight = np.zeros(ptr[-1])
    count = np.zeros(ptr[-1], dtype=np.int64)
    mark = np.full(n_modules, -1, dtype=np.int64)
    slot = np.empty(n_modules, dtype=np.int64)
    for c in range(n_meta):
        for k in range(ptr[c], ptr[c + 1]):
            m = entry_module[k]
            if mark[m] != c:
                mark[m] = c
                slot[m] = ptr[c] + used[c]
                module[slot[m]] = m
                used[c] += 1
            weight[slot[m]] += entry_weight[k]
            count[slot[m]] += 1
    return ((ptr, used, module, weight, count), np.zeros(n_modules + 2),
            np.zeros(n_modules + 1, np.int64))  # fmt: skip


@njit(cache=True, inline="always")
def _slab_add(slab, c, m, w, n):
    """Add weight ``w`` of ``n`` unit entries (+1 or -1) to module ``m`` in category
    ``c``'s slab entries; an entry whose last unit leaves is dropped (the last takes its
    place), with the rounding its departures left."""
    ptr, used, module, weight, count = slab
    first = ptr[c]
    last = first + used[c]
    e = first
    while e < last and module[e] != m:
        e += 1
    if e == last:  # (a new module of c: only joins get here)
        module[e] = m
        weight[e] = w
        count[e] = n
        used[c] += 1
        return
    weight[e] += w
    count[e] += n
    if count[e] <= 0:
        last -= 1
        module[e], weight[e], count[e] = module[last], weight[last], count[last]
        used[c] -= 1


@njit(cache=True, nogil=True)
def move_physical(u, a, b, meta_ptr, meta_idx, meta_flow, slab):
    """Unit ``u`` moves from module ``a`` to ``b`` in the slab of
    :func:`physical_modules`: work in the modules of ``u``'s physical nodes only."""
    for j in range(meta_ptr[u], meta_ptr[u + 1]):
        _slab_add(slab, meta_idx[j], a, -meta_flow[j], -1)
        _slab_add(slab, meta_idx[j], b, meta_flow[j], 1)


@njit(cache=True)
def add_category_modules(u, p, a, meta_ptr, meta_idx, meta_flow, slab, mod_parent, touched,
                         is_touched, n_touched, shared, stamp):  # fmt: skip
    """Add to the candidates ``touched`` the modules (of parent ``p``) that hold a unit
    sharing a category with unit ``u`` (in module ``a``): where the categories are physical
    nodes, a state node may join a module that codes its physical node already, linked to
    it or not (as Infomap's memory search). Returns the new number of candidates.

    On the way, in one pass over the modules of ``u``'s categories (the slab of
    :func:`physical_modules`), as Infomap's memory search does: ``shared[m] = sum_c
    plogp(W_mc + w_uc) - plogp(W_mc) - plogp(w_uc)`` over the categories ``c`` of ``u`` in
    module ``m``, ``shared[-2] = sum_c plogp(w_uc)``, so that :func:`meta_join_change`
    prices a candidate in constant time rather than in the number of ``u``'s categories,
    and ``shared[-1]``: the change of ``a``'s cost when ``u`` leaves. ``stamp[m]``: the
    unit visit that last wrote ``shared[m]`` (``stamp[-1]``: the running count)."""
    ptr, used, module, weight, count = slab
    n_modules = shared.shape[0] - 2
    stamp[n_modules] += 1
    visit = stamp[n_modules]
    own = 0.0
    leave = 0.0
    for j in range(meta_ptr[u], meta_ptr[u + 1]):
        c = meta_idx[j]
        w = meta_flow[j]
        plogp_w = _plogp(w)
        own += plogp_w
        in_a = 0.0  # (W_ac without u)
        for e in range(ptr[c], ptr[c] + used[c]):
            m = module[e]
            if m == a:
                # (u alone in a: exactly nothing, whatever rounding the sums carry)
                in_a = weight[e] - w if count[e] > 1 else 0.0
                continue
            if mod_parent[m] != p:
                continue
            held = weight[e]
            if stamp[m] != visit:
                stamp[m] = visit
                shared[m] = 0.0
            shared[m] += _plogp(held + w) - _plogp(held) - plogp_w
            if not is_touched[m]:
                is_touched[m] = True
                touched[n_touched] = m
                n_touched += 1
        # (a's cost is -sum_c plogp(W_ac): u's weight leaves it)
        leave += _plogp(in_a + w) - _plogp(in_a)
    shared[n_modules] = own
    shared[n_modules + 1] = leave
    return n_touched


@njit(cache=True, inline="always")
def meta_join_change(table, meta_total, b, meta_ptr, meta_idx, meta_flow, u, total_u,
                     total_weight, shared, stamp):  # fmt: skip
    """Change of module ``b``'s meta cost when unit ``u`` joins it: from the sums of
    :func:`add_category_modules` for physical nodes (``shared`` not empty), else as
    :func:`meta_change`."""
    if shared.shape[0] == 0:
        return meta_change(table, meta_total, b, meta_ptr, meta_idx, meta_flow, u, 1.0,
                           total_u, total_weight)  # fmt: skip
    n_modules = shared.shape[0] - 2
    common = shared[b] if stamp[b] == stamp[n_modules] else 0.0
    if total_weight == 0.0:  # (physical nodes: no total term, and two logarithms saved)
        return -common - shared[n_modules]
    change = total_weight * (_plogp(meta_total[b] + total_u) - _plogp(meta_total[b]))
    return change - common - shared[n_modules]
