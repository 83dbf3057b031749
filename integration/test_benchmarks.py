"""The quality benchmarks run end to end on one small data set (no figures asserted: the
scripts' numbers are read by people, these tests only keep the scripts working)."""

import json

import pytest

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
    assert json.loads(second.with_suffix(".json").read_text())["run"] == 2
    assert not list(tmp_path.glob("*.tmp"))


def test_results_name_the_code_they_ran_and_whether_it_was_edited(tmp_path, monkeypatch):
    import subprocess

    from benchmarks import _results

    def git(*args):
        return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True,
                              text=True).stdout.strip()  # fmt: skip

    repo, plain = tmp_path / "repo", tmp_path / "plain"
    repo.mkdir()
    plain.mkdir()
    git("init", "-q")
    (repo / "src").mkdir()
    (repo / "src" / "kernel.py").write_text("x = 1\n")
    (repo / "notes.md").write_text("a\n")
    git("add", ".")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "start")
    head = git("rev-parse", "--short", "HEAD")
    monkeypatch.setattr(_results, "_REPO", repo)
    (repo / "notes.md").write_text("b\n")  # (not code a benchmark imports)
    assert _results.code_version() == head
    (repo / "src" / "kernel.py").write_text("x = 2\n")
    assert _results.code_version() == f"{head} (src/ or adapters/ modified)"
    written = _results.write_results(tmp_path / "out", "demo", "t\n", {"run": 1})
    payload = json.loads(written.with_suffix(".json").read_text())
    assert payload == {"run": 1, "commit": f"{head} (src/ or adapters/ modified)"}
    monkeypatch.setattr(_results, "_REPO", plain)
    assert _results.code_version() == "unknown"


def test_scaling_repeats_run_in_rounds_and_keep_the_fastest(monkeypatch, capsys):
    from benchmarks import scaling

    calls, totals = [], iter([3.0, 5.0, 2.0, 6.0])  # (n=10 twice, n=20 twice, in rounds)
    monkeypatch.setattr(scaling, "graph_file", lambda n, mu, seed: f"lfr{n}")
    monkeypatch.setattr(scaling, "n_links", lambda path: 7)

    def run(spec, timeout):
        calls.append(spec["n"])
        total = next(totals)
        return {"total_s": total, "run_s": total - (1.5 if total == 3.0 else 1.0),
                "peak_mb": 1.0}  # fmt: skip

    monkeypatch.setattr(scaling, "run_in_subprocess", run)
    args = scaling.parse_args(["--sizes", "20", "10", "--tools", "ours", "--repeats", "2"])
    rows = {r["n"]: r for r in scaling.measure(args)}
    assert calls == [10, 20, 10, 20]
    assert rows[10]["total_s"] == 2.0 and rows[10]["run_s"] == 1.0
    assert rows[10]["total_s_runs"] == [3.0, 2.0] and rows[10]["run_s_runs"] == [1.5, 1.0]
    assert rows[20]["total_s"] == 5.0 and rows[20]["run_s_runs"] == [4.0, 5.0]
    with pytest.raises(SystemExit):
        scaling.parse_args(["--repeats", "0"])
    assert "--repeats must be at least 1, got 0" in capsys.readouterr().err
