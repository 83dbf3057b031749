"""Run infomap-learn, the official Infomap and igraph's Infomap on the same LFR networks.

    python benchmarks/compare.py                      # LFR 10k and 100k, mu 0.3, all tools
    python benchmarks/compare.py --quick              # 1000 nodes: a smoke test (< 1 min)
    python benchmarks/compare.py --sizes 10000 --mu 0.3 0.5 --tools infomap igraph
    PYTHONPATH=src python benchmarks/compare.py       # "ours" from a source checkout

Tools
-----
ours         ``infomap_learn``: ``Network.from_edges`` then ``infomap(net, two_level=...)``,
             ``n_jobs=-1`` (every core).
ours-serial  the same on one thread (``n_jobs=1``): the search whose moves are made one
             after the other, which the parallel one must match within 0.1% (issue 15).
ours-igraph  ``infomap_learn`` through its igraph front door: an ``igraph.Graph`` into
             ``infomap_learn.adapters.igraph.community_infomap`` (two-level, like igraph's).
infomap      the official Infomap (PyPI ``infomap``, C++ core; the reference).
igraph       ``igraph.Graph.community_infomap`` (igraph vendors Infomap; two-level only).
plm          networkit's parallel Louvain (``networkit.community.PLM``, ``refine=True``, on
             every core): modularity, not the map equation, so its codelength is ours of its
             partition; the speed to reach (issue 15). Two-level only.

How things are measured
-----------------------
Every (network, tool, levels, seed) runs in its own fresh Python subprocess, which inherits
this process's environment (so ``PYTHONPATH=src`` reaches it). The subprocess imports the tool,
loads the cached LFR edges (an int32 ``(m, 2)`` array, see ``benchmarks/lfr.py``) and then
times, with ``time.perf_counter``, the way from numpy arrays to a numpy array of labels:

- ours: warm-up calls on a 6-node graph and on a 20,000-node ring (the size from which
  several threads propose moves side by side; with the search's size thresholds lowered
  to the ring's, so that it takes the steps of large networks too) first, with the same
  options, so that numba's just-in-time compilation (or loading of its on-disk cache) is
  not in the timed part;
  ``load`` = ``Network.from_edges``; ``run`` = ``infomap(...)``.
- infomap: ``load`` = ``Infomap(...)`` + ``add_links(edges)`` with the numpy array;
  ``run`` = ``im.run()``; labels via ``im.get_modules(depth_level=1)`` (top modules).
- igraph: ``load`` = ``igraph.Graph(n=n, edges=edges)``; ``run`` = ``community_infomap``.
- plm: ``load`` = ``networkit.GraphFromCoo``; ``run`` = ``PLM(g, refine=True).run()`` after
  ``networkit.setNumberOfThreads(os.cpu_count())`` and ``networkit.setSeed(seed, False)``.
  Seeded through Python's ``random`` module, which python-igraph uses as its RNG.
- ours-igraph: the same warm-up as ours (through the front door), then ``load`` =
  ``igraph.Graph(n=n, edges=edges)`` as for igraph; ``run`` =
  ``community_infomap(g, trials=T, seed=s)`` (which includes reading the igraph edge list
  into our ``Network``); labels via ``clustering.membership``, as for igraph.

Columns
-------
graph        n nodes, m undirected links, mixing parameter mu, LFR generator seed.
tool         ours / ours-igraph / infomap / igraph.
levels       two-level, or multilevel (hierarchical map equation).
seed         the tools' random seed (Infomap needs seeds >= 1).
load s       seconds to turn the edge array into the tool's network object.
run s        seconds of the search call alone (``infomap``, ``im.run``, ``community_infomap``).
total s      seconds from the edge array to the numpy labels: load + run + reading labels.
cold s       ours rows: the warm-up calls in a fresh process (6-node graph, 20,000-node
             ring), i.e. roughly numba's compile or cache-load time, paid once per process.
peak MB      peak resident memory of the whole subprocess (``ru_maxrss``) after the run:
             interpreter, imports, edges and the tool's own memory.
+peak MB     how much that peak grew during the timed part (a lower bound on what the
             tool allocates for this network, on top of imports and input arrays).
codelength   the map equation codelength in bits (two-level or multilevel, per ``levels``).
modules      number of top-level modules.
NMI          normalized mutual information of the top-level modules to the planted LFR
             communities (``sklearn.metrics.normalized_mutual_info_score``).
t/IM         ours rows: our total time / the official Infomap's total time (same levels).
t/IM run     ours rows: our total time / the official Infomap's run-only time.
t/ig         ours rows: our total time / igraph's total time.
t/PLM        ours rows: our total time / PLM's total time (same graph and seed).
mem/IM       ours rows: our peak MB / the official Infomap's peak MB.
mem/ig       ours rows: our peak MB / igraph's peak MB.
dL/IM        ours rows: (our codelength - Infomap's) / Infomap's, in percent; < 0 is better.
dL/ig        ours rows, two-level: the same against igraph's codelength.
dL/serial    the ours row: the same against ours-serial's codelength (threads against one).

"Ours rows" are the rows of ours and of ours-igraph: each gets its ratios to the peers on the
same graph and seed (ours-igraph against igraph is the front door against igraph's own).

Ratios below 1 mean ours is faster / smaller. A tool that fails (e.g. infomap-learn not
installed yet) gives a row "unavailable: <error>" and the rest of the table still prints.
The table goes to stdout and to ``<out>/compare-<date>.md``, with the raw numbers in
``<out>/compare-<date>.json`` (``--out`` defaults to ``benchmarks/results``; ``--quick``
writes files only when ``--out`` is given).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import resource
import subprocess
import sys
import time
import warnings
from contextlib import contextmanager
from pathlib import Path

import numpy as np

try:  # imported as benchmarks.compare (tests) or run as benchmarks/compare.py
    from benchmarks._results import code_version
    from benchmarks.lfr import lfr, lfr_path
except ImportError:  # pragma: no cover
    from _results import code_version
    from lfr import lfr, lfr_path

HERE = Path(__file__).resolve().parent
TOOLS = ("ours", "ours-serial", "ours-igraph", "infomap", "igraph", "plm")
OURS = ("ours", "ours-serial", "ours-igraph")  # the rows that get ratios to the peers
TWO_LEVEL_ONLY = ("igraph", "ours-igraph", "plm")
TWO, MULTI = "two-level", "multilevel"
_RESULT = "RESULT "  # prefix of the worker's JSON line on stdout

# --------------------------------------------------------------------------- worker side


def _maxrss_mb() -> float:
    """Peak resident set size of this process so far, in MB.

    On Linux this reads ``VmHWM``: a child's ``ru_maxrss`` starts at its parent's peak (even
    across exec), which would give every tool the driver's peak as a floor.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 2**10  # kB
    except OSError:
        pass
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 2**20 if sys.platform == "darwin" else rss / 2**10  # bytes on macOS, KB else


def _labels_from_dict(modules: dict, n: int) -> np.ndarray:
    """Node -> module dict to a label array; nodes missing from it get singleton labels."""
    labels = np.full(n, -1, dtype=np.int64)
    if modules:
        labels[np.fromiter(modules.keys(), np.int64, len(modules))] = np.fromiter(
            modules.values(), np.int64, len(modules)
        )
    missing = labels < 0
    if missing.any():
        labels[missing] = labels.max() + 1 + np.arange(missing.sum())
    return labels


@contextmanager
def _large_network_steps(size: int):
    """The search's size thresholds (``search._constants``: ``..._MIN_NODES``,
    ``_MIN_UNITS``, ``_MIN_LINKS``) lowered to ``size`` while the block runs, so that a
    warm-up on a network of that size takes, and numba compiles, the steps that only
    large networks take (settled loops, renumbering, exact aggregation): with an empty
    cache they compiled inside the first timed 100k run (7.2 s for a 0.6 s search)."""
    from infomap_learn.search import _constants as constants

    saved = {
        name: value for name, value in vars(constants).items()
        if name.endswith(("_MIN_NODES", "_MIN_UNITS", "_MIN_LINKS")) and isinstance(value, int)
    }  # fmt: skip
    try:
        for name, value in saved.items():
            setattr(constants, name, min(value, size))
        yield
    finally:
        for name, value in saved.items():
            setattr(constants, name, value)


def _run_ours(
    edges: np.ndarray, n: int, two_level: bool, trials: int, seed: int, n_jobs: int = -1
) -> dict:
    import infomap_learn
    from infomap_learn import Network, infomap

    kwargs = dict(two_level=two_level, num_trials=trials, seed=seed, n_jobs=n_jobs)
    tiny = np.array([[0, 1], [1, 2], [0, 2], [3, 4], [4, 5], [3, 5], [2, 3]], dtype=np.int32)
    ring = np.arange(20_000, dtype=np.int32)  # (the LFR edges' dtype: kernels specialize on it)
    ring = np.concatenate([np.stack([ring, (ring + step) % ring.size], axis=1) for step in (1, 2)])
    t0 = time.perf_counter()
    np.asarray(infomap(Network.from_edges(tiny, n_nodes=6), **kwargs).labels)
    with _large_network_steps(ring.shape[0]):
        np.asarray(infomap(Network.from_edges(ring, n_nodes=20_000), **kwargs).labels)
    cold = time.perf_counter() - t0

    rss0 = _maxrss_mb()
    t0 = time.perf_counter()
    net = Network.from_edges(edges, n_nodes=n)
    t1 = time.perf_counter()
    res = infomap(net, **kwargs)
    t2 = time.perf_counter()
    labels = np.asarray(res.labels)
    t3 = time.perf_counter()
    import numba

    return dict(
        load_s=t1 - t0, run_s=t2 - t1, total_s=t3 - t0, cold_s=cold, rss0=rss0, labels=labels,
        codelength=float(res.codelength), modules=int(res.num_top_modules),
        version=f"infomap_learn {getattr(infomap_learn, '__version__', '?')}, "
        f"numba {numba.__version__}",
    )  # fmt: skip


def _run_infomap(edges: np.ndarray, n: int, two_level: bool, trials: int, seed: int) -> dict:
    import infomap

    rss0 = _maxrss_mb()
    t0 = time.perf_counter()
    im = infomap.Infomap(two_level=two_level, silent=True, num_trials=trials, seed=seed)
    im.add_links(edges)
    t1 = time.perf_counter()
    result = im.run()
    t2 = time.perf_counter()
    with warnings.catch_warnings():
        # im.get_modules is deprecated in 2.16 but twice as fast as result.modules()
        warnings.simplefilter("ignore")
        if hasattr(im, "get_modules"):
            labels = _labels_from_dict(im.get_modules(depth_level=1), n)
        else:  # pragma: no cover - infomap >= 3
            labels = _labels_from_dict(result.modules(depth_level=1), n)
    t3 = time.perf_counter()
    result = im if result is None else result  # infomap < 2.16: run() returns None
    return dict(
        load_s=t1 - t0, run_s=t2 - t1, total_s=t3 - t0, rss0=rss0, labels=labels,
        codelength=float(result.codelength), modules=int(result.num_top_modules),
        version=f"infomap {infomap.__version__}",
    )  # fmt: skip


def _run_igraph(edges: np.ndarray, n: int, two_level: bool, trials: int, seed: int) -> dict:
    import random

    import igraph

    if not two_level:
        raise ValueError("igraph's community_infomap is two-level only")
    random.seed(seed)  # python-igraph's default RNG is Python's random module
    rss0 = _maxrss_mb()
    t0 = time.perf_counter()
    g = igraph.Graph(n=n, edges=edges)
    t1 = time.perf_counter()
    clustering = g.community_infomap(trials=trials)
    t2 = time.perf_counter()
    labels = np.asarray(clustering.membership)
    t3 = time.perf_counter()
    return dict(
        load_s=t1 - t0, run_s=t2 - t1, total_s=t3 - t0, rss0=rss0, labels=labels,
        codelength=float(clustering.codelength), modules=len(clustering),
        version=f"igraph {igraph.__version__}",
    )  # fmt: skip


def _run_ours_igraph(edges: np.ndarray, n: int, two_level: bool, trials: int, seed: int) -> dict:
    import igraph

    import infomap_learn
    from infomap_learn.adapters.igraph import community_infomap

    if not two_level:
        raise ValueError("ours-igraph runs two-level only, like igraph's community_infomap")
    tiny = igraph.Graph(n=6, edges=[(0, 1), (1, 2), (0, 2), (3, 4), (4, 5), (3, 5), (2, 3)])
    ring = igraph.Graph.Lattice([20_000], nei=2, circular=True)
    t0 = time.perf_counter()
    np.asarray(community_infomap(tiny, trials=trials, seed=seed, n_jobs=-1).membership)
    with _large_network_steps(ring.ecount()):
        np.asarray(community_infomap(ring, trials=trials, seed=seed, n_jobs=-1).membership)
    cold = time.perf_counter() - t0

    rss0 = _maxrss_mb()
    t0 = time.perf_counter()
    g = igraph.Graph(n=n, edges=edges)
    t1 = time.perf_counter()
    clustering = community_infomap(g, trials=trials, seed=seed, n_jobs=-1)
    t2 = time.perf_counter()
    labels = np.asarray(clustering.membership)
    t3 = time.perf_counter()
    return dict(
        load_s=t1 - t0, run_s=t2 - t1, total_s=t3 - t0, cold_s=cold, rss0=rss0, labels=labels,
        codelength=float(clustering.codelength), modules=len(clustering),
        version=f"infomap_learn {getattr(infomap_learn, '__version__', '?')} via igraph "
        f"{igraph.__version__}",
    )  # fmt: skip


def _run_plm(edges: np.ndarray, n: int, two_level: bool, trials: int, seed: int) -> dict:
    import networkit

    if not two_level:
        raise ValueError("PLM finds one partition: two-level only")
    networkit.setNumberOfThreads(os.cpu_count() or 1)
    networkit.setSeed(seed, False)
    rss0 = _maxrss_mb()
    t0 = time.perf_counter()
    g = networkit.GraphFromCoo(
        (edges[:, 0].astype(np.uint64), edges[:, 1].astype(np.uint64)), n=n, directed=False
    )
    t1 = time.perf_counter()
    plm = networkit.community.PLM(g, refine=True)
    plm.run()
    t2 = time.perf_counter()
    labels = np.asarray(plm.getPartition().getVector(), dtype=np.int64)
    t3 = time.perf_counter()
    return dict(
        load_s=t1 - t0, run_s=t2 - t1, total_s=t3 - t0, rss0=rss0, labels=labels,
        codelength=None,  # (ours of its partition, after the peak memory is read)
        modules=int(np.unique(labels).size), version=f"networkit {networkit.__version__}",
    )  # fmt: skip


RUNNERS = {
    "ours": _run_ours,
    "ours-serial": lambda *args: _run_ours(*args, n_jobs=1),
    "plm": _run_plm,
    "ours-igraph": _run_ours_igraph,
    "infomap": _run_infomap,
    "igraph": _run_igraph,
}


def worker(spec: dict) -> dict:
    """Run one tool once on one cached graph (called inside the fresh subprocess)."""
    with np.load(spec["path"]) as data:
        edges, membership = data["edges"], data["membership"]
    out = RUNNERS[spec["tool"]](
        edges, spec["n"], spec["levels"] == TWO, spec["trials"], spec["seed"]
    )
    out["peak_mb"] = _maxrss_mb()  # before anything else (sklearn) is imported
    out["delta_peak_mb"] = out["peak_mb"] - out.pop("rss0")
    labels = out.pop("labels")
    if out["codelength"] is None:
        from infomap_learn import Network, codelength

        out["codelength"] = float(codelength(Network.from_edges(edges, n_nodes=spec["n"]), labels))
    from sklearn.metrics import normalized_mutual_info_score

    out["nmi"] = float(normalized_mutual_info_score(membership, labels))
    return out


# --------------------------------------------------------------------------- driver side


def run_in_subprocess(spec: dict, timeout: float) -> dict:
    """Run :func:`worker` in a fresh interpreter; on any failure return ``{"error": ...}``."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", json.dumps(spec)]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timeout after {timeout:g} s"}
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(_RESULT):
            return json.loads(line[len(_RESULT) :])
    tail = [ln for ln in proc.stderr.strip().splitlines() if ln.strip()]
    return {"error": tail[-1] if tail else f"exit code {proc.returncode}, no result"}


def add_ratios(rows: list[dict]) -> None:
    """Give every successful row of ours (and ours-igraph) its ratios to the peers on the
    same graph and seed."""

    def find(row: dict, tool: str, levels: str) -> dict | None:
        for r in rows:
            if (r["graph"], r["seed"], r["tool"], r["levels"]) == (
                row["graph"], row["seed"], tool, levels,
            ) and "error" not in r:  # fmt: skip
                return r
        return None

    for row in rows:
        if row["tool"] not in OURS or "error" in row:
            continue
        im, ig = find(row, "infomap", row["levels"]), find(row, "igraph", TWO)
        plm = find(row, "plm", TWO)
        if plm:
            row["t/PLM"] = row["total_s"] / plm["total_s"]
        serial = find(row, "ours-serial", row["levels"])
        if serial and row["tool"] == "ours":
            gap = row["codelength"] - serial["codelength"]
            row["dL/serial"] = 100 * gap / serial["codelength"]
        if im:
            row["t/IM"] = row["total_s"] / im["total_s"]
            row["t/IM run"] = row["total_s"] / im["run_s"]
            row["mem/IM"] = row["peak_mb"] / im["peak_mb"]
            row["dL/IM"] = 100 * (row["codelength"] - im["codelength"]) / im["codelength"]
        if ig:
            row["t/ig"] = row["total_s"] / ig["total_s"]
            row["mem/ig"] = row["peak_mb"] / ig["peak_mb"]
            if row["levels"] == TWO:
                row["dL/ig"] = 100 * (row["codelength"] - ig["codelength"]) / ig["codelength"]


COLUMNS = [  # (header, key, format)
    ("graph", "graph", "{}"),
    ("tool", "tool", "{}"),
    ("levels", "levels", "{}"),
    ("seed", "seed", "{}"),
    ("load s", "load_s", "{:.3f}"),
    ("run s", "run_s", "{:.3f}"),
    ("total s", "total_s", "{:.3f}"),
    ("cold s", "cold_s", "{:.2f}"),
    ("peak MB", "peak_mb", "{:.0f}"),
    ("+peak MB", "delta_peak_mb", "{:.0f}"),
    ("codelength", "codelength", "{:.6f}"),
    ("modules", "modules", "{}"),
    ("NMI", "nmi", "{:.4f}"),
    ("t/IM", "t/IM", "{:.2f}"),
    ("t/IM run", "t/IM run", "{:.2f}"),
    ("t/ig", "t/ig", "{:.2f}"),
    ("t/PLM", "t/PLM", "{:.2f}"),
    ("mem/IM", "mem/IM", "{:.2f}"),
    ("mem/ig", "mem/ig", "{:.2f}"),
    ("dL/IM", "dL/IM", "{:+.3f}%"),
    ("dL/ig", "dL/ig", "{:+.3f}%"),
    ("dL/serial", "dL/serial", "{:+.3f}%"),
]


def format_table(rows: list[dict]) -> str:
    """The rows as one markdown table; failed runs say 'unavailable: <error>'."""
    lines = [
        "| " + " | ".join(h for h, _, _ in COLUMNS) + " |",
        "|" + "|".join("---" if i < 3 else "--:" for i in range(len(COLUMNS))) + "|",
    ]
    for row in rows:
        cells = []
        for i, (_, key, fmt) in enumerate(COLUMNS):
            if "error" in row and i == 4:
                error = " ".join(str(row["error"]).replace("|", "/").split())
                cells.append("unavailable: " + (error[:150] + "..." if len(error) > 150 else error))
            else:
                value = row.get(key)
                cells.append("" if value is None else fmt.format(value))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def machine() -> str:
    """CPU model, core count and OS, for the header of the results."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores, {platform.system()} {platform.release()}"


def _output_path(out: Path, date: str, suffix: str) -> Path:
    """``compare-<date>{suffix}``, numbered so that earlier results of the day stay."""
    path, k = out / f"compare-{date}{suffix}", 2
    while path.exists():
        path, k = out / f"compare-{date}-{k}{suffix}", k + 1
    return path


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description="Compare infomap-learn with the official Infomap and igraph on LFR graphs.",
        epilog="Column meanings: see the module docstring or benchmarks/README.md.",
    )
    p.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    p.add_argument("--mu", type=float, nargs="+", default=[0.3])
    p.add_argument("--trials", type=int, default=1, help="Infomap trials per run")
    p.add_argument("--seeds", type=int, nargs="+", default=[1], help="tools' seeds (>= 1)")
    p.add_argument("--graph-seeds", type=int, nargs="+", default=[0], help="LFR seeds")
    lv = p.add_mutually_exclusive_group()
    lv.add_argument("--two-level", dest="levels", action="store_const", const=[TWO])
    lv.add_argument("--multilevel", dest="levels", action="store_const", const=[MULTI])
    lv.add_argument("--both", dest="levels", action="store_const", const=[TWO, MULTI])
    p.add_argument("--tools", nargs="+", choices=TOOLS, default=list(TOOLS))
    p.add_argument("--quick", action="store_true", help="one 1000-node graph (smoke test)")
    p.add_argument("--out", type=Path, default=None, help="results folder")
    p.add_argument("--timeout", type=float, default=3600, help="seconds per run")
    p.add_argument("--worker", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    args.levels = args.levels or [TWO, MULTI]
    if args.quick:
        args.sizes = [1000]
    elif args.out is None:
        args.out = HERE / "results"
    return args


def main(argv: list[str] | None = None) -> list[dict]:
    args = parse_args(argv)
    if args.worker:  # inside the subprocess
        try:
            result = worker(json.loads(args.worker))
        except Exception as exc:  # noqa: BLE001 - reported as an "unavailable" row
            result = {"error": f"{type(exc).__name__}: {exc}"}
        print(_RESULT + json.dumps(result), flush=True)
        return [result]

    started = _dt.datetime.now()
    rows = []
    for n in args.sizes:
        for mu in args.mu:
            for graph_seed in args.graph_seeds:
                edges, _ = lfr(n, mu, graph_seed)  # generated once, then cached
                graph = f"n={n} m={len(edges)} mu={mu:g} s{graph_seed}"
                path = str(lfr_path(n, mu, graph_seed))
                for seed in args.seeds:
                    for tool in args.tools:
                        for levels in args.levels:
                            if tool in TWO_LEVEL_ONLY and levels != TWO:
                                continue
                            spec = dict(path=path, n=n, tool=tool, levels=levels,
                                        trials=args.trials, seed=seed)  # fmt: skip
                            t0 = time.perf_counter()
                            row = {"graph": graph, "n": n, "m": len(edges), "mu": mu,
                                   "graph_seed": graph_seed, "tool": tool, "levels": levels,
                                   "seed": seed, "trials": args.trials}  # fmt: skip
                            row.update(run_in_subprocess(spec, args.timeout))
                            status = row.get("error") or f"total {row['total_s']:.3f} s"
                            wall = time.perf_counter() - t0
                            print(f"[{wall:6.1f} s] {graph} {tool} {levels}: {status}",
                                  file=sys.stderr, flush=True)  # fmt: skip
                            rows.append(row)
    add_ratios(rows)

    meta = {
        "date": started.isoformat(timespec="seconds"),
        "machine": machine(),
        "python": platform.python_version(),
        "commit": code_version(),
        "command": "python benchmarks/compare.py " + " ".join(sys.argv[1:] if argv is None
                                                               else argv),
        "pythonpath": os.environ.get("PYTHONPATH"),
        "trials": args.trials,
        "versions": sorted({r["version"] for r in rows if "version" in r}),
    }  # fmt: skip
    header = (
        f"LFR benchmark, {meta['date']}; {meta['machine']}; Python {meta['python']}; "
        f"{'; '.join(meta['versions'])}; trials={args.trials}; commit {meta['commit']}"
    )
    table = format_table(rows)
    print(f"{header}\n\n{table}")
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        md = _output_path(args.out, started.date().isoformat(), ".md")
        md.write_text(f"# {md.stem}\n\n`{meta['command']}`\n\n{header}\n\n{table}\n")
        md.with_suffix(".json").write_text(json.dumps({"meta": meta, "rows": rows}, indent=1))
        print(f"\nwrote {md} and {md.with_suffix('.json').name}", file=sys.stderr)
    return rows


if __name__ == "__main__":
    # a run where any tool failed exits 1, so CI's smoke test cannot pass on error rows
    sys.exit(1 if any("error" in row for row in main()) else 0)
