"""State (memory) networks against the official Infomap: Infomap's example file and
second-order networks made from walks on modular graphs. Codelengths of Infomap's own
partitions and trees agree to 1e-9; a search of ours ends at or below Infomap's mean
codelength within 0.1%."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from infomap_learn import Network, codelength, infomap
from infomap_learn.io import read_network
from integration._compare import expected_best, sampled_trials

official = pytest.importorskip("infomap")

EXAMPLE = """# Infomap's second-order example: the journal a reader comes from decides the next
*Vertices 4
1 "PRE"
2 "SCIENCE"
3 "PRL"
4 "BIO"
*States
1 2 "PRE|SCIENCE"
2 3 "SCIENCE|PRL"
3 2 "PRL|SCIENCE"
4 1 "SCIENCE|PRE"
5 4 "SCIENCE|BIO"
6 2 "BIO|SCIENCE"
*Links
1 2 0.8
1 5 0.2
2 3 1
3 2 0.6
3 4 0.4
4 1 1
5 6 1
6 5 1
"""


def second_order(seed, levels=(3, 3, 5), walks=400, length=12, switch=(0.3, 0.05)):
    """States (previous node, node) of walks on a nested modular graph of
    ``levels = (groups, modules per group, nodes per module)`` nodes: a walk stays in its
    module, moves to another module of its group with probability ``switch[0]`` and to
    another group with ``switch[1]`` (a memory network whose modules nest)."""
    rng = np.random.default_rng(seed)
    groups, modules, size = levels
    n = groups * modules * size
    module_of = np.arange(n) // size
    states, links = {}, {}
    for _ in range(walks):
        current = previous = int(rng.integers(n))
        module = module_of[current]
        for _ in range(length):
            r = rng.random()
            if r < switch[1]:
                module = int(rng.integers(groups * modules))
            elif r < switch[0]:
                group = module // modules
                module = group * modules + int(rng.integers(modules))
            following = int(rng.choice(np.flatnonzero(module_of == module)))
            if following == current:
                continue
            a = states.setdefault((previous, current), len(states))
            b = states.setdefault((current, following), len(states))
            links[a, b] = links.get((a, b), 0) + 1
            previous, current = current, following
    physical = np.zeros(len(states), dtype=np.int64)
    for (_, node), state in states.items():
        physical[state] = node
    pairs = np.array(list(links), dtype=np.int64)
    return physical, pairs, np.array(list(links.values()), dtype=np.float64)


def _official(physical, pairs, weights, directed, **options):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Infomap 2.16's LegacySurfaceWarning
        im = official.Infomap(silent=True, directed=directed, **options)
        for state, node in enumerate(physical.tolist()):
            im.add_state_node(state, node)
        for (a, b), w in zip(pairs.tolist(), weights.tolist()):
            im.add_link(a, b, w)
        im.run()
    return im


def _state_paths(im, n_states: int) -> np.ndarray:
    """Infomap's module path of each state node (0-based, -1 padded)."""
    rows = {node.state_id: node.path[:-1] for node in im.get_nodes(states=True)}
    depth = max(len(path) for path in rows.values())
    paths = np.full((n_states, depth), -1, dtype=np.int64)
    for state, path in rows.items():
        paths[state, : len(path)] = np.asarray(path) - 1
    return paths


def test_example_file_reads_scores_and_searches_as_infomaps(tmp_path):
    path = tmp_path / "states.net"
    path.write_text(EXAMPLE)
    net, ids = read_network(path, directed=True)
    assert ids.tolist() == [1, 2, 3, 4, 5, 6]
    assert net.physical_ids.tolist() == [2, 3, 2, 1, 4, 2]
    for two_level in (True, False):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            im = official.Infomap(silent=True, directed=True, two_level=two_level, seed=1)
            im.read_file(str(path))
            im.run()
        tree = infomap(net, two_level=two_level, seed=1)
        assert tree.codelength == pytest.approx(im.codelength, rel=1e-9)
        modules = im.get_modules(states=True)
        assert tree.num_top_modules == len(set(modules.values()))


GRAPHS = {
    "flat": dict(levels=(1, 5, 8), switch=(0.1, 0.1)),
    "nested": dict(levels=(3, 3, 5), switch=(0.25, 0.04)),
}


CASES = pytest.mark.parametrize(
    "name, two_level, directed",
    [(name, two_level, directed) for name in GRAPHS for two_level in (True, False)
     for directed in (True, False)],
)  # fmt: skip


def _case(seed: int, name: str, directed: bool):
    """A second-order network of ``GRAPHS[name]``: its arrays, and as our Network."""
    physical, pairs, weights = second_order(seed, **GRAPHS[name])
    return (physical, pairs, weights), Network.from_states(
        physical, pairs, weights, directed=directed
    )


@CASES
def test_infomaps_trees_score_equal(name, two_level, directed):
    arrays, net = _case(1, name, directed)
    im = _official(*arrays, directed, two_level=two_level, num_trials=2, seed=1)
    paths = _state_paths(im, net.n_nodes)
    if not two_level and name == "nested":
        assert paths.shape[1] >= 2  # (a tree with levels, or the test proves less)
    labels = paths[:, 0] if paths.shape[1] == 1 else paths
    assert codelength(net, labels) == pytest.approx(im.codelength, rel=1e-9)


@CASES
def test_search_at_or_below_infomap(name, two_level, directed):
    arrays, net = _case(2, name, directed)
    trials = sampled_trials(net.n_nodes)
    ours = infomap(net, two_level=two_level, num_trials=trials, seed=1)
    theirs = _official(*arrays, directed, two_level=two_level, num_trials=trials, seed=1)
    assert expected_best(ours.trial_codelengths) <= expected_best(theirs.codelengths) * 1.001


@pytest.mark.parametrize("two_level", [True, False])
def test_physical_tree_file_as_infomap_writes_it(tmp_path, two_level):
    """Infomap's tree read from its ``_states.tree`` and written again by us at the
    physical level gives Infomap's ``.tree`` rows (path, flow, physical id)."""
    from infomap_learn import ModuleTree

    arrays, net = _case(3, "nested", True)
    im = _official(*arrays, True, two_level=two_level, num_trials=2, seed=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        im.write_tree(str(tmp_path / "im_states.tree"), states=True)
        im.write_tree(str(tmp_path / "im.tree"))
    tree = ModuleTree.read(tmp_path / "im_states.tree", net)
    tree.write_tree(tmp_path / "ours.tree")

    def rows(name):
        lines = (tmp_path / name).read_text().splitlines()
        return [(p, f, u) for p, f, _, u in (line.split() for line in lines if line[0] != "#")]

    assert rows("ours.tree") == rows("im.tree")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        im.write_json(str(tmp_path / "im.json"))
    tree.write_json(tmp_path / "ours.json")
    import json

    def nodes(name):
        document = json.loads((tmp_path / name).read_text())
        assert document["higherOrder"] and not document["stateLevel"]
        return [(n["path"], n["flow"], n["id"]) for n in document["nodes"]]

    assert nodes("ours.json") == nodes("im.json")


@pytest.mark.parametrize("directed", [True, False])
@pytest.mark.parametrize("two_level", [True, False])
def test_flow_tree_files_as_infomap_writes_them(tmp_path, two_level, directed):
    """The ``.ftree`` of a state network: the physical level (the pairs of leaf module and
    physical node, and the flow between them) and, in ``_states.ftree``, the state level,
    row for row as Infomap's (names aside: ours keep the states' own names)."""
    from infomap_learn import ModuleTree

    # (cases whose modules have no ties in flow: Infomap orders tied ones by its internals)
    arrays, net = _case(3 if directed else 4, "nested", directed)
    im = _official(*arrays, directed, two_level=two_level, num_trials=2, seed=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        im.write_tree(str(tmp_path / "im_states.tree"), states=True)
        im.write_flow_tree(str(tmp_path / "im.ftree"))
        im.write_flow_tree(str(tmp_path / "im_states.ftree"), states=True)
    tree = ModuleTree.read(tmp_path / "im_states.tree", net)
    tree.write_ftree(tmp_path / "ours.ftree")
    tree.write_ftree(tmp_path / "ours_states.ftree", states=True)

    def rows(name):
        lines = (tmp_path / name).read_text().splitlines()
        level = [line for line in lines if line in ("# physical level", "# state level")]
        body = [line.split() for line in lines if not line.startswith("#")]
        # (a node row's name is its third field; link rows have no name)
        return level, [
            [part for i, part in enumerate(row) if i != 2 or row[0] == "*Links" or len(row) < 4]
            for row in body
        ]

    assert rows("ours.ftree") == rows("im.ftree")

    def modules_and_leaves(name):
        """State rows without their place among leaves of equal flow (whose order
        Infomap leaves to its internals), and the modules' link headers."""
        level, body = rows(name)
        leaves = sorted((row[0].rsplit(":", 1)[0], *row[1:]) for row in body if ":" in row[0])
        return level, leaves, [row for row in body if row[0] == "*Links"]

    assert modules_and_leaves("ours_states.ftree") == modules_and_leaves("im_states.ftree")
