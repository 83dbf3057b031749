"""``DaskInfoMapClustering``: the estimator for chunked embeddings, in dask-ml's shape."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClusterMixin, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ..adapters._neighbors import _floor_scales, _pair_weights
from ..estimator import _effective_n_neighbors
from . import _knn
from ._front import NoLinksError, infomap


def _samples(X):
    """``X`` as a dask array of samples, and a DataFrame's column names (None otherwise).

    A dask DataFrame's partitions stay on the workers (``to_dask_array(lengths=True)``);
    other array-likes are loaded as a dask array of 10,000-row blocks.
    """
    import dask.array as da
    from scipy import sparse

    columns = getattr(X, "columns", None)
    names = None
    if columns is not None and all(isinstance(c, str) for c in columns):
        names = np.asarray(list(columns), dtype=object)
    if hasattr(X, "to_dask_array"):
        return X.to_dask_array(lengths=True), names
    if isinstance(X, da.Array):
        return X, names
    if sparse.issparse(X):
        raise TypeError(
            "a scipy sparse X is not split into blocks here: pass a dask array of sparse "
            "blocks (dask.array.from_array(X, chunks=(10_000, -1))) or X.toarray()"
        )
    return da.from_array(np.asarray(X, dtype=np.float64), chunks=(10_000, -1)), names


class DaskInfoMapClustering(ClusterMixin, BaseEstimator):
    """Infomap clustering of a chunked dask array of embeddings, on a Dask cluster.

    The distributed counterpart of :class:`~infomap_learn.InfoMapClustering`, following
    dask-ml's conventions: ``fit`` takes a ``dask.array`` (chunked by rows; a numpy array
    is chunked for you) and ``labels_`` is a dask array chunked like the rows of ``X``. The
    samples become the nodes of a k-nearest-neighbour similarity graph
    (:func:`infomap_learn.dask.knn_graph`, exact, by blocks) and the modules are searched
    on the cluster (:func:`infomap_learn.dask.infomap`).

    Parameters
    ----------
    n_neighbors : int, default 15
    metric : {"euclidean", "manhattan", "chebyshev", "cosine", "correlation"}
    weighting : {"similarity", "connectivity"}, default "similarity"
        The single-machine estimator's default, "jaccard" with hubness reduction, needs
        every neighbour's list on every block and is not offered here.
    symmetrize : {"union", "mutual", "none"}, default "union"
    threshold : float, optional
    method : {"exact", "approximate"}, default "exact"
        The neighbour search (see :func:`infomap_learn.dask.knn_graph`).
    two_level : bool, default False
        By default a hierarchy is searched and ``labels_`` are its top level (as the
        single-machine estimator's); True gives the modules of a two-level search.
    markov_time : float > 0, default 1.0
    num_trials : int >= 1, default 1
        Trials of the search of the module network on the client.
    n_partitions : int, optional
        Shards of the graph on the workers (by default one per block of ``X``).
    random_state : int, RandomState instance or None, default None

    Notes
    -----
    As dask-ml's estimators, it runs on the current ``distributed.Client`` (the last one
    created, or the one of a ``with client.as_current():`` block).

    Attributes
    ----------
    labels_ : dask.array.Array of int64, shape (n_samples,)
        Top-level module of each sample, 0..k-1 by decreasing flow.
    n_clusters_ : int
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of str
        Only when ``X`` was a (dask or pandas) DataFrame with string column names.
    codelength_ : float
        The map equation of the answer, in bits.
    stats_ : DistributedStats
        Rounds, bytes moved, shard sizes and time of the search.

    ``predict`` needs the training samples: the estimator keeps a reference to the dask
    array given to ``fit`` (with its task graph; persist it first if it is costly to
    compute), and the training labels and kernel scales on the client (16 bytes per
    sample).

    See Also
    --------
    infomap_learn.InfoMapClustering : The same on one machine, with all of its options.

    Examples
    --------
    >>> import dask.array as da
    >>> from distributed import Client, LocalCluster
    >>> from sklearn.datasets import make_blobs
    >>> from infomap_learn.dask import DaskInfoMapClustering
    >>> cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
    ...                        dashboard_address=None)
    >>> client = Client(cluster)
    >>> X, y = make_blobs(n_samples=300, centers=3, cluster_std=0.3, random_state=0)
    >>> model = DaskInfoMapClustering(random_state=0).fit(da.from_array(X, chunks=100))
    >>> model.n_clusters_, model.labels_.chunks
    (3, ((100, 100, 100),))
    >>> new = da.from_array(X[[0, 100, 200]] + 0.01, chunks=2)
    >>> bool((model.predict(new).compute() == model.labels_[[0, 100, 200]].compute()).all())
    True
    >>> client.close(); cluster.close()
    """

    _parameter_constraints: dict = {
        "n_neighbors": [Interval(Integral, 1, None, closed="left")],
        "metric": [StrOptions({"euclidean", "manhattan", "chebyshev", "cosine", "correlation"})],
        "weighting": [StrOptions({"similarity", "connectivity"})],
        "symmetrize": [StrOptions({"union", "mutual", "none"})],
        "threshold": [Interval(Real, None, None, closed="neither"), None],
        "method": [StrOptions({"exact", "approximate"})],
        "two_level": ["boolean"],
        "markov_time": [Interval(Real, 0, None, closed="neither")],
        "num_trials": [Interval(Integral, 1, None, closed="left")],
        "n_partitions": [Interval(Integral, 1, None, closed="left"), None],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        *,
        n_neighbors: int = 15,
        metric: str = "euclidean",
        weighting: str = "similarity",
        symmetrize: str = "union",
        threshold: float | None = None,
        method: str = "exact",
        two_level: bool = False,
        markov_time: float = 1.0,
        num_trials: int = 1,
        n_partitions: int | None = None,
        random_state=None,
    ):
        self.n_neighbors = n_neighbors
        self.metric = metric
        self.weighting = weighting
        self.symmetrize = symmetrize
        self.threshold = threshold
        self.method = method
        self.two_level = two_level
        self.markov_time = markov_time
        self.num_trials = num_trials
        self.n_partitions = n_partitions
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Cluster the rows of ``X`` on the cluster.

        Parameters
        ----------
        X : dask.array.Array or array-like, shape (n_samples, n_features)
        y : Ignored

        Returns
        -------
        self : DaskInfoMapClustering

        Examples
        --------
        See :class:`DaskInfoMapClustering`.
        """
        import dask
        import dask.array as da

        from ._front import _client

        try:  # (before any work: the neighbour search would run on the local scheduler)
            _client(None)
        except ValueError:
            raise ValueError(
                "DaskInfoMapClustering needs a running Dask client: start one first "
                "(distributed.Client() for a local cluster, or Client(scheduler_address))"
            ) from None
        X, names = _samples(X)
        if any(np.isnan(size) for size in X.chunks[0]):
            raise ValueError(
                "X has chunks of unknown size (a dask DataFrame's to_dask_array() or a "
                "filtered array): call X.compute_chunk_sizes() first, or pass the DataFrame"
            )
        seed = int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))
        X, k, metric, weighting, symmetrize, threshold, method = _knn.checked_options(
            X, _effective_n_neighbors(self.n_neighbors, int(X.shape[0])), self.metric,
            self.weighting, self.symmetrize,
            self.threshold, self.method, seed,
        )  # fmt: skip
        found = _knn.nearest_neighbours(X, X, k, metric, method, seed)
        farthest = scales = None
        if _knn.needs_scales(weighting, metric):
            # (held on the workers during the search: the neighbour search is done once
            # for the links and for the scales that predict needs)
            found = list(dask.persist(*found))
            parts = dask.compute(*[dask.delayed(_knn._farthest)(f) for f in found])
            farthest = np.concatenate(parts)
            scales = dask.delayed(_floor_scales(farthest), pure=True)
        links = _knn.weighted_links(
            found, X.chunks[0], scales, weighting, metric, threshold, symmetrize
        )
        try:
            modules, stats = infomap(
                links, None, two_level=self.two_level, directed=symmetrize == "none",
                markov_time=self.markov_time, num_trials=self.num_trials, seed=seed,
                n_partitions=self.n_partitions or X.numblocks[0], return_stats=True,
            )  # fmt: skip
        except NoLinksError:
            raise ValueError(  # (in the estimator's terms, as InfoMapClustering says it)
                "the neighbour graph has no links"
                + (f": no neighbour link has a weight >= threshold={threshold!r}; lower the "
                   "threshold" if threshold is not None else "")
            ) from None
        del found  # (the persisted neighbour lists, released)
        frame = modules.compute()
        # a sample without links (all its neighbour weights dropped) is a module of its own
        labels = np.full(X.shape[0], -1, dtype=np.int64)
        labels[frame["node"].to_numpy()] = frame["module"].to_numpy()
        alone = labels < 0
        labels[alone] = labels.max() + 1 + np.arange(int(alone.sum()))
        self.labels_ = da.from_array(labels, chunks=(X.chunks[0],))
        self.n_clusters_ = int(labels.max()) + 1
        self.n_features_in_ = int(X.shape[1])
        if names is not None:
            self.feature_names_in_ = names
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        self.codelength_ = stats.codelength
        self.stats_ = stats
        self._fit_X, self._fit_k, self._fit_seed = X, k, seed
        self._fit_labels, self._fit_farthest = labels, farthest
        return self

    def fit_predict(self, X, y=None):
        """Cluster ``X`` and return ``labels_`` (a dask array).

        Parameters
        ----------
        X : dask.array.Array or array-like, shape (n_samples, n_features)
        y : Ignored

        Returns
        -------
        labels : dask.array.Array of int64, shape (n_samples,)

        Examples
        --------
        See :class:`DaskInfoMapClustering`.
        """
        return self.fit(X).labels_

    def predict(self, X):
        """Put new samples into the modules their nearest training samples pull them into.

        As :meth:`infomap_learn.InfoMapClustering.predict`: each new sample is linked to
        its ``n_neighbors`` nearest training samples (searched by blocks on the cluster,
        with the ``method`` of ``fit``) with the training graph's weighting (the kernel
        scales of the training samples are those of ``fit``, floored together with the
        new samples' of each block), and joins the module into which its links carry the
        most weight; ties, and a sample with no link left, go to the module with the
        most flow. The training clusters do not change.

        Parameters
        ----------
        X : dask.array.Array or array-like, shape (n_samples, n_features)

        Returns
        -------
        labels : dask.array.Array of int64, shape (n_samples,)
            Chunked like the rows of ``X``; lazy, as dask-ml's ``predict``.

        Examples
        --------
        See :class:`DaskInfoMapClustering`.
        """
        import dask
        import dask.array as da

        check_is_fitted(self)
        X, names = _samples(X)
        fitted = getattr(self, "feature_names_in_", None)
        if names is not None and fitted is not None and list(names) != list(fitted):
            raise ValueError(
                "The feature names of X differ from those seen in fit: "
                f"{list(names)[:5]} against {list(fitted)[:5]}"
            )
        if X.ndim != 2:
            raise ValueError(f"X must be 2-dimensional (n_samples, n_features), got {X.ndim}")
        if X.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {X.shape[1]} features, but DaskInfoMapClustering was fitted with "
                f"{self.n_features_in_} features"
            )
        if X.shape[0] == 0:
            return da.zeros(0, dtype=np.int64)
        X = X.rechunk({1: -1}).astype(np.float64)
        found = _knn.nearest_neighbours(
            X, self._fit_X, self._fit_k, self.metric, self.method, self._fit_seed
        )
        # (one copy of each per-sample array in the graph, not one per block)
        labels = dask.delayed(self._fit_labels, pure=True)
        farthest = (
            None if self._fit_farthest is None else dask.delayed(self._fit_farthest, pure=True)
        )
        blocks = [
            da.from_delayed(
                dask.delayed(_pulled_modules)(
                    f, labels, farthest, self.weighting, self.metric, self.threshold
                ),
                shape=(rows,), dtype=np.int64,
            )  # fmt: skip
            for f, rows in zip(found, X.chunks[0])
        ]
        return da.concatenate(blocks)


def _pulled_modules(found, labels, fit_farthest, weighting, metric, threshold) -> np.ndarray:
    """The module of each new sample of a block: the one its links to the training
    samples ``found`` (indices, distances) carry the most weight into; ties and samples
    without links to the lowest module id (modules are numbered by decreasing flow)."""
    ind, dist = found
    n_rows, k = ind.shape
    rows = np.repeat(np.arange(n_rows), k)
    cols, dist = ind.ravel(), dist.ravel()
    finite = np.isfinite(dist)
    cols = np.where(finite, cols, 0)  # (no neighbour found there: weight 0 below)
    sigmas = None
    if fit_farthest is not None:
        # sigma: the distance to the k-th neighbour, floored over the scales involved
        used, inverse = np.unique(cols, return_inverse=True)
        sigma = _floor_scales(np.concatenate([_knn._farthest(found), fit_farthest[used]]))
        sigmas = (sigma[:n_rows][rows], sigma[n_rows:][inverse.ravel()])
    weight = np.where(finite, _pair_weights(weighting, metric, np.where(finite, dist, 0.0),
                                            sigmas=sigmas), 0.0)  # fmt: skip
    keep = weight > 0
    if threshold is not None:
        keep &= weight >= threshold
    n_modules = int(labels.max()) + 1
    key = rows[keep] * n_modules + labels[cols[keep]]
    pairs, inverse = np.unique(key, return_inverse=True)
    pull = np.bincount(inverse.ravel(), weight[keep], pairs.size)
    row, module = np.divmod(pairs, n_modules)
    # per row, the largest pull, then the lowest module id
    order = np.lexsort((module, -pull, row))
    first = order[np.r_[True, row[order][1:] != row[order][:-1]]] if order.size else order
    out = np.zeros(n_rows, dtype=np.int64)
    out[row[first]] = module[first]
    return out
