"""The ``infomap-learn`` command end to end, checked against the official Infomap."""

import json
import re
import subprocess
import sys
import warnings

import numpy as np
import pytest

from infomap_learn import ModuleTree, infomap
from infomap_learn.cli import main
from infomap_learn.datasets import karate_club

infomap_oracle = pytest.importorskip("infomap")


def write_pajek(path, network, one_based=True, names=None):
    offset = 1 if one_based else 0
    lines = [f"*Vertices {network.n_nodes}"]
    for i in range(network.n_nodes):
        name = names[i] if names else f"node {i}"
        lines.append(f'{i + offset} "{name}"')
    lines.append("*Arcs" if network.directed else "*Edges")
    for u, v, w in zip(network.source, network.target, network.weight):
        lines.append(f"{u + offset} {v + offset} {w:g}")
    path.write_text("\n".join(lines) + "\n")


def oracle_codelength(network_file, clu_file, two_level=True, directed=False):
    im = infomap_oracle.Infomap(
        silent=True, no_infomap=True, two_level=two_level, directed=directed,
        cluster_data=str(clu_file),
    )
    im.read_file(str(network_file))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        im.run()
        return im.codelength


def printed_codelength(output):
    return float(re.search(r"codelength ([0-9.]+) bits", output).group(1))


def infomap_cli_scores(source, tree, folder, flags) -> float:
    """The codelength the official Infomap's command line gives ``tree`` on ``source``
    with ``flags`` (``--no-infomap -c``)."""
    result = subprocess.run(
        [sys.executable, "-m", "infomap", str(source), str(folder), "--no-infomap",
         "-c", str(tree), "-o", "tree", "--out-name", "theirs", *flags],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    theirs = (folder / "theirs.tree").read_text()
    match = re.search(r"codelength ([0-9.]+)", theirs)
    assert match, result.stdout[-500:]
    return float(match.group(1))


@pytest.mark.parametrize("directed", [False, True])
def test_run_on_pajek_and_oracle_reads_our_clu(tmp_path, capsys, directed):
    network, _ = karate_club()
    if directed:
        rng = np.random.default_rng(0)
        flip = rng.random(network.n_links) < 0.5
        from infomap_learn import Network

        network = Network.from_edges(
            np.where(flip[:, None], np.stack([network.target, network.source], 1),
                     np.stack([network.source, network.target], 1)),
            n_nodes=34, directed=True,
        )
    net_file = tmp_path / "karate.net"
    write_pajek(net_file, network)
    args = ["run", str(net_file), str(tmp_path / "out"), "--two-level", "-N", "3", "--seed", "2"]
    if directed:
        args.append("--directed")
    assert main(args) == 0
    output = capsys.readouterr().out
    assert "34 nodes" in output
    ours = printed_codelength(output)
    for name in ("karate.tree", "karate.clu", "karate.ftree"):
        assert (tmp_path / "out" / name).stat().st_size > 0
    theirs = oracle_codelength(net_file, tmp_path / "out" / "karate.clu", directed=directed)
    assert theirs == pytest.approx(ours, abs=5e-7)  # we print 6 decimals


def test_run_multilevel_tree_read_back(tmp_path, capsys):
    rng = np.random.default_rng(1)
    n = 128
    block, group = np.arange(n) // 8, np.arange(n) // 32
    p = np.where(block[:, None] == block[None, :], 0.8,
                 np.where(group[:, None] == group[None, :], 0.1, 0.005))
    u, v = np.nonzero(np.triu(rng.random((n, n)) < p, 1))
    link_file = tmp_path / "nested.txt"
    # ids in the file are not 0..n-1: the .tree must use the file's ids
    link_file.write_text("# nested\n" + "\n".join(f"{a + 100} {b + 100}" for a, b in zip(u, v)))
    assert main(["run", str(link_file), str(tmp_path), "--seed", "1"]) == 0
    ours = printed_codelength(capsys.readouterr().out)
    im = infomap_oracle.Infomap(silent=True, no_infomap=True,
                                cluster_data=str(tmp_path / "nested.tree"))
    im.read_file(str(link_file))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        im.run()
    assert im.codelength == pytest.approx(ours, abs=5e-7)


def test_run_reports_bad_input(tmp_path, capsys):
    bad = tmp_path / "bad.txt"
    bad.write_text("1 2 -3\n")
    assert main(["run", str(bad), str(tmp_path)]) == 2
    assert "bad.txt:1: link weight '-3' is not a finite" in capsys.readouterr().err
    assert main(["run", str(tmp_path / "missing.txt"), str(tmp_path)]) == 2


TWO_TRIANGLES = "1 2\n2 3\n3 1\n4 5\n5 6\n6 4\n3 4\n"


def test_outputs_never_overwrite_an_input_and_are_checked_before_the_search(tmp_path, capsys):
    source = tmp_path / "net.txt"
    source.write_text(TWO_TRIANGLES)
    given = tmp_path / "net.clu"
    given.write_text("1 1\n2 1\n3 1\n4 2\n5 2\n6 2\n")
    # the default outputs include net.clu, in the folder of the -c file
    assert main(["run", str(source), str(tmp_path), "-c", str(given)]) == 2
    err = capsys.readouterr().err
    assert f"the output file {given} is the input file {given}" in err
    assert given.read_text().startswith("1 1")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.clu", "net.txt"]
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    assert main(["run", str(source), str(blocked)]) == 2
    assert f"output directory {blocked} is a file" in capsys.readouterr().err
    assert main(["run", str(source), str(tmp_path / "o"), "--clu-level", "0"]) == 2
    assert "--clu-level 0" in capsys.readouterr().err


def test_a_clu_level_below_the_tree_writes_the_deepest_level(tmp_path, capsys):
    source = tmp_path / "net.txt"
    source.write_text(TWO_TRIANGLES)
    out = tmp_path / "out"
    assert main(["run", str(source), str(out), "-2", "-o", "clu", "--clu-level", "3"]) == 0
    assert "# module level 1" in (out / "net.clu").read_text()


def test_an_output_blocked_by_a_folder_changes_no_file(tmp_path, capsys):
    source = tmp_path / "net.txt"
    source.write_text(TWO_TRIANGLES)
    out = tmp_path / "out"
    out.mkdir()
    (out / "net.clu").mkdir()
    for ext in ("tree", "ftree"):
        (out / f"net.{ext}").write_text("OLD\n")
    assert main(["run", str(source), str(out)]) == 2
    assert f"cannot write {out / 'net.clu'}: it is a directory" in capsys.readouterr().err
    assert [(out / f"net.{e}").read_text() for e in ("tree", "ftree")] == ["OLD\n", "OLD\n"]
    assert sorted(p.name for p in out.iterdir()) == ["net.clu", "net.ftree", "net.tree"]


def test_messages_name_the_flags_and_warnings_respect_silent(tmp_path, capsys):
    source = tmp_path / "net.txt"
    source.write_text(TWO_TRIANGLES)
    out = tmp_path / "out"
    assert main(["run", str(source), str(out), "-N", "0"]) == 2
    assert "error: --num-trials must be an integer >= 1, got 0" in capsys.readouterr().err
    assert main(["run", str(source), str(out), "-p", "1.5"]) == 2
    assert "--teleportation-probability" in capsys.readouterr().err
    light = tmp_path / "light.txt"
    light.write_text("1 2 1\n2 3 1\n")
    assert main(["run", str(light), str(out), "--weight-threshold", "5", "-o", "newick"]) == 0
    captured = capsys.readouterr()
    assert captured.err.startswith("infomap-learn: warning: the network has 3 nodes and no")
    assert ".py" not in captured.err  # (no source line of the library)
    assert "wrote light.nwk to" in captured.out
    assert "partitioned into 2 levels with 3 top modules" in captured.out
    assert main(["run", str(light), str(out), "--weight-threshold", "5", "--silent"]) == 0
    assert capsys.readouterr() == ("", "")


def test_console_script_entry_point():
    result = subprocess.run(
        [sys.executable, "-m", "infomap_learn.cli", "--version"],
        capture_output=True, text=True, check=True,
    )
    assert result.stdout.startswith("infomap-learn ")


@pytest.mark.parametrize("suffix", [".npy", ".csv"])
def test_embed_writes_modules_and_paths(tmp_path, capsys, suffix):
    from sklearn.datasets import make_blobs
    from sklearn.metrics import adjusted_rand_score

    X, y = make_blobs(n_samples=200, centers=[[0, 0], [10, 0], [0, 10]], random_state=0)
    source = tmp_path / f"X{suffix}"
    if suffix == ".npy":
        np.save(source, X)
    else:  # (with a header row, as pandas writes one)
        np.savetxt(source, X, delimiter=",", header="x,y", comments="")
    out = tmp_path / "clusters.csv"
    assert main(["embed", str(source), str(out), "-k", "10", "--seed", "1"]) == 0
    assert "200 samples" in capsys.readouterr().out
    rows = np.loadtxt(out, delimiter=",", skiprows=1, dtype=str)
    assert rows.shape == (200, 3)
    np.testing.assert_array_equal(rows[:, 0].astype(int), np.arange(200))
    modules = rows[:, 1].astype(int)
    assert adjusted_rand_score(y, modules) == 1.0
    # the path starts with the top module
    assert all(path.split(":")[0] == str(m) for path, m in zip(rows[:, 2], modules))
    for hubness in ("none", "local_scaling"):
        plain = tmp_path / f"{hubness}.csv"
        assert main(["embed", str(source), str(plain), "-k", "10", "--hubness", hubness]) == 0
        labels = np.loadtxt(plain, delimiter=",", skiprows=1, dtype=str)[:, 1].astype(int)
        assert adjusted_rand_score(y, labels) == 1.0


def test_embed_reports_bad_input(tmp_path, capsys):
    text = tmp_path / "text.csv"
    text.write_text("x,y\n1,2\n3,four\n")
    assert main(["embed", str(text), str(tmp_path / "out.csv"), "-k", "1"]) == 2
    assert "text.csv: could not convert string 'four'" in capsys.readouterr().err
    source = tmp_path / "X.csv"
    source.write_text("1,2\n3,nan\n5,6\n")
    assert main(["embed", str(source), str(tmp_path / "out.csv"), "-k", "1"]) == 2
    assert "NaN" in capsys.readouterr().err


def test_demo_clusters_digits(capsys):
    assert main(["demo"]) == 0
    output = capsys.readouterr().out
    nmi = float(re.search(r"NMI ([0-9.]+)", output).group(1))
    assert nmi >= 0.85
    assert "top modules" in output


_LIMITED_RUN = """
import resource, signal, sys
# Python ignores SIGXFSZ (a write over the limit fails with EFBIG); SIG_DFL lets the
# kernel kill the process mid-write instead
action = signal.SIG_IGN if sys.argv[1] == "ignore" else signal.SIG_DFL
signal.signal(signal.SIGXFSZ, action)
resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[2]), int(sys.argv[2])))
from infomap_learn import infomap
from infomap_learn.cli import main
sys.exit(main(sys.argv[3:]))
"""


@pytest.mark.skipif(sys.platform == "win32", reason="file-size limits are POSIX")
@pytest.mark.parametrize("signal_action", ["ignore", "default"])
def test_a_run_that_fails_mid_write_keeps_the_previous_outputs(tmp_path, signal_action):
    from infomap_learn.datasets import planted_partition

    network, _ = planted_partition(n_modules=12, module_size=40, p_in=0.2, p_out=0.01, seed=1)
    source = tmp_path / "net.txt"
    source.write_text(
        "".join(f"{u} {v}\n" for u, v in zip(network.source.tolist(), network.target.tolist()))
    )
    out = tmp_path / "out"
    html = tmp_path / "view.html"
    assert main(["run", str(source), str(out), "--html", str(html), "--quiet"]) == 0
    before = {p.name: p.read_bytes() for p in [*out.iterdir(), html]}
    assert {"net.tree", "net.clu", "net.ftree", "view.html"} <= set(before)
    assert len(before["net.tree"]) > 11000
    # a second run with other results, stopped by a 10000-byte file-size limit: the .tree
    # (written first) does not fit
    result = subprocess.run(
        [sys.executable, "-c", _LIMITED_RUN, signal_action, "10000", "run", str(source),
         str(out), "--html", str(html), "--seed", "7", "--two-level", "--quiet"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    if signal_action == "ignore":
        assert result.returncode == 2
        assert f"cannot write {out / 'net.tree'}" in result.stderr
        assert "nothing was replaced" in result.stderr
    else:
        assert result.returncode < 0  # killed by SIGXFSZ mid-write
    after = {p.name: p.read_bytes() for p in [*out.iterdir(), html] if p.exists()}
    kept = {name: data for name, data in after.items() if not name.endswith(".tmp")}
    assert kept == before  # every previous output untouched, none half-written
    if signal_action == "ignore":
        assert set(after) == set(before)  # and no temporary file left behind


def test_run_takes_infomaps_option_names(tmp_path, capsys):
    network, _ = karate_club()
    source = tmp_path / "karate.net"
    write_pajek(source, network)
    out = tmp_path / "out"
    argv = ["run", str(source), str(out), "-2", "-N", "5", "-s", "3", "-f", "undirected",
            "--silent", "-o", "clu,tree", "--clu-level", "-1", "--out-name", "res"]  # fmt: skip
    assert main(argv) == 0
    assert capsys.readouterr().out == ""  # --silent
    assert sorted(p.name for p in out.iterdir()) == ["res.clu", "res.tree"]
    # the same run under our own long names gives the same files
    ours = tmp_path / "ours"
    argv = ["run", str(source), str(ours), "--two-level", "--trials", "5", "--seed", "3",
            "--flow-model", "undirected", "--quiet", "--clu", "--tree", "--clu-level", "-1",
            "--out-name", "res"]  # fmt: skip
    assert main(argv) == 0
    for name in ("res.clu", "res.tree"):
        assert (ours / name).read_text().split("\n", 1)[1] == (out / name).read_text().split(
            "\n", 1
        )[1]  # (the header's first line names the version only)
    # and the official Infomap scores our .clu as we do
    codelength = oracle_codelength(source, out / "res.clu")
    assert codelength == pytest.approx(
        float(re.search(r"codelength ([0-9.]+)", (out / "res.tree").read_text()).group(1)),
        abs=1e-5,
    )
    assert main(["run", str(source), str(tmp_path / "none"), "-0", "--silent"]) == 0
    none = str(tmp_path / "none")
    assert main(["run", str(source), none, "-0", "--n-jobs", "-2", "-s", "1"]) == 0
    assert not list((tmp_path / "none").iterdir())
    with pytest.raises(SystemExit):
        main(["run", str(source), str(out), "-o", "graphml"])
    assert (
        "unknown output format(s) 'graphml'; supported: tree,clu,ftree,newick,json,csv"
        in capsys.readouterr().err
    )
    # Infomap's other formats, under its file names; the JSON records the command line
    more = tmp_path / "more"
    argv = ["run", str(source), str(more), "-o", "newick,json,csv", "-s", "3", "--silent"]
    assert main(argv) == 0
    assert sorted(p.name for p in more.iterdir()) == ["karate.csv", "karate.json", "karate.nwk"]
    document = json.loads((more / "karate.json").read_text())
    assert document["args"] == " ".join(argv)
    assert len(document["nodes"]) == network.n_nodes
    tree = ModuleTree.read(more / "karate.json", network, node_ids=np.arange(1, 35))
    assert tree.codelength == pytest.approx(document["codelength"], rel=1e-12)


@pytest.mark.parametrize("two_level", [True, False])
def test_trees_written_by_the_official_infomap_are_read_and_scored_alike(tmp_path, two_level):
    from infomap_learn import ModuleTree
    from infomap_learn.datasets import planted_partition
    from infomap_learn.io import read_network

    network, _ = planted_partition(n_modules=6, module_size=15, p_in=0.3, p_out=0.02, seed=5)
    source = tmp_path / "net.net"
    write_pajek(source, network)
    im = infomap_oracle.Infomap(silent=True, two_level=two_level, num_trials=3, seed=2)
    im.read_file(str(source))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        im.run()
        im.write_tree(str(tmp_path / "im.tree"))
        im.write_clu(str(tmp_path / "im.clu"))
        im.write_flow_tree(str(tmp_path / "im.ftree"))
    net, ids = read_network(source)
    for name in ("im.tree", "im.ftree"):
        tree = ModuleTree.read(tmp_path / name, net, node_ids=ids)
        assert tree.codelength == pytest.approx(im.codelength, abs=1e-9)
        assert tree.num_top_modules == im.num_top_modules
    top = ModuleTree.read(tmp_path / "im.clu", net, node_ids=ids)
    assert top.num_levels == 1 and top.num_top_modules == im.num_top_modules
    # and ours, written and read back, is the same tree
    ours = infomap(net, two_level=two_level, seed=3)
    ours.write_tree(tmp_path / "ours.tree", node_ids=ids)
    again = ModuleTree.read(tmp_path / "ours.tree", net, node_ids=ids)
    np.testing.assert_array_equal(again.paths, ours.paths)
    assert again.codelength == pytest.approx(ours.codelength, abs=1e-12)


def test_reading_a_tree_names_what_is_wrong(tmp_path):
    from infomap_learn import ModuleTree

    network, _ = karate_club()
    bad = tmp_path / "bad.clu"
    bad.write_text("# node_id module\n0 1\n1 x\n")
    with pytest.raises(ValueError, match=r"bad.clu:3: cannot read '1 x'"):
        ModuleTree.read(bad, network)
    bad.write_text("0 1\n99 1\n")
    with pytest.raises(ValueError, match=r"bad.clu:2: node id 99 is not a node of the network"):
        ModuleTree.read(bad, network)
    bad.write_text("0 1\n1 2\n")
    with pytest.raises(ValueError, match=r"32 node\(s\) of the network are not in the file"):
        ModuleTree.read(bad, network)


def test_weight_threshold_self_links_and_scoring_given_clusters(tmp_path, capsys):
    source = tmp_path / "net.txt"
    source.write_text("1 2 1\n2 3 1\n3 1 1\n4 5 1\n5 6 1\n6 4 1\n3 4 0.1\n7 7 5\n")
    from infomap_learn.io import read_network

    net, ids = read_network(source, weight_threshold=0.5, self_links=False)
    assert ids.tolist() == [1, 2, 3, 4, 5, 6, 7]  # nodes of skipped links remain
    assert sorted(zip(net.source.tolist(), net.target.tolist())) == [
        (0, 1), (0, 2), (1, 2), (3, 4), (3, 5), (4, 5)
    ]  # fmt: skip
    out = tmp_path / "out"
    argv = ["run", str(source), str(out), "-2", "--weight-threshold", "0.5", "--no-self-links",
            "-o", "clu"]  # fmt: skip
    assert main(argv) == 0
    found = printed_codelength(capsys.readouterr().out)
    # the official Infomap scores our .clu on the same thresholded network alike
    im = infomap_oracle.Infomap(
        silent=True, no_infomap=True, two_level=True, weight_threshold=0.5,
        no_self_links=True, cluster_data=str(out / "net.clu"),
    )  # fmt: skip
    im.read_file(str(source))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        im.run()
    assert im.codelength == pytest.approx(found, abs=1e-5)
    # --no-infomap -c: score a given partition, ours or Infomap's, without a search
    scored = tmp_path / "scored"
    argv = ["run", str(source), str(scored), "--no-infomap", "-c", str(out / "net.clu"),
            "--weight-threshold", "0.5", "--no-self-links", "-o", "tree"]  # fmt: skip
    assert main(argv) == 0
    assert printed_codelength(capsys.readouterr().out) == pytest.approx(found, abs=1e-9)
    # -c without --no-infomap: the search starts from the given modules (never longer)
    argv = ["run", str(source), str(scored), "-c", str(out / "net.clu"), "-2",
            "--weight-threshold", "0.5", "--no-self-links"]  # fmt: skip
    assert main(argv) == 0
    assert printed_codelength(capsys.readouterr().out) <= found + 1e-9
    assert main(["run", str(source), str(scored), "--no-infomap"]) == 2
    assert "--no-infomap needs --cluster-data" in capsys.readouterr().err


@pytest.mark.parametrize(
    "flags",
    [
        ["--entropy-corrected"],
        ["--entropy-corrected", "--entropy-correction-strength", "2.5"],
        ["--preferred-number-of-modules", "3"],
        ["--regularized"],
        ["--regularized", "--regularization-strength", "0.5", "-d"],
        ["--use-node-weights-as-flow", "-d", "-e", "--to-nodes"],
        ["--variable-markov-time"],
        ["--variable-markov-time", "--variable-markov-damping", "0", "-d"],
        # (a flow model but "undirected" reads the links as directed, -d or not)
        ["-f", "directed"],
        ["-f", "undirdir"],
        ["-f", "rawdir"],
        ["--variable-markov-time", "--variable-markov-min-scale", "3"],
        ["--preferred-number-of-levels", "2", "--preferred-number-of-levels-strength", "2"],
    ],
)
def test_model_variant_flags_score_as_infomaps(tmp_path, capsys, flags):
    network, _ = karate_club()
    source = tmp_path / "karate.net"
    write_pajek(source, network)
    out = tmp_path / "out"
    assert main(["run", str(source), str(out), "-N", "3", "-s", "2", *flags, "-o", "tree"]) == 0
    found = printed_codelength(capsys.readouterr().out)
    # the official Infomap's command line scores our tree with the same flags alike
    theirs = infomap_cli_scores(source, out / "karate.tree", tmp_path, flags)
    assert theirs == pytest.approx(found, abs=2e-5)


@pytest.mark.parametrize("directed", [False, True])
def test_json_network_input_scores_and_searches_as_infomaps(tmp_path, capsys, directed):
    network, _ = karate_club()
    document = {
        "format": "infomap-network",  # (the name Infomap 2.16 reads)
        "version": "1.0",
        "directed": directed,
        "nodes": [{"id": i + 1, "name": f"member {i}", "weight": 1 + i % 3}
                  for i in range(network.n_nodes)],
        "edges": [{"source": int(u) + 1, "target": int(v) + 1, "weight": float(w)}
                  for u, v, w in zip(network.source, network.target, network.weight)],
    }  # fmt: skip
    source = tmp_path / "karate.json"
    source.write_text(json.dumps(document))
    out = tmp_path / "out"
    argv = ["run", str(source), str(out), "-2", "-N", "5", "-s", "1", "-o", "tree,clu"]
    assert main(argv) == 0
    found = printed_codelength(capsys.readouterr().out)
    assert "member 0" in (out / "karate.tree").read_text()
    # the official Infomap reads the same file: it scores our modules alike and its own
    # search ends no shorter than ours
    clu = out / "karate.clu"
    assert oracle_codelength(source, clu, directed=directed) == pytest.approx(found, abs=1e-5)
    im = infomap_oracle.Infomap(
        silent=True, two_level=True, num_trials=5, seed=1, directed=directed
    )
    im.read_file(str(source))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        im.run()
    assert found <= im.codelength * 1.001


@pytest.mark.parametrize("flags", [[], ["--meta-data-rate", "0.5", "--meta-data-unweighted"]])
def test_meta_data_flags_score_as_infomaps(tmp_path, capsys, flags):
    network, _ = karate_club()
    source = tmp_path / "karate.net"
    write_pajek(source, network)
    meta = tmp_path / "meta.clu"
    # (Pajek ids start at 1; categories that cut across the clubs)
    meta.write_text("# node meta\n" + "".join(f"{i + 1} {i % 3}\n" for i in range(34)))
    out = tmp_path / "out"
    argv = ["run", str(source), str(out), "-N", "3", "-s", "2", "--meta-data", str(meta),
            *flags, "-o", "tree"]  # fmt: skip
    assert main(argv) == 0
    found = printed_codelength(capsys.readouterr().out)
    meta_flags = ["--meta-data", str(meta), *flags]
    theirs = infomap_cli_scores(source, out / "karate.tree", tmp_path, meta_flags)
    assert theirs == pytest.approx(found, abs=2e-5)
    # a meta-data file that leaves a node out, or names one the network lacks, is named
    meta.write_text("".join(f"{i + 1} {i % 3}\n" for i in range(33)))
    assert main(argv) == 2
    assert "meta.clu" in capsys.readouterr().err
    meta.write_text("".join(f"{i + 1} {i % 3}\n" for i in range(34)) + "99 1\n")
    assert main(argv) == 2
    assert "meta.clu:35" in capsys.readouterr().err


def test_bipartite_pajek_files_score_as_infomaps(tmp_path, capsys):
    rng = np.random.default_rng(5)
    primary, features = 20, 8
    links = sorted({(p + 1, primary + 1 + int(f)) for p in range(primary)
                    for f in rng.choice(features, 3, replace=False)})  # fmt: skip
    lines = [f"*Vertices {primary + features}"]
    lines += [f'{i} "{"p" if i <= primary else "f"}{i}"' for i in range(1, primary + features + 1)]
    lines += [f"*Bipartite {primary + 1}"] + [f"{a} {b}" for a, b in links]
    source = tmp_path / "bipartite.net"
    source.write_text("\n".join(lines) + "\n")
    out = tmp_path / "out"
    for flags in ([], ["--skip-adjust-bipartite-flow"], ["--bipartite-teleportation"]):
        assert main(["run", str(source), str(out), "-2", "-s", "1", "-o", "tree", *flags]) == 0
        found = printed_codelength(capsys.readouterr().out)
        theirs = infomap_cli_scores(source, out / "bipartite.tree", tmp_path, ["-2", *flags])
        assert theirs == pytest.approx(found, abs=2e-5)
    # the directed two-step walk needs links back from the features
    assert main(["run", str(source), str(out), "-d", "--bipartite-teleportation"]) == 2
    assert "run from primary to feature nodes" in capsys.readouterr().err
    # a link between two primary nodes is named with its line, as written
    source.write_text("\n".join([*lines, "1 2"]) + "\n")
    assert main(["run", str(source), str(out)]) == 2
    line = len(lines) + 1
    assert f"bipartite.net:{line}: bipartite link '1 2' joins two primary nodes" in (
        capsys.readouterr().err
    )
    source.write_text("\n".join([*lines[:-len(links) - 1], "*Bipartite", "1 21"]) + "\n")
    assert main(["run", str(source), str(out)]) == 2
    assert "needs the id of its first feature node" in capsys.readouterr().err
    # --hide-bipartite-nodes: the feature nodes left out of .tree and .clu, not .ftree
    source.write_text("\n".join(lines) + "\n")
    hidden = tmp_path / "hidden"
    argv = ["run", str(source), str(hidden), "-s", "1", "-o", "tree,clu,ftree"]
    assert main([*argv, "--hide-bipartite-nodes"]) == 0
    for ext, count in [("tree", primary), ("clu", primary), ("ftree", primary + features)]:
        text = (hidden / f"bipartite.{ext}").read_text().split("*Links")[0]
        rows = [row for row in text.splitlines() if row and not row.startswith("#")]
        assert len(rows) == count
    karate_file = tmp_path / "karate.txt"
    karate_file.write_text("1 2\n2 3\n3 1\n")
    assert main(["run", str(karate_file), str(hidden), "--hide-bipartite-nodes"]) == 2
    assert "not bipartite" in capsys.readouterr().err
