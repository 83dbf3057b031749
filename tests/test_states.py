"""State (memory) networks: physical-node codebooks in the map equation and the search."""

import numpy as np
import pytest

from infomap_learn import Network, codelength, compute_flow, infomap
from infomap_learn import search as S
from infomap_learn.mapequation import hierarchical_codelength, plogp, two_level_codelength


def state_network(seed, n_physical=12, n_states=40, n_links=160, directed=True):
    rng = np.random.default_rng(seed)
    physical = rng.integers(0, n_physical, n_states)
    links = rng.integers(0, n_states, (n_links, 2))
    links = links[links[:, 0] != links[:, 1]]
    return Network.from_states(physical, links, rng.random(len(links)) + 0.5, directed=directed)


def memory_reference(flow, physical, paths):
    """The memory map equation from its definition: the map equation of the state nodes,
    with each leaf module's codewords for its state nodes replaced by its physical nodes."""
    paths = np.asarray(paths)
    plain = (
        two_level_codelength(flow, paths) if paths.ndim == 1
        else hierarchical_codelength(flow, paths)
    ).codelength  # fmt: skip
    rows = paths if paths.ndim == 2 else paths[:, None]
    leaf_path = [tuple(x for x in row if x >= 0) for row in rows.tolist()]  # (leaf modules)
    by_module = {}
    for state, module in enumerate(leaf_path):
        key = (module, int(physical[state]))
        by_module[key] = by_module.get(key, 0.0) + flow.node_flow[state]
    return plain + plogp(flow.node_flow).sum() - plogp(np.array(list(by_module.values()))).sum()


@pytest.mark.parametrize("directed", [True, False])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_codelength_is_the_memory_map_equation(seed, directed):
    net = state_network(seed, directed=directed)
    flow = compute_flow(net)
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 4, net.n_nodes)
    assert codelength(net, labels) == pytest.approx(
        memory_reference(flow, net.physical_ids, labels), rel=1e-12
    )
    # a tree: the physical codewords are in the leaf modules only
    paths = np.stack([labels // 2, labels % 2], axis=1)
    assert codelength(net, paths) == pytest.approx(
        memory_reference(flow, net.physical_ids, paths), rel=1e-12
    )


def test_one_physical_node_per_state_is_the_plain_network():
    net = state_network(3)
    plain = Network(net.source, net.target, net.weight, net.n_nodes, directed=True)
    states = Network.from_states(np.arange(net.n_nodes) * 7, np.stack([net.source, net.target], 1),
                                 net.weight, directed=True)  # fmt: skip
    labels = np.random.default_rng(3).integers(0, 3, net.n_nodes)
    assert codelength(states, labels) == pytest.approx(codelength(plain, labels), rel=1e-12)


@pytest.mark.parametrize("seed", [0, 1])
def test_search_objective_is_the_memory_map_equation(seed):
    # the core loop's objective (codes physical nodes through the meta table, no term per
    # state) equals the plain-numpy codelength for any assignment
    net = state_network(seed)
    flow = compute_flow(net)
    categories = np.unique(net.physical_ids, return_inverse=True)[1]
    units = S.leaf_units(flow, (categories, flow.node_flow), meta_total=0.0)
    ctx = S.new_context(units, seed, meta_rate=1.0)
    labels = np.random.default_rng(seed).integers(0, 5, net.n_nodes)
    assert S.codelength_of(units, labels, ctx) == pytest.approx(
        memory_reference(flow, net.physical_ids, labels), rel=1e-12
    )
    found, length = S.two_level_search(units, ctx)
    assert length == pytest.approx(memory_reference(flow, net.physical_ids, found), rel=1e-10)


@pytest.mark.parametrize("two_level", [True, False])
def test_search_result_scores_as_its_tree(two_level):
    net = state_network(5, n_states=80, n_links=300)
    tree = infomap(net, two_level=two_level, num_trials=3, seed=2)
    assert tree.codelength == pytest.approx(codelength(net, tree.paths), rel=1e-10)
    plain = Network(net.source, net.target, net.weight, net.n_nodes, directed=True)
    # coding physical nodes never costs more than coding states
    assert tree.codelength <= codelength(plain, tree.paths) + 1e-12


def test_states_and_meta_data_are_not_combined():
    net = state_network(0)
    with pytest.raises(ValueError, match="meta_data cannot be used on a state network"):
        infomap(net, meta_data=np.zeros(net.n_nodes, dtype=int))


@pytest.mark.parametrize(
    "physical_ids, what",
    [([0, 1], "length n_nodes=3"), ([0, -1, 2], r"physical_ids\[1\] is -1"),
     ([0.5, 1, 2], "must be integers")],
)  # fmt: skip
def test_bad_physical_ids_are_named(physical_ids, what):
    with pytest.raises(ValueError, match=what):
        Network([0, 1], [1, 2], n_nodes=3, physical_ids=physical_ids)


def test_the_physical_level_is_named_by_the_vertices_and_the_states_by_their_own(tmp_path):
    from infomap_learn.io import read_network

    source = tmp_path / "states.net"
    source.write_text(
        '*Vertices 3\n1 "i"\n2 "j"\n3 "k"\n'
        '*States\n1 1 "alpha i"\n2 2 "beta j"\n3 2 "gamma j"\n4 3\n'
        "*Links\n1 2\n2 1\n3 4\n4 3\n2 3\n"
    )
    network, ids = read_network(source, directed=True)
    assert network.physical_names == {1: "i", 2: "j", 3: "k"}
    tree = infomap(network, seed=1)
    assert tree.physical_names == network.physical_names
    tree.write_tree(tmp_path / "out.tree", node_ids=ids)
    tree.write_tree(tmp_path / "out_states.tree", node_ids=ids, states=True)
    physical = [line for line in (tmp_path / "out.tree").read_text().splitlines()
                if not line.startswith("#")]  # fmt: skip
    assert sorted(line.split()[2] for line in physical) == ['"i"', '"j"', '"j"', '"k"']
    states = (tmp_path / "out_states.tree").read_text()
    assert '"beta j"' in states and '"gamma j"' in states and '"k"' in states
    # a network built in Python without physical names keeps the states' names
    plain = Network.from_states(network.physical_ids, [[0, 1], [1, 0]], node_names=list("abcd"))
    assert plain.physical_names is None


@pytest.mark.parametrize("two_level", [True, False])
def test_tune_limits_of_state_networks(monkeypatch, two_level):
    """A state network of more than ``HIERARCHY_FULL_TUNE_MAX_NODES`` state nodes tunes
    its two-level search ``STATE_TUNE_ITERATION_LIMIT`` times at most, its multilevel top
    search ``HIERARCHY_META_TOP_TUNE_LIMIT`` times; a small one as any network."""
    limits = []
    search = S._front.two_level_search

    def recording(units, ctx, tune_limit=S._constants.TUNE_ITERATION_LIMIT, **kwargs):
        limits.append(tune_limit)
        return search(units, ctx, tune_limit=tune_limit, **kwargs)

    monkeypatch.setattr(S._front, "two_level_search", recording)
    large = state_network(0, n_physical=40, n_states=200, n_links=900)
    infomap(large, two_level=two_level, seed=1)
    expected = (
        S._constants.STATE_TUNE_ITERATION_LIMIT if two_level
        else S._constants.HIERARCHY_META_TOP_TUNE_LIMIT
    )  # fmt: skip
    assert limits[0] == expected
    limits.clear()
    infomap(state_network(0), two_level=two_level, seed=1)  # (40 state nodes)
    assert limits[0] == S._constants.TUNE_ITERATION_LIMIT
