"""State and multilayer networks through the networkx and igraph front doors, with the node
attributes of the official Infomap's own front doors (``node_id``, ``layer_id``): the same
graph handed to Infomap's ``add_networkx_graph`` scores its tree equal to 1e-9."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from infomap_learn import codelength, infomap

nx = pytest.importorskip("networkx")
igraph = pytest.importorskip("igraph")
official = pytest.importorskip("infomap")

from infomap_learn.adapters.igraph import network_from_igraph  # noqa: E402
from infomap_learn.adapters.networkx import network_from_networkx  # noqa: E402


def layered_graph(seed, n=30, layers=(1, 2, 3), links=70, inter=20):
    rng = np.random.default_rng(seed)
    G = nx.Graph()
    for layer in layers:
        G.add_nodes_from((f"{layer}-{u}", dict(node_id=u, layer_id=layer)) for u in range(n))
    for layer in layers:
        for _ in range(links):
            u, v = rng.integers(0, n, 2)
            if u != v:
                G.add_edge(f"{layer}-{u}", f"{layer}-{v}", weight=float(rng.integers(1, 3)))
    for _ in range(inter):
        u = int(rng.integers(n))
        l1, l2 = rng.choice(layers, 2, replace=False)
        G.add_edge(f"{l1}-{u}", f"{l2}-{u}", weight=0.5)
    return G


def official_labels(G, net, **options):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        im = official.Infomap(silent=True, two_level=True, seed=1, num_trials=3, **options)
        im.add_networkx_graph(G)
        im.run()
        index = {pair: i for i, pair in enumerate(zip(net.layer_ids.tolist(),
                                                      net.physical_ids.tolist()))}  # fmt: skip
        labels = np.full(net.n_nodes, -1)
        for node in im.get_nodes(states=True):
            labels[index[node.layer_id, node.node_id]] = node.module_id - 1
        return labels, im.codelength


@pytest.mark.parametrize("seed", [1, 2])
def test_networkx_multilayer_graph_is_infomaps(seed):
    G = layered_graph(seed)
    net = network_from_networkx(G)
    assert net.layer_ids is not None and net.n_nodes == G.number_of_nodes()
    labels, expected = official_labels(G, net)
    assert (labels >= 0).all()
    assert codelength(net, labels) == pytest.approx(expected, rel=1e-9)
    assert infomap(net, two_level=True, seed=1, num_trials=3).codelength <= expected * 1.001
    names = dict(zip(zip(net.layer_ids.tolist(), net.physical_ids.tolist()), net.node_names))
    assert names[2, 7] == "2-7"


def test_igraph_multilayer_graph_is_the_networkx_one():
    G = layered_graph(3)
    g = igraph.Graph.from_networkx(G, vertex_attr_hashable="name")
    a, b = network_from_networkx(G), network_from_igraph(g)
    assert a.node_names == b.node_names
    for attribute in ("physical_ids", "layer_ids", "source", "target", "weight"):
        np.testing.assert_array_equal(getattr(a, attribute), getattr(b, attribute))


def test_state_graph_overlaps_on_its_physical_nodes():
    # Infomap's own example: two triangles of states that share physical node 1
    G = nx.Graph()
    G.add_nodes_from(
        [
            ("a", dict(node_id=1)),
            ("b", dict(node_id=2)),
            ("c", dict(node_id=3)),
            ("d", dict(node_id=1)),
            ("e", dict(node_id=4)),
            ("f", dict(node_id=5)),
        ]
    )
    G.add_edges_from([("a", "b"), ("a", "c"), ("b", "c"), ("d", "e"), ("d", "f"), ("e", "f")])
    net = network_from_networkx(G)
    assert net.physical_ids.tolist() == [1, 2, 3, 1, 4, 5]
    tree = infomap(net, seed=1)
    assert tree.num_top_modules == 2
    assert tree.overlap.tolist() == [2, 1, 1, 1, 1]  # physical node 1 in both modules
    g = igraph.Graph.from_networkx(G, vertex_attr_hashable="name")
    assert network_from_igraph(g).physical_ids.tolist() == [1, 2, 3, 1, 4, 5]


def test_explicit_state_links_keep_diagonal_edges():
    G = nx.Graph()
    G.add_nodes_from([(0, dict(node_id=1, layer_id=1)), (1, dict(node_id=2, layer_id=2))])
    G.add_edge(0, 1)
    with pytest.raises(ValueError, match=r"edge \(0, 1\) joins different nodes in different"):
        network_from_networkx(G)
    net = network_from_networkx(G, multilayer_inter_intra_format=False)
    assert net.n_links == 1 and not net.directed


@pytest.mark.parametrize(
    "nodes, message",
    [
        ([("a", dict(node_id=1)), ("b", {})], r"node 'b' has no 'node_id' attribute"),
        ([("a", dict(layer_id=1)), ("b", dict(layer_id=1))], r"carry 'layer_id' but not"),
        ([("a", dict(node_id=1)), ("b", dict(node_id="x"))], r"node 'b' has node_id='x'"),
        ([("a", dict(node_id=-1)), ("b", dict(node_id=2))], r"node 'a' has node_id=-1"),
        ([("a", dict(node_id=1, layer_id=1)), ("b", dict(node_id=1, layer_id=1))],
         r"node 'a' and node 'b' are both node 1 in layer 1"),
    ],
)  # fmt: skip
def test_bad_attributes_are_named(nodes, message):
    G = nx.Graph()
    G.add_nodes_from(nodes)
    G.add_edge("a", "b")
    with pytest.raises(ValueError, match=message):
        network_from_networkx(G)


def test_the_community_front_doors_never_read_node_attributes():
    """As networkx's and igraph's own community functions: a ``node_id`` attribute (a
    state network for ``network_from_*``) does not change what the front doors cluster."""
    from infomap_learn.adapters.igraph import community_infomap
    from infomap_learn.adapters.networkx import infomap_communities

    g = igraph.Graph.Famous("Zachary")
    plain = community_infomap(g, seed=1)
    g.vs["node_id"] = [i % 3 for i in range(g.vcount())]
    found = community_infomap(g, seed=1)
    assert found.membership == plain.membership
    assert found.codelength == pytest.approx(plain.codelength)
    assert network_from_igraph(g).physical_ids is not None  # (the converter reads them)
    assert network_from_igraph(g, node_id=None, layer_id=None).physical_ids is None
    G = nx.karate_club_graph()
    plain = infomap_communities(G, seed=1)
    nx.set_node_attributes(G, {u: u % 3 for u in G}, "node_id")
    assert infomap_communities(G, seed=1) == plain
    assert network_from_networkx(G, node_id=None).physical_ids is None
