"""Module paths: the per-level aggregation shared by the views, against loops."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from infomap_learn._kernels import symmetric_links
from infomap_learn.paths import _prefix_keys_reference, canonical_paths, module_levels, prefix_keys


@st.composite
def trees(draw):
    """Random module trees: nested ids, each node's path cut at a random depth >= 1."""
    n = draw(st.integers(1, 25))
    depth = draw(st.integers(1, 3))
    raw = np.array(draw(st.lists(st.lists(st.integers(0, 2), min_size=depth, max_size=depth),
                                 min_size=n, max_size=n)))  # fmt: skip
    cut = np.array(draw(st.lists(st.integers(1, depth), min_size=n, max_size=n)))
    raw[np.arange(depth)[None, :] >= cut[:, None]] = -1
    flow = np.array(draw(st.lists(st.floats(0.01, 1.0), min_size=n, max_size=n)))
    return canonical_paths(raw, flow), flow / flow.sum()


@settings(max_examples=150, deadline=None)
@given(trees())
def test_module_levels_match_loops(tree):
    paths, flow = tree
    n, depth = paths.shape
    levels = module_levels(paths, flow)
    assert len(levels) == depth
    for level, lv in enumerate(levels):
        # modules at this level: distinct path prefixes, in lexicographic (depth-first) order
        prefixes = sorted({tuple(paths[i, : level + 1]) for i in range(n) if paths[i, level] >= 0})
        assert lv.flow.size == len(prefixes)
        for m, prefix in enumerate(prefixes):
            nodes = [i for i in range(n) if tuple(paths[i, : level + 1]) == prefix]
            assert lv.size[m] == len(nodes)
            assert np.isclose(lv.flow[m], flow[nodes].sum())
            assert lv.label[m] == prefix[-1] + 1
            by_flow = sorted(nodes, key=lambda i: (-flow[i], i))
            assert lv.top_nodes(m).tolist() == by_flow
            assert lv.top_nodes(m, 2).tolist() == by_flow[:2]
            if level:
                upper = sorted(
                    {tuple(paths[i, :level]) for i in range(n) if paths[i, level - 1] >= 0}
                )
                assert lv.parent[m] == upper.index(prefix[:-1])
        parents = range(1) if level == 0 else range(levels[level - 1].flow.size)
        for p in parents:
            children = [m for m in range(lv.flow.size) if lv.parent[m] == p]
            want = sorted(children, key=lambda m: (-lv.flow[m], m))
            assert lv.children_of(p).tolist() == want


@st.composite
def raw_trees(draw):
    """Nested paths with ids up to ``wide`` (wide ids take the kernel's sorting branch)."""
    n = draw(st.integers(0, 40))
    depth = draw(st.integers(1, 4))
    wide = draw(st.sampled_from([2, 5, 1000]))
    raw = np.array(
        draw(st.lists(st.lists(st.integers(0, wide), min_size=depth, max_size=depth),
                      min_size=n, max_size=n)),
        dtype=np.int64,
    ).reshape(n, depth)  # fmt: skip
    cut = np.array(draw(st.lists(st.integers(1, depth), min_size=n, max_size=n)), dtype=int)
    raw[np.arange(depth)[None, :] >= cut[:, None]] = -1
    return raw


@settings(max_examples=200, deadline=None)
@given(raw_trees())
def test_prefix_keys_kernel_matches_the_numpy_reference(paths):
    fast, reference = prefix_keys(paths), _prefix_keys_reference(paths)
    assert len(fast) == len(reference)
    for level, (a, b) in enumerate(zip(fast, reference, strict=True)):
        np.testing.assert_array_equal(a, b, err_msg=f"level {level}")


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 30), st.data())
def test_symmetric_links_match_scipy(n, data):
    from scipy.sparse import random as sparse_random

    seed = data.draw(st.integers(0, 2**31 - 1))
    k = data.draw(st.integers(0, n))
    matrix = sparse_random(n, n, density=0.3, random_state=seed, format="csr")
    rows, cols, values = symmetric_links(
        matrix.indptr.astype(np.int64), matrix.indices.astype(np.int32), matrix.data, k
    )
    both = (matrix + matrix.T).tocoo()
    keep = (both.row < k) & (both.col < k)
    np.testing.assert_array_equal(rows, both.row[keep])
    np.testing.assert_array_equal(cols, both.col[keep], err_msg=f"{n} {seed} {k}")
    np.testing.assert_array_equal(values, both.data[keep])
