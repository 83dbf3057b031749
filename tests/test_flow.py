"""Flow models (infomap_learn.flow): invariants, closed forms and input errors. Fast, no
oracle; the official Infomap checks the same conventions in integration/test_oracle.py."""

from __future__ import annotations

import numpy as np
import pytest

from infomap_learn import Network, compute_flow
from infomap_learn.flow import FLOW_MODELS, pagerank

DIRECTED_OPTIONS = [
    {"flow_model": "directed"},
    {"flow_model": "directed", "recorded_teleportation": True},
    {"flow_model": "directed", "to_nodes": True},
    {"flow_model": "directed", "to_nodes": True, "recorded_teleportation": True},
    {"flow_model": "directed", "teleportation_probability": 0.0},
    {"flow_model": "directed", "teleportation_probability": 0.5},
    {"flow_model": "undirdir"},
    {"flow_model": "outdirdir"},
    {"flow_model": "rawdir"},
    {"flow_model": "undirected"},
]


def random_network(seed, n=30, p=0.12, directed=False, weighted=True, self_links=True):
    rng = np.random.default_rng(seed)
    adjacency = rng.random((n, n)) < p
    if not self_links:
        np.fill_diagonal(adjacency, False)
    adjacency[:2] = False  # nodes 0 and 1: dangling when directed
    u, v = np.nonzero(adjacency)
    edges = np.stack([u, v], axis=1)
    weights = rng.uniform(0.5, 3.0, len(edges)) if weighted else None
    return Network.from_edges(edges, weights, n_nodes=n, directed=directed)


def dense(net: Network) -> np.ndarray:
    A = np.zeros((net.n_nodes, net.n_nodes))
    np.add.at(A, (net.source, net.target), net.weight)
    if not net.directed:
        off = net.source != net.target
        np.add.at(A, (net.target[off], net.source[off]), net.weight[off])
    return A


def exact_pagerank(A: np.ndarray, tau: np.ndarray, alpha: float) -> np.ndarray:
    """PageRank by a dense linear solve (dangling nodes teleport to ``tau``)."""
    n = A.shape[0]
    out = A.sum(axis=1)
    dangling = out == 0
    P = np.divide(A, out[:, None], out=np.zeros_like(A), where=~dangling[:, None])
    G = (1 - alpha) * P + (alpha + (1 - alpha) * dangling)[:, None] * tau[None, :]
    M = np.vstack([(G.T - np.eye(n)), np.ones(n)])
    rhs = np.zeros(n + 1)
    rhs[-1] = 1.0
    return np.linalg.lstsq(M, rhs, rcond=None)[0]


# --------------------------------------------------------------------------------------
# invariants
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize("options", [{}, *DIRECTED_OPTIONS])
def test_node_flow_is_a_distribution(options, directed):
    flow = compute_flow(random_network(0, directed=directed), **options)
    assert flow.node_flow.shape == (30,)
    assert (flow.node_flow >= 0).all()
    assert flow.node_flow.sum() == pytest.approx(1.0, abs=1e-12)
    assert (flow.link_flow >= 0).all()
    assert (flow.link_source != flow.link_target).all()  # self-links are left out
    assert flow.link_source.dtype == flow.link_target.dtype == np.int32
    if flow.recorded_teleportation:
        assert flow.teleport_target.sum() == pytest.approx(1.0)
        assert (flow.teleport_source >= 0).all()


def test_undirected_link_flow_is_symmetric():
    net = random_network(1, directed=False)
    flow = compute_flow(net)
    assert flow.undirected
    forward = dict(zip(zip(flow.link_source.tolist(), flow.link_target.tolist()), flow.link_flow))
    for (u, v), f in forward.items():
        assert forward[(v, u)] == f
    # a node's visit rate is its strength (self-links once) over the total
    A = dense(net)
    strength = A.sum(axis=1)
    np.testing.assert_allclose(flow.node_flow, strength / strength.sum(), rtol=1e-13)


def test_undirected_model_on_directed_network_adds_both_directions():
    net = random_network(2, directed=True)
    A = dense(net)
    sym = A + A.T - np.diag(np.diag(A))
    u, v = np.nonzero(np.triu(sym))
    undirected = Network.from_edges(np.stack([u, v], 1), sym[u, v], n_nodes=net.n_nodes)
    a = compute_flow(net, flow_model="undirected")
    b = compute_flow(undirected)
    np.testing.assert_allclose(a.node_flow, b.node_flow, rtol=1e-13)
    assert a.undirected


@pytest.mark.parametrize("options", DIRECTED_OPTIONS[:-1], ids=str)
def test_directed_model_on_undirected_network_is_both_directions(options):
    net = random_network(3, directed=False, weighted=True)
    A = dense(net)
    u, v = np.nonzero(A)
    both = Network.from_edges(np.stack([u, v], 1), A[u, v], n_nodes=net.n_nodes, directed=True)
    a, b = compute_flow(net, **options), compute_flow(both, **options)
    np.testing.assert_allclose(a.node_flow, b.node_flow, rtol=0, atol=1e-14)
    assert a.flow_model == options["flow_model"]


def test_directed_unrecorded_to_links_on_undirected_network_is_the_undirected_flow():
    """PageRank on a symmetric network, teleporting by out-weight, is the strength."""
    net = random_network(4, directed=False)
    a = compute_flow(net, flow_model="directed")
    b = compute_flow(net)
    np.testing.assert_allclose(a.node_flow, b.node_flow, rtol=0, atol=1e-14)


def test_two_mode_models_are_raw_link_weights():
    net = random_network(5, directed=True)
    A = dense(net)
    expected = A.sum(axis=0) / A.sum()
    for model in ("undirdir", "outdirdir", "rawdir"):
        flow = compute_flow(net, flow_model=model)
        np.testing.assert_allclose(flow.node_flow, expected, rtol=1e-13)
        assert not flow.undirected


# --------------------------------------------------------------------------------------
# PageRank
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("alpha", [0.0, 0.15, 0.5, 0.9])
@pytest.mark.parametrize("to_nodes", [False, True])
def test_recorded_node_flow_is_exact_pagerank(alpha, to_nodes):
    weights = np.random.default_rng(0).uniform(0.0, 2.0, 30)
    net = random_network(6, directed=True)
    net = Network.from_edges(
        np.stack([net.source, net.target], 1),
        net.weight,
        n_nodes=net.n_nodes,
        directed=True,
        node_weights=weights,
    )
    A = dense(net)
    tau = weights / weights.sum() if to_nodes else A.sum(axis=0) / A.sum()
    flow = compute_flow(
        net,
        flow_model="directed",
        recorded_teleportation=True,
        to_nodes=to_nodes,
        teleportation_probability=alpha,
    )
    if alpha > 0:  # with alpha = 0 this network has several fixed points
        np.testing.assert_allclose(flow.node_flow, exact_pagerank(A, tau, alpha), atol=1e-14)
    np.testing.assert_allclose(flow.teleport_target, tau, rtol=1e-14)


def test_unrecorded_flow_is_the_link_flow_of_pagerank():
    net = random_network(7, directed=True)
    A = dense(net)
    out = A.sum(axis=1)
    pi = exact_pagerank(A, out / out.sum(), 0.15)
    F = pi[:, None] * np.divide(A, out[:, None], out=np.zeros_like(A), where=out[:, None] > 0)
    F /= F.sum()
    flow = compute_flow(net, flow_model="directed")
    np.testing.assert_allclose(flow.node_flow, F.sum(axis=0), atol=1e-14)
    off = ~np.eye(30, dtype=bool)
    assert flow.link_flow.sum() == pytest.approx(F[off].sum(), abs=1e-14)


def test_recorded_teleportation_rates():
    net = random_network(8, directed=True)
    alpha = 0.2
    flow = compute_flow(
        net, flow_model="directed", recorded_teleportation=True, teleportation_probability=alpha
    )
    dangling = np.bincount(net.source, net.weight, net.n_nodes) == 0
    assert dangling[:2].all()
    expected = np.where(dangling, flow.node_flow, alpha * flow.node_flow)
    np.testing.assert_allclose(flow.teleport_source, expected, rtol=1e-14)
    # every step is a link step or a teleportation
    self_flow = (1 - alpha) * flow.node_flow[net.source] * net.weight
    self_flow = self_flow / np.bincount(net.source, net.weight, net.n_nodes)[net.source]
    self_flow = self_flow[net.source == net.target].sum()
    total = flow.link_flow.sum() + flow.teleport_source.sum() + self_flow
    assert total == pytest.approx(1.0, abs=1e-13)


def test_pagerank_converges_on_periodic_walk_without_teleportation():
    """A bipartite walk with alpha = 0 oscillates under plain power iteration; the lazy
    iteration reaches the stationary distribution to 1e-15."""
    source = np.array([0, 1, 0, 2])
    target = np.array([1, 0, 2, 0])
    transition = np.array([0.25, 1.0, 0.75, 1.0])
    dangling = np.zeros(3, dtype=bool)
    tau = np.array([4.0, 1.0, 1.0]) / 6
    pi = pagerank(3, source, target, transition, dangling, tau, 0.0)
    np.testing.assert_allclose(pi, [0.5, 0.125, 0.375], rtol=0, atol=1e-15)


def test_pagerank_without_teleportation_is_the_limit_from_tau():
    """Two closed classes and alpha = 0: the fixed point is not unique; the result is the
    alpha -> 0 limit, where each class keeps the teleportation mass that reaches it."""
    # class {0, 1}, class {2, 3}; node 4 is transient and feeds both 1:3
    source = np.array([0, 1, 2, 3, 4, 4])
    target = np.array([1, 0, 3, 2, 0, 2])
    transition = np.array([1.0, 1.0, 1.0, 1.0, 0.25, 0.75])
    tau = np.array([0.1, 0.1, 0.1, 0.1, 0.6])
    pi = pagerank(5, source, target, transition, np.zeros(5, bool), tau, 0.0)
    np.testing.assert_allclose(pi[:2].sum(), 0.2 + 0.6 * 0.25, atol=1e-14)
    np.testing.assert_allclose(pi[2:4].sum(), 0.2 + 0.6 * 0.75, atol=1e-14)
    assert pi[4] == pytest.approx(0.0, abs=1e-14)
    A = np.zeros((5, 5))
    A[source, target] = transition
    np.testing.assert_allclose(pi, exact_pagerank(A, tau, 1e-9), atol=1e-7)


# --------------------------------------------------------------------------------------
# Markov time
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize("options", [{}, *DIRECTED_OPTIONS], ids=str)
@pytest.mark.parametrize("markov_time", [0.3, 2.5])
def test_markov_time_scales_link_flow_only(options, directed, markov_time):
    net = random_network(9, directed=directed)
    base = compute_flow(net, **options)
    scaled = compute_flow(net, markov_time=markov_time, **options)
    np.testing.assert_array_equal(scaled.node_flow, base.node_flow)
    np.testing.assert_array_equal(scaled.link_source, base.link_source)
    np.testing.assert_allclose(scaled.link_flow, markov_time * base.link_flow, rtol=1e-15)
    if base.recorded_teleportation:
        # Infomap scales link flow only: recorded teleportation keeps its rate
        np.testing.assert_array_equal(scaled.teleport_source, base.teleport_source)
        np.testing.assert_array_equal(scaled.teleport_target, base.teleport_target)


# --------------------------------------------------------------------------------------
# degenerate networks
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize("options", [{}, *DIRECTED_OPTIONS], ids=str)
def test_network_without_links_has_no_flow(options, directed):
    net = Network.from_edges(np.zeros((0, 2), int), n_nodes=4, directed=directed)
    flow = compute_flow(net, **options)
    assert flow.link_flow.size == 0
    if options.get("recorded_teleportation") and options.get("to_nodes"):
        np.testing.assert_allclose(flow.node_flow, 0.25)  # teleporting at every step
    else:
        np.testing.assert_array_equal(flow.node_flow, 0.0)


def test_isolated_nodes_get_flow_only_from_recorded_teleportation_to_nodes():
    net = Network.from_edges([(0, 1), (1, 2), (2, 0)], n_nodes=4, directed=True)
    for options in DIRECTED_OPTIONS:
        flow = compute_flow(net, **options)
        landed = options.get("recorded_teleportation") and options.get("to_nodes")
        assert (flow.node_flow[3] > 0) == bool(landed), options


def test_unrecorded_teleportation_to_unreachable_sources_is_an_error():
    net = Network.from_edges([(0, 1)], n_nodes=3, directed=True, node_weights=[0, 1, 1])
    with pytest.raises(ValueError, match="degenerate flow"):
        compute_flow(net, flow_model="directed", to_nodes=True)
    flow = compute_flow(net, flow_model="directed", to_nodes=True, recorded_teleportation=True)
    np.testing.assert_allclose(flow.node_flow, [0.0, 0.5, 0.5], atol=1e-15)


def test_self_links_only():
    net = Network.from_edges([(0, 0), (2, 2)], [1.0, 3.0], n_nodes=4)
    flow = compute_flow(net)
    np.testing.assert_allclose(flow.node_flow, [0.25, 0, 0.75, 0])
    assert flow.link_flow.size == 0


# --------------------------------------------------------------------------------------
# input errors
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [-0.1, 1.0, 1.5, float("nan"), float("inf")])
def test_bad_teleportation_probability(value):
    with pytest.raises(ValueError, match="teleportation_probability"):
        compute_flow(random_network(0), teleportation_probability=value)


@pytest.mark.parametrize("value", [0.0, -1.0, float("nan"), float("inf"), -float("inf")])
def test_bad_markov_time(value):
    with pytest.raises(ValueError, match="markov_time"):
        compute_flow(random_network(0), markov_time=value)


@pytest.mark.parametrize("value", ["pagerank", "Directed", ""])
def test_unknown_flow_model(value):
    with pytest.raises(ValueError, match="flow_model"):
        compute_flow(random_network(0), flow_model=value)


def test_default_flow_model_follows_the_network():
    assert compute_flow(random_network(0, directed=True)).flow_model == "directed"
    assert compute_flow(random_network(0, directed=False)).flow_model == "undirected"
    assert set(FLOW_MODELS) == {
        "undirected", "directed", "undirdir", "outdirdir", "rawdir", "precomputed"
    }


@pytest.mark.parametrize("scale", [1e300, 1e-300, 1e200])
@pytest.mark.parametrize("model", [m for m in FLOW_MODELS if m != "precomputed"])
def test_extreme_weights_give_the_flow_of_their_ratios(model, scale):
    """Weights near the ends of float64 (1e308 would overflow their sum) give the same
    flow as the same ratios near 1."""
    from infomap_learn import infomap

    edges = [[0, 1], [1, 2], [2, 0], [3, 4], [4, 5], [5, 3], [2, 3]]
    w = np.array([1.0, 2.0, 3.0, 1.0, 2.0, 3.0, 0.5])
    for directed in (False, True):
        plain = compute_flow(Network.from_edges(edges, w, directed=directed), flow_model=model)
        big = Network.from_edges(edges, w * scale, directed=directed)
        flow = compute_flow(big, flow_model=model)
        np.testing.assert_allclose(flow.node_flow, plain.node_flow, rtol=1e-12)
        np.testing.assert_allclose(flow.out_flow, plain.out_flow, rtol=1e-12)
        tree = infomap(big, flow_model=model)
        assert np.isfinite(tree.codelength) and tree.codelength > 0


def test_node_weights_as_flow_replace_the_node_flow_only():
    edges = np.array([[0, 1], [1, 2], [2, 0], [2, 3]])
    net = Network.from_edges(edges, node_weights=[1.0, 2.0, 3.0, 4.0])
    plain = compute_flow(net)
    flow = compute_flow(net, use_node_weights_as_flow=True)
    assert flow.node_flow.tolist() == pytest.approx([0.1, 0.2, 0.3, 0.4])
    assert (flow.out_flow == plain.out_flow).all()
    # without node weights: uniform
    uniform = compute_flow(Network.from_edges(edges), use_node_weights_as_flow=True)
    assert uniform.node_flow.tolist() == pytest.approx([0.25] * 4)


def test_precomputed_flow_takes_the_weights_as_given():
    edges = np.array([[0, 1], [1, 2], [2, 0]])
    net = Network.from_edges(
        edges, [0.1, 0.2, 0.3], directed=True, node_weights=[2.0, 1.0, 1.0]
    )
    flow = compute_flow(net, flow_model="precomputed", markov_time=2.0)
    assert flow.node_flow.tolist() == pytest.approx([0.5, 0.25, 0.25])
    assert sorted(flow.out_flow.tolist()) == pytest.approx([0.2, 0.4, 0.6])
    assert flow.flow_model == "precomputed" and not flow.undirected


def test_regularized_flow_without_links_teleports_uniformly():
    """As the official Infomap: every node weighs 1, the walker only teleports, and the
    best partition is one module of codelength log2(n)."""
    from infomap_learn import infomap

    net = Network.from_edges(np.zeros((0, 2), dtype=np.int64), n_nodes=3)
    flow = compute_flow(net, regularized=True)
    assert flow.node_flow.tolist() == pytest.approx([1 / 3] * 3)
    assert flow.teleport_source.tolist() == pytest.approx([1 / 3] * 3)
    tree = infomap(net, regularized=True, two_level=True)
    assert tree.codelength == pytest.approx(np.log2(3))


def test_regularized_flow_of_an_undirected_network_follows_strength_plus_prior():
    edges = np.array([[0, 1], [1, 2], [2, 0], [3, 4], [4, 5], [5, 3], [2, 3]])
    flow = compute_flow(Network.from_edges(edges), regularized=True, regularization_strength=2.0)
    degree = np.array([2, 2, 3, 3, 2, 2])
    expected = (degree + 2.0 * np.log(6)) / (degree + 2.0 * np.log(6)).sum()
    assert flow.node_flow == pytest.approx(expected)
    assert flow.teleport_target.tolist() == pytest.approx([1 / 6] * 6)
