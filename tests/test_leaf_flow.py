"""The flow between a tree's leaf modules (``search/_leaf_flow.py``), on which finished
trees are dissolved and moved: every module keeps its flows, and the moves made on it
are the moves made on the nodes."""

from __future__ import annotations

import numpy as np
from hypothesis import assume, given
from hypothesis import strategies as st

from infomap_learn import compute_flow
from infomap_learn.mapequation import module_flows
from infomap_learn.paths import prefix_keys
from infomap_learn.search._absorb import absorb_modules
from infomap_learn.search._dissolve import dissolve_modules
from infomap_learn.search._leaf_flow import leaf_module_flow
from tests.test_hierarchy import FLOW_OPTIONS, SETTINGS, nested_sbm, random_tree, same_tree


def _case(seed, directed, options):
    network = nested_sbm(seed, directed=directed, weighted=True)
    flow = compute_flow(network, **options)
    paths = random_tree(np.random.default_rng(seed), network.n_nodes)
    return flow, paths


@SETTINGS
@given(seed=st.integers(0, 10_000), directed=st.booleans(), options=st.sampled_from(FLOW_OPTIONS))
def test_every_module_keeps_its_flows(seed, directed, options):
    flow, paths = _case(seed, directed, options)
    small, leaf, tree = leaf_module_flow(flow, paths)
    np.testing.assert_array_equal(tree[leaf], paths)
    assert small.n_nodes == int(leaf.max()) + 1
    levels = zip(prefix_keys(paths), prefix_keys(tree), strict=True)
    for level, (key, small_key) in enumerate(levels):
        k = int(key.max()) + 1
        np.testing.assert_array_equal(small_key[leaf], key)
        flows = zip(module_flows(small, small_key, k), module_flows(flow, key, k), strict=True)
        for mine, theirs in flows:
            np.testing.assert_allclose(mine, theirs, rtol=1e-12, atol=1e-15, err_msg=f"{level}")


@SETTINGS
@given(
    seed=st.integers(0, 10_000),
    directed=st.booleans(),
    options=st.sampled_from(FLOW_OPTIONS),
    top_level=st.booleans(),
)
def test_moves_on_the_leaf_modules_are_the_moves_on_the_nodes(seed, directed, options, top_level):
    flow, paths = _case(seed, directed, options)
    # (two modules under the root exchange all their flow: dissolving either one changes
    # the codelength by the same amount, and rounding picks one)
    assume(int(paths[:, 0].max()) + 1 >= 3)
    small, leaf, tree = leaf_module_flow(flow, paths)
    dissolved = dissolve_modules(flow, paths)
    assert same_tree(dissolve_modules(small, tree)[leaf], dissolved, flow.node_flow)
    absorbed = absorb_modules(flow, dissolved, top_level=top_level)
    small, leaf, tree = leaf_module_flow(flow, dissolved)
    moved = absorb_modules(small, tree, top_level=top_level)[leaf]
    assert same_tree(moved, absorbed, flow.node_flow)


@SETTINGS
@given(seed=st.integers(0, 10_000), directed=st.booleans(), options=st.sampled_from(FLOW_OPTIONS))
def test_threads_sum_the_same_links(seed, directed, options):
    """On several threads (for large networks) the leaf modules' links are the same to
    the bit, in the same order."""
    import infomap_learn.search._constants as constants
    import infomap_learn.search._units as module

    flow, paths = _case(seed, directed, options)
    one = leaf_module_flow(flow, paths)[0]
    saved, summed = constants.AGGREGATE_EXACT_MIN_LINKS, module._links_in_parallel
    calls = []
    constants.AGGREGATE_EXACT_MIN_LINKS = 1  # (every network counts as large)
    module._links_in_parallel = lambda *args: calls.append(args[-1]) or summed(*args)
    try:
        several = leaf_module_flow(flow, paths, threads=3)[0]
    finally:
        constants.AGGREGATE_EXACT_MIN_LINKS, module._links_in_parallel = saved, summed
    assert calls and set(calls) == {3}
    for name in ("out_ptr", "out_idx", "out_flow", "in_ptr", "in_idx", "in_flow", "node_flow"):
        np.testing.assert_array_equal(getattr(one, name), getattr(several, name), err_msg=name)
