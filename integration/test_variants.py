"""Infomap's model variants against the official Infomap: the entropy-corrected map
equation (``--entropy-corrected``, ``--entropy-correction-strength``), a preferred
number of modules (``--preferred-number-of-modules``), the regularized map equation
(``--regularized``, ``--regularization-strength``), node weights as flow and the
precomputed flow model.

For a given tree the official Infomap scores (``no_infomap`` with ``cluster_data``) and our
``ModuleTree.read`` agree to 1e-9; a search of ours ends at or below Infomap's mean
codelength within 0.1%.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from infomap_learn import ModuleTree, Network, codelength, infomap
from infomap_learn.mapequation import entropy_correction_per_module
from infomap_learn.paths import prefix_keys
from integration._compare import expected_best, sampled_trials

official = pytest.importorskip("infomap")


def _nested(seed=0, groups=3, cliques=3, size=6, directed=False):
    rng = np.random.default_rng(seed)
    edges = []
    for g in range(groups):
        for c in range(cliques):
            base = (g * cliques + c) * size
            edges += [(base + i, base + j) for i in range(size) for j in range(i + 1, size)]
        for c in range(cliques):
            for d in range(c + 1, cliques):
                for _ in range(2):
                    a = (g * cliques + c) * size + rng.integers(size)
                    b = (g * cliques + d) * size + rng.integers(size)
                    edges.append((a, b))
    group_size = cliques * size
    for g in range(groups):
        for h in range(g + 1, groups):
            edges.append((g * group_size + rng.integers(group_size),
                          h * group_size + rng.integers(group_size)))  # fmt: skip
    edges = np.array(edges, dtype=np.int64)
    if directed:
        flip = rng.random(len(edges)) < 0.5
        edges[flip] = edges[flip, ::-1]
    return edges, None, directed


def _karate():
    nx = pytest.importorskip("networkx")
    G = nx.karate_club_graph()
    edges = np.array(list(G.edges()))
    weights = np.array([d["weight"] for _, _, d in G.edges(data=True)], dtype=float)
    return edges, weights, False


def _light_weights():
    """Weights below 1: the total degree (a count) is larger than the weighted one."""
    edges, _, _ = _nested(seed=2)
    return edges, np.full(len(edges), 0.3), False


def _self_links(directed=False):
    """Karate with self-links: Infomap's total degree counts a self-link once."""
    edges, weights, _ = _karate()
    edges = np.vstack([edges, [[0, 0], [5, 5], [33, 33]]])
    return edges, np.concatenate([weights, [3.0, 1.0, 2.0]]), directed


def _sources_and_sinks():
    """Weighted directed links, with nodes that only send and nodes that only receive:
    the regularized prior weighs those by the other nodes' mean link weights."""
    edges, _, _ = _nested(seed=3, directed=True)
    n = int(edges.max()) + 1
    rng = np.random.default_rng(3)
    extra = [(n, 0), (n, 7), (n + 1, 20), (5, n + 2), (30, n + 2), (40, n + 3)]
    edges = np.vstack([edges, extra])
    return edges, rng.uniform(0.2, 3.0, len(edges)).round(2), True


def _knn():
    from sklearn.datasets import load_digits

    from infomap_learn.adapters.knn import knn_graph

    X, _ = load_digits(return_X_y=True)
    net = knn_graph(X[::4], n_neighbors=10, method="exact", hubness=None)
    return np.stack([net.source, net.target], axis=1), net.weight, False


GRAPHS = {
    "nested": _nested,
    "nested-directed": lambda: _nested(seed=1, directed=True),
    "karate": _karate,
    "light-weights": _light_weights,
    "self-links": _self_links,
    "self-links-directed": lambda: _self_links(directed=True),
    "sources-and-sinks": _sources_and_sinks,
    "digits-knn": _knn,
}


def _network(spec) -> Network:
    edges, weights, directed = spec
    n = int(edges.max()) + 1
    return Network.from_edges(edges, weights, n_nodes=n, directed=directed)


def _official(spec, **options):
    edges, weights, directed = spec
    n = int(edges.max()) + 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Infomap 2.16's LegacySurfaceWarning
        im = official.Infomap(silent=True, directed=directed, **options)
        im.add_nodes(range(n))
        if weights is None:
            im.add_links([(int(a), int(b)) for a, b in edges])
        else:
            im.add_links([(int(a), int(b), float(w)) for (a, b), w in zip(edges, weights)])
        im.run()
    return im


VARIANTS = {
    "entropy-corrected": {"entropy_corrected": True},
    "entropy-corrected-2.5": {"entropy_corrected": True, "entropy_correction_strength": 2.5},
    "preferred-2": {"preferred_number_of_modules": 2},
    "preferred-7": {"preferred_number_of_modules": 7},
    "both": {"entropy_corrected": True, "preferred_number_of_modules": 4},
    "regularized": {"regularized": True},
    "regularized-2.5": {"regularized": True, "regularization_strength": 2.5},
    "variable-markov-time": {"variable_markov_time": True},
    "variable-markov-linear": {"variable_markov_time": True, "variable_markov_damping": 0.0},
    "variable-markov-min-scale": {"variable_markov_time": True, "variable_markov_min_scale": 4.0},
    "variable-markov-damping": {
        "variable_markov_time": True, "variable_markov_damping": 0.3,
        "variable_markov_min_scale": 0.5,
    },
    "regularized-variable-markov": {"regularized": True, "variable_markov_time": True},
}


@pytest.mark.parametrize("name", list(GRAPHS))
@pytest.mark.parametrize("two_level", [True, False])
@pytest.mark.parametrize("variant", list(VARIANTS))
def test_a_given_tree_scores_as_infomap_scores_it(name, two_level, variant, tmp_path):
    spec = GRAPHS[name]()
    options = VARIANTS[variant]
    im = _official(spec, two_level=two_level, seed=1)
    path = tmp_path / "given.tree"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        im.write_tree(str(path))
    scored = _official(
        spec, two_level=two_level, no_infomap=True, cluster_data=str(path), **options
    )
    net = _network(spec)
    ours = ModuleTree.read(path, net, **options)
    assert ours.codelength == pytest.approx(scored.codelength, rel=1e-9)
    # the plain codelength plus the correction of its modules and nodes and the distance
    # of its top modules from the preferred number
    flow_options = {
        k: v for k, v in options.items() if k.startswith(("regulariz", "variable_markov"))
    }
    plain = ModuleTree.read(path, net, **flow_options)
    n_modules = sum(len(np.unique(key[key >= 0])) for key in prefix_keys(ours.paths))
    expected = plain.codelength
    if options.get("entropy_corrected"):
        strength = options.get("entropy_correction_strength", 1.0)
        cost = entropy_correction_per_module(net, strength)
        expected += cost * (n_modules + net.n_nodes - 1)
    if "preferred_number_of_modules" in options:
        expected += abs(ours.num_top_modules - options["preferred_number_of_modules"])
    assert ours.codelength == pytest.approx(expected, rel=1e-12)


# The expected best of 5 trials from 100-300 independent trials per tool
# (integration/_compare.py), ours against Infomap's. The last miss, a preferred number of
# modules on the directed nested graph (multilevel, 3.2972 against 3.2894 bits), met
# Infomap (3.2678 in every trial) once the unbiased hierarchy's top level is cut under the
# penalty as a whole (search/_dissolve.top_set_deltas). (The variable Markov time on the
# digits kNN graph, +0.21% while top modules stayed where the two-level search put them,
# is 0.10% below Infomap with the search's top-level moves, `move_top_modules`.)


@pytest.mark.parametrize("name", list(GRAPHS))
@pytest.mark.parametrize("two_level", [True, False])
@pytest.mark.parametrize("variant", list(VARIANTS))
def test_search_at_or_below_infomap(name, two_level, variant):
    spec = GRAPHS[name]()
    options = VARIANTS[variant]
    net = _network(spec)
    trials = sampled_trials(net.n_nodes)
    ours = infomap(net, two_level=two_level, num_trials=trials, seed=1, **options)
    theirs = _official(spec, two_level=two_level, num_trials=trials, seed=1, **options)
    assert expected_best(ours.trial_codelengths) <= expected_best(theirs.codelengths) * 1.001


def test_variable_markov_time_coarsens_sparse_parts():
    # on a kNN graph the local Markov time walks the links of sparse regions more, so
    # they split into fewer modules than under the plain map equation
    net = _network(GRAPHS["digits-knn"]())
    plain = infomap(net, seed=1, num_trials=3, two_level=True)
    local = infomap(net, seed=1, num_trials=3, two_level=True, variable_markov_time=True)
    assert local.num_top_modules < plain.num_top_modules
    assert local.options["variable_markov_time"] is True
    assert local.options["variable_markov_damping"] == 1.0
    assert "variable_markov_time" not in plain.options


@pytest.mark.parametrize(
    ("name", "target"),
    [("nested", 2), ("nested", 3), ("digits-knn", 2), ("digits-knn", 3), ("karate", 2),
     ("karate", 3)],
)  # fmt: skip
def test_preferred_number_of_levels_steers_the_depth_as_infomaps(name, target):
    spec = GRAPHS[name]()
    net = _network(spec)
    for seed in (1, 2):
        ours = infomap(net, num_trials=3, seed=seed, preferred_number_of_levels=target)
        theirs = _official(spec, two_level=False, num_trials=3, seed=seed,
                           preferred_number_of_levels=target)  # fmt: skip
        # (our num_levels counts module levels, Infomap's the leaf level too)
        assert ours.num_levels + 1 == theirs.num_levels
        assert ours.options["preferred_number_of_levels"] == target
        # the codelength reported is the map equation's of the tree
        assert ours.codelength == pytest.approx(codelength(net, ours.paths), rel=1e-12)
    if name in ("nested", "karate"):  # (both searches agree here, tree for tree)
        assert ours.codelength == pytest.approx(theirs.codelength, rel=1e-9)
    free = infomap(net, num_trials=3, seed=1)
    flat = infomap(net, num_trials=3, seed=1, preferred_number_of_levels=2)
    assert flat.num_levels <= free.num_levels
    off = infomap(net, num_trials=3, seed=1, preferred_number_of_levels=2,
                  preferred_number_of_levels_strength=0.0)  # fmt: skip
    assert off.codelength == pytest.approx(free.codelength)


def test_preferred_number_of_modules_steers_the_top_level():
    net = _network(GRAPHS["digits-knn"]())
    free = infomap(net, seed=1, num_trials=3)
    for preferred in (3, free.num_top_modules + 6):
        tree = infomap(net, seed=1, num_trials=3, preferred_number_of_modules=preferred)
        assert abs(tree.num_top_modules - preferred) < abs(free.num_top_modules - preferred)
        assert tree.options["preferred_number_of_modules"] == preferred


def test_correction_changes_the_answer_and_is_reported():
    spec = GRAPHS["digits-knn"]()
    net = _network(spec)
    plain = infomap(net, seed=1, num_trials=3)
    corrected = infomap(net, seed=1, num_trials=3, entropy_corrected=True)
    strong = infomap(net, seed=1, num_trials=3, entropy_corrected=True,
                     entropy_correction_strength=5.0)  # fmt: skip
    assert corrected.codelength > plain.codelength
    assert corrected.options["entropy_correction_strength"] == 1.0
    assert "entropy_correction_strength" not in plain.options
    # a stronger correction never asks for more leaf modules
    leaves = [len(np.unique(t.multilevel_labels[:, -1])) for t in (plain, corrected, strong)]
    assert leaves[2] <= leaves[0]
    assert corrected.codelength == pytest.approx(min(corrected.trial_codelengths))


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"entropy_correction_strength": 0}, "entropy_correction_strength must be a positive"),
        ({"entropy_correction_strength": float("nan")}, "entropy_correction_strength"),
        ({"entropy_corrected": "yes"}, "entropy_corrected must be True or False"),
        ({"preferred_number_of_modules": 0}, "preferred_number_of_modules must be a positive"),
        ({"preferred_number_of_modules": 2.5}, "preferred_number_of_modules must be a positive"),
        ({"variable_markov_damping": 1.5}, r"variable_markov_damping must be in \[0, 1\]"),
        ({"variable_markov_min_scale": 0}, "variable_markov_min_scale must be a positive"),
        ({"variable_markov_time": 1}, "variable_markov_time must be True or False"),
        ({"preferred_number_of_levels": 0}, "preferred_number_of_levels must be a positive"),
        ({"preferred_number_of_levels_strength": -1}, "preferred_number_of_levels_strength"),
    ],
)
def test_bad_options_are_named(options, match):
    net = _network(GRAPHS["nested"]())
    with pytest.raises(ValueError, match=match):
        infomap(net, **options)


# ---- node weights as flow, and precomputed flow ------------------------------------------


def _weighted_pajek(path, seed: int, directed: bool, precomputed: bool = False):
    """A Pajek file of the nested graph with node weights (and for a precomputed flow, link
    weights that are flows), read back as our network."""
    from infomap_learn.io import read_network

    rng = np.random.default_rng(seed)
    edges, _, _ = _nested(seed=seed, directed=directed)
    n = int(edges.max()) + 1
    node_weight = rng.integers(1, 6, n).astype(float)
    weight = rng.random(len(edges)) + 0.5
    if precomputed:
        node_weight = node_weight / node_weight.sum()
        weight = 0.5 * weight / weight.sum()
    lines = [f"*Vertices {n}"]
    lines += [f'{i + 1} "v{i}" {float(node_weight[i])!r}' for i in range(n)]
    lines.append("*Arcs" if directed or precomputed else "*Edges")
    lines += [f"{a + 1} {b + 1} {float(w)!r}" for (a, b), w in zip(edges, weight)]
    path.write_text("\n".join(lines) + "\n")
    return read_network(path, directed=directed or precomputed)


FLOW_CASES = {
    "undirected": ({}, {}, False),
    "directed": ({"flow_model": "directed"}, {"flow_model": "directed"}, True),
    "recorded-to-nodes": (
        {"flow_model": "directed", "recorded_teleportation": True, "to_nodes": True},
        {"flow_model": "directed", "recorded_teleportation": True, "to_nodes": True},
        True,
    ),
}


@pytest.mark.parametrize("case", list(FLOW_CASES))
@pytest.mark.parametrize("two_level", [True, False])
def test_node_weights_as_flow_scores_and_searches_as_infomap(case, two_level, tmp_path):
    ours_options, their_options, directed = FLOW_CASES[case]
    path = tmp_path / "weighted.net"
    net, ids = _weighted_pajek(path, seed=4, directed=directed)

    def official_run(**options):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            im = official.Infomap(silent=True, two_level=two_level, **options)
            im.read_file(str(path))
            im.run()
        return im

    trials = sampled_trials(net.n_nodes)
    theirs = official_run(
        use_node_weights_as_flow=True, num_trials=trials, seed=1, **their_options
    )
    ours = infomap(
        net, two_level=two_level, use_node_weights_as_flow=True, num_trials=trials,
        seed=1, **ours_options,
    )  # fmt: skip
    assert expected_best(ours.trial_codelengths) <= expected_best(theirs.codelengths) * 1.001
    # Infomap's tree, scored by both
    tree_file = tmp_path / "theirs.tree"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs.write_tree(str(tree_file))
    scored = official_run(
        use_node_weights_as_flow=True, no_infomap=True, cluster_data=str(tree_file),
        **their_options,
    )  # fmt: skip
    again = ModuleTree.read(
        tree_file, net, node_ids=ids, use_node_weights_as_flow=True, **ours_options
    )
    assert again.codelength == pytest.approx(scored.codelength, rel=1e-9)
    assert again.node_flow == pytest.approx(net.node_weights / net.node_weights.sum())


def test_precomputed_flow_scores_and_searches_as_infomap(tmp_path):
    path = tmp_path / "flow.net"
    net, ids = _weighted_pajek(path, seed=5, directed=True, precomputed=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        im = official.Infomap(silent=True, flow_model="precomputed", num_trials=5, seed=1)
        im.read_file(str(path))
        im.run()
        im.write_tree(str(tmp_path / "theirs.tree"))
        scorer = official.Infomap(
            silent=True, flow_model="precomputed", no_infomap=True,
            cluster_data=str(tmp_path / "theirs.tree"),
        )  # fmt: skip
        scorer.read_file(str(path))
        scorer.run()
    tree = ModuleTree.read(tmp_path / "theirs.tree", net, node_ids=ids, flow_model="precomputed")
    assert tree.codelength == pytest.approx(scorer.codelength, rel=1e-9)
    ours = infomap(net, flow_model="precomputed", num_trials=5, seed=1)
    assert ours.codelength <= im.codelength * 1.001
    # the link weights are the flows, as given
    assert tree.flow.out_flow.sum() == pytest.approx(net.weight.sum())


def test_precomputed_flow_needs_node_flow():
    net = Network.from_edges(np.array([[0, 1], [1, 2]]), directed=True)
    with pytest.raises(ValueError, match="precomputed' needs the flow of every node"):
        infomap(net, flow_model="precomputed")


# ---- --assign-to-neighbouring-module -------------------------------------------------------


@pytest.mark.parametrize("directed", [True, False])
@pytest.mark.parametrize("two_level", [True, False])
def test_nodes_left_out_join_a_neighbour_as_in_infomap(directed, two_level, tmp_path):
    """Infomap's tree with a fifth of its nodes removed from the file: both tools put them
    in neighbouring modules alike (undirected links written from their smaller id, the
    direction our Network keeps), so the codelengths agree to 1e-9."""
    edges, _, _ = _nested(seed=6, directed=directed)
    edges = edges if directed else np.sort(edges, axis=1)
    net_file = tmp_path / "net.txt"
    net_file.write_text("".join(f"{a + 1} {b + 1}\n" for a, b in edges))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        im = official.Infomap(silent=True, two_level=two_level, directed=directed, seed=1)
        im.read_file(str(net_file))
        im.run()
        im.write_tree(str(tmp_path / "full.tree"))
    lines = (tmp_path / "full.tree").read_text().splitlines()
    rows = [line for line in lines if line and not line.startswith("#")]
    kept = [line for i, line in enumerate(rows) if i % 5 != 2]  # leave out a fifth
    partial = tmp_path / "partial.tree"
    partial.write_text("\n".join(kept) + "\n")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scorer = official.Infomap(
            silent=True, two_level=two_level, directed=directed, no_infomap=True,
            cluster_data=str(partial), assign_to_neighbouring_module=True,
        )  # fmt: skip
        scorer.read_file(str(net_file))
        scorer.run()
    from infomap_learn.io import read_network

    net, ids = read_network(net_file, directed=directed)
    with pytest.raises(ValueError, match="node\\(s\\) of the network are not in the file"):
        ModuleTree.read(partial, net, node_ids=ids)
    ours = ModuleTree.read(partial, net, node_ids=ids, assign_to_neighbouring_module=True)
    if two_level:
        ours = ModuleTree.from_paths(ours.flow, ours.paths[:, :1])
    assert ours.codelength == pytest.approx(scorer.codelength, rel=1e-9)


# ---- meta data (Emmons & Mucha's map equation with meta data, --meta-data) ---------------


def _meta_categories(name: str, n: int) -> np.ndarray:
    if name == "digits-knn":  # the digit each image shows
        from sklearn.datasets import load_digits

        return load_digits().target[::4]
    return (np.arange(n) * 7 // 5) % 3  # (categories that cut across the modules)


def _meta_file(path, categories) -> str:
    path.write_text("# node meta\n" + "".join(f"{i} {c}\n" for i, c in enumerate(categories)))
    return str(path)


META_OPTIONS = {
    "meta": {},
    "meta-rate-0.3": {"meta_data_rate": 0.3},
    "meta-unweighted": {"meta_data_unweighted": True},
}


@pytest.mark.parametrize("name", ["nested", "nested-directed", "karate", "self-links",
                                  "digits-knn"])  # fmt: skip
@pytest.mark.parametrize("two_level", [True, False])
@pytest.mark.parametrize("variant", list(META_OPTIONS))
def test_meta_data_scores_as_infomap_scores_it(name, two_level, variant, tmp_path):
    spec = GRAPHS[name]()
    net = _network(spec)
    categories = _meta_categories(name, net.n_nodes)
    meta_file = _meta_file(tmp_path / "meta.clu", categories)
    options = META_OPTIONS[variant]
    path = tmp_path / "given.tree"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _official(spec, two_level=two_level, seed=1).write_tree(str(path))
    scored = _official(spec, two_level=two_level, no_infomap=True, cluster_data=str(path),
                       meta_data=meta_file, **options)  # fmt: skip
    ours = ModuleTree.read(path, net, meta_data=categories, **options)
    assert ours.codelength == pytest.approx(scored.codelength, rel=1e-9)
    assert ours.options["meta_data_rate"] == options.get("meta_data_rate", 1.0)


# (Two misses were listed here: with unweighted meta data on the nested graphs, +0.40% and,
# directed, +0.56% above Infomap. The recursion's search of each group from its nodes
# ended at modules of one category across cliques, and our super-modules split the first
# clique group into two top modules where Infomap's keep it whole. Each top module now
# keeps the shorter of that subtree and the one below its grouped modules
# (search/_subtrees.py), and top modules move under their neighbours (move_top_modules):
# 0.46% and 0.11% below Infomap.)


@pytest.mark.parametrize("name", ["nested", "nested-directed", "karate", "digits-knn"])
@pytest.mark.parametrize("two_level", [True, False])
@pytest.mark.parametrize("variant", ["meta", "meta-unweighted"])
def test_meta_data_search_at_or_below_infomap(name, two_level, variant, tmp_path):
    spec = GRAPHS[name]()
    net = _network(spec)
    categories = _meta_categories(name, net.n_nodes)
    meta_file = _meta_file(tmp_path / "meta.clu", categories)
    options = META_OPTIONS[variant]
    trials = sampled_trials(net.n_nodes)
    ours = infomap(net, two_level=two_level, num_trials=trials, seed=1,
                   meta_data=categories, **options)  # fmt: skip
    theirs = _official(spec, two_level=two_level, num_trials=trials, seed=1,
                       meta_data=meta_file, **options)  # fmt: skip
    assert expected_best(ours.trial_codelengths) <= expected_best(theirs.codelengths) * 1.001


def test_meta_data_pulls_modules_towards_the_categories():
    from sklearn.metrics import normalized_mutual_info_score

    spec = GRAPHS["digits-knn"]()
    net = _network(spec)
    digits = _meta_categories("digits-knn", net.n_nodes)
    # (the meta data weigh on the leaf modules: here the two-level modules)
    plain = infomap(net, seed=1, num_trials=3, two_level=True)
    informed = infomap(
        net, seed=1, num_trials=3, two_level=True, meta_data=digits, meta_data_rate=2.0
    )
    assert normalized_mutual_info_score(digits, informed.labels) > normalized_mutual_info_score(
        digits, plain.labels
    )


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"meta_data": np.zeros(3, dtype=int)}, r"meta_data must be 54 categories .* shape \(3,\)"),
        ({"meta_data": np.zeros(54)}, "meta_data must be 54 categories .* dtype float64"),
        ({"meta_data": np.zeros(54, int), "meta_data_rate": -1}, "meta_data_rate must be"),
        ({"meta_data": np.zeros(54, int), "meta_data_unweighted": "no"},
         "meta_data_unweighted must be True or False"),
    ],
)  # fmt: skip
def test_bad_meta_data_is_named(options, match):
    net = _network(GRAPHS["nested"]())
    with pytest.raises(ValueError, match=match):
        infomap(net, **options)


def test_meta_data_with_a_category_per_node_is_searched():
    # (the core loop keeps the (module, category) pairs that hold a node, not a table of
    # modules x categories: one category per node costs what one category costs)
    net = _network(GRAPHS["nested"]())
    unique = infomap(net, meta_data=np.arange(54), seed=1)
    again = codelength(net, unique.paths, meta_data=np.arange(54))
    assert unique.codelength == pytest.approx(again, rel=1e-9)
    # (a rate of zero: the plain map equation)
    free = infomap(net, meta_data=np.arange(54), meta_data_rate=0.0)
    assert free.codelength == pytest.approx(infomap(net).codelength)


# ---- bipartite networks (Infomap's *Bipartite section) ----------------------------------


def _bipartite(directed: bool, seed: int = 3, primary: int = 30, features: int = 12):
    rng = np.random.default_rng(seed)
    edges = set()
    for p in range(primary):
        group = p * 3 // primary  # (three groups of primary nodes, each its features)
        for f in rng.choice(features // 3, 3, replace=False):
            edges.add((p, primary + group * (features // 3) + int(f)))
        if rng.random() < 0.2:
            edges.add((p, primary + int(rng.integers(features))))
    edges = np.array(sorted(edges))
    weights = rng.integers(1, 4, len(edges)).astype(float)
    return edges, weights, directed, primary


def _official_bipartite(spec, **options):
    edges, weights, directed, start = spec
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        im = official.Infomap(silent=True, directed=directed, **options)
        im.bipartite_start_id = start
        im.add_nodes(range(int(edges.max()) + 1))
        im.add_links([(int(a), int(b), float(w)) for (a, b), w in zip(edges, weights)])
        im.run()
    return im


# The directed bipartite graph (links from primary to feature nodes only: every node a pure
# source or a pure sink) is rugged at Markov time 1.7: one two-level trial in 30 of either
# tool reaches 3.05 bits, the rest 3.40-3.51 (hence expected bests, integration/_compare.py).
# Its multilevel search met Infomap once the top search of small networks tunes fully
# (_constants.HIERARCHY_FULL_TUNE_MAX_NODES): 3.2370 against 3.2431 bits, from 3.2506.
@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize("two_level", [True, False])
@pytest.mark.parametrize(
    "options", [{}, {"markov_time": 1.7}, {"skip_adjust_bipartite_flow": True}], ids=str
)
def test_bipartite_networks_score_and_search_as_infomaps(
    directed, two_level, options, tmp_path
):
    spec = _bipartite(directed)
    edges, weights, _, start = spec
    net = Network.from_edges(edges, weights, n_nodes=int(edges.max()) + 1, directed=directed)
    path = tmp_path / "given.tree"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _official_bipartite(spec, two_level=two_level, seed=1).write_tree(str(path))
    scored = _official_bipartite(spec, two_level=two_level, no_infomap=True,
                                 cluster_data=str(path), **options)  # fmt: skip
    ours = ModuleTree.read(path, net, bipartite_start_id=start, **options)
    assert ours.codelength == pytest.approx(scored.codelength, rel=1e-9)
    trials = sampled_trials(net.n_nodes)
    found = infomap(net, two_level=two_level, num_trials=trials, seed=1,
                    bipartite_start_id=start, **options)  # fmt: skip
    theirs = _official_bipartite(spec, two_level=two_level, num_trials=trials, seed=1,
                                 **options)  # fmt: skip
    assert expected_best(found.trial_codelengths) <= expected_best(theirs.codelengths) * 1.001
    # only primary nodes are coded: feature nodes have no visit rate of their own
    tree = infomap(net, bipartite_start_id=start, seed=1, **options)
    if not options.get("skip_adjust_bipartite_flow"):
        assert tree.flow.node_flow[start:].sum() == 0.0


def _both_ways(spec):
    """The bipartite graph with every other link also running back, feature to primary."""
    edges, weights, directed, start = spec
    return (np.vstack([edges, edges[::2, ::-1]]), np.concatenate([weights, weights[::2]]),
            directed, start)  # fmt: skip


@pytest.mark.parametrize("two_level", [True, False])
@pytest.mark.parametrize("graph", ["directed, links back", "undirected"])
@pytest.mark.parametrize(
    "options",
    [{}, {"recorded_teleportation": True}, {"to_nodes": True}, {"markov_time": 1.7},
     {"teleportation_probability": 0.3}, {"skip_adjust_bipartite_flow": True}],
    ids=str,
)  # fmt: skip
def test_bipartite_teleportation_scores_and_searches_as_infomaps(
    graph, two_level, options, tmp_path
):
    directed = graph.startswith("directed")
    if not directed and "recorded_teleportation" in options:
        pytest.skip("recorded teleportation belongs to the directed model")
    spec = _both_ways(_bipartite(True)) if directed else _bipartite(False)
    edges, weights, _, start = spec
    net = Network.from_edges(edges, weights, n_nodes=int(edges.max()) + 1, directed=directed)
    options = {"bipartite_teleportation": True, **options}
    theirs = _official_bipartite(spec, two_level=two_level, seed=1, **options)
    path = tmp_path / "given.tree"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs.write_tree(str(path))
        their_flow = {node.node_id: node.flow for node in theirs.nodes}
    ours = ModuleTree.read(path, net, bipartite_start_id=start, **options)
    assert ours.codelength == pytest.approx(theirs.codelength, rel=1e-9)
    flow = [their_flow[u] for u in range(net.n_nodes)]
    np.testing.assert_allclose(ours.flow.node_flow, flow, rtol=1e-9, atol=1e-15)
    if directed:  # (feature nodes are not visited)
        assert ours.flow.node_flow[start:].sum() == 0.0
    trials = sampled_trials(net.n_nodes)
    found = infomap(net, two_level=two_level, num_trials=trials, seed=1,
                    bipartite_start_id=start, **options)  # fmt: skip
    sampled = _official_bipartite(spec, two_level=two_level, num_trials=trials, seed=1,
                                  **options)  # fmt: skip
    assert expected_best(found.trial_codelengths) <= expected_best(sampled.codelengths) * 1.001


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"bipartite_start_id": 0}, "bipartite_start_id must be a positive integer"),
        ({"bipartite_start_id": 99}, "bipartite_start_id=99 is beyond the network's 42 nodes"),
        ({"bipartite_start_id": 31}, r"bipartite_start_id=31: link \d+ - 30 joins two primary"),
        ({"bipartite_start_id": 30, "recorded_teleportation": True},
         "cannot be combined with recorded teleportation"),
        ({"bipartite_teleportation": True}, "bipartite_teleportation=True needs a bipartite"),
        ({"bipartite_start_id": 30, "bipartite_teleportation": True, "regularized": True},
         "cannot be combined with regularized"),
    ],
)  # fmt: skip
def test_bad_bipartite_input_is_named(options, match):
    edges, weights, directed, _ = _bipartite(False)
    net = Network.from_edges(edges, weights, n_nodes=int(edges.max()) + 1)
    with pytest.raises(ValueError, match=match):
        infomap(net, **options)


def test_bipartite_teleportation_without_links_back_is_refused():
    # (Infomap refuses it too: the walk's second step would have nothing to follow)
    edges, weights, _, start = _bipartite(True)
    net = Network.from_edges(edges, weights, n_nodes=int(edges.max()) + 1, directed=True)
    with pytest.raises(ValueError, match="all 93 links run from primary to feature nodes"):
        infomap(net, bipartite_start_id=start, bipartite_teleportation=True)


def test_meta_data_search_keeps_the_best_tree_it_had(tmp_path):
    # (found in review: the recursion searched each top module again and ended above the
    # super-modules' tree, 5.79 against 5.55 bits; that tree is now a candidate)
    spec = GRAPHS["karate"]()
    net = _network(spec)
    categories = np.random.default_rng(0).integers(0, 4, net.n_nodes)
    meta_file = _meta_file(tmp_path / "meta.clu", categories)
    options = {"meta_data_rate": 2.0, "meta_data_unweighted": True}
    trials = sampled_trials(net.n_nodes)
    ours = infomap(net, num_trials=trials, seed=1, meta_data=categories, **options)
    theirs = _official(spec, two_level=False, num_trials=trials, seed=1,
                       meta_data=meta_file, **options)  # fmt: skip
    assert expected_best(ours.trial_codelengths) <= expected_best(theirs.codelengths) * 1.001
