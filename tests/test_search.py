"""The search: numba kernels against the plain-numpy map equation, and search behaviour."""

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from infomap_learn import Network, codelength, compute_flow, infomap
from infomap_learn import _kernels as K
from infomap_learn import search as S
from infomap_learn.datasets import karate_club, planted_partition
from infomap_learn.mapequation import (
    hierarchical_codelength,
    one_level_codelength,
    two_level_codelength,
)

FLOW_OPTIONS = [
    {},
    {"flow_model": "directed"},
    {"flow_model": "directed", "recorded_teleportation": True},
    {"flow_model": "directed", "to_nodes": True},
    {"flow_model": "rawdir"},
    {"markov_time": 0.7},
]


def random_network(seed, n=40, p=0.12, directed=False, weighted=True):
    rng = np.random.default_rng(seed)
    u, v = np.nonzero(rng.random((n, n)) < p)
    edges = np.stack([u, v], axis=1)
    weights = rng.uniform(0.5, 3.0, len(edges)) if weighted else None
    return Network.from_edges(edges, weights, n_nodes=n, directed=directed)


@pytest.mark.parametrize("options", FLOW_OPTIONS)
@pytest.mark.parametrize("directed", [False, True])
def test_kernel_objective_matches_reference(options, directed):
    net = random_network(1, directed=directed)
    flow = compute_flow(net, **options)
    units = S.leaf_units(flow)
    ctx = S.new_context(units, 0)
    rng = np.random.default_rng(0)
    for n_modules in (1, 3, 7, net.n_nodes):
        labels = (
            rng.integers(0, n_modules, net.n_nodes)
            if n_modules < net.n_nodes
            else np.arange(net.n_nodes)
        )
        expected = two_level_codelength(flow, labels).codelength
        assert S.codelength_of(units, labels, ctx) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("options", FLOW_OPTIONS)
@pytest.mark.parametrize("directed", [False, True])
def test_core_loop_tracks_codelength(options, directed):
    """The codelength the kernel tracks through its moves is the map equation of the result."""
    net = random_network(2, directed=directed)
    flow = compute_flow(net, **options)
    units = S.leaf_units(flow)
    ctx = S.new_context(units, 3)
    module_of = np.arange(net.n_nodes, dtype=np.int64)
    start = two_level_codelength(flow, module_of).codelength
    moves, length = S._core(units, module_of, ctx)
    assert moves > 0
    assert length == pytest.approx(two_level_codelength(flow, module_of).codelength, rel=1e-12)
    assert length < start


@pytest.mark.parametrize("options", FLOW_OPTIONS)
@pytest.mark.parametrize(("module_cost", "preferred"), [(0.05, 0), (0.0, 3), (0.02, 5)])
def test_core_loop_tracks_codelength_with_module_terms(options, module_cost, preferred):
    """With the objective's module terms (entropy correction, preferred number of
    modules), the kernel's codelength is the numpy map equation plus those terms (less
    the nodes' constant share of the correction), before and after its moves."""
    from infomap_learn.mapequation import with_module_cost

    net = random_network(5, n=40, directed=True)
    flow = compute_flow(net, **options)
    units = S.leaf_units(flow)
    ctx = S.new_context(units, 3, module_cost=module_cost, preferred_modules=preferred)

    def reference(labels):
        parts = two_level_codelength(flow, labels)
        total = with_module_cost(parts, labels[:, None], module_cost, preferred).codelength
        return total - module_cost * (net.n_nodes - 1)

    module_of = np.arange(net.n_nodes, dtype=np.int64)
    start = reference(module_of)
    assert S.codelength_of(units, module_of, ctx) == pytest.approx(start, rel=1e-12)
    labels, length = S.two_level_search(units, ctx)
    assert length == pytest.approx(reference(labels), rel=1e-10)
    assert length < start


def test_aggregated_search_matches_reference():
    net = random_network(3, n=60, directed=True)
    flow = compute_flow(net)
    units = S.leaf_units(flow)
    labels, length = S.two_level_search(units, S.new_context(units, 5))
    assert length == pytest.approx(two_level_codelength(flow, labels).codelength, rel=1e-10)


@pytest.mark.parametrize("fast", [False, True])
@pytest.mark.parametrize("directed", [False, True])
def test_coarse_tune_codelength_matches_reference(fast, directed):
    # both kinds of coarse tune: submodules from a whole search or from one core loop
    net = random_network(7, n=80, p=0.08, directed=directed)
    flow = compute_flow(net)
    units = S.leaf_units(flow)
    ctx = S.new_context(units, 3)
    labels, _ = S.find_modules(units, ctx)
    new_labels, length, sublabels = S._coarse_tune(units, labels, ctx, fast=fast)
    assert length == pytest.approx(two_level_codelength(flow, new_labels).codelength, rel=1e-10)
    # every submodule lies in one module, before and after the moves
    for grouping in (labels, new_labels):
        pairs = np.unique(np.stack([sublabels, grouping]), axis=1)
        assert np.unique(pairs[0]).size == pairs.shape[1]
    # one core loop never aggregates: its submodules are at least as many
    _, _, full = S._coarse_tune(units, labels, S.new_context(units, 3), fast=False)
    if fast:
        assert sublabels.max() >= full.max()


def test_a_coarse_tune_of_modules_that_do_not_split_keeps_them():
    # cliques joined by single links: each clique is a module and its only submodule
    clique = np.array([[a, b] for a in range(5) for b in range(a + 1, 5)])
    blocks = [clique + 5 * i for i in range(4)]
    bridges = np.array([[4, 5], [9, 10], [14, 15]])
    flow = compute_flow(Network.from_edges(np.concatenate([*blocks, bridges])))
    units = S.leaf_units(flow)
    ctx = S.new_context(units, 3)
    labels, length = S.find_modules(units, ctx)
    assert labels.max() + 1 == 4
    for known in (None, length):
        new_labels, new_length, sublabels = S._coarse_tune(units, labels, ctx, length=known)
        assert new_labels is labels and sublabels.max() + 1 == 4
        assert new_length == pytest.approx(two_level_codelength(flow, labels).codelength, rel=1e-10)


def test_aggregate_links_matches_dense_reference():
    rng = np.random.default_rng(4)
    n, k = 30, 6
    dense = rng.random((n, n)) * (rng.random((n, n)) < 0.3)
    np.fill_diagonal(dense, 0)
    src, dst = np.nonzero(dense)
    indptr, indices, data = K.build_csr(
        n, src.astype(np.int32), dst.astype(np.int32), dense[src, dst]
    )
    module_of = rng.integers(0, k, n)
    module_of, k = K.compact_labels(module_of, k)
    ptr, idx, val = K.aggregate_links(module_of, k, indptr, indices, data)
    got = np.zeros((k, k))
    for m in range(k):
        got[m, idx[ptr[m] : ptr[m + 1]]] += val[ptr[m] : ptr[m + 1]]
    onehot = np.eye(k)[module_of]
    expected = onehot.T @ dense @ onehot
    np.fill_diagonal(expected, 0)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15)


def test_random_core_loop_limit_keeps_results_seeded(monkeypatch):
    import infomap_learn.search._constants as constants

    monkeypatch.setattr(constants, "RANDOM_CORE_LOOP_LIMIT", 1)
    net = random_network(8, n=120)
    first, again = (infomap(net, seed=4, num_trials=2) for _ in range(2))
    assert first.labels.tolist() == again.labels.tolist()
    assert first.codelength == pytest.approx(codelength(net, first.paths), rel=1e-12)
    state = np.array([7], dtype=np.uint64)
    draws = [K.random_sweep_limit(state, 10) for _ in range(200)]
    assert min(draws) == 1 and max(draws) == 10


def test_aggregate_rows_matches_dense_reference():
    rng = np.random.default_rng(5)
    n, k, columns = 40, 7, 5
    dense = rng.random((n, columns)) * (rng.random((n, columns)) < 0.4)
    rows, cols = np.nonzero(dense)
    indptr = np.r_[0, np.cumsum(np.bincount(rows, minlength=n))]
    module_of, k = K.compact_labels(rng.integers(0, k, n), k)
    ptr, idx, val = K.aggregate_rows(module_of, k, indptr, cols.astype(np.int32), dense[rows, cols])
    got = np.zeros((k, columns))
    for m in range(k):
        got[m, idx[ptr[m] : ptr[m + 1]]] += val[ptr[m] : ptr[m + 1]]
    np.testing.assert_allclose(got, np.eye(k)[module_of].T @ dense, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize("grouped", [False, True])
def test_meta_data_search_reports_the_map_equation_with_meta_data(directed, grouped, monkeypatch):
    # the core loop's objective with the meta-data entropy (its reference:
    # mapequation.meta_codelength) is the codelength of what it returns, in the serial
    # kernel and in parent groups alike
    import infomap_learn.search._constants as constants

    if grouped:
        monkeypatch.setattr(constants, "PARENT_GROUPS_MIN_UNITS", 10)
    net = random_network(6, n=80, directed=directed)
    meta = np.arange(80) % 3
    for two_level, rate in ((True, 1.0), (False, 0.7)):
        tree = infomap(net, two_level=two_level, seed=2, num_trials=2, meta_data=meta,
                       meta_data_rate=rate)  # fmt: skip
        scored = codelength(net, tree.multilevel_labels, meta_data=meta, meta_data_rate=rate)
        assert tree.codelength == pytest.approx(scored, rel=1e-10)
        assert tree.codelength == pytest.approx(min(tree.trial_codelengths), rel=1e-10)
        # the search weighs the categories: its modules mix them less than the plain
        # search's modules do
        free = infomap(net, two_level=two_level, seed=2, num_trials=2).multilevel_labels
        assert codelength(net, free, meta_data=meta, meta_data_rate=rate) > codelength(net, free)
        assert tree.codelength < codelength(net, free, meta_data=meta, meta_data_rate=rate)
    units = S.leaf_units(compute_flow(net), (meta, np.full(80, 1 / 80)))
    ctx = S.new_context(units, 3, meta_rate=2.0)
    labels, length = S.two_level_search(units, ctx)
    unweighted = codelength(net, labels, meta_data=meta, meta_data_rate=2.0,
                            meta_data_unweighted=True)  # fmt: skip
    assert length == pytest.approx(unweighted, rel=1e-10)


@pytest.mark.parametrize("both_ways", [False, True])
def test_build_csr_matches_scipy(both_ways):
    from scipy.sparse import coo_matrix

    rng = np.random.default_rng(5)
    dense = rng.random((20, 20)) * (rng.random((20, 20)) < 0.4)
    if both_ways:
        dense = np.triu(dense)  # each undirected link once, self-links included
    src, dst = np.nonzero(dense)
    order = rng.permutation(len(src))
    src, dst = src[order].astype(np.int32), dst[order].astype(np.int32)
    indptr, indices, data = K.build_csr(20, src, dst, dense[src, dst], both_ways)
    # self-links are left out; both_ways adds every link reversed
    want = dense - np.diag(np.diag(dense))
    if both_ways:
        want = want + want.T
    expected = coo_matrix(want).tocsr()
    np.testing.assert_array_equal(indptr, expected.indptr)
    for i in range(20):
        row = dict(zip(indices[indptr[i] : indptr[i + 1]], data[indptr[i] : indptr[i + 1]]))
        ref = dict(
            zip(
                expected.indices[expected.indptr[i] : expected.indptr[i + 1]],
                expected.data[expected.indptr[i] : expected.indptr[i + 1]],
            )
        )
        assert row == ref


@pytest.mark.parametrize("directed", [False, True])
def test_crossing_flows_kernel_matches_numpy_reference(directed):
    from infomap_learn.mapequation import _crossing_flows

    rng = np.random.default_rng(8)
    n = 60
    src, dst = rng.integers(0, n, 400), rng.integers(0, n, 400)
    net = Network(src, dst, rng.random(400), n_nodes=n, directed=directed)
    flow = compute_flow(net)
    keys = rng.integers(-1, 7, n)  # -1: a node in no module
    got = K.crossing_flows(keys, 7, flow.out_ptr, flow.out_idx, flow.out_flow)
    want = _crossing_flows(flow, keys, 7)
    np.testing.assert_allclose(got[0], want[0], rtol=1e-12, atol=1e-16)
    np.testing.assert_allclose(got[1], want[1], rtol=1e-12, atol=1e-16)


def test_shuffle_is_a_permutation_and_seeded():
    a = np.arange(100)
    b = np.arange(100)
    K.shuffle(a, np.array([7], dtype=np.uint64))
    K.shuffle(b, np.array([7], dtype=np.uint64))
    np.testing.assert_array_equal(a, b)
    assert sorted(a) == list(range(100))
    assert not np.array_equal(a, np.arange(100))


def test_karate_two_level():
    net, _ = karate_club()
    tree = infomap(net, two_level=True, num_trials=5, seed=1)
    assert tree.codelength == pytest.approx(4.311793, abs=1e-6)
    assert tree.num_top_modules == 3
    assert tree.num_levels == 1


def test_two_triangles():
    edges = np.array([[0, 1], [1, 2], [2, 0], [3, 4], [4, 5], [5, 3], [2, 3]])
    tree = infomap(Network.from_edges(edges), two_level=True)
    assert tree.codelength == pytest.approx(2.32073, abs=1e-5)
    np.testing.assert_array_equal(tree.labels, [0, 0, 0, 1, 1, 1])


def test_planted_partition_recovered():
    net, membership = planted_partition(n_modules=6, module_size=40, seed=2)
    tree = infomap(net, seed=3)
    from sklearn.metrics import adjusted_rand_score

    assert adjusted_rand_score(membership, tree.labels) == 1.0


def test_same_seed_same_result_and_trials_never_worse():
    net, _ = planted_partition(n_modules=10, module_size=20, p_in=0.2, p_out=0.03, seed=4)
    a = infomap(net, seed=11)
    b = infomap(net, seed=11)
    np.testing.assert_array_equal(a.paths, b.paths)
    assert a.codelength == b.codelength
    best = infomap(net, seed=11, num_trials=4)
    assert best.codelength <= a.codelength + 1e-12


def test_a_multilevel_search_that_ends_flat_returns_the_two_level_modules(monkeypatch):
    """Where the hierarchy adds no level (no super-modules, no module splits), the tree
    is the top search's modules, with no network of leaf modules built for the finishing
    moves (a flat tree has no module of modules to dissolve or move)."""
    from infomap_learn.search import _front
    from infomap_learn.search._leaf_flow import leaf_module_flow
    from tests.test_hierarchy import nested_sbm

    built = []
    monkeypatch.setattr(
        _front, "leaf_module_flow", lambda *args: built.append(1) or leaf_module_flow(*args)
    )
    net, truth = planted_partition(n_modules=8, module_size=30, p_in=0.5, p_out=0.01, seed=1)
    flat = infomap(net, seed=1)
    assert flat.num_levels == 1 and not built
    two_level = infomap(net, seed=1, two_level=True)
    np.testing.assert_array_equal(flat.paths, two_level.paths)
    assert flat.codelength == pytest.approx(two_level.codelength, abs=1e-12)
    nested = infomap(nested_sbm(2, sizes=(2, 4, 12), p=(0.6, 0.1, 0.004)), seed=1)
    assert nested.num_levels > 1 and built  # (a tree with levels still takes them)


def test_hierarchical_tree_codelength_is_consistent():
    # 4 groups of 4 dense blocks: a network with structure at two scales
    rng = np.random.default_rng(0)
    n = 128
    block, group = np.arange(n) // 8, np.arange(n) // 32
    p = np.where(
        block[:, None] == block[None, :],
        0.8,
        np.where(group[:, None] == group[None, :], 0.1, 0.005),
    )
    u, v = np.nonzero(np.triu(rng.random((n, n)) < p, 1))
    net = Network.from_edges(np.stack([u, v], 1), n_nodes=n)
    tree = infomap(net, seed=1)
    assert tree.num_levels >= 2
    flow = compute_flow(net)
    ref = hierarchical_codelength(flow, tree.paths)
    assert tree.codelength == pytest.approx(ref.codelength, rel=1e-12)
    assert tree.index_codelength == pytest.approx(ref.index_codelength, rel=1e-12)
    assert codelength(net, tree.multilevel_labels) == pytest.approx(tree.codelength, rel=1e-12)
    two = infomap(net, two_level=True, seed=1)
    assert tree.codelength < two.codelength


def test_paths_are_canonical():
    net, _ = planted_partition(n_modules=5, module_size=30, seed=6)
    tree = infomap(net, seed=2)
    flows = tree.module_flows(1)["flow"]
    assert np.all(np.diff(flows) <= 1e-15)  # top modules numbered by decreasing flow
    assert tree.labels.min() == 0 and tree.labels.max() == tree.num_top_modules - 1


def test_isolated_nodes_and_components():
    edges = np.array([[0, 1], [1, 2], [2, 0], [4, 5], [5, 6], [6, 4]])
    net = Network.from_edges(edges, n_nodes=9)  # nodes 3, 7, 8 isolated
    tree = infomap(net, two_level=True)
    assert tree.labels.shape == (9,)
    assert len(set(tree.labels[[0, 1, 2]])) == 1
    assert tree.labels[0] != tree.labels[4]
    assert np.isfinite(tree.codelength)


def test_network_without_links():
    net = Network.from_edges(np.empty((0, 2), dtype=int), n_nodes=5)
    with pytest.warns(UserWarning, match="5 nodes and no links: each node is a module"):
        tree = infomap(net)
    assert tree.labels.shape == (5,)
    assert np.isfinite(tree.codelength)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"num_trials": 0}, "num_trials"),
        ({"num_trials": 1.5}, "num_trials"),
        ({"seed": -1}, "seed"),
        ({"teleportation_probability": 1.0}, "teleportation_probability"),
        ({"markov_time": 0}, "markov_time"),
        ({"flow_model": "sideways"}, "flow_model"),
    ],
)
def test_bad_options(kwargs, match):
    net, _ = karate_club()
    with pytest.raises(ValueError, match=match):
        infomap(net, **kwargs)


def test_not_a_network():
    with pytest.raises(TypeError, match="Network"):
        infomap(np.array([[0, 1]]))


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(2, 25),
    p=st.floats(0.05, 0.5),
    directed=st.booleans(),
    two_level=st.booleans(),
)
def test_search_never_worse_than_one_level(seed, n, p, directed, two_level):
    net = random_network(seed, n=n, p=p, directed=directed)
    assume(net.n_links > 0)
    tree = infomap(net, two_level=two_level, seed=seed % 7)
    one = one_level_codelength(compute_flow(net))
    assert tree.codelength <= one + 1e-10
    assert tree.codelength == pytest.approx(
        hierarchical_codelength(compute_flow(net), tree.paths).codelength, rel=1e-10, abs=1e-12
    )


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), directed=st.booleans())
def test_relabelling_nodes_keeps_codelength(seed, directed):
    net = random_network(seed, n=20, p=0.2, directed=directed)
    tree = infomap(net, seed=1)
    perm = np.random.default_rng(seed).permutation(net.n_nodes)
    inverse = np.argsort(perm)
    edges = np.stack([inverse[net.source], inverse[net.target]], axis=1)
    renamed = Network.from_edges(edges, net.weight, n_nodes=net.n_nodes, directed=directed)
    assert codelength(renamed, tree.multilevel_labels[perm]) == pytest.approx(
        tree.codelength, rel=1e-12
    )


def test_single_child_modules_are_collapsed():
    paths = np.array([[0, 0, 0], [0, 0, 1], [1, 0, -1], [1, 1, -1], [2, 0, 0], [2, 0, 0]])
    expected = [[0, 0], [0, 1], [1, 0], [1, 1], [2, -1], [2, -1]]
    np.testing.assert_array_equal(S.collapse_single_child_modules(paths), expected)


@pytest.mark.parametrize("directed", [False, True])
def test_no_search_result_has_single_child_modules(directed):
    rng = np.random.default_rng(3)
    n = 128
    block, group = np.arange(n) // 8, np.arange(n) // 32
    p = np.where(
        block[:, None] == block[None, :],
        0.8,
        np.where(group[:, None] == group[None, :], 0.1, 0.005),
    )
    mask = (rng.random((n, n)) < p) & ~np.eye(n, dtype=bool)
    u, v = np.nonzero(mask if directed else np.triu(mask, 1))
    net = Network.from_edges(
        np.stack([u, v], 1), rng.uniform(0.5, 2, len(u)), n_nodes=n, directed=directed
    )
    for seed in range(1, 4):
        tree = infomap(net, seed=seed)
        np.testing.assert_array_equal(S.collapse_single_child_modules(tree.paths), tree.paths)
        assert codelength(net, tree.multilevel_labels) == pytest.approx(tree.codelength)


def test_parallel_trials_give_the_same_result():
    net, _ = planted_partition(n_modules=10, module_size=20, p_in=0.2, p_out=0.03, seed=4)
    one = infomap(net, seed=5, num_trials=4, n_jobs=1)
    two = infomap(net, seed=5, num_trials=4, n_jobs=2)
    np.testing.assert_array_equal(one.paths, two.paths)
    assert one.codelength == two.codelength
    # hierarchical trials run in steps, more trials than threads under way
    from tests.test_hierarchy import nested_sbm

    nested = nested_sbm(3)
    one = infomap(nested, seed=2, num_trials=5, n_jobs=1)
    for threads in (2, 3):
        other = infomap(nested, seed=2, num_trials=5, n_jobs=threads)
        np.testing.assert_array_equal(one.paths, other.paths)
        assert one.trial_codelengths == other.trial_codelengths
    with pytest.raises(ValueError, match="n_jobs"):
        infomap(net, n_jobs=0)


def test_n_jobs_has_scikit_learns_meaning():
    import os

    from joblib import parallel_config

    cores = os.cpu_count() or 1
    assert S._n_threads(None, 8) == (1, 1)  # None: one thread
    assert S._n_threads(-1, 8)[0] == min(cores, 8)
    assert S._n_threads(-1, 1) == (1, cores)  # one trial: the threads go to parent groups
    assert S._n_threads(-2, 64)[0] == max(1, cores - 1)
    assert S._n_threads(3, 2) == (2, 1)
    with parallel_config(n_jobs=3):
        assert S._n_threads(None, 8) == (3, 1)  # a joblib context sets None's meaning
    for bad in (0, 1.5, "2", True):
        with pytest.raises(ValueError, match="n_jobs must be None or a non-zero integer"):
            S._n_threads(bad, 1)


@pytest.mark.parametrize("directed", [False, True])
def test_parent_groups_search_in_parallel_like_in_sequence(monkeypatch, directed):
    """Submodule search split into groups of parents: moves stay inside each parent, the
    tracked codelength is the map equation of the result, and threads change nothing."""
    from concurrent.futures import ThreadPoolExecutor

    monkeypatch.setattr(S._constants, "PARENT_GROUPS_MIN_UNITS", 1)
    net, planted = planted_partition(
        n_modules=16, module_size=20, p_in=0.4, seed=3, directed=directed
    )
    flow = compute_flow(net)
    leaf = S.leaf_units(flow)
    parents = planted // 2  # 8 parents of two planted modules each
    parent_exit = S.module_exit_totals(leaf, parents, 8)
    units = replace(leaf, parent=parents)
    results = []
    with ThreadPoolExecutor(2) as threads:
        for pool in (None, threads):
            results.append(_grouped_core(units, parent_exit, parents, pool))
    np.testing.assert_array_equal(results[0], results[1])


def _grouped_core(units, parent_exit, parents, pool):
    """One grouped core loop from singletons; checks it and returns the modules."""
    ctx = S.new_context(units, 7, parent_exit, pool)
    module_of = np.arange(units.n, dtype=np.int64)
    moves, length = S._core(units, module_of, ctx)
    assert moves > 0
    assert length == pytest.approx(S.codelength_of(units, module_of, ctx), rel=1e-12)
    # every module lies inside one parent
    pairs = np.unique(np.stack([module_of, parents], axis=1), axis=0)
    assert len(np.unique(pairs[:, 0])) == len(pairs)
    return module_of


@pytest.mark.parametrize("directed", [False, True])
def test_core_loop_writes_only_its_own_modules_scratch(directed):
    """A core loop on some parents' units and modules leaves the shared scratch's flows and
    marks at zero and writes no other module's caches: calls on other parents may share it
    (``_two_level._core``'s groups do)."""
    from infomap_learn.search._move_terms import module_scratch
    from infomap_learn.search._moves import core_loop
    from infomap_learn.search._units import _module_state

    net, planted = planted_partition(
        n_modules=8, module_size=15, p_in=0.4, seed=1, directed=directed
    )
    leaf = S.leaf_units(compute_flow(net))
    parents = planted // 2
    units = replace(leaf, parent=parents)
    ctx = S.new_context(units, 3, S.module_exit_totals(leaf, parents, 4))
    module_of = np.arange(units.n, dtype=np.int64)
    state = _module_state(units, module_of, units.n, ctx.costs)
    scratch = module_scratch(state)
    for cache in scratch[3:]:
        cache[:] = np.nan
    mine = np.flatnonzero(parents < 2)
    moves, _ = core_loop(
        module_of, units.arrays, units.undirected, state, ctx.parent_exit, units.tele_total,
        ctx.codeflow_plogp_sum, ctx.costs, ctx.rng_state, 10, 1e-10, mine, mine, scratch,
    )  # fmt: skip
    assert moves > 0
    flow_to, flow_from, is_touched = scratch[:3]
    assert not flow_to.any() and not flow_from.any() and not is_touched.any()
    others = np.flatnonzero(parents >= 2)
    for cache in scratch[3:]:
        assert np.isnan(cache[others]).all()
        assert not np.isnan(cache[mine]).any()
    np.testing.assert_array_equal(module_of[others], others)


def test_infomap_result_does_not_depend_on_threads(monkeypatch):
    monkeypatch.setattr(S._constants, "PARENT_GROUPS_MIN_UNITS", 1)
    net, _ = planted_partition(n_modules=12, module_size=25, p_in=0.3, p_out=0.02, seed=4)
    # one trial: the threads go to the parent groups; three trials: to the trials first
    trees = [
        infomap(net, num_trials=trials, seed=5, n_jobs=jobs)
        for trials, jobs in ((1, 1), (1, 2), (1, 3))
    ]
    trees += [infomap(net, num_trials=3, seed=5, n_jobs=jobs) for jobs in (1, 2, 6)]
    for tree in trees[1:3]:
        np.testing.assert_array_equal(tree.paths, trees[0].paths)
        assert tree.codelength == trees[0].codelength
    for tree in trees[4:]:
        np.testing.assert_array_equal(tree.paths, trees[3].paths)
        assert tree.codelength == trees[3].codelength


@pytest.mark.parametrize("kind", ["meta data", "state network"])
def test_searches_with_category_tables_do_not_depend_on_threads(monkeypatch, kind):
    """With meta data, parent groups share the table of (module, category) weights and run
    one at a time; the physical nodes of a state network are priced without it, and their
    groups run side by side: the same trees either way."""
    monkeypatch.setattr(S._constants, "PARENT_GROUPS_MIN_UNITS", 1)
    net, _ = planted_partition(n_modules=12, module_size=25, p_in=0.3, p_out=0.05, seed=8)
    options = {}
    if kind == "meta data":
        options = {"meta_data": np.arange(net.n_nodes) % 5}
    else:
        net = Network.from_states(
            np.arange(net.n_nodes) % 60, np.stack([net.source, net.target], axis=1),
            net.weight,
        )  # fmt: skip
    trees = [infomap(net, seed=2, n_jobs=jobs, **options) for jobs in (1, 2, 2)]
    for tree in trees[1:]:
        np.testing.assert_array_equal(tree.paths, trees[0].paths)
        assert tree.codelength == trees[0].codelength


def test_group_threads_are_stopped_when_the_search_fails(monkeypatch):
    import threading

    monkeypatch.setattr(S._constants, "PARENT_GROUPS_MIN_UNITS", 1)

    def fail(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(S._front, "_recursive_partition", fail)
    net, _ = planted_partition(n_modules=12, module_size=25, seed=4)
    before = {t.ident for t in threading.enumerate()}
    with pytest.raises(RuntimeError, match="boom"):
        infomap(net, n_jobs=2)
    left = [t for t in threading.enumerate() if t.ident not in before and t.is_alive()]
    assert not [t for t in left if t.name.startswith("ThreadPoolExecutor")]


def test_module_tree_from_paths_gives_the_search_result_again():
    from infomap_learn import ModuleTree

    net, _ = planted_partition(n_modules=6, module_size=15, seed=2)
    tree = infomap(net, seed=1)
    shuffled = tree.paths.copy()
    shuffled[:, 0] = 5 - shuffled[:, 0]  # other ids for the same top modules
    again = ModuleTree.from_paths(tree.flow, shuffled)
    np.testing.assert_array_equal(again.paths, tree.paths)
    assert again.codelength == pytest.approx(tree.codelength, rel=1e-12)
    flat = ModuleTree.from_paths(tree.flow, tree.labels, renumber=False)
    assert flat.num_levels == 1 and flat.paths.shape == (net.n_nodes, 1)


@pytest.mark.parametrize("directed", [False, True])
def test_settled_core_loop_moves_each_unit_once_at_most(directed):
    """A first core loop that leaves units alone once their module holds others (Infomap's
    first loop): no unit moves twice, and the tracked codelength is the map equation's."""
    net = random_network(4, n=80, p=0.08, directed=directed)
    flow = compute_flow(net)
    units = S.leaf_units(flow)
    module_of = np.arange(net.n_nodes, dtype=np.int64)
    moves, length = S._core(units, module_of, S.new_context(units, 5), 50, settle_joined=True)
    assert 0 < moves <= net.n_nodes
    assert length == pytest.approx(two_level_codelength(flow, module_of).codelength, rel=1e-12)
    free = np.arange(net.n_nodes, dtype=np.int64)
    free_moves, _ = S._core(units, free, S.new_context(units, 5), 50)
    assert free_moves > moves  # (the same start and stream, units free to move again)


@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize("start", ["singletons", "given"])
@pytest.mark.parametrize("variant", ["plain", "settled", "aggregated"])
def test_fused_find_modules_takes_the_same_steps(directed, start, variant, monkeypatch):
    """The one-call kernel (small searches) against the same steps from Python: the same
    modules, codelength and random stream (with a settled first loop, and with the core
    loops of module networks limited apart)."""
    monkeypatch.setattr(S._constants, "AGGREGATED_CORE_LOOP_LIMIT", 3)
    net, _ = planted_partition(
        n_modules=8, module_size=20, p_in=0.3, p_out=0.02, seed=6, directed=directed
    )
    flow = compute_flow(net)
    units = S.leaf_units(flow)
    rng = np.random.default_rng(2)
    initial = None if start == "singletons" else rng.integers(0, 30, net.n_nodes)
    fused_ctx, stepwise_ctx = S.new_context(units, 9), S.new_context(units, 9)
    options = {"settle_joined": variant == "settled", "aggregated": variant == "aggregated"}
    fused = S.find_modules(units, fused_ctx, initial, **options)
    begin = np.arange(net.n_nodes) if initial is None else initial.astype(np.int64)
    stepwise = S._find_modules_stepwise(units, stepwise_ctx, begin.copy(), **options)
    np.testing.assert_array_equal(fused[0], stepwise[0])
    assert fused[1] == stepwise[1]
    assert fused_ctx.rng_state[0] == stepwise_ctx.rng_state[0]


@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize(
    "case",
    ["singletons", "given", "settled", "under parents", "teleportation", "meta data",
     "preferred", "fast first coarse tune", "settled fast coarse tune"],
)  # fmt: skip
def test_fused_two_level_search_takes_the_same_steps(directed, case, monkeypatch):
    """The one-call two-level search (small searches) against the same steps from Python:
    the same modules, codelength, submodules of the last coarse tune and random stream."""
    from infomap_learn.search import _two_level as T

    if case in ("fast first coarse tune", "settled fast coarse tune"):
        monkeypatch.setattr(S._constants, "FAST_FIRST_COARSE_TUNE_MIN_UNITS", 100)

    net, _ = planted_partition(
        n_modules=8, module_size=20, p_in=0.3, p_out=0.03, seed=6, directed=directed
    )
    flow = compute_flow(net, recorded_teleportation=case == "teleportation")
    rng = np.random.default_rng(2)
    meta = (rng.integers(0, 3, net.n_nodes), flow.node_flow) if case == "meta data" else None
    units = S.leaf_units(flow, meta)
    parent_exit = None
    if case == "under parents":
        parents = np.arange(net.n_nodes) // 40  # (four fixed modules)
        parent_exit = S.module_exit_totals(units, parents, 4)
        units = units.with_parent(parents)
    initial = rng.integers(0, 30, net.n_nodes) if case == "given" else None
    for stall_limit in (None, 1, 2):  # (None: by the number of units)
        contexts = [
            S.new_context(
                units, 9, parent_exit, meta_rate=0.5 if meta else 0.0,
                preferred_modules=3 if case == "preferred" else 0,
            )  # fmt: skip
            for _ in range(2)
        ]
        assert T._searches_serially(units, contexts[0])
        options = {
            "keep_submodules": True, "settle_joined": case == "settled",
            "stall_limit": stall_limit, "settle_fast_coarse": case == "settled fast coarse tune",
        }  # fmt: skip
        fused = T.two_level_search(
            units, contexts[0], initial=None if initial is None else initial.copy(), **options
        )
        stepwise = T._two_level_search_stepwise(
            units, contexts[1], initial=None if initial is None else initial.copy(), **options
        )
        np.testing.assert_array_equal(fused[0], stepwise[0])
        assert fused[1] == stepwise[1]
        assert (fused[2] is None) == (stepwise[2] is None)
        if fused[2] is not None:
            np.testing.assert_array_equal(fused[2], stepwise[2])
        assert contexts[0].rng_state[0] == contexts[1].rng_state[0]


@pytest.mark.parametrize("min_units", [100, 10**9])
def test_large_searches_start_the_coarse_tunes_with_the_fast_one(min_units, monkeypatch):
    """Coarse tunes alternate between a search inside each module and only its first core
    loop; searches of FAST_FIRST_COARSE_TUNE_MIN_UNITS units or more start with the fast
    one."""
    from infomap_learn.search import _two_level as T

    monkeypatch.setattr(S._constants, "FAST_FIRST_COARSE_TUNE_MIN_UNITS", min_units)
    net, _ = planted_partition(n_modules=8, module_size=20, p_in=0.3, p_out=0.03, seed=6)
    units = S.leaf_units(compute_flow(net))
    fast_flags = []
    coarse_tune = T._coarse_tune

    def recorded(units, labels, ctx, fast=False, length=None, settle=False):
        fast_flags.append(fast)
        return coarse_tune(units, labels, ctx, fast, length, settle)

    monkeypatch.setattr(T, "_coarse_tune", recorded)
    T._two_level_search_stepwise(units, S.new_context(units, 3), stall_limit=4)
    assert len(fast_flags) >= 2
    first_fast = units.n >= min_units
    assert fast_flags == [(i % 2 == 1) != first_fast for i in range(len(fast_flags))]


def test_options_are_declared_once_and_checked_by_name():
    import inspect

    from infomap_learn.options import SearchOptions

    keyword_only = [
        p.name for p in inspect.signature(infomap).parameters.values() if p.kind is p.KEYWORD_ONLY
    ]
    # the options, and the two pieces of data about the nodes besides the network
    data = ("initial_partition", "meta_data")
    assert sorted(keyword_only) == sorted([*SearchOptions.names(), *data])
    defaults = {
        p.name: p.default for p in inspect.signature(infomap).parameters.values()
        if p.kind is p.KEYWORD_ONLY and p.name not in data
    }  # fmt: skip
    assert defaults == {name: getattr(SearchOptions(), name) for name in SearchOptions.names()}
    net, _ = planted_partition(n_modules=3, module_size=5, seed=1)
    bad = {
        "markov_time": ["2", None, 0.0, -1, float("nan"), True],
        "teleportation_probability": ["0.1", 1.0, -0.1, None],
        "two_level": ["no", 1, None],
        "recorded_teleportation": ["yes", 0],
        "to_nodes": [None],
        "progress": ["yes"],
        "num_trials": [0, 1.5, True, "3"],
        "seed": [-1, 1.5, None],
        "flow_model": ["pagerank", 3],
        "n_jobs": [0, 1.5, "2"],
    }
    for name, values in bad.items():
        for value in values:
            with pytest.raises(ValueError, match=name):
                infomap(net, **{name: value})
    tree = infomap(net, markov_time=np.float32(1.0), num_trials=np.int64(2), two_level=np.bool_(1))
    assert tree.options["num_trials"] == 2 and tree.options["two_level"] is True


def test_nodes_without_links_stay_out_of_the_search():
    """Isolated nodes (no links, no flow) are modules of their own and change nothing for
    the others: the same tree as without them, and a sparse huge id costs its links only."""
    base, _ = planted_partition(n_modules=6, module_size=20, seed=3)
    edges = np.stack([base.source, base.target], axis=1)
    for directed in (False, True):
        plain = infomap(Network.from_edges(edges, directed=directed), seed=2)
        padded = infomap(Network.from_edges(3 * edges, n_nodes=400, directed=directed), seed=2)
        assert padded.codelength == pytest.approx(plain.codelength, rel=1e-12)
        np.testing.assert_array_equal(padded.paths[3 * np.arange(120)], plain.paths)
        isolated = np.setdiff1d(np.arange(400), 3 * np.arange(120))
        assert np.unique(padded.labels[isolated]).size == isolated.size
        assert not np.isin(padded.labels[isolated], plain.labels).any()
    with pytest.warns(UserWarning, match="the largest node id, 4194304, makes 4194305 nodes"):
        net = Network.from_edges([[0, 1], [1, 2**22]])
    tree = infomap(net, two_level=True)
    assert tree.labels[0] == tree.labels[1] == tree.labels[2**22]
    assert tree.num_top_modules == 2**22 + 1 - 2


def test_running_out_of_memory_names_the_network(monkeypatch):
    def no_memory(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(S._front, "compute_flow", no_memory)
    net = Network.from_edges([[0, 1], [1, 2]])
    with pytest.raises(MemoryError, match="a network of 3 nodes and 2 links"):
        infomap(net)


def test_initial_partition_is_where_the_search_starts():
    net, planted = planted_partition(n_modules=5, module_size=12, p_in=0.5, p_out=0.02, seed=6)
    planted_length = codelength(net, planted)
    for two_level in (True, False):
        from_planted = infomap(net, initial_partition=planted * 7 + 3, two_level=two_level)
        assert from_planted.codelength <= planted_length + 1e-12
        # a poor start (modules that mix the planted ones) is improved on
        rng = np.random.default_rng(0)
        for start in (np.arange(net.n_nodes) % 2, rng.integers(0, 10, net.n_nodes)):
            tree = infomap(net, initial_partition=start, seed=1, two_level=two_level)
            assert tree.codelength == pytest.approx(planted_length, rel=1e-9)
        # a start no single move improves stays: one module for all (as Infomap's -c)
        one = infomap(net, initial_partition=np.zeros(net.n_nodes, dtype=int))
        assert one.num_top_modules == 1
    with pytest.raises(ValueError, match="initial_partition must be 60 integer module labels"):
        infomap(net, initial_partition=planted[:10])
    with pytest.raises(ValueError, match="dtype float64"):
        infomap(net, initial_partition=planted.astype(float))


def test_module_flow_totals_match_the_module_state():
    from infomap_learn import compute_flow
    from infomap_learn.search._units import (
        _module_totals_reference,
        leaf_units,
        module_totals,
    )
    from tests.test_hierarchy import FLOW_OPTIONS, nested_sbm

    for seed, options in enumerate(FLOW_OPTIONS):
        network = nested_sbm(seed, directed=seed % 2 == 1, weighted=True)
        units = leaf_units(compute_flow(network, **options))
        labels = np.random.default_rng(seed).integers(0, 7, units.n)
        for mine, theirs in zip(
            module_totals(units, labels, 7), _module_totals_reference(units, labels, 7),
            strict=True,
        ):  # fmt: skip
            np.testing.assert_allclose(mine, theirs, rtol=1e-13, atol=1e-16)
        moved = units.with_parent(labels)
        assert moved.parent is labels and moved.arrays.parent is labels
        assert units.arrays.parent is not labels


@pytest.mark.parametrize("seed", [1, 4])
def test_large_fine_tune_ends_when_no_unit_moves(monkeypatch, seed):
    """A fine tune of a large network whose core loop moves no unit ends there, without
    aggregating the modules again: the same modules and codelength as the full fine tune
    (networks made "large" and searched step by step, in parent groups, here)."""
    monkeypatch.setattr(S._constants, "PARENT_GROUPS_MIN_UNITS", 1)
    net, _ = planted_partition(10, 30, 0.5, 0.005, seed=seed)
    leaf = S.leaf_units(compute_flow(net))
    results, aggregations = [], []
    aggregate = S._two_level.aggregate
    monkeypatch.setattr(
        S._two_level, "aggregate", lambda *a, **k: aggregations.append(1) or aggregate(*a, **k)
    )
    for min_units in (10**12, 1):
        monkeypatch.setattr(S._constants, "FINE_TUNE_STOP_UNMOVED_MIN_UNITS", min_units)
        aggregations.clear()
        ctx = S.new_context(leaf, seed)
        labels, length = S.two_level_search(leaf, ctx)
        results.append((labels, length, len(aggregations)))
    (full, full_length, full_count), (short, short_length, short_count) = results
    np.testing.assert_array_equal(full, short)
    assert full_length == pytest.approx(short_length, rel=1e-14)
    assert short_count < full_count  # (the unmoved fine tune aggregated nothing)


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_large_two_level_searches_start_with_a_settled_first_loop(monkeypatch, n_jobs):
    """From SETTLE_JOINED_MIN_NODES nodes the two-level search's first core loop is
    Infomap's (units stay in modules that hold others): on the renumbered path too; the
    multilevel search's top search only from HIERARCHY_SETTLE_MIN_NODES; never from an
    initial partition."""
    from infomap_learn.search import _constants as constants
    from infomap_learn.search import _front

    seen = []
    find, search = _front.find_modules, _front.two_level_search

    def recording_find(*args, settle_joined=False, **kwargs):
        seen.append(("find", settle_joined))
        return find(*args, settle_joined=settle_joined, **kwargs)

    def recording_search(*args, settle_joined=False, **kwargs):
        seen.append(("search", settle_joined))
        return search(*args, settle_joined=settle_joined, **kwargs)

    monkeypatch.setattr(_front, "find_modules", recording_find)
    monkeypatch.setattr(_front, "two_level_search", recording_search)
    net, _ = planted_partition(6, 30, 0.3, 0.01, seed=3)
    monkeypatch.setattr(constants, "SETTLE_JOINED_MIN_NODES", net.n_nodes + 1)
    below = infomap(net, two_level=True, seed=1, n_jobs=n_jobs)
    assert seen == [("search", False)]
    monkeypatch.setattr(constants, "SETTLE_JOINED_MIN_NODES", net.n_nodes)
    seen.clear()
    settled = infomap(net, two_level=True, seed=1, n_jobs=n_jobs)
    assert seen == [("search", True)]
    assert settled.codelength <= below.codelength * 1.01
    monkeypatch.setattr(constants, "MODULE_ORDER_MIN_NODES", net.n_nodes)
    seen.clear()
    renumbered = infomap(net, two_level=True, num_trials=2, seed=1, n_jobs=n_jobs)
    # (the first trial goes on from the renumbering step's modules, the second settles;
    # with two threads the trials may call in either order)
    assert seen[0] == ("find", True)
    assert sorted(seen[1:]) == [("search", False), ("search", True)]
    assert codelength(net, renumbered.labels) == pytest.approx(renumbered.codelength)
    seen.clear()
    infomap(net, seed=1, n_jobs=n_jobs)
    infomap(net, two_level=True, seed=1, initial_partition=np.arange(net.n_nodes) % 6)
    infomap(net, two_level=True, seed=1, meta_data=np.arange(net.n_nodes) % 3)
    infomap(net, two_level=True, seed=1, preferred_number_of_modules=4)
    assert seen and all(not settle for _, settle in seen)
    monkeypatch.setattr(constants, "HIERARCHY_SETTLE_MIN_NODES", net.n_nodes)
    seen.clear()
    infomap(net, seed=1, n_jobs=n_jobs)
    assert seen == [("find", True), ("search", False)]  # (renumbered: see above)
    seen.clear()
    infomap(net, seed=1, n_jobs=n_jobs, meta_data=np.arange(net.n_nodes) % 3)
    assert seen and all(not settle for _, settle in seen)


def test_large_two_level_searches_settle_their_fast_coarse_tunes(monkeypatch):
    """From SETTLE_JOINED_MIN_NODES nodes the fast coarse tunes of a two-level search of a
    first-order or a state network settle their core loop inside each module (the
    sub-search leaves a unit alone once its submodule holds others); in the multilevel
    search's top search of a first-order network only from HIERARCHY_SETTLE_MIN_NODES
    (its recursion reuses those submodules); never with meta data or a preferred number
    of modules."""
    from infomap_learn.search import _constants as constants
    from infomap_learn.search import _front
    from infomap_learn.search import _two_level as T

    flags, cores = [], []
    search, core = _front.two_level_search, T._core

    def recording_search(*args, settle_fast_coarse=False, **kwargs):
        flags.append(settle_fast_coarse)
        return search(*args, settle_fast_coarse=settle_fast_coarse, **kwargs)

    def recording_core(units, module_of, ctx, sweeps=0, settle_joined=False):
        cores.append((ctx.parent_exit.shape[0] > 1, settle_joined))
        return core(units, module_of, ctx, sweeps, settle_joined)

    monkeypatch.setattr(_front, "two_level_search", recording_search)
    net, _ = planted_partition(6, 30, 0.3, 0.01, seed=3)
    monkeypatch.setattr(constants, "SETTLE_JOINED_MIN_NODES", net.n_nodes + 1)
    infomap(net, two_level=True, seed=1)
    assert flags == [False]
    monkeypatch.setattr(constants, "SETTLE_JOINED_MIN_NODES", net.n_nodes)
    flags.clear()
    infomap(net, two_level=True, seed=1)
    assert flags == [True]
    flags.clear()
    infomap(net, seed=1)
    infomap(net, two_level=True, seed=1, meta_data=np.arange(net.n_nodes) % 3)
    infomap(net, two_level=True, seed=1, preferred_number_of_modules=4)
    assert flags and not any(flags)
    monkeypatch.setattr(constants, "HIERARCHY_SETTLE_MIN_NODES", net.n_nodes)
    flags.clear()
    infomap(net, seed=1)
    assert flags == [True]
    flags.clear()
    infomap(net, seed=1, preferred_number_of_modules=4)  # (its top searches: every route's)
    assert flags and not any(flags)
    states = Network.from_states(
        np.arange(net.n_nodes) // 3, np.stack([net.source, net.target], axis=1)
    )
    flags.clear()
    infomap(states, two_level=True, seed=1)
    monkeypatch.setattr(constants, "SETTLE_JOINED_MIN_NODES", net.n_nodes + 1)
    infomap(states, two_level=True, seed=1)
    assert flags == [True, False]
    # the flag reaches the sub-search: the fast coarse tune's core loop under the modules
    monkeypatch.setattr(T, "_core", recording_core)
    units = S.leaf_units(compute_flow(net))
    labels = np.arange(net.n_nodes) // 30
    for settle in (False, True):
        cores.clear()
        T._coarse_tune(units, labels, S.new_context(units, 2), True, None, settle)
        assert cores[0] == (True, settle)


def test_large_multilevel_searches_tune_their_top_search_further(monkeypatch):
    """From HIERARCHY_LARGE_MIN_NODES first-order nodes the multilevel search's top search
    tunes HIERARCHY_LARGE_TOP_TUNE_LIMIT times (fine, coarse, fine), below it
    HIERARCHY_TOP_TUNE_LIMIT times; the two-level search always to the end."""
    from infomap_learn.search import _constants as constants
    from infomap_learn.search import _front

    limits, reuses = [], []
    search, recursion = _front.two_level_search, _front._recursive_partition

    def recording(*args, tune_limit=0, **kwargs):
        limits.append(tune_limit)
        return search(*args, tune_limit=tune_limit, **kwargs)

    def recording_recursion(*args, reuse="as found", **kwargs):
        reuses.append(reuse)
        return recursion(*args, reuse=reuse, **kwargs)

    monkeypatch.setattr(_front, "two_level_search", recording)
    monkeypatch.setattr(_front, "_recursive_partition", recording_recursion)
    net, _ = planted_partition(6, 30, 0.3, 0.01, seed=3)
    for min_nodes in (net.n_nodes + 1, net.n_nodes):
        monkeypatch.setattr(constants, "HIERARCHY_LARGE_MIN_NODES", min_nodes)
        tree = infomap(net, seed=1)
        assert codelength(net, tree.multilevel_labels) == pytest.approx(tree.codelength)
    infomap(net, two_level=True, seed=1)
    assert limits == [
        constants.HIERARCHY_TOP_TUNE_LIMIT, constants.HIERARCHY_LARGE_TOP_TUNE_LIMIT,
        constants.TUNE_ITERATION_LIMIT,
    ]
    assert reuses == ["as found", "tuned"]  # (a large network's recursion tunes again)
    limits.clear()
    reuses.clear()
    infomap(net, seed=1, meta_data=np.arange(net.n_nodes) % 3)  # (not with meta data)
    assert limits == [constants.HIERARCHY_META_TOP_TUNE_LIMIT]
    assert set(reuses) == {"as found"}
