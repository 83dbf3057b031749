"""``infomap_learn.dask.knn_graph``: a chunked dask array of embeddings -> links.

Exact neighbours by blocks: each block of rows is compared with every block of rows (one
task per pair, distances by scikit-learn's ``pairwise_distances``), and a running top-k is
merged along the way, so no task holds more than two blocks and their distance matrix.
The weights and symmetrisation are those of :func:`infomap_learn.adapters.knn.knn_graph`;
the local scales of the Gaussian kernel (one number per point) meet on the client once.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from infomap_learn.adapters._neighbors import (
    _ANN_HINT,
    ANGULAR_METRICS,
    METRICS,
    SYMMETRIZE,
    _check_n_neighbors,
    _check_option,
    _check_threshold,
    _floor_scales,
    _have_pynndescent,
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
    method: str = "exact",
    random_state: int | None = 0,
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
    method : {"exact", "approximate"}, default "exact"
        "exact" compares every block of rows with every block (distance work ``n^2 d``);
        "approximate" builds a pynndescent index of each block once and queries it with
        every block (the ``ann`` extra), far less work for large blocks; the candidates of
        all blocks are merged as in the exact search.
    random_state : int or None, default 0
        Seeds the approximate indexes.

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
    X, k, metric, weighting, symmetrize, threshold, method = checked_options(
        X, n_neighbors, metric, weighting, symmetrize, threshold, method, random_state
    )
    found = nearest_neighbours(X, X, k, metric, method, random_state)
    # (lazy to the end: the links are one task graph, computed by whichever scheduler
    # the caller uses, the neighbour search done once for both the scales and the links)
    return weighted_links(
        found, X.chunks[0], local_scales(found, weighting, metric), weighting, metric,
        threshold, symmetrize,
    )  # fmt: skip


def checked_options(X, n_neighbors, metric, weighting, symmetrize, threshold, method, random_state):
    """The options of :func:`knn_graph` checked, and ``X`` as a dask array of float64
    chunked by rows only: ``(X, k, metric, weighting, symmetrize, threshold, method)``."""
    import dask.array as da

    metric = _check_option("metric", metric, METRICS)
    weighting = _check_option("weighting", weighting, _DASK_WEIGHTINGS + ("jaccard",))
    if weighting == "jaccard":
        raise ValueError(
            "weighting='jaccard' is not available on Dask (it needs every neighbour's list "
            "on every block); use 'similarity' or 'connectivity'"
        )
    symmetrize = _check_option("symmetrize", symmetrize, SYMMETRIZE)
    threshold = _check_threshold(threshold)
    method = _check_option("method", method, ("exact", "approximate"))
    if random_state is not None and not isinstance(random_state, (int, np.integer)):
        raise ValueError(f"random_state must be an int or None, got {random_state!r}")
    if method == "approximate" and not _have_pynndescent():
        raise ImportError(_ANN_HINT)
    if not isinstance(X, da.Array):
        X = da.from_array(np.asarray(X), chunks=(10_000, -1))
    if X.ndim != 2:
        raise ValueError(f"X must be 2-dimensional (n_samples, n_features), got {X.ndim}")
    n = int(X.shape[0])
    if n < 2:
        raise ValueError(f"X must have at least 2 samples, got {n}")
    k = _check_n_neighbors(n_neighbors, n)
    X = X.rechunk({1: -1}).astype(np.float64)
    return X, k, metric, weighting, symmetrize, threshold, method


def nearest_neighbours(
    X: Any, X_fit: Any, k: int, metric: str, method: str, random_state: int | None
) -> list:
    """Delayed ``(indices, distances)`` of the ``k`` nearest rows of ``X_fit`` for each
    block of rows of ``X`` (both chunked by rows only, float64). ``X is X_fit``: the
    neighbours of the samples among themselves, each sample's own row left out."""
    import dask

    same = X is X_fit
    queries = X.to_delayed().ravel()
    blocks = X_fit.to_delayed().ravel()
    offsets = np.concatenate([[0], np.cumsum(X_fit.chunks[0])])
    if method == "approximate":
        seed = 0 if random_state is None else int(random_state)
        indexes = [
            dask.delayed(_block_index)(block, k, metric, seed + j) for j, block in enumerate(blocks)
        ]
    found = []
    for i, rows in enumerate(queries):
        # (a query block that is not a block of X_fit has no offset: no row is left out)
        row_offset = int(offsets[i]) if same else None
        running = None
        for j, others in enumerate(blocks):
            if method == "approximate":
                running = dask.delayed(_query_block_index)(
                    running, rows, indexes[j], row_offset, int(offsets[j]),
                    int(offsets[j + 1] - offsets[j]), k,
                )
            else:
                running = dask.delayed(_nearest_in_block)(
                    running, rows, others, row_offset, int(offsets[j]), k, metric
                )
        found.append(running)
    return found


def needs_scales(weighting: str, metric: str) -> bool:
    """Whether the weighting needs each sample's kernel scale (see :func:`local_scales`)."""
    return weighting == "similarity" and metric not in ANGULAR_METRICS


def local_scales(found: list, weighting: str, metric: str):
    """Delayed kernel scales sigma_i of the samples (distance to the k-th neighbour,
    floored at a fraction of the median), or None where the weighting needs none."""
    import dask

    if not needs_scales(weighting, metric):
        return None
    return dask.delayed(_local_scales)([dask.delayed(_farthest)(f) for f in found])


def weighted_links(found, chunks, sigma, weighting, metric, threshold, symmetrize):
    """The dask DataFrame of links from the neighbours ``found`` of the blocks of rows
    ``chunks`` (see :func:`knn_graph`)."""
    import dask
    import dask.dataframe as dd
    import pandas as pd

    offsets = np.concatenate([[0], np.cumsum(chunks)])
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
    index), the sample itself left out (``row_offset`` None: ``rows`` are new samples)."""
    from sklearn.metrics import pairwise_distances

    if rows.shape[0] == 0 or others.shape[0] == 0:  # (empty chunks: nothing to merge)
        return _found_so_far(running, rows.shape[0], k)
    distance = pairwise_distances(rows, others, metric=metric)
    if row_offset == other_offset:
        np.fill_diagonal(distance, np.inf)
    take = min(k, distance.shape[1])
    if take < distance.shape[1]:
        candidates = np.argpartition(distance, take - 1, axis=1)[:, :take]
    else:
        candidates = np.broadcast_to(np.arange(distance.shape[1]), distance.shape)
    dist = np.take_along_axis(distance, candidates, axis=1)
    return _merge(running, candidates + other_offset, dist, k)


def _found_so_far(running, n_rows: int, k: int):
    """The running neighbours, or none yet (``k`` columns for rows that have none)."""
    if running is not None:
        return running
    width = k if n_rows == 0 else 0
    return np.zeros((n_rows, width), dtype=np.int64), np.zeros((n_rows, width))


def _merge(running, ind, dist, k):
    """The ``k`` nearest of the running neighbours and new candidates (ties by index)."""
    if running is not None:
        ind = np.concatenate([running[0], ind], axis=1)
        dist = np.concatenate([running[1], dist], axis=1)
    order = np.lexsort((ind, dist), axis=1)[:, :k]
    return np.take_along_axis(ind, order, axis=1), np.take_along_axis(dist, order, axis=1)


# Index graphs of 4 k neighbours, queried for 3 k candidates with a wider search than
# pynndescent's defaults (30, k, 0.1): a block queried with rows it does not hold misses
# ~3% of the true neighbours at the defaults, ~0.5% at these (32-d blobs, 4 blocks).
_INDEX_NEIGHBORS = 4
_QUERY_CANDIDATES = 3
_QUERY_EPSILON = 0.4
# A pynndescent index keeps scratch arrays for its queries: the threads of one worker must
# not query the same index at once (they silently get wrong neighbours).
_INDEX_LOCKS: dict[int, threading.Lock] = {}
_INDEX_LOCKS_GUARD = threading.Lock()


def _lock_of(index) -> threading.Lock:
    with _INDEX_LOCKS_GUARD:
        return _INDEX_LOCKS.setdefault(id(index), threading.Lock())


def _block_index(block, k, metric, seed):
    """A pynndescent index of one block of rows, prepared for queries (None for an
    empty block)."""
    from pynndescent import NNDescent

    if block.shape[0] == 0:
        return None

    index = NNDescent(
        block, n_neighbors=max(min(_INDEX_NEIGHBORS * k, block.shape[0] - 1), 2), metric=metric,
        random_state=seed, n_jobs=1,
    )  # fmt: skip
    index.prepare()
    return index


def _query_block_index(running, rows, index, row_offset, other_offset, n_other, k):
    """Merge the approximate ``k`` nearest rows of an indexed block into the running
    neighbours of ``rows`` (the sample itself left out)."""
    if rows.shape[0] == 0 or index is None:  # (empty chunks: nothing to merge)
        return _found_so_far(running, rows.shape[0], k)
    take = min(_QUERY_CANDIDATES * k + 1, n_other)
    with _lock_of(index):
        ind, dist = index.query(rows, k=take, epsilon=_QUERY_EPSILON)
    ind = ind.astype(np.int64)
    dist = dist.astype(np.float64)
    missing = ind < 0
    ind = ind + other_offset
    dist[missing] = np.inf
    if row_offset == other_offset:
        dist[ind == (np.arange(rows.shape[0]) + row_offset)[:, None]] = np.inf
    return _merge(running, ind, dist, k)


def _local_scales(farthest: list) -> np.ndarray:
    return _floor_scales(np.concatenate(farthest))


def _farthest(found) -> np.ndarray:
    dist = found[1]
    return np.where(np.isfinite(dist), dist, -np.inf).max(axis=1)


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
