"""Multilayer networks: the state network Network.from_multilayer builds (against a
line-by-line reference of Infomap's rules), the Pajek sections, errors naming what is wrong,
and the command line."""

import numpy as np
import pytest

from infomap_learn import Network, compute_flow, infomap
from infomap_learn.cli import main
from infomap_learn.io import read_network


def reference_state_links(intra, inter=None, directed=False, rate=0.15, up=None, down=None):
    """Infomap's multilayer rules one link at a time, as a dict of
    ``((layer, node), (layer, node)) -> weight``."""
    layer_links = {}
    for layer, u, v, w in intra:
        pairs = [(u, v)] if directed else [(u, v), (v, u)]
        for a, b in pairs:
            key = (layer, a, b)
            layer_links[key] = layer_links.get(key, 0.0) + w
    out = {}
    for (layer, a, _), w in layer_links.items():
        out[layer, a] = out.get((layer, a), 0.0) + w
    links = {}

    def add(source, target, w):
        links[source, target] = links.get((source, target), 0.0) + w

    if inter:
        for (layer, a, b), w in layer_links.items():
            add((layer, a), (layer, b), w)
        rows = list(inter) + ([] if directed else [(l2, n, l1, w) for l1, n, l2, w in inter])
        for l1, node, l2, w_inter in rows:
            for (layer, a, b), w in layer_links.items():
                if layer == l2 and a == node:
                    add((l1, node), (l2, b), w_inter * w / out[l2, node])
        return links
    layers = sorted({layer for layer, _, _ in layer_links})
    states = {(layer, a) for layer, a, _ in layer_links} | {(la, b) for la, _, b in layer_links}
    big = len(layers) + max(layers) + 1
    up = big if up is None else up
    down = big if down is None else down
    for l1, node in states:
        near = [l2 for l2 in layers if (l1 - l2 <= down if l1 >= l2 else l2 - l1 <= up)]
        reach = sum(out.get((l2, node), 0.0) for l2 in near)
        for (l2, a, b), w in layer_links.items():
            if a != node or l2 not in near:
                continue
            factor = rate / reach + ((1 - rate) / out[l1, node] if l2 == l1 else 0.0)
            add((l1, node), (l2, b), w * factor)
    return links


def as_dict(net):
    state = list(zip(net.layer_ids.tolist(), net.physical_ids.tolist()))
    links = {}
    for s, t, w in zip(net.source.tolist(), net.target.tolist(), net.weight.tolist()):
        links[state[s], state[t]] = w
        if not net.directed:
            links[state[t], state[s]] = w
    return links


def random_layers(seed, layers=3, n=12, m=40, inter=0):
    rng = np.random.default_rng(seed)
    intra = [(int(rng.integers(1, layers + 1)), int(rng.integers(n)), int(rng.integers(n)),
              float(rng.integers(1, 4))) for _ in range(m)]  # fmt: skip
    intra = [row for row in intra if row[1] != row[2]]
    rows = []
    for _ in range(inter):
        l1, l2 = rng.choice(np.arange(1, layers + 1), 2, replace=False)
        rows.append((int(l1), int(rng.integers(n)), int(l2), float(rng.integers(1, 3))))
    return intra, rows


def assert_same_links(net, expected):
    got = as_dict(net)
    expected = {k: v for k, v in expected.items() if v > 0}
    assert got.keys() == expected.keys()
    for key, weight in expected.items():
        assert got[key] == pytest.approx(weight, rel=1e-12)


@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize(
    "rate, up, down", [(0.15, None, None), (0.0, None, None), (1.0, None, None),
                       (0.4, 1, 1), (0.3, 0, None), (0.3, None, 0)],
)  # fmt: skip
def test_relaxed_state_links_follow_infomaps_rules(seed, directed, rate, up, down):
    intra, _ = random_layers(seed)
    limits = {}
    if up == down and up is not None:
        limits["relax_limit"] = up
    else:
        limits.update(relax_limit_up=up, relax_limit_down=down)
    net = Network.from_multilayer(intra, directed=directed, relax_rate=rate, **limits)
    assert net.directed
    assert_same_links(net, reference_state_links(intra, None, directed, rate, up, down))


@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_inter_layer_links_spread_over_the_target_layer(seed, directed):
    intra, inter = random_layers(seed, inter=10)
    net = Network.from_multilayer(intra, inter, directed=directed)
    assert_same_links(net, reference_state_links(intra, inter, directed))


def test_explicit_state_links_are_kept_as_given():
    links = [[1, 0, 1, 1, 2.0], [1, 1, 2, 1, 1.0], [2, 1, 2, 2, 1.0]]
    net = Network.from_multilayer(links=links)
    assert not net.directed
    assert net.layer_ids.tolist() == [1, 1, 2, 2]
    assert net.physical_ids.tolist() == [0, 1, 1, 2]
    assert sorted(zip(net.source.tolist(), net.target.tolist(), net.weight.tolist())) == [
        (0, 1, 2.0), (1, 2, 1.0), (2, 3, 1.0)
    ]  # fmt: skip


def test_a_node_in_two_layers_can_sit_in_two_modules():
    # two triangles per layer, the layers grouping node 2 differently
    intra = [[1, 0, 1], [1, 1, 2], [1, 2, 0], [1, 3, 4], [1, 4, 5], [1, 5, 3],
             [2, 0, 1], [2, 1, 5], [2, 5, 0], [2, 3, 4], [2, 4, 2], [2, 2, 3]]  # fmt: skip
    net = Network.from_multilayer(intra, relax_rate=0.1)
    tree = infomap(net, two_level=True, seed=1, num_trials=3)
    module = dict(zip(zip(net.layer_ids.tolist(), net.physical_ids.tolist()), tree.labels))
    assert module[1, 2] == module[1, 0] and module[2, 2] == module[2, 3]
    assert module[1, 2] != module[2, 2]


def reference_jsd_links(intra, directed=False, rate=0.15, limit=None):
    """Infomap's ``--multilayer-relax-by-jsd`` one node and one pair of layers at a time:
    the mixture's entropy summed target by target, as a dict like
    :func:`reference_state_links`."""
    from math import log2

    out_links = {}  # (layer, node) -> {target: weight}
    for layer, u, v, w in intra:
        for a, b in [(u, v)] if directed else [(u, v), (v, u)]:
            targets = out_links.setdefault((layer, a), {})
            targets[b] = targets.get(b, 0.0) + w
    out = {state: sum(targets.values()) for state, targets in out_links.items()}
    layers = sorted({layer for layer, _ in out_links})
    nodes = sorted({node for _, node in out_links})
    links = {}
    for node in nodes:
        weights, total = {}, {}
        for l1 in layers:
            for l2 in layers:
                if l2 > l1 or (limit is not None and l1 - l2 > limit):
                    continue
                if (l1, node) not in out_links or (l2, node) not in out_links:
                    continue
                p1, p2 = out_links[l1, node], out_links[l2, node]
                pi1 = out[l1, node] / (out[l1, node] + out[l2, node])
                pi2 = 1 - pi1
                h1 = -sum(w / out[l1, node] * log2(w / out[l1, node]) for w in p1.values())
                h2 = -sum(w / out[l2, node] * log2(w / out[l2, node]) for w in p2.values())
                h12 = 0.0
                for target in set(p1) | set(p2):
                    m = (pi1 * p1.get(target, 0.0) / out[l1, node]
                         + pi2 * p2.get(target, 0.0) / out[l2, node])  # fmt: skip
                    h12 -= m * log2(m)
                if not set(p1) & set(p2):
                    continue
                weight = 1.0 - min(max(h12 - pi1 * h1 - pi2 * h2, 0.0), 1.0)
                weights[l1, l2] = weights[l2, l1] = weight
                total[l1] = total.get(l1, 0.0) + weight
                if l1 != l2:
                    total[l2] = total.get(l2, 0.0) + weight
        for (l1, l2), weight in weights.items():
            if limit is not None and abs(l1 - l2) > limit:
                continue
            factor = 1.0 if l1 == l2 else weight * rate / (1 - rate) * out[l1, node] / total[l1]
            for target, w in out_links[l2, node].items():
                key = (l1, node), (l2, target)
                links[key] = links.get(key, 0.0) + factor * w
    return links


@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("rate, limit", [(0.15, None), (0.5, None), (0.3, 0), (0.4, 1)])
def test_jsd_relaxed_state_links_follow_infomaps_rules(seed, directed, rate, limit):
    intra, _ = random_layers(seed, layers=4, n=8, m=60)
    net = Network.from_multilayer(
        intra, directed=directed, relax_rate=rate, relax_limit=limit, relax_by_jsd=True
    )
    expected = reference_jsd_links(intra, directed, rate, limit)
    assert_same_links(net, expected)
    # (the weights are not those of the relax rate alone: the layers' similarity counts)
    if limit is None and rate > 0:
        assert as_dict(net) != pytest.approx(
            as_dict(Network.from_multilayer(intra, directed=directed, relax_rate=rate))
        )


def reference_self_links(intra, directed=False, rate=0.15, limit=None):
    """``--multilayer-relax-to-self`` one state at a time: its own layer's links, and one
    link to itself in every other layer where it has links, as a dict like
    :func:`reference_state_links`."""
    out_links = {}
    for layer, u, v, w in intra:
        for a, b in [(u, v)] if directed else [(u, v), (v, u)]:
            targets = out_links.setdefault((layer, a), {})
            targets[b] = targets.get(b, 0.0) + w
    out = {state: sum(targets.values()) for state, targets in out_links.items()}
    states = set(out_links) | {(layer, b) for (layer, _), t in out_links.items() for b in t}
    layers = sorted({layer for layer, _ in states})
    links = {}
    for l1, node in states:
        near = [l2 for l2 in layers if limit is None or abs(l1 - l2) <= limit]
        reach = sum(out.get((l2, node), 0.0) for l2 in near)
        for target, w in out_links.get((l1, node), {}).items():
            links[(l1, node), (l1, target)] = w * (rate / reach + (1 - rate) / out[l1, node])
        for l2 in near:
            if l2 != l1 and out.get((l2, node), 0.0) > 0:
                links[(l1, node), (l2, node)] = rate * out[l2, node] / reach
    return links


@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("rate, limit", [(0.15, None), (0.5, None), (0.3, 0), (0.4, 1)])
def test_relaxed_to_self_state_links_follow_infomaps_rules(seed, directed, rate, limit):
    intra, _ = random_layers(seed, layers=4, n=8, m=60)
    net = Network.from_multilayer(
        intra, directed=directed, relax_rate=rate, relax_limit=limit, relax_to_self=True
    )
    assert net.relax_to_self
    assert_same_links(net, reference_self_links(intra, directed, rate, limit))


@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("limit", [None, 1])
def test_relaxed_to_self_walks_as_the_default_relaxation(seed, directed, limit):
    # (the switch of layer is relayed in the same step: the same walk on fewer links)
    from infomap_learn import compute_flow

    intra, _ = random_layers(seed, layers=3, n=10, m=50)
    compact = Network.from_multilayer(intra, directed=directed, relax_rate=0.3,
                                      relax_limit=limit, relax_to_self=True)  # fmt: skip
    spread = Network.from_multilayer(intra, directed=directed, relax_rate=0.3, relax_limit=limit)
    assert compact.n_links < spread.n_links
    np.testing.assert_array_equal(compact.layer_ids, spread.layer_ids)
    np.testing.assert_array_equal(compact.physical_ids, spread.physical_ids)
    np.testing.assert_allclose(
        compute_flow(compact).node_flow, compute_flow(spread).node_flow, atol=1e-15
    )


def test_relaxed_to_self_refuses_what_it_does_not_match():
    intra, _ = random_layers(0)
    net = Network.from_multilayer(intra, relax_to_self=True)
    with pytest.raises(ValueError, match="and not regularized=True"):
        infomap(net, regularized=True)
    with pytest.raises(ValueError, match="directed flow model only, not 'undirected'"):
        infomap(net, flow_model="undirected")


def test_relaxed_to_self_records_teleportation_where_the_relayed_links_land():
    # a state with no link into it within its layer is reached only through switches,
    # which the walk relays on: recorded teleportation to links never lands there
    intra, _ = random_layers(0)
    net = Network.from_multilayer(intra, relax_to_self=True, relax_rate=0.3, directed=True)
    flow = compute_flow(net, recorded_teleportation=True)
    switch = (net.physical_ids[net.source] == net.physical_ids[net.target]) & (
        net.source != net.target
    )
    reached = np.zeros(net.n_nodes, dtype=bool)
    reached[net.target[~switch]] = True
    assert not reached.all()
    np.testing.assert_array_equal(flow.teleport_target > 0, reached)
    assert flow.teleport_target.sum() == pytest.approx(1.0)
    assert flow.node_flow.sum() == pytest.approx(1.0)
    assert (flow.node_flow[~reached] == 0).all()
    # each node teleports away at alpha times its visits (all of them where it has no
    # out-link)
    has_out = np.bincount(net.source, minlength=net.n_nodes) > 0
    np.testing.assert_allclose(flow.teleport_source[has_out], 0.15 * flow.node_flow[has_out])


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(intra=[[0, 1]]), r"intra must be rows of 3 ids"),
        (dict(intra=[[0, -1, 2]]), r"intra\[0\] is \[0, -1, 2\]: layer and node ids"),
        (dict(intra=[[0, 1, 2.5]]), r"intra\[0\] is"),
        (dict(intra=[[0, 1, 2, -1.0]]), r"intra\[0\] has weight -1"),
        (dict(intra=[[0, 1, 2]], inter=[[0, 1, 0]]), r"inter\[0\] joins layer 0 to itself"),
        (dict(intra=[[0, 1, 2]], inter=[[0, 1, 5]]), r"inter\[0\] refers to layer 5"),
        (dict(intra=[[0, 1, 2]], relax_rate=1.5), r"relax_rate must be in \[0, 1\]"),
        (dict(intra=[[0, 1, 2]], relax_limit=-1), r"relax_limit must be None"),
        (dict(intra=[[0, 1, 2]], relax_limit_up=0.5), r"relax_limit_up must be None"),
        (dict(intra=[[0, 1, 2]], relax_by_jsd=True, relax_limit_up=1),
         r"relax_by_jsd takes relax_limit only"),
        (dict(intra=[[0, 1, 2]], relax_by_jsd=True, relax_rate=1.0),
         r"relax_by_jsd needs relax_rate below 1"),
        (dict(intra=[[0, 1, 2]], relax_by_jsd=True, relax_to_self=True),
         r"relax_by_jsd and relax_to_self cannot be combined"),
        (dict(), r"needs intra-layer links or state links"),
        (dict(links=[[0, 1, 2]]), r"links must be rows of 4 ids"),
    ],
)
def test_bad_input_is_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Network.from_multilayer(**kwargs)


FILE = """*Vertices 4
1 "i"
2 "j"
3 "k"
4 "l"
*Intra
# layer node node weight
1 1 2 1
1 2 3 1
1 3 1 2
1 2 4 1
2 4 3 1
2 3 1 1
2 3 2 1
"""


@pytest.mark.parametrize("directed", [False, True])
def test_reader_makes_the_network_from_multilayer_makes(tmp_path, directed):
    path = tmp_path / "layers.net"
    path.write_text(FILE + "*Inter\n1 2 2 1\n2 3 1 0.5\n")
    net, ids = read_network(path, directed=directed)
    intra = [[1, 1, 2, 1], [1, 2, 3, 1], [1, 3, 1, 2], [1, 2, 4, 1], [2, 4, 3, 1],
             [2, 3, 1, 1], [2, 3, 2, 1]]  # fmt: skip
    expected = Network.from_multilayer(intra, [[1, 2, 2, 1], [2, 3, 1, 0.5]], directed=directed)
    assert ids.tolist() == list(range(expected.n_nodes))
    assert as_dict(net) == as_dict(expected)
    names = dict(zip(zip(net.layer_ids.tolist(), net.physical_ids.tolist()), net.node_names))
    assert names[1, 1] == "i" and names[2, 4] == "l"


def test_reader_passes_the_relax_options(tmp_path):
    path = tmp_path / "layers.net"
    path.write_text(FILE)
    net, _ = read_network(path, relax_rate=0.4, relax_limit=0)
    assert all(a == b for a, b in zip(net.layer_ids[net.source], net.layer_ids[net.target]))
    relaxed, _ = read_network(path, relax_rate=0.4)
    assert relaxed.n_links > net.n_links


@pytest.mark.parametrize(
    "tail, line, message",
    [
        ("*Inter\n1 2 1 1\n", 16, "joins layer 1 to itself"),
        ("*Inter\n# comment\n\n1 2 7 1\n", 18, "refers to layer 7, which has no"),
        ("*Inter\n1 2\n", 16, r"a \*inter line is 'layer1 node layer2 \[weight\]'"),
        ("*Intra\n1 x 2\n", 16, r"node id 'x' is not an integer"),
        ("*Intra\ny 1 2\n", 16, r"layer id 'y' is not an integer"),
        ("*Inter\n1 2 x\n", 16, r"layer id 'x' is not an integer"),
        ("*Multilayer\n1 1 2 z\n", 16, r"node id 'z' is not an integer"),
        ("*Intra\n1 2 3 -2\n", 16, r"link weight '-2' is not a finite"),
        ("*Intra\n1 -2 3\n", 16, r"layer and node ids must be >= 0"),
    ],
)
def test_reader_errors_name_file_and_line(tmp_path, tail, line, message):
    path = tmp_path / "layers.net"
    path.write_text(FILE + tail)
    with pytest.raises(ValueError, match=rf"layers\.net:{line}: .*{message}"):
        read_network(path)


def test_reader_refuses_multilayer_mixed_with_plain_links(tmp_path):
    path = tmp_path / "layers.net"
    path.write_text(FILE + "*Edges\n1 2\n")
    with pytest.raises(ValueError, match=r"cannot also have \*States or link sections"):
        read_network(path)
    path.write_text("*Inter\n1 2 2 1\n")
    with pytest.raises(ValueError, match=r"an \*Inter section needs an \*Intra section"):
        read_network(path)


def test_cli_runs_a_multilayer_file_with_infomaps_options(tmp_path):
    path = tmp_path / "layers.net"
    path.write_text(FILE)
    out = tmp_path / "out"
    args = ["run", str(path), str(out), "-o", "clu", "--multilayer-relax-rate", "0.3",
            "--multilayer-relax-limit", "1", "--silent"]  # fmt: skip
    assert main(args) == 0
    assert (out / "layers.clu").read_text().count("\n") > 7
