"""kNN links of a chunked dask array, exact by blocks against approximate (pynndescent per
block): time and recall of the exact neighbours, on a LocalCluster of worker processes.

    python benchmarks/dask_knn.py                      # 20k and 100k points, 32 dims
    python benchmarks/dask_knn.py --sizes 20000 --quick

Recall is the share of the exact ``k`` nearest neighbours (scikit-learn's
``NearestNeighbors``, the point itself excluded) that the links hold (``symmetrize="none"``,
``weighting="connectivity"``: one directed link per neighbour relation). Both methods run
once after a warm-up on a small array (pynndescent compiles for tens of seconds in each
fresh worker process).
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._results import publish  # noqa: E402


def _recall(links, exact: np.ndarray) -> float:
    n, k = exact.shape
    truth = np.repeat(np.arange(n, dtype=np.int64), k) * n + exact.ravel()
    found = links["source"].to_numpy(np.int64) * n + links["target"].to_numpy(np.int64)
    return float(np.isin(truth, found).mean())


def main(argv: list[str] | None = None) -> None:
    import dask.array as da
    from distributed import Client, LocalCluster
    from sklearn.datasets import make_blobs
    from sklearn.neighbors import NearestNeighbors

    from infomap_learn.dask import knn_graph

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000, 100_000])
    parser.add_argument("--dims", type=int, default=32)
    parser.add_argument("--neighbors", type=int, default=15)
    parser.add_argument("--blocks", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="warm-up size only, nothing saved")
    parser.add_argument("--out", default=None, help="folder, or - (default benchmarks/results)")
    args = parser.parse_args(argv)
    out = args.out or ("-" if args.quick else str(Path(__file__).parent / "results"))
    k = args.neighbors
    cluster = LocalCluster(
        n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None
    )
    client = Client(cluster)
    warm = make_blobs(2000, n_features=args.dims, centers=10, random_state=1)[0]
    for method in ("exact", "approximate"):
        knn_graph(da.from_array(warm, chunks=500), k, method=method).compute()
    rows, payload = [], []
    for n in args.sizes if not args.quick else [4000]:
        X = make_blobs(n, n_features=args.dims, centers=20, cluster_std=4.0, random_state=0)[0]
        began = time.perf_counter()
        exact = NearestNeighbors(n_neighbors=k).fit(X).kneighbors()[1]
        single = time.perf_counter() - began
        chunks = -(-n // args.blocks)
        record = {"n": n, "dims": args.dims, "k": k, "blocks": args.blocks, "sklearn_s": single}
        for method in ("exact", "approximate"):
            began = time.perf_counter()
            links = knn_graph(
                da.from_array(X, chunks=chunks), k, method=method, weighting="connectivity",
                symmetrize="none",
            ).compute()  # fmt: skip
            record[f"{method}_s"] = time.perf_counter() - began
            record[f"{method}_recall"] = _recall(links, exact)
        payload.append(record)
        rows.append(
            f"| {n} | {args.dims} | {k} | {args.blocks} | {record['exact_s']:.1f} | "
            f"{record['approximate_s']:.1f} | "
            f"{record['approximate_s'] / record['exact_s']:.2f} | "
            f"{record['exact_recall']:.4f} | {record['approximate_recall']:.4f} | "
            f"{single:.1f} |"
        )
        print(rows[-1], flush=True)
    client.close()
    cluster.close()
    header = (
        "`python benchmarks/dask_knn.py " + " ".join(argv or sys.argv[1:]) + "`\n\n"
        f"make_blobs (20 centres, std 4), LocalCluster of {args.workers} worker processes x 1 "
        f"thread, {platform.machine()}, {platform.python_version()}; recall of the exact "
        "neighbours; sklearn = NearestNeighbors on one machine, for scale.\n\n"
        "| n | dims | k | blocks | exact s | approximate s | approx/exact | exact recall | "
        "approximate recall | sklearn s |\n|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n"
    )
    publish(header + "\n".join(rows) + "\n", out, "dask-knn", payload)


if __name__ == "__main__":
    main()
