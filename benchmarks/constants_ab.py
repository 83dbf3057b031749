"""A/B of the search's tuning constants: time and codelength of each setting, in one run.

    python benchmarks/constants_ab.py digits-k15,pbmc "HIERARCHY_TOP_TUNE_LIMIT=2" \
        "HIERARCHY_TOP_TUNE_LIMIT=1" [--seeds 1 2 3 4 5] [--trials 5]

Each setting (``NAME=value;NAME=value`` over ``infomap_learn.search._constants``) runs the
multilevel search (the two-level one with ``--two-level``) on each graph of
``benchmarks/hierarchy_quality.py`` for every seed (``--trials`` trials per call, one
thread), twice over all settings; printed are the best
mean CPU time per call, the mean codelength and its gap to the official Infomap's mean over
the same seeds (negative: ours shorter), and the worst seed's gap. Nothing is written: this
is the tool for trying a change, whose result goes to the issue's note.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np

try:  # run as a script or as a module
    from benchmarks.hierarchy_quality import GRAPHS
except ImportError:  # pragma: no cover
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from benchmarks.hierarchy_quality import GRAPHS

import infomap_learn.search._constants as constants
from infomap_learn import infomap


def _apply(setting: str) -> None:
    for assignment in filter(None, setting.split(";")):
        name, value = assignment.split("=", 1)
        current = getattr(constants, name)  # (an unknown name is an AttributeError)
        setattr(constants, name, type(current)(float(value)))  # (the constants are numbers)


def _official_mean(graph, seeds: list[int], trials: int, two_level: bool = False) -> float:
    import infomap as official

    net, lengths = graph.network, []
    for seed in seeds:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Infomap 2.16's LegacySurfaceWarning
            im = official.Infomap(silent=True, num_trials=trials, seed=seed,
                                  flow_model=graph.flow_model, two_level=two_level)  # fmt: skip
            im.add_nodes(range(net.n_nodes))
            im.add_links(zip(net.source.tolist(), net.target.tolist(), net.weight.tolist()))
            im.run()
            lengths.append(im.codelength)
    return float(np.mean(lengths))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("graphs", help="comma-separated names from hierarchy_quality.py")
    parser.add_argument("settings", nargs="+", help='e.g. "HIERARCHY_SUB_TUNE_LIMIT=1"')
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    parser.add_argument("--trials", type=int, default=5)
    parser.add_argument("--two-level", action="store_true", help="the two-level search")
    args = parser.parse_args(argv)
    defaults = {name: getattr(constants, name) for name in dir(constants) if name.isupper()}
    for name in args.graphs.split(","):
        graph = GRAPHS[name]()
        reference = _official_mean(graph, args.seeds, args.trials, args.two_level)
        infomap(graph.network, num_trials=1, seed=0, flow_model=graph.flow_model)  # compile
        best: dict[str, list] = {}
        for _ in range(2):
            for setting in args.settings:
                for key, value in defaults.items():
                    setattr(constants, key, value)
                _apply(setting)
                start = time.process_time()
                lengths = [
                    infomap(graph.network, num_trials=args.trials, seed=seed, n_jobs=1,
                            flow_model=graph.flow_model, two_level=args.two_level).codelength
                    for seed in args.seeds
                ]
                seconds = (time.process_time() - start) / len(args.seeds)
                entry = best.setdefault(setting, [np.inf, lengths])
                entry[0] = min(entry[0], seconds)
        for key, value in defaults.items():
            setattr(constants, key, value)
        for setting, (seconds, lengths) in best.items():
            gap = 100 * (np.mean(lengths) / reference - 1)
            worst = 100 * (max(lengths) / reference - 1)
            print(f"{name:14s} {setting:40s} t {seconds:.4f} s  L {np.mean(lengths):.4f}  "
                  f"gap {gap:+.3f}%  worst {worst:+.3f}%", flush=True)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
