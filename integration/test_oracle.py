"""The official Infomap as the oracle of flow and codelength.

For Infomap's own partitions (two-level and multilevel search results) and for partitions
and module trees given to it (``no_infomap``), :func:`infomap_learn.codelength` must equal
the codelength Infomap reports to 1e-9 relative, and :func:`infomap_learn.compute_flow` its
node flows to 1e-9, for every flow model and option: undirected, directed with unrecorded
and recorded teleportation, to links and to nodes (with and without node weights), other
teleportation probabilities, Markov time, weighted links, self-links, dangling nodes,
isolated nodes, disconnected components and networks without links.

Infomap is only a test oracle here (it is GPL): it runs, none of its code is used.
Options are passed to it as ``flow_model=...`` only: its ``directed=True`` flag overrides
``flow_model``.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from infomap_learn import Network, codelength, compute_flow
from infomap_learn.datasets import karate_club
from infomap_learn.mapequation import one_level_codelength

infomap = pytest.importorskip("infomap")

RTOL = 1e-9
FLOW_ATOL = 1e-9
FLOW_OPTION_NAMES = (
    "flow_model",
    "teleportation_probability",
    "recorded_teleportation",
    "to_nodes",
    "markov_time",
)


# --------------------------------------------------------------------------------------
# the oracle
# --------------------------------------------------------------------------------------


class Case:
    """A network as edge arrays, given the same way to Infomap and to Network."""

    def __init__(self, edges, weights=None, n=None, directed=False, node_weights=None):
        self.edges = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
        self.weights = None if weights is None else np.asarray(weights, dtype=np.float64)
        self.n = int(self.edges.max()) + 1 if n is None else int(n)
        self.directed = directed
        self.node_weights = node_weights

    def network(self) -> Network:
        return Network.from_edges(
            self.edges,
            weights=self.weights,
            n_nodes=self.n,
            directed=self.directed,
            node_weights=self.node_weights,
        )

    def both_directions(self) -> Case:
        """The same undirected links, each given in both directions (self-links once)."""
        back = self.edges[:, 0] != self.edges[:, 1]
        weights = np.ones(len(self.edges)) if self.weights is None else self.weights
        return Case(
            np.concatenate([self.edges, self.edges[back][:, ::-1]]),
            np.concatenate([weights, weights[back]]),
            self.n,
            directed=True,
            node_weights=self.node_weights,
        )


def run_infomap(case: Case, *, partition=None, tree_file=None, **options):
    """Run the official Infomap on ``case``; return its Result."""
    options = {"num_trials": 1, "seed": 1, **options}
    options.setdefault("flow_model", "directed" if case.directed else "undirected")
    with warnings.catch_warnings():
        # Infomap 2.16 deprecates flow options on its constructor (LegacySurfaceWarning)
        warnings.simplefilter("ignore")
        im = infomap.Infomap(silent=True, **options)
    for u in range(case.n):
        if case.node_weights is None:
            im.add_node(u)
        else:
            im.add_node(u, teleportation_weight=float(case.node_weights[u]))
    weights = np.ones(len(case.edges)) if case.weights is None else case.weights
    for (u, v), w in zip(case.edges.tolist(), weights.tolist(), strict=True):
        im.add_link(u, v, w)
    if partition is not None:
        im.initial_partition = {u: int(m) for u, m in enumerate(partition)}
    run_options = {"no_infomap": True} if partition is not None or tree_file else {}
    if tree_file is not None:
        run_options["cluster_data"] = str(tree_file)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return im.run(**run_options)


def flow_options(options: dict) -> dict:
    return {k: v for k, v in options.items() if k in FLOW_OPTION_NAMES}


def multilevel_modules(result, n: int) -> np.ndarray:
    """Infomap's ``multilevel_modules`` layout, shape (n, module levels)."""
    modules = result.multilevel_modules()
    return np.array([modules[u] for u in range(n)], dtype=np.int64)


def tree_paths(result, n: int) -> np.ndarray:
    """Module paths from Infomap's tree, 0-based, -1 after each node's leaf module."""
    nodes = list(result.nodes())
    depth = max(len(node.path) for node in nodes) - 1
    paths = np.full((n, max(depth, 1)), -1, dtype=np.int64)
    for node in nodes:
        modules = np.asarray(node.path[:-1]) - 1
        paths[node.node_id, : len(modules)] = modules
    return paths


def node_flows(result, n: int) -> np.ndarray:
    flow = np.zeros(n)
    for node in result.nodes():
        flow[node.node_id] = node.flow
    return flow


def assert_codelength(ours: float, theirs: float) -> None:
    assert ours == pytest.approx(theirs, rel=RTOL, abs=1e-12)


# --------------------------------------------------------------------------------------
# test networks
# --------------------------------------------------------------------------------------


def planted(
    seed: int,
    *,
    n: int = 40,
    m: int = 130,
    directed: bool = False,
    weighted: bool = False,
    self_links: bool = False,
    dangling: int = 0,
    isolated: int = 0,
) -> Case:
    """Three planted groups; with ``dangling``, nodes 0..dangling-1 have no out-links; with
    ``isolated``, that many extra nodes have no links at all."""
    rng = np.random.default_rng(seed)
    group = rng.integers(0, 3, n)
    edges = []
    while len(edges) < m:
        u = int(rng.integers(n))
        if rng.random() < 0.85:
            v = int(rng.choice(np.flatnonzero(group == group[u])))
        else:
            v = int(rng.integers(n))
        if (u == v and not self_links) or u < dangling:
            continue
        edges.append((u, v))
    weights = rng.uniform(0.2, 4.0, m) if weighted else None
    return Case(edges, weights, n + isolated, directed=directed)


def components(seed: int, directed: bool) -> Case:
    """Three disconnected planted graphs of different sizes and two isolated nodes."""
    parts, offset = [], 0
    weights = []
    for k, size in enumerate((12, 20, 9)):
        sub = planted(seed + k, n=size, m=3 * size, directed=directed, weighted=True)
        parts.append(sub.edges + offset)
        weights.append(sub.weights)
        offset += size
    return Case(np.concatenate(parts), np.concatenate(weights), offset + 2, directed=directed)


def nested(seed: int, directed: bool = False, weighted: bool = False) -> Case:
    """4 groups of 4 dense blocks of 8 nodes: a hierarchy that Infomap finds in several
    module levels."""
    rng = np.random.default_rng(seed)
    n = 128
    group, block = np.arange(n) // 32, np.arange(n) // 8
    p = np.where(
        block[:, None] == block[None, :],
        0.8,
        np.where(group[:, None] == group[None, :], 0.1, 0.002),
    )
    adjacency = rng.random((n, n)) < p
    np.fill_diagonal(adjacency, False)
    if not directed:
        adjacency = np.triu(adjacency)
    edges = np.argwhere(adjacency)
    weights = rng.uniform(0.5, 2.0, len(edges)) if weighted else None
    return Case(edges, weights, n, directed=directed)


TWO_TRIANGLES = [(0, 1), (0, 2), (1, 2), (2, 3), (3, 4), (3, 5), (4, 5)]

# Zachary's karate club, from the package's built-in copy
KARATE = list(zip(karate_club()[0].source.tolist(), karate_club()[0].target.tolist()))

UNDIRECTED_CASES = {
    "plain": lambda: planted(0),
    "weighted": lambda: planted(1, weighted=True),
    "self-links": lambda: planted(2, weighted=True, self_links=True),
    "isolated": lambda: planted(3, isolated=3),
    "components": lambda: components(10, directed=False),
}
DIRECTED_CASES = {
    "plain": lambda: planted(0, directed=True),
    "weighted": lambda: planted(1, directed=True, weighted=True),
    "self-links": lambda: planted(2, directed=True, weighted=True, self_links=True),
    "dangling": lambda: planted(3, directed=True, dangling=4),
    "dangling+self+weighted": lambda: planted(
        4, directed=True, weighted=True, self_links=True, dangling=3
    ),
    "isolated": lambda: planted(5, directed=True, dangling=2, isolated=3),
    "components": lambda: components(20, directed=True),
}

UNDIRECTED_OPTIONS = {
    "undirected": {},
    "markov 0.5": {"markov_time": 0.5},
    "markov 2": {"markov_time": 2.0},
}
DIRECTED_OPTIONS = {
    "directed": {"flow_model": "directed"},
    "recorded": {"flow_model": "directed", "recorded_teleportation": True},
    "to_nodes": {"flow_model": "directed", "to_nodes": True},
    "to_nodes recorded": {
        "flow_model": "directed",
        "to_nodes": True,
        "recorded_teleportation": True,
    },
    "alpha 0.05": {"flow_model": "directed", "teleportation_probability": 0.05},
    "alpha 0.4 recorded": {
        "flow_model": "directed",
        "teleportation_probability": 0.4,
        "recorded_teleportation": True,
    },
    "undirdir": {"flow_model": "undirdir"},
    "outdirdir": {"flow_model": "outdirdir"},
    "rawdir": {"flow_model": "rawdir"},
    "undirected model": {"flow_model": "undirected"},
    "markov 0.5": {"flow_model": "directed", "markov_time": 0.5},
    "markov 1.7 recorded": {
        "flow_model": "directed",
        "recorded_teleportation": True,
        "markov_time": 1.7,
    },
    "markov 3 to_nodes recorded": {
        "flow_model": "directed",
        "to_nodes": True,
        "recorded_teleportation": True,
        "markov_time": 3.0,
    },
    "markov 2 rawdir": {"flow_model": "rawdir", "markov_time": 2.0},
}

MATRIX = [
    pytest.param(make, options, id=f"undirected-{g}-{o}")
    for g, make in UNDIRECTED_CASES.items()
    for o, options in UNDIRECTED_OPTIONS.items()
] + [
    pytest.param(make, options, id=f"directed-{g}-{o}")
    for g, make in DIRECTED_CASES.items()
    for o, options in DIRECTED_OPTIONS.items()
]


# --------------------------------------------------------------------------------------
# known values
# --------------------------------------------------------------------------------------


def test_two_triangles_known_value():
    case = Case(TWO_TRIANGLES)
    result = run_infomap(case, two_level=True)
    assert result.codelength == pytest.approx(2.32073, abs=5e-6)
    labels = multilevel_modules(result, case.n)[:, 0]
    assert len(set(labels.tolist())) == 2
    assert_codelength(codelength(case.network(), labels), result.codelength)


def test_karate_known_value():
    case = Case(KARATE)
    result = run_infomap(case, two_level=True, num_trials=10)
    assert result.codelength == pytest.approx(4.31179, abs=5e-6)
    labels = multilevel_modules(result, case.n)[:, 0]
    ours = codelength(case.network(), labels)
    assert_codelength(ours, result.codelength)
    assert ours == pytest.approx(4.31179, abs=5e-6)


# --------------------------------------------------------------------------------------
# Infomap's own partitions, over the matrix of networks and flow options
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("make", "options"), MATRIX)
def test_node_flow_and_one_level_codelength(make, options):
    case = make()
    result = run_infomap(case, two_level=True, **options)
    flow = compute_flow(case.network(), **flow_options(options))
    np.testing.assert_allclose(flow.node_flow, node_flows(result, case.n), rtol=0, atol=FLOW_ATOL)
    assert_codelength(one_level_codelength(flow), result.one_level_codelength)


@pytest.mark.parametrize(("make", "options"), MATRIX)
def test_two_level_partition(make, options):
    case = make()
    result = run_infomap(case, two_level=True, **options)
    labels = multilevel_modules(result, case.n)
    assert labels.shape[1] == 1
    assert_codelength(
        codelength(case.network(), labels[:, 0], **flow_options(options)), result.codelength
    )


@pytest.mark.parametrize(("make", "options"), MATRIX)
def test_multilevel_partition(make, options):
    case = make()
    result = run_infomap(case, **options)
    net = case.network()
    fo = flow_options(options)
    assert_codelength(codelength(net, multilevel_modules(result, case.n), **fo), result.codelength)
    assert_codelength(codelength(net, tree_paths(result, case.n), **fo), result.codelength)


NESTED_OPTIONS = {
    "undirected": {},
    "markov 0.7": {"markov_time": 0.7},
    "directed": {"flow_model": "directed"},
    "recorded": {"flow_model": "directed", "recorded_teleportation": True},
    "to_nodes": {"flow_model": "directed", "to_nodes": True},
    "markov 0.7 recorded": {
        "flow_model": "directed",
        "recorded_teleportation": True,
        "markov_time": 0.7,
    },
    "rawdir": {"flow_model": "rawdir"},
}


NESTED_MATRIX = [
    pytest.param(name, directed, weighted, id=f"{name}-{d}-{w}")
    for name, options in NESTED_OPTIONS.items()
    for directed, d in [(False, "undirected"), (True, "directed")]
    for weighted, w in [(False, "unweighted"), (True, "weighted")]
    if directed or "flow_model" not in options
]


@pytest.mark.parametrize(("name", "directed", "weighted"), NESTED_MATRIX)
def test_nested_hierarchy(name, directed, weighted):
    options = NESTED_OPTIONS[name]
    case = nested(seed=int(weighted), directed=directed, weighted=weighted)
    result = run_infomap(case, **options)
    net = case.network()
    fo = flow_options(options)
    layout, paths = multilevel_modules(result, case.n), tree_paths(result, case.n)
    assert_codelength(codelength(net, layout, **fo), result.codelength)
    assert_codelength(codelength(net, paths, **fo), result.codelength)


def test_nested_hierarchy_is_multilevel():
    """The nested networks do exercise the multilevel map equation: Infomap finds trees
    with two and three module levels, and leaf modules at different depths."""
    depths = set()
    for seed, directed, weighted in [(0, False, False), (1, False, True), (0, True, False)]:
        result = run_infomap(nested(seed, directed, weighted))
        paths = tree_paths(result, 128)
        depths.add(paths.shape[1])
        if seed == 1:
            assert len(set((paths >= 0).sum(axis=1).tolist())) > 1  # mixed leaf depths
    assert {2, 3} <= depths


# --------------------------------------------------------------------------------------
# partitions and trees given to Infomap (no_infomap): many crossing flows
# --------------------------------------------------------------------------------------

GIVEN_OPTIONS = {
    "directed": {"flow_model": "directed"},
    "recorded": {"flow_model": "directed", "recorded_teleportation": True},
    "to_nodes markov 1.3": {"flow_model": "directed", "to_nodes": True, "markov_time": 1.3},
    "recorded markov 0.8": {
        "flow_model": "directed",
        "recorded_teleportation": True,
        "markov_time": 0.8,
    },
    "rawdir": {"flow_model": "rawdir"},
    "undirected model": {"flow_model": "undirected"},
}


@pytest.mark.parametrize("k", [1, 3, 20, 128])
@pytest.mark.parametrize("name", list(GIVEN_OPTIONS))
def test_given_partition(name, k):
    options = GIVEN_OPTIONS[name]
    case = nested(0, directed=True, weighted=True)
    labels = np.random.default_rng(k).integers(0, k, case.n)
    result = run_infomap(case, partition=labels, two_level=True, **options)
    assert_codelength(codelength(case.network(), labels, **options), result.codelength)


def write_tree(path, paths: np.ndarray) -> None:
    """A .tree file of -1-padded 0-based module paths, for Infomap's cluster_data."""
    with open(path, "w") as f:
        f.write("# path flow name node_id\n")
        for u, row in enumerate(paths.tolist()):
            modules = [m + 1 for m in row if m >= 0]
            f.write(":".join(map(str, [*modules, u + 1])) + f' 0 "{u}" {u}\n')


@pytest.mark.parametrize("trial", range(2))
@pytest.mark.parametrize("name", list(GIVEN_OPTIONS))
def test_given_tree(name, trial, tmp_path):
    """Random three-level trees whose leaf modules sit at depths 1, 2 and 3."""
    options = GIVEN_OPTIONS[name]
    case = nested(0, directed=True, weighted=True)
    rng = np.random.default_rng(trial)
    top = rng.integers(0, 3, case.n)
    paths = np.stack([top, rng.integers(0, 2, case.n), rng.integers(0, 2, case.n)], axis=1)
    paths[top == 0, 1:] = -1
    paths[top == 1, 2:] = -1
    write_tree(tmp_path / "given.tree", paths)
    result = run_infomap(case, tree_file=tmp_path / "given.tree", **options)
    assert tree_paths(result, case.n).shape[1] == 3
    assert_codelength(codelength(case.network(), paths, **options), result.codelength)


# --------------------------------------------------------------------------------------
# special networks
# --------------------------------------------------------------------------------------

ALL_OPTIONS = {**UNDIRECTED_OPTIONS, **DIRECTED_OPTIONS}


@pytest.mark.parametrize("node_weights", [None, [1.0, 2.0, 3.0, 4.0, 5.0]], ids=["", "weights"])
@pytest.mark.parametrize("directed", [False, True], ids=["undirected", "directed"])
@pytest.mark.parametrize("name", list(ALL_OPTIONS))
def test_no_links(name, directed, node_weights):
    """n isolated nodes: Infomap reports zero flow and codelength 0 for every model but
    recorded teleportation to nodes, where the walker only teleports."""
    options = ALL_OPTIONS[name]
    case = Case(np.zeros((0, 2)), n=5, directed=directed, node_weights=node_weights)
    result = run_infomap(case, **options)
    net = case.network()
    fo = flow_options(options)
    flow = compute_flow(net, **fo)
    np.testing.assert_allclose(flow.node_flow, node_flows(result, 5), rtol=0, atol=1e-15)
    labels = multilevel_modules(result, 5)[:, 0]
    assert_codelength(codelength(net, labels, **fo), result.codelength)
    if options.get("recorded_teleportation") and options.get("to_nodes"):
        assert result.codelength > 0
        assert flow.node_flow.sum() == pytest.approx(1.0)
    else:
        assert result.codelength == 0.0
        assert not flow.node_flow.any()
        assert codelength(net, np.zeros(5, dtype=int), **fo) == 0.0


@pytest.mark.parametrize("name", list(DIRECTED_OPTIONS))
def test_self_links_only(name):
    options = DIRECTED_OPTIONS[name]
    case = Case([(0, 0), (2, 2)], [1.0, 3.0], n=4, directed=True)
    result = run_infomap(case, **options)
    flow = compute_flow(case.network(), **flow_options(options))
    np.testing.assert_allclose(flow.node_flow, node_flows(result, 4), atol=FLOW_ATOL)
    labels = multilevel_modules(result, 4)[:, 0]
    assert_codelength(codelength(case.network(), labels, **options), result.codelength)


DIRECTED_MODELS_ON_UNDIRECTED = {
    k: v for k, v in DIRECTED_OPTIONS.items() if v.get("flow_model") != "undirected"
}


@pytest.mark.parametrize("name", list(DIRECTED_MODELS_ON_UNDIRECTED))
def test_directed_model_on_undirected_network(name):
    """A directed model on an undirected network is the directed model on its links in
    both directions."""
    options = DIRECTED_MODELS_ON_UNDIRECTED[name]
    case = nested(1, directed=False, weighted=True)
    case.node_weights = np.random.default_rng(3).uniform(0.1, 2.0, case.n)
    result = run_infomap(case.both_directions(), **options)
    net = case.network()
    fo = flow_options(options)
    flow = compute_flow(net, **fo)
    np.testing.assert_allclose(flow.node_flow, node_flows(result, case.n), atol=FLOW_ATOL)
    assert_codelength(codelength(net, multilevel_modules(result, case.n), **fo), result.codelength)


@pytest.mark.parametrize("recorded", [False, True], ids=["unrecorded", "recorded"])
@pytest.mark.parametrize("seed", range(3))
def test_node_weights_teleportation(seed, recorded):
    """Teleportation to nodes lands in proportion to the node weights (Infomap's
    ``add_node(id, teleportation_weight=w)``); without to_nodes they change nothing."""
    case = planted(seed, directed=True, weighted=True, dangling=2, isolated=2)
    case.node_weights = np.random.default_rng(seed).uniform(0.0, 3.0, case.n)
    net = case.network()
    for to_nodes in (False, True):
        options = {
            "flow_model": "directed",
            "to_nodes": to_nodes,
            "recorded_teleportation": recorded,
        }
        for two_level in (True, False):
            result = run_infomap(case, two_level=two_level, **options)
            flow = compute_flow(net, **options)
            np.testing.assert_allclose(flow.node_flow, node_flows(result, case.n), atol=FLOW_ATOL)
            labels = multilevel_modules(result, case.n)
            assert_codelength(codelength(net, labels, **options), result.codelength)
    # node weights matter only for teleportation to nodes
    with_weights = compute_flow(net, flow_model="directed", to_nodes=True)
    uniform = compute_flow(
        Network.from_edges(case.edges, case.weights, n_nodes=case.n, directed=True),
        flow_model="directed",
        to_nodes=True,
    )
    assert not np.allclose(with_weights.node_flow, uniform.node_flow)


@pytest.mark.parametrize("recorded", [False, True], ids=["unrecorded", "recorded"])
@pytest.mark.parametrize("to_nodes", [False, True], ids=["to_links", "to_nodes"])
def test_periodic_network_without_teleportation(to_nodes, recorded):
    """teleportation_probability 0 on a periodic network: plain power iteration would
    oscillate; both give the stationary distribution (1/2, 1/8, 3/8)."""
    case = Case([(0, 1), (1, 0), (0, 2), (2, 0)], [1.0, 1.0, 3.0, 1.0], directed=True)
    options = {
        "flow_model": "directed",
        "teleportation_probability": 0.0,
        "to_nodes": to_nodes,
        "recorded_teleportation": recorded,
    }
    result = run_infomap(case, two_level=True, **options)
    flow = compute_flow(case.network(), **options)
    np.testing.assert_allclose(flow.node_flow, [0.5, 0.125, 0.375], rtol=0, atol=1e-14)
    np.testing.assert_allclose(flow.node_flow, node_flows(result, 3), atol=FLOW_ATOL)
    labels = multilevel_modules(result, 3)[:, 0]
    assert_codelength(codelength(case.network(), labels, **options), result.codelength)


def test_degenerate_flow_is_an_error():
    """Unrecorded teleportation to nodes that never reaches the only link's source: no
    link carries flow. Infomap fails on it; so do we, with a ValueError."""
    case = Case([(0, 1)], n=3, directed=True, node_weights=[0.0, 1.0, 1.0])
    options = {"flow_model": "directed", "to_nodes": True}
    with pytest.raises(infomap.InfomapError, match="[Dd]egenerate flow"):
        run_infomap(case, **options)
    with pytest.raises(ValueError, match="degenerate flow"):
        compute_flow(case.network(), **options)
    # recorded, the teleportation steps carry the flow: fine for both
    options["recorded_teleportation"] = True
    result = run_infomap(case, **options)
    flow = compute_flow(case.network(), **options)
    np.testing.assert_allclose(flow.node_flow, node_flows(result, 3), atol=FLOW_ATOL)
