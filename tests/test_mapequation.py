"""The plain-numpy map equation (infomap_learn.mapequation): closed forms, invariances,
label layouts and input errors. Fast, no oracle; the official Infomap checks the values in
integration/test_oracle.py."""

from __future__ import annotations

from math import log2

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infomap_learn import Network, codelength, compute_flow
from infomap_learn.mapequation import (
    hierarchical_codelength,
    module_flows,
    normalize_paths,
    one_level_codelength,
    plogp,
    two_level_codelength,
)

FLOW_OPTIONS = [
    {},
    {"flow_model": "directed"},
    {"flow_model": "directed", "recorded_teleportation": True},
    {"flow_model": "directed", "to_nodes": True, "recorded_teleportation": True},
    {"flow_model": "rawdir"},
    {"markov_time": 0.6},
    {"flow_model": "directed", "recorded_teleportation": True, "markov_time": 1.8},
]

TWO_TRIANGLES = [(0, 1), (0, 2), (1, 2), (2, 3), (3, 4), (3, 5), (4, 5)]


def random_network(seed, n=24, p=0.15, directed=True):
    rng = np.random.default_rng(seed)
    adjacency = rng.random((n, n)) < p
    adjacency[0] = False  # a dangling node
    u, v = np.nonzero(adjacency)
    edges = np.stack([u, v], axis=1)
    return Network.from_edges(edges, rng.uniform(0.5, 2.0, len(edges)), n, directed=directed)


def random_tree(rng, n):
    """-1-padded paths of a random tree with three module levels: top module 0 is a leaf
    module, top module 1 has leaf submodules, top module 2 has submodules with leaf
    submodules of their own. Every split has at least two parts (a chain of single-child
    modules down to the last level is ambiguous in Infomap's layout)."""
    paths = np.full((n, 3), -1, dtype=np.int64)
    paths[:, 0] = rng.integers(0, 3, n)
    order = rng.permutation(n)

    def split(nodes, level, k):
        if len(nodes) >= 2:
            paths[nodes, level] = np.arange(len(nodes)) % k

    for top in (1, 2):
        split(order[paths[order, 0] == top], 1, 3)
    for sub in range(3):
        split(order[(paths[order, 0] == 2) & (paths[order, 1] == sub)], 2, 2)
    return paths


def infomap_layout(paths):
    """The official Infomap's get_multilevel_modules layout of -1-padded paths: ids unique
    within a level, and a shallow leaf module repeated on the deeper levels."""
    n, depth = paths.shape
    layout = np.zeros((n, depth), dtype=np.int64)
    prefix = [()] * n
    for level in range(depth):
        ids = {}
        for u in range(n):
            if paths[u, level] >= 0:
                prefix[u] = (*prefix[u], int(paths[u, level]))
            layout[u, level] = ids.setdefault(prefix[u], len(ids) + 1)
    return layout


# --------------------------------------------------------------------------------------
# closed forms
# --------------------------------------------------------------------------------------


def test_two_triangles_by_hand():
    net = Network.from_edges(TWO_TRIANGLES)
    # 7 links, total strength 14; each triangle is left over the middle link: q = 1/14
    p = np.array([2, 2, 3, 3, 2, 2]) / 14
    q = 1 / 14
    index = plogp(2 * q) - 2 * plogp(q)
    module = 2 * (plogp(q + 0.5) - plogp(q)) - plogp(p).sum()
    assert codelength(net, [0, 0, 0, 1, 1, 1]) == pytest.approx(index + module, rel=1e-14)
    assert codelength(net, [0, 0, 0, 1, 1, 1]) == pytest.approx(2.32073, abs=5e-6)


def test_plogp():
    assert plogp(0.0) == 0.0
    assert plogp(0.5) == -0.5
    np.testing.assert_allclose(plogp(np.array([0.0, 0.25, 1.0])), [0.0, -0.5, 0.0])


@pytest.mark.parametrize("options", FLOW_OPTIONS, ids=str)
def test_single_module_is_one_level_codelength(options):
    net = random_network(0)
    flow = compute_flow(net, **options)
    h = one_level_codelength(flow)
    assert h == pytest.approx(-sum(p * log2(p) for p in flow.node_flow if p > 0), rel=1e-14)
    result = two_level_codelength(flow, np.zeros(net.n_nodes, dtype=int))
    assert result.codelength == pytest.approx(h, rel=1e-14)
    assert result.index_codelength == 0.0
    assert codelength(net, np.full(net.n_nodes, 7), **options) == pytest.approx(h, rel=1e-14)
    assert codelength(net, np.zeros((net.n_nodes, 2), int), **options) == pytest.approx(
        h, rel=1e-14
    )


@pytest.mark.parametrize("options", FLOW_OPTIONS, ids=str)
def test_one_column_tree_is_two_level(options):
    net = random_network(1)
    flow = compute_flow(net, **options)
    labels = np.random.default_rng(1).integers(0, 5, net.n_nodes)
    two = two_level_codelength(flow, labels)
    tree = hierarchical_codelength(flow, labels[:, None])
    assert tree.codelength == pytest.approx(two.codelength, rel=1e-14)
    assert tree.index_codelength == pytest.approx(two.index_codelength, rel=1e-14)
    assert tree.module_codelength == pytest.approx(two.module_codelength, rel=1e-14)
    assert codelength(net, labels[:, None], **options) == pytest.approx(two.codelength, rel=1e-14)


@pytest.mark.parametrize("options", FLOW_OPTIONS, ids=str)
def test_parts_add_up_and_flow_is_conserved(options):
    net = random_network(2)
    flow = compute_flow(net, **options)
    labels = np.random.default_rng(2).integers(0, 4, net.n_nodes)
    result = two_level_codelength(flow, labels)
    assert result.codelength == pytest.approx(
        result.index_codelength + result.module_codelength, rel=1e-14
    )
    module_flow, enter, exit_ = module_flows(flow, labels, 4)
    assert module_flow.sum() == pytest.approx(1.0)
    assert enter.sum() == pytest.approx(exit_.sum(), rel=1e-12)


def test_no_flow_has_codelength_zero():
    net = Network.from_edges(np.zeros((0, 2), int), n_nodes=5, directed=True)
    assert codelength(net, [0, 1, 2, 3, 4]) == 0.0
    assert codelength(net, [0, 0, 1, 1, 1], flow_model="directed", to_nodes=True) == 0.0
    assert codelength(net, np.zeros((5, 2), int)) == 0.0


# --------------------------------------------------------------------------------------
# multilevel label layouts
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("options", FLOW_OPTIONS, ids=str)
@pytest.mark.parametrize("seed", range(3))
def test_infomap_layout_equals_padded_layout(seed, options):
    net = random_network(seed)
    paths = random_tree(np.random.default_rng(seed), net.n_nodes)
    assert set((paths >= 0).sum(axis=1).tolist()) == {1, 2, 3}
    layout = infomap_layout(paths)
    assert (layout > 0).all()
    np.testing.assert_array_equal(normalize_paths(layout) >= 0, paths >= 0)
    padded = codelength(net, paths, **options)
    assert codelength(net, layout, **options) == pytest.approx(padded, rel=1e-14)
    flow = compute_flow(net, **options)
    assert hierarchical_codelength(flow, paths).codelength == pytest.approx(padded, rel=1e-14)


def test_normalize_paths():
    # node 0-3 in module 0 split into 0:0 and 0:1; nodes 4-5 in module 1, not split
    layout = np.array([[1, 1], [1, 1], [1, 2], [1, 2], [2, 3], [2, 3]])
    expected = np.array([[1, 1], [1, 1], [1, 2], [1, 2], [2, -1], [2, -1]])
    np.testing.assert_array_equal(normalize_paths(layout), expected)
    # -1-padded paths are taken as they are
    np.testing.assert_array_equal(normalize_paths(expected), expected)
    # a module with the same nodes as its parent that splits further down is a real
    # (single-child) module, not a continuation
    single_child = np.array([[0, 0, 0], [0, 0, 0], [0, 0, 1], [0, 0, 1], [1, 1, 2], [1, 1, 2]])
    np.testing.assert_array_equal(
        normalize_paths(single_child),
        [[0, 0, 0], [0, 0, 0], [0, 0, 1], [0, 0, 1], [1, -1, -1], [1, -1, -1]],
    )
    # one-dimensional labels are one level
    np.testing.assert_array_equal(normalize_paths([3, 1, 3]), [[3], [1], [3]])


def test_single_child_module_is_kept_in_both_layouts():
    net = random_network(4, directed=False)
    top = np.arange(net.n_nodes) % 2
    bottom = np.arange(net.n_nodes) % 4
    padded = np.stack([top, np.zeros(net.n_nodes, int), bottom], axis=1)
    flow = compute_flow(net)
    expected = hierarchical_codelength(flow, padded).codelength
    assert codelength(net, padded) == pytest.approx(expected, rel=1e-14)
    assert codelength(net, infomap_layout(padded)) == pytest.approx(expected, rel=1e-14)
    # the redundant level costs bits
    no_chain = np.stack([top, bottom], axis=1)
    assert expected > hierarchical_codelength(flow, no_chain).codelength


# --------------------------------------------------------------------------------------
# invariances (property tests)
# --------------------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n_modules=st.integers(1, 8),
    options=st.sampled_from(FLOW_OPTIONS),
    directed=st.booleans(),
)
def test_two_level_invariant_under_relabelling_and_node_order(seed, n_modules, options, directed):
    rng = np.random.default_rng(seed)
    net = random_network(seed, n=int(rng.integers(2, 20)), directed=directed)
    n = net.n_nodes
    labels = rng.integers(0, n_modules, n)
    base = codelength(net, labels, **options)
    # relabel modules by any injective map
    new_ids = rng.permutation(1000)[:n_modules] * 3 + 5
    assert codelength(net, new_ids[labels], **options) == pytest.approx(base, rel=1e-12)
    # permute node order: node u becomes perm[u]
    perm = rng.permutation(n)
    moved = Network.from_edges(
        np.stack([perm[net.source], perm[net.target]], axis=1),
        net.weight,
        n_nodes=n,
        directed=directed,
    )
    moved_labels = np.empty_like(labels)
    moved_labels[perm] = labels
    assert codelength(moved, moved_labels, **options) == pytest.approx(base, rel=1e-12)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), options=st.sampled_from(FLOW_OPTIONS))
def test_multilevel_invariant_under_relabelling_and_node_order(seed, options):
    rng = np.random.default_rng(seed)
    net = random_network(seed, n=int(rng.integers(3, 20)))
    n = net.n_nodes
    paths = random_tree(rng, n)
    base = codelength(net, paths, **options)
    relabelled = paths.copy()
    for level in range(paths.shape[1]):
        new_ids = rng.permutation(50)
        present = paths[:, level] >= 0
        relabelled[present, level] = new_ids[paths[present, level]]
    assert codelength(net, relabelled, **options) == pytest.approx(base, rel=1e-12)
    assert codelength(net, infomap_layout(relabelled), **options) == pytest.approx(base, rel=1e-12)
    perm = rng.permutation(n)
    moved = Network.from_edges(
        np.stack([perm[net.source], perm[net.target]], axis=1), net.weight, n, directed=True
    )
    moved_paths = np.empty_like(paths)
    moved_paths[perm] = paths
    assert codelength(moved, moved_paths, **options) == pytest.approx(base, rel=1e-12)


# --------------------------------------------------------------------------------------
# input errors
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "labels",
    [np.zeros(5, int), np.zeros(7, int), np.zeros((6, 0), int), np.zeros((6, 2, 1), int), 3],
    ids=["short", "long", "no levels", "3-d", "scalar"],
)
def test_wrong_label_shape(labels):
    with pytest.raises(ValueError, match="shape"):
        codelength(Network.from_edges(TWO_TRIANGLES), labels)


@pytest.mark.parametrize(
    "labels",
    [np.zeros(6), np.array([0.0, 0, 0, 1, 1, 1.5]), np.zeros(6, bool), np.array(["a"] * 6)],
    ids=["float", "fractional", "bool", "str"],
)
def test_non_integer_labels(labels):
    with pytest.raises(ValueError, match="integers"):
        codelength(Network.from_edges(TWO_TRIANGLES), labels)


def test_negative_labels():
    with pytest.raises(ValueError, match="non-negative"):
        codelength(Network.from_edges(TWO_TRIANGLES), [0, 0, 0, 1, 1, -1])


@pytest.mark.parametrize(
    "paths",
    [
        [[0, 0], [0, 0], [0, 1], [1, 0], [1, -2], [1, 0]],  # below -1
        [[0, 0], [0, 0], [0, 1], [1, 0], [-1, -1], [1, 0]],  # no top module
        [[0, -1, 0], [0, 0, 0], [0, 1, 0], [1, 0, 0], [1, 0, 0], [1, 0, 0]],  # gap
    ],
    ids=["below -1", "no top module", "gap"],
)
def test_bad_multilevel_padding(paths):
    with pytest.raises(ValueError, match="multilevel labels"):
        codelength(Network.from_edges(TWO_TRIANGLES), np.array(paths))


def test_flow_options_are_validated():
    net = Network.from_edges(TWO_TRIANGLES)
    with pytest.raises(ValueError, match="markov_time"):
        codelength(net, [0, 0, 0, 1, 1, 1], markov_time=0)
    with pytest.raises(ValueError, match="flow_model"):
        codelength(net, [0, 0, 0, 1, 1, 1], flow_model="bogus")


def test_plogp_kernel_matches_the_numpy_reference():
    from infomap_learn.mapequation import _plogp_reference

    x = np.random.default_rng(0).random(1000)
    x[::7], x[::11] = 0.0, -1.0  # (zero and below: 0)
    np.testing.assert_allclose(plogp(x), _plogp_reference(x), rtol=1e-15, atol=1e-300)
    assert plogp(x.reshape(40, 25)).shape == (40, 25)
    assert plogp(0.0) == 0.0 and plogp(0.5) == -0.5


def test_plogp_of_a_number_is_the_kernels_value():
    """A number takes the fast path (no numpy), and gives the kernels' value to the bit:
    the search's bookkeeping and its kernels must agree on every term."""
    x = np.random.default_rng(1).random(2000) ** 3
    numbers = np.array([plogp(float(v)) for v in x])
    np.testing.assert_array_equal(numbers, plogp(x))
    assert [plogp(v) for v in (0, -1.0, np.float32(0.5), np.int64(1))] == [0.0, 0.0, -0.5, 0.0]
    assert isinstance(plogp(np.float64(0.25)), float)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), options=st.sampled_from(FLOW_OPTIONS))
def test_tree_kernel_matches_the_numpy_reference(seed, options):
    """``_tree_kernels.tree_codelength`` (behind ``hierarchical_codelength``) and its plain
    numpy reference agree on random trees of up to three module levels, with teleportation
    recorded or not, and on the one-column and one-module trees."""
    from infomap_learn.mapequation import _hierarchical_codelength_reference

    rng = np.random.default_rng(seed)
    net = random_network(seed, n=int(rng.integers(3, 30)))
    flow = compute_flow(net, **options)
    n = net.n_nodes
    for paths in (random_tree(rng, n), rng.integers(0, 4, (n, 1)), np.zeros((n, 1), int)):
        fast = hierarchical_codelength(flow, paths)
        slow = _hierarchical_codelength_reference(flow, paths)
        for a, b in zip(
            (fast.codelength, fast.index_codelength, fast.module_codelength),
            (slow.codelength, slow.index_codelength, slow.module_codelength),
            strict=True,
        ):
            assert a == pytest.approx(b, rel=1e-12, abs=1e-12)


def test_codelength_of_a_module_tree_is_its_own():
    from infomap_learn import Network, codelength, infomap

    edges = np.array([[0, 1], [1, 2], [2, 0], [3, 4], [4, 5], [5, 3], [2, 3], [5, 6], [6, 0]])
    network = Network.from_edges(edges)
    tree = infomap(network, seed=1)
    assert codelength(network, tree) == pytest.approx(tree.codelength, rel=1e-12)
