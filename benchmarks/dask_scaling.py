"""The distributed search (``infomap_learn.dask.infomap``) on a local Dask cluster against
the single-machine search on the same LFR graphs: codelength, NMI, time, rounds, bytes
moved, shard sizes and the peak memory of each worker.

One ``LocalCluster`` of ``--workers`` worker processes (one thread each) runs every
distributed search; for each LFR size (``--mu``, generator seed 0) the single-machine
``infomap_learn.infomap(Network.from_edges(edges), two_level=True, num_trials=1, seed=0)``
runs once in this process, then the distributed search (two-level, one trial, seed 0) once
per number of partitions (``--partitions``); ``--hierarchical``: both searches with
``two_level=False`` (labels and NMI of the top level). Numba is warmed on a small graph first, in
this process and on the workers, so compilation is not timed; the workers are restarted
(and warmed again) before each distributed run, so each starts from the same memory.

Columns:

L dask, L single   codelength (bits) of each answer on the whole network; gap = dask /
                   single - 1 (positive: the distributed answer codes longer).
NMI                ``sklearn.metrics.normalized_mutual_info_score`` against the planted
                   partition, on the nodes that have a link.
modules            modules found, dask / single.
dask s, single s   wall time: the distributed call from a pandas DataFrame of the links
                   (split into the partitions, sent to the workers) and the modules
                   computed back; the single search with ``Network.from_edges``.
rounds             synchronous rounds of local moves (all levels and fine-tuning);
                   s/round and MB/round their mean seconds and bytes sent + received.
shard MB           total and largest shard (``DistributedStats.shard_bytes``).
peak MB/worker     largest peak resident memory (VmHWM) over the workers during the
                   distributed call; the kernel's peak is reset (``/proc/self/clear_refs``)
                   on every worker just before the call and read just after, with
                   ``client.run``; ``base`` is the largest resident memory before the call.
                   Where that is not available (not Linux) a 20 ms psutil sampler on each
                   worker gives the peak instead (the JSON records which).
peak / first       peak MB/worker against the first size's, same number of partitions.

    python benchmarks/dask_scaling.py                       # 100k and 1M nodes, 8 16 64
    python benchmarks/dask_scaling.py --sizes 100000 300000 --workers 2
    python benchmarks/dask_scaling.py --quick               # 2000 nodes, 2 partitions
"""

from __future__ import annotations

import argparse
import gc
import platform
import sys
import threading
import time

import numpy as np
import pandas as pd
from sklearn.metrics import normalized_mutual_info_score as nmi

from infomap_learn import Network, infomap

try:  # imported as benchmarks.dask_scaling or run as benchmarks/dask_scaling.py
    from benchmarks._results import code_version, publish
    from benchmarks.lfr import generate_lfr, lfr
except ImportError:
    from _results import code_version, publish
    from lfr import generate_lfr, lfr

MB = 2**20


# ---------------------------------------------------------------------------------------
# memory of the workers (run there with client.run)
# ---------------------------------------------------------------------------------------


def _status() -> dict:
    """VmRSS and VmHWM of this process in bytes (Linux)."""
    out = {}
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:")):
                out[line[:5]] = int(line.split()[1]) * 1024
    return out


class _Sampler(threading.Thread):
    """Largest ``psutil`` RSS of this process, sampled every ``interval`` seconds."""

    def __init__(self, interval: float = 0.02):
        super().__init__(daemon=True)
        import psutil

        self.process, self.interval = psutil.Process(), interval
        self.peak = self.process.memory_info().rss
        self.stop = threading.Event()

    def run(self):
        while not self.stop.wait(self.interval):
            self.peak = max(self.peak, self.process.memory_info().rss)


def _memory_reset(dask_worker=None) -> dict:
    """Collect garbage, reset the kernel's peak RSS to the current RSS and start a sampler;
    returns the RSS now and whether the reset worked."""
    gc.collect()
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")  # resets VmHWM to VmRSS (Linux >= 4.0)
        status = _status()
        hwm_ok = status["VmHWM"] <= status["VmRSS"] + 4 * MB
    except OSError:
        hwm_ok = False
    if dask_worker is not None:  # (a sampler on the workers only)
        old = getattr(dask_worker, "_bench_sampler", None)
        if old is not None:
            old.stop.set()
        dask_worker._bench_sampler = _Sampler()
        dask_worker._bench_sampler.start()
    return {"rss": _rss_now(), "hwm_reset": hwm_ok}


def _memory_read(dask_worker=None) -> dict:
    """Peak RSS since :func:`_memory_reset`: VmHWM and the sampler's largest RSS."""
    sampler = getattr(dask_worker, "_bench_sampler", None)
    out = {"rss": 0, "hwm": None, "sampled": None}
    if sampler is not None:
        sampler.stop.set()
        sampler.join()
        dask_worker._bench_sampler = None
        out["rss"] = _rss_now()
        out["sampled"] = max(sampler.peak, out["rss"])
    try:
        status = _status()
        out["hwm"], out["rss"] = status["VmHWM"], status["VmRSS"]
    except OSError:
        pass
    return out


def _rss_now() -> int:
    import psutil

    return psutil.Process().memory_info().rss


# ---------------------------------------------------------------------------------------
# the runs
# ---------------------------------------------------------------------------------------


def links_frame(edges: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({"source": edges[:, 0], "target": edges[:, 1]})


def run_single(edges: np.ndarray, two_level: bool = True) -> dict:
    reset_ok = _memory_reset()["hwm_reset"]
    start = time.perf_counter()
    tree = infomap(Network.from_edges(edges), two_level=two_level, num_trials=1, seed=0)
    seconds = time.perf_counter() - start
    peak = _memory_read()["hwm"] if reset_ok else None
    return dict(codelength=float(tree.codelength), labels=np.asarray(tree.labels),
                seconds=seconds, client_peak_bytes=peak)  # fmt: skip


def run_dask(client, edges: np.ndarray, partitions: int, two_level: bool = True) -> dict:
    from infomap_learn.dask import infomap as dask_infomap

    frame = links_frame(edges)
    before = client.run(_memory_reset)
    start = time.perf_counter()
    modules, stats = dask_infomap(
        frame, client, two_level=two_level, num_trials=1, seed=0, n_partitions=partitions,
        return_stats=True,
    )  # fmt: skip
    modules = modules.compute()
    seconds = time.perf_counter() - start
    after = client.run(_memory_read)
    hwm_ok = all(b["hwm_reset"] for b in before.values()) and all(
        a["hwm"] is not None for a in after.values()
    )
    peaks = {w: (a["hwm"] if hwm_ok else a["sampled"]) for w, a in after.items()}
    return dict(
        seconds=seconds, stats=stats, nodes=modules["node"].to_numpy(),
        modules=modules["module"].to_numpy(),
        memory_method="VmHWM reset by /proc/self/clear_refs" if hwm_ok
        else "psutil RSS sampled every 20 ms",
        worker_base_bytes={w: b["rss"] for w, b in before.items()},
        worker_peak_bytes=peaks,
        worker_sampled_peak_bytes={w: a["sampled"] for w, a in after.items()},
        worker_rss_after_bytes={w: a["rss"] for w, a in after.items()},
    )  # fmt: skip


def warm(client, workers: int, mu: float) -> None:
    """Compile numba's kernels here and load them on the workers, on a small graph."""
    edges, _ = generate_lfr(1000, mu, seed=1)
    infomap(Network.from_edges(edges), two_level=True, num_trials=1, seed=0)
    run_dask(client, edges, max(2, workers))


def graph(n: int, mu: float, quick: bool):
    # the quick graph is generated, not cached (a smoke test leaves no files behind)
    return generate_lfr(n, mu, seed=0) if quick else lfr(n, mu, seed=0)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--mu", type=float, default=0.3)
    parser.add_argument("--partitions", type=int, nargs="+", default=[8, 16, 64])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--hierarchical", action="store_true",
                        help="both searches hierarchical (two_level=False)")  # fmt: skip
    parser.add_argument(
        "--quick",
        action="store_true",
        help="one 2000-node LFR graph, 2 partitions (smoke test, < 1 min)",
    )
    parser.add_argument(
        "--out",
        default=None,
        help="folder, or - for none (default "
        "benchmarks/results; with --quick nothing is written unless given)",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.partitions = [2000], [2]
    if args.out is None:
        args.out = "-" if args.quick else "benchmarks/results"

    import dask
    import distributed
    from distributed import Client, LocalCluster

    began, commit = time.perf_counter(), code_version()  # (the code this run imports)
    cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                           dashboard_address=None)  # fmt: skip
    client = Client(cluster)
    results = []
    try:
        warm(client, args.workers, args.mu)
        log(f"cluster of {args.workers} workers up and warm")
        for size in args.sizes:
            edges, membership = graph(size, args.mu, args.quick)
            log(f"LFR n={size} mu={args.mu:g}: {len(edges)} links")
            single = run_single(edges, not args.hierarchical)
            log(f"  single machine: {single['seconds']:.1f} s, L {single['codelength']:.5f}")
            for partitions in args.partitions:
                # fresh worker processes: the same memory at every start (a restart that
                # hangs, as distributed's sometimes does here, gets a new cluster instead)
                try:
                    client.restart(timeout=60)
                except TimeoutError:
                    log("  restart timed out: a new cluster")
                    client.close()
                    cluster.close()
                    cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1,
                                           processes=True, dashboard_address=None)  # fmt: skip
                    client = Client(cluster)
                warm(client, args.workers, args.mu)
                gc.collect()
                try:
                    run = run_dask(client, edges, partitions, not args.hierarchical)
                except Exception as error:  # noqa: BLE001 - a failed run is a result too
                    log(f"  dask {partitions} partitions FAILED: {error!r}")
                    results.append(dict(size=size, links=len(edges), partitions=partitions,
                                        error=f"{type(error).__name__}: {error}",
                                        single=single, membership=membership))  # fmt: skip
                    continue
                run.update(size=size, links=len(edges), partitions=partitions, single=single,
                           membership=membership)  # fmt: skip
                results.append(run)
                log(
                    f"  dask {partitions} partitions: {run['seconds']:.1f} s, "
                    f"L {run['stats'].codelength:.5f}, {len(run['stats'].rounds)} rounds, "
                    f"peak {max(run['worker_peak_bytes'].values()) / MB:.0f} MB/worker"
                )
    finally:
        client.close()
        cluster.close()

    rows, payload = [], []
    first_peak = {}
    for r in results:
        single = r["single"]
        planted = r["membership"]
        nmi_single = float(nmi(planted, single["labels"][: planted.size]))
        if "error" in r:
            rows.append(f"| {r['size']} | {r['links']} | {r['partitions']} | failed: "
                        f"{r['error']} | {single['codelength']:.4f} |")  # fmt: skip
            payload.append(dict(
                size=r["size"], links=r["links"], partitions=r["partitions"],
                error=r["error"], single_codelength=single["codelength"],
                single_seconds=single["seconds"], single_nmi=nmi_single,
            ))  # fmt: skip
            continue
        s = r["stats"]
        gap = 100 * (s.codelength / single["codelength"] - 1)
        nodes = r["nodes"].astype(np.int64)
        nmi_dask = float(nmi(planted[nodes], r["modules"]))
        nmi_single = float(nmi(planted[nodes], single["labels"][nodes]))
        k_dask = int(np.unique(r["modules"]).size)
        k_single = int(np.unique(single["labels"][nodes]).size)
        rounds = len(s.rounds)
        per_round = float(np.mean([x.seconds for x in s.rounds])) if rounds else 0.0
        peak = max(r["worker_peak_bytes"].values())
        base = max(r["worker_base_bytes"].values())
        first_peak.setdefault(r["partitions"], peak)
        ratio = peak / first_peak[r["partitions"]]
        rows.append(
            f"| {r['size']} | {r['links']} | {r['partitions']} | {s.codelength:.4f} "
            f"| {single['codelength']:.4f} | {gap:+.2f}% | {nmi_dask:.3f} | {nmi_single:.3f} "
            f"| {k_dask} / {k_single} | {r['seconds']:.1f} | {single['seconds']:.1f} "
            f"| {r['seconds'] / single['seconds']:.2f} | {rounds} | {per_round:.2f} "
            f"| {s.bytes_per_round / MB:.1f} | {sum(s.shard_bytes) / MB:.1f} "
            f"| {max(s.shard_bytes) / MB:.1f} | {peak / MB:.0f} ({base / MB:.0f}) "
            f"| {ratio:.2f} |"
        )
        payload.append(dict(
            size=r["size"], links=r["links"], partitions=r["partitions"], mu=args.mu,
            codelength=s.codelength, single_codelength=single["codelength"], gap_percent=gap,
            nmi=nmi_dask, single_nmi=nmi_single, modules=k_dask, single_modules=k_single,
            seconds=r["seconds"], search_seconds=s.seconds, single_seconds=single["seconds"],
            rounds=rounds, seconds_per_round=per_round, bytes_per_round=s.bytes_per_round,
            round_records=[vars(x) for x in s.rounds], levels=s.levels,
            local_nodes=s.local_nodes, local_links=s.local_links, n_nodes=s.n_nodes,
            n_links=s.n_links, n_shards=s.n_shards, shard_bytes=s.shard_bytes,
            memory_method=r["memory_method"], worker_base_bytes=r["worker_base_bytes"],
            worker_peak_bytes=r["worker_peak_bytes"],
            worker_sampled_peak_bytes=r["worker_sampled_peak_bytes"],
            worker_rss_after_bytes=r["worker_rss_after_bytes"], peak_ratio_to_first=ratio,
            single_client_peak_bytes=single["client_peak_bytes"],
        ))  # fmt: skip
    header = (
        "| nodes | links | partitions | L dask | L single | gap | NMI dask | NMI single "
        "| modules dask / single | dask s | single s | dask/single | rounds | s/round "
        "| MB/round | shard MB total | shard MB max | peak MB/worker (base) "
        "| peak / first size |\n"
        "|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
    )
    methods = sorted({p["memory_method"] for p in payload if "memory_method" in p})
    command = "python benchmarks/dask_scaling.py " + " ".join(
        sys.argv[1:] if argv is None else argv
    )
    markdown = (
        f"`{command.strip()}`\n\n"
        f"LFR mu {args.mu:g} (generator seed 0); "
        f"{'hierarchical' if args.hierarchical else 'two-level'}, 1 trial, seed 0; LocalCluster of "
        f"{args.workers} worker processes x 1 thread; {platform.machine()}, "
        f"{_cpu_count()} cores; Python {platform.python_version()}, dask {dask.__version__}, "
        f"distributed {distributed.__version__}; commit {commit} at the start; "
        f"{time.perf_counter() - began:.0f} s in all. Peak memory per worker: "
        f"{'; '.join(methods) or 'n/a'} (largest over the workers; base: resident before "
        "the call). Times exclude numba compilation (warmed on a 1000-node graph).\n\n"
    )
    meta = dict(command=command.strip(), mu=args.mu, workers=args.workers,
                partitions=args.partitions, sizes=args.sizes, commit=commit,
                python=platform.python_version(), dask=dask.__version__,
                distributed=distributed.__version__)  # fmt: skip
    # (a run at another mixing keeps a result file of its own)
    name = "dask-scaling" if args.mu == 0.3 else f"dask-scaling-mu{round(args.mu * 100):02d}"
    if args.hierarchical:
        name += "-hierarchical"
    publish(markdown + header + "\n" + "\n".join(rows) + "\n", args.out, name,
            _plain(dict(meta=meta, rows=payload)))  # fmt: skip


def _plain(value):
    """``value`` with numpy scalars as Python numbers (for JSON)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _cpu_count() -> int:
    import os

    return os.cpu_count() or 0


if __name__ == "__main__":
    main()
