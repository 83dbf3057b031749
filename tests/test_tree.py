"""ModuleTree: the immutable result, its level views, flows and file round trips."""

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infomap_learn import ModuleTree, Network, compute_flow, infomap
from infomap_learn.datasets import karate_club
from infomap_learn.mapequation import hierarchical_codelength, one_level_codelength


@pytest.fixture(scope="module")
def nested():
    """Triangles of triangles: a three-level tree."""
    edges = []
    for group in range(3):
        for tri in range(3):
            a = 9 * group + 3 * tri
            edges += [(a, a + 1), (a + 1, a + 2), (a + 2, a)]
        for tri in range(3):
            edges.append((9 * group + 3 * tri, 9 * group + 3 * ((tri + 1) % 3) + 1))
    edges += [(0, 10), (9, 19), (18, 1)]
    return Network.from_edges(np.array(edges))


def test_tree_is_immutable(nested):
    tree = infomap(nested, seed=1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        tree.codelength = 0.0


def test_codelength_parts_add_up_and_match_the_map_equation(nested):
    tree = infomap(nested, seed=1)
    parts = hierarchical_codelength(tree.flow, tree.paths)
    assert tree.codelength == pytest.approx(parts.codelength, rel=1e-12)
    assert tree.index_codelength + tree.module_codelength == pytest.approx(tree.codelength)
    assert tree.one_level_codelength == pytest.approx(one_level_codelength(tree.flow))
    assert tree.relative_codelength_savings == pytest.approx(
        1 - tree.codelength / tree.one_level_codelength
    )


def test_levels_views_are_consistent(nested):
    tree = infomap(nested, seed=1)
    assert tree.num_levels == tree.paths.shape[1] == tree.multilevel_labels.shape[1]
    assert tree.num_levels >= 2
    assert (tree.labels == tree.labels_at(1)).all()
    assert tree.num_top_modules == len(np.unique(tree.labels))
    for level in range(1, tree.num_levels + 1):
        labels = tree.labels_at(level)
        # ids 0..k-1 within the level, and every module nests in one module above
        assert set(np.unique(labels)) == set(range(int(labels.max()) + 1))
        if level > 1:
            above = tree.labels_at(level - 1)
            parents = {}
            for child, parent in zip(labels.tolist(), above.tolist()):
                assert parents.setdefault(child, parent) == parent
    assert (tree.depth == (tree.paths >= 0).sum(axis=1)).all()


@pytest.mark.parametrize("level", [0, -2, 99])
def test_labels_at_names_the_valid_range(nested, level):
    tree = infomap(nested, seed=1)
    with pytest.raises(ValueError, match=rf"level must be -1 or in \[1, {tree.num_levels}\]"):
        tree.labels_at(level)


@pytest.mark.parametrize("level", [1.5, "top", True, None])
def test_labels_at_takes_integers_only(nested, level):
    tree = infomap(nested, seed=1)
    with pytest.raises(ValueError, match="level must be an integer"):
        tree.labels_at(level)


def test_level_minus_one_is_the_deepest_as_in_the_writers(nested):
    tree = infomap(nested, seed=1)
    deepest = tree.labels_at(tree.num_levels)
    np.testing.assert_array_equal(tree.labels_at(-1), deepest)
    np.testing.assert_array_equal(tree.labels_at(np.int64(-1)), deepest)
    assert tree.module_flows(-1)["flow"].shape == (int(deepest.max()) + 1,)


def test_module_flows_sum_to_the_node_flows(nested):
    tree = infomap(nested, seed=1)
    for level in range(1, tree.num_levels + 1):
        flows = tree.module_flows(level)
        labels = tree.labels_at(level)
        expected = np.bincount(labels, weights=tree.node_flow)
        np.testing.assert_allclose(flows["flow"], expected)
        assert (flows["enter_flow"] >= 0).all() and (flows["exit_flow"] >= 0).all()
        # undirected flow: each module is entered as often as it is left
        np.testing.assert_allclose(flows["enter_flow"], flows["exit_flow"])


def test_from_paths_renumbers_siblings_by_decreasing_flow():
    net, _ = karate_club()
    flow = compute_flow(net)
    labels = infomap(net, seed=1).labels
    shuffled = (labels + 5) * 3  # any distinct ids
    tree = ModuleTree.from_paths(flow, shuffled)
    assert (tree.labels == labels).all()
    module_flow = np.bincount(tree.labels, weights=flow.node_flow)
    assert (np.diff(module_flow) <= 1e-15).all()
    kept = ModuleTree.from_paths(flow, shuffled, renumber=False)
    assert (kept.labels == shuffled).all()
    assert kept.codelength == pytest.approx(tree.codelength, rel=1e-12)


@pytest.mark.parametrize("fmt", ["tree", "ftree", "clu"])
def test_written_files_read_back_to_the_same_tree(nested, tmp_path, fmt):
    tree = infomap(nested, seed=1)
    path = tmp_path / f"nested.{fmt}"
    getattr(tree, f"write_{fmt}")(path)
    again = ModuleTree.read(path, nested)
    if fmt == "clu":  # the top modules only
        assert (again.labels == tree.labels).all()
        assert again.num_levels == 1
    else:
        assert (again.paths == tree.paths).all()
        assert again.codelength == pytest.approx(tree.codelength, rel=1e-12)


def test_repr_names_the_essentials(nested):
    tree = infomap(nested, seed=1)
    text = repr(tree)
    assert text.startswith("ModuleTree(n_nodes=27, ")
    assert f"num_levels={tree.num_levels}" in text


@settings(max_examples=30, deadline=None)
@given(
    labels=st.lists(st.integers(0, 4), min_size=6, max_size=6),
    sub=st.lists(st.integers(0, 2), min_size=6, max_size=6),
)
def test_any_two_level_tree_from_paths_scores_as_the_map_equation(labels, sub):
    edges = np.array([[0, 1], [1, 2], [2, 0], [3, 4], [4, 5], [5, 3], [2, 3]])
    flow = compute_flow(Network.from_edges(edges))
    paths = np.stack([np.array(labels), np.array(sub)], axis=1)
    tree = ModuleTree.from_paths(flow, paths)
    assert tree.codelength == pytest.approx(
        hierarchical_codelength(flow, paths).codelength, rel=1e-12
    )
    # renumbering never changes which nodes share a module at any level
    for level in range(2):
        same = tree.multilevel_labels[:, level][:, None] == tree.multilevel_labels[:, level]
        keys = [tuple(row) for row in paths[:, : level + 1].tolist()]
        expected = np.array([[a == b for b in keys] for a in keys])
        assert (same == expected).all()


def test_trial_codelengths_are_each_trials_and_the_tree_is_the_best(nested):
    tree = infomap(nested, seed=3, num_trials=4)
    assert len(tree.trial_codelengths) == 4
    assert tree.codelength == pytest.approx(min(tree.trial_codelengths), rel=1e-12)
    one = infomap(nested, seed=3, num_trials=1)
    assert one.trial_codelengths == pytest.approx(tree.trial_codelengths[:1])
    assert ModuleTree.from_paths(tree.flow, tree.paths).trial_codelengths == ()


def test_trial_codelengths_do_not_depend_on_threads(nested):
    serial = infomap(nested, seed=2, num_trials=3, n_jobs=1).trial_codelengths
    assert infomap(nested, seed=2, num_trials=3, n_jobs=2).trial_codelengths == serial
