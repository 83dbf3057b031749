"""Infomap's model variants, ours against the official Infomap, in one run.

    python benchmarks/variants.py [--sampled 100] [--trials 5] [--variants NAME ...]
        [--out benchmarks/results]

For every variant and graph, both tools search the same links with ``sampled`` independent
trials in one call (seed 1); from their trial codelengths comes the expected codelength of
a call with ``trials`` trials, the best of them (``benchmarks/_compare.py``: Infomap's trials
overlap between seeds, so a mean over a few seeds would rest on few distinct Infomap
trials). Printed: that expected codelength of each tool, the gap in percent (negative: ours
shorter), the shortest trial of each, modules at the top and at the bottom level of each
tool's shortest tree, and the time per trial of each.
Variants: the standard map equation (for reference), the entropy-corrected one
(``--entropy-corrected``, strengths 1 and 3), the regularized one (``--regularized``,
strengths 1 and 3), a preferred number of modules (2 and 7,
``--preferred-number-of-modules``), the variable Markov time (``--variable-markov-time``,
damping 1 and 0) and node meta data (``--meta-data``: the digit of each image for digits,
elsewhere three categories that cut across the modules; weighted at rate 1, and unweighted
at rate 2); ``--variants`` runs the named ones only. Graphs: scikit-learn's digits as a plain
kNN graph (k=10, no hubness reduction), a nested block graph (3 groups of 3 cliques of 8),
the karate club (weighted) and LFR 1000 (mu 0.4). Written as markdown and JSON to ``--out``
(``variants-<date>``).
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np

try:  # run as a script or as a module
    from benchmarks._compare import expected_best
    from benchmarks._results import publish
    from benchmarks.lfr import lfr
except ImportError:  # pragma: no cover
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from benchmarks._compare import expected_best
    from benchmarks._results import publish
    from benchmarks.lfr import lfr

from infomap_learn import Network, infomap

RESULTS_DIR = Path(__file__).resolve().parent / "results"

META = "categories"
"""Stands for the graph's meta-data categories in a variant's options."""

VARIANTS = {
    "standard": {},
    "entropy-corrected": {"entropy_corrected": True},
    "entropy-corrected, strength 3": {
        "entropy_corrected": True,
        "entropy_correction_strength": 3.0,
    },
    "regularized": {"regularized": True},
    "regularized, strength 3": {"regularized": True, "regularization_strength": 3.0},
    "preferred 2 modules": {"preferred_number_of_modules": 2},
    "preferred 7 modules": {"preferred_number_of_modules": 7},
    "variable Markov time": {"variable_markov_time": True},
    "variable Markov time, damping 0": {
        "variable_markov_time": True,
        "variable_markov_damping": 0.0,
    },
    # (META: each graph's categories, see _categories)
    "meta data": {"meta_data": META},
    "meta data, unweighted, rate 2": {
        "meta_data": META,
        "meta_data_unweighted": True,
        "meta_data_rate": 2.0,
    },
}


def _digits() -> Network:
    from sklearn.datasets import load_digits

    from infomap_learn.adapters.knn import knn_graph

    X, _ = load_digits(return_X_y=True)
    return knn_graph(X, n_neighbors=10, method="exact", hubness=None)


def _nested() -> Network:
    rng = np.random.default_rng(0)
    edges = []
    size, cliques, groups = 8, 3, 3
    for g in range(groups):
        for c in range(cliques):
            base = (g * cliques + c) * size
            edges += [(base + i, base + j) for i in range(size) for j in range(i + 1, size)]
            for d in range(c + 1, cliques):
                for _ in range(3):
                    edges.append((base + rng.integers(size),
                                  (g * cliques + d) * size + rng.integers(size)))  # fmt: skip
    group = cliques * size
    for g in range(groups):
        for h in range(g + 1, groups):
            edges.append((g * group + rng.integers(group), h * group + rng.integers(group)))
    return Network.from_edges(np.array(edges))


def _karate() -> Network:
    from infomap_learn.datasets import karate_club

    return karate_club()[0]


def _lfr() -> Network:
    edges, _ = lfr(1000, 0.4, seed=1)
    return Network.from_edges(edges)


GRAPHS = {"digits-k10": _digits, "nested": _nested, "karate": _karate, "lfr1k-0.4": _lfr}


def _categories(net: Network) -> np.ndarray:
    """Meta data of a benchmark graph: the digit of each image for digits, elsewhere three
    categories that cut across the modules."""
    if net.n_nodes == 1797:
        from sklearn.datasets import load_digits

        return load_digits().target
    return (np.arange(net.n_nodes) * 7 // 5) % 3


def _with_meta(net: Network, options: dict, folder: Path | None = None) -> dict:
    """``options`` with META replaced by the graph's categories (as a .clu file in
    ``folder`` for the official Infomap)."""
    if options.get("meta_data") != META:
        return options
    categories = _categories(net)
    if folder is None:
        return {**options, "meta_data": categories}
    path = folder / "meta.clu"
    path.write_text("".join(f"{i} {c}\n" for i, c in enumerate(categories)))
    return {**options, "meta_data": str(path)}


def _official(net: Network, seed: int, trials: int, options: dict):
    import tempfile

    import infomap as official

    with tempfile.TemporaryDirectory() as folder, warnings.catch_warnings():
        options = _with_meta(net, options, Path(folder))
        warnings.simplefilter("ignore")  # Infomap 2.16's LegacySurfaceWarning
        im = official.Infomap(silent=True, num_trials=trials, seed=seed, **options)
        im.add_nodes(range(net.n_nodes))
        weights = net.weight.tolist()
        im.add_links(zip(net.source.tolist(), net.target.tolist(), weights))
        start = time.perf_counter()
        im.run()
        seconds = time.perf_counter() - start
        modules = im.get_multilevel_modules()
        bottom = len({path[-1] for path in modules.values()})
        return list(im.codelengths), im.num_top_modules, bottom, seconds


def _ours(net: Network, seed: int, trials: int, options: dict):
    options = _with_meta(net, options)
    start = time.perf_counter()
    tree = infomap(net, num_trials=trials, seed=seed, n_jobs=-1, **options)
    seconds = time.perf_counter() - start
    bottom = len(np.unique(tree.multilevel_labels[:, -1]))
    return list(tree.trial_codelengths), tree.num_top_modules, bottom, seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sampled", type=int, default=100, help="independent trials per tool")
    parser.add_argument("--trials", type=int, default=5)
    parser.add_argument("--variants", nargs="+", choices=list(VARIANTS), default=list(VARIANTS))
    parser.add_argument("--out", default=str(RESULTS_DIR), help="folder ('-': do not write)")
    args = parser.parse_args(argv)
    rows, payload = [], []
    for graph_name, make in GRAPHS.items():
        net = make()
        _ours(net, 0, 1, {})  # compile outside the timings
        for variant, options in {name: VARIANTS[name] for name in args.variants}.items():
            runs = {
                "ours": _ours(net, 1, args.sampled, options),
                "infomap": _official(net, 1, args.sampled, options),
            }
            expected = {tool: expected_best(r[0], args.trials) for tool, r in runs.items()}
            best = {tool: min(r[0]) for tool, r in runs.items()}
            per_trial = {tool: r[3] / args.sampled for tool, r in runs.items()}
            gap = 100 * (expected["ours"] / expected["infomap"] - 1)
            ours, theirs = runs["ours"], runs["infomap"]
            rows.append(
                f"| {graph_name} | {variant} | {expected['ours']:.5f} | "
                f"{expected['infomap']:.5f} | {gap:+.3f}% | "
                f"{best['ours']:.5f} / {best['infomap']:.5f} | "
                f"{ours[1]} / {theirs[1]} | {ours[2]} / {theirs[2]} | "
                f"{1000 * per_trial['ours']:.1f} / {1000 * per_trial['infomap']:.1f} |"
            )
            print(rows[-1], flush=True)
            payload.append({"graph": graph_name, "variant": variant, "options": options,
                            "ours": runs["ours"], "infomap": runs["infomap"]})  # fmt: skip
    header = (
        f"`python benchmarks/variants.py {' '.join(argv or sys.argv[1:])}`\n\n"
        f"multilevel search; L: the expected codelength of a call with {args.trials} trials, "
        f"from {args.sampled} independent trials per tool (seed 1)\n\n"
        "| graph | variant | L ours | L Infomap | gap | best trial ours / IM "
        "| top modules ours / IM | bottom modules ours / IM | ms per trial ours / IM |\n"
        "|---|---|--:|--:|--:|--:|--:|--:|--:|\n"
    )
    markdown = header + "\n".join(rows) + "\n"
    publish(markdown, args.out, "variants", payload)
    return 0


if __name__ == "__main__":
    sys.exit(main())
