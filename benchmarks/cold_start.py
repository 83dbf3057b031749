"""Cold start: what the first fit in a fresh process costs, with and without numba's cache.

The numba kernels are compiled with ``cache=True``: the first process on a machine compiles
them and writes machine code to the cache; every later process loads it. This script runs
two fresh Python processes that share an empty cache folder (``NUMBA_CACHE_DIR``), and a
third with the cache the installed package already uses, and prints for each:

import s      ``import infomap_learn``.
1st run s     the first ``infomap()`` call (karate club, hierarchical search): the kernels'
              compile or cache-load time plus a tiny search.
2nd run s     the same call again: what a warm call costs.
1st fit s     the first ``InfoMapClustering().fit`` (200 points, kNN graph), after the above.
compiled      kernel signatures numba compiled in the process (cache misses).
from cache    kernel signatures numba loaded from its cache (cache hits).

The second process must compile nothing: the script exits with status 1 if it did.

    python benchmarks/cold_start.py
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, time
t0 = time.perf_counter()
import infomap_learn
from infomap_learn import infomap
from infomap_learn.datasets import karate_club
t1 = time.perf_counter()
net, _ = karate_club()
infomap(net)
t2 = time.perf_counter()
infomap(net)
t3 = time.perf_counter()
import numpy as np
from infomap_learn import InfoMapClustering
X = np.random.default_rng(0).normal(size=(200, 5))
t4 = time.perf_counter()
InfoMapClustering(n_neighbors=10, random_state=0).fit(X)
t5 = time.perf_counter()

from numba.core.registry import CPUDispatcher
import infomap_learn._kernels, infomap_learn.network, infomap_learn.search._moves
hits = misses = 0
for module in (infomap_learn._kernels, infomap_learn.network, infomap_learn.search._moves):
    for obj in vars(module).values():
        if isinstance(obj, CPUDispatcher):
            hits += sum(obj.stats.cache_hits.values())
            misses += sum(obj.stats.cache_misses.values())
print(json.dumps(dict(import_s=t1 - t0, first_run_s=t2 - t1, second_run_s=t3 - t2,
                      first_fit_s=t5 - t4, compiled=misses, from_cache=hits)))
"""


def run_child(cache_dir: str | None) -> dict:
    env = dict(os.environ)
    if cache_dir is None:
        env.pop("NUMBA_CACHE_DIR", None)
    else:
        env["NUMBA_CACHE_DIR"] = cache_dir
    out = subprocess.run(
        [sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, check=False
    )
    if out.returncode != 0:
        raise RuntimeError(f"child process failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def format_table(rows: list[tuple[str, dict]]) -> str:
    lines = [
        "| process | import s | 1st run s | 2nd run s | 1st fit s | compiled | from cache |",
        "|---|--:|--:|--:|--:|--:|--:|",
    ]
    for name, r in rows:
        lines.append(
            f"| {name} | {r['import_s']:.2f} | {r['first_run_s']:.2f} | "
            f"{r['second_run_s']:.3f} | {r['first_fit_s']:.2f} | {r['compiled']} | "
            f"{r['from_cache']} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="numba-cache-") as cache:
        rows = [
            ("fresh process, empty cache", run_child(cache)),
            ("fresh process, cache from the one above", run_child(cache)),
            ("fresh process, the installed cache", run_child(None)),
        ]
    if args.json:
        print(json.dumps(dict(rows)))
    else:
        print(format_table(rows))
    second = rows[1][1]
    if second["compiled"] > 0:
        print(f"the second process compiled {second['compiled']} kernel(s)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
