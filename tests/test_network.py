"""Tests of the validated input network (infomap_learn.network)."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from infomap_learn.network import Network
from infomap_learn.network._aggregate import _aggregate_numba, _aggregate_numpy


def links(net: Network) -> list[tuple[int, int, float]]:
    return list(zip(net.source.tolist(), net.target.tolist(), net.weight.tolist(), strict=True))


def dense_from_links(net: Network) -> np.ndarray:
    """Dense adjacency (out-links), built independently of out_csr."""
    A = np.zeros((net.n_nodes, net.n_nodes))
    for u, v, w in links(net):
        A[u, v] += w
        if not net.directed and u != v:
            A[v, u] += w
    return A


def dense_from_csr(indptr, indices, data, n) -> np.ndarray:
    A = np.zeros((n, n))
    for u in range(n):
        for p in range(indptr[u], indptr[u + 1]):
            A[u, indices[p]] += data[p]
    return A


# --------------------------------------------------------------------------------------
# from_edges: canonical, aggregated links
# --------------------------------------------------------------------------------------


def test_multi_edges_are_summed_directed():
    net = Network.from_edges([[0, 1], [1, 2], [0, 1], [1, 0]], [1.0, 2.0, 0.5, 4.0], directed=True)
    assert links(net) == [(0, 1, 1.5), (1, 0, 4.0), (1, 2, 2.0)]
    assert net.n_links == 3
    assert net.total_weight == pytest.approx(7.5)
    assert net.directed


def test_undirected_canonicalisation():
    net = Network.from_edges([[2, 0], [0, 2], [1, 0], [2, 1]], [1.0, 2.0, 3.0, 4.0])
    assert links(net) == [(0, 1, 3.0), (0, 2, 3.0), (1, 2, 4.0)]
    assert not net.directed
    assert np.all(net.source <= net.target)


def test_links_sorted_and_dtypes():
    rng = np.random.default_rng(1)
    e = rng.integers(0, 50, size=(400, 2))
    net = Network.from_edges(e, rng.random(400), directed=True)
    keys = net.source.astype(np.int64) * net.n_nodes + net.target
    assert np.all(np.diff(keys) > 0)  # sorted and unique
    assert net.source.dtype == np.int32
    assert net.target.dtype == np.int32
    assert net.weight.dtype == np.float64


def test_self_links_kept():
    net = Network.from_edges([[0, 0], [0, 1], [0, 0]], [1.0, 2.0, 3.0])
    assert links(net) == [(0, 0, 4.0), (0, 1, 2.0)]


def test_zero_weights_dropped():
    net = Network.from_edges([[0, 1], [1, 2], [2, 3]], [1.0, 0.0, 2.0], directed=True)
    assert links(net) == [(0, 1, 1.0), (2, 3, 2.0)]
    assert net.n_nodes == 4  # a zero-weight edge still counts for n_nodes
    assert np.all(net.weight > 0)


def test_unweighted_means_all_ones():
    net = Network.from_edges([[0, 1], [1, 2]])
    assert net.weight.tolist() == [1.0, 1.0]
    assert repr(net) == "Network(n_nodes=3, n_links=2, undirected, unweighted)"



@pytest.mark.parametrize("directed", [False, True])
def test_unit_weights_hold_no_memory_per_link(directed):
    # (the weights of an unweighted LFR graph of 10M links were 80 MB of a search's peak)
    net = Network.from_edges([[0, 1], [1, 2], [2, 0], [2, 3]], directed=directed)
    assert net.weight.strides == (0,) and net.weight.tolist() == [1.0] * 4
    assert not net.weight.flags.writeable
    for _, indices, data in (net.out_csr(), net.in_csr()):
        assert data.flags.c_contiguous and data.tolist() == [1.0] * indices.size
    back = pickle.loads(pickle.dumps(net))
    assert back.weight.strides == (0,) and links(back) == links(net)
    assert not back.weight.flags.writeable
    # summed duplicates, or any other weight, keep an array of their own
    summed = Network.from_edges([[0, 1], [0, 1], [1, 2]], directed=directed)
    assert summed.weight.strides == (8,) and summed.weight.tolist() == [2.0, 1.0]


def test_pickle_of_unit_weights_stores_no_weight_per_link():
    # (numpy pickles a stride-0 view element by element, and the Dask front door ships
    # networks to its workers; the CSR caches are built again on the other side)
    edges = np.column_stack([np.arange(20_000), np.arange(1, 20_001)])
    net = Network.from_edges(edges, directed=True)
    net.out_csr(), net.in_csr()
    stored = pickle.dumps(net)
    ids_only = pickle.dumps((net.source, net.target))
    assert len(stored) < len(ids_only) + 2_000
    back = pickle.loads(stored)
    assert back.weight.strides == (0,) and back.weight.shape == (20_000,)
    assert links(back) == links(net)
    for mine, theirs in zip(back.out_csr() + back.in_csr(), net.out_csr() + net.in_csr()):
        assert np.array_equal(mine, theirs) and not mine.flags.writeable
    weighted = Network.from_edges(edges, np.full(20_000, 2.0), directed=True)
    assert pickle.loads(pickle.dumps(weighted)).weight.tolist() == [2.0] * 20_000


@pytest.mark.parametrize("directed", [False, True])
def test_unit_weights_view_gives_the_flow_and_search_of_stored_weights(directed):
    from infomap_learn import infomap
    from infomap_learn.flow import compute_flow

    rng = np.random.default_rng(3)
    # (no pair twice: summed duplicates would store an array, not the view)
    edges = np.unique(np.sort(rng.integers(0, 40, size=(200, 2)), axis=1), axis=0)
    ones = Network.from_edges(edges, directed=directed)
    assert ones.weight.strides == (0,)
    # the same ratios from a stored array: the flow depends on weight ratios only
    stored = Network._from_canonical(
        ones.n_nodes, directed, ones.source, ones.target, 2.0 * ones.weight
    )
    assert stored.weight.strides == (8,)
    a, b = compute_flow(ones), compute_flow(stored)
    np.testing.assert_array_equal(a.node_flow, b.node_flow)
    np.testing.assert_array_equal(a.out_flow, b.out_flow)
    tree_a, tree_b = infomap(ones, seed=2), infomap(stored, seed=2)
    assert tree_a.codelength == tree_b.codelength
    np.testing.assert_array_equal(tree_a.multilevel_labels, tree_b.multilevel_labels)

def test_isolated_nodes_preserved_through_n_nodes():
    net = Network.from_edges([[0, 1]], n_nodes=5)
    assert net.n_nodes == 5
    indptr, indices, _ = net.out_csr()
    assert indptr.tolist() == [0, 1, 2, 2, 2, 2]
    assert indices.tolist() == [1, 0]


def test_nodes_without_links_are_valid():
    net = Network.from_edges(np.empty((0, 2), dtype=np.int64), n_nodes=3)
    assert (net.n_nodes, net.n_links, net.total_weight) == (3, 0, 0.0)
    assert net.out_csr()[0].tolist() == [0, 0, 0, 0]
    assert Network.from_edges([], n_nodes=2).n_links == 0
    # all edges of weight zero: the nodes remain, with a warning
    with pytest.warns(UserWarning, match="all 1 links have weight zero"):
        assert Network.from_edges([[0, 1]], [0.0]).n_links == 0


def test_integer_valued_float_edges_and_other_int_dtypes():
    a = Network.from_edges(np.array([[0.0, 1.0], [2.0, 1.0]]), directed=True)
    b = Network.from_edges(np.array([[0, 1], [2, 1]], dtype=np.uint8), directed=True)
    c = Network.from_edges(np.array([[0, 1], [2, 1]], dtype=np.int32), directed=True)
    assert links(a) == links(b) == links(c) == [(0, 1, 1.0), (2, 1, 1.0)]


def test_constructor_takes_separate_arrays():
    net = Network(np.array([1, 0]), np.array([0, 1]), [2.0, 3.0], n_nodes=4, directed=True)
    assert links(net) == [(0, 1, 3.0), (1, 0, 2.0)]
    assert net.n_nodes == 4


def test_arrays_are_read_only_and_input_untouched():
    e = np.array([[1, 0], [0, 1]])
    w = np.array([1.0, 2.0])
    nw = np.array([1.0, 1.0])
    net = Network.from_edges(e, w, node_weights=nw)
    for arr in (net.source, net.target, net.weight, net.node_weights, *net.out_csr()):
        with pytest.raises(ValueError, match="read-only"):
            arr[0] = 0
    assert e.tolist() == [[1, 0], [0, 1]] and w.tolist() == [1.0, 2.0]
    nw[0] = 5.0
    assert net.node_weights.tolist() == [1.0, 1.0]  # copied, not aliased


def test_pickle_round_trip_keeps_read_only():
    net = Network.from_edges([[0, 1], [1, 2]], [1.0, 2.0], node_names=["a", "b", "c"])
    net.out_csr()
    back = pickle.loads(pickle.dumps(net))
    assert links(back) == links(net) and back.node_names == ["a", "b", "c"]
    assert not back.weight.flags.writeable


def test_repr():
    net = Network.from_edges([[0, 1], [1, 2], [0, 1]], directed=True)
    assert repr(net) == "Network(n_nodes=3, n_links=2, directed, weighted)"


def test_node_weights_and_names_stored():
    net = Network.from_edges([[0, 1]], node_weights=[1, 3], node_names=np.array(["x", "y"]))
    assert net.node_weights.dtype == np.float64
    assert net.node_weights.tolist() == [1.0, 3.0]
    assert net.node_names == ["x", "y"]
    assert net.node_weights is not None and Network.from_edges([[0, 1]]).node_weights is None


# --------------------------------------------------------------------------------------
# from_edges: validation messages
# --------------------------------------------------------------------------------------


def test_error_edges_shape():
    with pytest.raises(ValueError, match=r"edges must have shape \(m, 2\), got \(2, 3\)"):
        Network.from_edges([[0, 1, 2], [1, 2, 3]])
    with pytest.raises(ValueError, match=r"shape \(m, 2\), got \(3,\)"):
        Network.from_edges([0, 1, 2])


def test_error_edges_not_integer_valued():
    with pytest.raises(ValueError, match=r"integer-valued.*edge 1 is \(1 -> 2\.5\)"):
        Network.from_edges([[0.0, 1.0], [1.0, 2.5]])
    with pytest.raises(ValueError, match=r"integer-valued.*edge 0"):
        Network.from_edges([[0.0, np.nan]])
    with pytest.raises(ValueError, match="integer node indices, got source dtype <U1"):
        Network.from_edges([["a", "b"]])
    with pytest.raises(ValueError, match="integer node indices, got source dtype bool"):
        Network.from_edges(np.array([[True, False]]))


def test_error_negative_node_index():
    e = np.array([[0, 1], [1, 2], [3, -4], [-1, 0]])
    with pytest.raises(ValueError, match=r"node index -4 in edge 2 \(3 -> -4\) is negative"):
        Network.from_edges(e)


def test_error_node_index_out_of_range():
    e = np.array([[0, 1], [1, 2], [12, 3], [1, 20]])
    with pytest.raises(
        ValueError, match=r"node index 12 in edge 2 \(12 -> 3\) is out of range for n_nodes=10"
    ):
        Network.from_edges(e, n_nodes=10)


def test_error_weight_negative_names_edge_index_and_endpoints():
    e = np.arange(40).reshape(20, 2)
    w = np.ones(20)
    w[17] = -1.0
    w[18] = np.nan
    msg = r"weight of edge 17 \(34 -> 35\) is -1\.0; weights must be finite and non-negative"
    with pytest.raises(ValueError, match=msg):
        Network.from_edges(e, w)


@pytest.mark.parametrize("bad, shown", [(np.nan, "nan"), (np.inf, "inf"), (-np.inf, "-inf")])
def test_error_weight_non_finite(bad, shown):
    with pytest.raises(ValueError, match=rf"weight of edge 1 \(1 -> 2\) is {shown};"):
        Network.from_edges([[0, 1], [1, 2]], [1.0, bad])


def test_error_weights_length_mismatch():
    with pytest.raises(ValueError, match=r"weights must be a 1-D sequence of length 2"):
        Network.from_edges([[0, 1], [1, 2]], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"weights must be numeric"):
        Network.from_edges([[0, 1]], ["x"])


def test_error_summed_weight_overflow():
    with pytest.raises(ValueError, match=r"summed weight of link 0 -> 1 overflows"):
        Network.from_edges([[0, 1], [1, 0]], [1e308, 1e308])


def test_error_no_nodes():
    with pytest.raises(ValueError, match="network has no nodes"):
        Network.from_edges(np.empty((0, 2), dtype=int))
    with pytest.raises(ValueError, match="network has no nodes"):
        Network.from_edges([], n_nodes=0)


def test_error_bad_n_nodes():
    with pytest.raises(ValueError, match="n_nodes must be a non-negative integer"):
        Network.from_edges([[0, 1]], n_nodes=-1)
    with pytest.raises(ValueError, match="n_nodes must be a non-negative integer"):
        Network.from_edges([[0, 1]], n_nodes=2.5)


def test_error_node_weights():
    e = [[0, 1], [1, 2]]
    with pytest.raises(
        ValueError,
        match=r"node_weights must be a 1-D sequence of length "
        r"n_nodes=3, got shape \(2,\)",
    ):
        Network.from_edges(e, node_weights=[1.0, 1.0])
    with pytest.raises(ValueError, match=r"node_weights\[1\] is -2\.0; node weights must be"):
        Network.from_edges(e, node_weights=[1.0, -2.0, 1.0])
    with pytest.raises(ValueError, match=r"node_weights\[2\] is nan"):
        Network.from_edges(e, node_weights=[1.0, 1.0, np.nan])
    with pytest.raises(ValueError, match="node_weights sum to zero"):
        Network.from_edges(e, node_weights=[0.0, 0.0, 0.0])


def test_error_node_names_length():
    with pytest.raises(ValueError, match="node_names must have length n_nodes=3, got 2"):
        Network.from_edges([[0, 1], [1, 2]], node_names=["a", "b"])


# --------------------------------------------------------------------------------------
# CSR views
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("directed", [False, True])
def test_out_and_in_csr_match_dense(directed):
    rng = np.random.default_rng(7)
    n = 30
    e = rng.integers(0, n, size=(200, 2))
    w = rng.integers(1, 5, size=200).astype(float)
    net = Network.from_edges(e, w, n_nodes=n, directed=directed)
    A = dense_from_links(net)
    # independent check: the dense matrix of the raw edges
    raw = np.zeros((n, n))
    np.add.at(raw, (e[:, 0], e[:, 1]), w)
    if not directed:
        raw = raw + raw.T - np.diag(np.diag(raw))
    np.testing.assert_allclose(A, raw)

    indptr, indices, data = net.out_csr()
    assert indptr.dtype == np.int64 and indptr.shape == (n + 1,)
    assert indices.dtype == np.int32 and data.dtype == np.float64
    np.testing.assert_allclose(dense_from_csr(indptr, indices, data, n), A)
    for u in range(n):  # neighbours sorted within each row
        assert np.all(np.diff(indices[indptr[u] : indptr[u + 1]]) > 0)

    iptr, iidx, idata = net.in_csr()
    np.testing.assert_allclose(dense_from_csr(iptr, iidx, idata, n), A.T)
    for v in range(n):
        assert np.all(np.diff(iidx[iptr[v] : iptr[v + 1]]) > 0)
    if not directed:
        assert net.in_csr() is net.out_csr()  # the same cached arrays
    assert net.out_csr() is net.out_csr()


def test_undirected_csr_self_link_once():
    net = Network.from_edges([[0, 0], [0, 1]], [5.0, 1.0])
    indptr, indices, data = net.out_csr()
    assert indptr.tolist() == [0, 2, 3]
    assert indices.tolist() == [0, 1, 0]
    assert data.tolist() == [5.0, 1.0, 1.0]


# --------------------------------------------------------------------------------------
# numba kernel vs plain-numpy reference
# --------------------------------------------------------------------------------------


def assert_same(a, b):
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize("directed", [False, True])
def test_kernel_matches_numpy_reference_bucketed_and_hubs(directed):
    # n > 2**11 makes the first pass bucket several sources together; the hub rows are
    # longer than the insertion-sort limit and go through the merge sort.
    rng = np.random.default_rng(3)
    n, m = 5000, 30000
    src = rng.integers(0, n, size=m)
    tgt = rng.integers(0, n, size=m)
    src[:3000] = 17  # a hub with many (duplicate) neighbours
    tgt[:3000] = rng.integers(0, 300, size=3000)
    tgt[3000:4000] = 4999
    w = rng.random(m)
    w[::7] = 0.0
    assert_same(
        _aggregate_numba(src, tgt, w, n, directed), _aggregate_numpy(src, tgt, w, n, directed)
    )
    # int32 inputs (converted to int32 anyway)
    assert_same(
        _aggregate_numba(src.astype(np.int32), tgt.astype(np.int32), w, n, directed),
        _aggregate_numpy(src, tgt, w, n, directed),
    )


edge_lists = st.integers(1, 12).flatmap(
    lambda n: st.tuples(
        st.just(n),
        st.lists(
            st.tuples(
                st.integers(0, n - 1),
                st.integers(0, n - 1),
                st.sampled_from([0.0, 0.5, 1.0, 1.5, 2.0, 3.25, 1e-300, 1e300]),
            ),
            max_size=60,
        ),
    )
)


@pytest.mark.filterwarnings("ignore:all .* links have weight zero")
@settings(max_examples=150, deadline=None)
@given(edge_lists, st.booleans())
def test_kernel_matches_numpy_reference_property(data, directed):
    n, edges = data
    arr = np.array([(u, v) for u, v, _ in edges], dtype=np.int64).reshape(-1, 2)
    w = np.array([x for _, _, x in edges], dtype=np.float64)
    ref = _aggregate_numpy(arr[:, 0], arr[:, 1], w, n, directed)
    assert_same(_aggregate_numba(arr[:, 0], arr[:, 1], w, n, directed), ref)
    if edges:
        net = Network.from_edges(arr, w, n_nodes=n, directed=directed)
        assert_same((net.source, net.target, net.weight), ref)
        np.testing.assert_allclose(
            dense_from_csr(*net.out_csr(), n), dense_from_links(net), rtol=1e-12
        )


# --------------------------------------------------------------------------------------
# from_scipy
# --------------------------------------------------------------------------------------


def test_from_scipy_symmetric_is_undirected_upper_triangle():
    A = np.array([[1.0, 2.0, 0.0], [2.0, 0.0, 3.0], [0.0, 3.0, 0.0]])
    for M in (A, sp.csr_matrix(A), sp.coo_array(A), sp.csc_array(A)):
        net = Network.from_scipy(M)
        assert not net.directed
        assert links(net) == [(0, 0, 1.0), (0, 1, 2.0), (1, 2, 3.0)]
        np.testing.assert_allclose(dense_from_csr(*net.out_csr(), 3), A)


def test_from_scipy_unsymmetric_is_directed():
    A = sp.csr_array(np.array([[0.0, 2.0], [1.0, 0.0]]))
    net = Network.from_scipy(A)
    assert net.directed
    assert links(net) == [(0, 1, 2.0), (1, 0, 1.0)]


def test_from_scipy_symmetric_to_rounding_is_undirected():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 4))
    K = np.exp(-((X[:, None, :] - X[None, :, :]) ** 2).sum(axis=2))
    noisy = K + np.triu(K) * 1e-15  # (rounding noise above the diagonal only)
    assert not np.array_equal(noisy, noisy.T)
    net = Network.from_scipy(noisy)
    assert not net.directed
    assert net.n_links == Network.from_scipy(K).n_links == 30 * 31 // 2
    # a real asymmetry stays directed
    noisy[0, 1] *= 1.001
    assert Network.from_scipy(noisy).directed


def test_directed_must_be_a_bool():
    with pytest.raises(ValueError, match="directed must be True or False, got 'no'"):
        Network.from_edges([[0, 1]], directed="no")
    with pytest.raises(ValueError, match="directed must be True or False"):
        Network.from_scipy(np.eye(2), directed=1)


def test_from_scipy_forced_directed_and_undirected():
    S = np.array([[0.0, 1.0], [1.0, 0.0]])
    assert links(Network.from_scipy(S, directed=True)) == [(0, 1, 1.0), (1, 0, 1.0)]
    # non-symmetric forced undirected: its symmetric part
    U = np.array([[0.0, 2.0], [1.0, 4.0]])
    assert links(Network.from_scipy(U, directed=False)) == [(0, 1, 1.5), (1, 1, 4.0)]


def test_from_scipy_duplicates_explicit_zeros_names():
    A = sp.coo_array(([1.0, 2.0, 0.0], ([0, 0, 1], [1, 1, 2])), shape=(3, 3))
    net = Network.from_scipy(A, node_names=["a", "b", "c"], node_weights=[1, 2, 3])
    assert net.directed
    assert links(net) == [(0, 1, 3.0)]
    assert net.n_nodes == 3 and net.node_names == ["a", "b", "c"]
    assert A.nnz == 3  # the caller's matrix is untouched


def test_from_scipy_errors():
    with pytest.raises(ValueError, match=r"must be square, got shape \(2, 3\)"):
        Network.from_scipy(sp.csr_array((2, 3)))
    with pytest.raises(ValueError, match=r"must be square, got shape \(3,\)"):
        Network.from_scipy(np.ones(3))
    A = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, -2.0], [0.0, -2.0, 0.0]])
    with pytest.raises(ValueError, match=r"entry A\[1, 2\] is -2\.0; weights must be finite"):
        Network.from_scipy(sp.csr_array(A))
    with pytest.raises(ValueError, match=r"entry A\[0, 0\] is nan"):
        Network.from_scipy(np.array([[np.nan]]))
    with pytest.raises(ValueError, match="network has no nodes"):
        Network.from_scipy(np.zeros((0, 0)))


# --------------------------------------------------------------------------------------
# from_igraph
# --------------------------------------------------------------------------------------


def test_from_igraph_names_and_weights():
    ig = pytest.importorskip("igraph")
    from infomap_learn.adapters.igraph import network_from_igraph
    g = ig.Graph(edges=[(0, 1), (1, 2), (1, 0)], directed=False)
    g.vs["name"] = ["a", "b", "c"]
    g.es["weight"] = [1.0, 2.0, 0.5]
    g.es["w2"] = [3.0, 3.0, 3.0]
    net = network_from_igraph(g)
    assert not net.directed and net.node_names == ["a", "b", "c"]
    assert links(net) == [(0, 1, 1.5), (1, 2, 2.0)]
    assert links(network_from_igraph(g, weights="w2")) == [(0, 1, 6.0), (1, 2, 3.0)]
    assert links(network_from_igraph(g, weights=None)) == [(0, 1, 2.0), (1, 2, 1.0)]
    assert links(network_from_igraph(g, weights=[1, 1, 1]))[0] == (0, 1, 2.0)


def test_from_igraph_missing_attribute():
    ig = pytest.importorskip("igraph")
    from infomap_learn.adapters.igraph import network_from_igraph
    g = ig.Graph(edges=[(0, 1), (1, 2)], directed=True)
    g.es["strength"] = [1.0, 2.0]
    net = network_from_igraph(g)  # default "weight" missing: unweighted
    assert net.directed and net.node_names is None
    assert links(net) == [(0, 1, 1.0), (1, 2, 1.0)]
    with pytest.raises(ValueError, match=r"edge attribute 'w' not found.*\['strength'\]"):
        network_from_igraph(g, weights="w")
    with pytest.raises(ValueError, match=r"weights must be a 1-D sequence of length 2"):
        network_from_igraph(g, weights=[1.0])


def test_from_igraph_direction_override_isolated_and_node_weights():
    ig = pytest.importorskip("igraph")
    from infomap_learn.adapters.igraph import network_from_igraph
    g = ig.Graph(n=4, edges=[(0, 1), (2, 2)], directed=False)
    g.es["weight"] = [2.0, 1.0]
    g.vs["tp"] = [1.0, 2.0, 3.0, 4.0]
    net = network_from_igraph(g, directed=True, node_weights="tp")
    assert net.directed and net.n_nodes == 4
    assert links(net) == [(0, 1, 2.0), (1, 0, 2.0), (2, 2, 1.0)]
    assert net.node_weights.tolist() == [1.0, 2.0, 3.0, 4.0]
    d = ig.Graph(edges=[(0, 1), (1, 0)], directed=True)
    assert links(network_from_igraph(d, directed=False)) == [(0, 1, 2.0)]
    with pytest.raises(ValueError, match="vertex attribute 'nope' not found"):
        network_from_igraph(g, node_weights="nope")


# --------------------------------------------------------------------------------------
# from_networkx
# --------------------------------------------------------------------------------------


def test_from_networkx_string_keys_round_trip():
    nx = pytest.importorskip("networkx")
    from infomap_learn.adapters.networkx import network_from_networkx
    G = nx.Graph()
    G.add_nodes_from(["z", "y", "lonely"])
    G.add_edge("z", "y", weight=2.5)
    G.add_edge("y", "x")  # no weight attribute: counts as 1
    net = network_from_networkx(G)
    assert net.node_names == ["z", "y", "lonely", "x"]
    assert net.n_nodes == 4 and not net.directed
    named = {(net.node_names[u], net.node_names[v]): w for u, v, w in links(net)}
    assert named == {("z", "y"): 2.5, ("y", "x"): 1.0}


def test_from_networkx_tuple_keys_directed():
    nx = pytest.importorskip("networkx")
    from infomap_learn.adapters.networkx import network_from_networkx
    G = nx.DiGraph()
    G.add_edge((0, 1), (1, 1), w=3.0)
    G.add_edge((1, 1), (0, 1), w=4.0)
    G.add_edge((1, 1), (2, 2))
    net = network_from_networkx(G, weight="w")
    assert net.directed
    assert net.node_names == [(0, 1), (1, 1), (2, 2)]
    named = {(net.node_names[u], net.node_names[v]): w for u, v, w in links(net)}
    assert named == {((0, 1), (1, 1)): 3.0, ((1, 1), (0, 1)): 4.0, ((1, 1), (2, 2)): 1.0}
    merged = network_from_networkx(G, weight="w", directed=False)
    assert links(merged) == [(0, 1, 7.0), (1, 2, 1.0)]


def test_from_networkx_multigraph_summed():
    nx = pytest.importorskip("networkx")
    from infomap_learn.adapters.networkx import network_from_networkx
    G = nx.MultiGraph()
    G.add_edge(1, 2, weight=1.0)
    G.add_edge(2, 1, weight=2.0)
    G.add_edge(1, 2)
    G.add_edge(3, 3, weight=0.5)
    net = network_from_networkx(G)
    assert net.node_names == [1, 2, 3]
    assert links(net) == [(0, 1, 4.0), (2, 2, 0.5)]
    assert links(network_from_networkx(G, weight=None)) == [(0, 1, 3.0), (2, 2, 1.0)]
    D = network_from_networkx(G, directed=True)
    assert links(D) == [(0, 1, 4.0), (1, 0, 4.0), (2, 2, 0.5)]


def test_from_networkx_errors_and_node_weights():
    nx = pytest.importorskip("networkx")
    from infomap_learn.adapters.networkx import network_from_networkx
    G = nx.Graph()
    G.add_edge("a", "b", weight=-1.0)
    with pytest.raises(ValueError, match=r"edge \('a', 'b'\): edge attribute 'weight' is -1\.0"):
        network_from_networkx(G)
    with pytest.raises(ValueError, match="network has no nodes"):
        network_from_networkx(nx.Graph())
    H = nx.path_graph(3)
    nx.set_node_attributes(H, {0: 2.0, 1: 0.5}, "tp")
    assert network_from_networkx(H, node_weights="tp").node_weights.tolist() == [2.0, 0.5, 1.0]
    G.edges["a", "b"]["weight"] = "heavy"
    with pytest.raises(ValueError, match="edge attribute 'weight' is 'heavy', not a number"):
        network_from_networkx(G)


def test_from_igraph_and_from_networkx_are_deprecated_aliases():
    ig = pytest.importorskip("igraph")
    nx = pytest.importorskip("networkx")
    from infomap_learn.adapters.igraph import network_from_igraph
    from infomap_learn.adapters.networkx import network_from_networkx

    g = ig.Graph([(0, 1), (1, 2)])
    g.es["w"] = [2.0, 3.0]
    with pytest.warns(FutureWarning, match="network_from_igraph"):
        old = Network.from_igraph(g, "w", directed=True)
    assert links(old) == links(network_from_igraph(g, "w", directed=True))
    G = nx.path_graph(["a", "b", "c"])
    with pytest.warns(FutureWarning, match="network_from_networkx"):
        old = Network.from_networkx(G, None)
    new = network_from_networkx(G, None)
    assert links(old) == links(new) and old.node_names == new.node_names
