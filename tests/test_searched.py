"""The nodes a search works on and their numbering (search/_searched.py, _order_kernel.py)."""

from __future__ import annotations

import weakref

import numpy as np
import pytest
from sklearn.metrics import normalized_mutual_info_score

from infomap_learn import Network, codelength, compute_flow, infomap
from infomap_learn import search as S
from infomap_learn.datasets import planted_partition
from infomap_learn.mapequation import hierarchical_codelength
from infomap_learn.search import _constants as constants
from infomap_learn.search import _front
from infomap_learn.search._order_kernel import (
    moved_columns,
    moved_ptr,
    moved_rows_reference,
    moved_values,
)
from infomap_learn.search._searched import (
    flow_moved,
    module_order,
    numbers_of,
    without_isolated_nodes,
)
from infomap_learn.search._two_level import _two_level_search_stepwise, find_modules
from tests.test_search import FLOW_OPTIONS, random_network

FLOW_FIELDS = ("node_flow", "out_ptr", "out_idx", "out_flow", "in_ptr", "in_idx", "in_flow")


def _shuffled(net: Network, seed: int) -> tuple[Network, np.ndarray]:
    """``net`` with its nodes numbered at random, and each new node's old id."""
    old_of_new = np.random.default_rng(seed).permutation(net.n_nodes)
    new_of_old = np.argsort(old_of_new)
    edges = np.stack([new_of_old[net.source], new_of_old[net.target]], axis=1)
    shuffled = Network.from_edges(edges, net.weight, n_nodes=net.n_nodes, directed=net.directed)
    return shuffled, old_of_new


@pytest.mark.parametrize("seed", range(6))
def test_moved_rows_kernels_match_the_reference(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 60))
    counts = rng.integers(0, 5, n) * (rng.random(n) < 0.8)  # (some rows empty)
    ptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    n_rows = n + int(rng.integers(0, 4))  # (into more rows: the ones no row takes are empty)
    place = rng.permutation(n_rows)[:n].astype(np.int64)
    idx = rng.integers(0, n, ptr[-1]).astype(np.int32)
    values = rng.random(ptr[-1])
    new_ptr = moved_ptr(place, ptr, n_rows)
    got = (
        new_ptr,
        moved_columns(place, ptr, new_ptr, idx),
        moved_values(place, ptr, new_ptr, values),
    )
    want = moved_rows_reference(place, ptr, idx, values, n_rows)
    for a, b in zip(got, want):
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("options", FLOW_OPTIONS)
@pytest.mark.parametrize("directed", [False, True])
def test_a_flow_moved_and_moved_back_is_the_same_flow(options, directed):
    flow = compute_flow(random_network(3, n=50, directed=directed), **options)
    place = np.random.default_rng(0).permutation(flow.n_nodes)
    holder = [flow]
    moved = flow_moved(holder, place, flow.n_nodes, threads=2)
    assert holder == []
    # node u of the flow is node place[u] of the moved one, its links renamed
    u = 7
    row = slice(moved.out_ptr[place[u]], moved.out_ptr[place[u] + 1])
    links = flow.out_idx[flow.out_ptr[u] : flow.out_ptr[u + 1]]
    np.testing.assert_array_equal(moved.out_idx[row], place[links])
    assert moved.node_flow[place[u]] == flow.node_flow[u]
    back = flow_moved([moved], np.argsort(place), flow.n_nodes)
    for name in FLOW_FIELDS + ("teleport_source", "teleport_target"):
        a, b = getattr(back, name), getattr(flow, name)
        if b is None:
            assert a is None
        else:
            assert a.dtype == b.dtype
            np.testing.assert_array_equal(a, b)
    assert (back.undirected, back.flow_model) == (flow.undirected, flow.flow_model)
    assert (back.in_idx is back.out_idx) == flow.undirected


def test_the_searched_nodes_moved_back_among_the_isolated_ones_are_the_whole_flow():
    edges = np.array([[0, 2], [2, 5], [5, 0], [5, 6], [6, 8], [8, 9], [9, 6]])
    full = compute_flow(Network.from_edges(edges, n_nodes=11, directed=True))
    flow, searched = without_isolated_nodes(full)
    assert searched.tolist() == [0, 2, 5, 6, 8, 9]
    order = module_order(np.array([1, 0, 1, 0, 1, 0]))
    moved = flow_moved([flow], np.argsort(order), flow.n_nodes)
    back = flow_moved([moved], searched[order], full.n_nodes)
    for name in FLOW_FIELDS:
        np.testing.assert_array_equal(getattr(back, name), getattr(full, name))


def test_flow_moved_releases_each_old_array():
    flow = compute_flow(random_network(4, n=60, directed=True))
    olds = [weakref.ref(getattr(flow, name)) for name in FLOW_FIELDS]
    holder = [flow]
    del flow
    moved = flow_moved(holder, np.arange(60)[::-1].copy(), 60)
    assert all(old() is None for old in olds)
    assert moved.n_nodes == 60


def test_module_order_lists_the_nodes_module_by_module_in_their_order():
    order = module_order(np.array([2, 0, 2, 1, 0]))
    assert order.tolist() == [1, 4, 3, 0, 2]
    assert numbers_of(order).tolist() == [3, 0, 4, 2, 1]


def test_a_search_from_its_first_modules_is_the_search():
    net = random_network(5, n=120, p=0.05)
    units = S.leaf_units(compute_flow(net))
    whole = _two_level_search_stepwise(units, S.new_context(units, 3), keep_submodules=True)
    ctx = S.new_context(units, 3)
    first = list(find_modules(units, ctx))
    resumed = S.two_level_search(units, ctx, keep_submodules=True, first_modules=first)
    assert first == []
    np.testing.assert_array_equal(whole[0], resumed[0])
    assert whole[1] == resumed[1]
    assert (whole[2] is None) == (resumed[2] is None)


def _spied(monkeypatch, min_nodes: int) -> list:
    """Renumbering from ``min_nodes`` nodes on; the list of the flows it renumbers."""
    monkeypatch.setattr(constants, "MODULE_ORDER_MIN_NODES", min_nodes)
    calls = []
    real = _front.flow_moved

    def spy(holder, place, n_nodes, threads=1):
        calls.append(n_nodes)
        return real(holder, place, n_nodes, threads)

    monkeypatch.setattr(_front, "flow_moved", spy)
    return calls


@pytest.mark.parametrize("two_level", [True, False])
@pytest.mark.parametrize("directed", [False, True])
def test_a_search_numbered_by_its_modules_finds_the_planted_modules(
    monkeypatch, two_level, directed
):
    planted, truth = planted_partition(8, 40, 0.3, 0.01, seed=1, directed=directed)
    net, old_of_new = _shuffled(planted, 2)
    calls = _spied(monkeypatch, 100)
    tree = infomap(net, two_level=two_level, seed=1, num_trials=3)
    assert calls == [net.n_nodes] * 2  # (renumbered, and moved back for the tree)
    assert normalized_mutual_info_score(truth[old_of_new], tree.labels) == 1.0
    # the tree is the network's: its codelength is that of its paths on the flow
    expected = hierarchical_codelength(compute_flow(net), tree.paths).codelength
    assert tree.codelength == pytest.approx(expected, rel=1e-9)


def test_a_search_numbered_by_its_modules_is_as_short_as_in_input_order(monkeypatch):
    net = random_network(6, n=300, p=0.03, weighted=True)
    plain = [infomap(net, two_level=two, seed=2, num_trials=2) for two in (True, False)]
    calls = _spied(monkeypatch, 100)
    ordered = [infomap(net, two_level=two, seed=2, num_trials=2) for two in (True, False)]
    assert calls == [300] * 4
    for a, b in zip(plain, ordered):
        assert b.codelength <= a.codelength * 1.01
    # the same for any number of threads
    again = infomap(net, two_level=False, seed=2, num_trials=2, n_jobs=2)
    np.testing.assert_array_equal(again.labels, ordered[1].labels)
    assert again.codelength == ordered[1].codelength


def test_nodes_left_out_of_a_renumbered_search_are_modules_of_their_own(monkeypatch):
    planted, truth = planted_partition(4, 30, 0.4, 0.01, seed=3)
    edges = np.stack([planted.source, planted.target], axis=1) * 2  # (odd ids: no links)
    net = Network.from_edges(edges, n_nodes=2 * planted.n_nodes)
    calls = _spied(monkeypatch, 50)
    tree = infomap(net, two_level=True, seed=1)
    assert calls == [planted.n_nodes, net.n_nodes]
    labels = tree.labels
    assert normalized_mutual_info_score(truth, labels[::2]) == 1.0
    assert np.unique(labels[1::2]).size == planted.n_nodes
    assert not np.isin(labels[1::2], labels[::2]).any()


def test_searches_from_initial_modules_keep_the_input_numbering(monkeypatch):
    net, truth = planted_partition(4, 30, 0.4, 0.01, seed=3)
    calls = _spied(monkeypatch, 10)
    infomap(net, two_level=True, seed=1, initial_partition=truth)
    assert calls == []
    infomap(net, two_level=True, seed=1)
    assert calls == [net.n_nodes] * 2


def _state_network(seed: int) -> Network:
    """State nodes linked as a planted partition whose modules are not the states' number
    ranges (so that the renumbering moves them), 3 of a module's states per physical
    node."""
    planted, truth = planted_partition(6, 40, 0.3, 0.02, seed=seed, directed=True)
    planted, old_of_new = _shuffled(planted, 1)
    physical = np.empty(planted.n_nodes, dtype=np.int64)
    physical[np.argsort(truth[old_of_new], kind="stable")] = np.arange(planted.n_nodes) // 3
    links = np.stack([planted.source, planted.target], axis=1)
    return Network.from_states(physical, links, directed=True)


@pytest.mark.parametrize("two_level", [True, False])
@pytest.mark.parametrize("kind", ["meta data", "state network"])
def test_meta_data_and_physical_nodes_are_renumbered_with_the_flow(monkeypatch, two_level, kind):
    """The searches on the renumbered nodes, their meta data or physical nodes with them,
    are as short as in the input's numbering, and the tree's codelength is that of its
    paths in the network's numbering."""
    if kind == "meta data":
        planted, truth = planted_partition(6, 40, 0.3, 0.02, seed=5)
        net, old_of_new = _shuffled(planted, 3)
        options = {"meta_data": (truth[old_of_new] + np.arange(net.n_nodes) % 2) % 4,
                   "meta_data_rate": 0.5}  # fmt: skip
    else:
        net, options = _state_network(5), {}
    kwargs = dict(two_level=two_level, seed=1, num_trials=2, **options)
    plain = infomap(net, **kwargs)
    calls = _spied(monkeypatch, 100)
    ordered = infomap(net, **kwargs)
    assert calls == [net.n_nodes] * 2
    assert min(ordered.trial_codelengths) == pytest.approx(ordered.codelength, rel=1e-9)
    assert ordered.codelength == pytest.approx(codelength(net, ordered, **options), rel=1e-9)
    # (every trial: the ones after the first search the renumbered nodes from the start)
    assert max(ordered.trial_codelengths) <= plain.codelength * 1.01
    again = infomap(net, **kwargs, n_jobs=2)
    np.testing.assert_array_equal(again.labels, ordered.labels)


def test_large_aggregations_return_freed_memory_first(monkeypatch):
    from infomap_learn.search import _memory, _units

    assert (_memory._malloc_trim() is not None) is _memory.release_freed_memory()
    calls = []
    monkeypatch.setattr(_units, "release_freed_memory", lambda: calls.append(1))
    units = S.leaf_units(compute_flow(random_network(8, n=60)))
    labels = np.arange(60) % 7
    small = S.aggregate(units, labels, 7)
    assert calls == []
    monkeypatch.setattr(constants, "AGGREGATE_EXACT_MIN_LINKS", 1)
    large = S.aggregate(units, labels, 7)
    assert calls == [1]
    np.testing.assert_array_equal(small.out_flow, large.out_flow)
    monkeypatch.setattr(_memory, "_malloc_trim", lambda: None)
    assert _memory.release_freed_memory() is False


def test_the_first_trial_goes_on_from_the_renumbering_step(monkeypatch):
    import numba

    calls = _spied(monkeypatch, 100)
    used = []
    real = _front.two_level_search

    def spy(*args, first_modules=None, **kwargs):
        used.append(first_modules is not None)
        return real(*args, first_modules=first_modules, **kwargs)

    monkeypatch.setattr(_front, "two_level_search", spy)
    net, _ = planted_partition(6, 40, 0.3, 0.01, seed=4)
    numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    threads = numba.get_num_threads()
    for two_level, preferred in ((True, None), (False, None), (True, 3)):
        used.clear()
        infomap(net, two_level=two_level, seed=1, num_trials=2,
                preferred_number_of_modules=preferred)  # fmt: skip
        assert used.count(True) == 1 and used[0]
    assert len(calls) == 6
    # (the renumbering's kernels give the caller's numba thread count back)
    assert numba.get_num_threads() == threads


def test_first_modules_are_the_first_steps_alone():
    units = S.leaf_units(compute_flow(random_network(5, n=40)))
    ctx = S.new_context(units, 1)
    first = list(find_modules(units, ctx))
    with pytest.raises(ValueError, match="first step"):
        S.two_level_search(units, ctx, initial=np.zeros(40, np.int64), first_modules=first)
