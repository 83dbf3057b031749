"""The hierarchical search against the official Infomap on small nested networks.

On each network our multilevel codelength with five trials, the expected best of five of
100 or 300 trials (``integration/_compare.py``), must be no longer than Infomap's, and Infomap
must read our module trees back (``cluster_data``, ``no_infomap``) as they are and score
them to the same codelength: the tree shapes we return are ones that Infomap accepts.
"""

from __future__ import annotations

import numpy as np
import pytest

from infomap_learn import infomap
from infomap_learn.paths import canonical_paths
from integration._compare import expected_best, sampled_trials
from integration.test_oracle import RTOL, Case, nested, run_infomap, tree_paths

pytest.importorskip("infomap")

SEEDS = (1, 2, 3)
NUM_TRIALS = 5


def triangles(levels: int) -> Case:
    """Triangles of triangles: three copies of the network one level down, joined
    pairwise by single links, copy ``a`` to copy ``b`` from the ``b``-th part of ``a`` to
    the ``a``-th part of ``b`` (so that every part links to each other copy at most
    once); level 1 is a triangle. Level 3: 27 nodes, level 4: 81."""
    edges = [(0, 1), (1, 2), (2, 0)]
    size = 3
    for _ in range(levels - 1):
        part = size // 3
        copies = [np.asarray(edges) + c * size for c in range(3)]
        joins = [(a * size + b * part, b * size + a * part) for a, b in [(0, 1), (1, 2), (2, 0)]]
        edges = [*np.concatenate(copies).tolist(), *joins]
        size *= 3
    return Case(edges, n=size)


def directed_nested_sbm(seed: int = 4) -> Case:
    """Weighted and directed, three levels: 3 groups of 3 blocks of 3 cliques of 6."""
    rng = np.random.default_rng(seed)
    n = 162
    clique = np.arange(n) // 6
    block, group = clique // 3, clique // 9
    same = [clique[:, None] == clique, block[:, None] == block, group[:, None] == group]
    p = np.select(same, [0.9, 0.2, 0.03], 0.002)
    adjacency = (rng.random((n, n)) < p) & ~np.eye(n, dtype=bool)
    edges = np.argwhere(adjacency)
    return Case(edges, rng.uniform(0.5, 2.0, len(edges)), n, directed=True)


def digits() -> Case:
    """A kNN graph of the first 600 of sklearn's digits."""
    from sklearn.datasets import load_digits

    from infomap_learn.adapters.knn import knn_graph

    X = load_digits().data[:600]
    net = knn_graph(X, n_neighbors=10, weighting="jaccard", method="exact")
    return Case(np.stack([net.source, net.target], axis=1), net.weight, net.n_nodes)


CASES = {
    "triangles-27": (lambda: triangles(3), {}),
    "triangles-81": (lambda: triangles(4), {}),
    "nested": (lambda: nested(0), {}),
    "directed-weighted-sbm": (directed_nested_sbm, {"flow_model": "directed"}),
    "digits-600": (digits, {}),
}


@pytest.mark.parametrize("name", list(CASES))
def test_hierarchy_against_infomap(name, tmp_path):
    make, options = CASES[name]
    case = make()
    net = case.network()
    trials = sampled_trials(net.n_nodes)
    ours = expected_best(
        infomap(net, num_trials=trials, seed=1, **options).trial_codelengths, NUM_TRIALS
    )
    theirs = expected_best(
        run_infomap(case, num_trials=trials, seed=1, **options).codelengths, NUM_TRIALS
    )
    assert ours <= theirs + 1e-9 * abs(theirs), f"{name}: ours {ours}, Infomap {theirs}"
    trees = [infomap(net, num_trials=NUM_TRIALS, seed=seed, **options) for seed in SEEDS]
    for seed, tree in zip(SEEDS, trees, strict=True):
        path = tmp_path / f"seed{seed}.tree"
        tree.write_tree(path)
        scored = run_infomap(case, tree_file=path, **options)
        assert scored.codelength == pytest.approx(tree.codelength, rel=RTOL, abs=1e-12)
        # read back as written: no level dropped or added
        read = canonical_paths(tree_paths(scored, case.n), tree.flow.node_flow)
        np.testing.assert_array_equal(read, tree.paths)
