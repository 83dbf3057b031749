"""The quality benchmarks run end to end on one small data set (no figures asserted: the
scripts' numbers are read by people, these tests only keep the scripts working)."""

import json

from benchmarks import embedding_quality, hierarchy_quality, small_graphs, variants


def test_hierarchy_quality_runs_both_tools(tmp_path, capsys):
    args = ["--graphs", "breast-cancer", "--seeds", "1", "--trials", "1", "--out", str(tmp_path)]
    assert hierarchy_quality.main(args) == 0
    table = capsys.readouterr().out
    assert "| breast-cancer | multilevel |" in table and "| breast-cancer | two-level |" in table
    (written,) = tmp_path.glob("hierarchy-*.json")
    rows = json.loads(written.read_text())
    assert {(r["mode"], r["tool"]) for r in rows} == {
        (mode, tool) for mode in ("multilevel", "two-level") for tool in ("ours", "infomap")
    }


def test_embedding_quality_runs(tmp_path, capsys):
    args = ["--datasets", "breast-cancer", "--seeds", "0", "--methods", "infomap",
            "infomap-official", "kmeans", "--out", str(tmp_path)]
    embedding_quality.main(args)
    assert "breast cancer" in capsys.readouterr().out
    (written,) = tmp_path.glob("embedding-*.json")
    assert len(json.loads(written.read_text())["results"]) == 3


def test_small_graphs_runs(tmp_path, capsys):
    small_graphs.main(["--calls", "3", "--out", str(tmp_path)])
    table = capsys.readouterr().out
    assert "| karate | two-level | 1 |" in table
    assert "| les-miserables | hierarchical | 10 |" in table
    (written,) = tmp_path.glob("small-*.json")
    assert len(json.loads(written.read_text())["rows"]) == 4


def test_variants_runs_with_independent_trials(tmp_path, capsys):
    args = ["--variants", "standard", "--sampled", "6", "--out", str(tmp_path)]
    assert variants.main(args) == 0
    table = capsys.readouterr().out
    assert "| karate | standard |" in table
    (written,) = tmp_path.glob("variants-*.json")
    rows = json.loads(written.read_text())
    assert {len(row["ours"][0]) for row in rows} == {6}  # (every trial's codelength)


def test_results_of_the_same_day_are_never_overwritten(tmp_path):
    from benchmarks._results import write_results

    first = write_results(tmp_path, "demo", "first\n", {"run": 1})
    second = write_results(tmp_path, "demo", "second\n", {"run": 2})
    assert second.name == first.name + "-2"
    assert first.with_suffix(".md").read_text() == "first\n"
    assert json.loads(second.with_suffix(".json").read_text()) == {"run": 2}
    assert not list(tmp_path.glob("*.tmp"))
