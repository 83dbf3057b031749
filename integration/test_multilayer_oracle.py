"""Multilayer networks against the official Infomap: the same intra-layer, inter-layer and
state links handed to both tools (through Infomap's Python API and through a Pajek file it
reads itself); Infomap's own trees score equal to 1e-9 in ours, and our search ends at or
below Infomap's mean codelength within 0.1%."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from infomap_learn import Network, codelength, infomap
from infomap_learn.io import read_network
from integration._compare import expected_best, sampled_trials

official = pytest.importorskip("infomap")


def planted_layers(seed, layers=3, n=120, modules=6, degree=6, mix=0.15, moved=0.2):
    """Intra-layer links of ``layers`` planted partitions of ``n`` nodes that share most
    of their modules (a share ``moved`` of the nodes changes module in each layer)."""
    rng = np.random.default_rng(seed)
    base = rng.integers(0, modules, n)
    rows = []
    for layer in range(1, layers + 1):
        groups = base.copy()
        change = rng.random(n) < moved
        groups[change] = rng.integers(0, modules, int(change.sum()))
        for u in range(n):
            for _ in range(degree // 2):
                pool = np.arange(n) if rng.random() < mix else np.flatnonzero(groups == groups[u])
                v = int(rng.choice(pool))
                if v != u:
                    rows.append((layer, u, v, float(rng.integers(1, 3))))
    return np.array(rows)


def inter_links(seed, layers=3, n=120, count=80):
    rng = np.random.default_rng(seed + 100)
    rows = []
    for _ in range(count):
        l1, l2 = rng.choice(np.arange(1, layers + 1), 2, replace=False)
        rows.append((int(l1), int(rng.integers(n)), int(l2), float(rng.integers(1, 3))))
    return np.array(rows)


def run_official(intra, inter, directed, two_level, seed=1, trials=2, **options):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Infomap 2.16's LegacySurfaceWarning
        im = official.Infomap(silent=True, directed=directed, two_level=two_level, seed=seed,
                              num_trials=trials, **options)  # fmt: skip
        for layer, u, v, w in intra.tolist():
            im.add_multilayer_intra_link(int(layer), int(u), int(v), w)
        for l1, node, l2, w in [] if inter is None else inter.tolist():
            im.add_multilayer_inter_link(int(l1), int(node), int(l2), w)
        im.run()
    return im


def official_paths(im, net) -> np.ndarray:
    """Infomap's module path of each of our state nodes, matched by (layer, node)."""
    index = {pair: i for i, pair in enumerate(zip(net.layer_ids.tolist(),
                                                  net.physical_ids.tolist()))}  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rows = {index[node.layer_id, node.node_id]: node.path[:-1]
                for node in im.get_nodes(states=True)}  # fmt: skip
    assert len(rows) == net.n_nodes  # (the same state nodes)
    depth = max(len(path) for path in rows.values())
    paths = np.full((net.n_nodes, depth), -1, dtype=np.int64)
    for state, path in rows.items():
        paths[state, : len(path)] = np.asarray(path) - 1
    return paths[:, 0] if depth == 1 else paths


RELAX = [
    dict(multilayer_relax_rate=0.15),
    dict(multilayer_relax_rate=0.4, multilayer_relax_limit=1),
    dict(multilayer_relax_rate=0.3, multilayer_relax_limit_up=0),
    dict(multilayer_relax_rate=0.3, multilayer_relax_limit_down=1),
    dict(multilayer_relax_rate=0.25, multilayer_relax_by_jsd=True),
    dict(multilayer_relax_rate=0.4, multilayer_relax_limit=1, multilayer_relax_by_jsd=True),
    dict(multilayer_relax_rate=0.3, multilayer_relax_limit=0, multilayer_relax_by_jsd=True),
    dict(multilayer_relax_rate=0.25, multilayer_relax_to_self=True),
    dict(multilayer_relax_rate=0.4, multilayer_relax_limit=1, multilayer_relax_to_self=True),
]


def ours(options: dict) -> dict:
    return {key.removeprefix("multilayer_"): value for key, value in options.items()}


@pytest.mark.parametrize("two_level", [True, False])
@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize("options", RELAX)
def test_infomaps_trees_score_equal_with_relaxed_layers(options, directed, two_level):
    intra = planted_layers(1)
    net = Network.from_multilayer(intra, directed=directed, **ours(options))
    im = run_official(intra, None, directed, two_level, **options)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = im.codelength
    assert codelength(net, official_paths(im, net)) == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("directed", [True, False])
@pytest.mark.parametrize(
    "flow",
    [{"to_nodes": True}, {"markov_time": 1.5}, {"recorded_teleportation": True},
     {"recorded_teleportation": True, "to_nodes": True},
     {"recorded_teleportation": True, "markov_time": 1.5}],
    ids=str,
)  # fmt: skip
def test_relaxed_to_self_scores_equal_under_other_flow_options(flow, directed):
    intra = planted_layers(1)
    options = dict(multilayer_relax_rate=0.3, multilayer_relax_to_self=True)
    net = Network.from_multilayer(intra, directed=directed, **ours(options))
    im = run_official(intra, None, directed, False, **options, **flow)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = im.codelength
    found = codelength(net, official_paths(im, net), **flow)
    assert found == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("two_level", [True, False])
@pytest.mark.parametrize("directed", [False, True])
def test_infomaps_trees_score_equal_with_inter_layer_links(directed, two_level):
    intra, inter = planted_layers(2), inter_links(2)
    net = Network.from_multilayer(intra, inter, directed=directed)
    im = run_official(intra, inter, directed, two_level)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = im.codelength
    assert codelength(net, official_paths(im, net)) == pytest.approx(expected, rel=1e-9)


FILE = """# two layers of four nodes
*Vertices 4
1 "i"
2 "j"
3 "k"
4 "l"
*Intra
1 1 2 1
1 2 3 1
1 3 1 2
1 2 4 1
2 4 3 1
2 3 1 1
2 3 2 1
"""
EXPLICIT = """*Vertices 3
1 "a"
2 "b"
3 "c"
*Multilayer
1 1 1 2 2
1 1 2 2 1
1 2 1 1 1
1 3 2 2 1
2 2 1 3 1
2 3 2 2 1
"""


@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize("relax", ["by_jsd", "to_self"])
def test_relax_options_in_files_and_on_the_command_line(tmp_path, capsys, directed, relax):
    from infomap_learn.cli import main

    path = tmp_path / "layers.net"
    path.write_text(FILE)
    net, _ = read_network(path, directed=directed, relax_rate=0.3, **{f"relax_{relax}": True})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        im = official.Infomap(silent=True, directed=directed, two_level=True, seed=1,
                              multilayer_relax_rate=0.3,
                              **{f"multilayer_relax_{relax}": True})  # fmt: skip
        im.read_file(str(path))
        im.run()
        expected = im.codelength
    assert codelength(net, official_paths(im, net)) == pytest.approx(expected, rel=1e-9)
    flags = ["-d"] if directed else []
    argv = ["run", str(path), str(tmp_path / "out"), "-2", "-s", "1", "--multilayer-relax-rate",
            "0.3", f"--multilayer-relax-{relax.replace('_', '-')}", *flags]  # fmt: skip
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert f"{infomap(net, two_level=True, seed=1).codelength:.6f}" in printed


@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize(
    "text", [FILE, FILE + "*Inter\n1 2 2 1\n2 3 1 0.5\n", EXPLICIT],
    ids=["relaxed", "inter", "explicit"],
)  # fmt: skip
def test_files_read_as_infomap_reads_them(tmp_path, text, directed):
    path = tmp_path / "layers.net"
    path.write_text(text)
    net, _ = read_network(path, directed=directed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        im = official.Infomap(silent=True, directed=directed, two_level=True, seed=1)
        im.read_file(str(path))
        im.run()
        expected = im.codelength
    assert codelength(net, official_paths(im, net)) == pytest.approx(expected, rel=1e-9)
    assert infomap(net, two_level=True, seed=1).codelength <= expected * (1 + 1e-9)


@pytest.mark.parametrize("two_level", [True, False])
@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize(
    "layers", ["relaxed", "inter", "relaxed by JSD", "relaxed to self", "to self, recorded"]
)
def test_search_at_or_below_infomap(layers, directed, two_level):
    intra = planted_layers(3, n=200)
    extra = inter_links(3, n=200, count=150) if layers == "inter" else None
    options = {
        "relaxed": dict(multilayer_relax_rate=0.25),
        "inter": {},
        "relaxed by JSD": dict(multilayer_relax_rate=0.25, multilayer_relax_by_jsd=True),
        "relaxed to self": dict(multilayer_relax_rate=0.25, multilayer_relax_to_self=True),
        "to self, recorded": dict(multilayer_relax_rate=0.25, multilayer_relax_to_self=True),
    }[layers]
    flow = {"recorded_teleportation": True} if "recorded" in layers else {}
    net = Network.from_multilayer(intra, extra, directed=directed, **ours(options))
    trials = sampled_trials(net.n_nodes)
    found = infomap(net, two_level=two_level, num_trials=trials, seed=1, **flow)
    im = run_official(
        intra, extra, directed, two_level, seed=1, trials=trials, **options, **flow
    )
    assert expected_best(found.trial_codelengths) <= expected_best(im.codelengths) * 1.001


@pytest.mark.parametrize("two_level", [True, False])
def test_infomaps_state_files_of_a_multilayer_network_read_as_it_scores_them(tmp_path, two_level):
    """Infomap numbers the state nodes of a multilayer file otherwise than we do: its
    ``_states`` files are matched on their (layer, node) columns; its physical-level files
    are refused with the reason, not misread."""
    from infomap_learn import ModuleTree

    rng = np.random.default_rng(1)
    group = np.arange(1, 21) > 10  # (two groups of ten nodes, linked densely within)
    pairs = [(a, b) for a, b in rng.integers(1, 21, (200, 2)) if a != b]
    pairs = [(a, b) for a, b in pairs if group[a - 1] == group[b - 1] or rng.random() < 0.1]
    vertices = ["*Vertices 20"] + [f'{i} "person {i}"' for i in range(1, 21)]
    lines = vertices + ["*Intra"] + [  # (with *Vertices Infomap numbers states as met)
        f"{layer} {a} {b}" for layer in (1, 2) for a, b in pairs[layer::2]
    ]  # fmt: skip
    path = tmp_path / "layers.net"
    path.write_text("\n".join(lines) + "\n")
    net, ids = read_network(path, relax_rate=0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        im = official.Infomap(silent=True, two_level=two_level, seed=8,
                              multilayer_relax_rate=0.1)  # fmt: skip
        im.read_file(str(path))
        im.run()
        for states in (True, False):
            suffix = "_states" if states else ""
            im.write_tree(str(tmp_path / f"im{suffix}.tree"), states=states)
            im.write_clu(str(tmp_path / f"im{suffix}.clu"), states=states)
            im.write_json(str(tmp_path / f"im{suffix}.json"), states=states)
    for ext in ("tree", "clu", "json"):
        if ext == "clu" and not two_level:
            continue  # (a .clu holds the top modules only)
        tree = ModuleTree.read(tmp_path / f"im_states.{ext}", net, node_ids=ids)
        assert tree.num_top_modules > 1
        assert tree.codelength == pytest.approx(im.codelength, rel=1e-9), ext
        with pytest.raises(ValueError, match="holds the physical level of a state network"):
            ModuleTree.read(tmp_path / f"im.{ext}", net, node_ids=ids)
