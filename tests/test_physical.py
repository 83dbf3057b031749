"""The physical level of trees over state networks: (module, physical node) rows against a
dict-based reference, overlapping memberships, and the .tree/.clu files of both levels."""

import numpy as np
import pytest

from infomap_learn import ModuleTree, Network, codelength, infomap
from infomap_learn._physical import physical_rows
from infomap_learn.io import read_network


def state_tree(seed, n_physical=10, n_states=40, two_level=False):
    rng = np.random.default_rng(seed)
    physical = rng.integers(0, n_physical, n_states) * 3 + 1  # (ids need not be 0..n-1)
    links = rng.integers(0, n_states, (160, 2))
    links = links[links[:, 0] != links[:, 1]]
    net = Network.from_states(physical, links, rng.random(len(links)) + 0.5)
    return net, infomap(net, two_level=two_level, seed=seed, num_trials=2)


def reference_rows(paths, flow, physical):
    rows = {}
    for state, path in enumerate(paths.tolist()):
        key = (tuple(path), int(physical[state]))
        rows[key] = rows.get(key, 0.0) + flow[state]
    return sorted(rows.items())


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_physical_rows_sum_the_states_of_each_module_and_node(seed):
    net, tree = state_tree(seed)
    rows = physical_rows(tree.paths, tree.node_flow, tree.physical_ids)
    expected = reference_rows(tree.paths, tree.node_flow, tree.physical_ids)
    got = [((tuple(p), int(u)), f) for p, u, f in
           zip(rows.paths.tolist(), rows.physical_ids.tolist(), rows.flow.tolist())]  # fmt: skip
    assert [key for key, _ in got] == [key for key, _ in expected]
    np.testing.assert_allclose([f for _, f in got], [f for _, f in expected], rtol=1e-12)
    assert (rows.physical_ids[rows.row_of_state] == tree.physical_ids).all()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_memberships_are_flow_shares_and_overlap_counts_modules(seed):
    net, tree = state_tree(seed, two_level=True)
    shares = tree.physical_memberships()
    nodes = tree.physical_nodes
    assert shares.shape == (nodes.size, tree.num_top_modules)
    dense = shares.toarray()
    for row, node in enumerate(nodes.tolist()):
        mine = tree.physical_ids == node
        for module in range(tree.num_top_modules):
            inside = tree.node_flow[mine & (tree.labels == module)].sum()
            assert dense[row, module] == pytest.approx(inside / tree.node_flow[mine].sum())
        assert tree.overlap[row] == len(set(tree.labels[mine].tolist()))
    np.testing.assert_allclose(dense.sum(axis=1), 1.0)
    assert (tree.state_labels == tree.labels).all()


def test_first_order_trees_have_no_physical_level():
    tree = infomap(Network.from_edges([[0, 1], [1, 2], [2, 0]]))
    assert tree.physical_ids is None
    with pytest.raises(ValueError, match="first-order network"):
        tree.physical_memberships()
    with pytest.raises(ValueError, match="first-order network"):
        _ = tree.overlap


STATES = """*Vertices 3
1 "a"
2 "b"
3 "c"
*States
10 1
11 1
12 2
13 2
14 3
15 3
*Arcs
10 12 1
12 10 1
11 14 1
14 11 1
13 15 1
15 13 1
10 11 0.1
12 13 0.1
"""


def test_files_of_both_levels_and_the_state_level_reads_back(tmp_path):
    path = tmp_path / "states.net"
    path.write_text(STATES)
    net, ids = read_network(path, directed=True)
    tree = infomap(net, seed=1)
    tree.write_tree(tmp_path / "out.tree", node_ids=ids)
    tree.write_tree(tmp_path / "out_states.tree", node_ids=ids, states=True)
    tree.write_clu(tmp_path / "out.clu", node_ids=ids)
    tree.write_clu(tmp_path / "out_states.clu", node_ids=ids, states=True)
    physical = [line.split() for line in (tmp_path / "out.tree").read_text().splitlines()
                if not line.startswith("#")]  # fmt: skip
    assert "# physical level" in (tmp_path / "out.tree").read_text()
    rows = physical_rows(tree.paths, tree.node_flow, tree.physical_ids)
    assert len(physical) == len(rows.flow)
    assert sorted(int(row[-1]) for row in physical) == sorted(rows.physical_ids.tolist())
    states = (tmp_path / "out_states.tree").read_text()
    assert "# path flow name state_id node_id\n" in states
    assert '"a" 10 1' in states
    tree.write_json(tmp_path / "out_states.json", node_ids=ids, states=True)
    tree.write_json(tmp_path / "out.json", node_ids=ids)
    import json

    document = json.loads((tmp_path / "out.json").read_text())
    assert document["higherOrder"] and not document["stateLevel"]
    assert sorted(node["id"] for node in document["nodes"]) == sorted(rows.physical_ids.tolist())
    for name in ("out_states.tree", "out_states.clu", "out_states.json"):
        again = ModuleTree.read(tmp_path / name, net, node_ids=ids)
        assert again.codelength == pytest.approx(tree.codelength, rel=1e-12)
        assert (again.labels == tree.labels).all()
    clu = (tmp_path / "out.clu").read_text().splitlines()
    assert "# node_id module flow" in clu and "# state_id module flow node_id" in (
        tmp_path / "out_states.clu"
    ).read_text()


def test_multilayer_state_files_carry_the_layer(tmp_path):
    intra = [[1, 0, 1], [1, 1, 2], [1, 2, 0], [2, 2, 3], [2, 3, 4], [2, 4, 2]]
    net = Network.from_multilayer(intra, relax_rate=0.1)
    tree = infomap(net, seed=1)
    tree.write_tree(tmp_path / "m_states.tree", states=True)
    text = (tmp_path / "m_states.tree").read_text()
    assert "# path flow name state_id node_id layer_id" in text
    assert codelength(net, ModuleTree.read(tmp_path / "m_states.tree", net).paths) == (
        pytest.approx(tree.codelength)
    )
    tree.write_tree(tmp_path / "m.tree")
    physical = [line for line in (tmp_path / "m.tree").read_text().splitlines()
                if not line.startswith("#")]  # fmt: skip
    assert len(physical) == 6  # node 2 once in each of the two modules


def test_html_view_shows_a_physical_node_in_every_module_it_belongs_to():
    from infomap_learn.io._html import tree_data

    intra = [[1, 0, 1], [1, 1, 2], [1, 2, 0], [2, 2, 3], [2, 3, 4], [2, 4, 2]]
    net = Network.from_multilayer(intra, relax_rate=0.1)
    tree = infomap(net, seed=1)
    data = tree_data(tree, names=["a", "b", "c", "c", "d", "e"])
    assert data["meta"]["nodes"] == 5  # physical nodes
    shown = [sorted(data["names"][i] for i in module["t"]) for module in data["modules"][1:]]
    assert sorted(shown) == [["a", "b", "c"], ["c", "d", "e"]]


def test_cli_writes_both_levels_and_scores_its_state_tree_again(tmp_path, capsys):
    from infomap_learn.cli import main

    path = tmp_path / "states.net"
    path.write_text(STATES)
    out = tmp_path / "out"
    assert main(["run", str(path), str(out), "-d", "-o", "tree,clu,json", "-s", "1"]) == 0
    for name in ("states.tree", "states_states.tree", "states.clu", "states_states.clu",
                 "states.json", "states_states.json"):  # fmt: skip
        assert (out / name).exists(), name
    first = capsys.readouterr().out
    again = tmp_path / "again"
    args = ["run", str(path), str(again), "-d", "-o", "tree", "--no-infomap",
            "--cluster-data", str(out / "states_states.tree")]  # fmt: skip
    assert main(args) == 0
    scored = capsys.readouterr().out
    codelength = [line for line in first.splitlines() if "codelength" in line][0]
    length = codelength.split("codelength ")[1].split(" bits")[0]
    assert f"codelength {length} bits" in scored
    assert (again / "states.tree").read_text().splitlines()[-6:] == (
        (out / "states.tree").read_text().splitlines()[-6:]
    )
