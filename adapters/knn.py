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

from typing import Any

import numpy as np
import scipy.sparse as sp

from infomap_learn.network import Network

from ._neighbors import (
    ANGULAR_METRICS,
    HUBNESS,
    HUBNESS_CANDIDATES,
    METHODS,
    METRICS,
    SPARSE_METRICS,
    SYMMETRIZE,
    WEIGHTINGS,
    _approximate_neighbors,
    _candidate_count,
    _check_hubness,
    _check_n_neighbors,
    _check_option,
    _check_threshold,
    _check_X,
    _drop_self,
    _exact_neighbors,
    _floor_scales,
    _have_pynndescent,
    _hubness_scales,
    _neighbor_lists,
    _network_from_lists,
    _padded_by_distance,
    _pair_weights,
    _reduce_hubness,
)

__all__ = [
    "ANGULAR_METRICS",
    "AUTO_EXACT_MAX_SAMPLES",
    "HUBNESS",
    "HUBNESS_CANDIDATES",
    "METHODS",
    "METRICS",
    "SPARSE_METRICS",
    "SYMMETRIZE",
    "WEIGHTINGS",
    "graph_from_sparse_distances",
    "knn_graph",
    "neighbor_weights",
]

AUTO_EXACT_MAX_SAMPLES = 100_000
"""``method="auto"`` is exact up to this many samples (see :func:`knn_graph`)."""


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
