"""infomap_learn.adapters.igraph against igraph's own Graph.community_infomap (igraph 1.0
vendors Infomap) and the official Infomap: codelengths, hierarchy levels, errors."""

import itertools
import random
import warnings

import igraph
import infomap as official
import numpy as np
import pytest

from infomap_learn import codelength, infomap
from infomap_learn.adapters.igraph import (
    community_infomap,
    network_from_igraph,
    to_vertex_clustering,
    to_vertex_dendrogram,
)

TOL = 1e-9


def same_partition(a, b) -> bool:
    """Whether two membership lists are the same partition (up to module ids)."""
    a, b = np.asarray(a), np.asarray(b)
    pairs = set(zip(a.tolist(), b.tolist()))
    return len(pairs) == len(set(a.tolist())) == len(set(b.tolist()))


def igraph_infomap(g, seed=1, **kwargs):
    random.seed(seed)  # python-igraph's RNG is Python's random module
    return g.community_infomap(**kwargs)


def sbm(seed: int, directed: bool) -> igraph.Graph:
    random.seed(seed)
    p = [[0.3, 0.02, 0.02], [0.02, 0.3, 0.02], [0.02, 0.02, 0.3]]
    return igraph.Graph.SBM(p, [20, 20, 20], directed)


def nested(groups=3, cliques=4, size=5, lone=3) -> igraph.Graph:
    """Cliques in groups (two levels of modules), plus a disconnected clique whose branch of
    the tree ends one level higher."""
    edges, n, firsts = [], 0, []
    for _ in range(groups):
        heads = []
        firsts.append(n)
        for _ in range(cliques):
            nodes = list(range(n, n + size))
            n += size
            edges += itertools.combinations(nodes, 2)
            heads.append(nodes)
        for a, b in itertools.combinations(range(cliques), 2):
            edges += [(heads[a][0], heads[b][1]), (heads[a][2], heads[b][3])]
    for i in range(groups):
        edges.append((firsts[i], firsts[(i + 1) % groups] + size - 1))
    edges += itertools.combinations(range(n, n + lone), 2)
    return igraph.Graph(edges=edges, n=n + lone)


def official_codelength(g, weights=None, node_weights=None, **options):
    """Best codelength of the official Infomap (two-level, 20 trials)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        im = official.Infomap(silent=True, two_level=True, num_trials=20, seed=1, **options)
    for u in range(g.vcount()):
        if node_weights is None:
            im.add_node(u)
        else:
            im.add_node(u, teleportation_weight=float(node_weights[u]))
    w = [1.0] * g.ecount() if weights is None else weights
    for (u, v), x in zip(g.get_edgelist(), w, strict=True):
        im.add_link(u, v, float(x))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return im.run().codelength


# ------------------------------------------------------------------- against igraph's own


def test_zachary_matches_igraph():
    g = igraph.Graph.Famous("Zachary")
    theirs = igraph_infomap(g, trials=10)
    assert theirs.codelength == pytest.approx(4.311793, abs=1e-6)
    ours = community_infomap(g, trials=10, seed=1)
    assert isinstance(ours, igraph.VertexClustering)
    assert ours.graph is g
    assert ours.codelength == pytest.approx(theirs.codelength, abs=TOL)
    assert same_partition(ours.membership, theirs.membership)
    assert ours.tree.codelength == ours.codelength
    assert ours.level == 1
    assert ours.modularity == pytest.approx(theirs.modularity)


def test_same_as_the_core():
    g = sbm(0, directed=False)
    ours = community_infomap(g, trials=5, seed=3)
    tree = infomap(network_from_igraph(g, None), two_level=True, num_trials=5, seed=3)
    assert ours.membership == tree.labels.tolist()
    assert ours.codelength == tree.codelength
    assert np.array_equal(ours.tree.paths, tree.paths)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_directed_reaches_igraph(seed):
    """igraph's codelength is the map equation of its membership under one flow model (1.0:
    the undirected one, see the next test); with that model ours is as short or shorter."""
    g = sbm(seed, directed=True)
    theirs = igraph_infomap(g, trials=10)
    net = network_from_igraph(g)
    lengths = {
        model: codelength(net, theirs.membership, flow_model=model)
        for model in ("undirected", "directed")
    }
    model = min(lengths, key=lambda m: abs(lengths[m] - theirs.codelength))
    assert lengths[model] == pytest.approx(theirs.codelength, abs=TOL)
    ours = community_infomap(g, trials=10, seed=1, flow_model=model)
    assert ours.codelength <= theirs.codelength + TOL


@pytest.mark.skipif(not igraph.__version__.startswith("1.0."), reason="measured on igraph 1.0")
def test_igraph_1_0_ignores_edge_directions():
    """What docs/igraph_networkx.md reports: igraph 1.0 uses undirected flow on a directed
    graph, so flow_model="undirected" reproduces its codelength exactly."""
    g = sbm(0, directed=True)
    theirs = igraph_infomap(g, trials=10)
    undirected = codelength(network_from_igraph(g), theirs.membership, flow_model="undirected")
    assert undirected == pytest.approx(theirs.codelength, abs=TOL)
    ours = community_infomap(g, trials=10, seed=1, flow_model="undirected")
    assert ours.codelength == pytest.approx(theirs.codelength, abs=TOL)


@pytest.mark.parametrize("seed", [0, 1])
def test_directed_uses_directed_flow(seed):
    """By default a directed graph gets the directed flow model: the official Infomap's
    ``--directed`` codelength, and the codelength of our membership under that model."""
    g = sbm(seed, directed=True)
    ours = community_infomap(g, trials=10, seed=1)
    net = network_from_igraph(g)
    assert ours.tree.options["flow_model"] == "directed"
    assert ours.codelength == pytest.approx(
        codelength(net, ours.membership, flow_model="directed"), abs=TOL
    )
    assert ours.codelength <= official_codelength(g, flow_model="directed") + TOL


@pytest.mark.parametrize("as_attribute", [False, True], ids=["list", "attribute"])
@pytest.mark.parametrize("seed", [0, 1])
def test_weighted_matches_igraph(seed, as_attribute):
    g = sbm(seed, directed=False)
    w = np.random.default_rng(seed).uniform(0.1, 5.0, g.ecount()).tolist()
    g.es["w"] = w
    ew = "w" if as_attribute else w
    theirs = igraph_infomap(g, edge_weights=ew, trials=10)
    ours = community_infomap(g, ew, trials=10, seed=1)
    assert ours.codelength <= theirs.codelength + TOL
    assert ours.codelength == pytest.approx(theirs.codelength, abs=1e-6)
    net = network_from_igraph(g, "w")
    assert ours.codelength == pytest.approx(codelength(net, ours.membership), abs=TOL)
    unweighted = community_infomap(g, trials=10, seed=1)  # edge_weights=None: unweighted
    assert unweighted.codelength != pytest.approx(ours.codelength)


@pytest.mark.parametrize("directed", [False, True], ids=["undirected", "directed"])
def test_vertex_weights_match_igraph(directed):
    """Vertex weights are teleportation weights: undirected flow has no teleportation, so they
    change nothing there, in igraph and here; igraph 1.0 uses undirected flow everywhere."""
    g = sbm(2, directed=directed)
    ew = np.random.default_rng(5).uniform(0.1, 5.0, g.ecount()).tolist()
    vw = np.random.default_rng(6).uniform(0.1, 5.0, g.vcount()).tolist()
    g.vs["vw"] = vw
    plain = igraph_infomap(g, edge_weights=ew, trials=10)
    theirs = igraph_infomap(g, edge_weights=ew, vertex_weights=vw, trials=10)
    assert theirs.codelength == pytest.approx(plain.codelength, abs=TOL)  # no effect in igraph
    model = {"flow_model": "undirected"} if directed else {}
    for weights in (vw, "vw"):
        ours = community_infomap(g, ew, weights, trials=10, seed=1, **model)
        assert ours.codelength <= theirs.codelength + TOL
        assert ours.codelength == pytest.approx(theirs.codelength, abs=1e-6)


def test_vertex_weights_weight_directed_teleportation():
    """Under the directed flow model vertex weights are the teleportation weights of
    ``to_nodes`` teleportation: the official Infomap's ``teleportation_weight``."""
    g = sbm(1, directed=True)
    vw = np.random.default_rng(2).uniform(0.1, 5.0, g.vcount())
    ours = community_infomap(g, vertex_weights=vw.tolist(), trials=10, seed=1)
    assert ours.tree.options["to_nodes"] is True
    theirs = official_codelength(g, node_weights=vw, flow_model="directed", to_nodes=True)
    assert ours.codelength <= theirs + TOL
    net = network_from_igraph(g, node_weights=vw)
    assert ours.codelength == pytest.approx(
        codelength(net, ours.membership, to_nodes=True), abs=TOL
    )
    links = community_infomap(g, vertex_weights=vw.tolist(), seed=1, to_nodes=False)
    assert links.tree.options["to_nodes"] is False  # an explicit to_nodes wins


# ------------------------------------------------------------------- options and seeds


def test_reproducible_with_seed():
    g = sbm(4, directed=False)
    a = community_infomap(g, trials=3, seed=7)
    b = community_infomap(g, trials=3, seed=7)
    assert a.membership == b.membership
    assert a.codelength == b.codelength


def test_options_pass_through():
    g = sbm(0, directed=False)
    ours = community_infomap(g, trials=2, seed=1, markov_time=3.0)
    tree = infomap(network_from_igraph(g, None), two_level=True, num_trials=2, seed=1,
                   markov_time=3.0)  # fmt: skip
    assert ours.membership == tree.labels.tolist()
    assert ours.tree.options["markov_time"] == 3.0


def test_unknown_options_are_named():
    g = igraph.Graph.Famous("Zachary")
    with pytest.raises(TypeError, match="'colour'.*'markovtime'"):
        community_infomap(g, markovtime=2, colour="red")
    with pytest.raises(TypeError, match="'num_trials' as 'trials'"):
        community_infomap(g, num_trials=3)


# ------------------------------------------------------------------- hierarchy


@pytest.fixture(scope="module")
def hierarchy():
    g = nested()
    c = community_infomap(g, trials=3, seed=1, two_level=False)
    return g, c


def test_hierarchical_result(hierarchy):
    g, c = hierarchy
    tree = c.tree
    assert tree.num_levels == 2
    assert (tree.paths < 0).any()  # the lone clique's branch ends at level 1
    assert c.membership == tree.labels.tolist()
    assert c.codelength == tree.codelength
    assert c.tree.options["two_level"] is False


def test_to_vertex_clustering_every_level(hierarchy):
    g, c = hierarchy
    tree = c.tree
    previous = None
    for level in range(1, tree.num_levels + 1):
        vc = to_vertex_clustering(tree, g, level)
        assert isinstance(vc, igraph.VertexClustering)
        assert vc.membership == tree.labels_at(level).tolist()
        assert len(vc) == len(set(vc.membership))  # no empty clusters
        assert (vc.level, vc.tree, vc.codelength) == (level, tree, tree.codelength)
        if previous is not None:  # each level refines the one above
            assert len(set(zip(vc.membership, previous))) == len(vc)
        previous = vc.membership
    deepest = to_vertex_clustering(c, g, -1)  # the clustering carries its tree
    assert deepest.membership == tree.labels_at(tree.num_levels).tolist()
    assert len(to_vertex_clustering(tree, g)) == tree.num_top_modules == 4


def test_to_vertex_clustering_bad_input(hierarchy):
    g, c = hierarchy
    for level in (0, 3, -2):
        with pytest.raises(ValueError, match="level must be"):
            to_vertex_clustering(c.tree, g, level)
    with pytest.raises(ValueError, match="63 nodes but the graph has 34"):
        to_vertex_clustering(c.tree, igraph.Graph.Famous("Zachary"))
    with pytest.raises(TypeError, match="igraph.Graph"):
        to_vertex_clustering(c.tree, "graph")
    with pytest.raises(TypeError, match="ModuleTree"):
        to_vertex_clustering([0, 1], g)


def test_to_vertex_dendrogram(hierarchy):
    g, c = hierarchy
    tree = c.tree
    d = to_vertex_dendrogram(c, g)
    assert isinstance(d, igraph.VertexDendrogram)
    assert len(d.merges) == g.vcount() - 1
    assert d.level_counts == (4, 13)
    assert d.optimal_count == tree.num_top_modules
    assert same_partition(d.as_clustering().membership, tree.labels)
    for level, count in enumerate(d.level_counts, start=1):
        cut = d.as_clustering(count)
        assert len(cut) == count
        assert same_partition(cut.membership, tree.labels_at(level))
    assert d.tree is tree and d.codelength == tree.codelength


def test_dendrogram_of_two_level_result():
    g = igraph.Graph.Famous("Zachary")
    c = community_infomap(g, trials=10, seed=1)
    d = to_vertex_dendrogram(c.tree, g)
    assert d.level_counts == (3,)
    assert same_partition(d.as_clustering().membership, c.membership)
    assert len(d.merges) == 33


# ------------------------------------------------------------------- bad input


@pytest.fixture
def zachary():
    return igraph.Graph.Famous("Zachary")


def test_negative_weights(zachary):
    w = [1.0] * zachary.ecount()
    w[5] = -2.0
    with pytest.raises(ValueError, match=r"weight of edge 5 .* is -2.0; weights must be finite"):
        community_infomap(zachary, w)
    zachary.es["w"] = w
    with pytest.raises(ValueError, match=r"edge 5 \(0 -- 6\): edge attribute 'w' is -2\.0"):
        community_infomap(zachary, "w")
    zachary.vs["name"] = [f"v{i}" for i in range(zachary.vcount())]
    with pytest.raises(ValueError, match=r"edge 5 \('v0' -- 'v6'\): edge attribute 'w'"):
        community_infomap(zachary, "w")
    zachary.vs["tp"] = [1.0] * 3 + [float("nan")] + [1.0] * 30
    with pytest.raises(ValueError, match=r"vertex 'v3': vertex attribute 'tp' is nan"):
        community_infomap(zachary, vertex_weights="tp")
    vw = [1.0] * zachary.vcount()
    vw[3] = -1.0
    with pytest.raises(ValueError, match=r"vertex_weights\[3\] is -1.0"):
        community_infomap(zachary, vertex_weights=vw)


def test_missing_attributes(zachary):
    with pytest.raises(ValueError, match="edge attribute 'weight' not found"):
        community_infomap(zachary, "weight")  # igraph's rule: a given name must exist
    with pytest.raises(ValueError, match="edge attribute 'strength' not found"):
        community_infomap(zachary, "strength")
    with pytest.raises(ValueError, match="vertex attribute 'size' not found"):
        community_infomap(zachary, vertex_weights="size")


def test_wrong_lengths(zachary):
    with pytest.raises(ValueError, match="length 78 .one per edge., got shape .77,."):
        community_infomap(zachary, [1.0] * 77)
    with pytest.raises(ValueError, match="length n_nodes=34, got shape .35,."):
        community_infomap(zachary, vertex_weights=[1.0] * 35)


def test_not_a_graph(zachary):
    import networkx as nx

    for bad in (nx.karate_club_graph(), [(0, 1)], None):
        with pytest.raises(TypeError, match="graph must be an igraph.Graph"):
            community_infomap(bad)
    for trials in (0, 1.5, True):
        with pytest.raises(ValueError, match="trials must be an integer >= 1"):
            community_infomap(zachary, trials=trials)


def test_empty_graph_gives_an_empty_clustering_like_igraph():
    import math

    import igraph

    ours = community_infomap(igraph.Graph())
    theirs = igraph.Graph().community_infomap()
    assert ours.membership == theirs.membership == []
    assert math.isnan(ours.codelength) and math.isnan(theirs.codelength)
    assert ours.tree is None


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_pagerank_agrees_with_igraphs(seed):
    """Our power iteration (kept for Infomap's teleportation semantics) against igraph's
    PRPACK PageRank, where the two models coincide: teleportation and dangling jumps
    uniform over nodes."""
    from infomap_learn.flow import pagerank

    rng = np.random.default_rng(seed)
    n, m = 60, 240
    source, target = rng.integers(0, n, m), rng.integers(0, n, m)
    keep = source != target
    source, target = source[keep], target[keep]
    weight = rng.uniform(0.1, 2.0, source.size)
    g = igraph.Graph(n=n, edges=list(zip(source.tolist(), target.tolist())), directed=True)
    theirs = np.array(g.pagerank(damping=0.85, weights=weight.tolist()))
    out_strength = np.bincount(source, weight, n)
    transition = weight / out_strength[source]
    ours = pagerank(n, source, target, transition, out_strength == 0, np.full(n, 1 / n), 0.15)
    np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12)


def test_initial_partition_in_igraph_terms():
    g = igraph.Graph.Famous("Zachary")
    found = community_infomap(g, seed=1)
    again = community_infomap(g, seed=2, trials=1, initial_partition=found)
    assert again.membership == found.membership
    g.vs["start"] = found.membership
    by_name = community_infomap(g, seed=2, trials=1, initial_partition="start")
    by_list = community_infomap(g, seed=2, trials=1, initial_partition=found.membership)
    assert by_name.membership == by_list.membership == found.membership
    with pytest.raises(ValueError, match="vertex attribute 'nope' not found"):
        community_infomap(g, initial_partition="nope")
    small = igraph.Graph.Famous("Petersen")
    with pytest.raises(ValueError, match="clustering of 10 vertices; the graph has 34"):
        community_infomap(g, initial_partition=community_infomap(small))


def test_bad_vertex_weights_are_named_as_igraph_names_them():
    g = igraph.Graph.Famous("Zachary")
    with pytest.raises(ValueError, match="vertex_weights must be a 1-D sequence of length"):
        community_infomap(g, vertex_weights=[1.0] * 3)
