"""What Infomap's model variants do to clusters of labelled embeddings, on the estimator's
own kNN graphs.

    python benchmarks/variants_on_embeddings.py [--datasets digits pbmc ...] [--seeds 0 1 2]

For every data set of ``benchmarks/embedding_quality.py``, the graph that the default
``InfoMapClustering(random_state=seed)`` builds is clustered by the official Infomap with
its variants (default; ``--regularized`` at strengths 0.5, 1 and 2, the Bayesian prior
network of Smiljanic et al. 2021; ``--entropy-corrected``; ``--variable-markov-time``,
not ours yet) and by our search with the variants we have (entropy correction,
regularized). Printed: top-level NMI to the labels (mean over the seeds) and the
number of top modules. Written as markdown and JSON to ``--out`` (``variants-embeddings-
<date>``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from sklearn.metrics import normalized_mutual_info_score

try:  # run as a script or as a module
    from benchmarks._results import publish
    from benchmarks.embedding_quality import DATASETS, Case, official_top_modules
except ImportError:  # pragma: no cover
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from benchmarks._results import publish
    from benchmarks.embedding_quality import DATASETS, Case, official_top_modules

from infomap_learn import infomap

RESULTS_DIR = Path(__file__).resolve().parent / "results"

OFFICIAL = {
    "Infomap": "",
    "Infomap --regularized 0.5": "--regularized --regularization-strength 0.5",
    "Infomap --regularized": "--regularized",
    "Infomap --regularized 2": "--regularized --regularization-strength 2",
    "Infomap --entropy-corrected": "--entropy-corrected",
    "Infomap --variable-markov-time": "--variable-markov-time",
}
OURS = {
    "ours": {},
    "ours entropy_corrected": {"entropy_corrected": True},
    "ours regularized": {"regularized": True},
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS), choices=list(DATASETS))
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--out", default=str(RESULTS_DIR), help="folder ('-': do not write)")
    args = parser.parse_args(argv)
    methods = list(OURS) + list(OFFICIAL)
    rows, payload = [], {}
    for name in args.datasets:
        X, labels, title = DATASETS[name]()
        case = Case(X, labels)
        found = {method: [] for method in methods}
        for seed in args.seeds:
            net = case.default_fit(seed)[0].graph_
            for method, options in OURS.items():
                found[method].append(infomap(net, seed=seed, **options).labels)
            for method, options in OFFICIAL.items():
                found[method].append(official_top_modules(net, seed, options))
        cells = []
        payload[name] = {}
        for method in methods:
            nmi = [normalized_mutual_info_score(case.labels, top) for top in found[method]]
            k = [len(np.unique(top)) for top in found[method]]
            cells.append(f"{np.mean(nmi):.3f} ({np.mean(k):.1f})")
            payload[name][method] = {"nmi": nmi, "clusters": k}
        rows.append(f"| {title} ({case.n_true}) | " + " | ".join(cells) + " |")
        print(rows[-1], flush=True)
    means = [
        np.mean([np.mean(payload[name][method]["nmi"]) for name in args.datasets])
        for method in methods
    ]
    rows.append("| mean NMI | " + " | ".join(f"**{m:.3f}**" for m in means) + " |")
    markdown = (
        f"`python benchmarks/variants_on_embeddings.py {' '.join(argv or sys.argv[1:])}`\n\n"
        f"seeds {args.seeds}; top-level NMI to the labels (mean top modules), the default "
        "estimator's graph\n\n"
        "| data (true k) | " + " | ".join(methods) + " |\n"
        "|---|" + "--:|" * len(methods) + "\n" + "\n".join(rows) + "\n"
    )
    publish(markdown, args.out, "variants-embeddings", payload)
    return 0


if __name__ == "__main__":
    sys.exit(main())
