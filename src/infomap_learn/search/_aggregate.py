"""The module network of a large search, in arrays of its exact size, on several threads.

``_kernels.aggregate_links`` sums the links of each module in one pass into arrays as long
as the input's and copies the used part out: at 1M nodes and 20M link entries that is
235 MB of scratch at the moment the search holds the most. Here a first pass counts each
module's distinct neighbour modules, and the second writes the sums straight into arrays
of that size. Both passes split the modules into ``n_chunks`` ranges of about equal link
counts, one per thread, each with its own scratch. A module's row is the same whichever
chunk sums it (its members in unit order, its neighbours in the order first met), so
the result equals ``aggregate_links``' to the bit for any number of chunks.

A search under fixed parents (the recursion's grouping of submodules inside each module)
may take its module network without the links between modules under different parents:
``aggregate_links_within_parents`` leaves them out and gives each row's whole sum, which
the units' exit and enter totals keep.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from .._kernels import members_by_module


@njit(cache=True, nogil=True)
def _chunk_bounds(start, members, indptr, n_chunks):
    """Module ranges ``[bounds[c], bounds[c + 1])`` with about equal link counts."""
    n_modules = start.shape[0] - 1
    links = np.zeros(n_modules + 1, dtype=np.int64)
    for m in range(n_modules):
        count = 0
        for j in range(start[m], start[m + 1]):
            u = members[j]
            count += indptr[u + 1] - indptr[u]
        links[m + 1] = links[m] + count
    bounds = np.searchsorted(links, links[-1] * np.arange(n_chunks + 1) / n_chunks)
    bounds[0] = 0
    bounds[-1] = n_modules
    return bounds


@njit(cache=True, nogil=True)
def _count_rows(module_of, start, members, indptr, indices, first, stop, row_length,
                module_parent):  # fmt: skip
    """Set ``row_length[m + 1]`` to the number of distinct other modules that module
    ``m``'s links reach (under its own parent of ``module_parent``, where not empty), for
    the modules ``first <= m < stop``."""
    n_modules = start.shape[0] - 1
    filtered = module_parent.shape[0] > 0
    seen = np.zeros(n_modules, dtype=np.bool_)
    touched = np.empty(n_modules, dtype=np.int64)
    for m in range(first, stop):
        n_touched = 0
        for j in range(start[m], start[m + 1]):
            u = members[j]
            for k in range(indptr[u], indptr[u + 1]):
                t = module_of[indices[k]]
                if t != m and not seen[t]:
                    seen[t] = True
                    touched[n_touched] = t
                    n_touched += 1
        kept = 0
        for j in range(n_touched):
            t = touched[j]
            seen[t] = False
            if not filtered or module_parent[t] == module_parent[m]:
                kept += 1
        row_length[m + 1] = kept


@njit(cache=True, nogil=True)
def _fill_rows(module_of, start, members, indptr, indices, data, first, stop, new_ptr,
               new_idx, new_data, module_parent, row_total):  # fmt: skip
    """Write the rows of the modules ``first <= m < stop`` at ``new_ptr[m]``: the other
    modules in the order first met, each with its summed link flow, those under another
    parent of ``module_parent`` (where not empty) left out; ``row_total[m]`` (where not
    empty): the sum of the whole row, in that order, as ``row_sums`` of the unfiltered
    rows gives it."""
    n_modules = start.shape[0] - 1
    filtered = module_parent.shape[0] > 0
    totals = row_total.shape[0] > 0
    acc = np.zeros(n_modules)
    seen = np.zeros(n_modules, dtype=np.bool_)
    touched = np.empty(n_modules, dtype=np.int64)
    for m in range(first, stop):
        n_touched = 0
        for j in range(start[m], start[m + 1]):
            u = members[j]
            for k in range(indptr[u], indptr[u + 1]):
                t = module_of[indices[k]]
                if t == m:
                    continue
                if not seen[t]:
                    seen[t] = True
                    touched[n_touched] = t
                    n_touched += 1
                acc[t] += data[k]
        pos = new_ptr[m]
        total = 0.0
        for j in range(n_touched):
            t = touched[j]
            total += acc[t]
            if not filtered or module_parent[t] == module_parent[m]:
                new_idx[pos] = t
                new_data[pos] = acc[t]
                pos += 1
            acc[t] = 0.0
            seen[t] = False
        if totals:
            row_total[m] = total


@njit(cache=True, nogil=True, parallel=True)
def aggregate_links_exact(module_of, n_modules, indptr, indices, data, n_chunks):
    """``_kernels.aggregate_links`` (CSR of the flow between distinct modules) in two
    passes on ``n_chunks`` threads, into arrays of the result's size."""
    no_parents = np.zeros(0, dtype=np.int64)
    return aggregate_links_within_parents(
        module_of, n_modules, indptr, indices, data, n_chunks, no_parents, np.zeros(0)
    )


@njit(cache=True, nogil=True, parallel=True)
def aggregate_links_within_parents(module_of, n_modules, indptr, indices, data, n_chunks,
                                   module_parent, row_total):  # fmt: skip
    """``aggregate_links_exact`` with the links between modules under different parents
    of ``module_parent`` (empty: none) left out, and each module's row summed in full
    into ``row_total`` (empty: not), in the order and so to the bit as ``row_sums`` sums
    the unfiltered row. A search under fixed parents scores no move with those links (a
    unit moves only to modules under its own parent; they only mark its neighbours there
    to be tried again): their flow counts in the units' exit and enter totals, which
    ``row_total`` gives."""
    start, members = members_by_module(module_of, n_modules)
    bounds = _chunk_bounds(start, members, indptr, n_chunks)
    row_length = np.zeros(n_modules + 1, dtype=np.int64)
    for c in prange(n_chunks):
        _count_rows(module_of, start, members, indptr, indices, bounds[c], bounds[c + 1],
                    row_length, module_parent)  # fmt: skip
    new_ptr = np.cumsum(row_length)
    new_idx = np.empty(new_ptr[-1], dtype=np.int32)
    new_data = np.empty(new_ptr[-1], dtype=np.float64)
    for c in prange(n_chunks):
        _fill_rows(module_of, start, members, indptr, indices, data, bounds[c], bounds[c + 1],
                   new_ptr, new_idx, new_data, module_parent, row_total)  # fmt: skip
    return new_ptr, new_idx, new_data


@njit(cache=True, nogil=True)
def aggregate_links_exact_serial(module_of, n_modules, indptr, indices, data):
    """``aggregate_links_exact`` on the calling thread (for kernels that aggregate
    without returning to Python: ``_moves.find_modules_serial``)."""
    start, members = members_by_module(module_of, n_modules)
    row_length = np.zeros(n_modules + 1, dtype=np.int64)
    no_parents = np.zeros(0, dtype=np.int64)
    _count_rows(module_of, start, members, indptr, indices, 0, n_modules, row_length,
                no_parents)  # fmt: skip
    new_ptr = np.cumsum(row_length)
    new_idx = np.empty(new_ptr[-1], dtype=np.int32)
    new_data = np.empty(new_ptr[-1], dtype=np.float64)
    _fill_rows(module_of, start, members, indptr, indices, data, 0, n_modules, new_ptr,
               new_idx, new_data, no_parents, np.zeros(0))  # fmt: skip
    return new_ptr, new_idx, new_data


def internal_flows_reference(module_of, indptr, indices, data) -> np.ndarray:
    """Each unit's flow on its links into its own module, in numpy (``internal_flows``'
    reference: the same sums in the same order)."""
    rows = np.repeat(np.arange(module_of.shape[0]), np.diff(indptr))
    own = module_of[rows] == module_of[indices]
    return np.bincount(rows[own], data[own], module_of.shape[0])


@njit(cache=True, nogil=True, parallel=True)
def internal_flows(module_of, indptr, indices, data):
    """Each unit's flow on its links into its own module, on numba's threads: the module
    sums' link pass (``_moves.module_flow_totals``), whose sums over units stay serial,
    so the totals are the same to the bit for any number of threads."""
    n = module_of.shape[0]
    internal = np.zeros(n)
    for u in prange(n):
        m = module_of[u]
        total = 0.0
        for k in range(indptr[u], indptr[u + 1]):
            if module_of[indices[k]] == m:
                total += data[k]
        internal[u] = total
    return internal
