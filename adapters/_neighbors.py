"""The parts of the kNN graphs (``infomap_learn.adapters.knn``) behind its public functions.

Validation of samples and options, the neighbour searches (scikit-learn, pynndescent), and
the common path from neighbour lists to a network: hubness reduction, weights, threshold and
symmetrisation. Everything is vectorised with numpy and scipy.
"""

from __future__ import annotations

import numbers
import warnings
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.special import ndtr

from infomap_learn.network import Network

METRICS = ("euclidean", "manhattan", "chebyshev", "cosine", "correlation")
"""Supported metrics: each is known to both scikit-learn and pynndescent."""
SPARSE_METRICS = ("euclidean", "manhattan", "cosine")
"""Metrics supported for scipy sparse ``X`` by both neighbour back-ends."""
ANGULAR_METRICS = ("cosine", "correlation")
"""Metrics whose ``1 - distance`` is a similarity (cosine similarity, Pearson correlation)."""
METHODS = ("auto", "exact", "approximate")
WEIGHTINGS = ("similarity", "connectivity", "jaccard")
SYMMETRIZE = ("union", "mutual", "none")
HUBNESS = ("mutual_proximity", "local_scaling")
"""Hubness reductions (besides None): how candidate neighbours are re-ranked."""

HUBNESS_CANDIDATES = 3
"""With hubness reduction each sample's ``k`` neighbours are chosen among its ``3 k`` nearest."""

_SIGMA_FLOOR = 1e-3
"""Local scales are floored at this fraction of their positive median (duplicates)."""
_HUBNESS_BLOCK = 1 << 22
"""Hubness reduction: candidates scored at once (bounds the temporaries to ~100 MB)."""
_JACCARD_BLOCK = 1 << 22
"""Jaccard: at most about this many shared-neighbour counts are held in memory at once."""

_ANN_HINT = (
    "method='approximate' needs pynndescent, an optional dependency; "
    "install it with: pip install infomap-learn[ann]"
)


# --------------------------------------------------------------------------------------
# validation
# --------------------------------------------------------------------------------------


def _check_option(name: str, value: Any, options: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in options:
        listed = ", ".join(repr(o) for o in options)
        raise ValueError(f"unknown {name} {value!r}; expected one of {listed}")
    return value


def _check_hubness(hubness: Any) -> str | None:
    if hubness is None:
        return None
    return _check_option("hubness", hubness, HUBNESS)


def _check_threshold(threshold: Any) -> float | None:
    if threshold is None:
        return None
    if isinstance(threshold, (bool, np.bool_)) or not isinstance(threshold, numbers.Real):
        raise ValueError(f"threshold must be a finite number or None, got {threshold!r}")
    t = float(threshold)
    if not np.isfinite(t):
        raise ValueError(f"threshold must be a finite number or None, got {t!r}")
    return t


def _check_n_neighbors(n_neighbors: Any, n_samples: int) -> int:
    ok = isinstance(n_neighbors, (numbers.Integral, np.integer)) and not isinstance(
        n_neighbors, (bool, np.bool_)
    )
    if not ok or not 1 <= int(n_neighbors) < n_samples:
        raise ValueError(
            f"n_neighbors must be an integer with 1 <= n_neighbors < n_samples; got "
            f"n_neighbors={n_neighbors!r} with n_samples={n_samples}"
        )
    return int(n_neighbors)


def _first_bad(mask: np.ndarray) -> tuple[int, ...]:
    return tuple(int(i) for i in np.unravel_index(int(np.flatnonzero(mask)[0]), mask.shape))


def _check_finite(values: np.ndarray, where: Any) -> None:
    """Raise a ValueError naming NaN or infinity and its first position."""
    if values.size and not np.isfinite(values).all():
        nan = np.isnan(values)
        kind = "NaN" if nan.any() else "infinity"
        pos = where(nan if nan.any() else ~np.isfinite(values))
        raise ValueError(f"X contains {kind} (first at X[{pos[0]}, {pos[1]}]); X must be finite")


def _check_scale(values: np.ndarray) -> None:
    """Refuse values whose squares overflow or underflow the dtype: distances between
    them would be infinite, or zero for every pair."""
    if not values.size:
        return
    peak = float(np.abs(values).max())
    info = np.finfo(values.dtype)
    if peak > np.sqrt(info.max) / 1e4:
        problem = "overflow: distances would be infinite"
    elif 0 < peak < np.sqrt(info.tiny) * 1e4:
        problem = "underflow: every distance would be 0"
    else:
        return
    raise ValueError(
        f"X has values of magnitude up to {peak:.3g}, whose squares {problem} in "
        f"{values.dtype}; rescale X (for example with sklearn.preprocessing.StandardScaler)"
    )


def _check_X(X: Any, metric: str, min_samples: int = 2) -> np.ndarray | sp.csr_matrix:
    """Validated samples: a float array, or a CSR matrix for sparse input.

    scikit-learn's ``check_array`` converts the input (lists, DataFrames, sparse formats)
    and checks its shape and dtype; the checks here add what it does not say: where the
    first NaN or infinity is, values whose squared distances overflow, and rows a metric
    cannot handle."""
    from sklearn.utils import check_array

    if sp.issparse(X) and metric not in SPARSE_METRICS:
        listed = ", ".join(repr(m) for m in SPARSE_METRICS)
        raise ValueError(
            f"metric={metric!r} does not support sparse X; use dense X or one of {listed}"
        )
    X = check_array(
        X, accept_sparse="csr", dtype="numeric", ensure_all_finite=False,
        ensure_min_samples=min_samples, input_name="X",
    )  # fmt: skip
    if X.dtype not in (np.float32, np.float64):
        X = X.astype(np.float64)
    if sp.issparse(X):
        if not X.has_canonical_format:  # never modify the caller's matrix
            X = X.copy()
            X.sum_duplicates()
        rows = np.repeat(np.arange(X.shape[0]), np.diff(X.indptr))
        _check_finite(X.data, lambda m: (rows[m][0], X.indices[m][0]))
        zero_row = np.zeros(X.shape[0], dtype=bool)
        if metric == "cosine":
            zero_row = np.bincount(rows[X.data != 0], minlength=X.shape[0]) == 0
    else:
        _check_finite(X, _first_bad)
        zero_row = np.zeros(X.shape[0], dtype=bool)
        if metric == "cosine":
            zero_row = ~np.any(X != 0, axis=1)
        elif metric == "correlation":
            zero_row = ~np.any(X != X[:, :1], axis=1)
    _check_scale(X.data if sp.issparse(X) else X)
    if zero_row.any():
        rows = np.flatnonzero(zero_row)
        what = "all-zero" if metric == "cosine" else "constant"
        raise ValueError(
            f"metric={metric!r} is undefined for {what} rows of X; {rows.size} such row(s), "
            f"first X[{int(rows[0])}]. Drop them or choose another metric"
        )
    return X


# --------------------------------------------------------------------------------------
# neighbour search
# --------------------------------------------------------------------------------------


def _have_pynndescent() -> bool:
    try:
        import pynndescent  # noqa: F401
    except ImportError:
        return False
    return True


def _exact_neighbors(
    X: Any, k: int, metric: str, n_jobs: int | None
) -> tuple[np.ndarray, np.ndarray]:
    """``(indices, distances)``, shape (n, k), the point itself excluded."""
    try:
        from sklearn.neighbors import NearestNeighbors
    except ImportError:  # pragma: no cover - scikit-learn comes with the ann and dev extras
        raise ImportError(
            "method='exact' needs scikit-learn; install it with: pip install scikit-learn"
        ) from None
    nn = NearestNeighbors(n_neighbors=k, metric=metric, n_jobs=n_jobs).fit(X)
    # kneighbors() without X leaves each sample out of its own neighbours (also when it
    # has duplicates: then a duplicate may come first, never the sample itself).
    dist, ind = nn.kneighbors()
    return ind, dist


def _approximate_neighbors(
    X: Any, k: int, metric: str, n_jobs: int | None, random_state: Any
) -> tuple[np.ndarray, np.ndarray]:
    """``(indices, distances)``, shape (n, k + 1), which may contain the point itself.

    NNDescent also returns each point as its own neighbour, usually first; the caller drops
    it (or, when duplicates crowd it out, the farthest). Missing neighbours are ``-1``
    with an infinite distance.
    """
    try:
        from pynndescent import NNDescent
    except ImportError:
        raise ImportError(_ANN_HINT) from None
    if isinstance(random_state, np.random.Generator):
        random_state = np.random.RandomState(random_state.bit_generator)
    index = NNDescent(
        X,
        n_neighbors=min(k + 1, X.shape[0]),
        metric=metric,
        random_state=random_state,
        n_jobs=-1 if n_jobs is None else n_jobs,
    )
    ind, dist = index.neighbor_graph
    return ind, dist


# --------------------------------------------------------------------------------------
# the common path: neighbour lists -> network
# --------------------------------------------------------------------------------------


def _neighbor_lists(
    rows: np.ndarray, cols: np.ndarray, dist: np.ndarray, n: int, n_neighbors: int | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Canonical neighbour lists from ``(row, col, distance)`` triplets.

    Drops self-pairs, keeps the smallest distance of repeated pairs, keeps the
    ``n_neighbors`` nearest of each row (ties by column) and returns CSR arrays
    ``(indptr, indices, distances)`` with the columns of each row sorted.
    """
    keep = rows != cols
    key = rows[keep] * n + cols[keep]  # n < 2**31, so no overflow
    dist = dist[keep]
    if key.size > 1 and not np.all(key[1:] > key[:-1]):
        order = np.argsort(key, kind="stable")  # rows usually come in order: fast
        key, dist = key[order], dist[order]
        if np.any(key[1:] == key[:-1]):  # a repeated pair keeps its smallest distance
            order = np.lexsort((dist, key))
            key, dist = key[order], dist[order]
            first = np.ones(key.size, dtype=bool)
            first[1:] = key[1:] != key[:-1]
            key, dist = key[first], dist[first]
    rows, cols = np.divmod(key, n)
    counts = np.bincount(rows, minlength=n)
    if n_neighbors is not None and counts.size and counts.max() > n_neighbors:
        by_dist = np.lexsort((cols, dist, rows))
        start = np.repeat(np.cumsum(counts) - counts, counts)
        rank = np.empty(rows.size, dtype=np.int64)
        rank[by_dist] = np.arange(rows.size) - start
        keep = rank < n_neighbors
        rows, cols, dist = rows[keep], cols[keep], dist[keep]
        counts = np.bincount(rows, minlength=n)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    return indptr, cols.astype(np.int64, copy=False), dist


def _pair_weights(
    weighting: str,
    metric: str,
    dist: np.ndarray,
    *,
    sigmas: tuple[np.ndarray, np.ndarray] | None = None,
    shared: np.ndarray | None = None,
    sizes: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """The link weight ``w_ij`` of each neighbour pair (formulas in :func:`knn_graph`).

    ``sigmas`` are the local scales of both ends (Gaussian kernel); ``shared`` and
    ``sizes`` the shared-neighbour counts and neighbour-set sizes (Jaccard).
    """
    if weighting == "connectivity":
        return np.ones(dist.size)
    if weighting == "jaccard":
        return shared / (sizes[0] + sizes[1] - shared)
    if metric in ANGULAR_METRICS:
        return np.clip(1.0 - dist, 0.0, 1.0)
    return np.exp(-(dist**2) / (sigmas[0] * sigmas[1]))


def _drop_self(ind: np.ndarray, dist: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """From k + 1 neighbours that may include the query point ``ids[r]`` itself (usually
    first), keep k: all but the point itself, or all but the farthest when duplicates of
    the point crowded it out."""
    drop = ind == ids[:, None]
    drop[~drop.any(axis=1), -1] = True
    shape = (ind.shape[0], ind.shape[1] - 1)
    return ind[~drop].reshape(shape), dist[~drop].reshape(shape)


def _floor_scales(sigma: np.ndarray) -> np.ndarray:
    positive = sigma[sigma > 0]
    floor = _SIGMA_FLOOR * float(np.median(positive)) if positive.size else 1.0
    return np.maximum(sigma, floor)


def _candidate_count(k: int, n_fit: int, hubness: str | None) -> int:
    """Nearest samples searched per sample: ``k``, or ``3 k`` for hubness reduction."""
    return k if hubness is None else min(n_fit - 1, HUBNESS_CANDIDATES * k)


def _hubness_scales(dist: np.ndarray, k: int, hubness: str) -> np.ndarray:
    """Each sample's statistics of its candidate distances, shape (n, 2).

    ``dist`` (n, m) holds each sample's distances to its ``m`` nearest other samples in
    ascending order (infinite where the approximate search found fewer). Local scaling
    uses the distance to the ``k``-th of them (column 0, twice); mutual proximity their
    mean (column 0) and standard deviation (column 1). Both are floored like the kernel
    scales, so duplicates and equidistant candidates give finite scores.
    """
    known = np.where(np.isfinite(dist), dist, np.nan)
    with warnings.catch_warnings():  # rows without candidates: all-NaN, scored as 0
        warnings.simplefilter("ignore", RuntimeWarning)
        if hubness == "local_scaling":
            kth = known[:, min(k, known.shape[1]) - 1]
            kth = np.where(np.isnan(kth), np.nanmax(known, axis=1), kth)
            sigma = _floor_scales(np.nan_to_num(kth))
            return np.stack([sigma, sigma], axis=1)
        mean = np.nan_to_num(np.nanmean(known, axis=1))
        std = _floor_scales(np.nan_to_num(np.nanstd(known, axis=1)))
    return np.stack([mean, std], axis=1)


def _reduce_hubness(
    ind: np.ndarray,
    dist: np.ndarray,
    query_scales: np.ndarray,
    fit_scales: np.ndarray,
    k: int,
    hubness: str,
) -> tuple[np.ndarray, np.ndarray]:
    """Keep the ``k`` candidates of each row nearest after hubness reduction.

    ``ind``, ``dist`` (n, m): candidates in ascending distance (``-1`` / infinite where
    missing); ``query_scales`` the rows' scales, ``fit_scales`` those of the samples the
    candidates index. Returns ``(ind, dist)`` of shape (n, k) with the original distances,
    best first; ties keep the distance order (the sort is stable).
    """
    n, m = ind.shape
    kept_ind = np.empty((n, min(k, m)), dtype=np.int64)
    kept_dist = np.empty((n, min(k, m)))
    step = max(1, _HUBNESS_BLOCK // max(m, 1))
    for r0 in range(0, n, step):  # blocks of rows bound the temporaries
        i, d, q = ind[r0 : r0 + step], dist[r0 : r0 + step], query_scales[r0 : r0 + step]
        valid = (i >= 0) & np.isfinite(d)
        cand = fit_scales[np.where(valid, i, 0)]  # (rows, m, 2)
        if hubness == "local_scaling":
            score = d / np.sqrt(q[:, :1] * cand[..., 0])
        else:  # minus the probability that each finds the other nearer than a random one
            score = -(ndtr((q[:, :1] - d) / q[:, 1:]) * ndtr((cand[..., 0] - d) / cand[..., 1]))
        score = np.where(valid, score, np.inf)
        order = np.argsort(score, axis=1, kind="stable")[:, :k]
        kept_ind[r0 : r0 + step] = np.take_along_axis(i, order, axis=1)
        kept_dist[r0 : r0 + step] = np.take_along_axis(d, order, axis=1)
    return kept_ind, kept_dist


def _padded_by_distance(
    indptr: np.ndarray, indices: np.ndarray, dist: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Neighbour lists as (n, width) arrays, each row nearest first (ties by index),
    padded with ``-1`` and an infinite distance: the candidates of :func:`_reduce_hubness`."""
    counts = np.diff(indptr)
    width = int(counts.max()) if counts.size else 0
    rows = np.repeat(np.arange(n, dtype=np.int64), counts)
    order = np.lexsort((indices, dist, rows))  # rows stay grouped
    position = np.arange(rows.size) - np.repeat(indptr[:-1], counts)
    ind = np.full((n, width), -1, dtype=np.int64)
    padded = np.full((n, width), np.inf)
    ind[rows, position] = indices[order]
    padded[rows, position] = dist[order]
    return ind, padded


def _local_scales(indptr: np.ndarray, dist: np.ndarray, n: int) -> np.ndarray:
    """sigma_i: distance to the farthest kept neighbour, floored (see :func:`knn_graph`)."""
    sigma = np.zeros(n)
    counts = np.diff(indptr)
    has = counts > 0
    if dist.size:
        sigma[has] = np.maximum.reduceat(dist, indptr[:-1][has])
    return _floor_scales(sigma)


def _shared_neighbors(indptr: np.ndarray, indices: np.ndarray, n: int) -> np.ndarray:
    """``|N(i) & N(j)|`` for every link ``i -> j``, with each node in its own set ``N``.

    Computed as entries of ``A @ A.T`` (``A`` the 0/1 neighbour matrix plus identity), in
    row blocks small enough that a block's product has about ``_JACCARD_BLOCK`` entries.
    """
    counts = np.diff(indptr)
    rows = np.repeat(np.arange(n, dtype=np.int64), counts)
    A = sp.csr_matrix(
        (
            np.ones(indices.size + n, dtype=np.int32),
            (np.concatenate([rows, np.arange(n)]), np.concatenate([indices, np.arange(n)])),
        ),
        shape=(n, n),
    )
    AT = A.T.tocsr()
    # work of row i ~ sum over its set of the in-degrees: the size of its product row
    work = A @ np.diff(AT.indptr).astype(np.float64)
    bounds = np.searchsorted(np.cumsum(work), np.arange(1, n + 1) * float(_JACCARD_BLOCK))
    starts = np.unique(np.concatenate([[0], bounds[bounds < n]]))
    ends = np.append(starts[1:], n)
    out = np.empty(indices.size, dtype=np.float64)
    for r0, r1 in zip(starts.tolist(), ends.tolist(), strict=True):  # loop over blocks
        S = (A[r0:r1] @ AT).tocsr()
        S.sort_indices()
        srows = np.repeat(np.arange(r1 - r0, dtype=np.int64), np.diff(S.indptr))
        skeys = srows * n + S.indices
        p0, p1 = indptr[r0], indptr[r1]
        ekeys = (rows[p0:p1] - r0) * n + indices[p0:p1]
        out[p0:p1] = S.data[np.searchsorted(skeys, ekeys)]
    return out


def _network_from_lists(
    indptr: np.ndarray,
    indices: np.ndarray,
    dist: np.ndarray,
    n: int,
    metric: str,
    weighting: str,
    symmetrize: str,
    threshold: float | None,
) -> Network:
    """Weights, threshold and symmetrisation of canonical neighbour lists."""
    counts = np.diff(indptr)
    rows = np.repeat(np.arange(n, dtype=np.int64), counts)
    if weighting == "jaccard":
        size = counts + 1.0
        shared = _shared_neighbors(indptr, indices, n)
        w = _pair_weights(weighting, metric, dist, shared=shared, sizes=(size[rows], size[indices]))
    elif weighting == "similarity" and metric not in ANGULAR_METRICS:
        sigma = _local_scales(indptr, dist, n)
        w = _pair_weights(weighting, metric, dist, sigmas=(sigma[rows], sigma[indices]))
    else:
        w = _pair_weights(weighting, metric, dist)
    keep = w > 0
    if threshold is not None:
        keep &= w >= threshold
    if not keep.all():
        rows, cols, w = rows[keep], indices[keep], w[keep]
    else:
        cols = indices
    if symmetrize == "none":
        edges = np.stack([rows, cols], axis=1)
        return Network.from_edges(edges, w, n_nodes=n, directed=True)
    W = sp.csr_matrix((w, (rows, cols)), shape=(n, n))
    S = (W + W.T) * 0.5 if symmetrize == "union" else W.minimum(W.T)
    S = sp.triu(S, k=1, format="coo")
    upper = S.data > 0
    edges = np.stack([S.row[upper], S.col[upper]], axis=1)
    return Network.from_edges(edges, S.data[upper], n_nodes=n, directed=False)


# --------------------------------------------------------------------------------------
# public API
