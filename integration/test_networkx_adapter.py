"""infomap_learn.adapters.networkx: node keys of any type, the same results as the core,
deterministic order, the nested hierarchy, errors."""

import itertools

import networkx as nx
import numpy as np
import pytest

from infomap_learn import infomap
from infomap_learn.adapters.networkx import (
    infomap_communities,
    infomap_hierarchy,
    infomap_tree,
    network_from_networkx,
    to_communities,
    to_hierarchy,
)


def relabelled(G: nx.Graph, kind: str) -> nx.Graph:
    """``G`` with string, tuple or mixed node keys (in a shuffled node order)."""
    keys = {
        "int": lambda u: u,
        "str": lambda u: f"node-{u}",
        "tuple": lambda u: (u % 3, f"t{u}"),
        "mixed": lambda u: [u, f"s{u}", (u, "x"), 1000.5 + u, frozenset({u})][u % 5],
    }[kind]
    order = np.random.default_rng(0).permutation(G.number_of_nodes()).tolist()
    H = G.__class__()
    H.add_nodes_from(keys(u) for u in order)
    H.add_edges_from((keys(u), keys(v), d) for u, v, d in G.edges(data=True))
    return H


def nested(groups=3, cliques=4, size=5, lone=3) -> nx.Graph:
    """Cliques in groups (two levels of modules) and a disconnected clique."""
    G, n, firsts = nx.Graph(), 0, []
    for _ in range(groups):
        heads = []
        firsts.append(n)
        for _ in range(cliques):
            nodes = list(range(n, n + size))
            n += size
            G.add_edges_from(itertools.combinations(nodes, 2))
            heads.append(nodes)
        for a, b in itertools.combinations(range(cliques), 2):
            G.add_edges_from([(heads[a][0], heads[b][1]), (heads[a][2], heads[b][3])])
    for i in range(groups):
        G.add_edge(firsts[i], firsts[(i + 1) % groups] + size - 1)
    G.add_edges_from(itertools.combinations(range(n, n + lone), 2))
    return G


def check_partition(communities, G):
    assert all(isinstance(c, set) for c in communities)
    assert sum(len(c) for c in communities) == G.number_of_nodes()
    assert set().union(*communities) == set(G.nodes)
    sizes = [len(c) for c in communities]
    assert sizes == sorted(sizes, reverse=True)


@pytest.mark.parametrize("kind", ["int", "str", "tuple", "mixed"])
def test_node_keys_round_trip(kind):
    G = relabelled(nx.karate_club_graph(), kind)
    communities = infomap_communities(G, num_trials=5, seed=1)
    check_partition(communities, G)
    tree = infomap(network_from_networkx(G), two_level=True, num_trials=5, seed=1)
    expected = {}
    for key, label in zip(list(G), tree.labels.tolist(), strict=True):
        expected.setdefault(label, set()).add(key)
    assert set(map(frozenset, communities)) == set(map(frozenset, expected.values()))


@pytest.mark.parametrize("two_level", [True, False])
def test_same_as_the_core(two_level):
    G = relabelled(nested(), "str")
    tree = infomap_tree(G, seed=4, two_level=two_level, num_trials=3)
    core = infomap(network_from_networkx(G), seed=4, two_level=two_level, num_trials=3)
    assert np.array_equal(tree.paths, core.paths)
    assert tree.codelength == core.codelength
    assert tree.node_names == list(G)
    communities = infomap_communities(G, seed=4, two_level=two_level, num_trials=3)
    assert communities == to_communities(core)


def test_keys_in_the_same_community_as_the_labels():
    G = relabelled(nested(), "tuple")
    tree = infomap_tree(G, seed=1)
    communities = to_communities(tree, level=2)
    where = {key: i for i, c in enumerate(communities) for key in c}
    labels = tree.labels_at(2)
    for (a, la), (b, lb) in itertools.combinations(zip(tree.node_names, labels.tolist()), 2):
        assert (where[a] == where[b]) == (la == lb)


def test_reproducible():
    G = relabelled(nx.convert_node_labels_to_integers(nx.les_miserables_graph()), "mixed")
    a = infomap_communities(G, seed=3, num_trials=2)
    b = infomap_communities(G, seed=3, num_trials=2)
    assert a == b
    assert infomap_hierarchy(G, seed=3) == infomap_hierarchy(G, seed=3)


def test_equal_sizes_in_flow_order():
    """Four cliques of five in a ring, one with an extra internal edge weight: all sizes tie,
    so the modules come by decreasing flow, and identically every time."""
    G = nx.Graph()
    for c in range(4):
        G.add_edges_from(itertools.combinations(range(5 * c, 5 * c + 5), 2), weight=1.0)
        G.add_edge(5 * c, (5 * c + 7) % 20, weight=1.0)
    G[16][17]["weight"] = 6.0  # the last clique carries the most flow
    tree = infomap_tree(G, seed=1, two_level=True)
    communities = to_communities(tree)
    assert [len(c) for c in communities] == [5, 5, 5, 5]
    flow = dict(zip(tree.node_names, tree.node_flow.tolist()))
    flows = [sum(flow[u] for u in c) for c in communities]
    assert flows == sorted(flows, reverse=True)
    assert communities[0] == set(range(15, 20))
    assert communities == infomap_communities(G, seed=1)


def test_hierarchy_shape():
    G = relabelled(nested(), "str")
    tree = infomap_tree(G, seed=1, num_trials=3)
    assert tree.num_levels == 2
    h = infomap_hierarchy(G, seed=1, num_trials=3)
    assert h == to_hierarchy(tree)
    # every node once; each node's position in the nested lists is its module path
    index = {key: i for i, key in enumerate(tree.node_names)}
    seen = []

    def walk(module, path):
        for i, child in enumerate(x for x in module if isinstance(x, list)):
            walk(child, (*path, i))
        for key in (x for x in module if not isinstance(x, list)):
            u = index[key]
            assert tuple(tree.paths[u, : tree.depth[u]].tolist()) == path
            seen.append(key)

    for i, top in enumerate(h):
        walk(top, (i,))
    assert sorted(seen) == sorted(G)
    assert len(h) == 4
    assert [len(top) for top in h] == [4, 4, 4, 3]  # three groups of 4 cliques; a lone clique
    assert all(isinstance(x, str) for x in h[3])  # a branch that ends at level 1
    leaf = h[0][0]
    flows = [tree.node_flow[index[k]] for k in leaf]
    assert flows == sorted(flows, reverse=True)


def test_two_level_hierarchy_is_a_list_of_lists():
    G = nx.karate_club_graph()
    h = infomap_hierarchy(G, seed=1, two_level=True, num_trials=5)
    assert all(isinstance(m, list) and all(not isinstance(x, list) for x in m) for m in h)
    assert {frozenset(m) for m in h} == set(
        map(frozenset, infomap_communities(G, seed=1, num_trials=5))
    )


def test_directed_and_weighted():
    D = nx.DiGraph()
    D.add_weighted_edges_from(
        [("a", "b", 2.0), ("b", "c", 2.0), ("c", "a", 2.0), ("c", "x", 0.5),
         ("x", "y", 1.0), ("y", "z", 1.0), ("z", "x", 1.0)],
        weight="w",
    )  # fmt: skip
    tree = infomap_tree(D, "w", seed=1, two_level=True)
    assert tree.options["flow_model"] == "directed"
    core = infomap(network_from_networkx(D, "w"), two_level=True, seed=1)
    assert tree.codelength == core.codelength
    # equal sizes: x, y, z first, as the walk flows into it from a, b, c
    assert infomap_communities(D, "w", seed=1) == [{"x", "y", "z"}, {"a", "b", "c"}]
    undirected = infomap_tree(D, "w", seed=1, directed=False, two_level=True)
    assert undirected.options["flow_model"] == "undirected"
    unweighted = infomap_tree(D, None, seed=1, two_level=True)
    assert unweighted.codelength != tree.codelength


def test_multigraph_edges_are_summed():
    M = nx.MultiGraph([(0, 1), (0, 1), (1, 2), (2, 0), (2, 3), (3, 4), (4, 5), (5, 3)])
    G = nx.Graph()
    G.add_weighted_edges_from([(0, 1, 2.0), (1, 2, 1), (2, 0, 1), (2, 3, 1), (3, 4, 1),
                               (4, 5, 1), (5, 3, 1)])  # fmt: skip
    assert infomap_tree(M, seed=1).codelength == pytest.approx(infomap_tree(G, seed=1).codelength)


def test_options_pass_through():
    G = nx.karate_club_graph()
    tree = infomap_tree(G, seed=2, markov_time=2.5, num_trials=2, two_level=True)
    core = infomap(network_from_networkx(G), seed=2, markov_time=2.5, num_trials=2,
                   two_level=True)  # fmt: skip
    assert np.array_equal(tree.paths, core.paths)
    with pytest.raises(TypeError, match="infomap_communities.*'resolution'"):
        infomap_communities(G, resolution=1.0)
    with pytest.raises(TypeError, match="'threshold'"):
        infomap_hierarchy(G, threshold=1e-7)


# ------------------------------------------------------------------- bad input


def test_missing_weight_attribute():
    G = nx.karate_club_graph()
    with pytest.raises(ValueError, match="edge attribute 'wieght' not found on any edge.*weight"):
        infomap_communities(G, "wieght")
    H = nx.Graph([(0, 1), (1, 2)])
    assert len(infomap_communities(H)) >= 1  # the default "weight" may be absent
    H[0][1]["w"] = 2.0  # an edge without the attribute counts as 1 (networkx convention)
    assert infomap_tree(H, "w").codelength > 0


def test_bad_weights():
    G = nx.Graph()
    G.add_edge("a", "b", weight=1.0)
    G.add_edge("b", "c", weight=-1.0)
    with pytest.raises(
        ValueError, match=r"edge \('b', 'c'\): edge attribute 'weight' is -1.0; weights must be"
    ):
        infomap_communities(G)
    G["b"]["c"]["weight"] = "heavy"
    with pytest.raises(ValueError, match=r"edge \('b', 'c'\): edge attribute 'weight' is 'heavy'"):
        infomap_communities(G)
    G["b"]["c"]["weight"] = 1.0
    G.nodes["c"]["tp"] = float("inf")
    with pytest.raises(ValueError, match="node 'c': node attribute 'tp' is inf"):
        network_from_networkx(G, node_weights="tp")
    with pytest.raises(TypeError, match="weight must be an edge attribute name or None"):
        infomap_communities(G, weight=[1.0, 2.0])


def test_not_a_graph():
    import igraph

    for bad in (igraph.Graph.Famous("Zachary"), [(0, 1)], {"a": ["b"]}):
        with pytest.raises(TypeError, match="G must be a networkx graph"):
            infomap_communities(bad)
    # an empty graph has no communities, as with louvain_communities; no tree exists
    assert infomap_communities(nx.Graph()) == [] == nx.community.louvain_communities(nx.Graph())
    assert infomap_hierarchy(nx.DiGraph()) == []
    with pytest.raises(ValueError, match="network has no nodes"):
        infomap_tree(nx.Graph())


def test_seed_follows_networkx_conventions():
    import random

    G = nx.karate_club_graph()
    by_int = infomap_communities(G, seed=3)
    assert infomap_communities(G, seed=3) == by_int
    for make in (random.Random, np.random.default_rng, np.random.RandomState):
        first = infomap_communities(G, seed=make(11))
        assert infomap_communities(G, seed=make(11)) == first  # same generator state
    assert infomap_communities(G, seed=None)  # a seed from the global random module
    random.seed(5)
    a = infomap_tree(G, seed=None)
    random.seed(5)
    b = infomap_tree(G, seed=None)
    assert a.options["seed"] == b.options["seed"]
    with pytest.raises(ValueError, match="seed must be a non-negative integer"):
        infomap_communities(G, seed=-1)


def test_initial_partition_in_networkx_terms():
    from infomap_learn.adapters.networkx import infomap_communities, infomap_tree

    G = nx.karate_club_graph()
    found = infomap_communities(G, seed=1)
    # a found partition as the start: the search keeps it (it is a local optimum)
    again = infomap_communities(G, seed=2, initial_partition=found)
    assert sorted(map(sorted, again)) == sorted(map(sorted, found))
    # the same start as a dict and as a node attribute
    label = {u: i for i, community in enumerate(found) for u in community}
    nx.set_node_attributes(G, label, "club_start")
    by_dict = infomap_tree(G, seed=2, two_level=True, initial_partition=label)
    by_attribute = infomap_tree(G, seed=2, two_level=True, initial_partition="club_start")
    assert (by_dict.labels == by_attribute.labels).all()
    # every search starting from one module ends no longer than that start
    one = infomap_tree(G, two_level=True, initial_partition={u: "all" for u in G})
    assert one.codelength <= one.one_level_codelength + 1e-12
    with pytest.raises(ValueError, match="node 0 is in two communities"):
        infomap_tree(G, initial_partition=[{0, 1}, {0, 2}] + [{u} for u in range(3, 34)])
    with pytest.raises(ValueError, match="node 33 has no module"):
        infomap_tree(G, initial_partition=[set(range(33))])
    with pytest.raises(ValueError, match="node 0 has no attribute 'nope'"):
        infomap_tree(G, initial_partition="nope")
