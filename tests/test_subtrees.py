"""Mixing two module trees with the same top modules (search/_subtrees.py)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from infomap_learn import compute_flow, infomap
from infomap_learn.mapequation import (
    MetaData,
    hierarchical_codelength,
    with_meta,
    with_module_cost,
)
from infomap_learn.paths import prefix_keys
from infomap_learn.search._subtrees import _subtree_codelengths, best_subtrees
from tests.test_hierarchy import (
    FLOW_OPTIONS,
    SETTINGS,
    assert_valid_tree,
    nested_sbm,
    random_tree,
)


def resplit(rng, paths, top_modules):
    """``paths`` with the subtrees of the top modules ``top_modules`` drawn again."""
    other = paths.copy()
    top = prefix_keys(paths)[0]
    for module in top_modules:
        nodes = np.flatnonzero(top == module)
        below = random_tree(rng, len(nodes), max_depth=3)
        width = max(other.shape[1], below.shape[1] + 1)
        other = np.pad(other, ((0, 0), (0, width - other.shape[1])), constant_values=-1)
        other[nodes, 1:] = -1
        if len(nodes) > 2:  # (else the module stays a leaf)
            other[nodes, 1 : 1 + below.shape[1]] = below
    return other


def full_codelength(flow, paths, meta, cost):
    parts = hierarchical_codelength(flow, paths)
    return with_meta(with_module_cost(parts, paths, cost), paths, meta).codelength


def two_trees(seed, options, meta_rate, cost):
    net = nested_sbm(seed, (2, 3, 4), directed="flow_model" in options, weighted=True)
    flow = compute_flow(net, **options)
    rng = np.random.default_rng(seed)
    paths = random_tree(rng, net.n_nodes, leaf_probability=0.2)
    n_top = int(prefix_keys(paths)[0].max()) + 1
    other = resplit(rng, paths, rng.choice(n_top, rng.integers(1, n_top + 1), replace=False))
    categories = rng.integers(0, 3, net.n_nodes)
    meta = MetaData(categories, np.full(net.n_nodes, 1 / net.n_nodes), meta_rate)
    return flow, paths, other, (meta if meta_rate else None), cost


@SETTINGS
@given(
    seed=st.integers(0, 10_000),
    options=st.sampled_from(FLOW_OPTIONS),
    meta_rate=st.sampled_from([0.0, 1.0, 2.5]),
    cost=st.sampled_from([0.0, 0.05]),
)
def test_the_shares_differ_as_the_codelengths_of_trees_with_the_same_top(
    seed, options, meta_rate, cost
):
    flow, paths, other, meta, cost = two_trees(seed, options, meta_rate, cost)
    mine = _subtree_codelengths(flow, paths, meta, cost)
    theirs = _subtree_codelengths(flow, other, meta, cost)
    assert mine.shape == theirs.shape == (int(prefix_keys(paths)[0].max()) + 1,)
    change = full_codelength(flow, other, meta, cost) - full_codelength(flow, paths, meta, cost)
    assert theirs.sum() - mine.sum() == pytest.approx(change, abs=1e-10)


@SETTINGS
@given(
    seed=st.integers(0, 10_000),
    options=st.sampled_from(FLOW_OPTIONS),
    meta_rate=st.sampled_from([0.0, 1.0]),
)
def test_the_mixed_tree_is_valid_keeps_the_top_and_is_the_shortest(seed, options, meta_rate):
    flow, paths, other, meta, cost = two_trees(seed, options, meta_rate, 0.0)
    mixed = best_subtrees(flow, paths, other, meta, cost)
    assert_valid_tree(mixed)
    np.testing.assert_array_equal(prefix_keys(mixed)[0], prefix_keys(paths)[0])
    lengths = [full_codelength(flow, tree, meta, cost) for tree in (paths, other, mixed)]
    assert lengths[2] <= min(lengths[:2]) + 1e-12
    # each top module's share is the smaller of the two
    best = np.minimum(
        _subtree_codelengths(flow, paths, meta, cost), _subtree_codelengths(flow, other, meta, cost)
    )
    np.testing.assert_allclose(_subtree_codelengths(flow, mixed, meta, cost), best, atol=1e-12)


def test_a_tree_mixed_with_itself_is_unchanged():
    net = nested_sbm(2, (2, 3, 4))
    flow = compute_flow(net)
    paths = random_tree(np.random.default_rng(2), net.n_nodes, leaf_probability=0.2)
    np.testing.assert_array_equal(best_subtrees(flow, paths, paths.copy()), paths)


def test_meta_data_searches_keep_the_grouped_modules_where_shorter(monkeypatch):
    # Groups of cliques, with categories that cut across the cliques: a search of a group
    # from its nodes ends at modules of one category over several cliques; the subtree
    # below the cliques is shorter in nearly every trial.
    from infomap_learn.search import _front

    net = nested_sbm(0, (3, 3, 6), p=(1.0, 0.12, 0.0))
    categories = (np.arange(net.n_nodes) * 7 // 5) % 3
    options = {"meta_data": categories, "meta_data_unweighted": True}
    mixed = np.array(infomap(net, num_trials=20, seed=1, **options).trial_codelengths)
    monkeypatch.setattr(_front, "best_subtrees", lambda flow, paths, *_: paths)
    searched = np.array(infomap(net, num_trials=20, seed=1, **options).trial_codelengths)
    assert mixed.mean() < searched.mean() - 1e-3
