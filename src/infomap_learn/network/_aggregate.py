"""Canonical, aggregated links: numba kernels and their plain-numpy reference.

A cache-friendly bucketed counting sort and a merge put the links in ``(source, target)``
order and sum multi-edges; :func:`_aggregate_numpy` is the reference they are tested against.
"""

from __future__ import annotations

import numpy as np
from numba import njit

_BUCKET_BITS = 11  # at most 2**11 buckets in the first pass: its write streams stay in cache
_SMALL_ROW = 32  # rows up to this length are insertion-sorted, longer ones merge-sorted


@njit(cache=True)
def _merge_sort_row(t, w, b0, b1):  # pragma: no cover - compiled
    """Stable bottom-up merge sort of ``t[b0:b1]`` (carrying ``w``), in place.

    Written with explicit loops: numba compiles slice assignments much more slowly.
    """
    size = b1 - b0
    ordered = True
    for i in range(b0 + 1, b1):
        if t[i - 1] > t[i]:
            ordered = False
            break
    if ordered:  # e.g. in_csr of sorted links
        return
    ta = np.empty(size, np.int32)
    wa = np.empty(size, np.float64)
    tb = np.empty(size, np.int32)
    wb = np.empty(size, np.float64)
    for k in range(size):
        ta[k] = t[b0 + k]
        wa[k] = w[b0 + k]
    width = 1
    while width < size:
        for lo in range(0, size, 2 * width):
            mid = min(lo + width, size)
            hi = min(lo + 2 * width, size)
            i = lo
            j = mid
            for k in range(lo, hi):
                if i < mid and (j >= hi or ta[i] <= ta[j]):
                    tb[k] = ta[i]
                    wb[k] = wa[i]
                    i += 1
                else:
                    tb[k] = ta[j]
                    wb[k] = wa[j]
                    j += 1
        for k in range(size):
            ta[k] = tb[k]
            wa[k] = wb[k]
        width *= 2
    for k in range(size):
        t[b0 + k] = ta[k]
        w[b0 + k] = wa[k]


@njit(cache=True)
def _sort_kernel(src, tgt, w, n, undirected):  # pragma: no cover - compiled
    """Stable sort of the non-zero-weight edges by ``(source, target)`` into CSR form.

    With ``undirected`` each edge is first ordered as ``(min, max)``. Returns
    ``(indptr, targets, weights)``. Equal edges keep their input order.

    A plain counting sort by source scatters into ``n`` write streams, one cache miss per
    edge and array. Instead a first pass scatters the edges into at most
    ``2**_BUCKET_BITS`` buckets of consecutive sources, then each bucket (small enough to
    stay in cache) is counting-sorted by source and each row sorted by target.
    """
    m = src.size
    shift = 0
    while ((n - 1) >> shift) >= (1 << _BUCKET_BITS):
        shift += 1
    nb = ((n - 1) >> shift) + 1
    # pass 1: bucket by the high bits of the (canonical) source
    bstart = np.zeros(nb + 1, np.int64)
    for i in range(m):
        if w[i] != 0.0:
            a = src[i]
            if undirected and tgt[i] < a:
                a = tgt[i]
            bstart[(a >> shift) + 1] += 1
    for j in range(nb):
        bstart[j + 1] += bstart[j]
    k = bstart[nb]
    s1 = np.empty(k, np.int32)
    t1 = np.empty(k, np.int32)
    w1 = np.empty(k, np.float64)
    pos = np.empty(nb, np.int64)
    for j in range(nb):
        pos[j] = bstart[j]
    for i in range(m):
        wi = w[i]
        if wi != 0.0:
            a = src[i]
            b = tgt[i]
            if undirected and b < a:
                a, b = b, a
            q = a >> shift
            p = pos[q]
            pos[q] = p + 1
            s1[p] = a
            t1[p] = b
            w1[p] = wi
    # pass 2: within each bucket, a counting sort by source, then each row by target
    indptr = np.zeros(n + 1, np.int64)
    t2 = np.empty(k, np.int32)
    w2 = np.empty(k, np.float64)
    cursor = np.empty(1 << shift, np.int64)
    for q in range(nb):
        lo = bstart[q]
        hi = bstart[q + 1]
        r0 = q << shift
        r1 = min(n, (q + 1) << shift)
        for i in range(lo, hi):
            indptr[s1[i] + 1] += 1
        for r in range(r0, r1):  # indptr[r0] == lo: earlier buckets are done
            indptr[r + 1] += indptr[r]
            cursor[r - r0] = indptr[r]
        for i in range(lo, hi):
            r = s1[i] - r0
            p = cursor[r]
            cursor[r] = p + 1
            t2[p] = t1[i]
            w2[p] = w1[i]
        for r in range(r0, r1):
            b0 = indptr[r]
            b1 = indptr[r + 1]
            if b1 - b0 <= _SMALL_ROW:  # stable insertion sort
                for i in range(b0 + 1, b1):
                    tv = t2[i]
                    wv = w2[i]
                    j = i
                    while j > b0 and t2[j - 1] > tv:
                        t2[j] = t2[j - 1]
                        w2[j] = w2[j - 1]
                        j -= 1
                    t2[j] = tv
                    w2[j] = wv
            else:
                _merge_sort_row(t2, w2, b0, b1)
    return indptr, t2, w2


@njit(cache=True)
def _aggregate_kernel(src, tgt, w, n, directed):  # pragma: no cover - compiled
    """Canonical, aggregated links: :func:`_sort_kernel`, then duplicates summed in order.

    Returns ``(source, target, weight, k)``; only the first ``k`` entries are valid.
    """
    indptr, t, ws = _sort_kernel(src, tgt, w, n, not directed)
    s = np.empty(t.size, np.int32)
    out = 0
    for r in range(n):
        last = -1
        for i in range(indptr[r], indptr[r + 1]):
            b = t[i]
            if b == last:
                ws[out - 1] += ws[i]
            else:
                s[out] = r
                t[out] = b
                ws[out] = ws[i]
                out += 1
                last = b
    return s, t, ws, out


@njit(cache=True)
def _both_ways_kernel(s, t, w, n):  # pragma: no cover - compiled
    """CSR of canonical undirected links taken both ways (a self-link once).

    ``(s, t)`` must be sorted with ``s <= t``. Row ``u`` lists its smaller neighbours (the
    reversed links, met in increasing source order) and then its own links, so each row is
    sorted without any sort.
    """
    m = s.size
    n_rev = np.zeros(n, np.int64)
    indptr = np.zeros(n + 1, np.int64)
    for i in range(m):
        indptr[s[i] + 1] += 1
        if s[i] != t[i]:
            n_rev[t[i]] += 1
            indptr[t[i] + 1] += 1
    for u in range(n):
        indptr[u + 1] += indptr[u]
    cursor = np.empty(n, np.int64)
    for u in range(n):
        cursor[u] = indptr[u]
    size = indptr[n]
    indices = np.empty(size, np.int32)
    data = np.empty(size, np.float64)
    for i in range(m):
        if s[i] != t[i]:
            v = t[i]
            p = cursor[v]
            cursor[v] = p + 1
            indices[p] = s[i]
            data[p] = w[i]
    i = 0
    for u in range(n):
        p = indptr[u] + n_rev[u]
        while i < m and s[i] == u:
            indices[p] = t[i]
            data[p] = w[i]
            p += 1
            i += 1
    return indptr, indices, data


def _as_index_array(x: np.ndarray) -> np.ndarray:
    """Contiguous int32 copy (or view) of an index array already checked to fit in int32.

    One dtype means one compiled specialisation of the kernels.
    """
    return np.ascontiguousarray(x, dtype=np.int32)


def _aggregate_numba(
    src: np.ndarray, tgt: np.ndarray, w: np.ndarray, n: int, directed: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Canonical aggregated links (numba). Inputs must already be validated."""
    w = np.ascontiguousarray(w, dtype=np.float64)
    s, t, ws, k = _aggregate_kernel(_as_index_array(src), _as_index_array(tgt), w, n, directed)
    if k < s.size:  # merged duplicates: trim, and copy if much memory would be wasted
        if k < 0.9 * s.size:
            s, t, ws = s[:k].copy(), t[:k].copy(), ws[:k].copy()
        else:
            s, t, ws = s[:k], t[:k], ws[:k]
    return s, t, ws


def _aggregate_numpy(
    src: np.ndarray, tgt: np.ndarray, w: np.ndarray, n: int, directed: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Plain-numpy reference of :func:`_aggregate_numba` (``np.unique`` on int64 keys).

    ``np.bincount`` sums the duplicates in input order, like the kernel, so both give
    bit-identical weights.
    """
    w = np.asarray(w, dtype=np.float64)
    keep = w != 0
    s = np.asarray(src)[keep].astype(np.int64)
    t = np.asarray(tgt)[keep].astype(np.int64)
    w = w[keep]
    if not directed:
        s, t = np.minimum(s, t), np.maximum(s, t)
    keys, inverse = np.unique(s * n + t, return_inverse=True)
    ws = np.bincount(inverse.ravel(), weights=w, minlength=keys.size).astype(np.float64)
    return (keys // n).astype(np.int32), (keys % n).astype(np.int32), ws
