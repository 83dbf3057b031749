"""Numba kernels of the meta-data entropy in the core loop (Emmons & Mucha's map equation
with meta data, Infomap's ``--meta-data``).

A module's meta cost is ``plogp(W_M) - sum_c plogp(W_Mc)``: its total meta weight times the
entropy of its categories, ``W_Mc`` the weight of category ``c`` among its units. For the
physical nodes of a state network (categories: physical nodes, weights: state flows) the
cost is ``-sum_c plogp(W_Mc)`` alone (``total_weight`` 0 instead of 1): the physical
nodes' codewords in the module's codebook. The core
loop keeps, per module, the weights (a dense row over the categories), their sum and the
cost. A move changes the costs by the change it was chosen for, in the moving unit's
categories only; the table itself (allocated for every search) grows with modules x
categories. Every search starts from costs computed afresh; the final codelength is
computed from the tree by ``mapequation.meta_codelength``, the plain-numpy reference.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .._kernels import plogp_scalar as _plogp


@njit(cache=True, nogil=True)
def init_meta(module_of, n_modules, meta_ptr, meta_idx, meta_flow, n_meta, total_weight=1.0):
    """Per module: the weight of each of ``n_meta`` categories (no columns for 0), their
    sum and the meta cost (its ``plogp(W_M)`` weighed by ``total_weight``)."""
    meta = np.zeros((n_modules, n_meta))
    meta_total = np.zeros(n_modules)
    meta_cost = np.zeros(n_modules)
    if n_meta > 0:
        for u in range(module_of.shape[0]):
            m = module_of[u]
            for j in range(meta_ptr[u], meta_ptr[u + 1]):
                meta[m, meta_idx[j]] += meta_flow[j]
                meta_total[m] += meta_flow[j]
        for m in range(n_modules):
            meta_cost[m] = total_weight * _plogp(meta_total[m])
        # each (module, category) weight once, over the units' entries rather than the
        # whole table: counted weights are negated, then restored
        for u in range(module_of.shape[0]):
            m = module_of[u]
            for j in range(meta_ptr[u], meta_ptr[u + 1]):
                if meta[m, meta_idx[j]] > 0.0:
                    meta_cost[m] -= _plogp(meta[m, meta_idx[j]])
                    meta[m, meta_idx[j]] = -meta[m, meta_idx[j]]
        for u in range(module_of.shape[0]):
            m = module_of[u]
            for j in range(meta_ptr[u], meta_ptr[u + 1]):
                meta[m, meta_idx[j]] = abs(meta[m, meta_idx[j]])
    return meta, meta_total, meta_cost


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
    for j in range(meta_ptr[u], meta_ptr[u + 1]):
        old = meta[m, meta_idx[j]]
        change -= _plogp(old + sign * meta_flow[j]) - _plogp(old)
    return change


@njit(cache=True, nogil=True)
def move_meta(state, a, b, u, meta_ptr, meta_idx, meta_flow, total_u, change_a, change_b,
              a_empties):  # fmt: skip
    """Unit ``u`` moves from module ``a`` to ``b`` in the state's meta table: its weights
    and their sum move, and the costs change by ``change_a`` and ``change_b`` (the changes
    the move was chosen for): work in ``u``'s categories only."""
    meta, meta_total, meta_cost = state[7], state[8], state[9]
    for j in range(meta_ptr[u], meta_ptr[u + 1]):
        meta[a, meta_idx[j]] -= meta_flow[j]
        meta[b, meta_idx[j]] += meta_flow[j]
    meta_total[a] -= total_u
    meta_total[b] += total_u
    meta_cost[a] += change_a
    meta_cost[b] += change_b
    if a_empties:  # (what u leaves behind is rounding: a starts again from zero)
        for j in range(meta_ptr[u], meta_ptr[u + 1]):
            meta[a, meta_idx[j]] = 0.0
        meta_total[a] = 0.0
        meta_cost[a] = 0.0


@njit(cache=True, nogil=True)
def units_by_category(meta_ptr, meta_idx, n_meta):
    """The units of each category in CSR form (``ptr``, ``units``), from the units' meta
    rows (empty for ``n_meta`` 0)."""
    n_units = meta_ptr.shape[0] - 1
    ptr = np.zeros(n_meta + 1, dtype=np.int64)
    if n_meta == 0:
        return ptr, np.zeros(0, dtype=np.int64)
    for j in range(meta_idx.shape[0]):
        ptr[meta_idx[j] + 1] += 1
    for c in range(n_meta):
        ptr[c + 1] += ptr[c]
    fill = ptr[:-1].copy()
    units = np.empty(meta_idx.shape[0], dtype=np.int64)
    for u in range(n_units):
        for j in range(meta_ptr[u], meta_ptr[u + 1]):
            units[fill[meta_idx[j]]] = u
            fill[meta_idx[j]] += 1
    return ptr, units


@njit(cache=True, inline="always")
def add_category_modules(u, p, meta_ptr, meta_idx, cat_ptr, cat_units, module_of, parent,
                         touched, is_touched, n_touched):  # fmt: skip
    """Add to the candidates ``touched`` the modules (of parent ``p``) that hold a unit
    sharing a category with unit ``u``: where the categories are physical nodes, a state
    node may join a module that codes its physical node already, linked to it or not (as
    Infomap's memory search). Returns the new number of candidates."""
    for j in range(meta_ptr[u], meta_ptr[u + 1]):
        c = meta_idx[j]
        for k in range(cat_ptr[c], cat_ptr[c + 1]):
            v = cat_units[k]
            if v == u or parent[v] != p:
                continue
            m = module_of[v]
            if not is_touched[m]:
                is_touched[m] = True
                touched[n_touched] = m
                n_touched += 1
    return n_touched
