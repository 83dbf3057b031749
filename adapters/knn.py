"""Embeddings -> k-nearest-neighbour similarity graph, the input of the map equation.

Clustering embeddings (text, images, cells) with Infomap goes in two steps: build a sparse
graph that links each point to its ``k`` nearest neighbours, weighted by how similar they
are, then search that network for modules::

    net = knn_graph(X, n_neighbors=15)
    tree = infomap_learn.infomap(net)
    labels = tree.labels

:func:`knn_graph` finds the neighbours exactly (scikit-learn's ``NearestNeighbors``) or
approximately (pynndescent's ``NNDescent``, the optional ``ann`` extra).
:func:`graph_from_sparse_distances` starts from a kNN distance graph computed elsewhere, such
as the output of ``sklearn.neighbors.KNeighborsTransformer(mode="distance")``. Both end in
the same code path (neighbour lists -> weights -> threshold -> symmetrisation), so they give
identical networks for identical neighbours. :func:`neighbor_weights` gives new samples the
same weights towards their nearest training samples (for an estimator's ``predict``).

Everything is vectorised with numpy and scipy: no Python loop runs over points or links.
"""

from __future__ import annotations

import numbers
import warnings
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.special import ndtr

from infomap_learn.network import Network

__all__ = [
    "AUTO_EXACT_MAX_SAMPLES",
    "graph_from_sparse_distances",
    "knn_graph",
    "neighbor_weights",
]

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

AUTO_EXACT_MAX_SAMPLES = 100_000
"""``method="auto"`` is exact up to this many samples (see :func:`knn_graph`)."""

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


def _check_X(X: Any, metric: str, min_samples: int = 2) -> np.ndarray | sp.csr_matrix:
    """Validated samples: a float array, or a CSR matrix for sparse input."""
    if sp.issparse(X):
        if metric not in SPARSE_METRICS:
            listed = ", ".join(repr(m) for m in SPARSE_METRICS)
            raise ValueError(
                f"metric={metric!r} does not support sparse X; use dense X or one of {listed}"
            )
        if X.dtype.kind not in "biuf":
            raise ValueError(f"X must be numeric, got dtype {X.dtype}")
        X = sp.csr_matrix(X)
        if X.dtype not in (np.float32, np.float64):
            X = X.astype(np.float64)
        if not X.has_canonical_format:  # never modify the caller's matrix
            X = X.copy()
            X.sum_duplicates()
        rows = np.repeat(np.arange(X.shape[0]), np.diff(X.indptr))
        _check_finite(X.data, lambda m: (rows[m][0], X.indices[m][0]))
        zero_row = np.zeros(X.shape[0], dtype=bool)
        if metric == "cosine":
            zero_row = np.bincount(rows[X.data != 0], minlength=X.shape[0]) == 0
    else:
        X = np.asarray(X)
        if X.dtype.kind not in "biuf":
            raise ValueError(f"X must be a numeric array, got dtype {X.dtype}")
        if X.ndim != 2:
            raise ValueError(
                f"X must be a 2-D array of shape (n_samples, n_features), got shape {X.shape}"
            )
        if X.dtype not in (np.float32, np.float64):
            X = X.astype(np.float64)
        _check_finite(X, _first_bad)
        zero_row = np.zeros(X.shape[0], dtype=bool)
        if metric == "cosine":
            zero_row = ~np.any(X != 0, axis=1)
        elif metric == "correlation":
            zero_row = ~np.any(X != X[:, :1], axis=1) if X.shape[1] else zero_row
    n, d = X.shape
    if n < min_samples:
        raise ValueError(f"X must have at least {min_samples} samples, got n_samples={n}")
    if d < 1:
        raise ValueError(f"X must have at least 1 feature, got shape {X.shape}")
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
# --------------------------------------------------------------------------------------


def graph_from_sparse_distances(
    D: Any,
    weighting: str = "similarity",
    symmetrize: str = "union",
    *,
    metric: str = "euclidean",
    threshold: float | None = None,
    n_neighbors: int | None = None,
    hubness: str | None = None,
) -> Network:
    """Similarity network from a sparse k-nearest-neighbour distance graph.

    Parameters
    ----------
    D : scipy sparse matrix or array, shape (n_samples, n_samples)
        ``D[i, j]`` is the distance from sample ``i`` to its neighbour ``j``; every *stored*
        entry is a neighbour, including explicit zeros (duplicate points), and entries not
        stored are not neighbours. This is what
        ``sklearn.neighbors.KNeighborsTransformer(mode="distance").fit_transform(X)`` and
        ``NearestNeighbors.kneighbors_graph(mode="distance")`` produce. Diagonal entries
        (each sample as its own neighbour at distance 0, which ``KNeighborsTransformer``
        adds) are dropped. A pair stored more than once keeps its smallest distance.
    weighting : {"similarity", "connectivity", "jaccard"}, default "similarity"
        How links are weighted; see :func:`knn_graph`.
    symmetrize : {"union", "mutual", "none"}, default "union"
        How directed neighbour relations become links; see :func:`knn_graph`.
    metric : str, default "euclidean"
        The metric ``D`` was computed with. It only matters for ``weighting="similarity"``:
        for "cosine" and "correlation" the weight is ``1 - D[i, j]``, for any other metric
        the locally scaled Gaussian kernel of :func:`knn_graph`.
    threshold : float, optional
        Drop neighbour relations whose weight is below ``threshold`` (before
        symmetrisation).
    n_neighbors : int, optional
        Keep only the ``n_neighbors`` nearest stored neighbours of each sample (after
        dropping the sample itself; ties by index). None keeps all of them. Pass the
        transformer's ``n_neighbors`` when a row may lack its self-entry (more duplicates
        of a point than neighbours) to get exactly the neighbours :func:`knn_graph` uses.
    hubness : {None, "mutual_proximity", "local_scaling"}, default None
        Hubness reduction as in :func:`knn_graph` (needs ``n_neighbors``): each sample
        keeps ``n_neighbors`` of its ``3 * n_neighbors`` nearest stored neighbours (of
        all of them where fewer are stored). ``D`` with at least ``3 * n_neighbors``
        neighbours per sample gives the network :func:`knn_graph` builds from the samples.

    Returns
    -------
    Network
        ``n_samples`` nodes, undirected unless ``symmetrize="none"``, no self-links, all
        weights finite and positive.

    Raises
    ------
    TypeError
        If ``D`` is not a scipy sparse matrix or array.
    ValueError
        If ``D`` is not square, has a negative, NaN or infinite entry, or an option is
        unknown.

    See Also
    --------
    knn_graph : Build the neighbour graph from the samples directly.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.neighbors import KNeighborsTransformer
    >>> X = np.array([[0.0], [0.1], [0.2], [5.0], [5.1], [5.2]])
    >>> D = KNeighborsTransformer(n_neighbors=2).fit_transform(X)
    >>> net = graph_from_sparse_distances(D, weighting="connectivity")
    >>> net.source.tolist(), net.target.tolist()
    ([0, 0, 1, 3, 3, 4], [1, 2, 2, 4, 5, 5])
    """
    if not sp.issparse(D):
        raise TypeError(
            "D must be a scipy sparse matrix or array of neighbour distances (a dense "
            f"array cannot tell zero distances from non-neighbours), got {type(D).__name__}"
        )
    weighting = _check_option("weighting", weighting, WEIGHTINGS)
    symmetrize = _check_option("symmetrize", symmetrize, SYMMETRIZE)
    if not isinstance(metric, str):
        raise ValueError(f"metric must be a string, got {metric!r}")
    threshold = _check_threshold(threshold)
    if D.ndim != 2 or D.shape[0] != D.shape[1]:
        raise ValueError(
            f"D must be square (n_samples, n_samples): fitted and transformed on the same "
            f"samples; got shape {D.shape}"
        )
    n = int(D.shape[0])
    if n < 1:
        raise ValueError("D has no samples")
    hubness = _check_hubness(hubness)
    if n_neighbors is not None:
        _check_n_neighbors(n_neighbors, n)
    elif hubness is not None:
        raise ValueError(f"hubness={hubness!r} needs n_neighbors (the neighbours kept)")
    if D.dtype.kind not in "biuf":
        raise ValueError(f"D must be numeric, got dtype {D.dtype}")
    C = sp.coo_matrix(D)
    dist = np.asarray(C.data, dtype=np.float64)
    if dist.size and not (dist.min() >= 0 and dist.max() < np.inf):
        p = int(np.flatnonzero(~(np.isfinite(dist) & (dist >= 0)))[0])
        raise ValueError(
            f"D[{int(C.row[p])}, {int(C.col[p])}] is {float(dist[p])!r}; distances must be "
            "finite and non-negative"
        )
    rows, cols = C.row.astype(np.int64), C.col.astype(np.int64)
    if hubness is None:
        indptr, indices, dist = _neighbor_lists(rows, cols, dist, n, n_neighbors)
    else:
        m = _candidate_count(n_neighbors, n, hubness)
        indptr, indices, dist = _neighbor_lists(rows, cols, dist, n, m)
        ind, dist = _padded_by_distance(indptr, indices, dist, n)
        scales = _hubness_scales(dist, n_neighbors, hubness)
        ind, dist = _reduce_hubness(ind, dist, scales, scales, n_neighbors, hubness)
        rows = np.repeat(np.arange(n, dtype=np.int64), ind.shape[1])
        ind, dist = ind.ravel(), dist.ravel()
        found = ind >= 0
        indptr, indices, dist = _neighbor_lists(rows[found], ind[found], dist[found], n, None)
    return _network_from_lists(indptr, indices, dist, n, metric, weighting, symmetrize, threshold)


def knn_graph(
    X: Any,
    n_neighbors: int = 15,
    metric: str = "euclidean",
    method: str = "auto",
    weighting: str = "similarity",
    symmetrize: str = "union",
    threshold: float | None = None,
    n_jobs: int | None = None,
    random_state: Any = None,
    hubness: str | None = None,
) -> Network:
    r"""k-nearest-neighbour similarity network over the rows of ``X``, for Infomap.

    Each sample is linked to its ``n_neighbors`` nearest other samples (never to itself),
    the links are weighted by similarity, weak links optionally dropped, and the directed
    neighbour relation is made undirected.

    Parameters
    ----------
    X : array_like or scipy sparse matrix, shape (n_samples, n_features)
        Finite samples, at least 2. Sparse input is supported for the metrics
        "euclidean", "manhattan" and "cosine".
    n_neighbors : int, default 15
        Neighbours per sample ``k``, ``1 <= k < n_samples``.
    metric : {"euclidean", "manhattan", "chebyshev", "cosine", "correlation"}
        Distance used to find neighbours. "cosine" is ``1 - cos(x_i, x_j)`` and needs no
        all-zero row; "correlation" is ``1 - r(x_i, x_j)`` (Pearson) and needs no constant
        row (rows without a direction raise a ValueError, rather than silently becoming
        isolated nodes).
    method : {"auto", "exact", "approximate"}, default "auto"
        "exact" uses scikit-learn's ``NearestNeighbors``; "approximate" uses pynndescent's
        ``NNDescent`` (``pip install infomap-learn[ann]``); "auto" is exact for up to
        ``AUTO_EXACT_MAX_SAMPLES = 100_000`` samples, and approximate above that when
        pynndescent is installed (exact otherwise). The switch point is where one call in
        a fresh process costs the same both ways on the 2-core development machine
        (``python benchmarks/knn_switch.py``; see "Notes").
    weighting : {"similarity", "connectivity", "jaccard"}, default "similarity"
        Weight :math:`w_{ij}` of the link between sample ``i`` and its neighbour ``j``:

        * "similarity": for ``metric`` "cosine" or "correlation" the similarity itself,
          :math:`w_{ij} = 1 - d_{ij}` (cosine similarity or Pearson correlation), and
          links with :math:`w_{ij} \le 0` are dropped. For the other metrics a Gaussian
          kernel with local scales (Zelnik-Manor & Perona's self-tuning affinity),
          :math:`w_{ij} = \exp(-d_{ij}^2 / (\sigma_i \sigma_j))`, where :math:`\sigma_i`
          is the distance from ``i`` to its ``k``-th neighbour: it adapts to the local
          density, so sparse and dense clusters get comparable weights, and it is
          symmetric and scale-free. Duplicate points make :math:`\sigma_i = 0`, so the
          scales are floored at ``1e-3`` times their positive median (all weights are
          finite; a zero distance gives weight 1). A kernel value that underflows to 0
          drops the link.
        * "connectivity": :math:`w_{ij} = 1`.
        * "jaccard": shared-neighbour weight, as in PhenoGraph: the Jaccard index of the
          two neighbour sets, each including the sample itself,
          :math:`w_{ij} = |N_i \cap N_j| / |N_i \cup N_j|`, with
          :math:`N_i = \{i\} \cup \mathrm{kNN}(i)`; links of weight 0 are dropped (a kNN
          link always shares at least ``j``, so in practice none is).

        All three are symmetric in ``i`` and ``j``.
    symmetrize : {"union", "mutual", "none"}, default "union"
        * "union": an undirected link wherever ``j`` is a neighbour of ``i`` *or* ``i`` one
          of ``j``, weighted by the mean of the two directions,
          :math:`(a_{ij} + a_{ji}) / 2` with :math:`a_{ij} = w_{ij}` if ``j`` is a
          neighbour of ``i`` and 0 otherwise: a mutual pair keeps :math:`w_{ij}`, a
          one-sided pair gets :math:`w_{ij} / 2` (the convention of scikit-learn's
          ``SpectralClustering`` and PhenoGraph). On sklearn's digits this beat the
          maximum (each pair at its full weight) for 9 of 12 weighting / ``k`` settings,
          with the official Infomap as well as with :func:`infomap_learn.infomap`.
        * "mutual": an undirected link only where each is a neighbour of the other.
        * "none": a directed network, ``i -> j`` for each neighbour ``j`` of ``i``
          (searched with Infomap's directed flow model by default).
    threshold : float, optional
        Drop neighbour relations whose weight :math:`w_{ij}` is below ``threshold``
        (before symmetrisation, so a kept one-sided pair may end up with
        :math:`w_{ij} / 2` under "union"), as when clustering word vectors by their top-k
        most similar words whose cosine similarity passes a threshold. Samples may become
        isolated nodes.
    n_jobs : int, optional
        Parallel jobs for the neighbour search, scikit-learn's convention (-1: all cores).
        None means each back-end's default: scikit-learn's ``n_jobs=None`` (its dense
        Euclidean search is multi-threaded anyway) and all cores for pynndescent.
    random_state : int, numpy RandomState, numpy Generator or None
        Seed of the approximate search; unused by the exact one.
    hubness : {None, "mutual_proximity", "local_scaling"}, default None
        Hubness reduction: which ``n_neighbors`` of its ``3 * n_neighbors`` nearest
        samples (``HUBNESS_CANDIDATES``) each sample keeps. In high dimensions a few
        samples ("hubs") are among the nearest neighbours of very many others, and kNN
        graphs link unrelated regions through them (Radovanović et al. 2010; for
        single-cell embeddings, Amblard et al., Bioinformatics 2022). Both reductions
        make the neighbour relation more symmetric by judging a distance relative to
        the distances around both ends:

        * "mutual_proximity" (Schnitzer et al., JMLR 2012, Gaussian form, estimated on
          the candidates): keep the candidates ``j`` with the largest
          :math:`P(D_i > d_{ij})\,P(D_j > d_{ij})`, where :math:`D_i` is normal with
          the mean and standard deviation of sample ``i``'s distances to its candidates;
        * "local_scaling" (Zelnik-Manor & Perona 2004; Schnitzer et al. 2012): keep the
          smallest :math:`d_{ij} / \sqrt{\sigma_i \sigma_j}`, :math:`\sigma_i` the
          distance from ``i`` to its ``n_neighbors``-th nearest sample.

        Only the choice of neighbours changes: the weights are computed as above from
        the original distances of the kept neighbours (for "similarity",
        :math:`\sigma_i` is the largest of them). With ``n_samples - 1`` or fewer
        candidates than ``3 * n_neighbors``, all other samples are candidates.

    Returns
    -------
    Network
        ``n_samples`` nodes, undirected unless ``symmetrize="none"``, no self-links, all
        weights finite and positive.

    Raises
    ------
    ValueError
        If ``X`` is not 2-D and numeric, holds NaN or infinity, has fewer than 2 samples,
        ``n_neighbors`` is out of range, an option is unknown, the threshold is not finite,
        or the metric is undefined for some row (see ``metric``).
    ImportError
        If ``method="approximate"`` and pynndescent is not installed.

    See Also
    --------
    graph_from_sparse_distances : The same from a precomputed kNN distance graph.
    infomap_learn.infomap : Search the network for modules.

    Notes
    -----
    Exact vs approximate neighbours, measured with ``python benchmarks/knn_switch.py`` on
    the shared 2-core development machine (float32 Gaussian blobs, 50 features, k = 15;
    seconds to the network, ranges over two runs; "recall" is the fraction of the exact
    neighbours that the approximate search finds):

    =========  =========  ==================  ======
    n_samples  exact      approximate (warm)  recall
    =========  =========  ==================  ======
    5_000      0.2 - 0.4  0.1 - 0.6           0.98
    20_000     1.1 - 1.9  0.4 - 1.9           0.92
    50_000     7.8 - 9.9  1.1 - 4.6           0.92
    100_000    21 - 26    2.4 - 2.5           0.92
    200_000    169        18                  0.92
    =========  =========  ==================  ======

    "Warm" excludes pynndescent's numba compilation, which its on-disk cache barely
    shortens: 25 - 35 s in every new process. A single call in a fresh process took
    33 s (approximate) vs 8 - 10 s (exact) at 50_000 samples and 37 s vs 21 - 44 s at
    100_000, hence the switch at 100_000. When building many graphs in one process,
    ``method="approximate"`` pays off from about 20_000 samples.

    Examples
    --------
    >>> import numpy as np
    >>> from infomap_learn import infomap
    >>> rng = np.random.default_rng(0)
    >>> X = np.concatenate([rng.normal(0, 1, (100, 5)), rng.normal(10, 1, (100, 5))])
    >>> net = knn_graph(X, n_neighbors=10)
    >>> net
    Network(n_nodes=200, n_links=1400, undirected, weighted)
    >>> labels = infomap(net, seed=1).labels
    >>> np.intersect1d(labels[:100], labels[100:]).size  # no module mixes the blobs
    0
    """
    network, _ = _knn_graph_and_scales(
        X, n_neighbors, metric, method, weighting, symmetrize, threshold, n_jobs,
        random_state, hubness,
    )  # fmt: skip
    return network


def _knn_graph_and_scales(
    X: Any,
    n_neighbors: int,
    metric: str,
    method: str,
    weighting: str,
    symmetrize: str,
    threshold: float | None,
    n_jobs: int | None,
    random_state: Any,
    hubness: str | None,
) -> tuple[Network, np.ndarray | None]:
    """:func:`knn_graph`, and the hubness scales of the samples (None without hubness
    reduction), which :func:`neighbor_weights` needs to place new samples consistently."""
    metric = _check_option("metric", metric, METRICS)
    method = _check_option("method", method, METHODS)
    weighting = _check_option("weighting", weighting, WEIGHTINGS)
    symmetrize = _check_option("symmetrize", symmetrize, SYMMETRIZE)
    threshold = _check_threshold(threshold)
    hubness = _check_hubness(hubness)
    X = _check_X(X, metric)
    n = int(X.shape[0])
    k = _check_n_neighbors(n_neighbors, n)
    m = _candidate_count(k, n, hubness)
    if method == "auto":
        use_exact = n <= AUTO_EXACT_MAX_SAMPLES or not _have_pynndescent()
        method = "exact" if use_exact else "approximate"
    if method == "exact":
        ind, dist = _exact_neighbors(X, m, metric, n_jobs)
    else:
        ind, dist = _approximate_neighbors(X, m, metric, n_jobs, random_state)
    ind = np.asarray(ind, dtype=np.int64)
    # rounding can make a distance slightly negative (cosine of near-identical rows)
    dist = np.maximum(np.asarray(dist, dtype=np.float64), 0.0)
    if ind.shape[1] > m:  # NNDescent: drop the point itself, or else the farthest
        ind, dist = _drop_self(ind, dist, np.arange(n))
    scales = None
    if hubness is not None:
        scales = _hubness_scales(dist, k, hubness)
        ind, dist = _reduce_hubness(ind, dist, scales, scales, k, hubness)
    rows = np.repeat(np.arange(n, dtype=np.int64), k)
    ind, dist = ind.ravel(), dist.ravel()
    found = (ind >= 0) & np.isfinite(dist)  # NNDescent marks missing neighbours with -1
    indptr, indices, dist = _neighbor_lists(rows[found], ind[found], dist[found], n, k)
    network = _network_from_lists(
        indptr, indices, dist, n, metric, weighting, symmetrize, threshold
    )
    return network, scales


def neighbor_weights(
    X_fit: Any,
    X: Any,
    n_neighbors: int = 15,
    metric: str = "euclidean",
    weighting: str = "similarity",
    threshold: float | None = None,
    n_jobs: int | None = None,
    hubness: str | None = None,
    fit_scales: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    r"""Nearest training samples of new samples and the weights of the links to them.

    The out-of-sample counterpart of :func:`knn_graph` (for ``predict``): each row of
    ``X`` gets its ``n_neighbors`` nearest rows of ``X_fit`` (exact search) and the
    weight :math:`w_{ij}` that :func:`knn_graph` gives a link from ``i`` to its neighbour
    ``j``, with the new sample playing the part of ``i``:

    * "similarity": :math:`1 - d_{ij}` for "cosine" and "correlation", else
      :math:`\exp(-d_{ij}^2 / (\sigma_i \sigma_j))` with :math:`\sigma_i` the distance
      from the new sample to its ``k``-th training neighbour and :math:`\sigma_j` that of
      the training sample ``j`` among the other training samples (as in the training
      graph). The floor for duplicates is taken over the scales involved in this call.
    * "connectivity": 1.
    * "jaccard": :math:`|N_i \cap N_j| / |N_i \cup N_j|` with :math:`N_i` the new
      sample's training neighbours plus itself and :math:`N_j` the training neighbours of
      ``j`` plus ``j``.

    No symmetrisation: the weights are those of the new sample's own links. With
    ``hubness``, the new sample keeps the ``n_neighbors`` of its ``3 * n_neighbors``
    nearest training samples that the reduction ranks first against the training
    samples' scales, and the neighbours (and scales) of the training samples involved are
    those of the training graph; the kernel scale :math:`\sigma` of a sample is then the
    largest distance to its kept neighbours, as in :func:`knn_graph`.

    Parameters
    ----------
    X_fit : array_like or scipy sparse matrix, shape (n_fit, n_features)
        Training samples (at least 2).
    X : array_like or scipy sparse matrix, shape (n_samples, n_features)
        New samples (at least 1).
    n_neighbors : int, default 15
        ``1 <= n_neighbors < n_fit``.
    metric, weighting : str
        As in :func:`knn_graph`.
    threshold : float, optional
        Weights below it are set to 0, as :func:`knn_graph` drops those links.
    n_jobs : int, optional
        Parallel jobs of scikit-learn's ``NearestNeighbors``.
    hubness : {None, "mutual_proximity", "local_scaling"}, default None
        The hubness reduction the training graph was built with (see :func:`knn_graph`).
    fit_scales : ndarray of shape (n_fit, 2), optional
        The training samples' hubness scales, as computed when the training graph was
        built (``InfoMapClustering`` keeps them); None computes them again from
        ``X_fit``, one more neighbour search over all of it.

    Returns
    -------
    neighbors : ndarray of int64, shape (n_samples, n_neighbors)
        Row indices into ``X_fit``: nearest first, or best first after hubness reduction.
    weights : ndarray of float64, shape (n_samples, n_neighbors)
        Finite, non-negative link weights.

    Raises
    ------
    ValueError
        As :func:`knn_graph` for invalid samples or options, or if ``X`` and ``X_fit``
        have different numbers of features.

    Examples
    --------
    >>> import numpy as np
    >>> X_fit = np.array([[0.0], [1.0], [2.0], [10.0], [11.0]])
    >>> nbrs, w = neighbor_weights(X_fit, [[0.4], [10.4]], n_neighbors=2,
    ...                            weighting="connectivity")
    >>> nbrs.tolist(), w.tolist()
    ([[0, 1], [3, 4]], [[1.0, 1.0], [1.0, 1.0]])
    """
    metric = _check_option("metric", metric, METRICS)
    weighting = _check_option("weighting", weighting, WEIGHTINGS)
    threshold = _check_threshold(threshold)
    X_fit = _check_X(X_fit, metric)
    X = _check_X(X, metric, min_samples=1)
    if X.shape[1] != X_fit.shape[1]:
        raise ValueError(f"X has {X.shape[1]} features, but X_fit has {X_fit.shape[1]}")
    hubness = _check_hubness(hubness)
    n_fit = int(X_fit.shape[0])
    k = _check_n_neighbors(n_neighbors, n_fit)
    n_candidates = _candidate_count(k, n_fit, hubness)
    try:
        from sklearn.neighbors import NearestNeighbors
    except ImportError:  # pragma: no cover
        raise ImportError("neighbor_weights needs scikit-learn: pip install scikit-learn") from None
    nn = NearestNeighbors(n_neighbors=n_candidates, metric=metric, n_jobs=n_jobs).fit(X_fit)

    def distances(d: np.ndarray) -> np.ndarray:
        return np.maximum(np.asarray(d, dtype=np.float64), 0.0)

    dist, ind = nn.kneighbors(X)
    ind, dist = ind.astype(np.int64, copy=False), distances(dist)
    if hubness is not None:
        if fit_scales is None:
            fit_scales = _hubness_scales(distances(nn.kneighbors()[0]), k, hubness)
        fit_scales = np.asarray(fit_scales, dtype=np.float64)
        if fit_scales.shape != (n_fit, 2):
            raise ValueError(
                f"fit_scales must have shape (n_fit, 2) = ({n_fit}, 2), got {fit_scales.shape}"
            )
        query_scales = _hubness_scales(dist, k, hubness)
        ind, dist = _reduce_hubness(ind, dist, query_scales, fit_scales, k, hubness)
    m = ind.shape[0]
    if weighting == "connectivity" or (weighting == "similarity" and metric in ANGULAR_METRICS):
        w = _pair_weights(weighting, metric, dist.ravel())
    else:
        # the training neighbours of the training samples involved: their candidates and
        # themselves, then the sample itself dropped (or, with duplicates, the farthest)
        used, inverse = np.unique(ind, return_inverse=True)
        inverse = inverse.reshape(ind.shape)
        d_used, i_used = nn.kneighbors(X_fit[used], n_neighbors=n_candidates + 1)
        i_used, d_used = _drop_self(i_used.astype(np.int64), distances(d_used), used)
        if hubness is not None:
            i_used, d_used = _reduce_hubness(
                i_used, d_used, fit_scales[used], fit_scales, k, hubness
            )
        if weighting == "similarity":
            # sigma: the largest distance to a kept neighbour, as in the training graph
            sigma = _floor_scales(np.concatenate([dist.max(axis=1), d_used.max(axis=1)]))
            s_new, s_used = sigma[:m], sigma[m:]
            w = _pair_weights(
                weighting,
                metric,
                dist.ravel(),
                sigmas=(np.repeat(s_new, k), s_used[inverse].ravel()),
            )
        else:
            sets = np.concatenate([i_used, used[:, None]], axis=1)  # (u, k + 1)
            shared = np.empty(ind.shape)
            step = max(1, (1 << 22) // (k * k * (k + 1)))
            for r0 in range(0, m, step):  # loop over blocks of rows
                a = ind[r0 : r0 + step]  # (b, k): the new samples' neighbours
                b = sets[inverse[r0 : r0 + step]]  # (b, k, k + 1): their neighbours' sets
                hit = (a[:, None, :, None] == b[:, :, None, :]).any(axis=3)
                shared[r0 : r0 + step] = hit.sum(axis=2)
            size = float(k + 1)
            w = _pair_weights(
                weighting, metric, dist.ravel(), shared=shared.ravel(), sizes=(size, size)
            )
    w = np.asarray(w, dtype=np.float64).reshape(m, k)
    if threshold is not None:
        w = np.where(w >= threshold, w, 0.0)
    return ind, w
