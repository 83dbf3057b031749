"""Numba kernels over CSR flow graphs and labels: CSR building, crossing flows, row sums,
module aggregation, label compaction, and the seedable random stream of the search.

The local-move kernels of the search (the map equation's core loop) are in
``search/_moves.py``. The plain-numpy references these kernels are tested against are
``mapequation._crossing_flows`` and the dense matrix computations in
``tests/test_search.py`` (CSR building, aggregation).
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def _next_random(state):
    """splitmix64: a tiny, seedable generator independent of numba's global RNG."""
    state[0] = (state[0] + np.uint64(0x9E3779B97F4A7C15)) & np.uint64(0xFFFFFFFFFFFFFFFF)
    z = state[0]
    z = ((z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)) & np.uint64(
        0xFFFFFFFFFFFFFFFF
    )
    z = ((z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)) & np.uint64(
        0xFFFFFFFFFFFFFFFF
    )
    return z ^ (z >> np.uint64(31))


@njit(cache=True, inline="always")
def plogp_scalar(x):
    """``x log2 x`` of one number, 0 for ``x <= 0`` (the kernels' form of
    ``mapequation.plogp``)."""
    if x > 0.0:
        return x * np.log2(x)
    return 0.0


@njit(cache=True, nogil=True)
def plogp_array(x):
    """``plogp_scalar`` of each element of a 1-d array (``mapequation.plogp``'s arrays,
    without numpy's temporaries: the hierarchy's bookkeeping calls it thousands of times
    on small arrays)."""
    out = np.empty(x.shape[0])
    for i in range(x.shape[0]):
        out[i] = plogp_scalar(x[i])
    return out


@njit(cache=True, nogil=True)
def plogp_sum(x):
    """The sum of ``plogp_scalar`` over a 1-d array, in index order (a search's constant
    term, ``Units.codeflow_plogp_sum``, the same in Python and in the kernels that search
    aggregated networks)."""
    total = 0.0
    for i in range(x.shape[0]):
        total += plogp_scalar(x[i])
    return total


@njit(cache=True, nogil=True)
def random_sweep_limit(state, limit):
    """A number of sweeps drawn uniformly from 1..``limit`` (Infomap's randomized core
    loop limit: searches that stop at different points end in different optima)."""
    return np.int64(_next_random(state) % np.uint64(limit)) + 1


@njit(cache=True, nogil=True)
def shuffle(order, state):
    """Fisher-Yates shuffle of ``order`` in place."""
    for i in range(order.shape[0] - 1, 0, -1):
        j = np.int64(_next_random(state) % np.uint64(i + 1))
        tmp = order[i]
        order[i] = order[j]
        order[j] = tmp


@njit(cache=True, nogil=True)
def build_csr(n, source, target, values, both_ways=False):
    """CSR rows by ``source`` (a counting sort; links are assumed already unique).

    Self-links are left out (they carry no flow between units). With ``both_ways`` each
    link also appears reversed, as ``target -> source``: an undirected link stored once
    becomes a pair of opposite flow links. Rows list the forward links first, then the
    reversed ones, each in input order.
    """
    indptr = np.zeros(n + 1, dtype=np.int64)
    for e in range(source.shape[0]):
        if source[e] != target[e]:
            indptr[source[e] + 1] += 1
            if both_ways:
                indptr[target[e] + 1] += 1
    for i in range(n):
        indptr[i + 1] += indptr[i]
    fill = indptr[:-1].copy()
    indices = np.empty(indptr[n], dtype=np.int32)
    data = np.empty(indptr[n], dtype=np.float64)
    for e in range(source.shape[0]):
        if source[e] != target[e]:
            pos = fill[source[e]]
            indices[pos] = target[e]
            data[pos] = values[e]
            fill[source[e]] = pos + 1
    if both_ways:
        for e in range(source.shape[0]):
            if source[e] != target[e]:
                pos = fill[target[e]]
                indices[pos] = source[e]
                data[pos] = values[e]
                fill[target[e]] = pos + 1
    return indptr, indices, data


@njit(cache=True, nogil=True)
def crossing_flows(keys, k, indptr, indices, data):
    """Exit and enter flow of each module over the links of a CSR flow graph, where node
    ``u`` is in module ``keys[u]`` (negative: in none, so its links cross into or out of
    the module at the other end). Fast version of ``mapequation._crossing_flows``."""
    exit_flow = np.zeros(k)
    enter_flow = np.zeros(k)
    for u in range(indptr.shape[0] - 1):
        ku = keys[u]
        for e in range(indptr[u], indptr[u + 1]):
            kv = keys[indices[e]]
            if ku != kv:
                if ku >= 0:
                    exit_flow[ku] += data[e]
                if kv >= 0:
                    enter_flow[kv] += data[e]
    return exit_flow, enter_flow


@njit(cache=True, nogil=True)
def row_sums(indptr, data):
    n = indptr.shape[0] - 1
    out = np.zeros(n)
    for i in range(n):
        s = 0.0
        for k in range(indptr[i], indptr[i + 1]):
            s += data[k]
        out[i] = s
    return out


@njit(cache=True, nogil=True)
def split_rng(state, count):
    """``count`` independent generator states drawn from ``state`` (which advances)."""
    out = np.empty(count, dtype=np.uint64)
    for i in range(count):
        out[i] = _next_random(state)
    return out


@njit(cache=True, nogil=True)
def compact_labels(labels, n_labels):
    """Renumber labels to 0..k-1 in order of first appearance; returns (new labels, k)."""
    mapping = np.full(n_labels, -1, dtype=np.int64)
    out = np.empty(labels.shape[0], dtype=np.int64)
    k = 0
    for i in range(labels.shape[0]):
        m = labels[i]
        if mapping[m] < 0:
            mapping[m] = k
            k += 1
        out[i] = mapping[m]
    return out, k


@njit(cache=True, nogil=True)
def distinct_pairs(first, second):
    """The distinct pairs ``(first[i], second[i])`` of non-negative ints in lexicographic
    order, as (the first of each pair, the index of each element's pair): ``np.unique`` of
    the pairs with ``return_inverse``, without its Python-level steps (the hierarchy's
    bookkeeping calls it on small arrays, many times per trial)."""
    n = first.shape[0]
    width = second.max() + 1 if n else 1
    keys = first * width + second
    order = np.argsort(keys)
    pair_first = np.empty(n, dtype=np.int64)
    inverse = np.empty(n, dtype=np.int64)
    k = -1
    previous = -1  # (keys are non-negative)
    for i in range(n):
        j = order[i]
        if keys[j] != previous:
            k += 1
            pair_first[k] = first[j]
            previous = keys[j]
        inverse[j] = k
    return pair_first[: k + 1].copy(), inverse


@njit(cache=True, nogil=True)
def members_by_module(module_of, n_modules):
    """The units grouped by module: module ``m``'s are ``members[start[m]:start[m + 1]]``."""
    n = module_of.shape[0]
    start = np.zeros(n_modules + 1, dtype=np.int64)
    for u in range(n):
        start[module_of[u] + 1] += 1
    for m in range(n_modules):
        start[m + 1] += start[m]
    fill = start[:-1].copy()
    members = np.empty(n, dtype=np.int64)
    for u in range(n):
        members[fill[module_of[u]]] = u
        fill[module_of[u]] += 1
    return start, members


@njit(cache=True, nogil=True)
def _sum_rows_by_module(module_of, n_modules, indptr, indices, data, to_modules):
    """CSR rows summed by module. ``to_modules``: columns are units, mapped to their
    modules, and a module's own column is dropped (links); else columns are kept."""
    n_columns = n_modules
    if not to_modules:
        n_columns = 0
        for k in range(indices.shape[0]):
            n_columns = max(n_columns, indices[k] + 1)
    start, members = members_by_module(module_of, n_modules)
    acc = np.zeros(n_columns)
    seen = np.zeros(n_columns, dtype=np.bool_)
    touched = np.empty(n_columns, dtype=np.int64)
    new_ptr = np.zeros(n_modules + 1, dtype=np.int64)
    new_idx = np.empty(indices.shape[0], dtype=np.int32)
    new_data = np.empty(indices.shape[0], dtype=np.float64)
    pos = 0
    for m in range(n_modules):
        n_touched = 0
        for j in range(start[m], start[m + 1]):
            u = members[j]
            for k in range(indptr[u], indptr[u + 1]):
                t = module_of[indices[k]] if to_modules else indices[k]
                if to_modules and t == m:
                    continue
                if not seen[t]:
                    seen[t] = True
                    touched[n_touched] = t
                    n_touched += 1
                acc[t] += data[k]
        for j in range(n_touched):
            t = touched[j]
            new_idx[pos] = t
            new_data[pos] = acc[t]
            pos += 1
            acc[t] = 0.0
            seen[t] = False
        new_ptr[m + 1] = pos
    return new_ptr, new_idx[:pos].copy(), new_data[:pos].copy()


@njit(cache=True, nogil=True)
def aggregate_links(module_of, n_modules, indptr, indices, data):
    """CSR of the flow between distinct modules; flow within a module is dropped."""
    return _sum_rows_by_module(module_of, n_modules, indptr, indices, data, True)


@njit(cache=True, nogil=True)
def aggregate_rows(module_of, n_modules, indptr, indices, data):
    """CSR rows summed by module: row ``m`` holds, per column, the sum over the rows of
    the units in module ``m`` (columns kept, unlike ``aggregate_links``)."""
    return _sum_rows_by_module(module_of, n_modules, indptr, indices, data, False)


@njit(cache=True, nogil=True)
def sum_by_label(labels, values, n_labels):
    out = np.zeros(n_labels)
    for i in range(labels.shape[0]):
        out[labels[i]] += values[i]
    return out


@njit(cache=True, nogil=True)
def _counting_order(values, n_values, order):
    """``order`` (an ordering of indices) stably re-sorted by ``values[order]`` in
    [0, n_values): one counting-sort pass (no comparison sort: numba's cached sorts of
    one module have been seen to mix up their implementations)."""
    start = np.zeros(n_values + 1, dtype=np.int64)
    for j in range(order.shape[0]):
        start[values[order[j]] + 1] += 1
    for v in range(n_values):
        start[v + 1] += start[v]
    out = np.empty_like(order)
    for j in range(order.shape[0]):
        v = values[order[j]]
        out[start[v]] = order[j]
        start[v] += 1
    return out


@njit(cache=True, nogil=True)
def prefix_key_table(paths):
    """``paths.prefix_keys`` as one (depth, n) array: per level, each node's module id in
    lexicographic order of its path prefix (parent id, then column), -1 below its depth,
    from two counting sorts per level. Fast version of ``paths._prefix_keys_reference``."""
    n, depth = paths.shape
    keys = np.full((depth, n), -1, dtype=np.int64)
    parent = np.zeros(n, dtype=np.int64)
    n_parents = 1
    for level in range(depth):
        width = 0
        n_present = 0
        for i in range(n):
            if paths[i, level] >= 0:
                n_present += 1
                width = max(width, paths[i, level] + 1)
        if n_present == 0:
            break  # (a level with no node: none below either)
        present = np.empty(n_present, dtype=np.int64)
        j = 0
        for i in range(n):
            if paths[i, level] >= 0:
                present[j] = i
                j += 1
        column = np.ascontiguousarray(paths[:, level])
        order = _counting_order(parent, n_parents, _counting_order(column, width, present))
        count = 0
        for j in range(n_present):
            i = order[j]
            if j == 0:
                count = 1
            else:
                previous = order[j - 1]
                if parent[i] != parent[previous] or column[i] != column[previous]:
                    count += 1
            keys[level, i] = count - 1
        for i in range(n):
            parent[i] = keys[level, i]
        n_parents = count
    return keys


@njit(cache=True, nogil=True)
def symmetric_links(indptr, indices, data, k):
    """The entries of ``A + A.T`` for the CSR matrix ``A`` (one entry per row and column)
    restricted to rows and columns below ``k``, as (row, column, value) arrays in
    row-major order, columns sorted (as scipy's ``(A + A.T).tocoo()``, the reference)."""
    n_rows = min(indptr.shape[0] - 1, k)
    m = 0
    for r in range(n_rows):
        for e in range(indptr[r], indptr[r + 1]):
            if indices[e] < k:
                m += 2
    rows = np.empty(m, dtype=np.int64)
    cols = np.empty(m, dtype=np.int64)
    values = np.empty(m)
    j = 0
    for r in range(n_rows):
        for e in range(indptr[r], indptr[r + 1]):
            c = indices[e]
            if c < k:
                rows[j], cols[j], values[j] = r, c, data[e]
                rows[j + 1], cols[j + 1], values[j + 1] = c, r, data[e]
                j += 2
    order = _counting_order(rows, k, _counting_order(cols, k, np.arange(m)))
    out_rows = np.empty(m, dtype=np.int64)
    out_cols = np.empty(m, dtype=np.int64)
    out_values = np.empty(m)
    pos = -1
    for j in range(m):
        e = order[j]
        if pos >= 0 and rows[e] == out_rows[pos] and cols[e] == out_cols[pos]:
            out_values[pos] += values[e]
        else:
            pos += 1
            out_rows[pos], out_cols[pos], out_values[pos] = rows[e], cols[e], values[e]
    return out_rows[: pos + 1].copy(), out_cols[: pos + 1].copy(), out_values[: pos + 1].copy()
