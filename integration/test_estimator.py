"""InfoMapClustering against scikit-learn: its estimator checks, pipelines, model selection."""

import pickle

import numpy as np
import pytest
from scipy import sparse
from sklearn.base import clone
from sklearn.datasets import load_digits, make_blobs
from sklearn.metrics import adjusted_rand_score, homogeneity_score, normalized_mutual_info_score
from sklearn.model_selection import GridSearchCV
from sklearn.neighbors import KNeighborsTransformer, kneighbors_graph
from sklearn.pipeline import make_pipeline
from sklearn.utils.estimator_checks import parametrize_with_checks

from infomap_learn import InfoMapClustering


def _expected_failed_checks(estimator):
    # check_clustering fits raw (50, 2) standardized blobs (negative, not square), which no
    # precomputed affinity can be; scikit-learn 1.9.1's own clusterers fail it too with a
    # precomputed input: SpectralClustering(affinity="precomputed" and
    # "precomputed_nearest_neighbors"), DBSCAN(metric="precomputed") and
    # AgglomerativeClustering(metric="precomputed") (check_estimator(..., on_fail=None))
    if estimator.affinity == "nearest_neighbors":
        return {}
    return {"check_clustering": "fits a non-square sample matrix as the affinity"}


@parametrize_with_checks(
    [
        InfoMapClustering(),
        InfoMapClustering(affinity="precomputed"),
        InfoMapClustering(affinity="precomputed_nearest_neighbors"),
    ],
    expected_failed_checks=_expected_failed_checks,
)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


@pytest.fixture(scope="module")
def blobs():
    return make_blobs(n_samples=300, centers=4, cluster_std=0.8, random_state=3)


def test_blobs_are_found(blobs):
    X, y = blobs
    model = InfoMapClustering(random_state=0).fit(X)
    # The hierarchical map equation codes these blobs shortest with some of them split at
    # the top (the official Infomap finds 7 top modules on this graph as well): every top
    # module lies inside one blob.
    assert homogeneity_score(y, model.labels_) == pytest.approx(1.0)
    assert 4 <= model.n_clusters_ <= 8
    two_level = InfoMapClustering(random_state=0, two_level=True).fit(X)
    assert homogeneity_score(y, two_level.labels_) == pytest.approx(1.0)
    assert model.labels_.shape == (300,)
    assert model.multilevel_labels_.shape == (300, model.n_levels_)
    assert model.codelength_ == pytest.approx(model.tree_.codelength)
    assert model.module_flow_.sum() == pytest.approx(1.0)
    assert model.graph_.n_nodes == 300


def test_digits_quality():
    digits = load_digits()
    labels = InfoMapClustering(random_state=0).fit_predict(digits.data)
    assert normalized_mutual_info_score(digits.target, labels) >= 0.85


def test_precomputed_affinity_dense_and_sparse(blobs):
    X, y = blobs
    affinity = kneighbors_graph(X, 10, mode="connectivity", include_self=False)
    affinity = affinity.maximum(affinity.T)
    dense = InfoMapClustering(affinity="precomputed", random_state=0).fit(affinity.toarray())
    sparse_ = InfoMapClustering(affinity="precomputed", random_state=0).fit(affinity)
    np.testing.assert_array_equal(dense.labels_, sparse_.labels_)
    assert adjusted_rand_score(y, dense.labels_) == 1.0


def test_pipeline_with_kneighbors_transformer(blobs):
    X, y = blobs
    pipe = make_pipeline(
        KNeighborsTransformer(n_neighbors=15, mode="distance"),
        InfoMapClustering(affinity="precomputed_nearest_neighbors", random_state=0),
    )
    labels = pipe.fit_predict(X)
    assert homogeneity_score(y, labels) == pytest.approx(1.0)  # top modules inside blobs


def test_predict_puts_new_points_in_their_blob(blobs):
    X, y = blobs
    model = InfoMapClustering(random_state=0).fit(X[:250])
    predicted = model.predict(X[250:])
    # the blob of each top module, read off the training labels (top modules lie in blobs)
    blob_of_module = {}
    for module, blob in zip(model.labels_, y[:250]):
        assert blob_of_module.setdefault(module, blob) == blob
    np.testing.assert_array_equal([blob_of_module[m] for m in predicted], y[250:])
    np.testing.assert_array_equal(model.predict(X[:250]), model.labels_)


def test_predict_needs_nearest_neighbors(blobs):
    X, _ = blobs
    A = kneighbors_graph(X, 10)
    model = InfoMapClustering(affinity="precomputed").fit(A.maximum(A.T))
    assert not hasattr(model, "predict")  # scikit-learn's available_if
    with pytest.raises(AttributeError, match="predict"):
        model.predict(X)


def test_pickle_clone_and_reproducible(blobs):
    X, _ = blobs
    model = InfoMapClustering(random_state=7, two_level=True).fit(X)
    again = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(again.labels_, model.labels_)
    np.testing.assert_array_equal(again.predict(X[:10]), model.predict(X[:10]))
    fresh = clone(model).fit(X)
    np.testing.assert_array_equal(fresh.labels_, model.labels_)


def test_grid_search_with_a_user_scorer(blobs):
    X, y = blobs

    def nmi_scorer(estimator, X, y):
        return normalized_mutual_info_score(y, estimator.fit_predict(X))

    search = GridSearchCV(
        InfoMapClustering(random_state=0),
        {"n_neighbors": [5, 15], "markov_time": [0.5, 1.0]},
        scoring=nmi_scorer,
        cv=2,
    ).fit(X, y)
    assert search.best_score_ > 0.9
    assert set(search.best_params_) == {"n_neighbors", "markov_time"}


@pytest.mark.parametrize(
    ("params", "X", "match"),
    [
        ({}, np.array([[0.0, np.nan], [1.0, 2.0], [3.0, 4.0]]), "NaN"),
        ({}, np.array([[0.0, np.inf], [1.0, 2.0], [3.0, 4.0]]), "infinity"),
        ({}, np.ones((1, 3)), "1 sample"),
        ({"affinity": "precomputed"}, np.ones((4, 3)), "square"),
        ({"affinity": "precomputed"}, -np.ones((4, 4)), "negative"),
        (
            {"affinity": "precomputed_nearest_neighbors", "n_neighbors": 2},
            -np.ones((4, 4)),
            "Negative values",
        ),
        ({"n_neighbors": 0}, np.ones((4, 2)), "n_neighbors"),
        ({"markov_time": 0}, np.ones((4, 2)), "markov_time"),
        ({"affinity": "rbf"}, np.ones((4, 2)), "affinity"),
        ({"metric": "l2"}, np.ones((4, 2)), "'metric' parameter .* among"),
        ({"n_jobs": 0}, np.ones((4, 2)), "n_jobs must be None or a non-zero integer"),
        ({"level": True}, np.ones((4, 2)), "'level' parameter"),
    ],
)
def test_bad_input(params, X, match):
    with pytest.raises(ValueError, match=match):
        InfoMapClustering(**params).fit(X)


def test_small_data_uses_fewer_neighbours_with_a_warning():
    X = np.random.default_rng(0).random((5, 2))
    with pytest.warns(UserWarning, match="n_neighbors=5 is not smaller than n_samples=5"):
        model = InfoMapClustering(n_neighbors=5, random_state=0).fit(X)
    assert model.n_neighbors_ == 4
    assert model.predict(X[:2]).shape == (2,)


def test_precomputed_neighbours_keep_n_neighbors(blobs):
    """A graph with more neighbours than n_neighbors is cut to each sample's nearest
    n_neighbors, and a full distance matrix gives the same graph."""
    from scipy.spatial.distance import cdist

    X, _ = blobs
    # 30 neighbours: the candidates of the hubness reduction for n_neighbors=10
    D = KNeighborsTransformer(n_neighbors=30, mode="distance").fit_transform(X)
    full = cdist(X, X)
    for n_neighbors in (5, 10):
        model = InfoMapClustering(
            affinity="precomputed_nearest_neighbors", n_neighbors=n_neighbors, random_state=0
        )
        graph = model.fit(D).graph_
        direct = InfoMapClustering(n_neighbors=n_neighbors, random_state=0).fit(X).graph_
        dense = clone(model).fit(full).graph_
        for other in (direct, dense):
            np.testing.assert_array_equal(graph.source, other.source)
            np.testing.assert_array_equal(graph.target, other.target)
            np.testing.assert_allclose(graph.weight, other.weight)


def test_precomputed_neighbour_graph_with_too_few_neighbours_warns(blobs):
    X, _ = blobs
    # (KNeighborsTransformer stores 5 neighbours by default: fewer than n_neighbors=15)
    pipe = make_pipeline(
        KNeighborsTransformer(mode="distance"),
        InfoMapClustering(affinity="precomputed_nearest_neighbors", random_state=0),
    )
    with pytest.warns(UserWarning, match=r"fewer than n_neighbors=15 .* 300 of 300 samples"):
        pipe.fit(X)
    assert pipe[-1].n_neighbors_ == 5  # (what the graph holds)
    D = KNeighborsTransformer(n_neighbors=5, mode="distance").fit_transform(X)
    five = InfoMapClustering(affinity="precomputed_nearest_neighbors", n_neighbors=5)
    np.testing.assert_array_equal(five.fit(D).graph_.weight, pipe[-1].graph_.weight)


def test_predict_takes_sparse_samples_as_fit_does(blobs):
    X, _ = blobs
    X = np.abs(X)  # (cosine neighbours of sparse non-negative rows, as of text)
    model = InfoMapClustering(metric="cosine", n_neighbors=5, random_state=0)
    model.fit(sparse.csr_array(X))
    for form in (sparse.csr_array, sparse.csc_matrix, sparse.coo_array):
        np.testing.assert_array_equal(model.predict(form(X[:20])), model.predict(X[:20]))


def test_precomputed_affinity_symmetric_to_rounding_is_undirected(blobs):
    from sklearn.metrics.pairwise import rbf_kernel

    X, _ = blobs
    K = rbf_kernel(X[:80], gamma=0.5)
    noisy = K + np.triu(K, 1) * 1e-15  # (as floating point leaves a kernel matrix)
    model = InfoMapClustering(affinity="precomputed", random_state=0).fit(noisy)
    assert not model.graph_.directed
    assert model.tree_.options["flow_model"] == "undirected"
    exact = InfoMapClustering(affinity="precomputed", random_state=0).fit(K)
    np.testing.assert_array_equal(model.labels_, exact.labels_)


def test_refit_drops_attributes_of_the_other_affinity(blobs):
    X, _ = blobs
    model = InfoMapClustering(n_neighbors=7, random_state=0).fit(X)
    assert model.n_neighbors_ == 7
    A = kneighbors_graph(X, 10)
    model.set_params(affinity="precomputed").fit(A.maximum(A.T))
    assert not hasattr(model, "n_neighbors_")
    assert not hasattr(model, "_fit_X")


def test_small_data_warning_names_the_callers_line():
    import inspect

    X = np.random.default_rng(0).random((6, 2))
    for call in (
        lambda: InfoMapClustering(random_state=0).fit_predict(X),
        lambda: make_pipeline(InfoMapClustering(random_state=0)).fit(X),
    ):
        with pytest.warns(UserWarning, match="n_neighbors=15") as caught:
            call()
        assert caught[0].filename == __file__
        assert caught[0].lineno == inspect.getsourcelines(call)[1]


def test_sparse_input_for_precomputed_needs_square():
    with pytest.raises(ValueError, match="square"):
        InfoMapClustering(affinity="precomputed").fit(sparse.random(5, 4, density=0.5))


def test_dataframe_feature_names_and_n_jobs(blobs):
    import pandas as pd

    X, _ = blobs
    frame = pd.DataFrame(X, columns=["width", "height"])
    one = InfoMapClustering(random_state=3, n_jobs=1).fit(frame)
    np.testing.assert_array_equal(one.feature_names_in_, ["width", "height"])
    both = InfoMapClustering(random_state=3, n_jobs=2).fit(frame)
    np.testing.assert_array_equal(one.multilevel_labels_, both.multilevel_labels_)
    np.testing.assert_array_equal(one.predict(frame.iloc[:7]), both.predict(frame.iloc[:7]))


def test_level_chooses_the_modules_in_labels():
    X, y = make_blobs(n_samples=600, centers=12, cluster_std=0.6, random_state=5)
    top = InfoMapClustering(random_state=1).fit(X)
    assert top.n_levels_ >= 2
    np.testing.assert_array_equal(top.labels_, top.tree_.labels)
    # (the top level as the two-level modules and their super-modules make it)
    assert top.tree_.options["move_top_modules"] is False
    bottom = InfoMapClustering(random_state=1, level="bottom").fit(X)
    np.testing.assert_array_equal(bottom.labels_, top.multilevel_labels_[:, -1])
    deep = InfoMapClustering(random_state=1, level=top.n_levels_ + 3).fit(X)
    np.testing.assert_array_equal(deep.labels_, bottom.labels_)
    second = InfoMapClustering(random_state=1, level=2).fit(X)
    np.testing.assert_array_equal(second.labels_, top.multilevel_labels_[:, 1])
    for model in (top, bottom, second):
        assert model.n_clusters_ == len(np.unique(model.labels_))
        assert model.module_flow_.sum() == pytest.approx(1.0)
        # every cluster of a deeper level lies inside one top module
        assert homogeneity_score(top.labels_, model.labels_) == pytest.approx(1.0)
        assert set(model.predict(X[:50])) <= set(range(model.n_clusters_))
    with pytest.raises(ValueError, match="level"):
        InfoMapClustering(level=0).fit(X)


def test_hubness_reduction_is_the_default_and_predict_follows_it():
    # 10 blobs in 100 dimensions: hubs link blobs in the plain kNN graph
    X, y = make_blobs(n_samples=600, n_features=100, centers=10, cluster_std=20.0,
                      random_state=0)  # fmt: skip
    default = InfoMapClustering(random_state=0).fit(X[:500])
    assert default.hubness == "mutual_proximity"
    plain = InfoMapClustering(hubness=None, random_state=0).fit(X[:500])
    from infomap_learn.adapters.knn import knn_graph

    for model, hubness in ((default, "mutual_proximity"), (plain, None)):
        net = knn_graph(X[:500], n_neighbors=15, weighting="jaccard", hubness=hubness)
        np.testing.assert_array_equal(model.graph_.weight, net.weight)
    assert not np.array_equal(default.graph_.source, plain.graph_.source)
    # the training scales are kept, so predict needs no second search of the training set
    assert default._hubness_scales.shape == (500, 2)
    assert plain._hubness_scales is None
    for model in (default, plain):
        np.testing.assert_array_equal(model.predict(X[:500]).shape, (500,))
        predicted = model.predict(X[500:])
        assert predicted.min() >= 0 and predicted.max() < model.n_clusters_
    local = InfoMapClustering(hubness="local_scaling", random_state=0).fit(X[:500])
    assert local._hubness_scales.shape == (500, 2)
    with pytest.raises(ValueError, match="hubness"):
        InfoMapClustering(hubness="csls").fit(X)


def test_no_links_is_an_error_not_one_cluster_per_sample(blobs):
    X, _ = blobs
    with pytest.raises(ValueError, match=r"threshold=2\.0: the graph has no links"):
        InfoMapClustering(threshold=2.0).fit(X)  # Jaccard weights are at most 1
    with pytest.raises(ValueError, match="no positive entry off its diagonal"):
        InfoMapClustering(affinity="precomputed").fit(np.eye(5))
    with pytest.raises(ValueError, match="no positive entry off its diagonal"):
        InfoMapClustering(affinity="precomputed").fit(sparse.csr_matrix((5, 5)))


def test_model_variants_reach_the_search():
    from sklearn.datasets import load_digits
    from sklearn.utils._param_validation import InvalidParameterError

    X = load_digits().data[::3]
    plain = InfoMapClustering(random_state=0).fit(X)
    regularized = InfoMapClustering(random_state=0, regularized=True).fit(X)
    # the prior splits a sparse kNN graph into more, smaller clusters (as measured)
    assert regularized.n_clusters_ > plain.n_clusters_
    assert regularized.tree_.codelength > plain.tree_.codelength
    corrected = InfoMapClustering(random_state=0, entropy_corrected=True).fit(X)
    assert corrected.tree_.options["entropy_correction_strength"] == 1.0
    assert corrected.tree_.codelength > plain.tree_.codelength
    with pytest.raises(InvalidParameterError, match="flow_model"):
        InfoMapClustering(flow_model="precomputed").fit(X)
    with pytest.raises(InvalidParameterError, match="regularization_strength"):
        InfoMapClustering(regularized=True, regularization_strength=0).fit(X)
