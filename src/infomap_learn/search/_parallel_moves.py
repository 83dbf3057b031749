"""The core loop on several threads: moves proposed side by side, committed in order.

Each sweep visits the units in a random order, block by block (``block_size`` units, a
number that depends on the network only). Within a block every active unit's best move
is found at once, on all threads, against the modules as they stand when the block
starts (the expensive part: the neighbours' modules and three logarithms per candidate).
Then the block's moves are committed one by one in the sweep's order: a unit whose
neighbour moved earlier in the block is skipped (its link flows to the modules are
stale; it stays active for the next sweep), and every other move is scored again against
the modules as they stand now (other units may have joined or left them) and made only
where it still shortens the code.

The moves are the serial core loop's (``_move_terms``), the proposals depend on the
block's starting state only and the commits are in a fixed order, so the result does not
depend on the number of threads. It differs from the serial loop's, whose units see
every earlier move of their sweep; the search uses this loop only when it has several
threads for one large search (see ``_two_level.find_modules``). Meta data are not
supported here (their candidate terms keep scratch tables per call).
"""

from __future__ import annotations

import numba
import numpy as np
from numba import njit, prange

from .._kernels import plogp_scalar as _plogp
from .._kernels import shuffle
from ._launch import launch_parallel
from ._move_terms import (
    activate_neighbours,
    apply_move,
    count_cost,
    enter_total,
    free_modules_and_caches,
    join_delta,
    leave_terms,
    most_neighbours,
    neighbour_flows,
    open_module,
    parent_enter_sums,
)
from ._moves import _MIN_IMPROVEMENT, _cached_objective, sweep_codelength

_NONE = -1  # no move
_EMPTY = -2  # into an empty module


@njit(cache=True, nogil=True, parallel=True)
def core_loop_parallel(
    module_of, units, undirected, state, parent_exit, tele_total, codeflow_plogp_sum,
    costs, rng_state, max_sweeps, sweep_threshold, block_size, n_threads,
):  # fmt: skip
    """``_moves.core_loop`` over every unit and module, with the moves of each block of
    units proposed in parallel and committed in order (see the module docstring), on
    ``n_threads`` threads (``numba.get_num_threads()`` of the caller: read here, it would
    keep the kernel out of numba's cache). Returns the number of moves and the
    codelength."""
    (codeflow, unit_exit, unit_enter, tele_src, tele_tgt, parent,
     out_ptr, out_idx, out_flow, in_ptr, in_idx, in_flow, _, _, _) = units  # fmt: skip
    (mod_codeflow, mod_exit, mod_enter, mod_tsrc, mod_ttgt, mod_size, mod_parent,
     _, _, meta_cost, records) = state  # fmt: skip
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
    # each thread's scratch (flow from modules only for directed links)
    flow_to = np.zeros((n_threads, n_modules))
    flow_from = np.zeros((n_threads, 1 if undirected else n_modules))
    touched = np.empty(
        (n_threads, most_neighbours(order, out_ptr, in_ptr, undirected)), dtype=np.int32
    )
    is_touched = np.zeros((n_threads, n_modules), dtype=np.bool_)
    # a block's proposals: target module and u's link flows to (from) a and the target
    target = np.empty(block_size, dtype=np.int64)
    flows = np.empty((block_size, 4))
    moved_in_block = np.full(n, -1, dtype=np.int32)  # the block in which a unit moved
    active = np.ones(n, dtype=np.bool_)
    teleport = tele_total > 0.0
    same_logs = undirected and not teleport
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
                active[u] = False
                a = module_of[u]
                p = parent[u]
                n_touched = neighbour_flows(
                    u, p, module_of, parent, out_ptr, out_idx, out_flow, in_ptr, in_idx,
                    in_flow, undirected, flow_to[tid], flow_from[tid], touched[tid],
                    is_touched[tid],
                )  # fmt: skip
                to_a = flow_to[tid, a]
                from_a = to_a if undirected else flow_from[tid, a]
                cu = codeflow[u]
                tu = tele_src[u]
                tau_u = tele_tgt[u]
                delta_a, _, _, _, _, _, a_en_old, a_en_new = leave_terms(
                    a, cu, tu, tau_u, unit_exit[u], unit_enter[u], to_a, from_a,
                    mod_codeflow, mod_exit, mod_enter, mod_tsrc, mod_ttgt, mod_size,
                    tele_total, pl_en, pl_ex, pl_exc, same_logs,
                )  # fmt: skip
                q_p = parent_exit[p]
                s_base = enter_sum[p] - a_en_old + a_en_new
                old_index = _plogp(q_p + enter_sum[p])
                leaves_empty = mod_size[a] == 1
                now = count_cost(costs, n_nonempty)
                best = _NONE
                best_delta = -_MIN_IMPROVEMENT
                best_to = 0.0
                best_from = 0.0
                for t in range(n_touched + 1):
                    if t < n_touched:
                        b = touched[tid, t]
                        if b == a or mod_parent[b] != p or mod_size[b] == 0:
                            continue
                        to_b = flow_to[tid, b]
                        from_b = to_b if undirected else flow_from[tid, b]
                        change = -1 if leaves_empty else 0
                        delta = join_delta(
                            delta_a, mod_exit[b] + unit_exit[u] - to_b - from_b,
                            mod_enter[b] + unit_enter[u] - to_b - from_b,
                            mod_tsrc[b] + tu, mod_ttgt[b] + tau_u,
                            enter_total(mod_enter[b], mod_tsrc[b], mod_ttgt[b], tele_total),
                            mod_codeflow[b], pl_en[b], pl_ex[b], pl_exc[b], cu, s_base, q_p,
                            old_index, tele_total, same_logs,
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
                    delta += count_cost(costs, n_nonempty + change) - now
                    if delta < best_delta:
                        best_delta = delta
                        best = b
                        best_to = to_b
                        best_from = from_b
                target[i - start] = best
                flows[i - start, 0] = to_a
                flows[i - start, 1] = from_a
                flows[i - start, 2] = best_to
                flows[i - start, 3] = best_from
                for t in range(n_touched):
                    m = touched[tid, t]
                    flow_to[tid, m] = 0.0
                    if not undirected:
                        flow_from[tid, m] = 0.0
                    is_touched[tid, m] = False
            for i in range(start, stop):
                b = target[i - start]
                if b == _NONE:
                    continue
                u = order[i]
                stale = False
                for k in range(out_ptr[u], out_ptr[u + 1]):
                    stale |= moved_in_block[out_idx[k]] == block_id
                if not undirected:
                    for k in range(in_ptr[u], in_ptr[u + 1]):
                        stale |= moved_in_block[in_idx[k]] == block_id
                a = module_of[u]
                p = parent[u]
                leaves_empty = mod_size[a] == 1
                if b == _EMPTY:
                    stale |= leaves_empty or n_free == 0
                else:
                    stale |= mod_size[b] == 0 or mod_parent[b] != p
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
                    delta = join_delta(
                        delta_a, b_exit, b_enter, mod_tsrc[b] + tu, mod_ttgt[b] + tau_u,
                        enter_total(mod_enter[b], mod_tsrc[b], mod_ttgt[b], tele_total),
                        mod_codeflow[b], pl_en[b], pl_ex[b], pl_exc[b], cu, s_base, q_p,
                        _plogp(q_p + enter_sum[p]), tele_total, same_logs,
                    )  # fmt: skip
                delta += count_cost(costs, n_nonempty + change) - count_cost(costs, n_nonempty)
                if not delta < -_MIN_IMPROVEMENT:
                    continue
                if b == _EMPTY:
                    b, n_free = open_module(free, n_free, p, mod_parent, mod_codeflow, mod_exit,
                                            mod_enter, mod_tsrc, mod_ttgt)  # fmt: skip
                n_free = apply_move(
                    u, a, b, p, cu, tu, tau_u, a_exit, a_enter, a_code, a_tsrc, a_ttgt,
                    b_exit, b_enter, s_base, module_of, mod_codeflow, mod_exit, mod_enter,
                    mod_tsrc, mod_ttgt, mod_size, enter_sum, free, n_free, tele_total, pl_en,
                    pl_ex, pl_exc,
                )  # fmt: skip
                n_nonempty += change
                moved_in_block[u] = block_id
                moves += 1
                activate_neighbours(u, out_ptr, out_idx, in_ptr, in_idx, undirected, active)
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
