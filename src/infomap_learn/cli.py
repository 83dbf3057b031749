"""The ``infomap-learn`` command."""

from __future__ import annotations

import argparse
import sys
import time

from . import __version__


def _demo(args: argparse.Namespace) -> int:
    from .datasets import karate_club, planted_partition
    from .search import infomap

    network, factions = karate_club()
    start = time.perf_counter()
    tree = infomap(network, two_level=True, num_trials=args.trials, seed=args.seed)
    seconds = time.perf_counter() - start
    print("Zachary's karate club: 34 members, 78 friendships")
    print(
        f"  {tree.num_top_modules} modules, codelength {tree.codelength:.6f} bits "
        f"(one-level {tree.one_level_codelength:.6f}, "
        f"savings {100 * tree.relative_codelength_savings:.2f}%), {seconds:.2f} s"
    )
    for module in range(tree.num_top_modules):
        members = (tree.labels == module).nonzero()[0]
        print(f"  module {module + 1}: {' '.join(map(str, members))}")
    network, membership = planted_partition(n_modules=8, module_size=64, seed=args.seed)
    tree = infomap(network, num_trials=args.trials, seed=args.seed)
    recovered = (tree.labels[:, None] == tree.labels[None, :]) == (
        membership[:, None] == membership[None, :]
    )
    print(f"Planted partition: 8 modules of 64 nodes, {network.n_links} links")
    print(
        f"  {tree.num_top_modules} top modules in {tree.num_levels} level(s), codelength "
        f"{tree.codelength:.6f} bits; node pairs classified as planted: "
        f"{100 * recovered.mean():.2f}%"
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="infomap-learn",
        description="Communities in networks with the map equation (Infomap).",
    )
    parser.add_argument("--version", action="version", version=f"infomap-learn {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="run Infomap on built-in networks")
    demo.add_argument("-N", "--trials", type=int, default=1, help="number of trials")
    demo.add_argument("--seed", type=int, default=0, help="random seed")
    demo.set_defaults(func=_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
