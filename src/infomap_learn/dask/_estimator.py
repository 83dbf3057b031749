"""``DaskInfoMapClustering``: the estimator for chunked embeddings, in dask-ml's shape."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClusterMixin, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions

from ._front import infomap
from ._knn import knn_graph


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
    codelength_ : float
        The map equation of the answer, in bits.
    stats_ : DistributedStats
        Rounds, bytes moved, shard sizes and time of the search.

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
        import dask.array as da

        if not isinstance(X, da.Array):
            X = da.from_array(np.asarray(X, dtype=np.float64), chunks=(10_000, -1))
        if X.ndim != 2:
            raise ValueError(f"X must be 2-dimensional (n_samples, n_features), got {X.ndim}")
        seed = int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))
        links = knn_graph(
            X, self.n_neighbors, metric=self.metric, weighting=self.weighting,
            symmetrize=self.symmetrize, threshold=self.threshold, method=self.method,
            random_state=seed,
        )  # fmt: skip
        modules, stats = infomap(
            links, None, two_level=self.two_level, directed=self.symmetrize == "none",
            markov_time=self.markov_time, num_trials=self.num_trials, seed=seed,
            n_partitions=self.n_partitions or X.numblocks[0], return_stats=True,
        )  # fmt: skip
        found = modules.compute()
        # a sample without links (all its neighbour weights dropped) is a module of its own
        labels = np.full(X.shape[0], -1, dtype=np.int64)
        labels[found["node"].to_numpy()] = found["module"].to_numpy()
        alone = labels < 0
        labels[alone] = labels.max() + 1 + np.arange(int(alone.sum()))
        self.labels_ = da.from_array(labels, chunks=(X.chunks[0],))
        self.n_clusters_ = int(labels.max()) + 1
        self.n_features_in_ = int(X.shape[1])
        self.codelength_ = stats.codelength
        self.stats_ = stats
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
