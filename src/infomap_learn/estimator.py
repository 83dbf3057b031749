"""InfoMapClustering: the map equation as a scikit-learn clustering estimator."""

from __future__ import annotations

import sys
import warnings
from numbers import Integral, Real

import numpy as np
from joblib import effective_n_jobs
from scipy import sparse
from sklearn.base import BaseEstimator, ClusterMixin, _fit_context
from sklearn.neighbors import NearestNeighbors
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, InvalidParameterError, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted, validate_data

from .adapters.knn import METRICS
from .network import Network
from .options import FLOW_MODELS, check_n_jobs
from .search import infomap


def _caller_stacklevel() -> int:
    """The ``stacklevel`` of a warning raised here that names the first caller outside
    infomap-learn and scikit-learn (``fit``, ``fit_predict`` or a pipeline's call)."""
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_globals.get("__name__", "").startswith(
        ("infomap_learn", "sklearn")
    ):
        frame, level = frame.f_back, level + 1
    return level


def _effective_n_neighbors(n_neighbors: int, n_samples: int) -> int:
    """``n_neighbors``, or ``n_samples - 1`` (with a warning) on smaller data, as UMAP
    and scanpy do; shared by the Dask estimator."""
    if n_neighbors < n_samples or n_samples < 2:
        return n_neighbors
    warnings.warn(
        f"n_neighbors={n_neighbors} is not smaller than n_samples={n_samples}: "
        f"using n_neighbors={n_samples - 1}",
        UserWarning,
        stacklevel=_caller_stacklevel(),
    )
    return n_samples - 1


class InfoMapClustering(ClusterMixin, BaseEstimator):
    r"""Cluster samples with the map equation (Infomap) on a similarity graph.

    The samples become the nodes of a network (by default a k-nearest-neighbour similarity
    graph), and Infomap finds the module tree that compresses a random walk on it most. The
    number of clusters is not a parameter: it follows from the data. By default the search
    is hierarchical (``multilevel_labels_`` holds the nested modules, ``labels_`` the top
    level); ``two_level=True`` finds a flat partition.

    Parameters
    ----------
    affinity : {"nearest_neighbors", "precomputed", "precomputed_nearest_neighbors"}, \
            default="nearest_neighbors"
        How to build the network:

        - ``"nearest_neighbors"``: a kNN similarity graph of ``X`` (see
          :func:`infomap_learn.adapters.knn.knn_graph`);
        - ``"precomputed"``: ``X`` is a square affinity matrix (dense or sparse) whose
          entries are link weights (similarities, non-negative);
        - ``"precomputed_nearest_neighbors"``: ``X`` holds distances: a sparse distance
          graph, as ``KNeighborsTransformer(mode="distance")`` produces, or a full square
          distance matrix; each sample keeps its ``n_neighbors`` nearest others, and
          distances are turned into similarities with ``weighting``.
    n_neighbors : int, default=15
        Neighbours per sample for ``"nearest_neighbors"``, and the nearest stored neighbours
        kept per sample of a ``"precomputed_nearest_neighbors"`` graph. On data with no more
        samples than that, ``n_samples - 1`` is used with a warning (as UMAP and scanpy
        do); ``n_neighbors_`` holds the number used.
    metric : {"euclidean", "manhattan", "chebyshev", "cosine", "correlation"}, \
            default="euclidean"
        Distance metric for the neighbour search (sparse ``X``: "euclidean",
        "manhattan" or "cosine"); for ``"precomputed_nearest_neighbors"`` the metric the
        distances were computed with ("cosine" and "correlation" distances become
        similarities as ``1 - d``).
    weighting : {"jaccard", "similarity", "connectivity"}, default="jaccard"
        Link weights of the kNN graph (see :func:`~infomap_learn.adapters.knn.knn_graph`):
        the shared-neighbour (Jaccard) weighting of PhenoGraph by default, which on
        scikit-learn's digits gives the steadiest top-level NMI across ``n_neighbors``,
        with and without hubness reduction (``benchmarks/digits_quality.py``; table in
        the README).
    symmetrize : {"union", "mutual", "none"}, default="union"
        How kNN relations become links; ``"none"`` keeps them directed.
    threshold : float or None, default=None
        Drop kNN links whose weight is below it.
    hubness : {"mutual_proximity", "local_scaling"} or None, default="mutual_proximity"
        Hubness reduction of the kNN graph for ``"nearest_neighbors"`` (see
        :func:`~infomap_learn.adapters.knn.knn_graph`): each sample keeps the
        ``n_neighbors`` of its ``3 * n_neighbors`` nearest samples that are nearest by
        mutual proximity (or local scaling), so that hubs of high-dimensional data do not
        link unrelated clusters. None keeps the plain nearest neighbours. It raised the
        mean NMI of the default fit over the labelled sets of
        ``benchmarks/embedding_quality.py`` from 0.60 to 0.64 (table in the README).
        For ``"precomputed_nearest_neighbors"`` the candidates are each sample's
        ``3 * n_neighbors`` nearest stored neighbours (all of them where fewer are
        stored): a graph of that many neighbours gives the graph ``"nearest_neighbors"``
        builds. ``"precomputed"`` affinities are used as given.
    two_level : bool, default=False
        Search a flat partition instead of a module hierarchy.
    level : "top", "bottom" or int >= 1, default="top"
        Which modules of the hierarchy ``labels_`` holds: the top modules, each sample's
        deepest (leaf) module, or the modules at that level (1 is the top; a sample whose
        branch of the tree is shallower keeps its deepest module). The whole tree stays in
        ``multilevel_labels_`` and ``tree_`` whatever the level.
    flow_model : {"undirected", "directed", "undirdir", "outdirdir", "rawdir"} or None, \
            default=None
        None means "directed" for a directed graph (``symmetrize="none"`` or an asymmetric
        precomputed affinity) and "undirected" otherwise.
    markov_time : float > 0, default=1.0
        Larger values give fewer, larger clusters.
    teleportation_probability : float in [0, 1), default=0.15
        For directed flow.
    num_trials : int >= 1, default=1
        Independent searches; the shortest codelength wins. A shorter code is not a
        better clustering: on overlapping data it tends to merge clusters. Over seeds 0-9
        of ``benchmarks/embedding_quality.py``'s blobs, 1 -> 3 -> 10 trials gave a mean
        NMI of 0.694 -> 0.657 -> 0.601 on the 2-d blobs, 0.724 -> 0.728 -> 0.728 on the
        10-d ones and 0.716 throughout on the grouped ones, so the default is one.
    regularized : bool, default=False
        The regularized map equation (Infomap's ``--regularized``): a Bayesian prior of
        weak links between all samples against spurious clusters in sparse graphs. On the
        labelled sets of ``benchmarks/variants_on_embeddings.py`` it splits the kNN graphs
        into many small clusters and lowers the NMI, so it is off by default.
    regularization_strength : float > 0, default=1.0
        Scales the prior of ``regularized``.
    entropy_corrected : bool, default=False
        Infomap's ``--entropy-corrected``: each cluster costs a small-sample correction of
        the entropies, so that fewer spurious clusters pay.
    random_state : int, RandomState instance or None, default=None
        Seeds the search (and an approximate neighbour search).
    n_jobs : int or None, default=None
        Threads for the neighbour search and the map equation search, with scikit-learn's
        meaning: None is 1 unless in a :obj:`joblib.parallel_backend` context, -1 is all
        cores. The clusters for a ``random_state`` do not depend on it, but for one
        thread against several on 20,000 samples or more (see :func:`infomap`).

    Attributes
    ----------
    labels_ : ndarray of shape (n_samples,)
        Module of each sample at ``level`` (by default the top level), numbered 0..k-1 in
        the order of the tree (modules by decreasing flow within their parent).
    multilevel_labels_ : ndarray of shape (n_samples, n_levels_)
        Module of each sample at each level of the hierarchy (ids unique within a level).
    n_levels_ : int
        Number of module levels (1 for a flat partition).
    n_clusters_ : int
        Number of clusters in ``labels_``.
    codelength_ : float
        Map equation codelength of the result, in bits.
    relative_codelength_savings_ : float
        ``1 - codelength_ / one-level codelength``.
    module_flow_ : ndarray of shape (n_clusters_,)
        Stationary flow (random-walk visit rate) of each cluster in ``labels_``.
    tree_ : ModuleTree
        The full result: flows, codelengths, per-level modules, writers.
    graph_ : Network
        The network that was clustered.
    n_neighbors_ : int
        Neighbours per sample actually used (``n_neighbors``, or ``n_samples - 1`` on
        smaller data; for a precomputed neighbour graph at most the most it stores for a
        sample, with a warning where some sample has fewer than ``n_neighbors``); only
        for the neighbour affinities.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when ``X`` has feature names.

    Examples
    --------
    >>> from sklearn.datasets import make_blobs
    >>> from infomap_learn import InfoMapClustering
    >>> X, y = make_blobs(n_samples=300, centers=3, cluster_std=0.3, random_state=0)
    >>> model = InfoMapClustering(random_state=0).fit(X)
    >>> model.n_clusters_, model.n_levels_
    (3, 2)
    >>> model.predict(X[:4]).tolist() == model.labels_[:4].tolist()
    True
    """

    _parameter_constraints: dict = {
        "affinity": [
            StrOptions({"nearest_neighbors", "precomputed", "precomputed_nearest_neighbors"})
        ],
        "n_neighbors": [Interval(Integral, 1, None, closed="left")],
        "metric": [StrOptions(set(METRICS))],
        "weighting": [StrOptions({"similarity", "connectivity", "jaccard"})],
        "symmetrize": [StrOptions({"union", "mutual", "none"})],
        "threshold": [Interval(Real, None, None, closed="neither"), None],
        "hubness": [StrOptions({"mutual_proximity", "local_scaling"}), None],
        "two_level": ["boolean"],
        "level": [StrOptions({"top", "bottom"}), Interval(Integral, 1, None, closed="left")],
        # (a precomputed flow needs node flows, which a sample graph does not have)
        "flow_model": [StrOptions(set(FLOW_MODELS) - {"precomputed"}), None],
        "markov_time": [Interval(Real, 0, None, closed="neither")],
        "teleportation_probability": [Interval(Real, 0, 1, closed="left")],
        "num_trials": [Interval(Integral, 1, None, closed="left")],
        "regularized": ["boolean"],
        "regularization_strength": [Interval(Real, 0, None, closed="neither")],
        "entropy_corrected": ["boolean"],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
    }

    def __init__(
        self,
        affinity: str = "nearest_neighbors",
        *,
        n_neighbors: int = 15,
        metric: str = "euclidean",
        weighting: str = "jaccard",
        symmetrize: str = "union",
        threshold: float | None = None,
        hubness: str | None = "mutual_proximity",
        two_level: bool = False,
        level: str | int = "top",
        flow_model: str | None = None,
        markov_time: float = 1.0,
        teleportation_probability: float = 0.15,
        num_trials: int = 1,
        regularized: bool = False,
        regularization_strength: float = 1.0,
        entropy_corrected: bool = False,
        random_state=None,
        n_jobs: int | None = None,
    ):
        self.affinity = affinity
        self.n_neighbors = n_neighbors
        self.metric = metric
        self.weighting = weighting
        self.symmetrize = symmetrize
        self.threshold = threshold
        self.hubness = hubness
        self.two_level = two_level
        self.level = level
        self.flow_model = flow_model
        self.markov_time = markov_time
        self.teleportation_probability = teleportation_probability
        self.num_trials = num_trials
        self.regularized = regularized
        self.regularization_strength = regularization_strength
        self.entropy_corrected = entropy_corrected
        self.random_state = random_state
        self.n_jobs = n_jobs

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.input_tags.pairwise = self.affinity != "nearest_neighbors"
        # affinities are similarities and distances: never negative
        tags.input_tags.positive_only = self.affinity != "nearest_neighbors"
        return tags

    def _build_graph(self, X, seed: int) -> Network:
        from .adapters.knn import (
            _candidate_count,
            _knn_graph_and_scales,
            graph_from_sparse_distances,
        )

        if self.affinity == "nearest_neighbors":
            graph, self._hubness_scales = _knn_graph_and_scales(
                X,
                n_neighbors=self.n_neighbors_,
                metric=self.metric,
                method="auto",
                weighting=self.weighting,
                symmetrize=self.symmetrize,
                threshold=self.threshold,
                n_jobs=self.n_jobs,
                random_state=seed,
                hubness=self.hubness,
            )
            return graph
        if X.shape[0] != X.shape[1]:
            raise ValueError(
                f"affinity={self.affinity!r} needs a square matrix, got shape {X.shape}"
            )
        if self.affinity == "precomputed_nearest_neighbors":
            if sparse.issparse(X):
                self._check_stored_neighbors(X)
            else:
                # a full distance matrix: each sample's nearest others, as in the sparse case
                if np.any(X < 0):
                    raise ValueError(
                        "Negative values in data passed to InfoMapClustering: "
                        "affinity='precomputed_nearest_neighbors' needs distances"
                    )
                X = NearestNeighbors(
                    n_neighbors=_candidate_count(self.n_neighbors_, X.shape[0], self.hubness),
                    metric="precomputed",
                    n_jobs=self.n_jobs,
                ).fit(X).kneighbors_graph(mode="distance")
            return graph_from_sparse_distances(
                X,
                weighting=self.weighting,
                symmetrize=self.symmetrize,
                metric=self.metric,
                threshold=self.threshold,
                n_neighbors=self.n_neighbors_,
                hubness=self.hubness,
            )
        # "precomputed": entries are link weights
        matrix = sparse.csr_array(X) if sparse.issparse(X) else np.asarray(X)
        values = matrix.data if sparse.issparse(matrix) else matrix
        if np.any(values < 0):
            raise ValueError(
                "Negative values in data passed to InfoMapClustering: affinity='precomputed' "
                "needs non-negative similarities (pass distances with "
                "affinity='precomputed_nearest_neighbors')"
            )
        return Network.from_scipy(matrix, directed=None)

    def _check_stored_neighbors(self, X) -> None:
        """Warn where a sparse distance graph stores fewer than ``n_neighbors_``
        neighbours of a sample (besides itself): those samples keep what is stored, and
        ``n_neighbors_`` becomes the most any sample keeps.

        scikit-learn's neighbour estimators raise there; but a radius graph has rows of
        every length, and an empty row is a sample without neighbours.
        """
        C = sparse.coo_array(X)
        off_diagonal = C.row != C.col
        stored = np.bincount(C.row[off_diagonal], minlength=X.shape[0])
        short = stored < self.n_neighbors_
        if not short.any():
            return
        sample = int(np.argmin(stored))
        warnings.warn(
            f"the precomputed neighbour graph stores fewer than n_neighbors="
            f"{self.n_neighbors_} neighbours for {int(short.sum())} of {X.shape[0]} "
            f"samples (sample {sample}: {int(stored[sample])}), which keep the ones "
            f"stored; build it with KNeighborsTransformer(n_neighbors={self.n_neighbors_}, "
            f"mode='distance') ({3 * self.n_neighbors_} for the graph of "
            "affinity='nearest_neighbors' with its hubness reduction), or lower n_neighbors",
            UserWarning,
            stacklevel=_caller_stacklevel(),
        )
        self.n_neighbors_ = int(min(self.n_neighbors_, max(int(stored.max()), 1)))

    def _no_links_message(self) -> str:
        """Why the graph has no links, in the user's terms."""
        if self.affinity == "precomputed":
            return (
                "the precomputed affinity matrix has no positive entry off its diagonal: "
                "nothing links the samples"
            )
        if self.threshold is not None:
            return (
                f"no neighbour link has a weight >= threshold={self.threshold!r}: the graph "
                "has no links; lower the threshold"
            )
        return "the neighbour graph has no links (every distance is infinite or missing)"

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Cluster ``X``.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features), or \
                (n_samples, n_samples) for the precomputed affinities
        y : Ignored

        Returns
        -------
        self : InfoMapClustering

        Examples
        --------
        >>> import numpy as np
        >>> from infomap_learn import InfoMapClustering
        >>> rng = np.random.default_rng(0)
        >>> X = np.concatenate([rng.normal(0, 0.3, (40, 2)), rng.normal(5, 0.3, (40, 2))])
        >>> model = InfoMapClustering(random_state=0).fit(X)
        >>> model.n_clusters_, model.labels_.shape
        (2, (80,))
        """
        # sparse X: a graph for the precomputed affinities, samples for the kNN search
        # (metrics "euclidean", "manhattan" and "cosine")
        X = validate_data(
            self,
            X,
            accept_sparse=["csr", "csc", "coo"],
            dtype=np.float64,
            ensure_min_samples=2,
        )
        check_n_jobs(self.n_jobs)
        if isinstance(self.level, (bool, np.bool_)):
            raise InvalidParameterError(
                "The 'level' parameter of InfoMapClustering must be a str among "
                f"{{'top', 'bottom'}} or an int in the range [1, inf). Got {self.level!r} "
                "instead."
            )
        # (attributes of another affinity's fit would describe a graph not built here)
        for stale in ("n_neighbors_", "_fit_X", "_hubness_scales"):
            if hasattr(self, stale):
                delattr(self, stale)
        if self.affinity != "precomputed":
            self.n_neighbors_ = _effective_n_neighbors(self.n_neighbors, X.shape[0])
        seed = int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))
        graph = self._build_graph(X, seed)
        if not np.any(graph.source != graph.target):  # self-links link no two samples
            raise ValueError(self._no_links_message())
        tree = infomap(
            graph,
            two_level=self.two_level,
            flow_model=self.flow_model,
            teleportation_probability=self.teleportation_probability,
            markov_time=self.markov_time,
            num_trials=self.num_trials,
            regularized=self.regularized,
            regularization_strength=self.regularization_strength,
            entropy_corrected=self.entropy_corrected,
            seed=seed,
            n_jobs=effective_n_jobs(self.n_jobs),
            # the top level as the two-level modules and their super-modules make it:
            # moving top modules under their neighbours shortens the code but merges
            # classes (benchmarks/embedding_quality.py: mean NMI 0.645 against 0.607)
            move_top_modules=False,
        )
        self.graph_ = graph
        self.tree_ = tree
        self.multilevel_labels_ = tree.multilevel_labels
        self.n_levels_ = tree.num_levels
        if self.level == "top":
            column = 0
        elif self.level == "bottom":
            column = tree.num_levels - 1
        else:
            column = min(int(self.level), tree.num_levels) - 1
        self.labels_ = self.multilevel_labels_[:, column].copy()
        self.n_clusters_ = int(self.labels_.max()) + 1
        self.codelength_ = tree.codelength
        self.relative_codelength_savings_ = tree.relative_codelength_savings
        self.module_flow_ = np.bincount(self.labels_, tree.node_flow, self.n_clusters_)
        if self.affinity == "nearest_neighbors":
            self._fit_X = X
        return self

    def fit_predict(self, X, y=None):
        """Cluster ``X`` and return ``labels_``.

        Parameters
        ----------
        X : array-like or sparse matrix
            As in :meth:`fit`.
        y : Ignored

        Returns
        -------
        labels : ndarray of int64, shape (n_samples,)

        Examples
        --------
        >>> import numpy as np
        >>> from infomap_learn import InfoMapClustering
        >>> X = np.array([[0.0], [0.1], [0.2], [0.3], [9.0], [9.1], [9.2], [9.3]])
        >>> InfoMapClustering(n_neighbors=3, random_state=0).fit_predict(X).tolist()
        [0, 0, 0, 0, 1, 1, 1, 1]
        """
        return self.fit(X).labels_

    @available_if(lambda self: self.affinity == "nearest_neighbors")
    def predict(self, X):
        """Put new samples into the modules their neighbours in the training set pull them
        into.

        Only for ``affinity="nearest_neighbors"`` (with a precomputed affinity nothing
        relates new samples to the training set, and the method is not there). A new
        sample is linked to its ``n_neighbors_`` nearest training samples (chosen with the
        training graph's hubness reduction) with the same weighting as the training
        graph; the flow it would send into each module is proportional to the summed
        weight of its links into that module, and it joins the module with the largest
        such flow (ties go to the module with more flow overall).
        The training clusters do not change.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)

        Returns
        -------
        labels : ndarray of shape (n_samples,)

        Examples
        --------
        >>> import numpy as np
        >>> from infomap_learn import InfoMapClustering
        >>> X = np.array([[0.0], [0.1], [0.2], [0.3], [9.0], [9.1], [9.2], [9.3]])
        >>> model = InfoMapClustering(n_neighbors=3, random_state=0).fit(X)
        >>> model.predict([[0.15], [9.25]]).tolist()
        [0, 1]
        """
        check_is_fitted(self)
        X = validate_data(
            self, X, reset=False, accept_sparse=["csr", "csc", "coo"], dtype=np.float64
        )
        from .adapters.knn import neighbor_weights

        neighbors, weights = neighbor_weights(
            self._fit_X,
            X,
            n_neighbors=self.n_neighbors_,
            metric=self.metric,
            weighting=self.weighting,
            threshold=self.threshold,
            n_jobs=self.n_jobs,
            hubness=self.hubness,
            fit_scales=self._hubness_scales,
        )
        k = self.n_clusters_
        modules = self.labels_[neighbors]
        pull = np.zeros((X.shape[0], k))
        rows = np.repeat(np.arange(X.shape[0]), neighbors.shape[1])
        np.add.at(pull, (rows, modules.ravel()), weights.ravel())
        # ties go to the module with more flow
        tied = pull == pull.max(axis=1, keepdims=True)
        return np.where(tied, self.module_flow_, -1.0).argmax(axis=1)
