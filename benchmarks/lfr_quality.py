"""Search quality against the official Infomap on LFR networks, as a table.

    python benchmarks/lfr_quality.py [--n 10000] [--mu 0.1 ... 0.7] [--seeds 1 2 3 4 5]

For each mu and levels (two-level, multilevel): median codelength and median NMI to the
planted partition over the seeds, ours and the official Infomap's (one trial each, same
seeds), and our codelength's relative difference. ``integration/test_lfr_quality.py``
asserts on the same numbers.
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np
from sklearn.metrics import normalized_mutual_info_score as nmi

from infomap_learn import Network, infomap

try:  # imported as benchmarks.lfr_quality (tests) or run as benchmarks/lfr_quality.py
    from benchmarks.lfr import lfr
except ImportError:
    from lfr import lfr


def official(edges: np.ndarray, n: int, two_level: bool, seed: int):
    """The official Infomap's codelength and top-level labels (seed >= 1)."""
    import infomap as infomap_oracle

    im = infomap_oracle.Infomap(two_level=two_level, silent=True, seed=seed, num_trials=1)
    im.add_nodes(range(n))
    im.add_links(edges)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        im.run()
        modules = im.get_modules(depth_level=1)
        return im.codelength, np.array([modules[i] for i in range(n)])


def compare(n: int, mu: float, two_level: bool, seeds) -> dict[str, float]:
    """Medians over ``seeds`` of codelength and NMI, ours and Infomap's."""
    edges, membership = lfr(n, mu, seed=0)
    net = Network.from_edges(edges, n_nodes=n)
    ours_l, ours_nmi, ref_l, ref_nmi = [], [], [], []
    for seed in seeds:
        tree = infomap(net, two_level=two_level, seed=seed)
        ours_l.append(tree.codelength)
        ours_nmi.append(nmi(membership, tree.labels))
        length, labels = official(edges, n, two_level, seed)
        ref_l.append(length)
        ref_nmi.append(nmi(membership, labels))
    return {
        "ours_codelength": float(np.median(ours_l)),
        "infomap_codelength": float(np.median(ref_l)),
        "ours_nmi": float(np.median(ours_nmi)),
        "infomap_nmi": float(np.median(ref_nmi)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--mu", type=float, nargs="+",
                        default=[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7])  # fmt: skip
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    args = parser.parse_args()
    print("| mu | levels | L ours | L Infomap | dL | NMI ours | NMI Infomap |")
    print("|---|---|---|---|---|---|---|")
    for mu in args.mu:
        for two_level in (True, False):
            r = compare(args.n, mu, two_level, args.seeds)
            diff = 100 * (r["ours_codelength"] / r["infomap_codelength"] - 1)
            print(
                f"| {mu:g} | {'two-level' if two_level else 'multilevel'} | "
                f"{r['ours_codelength']:.6f} | {r['infomap_codelength']:.6f} | {diff:+.4f}% | "
                f"{r['ours_nmi']:.4f} | {r['infomap_nmi']:.4f} |"
            )


if __name__ == "__main__":
    main()
