"""Clusterers at their defaults on labelled embeddings that need no download: NMI and ARI.

    python benchmarks/embedding_quality.py [--datasets digits blobs-10d ...]
        [--methods infomap scanpy-leiden ...] [--seeds 0 1 2] [--out benchmarks/results]

Every method runs with its defaults (only the seed set) on each data set, once per seed, and
its labels are scored against the data set's labels with NMI (scikit-learn's, arithmetic
normalisation) and ARI. Printed: one markdown table, data sets by methods, each cell the NMI
as the mean over the seeds (the range in brackets when the seeds differ) and the mean ARI in
parentheses, with a last row of mean NMI over the data sets; then a compact table of the
number of clusters found (mean over the seeds, range in brackets when they differ) next to
the true number. Results are written as markdown and JSON (per seed: NMI, ARI, clusters,
seconds) to ``--out`` (``embedding-<date>.md`` / ``.json``; ``-``: not written).

Data sets (``--datasets``; default all; the data are fixed, only the methods get the seed):

- ``digits``: scikit-learn's digits (1797 x 64), 10 classes;
- ``breast-cancer``: scikit-learn's breast cancer data (569 x 30), standardised, 2 classes;
- ``blobs-2d``, ``blobs-10d``, ``blobs-100d``: ``make_blobs(3000, centers=10,
  random_state=0)`` in 2, 10 and 100 dimensions with ``cluster_std`` 1.2, 5.2 and 20: the
  spread at which about 10% of the samples lie nearer another blob's centre than their own
  (nearest-centre accuracy 0.90, 0.90 and 0.89), so the blobs overlap about equally at
  every dimension;
- ``blobs-grouped``: 12 blobs in 20 dimensions, 4 groups of 3: group centres uniform in
  [-10, 10]^20, each blob's centre its group's plus N(0, 0.5^2) per coordinate (blob
  centres 2.4-4.1 apart within a group, at least 24 apart across groups),
  ``cluster_std=1``, 3000 samples; labels are the 12 blobs (nearest-centre accuracy 0.91),
  so a top level of 4 groups scores low;
- ``pbmc``: scanpy's ``pbmc68k_reduced`` (700 cells, shipped with scanpy), labels
  ``obs["bulk_labels"]`` (10 cell types); the non-scanpy methods get ``obsm["X_pca"]`` (50
  components), scanpy's pipeline the AnnData with ``use_rep="X_pca"``. Needs scanpy.

Methods (``--methods``; default all):

- ``infomap``: ``InfoMapClustering(random_state=seed)``, top-level labels;
- ``infomap-level2``: the same fit, second level of the module hierarchy
  (``multilevel_labels_[:, 1]``; the top level where the tree has one level);
- ``infomap-two-level``: ``InfoMapClustering(two_level=True, random_state=seed)``;
- ``infomap-local-scaling``, ``infomap-no-hubness``: the default with
  ``hubness="local_scaling"`` and with ``hubness=None`` (the plain kNN graph, the default
  before mutual proximity);
- ``infomap-official``: the official Infomap (``pip install infomap``; a test oracle, none of
  its code is used by infomap-learn), default options (hierarchical, one trial) with
  ``seed=seed + 1`` (its seeds start at 1), top level, on the graph our default fit
  clustered (``graph_``: the kNN graph, k=15 chosen among 45 candidates by mutual
  proximity, Jaccard weights, union symmetrisation);
- ``leiden-our-graph``: igraph's Leiden, modularity at resolution 1, ``n_iterations=2`` (as
  scanpy runs it), on that same graph with its weights;
- ``scanpy-leiden``: scanpy's standard pipeline, ``sc.pp.neighbors(n_neighbors=15,
  use_rep="X")`` (``"X_pca"`` for pbmc; UMAP connectivities, scanpy's own seed 0) then
  ``sc.tl.leiden(flavor="igraph", n_iterations=2, directed=False, random_state=seed)`` at
  resolution 1;
- ``hdbscan``: scikit-learn's ``HDBSCAN(copy=True)``, otherwise at its defaults (``copy``
  only keeps it from writing into ``X``, and is its default from scikit-learn 1.10;
  deterministic; the noise label -1 is scored as one more cluster and counted as one);
- ``kmeans``: ``KMeans(n_clusters=<true number>, n_init="auto", random_state=seed)``: it is
  given the answer the others have to find.

scanpy, igraph and infomap are optional: a method whose package is missing is skipped with a
note on stderr (``scanpy-leiden`` needs scanpy and igraph; ``pbmc`` needs scanpy). The numba
kernels are compiled (or loaded from the cache) in a warm-up fit before the first data set.
The defaults run in about 30 s on 2 cores (5 s of it scanpy's first ``sc.pp.neighbors``,
which compiles its own numba code); the sizes above are the full ones, nothing was cut.
"""

from __future__ import annotations

import argparse
import importlib
import random
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from infomap_learn import InfoMapClustering

try:  # run as a script or as a module
    from benchmarks._results import write_results
except ImportError:  # pragma: no cover
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from benchmarks._results import write_results

RESULTS_DIR = Path(__file__).resolve().parent / "results"
N_NEIGHBORS = 15  # scanpy's sc.pp.neighbors default and InfoMapClustering's


# --------------------------------------------------------------------------------------
# data sets: each returns X (a float array, or an AnnData for pbmc), labels, a short name
# --------------------------------------------------------------------------------------


def digits():
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    return X.astype(np.float64), y, "digits (1797x64)"


def breast_cancer():
    from sklearn.datasets import load_breast_cancer
    from sklearn.preprocessing import StandardScaler

    X, y = load_breast_cancer(return_X_y=True)
    return StandardScaler().fit_transform(X), y, "breast cancer (569x30, std.)"


def blobs(n_features: int, cluster_std: float):
    from sklearn.datasets import make_blobs

    X, y = make_blobs(
        3000, n_features=n_features, centers=10, cluster_std=cluster_std, random_state=0
    )
    return X, y, f"blobs {n_features}d (3000, 10 centres, std {cluster_std:g})"


def blobs_grouped():
    from sklearn.datasets import make_blobs

    rng = np.random.default_rng(0)
    groups = rng.uniform(-10.0, 10.0, (4, 20))
    centers = np.repeat(groups, 3, axis=0) + rng.normal(0.0, 0.5, (12, 20))
    X, y = make_blobs(3000, centers=centers, cluster_std=1.0, random_state=0)
    return X, y, "blobs 20d, 4 groups of 3 (3000, 12 blobs)"


def pbmc():
    import scanpy as sc

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        adata = sc.datasets.pbmc68k_reduced()
    labels = adata.obs["bulk_labels"].cat.codes.to_numpy()
    return adata, labels, "pbmc68k_reduced (700 cells, X_pca)"


DATASETS: dict[str, Callable] = {
    "digits": digits,
    "breast-cancer": breast_cancer,
    "blobs-2d": lambda: blobs(2, 1.2),
    "blobs-10d": lambda: blobs(10, 5.2),
    "blobs-100d": lambda: blobs(100, 20.0),
    "blobs-grouped": blobs_grouped,
    "pbmc": pbmc,
}


# --------------------------------------------------------------------------------------
# methods
# --------------------------------------------------------------------------------------


class Case:
    """One data set: its matrix, labels and the work shared by the methods (cached)."""

    def __init__(self, X, labels: np.ndarray):
        self.is_adata = not isinstance(X, np.ndarray)
        self.adata_in = X if self.is_adata else None
        self.X = np.asarray(X.obsm["X_pca"], dtype=np.float64) if self.is_adata else X
        self.labels = np.asarray(labels)
        self.n_true = len(np.unique(self.labels))
        self._fits: dict[int, tuple[InfoMapClustering, float]] = {}
        self._scanpy: tuple[object, float] | None = None

    def default_fit(self, seed: int) -> tuple[InfoMapClustering, float]:
        """``InfoMapClustering(random_state=seed)`` fitted, and its time (once per seed)."""
        if seed not in self._fits:
            start = time.perf_counter()
            model = InfoMapClustering(random_state=seed).fit(self.X)
            self._fits[seed] = model, time.perf_counter() - start
        return self._fits[seed]

    def scanpy_neighbors(self) -> tuple[object, float]:
        """An AnnData with ``sc.pp.neighbors`` run on it, and its time (once)."""
        if self._scanpy is None:
            import anndata
            import scanpy as sc

            if self.is_adata:
                adata, rep = self.adata_in.copy(), "X_pca"
            else:
                adata, rep = anndata.AnnData(self.X), "X"
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                sc.pp.neighbors(adata, n_neighbors=N_NEIGHBORS, use_rep=rep)
            self._scanpy = adata, time.perf_counter() - start
        return self._scanpy


def run_infomap(case: Case, seed: int) -> tuple[np.ndarray, float]:
    model, seconds = case.default_fit(seed)
    return model.labels_, seconds


def run_infomap_level2(case: Case, seed: int) -> tuple[np.ndarray, float]:
    model, seconds = case.default_fit(seed)
    level = 1 if model.n_levels_ >= 2 else 0
    return model.multilevel_labels_[:, level], seconds


def infomap_with(**params) -> Callable[[Case, int], tuple[np.ndarray, float]]:
    """A method: ``InfoMapClustering(**params, random_state=seed)``, its ``labels_``."""

    def run(case: Case, seed: int) -> tuple[np.ndarray, float]:
        start = time.perf_counter()
        model = InfoMapClustering(**params, random_state=seed).fit(case.X)
        return model.labels_, time.perf_counter() - start

    return run


def official_top_modules(net, seed: int, options: str = "") -> np.ndarray:
    """The official Infomap's top modules of ``net`` (its seeds start at 1, so ``seed + 1``),
    with extra command-line ``options``."""
    import infomap as official

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Infomap 2.16's LegacySurfaceWarning
        im = official.Infomap(f"--silent -s {seed + 1} {options}")
        im.add_nodes(range(net.n_nodes))
        im.add_links(zip(net.source.tolist(), net.target.tolist(), net.weight.tolist()))
        im.run()
        top = np.zeros(net.n_nodes, dtype=np.int64)
        for node in im.nodes:
            top[node.node_id] = node.path[0]
    return top


def run_infomap_official(case: Case, seed: int) -> tuple[np.ndarray, float]:
    net = case.default_fit(seed)[0].graph_
    start = time.perf_counter()
    top = official_top_modules(net, seed)
    return top, time.perf_counter() - start


def run_leiden_our_graph(case: Case, seed: int) -> tuple[np.ndarray, float]:
    import igraph

    net = case.default_fit(seed)[0].graph_
    start = time.perf_counter()
    edges = np.column_stack([net.source, net.target]).tolist()
    graph = igraph.Graph(n=net.n_nodes, edges=edges, directed=net.directed)
    igraph.set_random_number_generator(random.Random(seed))
    try:
        part = graph.community_leiden(
            objective_function="modularity",
            weights=net.weight.tolist(),
            resolution=1.0,
            n_iterations=2,
        )
    finally:
        igraph.set_random_number_generator(random)
    return np.asarray(part.membership), time.perf_counter() - start


def run_scanpy_leiden(case: Case, seed: int) -> tuple[np.ndarray, float]:
    import scanpy as sc

    adata, neighbor_seconds = case.scanpy_neighbors()
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sc.tl.leiden(
            adata,
            resolution=1.0,
            key_added="leiden",
            flavor="igraph",
            n_iterations=2,
            directed=False,
            random_state=seed,
        )
    seconds = neighbor_seconds + time.perf_counter() - start
    return adata.obs["leiden"].cat.codes.to_numpy(), seconds


def run_hdbscan(case: Case, seed: int) -> tuple[np.ndarray, float]:
    from sklearn.cluster import HDBSCAN

    start = time.perf_counter()
    labels = HDBSCAN(copy=True).fit_predict(case.X)  # noise (-1) stays one more label
    return labels, time.perf_counter() - start


def run_kmeans(case: Case, seed: int) -> tuple[np.ndarray, float]:
    from sklearn.cluster import KMeans

    start = time.perf_counter()
    model = KMeans(n_clusters=case.n_true, n_init="auto", random_state=seed)
    return model.fit_predict(case.X), time.perf_counter() - start


@dataclass(frozen=True)
class Method:
    title: str  # column header
    run: Callable[[Case, int], tuple[np.ndarray, float]]
    needs: tuple[str, ...] = ()  # optional packages


METHODS: dict[str, Method] = {
    "infomap": Method("ours (default, top)", run_infomap),
    "infomap-level2": Method("ours, level 2", run_infomap_level2),
    "infomap-two-level": Method("ours two_level", infomap_with(two_level=True)),
    "infomap-local-scaling": Method(
        "ours, local scaling", infomap_with(hubness="local_scaling")
    ),
    "infomap-no-hubness": Method("ours, no hubness red.", infomap_with(hubness=None)),
    "infomap-official": Method("Infomap, our graph", run_infomap_official, ("infomap",)),
    "leiden-our-graph": Method("Leiden, our graph", run_leiden_our_graph, ("igraph",)),
    "scanpy-leiden": Method("scanpy Leiden", run_scanpy_leiden, ("scanpy", "igraph")),
    "hdbscan": Method("HDBSCAN", run_hdbscan),
    "kmeans": Method("KMeans (true k)", run_kmeans),
}


# --------------------------------------------------------------------------------------
# scoring and tables
# --------------------------------------------------------------------------------------


@dataclass
class Run:
    seed: int
    nmi: float
    ari: float
    n_clusters: int
    seconds: float


@dataclass
class Result:
    dataset: str
    method: str
    runs: list[Run] = field(default_factory=list)

    def values(self, attr: str) -> list[float]:
        return [getattr(r, attr) for r in self.runs]


def _cell(values: list[float], fmt: str) -> str:
    lo, hi, mean = min(values), max(values), float(np.mean(values))
    if lo == hi:
        return format(mean, fmt)
    return f"{format(mean, fmt)} [{format(lo, fmt)}-{format(hi, fmt)}]"


def _count_cell(values: list[int]) -> str:
    lo, hi = min(values), max(values)
    return str(lo) if lo == hi else f"{np.mean(values):.1f} [{lo}-{hi}]"


def tables(
    results: dict[tuple[str, str], Result],
    datasets: list[str],
    titles: dict[str, str],
    n_true: dict[str, int],
    methods: list[str],
) -> str:
    head = "| data set | " + " | ".join(METHODS[m].title for m in methods) + " |"
    rule = "|---|" + "--:|" * len(methods)
    lines = ["NMI [range over seeds] (mean ARI)", "", head, rule]
    for d in datasets:
        cells = []
        for m in methods:
            r = results.get((d, m))
            cells.append(
                f"{_cell(r.values('nmi'), '.3f')} ({np.mean(r.values('ari')):.3f})" if r else ""
            )
        lines.append(f"| {titles[d]} | " + " | ".join(cells) + " |")
    means = []
    for m in methods:
        nmis = [np.mean(results[d, m].values("nmi")) for d in datasets if (d, m) in results]
        if not nmis:
            means.append("")
        elif len(nmis) < len(datasets):
            means.append(f"{np.mean(nmis):.3f} ({len(nmis)} of {len(datasets)} sets)")
        else:
            means.append(f"**{np.mean(nmis):.3f}**")
    lines.append("| mean NMI | " + " | ".join(means) + " |")

    lines += ["", "Clusters found [range over seeds] (HDBSCAN: noise counts as one)", ""]
    lines.append("| data set | true | " + " | ".join(METHODS[m].title for m in methods) + " |")
    lines.append("|---|--:|" + "--:|" * len(methods))
    for d in datasets:
        cells = [
            _count_cell(results[d, m].values("n_clusters")) if (d, m) in results else ""
            for m in methods
        ]
        lines.append(f"| {titles[d]} | {n_true[d]} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _importable(package: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            importlib.import_module(package)
    except ImportError:
        return False
    return True


def _available(methods: list[str]) -> list[str]:
    keep = []
    for m in methods:
        missing = [p for p in METHODS[m].needs if not _importable(p)]
        if missing:
            print(f"skipping method {m}: {', '.join(missing)} not installed", file=sys.stderr)
        else:
            keep.append(m)
    return keep


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS), choices=list(DATASETS))
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=list(METHODS))
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--out", type=Path, default=RESULTS_DIR,
                        help="folder for the results ('-': do not write)")
    args = parser.parse_args(argv)
    methods = _available(args.methods)

    total = time.perf_counter()
    # numba compilation (or loading the cache) happens once, before anything is timed
    InfoMapClustering(random_state=0).fit(np.random.default_rng(0).normal(size=(60, 3)))
    results: dict[tuple[str, str], Result] = {}
    datasets, titles, n_true = [], {}, {}
    for name in args.datasets:
        try:
            X, labels, title = DATASETS[name]()
        except ImportError as error:
            print(f"skipping data set {name}: {error}", file=sys.stderr)
            continue
        case = Case(X, labels)
        datasets.append(name)
        titles[name], n_true[name] = title, case.n_true
        for m in methods:
            result = Result(name, m)
            for seed in args.seeds:
                found, seconds = METHODS[m].run(case, seed)
                result.runs.append(Run(
                    seed,
                    float(normalized_mutual_info_score(case.labels, found)),
                    float(adjusted_rand_score(case.labels, found)),
                    len(np.unique(found)),
                    float(seconds),
                ))
            results[name, m] = result
            print(f"{name} {m}: NMI {np.mean(result.values('nmi')):.3f} "
                  f"({np.mean(result.values('seconds')):.2f} s)", file=sys.stderr, flush=True)
    text = tables(results, datasets, titles, n_true, methods)
    print(text)
    elapsed = time.perf_counter() - total
    print(f"total {elapsed:.0f} s", file=sys.stderr)
    if str(args.out) != "-":
        header = (
            f"`python benchmarks/embedding_quality.py {' '.join(argv or sys.argv[1:])}`\n\n"
            f"seeds {args.seeds}, every method at its defaults, {elapsed:.0f} s in all\n\n"
        )
        payload = {
            "seeds": args.seeds,
            "seconds": elapsed,
            "datasets": {d: {"title": titles[d], "n_true": n_true[d]} for d in datasets},
            "methods": {m: METHODS[m].title for m in methods},
            "results": [
                {"dataset": r.dataset, "method": r.method, "runs": [vars(x) for x in r.runs]}
                for r in results.values()
            ],
        }
        write_results(args.out, "embedding", header + text + "\n", payload)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
