"""How the run time grows with the network: a scaling table, fitted slopes and a log-log plot.

    python benchmarks/scaling.py --sizes 10000 30000 100000 300000 1000000 --mu 0.3
    python benchmarks/scaling.py --sizes 10000 30000 100000 --tools ours infomap
    python benchmarks/scaling.py --multilevel --out /tmp/results
    python benchmarks/scaling.py --sizes 10000 100000 1000000 --tools ours --repeats 3

For each LFR size (``benchmarks/lfr.py``, generated once and cached), every tool runs once
(``--repeats R``: R times, in rounds over the sizes, the fastest kept; see ``measure``) in
its own fresh subprocess through ``benchmarks/compare.py``'s runner, so the timings, peak
memory and the warm-up of our numba kernels are measured exactly as in ``compare.py`` (see
its docstring): ``total s`` is the edge array to the labels array, ``run s`` the search call
alone, ``peak MB`` the subprocess's peak resident memory. This driver never loads a graph
itself (a child's ``ru_maxrss`` starts at its parent's peak on Linux; see ``graph_file``).

Printed and written to ``<out>/scaling-<date>.md``:

- a markdown table: n, m, and per tool total s, run s, peak MB, then our total time divided
  by each peer's (``ours/infomap``, ``ours/igraph``; below 1 means ours is faster);
- the least-squares slope of log(time) against log(m) per tool, for total and run-only time:
  "time ~ m^slope" (1 is linear in the number of links).

``<out>/scaling-<date>.png`` plots time against links on log-log axes, one colour per tool,
the measured points as markers and the fitted power laws as lines (left: total, right: run
only), and ``<out>/scaling-<date>.json`` holds every raw row, the fits and the machine.
Later runs on the same day get ``scaling-<date>-2.*`` and so on. Without matplotlib the
table and JSON are still written and the plot is skipped with a message.

igraph only has two-level Infomap, so it is left out with ``--multilevel``.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np

try:  # imported as benchmarks.scaling or run as benchmarks/scaling.py
    from benchmarks._results import code_version
    from benchmarks.compare import MULTI, TOOLS, TWO, machine, run_in_subprocess
    from benchmarks.lfr import lfr_path
except ImportError:  # pragma: no cover
    from _results import code_version
    from compare import MULTI, TOOLS, TWO, machine, run_in_subprocess
    from lfr import lfr_path

HERE = Path(__file__).resolve().parent
PEERS = ("infomap", "igraph")
COLORS = {"ours": "tab:blue", "infomap": "tab:orange", "igraph": "tab:green",
          "ours-igraph": "tab:purple"}  # fmt: skip
MARKERS = {"ours": "o", "infomap": "s", "igraph": "^", "ours-igraph": "D"}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description="Time infomap-learn and its peers on LFR graphs of growing size.",
        epilog="Timing details: see benchmarks/compare.py and benchmarks/README.md.",
    )
    p.add_argument("--sizes", type=int, nargs="+", default=[10_000, 30_000, 100_000])
    p.add_argument("--mu", type=float, default=0.3, help="LFR mixing parameter")
    p.add_argument("--trials", type=int, default=1, help="Infomap trials per run")
    p.add_argument("--seed", type=int, default=1, help="the tools' seed (>= 1)")
    p.add_argument("--graph-seed", type=int, default=0, help="LFR generator seed")
    lv = p.add_mutually_exclusive_group()
    lv.add_argument("--two-level", dest="levels", action="store_const", const=TWO)
    lv.add_argument("--multilevel", dest="levels", action="store_const", const=MULTI)
    # ours-igraph (our search behind igraph's front door) would only repeat "ours"
    p.add_argument("--tools", nargs="+", choices=TOOLS, default=["ours", "infomap", "igraph"])
    p.add_argument("--out", type=Path, default=HERE / "results", help="results folder (-: none)")
    p.add_argument("--timeout", type=float, default=3600, help="seconds per run")
    p.add_argument("--repeats", type=int, default=1, help="runs per size and tool, in "
                   "rounds over all sizes; the table and the fits take the fastest")
    p.add_argument("--replot", type=Path, metavar="JSON", help="no runs: redraw an earlier "
                   "scaling-*.json's PNG next to it")  # fmt: skip
    args = p.parse_args(argv)
    args.levels = args.levels or TWO
    if args.repeats < 1:
        p.error(f"--repeats must be at least 1, got {args.repeats}")
    if args.levels != TWO and "igraph" in args.tools:
        print("igraph is two-level only: left out with --multilevel", file=sys.stderr)
        args.tools = [t for t in args.tools if t != "igraph"]
    args.sizes = sorted(set(args.sizes))
    return args


def graph_file(n: int, mu: float, seed: int) -> Path:
    """The cached LFR graph's file, generated first if needed, in a subprocess.

    Not in this process: on Linux a child's ``ru_maxrss`` starts at its parent's peak
    resident memory (it survives fork and exec), so a driver that had generated or loaded a
    large graph would raise the floor of every run's ``peak MB``.
    """
    path = lfr_path(n, mu, seed)
    if not path.exists():
        cmd = [sys.executable, str(HERE / "lfr.py"), str(n), "--mu", repr(mu), "--seeds", str(seed)]
        subprocess.run(cmd, check=True, stdout=sys.stderr)
    return path


def n_links(path: str | Path) -> int:
    """Number of links in a cached LFR graph, read from the ``.npy`` header alone."""
    with zipfile.ZipFile(path) as archive, archive.open("edges.npy") as f:
        version = np.lib.format.read_magic(f)
        read = np.lib.format.read_array_header_1_0
        if version != (1, 0):
            read = np.lib.format.read_array_header_2_0
        shape, _, _ = read(f)
    return int(shape[0])


def measure(args: argparse.Namespace) -> list[dict]:
    """One row per (size, tool), in compare.py's layout (``total_s``, ``run_s``, ...).

    With ``--repeats R`` every size and tool runs R times, in R rounds over all sizes (so
    a slow spell of a shared machine falls on every size alike, not on one), and its row
    is the run of the shortest total time, with the shortest run time of the R runs as
    ``run_s`` and every run's times in ``total_s_runs`` and ``run_s_runs``: the best of
    repeated runs, as timings on a shared machine are read."""
    runs: dict = {}
    paths = {n: str(graph_file(n, args.mu, args.graph_seed)) for n in args.sizes}
    for _ in range(args.repeats):
        for n in args.sizes:
            m = n_links(paths[n])
            for tool in args.tools:
                spec = dict(path=paths[n], n=n, tool=tool, levels=args.levels,
                            trials=args.trials, seed=args.seed)  # fmt: skip
                row = {"n": n, "m": m, "mu": args.mu, "graph_seed": args.graph_seed,
                       "tool": tool, "levels": args.levels, "seed": args.seed,
                       "trials": args.trials}  # fmt: skip
                t0 = time.perf_counter()
                row.update(run_in_subprocess(spec, args.timeout))
                status = row.get("error") or (
                    f"total {row['total_s']:.3f} s, run {row['run_s']:.3f} s, "
                    f"peak {row['peak_mb']:.0f} MB"
                )
                print(f"[{time.perf_counter() - t0:6.1f} s] n={n} m={m} {tool}: {status}",
                      file=sys.stderr, flush=True)  # fmt: skip
                runs.setdefault((n, tool), []).append(row)
    return [_fastest(rows) for rows in runs.values()]


def _fastest(rows: list[dict]) -> dict:
    """The run of the shortest total time among one size and tool's runs (the first run
    if none succeeded), with the shortest run time and every run's times."""
    ok = [r for r in rows if "error" not in r]
    if not ok:
        return rows[0]
    best = dict(min(ok, key=lambda r: r["total_s"]))
    best["run_s"] = min(r["run_s"] for r in ok)
    best["total_s_runs"] = [r["total_s"] for r in ok]
    best["run_s_runs"] = [r["run_s"] for r in ok]
    return best


def fit_slopes(rows: list[dict], tools: list[str]) -> dict:
    """Least-squares ``log(time) = slope * log(m) + intercept`` per tool and time kind.

    Returns ``{tool: {"total_s": {"slope", "intercept", "points"}, "run_s": {...}}}``;
    a tool with fewer than two successful sizes gets ``None`` for its fits.
    """
    fits: dict = {}
    for tool in tools:
        ok = [r for r in rows if r["tool"] == tool and "error" not in r]
        fits[tool] = {}
        for key in ("total_s", "run_s"):
            pts = [(r["m"], r[key]) for r in ok if r[key] > 0]
            if len({m for m, _ in pts}) < 2:
                fits[tool][key] = None
                continue
            m, t = np.log(np.array(pts, dtype=float)).T
            slope, intercept = np.polyfit(m, t, 1)
            fits[tool][key] = {
                "slope": float(slope), "intercept": float(intercept), "points": len(pts)
            }  # fmt: skip
    return fits


def format_table(rows: list[dict], tools: list[str]) -> str:
    """One markdown line per size: n, m, per tool total/run/peak, ours / each peer (total)."""
    peers = [t for t in PEERS if t in tools] if "ours" in tools else []
    header = ["n", "m"]
    for tool in tools:
        header += [f"{tool} total s", f"{tool} run s", f"{tool} peak MB"]
    header += [f"ours/{p}" for p in peers]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(["--:"] * len(header)) + "|"]
    for n in sorted({r["n"] for r in rows}):
        by_tool = {r["tool"]: r for r in rows if r["n"] == n}
        cells = [str(n), str(next(iter(by_tool.values()))["m"])]
        for tool in tools:
            r = by_tool.get(tool)
            if r is None or "error" in r:
                error = "missing" if r is None else " ".join(str(r["error"]).split())
                error = error.replace("|", "/")
                cells += ["error: " + (error[:80] + "..." if len(error) > 80 else error), "", ""]
            else:
                cells += [f"{r['total_s']:.3f}", f"{r['run_s']:.3f}", f"{r['peak_mb']:.0f}"]
        ours = by_tool.get("ours")
        for p in peers:
            peer = by_tool.get(p)
            ok = ours and peer and "error" not in ours and "error" not in peer
            cells.append(f"{ours['total_s'] / peer['total_s']:.2f}" if ok else "")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def format_slopes(fits: dict) -> str:
    lines = []
    for tool, fit in fits.items():
        parts = []
        for key, name in (("total_s", "total"), ("run_s", "run")):
            f = fit[key]
            parts.append(f"{name} ~ m^{f['slope']:.2f}" if f else f"{name}: too few points")
        lines.append(f"- {tool}: " + ", ".join(parts))
    return "\n".join(lines)


def plot(rows: list[dict], fits: dict, title: str, path: Path) -> None:
    """Time against links on log-log axes: total (left) and run-only (right)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import NullFormatter

    fig, axes = plt.subplots(1, 2, figsize=(12, 5.2), sharex=True, sharey=True)
    ms = [r["m"] for r in rows if "error" not in r]
    names = ("total time (edge array to labels)", "run-only time (the search call)")
    for ax, key, name in zip(axes, ("total_s", "run_s"), names):
        for tool, fit in fits.items():
            ok = sorted((r["m"], r[key]) for r in rows if r["tool"] == tool and "error" not in r)
            if not ok:
                continue
            m, t = np.array(ok, dtype=float).T
            f = fit[key]
            label = rf"{tool}: time $\propto m^{{{f['slope']:.2f}}}$" if f else tool
            ax.plot(m, t, MARKERS[tool], color=COLORS[tool], ms=7, label=label, zorder=3)
            if f:
                grid = np.geomspace(min(ms), max(ms), 50)
                ax.plot(grid, np.exp(f["intercept"]) * grid ** f["slope"], "-",
                        color=COLORS[tool], lw=1.5, alpha=0.8)  # fmt: skip
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("links m (undirected)")
        ax.set_title(name, fontsize=11)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(loc="upper left", fontsize=10, framealpha=0.9)
    axes[0].set_ylabel("seconds")
    if ms:  # room above the points for the legend in the upper-left corner
        ts = [r[k] for r in rows if "error" not in r for k in ("total_s", "run_s") if r[k] > 0]
        axes[0].set_ylim(min(ts) / 1.6, max(ts) * 6)
        axes[0].set_xlim(min(ms) / 1.4, max(ms) * 1.4)
        ticks = sorted(set(ms))  # the measured sizes, e.g. "98k" or "9.8M"
        labels = [f"{m / 1e6:.2g}M" if m >= 1e6 else f"{m / 1e3:.0f}k" for m in ticks]
        for ax in axes:
            ax.set_xticks(ticks, labels)
            ax.xaxis.set_minor_formatter(NullFormatter())
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _output_stem(out: Path, date: str) -> Path:
    """``scaling-<date>``, numbered so that earlier results of the day stay."""
    stem, k = out / f"scaling-{date}", 2
    while any(stem.with_suffix(s).exists() for s in (".md", ".json", ".png")):
        stem, k = out / f"scaling-{date}-{k}", k + 1
    return stem


def _title(meta: dict) -> str:
    trials = meta["trials"]
    return (
        f"Infomap scaling on LFR (mu={meta['mu']:g}, {meta['levels']}, {trials} trial"
        f"{'s' if trials != 1 else ''}), {meta['date'][:10]}\n{meta['machine']}"
    )


def replot(path: Path) -> list[dict]:
    """Redraw ``<stem>.png`` from an earlier run's ``<stem>.json`` (fits recomputed)."""
    data = json.loads(path.read_text())
    rows = data["rows"]
    tools = list(dict.fromkeys(r["tool"] for r in rows))
    plot(rows, fit_slopes(rows, tools), _title(data["meta"]), path.with_suffix(".png"))
    print(f"wrote {path.with_suffix('.png')}", file=sys.stderr)
    return rows


def main(argv: list[str] | None = None) -> list[dict]:
    args = parse_args(argv)
    if args.replot:
        return replot(args.replot)
    started = _dt.datetime.now()
    rows = measure(args)
    fits = fit_slopes(rows, args.tools)

    meta = {
        "date": started.isoformat(timespec="seconds"),
        "machine": machine(),
        "python": platform.python_version(),
        "commit": code_version(),
        "command": "python benchmarks/scaling.py "
        + " ".join(sys.argv[1:] if argv is None else argv),
        "pythonpath": os.environ.get("PYTHONPATH"),
        "levels": args.levels,
        "mu": args.mu,
        "trials": args.trials,
        "seed": args.seed,
        "graph_seed": args.graph_seed,
        "repeats": args.repeats,
        "versions": sorted({r["version"] for r in rows if "version" in r}),
    }
    header = (
        f"LFR scaling, mu={args.mu:g}, {args.levels}, {meta['date']}; {meta['machine']}; "
        f"Python {meta['python']}; {'; '.join(meta['versions'])}; trials={args.trials}, "
        f"seed={args.seed}; commit {meta['commit']}"
        + (f"; best of {args.repeats} runs" if args.repeats > 1 else "")
    )
    table = format_table(rows, args.tools)
    slopes = format_slopes(fits)
    print(f"{header}\n\n{table}\n\nFitted log(time) vs log(m), least squares:\n\n{slopes}")
    if str(args.out) == "-":  # (as the other benchmarks: print only)
        return rows

    args.out.mkdir(parents=True, exist_ok=True)
    stem = _output_stem(args.out, started.date().isoformat())
    png = stem.with_suffix(".png")
    try:
        plot(rows, fits, _title(meta), png)
        plot_note = f"![scaling plot]({png.name})\n\n"
    except ImportError as exc:
        print(f"no plot ({exc}): pip install matplotlib", file=sys.stderr)
        png, plot_note = None, ""
    stem.with_suffix(".md").write_text(
        f"# {stem.name}\n\n`{meta['command']}`\n\n{header}\n\n{table}\n\n"
        f"Fitted log(time) vs log(m), least squares:\n\n{slopes}\n\n{plot_note}"
    )
    stem.with_suffix(".json").write_text(
        json.dumps({"meta": meta, "rows": rows, "fits": fits}, indent=1)
    )
    written = ", ".join(p.name for p in (stem.with_suffix(".md"), stem.with_suffix(".json"), png)
                        if p is not None)  # fmt: skip
    print(f"\nwrote {written} in {args.out}", file=sys.stderr)
    return rows


if __name__ == "__main__":
    sys.exit(1 if any("error" in row for row in main()) else 0)
