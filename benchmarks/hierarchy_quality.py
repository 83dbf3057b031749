"""Hierarchical (multilevel) and two-level search, ours against the official Infomap, on
graphs with nested structure (kNN graphs of labelled data) and on graphs without (LFR).

    python benchmarks/hierarchy_quality.py [--graphs digits-k15 blobs ...] [--seeds 1 2 3 4 5]
        [--trials 5] [--modes multilevel two-level] [--out benchmarks/results]

Both tools get the same links (ours as a ``Network``, Infomap through ``add_links``) with
the same flow model, ``num_trials`` trials per call, one call per seed. Printed per graph and
mode: the mean codelength over the seeds (and the worst seed), the gap in percent (ours
against Infomap's mean: negative is shorter), module levels and top modules (means), the
top-level NMI against the data's labels where it has labels, and the mean time per call:
ours from the ``Network`` to the ``ModuleTree`` on all cores, Infomap's ``run()`` alone (its
link loading left out). ``t ours/IM`` is the ratio of the two; ``cpu ours/IM`` the ratio of
the process CPU time of the calls (every thread summed), and ``cores`` CPU time over wall
time per tool: the official Infomap runs its multilevel recursion on OpenMP threads, so on
a 2-core machine it shows 1.5-1.7 cores there (partly OpenMP's spinning threads: with
``OMP_NUM_THREADS=1`` its breast-cancer run takes 74 ms instead of 63) and 1.0 in its
two-level search; ``ML/2L`` (on the multilevel rows) is our multilevel time over our
two-level time on the same graph. Results are written as markdown and JSON to ``--out``
(``hierarchy-<date>.md`` / ``.json``).

Graphs (``--graphs``; default all but ``LARGE_GRAPHS``, the 100k LFR and the 200k graphs):

- ``digits-k10``, ``digits-k15``, ``digits-k30``: scikit-learn's digits (1797 images), the
  plain kNN graph (Jaccard weights, union symmetrisation, no hubness reduction) at k neighbours;
- ``breast-cancer``: scikit-learn's breast cancer data, standardised, k=15;
- ``blobs``: ``make_blobs(3000, centers=10, cluster_std=2.5, random_state=0)``, k=15;
- ``pbmc``: scanpy's pbmc68k_reduced, ``sc.pp.neighbors(n_neighbors=15)`` connectivities
  (needs the scanpy extra; skipped with a note without it);
- ``lfr10k-0.3``, ``lfr10k-0.5``, ``lfr10k-0.7``: LFR, 10,000 nodes (``benchmarks/lfr.py``);
- ``dsbm``: a directed, weighted, nested stochastic block model (4 groups of 4 blocks of
  40 nodes; directed flow);
- ``lfr100k-0.3``: LFR 100,000 nodes, for the speed of the hierarchical search (not run
  unless named);
- ``knn200k``, ``knn200k-directed``, ``nested200k``: graphs of 200,000 nodes whose search
  steps differ from the small graphs' (``search/_constants.py``: the ``..._MIN_NODES``
  thresholds), not run unless named. The kNN graphs of ``make_blobs(200000, n_features=10,
  centers=60, cluster_std=4, random_state=0)``: 15 neighbours, union of both directions,
  weights ``exp(-(d / mean d)**2)``; directed: 10 out-neighbours, weights ``exp(-(d /
  mean d)**2)`` with the mean over those 10 neighbours' distances, directed flow.
  ``nested200k``: a nested block model of 10 groups of 20 blocks of 1,000
  nodes (about 10 links per node inside its block, 3 inside its group, 1 anywhere;
  labels: the groups).
"""

from __future__ import annotations

import argparse
import functools
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sklearn.metrics import normalized_mutual_info_score

try:  # run as a script or as a module
    from benchmarks._results import write_results
    from benchmarks.lfr import lfr
except ImportError:  # pragma: no cover
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from benchmarks._results import write_results
    from benchmarks.lfr import lfr

from infomap_learn import Network, infomap

RESULTS_DIR = Path(__file__).resolve().parent / "results"


@dataclass
class Graph:
    network: Network
    labels: np.ndarray | None
    flow_model: str = "undirected"


def _digits(k: int) -> Graph:
    from sklearn.datasets import load_digits

    from infomap_learn.adapters.knn import knn_graph

    X, y = load_digits(return_X_y=True)
    return Graph(knn_graph(X, n_neighbors=k, weighting="jaccard", method="exact"), y)


def _breast_cancer() -> Graph:
    from sklearn.datasets import load_breast_cancer
    from sklearn.preprocessing import StandardScaler

    from infomap_learn.adapters.knn import knn_graph

    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    return Graph(knn_graph(X, n_neighbors=15, weighting="jaccard", method="exact"), y)


def _blobs() -> Graph:
    from sklearn.datasets import make_blobs

    from infomap_learn.adapters.knn import knn_graph

    X, y = make_blobs(3000, centers=10, cluster_std=2.5, random_state=0)
    return Graph(knn_graph(X, n_neighbors=15, weighting="jaccard", method="exact"), y)


def _pbmc() -> Graph:
    import scanpy as sc

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        adata = sc.datasets.pbmc68k_reduced()
        sc.pp.neighbors(adata, n_neighbors=15, random_state=0)
    labels = adata.obs["bulk_labels"].cat.codes.to_numpy()
    return Graph(Network.from_scipy(adata.obsp["connectivities"], directed=False), labels)


def _lfr(n: int, mu: float) -> Graph:
    edges, membership = lfr(n, mu, seed=0)
    return Graph(Network.from_edges(edges, n_nodes=n), membership)


@functools.lru_cache(maxsize=1)
def _blobs_neighbours(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Labels, distances and ids of the 15 nearest neighbours of each point (itself left
    out) of the 200k-point blobs: one query for both kNN graphs."""
    from sklearn.datasets import make_blobs
    from sklearn.neighbors import NearestNeighbors

    X, y = make_blobs(n, n_features=10, centers=60, cluster_std=4, random_state=0)
    distances, neighbours = NearestNeighbors(n_neighbors=16, n_jobs=-1).fit(X).kneighbors(X)
    return y, distances[:, 1:], neighbours[:, 1:]


def _knn_blobs(n: int, directed: bool) -> Graph:
    y, distances, neighbours = _blobs_neighbours(n)
    k = 10 if directed else 15
    distances, neighbours = distances[:, :k], neighbours[:, :k]
    weights = np.exp(-((distances / distances.mean()) ** 2)).ravel()
    edges = np.stack([np.repeat(np.arange(n), k), neighbours.ravel()], axis=1)
    if directed:
        net = Network.from_edges(edges, weights=weights, n_nodes=n, directed=True)
        return Graph(net, y, flow_model="directed")
    # each pair once, with its first weight (the distance is the same both ways)
    pair = np.sort(edges, axis=1)
    _, first = np.unique(pair[:, 0] * n + pair[:, 1], return_index=True)
    return Graph(Network.from_edges(pair[first], weights=weights[first], n_nodes=n), y)


def _nested_sbm(groups: int = 10, blocks: int = 20, size: int = 1000) -> Graph:
    rng = np.random.default_rng(0)
    n = groups * blocks * size
    group_size = blocks * size
    source = rng.integers(0, n, n * 7)
    target = rng.integers(0, n, n * 7)  # (links anywhere: the last n // 2)
    in_block, in_group = slice(0, n * 5), slice(n * 5, n * 5 + n * 3 // 2)
    target[in_block] = source[in_block] // size * size + rng.integers(0, size, n * 5)
    target[in_group] = source[in_group] // group_size * group_size + rng.integers(
        0, group_size, n * 3 // 2
    )
    keep = source != target
    pairs = np.unique(np.sort(np.stack([source[keep], target[keep]], axis=1), axis=1), axis=0)
    return Graph(Network.from_edges(pairs, n_nodes=n), np.arange(n) // group_size)


def _dsbm() -> Graph:
    """4 groups of 4 blocks of 40 nodes, directed links with weights in [0.5, 2]."""
    rng = np.random.default_rng(7)
    n = 640
    group, block = np.arange(n) // 160, np.arange(n) // 40
    p = np.where(
        block[:, None] == block[None, :],
        0.25,
        np.where(group[:, None] == group[None, :], 0.03, 0.002),
    )
    adjacency = rng.random((n, n)) < p
    np.fill_diagonal(adjacency, False)
    edges = np.argwhere(adjacency)
    weights = rng.uniform(0.5, 2.0, len(edges))
    net = Network.from_edges(edges, weights=weights, n_nodes=n, directed=True)
    return Graph(net, group, flow_model="directed")


GRAPHS = {
    "digits-k10": lambda: _digits(10),
    "digits-k15": lambda: _digits(15),
    "digits-k30": lambda: _digits(30),
    "breast-cancer": _breast_cancer,
    "blobs": _blobs,
    "pbmc": _pbmc,
    "lfr10k-0.3": lambda: _lfr(10_000, 0.3),
    "lfr10k-0.5": lambda: _lfr(10_000, 0.5),
    "lfr10k-0.7": lambda: _lfr(10_000, 0.7),
    "dsbm": _dsbm,
    "lfr100k-0.3": lambda: _lfr(100_000, 0.3),
    "knn200k": lambda: _knn_blobs(200_000, directed=False),
    "knn200k-directed": lambda: _knn_blobs(200_000, directed=True),
    "nested200k": _nested_sbm,
}
LARGE_GRAPHS = ["lfr100k-0.3", "knn200k", "knn200k-directed", "nested200k"]
DEFAULT_GRAPHS = [name for name in GRAPHS if name not in LARGE_GRAPHS]


@dataclass
class Run:
    codelength: float
    levels: int  # module levels (Infomap's num_levels minus one)
    top_modules: int
    seconds: float
    nmi: float | None
    cpu_seconds: float = float("nan")  # process CPU time of the call, all threads summed


@dataclass
class Row:
    graph: str
    mode: str
    tool: str
    runs: list[Run] = field(default_factory=list)

    def mean(self, attr: str) -> float:
        values = [getattr(r, attr) for r in self.runs]
        return float(np.mean(values)) if values and values[0] is not None else float("nan")


def _nmi(labels: np.ndarray | None, found: np.ndarray) -> float | None:
    return None if labels is None else float(normalized_mutual_info_score(labels, found))


def run_ours(graph: Graph, two_level: bool, seed: int, trials: int) -> Run:
    cpu_start = time.process_time()
    start = time.perf_counter()
    tree = infomap(
        graph.network,
        two_level=two_level,
        flow_model=graph.flow_model,
        num_trials=trials,
        seed=seed,
        n_jobs=-1,  # every core
    )
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu_start
    return Run(
        tree.codelength, tree.num_levels, tree.num_top_modules, seconds,
        _nmi(graph.labels, tree.labels), cpu_seconds,
    )


def run_infomap(graph: Graph, two_level: bool, seed: int, trials: int) -> Run:
    import infomap as official

    net = graph.network
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Infomap 2.16's LegacySurfaceWarning
        im = official.Infomap(
            silent=True, two_level=two_level, num_trials=trials, seed=seed,
            flow_model=graph.flow_model,
        )
    im.add_nodes(range(net.n_nodes))
    im.add_links(zip(net.source.tolist(), net.target.tolist(), net.weight.tolist()))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cpu_start = time.process_time()
        start = time.perf_counter()
        im.run()
        seconds = time.perf_counter() - start
        cpu_seconds = time.process_time() - cpu_start
        top = np.zeros(net.n_nodes, dtype=np.int64)
        for node in im.nodes:
            top[node.node_id] = node.path[0]
        codelength, levels, top_modules = im.codelength, im.num_levels - 1, im.num_top_modules
    return Run(codelength, levels, top_modules, seconds, _nmi(graph.labels, top), cpu_seconds)


TOOLS = {"ours": run_ours, "infomap": run_infomap}


def _fmt(x: float, spec: str) -> str:
    return "" if x is None or not np.isfinite(x) else format(x, spec)


def table(rows: list[Row]) -> str:
    by_key = {(r.graph, r.mode, r.tool): r for r in rows}
    lines = [
        "| graph | mode | L ours | L Infomap | gap | worst seed gap | levels ours / IM "
        "| top modules ours / IM | NMI ours / IM | t ours s | t IM s | t ours/IM "
        "| cpu ours/IM | cores ours / IM | ML/2L |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    seen = []
    for r in rows:
        if (r.graph, r.mode) not in seen:
            seen.append((r.graph, r.mode))
    for graph, mode in seen:
        ours, theirs = by_key.get((graph, mode, "ours")), by_key.get((graph, mode, "infomap"))
        L_o = ours.mean("codelength") if ours else float("nan")
        L_i = theirs.mean("codelength") if theirs else float("nan")
        gap = 100 * (L_o - L_i) / L_i if ours and theirs else float("nan")
        worst = (
            100 * (max(r.codelength for r in ours.runs) - L_i) / L_i
            if ours and theirs else float("nan")
        )
        t_o = ours.mean("seconds") if ours else float("nan")
        t_i = theirs.mean("seconds") if theirs else float("nan")
        two = by_key.get((graph, "two-level", "ours"))
        ml_2l = t_o / two.mean("seconds") if mode == "multilevel" and ours and two else None
        c_o = ours.mean("cpu_seconds") if ours else float("nan")
        c_i = theirs.mean("cpu_seconds") if theirs else float("nan")

        def pair(attr, spec, o=ours, i=theirs):
            return f"{_fmt(o.mean(attr) if o else None, spec)} / " \
                   f"{_fmt(i.mean(attr) if i else None, spec)}"

        lines.append(
            f"| {graph} | {mode} | {_fmt(L_o, '.4f')} | {_fmt(L_i, '.4f')} "
            f"| {_fmt(gap, '+.2f')}% | {_fmt(worst, '+.2f')}% | {pair('levels', '.1f')} "
            f"| {pair('top_modules', '.1f')} | {pair('nmi', '.3f')} | {_fmt(t_o, '.3f')} "
            f"| {_fmt(t_i, '.3f')} | {_fmt(t_o / t_i, '.2f')} | {_fmt(c_o / c_i, '.2f')} "
            f"| {_fmt(c_o / t_o, '.1f')} / {_fmt(c_i / t_i, '.1f')} | {_fmt(ml_2l, '.2f')} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graphs", nargs="+", default=DEFAULT_GRAPHS, choices=list(GRAPHS))
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    parser.add_argument("--trials", type=int, default=5)
    parser.add_argument("--modes", nargs="+", default=["multilevel", "two-level"],
                        choices=["multilevel", "two-level"])
    parser.add_argument("--tools", nargs="+", default=list(TOOLS), choices=list(TOOLS))
    parser.add_argument("--out", type=Path, default=RESULTS_DIR,
                        help="folder for the results ('-': do not write)")
    args = parser.parse_args(argv)

    rows: list[Row] = []
    for name in args.graphs:
        try:
            graph = GRAPHS[name]()
        except ImportError as error:
            print(f"skipping {name}: {error}", file=sys.stderr)
            continue
        for mode in args.modes:
            for tool in args.tools:
                row = Row(name, mode, tool)
                # untimed: numba loads a kernel's compiled code on its first call with
                # new argument types (directed flow, recorded teleportation, ...)
                TOOLS[tool](graph, mode == "two-level", 1, 1)
                for seed in args.seeds:
                    row.runs.append(TOOLS[tool](graph, mode == "two-level", seed, args.trials))
                rows.append(row)
                print(f"{name} {mode} {tool}: {row.mean('codelength'):.5f} "
                      f"({row.mean('seconds'):.3f} s)", file=sys.stderr, flush=True)
    text = table(rows)
    print(text)
    if str(args.out) != "-":
        header = (
            f"`python benchmarks/hierarchy_quality.py {' '.join(argv or sys.argv[1:])}`\n\n"
            f"seeds {args.seeds}, {args.trials} trials per call\n\n"
        )
        payload = [
            {"graph": r.graph, "mode": r.mode, "tool": r.tool,
             "runs": [vars(run) for run in r.runs]}
            for r in rows
        ]
        write_results(args.out, "hierarchy", header + text + "\n", payload)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
