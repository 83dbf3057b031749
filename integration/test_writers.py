"""Infomap's file formats (.clu, .tree, .ftree) written by ``infomap_learn.io._writers``.

The official Infomap is the oracle twice over:

* it reads our files back as an initial solution (``no_infomap=True, cluster_data=...``)
  and must report our codelength, so the files encode our partition / module tree;
* given Infomap's own module tree, our writers reproduce the body of Infomap's own
  ``.tree`` / ``.clu`` / ``.ftree`` files (every row, numbers to the 6 printed digits).

Our files are also parsed back and checked for structure: one row per node, flows summing
to one, paths equal to ``tree.paths``, depth-first order, and the ``*Links`` sections.
"""

from __future__ import annotations

import time
import warnings
from pathlib import Path

import numpy as np
import pytest

from infomap_learn import Network, compute_flow, infomap
from infomap_learn.mapequation import hierarchical_codelength, module_flows, one_level_codelength
from infomap_learn.tree import ModuleTree

official = pytest.importorskip("infomap")
nx = pytest.importorskip("networkx")


# ---- networks --------------------------------------------------------------------------


def two_triangles():
    edges = np.array([[0, 1], [1, 2], [2, 0], [3, 4], [4, 5], [5, 3], [2, 3]])
    return edges, None, 6, False


def karate():
    G = nx.karate_club_graph()
    edges = np.array(list(G.edges()))
    weights = np.array([d.get("weight", 1.0) for _, _, d in G.edges(data=True)], dtype=float)
    return edges, weights, G.number_of_nodes(), False


def small_directed():
    # Two directed 4-cycles with chords, joined both ways, plus a dangling node.
    edges = np.array(
        [[0, 1], [1, 2], [2, 3], [3, 0], [0, 2], [4, 5], [5, 6], [6, 7], [7, 4], [5, 7],
         [3, 4], [6, 1], [7, 8]]
    )  # fmt: skip
    return edges, None, 9, True


def nested(seed=0, groups=4, cliques=4, size=8, directed=False):
    """``groups`` groups of ``cliques`` cliques of ``size`` nodes: 3 links between each pair
    of cliques in a group, 1 between each pair of groups. Directed: every link gets a
    random orientation."""
    rng = np.random.default_rng(seed)
    edges = []
    for g in range(groups):
        for c in range(cliques):
            base = (g * cliques + c) * size
            edges += [(base + i, base + j) for i in range(size) for j in range(i + 1, size)]
        for c in range(cliques):
            for d in range(c + 1, cliques):
                for _ in range(3):
                    edges.append(
                        ((g * cliques + c) * size + rng.integers(size),
                         (g * cliques + d) * size + rng.integers(size))
                    )  # fmt: skip
    group_size = cliques * size
    for g in range(groups):
        for h in range(g + 1, groups):
            edges.append(
                (
                    g * group_size + rng.integers(group_size),
                    h * group_size + rng.integers(group_size),
                )
            )
    edges = np.array(edges, dtype=np.int64)
    if directed:
        flip = rng.random(len(edges)) < 0.5
        edges[flip] = edges[flip, ::-1]
    return edges, None, groups * group_size, directed


def build(spec, **kw):
    edges, weights, n, directed = spec
    return Network.from_edges(edges, weights, n_nodes=n, directed=directed, **kw)


# ---- the oracle ------------------------------------------------------------------------


def _links(spec):
    edges, weights, _, _ = spec
    if weights is None:
        return [(int(u), int(v)) for u, v in edges]
    return [(int(u), int(v), float(w)) for (u, v), w in zip(edges, weights)]


def run_official(spec, **options):
    """Run the official Infomap on ``spec``; return (result-or-engine, codelength)."""
    _, _, n, directed = spec
    with warnings.catch_warnings():  # the official Infomap 2.16 flags legacy spellings
        warnings.simplefilter("ignore")
        im = official.Infomap(silent=True, directed=directed, **options)
        im.add_nodes(range(n))
        im.add_links(_links(spec))
        result = im.run()
        length = result.codelength if result is not None else im.codelength
    return im, result, length


def official_codelength_of(file: Path, spec, two_level: bool) -> float:
    """The codelength the official Infomap gives the solution in ``file``."""
    _, _, length = run_official(spec, no_infomap=True, cluster_data=str(file), two_level=two_level)
    return length


def official_leaves(im, result):
    """(node_id, path) of Infomap's leaves, path 1-based including the leaf's own rank."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nodes = result.tree() if result is not None else im.tree
        return [(node.node_id, tuple(node.path)) for node in nodes if node.is_leaf]


def tree_from_official(net, im, result, **flow_options) -> ModuleTree:
    """A ModuleTree with the official Infomap's module tree and numbering."""
    leaves = official_leaves(im, result)
    depth = max(len(path) for _, path in leaves) - 1
    paths = np.full((net.n_nodes, depth), -1, dtype=np.int64)
    for node, path in leaves:
        paths[node, : len(path) - 1] = np.array(path[:-1]) - 1
    return ModuleTree.from_paths(
        compute_flow(net, **flow_options),
        paths,
        node_names=net.node_names,
        options={"two_level": depth == 1, "directed": net.directed},
        renumber=False,
    )


# ---- parsing our files -----------------------------------------------------------------


def read(file: Path):
    lines = file.read_text(encoding="utf-8").splitlines()
    header = [line for line in lines if line.startswith("#")]
    return header, lines


def parse_tree_rows(lines):
    rows = []
    for line in lines:
        if line.startswith("*"):
            break
        if line.startswith("#"):
            continue
        path, flow, rest = line.split(" ", 2)
        name, node = rest.rsplit(" ", 1)
        assert name.startswith('"') and name.endswith('"')
        rows.append((tuple(int(x) for x in path.split(":")), float(flow), name[1:-1], int(node)))
    return rows


def parse_links(lines):
    """{module path: (enter, exit, numEdges, numChildren, [(a, b, flow)])}."""
    sections, current, kind = {}, None, None
    for line in lines:
        if line.startswith("*Links ") and len(line.split()) == 2:
            kind = line.split()[1]
        elif line.startswith("*Links "):
            _, name, enter, exit_, n_edges, n_children = line.split()
            current = []
            sections[name] = (float(enter), float(exit_), int(n_edges), int(n_children), current)
        elif current is not None and not line.startswith("#"):
            a, b, f = line.split()
            current.append((int(a), int(b), float(f)))
    return kind, sections


def check_tree_rows(tree: ModuleTree, rows):
    n = tree.n_nodes
    assert len(rows) == n
    assert sorted(r[3] for r in rows) == list(range(n))
    assert sum(r[1] for r in rows) == pytest.approx(1.0, abs=1e-5)
    flows = tree.node_flow
    for path, flow, name, node in rows:
        depth = int(tree.depth[node])
        assert len(path) == depth + 1
        assert list(path[:-1]) == (tree.paths[node, :depth] + 1).tolist()
        assert flow == pytest.approx(flows[node], rel=1e-5, abs=1e-12)
        expected = str(node) if tree.node_names is None else str(tree.node_names[node])
        assert name == expected
    # depth-first order, leaves numbered 1.. within a module by decreasing flow
    paths = [r[0] for r in rows]
    assert paths == sorted(paths)
    by_module = {}
    for path, _, _, node in rows:
        by_module.setdefault(path[:-1], []).append((path[-1], flows[node]))
    for leaves in by_module.values():
        assert [rank for rank, _ in leaves] == list(range(1, len(leaves) + 1))
        f = [x for _, x in leaves]
        assert f == sorted(f, reverse=True)


def check_links(tree: ModuleTree, lines):
    kind, sections = parse_links(lines)
    flow = tree.flow
    assert kind == ("undirected" if flow.undirected else "directed")
    rows = parse_tree_rows(lines)
    module_paths = {r[0][:k] for r in rows for k in range(len(r[0]))}
    assert set(sections) == {":".join(map(str, p)) or "root" for p in module_paths}
    # sections in depth-first order, the root first
    keys = [tuple(int(x) for x in s.split(":")) if s != "root" else () for s in sections]
    assert keys == sorted(keys)
    total = 0.0
    for name, (enter, exit_, n_edges, n_children, links) in sections.items():
        prefix = () if name == "root" else tuple(int(x) for x in name.split(":"))
        children = {r[0][len(prefix)] for r in rows if r[0][: len(prefix)] == prefix}
        assert n_children == len(children) == max(children)
        assert n_edges == len(links)
        pairs = [(a, b) for a, b, _ in links]
        assert pairs == sorted(pairs) and len(set(pairs)) == len(pairs)
        assert all(a in children and b in children and a != b for a, b in pairs)
        if flow.undirected:
            assert all(a < b for a, b in pairs)
        total += sum(f for _, _, f in links)
        if name == "root":
            assert enter == exit_ == 0
    # every link flow is in exactly one row (undirected rows hold both directions)
    assert total == pytest.approx(flow.link_flow.sum(), rel=1e-4)
    # enter / exit flows of the top modules
    stats = tree.module_flows(1)
    for m in range(tree.num_top_modules):
        enter, exit_ = sections[str(m + 1)][:2]
        assert enter == pytest.approx(stats["enter_flow"][m], rel=1e-5, abs=1e-12)
        assert exit_ == pytest.approx(stats["exit_flow"][m], rel=1e-5, abs=1e-12)


def check_header(tree: ModuleTree, header):
    assert header[0].startswith("# infomap-learn v")
    assert header[1].startswith("# options ")
    assert (
        f"# partitioned into {tree.num_levels + 1} levels with "
        f"{tree.num_top_modules} top modules" in header
    )
    assert f"# codelength {tree.codelength:g} bits" in header
    assert f"# relative codelength savings {100 * tree.relative_codelength_savings:g}%" in header
    assert f"# flow model {tree.flow.flow_model}" in header


# ---- tests: the official Infomap reads our files back -----------------------------------

TWO_LEVEL = {"two-triangles": two_triangles, "karate": karate, "directed": small_directed}


@pytest.mark.parametrize("name", list(TWO_LEVEL))
def test_two_level_files_read_back_by_infomap(name, tmp_path):
    spec = TWO_LEVEL[name]()
    net = build(spec)
    tree = infomap(net, two_level=True)
    assert tree.num_top_modules > 1
    for ext, write in [("clu", tree.write_clu), ("tree", tree.write_tree),
                       ("ftree", tree.write_ftree)]:  # fmt: skip
        file = tmp_path / f"net.{ext}"
        write(file)
        assert official_codelength_of(file, spec, two_level=True) == pytest.approx(
            tree.codelength, rel=1e-9
        ), ext
        header, lines = read(file)
        check_header(tree, header)
        if ext == "clu":
            assert "# module level 1" in header and "# node_id module flow" in header
            body = [line.split() for line in lines if not line.startswith("#")]
            assert len(body) == net.n_nodes
            module = {int(u): int(m) for u, m, _ in body}
            assert [module[u] for u in range(net.n_nodes)] == (tree.labels + 1).tolist()
            assert sum(float(f) for _, _, f in body) == pytest.approx(1.0, abs=1e-5)
        else:
            check_tree_rows(tree, parse_tree_rows(lines))
        if ext == "ftree":
            check_links(tree, lines)


@pytest.mark.parametrize("directed", [False, True], ids=["undirected", "directed"])
def test_multilevel_files_read_back_by_infomap(directed, tmp_path):
    spec = nested(directed=directed)
    net = build(spec)
    tree = infomap(net)
    assert tree.num_levels >= 2
    for ext, write in [("tree", tree.write_tree), ("ftree", tree.write_ftree)]:
        file = tmp_path / f"net.{ext}"
        write(file)
        assert official_codelength_of(file, spec, two_level=False) == pytest.approx(
            tree.codelength, rel=1e-9
        ), ext
        header, lines = read(file)
        check_header(tree, header)
        check_tree_rows(tree, parse_tree_rows(lines))
        if ext == "ftree":
            check_links(tree, lines)
    # .clu at each level (and the leaf modules, -1): a two-level partition
    flow = tree.flow
    for level in [*range(1, tree.num_levels + 1), -1]:
        file = tmp_path / f"level{level}.clu"
        tree.write_clu(file, level=level)
        header, lines = read(file)
        assert f"# module level {level}" in header
        body = [line.split() for line in lines if not line.startswith("#")]
        module = {int(u): int(m) for u, m, _ in body}
        labels = np.array([module[u] for u in range(net.n_nodes)]) - 1
        if level != -1:
            assert labels.tolist() == tree.labels_at(level).tolist()
        else:
            _, deepest = np.unique(tree.paths, axis=0, return_inverse=True)
            assert labels.tolist() == deepest.reshape(-1).tolist()
        assert sorted(set(labels.tolist())) == list(range(labels.max() + 1))
        expected = hierarchical_codelength(flow, labels[:, None]).codelength
        assert official_codelength_of(file, spec, two_level=True) == pytest.approx(
            expected, rel=1e-9
        )


def test_node_names_are_quoted_and_read_back(tmp_path):
    spec = two_triangles()
    names = ["a b", 'q"x', "ü", "node\n3", 4, "5"]
    net = build(spec, node_names=names)
    tree = infomap(net, two_level=True)
    tree.write_tree(tmp_path / "named.tree")
    _, lines = read(tmp_path / "named.tree")
    rows = parse_tree_rows(lines)
    assert {r[3]: r[2] for r in rows} == {0: "a b", 1: 'q"x', 2: "ü", 3: "node 3", 4: "4", 5: "5"}
    length = official_codelength_of(tmp_path / "named.tree", spec, two_level=True)
    assert length == pytest.approx(tree.codelength, rel=1e-9)


# ---- tests: Infomap's own tree gives Infomap's own files ---------------------------------


def _normalised(file: Path, ext: str):
    """The content of a file, independent of the order of leaves with equal flow (which
    Infomap breaks in its own way): rows keyed by node id, leaf children of ``*Links``
    rows named by node id."""
    lines = [line for line in file.read_text().splitlines() if not line.startswith("#")]
    if ext == "clu":
        return {int(u): (int(m), float(f)) for u, m, f in (line.split() for line in lines)}
    rows = parse_tree_rows(lines)
    nodes = {r[0][:-1]: {} for r in rows}
    for path, _, _, node in rows:
        nodes[path[:-1]][path[-1]] = node
    # a leaf's rank in its module is fixed when no sibling has the same printed flow
    ties = {}
    for path, flow, _, _ in rows:
        ties[path[:-1], flow] = ties.get((path[:-1], flow), 0) + 1
    out = {
        "nodes": {
            node: (path[:-1], path[-1] if ties[path[:-1], flow] == 1 else None, flow, name)
            for path, flow, name, node in rows
        }
    }
    if ext == "ftree":
        kind, sections = parse_links(lines)
        out["kind"] = kind
        for name, (enter, exit_, n_edges, n_children, links) in sections.items():
            prefix = () if name == "root" else tuple(int(x) for x in name.split(":"))
            leaves = nodes.get(prefix, {})
            named = {}
            for a, b, f in links:
                pair = (("node", leaves[a]) if a in leaves else ("module", a),
                        ("node", leaves[b]) if b in leaves else ("module", b))  # fmt: skip
                named[tuple(sorted(pair)) if kind == "undirected" else pair] = f
            out[name] = (enter, exit_, n_edges, n_children, named)
    return out


def _same(ours, theirs):
    """Equal, numbers to the 6 printed digits (Infomap prints rounding noise such as
    5.55112e-17 where we print 0)."""
    if isinstance(ours, float) or isinstance(theirs, float):
        assert ours == pytest.approx(theirs, rel=2e-5, abs=1e-15)
    elif isinstance(ours, dict):
        assert ours.keys() == theirs.keys()
        for key in ours:
            _same(ours[key], theirs[key])
    elif isinstance(ours, (tuple, list)):
        assert len(ours) == len(theirs)
        for x, y in zip(ours, theirs):
            _same(x, y)
    else:
        assert ours == theirs


CASES = {
    "multilevel": (lambda: nested(), {}),
    "multilevel-directed": (lambda: nested(seed=3, groups=3, cliques=3, size=6, directed=True), {}),
    "karate": (karate, {"two_level": True}),
    "recorded-teleportation": (small_directed, {"two_level": True,
                                                "recorded_teleportation": True}),
    "markov-time": (karate, {"two_level": True, "markov_time": 0.7}),
}  # fmt: skip


@pytest.mark.parametrize("case", list(CASES))
def test_infomaps_tree_gives_infomaps_files(case, tmp_path):
    make, options = CASES[case]
    spec = make()
    im, result, length = run_official(spec, **options)
    net = build(spec)
    flow_options = {k: v for k, v in options.items() if k != "two_level"}
    tree = tree_from_official(net, im, result, **flow_options)
    assert tree.codelength == pytest.approx(length, rel=1e-9)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        target = result if result is not None else im
        target.write_tree(str(tmp_path / "theirs.tree"))
        target.write_flow_tree(str(tmp_path / "theirs.ftree"))
        target.write_clu(str(tmp_path / "theirs.clu"))
    tree.write_tree(tmp_path / "ours.tree")
    tree.write_ftree(tmp_path / "ours.ftree")
    tree.write_clu(tmp_path / "ours.clu")
    for ext in ["tree", "ftree", "clu"]:
        ours = _normalised(tmp_path / f"ours.{ext}", ext)
        _same(ours, _normalised(tmp_path / f"theirs.{ext}", ext))
        # the summary lines of the header agree too
        ours, _ = read(tmp_path / f"ours.{ext}")
        theirs, _ = read(tmp_path / f"theirs.{ext}")
        for prefix in ["# partitioned", "# codelength", "# relative", "# path", "# node_id"]:
            assert [h for h in ours if h.startswith(prefix)] == [
                h for h in theirs if h.startswith(prefix)
            ]


# ---- tests: corners and speed ----------------------------------------------------------


def test_clu_level_is_checked(tmp_path):
    tree = infomap(build(two_triangles()), two_level=True)
    for bad in [0, 2, -2]:
        with pytest.raises(ValueError):
            tree.write_clu(tmp_path / "x.clu", level=bad)
    with pytest.raises(TypeError):
        tree.write_clu(tmp_path / "x.clu", level=1.0)


def test_isolated_nodes_and_disconnected_modules(tmp_path):
    # two disconnected triangles and an isolated node: the root has no links
    spec = (np.array([[0, 1], [1, 2], [2, 0], [3, 4], [4, 5], [5, 3]]), None, 7, False)
    tree = infomap(build(spec), two_level=True)
    tree.write_ftree(tmp_path / "x.ftree")
    _, lines = read(tmp_path / "x.ftree")
    kind, sections = parse_links(lines)
    assert sections["root"][2] == 0
    assert sum(s[2] for s in sections.values()) == 6
    check_tree_rows(tree, parse_tree_rows(lines))
    assert official_codelength_of(tmp_path / "x.ftree", spec, two_level=True) == pytest.approx(
        tree.codelength, rel=1e-9
    )


def test_large_tree_writes_fast(tmp_path):
    # 100k nodes, 3 levels, 400k links: the writers are vectorised (no quadratic parts)
    rng = np.random.default_rng(0)
    n, m = 100_000, 400_000
    group = np.arange(n) // 50
    src = rng.integers(n, size=m)
    dst = np.where(rng.random(m) < 0.8, group[src] * 50 + rng.integers(50, size=m),
                   rng.integers(n, size=m))  # fmt: skip
    net = Network.from_edges(np.stack([src, dst], axis=1), n_nodes=n)
    flow = compute_flow(net)
    paths = np.stack([group // 100, (group // 10) % 10, group % 10], axis=1)
    from infomap_learn.paths import canonical_paths

    paths = canonical_paths(paths, flow.node_flow)
    tree = ModuleTree(paths, flow, 0.0, 0.0, 0.0, one_level_codelength(flow))
    start = time.perf_counter()
    tree.write_ftree(tmp_path / "big.ftree")
    elapsed = time.perf_counter() - start
    _, lines = read(tmp_path / "big.ftree")
    kind, sections = parse_links(lines)
    assert len(sections) == 1 + 20 + 200 + 2000
    assert elapsed < 10.0  # about 0.5 s here; generous for a busy 2-core machine
    # module enter flows at the deepest level agree with the map equation's
    keys = tree.labels_at(3)
    _, enter, exit_ = module_flows(flow, keys, int(keys.max()) + 1)
    first = np.argmax(keys == 0)
    name = ":".join(str(x + 1) for x in paths[first])
    assert sections[name][0] == pytest.approx(enter[0], rel=1e-5)
    assert sections[name][1] == pytest.approx(exit_[0], rel=1e-5)


# ---- tests: Infomap's newick, csv and json -----------------------------------------------


def _json_without_run_facts(path: Path) -> dict:
    """The tree part of a JSON output: nodes (without Infomap's ``mec``, which we do not
    write) and modules, and the level counts."""
    import json

    document = json.loads(path.read_text())
    # nodes by id, without their rank in the leaf module (Infomap breaks flow ties its own
    # way) and without Infomap's ``mec``, which we do not write
    document["nodes"] = {
        node["id"]: (node["path"][:-1], node["modules"], node["name"], node["flow"])
        for node in document["nodes"]
    }
    keys = ["codelength", "numLevels", "numTopModules", "numModules", "directed", "flowModel",
            "relativeCodelengthSavings", "nodes", "modules"]  # fmt: skip
    return {key: document[key] for key in keys}


def _newick_normalised(path: Path):
    """A Newick tree as nested tuples (label, printed branch length, children), children
    sorted, so that the order of siblings with equal flow does not matter."""
    text = path.read_text().strip()
    assert text.endswith(";")
    position = 0

    def parse():
        nonlocal position
        children = []
        if text[position] == "(":
            position += 1
            while True:
                children.append(parse())
                if text[position] == ",":
                    position += 1
                    continue
                assert text[position] == ")"
                position += 1
                break
        end = position
        while text[end] not in ",);":
            end += 1
        label, _, length = text[position:end].partition(":")
        position = end
        return (label, float(length) if length else None, tuple(sorted(children, key=repr)))

    return parse()


@pytest.mark.parametrize("case", list(CASES))
def test_infomaps_tree_gives_infomaps_newick_csv_and_json(case, tmp_path):
    make, options = CASES[case]
    spec = make()
    im, result, _ = run_official(spec, **options)
    net = build(spec)
    flow_options = {k: v for k, v in options.items() if k != "two_level"}
    tree = tree_from_official(net, im, result, **flow_options)
    target = result if result is not None else im
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        target.write_newick(str(tmp_path / "theirs.nwk"))
        target.write_csv(str(tmp_path / "theirs.csv"))
        target.write_json(str(tmp_path / "theirs.json"))
    tree.write_newick(tmp_path / "ours.nwk")
    tree.write_csv(tmp_path / "ours.csv")
    tree.write_json(tmp_path / "ours.json")
    assert _newick_normalised(tmp_path / "ours.nwk") == _newick_normalised(
        tmp_path / "theirs.nwk"
    )
    for side in ["ours", "theirs"]:  # the CSV rows are the .tree rows
        lines = (tmp_path / f"{side}.csv").read_text().splitlines()
        assert lines[0] == "path,flow,name,node_id"
        rows = [line.replace(",", " ", 2).rsplit(",", 1) for line in lines[1:]]
        (tmp_path / f"{side}-csv.tree").write_text("\n".join(" ".join(r) for r in rows))
    _same(
        _normalised(tmp_path / "ours-csv.tree", "tree"),
        _normalised(tmp_path / "theirs-csv.tree", "tree"),
    )
    ours = _json_without_run_facts(tmp_path / "ours.json")
    theirs = _json_without_run_facts(tmp_path / "theirs.json")
    _same(ours, theirs)
    # and the JSON reads back as the same tree, from their file and from ours
    for name in ["ours.json", "theirs.json"]:
        again = ModuleTree.read(tmp_path / name, net, **flow_options)
        # (ours in our sibling numbering, Infomap's tree in its own)
        assert (again.paths == ModuleTree.from_paths(tree.flow, tree.paths).paths).all()
        assert again.codelength == pytest.approx(tree.codelength, rel=1e-9)


def test_json_reader_names_the_bad_node(tmp_path):
    net = build(two_triangles())
    bad = tmp_path / "bad.json"
    bad.write_text('{"nodes": [{"path": [1, 1], "id": 0}, {"path": [1], "id": 1}]}')
    with pytest.raises(ValueError, match=r"bad\.json: nodes\[1\] has no module path"):
        ModuleTree.read(bad, net)
    bad.write_text('{"nodes": [{"path": [1, 1], "id": 7}]}')
    with pytest.raises(ValueError, match=r"bad\.json: nodes\[0\]: node id 7 is not a node"):
        ModuleTree.read(bad, net)
    bad.write_text('{"nodes": [')
    with pytest.raises(ValueError, match=r"bad\.json:1: not valid JSON"):
        ModuleTree.read(bad, net)


# ---- tests: a bipartite network's feature nodes hidden, as Infomap hides them ---------------


@pytest.mark.parametrize("directed", [False, True])
def test_hidden_bipartite_nodes_as_infomap_hides_them(directed, tmp_path):
    rng = np.random.default_rng(6)
    primary, features = 12, 6
    links = {(p, primary + (p // 4) * 2 + int(f)) for p in range(primary)
             for f in rng.choice(2, 2, replace=False)}  # fmt: skip
    edges = np.array(sorted(links | {(3, 17), (9, 12)}))
    n = primary + features
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        im = official.Infomap(silent=True, directed=directed, seed=1, hide_bipartite_nodes=True)
        im.bipartite_start_id = primary
        im.add_nodes(range(n))
        im.add_links([(int(a), int(b)) for a, b in edges])
        result = im.run()
        target = result if result is not None else im
        target.write_tree(str(tmp_path / "theirs.tree"))
        target.write_clu(str(tmp_path / "theirs.clu"))
        target.write_flow_tree(str(tmp_path / "theirs.ftree"))
    net = Network.from_edges(edges, n_nodes=n, directed=directed)
    leaves = official_leaves(im, result)
    paths = np.full((n, max(len(path) for _, path in leaves) - 1), -1, dtype=np.int64)
    for node, path in leaves:
        paths[node, : len(path) - 1] = np.array(path[:-1]) - 1
    tree = ModuleTree.from_paths(
        compute_flow(net, bipartite_start_id=primary), paths,
        options={"directed": directed, "bipartite_start_id": primary}, renumber=False,
    )  # fmt: skip
    tree.write_tree(tmp_path / "ours.tree", hide_bipartite_nodes=True)
    tree.write_clu(tmp_path / "ours.clu", hide_bipartite_nodes=True)
    for ext in ["tree", "clu"]:
        ours = _normalised(tmp_path / f"ours.{ext}", ext)
        _same(ours, _normalised(tmp_path / f"theirs.{ext}", ext))
    assert set(_normalised(tmp_path / "ours.tree", "tree")["nodes"]) == set(range(primary))
    # Infomap's .ftree keeps the feature nodes, and so do ours and the Newick file
    assert set(_normalised(tmp_path / "theirs.ftree", "ftree")["nodes"]) == set(range(n))
    tree.write_csv(tmp_path / "ours.csv", hide_bipartite_nodes=True)
    tree.write_json(tmp_path / "ours.json", hide_bipartite_nodes=True)
    csv_rows = (tmp_path / "ours.csv").read_text().split()[1:]
    csv_ids = [int(row.rsplit(",", 1)[1]) for row in csv_rows]
    import json

    json_ids = [node["id"] for node in json.loads((tmp_path / "ours.json").read_text())["nodes"]]
    assert sorted(csv_ids) == sorted(json_ids) == list(range(primary))
    # a tree that is not of a bipartite network has nothing to hide
    plain = infomap(net, seed=1)
    with pytest.raises(ValueError, match="hide_bipartite_nodes needs the tree of a bipartite"):
        plain.write_tree(tmp_path / "plain.tree", hide_bipartite_nodes=True)
    # a search and a read tree know their network's bipartite start
    assert infomap(net, seed=1, bipartite_start_id=primary).options["bipartite_start_id"] == primary
    read_back = ModuleTree.read(tmp_path / "theirs.ftree", net, bipartite_start_id=primary)
    assert read_back.options["bipartite_start_id"] == primary
