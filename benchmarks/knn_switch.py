"""Exact vs approximate kNN graphs: where should ``knn_graph(method="auto")`` switch?

Times ``infomap_learn.adapters.knn_graph`` with ``method="exact"`` (scikit-learn) and
``method="approximate"`` (pynndescent) on Gaussian blobs of growing size, and reports the
recall of the approximate neighbours (the fraction of exact neighbours found). The
approximate column is warm: pynndescent's one-off numba compilation is timed separately on
a tiny input first and reported as "compile".

    python benchmarks/knn_switch.py                        # 5k..200k, dim 50, k 15
    python benchmarks/knn_switch.py --sizes 5000 20000 --max-exact 20000
    python benchmarks/knn_switch.py --out benchmarks/results   # also write a JSON file

Each graph is built with ``symmetrize="none", weighting="connectivity"`` so that its links
are exactly the neighbour lists (the weighting and symmetrisation cost well under 1 s at
200k samples either way).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np


def blobs(n: int, dim: int, seed: int) -> np.ndarray:
    """``n`` float32 points in ``dim`` dimensions around ``max(10, n // 2000)`` centres."""
    rng = np.random.default_rng(seed)
    n_centers = max(10, n // 2000)
    centers = rng.normal(0.0, 4.0, size=(n_centers, dim))
    which = rng.integers(n_centers, size=n)
    return (centers[which] + rng.normal(size=(n, dim))).astype(np.float32)


def neighbor_keys(net, n: int) -> np.ndarray:
    return net.source.astype(np.int64) * n + net.target


def run(args: argparse.Namespace) -> dict:
    from infomap_learn.adapters.knn import knn_graph

    def build(X: np.ndarray, method: str):
        t = time.perf_counter()
        net = knn_graph(
            X,
            n_neighbors=args.k,
            metric=args.metric,
            method=method,
            weighting="connectivity",
            symmetrize="none",
            random_state=args.seed,
        )
        return net, time.perf_counter() - t

    t = time.perf_counter()
    build(blobs(500, args.dim, args.seed), "approximate")
    compile_s = time.perf_counter() - t
    print(f"pynndescent first call (numba compilation), n=500: {compile_s:.1f} s", flush=True)
    rows = []
    print("| n_samples | exact (s) | approximate (s) | recall | faster |")
    print("|---|---|---|---|---|")
    for n in args.sizes:
        X = blobs(n, args.dim, args.seed)
        approx, t_approx = build(X, "approximate")
        row = {"n_samples": n, "approximate_s": t_approx, "exact_s": None, "recall": None}
        if n <= args.max_exact:
            exact, t_exact = build(X, "exact")
            found = np.isin(neighbor_keys(exact, n), neighbor_keys(approx, n))
            row.update(exact_s=t_exact, recall=float(found.mean()))
        rows.append(row)
        e = "-" if row["exact_s"] is None else f"{row['exact_s']:.2f}"
        r = "-" if row["recall"] is None else f"{row['recall']:.4f}"
        faster = (
            "-"
            if row["exact_s"] is None
            else ("exact" if row["exact_s"] <= t_approx else "approximate")
        )
        print(f"| {n} | {e} | {t_approx:.2f} | {r} | {faster} |", flush=True)
    return {"compile_s": compile_s, "rows": rows}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument(
        "--sizes", type=int, nargs="+", default=[5000, 10000, 20000, 50000, 100000, 200000]
    )
    p.add_argument("--dim", type=int, default=50)
    p.add_argument("--k", type=int, default=15)
    p.add_argument("--metric", default="euclidean")
    p.add_argument(
        "--max-exact",
        type=int,
        default=200000,
        help="skip the exact search above this many samples",
    )
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", type=Path, default=None, help="folder for a JSON record")
    args = p.parse_args(argv)
    try:
        import pynndescent
        import sklearn
    except ImportError as exc:
        print(f"needs scikit-learn and pynndescent (pip install infomap-learn[ann]): {exc}")
        return 1
    result = run(args)
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        stamp = datetime.date.today().isoformat()
        path = args.out / f"knn_switch-{stamp}.json"
        record = {
            "command": " ".join([Path(sys.argv[0]).name, *(argv or sys.argv[1:])]),
            "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
            "versions": {
                "python": platform.python_version(),
                "numpy": np.__version__,
                "scikit-learn": sklearn.__version__,
                "pynndescent": getattr(pynndescent, "__version__", "?"),
            },
            "params": {"dim": args.dim, "k": args.k, "metric": args.metric, "seed": args.seed},
            **result,
        }
        path.write_text(json.dumps(record, indent=2))
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
