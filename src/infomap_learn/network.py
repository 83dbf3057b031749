"""The validated input network of the library.

:class:`Network` is the single input type of the core. Whatever it is built from (edge arrays,
a scipy sparse matrix, an :class:`igraph.Graph` or a :mod:`networkx` graph), its links are
*canonical and aggregated*, as in the official Infomap:

* multi-edges are summed into one link;
* in an undirected network ``(u, v)`` and ``(v, u)`` are the same link, stored once with
  ``source <= target``;
* links are sorted by ``(source, target)``;
* self-links are kept; links of weight exactly zero are dropped (they carry no flow).

The arrays are read-only, so a network can be shared safely. Aggregation runs in numba
kernels (a cache-friendly bucketed counting sort and a merge);
:func:`_aggregate_numpy` is the plain-numpy reference they are tested against.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Sequence
from typing import Any

import numpy as np
from numba import njit

__all__ = ["Network"]

_INT32_MAX = int(np.iinfo(np.int32).max)
_WEIGHT_RULE = "weights must be finite and non-negative"


# --------------------------------------------------------------------------------------
# numba kernels
# --------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------
# validation helpers (vectorised: the first bad index is found with np.flatnonzero)
# --------------------------------------------------------------------------------------


def _fmt(x: Any) -> str:
    """A number for an error message: integral floats print as ints."""
    if isinstance(x, (float, np.floating)) and np.isfinite(x) and float(x).is_integer():
        return str(int(x))
    if isinstance(x, np.generic):
        return repr(x.item())
    return repr(x)


def _check_n_nodes(n_nodes: Any) -> int:
    if isinstance(n_nodes, (bool, np.bool_)):
        raise ValueError(f"n_nodes must be a non-negative integer, got {n_nodes!r}")
    try:
        n = operator.index(n_nodes)
    except TypeError:
        raise ValueError(f"n_nodes must be a non-negative integer, got {n_nodes!r}") from None
    if n < 0:
        raise ValueError(f"n_nodes must be a non-negative integer, got {n}")
    return n


def _check_endpoints(src: np.ndarray, tgt: np.ndarray, n_nodes: Any) -> int:
    """Validate link endpoints and return the number of nodes."""
    for name, x in (("source", src), ("target", tgt)):
        if x.dtype.kind not in "iuf":
            raise ValueError(
                f"edges must be integer node indices, got {name} dtype {x.dtype}"
                " (for labelled nodes use node_names, or Network.from_networkx)"
            )
    m = src.size
    if src.dtype.kind == "f" or tgt.dtype.kind == "f":
        with np.errstate(invalid="ignore"):
            ok = (np.mod(src, 1) == 0) & (np.mod(tgt, 1) == 0)
        if not ok.all():
            i = int(np.flatnonzero(~ok)[0])
            raise ValueError(
                f"edges must be integer-valued node indices; edge {i} is "
                f"({_fmt(src[i])} -> {_fmt(tgt[i])})"
            )
    n = None if n_nodes is None else _check_n_nodes(n_nodes)
    hi = -1
    if m:
        lo = min(src.min(), tgt.min())
        if lo < 0:
            i = int(np.flatnonzero((src < 0) | (tgt < 0))[0])
            bad = src[i] if src[i] < 0 else tgt[i]
            raise ValueError(
                f"node index {_fmt(bad)} in edge {i} ({_fmt(src[i])} -> {_fmt(tgt[i])}) "
                "is negative; node indices must be non-negative"
            )
        hi = max(src.max(), tgt.max())
    if n is None:
        if hi >= _INT32_MAX:
            raise ValueError(
                f"node index {_fmt(hi)} is too large: at most {_INT32_MAX} nodes are supported"
            )
        n = int(hi) + 1
    elif hi >= n:
        i = int(np.flatnonzero((src >= n) | (tgt >= n))[0])
        bad = src[i] if src[i] >= n else tgt[i]
        raise ValueError(
            f"node index {_fmt(bad)} in edge {i} ({_fmt(src[i])} -> {_fmt(tgt[i])}) "
            f"is out of range for n_nodes={n}"
        )
    if n == 0:
        raise ValueError("network has no nodes")
    if n > _INT32_MAX:
        raise ValueError(f"n_nodes={n} is too large: at most {_INT32_MAX} nodes are supported")
    return n


def _check_weights(
    weights: Any, src: np.ndarray, tgt: np.ndarray, what: str = "weights"
) -> np.ndarray:
    """Validate per-edge weights; returns a float64 array (not necessarily a copy)."""
    m = src.size
    w = np.asarray(weights)
    if w.dtype.kind not in "biuf":
        raise ValueError(f"{what} must be numeric, got dtype {w.dtype}")
    if w.ndim != 1 or w.size != m:
        raise ValueError(
            f"{what} must be a 1-D sequence of length {m} (one per edge), got shape {w.shape}"
        )
    w = w.astype(np.float64, copy=False)
    if m:
        lo, hi = w.min(), w.max()
        if not (lo >= 0 and hi < np.inf):  # also catches NaN
            i = int(np.flatnonzero(~(np.isfinite(w) & (w >= 0)))[0])
            raise ValueError(
                f"weight of edge {i} ({_fmt(src[i])} -> {_fmt(tgt[i])}) is {float(w[i])!r}; "
                f"{_WEIGHT_RULE}"
            )
    return w


def _check_node_weights(node_weights: Any, n: int) -> np.ndarray | None:
    if node_weights is None:
        return None
    nw = np.asarray(node_weights)
    if nw.dtype.kind not in "biuf":
        raise ValueError(f"node_weights must be numeric, got dtype {nw.dtype}")
    if nw.ndim != 1 or nw.size != n:
        raise ValueError(
            f"node_weights must be a 1-D sequence of length n_nodes={n}, got shape {nw.shape}"
        )
    nw = np.array(nw, dtype=np.float64)  # always a copy: never alias the caller's array
    bad = ~(np.isfinite(nw) & (nw >= 0))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"node_weights[{i}] is {float(nw[i])!r}; node weights must be finite and non-negative"
        )
    if not nw.sum() > 0:
        raise ValueError("node_weights sum to zero; at least one node weight must be positive")
    nw.setflags(write=False)
    return nw


def _check_node_names(node_names: Any, n: int) -> list | None:
    if node_names is None:
        return None
    names = node_names.tolist() if isinstance(node_names, np.ndarray) else list(node_names)
    if len(names) != n:
        raise ValueError(f"node_names must have length n_nodes={n}, got {len(names)}")
    return names


def _readonly(*arrays: np.ndarray) -> None:
    for a in arrays:
        a.setflags(write=False)


# --------------------------------------------------------------------------------------
# Network
# --------------------------------------------------------------------------------------


class Network:
    """Validated, aggregated network: the single input type of the core.

    Links are canonical and aggregated: multi-edges are summed, undirected links are stored
    once with ``source <= target``, links are sorted by ``(source, target)``, self-links are
    kept and links of weight zero are dropped.

    Parameters
    ----------
    source, target : array_like of int, shape (m,)
        Endpoints of each edge (integer-valued floats are accepted).
    weight : array_like of float, shape (m,), optional
        Finite, non-negative edge weights. None means all 1.0.
    n_nodes : int, optional
        Number of nodes; None means the largest node index plus one. Nodes without links
        are kept (isolated nodes).
    directed : bool, default False
        Whether ``u -> v`` differs from ``v -> u``.
    node_weights : array_like of float, shape (n_nodes,), optional
        Finite, non-negative node weights (teleportation weights when teleporting to
        nodes), not all zero.
    node_names : sequence, optional
        One name per node.

    Attributes
    ----------
    n_nodes : int
    directed : bool
    source, target : ndarray of int32, shape (n_links,)
        Link endpoints, sorted by ``(source, target)``; read-only.
    weight : ndarray of float64, shape (n_links,)
        Link weights, all positive; read-only.
    node_weights : ndarray of float64, shape (n_nodes,), or None
    node_names : list or None

    Raises
    ------
    ValueError
        If the input is malformed; the message names the offending edge index, value or
        parameter.

    See Also
    --------
    Network.from_edges, Network.from_scipy, Network.from_igraph, Network.from_networkx

    Examples
    --------
    >>> net = Network([0, 1, 1], [1, 0, 2])
    >>> net
    Network(n_nodes=3, n_links=2, undirected, weighted)
    >>> net.weight.tolist()
    [2.0, 1.0]
    """

    n_nodes: int
    directed: bool
    source: np.ndarray
    target: np.ndarray
    weight: np.ndarray
    node_weights: np.ndarray | None
    node_names: list | None

    def __init__(
        self,
        source: Any,
        target: Any,
        weight: Any = None,
        n_nodes: int | None = None,
        directed: bool = False,
        *,
        node_weights: Any = None,
        node_names: Sequence | None = None,
    ) -> None:
        src = np.asarray(source)
        tgt = np.asarray(target)
        if src.size == 0:
            src = src.reshape(0)
        if tgt.size == 0:
            tgt = tgt.reshape(0)
        if src.ndim != 1 or tgt.ndim != 1 or src.shape != tgt.shape:
            raise ValueError(
                "source and target must be 1-D arrays of the same length, got shapes "
                f"{src.shape} and {tgt.shape}"
            )
        n = _check_endpoints(src, tgt, n_nodes)
        if weight is None:
            w = np.ones(src.size, dtype=np.float64)
        else:
            w = _check_weights(weight, src, tgt)
        directed = bool(directed)
        if src.size:
            s, t, ws = _aggregate_numba(src, tgt, w, n, directed)
            if ws.size and not ws.max() < np.inf:
                i = int(np.flatnonzero(~np.isfinite(ws))[0])
                raise ValueError(
                    f"the summed weight of link {int(s[i])} -> {int(t[i])} overflows to inf"
                )
        else:
            s = np.empty(0, np.int32)
            t = np.empty(0, np.int32)
            ws = np.empty(0, np.float64)
        self._set(n, directed, s, t, ws, node_weights, node_names)

    def _set(
        self,
        n: int,
        directed: bool,
        s: np.ndarray,
        t: np.ndarray,
        w: np.ndarray,
        node_weights: Any,
        node_names: Any,
    ) -> None:
        """Store canonical arrays (owned by this network) and validate node data."""
        self.n_nodes = int(n)
        self.directed = bool(directed)
        self.node_weights = _check_node_weights(node_weights, self.n_nodes)
        self.node_names = _check_node_names(node_names, self.n_nodes)
        self.source = s
        self.target = t
        self.weight = w
        _readonly(s, t, w)
        self._out_csr: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self._in_csr: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    @classmethod
    def _from_canonical(
        cls,
        n: int,
        directed: bool,
        s: np.ndarray,
        t: np.ndarray,
        w: np.ndarray,
        *,
        node_weights: Any = None,
        node_names: Any = None,
    ) -> Network:
        """Wrap arrays that are already canonical (sorted, unique, positive weights)."""
        if n == 0:
            raise ValueError("network has no nodes")
        if n > _INT32_MAX:
            raise ValueError(f"n_nodes={n} is too large: at most {_INT32_MAX} nodes are supported")
        net = cls.__new__(cls)
        net._set(
            n,
            directed,
            np.ascontiguousarray(s, dtype=np.int32),
            np.ascontiguousarray(t, dtype=np.int32),
            np.ascontiguousarray(w, dtype=np.float64),
            node_weights,
            node_names,
        )
        return net

    # ---- constructors ----------------------------------------------------------------

    @classmethod
    def from_edges(
        cls,
        edges: Any,
        weights: Any = None,
        n_nodes: int | None = None,
        directed: bool = False,
        *,
        node_weights: Any = None,
        node_names: Sequence | None = None,
    ) -> Network:
        """Build a network from an edge list.

        Parameters
        ----------
        edges : array_like of int, shape (m, 2)
            One ``(source, target)`` row per edge.
        weights : array_like of float, shape (m,), optional
            Finite, non-negative edge weights; None means all 1.0. Zero-weight edges are
            dropped, multi-edges summed.
        n_nodes : int, optional
            Number of nodes; None means the largest node index plus one.
        directed : bool, default False
            Whether the edges are directed.
        node_weights : array_like of float, shape (n_nodes,), optional
            Node (teleportation) weights.
        node_names : sequence, optional
            One name per node.

        Returns
        -------
        Network

        Raises
        ------
        ValueError
            If ``edges`` is not an integer-valued (m, 2) array, a node index is negative or
            not below ``n_nodes``, a weight is negative, NaN or infinite, lengths do not
            match, or the network has no nodes.

        Examples
        --------
        >>> Network.from_edges([[0, 1], [1, 2], [2, 0]], directed=True)
        Network(n_nodes=3, n_links=3, directed, unweighted)
        """
        e = np.asarray(edges)
        if e.size == 0:
            e = e.reshape(0, 2)
        if e.ndim != 2 or e.shape[1] != 2:
            raise ValueError(f"edges must have shape (m, 2), got {e.shape}")
        return cls(
            e[:, 0],
            e[:, 1],
            weights,
            n_nodes,
            directed,
            node_weights=node_weights,
            node_names=node_names,
        )

    @classmethod
    def from_scipy(
        cls,
        A: Any,
        directed: bool | None = None,
        *,
        node_weights: Any = None,
        node_names: Sequence | None = None,
    ) -> Network:
        """Build a network from an adjacency matrix.

        Parameters
        ----------
        A : scipy sparse matrix or array, or dense array_like, shape (n, n)
            ``A[i, j]`` is the weight of the link ``i -> j``. Entries must be finite and
            non-negative; zero entries (explicit or not) are no links.
        directed : bool, optional
            None means directed if and only if ``A`` is not (exactly) symmetric. For an
            undirected network the upper triangle including the diagonal is used, so a
            symmetric ``A`` is not double-counted. If ``directed=False`` is forced on a
            non-symmetric ``A``, its symmetric part ``(A + A.T) / 2`` is used.
        node_weights : array_like of float, shape (n,), optional
            Node (teleportation) weights.
        node_names : sequence, optional
            One name per node.

        Returns
        -------
        Network

        Raises
        ------
        ValueError
            If ``A`` is not square, not numeric, or has a negative, NaN or infinite entry.

        Examples
        --------
        >>> import numpy as np
        >>> Network.from_scipy(np.array([[0, 1], [1, 0]]))
        Network(n_nodes=2, n_links=1, undirected, unweighted)
        """
        import scipy.sparse as sp

        if sp.issparse(A):
            shape = A.shape
            dtype = A.dtype
        else:
            A = np.asarray(A)
            shape = A.shape
            dtype = A.dtype
        if len(shape) != 2 or shape[0] != shape[1]:
            raise ValueError(f"adjacency matrix must be square, got shape {shape}")
        if dtype.kind not in "biuf":
            raise ValueError(f"adjacency matrix must be numeric, got dtype {dtype}")
        n = int(shape[0])
        if n == 0:
            raise ValueError("network has no nodes")
        if n > _INT32_MAX:
            raise ValueError(f"n_nodes={n} is too large: at most {_INT32_MAX} nodes are supported")
        C = sp.csr_array(A, dtype=np.float64, copy=True)
        C.sum_duplicates()  # canonical: sorted indices, no duplicates
        data = C.data
        if data.size:
            lo, hi = data.min(), data.max()
            if not (lo >= 0 and hi < np.inf):
                p = int(np.flatnonzero(~(np.isfinite(data) & (data >= 0)))[0])
                i = int(np.searchsorted(C.indptr, p, side="right")) - 1
                raise ValueError(
                    f"entry A[{i}, {int(C.indices[p])}] is {float(data[p])!r}; {_WEIGHT_RULE}"
                )
        C.eliminate_zeros()
        T = C.T.tocsr()
        T.sort_indices()
        symmetric = (
            T.nnz == C.nnz
            and np.array_equal(T.indptr, C.indptr)
            and np.array_equal(T.indices, C.indices)
            and np.array_equal(T.data, C.data)
        )
        if directed is None:
            directed = not symmetric
        directed = bool(directed)
        if not directed and not symmetric:
            C = sp.csr_array((C + T) * 0.5)
            C.sum_duplicates()
            C.eliminate_zeros()
        rows = np.repeat(np.arange(n, dtype=np.int32), np.diff(C.indptr))
        cols = C.indices
        data = C.data
        if not directed:
            upper = rows <= cols
            rows, cols, data = rows[upper], cols[upper], data[upper]
        return cls._from_canonical(
            n,
            directed,
            rows,
            np.array(cols, dtype=np.int32),
            np.array(data, dtype=np.float64),
            node_weights=node_weights,
            node_names=node_names,
        )

    @classmethod
    def from_igraph(
        cls,
        g: Any,
        weights: str | Sequence | None = "weight",
        *,
        node_weights: str | Sequence | None = None,
        directed: bool | None = None,
    ) -> Network:
        """Build a network from an :class:`igraph.Graph`.

        Parameters
        ----------
        g : igraph.Graph
        weights : str, sequence of float, or None, default "weight"
            An edge attribute name, one weight per edge, or None (unweighted). If the
            default attribute "weight" is missing the network is unweighted; any other
            missing attribute name is an error.
        node_weights : str, sequence of float, or None
            A vertex attribute name or one weight per vertex.
        directed : bool, optional
            None means ``g.is_directed()``. ``directed=True`` on an undirected graph gives
            each edge in both directions; ``directed=False`` on a directed graph merges
            ``u -> v`` and ``v -> u`` (summing their weights).

        Returns
        -------
        Network
            With ``node_names`` from the vertex attribute "name" if present.

        Raises
        ------
        ValueError
            If a named attribute is missing, or the weights are invalid.
        """
        import igraph

        if not isinstance(g, igraph.Graph):
            raise TypeError(f"expected an igraph.Graph, got {type(g).__name__}")
        m = g.ecount()
        edges = np.fromiter(
            itertools.chain.from_iterable(g.get_edgelist()), dtype=np.int64, count=2 * m
        ).reshape(m, 2)
        if isinstance(weights, str):
            attrs = g.es.attributes()
            if weights in attrs:
                w = np.asarray(g.es[weights], dtype=np.float64)
            elif weights == "weight":
                w = None
            else:
                raise ValueError(
                    f"edge attribute {weights!r} not found; available edge attributes: "
                    f"{sorted(attrs)}"
                )
        else:
            w = weights
        if isinstance(node_weights, str):
            vattrs = g.vs.attributes()
            if node_weights not in vattrs:
                raise ValueError(
                    f"vertex attribute {node_weights!r} not found; available vertex "
                    f"attributes: {sorted(vattrs)}"
                )
            node_weights = np.asarray(g.vs[node_weights], dtype=np.float64)
        names = g.vs["name"] if "name" in g.vs.attributes() else None
        graph_directed = g.is_directed()
        directed = graph_directed if directed is None else bool(directed)
        if directed and not graph_directed:
            edges, w = _both_directions(edges, w)
        return cls.from_edges(
            edges,
            w,
            n_nodes=g.vcount(),
            directed=directed,
            node_weights=node_weights,
            node_names=names,
        )

    @classmethod
    def from_networkx(
        cls,
        G: Any,
        weight: str | None = "weight",
        *,
        node_weights: str | Sequence | None = None,
        directed: bool | None = None,
    ) -> Network:
        """Build a network from a :mod:`networkx` graph.

        Parameters
        ----------
        G : networkx.Graph, DiGraph, MultiGraph or MultiDiGraph
            Node keys (any hashable) become ``node_names`` in ``G``'s node order and are
            mapped to ``0..n-1``. Multi-edges are summed.
        weight : str or None, default "weight"
            Edge attribute holding the weight; an edge without it counts as 1 (the networkx
            convention). None means unweighted.
        node_weights : str, sequence of float, or None
            A node attribute name (a node without it counts as 1) or one weight per node
            in ``G``'s node order.
        directed : bool, optional
            None means ``G.is_directed()``. ``directed=True`` on an undirected graph gives
            each edge in both directions; ``directed=False`` on a directed graph merges
            ``u -> v`` and ``v -> u`` (summing their weights).

        Returns
        -------
        Network

        Raises
        ------
        ValueError
            If the graph has no nodes or the weights are invalid.
        """
        import networkx as nx

        if not isinstance(G, nx.Graph):
            raise TypeError(f"expected a networkx graph, got {type(G).__name__}")
        nodes = list(G.nodes())
        n = len(nodes)
        index = {node: i for i, node in enumerate(nodes)}
        m = G.number_of_edges()
        if weight is None:
            us, vs = zip(*G.edges(), strict=True) if m else ((), ())
            w = None
        else:
            us, vs, ws = zip(*G.edges(data=weight, default=1.0), strict=True) if m else ((), (), ())
            w = _float_array(ws, m, f"edge attribute {weight!r}")
        edges = np.empty((m, 2), dtype=np.int64)
        edges[:, 0] = np.fromiter(map(index.__getitem__, us), dtype=np.int64, count=m)
        edges[:, 1] = np.fromiter(map(index.__getitem__, vs), dtype=np.int64, count=m)
        if isinstance(node_weights, str):
            node_weights = _float_array(
                (d for _, d in G.nodes(data=node_weights, default=1.0)),
                n,
                f"node attribute {node_weights!r}",
            )
        graph_directed = G.is_directed()
        directed = graph_directed if directed is None else bool(directed)
        if directed and not graph_directed:
            edges, w = _both_directions(edges, w)
        return cls.from_edges(
            edges,
            w,
            n_nodes=n,
            directed=directed,
            node_weights=node_weights,
            node_names=nodes,
        )

    # ---- properties and views --------------------------------------------------------

    @property
    def n_links(self) -> int:
        """Number of (aggregated) links; an undirected link counts once."""
        return int(self.source.size)

    @property
    def total_weight(self) -> float:
        """Sum of the link weights; an undirected link counts once."""
        return float(self.weight.sum())

    def out_csr(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Out-links of each node in CSR form.

        For an undirected network each link appears in both directions (a self-link once).
        Within each row the neighbours are sorted. The result is cached and read-only.

        Returns
        -------
        indptr : ndarray of int64, shape (n_nodes + 1,)
        indices : ndarray of int32
            Link targets; the out-links of node ``u`` are ``indices[indptr[u]:indptr[u+1]]``.
        data : ndarray of float64
            Link weights.
        """
        if self._out_csr is None:
            if self.directed:
                counts = np.bincount(self.source, minlength=self.n_nodes)
                indptr = np.zeros(self.n_nodes + 1, dtype=np.int64)
                np.cumsum(counts, out=indptr[1:])
                _readonly(indptr)
                self._out_csr = (indptr, self.target, self.weight)
            else:
                self._out_csr = self._both_ways_csr()
        return self._out_csr

    def in_csr(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """In-links of each node in CSR form (for undirected networks: :meth:`out_csr`).

        Returns
        -------
        indptr : ndarray of int64, shape (n_nodes + 1,)
        indices : ndarray of int32
            Link sources; the in-links of node ``v`` are ``indices[indptr[v]:indptr[v+1]]``,
            sorted.
        data : ndarray of float64
            Link weights.
        """
        if not self.directed:
            return self.out_csr()
        if self._in_csr is None:
            csr = _sort_kernel(self.target, self.source, self.weight, self.n_nodes, False)
            _readonly(*csr)
            self._in_csr = csr
        return self._in_csr

    def _both_ways_csr(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        csr = _both_ways_kernel(self.source, self.target, self.weight, self.n_nodes)
        _readonly(*csr)
        return csr

    def __repr__(self) -> str:
        kind = "directed" if self.directed else "undirected"
        weighted = "weighted" if np.any(self.weight != 1.0) else "unweighted"
        return f"Network(n_nodes={self.n_nodes}, n_links={self.n_links}, {kind}, {weighted})"

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        arrays = [self.source, self.target, self.weight]
        if self.node_weights is not None:
            arrays.append(self.node_weights)
        for cache in (self._out_csr, self._in_csr):
            if cache is not None:
                arrays.extend(cache)
        _readonly(*arrays)


def _both_directions(edges: np.ndarray, w: Any) -> tuple[np.ndarray, Any]:
    """Each undirected edge in both directions (a self-loop once), for directed=True."""
    off = edges[:, 0] != edges[:, 1]
    both = np.concatenate([edges, edges[off][:, ::-1]])
    if w is None:
        return both, None
    w = _check_weights(w, edges[:, 0], edges[:, 1])
    return both, np.concatenate([w, w[off]])


def _float_array(values: Any, count: int, what: str) -> np.ndarray:
    """Floats from an iterable of attribute values, with a clear error for non-numbers."""
    try:
        return np.fromiter(values, dtype=np.float64, count=count)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{what} has a non-numeric value: {exc}") from None
