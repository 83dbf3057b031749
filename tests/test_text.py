"""ModuleTree.to_text / format_tree: the module tree as indented text."""

from __future__ import annotations

import re

import numpy as np
import pytest

from infomap_learn import ModuleTree, Network, compute_flow, infomap
from infomap_learn.datasets import karate_club, planted_partition
from infomap_learn.io._text import format_tree

LINE = re.compile(r"^( *)([\d:]+) \(flow ([\d.e+-]+), (\d+) nodes?\): (.*)$")


def hand_tree(network: Network, paths: np.ndarray) -> ModuleTree:
    """A ModuleTree with the given module paths (siblings renumbered by decreasing flow)."""
    return ModuleTree.from_paths(compute_flow(network), paths, node_names=network.node_names)


@pytest.fixture(scope="module")
def nested():
    """Four planted modules of 6 nodes, paired into 2 top modules; the first planted
    module is split once more (even / odd nodes), so leaves sit at depths 2 and 3."""
    net, membership = planted_partition(4, 6, p_in=0.7, p_out=0.05, seed=3)
    paths = np.stack([membership // 2, membership % 2, np.full(24, -1)], axis=1)
    paths[membership == 0, 2] = np.arange(6) % 2
    return hand_tree(net, paths)


def test_exact_output_hierarchical(nested):
    assert nested.to_text(max_nodes_per_module=3) == "\n".join(
        [
            "codelength 3.98928 bits, 3 module levels, 2 top modules, 24 nodes, "
            "relative savings 11.1%",
            "1 (flow 0.51, 12 nodes): 0, 1, 5, …",
            "  1:1 (flow 0.271, 6 nodes): 7, 10, 11, …",
            "  1:2 (flow 0.24, 6 nodes): 0, 1, 5, …",
            "    1:2:1 (flow 0.125, 3 nodes): 0, 4, 2",
            "    1:2:2 (flow 0.115, 3 nodes): 1, 5, 3",
            "2 (flow 0.49, 12 nodes): 18, 21, 13, …",
            "  2:1 (flow 0.26, 6 nodes): 18, 21, 23, …",
            "  2:2 (flow 0.229, 6 nodes): 13, 17, 16, …",
        ]
    )


def test_exact_output_with_limits(nested):
    assert nested.to_text(max_modules=1, max_depth=2) == "\n".join(
        [
            "codelength 3.98928 bits, 3 module levels, 2 top modules, 24 nodes, "
            "relative savings 11.1%",
            "1 (flow 0.51, 12 nodes): 0, 1, 5, 7, 10, …",
            "  1:1 (flow 0.271, 6 nodes): 7, 10, 11, 8, 9, …",
            "  … 1 more module (flow 0.24)",
            "… 1 more module (flow 0.49)",
        ]
    )


def test_to_text_is_format_tree(nested):
    kwargs = dict(max_nodes_per_module=2, max_modules=3, max_depth=2)
    assert nested.to_text(**kwargs) == format_tree(nested, **kwargs)


def parse(text: str) -> list[tuple[int, str, float, int, list[str]]]:
    rows = []
    for line in text.splitlines()[1:]:
        match = LINE.match(line)
        if match:
            indent, path, flow, count, top = match.groups()
            rows.append((len(indent) // 2, path, float(flow), int(count), top.split(", ")))
    return rows


def test_every_module_matches_numpy_aggregates():
    net, _ = planted_partition(6, 20, p_in=0.4, p_out=0.02, seed=5)
    tree = infomap(net, num_trials=2, seed=2)
    rows = parse(tree.to_text(max_nodes_per_module=None, max_modules=None))
    paths, flow = tree.paths, tree.node_flow
    n_modules = sum(
        len(np.unique(paths[paths[:, d] >= 0, : d + 1], axis=0)) for d in range(tree.num_levels)
    )
    assert len(rows) == n_modules
    for depth, path, module_flow, count, top in rows:
        prefix = np.array([int(p) - 1 for p in path.split(":")])
        assert len(prefix) == depth + 1
        members = np.flatnonzero((paths[:, : len(prefix)] == prefix).all(axis=1))
        assert count == members.size
        assert module_flow == pytest.approx(flow[members].sum(), rel=1e-2)
        # all the nodes, by decreasing flow
        assert [int(u) for u in top] == members[np.lexsort((members, -flow[members]))].tolist()


def test_siblings_by_decreasing_flow_and_indented_under_parent(nested):
    rows = parse(nested.to_text(max_modules=None))
    for (d1, p1, f1, *_), (d2, p2, f2, *_) in zip(rows, rows[1:]):
        assert d2 <= d1 + 1
        if d2 == d1 + 1:
            assert p2.rsplit(":", 1)[0] == p1
        if d1 == d2 and p1.rsplit(":", 1)[:-1] == p2.rsplit(":", 1)[:-1]:
            assert f1 >= f2


def test_two_level_tree():
    net, membership = planted_partition(3, 10, p_in=0.8, p_out=0.02, seed=1)
    tree = infomap(net, two_level=True, seed=1)
    lines = tree.to_text().splitlines()
    assert lines[0].startswith(f"codelength {tree.codelength:.6g} bits, 1 module level, ")
    assert "3 top modules, 30 nodes" in lines[0]
    assert [line.split(" ")[0] for line in lines[1:]] == ["1", "2", "3"]
    assert all(not line.startswith(" ") for line in lines)
    assert all("(flow" in line and "10 nodes)" in line for line in lines[1:])


def test_one_module():
    # a complete graph: nothing to compress, one module holds everything
    edges = np.array([(u, v) for u in range(5) for v in range(u + 1, 5)])
    tree = infomap(Network.from_edges(edges), seed=0)
    assert tree.to_text().splitlines()[1:] == ["1 (flow 1, 5 nodes): 0, 1, 2, 3, 4"]
    assert "relative savings 0%" in tree.to_text()


def test_max_modules_summarises_the_rest():
    net, _ = planted_partition(6, 10, p_in=0.8, p_out=0.01, seed=4)
    tree = infomap(net, two_level=True, seed=1)
    assert tree.num_top_modules == 6
    lines = tree.to_text(max_modules=4).splitlines()
    assert len(lines) == 1 + 4 + 1
    flows = tree.module_flows(1)["flow"]
    rest = np.sort(flows)[::-1][4:].sum()
    assert lines[-1] == f"… 2 more modules (flow {rest:.3g})"


def test_max_nodes_per_module():
    net, _ = planted_partition(2, 10, p_in=0.9, p_out=0.0, seed=0)
    tree = infomap(net, two_level=True, seed=0)
    for line in tree.to_text(max_nodes_per_module=2).splitlines()[1:]:
        top = line.split(": ", 1)[1].split(", ")
        assert len(top) == 3 and top[-1] == "…"
    for line in tree.to_text(max_nodes_per_module=10).splitlines()[1:]:
        assert "…" not in line and len(line.split(": ", 1)[1].split(", ")) == 10


def test_max_depth(nested):
    assert all(not line.startswith(" ") for line in nested.to_text(max_depth=1).splitlines())
    deepest = max(len(line) - len(line.lstrip()) for line in nested.to_text().splitlines())
    assert deepest == 4
    assert nested.to_text(max_depth=10) == nested.to_text()


def test_names_argument_and_node_names():
    net, _ = karate_club()
    tree = infomap(net, two_level=True, seed=1)
    names = [f"member{i}" for i in range(34)]
    text = tree.to_text(names=names, max_nodes_per_module=None)
    assert "member33" in text and "member0" in text
    listed = [row[4] for row in parse(text)]
    assert sorted(sum(listed, [])) == sorted(names)  # every node once, by its name
    # any objects are printed with str, line breaks dropped
    other = np.array([f"x\n{i}" for i in range(34)], dtype=object)
    assert "x 33" in format_tree(tree, names=other)
    assert "\nx" not in format_tree(tree, names=other)


def test_node_names_are_the_default():
    edges = np.array([[0, 1], [1, 2], [2, 0], [3, 4], [4, 5], [5, 3], [2, 3]])
    net = Network.from_edges(edges, node_names=["a", "b", "c", "d", "e", "f"])
    tree = infomap(net, two_level=True, seed=1)
    assert tree.to_text().splitlines()[1:] == [
        "1 (flow 0.5, 3 nodes): c, a, b",
        "2 (flow 0.5, 3 nodes): d, e, f",
    ]
    # names override the node names
    assert "1 (flow 0.5, 3 nodes): C, A, B" in tree.to_text(names=list("ABCDEF"))


@pytest.mark.parametrize("names", [["a", "b"], np.arange(35), "abc"])
def test_bad_names(nested, names):
    with pytest.raises(ValueError, match="names"):
        nested.to_text(names=names)


def test_names_must_be_sized(nested):
    with pytest.raises(ValueError, match="names must be a sequence"):
        nested.to_text(names=iter(range(24)))


@pytest.mark.parametrize("option", ["max_nodes_per_module", "max_modules", "max_depth"])
@pytest.mark.parametrize("value", [0, -1, 2.5, True, "3"])
def test_bad_limits(nested, option, value):
    with pytest.raises(ValueError, match=f"{option} must be a positive integer or None"):
        nested.to_text(**{option: value})


def test_none_limits_print_everything(nested):
    text = nested.to_text(max_nodes_per_module=None, max_modules=None, max_depth=None)
    assert "…" not in text
    assert len(text.splitlines()) == 1 + 2 + 4 + 2


def test_names_are_positional():
    pd = pytest.importorskip("pandas")
    net, _ = planted_partition(2, 5, p_in=1.0, p_out=0.0, seed=0)
    tree = infomap(net, two_level=True, seed=0)
    words = [f"w{i}" for i in range(10)]
    series = pd.Series(words, index=range(10)[::-1])  # labels differ from positions
    assert tree.to_text(names=series) == tree.to_text(names=words)
    assert tree.to_text(names=pd.Index(words)) == tree.to_text(names=words)
    assert tree.to_text(names=np.array(words)) == tree.to_text(names=words)
