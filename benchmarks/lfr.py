"""LFR benchmark networks (Lancichinetti-Fortunato-Radicchi) with a planted partition, cached.

    >>> from benchmarks.lfr import lfr
    >>> edges, membership = lfr(10_000, 0.3, seed=0)

The graphs come from networkit's ``LFRGenerator`` (power-law degrees with exponent -2,
power-law community sizes with exponent -1, mixing parameter ``mu``: the fraction of each
node's links that leave its community). networkit is imported only when a graph has to be
generated; a cached graph is read from ``benchmarks/data/lfr_n{n}_mu{mu}_s{seed}.npz``
(git-ignored) with numpy alone.

Generation runs on one networkit thread with ``networkit.setSeed(seed, False)``, so the same
arguments give the same graph on the same networkit version. Graphs with non-default degree
or community-size parameters get those in the cache file name too.

Run as a script to pre-generate graphs::

    python benchmarks/lfr.py 10000 100000 --mu 0.3
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

DATA_DIR = Path(__file__).resolve().parent / "data"

_DEFAULTS = {"avg_degree": 20, "max_degree": 50, "min_community": 20, "max_community": 100}


def lfr_path(
    n: int,
    mu: float,
    seed: int = 0,
    avg_degree: int = 20,
    max_degree: int = 50,
    min_community: int = 20,
    max_community: int = 100,
) -> Path:
    """Cache file of the graph that :func:`lfr` returns for these arguments."""
    name = f"lfr_n{n}_mu{mu:g}_s{seed}"
    params = (avg_degree, max_degree, min_community, max_community)
    if params != tuple(_DEFAULTS.values()):
        name += "_k{}-{}_c{}-{}".format(*params)
    return DATA_DIR / f"{name}.npz"


def generate_lfr(
    n: int,
    mu: float,
    seed: int = 0,
    avg_degree: int = 20,
    max_degree: int = 50,
    min_community: int = 20,
    max_community: int = 100,
) -> tuple[np.ndarray, np.ndarray]:
    """Generate an LFR graph with networkit (no cache). See :func:`lfr`."""
    import networkit as nk

    threads = nk.getMaxNumberOfThreads()
    nk.setNumberOfThreads(1)  # the generator's parallel parts are not seed-deterministic
    try:
        nk.setSeed(seed, False)
        gen = nk.generators.LFRGenerator(n)
        gen.generatePowerlawDegreeSequence(avg_degree, max_degree, -2)
        gen.generatePowerlawCommunitySizeSequence(min_community, max_community, -1)
        gen.setMu(mu)
        gen.run()
        graph = gen.getGraph()
        partition = gen.getPartition()
    finally:
        nk.setNumberOfThreads(threads)

    edges = np.array(list(graph.iterEdges()), dtype=np.int32).reshape(-1, 2)
    membership = np.asarray(partition.getVector(), dtype=np.int64)
    # canonical form: u < v, no self-loops, no duplicates, sorted
    edges = np.sort(edges, axis=1)
    edges = edges[edges[:, 0] != edges[:, 1]]
    edges = np.unique(edges, axis=0).astype(np.int32)
    return edges, membership


def lfr(
    n: int,
    mu: float,
    seed: int = 0,
    avg_degree: int = 20,
    max_degree: int = 50,
    min_community: int = 20,
    max_community: int = 100,
) -> tuple[np.ndarray, np.ndarray]:
    """An undirected LFR graph and its planted partition, from the cache or generated.

    Parameters
    ----------
    n : number of nodes (ids ``0 .. n-1``).
    mu : mixing parameter in [0, 1]: the fraction of a node's links to other communities.
    seed : networkit random seed.
    avg_degree, max_degree : power-law degree sequence (exponent -2).
    min_community, max_community : power-law community sizes (exponent -1).

    Returns
    -------
    edges : int32 array of shape (m, 2), each undirected link once, ``u < v``, sorted.
    membership : int64 array of shape (n,), the planted community of each node (0-based).
    """
    args = (n, mu, seed, avg_degree, max_degree, min_community, max_community)
    path = lfr_path(*args)
    if path.exists():
        with np.load(path) as data:
            return data["edges"], data["membership"]
    edges, membership = generate_lfr(*args)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.stem + ".tmp.npz")  # atomic: no half-written cache files
    np.savez_compressed(tmp, edges=edges, membership=membership)
    tmp.replace(path)
    return edges, membership


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Generate and cache LFR benchmark graphs.")
    parser.add_argument("sizes", type=int, nargs="+", help="numbers of nodes")
    parser.add_argument("--mu", type=float, nargs="+", default=[0.3])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    args = parser.parse_args(argv)
    for n in args.sizes:
        for mu in args.mu:
            for seed in args.seeds:
                edges, membership = lfr(n, mu, seed)
                print(
                    f"{lfr_path(n, mu, seed).name}: {n} nodes, {len(edges)} links, "
                    f"{len(np.unique(membership))} communities"
                )


if __name__ == "__main__":
    main()
