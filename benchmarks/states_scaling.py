"""State (memory) networks at scale: our search against the official Infomap on
second-order networks, and our cost per link on state networks against first-order networks
of the same size (nodes and links), in one run.

The state networks are second-order: walks on a planted-partition graph of ``n / 4``
physical nodes, one state node per (previous node, node) pair a walk passes through and a
link per observed triple; the first-order networks are planted-partition graphs with the
same numbers of nodes and links. One trial, seed 1, the best of ``--repeat`` runs after a
warm-up on a small network (so numba's compilation is not timed), in each of ``--modes``:
two-level, and multilevel (the default of ``infomap()`` and of Infomap), each tool and
network in the same mode.

    python benchmarks/states_scaling.py --sizes 10000 100000 1000000
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np

from infomap_learn import Network, infomap

try:
    from benchmarks._results import publish
except ImportError:  # (run as a script from the benchmarks folder)
    from _results import publish


def planted_graph(n: int, degree: float, modules: int, mix: float, rng) -> tuple:
    """Undirected planted partition: each node draws ``degree / 2`` partners, inside its
    module with probability ``1 - mix``. Returns (links (m, 2), module of each node)."""
    module = rng.integers(0, modules, n)
    order = np.argsort(module, kind="stable")
    start = np.searchsorted(module[order], np.arange(modules))
    size = np.bincount(module, minlength=modules)
    draws = int(n * degree / 2)
    u = rng.integers(0, n, draws)
    inside = rng.random(draws) >= mix
    v = rng.integers(0, n, draws)
    m = module[u[inside]]
    v[inside] = order[start[m] + (rng.random(inside.sum()) * size[m]).astype(np.int64)]
    keep = u != v
    return np.column_stack([u[keep], v[keep]]), module


def second_order(n_states: int, rng, mix: float = 0.1) -> Network:
    """A second-order state network of about ``n_states`` state nodes (see module doc)."""
    n_physical = max(n_states // 4, 10)
    links, _ = planted_graph(n_physical, 8, max(n_physical // 200, 2), mix, rng)
    both = np.concatenate([links, links[:, ::-1]])
    order = np.argsort(both[:, 0], kind="stable")
    targets = both[order, 1]
    ptr = np.searchsorted(both[order, 0], np.arange(n_physical + 1))
    walkers, length = max(n_states, 1000), 12
    current = rng.integers(0, n_physical, walkers)
    steps = [current]
    for _ in range(length):
        degree = ptr[current + 1] - ptr[current]
        pick = ptr[current] + (rng.random(walkers) * np.maximum(degree, 1)).astype(np.int64)
        current = np.where(degree > 0, targets[np.minimum(pick, targets.size - 1)], current)
        steps.append(current)
    walk = np.stack(steps, axis=1)
    pairs = walk[:, :-1] * n_physical + walk[:, 1:]  # (previous, node) per step
    ids, state = np.unique(pairs, return_inverse=True)
    state = state.reshape(pairs.shape)
    state_links = np.column_stack([state[:, :-1].ravel(), state[:, 1:].ravel()])
    return Network.from_states(ids % n_physical, state_links, directed=True)


def first_order_like(net: Network, rng) -> Network:
    degree = 2 * net.n_links / net.n_nodes
    links, _ = planted_graph(net.n_nodes, degree, max(net.n_nodes // 800, 2), 0.1, rng)
    return Network.from_edges(links[: net.n_links], n_nodes=net.n_nodes, directed=True)


def time_ours(net: Network, repeat: int, two_level: bool = True) -> tuple[float, float]:
    best, length = np.inf, 0.0
    for _ in range(repeat):
        start = time.perf_counter()
        length = infomap(net, two_level=two_level, seed=1).codelength
        best = min(best, time.perf_counter() - start)
    return best, length


def time_infomap(net: Network, repeat: int, two_level: bool = True) -> tuple[float, float] | None:
    try:
        import infomap as official
    except ImportError:
        return None
    best, length = np.inf, 0.0
    for _ in range(repeat):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            im = official.Infomap(silent=True, two_level=two_level, directed=True, seed=1)
            for state, node in enumerate(net.physical_ids.tolist()):
                im.add_state_node(state, node)
            im.add_links(zip(net.source.tolist(), net.target.tolist(), net.weight.tolist()))
            start = time.perf_counter()
            im.run()
            best = min(best, time.perf_counter() - start)
            length = im.codelength
    return best, length


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument(
        "--modes", nargs="+", choices=["two-level", "multilevel"],
        default=["two-level", "multilevel"],
    )  # fmt: skip
    parser.add_argument("--out", default="benchmarks/results", help="folder, or - for none")
    args = parser.parse_args(argv)
    rng = np.random.default_rng(1)
    warm = second_order(2000, np.random.default_rng(0))  # (numba compiles once, here)
    for mode in args.modes:  # (each mode's kernels: with an empty cache, a mode left out
        # of the warm-up compiled inside its first timed run)
        infomap(warm, two_level=mode == "two-level", seed=1)
        infomap(first_order_like(warm, np.random.default_rng(0)), two_level=mode == "two-level",
                seed=1)  # fmt: skip
    rows, payload = [], []
    for size in args.sizes:
        states = second_order(size, rng)
        plain = first_order_like(states, rng)
        for mode in args.modes:
            two_level = mode == "two-level"
            t_states, l_states = time_ours(states, args.repeat, two_level)
            t_plain, _ = time_ours(plain, args.repeat, two_level)
            official = time_infomap(states, args.repeat, two_level)
            t_im, l_im = official if official else (float("nan"), float("nan"))
            per_link = [1e9 * t / n.n_links for t, n in ((t_states, states), (t_plain, plain))]
            rows.append(
                f"| {mode} | {states.n_nodes} | {np.unique(states.physical_ids).size} "
                f"| {states.n_links} | {t_states:.2f} | {per_link[0]:.0f} | {per_link[1]:.0f} "
                f"| {per_link[0] / per_link[1]:.2f} | {t_im:.2f} | {t_states / t_im:.2f} "
                f"| {l_states:.4f} | {l_im:.4f} | {100 * (l_states / l_im - 1):+.2f}% |"
            )
            payload.append(dict(mode=mode, states=states.n_nodes, links=states.n_links,
                                seconds=t_states, first_order_seconds=t_plain,
                                infomap_seconds=t_im, codelength=l_states,
                                infomap_codelength=l_im))  # fmt: skip
            print(rows[-1], flush=True)
    header = (
        "| mode | state nodes | physical nodes | links | ours s | ours ns/link "
        "| first-order ns/link | states/first-order | Infomap s | ours/Infomap | L ours "
        "| L Infomap | gap |\n"
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
    )
    command = (
        "python benchmarks/states_scaling.py --sizes " + " ".join(map(str, args.sizes))
        + " --modes " + " ".join(args.modes) + f" --repeat {args.repeat}"
    )  # fmt: skip
    markdown = f"`{command}`\n\n1 trial, seed 1, one thread, best of {args.repeat}\n\n"
    publish(markdown + header + "\n" + "\n".join(rows) + "\n", args.out, "states", payload)


if __name__ == "__main__":
    main()
