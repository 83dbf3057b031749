"""Tests of the kNN similarity graphs (infomap_learn.adapters.knn)."""

from __future__ import annotations

import sys

import numpy as np
import pytest
import scipy.sparse as sp

from infomap_learn import Network, infomap
from infomap_learn.adapters import _neighbors, knn
from infomap_learn.adapters.knn import graph_from_sparse_distances, knn_graph, neighbor_weights

sklearn = pytest.importorskip("sklearn")
from sklearn.neighbors import KNeighborsTransformer  # noqa: E402

WEIGHTINGS = ["similarity", "connectivity", "jaccard"]
SYMMETRIZE = ["union", "mutual", "none"]


def blobs(n: int = 90, dim: int = 4, centers: int = 3, seed: int = 0) -> np.ndarray:
    """Gaussian blobs away from the origin (so cosine similarities are positive)."""
    rng = np.random.default_rng(seed)
    means = rng.normal(0.0, 6.0, size=(centers, dim)) + 20.0
    return means[np.arange(n) % centers] + rng.normal(size=(n, dim))


def links(net: Network) -> dict[tuple[int, int], float]:
    return {
        (u, v): w
        for u, v, w in zip(
            net.source.tolist(), net.target.tolist(), net.weight.tolist(), strict=True
        )
    }


def distance_matrix(A: np.ndarray, B: np.ndarray, metric: str) -> np.ndarray:
    if metric == "cosine":
        A = A / np.linalg.norm(A, axis=1, keepdims=True)
        B = B / np.linalg.norm(B, axis=1, keepdims=True)
        return 1.0 - A @ B.T
    return np.sqrt(((A[:, None, :] - B[None, :, :]) ** 2).sum(-1))


def candidate_stats(D: np.ndarray, k: int, hubness: str) -> list[tuple[float, float]]:
    """Per row of ``D`` (inf where excluded): (mean, std) of its 3k nearest distances for
    mutual proximity, (k-th distance, same) for local scaling."""
    m = min(3 * k, int(np.isfinite(D[0]).sum()))
    stats = []
    for row in D:
        near = np.sort(row)[:m]
        stats.append((near.mean(), near.std()) if hubness == "mutual_proximity" else
                     (near[k - 1], near[k - 1]))  # fmt: skip
    return stats


def hubness_neighbors(D, k, hubness, query_stats, fit_stats) -> list[list[int]]:
    """Each row's k best of its 3k nearest columns after hubness reduction, with loops."""
    from scipy.stats import norm

    m = min(3 * k, int(np.isfinite(D[0]).sum()))
    out = []
    for i, row in enumerate(D):
        cand = list(np.argsort(row, kind="stable")[:m])
        mu_i, s_i = query_stats[i]

        def score(j, row=row, mu_i=mu_i, s_i=s_i):
            mu_j, s_j = fit_stats[j]
            if hubness == "local_scaling":
                return row[j] / np.sqrt(s_i * s_j)
            return -norm.sf(row[j], mu_i, s_i) * norm.sf(row[j], mu_j, s_j)

        out.append(sorted(cand, key=lambda j: (score(j), cand.index(j)))[:k])
    return out


def reference(
    X: np.ndarray, k: int, metric: str, weighting: str, symmetrize: str, hubness=None
):
    """Links computed independently, with loops and sets, from a brute-force distance matrix."""
    n = X.shape[0]
    D = distance_matrix(X, X, metric)
    np.fill_diagonal(D, np.inf)
    if hubness is None:
        nbrs = [list(np.argsort(D[i], kind="stable")[:k]) for i in range(n)]
    else:
        stats = candidate_stats(D, k, hubness)
        nbrs = hubness_neighbors(D, k, hubness, stats, stats)
    sigma = [max(D[i, j] for j in nbrs[i]) for i in range(n)]
    sets = [set(nbrs[i]) | {i} for i in range(n)]

    def weight(i: int, j: int) -> float:
        if weighting == "connectivity":
            return 1.0
        if weighting == "jaccard":
            return len(sets[i] & sets[j]) / len(sets[i] | sets[j])
        if metric == "cosine":
            return 1.0 - D[i, j]
        return float(np.exp(-(D[i, j] ** 2) / (sigma[i] * sigma[j])))

    directed = {(i, j): weight(i, j) for i in range(n) for j in nbrs[i]}
    if symmetrize == "none":
        return directed
    out = {}
    for (i, j), w in directed.items():
        a, b = min(i, j), max(i, j)
        back = (j, i) in directed
        if symmetrize == "mutual" and back:
            out[a, b] = w
        elif symmetrize == "union":
            out[a, b] = w if back else w / 2
    return out


def check_basic(net: Network, n: int, symmetrize: str) -> None:
    assert net.n_nodes == n
    assert net.directed == (symmetrize == "none")
    assert not np.any(net.source == net.target), "self-loop"
    assert np.all(np.isfinite(net.weight)) and np.all(net.weight > 0)


# --------------------------------------------------------------------------------------
# weightings and symmetrisations
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("metric", ["euclidean", "cosine"])
@pytest.mark.parametrize("symmetrize", SYMMETRIZE)
@pytest.mark.parametrize("weighting", WEIGHTINGS)
def test_matches_reference(weighting, symmetrize, metric):
    X = blobs()
    k = 7
    net = knn_graph(
        X, n_neighbors=k, metric=metric, method="exact", weighting=weighting, symmetrize=symmetrize
    )
    check_basic(net, X.shape[0], symmetrize)
    got = links(net)
    want = reference(X, k, metric, weighting, symmetrize)
    assert got.keys() == want.keys()
    np.testing.assert_allclose([got[e] for e in want], list(want.values()), rtol=1e-9)
    if symmetrize == "none":
        assert np.all(np.bincount(net.source, minlength=X.shape[0]) == k)
    else:
        assert np.all(net.source < net.target)
    if weighting != "connectivity":
        assert net.weight.max() <= 1.0


@pytest.mark.parametrize("hubness", ["mutual_proximity", "local_scaling"])
@pytest.mark.parametrize("metric", ["euclidean", "cosine"])
@pytest.mark.parametrize("weighting", WEIGHTINGS)
def test_hubness_matches_reference(weighting, metric, hubness):
    X = blobs(dim=20)
    k = 6
    for symmetrize in ("none", "union"):
        net = knn_graph(
            X, n_neighbors=k, metric=metric, weighting=weighting, symmetrize=symmetrize,
            hubness=hubness,
        )  # fmt: skip
        check_basic(net, X.shape[0], symmetrize)
        got = links(net)
        want = reference(X, k, metric, weighting, symmetrize, hubness=hubness)
        assert got.keys() == want.keys()
        np.testing.assert_allclose([got[e] for e in want], list(want.values()), rtol=1e-9)


def test_hubness_reduces_hub_occurrence():
    # high-dimensional Gaussian data: points near the mean are nearest neighbours of many
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 50))
    k = 10

    def k_occurrence_skew(hubness):
        net = knn_graph(X, n_neighbors=k, symmetrize="none", hubness=hubness)
        occurrence = np.bincount(net.target, minlength=X.shape[0]).astype(float)
        centred = occurrence - occurrence.mean()
        return (centred**3).mean() / (centred**2).mean() ** 1.5

    plain = k_occurrence_skew(None)
    assert plain > 1.0  # hubs: a right-skewed k-occurrence
    assert k_occurrence_skew("mutual_proximity") < plain / 2
    assert k_occurrence_skew("local_scaling") < plain / 2


def test_hubness_in_row_blocks_gives_the_same_graph(monkeypatch):
    X = blobs(200, dim=10)
    whole = knn_graph(X, n_neighbors=5, hubness="mutual_proximity")
    monkeypatch.setattr(_neighbors, "_HUBNESS_BLOCK", 7 * 15)  # 7 rows of 15 candidates per block
    blocks = knn_graph(X, n_neighbors=5, hubness="mutual_proximity")
    assert links(blocks) == links(whole)


def test_hubness_with_few_samples_keeps_plain_neighbours():
    X = blobs(12)  # 3 * k >= n - 1: every other sample is a candidate
    for hubness in ("mutual_proximity", "local_scaling"):
        net = knn_graph(X, n_neighbors=11, hubness=hubness, weighting="connectivity")
        assert net.n_links == 12 * 11 // 2
    with pytest.raises(ValueError, match="unknown hubness 'csls'"):
        knn_graph(X, n_neighbors=3, hubness="csls")


@pytest.mark.parametrize("hubness", ["mutual_proximity", "local_scaling"])
def test_hubness_from_sparse_distances_equals_direct_path(hubness):
    X = blobs(dim=20, seed=2)
    k = 5
    direct = knn_graph(X, n_neighbors=k, weighting="jaccard", hubness=hubness)
    for stored in (3 * k, 3 * k + 4):  # extra stored neighbours are not candidates
        D = KNeighborsTransformer(n_neighbors=stored, mode="distance").fit_transform(X)
        net = graph_from_sparse_distances(D, "jaccard", n_neighbors=k, hubness=hubness)
        assert links(net) == pytest.approx(links(direct), rel=1e-12)
    # fewer stored neighbours: the reduction chooses among those there are
    D = KNeighborsTransformer(n_neighbors=k + 2, mode="distance").fit_transform(X)
    net = graph_from_sparse_distances(
        D, "connectivity", "none", n_neighbors=k, hubness=hubness
    )
    assert np.all(np.bincount(net.source, minlength=X.shape[0]) == k)
    stored = set(zip(*D.nonzero(), strict=True))
    assert all(e in stored for e in links(net))
    with pytest.raises(ValueError, match="needs n_neighbors"):
        graph_from_sparse_distances(D, hubness=hubness)


def test_union_contains_mutual():
    X = blobs(seed=3)
    union = links(knn_graph(X, n_neighbors=5, weighting="connectivity"))
    mutual = links(knn_graph(X, n_neighbors=5, weighting="connectivity", symmetrize="mutual"))
    assert mutual.keys() < union.keys()
    assert all(union[e] == 1.0 for e in mutual)
    assert all(union[e] == 0.5 for e in union.keys() - mutual.keys())


def test_directed_network_searches():
    net = knn_graph(blobs(), n_neighbors=6, symmetrize="none")
    tree = infomap(net, seed=1)
    assert tree.options["flow_model"] == "directed"
    assert tree.labels.shape == (90,)


# --------------------------------------------------------------------------------------
# duplicates, zero distances, threshold
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("metric", ["euclidean", "cosine", "manhattan"])
@pytest.mark.parametrize("weighting", WEIGHTINGS)
def test_duplicates_give_finite_weights(weighting, metric):
    X = blobs(60)
    X = np.concatenate([X, np.repeat(X[:2], 12, axis=0)])  # 12 copies of two points
    for symmetrize in SYMMETRIZE:
        net = knn_graph(X, n_neighbors=5, metric=metric, weighting=weighting, symmetrize=symmetrize)
        check_basic(net, X.shape[0], symmetrize)
    # a point with 12 duplicates has only duplicates as neighbours, at full similarity
    net = knn_graph(X, n_neighbors=5, metric=metric, weighting=weighting, symmetrize="none")
    out = net.source == 60
    assert np.all(np.isin(net.target[out], np.r_[0, 61:72]))
    if weighting != "jaccard":
        np.testing.assert_allclose(net.weight[out], 1.0)


@pytest.mark.parametrize("weighting", WEIGHTINGS)
def test_all_points_identical(weighting):
    X = np.ones((10, 3))
    net = knn_graph(X, n_neighbors=3, weighting=weighting, symmetrize="none")
    check_basic(net, 10, "none")
    assert net.n_links == 30
    if weighting != "jaccard":
        assert np.all(net.weight == 1.0)


def test_threshold_drops_weak_links():
    X = blobs()
    full = knn_graph(X, n_neighbors=10, symmetrize="none")
    cut = knn_graph(X, n_neighbors=10, symmetrize="none", threshold=0.5)
    assert 0 < cut.n_links < full.n_links
    assert cut.weight.min() >= 0.5
    kept = {e for e, w in links(full).items() if w >= 0.5}
    assert set(links(cut)) == kept
    # the threshold applies to the similarity, before symmetrisation
    union = links(knn_graph(X, n_neighbors=10, threshold=0.5))
    assert union.keys() == {(min(u, v), max(u, v)) for u, v in kept}
    # connectivity weights are 1: a threshold above 1 leaves isolated nodes
    empty = knn_graph(X, n_neighbors=10, weighting="connectivity", threshold=1.5)
    assert empty.n_nodes == 90 and empty.n_links == 0


def test_cosine_threshold_word_vectors():
    """Top-k most similar 'words' whose cosine similarity passes a threshold."""
    X = blobs(dim=20)
    net = knn_graph(X, n_neighbors=10, metric="cosine", threshold=0.99, symmetrize="none")
    U = X / np.linalg.norm(X, axis=1, keepdims=True)
    cos = np.sum(U[net.source] * U[net.target], axis=1)
    np.testing.assert_allclose(net.weight, cos, rtol=1e-9)
    assert cos.min() >= 0.99


def test_negative_cosine_similarity_dropped():
    X = np.array([[1.0, 0.0], [-1.0, 0.1], [0.0, 1.0], [-1.0, -0.1]])
    net = knn_graph(X, n_neighbors=3, metric="cosine", symmetrize="none")
    U = X / np.linalg.norm(X, axis=1, keepdims=True)
    assert np.all(np.sum(U[net.source] * U[net.target], axis=1) > 0)
    assert net.n_links < 12


# --------------------------------------------------------------------------------------
# sparse input and the sparse-distance path
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("metric", ["euclidean", "cosine"])
@pytest.mark.parametrize("symmetrize", SYMMETRIZE)
@pytest.mark.parametrize("weighting", WEIGHTINGS)
def test_sparse_distances_equal_direct_path(weighting, symmetrize, metric):
    X = blobs(seed=1)
    k = 8
    direct = knn_graph(
        X, n_neighbors=k, metric=metric, method="exact", weighting=weighting, symmetrize=symmetrize
    )
    D = KNeighborsTransformer(n_neighbors=k, metric=metric, mode="distance").fit_transform(X)
    assert D.nnz == X.shape[0] * (k + 1)  # each sample is its own first neighbour
    net = graph_from_sparse_distances(D, weighting, symmetrize, metric=metric)
    np.testing.assert_array_equal(net.source, direct.source)
    np.testing.assert_array_equal(net.target, direct.target)
    np.testing.assert_allclose(net.weight, direct.weight, rtol=1e-9)
    assert net.directed == direct.directed


def test_sparse_distances_with_duplicates_and_formats():
    X = blobs(40)
    X = np.concatenate([X, np.repeat(X[:1], 8, axis=0)])  # 9 identical points
    group = np.concatenate([[0], np.arange(40, 48)])
    k = 4
    D = KNeighborsTransformer(n_neighbors=k).fit_transform(X)
    for fmt in (D, sp.coo_matrix(D), sp.csr_array(D), sp.csc_matrix(D)):
        for weighting in WEIGHTINGS:
            net = graph_from_sparse_distances(fmt, weighting, n_neighbors=k)
            check_basic(net, X.shape[0], "union")
    # with more duplicates than neighbours a row may lack its self-entry (k + 1 others);
    # n_neighbors trims every row to its k nearest, as knn_graph has them
    net = graph_from_sparse_distances(D, "connectivity", "none", n_neighbors=k)
    assert np.all(np.bincount(net.source, minlength=48) == k)
    in_group = np.isin(net.source, group)
    assert np.all(np.isin(net.target[in_group], group))
    direct = knn_graph(X, n_neighbors=k, weighting="connectivity", symmetrize="none")
    assert links(direct).keys() - links(net).keys() <= {
        (int(u), int(v)) for u in group for v in group
    }
    untrimmed = graph_from_sparse_distances(D, "connectivity", "none")
    assert np.bincount(untrimmed.source, minlength=48).max() in (k, k + 1)


def test_sparse_distances_self_entry_dropped_anywhere():
    # a hand-made graph: the self-entry is not first, a pair is stored twice
    D = sp.coo_matrix(
        (
            [1.0, 0.0, 2.0, 1.0, 3.0, 0.0, 5.0],
            ([0, 0, 0, 1, 2, 2, 0], [1, 0, 2, 0, 0, 2, 1]),
        ),
        shape=(3, 3),
    )
    net = graph_from_sparse_distances(D, "connectivity", "none")
    assert links(net) == {(0, 1): 1.0, (0, 2): 1.0, (1, 0): 1.0, (2, 0): 1.0}
    net = graph_from_sparse_distances(D, "connectivity", "none", n_neighbors=1)
    assert links(net) == {(0, 1): 1.0, (1, 0): 1.0, (2, 0): 1.0}


@pytest.mark.parametrize("metric", ["euclidean", "cosine", "manhattan"])
def test_sparse_X_equals_dense(metric):
    X = blobs(seed=2)
    X[X < 18] = 0.0
    dense = knn_graph(X, n_neighbors=6, metric=metric, method="exact")
    for fmt in (sp.csr_matrix, sp.csc_array, sp.coo_matrix):
        net = knn_graph(fmt(X), n_neighbors=6, metric=metric, method="exact")
        np.testing.assert_array_equal(net.source, dense.source)
        np.testing.assert_array_equal(net.target, dense.target)
        np.testing.assert_allclose(net.weight, dense.weight, rtol=1e-9)


def test_input_not_modified_and_dtypes():
    X = blobs()
    X_int = np.rint(X * 10).astype(np.int64)
    before = X_int.copy()
    net = knn_graph(X_int, n_neighbors=5, method="exact")
    np.testing.assert_array_equal(X_int, before)
    assert net.n_nodes == 90
    net32 = knn_graph(X.astype(np.float32), n_neighbors=5, weighting="connectivity")
    net64 = knn_graph(X, n_neighbors=5, weighting="connectivity")
    assert links(net32) == links(net64)
    assert knn_graph(X.tolist(), n_neighbors=5).n_nodes == 90


# --------------------------------------------------------------------------------------
# new samples (the estimator's predict)
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("metric", ["euclidean", "cosine"])
@pytest.mark.parametrize("weighting", WEIGHTINGS)
def test_neighbor_weights_match_reference(weighting, metric):
    X_fit = blobs(60)
    X_new = blobs(9, seed=5)
    k = 5
    nbrs, w = neighbor_weights(X_fit, X_new, n_neighbors=k, metric=metric, weighting=weighting)
    assert nbrs.shape == w.shape == (9, k)

    def dist(A, B):
        if metric == "cosine":
            A = A / np.linalg.norm(A, axis=1, keepdims=True)
            B = B / np.linalg.norm(B, axis=1, keepdims=True)
            return 1.0 - A @ B.T
        return np.sqrt(((A[:, None, :] - B[None, :, :]) ** 2).sum(-1))

    D_fit = dist(X_fit, X_fit)
    np.fill_diagonal(D_fit, np.inf)
    fit_nbrs = np.argsort(D_fit, axis=1, kind="stable")[:, :k]
    D_new = dist(X_new, X_fit)
    for i in range(9):
        want = np.argsort(D_new[i], kind="stable")[:k]
        np.testing.assert_array_equal(nbrs[i], want)
        for c, j in enumerate(want):
            if weighting == "connectivity":
                ref = 1.0
            elif weighting == "jaccard":
                a, b = set(want) | {-1}, set(fit_nbrs[j]) | {j}
                ref = len(a & b) / len(a | b)
            elif metric == "cosine":
                ref = 1.0 - D_new[i, j]
            else:
                s_i, s_j = D_new[i, want[-1]], D_fit[j, fit_nbrs[j, -1]]
                ref = np.exp(-(D_new[i, j] ** 2) / (s_i * s_j))
            assert w[i, c] == pytest.approx(ref, rel=1e-9)


@pytest.mark.parametrize("hubness", ["mutual_proximity", "local_scaling"])
@pytest.mark.parametrize("weighting", WEIGHTINGS)
def test_neighbor_weights_with_hubness_match_reference(weighting, hubness):
    X_fit = blobs(60, dim=12)
    X_new = blobs(9, dim=12, seed=5)
    k = 5
    D_fit = distance_matrix(X_fit, X_fit, "euclidean")
    np.fill_diagonal(D_fit, np.inf)
    D_new = distance_matrix(X_new, X_fit, "euclidean")
    fit_stats = candidate_stats(D_fit, k, hubness)
    fit_nbrs = hubness_neighbors(D_fit, k, hubness, fit_stats, fit_stats)
    new_nbrs = hubness_neighbors(D_new, k, hubness, candidate_stats(D_new, k, hubness), fit_stats)
    scales = knn._knn_graph_and_scales(
        X_fit, k, "euclidean", "exact", weighting, "union", None, None, None, hubness
    )[1]
    for fit_scales in (None, scales):
        nbrs, w = neighbor_weights(
            X_fit, X_new, n_neighbors=k, weighting=weighting, hubness=hubness,
            fit_scales=fit_scales,
        )  # fmt: skip
        for i in range(9):
            want = new_nbrs[i]
            np.testing.assert_array_equal(nbrs[i], want)
            for c, j in enumerate(want):
                if weighting == "connectivity":
                    ref = 1.0
                elif weighting == "jaccard":
                    a, b = set(want) | {-1}, set(fit_nbrs[j]) | {j}
                    ref = len(a & b) / len(a | b)
                else:
                    s_i = max(D_new[i, want])
                    s_j = max(D_fit[j, fit_nbrs[j]])
                    ref = np.exp(-(D_new[i, j] ** 2) / (s_i * s_j))
                assert w[i, c] == pytest.approx(ref, rel=1e-9)
    with pytest.raises(ValueError, match=r"fit_scales must have shape \(n_fit, 2\)"):
        neighbor_weights(X_fit, X_new, n_neighbors=k, hubness=hubness, fit_scales=scales[:5])


def test_neighbor_weights_nearest_is_own_copy():
    X = blobs(80)
    nbrs, w = neighbor_weights(X, X[:5] + 1e-9, n_neighbors=7)
    assert np.all(nbrs[:, 0] == np.arange(5))
    assert np.all(w[:, 0] == pytest.approx(1.0)) and np.all(w[:, 1:] < 1.0)


def test_neighbor_weights_duplicates_threshold_and_errors():
    X_fit = np.concatenate([blobs(30), np.repeat(blobs(30)[:1], 10, axis=0)])
    for weighting in WEIGHTINGS:
        _, w = neighbor_weights(X_fit, X_fit[:3], n_neighbors=4, weighting=weighting)
        assert np.all(np.isfinite(w)) and np.all(w > 0)
    _, w = neighbor_weights(X_fit, blobs(20, seed=9), n_neighbors=8)
    _, cut = neighbor_weights(X_fit, blobs(20, seed=9), n_neighbors=8, threshold=0.5)
    np.testing.assert_array_equal(cut, np.where(w >= 0.5, w, 0.0))
    with pytest.raises(ValueError, match="X has 3 features, but X_fit has 4"):
        neighbor_weights(X_fit, np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"n_neighbors=40 with n_samples=40"):
        neighbor_weights(X_fit, X_fit[:1], n_neighbors=40)
    with pytest.raises(ValueError, match="unknown weighting"):
        neighbor_weights(X_fit, X_fit[:1], weighting="heat")
    with pytest.raises(ValueError, match=r"X contains NaN \(first at X\[0, 1\]\)"):
        neighbor_weights(X_fit, [[0.0, np.nan, 0.0, 0.0]], n_neighbors=3)


# --------------------------------------------------------------------------------------
# methods
# --------------------------------------------------------------------------------------


def test_auto_is_exact_below_the_switch(monkeypatch):
    X = blobs()
    exact = knn_graph(X, n_neighbors=5, method="exact")
    calls = []

    def fake_approximate(X, k, metric, n_jobs, random_state):
        calls.append(k)
        return knn._exact_neighbors(X, k, metric, n_jobs)

    monkeypatch.setattr(knn, "_approximate_neighbors", fake_approximate)
    assert links(knn_graph(X, n_neighbors=5)) == links(exact)
    assert calls == []
    monkeypatch.setattr(knn, "AUTO_EXACT_MAX_SAMPLES", 50)
    monkeypatch.setattr(knn, "_have_pynndescent", lambda: True)
    assert links(knn_graph(X, n_neighbors=5)) == links(exact)
    assert calls == [5]
    monkeypatch.setattr(knn, "_have_pynndescent", lambda: False)
    knn_graph(X, n_neighbors=5)
    assert calls == [5]


def test_approximate_without_pynndescent(monkeypatch):
    monkeypatch.setitem(sys.modules, "pynndescent", None)  # import pynndescent fails
    with pytest.raises(ImportError, match=r"pip install infomap-learn\[ann\]"):
        knn_graph(blobs(), n_neighbors=5, method="approximate")
    assert not knn._have_pynndescent()


def test_approximate_self_handling(monkeypatch):
    """NNDescent's k + 1 columns: self dropped wherever it is, else the farthest; -1 missing."""
    X = np.array([[0.0], [1.0], [3.0], [3.0], [7.0]])
    ind = np.array([[0, 1, 2], [1, 0, 2], [3, 2, 1], [2, 1, 0], [4, 2, -1]])
    dist = np.array([[0, 1, 3], [0, 1, 2], [0, 0, 2], [0, 2, 3], [0, 4, np.inf]], float)
    monkeypatch.setattr(knn, "_approximate_neighbors", lambda *args: (ind, dist))
    net = knn_graph(X, n_neighbors=2, method="approximate", symmetrize="none")
    assert sorted(links(net)) == [
        (0, 1),
        (0, 2),
        (1, 0),
        (1, 2),
        (2, 1),
        (2, 3),
        (3, 1),
        (3, 2),
        (4, 2),
    ]
    check_basic(net, 5, "none")


@pytest.mark.slow  # pynndescent compiles its numba functions first: ~25 s per process
def test_exact_and_approximate_agree():
    pytest.importorskip("pynndescent")
    rng = np.random.default_rng(0)
    X = (
        rng.normal(0, 5, size=(10, 10))[np.arange(2000) % 10] + rng.normal(size=(2000, 10))
    ).astype(np.float32)
    X[1999] = X[1998]  # a duplicate pair
    k = 10
    kw = dict(n_neighbors=k, weighting="connectivity", symmetrize="none")
    exact = knn_graph(X, method="exact", **kw)
    approx = knn_graph(X, method="approximate", random_state=0, **kw)
    check_basic(approx, 2000, "none")
    assert np.all(np.bincount(approx.source, minlength=2000) == k)
    found = np.isin(exact.source * 2000 + exact.target, approx.source * 2000 + approx.target)
    assert found.mean() > 0.95
    again = knn_graph(X, method="approximate", random_state=0, **kw)
    assert links(again) == links(approx)
    # every weighting works on the approximate neighbours, with the same self handling
    for weighting in WEIGHTINGS:
        net = knn_graph(X, n_neighbors=k, method="approximate", weighting=weighting, random_state=0)
        check_basic(net, 2000, "union")


# --------------------------------------------------------------------------------------
# validation
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("X", "kwargs", "match"),
    [
        (np.zeros(5), {}, r"Expected 2D array, got 1D array"),
        (np.zeros((4, 2, 2)), {}, r"Found array with dim 3"),
        (np.array([["a", "b"], ["c", "d"]]), {"n_neighbors": 1}, "numeric"),
        (np.zeros((1, 3)), {"n_neighbors": 1}, r"1 sample\(s\).*a minimum of 2 is required"),
        (np.zeros((5, 0)), {"n_neighbors": 1}, r"0 feature\(s\).*a minimum of 1 is required"),
        (np.eye(5), {"n_neighbors": 0}, r"n_neighbors=0 with n_samples=5"),
        (np.eye(5), {"n_neighbors": 5}, r"1 <= n_neighbors < n_samples.*n_samples=5"),
        (np.eye(5), {"n_neighbors": 2.0}, r"n_neighbors=2\.0"),
        (np.eye(5), {"n_neighbors": True}, r"n_neighbors=True"),
        (
            np.eye(5),
            {"n_neighbors": 2, "metric": "cityblock"},
            r"unknown metric 'cityblock'; expected one of 'euclidean', 'manhattan'",
        ),
        (
            np.eye(5),
            {"n_neighbors": 2, "method": "fast"},
            r"unknown method 'fast'; expected one of 'auto', 'exact', 'approximate'",
        ),
        (
            np.eye(5),
            {"n_neighbors": 2, "weighting": "gaussian"},
            r"unknown weighting 'gaussian'; expected one of 'similarity', 'connectivity'",
        ),
        (
            np.eye(5),
            {"n_neighbors": 2, "symmetrize": "max"},
            r"unknown symmetrize 'max'; expected one of 'union', 'mutual', 'none'",
        ),
        (np.eye(5), {"n_neighbors": 2, "threshold": float("nan")}, "threshold must be finite"),
        (np.eye(5), {"n_neighbors": 2, "threshold": np.inf}, "threshold must be finite"),
        (np.eye(5), {"n_neighbors": 2, "threshold": "0.5"}, "threshold must be finite"),
        (np.eye(5), {"n_neighbors": 2, "threshold": True}, "threshold must be finite"),
        (
            np.array([[0.0, 1], [1, 0], [0, 0]]),
            {"n_neighbors": 1, "metric": "cosine"},
            r"all-zero rows.*1 such row.*X\[2\]",
        ),
        (
            np.array([[0.0, 1, 2], [1, 0, 1], [3, 3, 3]]),
            {"n_neighbors": 1, "metric": "correlation"},
            r"constant rows.*X\[2\]",
        ),
        (
            sp.csr_matrix(np.eye(5)),
            {"n_neighbors": 2, "metric": "chebyshev"},
            r"does not support sparse X.*'euclidean', 'manhattan', 'cosine'",
        ),
        (
            sp.csr_matrix(np.array([[1.0, 0], [0, 1], [0, 0]])),
            {"n_neighbors": 1, "metric": "cosine"},
            r"all-zero rows.*X\[2\]",
        ),
    ],
)
def test_knn_graph_validation(X, kwargs, match):
    match = match.replace("threshold must be finite", "threshold must be a finite number")
    with pytest.raises(ValueError, match=match):
        knn_graph(X, **kwargs)


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize(
    ("value", "kind"), [(np.nan, "NaN"), (np.inf, "infinity"), (-np.inf, "infinity")]
)
def test_non_finite_X(value, kind, sparse):
    X = blobs()
    X[7, 2] = value
    with pytest.raises(ValueError, match=rf"X contains {kind} \(first at X\[7, 2\]\)"):
        knn_graph(sp.csr_matrix(X) if sparse else X, n_neighbors=3)


def test_graph_from_sparse_distances_validation():
    D = KNeighborsTransformer(n_neighbors=3).fit_transform(blobs())
    with pytest.raises(TypeError, match="scipy sparse"):
        graph_from_sparse_distances(D.toarray())
    with pytest.raises(ValueError, match=r"must be square.*\(90, 89\)"):
        graph_from_sparse_distances(D[:, :89])
    with pytest.raises(ValueError, match="unknown weighting 'x'; expected one of"):
        graph_from_sparse_distances(D, weighting="x")
    with pytest.raises(ValueError, match="unknown symmetrize 'both'; expected one of"):
        graph_from_sparse_distances(D, symmetrize="both")
    with pytest.raises(ValueError, match="threshold must be a finite number"):
        graph_from_sparse_distances(D, threshold=np.nan)
    with pytest.raises(ValueError, match=r"n_neighbors=90 with n_samples=90"):
        graph_from_sparse_distances(D, n_neighbors=90)
    for bad in (-1.0, np.nan, np.inf):
        E = D.copy()
        E.data[5] = bad
        with pytest.raises(ValueError, match=r"D\[1, \d+\] is .*finite and non-negative"):
            graph_from_sparse_distances(E)


# --------------------------------------------------------------------------------------
# quality: embeddings -> kNN graph -> Infomap
# --------------------------------------------------------------------------------------


def test_digits_quality():
    from sklearn.datasets import load_digits
    from sklearn.metrics import normalized_mutual_info_score

    X, y = load_digits(return_X_y=True)
    net = knn_graph(X, n_neighbors=15)
    tree = infomap(net, seed=1)
    assert normalized_mutual_info_score(y, tree.labels) >= 0.8


@pytest.mark.parametrize("scale, problem", [(1e200, "overflow"), (1e-200, "underflow")])
def test_values_whose_squares_leave_float64_are_refused(scale, problem):
    X = blobs() * scale
    with pytest.raises(ValueError, match=f"magnitude up to .*squares {problem}.*rescale X"):
        knn_graph(X, n_neighbors=5)
    with pytest.raises(ValueError, match=problem):
        knn_graph(sp.csr_matrix(X), n_neighbors=5)
    # large and small but safe scales give the same graph as the data near 1
    plain = knn_graph(blobs(), n_neighbors=5)
    for safe in (1e100, 1e-100):
        assert links(knn_graph(blobs() * safe, n_neighbors=5)) == pytest.approx(links(plain))
