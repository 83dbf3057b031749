"""Kernels that renumber a flow's CSR rows: row ``r`` becomes row ``place[r]``.

``search._searched`` numbers a large network's nodes module by module for its search,
and back afterwards. ``moved_rows_reference`` does what the three kernels do, in numpy.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange


@njit(cache=True, nogil=True)
def moved_ptr(place, ptr, n_rows):
    """The row pointers of ``n_rows`` rows where row ``r`` of ``ptr`` is row ``place[r]``
    (rows no row moves to are empty)."""
    counts = np.zeros(n_rows + 1, dtype=ptr.dtype)
    for r in range(place.shape[0]):
        counts[place[r] + 1] = ptr[r + 1] - ptr[r]
    for i in range(n_rows):
        counts[i + 1] += counts[i]
    return counts


@njit(cache=True, nogil=True, parallel=True)
def moved_columns(place, ptr, new_ptr, idx):
    """The column ids ``idx`` renamed by ``place``, row ``r`` at row ``place[r]`` of
    ``new_ptr``; each row keeps its entries' order."""
    new_idx = np.empty_like(idx)
    for r in prange(place.shape[0]):
        at = new_ptr[place[r]]
        for k in range(ptr[r], ptr[r + 1]):
            new_idx[at] = place[idx[k]]
            at += 1
    return new_idx


@njit(cache=True, nogil=True, parallel=True)
def moved_values(place, ptr, new_ptr, values):
    """The entries ``values``, row ``r`` at row ``place[r]`` of ``new_ptr``."""
    new_values = np.empty_like(values)
    for r in prange(place.shape[0]):
        at = new_ptr[place[r]]
        for k in range(ptr[r], ptr[r + 1]):
            new_values[at] = values[k]
            at += 1
    return new_values


def moved_rows_reference(place, ptr, idx, values, n_rows):
    """``moved_ptr``, ``moved_columns`` and ``moved_values`` in numpy."""
    place = np.asarray(place, dtype=np.int64)
    counts = np.zeros(n_rows, dtype=np.int64)
    counts[place] = np.diff(ptr)
    new_ptr = np.concatenate([[0], np.cumsum(counts)]).astype(ptr.dtype)
    row_of_entry = np.repeat(np.arange(place.shape[0]), np.diff(ptr))
    offset = np.arange(idx.shape[0]) - ptr[row_of_entry]
    at = new_ptr[place[row_of_entry]] + offset
    new_idx = np.empty_like(idx)
    new_values = np.empty_like(values)
    new_idx[at] = place[idx]
    new_values[at] = values
    return new_ptr, new_idx, new_values
