"""Reading network files at scale: ours against the official Infomap's reader, in one run.

    python benchmarks/read_speed.py [--links 1000000 10000000] [--repeats 2] [--out DIR]

For every size, a random weighted link list (``source target weight``, 1-based ids, one
node per 10 links), the same links as a Pajek file (``*Vertices`` with names, then
``*Arcs``) and a state network of as many links (one state node per 4 links, one
physical node per 10 states: ``*Vertices``, ``*States``, ``*Links``) are written to a
temporary folder; each is read by
:func:`infomap_learn.io.read_network` and by the official Infomap's ``read_file`` (which
builds its network, without a search). Printed: the best time of ``--repeats`` reads and
the ratio ours / Infomap. Written as markdown and JSON to ``--out``
(``read-<date>``).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

try:  # run as a script or as a module
    from benchmarks._results import publish
except ImportError:  # pragma: no cover
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from benchmarks._results import publish

from infomap_learn.io import read_network

RESULTS_DIR = Path(__file__).resolve().parent / "results"


def _write_files(folder: Path, m: int, seed: int = 0) -> tuple[Path, Path, Path]:
    rng = np.random.default_rng(seed)
    n = max(m // 10, 2)
    source = rng.integers(1, n + 1, m)
    target = rng.integers(1, n + 1, m)
    weight = rng.random(m) + 0.01
    links = folder / f"links-{m}.txt"
    with open(links, "w") as fh:
        _write_links(fh, source, target, weight)
    pajek = folder / f"links-{m}.net"
    with open(pajek, "w") as fh:
        _write_vertices(fh, n)
        fh.write(f"*Arcs {m}\n")
        _write_links(fh, source, target, weight)
    return links, pajek, _write_states(folder, m, rng)


def _write_vertices(fh, n: int) -> None:
    fh.write(f"*Vertices {n}\n")
    ids = np.arange(1, n + 1)
    np.savetxt(fh, np.column_stack([ids, ids]), fmt='%d "v%d"')


def _write_links(fh, source, target, weight) -> None:
    np.savetxt(fh, np.column_stack([source, target, weight]), fmt=["%d", "%d", "%.6f"])


def _write_states(folder: Path, m: int, rng) -> Path:
    """A state network of ``m`` links: ``m / 4`` state nodes on ``m / 40`` named physical
    nodes (``*Vertices``, ``*States`` without names, ``*Links``)."""
    n_states, n_physical = max(m // 4, 2), max(m // 40, 2)
    path = folder / f"states-{m}.net"
    with open(path, "w") as fh:
        _write_vertices(fh, n_physical)
        fh.write(f"*States {n_states}\n")
        states = np.arange(1, n_states + 1)
        np.savetxt(fh, np.column_stack([states, rng.integers(1, n_physical + 1, n_states)]),
                   fmt="%d")  # fmt: skip
        fh.write(f"*Links {m}\n")
        source, target = rng.integers(1, n_states + 1, (2, m))
        _write_links(fh, source, target, rng.random(m) + 0.01)
    return path


def _best(read, path: Path, repeats: int) -> float:
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        read(path)
        best = min(best, time.perf_counter() - start)
    return best


def _our_read(path: Path) -> None:
    read_network(path, directed=path.suffix == ".net")


def _official_read(path: Path) -> None:
    import infomap as official

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Infomap 2.16's LegacySurfaceWarning
        im = official.Infomap(silent=True, no_infomap=True, directed=path.suffix == ".net")
        im.read_file(str(path))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--links", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--out", default=str(RESULTS_DIR), help="folder ('-': do not write)")
    args = parser.parse_args(argv)
    # (numba's compilation, or the loading of its cache, outside the timings: the compiled
    # pass reads texts of a megabyte or more)
    for path in _write_files(Path(tempfile.mkdtemp()), 100_000):
        _our_read(path)
    rows, payload = [], []
    with tempfile.TemporaryDirectory() as folder:
        for m in args.links:
            for path in _write_files(Path(folder), m):
                directed = path.suffix == ".net"
                ours = _best(_our_read, path, args.repeats)
                theirs = _best(_official_read, path, args.repeats)
                kind = "Pajek states" if path.name.startswith("states") else (
                    "Pajek" if directed else "link list"
                )
                rows.append(
                    f"| {m:,} | {kind} | {path.stat().st_size / 1e6:.0f} | {ours:.2f} | "
                    f"{theirs:.2f} | {ours / theirs:.2f} |"
                )
                print(rows[-1], flush=True)
                payload.append({"links": m, "format": kind, "ours_s": ours, "infomap_s": theirs})
    markdown = (
        f"`python benchmarks/read_speed.py {' '.join(argv or sys.argv[1:])}`\n\n"
        f"best of {args.repeats} reads, seconds\n\n"
        "| links | format | MB | ours | Infomap | ours/Infomap |\n"
        "|--:|---|--:|--:|--:|--:|\n" + "\n".join(rows) + "\n"
    )
    publish(markdown, args.out, "read", payload)
    return 0


if __name__ == "__main__":
    sys.exit(main())
