"""Large networks searched in a renumbered order (search/_locality.py): the kernels against
their references, and searches whose tree is numbered back to the input's nodes."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import normalized_mutual_info_score

from infomap_learn import Network, codelength, compute_flow, infomap
from infomap_learn.datasets import planted_partition
from infomap_learn.search import _constants as constants
from infomap_learn.search._locality import (
    locality_order,
    permuted_rows,
    permuted_rows_reference,
    propagated_labels,
    propagated_labels_reference,
    renumbered,
)


@st.composite
def flows(draw, directed=None):
    n = draw(st.integers(2, 30))
    m = draw(st.integers(1, 80))
    source = draw(st.lists(st.integers(0, n - 1), min_size=m, max_size=m))
    target = draw(st.lists(st.integers(0, n - 1), min_size=m, max_size=m))
    # few distinct weights: ties between labels are common
    weight = draw(st.lists(st.sampled_from([0.5, 1.0, 2.0]), min_size=m, max_size=m))
    is_directed = draw(st.booleans()) if directed is None else directed
    net = Network.from_edges(
        np.column_stack([source, target]), weights=np.array(weight), n_nodes=n,
        directed=is_directed,
    )  # fmt: skip
    return compute_flow(net)


@settings(max_examples=60, deadline=None)
@given(flows(), st.integers(1, 4))
def test_label_propagation_kernel_matches_its_reference(flow, sweeps):
    labels = propagated_labels(
        flow.out_ptr, flow.out_idx, flow.out_flow, flow.in_ptr, flow.in_idx, flow.in_flow,
        flow.undirected, sweeps,
    )  # fmt: skip
    np.testing.assert_array_equal(labels, propagated_labels_reference(flow, sweeps))


@settings(max_examples=60, deadline=None)
@given(flows(), st.randoms(use_true_random=False))
def test_row_permutation_kernel_matches_its_reference(flow, rng):
    order = np.array(rng.sample(range(flow.n_nodes), flow.n_nodes), dtype=np.int64)
    new_id = np.empty_like(order)
    new_id[order] = np.arange(order.size)
    args = (flow.out_ptr, flow.out_idx, flow.out_flow, order, new_id)
    for got, expected in zip(permuted_rows(*args), permuted_rows_reference(*args)):
        np.testing.assert_array_equal(got, expected)
        assert got.dtype == expected.dtype


@settings(max_examples=40, deadline=None)
@given(flows(), st.randoms(use_true_random=False))
def test_renumbered_flow_is_the_same_walk(flow, rng):
    order = np.array(rng.sample(range(flow.n_nodes), flow.n_nodes), dtype=np.int64)
    moved = renumbered(flow, order)
    np.testing.assert_array_equal(moved.node_flow, flow.node_flow[order])
    new_id = np.argsort(order)
    # every link keeps its flow between the same (renumbered) nodes
    for ptr, idx, fl, moved_csr in (
        (flow.out_ptr, flow.out_idx, flow.out_flow, (moved.out_ptr, moved.out_idx, moved.out_flow)),
        (flow.in_ptr, flow.in_idx, flow.in_flow, (moved.in_ptr, moved.in_idx, moved.in_flow)),
    ):
        rows = np.repeat(np.arange(flow.n_nodes), np.diff(ptr))
        moved_rows = np.repeat(np.arange(flow.n_nodes), np.diff(moved_csr[0]))
        links = sorted(zip(new_id[rows].tolist(), new_id[idx].tolist(), fl.tolist()))
        moved_links = zip(moved_rows.tolist(), moved_csr[1].tolist(), moved_csr[2].tolist())
        assert links == sorted(moved_links)
    back = renumbered(moved, new_id)
    for name in ("node_flow", "out_ptr", "out_idx", "out_flow", "in_ptr", "in_idx", "in_flow"):
        np.testing.assert_array_equal(getattr(back, name), getattr(flow, name))
    assert back.undirected == flow.undirected and (moved.out_idx is moved.in_idx) == flow.undirected


def test_order_groups_the_planted_modules():
    net, planted = _shuffled(
        *planted_partition(n_modules=6, module_size=40, p_in=0.4, p_out=0.005, seed=2), seed=0
    )
    order = locality_order(compute_flow(net), constants.LOCALITY_SWEEPS)

    def spans(module_of_position):
        """Per planted module, the positions from its first node to its last."""
        positions = np.arange(module_of_position.size)
        first = np.full(6, module_of_position.size)
        last = np.zeros(6, dtype=np.int64)
        np.minimum.at(first, module_of_position, positions)
        np.maximum.at(last, module_of_position, positions)
        return last - first + 1

    # (label propagation may give two modules one label: they share a stretch)
    assert spans(planted[order]).max() <= 2 * 40
    assert spans(planted).min() > 200  # (the input order: every module all over)


@pytest.fixture
def renumber_every_network(monkeypatch):
    monkeypatch.setattr(constants, "LOCALITY_ORDER_MIN_NODES", 0)


def _shuffled(net: Network, planted: np.ndarray, seed: int, scale: int = 1):
    """``net`` with its nodes in a random order (node ``u`` as ``scale`` times its new id),
    and the planted modules of the new ids (of the ``scale`` multiples)."""
    new_id = np.random.default_rng(seed).permutation(net.n_nodes)
    edges = np.column_stack([new_id[net.source], new_id[net.target]]) * scale
    shuffled = Network.from_edges(
        edges, weights=net.weight, n_nodes=scale * net.n_nodes, directed=net.directed
    )
    return shuffled, planted[np.argsort(new_id)]


def _shuffled_planted(directed=False, seed=1, scale=1):
    net, planted = planted_partition(
        n_modules=5, module_size=30, p_in=0.3, p_out=0.01, seed=seed, directed=directed
    )
    return _shuffled(net, planted, seed, scale)


@pytest.mark.parametrize("two_level", [True, False])
@pytest.mark.parametrize("directed", [False, True])
def test_renumbered_search_returns_the_input_nodes_tree(
    renumber_every_network, two_level, directed
):
    net, planted = _shuffled_planted(directed)
    tree = infomap(net, two_level=two_level, num_trials=3, seed=4)
    # the tree's codelength (on the flow in input order) is its best trial's (on the
    # renumbered flow), and the labels are the input nodes'
    assert tree.codelength == pytest.approx(min(tree.trial_codelengths), abs=1e-10)
    if two_level:
        assert tree.codelength == pytest.approx(codelength(net, tree.labels), abs=1e-10)
    assert normalized_mutual_info_score(planted, tree.labels) == pytest.approx(1.0)
    again = infomap(net, two_level=two_level, num_trials=3, seed=4, n_jobs=2)
    np.testing.assert_array_equal(again.labels, tree.labels)


def test_renumbered_search_with_isolated_nodes_meta_data_and_initial_modules(
    renumber_every_network,
):
    sparse, planted = _shuffled_planted(scale=2)  # every odd node isolated
    categories = np.arange(sparse.n_nodes) % 3
    initial = np.repeat(planted, 2)
    tree = infomap(
        sparse, two_level=True, seed=2, meta_data=categories, meta_data_rate=0.5,
        initial_partition=initial,
    )  # fmt: skip
    assert tree.codelength == pytest.approx(min(tree.trial_codelengths), abs=1e-10)
    linked = tree.labels[::2]
    assert normalized_mutual_info_score(planted, linked) == pytest.approx(1.0)
    # each isolated node a module of its own
    isolated = tree.labels[1::2]
    assert np.unique(isolated).size == isolated.size
    assert not np.isin(isolated, linked).any()
