"""The core loop on several threads: moves proposed side by side, committed in order.

Each sweep visits the units in a random order, block by block (``block_size`` units, a
number that depends on the network only). Within a block every active unit's best move
is found at once, on all threads, against the modules as they stand when the block
starts (the expensive part: the neighbours' modules and three logarithms per candidate).
Then the block's moves are committed one by one in the sweep's order: a move from a
module or into a module that another unit joined or left earlier in the block is skipped
(the unit's link flows to it may be stale; the unit stays active for the next sweep), and
every other move is scored again against the modules as they stand now (the parent's
index codebook changed with the earlier moves) and made only where it still shortens the
code. Meta data (and the physical nodes of state networks) are priced as the serial loop
prices them: their tables (``_meta``) are written by the commits only, and a move's meta
terms read the weights of its modules a and b alone, which no earlier commit of the block
changed when the move is not stale, so the proposal's terms stand at the commit.

The moves are the serial core loop's (``_move_terms``), the proposals depend on the
block's starting state only and the commits are in a fixed order, so the result does not
depend on the number of threads. It differs from the serial loop's, whose units see
every earlier move of their sweep; the search uses this loop only when it has several
threads for one large search (see ``_two_level.find_modules``).
"""

from __future__ import annotations

import numba
import numpy as np
from numba import njit, prange

from .._kernels import plogp_scalar as _plogp
from .._kernels import shuffle
from . import _meta as meta_kernels
from ._launch import launch_parallel
from ._move_terms import (
    activate_neighbours,
    apply_move,
    cannot_win,
    count_cost,
    free_modules_and_caches,
    index_tangent,
    join_delta,
    leave_terms,
    most_neighbours,
    open_module,
    parent_enter_sums,
    teleport_terms,
)
from ._moves import _MIN_IMPROVEMENT, _cached_objective, sweep_codelength

_NONE = -1  # no move
_EMPTY = -2  # into an empty module


@njit(cache=True, inline="always")
def _place(m, n_touched, place, touched, touched_to, touched_from, mod_size, touched_size):
    """Module ``m``'s place in the neighbour list of ``_listed_flows``, listed there (its
    flows zero) if it was not; returns the place and the list's new length."""
    at = place[m]
    if at >= 0:
        return at, n_touched
    place[m] = n_touched
    touched[n_touched] = m
    # (read here, in a short loop whose cache misses overlap, the module's record is at
    # hand when the candidate is scored)
    touched_size[n_touched] = mod_size[m]
    touched_to[n_touched] = 0.0
    touched_from[n_touched] = 0.0
    return n_touched, n_touched + 1


@njit(cache=True, inline="always")
def _listed_flows(u, p, module_of, parent, out_ptr, out_idx, out_flow, in_ptr, in_idx,
                  in_flow, undirected, one_parent, touched, touched_to, touched_from,
                  place, mod_size, touched_size):  # fmt: skip
    """List the modules of ``u``'s neighbours under the parent ``p`` in ``touched``, with
    ``u``'s link flow to (directed: and from) each in ``touched_to`` (``touched_from``) at
    the same place, and each module's place in ``place`` (which must be -1 for every
    module: the caller resets the listed ones); return their number. The flows of
    ``_move_terms.neighbour_flows``, kept by place instead of by module; ``one_parent``:
    every unit has the parent ``p`` (its parents are not read)."""
    n_touched = _list_row(u, p, out_ptr, out_idx, out_flow, touched_to, 0, module_of, parent,
                          one_parent, place, touched, touched_to, touched_from, mod_size,
                          touched_size)  # fmt: skip
    if not undirected:
        n_touched = _list_row(u, p, in_ptr, in_idx, in_flow, touched_from, n_touched,
                              module_of, parent, one_parent, place, touched, touched_to,
                              touched_from, mod_size, touched_size)  # fmt: skip
    return n_touched


@njit(cache=True, inline="always")
def _list_row(u, p, ptr, idx, flow, sums, n_touched, module_of, parent, one_parent, place,
              touched, touched_to, touched_from, mod_size, touched_size):  # fmt: skip
    """``_listed_flows`` for one row of ``u``'s links: their flows added to ``sums`` (the
    flows to or from the modules) by place; returns the list's new length."""
    for k in range(ptr[u], ptr[u + 1]):
        v = idx[k]
        if one_parent or parent[v] == p:
            at, n_touched = _place(module_of[v], n_touched, place, touched, touched_to,
                                   touched_from, mod_size, touched_size)  # fmt: skip
            sums[at] += flow[k]
    return n_touched


@njit(cache=True, nogil=True, parallel=True)
def core_loop_parallel(
    module_of, units, undirected, state, parent_exit, tele_total, codeflow_plogp_sum,
    costs, rng_state, max_sweeps, sweep_threshold, block_size, settle_joined, n_threads,
):  # fmt: skip
    """``_moves.core_loop`` over every unit and module, with the moves of each block of
    units proposed in parallel and committed in order (see the module docstring), on
    ``n_threads`` threads (``numba.get_num_threads()`` of the caller: read here, it would
    keep the kernel out of numba's cache). Returns the number of moves and the
    codelength."""
    (codeflow, unit_exit, unit_enter, tele_src, tele_tgt, parent,
     out_ptr, out_idx, out_flow, in_ptr, in_idx, in_flow,
     meta_ptr, meta_idx, meta_flow) = units  # fmt: skip
    (mod_codeflow, mod_exit, mod_enter, mod_tsrc, mod_ttgt, mod_size, mod_parent,
     mod_meta, meta_total, meta_cost, records) = state  # fmt: skip
    meta_rate = costs.meta_rate
    with_meta = meta_rate > 0.0 and mod_meta.shape[0] > 0  # (as _moves.core_loop's)
    physical = with_meta and costs.meta_total == 0.0
    n = module_of.shape[0]
    n_modules = mod_codeflow.shape[0]
    owned = np.arange(n_modules)
    enter_sum = np.zeros(parent_exit.shape[0])
    parent_enter_sums(owned, mod_size, mod_parent, mod_enter, mod_tsrc, mod_ttgt, tele_total,
                      enter_sum)  # fmt: skip
    # (the caches are fields of the modules' records: see _move_terms.MODULE_RECORD)
    pl_en, pl_ex, pl_exc = records["pl_en"], records["pl_ex"], records["pl_exc"]
    free, n_free = free_modules_and_caches(
        owned, mod_size, mod_codeflow, mod_exit, mod_enter, mod_tsrc, mod_ttgt, tele_total,
        pl_en, pl_ex, pl_exc,
    )  # fmt: skip
    n_nonempty = n_modules - n_free
    order = np.arange(n)
    # each thread's scratch: the modules of a unit's neighbours, in the order met, with
    # the unit's link flow to (and, directed, from) each, and each module's place in that
    # list (-1: not met): one int32 per module and thread, where flows and marks by module
    # took a float and a bool (``_listed_flows`` also reads each listed module's record:
    # that, not this layout, halved the proposals' time per candidate at 1M nodes)
    n_most = most_neighbours(order, out_ptr, in_ptr, undirected)
    # physical nodes: any module may be a candidate, listed first by each thread's
    # _meta.add_category_modules, with its prices, then merged into the neighbour list
    slab, shared_one, stamp_one = meta_kernels.physical_modules(
        module_of, order, meta_ptr, meta_idx, meta_flow, meta_idx.max() + 1 if physical else 0,
        n_modules,
    )  # fmt: skip
    if physical:
        n_most = n_modules
    n_priced = n_modules if physical else 0
    shared = np.zeros((n_threads, shared_one.shape[0]))
    stamp = np.zeros((n_threads, stamp_one.shape[0]), dtype=np.int64)
    priced = np.empty((n_threads, n_priced), dtype=np.int64)
    is_priced = np.zeros((n_threads, n_priced), dtype=np.bool_)
    touched = np.empty((n_threads, n_most), dtype=np.int32)
    touched_to = np.zeros((n_threads, n_most))
    touched_from = np.zeros((n_threads, n_most))  # (unused for undirected links)
    place = np.full((n_threads, n_modules), -1, dtype=np.int32)
    touched_size = np.zeros((n_threads, n_most), dtype=np.int32)
    # a block's proposals: target module and u's link flows to (from) a and the target
    target = np.empty(block_size, dtype=np.int64)
    moved = np.empty(block_size, dtype=np.int64)  # the units that moved in the block
    flows = np.empty((block_size, 7))  # (and the meta terms of a and the target, u's meta)
    # the last block in which a unit joined or left each module (see the commits below)
    changed_in_block = np.full(n_modules, -1, dtype=np.int32)
    active = np.ones(n, dtype=np.bool_)
    one_parent = parent_exit.shape[0] == 1  # (no neighbour lies under another parent)
    teleport = tele_total > 0.0
    same_logs = undirected and not teleport
    bounded = same_logs and not with_meta  # (as core_loop's)
    current = _cached_objective(
        owned, mod_size, mod_parent, enter_sum, parent_exit, pl_en, pl_ex, pl_exc,
        codeflow_plogp_sum, costs, meta_cost,
    )  # fmt: skip
    total_moves = 0
    block_id = 0
    for _sweep in range(max_sweeps):
        shuffle(order, rng_state)
        moves = 0
        for start in range(0, n, block_size):
            stop = min(n, start + block_size)
            for i in prange(start, stop):
                tid = numba.get_thread_id()
                target[i - start] = _NONE
                u = order[i]
                if not active[u]:
                    continue
                a = module_of[u]
                if settle_joined and mod_size[a] > 1:
                    continue  # (as _moves.core_loop's)
                active[u] = False
                p = parent[u]
                n_touched = _listed_flows(
                    u, p, module_of, parent, out_ptr, out_idx, out_flow, in_ptr, in_idx,
                    in_flow, undirected, one_parent, touched[tid], touched_to[tid],
                    touched_from[tid], place[tid], mod_size, touched_size[tid],
                )  # fmt: skip
                if physical:
                    n_listed = meta_kernels.add_category_modules(
                        u, p, a, meta_ptr, meta_idx, meta_flow, slab, mod_parent, priced[tid],
                        is_priced[tid], 0, shared[tid], stamp[tid],
                    )  # fmt: skip
                    for t in range(n_listed):
                        m = priced[tid, t]
                        is_priced[tid, m] = False
                        _, n_touched = _place(m, n_touched, place[tid], touched[tid],
                                              touched_to[tid], touched_from[tid], mod_size,
                                              touched_size[tid])  # fmt: skip
                to_a = 0.0
                from_a = 0.0
                at_a = place[tid, a]
                if at_a >= 0:
                    to_a = touched_to[tid, at_a]
                    from_a = to_a if undirected else touched_from[tid, at_a]
                cu = codeflow[u]
                tu = tele_src[u]
                tau_u = tele_tgt[u]
                delta_a, _, _, _, _, _, a_en_old, a_en_new = leave_terms(
                    a, cu, tu, tau_u, unit_exit[u], unit_enter[u], to_a, from_a,
                    mod_codeflow, mod_exit, mod_enter, mod_tsrc, mod_ttgt, mod_size,
                    tele_total, pl_en, pl_ex, pl_exc, same_logs,
                )  # fmt: skip
                total_u = 0.0
                meta_a = 0.0  # (the change of a's meta cost without u, as core_loop's)
                if with_meta:
                    total_u, meta_a = meta_kernels.leave_meta(
                        mod_meta, meta_total, a, meta_ptr, meta_idx, meta_flow, u,
                        costs.meta_total, shared[tid], physical,
                    )  # fmt: skip
                    delta_a += meta_rate * meta_a
                q_p = parent_exit[p]
                s_base = enter_sum[p] - a_en_old + a_en_new
                old_index = _plogp(q_p + enter_sum[p])
                index_base, index_slope = 0.0, np.nan
                if bounded:
                    index_base, index_slope = index_tangent(q_p, s_base, old_index)
                leaves_empty = mod_size[a] == 1
                now = count_cost(costs, n_nonempty)
                best = _NONE
                best_delta = -_MIN_IMPROVEMENT
                best_to = 0.0
                best_from = 0.0
                best_meta = 0.0
                for t in range(n_touched + 1):
                    if t < n_touched:
                        b = touched[tid, t]
                        if b == a or touched_size[tid, t] == 0 or mod_parent[b] != p:
                            continue
                        to_b = touched_to[tid, t]
                        from_b = to_b if undirected else touched_from[tid, t]
                        change = -1 if leaves_empty else 0
                        if bounded and cannot_win(
                            delta_a, index_base, index_slope, b, mod_exit, mod_codeflow, pl_en,
                            pl_exc, mod_exit[b] + unit_exit[u] - to_b - from_b, cu,
                            count_cost(costs, n_nonempty + change) - now, best_delta,
                        ):  # fmt: skip
                            continue  # (as core_loop's: see _move_terms.join_lower_bound)
                        b_tsrc, b_ttgt, b_en_old = teleport_terms(
                            b, tu, tau_u, mod_enter, mod_tsrc, mod_ttgt, tele_total, teleport
                        )
                        delta = join_delta(
                            delta_a, mod_exit[b] + unit_exit[u] - to_b - from_b,
                            mod_enter[b] + unit_enter[u] - to_b - from_b, b_tsrc, b_ttgt,
                            b_en_old, mod_codeflow[b], pl_en[b], pl_ex[b], pl_exc[b], cu,
                            s_base, q_p, old_index, tele_total, same_logs,
                        )  # fmt: skip
                        meta_b = 0.0
                        if with_meta:
                            meta_b = meta_kernels.meta_join_change(
                                mod_meta, meta_total, b, meta_ptr, meta_idx, meta_flow, u,
                                total_u, costs.meta_total, shared[tid], stamp[tid],
                            )  # fmt: skip
                    else:
                        if leaves_empty or n_free == 0:
                            continue
                        b = _EMPTY
                        to_b = 0.0
                        from_b = 0.0
                        change = 1
                        delta = join_delta(
                            delta_a, unit_exit[u], unit_enter[u], tu, tau_u, 0.0, 0.0, 0.0,
                            0.0, 0.0, cu, s_base, q_p, old_index, tele_total, same_logs,
                        )  # fmt: skip
                        meta_b = 0.0
                        if with_meta:  # (an empty module: u's own meta cost)
                            meta_b = meta_kernels.unit_meta_cost(
                                meta_ptr, meta_idx, meta_flow, u, total_u, costs.meta_total
                            )
                    delta += count_cost(costs, n_nonempty + change) - now
                    delta += meta_rate * meta_b
                    if delta < best_delta:
                        best_delta = delta
                        best = b
                        best_to = to_b
                        best_from = from_b
                        best_meta = meta_b
                target[i - start] = best
                flows[i - start, 0] = to_a
                flows[i - start, 1] = from_a
                flows[i - start, 2] = best_to
                flows[i - start, 3] = best_from
                flows[i - start, 4] = meta_a
                flows[i - start, 5] = best_meta
                flows[i - start, 6] = total_u
                for t in range(n_touched):
                    place[tid, touched[tid, t]] = -1
            n_moved = 0
            for i in range(start, stop):
                b = target[i - start]
                if b == _NONE:
                    continue
                u = order[i]
                a = module_of[u]
                p = parent[u]
                leaves_empty = mod_size[a] == 1
                # u's link flows to a and b change only when a unit joins or leaves a or b,
                # so the proposal is stale only if a or b changed in this block (two reads,
                # where checking u's neighbours took one cache miss per link)
                # (a settled unit was alone in a: a unit that joined a marked it changed)
                stale = changed_in_block[a] == block_id
                if b == _EMPTY:
                    stale |= leaves_empty or n_free == 0
                else:
                    stale |= (
                        changed_in_block[b] == block_id or mod_size[b] == 0
                        or mod_parent[b] != p
                    )  # fmt: skip
                if stale:
                    active[u] = True  # (tried again next sweep)
                    continue
                # the move scored again against the modules as they stand now
                cu = codeflow[u]
                tu = tele_src[u]
                tau_u = tele_tgt[u]
                to_a = flows[i - start, 0]
                from_a = flows[i - start, 1]
                to_b = flows[i - start, 2]
                from_b = flows[i - start, 3]
                delta_a, a_exit, a_enter, a_code, a_tsrc, a_ttgt, a_en_old, a_en_new = (
                    leave_terms(a, cu, tu, tau_u, unit_exit[u], unit_enter[u], to_a, from_a,
                                mod_codeflow, mod_exit, mod_enter, mod_tsrc, mod_ttgt,
                                mod_size, tele_total, pl_en, pl_ex, pl_exc, same_logs)
                )  # fmt: skip
                # (a and b unchanged in the block: so are the meta terms of the proposal)
                meta_a = flows[i - start, 4]
                meta_b = flows[i - start, 5]
                delta_a += meta_rate * meta_a
                q_p = parent_exit[p]
                s_base = enter_sum[p] - a_en_old + a_en_new
                if b == _EMPTY:
                    b_exit = unit_exit[u]
                    b_enter = unit_enter[u]
                    change = 1
                    delta = join_delta(
                        delta_a, b_exit, b_enter, tu, tau_u, 0.0, 0.0, 0.0, 0.0, 0.0, cu,
                        s_base, q_p, _plogp(q_p + enter_sum[p]), tele_total, same_logs,
                    )  # fmt: skip
                else:
                    b_exit = mod_exit[b] + unit_exit[u] - to_b - from_b
                    b_enter = mod_enter[b] + unit_enter[u] - to_b - from_b
                    change = -1 if leaves_empty else 0
                    b_tsrc, b_ttgt, b_en_old = teleport_terms(
                        b, tu, tau_u, mod_enter, mod_tsrc, mod_ttgt, tele_total, teleport
                    )
                    delta = join_delta(
                        delta_a, b_exit, b_enter, b_tsrc, b_ttgt, b_en_old,
                        mod_codeflow[b], pl_en[b], pl_ex[b], pl_exc[b], cu, s_base, q_p,
                        _plogp(q_p + enter_sum[p]), tele_total, same_logs,
                    )  # fmt: skip
                delta += count_cost(costs, n_nonempty + change) - count_cost(costs, n_nonempty)
                delta += meta_rate * meta_b
                if not delta < -_MIN_IMPROVEMENT:
                    continue
                if b == _EMPTY:
                    b, n_free = open_module(free, n_free, p, mod_parent, mod_codeflow, mod_exit,
                                            mod_enter, mod_tsrc, mod_ttgt)  # fmt: skip
                if with_meta:
                    meta_kernels.move_meta(state, a, b, u, meta_ptr, meta_idx, meta_flow,
                                           flows[i - start, 6], meta_a, meta_b, leaves_empty,
                                           not physical)  # fmt: skip
                    if physical:
                        meta_kernels.move_physical(u, a, b, meta_ptr, meta_idx, meta_flow, slab)
                n_free = apply_move(
                    u, a, b, p, cu, tu, tau_u, a_exit, a_enter, a_code, a_tsrc, a_ttgt,
                    b_exit, b_enter, s_base, module_of, mod_codeflow, mod_exit, mod_enter,
                    mod_tsrc, mod_ttgt, mod_size, enter_sum, free, n_free, tele_total, pl_en,
                    pl_ex, pl_exc,
                )  # fmt: skip
                n_nonempty += change
                changed_in_block[a] = block_id
                changed_in_block[b] = block_id
                moved[n_moved] = u
                n_moved += 1
            # Their neighbours are tried again, from the next block on: marked on all
            # threads once the block is committed (nothing reads the marks before; at 1M
            # nodes marking during the commits took a fifth of the first sweep)
            for j in prange(n_moved):
                activate_neighbours(moved[j], out_ptr, out_idx, in_ptr, in_idx, undirected,
                                    active)  # fmt: skip
            moves += n_moved
            block_id += 1
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


def run_core_loop_parallel(*args):
    """``core_loop_parallel(*args)`` on its ``n_threads`` threads (its last argument), one
    launch at a time where numba's threading layer needs that (``_launch``)."""
    return launch_parallel(core_loop_parallel, args[-1], *args)
