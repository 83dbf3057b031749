"""Moving a module under a sibling module of modules (``search/_absorb.py``): the change
each move makes, checked against the codelength of the tree moved by hand, and the
finished trees."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from infomap_learn import ModuleTree, compute_flow, infomap
from infomap_learn.mapequation import hierarchical_codelength
from infomap_learn.paths import leaf_module_ids, prefix_keys
from infomap_learn.search._absorb import _apply, _deltas, _Levels, absorb_deltas, absorb_modules
from tests.test_hierarchy import (
    FLOW_OPTIONS,
    SETTINGS,
    TREE_CASES,
    assert_valid_tree,
    found_or_random_tree,
    nested_sbm,
    random_tree,
    same_tree,
)


def absorbed_by_hand(paths, level, mover, receiver):
    """The tree with module ``mover`` (a key at ``level``) put under ``receiver`` as a new
    child, written row by row."""
    keys = prefix_keys(paths)[level]
    rows = []
    receiver_row = paths[np.flatnonzero(keys == receiver)[0]]
    new_id = int(paths[:, level + 1].max()) + 1
    for u, row in enumerate(paths.tolist()):
        if keys[u] == mover:
            row = [*receiver_row[: level + 1].tolist(), new_id, *row[level + 1 :]]
        rows.append(row)
    depth = max(len(r) for r in rows)
    grown = np.array([r + [-1] * (depth - len(r)) for r in rows], dtype=np.int64)
    while (grown[:, -1] < 0).all():
        grown = grown[:, :-1]
    return grown


@SETTINGS
@given(
    seed=st.integers(0, 10_000),
    directed=st.booleans(),
    options=st.sampled_from(FLOW_OPTIONS),
    level=st.integers(0, 2),
)
def test_each_move_changes_the_codelength_by_its_delta(seed, directed, options, level):
    net = nested_sbm(seed, (2, 3, 4), directed=directed, weighted=True)
    flow = compute_flow(net, **options)
    paths = random_tree(np.random.default_rng(seed), net.n_nodes, leaf_probability=0.2)
    assume(level < paths.shape[1] - 1)
    movers, receivers, deltas = absorb_deltas(flow, paths, level)
    assume(len(movers))
    before = hierarchical_codelength(flow, paths).codelength
    for mover, receiver, delta in zip(movers, receivers, deltas, strict=True):
        moved = absorbed_by_hand(paths, level, mover, receiver)
        # (a parent of just the two is left with one child, which the search collapses)
        assert_valid_tree(moved, single_child_modules=True)
        after = hierarchical_codelength(flow, moved).codelength
        assert delta == pytest.approx(after - before, abs=1e-12)


@SETTINGS
@given(seed=st.integers(0, 10_000), options=st.sampled_from(FLOW_OPTIONS), level=st.integers(1, 2))
def test_a_round_of_moves_changes_the_codelength_by_its_batch_delta(seed, options, level):
    net = nested_sbm(seed, (2, 4, 4), directed="flow_model" in options, weighted=True)
    flow = compute_flow(net, **options)
    paths = random_tree(np.random.default_rng(seed), net.n_nodes, leaf_probability=0.1)
    assume(level < paths.shape[1] - 1)
    moves = _deltas(_Levels(flow, paths), level)
    assume(len(moves.mover) > 1)
    # a set of moves that share no module, in a random order of preference
    used, chosen = set(), []
    for i in np.random.default_rng(seed).permutation(len(moves.mover)).tolist():
        pair = {int(moves.mover[i]), int(moves.receiver[i])}
        if not pair & used:
            used |= pair
            chosen.append(i)
    key = prefix_keys(paths)[level]
    moved = _apply(paths, key, level, moves.mover[chosen], moves.receiver[chosen])
    change = (
        hierarchical_codelength(flow, moved).codelength
        - hierarchical_codelength(flow, paths).codelength
    )
    assert moves.batch_delta(np.array(chosen)) == pytest.approx(change, abs=1e-12)


def astray_tree(rng, sizes=(2, 3, 8)):
    """The tree of :func:`nested_sbm`'s groups, two to a top module, and their blocks,
    with one block of each of three groups left beside its group, as a leaf module."""
    block = np.arange(int(np.prod(sizes))) // sizes[2]
    group = block // sizes[1]
    paths = np.stack([group // 2, group % 2, block % sizes[1]], axis=1)
    for g in rng.choice(sizes[0], 3, replace=False):
        astray = block == g * sizes[1] + rng.integers(sizes[1])
        paths[astray] = [g // 2, 2 + g, -1]
    return paths


VARIANTS = [
    {"entropy_corrected": True},
    {"preferred_number_of_modules": 3},
    {"regularized": True},
    {"variable_markov_time": True},
    {"meta_data": np.arange(96) % 3},
]


def _scored(net, flow, paths, options, path):
    ModuleTree.from_paths(flow, paths).write_tree(path)
    return ModuleTree.read(path, net, **options).codelength


@pytest.mark.parametrize("options", VARIANTS, ids=lambda o: next(iter(o)))
def test_moves_shorten_every_variant_of_the_map_equation(options, tmp_path):
    # the moves keep the leaf and the top modules, so the terms of the variants either
    # stay or (a parent left with one child loses a module) shorten
    net = nested_sbm(2, (4, 3, 8), p=(0.9, 0.15, 0.01))
    flow = infomap(net, num_trials=1, seed=1, **options).flow
    rng = np.random.default_rng(0)
    for _ in range(5):
        paths = astray_tree(rng, (4, 3, 8))
        absorbed = absorb_modules(flow, paths)
        assert absorbed is not paths
        plain = (
            hierarchical_codelength(flow, absorbed).codelength
            - hierarchical_codelength(flow, paths).codelength
        )
        full = _scored(net, flow, absorbed, options, tmp_path / "a.tree") - _scored(
            net, flow, paths, options, tmp_path / "b.tree"
        )
        assert plain < 0
        assert full <= plain + 1e-9


@SETTINGS
@given(seed=st.integers(0, 10_000), options=st.sampled_from(FLOW_OPTIONS))
def test_absorbed_trees_are_valid_never_longer_and_keep_the_top(seed, options):
    net = nested_sbm(seed, (2, 3, 4), directed="flow_model" in options, weighted=True)
    flow = compute_flow(net, **options)
    paths = random_tree(np.random.default_rng(seed), net.n_nodes, leaf_probability=0.2)
    absorbed = absorb_modules(flow, paths)
    assert_valid_tree(absorbed)
    before = hierarchical_codelength(flow, paths).codelength
    assert hierarchical_codelength(flow, absorbed).codelength <= before + 1e-12
    np.testing.assert_array_equal(prefix_keys(absorbed)[0], prefix_keys(paths)[0])
    if absorbed is not paths:
        assert hierarchical_codelength(flow, absorbed).codelength < before


def test_a_block_left_beside_its_group_goes_back_under_it():
    # 2 halves of 2 groups of 3 blocks; one block of group (0, 0) sits beside its group
    # in the tree, as a leaf module of the half
    net = nested_sbm(3, (4, 3, 8), p=(0.9, 0.2, 0.005))
    group_of_block = np.arange(12) // 3
    block = np.arange(net.n_nodes) // 8
    half, group = group_of_block[block] // 2, group_of_block[block] % 2
    truth = np.stack([half, group, block % 3], axis=1)
    paths = truth.copy()
    astray = block == 2
    paths[astray] = [0, 2, -1]
    flow = compute_flow(net)
    absorbed = absorb_modules(flow, paths)
    assert same_tree(absorbed, truth, flow.node_flow)
    assert (
        hierarchical_codelength(flow, absorbed).codelength
        < hierarchical_codelength(flow, paths).codelength
    )


def test_a_block_left_at_the_top_goes_under_its_group_only_with_top_moves():
    # 3 groups of 3 blocks; one block of group 0 sits beside its group at the top
    net = nested_sbm(4, (3, 3, 8), p=(0.9, 0.2, 0.005))
    block = np.arange(net.n_nodes) // 8
    truth = np.stack([block // 3, block % 3], axis=1)
    paths = truth.copy()
    astray = block == 2
    paths[astray] = [3, -1]
    flow = compute_flow(net)
    assert absorb_modules(flow, paths) is paths  # (below the top nothing is astray)
    absorbed = absorb_modules(flow, paths, top_level=True)
    assert same_tree(absorbed, truth, flow.node_flow)
    assert (
        hierarchical_codelength(flow, absorbed).codelength
        < hierarchical_codelength(flow, paths).codelength
    )


@SETTINGS
@given(seed=st.integers(0, 10_000), options=st.sampled_from(FLOW_OPTIONS))
def test_top_moves_give_valid_trees_never_longer_with_the_same_leaf_modules(seed, options):
    net = nested_sbm(seed, (2, 3, 4), directed="flow_model" in options, weighted=True)
    flow = compute_flow(net, **options)
    paths = random_tree(np.random.default_rng(seed), net.n_nodes, leaf_probability=0.2)
    absorbed = absorb_modules(flow, paths, top_level=True)
    assert_valid_tree(absorbed)
    before = hierarchical_codelength(flow, paths).codelength
    assert hierarchical_codelength(flow, absorbed).codelength <= before + 1e-12
    np.testing.assert_array_equal(leaf_module_ids(absorbed), leaf_module_ids(paths))
    n_modules = [sum(int(k.max()) + 1 for k in prefix_keys(t)) for t in (paths, absorbed)]
    # (a parent left with one child loses the level between: one module fewer each)
    assert n_modules[1] <= n_modules[0]


def test_the_search_moves_top_modules_unless_asked_not_to():
    # digits with the variable Markov time: a module of 8 nodes beside its neighbour of
    # 45 at the top codes shorter under it (Infomap's best tree has it there)
    from sklearn.datasets import load_digits

    from infomap_learn.adapters.knn import knn_graph

    net = knn_graph(load_digits().data[::4], n_neighbors=10, method="exact", hubness=None)
    options = {"variable_markov_time": True, "num_trials": 3, "seed": 1}
    moved = infomap(net, **options)
    kept = infomap(net, move_top_modules=False, **options)
    assert moved.codelength < kept.codelength - 1e-3
    assert moved.num_top_modules < kept.num_top_modules
    assert kept.options["move_top_modules"] is False
    assert "move_top_modules" not in moved.options
    with pytest.raises(ValueError, match="move_top_modules must be True or False"):
        infomap(net, move_top_modules="yes")


def test_nothing_to_move_returns_the_same_tree():
    net = nested_sbm(1, (2, 2, 6))
    flow = compute_flow(net)
    paths = np.repeat(np.arange(4), 6)[:, None]  # (one level: no module of modules)
    assert absorb_modules(flow, paths) is paths


def test_the_search_with_the_move_is_never_longer_trial_by_trial(monkeypatch):
    from sklearn.datasets import make_blobs

    from infomap_learn.adapters.knn import knn_graph
    from infomap_learn.search import _front

    X, _ = make_blobs(600, centers=6, cluster_std=2.5, random_state=0)
    net = knn_graph(X, n_neighbors=10, weighting="jaccard", method="exact")
    with_move = np.array(infomap(net, num_trials=6, seed=3).trial_codelengths)
    monkeypatch.setattr(_front, "absorb_modules", lambda flow, paths, **_: paths)
    without = np.array(infomap(net, num_trials=6, seed=3).trial_codelengths)
    assert np.all(with_move <= without + 1e-12)
    assert np.any(with_move < without - 1e-6)  # (the move finds something here)


@SETTINGS
@given(**TREE_CASES, top_level=st.booleans())
def test_absorb_kernel_takes_the_reference_steps(net, options, seed, searched, top_level):
    """``_absorb_kernel.absorb_modules`` gives the reference's tree, on found trees and
    on random ones."""
    flow, paths = found_or_random_tree(net, options, seed, searched)
    kernel = absorb_modules(flow, paths, top_level=top_level)
    reference = absorb_modules(flow, paths, top_level=top_level, in_one_call=False)
    np.testing.assert_array_equal(kernel, reference)
