"""The terms of one local move, inlined into the core loops: a unit's link flows to the
modules of its neighbours, the change of its module's codebook when it leaves, the change
of the codelength when it joins another module, and the module state after the move.

The serial core loop (``_moves.core_loop``) and the parallel one
(``_parallel_moves.core_loop_parallel``) take their moves through these functions, so a
move means the same in both. Symbols as in ``_moves``' docstring; ``pl_en``, ``pl_ex`` and
``pl_exc`` cache each module's plogp of its enter, exit and exit + codeflow rates.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .._kernels import plogp_scalar as _plogp


@njit(cache=True, inline="always")
def exit_total(link_exit, tsrc, ttgt):
    return link_exit + tsrc * (1.0 - ttgt)


@njit(cache=True, inline="always")
def enter_total(link_enter, tsrc, ttgt, tele_total):
    return link_enter + (tele_total - tsrc) * ttgt


@njit(cache=True, inline="always")
def count_cost(costs, n_modules):
    """The objective's terms for ``n_modules`` modules (a ModuleCosts ``costs``)."""
    total = costs.per_module * n_modules
    if costs.preferred > 0:
        total += abs(n_modules - costs.preferred)
    return total


@njit(cache=True, inline="always")
def cache_plogp(m, mod_codeflow, mod_exit, mod_enter, mod_tsrc, mod_ttgt, tele_total,
                pl_en, pl_ex, pl_exc):  # fmt: skip
    ex = exit_total(mod_exit[m], mod_tsrc[m], mod_ttgt[m])
    pl_en[m] = _plogp(enter_total(mod_enter[m], mod_tsrc[m], mod_ttgt[m], tele_total))
    pl_ex[m] = _plogp(ex)
    pl_exc[m] = _plogp(ex + mod_codeflow[m])


@njit(cache=True, inline="always")
def neighbour_flows(u, p, module_of, parent, out_ptr, out_idx, out_flow, in_ptr, in_idx,
                    in_flow, undirected, flow_to, flow_from, touched, is_touched,
                    one_parent=False):  # fmt: skip
    """Add ``u``'s link flow to (and, directed, from) each module of its neighbours under
    the parent ``p`` to ``flow_to`` (``flow_from``), list those modules in ``touched``
    (marked in ``is_touched``) and return their number.

    Neighbours under other parents are never candidates: skipping them before reading their
    module keeps calls on other parents' units free of each other."""
    n_touched = 0
    for k in range(out_ptr[u], out_ptr[u + 1]):
        if not one_parent and parent[out_idx[k]] != p:
            continue
        m = module_of[out_idx[k]]
        if not is_touched[m]:
            is_touched[m] = True
            touched[n_touched] = m
            n_touched += 1
        flow_to[m] += out_flow[k]
    if not undirected:
        for k in range(in_ptr[u], in_ptr[u + 1]):
            if not one_parent and parent[in_idx[k]] != p:
                continue
            m = module_of[in_idx[k]]
            if not is_touched[m]:
                is_touched[m] = True
                touched[n_touched] = m
                n_touched += 1
            flow_from[m] += in_flow[k]
    return n_touched


@njit(cache=True, inline="always")
def leave_terms(a, cu, tu, tau_u, ex_u, en_u, to_a, from_a, mod_codeflow, mod_exit, mod_enter,
                mod_tsrc, mod_ttgt, mod_size, tele_total, pl_en, pl_ex, pl_exc,
                same_logs):  # fmt: skip
    """Module ``a`` without ``u``: the change of its codebook terms, its new link exit and
    enter flows, codeflow and teleportation rates, and its enter rate before and after."""
    a_exit_link = mod_exit[a] - ex_u + to_a + from_a
    a_enter_link = mod_enter[a] - en_u + to_a + from_a
    a_code = mod_codeflow[a] - cu
    a_tsrc = mod_tsrc[a] - tu
    a_ttgt = mod_ttgt[a] - tau_u
    a_en_old = enter_total(mod_enter[a], mod_tsrc[a], mod_ttgt[a], tele_total)
    if mod_size[a] == 1:
        a_ex_new = 0.0
        a_en_new = 0.0
        a_code = 0.0
    else:
        a_ex_new = exit_total(a_exit_link, a_tsrc, a_ttgt)
        a_en_new = enter_total(a_enter_link, a_tsrc, a_ttgt, tele_total)
    # module a's old terms are cached
    pl_a_en_new = _plogp(a_en_new)
    pl_a_ex_new = pl_a_en_new if same_logs else _plogp(a_ex_new)
    delta_a = (
        -pl_a_en_new + pl_en[a]
        + _plogp(a_ex_new + a_code) - pl_exc[a]
        - pl_a_ex_new + pl_ex[a]
    )  # fmt: skip
    return delta_a, a_exit_link, a_enter_link, a_code, a_tsrc, a_ttgt, a_en_old, a_en_new


@njit(cache=True, inline="always")
def teleport_terms(b, tu, tau_u, mod_enter, mod_tsrc, mod_ttgt, tele_total, teleport):
    """Module ``b``'s teleportation rates (source, target) with a unit's ``tu``, ``tau_u``
    added, and its enter rate before. Without teleportation (``teleport`` False) the rates
    are zero and their arrays are not read: at 1M nodes these two reads of a random module
    cost as much as the rest of a candidate's terms."""
    if not teleport:
        return 0.0, 0.0, mod_enter[b]
    b_en_old = enter_total(mod_enter[b], mod_tsrc[b], mod_ttgt[b], tele_total)
    return mod_tsrc[b] + tu, mod_ttgt[b] + tau_u, b_en_old


@njit(cache=True, inline="always")
def join_delta(delta_a, b_exit_link, b_enter_link, b_tsrc, b_ttgt, b_en_old, b_code_old,
               pl_b_en_old, pl_b_ex_old, pl_b_exc_old, cu, s_base, q_p, old_index,
               tele_total, same_logs):  # fmt: skip
    """The change of the codelength when ``u`` leaves its module (``delta_a``) and joins a
    module with the given rates (its old ones and its new link flows), the parent's index
    codebook included; the caller adds the terms that count modules."""
    b_ex_new = exit_total(b_exit_link, b_tsrc, b_ttgt)
    b_en_new = enter_total(b_enter_link, b_tsrc, b_ttgt, tele_total)
    s_new = s_base - b_en_old + b_en_new
    pl_b_en_new = _plogp(b_en_new)
    pl_b_ex_new = pl_b_en_new if same_logs else _plogp(b_ex_new)
    return (
        delta_a
        + _plogp(q_p + s_new) - old_index
        - pl_b_en_new + pl_b_en_old
        + _plogp(b_ex_new + b_code_old + cu) - pl_b_exc_old
        - pl_b_ex_new + pl_b_ex_old
    )  # fmt: skip


# A candidate whose lower bound exceeds the best change so far by this much is not scored:
# far above the rounding of either (terms of at most a few bits, to about 1e-16 each).
PRUNE_MARGIN = 1e-12
_INV_LN2 = 1.0 / np.log(2.0)


@njit(cache=True, inline="always")
def index_tangent(q_p, s_base, old_index):
    """For :func:`join_lower_bound`: the parent's index term at ``u``'s leaving alone,
    ``plogp(q_p + s_base) - old_index``, and its slope there; slope NaN (no bound) where
    the parent's rate is zero."""
    x = q_p + s_base
    if x <= 0.0:
        return 0.0, np.nan
    log_x = np.log2(x)  # (one logarithm for both: plogp(x) is x log2 x)
    return x * log_x - old_index, log_x + _INV_LN2


@njit(cache=True, inline="always")
def join_lower_bound(index_base, index_slope, exit_old, pl_exit_old, pl_exc_old,
                     code_old, exit_new, cu):  # fmt: skip
    """A lower bound of :func:`join_delta` without ``delta_a``, for undirected flow without
    teleportation (enter rates equal exit rates: ``same_logs``), from module b's cached
    logs alone, without a logarithm: -inf where none is known.

    plogp is convex: its index and exit + codeflow terms lie above their tangents at the
    rates before the move (``index_tangent`` for the index), and its exit terms change by at
    most their tangent's change plus the curvature bound ``d**2 / (2 ln 2 min(x, x + d))``.
    So a candidate whose bound is not below the best change so far cannot be chosen, and
    skipping it changes no move."""
    d = exit_new - exit_old
    low = exit_new if exit_new < exit_old else exit_old
    exc_old = exit_old + code_old
    if not low > 0.0 or not index_slope == index_slope:
        return -np.inf
    exit_slope = pl_exit_old / exit_old + _INV_LN2
    exc_slope = pl_exc_old / exc_old + _INV_LN2
    return (
        index_base + index_slope * d
        - 2.0 * d * exit_slope - d * d * _INV_LN2 / low
        + exc_slope * (d + cu)
    )


@njit(cache=True, inline="always")
def cannot_win(delta_a, index_base, index_slope, b, mod_exit, mod_codeflow, pl_en, pl_exc,
               exit_new, cu, count_change, best_delta):  # fmt: skip
    """Whether joining module ``b`` (its exit rate ``exit_new`` with ``u``) cannot beat
    ``best_delta``: its lower bound (:func:`join_lower_bound`, plus ``delta_a`` and the
    change of the module-count terms) is above it by ``PRUNE_MARGIN`` or more."""
    bound = join_lower_bound(
        index_base, index_slope, mod_exit[b], pl_en[b], pl_exc[b], mod_codeflow[b],
        exit_new, cu,
    )  # fmt: skip
    return delta_a + bound + count_change - PRUNE_MARGIN >= best_delta


@njit(cache=True, inline="always")
def apply_move(u, a, b, p, cu, tu, tau_u, a_exit_link, a_enter_link, a_code, a_tsrc, a_ttgt,
               b_exit_link, b_enter_link, s_base, module_of, mod_codeflow, mod_exit,
               mod_enter, mod_tsrc, mod_ttgt, mod_size, enter_sum, free, n_free, tele_total,
               pl_en, pl_ex, pl_exc):  # fmt: skip
    """Move ``u`` from ``a`` to ``b`` (a module id; its parent set already if it was
    empty), with ``a``'s rates without ``u`` and ``b``'s link flows with it, and the
    parent's enter sum without ``b``'s change (``s_base``). An emptied ``a`` goes on the
    free list; returns the list's new length."""
    b_en_old = enter_total(mod_enter[b], mod_tsrc[b], mod_ttgt[b], tele_total)
    mod_size[a] -= 1
    if mod_size[a] == 0:
        mod_exit[a] = 0.0
        mod_enter[a] = 0.0
        mod_codeflow[a] = 0.0
        mod_tsrc[a] = 0.0
        mod_ttgt[a] = 0.0
        free[n_free] = a
        n_free += 1
    else:
        mod_exit[a] = a_exit_link
        mod_enter[a] = a_enter_link
        mod_codeflow[a] = a_code
        mod_tsrc[a] = a_tsrc
        mod_ttgt[a] = a_ttgt
    mod_size[b] += 1
    mod_exit[b] = b_exit_link
    mod_enter[b] = b_enter_link
    mod_codeflow[b] += cu
    mod_tsrc[b] += tu
    mod_ttgt[b] += tau_u
    b_en_new = enter_total(mod_enter[b], mod_tsrc[b], mod_ttgt[b], tele_total)
    enter_sum[p] = s_base - b_en_old + b_en_new
    for m in (a, b):
        cache_plogp(m, mod_codeflow, mod_exit, mod_enter, mod_tsrc, mod_ttgt, tele_total,
                    pl_en, pl_ex, pl_exc)  # fmt: skip
    module_of[u] = b
    return n_free


@njit(cache=True, inline="always")
def parent_enter_sums(owned, mod_size, mod_parent, mod_enter, mod_tsrc, mod_ttgt, tele_total,
                      enter_sum):  # fmt: skip
    """Set ``enter_sum`` to the enter rates of the nonempty modules ``owned``, summed per
    parent (recomputed after each sweep, so that rounding never accumulates)."""
    enter_sum[:] = 0.0
    for i in range(owned.shape[0]):
        m = owned[i]
        if mod_size[m] > 0:
            enter_sum[mod_parent[m]] += enter_total(
                mod_enter[m], mod_tsrc[m], mod_ttgt[m], tele_total
            )


# One module's record: its sums, its plogp caches, the link flow to it from the unit being
# moved, and its size and parent, in one 64-byte cache line. A unit's candidate modules lie
# anywhere in the arrays; with one array per field each candidate cost a cache miss per
# field: at 1M nodes the serial core loop's first sweep took twice as long (5.0 -> 2.4 s,
# LFR mu 0.3). int32 size and parent (a search has fewer than 2**31 units) keep it to 64.
MODULE_RECORD = np.dtype(
    [("codeflow", np.float64), ("exit", np.float64), ("enter", np.float64),
     ("pl_en", np.float64), ("pl_ex", np.float64), ("pl_exc", np.float64),
     ("flow_to", np.float64), ("size", np.int32), ("parent", np.int32)],
    align=True,
)  # fmt: skip


@njit(cache=True, nogil=True)
def module_records(n_modules):
    """Zeroed records (``MODULE_RECORD``) of ``n_modules`` modules; the module state and
    the core loop's scratch are views of their fields."""
    return np.zeros(n_modules, dtype=MODULE_RECORD)


@njit(cache=True, nogil=True)
def module_scratch(state):
    """The serial core loop's scratch indexed by module, for the module state ``state``
    (a ``_moves.ModuleState``): link flow to and from each module, whether a module is
    listed among a unit's neighbours, and the plogp caches. The flow to a module and the
    caches are fields of the state's records (see ``MODULE_RECORD``). A call writes the
    entries of its owned modules only and leaves the flows and marks at zero, so calls on
    disjoint parents may share one set."""
    records = state.records
    n_modules = records.shape[0]
    return (records["flow_to"], np.zeros(n_modules), np.zeros(n_modules, dtype=np.bool_),
            records["pl_en"], records["pl_ex"], records["pl_exc"])  # fmt: skip


@njit(cache=True, nogil=True)
def most_neighbours(moving, out_ptr, in_ptr, undirected):
    """The most link entries (out and, directed, in) of a unit of ``moving``: the room a
    unit's list of candidate modules needs."""
    most = 0
    for i in range(moving.shape[0]):
        u = moving[i]
        count = out_ptr[u + 1] - out_ptr[u]
        if not undirected:
            count += in_ptr[u + 1] - in_ptr[u]
        most = max(most, count)
    return most


@njit(cache=True, inline="always")
def free_modules_and_caches(owned, mod_size, mod_codeflow, mod_exit, mod_enter, mod_tsrc,
                            mod_ttgt, tele_total, pl_en, pl_ex, pl_exc):  # fmt: skip
    """The empty modules of ``owned`` (a stack: the last one is taken first) and their
    count; fills the plogp caches of the modules ``owned``. The caches keep each module's
    enter, exit and exit + codeflow terms up to date, so a candidate move only takes the
    logarithms of the new values (the log2 calls dominate the loop)."""
    free = np.empty(owned.shape[0], dtype=np.int64)
    n_free = 0
    for i in range(owned.shape[0] - 1, -1, -1):
        if mod_size[owned[i]] == 0:
            free[n_free] = owned[i]
            n_free += 1
    for i in range(owned.shape[0]):
        cache_plogp(owned[i], mod_codeflow, mod_exit, mod_enter, mod_tsrc, mod_ttgt, tele_total,
                    pl_en, pl_ex, pl_exc)  # fmt: skip
    return free, n_free


@njit(cache=True, inline="always")
def open_module(free, n_free, p, mod_parent, mod_codeflow, mod_exit, mod_enter, mod_tsrc,
                mod_ttgt):  # fmt: skip
    """Take an empty module off the free list for parent ``p``; returns it and the list's
    new length."""
    n_free -= 1
    b = free[n_free]
    mod_parent[b] = p
    mod_exit[b] = 0.0
    mod_enter[b] = 0.0
    mod_codeflow[b] = 0.0
    mod_tsrc[b] = 0.0
    mod_ttgt[b] = 0.0
    return b, n_free


@njit(cache=True, inline="always")
def activate_neighbours(u, out_ptr, out_idx, in_ptr, in_idx, undirected, active):
    """Mark the neighbours of a unit that moved to be tried again."""
    for k in range(out_ptr[u], out_ptr[u + 1]):
        active[out_idx[k]] = True
    if not undirected:
        for k in range(in_ptr[u], in_ptr[u + 1]):
            active[in_idx[k]] = True
