"""ModuleTree.to_html / write_html: the data in the page, its limits, escaping and writing.
(The page in a real browser: integration/test_html.py.)"""

from __future__ import annotations

import json
import re
from collections import defaultdict

import numpy as np
import pytest

from infomap_learn import ModuleTree, Network, compute_flow, infomap
from infomap_learn.datasets import karate_club, planted_partition
from infomap_learn.io._html import render_html, tree_data, write_html

DATA = re.compile(r'<script id="tree-data" type="application/json">(.*?)</script>', re.S)


def hand_tree(network: Network, paths: np.ndarray) -> ModuleTree:
    """A ModuleTree with the given module paths (siblings renumbered by decreasing flow)."""
    return ModuleTree.from_paths(compute_flow(network), paths, node_names=network.node_names)


@pytest.fixture(scope="module")
def karate_tree():
    network, _ = karate_club()
    return infomap(network, two_level=True, seed=1)


@pytest.fixture(scope="module")
def nested_tree():
    """24 modules of 5 nodes in 2 top modules of 3 middle modules of 4; the first leaf
    module is split once more, so leaves sit at depths 3 and 4."""
    network, membership = planted_partition(24, 5, p_in=0.8, p_out=0.01, seed=2)
    paths = np.stack(
        [membership // 12, (membership // 4) % 3, membership % 4, np.full(120, -1)], axis=1
    )
    paths[membership == 0, 3] = np.arange(5) % 2
    return hand_tree(network, paths)


def page_data(path) -> dict:
    return json.loads(DATA.search(path.read_text(encoding="utf-8")).group(1))


def brute_force(tree: ModuleTree, k: int) -> dict[str, tuple[float, int, int, list[int]]]:
    """Flow, node count, number of submodules and top k nodes of every module, by path,
    with plain Python loops over the nodes."""
    members = defaultdict(list)
    subs = defaultdict(set)
    for u, row in enumerate(tree.paths.tolist()):
        prefix = ""
        members[""].append(u)
        for p in row:
            if p < 0:
                break
            child = f"{prefix}:{p + 1}" if prefix else str(p + 1)
            subs[prefix].add(child)
            members[child].append(u)
            prefix = child
    flow = tree.node_flow
    out = {}
    for path, nodes in members.items():
        top = sorted(nodes, key=lambda u: (-flow[u], u))[:k]
        out[path] = (float(flow[nodes].sum()), len(nodes), len(subs[path]), top)
    return out


@pytest.mark.parametrize("k", [1, 3, 10])
def test_module_aggregates_match_a_loop_over_nodes(nested_tree, k):
    data = tree_data(nested_tree, max_nodes_per_module=k)
    expected = brute_force(nested_tree, k)
    assert len(data["modules"]) == len(expected) == 1 + 2 + 6 + 24 + 2
    names = data["names"]
    for module in data["modules"]:
        flow, size, n_subs, top = expected[module["p"]]
        assert module["f"] == pytest.approx(flow, rel=1e-3)
        assert module["n"] == size
        assert module["s"] == n_subs == len(module["c"])
        assert [names[t] for t in module["t"]] == [str(u) for u in top]
        assert "m" not in module
        # submodules by decreasing flow, and their paths extend this one
        flows = [data["modules"][c]["f"] for c in module["c"]]
        assert flows == sorted(flows, reverse=True)
        for c in module["c"]:
            child = data["modules"][c]["p"]
            assert (child.rsplit(":", 1)[0] if ":" in child else "") == module["p"]
    for t, name in enumerate(names):
        assert data["flows"][t] == pytest.approx(nested_tree.node_flow[int(name)], rel=1e-3)


def test_header_data(karate_tree):
    data = tree_data(karate_tree, title="Karate")
    meta = data["meta"]
    assert meta["title"] == "Karate"
    assert meta["nodes"] == 34
    assert meta["topModules"] == karate_tree.num_top_modules
    assert meta["codelength"] == karate_tree.codelength
    assert meta["oneLevelCodelength"] == karate_tree.one_level_codelength
    assert meta["savings"] == pytest.approx(karate_tree.relative_codelength_savings)
    root = data["modules"][0]
    assert root["p"] == "" and root["n"] == 34 and root["f"] == pytest.approx(1.0)


def test_submodules_beyond_the_limit_become_one_aggregate(nested_tree):
    data = tree_data(nested_tree, max_submodules=2)
    expected = brute_force(nested_tree, 10)
    by_path = {m["p"]: m for m in data["modules"]}
    middle = by_path["1"]
    assert [data["modules"][c]["p"] for c in middle["c"]] == ["1:1", "1:2"]
    count, flow, nodes = middle["m"]
    assert count == 1
    assert flow == pytest.approx(expected["1:3"][0], rel=1e-3)
    assert nodes == expected["1:3"][1]
    assert "1:3" not in by_path
    for module in data["modules"]:
        assert len(module["c"]) <= 2


def test_total_module_budget_expands_the_largest_flows_first(nested_tree):
    data = tree_data(nested_tree, max_modules=4)
    assert len(data["modules"]) == 1 + 4
    paths = [m["p"] for m in data["modules"]]
    assert paths[:3] == ["", "1", "2"]  # the root's two submodules first
    assert paths[3:] == ["1:1", "1:2"]  # then the larger top module's, while budget lasts
    assert data["modules"][1]["m"][0] == 1
    # modules whose submodules are not in the page still tell how many they have
    assert data["modules"][2]["s"] == 3 and data["modules"][2]["c"] == []


def test_file_size_is_bounded_for_a_large_deep_tree(tmp_path):
    rng = np.random.default_rng(0)
    n = 50_000
    module = rng.integers(0, 2000, n)
    edges = np.stack([np.arange(n), rng.permutation(n)], axis=1)
    # ring inside each module, so every node has flow
    order = np.argsort(module, kind="stable")
    same = module[order[:-1]] == module[order[1:]]
    edges = np.concatenate([edges, np.stack([order[:-1], order[1:]], axis=1)[same]])
    edges = edges[edges[:, 0] != edges[:, 1]]
    network = Network.from_edges(edges, n_nodes=n)
    paths = np.stack([module // 100, (module // 10) % 10, module % 10], axis=1)
    tree = hand_tree(network, paths)
    out = tmp_path / "big.html"
    write_html(tree, out, names=[f"node-{i:06d}" for i in range(n)])
    data = page_data(out)
    assert len(data["modules"]) == 1 + 500
    assert len(data["names"]) <= 501 * 10
    assert out.stat().st_size < 250_000


def test_names_default_to_network_names_then_indices(karate_tree):
    data = tree_data(karate_tree)
    assert "33" in data["names"]  # no names: node indices
    names = [f"member {i}" for i in range(34)]
    data = tree_data(karate_tree, names=np.array(names))
    assert "member 33" in data["names"]
    network, _ = karate_club()
    named = Network.from_edges(
        np.stack([network.source, network.target], 1), n_nodes=34, node_names=names
    )
    data = tree_data(infomap(named, two_level=True, seed=1))
    assert "member 33" in data["names"]


def test_long_names_are_cut(karate_tree):
    data = tree_data(karate_tree, names=["x" * 1000] * 34)
    assert {len(name) for name in data["names"]} == {100}


@pytest.mark.parametrize(
    "name",
    [
        "</script><script>alert(1)</script>",
        "<!--",
        '"><img src=x onerror=alert(1)>',
        "a & b",
        "line\u2028separator",
        "Zoë 🦋",
    ],
)
def test_names_cannot_break_out_of_the_data(karate_tree, tmp_path, name):
    names = [f"{name} {i}" for i in range(34)]
    out = tmp_path / "page.html"
    write_html(karate_tree, out, names=names)
    page = out.read_text(encoding="utf-8")
    assert page.count("<script") == 2 and page.count("</script>") == 2
    assert "<!--" not in page and "<img" not in page
    assert page.isascii()
    assert f"{name} 33" in page_data(out)["names"]


def test_title_is_escaped(karate_tree):
    page = render_html(tree_data(karate_tree, title="<b>x</b> & y"))
    assert "&lt;b&gt;x&lt;/b&gt; &amp; y" in page
    assert "<b>x</b>" not in page


def test_placeholders_in_titles_and_names_stay_as_they_are(karate_tree, tmp_path):
    out = tmp_path / "page.html"
    write_html(karate_tree, out, names=["{{TITLE}}"] * 34, title="{{JS}} {{DATA}}")
    page = out.read_text(encoding="utf-8")
    assert "<title>{{JS}} {{DATA}}</title>" in page
    data = page_data(out)
    assert data["meta"]["title"] == "{{JS}} {{DATA}}"
    assert set(data["names"]) == {"{{TITLE}}"}


def test_page_is_self_contained(karate_tree, tmp_path):
    out = tmp_path / "page.html"
    karate_tree.to_html(out)
    page = out.read_text(encoding="utf-8")
    assert not re.search(r"https?://", page, re.I)
    markup = re.sub(r"<script\b.*?</script>", "", page, flags=re.S)
    assert not re.search(r"\b(src|href)\s*=", markup, re.I)  # no elements that load
    assert not re.search(r"fetch\(|XMLHttpRequest|WebSocket|import\(|\.src\b", page)
    assert not re.search(r"@import|url\(", page, re.I)
    assert "Content-Security-Policy" in page and "default-src 'none'" in page


@pytest.mark.parametrize("bad", [0, -1, 2.5, True, "10", None])
def test_max_nodes_per_module_must_be_a_positive_int(karate_tree, tmp_path, bad):
    with pytest.raises(ValueError, match="max_nodes_per_module must be a positive integer"):
        karate_tree.to_html(tmp_path / "page.html", max_nodes_per_module=bad)
    assert not list(tmp_path.iterdir())


def test_numpy_int_limits_are_accepted(karate_tree):
    data = tree_data(karate_tree, max_nodes_per_module=np.int64(2))
    assert all(len(m["t"]) <= 2 for m in data["modules"])


@pytest.mark.parametrize("names", [["a"] * 33, "abc", 5])
def test_names_must_have_one_per_node(karate_tree, tmp_path, names):
    with pytest.raises(ValueError, match="names must"):
        karate_tree.to_html(tmp_path / "page.html", names=names)
    assert not list(tmp_path.iterdir())


def test_a_failed_write_leaves_the_old_page_and_no_temp_file(karate_tree, tmp_path, monkeypatch):
    out = tmp_path / "page.html"
    out.write_text("old page")

    def fail(*args):
        raise OSError("disk full")

    monkeypatch.setattr("infomap_learn.io._outputs.os.replace", fail)
    with pytest.raises(OSError, match=f"cannot write {out}: disk full"):
        karate_tree.to_html(out)
    assert out.read_text() == "old page"
    assert [p.name for p in tmp_path.iterdir()] == ["page.html"]


def test_missing_folder_is_an_error(karate_tree, tmp_path):
    with pytest.raises(OSError):
        karate_tree.to_html(tmp_path / "missing" / "page.html")
    assert not list(tmp_path.iterdir())


def test_overwrites_an_existing_page(karate_tree, tmp_path):
    out = tmp_path / "page.html"
    out.write_text("old page")
    karate_tree.to_html(out)
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in tmp_path.iterdir()] == ["page.html"]


def test_a_title_that_is_not_a_string_is_named(karate_tree, tmp_path):
    with pytest.raises(ValueError, match="title must be a string or None, got 123"):
        karate_tree.to_html(tmp_path / "page.html", title=123)
    assert not list(tmp_path.iterdir())
