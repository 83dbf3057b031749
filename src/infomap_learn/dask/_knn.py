"""``infomap_learn.dask.knn_graph``: a chunked dask array of embeddings -> links.

Exact neighbours by blocks: each block of rows is compared with every block of rows (one
task per pair, distances by scikit-learn's ``pairwise_distances``), and a running top-k is
merged along the way, so no task holds more than two blocks and their distance matrix.
The weights and symmetrisation are those of :func:`infomap_learn.adapters.knn.knn_graph`;
the local scales of the Gaussian kernel (one number per point) meet on the client once.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from infomap_learn.adapters._neighbors import (
    ANGULAR_METRICS,
    METRICS,
    SYMMETRIZE,
    _check_n_neighbors,
    _check_option,
    _check_threshold,
    _floor_scales,
    _pair_weights,
)

_DASK_WEIGHTINGS = ("similarity", "connectivity")


def knn_graph(
    X: Any,
    n_neighbors: int = 15,
    *,
    metric: str = "euclidean",
    weighting: str = "similarity",
    symmetrize: str = "union",
    threshold: float | None = None,
):
    """Links of the k-nearest-neighbour similarity graph of chunked embeddings.

    Parameters
    ----------
    X : dask.array.Array or ndarray, shape (n_samples, n_features)
        Finite samples, chunked by rows (a chunking of the columns is undone; a numpy
        array becomes one chunk of up to 10 000 rows each).
    n_neighbors : int, default 15
        Neighbours of each sample (itself excluded).
    metric : {"euclidean", "manhattan", "chebyshev", "cosine", "correlation"}
    weighting : {"similarity", "connectivity"}, default "similarity"
        As :func:`infomap_learn.adapters.knn.knn_graph` ("jaccard" would need every
        neighbour's list on every block and is not offered here).
    symmetrize : {"union", "mutual", "none"}, default "union"
    threshold : float, optional
        Drop neighbour relations whose weight is below ``threshold`` (before
        symmetrisation).

    Returns
    -------
    dask.dataframe.DataFrame
        Columns ``source``, ``target`` (row indices of ``X``) and ``weight``: each
        undirected link once (``source < target``) unless ``symmetrize="none"``, which
        keeps every neighbour relation as a directed link. The same links as the
        single-machine :func:`~infomap_learn.adapters.knn.knn_graph` with
        ``method="exact"`` (up to rounding and ties between equal distances).

    Examples
    --------
    >>> import dask.array as da
    >>> import numpy as np
    >>> from infomap_learn.dask import knn_graph
    >>> X = da.from_array(np.array([[0.0], [0.1], [0.2], [5.0], [5.1], [5.2]]), chunks=3)
    >>> links = knn_graph(X, n_neighbors=2, weighting="connectivity").compute()
    >>> links.sort_values(["source", "target"])[["source", "target"]].values.tolist()
    [[0, 1], [0, 2], [1, 2], [3, 4], [3, 5], [4, 5]]
    """
    import dask
    import dask.array as da
    import dask.dataframe as dd
    import pandas as pd

    metric = _check_option("metric", metric, METRICS)
    weighting = _check_option("weighting", weighting, _DASK_WEIGHTINGS + ("jaccard",))
    if weighting == "jaccard":
        raise ValueError(
            "weighting='jaccard' is not available on Dask (it needs every neighbour's list "
            "on every block); use 'similarity' or 'connectivity'"
        )
    symmetrize = _check_option("symmetrize", symmetrize, SYMMETRIZE)
    threshold = _check_threshold(threshold)
    if not isinstance(X, da.Array):
        X = da.from_array(np.asarray(X), chunks=(10_000, -1))
    if X.ndim != 2:
        raise ValueError(f"X must be 2-dimensional (n_samples, n_features), got {X.ndim}")
    n = int(X.shape[0])
    if n < 2:
        raise ValueError(f"X must have at least 2 samples, got {n}")
    k = _check_n_neighbors(n_neighbors, n)
    X = X.rechunk({1: -1}).astype(np.float64)
    blocks = X.to_delayed().ravel()
    offsets = np.concatenate([[0], np.cumsum(X.chunks[0])])
    found = []
    for i, rows in enumerate(blocks):
        running = None
        for j, others in enumerate(blocks):
            running = dask.delayed(_nearest_in_block)(
                running, rows, others, int(offsets[i]), int(offsets[j]), k, metric
            )
        found.append(running)
    found = dask.persist(*found)
    angular = metric in ANGULAR_METRICS
    sigma = None
    if weighting == "similarity" and not angular:
        # sigma_i: distance to the k-th neighbour, floored at a fraction of the median
        scales = dask.compute(*[dask.delayed(_farthest)(f) for f in found])
        sigma = dask.delayed(_floor_scales(np.concatenate(scales)), pure=True)
    parts = [
        dask.delayed(_weighted_links)(
            f, int(offsets[i]), sigma, weighting, metric, threshold, symmetrize
        )
        for i, f in enumerate(found)
    ]
    meta = pd.DataFrame({
        "source": np.zeros(0, np.int64), "target": np.zeros(0, np.int64),
        "weight": np.zeros(0),
    })  # fmt: skip
    links = dd.from_delayed(parts, meta=meta, verify_meta=False)
    if symmetrize == "none":
        return links
    grouped = links.groupby(["source", "target"], sort=False)
    n_parts = len(parts)
    if symmetrize == "union":
        # (w_ij + w_ji) / 2, a missing direction counting zero: halves summed
        summed = grouped["weight"].sum(split_out=n_parts).reset_index()
        return summed[["source", "target", "weight"]]
    both = grouped["weight"].agg(["min", "count"], split_out=n_parts).reset_index()
    both = both[both["count"] == 2]
    return both.rename(columns={"min": "weight"})[["source", "target", "weight"]]


def _nearest_in_block(running, rows, others, row_offset, other_offset, k, metric):
    """Merge the ``k`` nearest samples of ``others`` into the running neighbours of
    ``rows``: ``(indices, distances)``, shape (len(rows), k), nearest first (ties by
    index), the sample itself left out."""
    from sklearn.metrics import pairwise_distances

    distance = pairwise_distances(rows, others, metric=metric)
    if row_offset == other_offset:
        np.fill_diagonal(distance, np.inf)
    take = min(k, distance.shape[1])
    if take < distance.shape[1]:
        candidates = np.argpartition(distance, take - 1, axis=1)[:, :take]
    else:
        candidates = np.broadcast_to(np.arange(distance.shape[1]), distance.shape)
    dist = np.take_along_axis(distance, candidates, axis=1)
    ind = candidates + other_offset
    if running is not None:
        ind = np.concatenate([running[0], ind], axis=1)
        dist = np.concatenate([running[1], dist], axis=1)
    order = np.lexsort((ind, dist), axis=1)[:, :k]
    return np.take_along_axis(ind, order, axis=1), np.take_along_axis(dist, order, axis=1)


def _farthest(found) -> np.ndarray:
    return found[1].max(axis=1)


def _weighted_links(found, row_offset, sigma, weighting, metric, threshold, symmetrize):
    """One block's neighbour relations as weighted links; for a symmetrised graph each
    relation keyed by its unordered pair (weight halved for "union")."""
    import pandas as pd

    ind, dist = found
    rows = np.repeat(np.arange(ind.shape[0]) + row_offset, ind.shape[1])
    cols, dist = ind.ravel(), dist.ravel()
    sigmas = None if sigma is None else (sigma[rows], sigma[cols])
    w = _pair_weights(weighting, metric, dist, sigmas=sigmas)
    keep = (w > 0) & np.isfinite(dist)
    if threshold is not None:
        keep &= w >= threshold
    rows, cols, w = rows[keep], cols[keep], w[keep]
    if symmetrize != "none":
        rows, cols = np.minimum(rows, cols), np.maximum(rows, cols)
        if symmetrize == "union":
            w = w * 0.5
    return pd.DataFrame({"source": rows, "target": cols, "weight": w})
