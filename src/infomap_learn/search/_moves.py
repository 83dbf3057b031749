"""Numba kernels of the local moves: the core loop of the search and its module state.

The search works on *units*: leaf nodes at first, then aggregated modules. A unit ``u`` has

* ``codeflow[u]``: the rate at which its codeword is used in the codebook of the module it
  joins (its visit rate for a node, its enter flow for a module treated as a node);
* out- and in-links in CSR form with their flows (for undirected flow the two are the same
  arrays); its link exit and enter flows are the row sums;
* ``tele_src[u]``, ``tele_tgt[u]``: teleportation away from it and landing on it (all zero
  unless teleportation is recorded);
* ``parent[u]``: the fixed module that contains it, when the search looks for submodules
  inside given modules (all zero for a search of the whole network). A unit may only join a
  module of the same parent, and each parent ``P`` has its own index codebook with the fixed
  exit flow ``parent_exit[P]`` (zero for the root).
* ``meta_ptr``, ``meta_idx``, ``meta_flow``: its meta data in CSR form, the weight it puts
  on each category (a node: its flow, or 1/n unweighted, on its one category; a module: the
  sums of its nodes'), for the map equation with meta data or the physical nodes of states.

The objective is the map equation of ``mapequation.py`` restricted to one level below the
parents:

    L = sum_P [plogp(q_P + S_P) - plogp(q_P)] - sum_M plogp(enter_M)
        + sum_M [plogp(exit_M + C_M) - plogp(exit_M)] - sum_u plogp(codeflow_u)
        + rate * sum_M [plogp(W_M) - sum_c plogp(W_Mc)]

where ``S_P`` sums the enter flows of the modules in ``P``, ``C_M`` the codeflow of the
units in ``M``, and the last term (Emmons & Mucha's meta-data entropy, only with a meta
rate) ``W_Mc`` the meta weight of category ``c`` in ``M`` and ``W_M`` their sum. The
plain-numpy reference of the objective is ``mapequation.py``;
``search._two_level._find_modules_stepwise`` takes ``find_modules_serial``'s steps from
Python and is its reference.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from .._kernels import (
    aggregate_links,
    aggregate_rows,
    compact_labels,
    random_sweep_limit,
    row_sums,
    shuffle,
    sum_by_label,
)
from .._kernels import plogp_scalar as _plogp
from . import _meta as meta_kernels
from ._aggregate import aggregate_links_exact_serial
from ._move_terms import (
    activate_neighbours,
    apply_move,
    cannot_win,
    free_modules_and_caches,
    index_tangent,
    join_delta,
    leave_terms,
    module_records,
    module_scratch,
    most_neighbours,
    neighbour_flows,
    open_module,
    parent_enter_sums,
    teleport_terms,
)
from ._move_terms import count_cost as _count_cost
from ._move_terms import enter_total as _enter_total
from ._move_terms import exit_total as _exit_total

_MIN_IMPROVEMENT = 1e-13


class UnitArrays(NamedTuple):
    """The units of a search as the kernels read them (never written by a kernel)."""

    codeflow: np.ndarray  # float64 (n,)
    # float64 (n,): link exit and enter flow, the out- and in-link row sums (with the links
    # that a module network under fixed parents may leave out: ``search.aggregate``)
    exit: np.ndarray
    enter: np.ndarray
    tele_src: np.ndarray  # float64 (n,)
    tele_tgt: np.ndarray  # float64 (n,)
    parent: np.ndarray  # int64 (n,)
    out_ptr: np.ndarray  # int64 (n + 1,): out-links in CSR form
    out_idx: np.ndarray  # int32
    out_flow: np.ndarray  # float64
    in_ptr: np.ndarray  # int64 (n + 1,): in-links (the out-link arrays if undirected)
    in_idx: np.ndarray  # int32
    in_flow: np.ndarray  # float64
    meta_ptr: np.ndarray  # int64 (n + 1,): meta data in CSR form (empty rows: none)
    meta_idx: np.ndarray  # int32: categories
    meta_flow: np.ndarray  # float64: the unit's weight on each


class ModuleCosts(NamedTuple):
    """Terms of the objective that count modules (both zero for the plain map equation)."""

    per_module: float  # bits per module (the entropy correction)
    preferred: int  # a preferred number of modules: |modules - preferred| bits (0: none)
    meta_rate: float = 0.0  # the meta-data entropy's weight (0: not in the objective)
    n_meta: int = 0  # the number of meta-data categories
    # the weight of plogp(W_M) in a module's meta cost: 1 for meta data, 0 for the physical
    # nodes of a state network (see _meta)
    meta_total: float = 1.0


class ModuleState(NamedTuple):
    """Sums over the units of each module (written by the core loop as units move)."""

    codeflow: np.ndarray  # float64 (k,)
    exit: np.ndarray  # float64 (k,): link exit flow
    enter: np.ndarray  # float64 (k,): link enter flow
    tele_src: np.ndarray  # float64 (k,)
    tele_tgt: np.ndarray  # float64 (k,)
    size: np.ndarray  # int32 (k,): number of units
    parent: np.ndarray  # int32 (k,)
    meta: np.ndarray  # float64 (capacity, 3): hash table of the (module, category) weights
    meta_total: np.ndarray  # float64 (k,): the row sums of ``meta``
    meta_cost: np.ndarray  # float64 (k,): plogp(meta_total) - sum_c plogp(meta[:, c])
    # (k,) MODULE_RECORD: codeflow, exit, enter, size and parent above are views of its
    # fields, and so are the core loop's plogp caches and flows (_move_terms.module_scratch)
    records: np.ndarray


@njit(cache=True, inline="always")
def _module_sums(module_of, units, undirected, mod_codeflow, mod_exit, mod_enter, mod_tsrc,
                 mod_ttgt, internal_out=None, internal_in=None):  # fmt: skip
    """Per module: the units' codeflow, link exit and enter flow (links inside it left
    out) and teleportation rates, summed into the given zeroed arrays. ``internal_out``,
    ``internal_in``: each unit's out- and in-flow into its own module where computed
    already (``_aggregate.internal_flows``; in-flow for directed units only), or None."""
    (codeflow, unit_exit, unit_enter, tele_src, tele_tgt, _,
     out_ptr, out_idx, out_flow, in_ptr, in_idx, in_flow, _, _, _) = units  # fmt: skip
    for u in range(module_of.shape[0]):
        m = module_of[u]
        mod_codeflow[m] += codeflow[u]
        mod_tsrc[m] += tele_src[u]
        mod_ttgt[m] += tele_tgt[u]
        if internal_out is None:
            own_out = 0.0
            for k in range(out_ptr[u], out_ptr[u + 1]):
                if module_of[out_idx[k]] == m:
                    own_out += out_flow[k]
        else:
            own_out = internal_out[u]
        mod_exit[m] += unit_exit[u] - own_out
        if undirected:
            mod_enter[m] += unit_enter[u] - own_out
        elif internal_in is None:
            own_in = 0.0
            for k in range(in_ptr[u], in_ptr[u + 1]):
                if module_of[in_idx[k]] == m:
                    own_in += in_flow[k]
            mod_enter[m] += unit_enter[u] - own_in
        else:
            mod_enter[m] += unit_enter[u] - internal_in[u]


@njit(cache=True, nogil=True)
def init_modules(module_of, n_modules, units, undirected, n_meta=0, total_weight=1.0,
                 internal_out=None, internal_in=None):  # fmt: skip
    """Module state for the assignment ``module_of`` (ids in [0, n_modules)) of the
    ``units`` (a UnitArrays), with ``n_meta`` meta-data categories (0: none kept) whose
    costs weigh each module's total by ``total_weight``; ``internal_out``,
    ``internal_in``: see ``_module_sums``."""
    parent, meta_ptr, meta_idx, meta_flow = units.parent, units[12], units[13], units[14]
    records = module_records(n_modules)
    mod_codeflow, mod_exit, mod_enter = records["codeflow"], records["exit"], records["enter"]
    mod_size, mod_parent = records["size"], records["parent"]
    mod_tsrc = np.zeros(n_modules)
    mod_ttgt = np.zeros(n_modules)
    _module_sums(module_of, units, undirected, mod_codeflow, mod_exit, mod_enter, mod_tsrc,
                 mod_ttgt, internal_out, internal_in)  # fmt: skip
    for u in range(module_of.shape[0]):
        mod_size[module_of[u]] += 1
        mod_parent[module_of[u]] = parent[u]
    meta, meta_total, meta_cost = meta_kernels.init_meta(
        module_of, n_modules, meta_ptr, meta_idx, meta_flow, n_meta, total_weight
    )
    return ModuleState(
        mod_codeflow, mod_exit, mod_enter, mod_tsrc, mod_ttgt, mod_size, mod_parent,
        meta, meta_total, meta_cost, records,
    )  # fmt: skip


@njit(cache=True, nogil=True)
def module_flow_totals(module_of, n_modules, units, undirected, tele_total, internal_out=None,
                       internal_in=None):  # fmt: skip
    """Codeflow, enter and exit rate of each module of ``module_of`` (teleportation
    included): the rates of ``init_modules``' state, without the rest of it.
    ``internal_out``, ``internal_in``: see ``_module_sums``."""
    mod_codeflow = np.zeros(n_modules)
    mod_exit = np.zeros(n_modules)
    mod_enter = np.zeros(n_modules)
    mod_tsrc = np.zeros(n_modules)
    mod_ttgt = np.zeros(n_modules)
    _module_sums(module_of, units, undirected, mod_codeflow, mod_exit, mod_enter, mod_tsrc,
                 mod_ttgt, internal_out, internal_in)  # fmt: skip
    for m in range(n_modules):
        mod_exit[m] = _exit_total(mod_exit[m], mod_tsrc[m], mod_ttgt[m])
        mod_enter[m] = _enter_total(mod_enter[m], mod_tsrc[m], mod_ttgt[m], tele_total)
    return mod_codeflow, mod_enter, mod_exit


@njit(cache=True, nogil=True)
def objective(state, parent_exit, tele_total, codeflow_plogp_sum, costs, owned):
    """The map equation of the module state ``state`` (see module docstring), restricted
    to the modules ``owned`` and their parents (all modules: the whole codelength), plus
    the terms ``costs`` (a ModuleCosts) of their number."""
    (mod_codeflow, mod_exit, mod_enter, mod_tsrc, mod_ttgt, mod_size, mod_parent,
     _, _, meta_cost, _) = state  # fmt: skip
    n_parents = parent_exit.shape[0]
    enter_sum = np.zeros(n_parents)
    total = 0.0
    n_nonempty = 0
    for i in range(owned.shape[0]):
        m = owned[i]
        if mod_size[m] == 0:
            continue
        ex = _exit_total(mod_exit[m], mod_tsrc[m], mod_ttgt[m])
        en = _enter_total(mod_enter[m], mod_tsrc[m], mod_ttgt[m], tele_total)
        enter_sum[mod_parent[m]] += en
        total += -_plogp(en) + _plogp(ex + mod_codeflow[m]) - _plogp(ex)
        total += costs.meta_rate * meta_cost[m]
        n_nonempty += 1
    total += _count_cost(costs, n_nonempty)
    for i in range(owned.shape[0]):
        p = mod_parent[owned[i]]
        if enter_sum[p] > 0.0:
            total += _plogp(parent_exit[p] + enter_sum[p]) - _plogp(parent_exit[p])
            enter_sum[p] = 0.0  # count each parent once
    return total - codeflow_plogp_sum


@njit(cache=True, nogil=True)
def _cached_objective(
    owned, mod_size, mod_parent, enter_sum, parent_exit, pl_en, pl_ex, pl_exc,
    codeflow_plogp_sum, costs, meta_cost,
):  # fmt: skip
    """``objective`` from the core loop's cached module terms and the parents' enter
    sums ``enter_sum`` (the same sums in the same order, without a logarithm per module)."""
    total = 0.0
    n_nonempty = 0
    for i in range(owned.shape[0]):
        m = owned[i]
        if mod_size[m] > 0:
            total += -pl_en[m] + pl_exc[m] - pl_ex[m]
            total += costs.meta_rate * meta_cost[m]
            n_nonempty += 1
    total += _count_cost(costs, n_nonempty)
    seen = np.zeros(parent_exit.shape[0], dtype=np.bool_)
    for i in range(owned.shape[0]):
        p = mod_parent[owned[i]]
        if not seen[p] and enter_sum[p] > 0.0:
            total += _plogp(parent_exit[p] + enter_sum[p]) - _plogp(parent_exit[p])
        seen[p] = True
    return total - codeflow_plogp_sum


@njit(cache=True, inline="always")
def sweep_codelength(owned, state, enter_sum, parent_exit, tele_total, pl_en, pl_ex, pl_exc,
                     codeflow_plogp_sum, costs):  # fmt: skip
    """The codelength after a sweep, with the parents' enter sums recomputed exactly (into
    ``enter_sum``), so that rounding never accumulates."""
    (_, _, mod_enter, mod_tsrc, mod_ttgt, mod_size, mod_parent, _, _, meta_cost, _) = state
    parent_enter_sums(owned, mod_size, mod_parent, mod_enter, mod_tsrc, mod_ttgt, tele_total,
                      enter_sum)  # fmt: skip
    return _cached_objective(
        owned, mod_size, mod_parent, enter_sum, parent_exit, pl_en, pl_ex, pl_exc,
        codeflow_plogp_sum, costs, meta_cost,
    )  # fmt: skip


@njit(cache=True, nogil=True)
def core_loop(
    module_of, units, undirected, state, parent_exit, tele_total, codeflow_plogp_sum,
    costs, rng_state, max_sweeps, sweep_threshold, moving, owned, scratch, settle_joined=False,
):
    """Greedy local moves in random order until a sweep gains less than ``sweep_threshold``.

    Each unit moves to the neighbouring module (or an empty one) of the same parent that
    lowers the codelength most. After the first sweep only units with a neighbour that
    moved are tried again. Module state is updated in place. Returns the number of
    moves and the codelength of the ``owned`` modules and their parents.

    ``units`` is a UnitArrays and ``state`` the ModuleState of ``module_of``. Only the
    units ``moving`` move, and only into the modules ``owned`` (which must hold every
    module of their parents): calls on disjoint sets of parents, with disjoint units and
    modules, write disjoint parts of the state and may run at the same time: a unit looks
    only at neighbours under its own parent, and never reads the others' state. Such calls
    may share one ``scratch`` (``_move_terms.module_scratch`` of the state).

    ``settle_joined``: Infomap's first core loop, in which a unit stays where it is once
    its module holds other units (it is tried again when its module is its own), so
    that modules grow around the units that moved first.
    """
    (codeflow, unit_exit, unit_enter, tele_src, tele_tgt, parent,
     out_ptr, out_idx, out_flow, in_ptr, in_idx, in_flow,
     meta_ptr, meta_idx, meta_flow) = units  # fmt: skip
    (mod_codeflow, mod_exit, mod_enter, mod_tsrc, mod_ttgt, mod_size, mod_parent,
     mod_meta, meta_total, meta_cost, _) = state  # fmt: skip
    meta_rate = costs.meta_rate
    # (the meta-data entropy only where the state keeps the categories)
    with_meta = meta_rate > 0.0 and mod_meta.shape[0] > 0  # (a table of some capacity)
    physical = with_meta and costs.meta_total == 0.0  # (see _meta.add_category_modules)
    slab, shared, stamp = meta_kernels.physical_modules(
        module_of, moving, meta_ptr, meta_idx, meta_flow,
        meta_idx.max() + 1 if physical else 0, mod_codeflow.shape[0],
    )  # fmt: skip
    n = module_of.shape[0]
    n_modules = mod_codeflow.shape[0]
    n_parents = parent_exit.shape[0]
    one_parent = n_parents == 1  # (no neighbour lies under another parent)
    enter_sum = np.zeros(n_parents)
    parent_enter_sums(owned, mod_size, mod_parent, mod_enter, mod_tsrc, mod_ttgt, tele_total,
                      enter_sum)  # fmt: skip
    flow_to, flow_from, is_touched, pl_en, pl_ex, pl_exc = scratch
    free, n_free = free_modules_and_caches(
        owned, mod_size, mod_codeflow, mod_exit, mod_enter, mod_tsrc, mod_ttgt, tele_total,
        pl_en, pl_ex, pl_exc,
    )  # fmt: skip
    # (a unit's candidates are its neighbours' modules, or with physical nodes any module)
    touched = np.empty(
        n_modules if physical else most_neighbours(moving, out_ptr, in_ptr, undirected),
        dtype=np.int64,
    )
    order = moving.copy()
    # Only units whose neighbourhood changed since they were last tried can gain from a
    # move; the others are skipped (all start active).
    active = np.ones(n, dtype=np.bool_)
    current = _cached_objective(
        owned, mod_size, mod_parent, enter_sum, parent_exit, pl_en, pl_ex, pl_exc,
        codeflow_plogp_sum, costs, meta_cost,
    )  # fmt: skip
    teleport = tele_total > 0.0
    # undirected links without teleportation enter a module as often as they leave it
    same_logs = undirected and not teleport
    bounded = same_logs and not with_meta  # (candidates bounded: see join_lower_bound)
    index_base, index_slope = 0.0, np.nan
    n_nonempty = 0
    for i in range(owned.shape[0]):
        if mod_size[owned[i]] > 0:
            n_nonempty += 1
    total_moves = 0
    for _sweep in range(max_sweeps):
        shuffle(order, rng_state)
        moves = 0
        for i in range(order.shape[0]):
            u = order[i]
            if not active[u]:
                continue
            if settle_joined and mod_size[module_of[u]] > 1:
                continue  # (see the docstring)
            active[u] = False
            a = module_of[u]
            p = parent[u]
            n_touched = neighbour_flows(
                u, p, module_of, parent, out_ptr, out_idx, out_flow, in_ptr, in_idx, in_flow,
                undirected, flow_to, flow_from, touched, is_touched, one_parent,
            )  # fmt: skip
            if physical:
                n_touched = meta_kernels.add_category_modules(u, p, a, meta_ptr, meta_idx,
                    meta_flow, slab, mod_parent, touched, is_touched, n_touched, shared,
                    stamp)  # fmt: skip
            cu = codeflow[u]
            tu = tele_src[u]
            tau_u = tele_tgt[u]
            ex_u = unit_exit[u]
            en_u = unit_enter[u]
            q_p = parent_exit[p]
            s_p = enter_sum[p]
            # Module a without u.
            to_a = flow_to[a]
            from_a = flow_to[a] if undirected else flow_from[a]
            delta_a, a_exit_link, a_enter_link, a_code, a_tsrc, a_ttgt, a_en_old, a_en_new = (
                leave_terms(a, cu, tu, tau_u, ex_u, en_u, to_a, from_a, mod_codeflow, mod_exit,
                            mod_enter, mod_tsrc, mod_ttgt, mod_size, tele_total, pl_en, pl_ex,
                            pl_exc, same_logs)
            )  # fmt: skip
            total_u = 0.0
            meta_a = 0.0  # (the change of a's meta cost without u)
            if with_meta:
                total_u, meta_a = meta_kernels.leave_meta(
                    mod_meta, meta_total, a, meta_ptr, meta_idx, meta_flow, u,
                    costs.meta_total, shared, physical,
                )  # fmt: skip
                delta_a += meta_rate * meta_a
            s_base = s_p - a_en_old + a_en_new
            old_index = _plogp(q_p + s_p)
            if bounded:
                index_base, index_slope = index_tangent(q_p, s_base, old_index)
            # modules gained (+1: into an empty one) or lost (-1: a emptied), set per
            # candidate below, change the objective's module terms
            module_change = 0
            count_cost = _count_cost(costs, n_nonempty)
            best_delta = -_MIN_IMPROVEMENT
            best_meta = 0.0
            best_change = 0
            best = -1
            best_ex = 0.0
            best_en = 0.0
            for t in range(n_touched + 1):
                if t < n_touched:
                    b = touched[t]
                    if b == a or mod_parent[b] != p or mod_size[b] == 0:
                        continue
                    module_change = -1 if mod_size[a] == 1 else 0
                    to_b = flow_to[b]
                    from_b = flow_to[b] if undirected else flow_from[b]
                    b_exit_link = mod_exit[b] + ex_u - to_b - from_b
                    b_enter_link = mod_enter[b] + en_u - to_b - from_b
                    if bounded and cannot_win(
                        delta_a, index_base, index_slope, b, mod_exit, mod_codeflow, pl_en,
                        pl_exc, b_exit_link, cu,
                        _count_cost(costs, n_nonempty + module_change) - count_cost, best_delta,
                    ):  # fmt: skip
                        continue  # (see join_lower_bound)
                    pl_b_en_old = pl_en[b]
                    pl_b_ex_old = pl_ex[b]
                    pl_b_exc_old = pl_exc[b]
                    b_code_old = mod_codeflow[b]
                    b_tsrc, b_ttgt, b_en_old = teleport_terms(
                        b, tu, tau_u, mod_enter, mod_tsrc, mod_ttgt, tele_total, teleport
                    )
                else:
                    # An empty module, unless u is alone already.
                    if mod_size[a] == 1 or n_free == 0:
                        continue
                    b = -2
                    b_exit_link = ex_u
                    b_enter_link = en_u
                    pl_b_en_old = 0.0
                    pl_b_ex_old = 0.0
                    pl_b_exc_old = 0.0
                    b_en_old = 0.0
                    b_code_old = 0.0
                    b_tsrc = tu
                    b_ttgt = tau_u
                    module_change = 1
                meta_b = 0.0  # (the change of b's meta cost with u)
                if with_meta:
                    if b >= 0:
                        meta_b = meta_kernels.meta_join_change(mod_meta, meta_total, b, meta_ptr,
                            meta_idx, meta_flow, u, total_u, costs.meta_total, shared, stamp)
                    else:  # (an empty module: u's own meta cost)
                        meta_b = meta_kernels.unit_meta_cost(
                            meta_ptr, meta_idx, meta_flow, u, total_u, costs.meta_total
                        )
                delta = (
                    join_delta(delta_a, b_exit_link, b_enter_link, b_tsrc, b_ttgt, b_en_old,
                               b_code_old, pl_b_en_old, pl_b_ex_old, pl_b_exc_old, cu, s_base,
                               q_p, old_index, tele_total, same_logs)
                    + _count_cost(costs, n_nonempty + module_change) - count_cost
                    + meta_rate * meta_b
                )  # fmt: skip
                if delta < best_delta:
                    best_delta = delta
                    best_meta = meta_b
                    best_change = module_change
                    best = b
                    best_ex = b_exit_link
                    best_en = b_enter_link
            if best != -1:
                if best == -2:
                    best, n_free = open_module(free, n_free, p, mod_parent, mod_codeflow,
                                               mod_exit, mod_enter, mod_tsrc, mod_ttgt)  # fmt: skip
                b = best
                if with_meta:
                    meta_kernels.move_meta(
                        state, a, b, u, meta_ptr, meta_idx, meta_flow, total_u, meta_a,
                        best_meta, mod_size[a] == 1, not physical,
                    )  # fmt: skip
                    if physical:
                        meta_kernels.move_physical(u, a, b, meta_ptr, meta_idx, meta_flow, slab)
                n_free = apply_move(
                    u, a, b, p, cu, tu, tau_u, a_exit_link, a_enter_link, a_code, a_tsrc, a_ttgt,
                    best_ex, best_en, s_base, module_of, mod_codeflow, mod_exit, mod_enter,
                    mod_tsrc, mod_ttgt, mod_size, enter_sum, free, n_free, tele_total, pl_en,
                    pl_ex, pl_exc,
                )  # fmt: skip
                n_nonempty += best_change
                moves += 1
                activate_neighbours(u, out_ptr, out_idx, in_ptr, in_idx, undirected, active)
            for t in range(n_touched):
                m = touched[t]
                flow_to[m] = 0.0
                flow_from[m] = 0.0
                is_touched[m] = False
        total_moves += moves
        new = sweep_codelength(
            owned, state, enter_sum, parent_exit, tele_total, pl_en, pl_ex, pl_exc,
            codeflow_plogp_sum, costs,
        )  # fmt: skip
        gain = current - new
        current = new
        if moves == 0 or gain < sweep_threshold:
            break
    return total_moves, current


@njit(cache=True, inline="always")
def _module_links(module_of, k, ptr, idx, flow, exact):
    """The links between modules, in arrays of their exact size if ``exact``."""
    if exact:
        return aggregate_links_exact_serial(module_of, k, ptr, idx, flow)
    return aggregate_links(module_of, k, ptr, idx, flow)


@njit(cache=True, nogil=True)
def aggregate_unit_arrays(units, module_of, k, undirected, exact):
    """The UnitArrays of the modules of ``module_of`` (ids 0..k-1) as units (``search.aggregate``
    in a kernel); ``exact``: links summed into arrays of their exact size."""
    out_ptr, out_idx, out_flow = _module_links(
        module_of, k, units.out_ptr, units.out_idx, units.out_flow, exact
    )
    if undirected:
        in_ptr, in_idx, in_flow = out_ptr, out_idx, out_flow
    else:
        in_ptr, in_idx, in_flow = _module_links(
            module_of, k, units.in_ptr, units.in_idx, units.in_flow, exact
        )
    return aggregate_unit_sums(
        units, module_of, k, undirected, out_ptr, out_idx, out_flow, in_ptr, in_idx, in_flow
    )


@njit(cache=True, nogil=True)
def aggregate_unit_sums(units, module_of, k, undirected, out_ptr, out_idx, out_flow, in_ptr,
                        in_idx, in_flow):  # fmt: skip
    """The UnitArrays of the modules of ``module_of`` with their links between modules
    given (for undirected links the in-links are the out-links): everything else summed
    over each module's units."""
    parent = np.zeros(k, dtype=np.int64)
    for u in range(module_of.shape[0]):
        parent[module_of[u]] = units.parent[u]
    unit_exit = row_sums(out_ptr, out_flow)
    meta_ptr, meta_idx, meta_flow = aggregate_rows(
        module_of, k, units.meta_ptr, units.meta_idx, units.meta_flow
    )
    return UnitArrays(
        sum_by_label(module_of, units.codeflow, k),
        unit_exit,
        unit_exit if undirected else row_sums(in_ptr, in_flow),
        sum_by_label(module_of, units.tele_src, k),
        sum_by_label(module_of, units.tele_tgt, k),
        parent, out_ptr, out_idx, out_flow, in_ptr, in_idx, in_flow,
        meta_ptr, meta_idx, meta_flow,
    )  # fmt: skip


@njit(cache=True, nogil=True)
def find_modules_serial(
    module_of, units, undirected, parent_exit, tele_total, codeflow_plogp_sum, costs,
    rng_state, max_sweeps, sweep_threshold, random_sweeps=False, exact_min_links=0,
    aggregated_sweeps=0, settle_joined=False, stop_unmoved=False,
):
    """Core loop and aggregation, repeated until the module network stops changing, in one
    call: ``search.find_modules`` for units searched one at a time (no parent groups),
    with the same steps and random stream, without a return to Python per step (small
    networks spend most of their time there); ``random_sweeps``: each core loop stops after
    a random 1..``max_sweeps`` sweeps at most; ``aggregated_sweeps`` (0: ``max_sweeps``):
    the limit on the module networks after the first; ``settle_joined``: ``core_loop``'s,
    on the first network; module networks of ``exact_min_links`` link
    entries or more (0: none) are summed into arrays of their exact size (``_aggregate``);
    ``stop_unmoved``: a first core loop that moves no unit ends the search (the coarse
    tune's move of submodules, whose modules come from a finished search).
    Returns (module of each unit, codelength)."""
    n = units.codeflow.shape[0]
    unit_module = np.arange(n)
    first = True
    length = np.inf
    while True:
        n_units = units.codeflow.shape[0]
        k = max(module_of.max() + 1, n_units)
        state = init_modules(module_of, k, units, undirected, costs.n_meta, costs.meta_total)
        if not first and aggregated_sweeps > 0:
            sweeps = aggregated_sweeps
        elif random_sweeps:
            sweeps = random_sweep_limit(rng_state, max_sweeps)
        else:
            sweeps = max_sweeps
        moves, length = core_loop(
            module_of, units, undirected, state, parent_exit, tele_total,
            codeflow_plogp_sum, costs, rng_state, sweeps, sweep_threshold,
            np.arange(n_units), np.arange(k), module_scratch(state), settle_joined and first,
        )  # fmt: skip
        module_of, k = compact_labels(module_of, max(module_of.max() + 1, n_units))
        unit_module = module_of[unit_module]
        if (moves == 0 and (stop_unmoved or not first)) or k == n_units or k == 1:
            break
        # the modules become the units (as search.aggregate)
        units = aggregate_unit_arrays(
            units, module_of, k, undirected, 0 < exact_min_links <= units.out_idx.shape[0]
        )
        module_of = np.arange(k)
        first = False
    return unit_module, length
