"""Top-level NMI of InfoMapClustering on scikit-learn's digits, over n_neighbors and weighting.

    python benchmarks/digits_quality.py [--seeds 1 2 3 4 5] [--two-level]
        [--hubness {mutual_proximity,local_scaling,none}]

``--hubness`` is the estimator's (default: its default, mutual proximity; ``none``: the
plain kNN graph).

Prints a markdown table: NMI of seed ``seeds[0]`` and, in brackets, the mean over all seeds.
"""

from __future__ import annotations

import argparse

import numpy as np
from sklearn.datasets import load_digits
from sklearn.metrics import normalized_mutual_info_score

from infomap_learn import InfoMapClustering


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    parser.add_argument("--neighbors", type=int, nargs="+", default=[10, 15, 20, 30])
    parser.add_argument("--two-level", action="store_true")
    parser.add_argument(
        "--hubness",
        choices=["mutual_proximity", "local_scaling", "none"],
        default=InfoMapClustering().hubness,
    )
    args = parser.parse_args()
    X, y = load_digits(return_X_y=True)
    print(f"| weighting | {' | '.join(f'k={k}' for k in args.neighbors)} |")
    print(f"|---|{'---|' * len(args.neighbors)}")
    for weighting in ("similarity", "connectivity", "jaccard"):
        cells = []
        for k in args.neighbors:
            scores = [
                normalized_mutual_info_score(
                    y,
                    InfoMapClustering(
                        n_neighbors=k,
                        weighting=weighting,
                        two_level=args.two_level,
                        hubness=None if args.hubness == "none" else args.hubness,
                        random_state=seed,
                    ).fit_predict(X),
                )
                for seed in args.seeds
            ]
            cells.append(f"{scores[0]:.3f} [{np.mean(scores):.3f}]")
        print(f"| {weighting} | {' | '.join(cells)} |")


if __name__ == "__main__":
    main()
