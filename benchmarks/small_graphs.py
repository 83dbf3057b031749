"""Per-call time on small graphs: ours against igraph's and the official Infomap's.

    python benchmarks/small_graphs.py [--calls 200] [--out benchmarks/results]

On small graphs the search itself takes microseconds and per-call overhead dominates. Each
case is called ``--calls`` times after a warm-up (numba compilation excluded) and the median
wall time of one call is printed, with ours / igraph and ours / Infomap ratios:

- Zachary's karate club (34 nodes, 78 links), 1 trial, two-level and hierarchical;
- Les Miserables (77 nodes, 254 weighted links, networkx's copy), 10 trials, two-level and
  hierarchical.

Tools: ours is ``infomap_learn.infomap`` on a prebuilt ``Network`` (one thread, the default);
igraph is ``Graph.community_infomap(edge_weights=..., trials=...)`` (two-level only; it has no
hierarchy); Infomap is the official package (``Infomap(silent=True, two_level=...,
num_trials=...)``, links added and ``run()``: building is part of its call, as its API has no
prebuilt network). Results go to ``--out`` as ``small-<date>.md`` / ``.json`` (``-``: not
written).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from infomap_learn import Network, infomap

try:  # run as a script or as a module
    from benchmarks._results import publish
except ImportError:  # pragma: no cover
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from benchmarks._results import publish

RESULTS_DIR = Path(__file__).resolve().parent / "results"


def graphs() -> dict[str, tuple[np.ndarray, np.ndarray, int]]:
    """name -> (edges, weights, trials)."""
    import networkx as nx

    out = {}
    for name, G, trials in (
        ("karate", nx.karate_club_graph(), 1),
        ("les-miserables", nx.les_miserables_graph(), 10),
    ):
        index = {v: i for i, v in enumerate(G.nodes())}
        edges = np.array([(index[u], index[v]) for u, v in G.edges()], dtype=np.int64)
        weights = np.array([d.get("weight", 1.0) for _, _, d in G.edges(data=True)], float)
        out[name] = (edges, weights, trials)
    return out


def median_seconds(call, calls: int) -> float:
    call()  # warm-up
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--out", default=str(RESULTS_DIR))
    args = parser.parse_args(argv)
    import igraph
    import infomap as official

    rows = []
    for name, (edges, weights, trials) in graphs().items():
        net = Network.from_edges(edges, weights, n_nodes=int(edges.max()) + 1)
        g = igraph.Graph(n=net.n_nodes, edges=edges.tolist())
        weight_list = weights.tolist()

        def run_official(two_level, edges=edges, weights=weights, trials=trials):
            im = official.Infomap(silent=True, two_level=two_level, num_trials=trials)
            for (u, v), w in zip(edges.tolist(), weights.tolist(), strict=True):
                im.add_link(u, v, w)
            im.run()

        for two_level in (True, False):
            ours = median_seconds(
                lambda net=net, tl=two_level, t=trials: infomap(net, two_level=tl, num_trials=t),
                args.calls,
            )
            theirs_ig = (
                median_seconds(
                    lambda g=g, w=weight_list, t=trials: g.community_infomap(
                        edge_weights=w, trials=t
                    ),
                    args.calls,
                )
                if two_level
                else float("nan")
            )
            theirs_im = median_seconds(lambda tl=two_level: run_official(tl), args.calls)
            rows.append(
                {
                    "graph": name,
                    "mode": "two-level" if two_level else "hierarchical",
                    "trials": trials,
                    "ours_ms": 1000 * ours,
                    "igraph_ms": 1000 * theirs_ig,
                    "infomap_ms": 1000 * theirs_im,
                }
            )
    lines = [
        f"`python benchmarks/small_graphs.py --calls {args.calls}`",
        "",
        "median ms per call (warm), one thread",
        "",
        "| graph | mode | trials | ours | igraph | Infomap | ours/igraph | ours/Infomap |",
        "|---|---|--:|--:|--:|--:|--:|--:|",
    ]
    for r in rows:
        ig = r["igraph_ms"]
        lines.append(
            f"| {r['graph']} | {r['mode']} | {r['trials']} | {r['ours_ms']:.2f} | "
            + ("-" if np.isnan(ig) else f"{ig:.2f}")
            + f" | {r['infomap_ms']:.2f} | "
            + ("-" if np.isnan(ig) else f"{r['ours_ms'] / ig:.2f}")
            + f" | {r['ours_ms'] / r['infomap_ms']:.2f} |"
        )
    text = "\n".join(lines)
    publish(text, args.out, "small", {"calls": args.calls, "rows": rows})


if __name__ == "__main__":
    main()
