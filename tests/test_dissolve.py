"""Dissolving a finished tree's modules (``search/_dissolve.py``): under a preferred number
of top modules the top modules to dissolve are chosen together, as the best set."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from infomap_learn import compute_flow
from infomap_learn.mapequation import hierarchical_codelength, module_flows, with_module_cost
from infomap_learn.paths import prefix_keys
from infomap_learn.search._dissolve import dissolve_modules, top_set_deltas
from tests.test_hierarchy import FLOW_OPTIONS, SETTINGS, nested_sbm, random_tree


def _scored(flow, paths, preferred, cost=0.0):
    return with_module_cost(hierarchical_codelength(flow, paths), paths, cost, preferred).codelength


def _dissolve_top(paths, modules):
    """``paths`` with the top modules ``modules`` dissolved: their children become top
    modules (ids apart from the others)."""
    paths = paths.copy()
    for module in modules:
        rows = paths[:, 0] == module
        paths[rows, 0] = int(paths[:, 0].max()) + 1 + paths[rows, 1]
        paths[rows, 1:-1] = paths[rows, 2:]
        paths[rows, -1] = -1
    while paths.shape[1] > 1 and (paths[:, -1] < 0).all():
        paths = paths[:, :-1]
    return paths


def test_two_groups_are_dissolved_where_the_best_one_would_overshoot():
    # three groups of blocks as top modules, one of them over four blocks: seven top
    # modules are reached by opening the two groups of three (3 - 2 + 6); opening the
    # group of four first, as the best single module, leaves six and no single step on
    network = nested_sbm(0, sizes=(3, 3, 8))
    flow = compute_flow(network)
    block = np.arange(network.n_nodes) // 8
    sub = block % 3 + ((block == 0) & (np.arange(network.n_nodes) % 8 >= 4)) * 3
    paths = np.stack([block // 3, sub], axis=1)
    dissolved = dissolve_modules(flow, paths, preferred_modules=7)
    assert len(np.unique(dissolved[:, 0])) == 7
    assert set(np.unique(dissolved[paths[:, 0] == 0, 0])) == {0}  # (the group of four stays)


@SETTINGS
@given(
    seed=st.integers(0, 10_000),
    directed=st.booleans(),
    options=st.sampled_from(FLOW_OPTIONS),
    preferred=st.integers(0, 12),
    cost=st.sampled_from([0.0, 0.05]),
)
def test_each_set_of_top_modules_changes_the_codelength_as_scored(
    seed, directed, options, preferred, cost
):
    network = nested_sbm(seed, directed=directed, weighted=True)
    flow = compute_flow(network, **options)
    paths = random_tree(np.random.default_rng(seed), network.n_nodes)
    assume(paths.shape[1] > 1)
    paths = keys_as_paths(paths)
    keys = prefix_keys(paths)
    k, k1 = int(keys[0].max()) + 1, int(keys[1].max()) + 1
    _, enter, exit_ = module_flows(flow, keys[0], k)
    _, sub_enter, _ = module_flows(flow, keys[1], k1)
    has_sub = keys[1] >= 0
    sub_parent = np.zeros(k1, dtype=np.int64)
    sub_parent[keys[1][has_sub]] = keys[0][has_sub]
    allowed = np.bincount(keys[0][~has_sub], minlength=k) == 0  # (modules of modules)
    assume(allowed.any())
    sets, delta = top_set_deltas(
        allowed, enter, exit_, np.bincount(sub_parent, sub_enter, k),
        np.bincount(sub_parent, minlength=k), cost, preferred,
    )  # fmt: skip
    assert sets.shape[0] == 2 ** int(allowed.sum()) - 1
    before = _scored(flow, paths, preferred, cost)
    for chosen, change in zip(sets, delta, strict=True):
        dissolved = _dissolve_top(paths, np.flatnonzero(chosen))
        assert change == pytest.approx(_scored(flow, dissolved, preferred, cost) - before, abs=1e-9)


def keys_as_paths(paths):
    """``paths`` with its top column numbered as ``prefix_keys`` numbers the top modules."""
    paths = paths.copy()
    paths[:, 0] = prefix_keys(paths)[0]
    return paths
