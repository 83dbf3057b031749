"""Hierarchies of the distributed search (``infomap_learn.dask.infomap``, two_level=False)
against the single-machine hierarchical search on graphs with nested structure: kNN
graphs of labelled data (the adapter's default links) and a nested block model; and
the official Infomap's hierarchy on the same links.

Prints, and writes to ``benchmarks/results/dask-hierarchy-<date>.md`` (and ``.json``): each tool's
codelength, the gap, the number of levels and of top modules, and the check that the
reported codelength is the map equation of the returned paths.

    python benchmarks/dask_hierarchy.py [--partitions 4] [--workers 2] [--seed 0]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

try:  # imported as benchmarks.dask_hierarchy or run as benchmarks/dask_hierarchy.py
    from benchmarks._results import code_version, write_results
    from benchmarks.hierarchy_quality import Graph, run_infomap
except ImportError:
    from _results import code_version, write_results
    from hierarchy_quality import Graph, run_infomap


def _nested(seed: int):
    """4 groups of 4 groups of 10 nodes (as in integration/test_dask.py)."""
    from infomap_learn import Network

    n = 160
    top, middle = np.arange(n) // 40, np.arange(n) // 10
    i, j = np.triu_indices(n, 1)
    p = np.where(middle[i] == middle[j], 0.6, np.where(top[i] == top[j], 0.08, 0.004))
    keep = np.random.default_rng(seed).random(i.size) < p
    return Network(i[keep], j[keep], n_nodes=n)


def _graphs():
    from sklearn.datasets import load_digits, make_blobs

    from infomap_learn.adapters.knn import knn_graph

    yield "digits kNN k=15", knn_graph(load_digits().data, n_neighbors=15)
    X, _ = make_blobs(300, centers=3, random_state=0)
    yield "blobs 300 (3 centres) kNN", knn_graph(X, n_neighbors=15)
    X, _ = make_blobs(3000, centers=10, cluster_std=2.5, random_state=0)
    yield "blobs 3000 (10 centres, std 2.5) kNN", knn_graph(X, n_neighbors=15)
    for seed in range(3):
        yield f"nested 4x4x10 SBM, seed {seed}", _nested(seed)


def _top_modules(paths: np.ndarray) -> int:
    return int(np.unique(paths[:, 0]).size)


def main() -> None:
    import distributed

    from infomap_learn import infomap
    from infomap_learn.dask import infomap as dask_infomap
    from infomap_learn.flow import compute_flow
    from infomap_learn.mapequation import hierarchical_codelength

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    args = parser.parse_args()
    commit = code_version()
    cluster = distributed.LocalCluster(n_workers=args.workers, threads_per_worker=1,
                                       processes=True, dashboard_address=None)  # fmt: skip
    client = distributed.Client(cluster)
    rows, payload = [], []
    try:
        for name, network in _graphs():
            frame = pd.DataFrame({"source": network.source, "target": network.target,
                                  "weight": network.weight})  # fmt: skip
            began = time.perf_counter()
            modules, stats = dask_infomap(
                frame, client, two_level=False, seed=args.seed, n_partitions=args.partitions,
                return_stats=True,
            )  # fmt: skip
            dask_seconds = time.perf_counter() - began
            table = modules.compute().sort_values("node")
            paths = table[[c for c in table.columns if c.startswith("level_")]].to_numpy()
            exact = hierarchical_codelength(compute_flow(network), paths).codelength
            began = time.perf_counter()
            single = infomap(network, two_level=False, seed=args.seed)
            single_seconds = time.perf_counter() - began
            gap = 100 * (stats.codelength / single.codelength - 1)
            # the official Infomap (the oracle, not a dependency), 1 trial; its seeds start at 1
            official = run_infomap(Graph(network, None), False, args.seed + 1, 1)
            official_gap = 100 * (stats.codelength / official.codelength - 1)
            rows.append(
                f"| {name} | {stats.codelength:.4f} | {single.codelength:.4f} | {gap:+.2f}% | "
                f"{official.codelength:.4f} | {official_gap:+.2f}% | "
                f"{paths.shape[1]} / {single.paths.shape[1]} | "
                f"{_top_modules(paths)} / {_top_modules(single.paths)} | "
                f"{'yes' if abs(exact - stats.codelength) < 1e-9 else 'NO'} | "
                f"{dask_seconds:.1f} / {single_seconds:.2f} / {official.seconds:.2f} |"
            )  # fmt: skip
            payload.append({
                "graph": name, "dask_codelength": stats.codelength,
                "single_codelength": single.codelength, "exact": float(exact),
                "infomap_codelength": official.codelength, "infomap_seconds": official.seconds,
                "dask_levels": int(paths.shape[1]), "single_levels": int(single.paths.shape[1]),
                "dask_seconds": dask_seconds, "single_seconds": single_seconds,
            })  # fmt: skip
            print(rows[-1], flush=True)
    finally:
        client.close()
        cluster.close()
    header = (
        f"`python benchmarks/dask_hierarchy.py --partitions {args.partitions} --workers "
        f"{args.workers} --seed {args.seed}`\n\nDistributed hierarchical search against the "
        f"single-machine one (both seed {args.seed}, 1 trial); LocalCluster of "
        f"{args.workers} worker processes x 1 thread; commit {commit}. Levels: columns of "
        "module paths. Exact: the reported codelength equals `hierarchical_codelength` of "
        "the returned paths on the single-machine flow.\n\n"
        "Infomap: the official package on the same links (1 trial, seed + 1: its seeds "
        "start at 1).\n\n"
        "| graph | L dask | L single | gap | L Infomap | gap to Infomap | levels dask / "
        "single | top modules dask / single | exact | seconds dask / single / Infomap |\n"
        "|---|--:|--:|--:|--:|--:|--:|--:|:-:|--:|\n"
    )
    stem = write_results(args.out, "dask-hierarchy", header + "\n".join(rows) + "\n",
                         {"commit": commit, "rows": payload})  # fmt: skip
    print(f"written to {stem}.md")


if __name__ == "__main__":
    main()
