"""Throughput of the Neo4j adapter over Bolt: reading relationships, writing communities.

    python benchmarks/neo4j_throughput.py                  # 100k nodes, 1M relationships
    python benchmarks/neo4j_throughput.py --quick          # 10k nodes, 100k relationships
    python benchmarks/neo4j_throughput.py --nodes 200000 --relationships 2000000
    NEO4J_USERNAME=neo4j NEO4J_PASSWORD=... python benchmarks/neo4j_throughput.py \\
        --uri neo4j://localhost:7687 --database neo4j       # a real Neo4j 5 server

By default the server is ArcadeDB from the ``arcadedb-embedded`` wheel (Bolt plugin, its own
JRE), started on free loopback ports in a temporary folder (``integration/bolt_server.py``).
With ``--uri`` the graph is created under a label of its own (``InfomapBench<random>``) on
that server and deleted again at the end (``--keep`` keeps it).

The graph: ``--nodes`` nodes in modules of 100, ``--relationships`` directed relationships,
80% of them inside a module (a planted partition), loaded with batched
``UNWIND $rows AS r CREATE ...`` statements of 10,000 rows; the load time is reported.

Measured, with the official ``neo4j`` driver (pure-Python Bolt decoding unless the optional
``neo4j-rust-ext`` is installed: the table says which):

* read, labels mode: ``read_graph(node_labels=..., relationship_types=...)``: one row per
  node with the list of its targets; relationships/s = relationships / seconds, best of two
  runs (the first one also warms the server up; its time is in the note).
* read, query mode: ``read_graph(query)`` with one row per relationship
  (``RETURN elementId(a) AS source, elementId(b) AS target``), and with one row per node
  (``RETURN elementId(a) AS source, [(a)-->(b) | elementId(b)] AS targets``), best of two.
* infomap: the in-memory search (two-level, 1 trial), for scale.
* write, batched UNWIND: ``write_communities(batch_size=B)``: nodes/s = nodes / seconds.
* write, one statement per node: ``MATCH (n) WHERE elementId(n) = $id SET n.p = $c`` per
  node, each its own auto-commit transaction, as naive code does. Only a sample of
  ``--per-node-sample`` nodes (default 2,000) is timed and the time for all nodes is
  extrapolated from it (marked "extrapolated" in the table).
"""

from __future__ import annotations

import argparse
import os
import resource
import secrets
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def planted_graph(n: int, m: int, module: int = 100, p_in: float = 0.8, seed: int = 0):
    """Directed relationships: uniform sources, targets in the source's module with
    probability ``p_in`` (else uniform); no self-loops."""
    rng = np.random.default_rng(seed)
    src = rng.integers(0, n, m)
    inside = rng.random(m) < p_in
    base = (src // module) * module
    size = np.minimum(module, n - base)
    tgt = np.where(inside, base + rng.integers(0, 1 << 30, m) % size, rng.integers(0, n, m))
    loops = src == tgt
    tgt[loops] = (tgt[loops] + 1) % n
    return src, tgt


def run_write(driver, database, cypher, **params):
    with driver.session(database=database) as session:
        return session.execute_write(lambda tx: tx.run(cypher, params).data())


def load(driver, database, label, rel, n, src, tgt, batch=10_000):
    """Create the nodes and relationships; returns (elementIds, node seconds, rel seconds)."""
    ids: list[str] = [""] * n
    start = time.perf_counter()
    for lo in range(0, n, batch):
        rows = run_write(
            driver, database,
            f"UNWIND $rows AS i CREATE (n:{label} {{i: i}}) RETURN i, elementId(n) AS id",
            rows=list(range(lo, min(n, lo + batch))),
        )
        for r in rows:
            ids[r["i"]] = r["id"]
    node_seconds = time.perf_counter() - start
    start = time.perf_counter()
    m = len(src)
    for lo in range(0, m, batch):
        rows = [{"s": ids[a], "t": ids[b]}
                for a, b in zip(src[lo:lo + batch].tolist(), tgt[lo:lo + batch].tolist())]
        run_write(
            driver, database,
            "UNWIND $rows AS r MATCH (a) WHERE elementId(a) = r.s "
            f"MATCH (b) WHERE elementId(b) = r.t CREATE (a)-[:{rel}]->(b)",
            rows=rows,
        )
        done = min(m, lo + batch)
        if done % 100_000 == 0 or done == m:
            print(f"  loaded {done:,} relationships, {time.perf_counter() - start:.0f} s",
                  file=sys.stderr, flush=True)
    return ids, node_seconds, time.perf_counter() - start


def per_node_write(driver, database, ids, labels, prop, sample):
    """One auto-commit statement per node, for ``sample`` nodes; returns seconds."""
    statement = f"MATCH (n) WHERE elementId(n) = $id SET n.`{prop}` = $c"
    start = time.perf_counter()
    with driver.session(database=database) as session:
        for i in range(sample):
            session.run(statement, id=ids[i], c=int(labels[i])).consume()
    return time.perf_counter() - start


def cleanup(driver, database, label):
    while True:
        rows = run_write(
            driver, database,
            f"MATCH (n:{label}) WITH n LIMIT 10000 DETACH DELETE n RETURN count(*) AS c",
        )
        if not rows or rows[0]["c"] == 0:
            return


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--nodes", type=int, default=100_000)
    parser.add_argument("--relationships", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="10k nodes, 100k relationships")
    parser.add_argument("--per-node-sample", type=int, default=2_000)
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[1_000, 10_000])
    parser.add_argument("--uri", help="an existing server (default: ArcadeDB from the wheel)")
    parser.add_argument("--database", help="with --uri: the database (default: $NEO4J_DATABASE)")
    parser.add_argument("--keep", action="store_true", help="with --uri: keep the graph")
    parser.add_argument("--heap", default="4g", help="ArcadeDB's JVM heap (default 4g)")
    parser.add_argument("--out", type=Path, help="also write the table to this file")
    args = parser.parse_args(argv)
    if args.quick:
        args.nodes, args.relationships = 10_000, 100_000

    import neo4j

    from infomap_learn import infomap
    from infomap_learn.adapters.neo4j import read_graph, write_communities
    from integration.bolt_server import BoltServer

    server = None
    if args.uri:
        uri, database = args.uri, args.database or os.environ.get("NEO4J_DATABASE")
        user, password = os.environ.get("NEO4J_USERNAME"), os.environ.get("NEO4J_PASSWORD")
        auth = (user or "neo4j", password or "") if (user or password) else None
        target = f"server at {uri}"
    else:
        server = BoltServer(Path(tempfile.mkdtemp(prefix="neo4j-throughput-")), heap=args.heap)
        server.start()
        uri, auth, database = server.uri, server.auth, server.database
        target = f"ArcadeDB {server_version(server)} (arcadedb-embedded wheel, -Xmx{args.heap})"
    label = f"InfomapBench{secrets.token_hex(3)}"
    rel = "BENCH_LINK"
    driver = neo4j.GraphDatabase.driver(uri, auth=auth, connection_timeout=10.0)
    rows: list[tuple[str, str, str, str]] = []
    try:
        driver.verify_connectivity()
        n, m = args.nodes, args.relationships
        src, tgt = planted_graph(n, m)
        print(f"loading {n:,} nodes and {m:,} relationships into {target} ...",
              file=sys.stderr, flush=True)
        ids, node_s, rel_s = load(driver, database, label, rel, n, src, tgt)
        rows.append(("load nodes (UNWIND CREATE, 10k/batch)", f"{node_s:.1f} s",
                     f"{n / node_s:,.0f} nodes/s", ""))
        rows.append(("load relationships (UNWIND MATCH..CREATE, 10k/batch)", f"{rel_s:.1f} s",
                     f"{m / rel_s:,.0f} rels/s", ""))

        def timed_read(*a, **kw):
            times, out = [], None
            for _ in range(2):  # the first run also warms up the server (its JIT, caches)
                start = time.perf_counter()
                out = read_graph(driver, *a, database=database, **kw)
                times.append(time.perf_counter() - start)
            return out, times

        (net, order), times = timed_read(node_labels=label, relationship_types=rel)
        assert net.n_nodes == n and len(order) == n
        rows.append(("read, labels mode (row per node + target list)", f"{min(times):.1f} s",
                     f"{m / min(times):,.0f} rels/s",
                     f"best of 2; 1st {times[0]:.1f} s; {net.n_links:,} links"))
        (net_q, _), times = timed_read(
            f"MATCH (a:{label})-[:{rel}]->(b:{label}) "
            "RETURN elementId(a) AS source, elementId(b) AS target"
        )
        assert net_q.n_links == net.n_links
        rows.append(("read, query mode (row per relationship)", f"{min(times):.1f} s",
                     f"{m / min(times):,.0f} rels/s", f"best of 2; 1st {times[0]:.1f} s"))
        (net_q, _), times = timed_read(
            f"MATCH (a:{label}) RETURN elementId(a) AS source, "
            f"[(a)-[:{rel}]->(b:{label}) | elementId(b)] AS targets"
        )
        assert net_q.n_links == net.n_links
        rows.append(("read, query mode (row per node + targets list)", f"{min(times):.1f} s",
                     f"{m / min(times):,.0f} rels/s", f"best of 2; 1st {times[0]:.1f} s"))
        del net_q
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        rows.append(("peak memory of this Python process after the reads", "",
                     f"{peak_mb:,.0f} MB", "ru_maxrss, includes the generated edge arrays"))

        start = time.perf_counter()
        tree = infomap(net, two_level=True, seed=1, n_jobs=-1)
        compute_s = time.perf_counter() - start
        rows.append(("infomap (in memory, two-level, 1 trial)", f"{compute_s:.1f} s", "",
                     f"{tree.num_top_modules:,} modules"))

        for b in args.batch_sizes:
            stats = write_communities(driver, order, tree, write_property=f"c{b}",
                                      batch_size=b, database=database)
            s = stats.write_millis / 1000
            assert stats.node_properties_written == n
            rows.append((f"write, batched UNWIND ({b:,} nodes/transaction)", f"{s:.1f} s",
                         f"{n / s:,.0f} nodes/s", f"{stats.batches} transactions"))
        k = min(args.per_node_sample, n)
        s = per_node_write(driver, database, order, tree.labels, "c_single", k)
        rows.append((f"write, one statement per node (auto-commit; {k:,} timed)",
                     f"{s * n / k:.1f} s (extrapolated)", f"{k / s:,.0f} nodes/s",
                     f"{k:,} nodes in {s:.1f} s"))
    finally:
        if args.uri and not args.keep:
            cleanup(driver, database, label)
        driver.close()
        if server is not None:
            server.stop()
    rust = _has_rust_ext()
    header = [
        f"Neo4j adapter throughput: {args.nodes:,} nodes, {args.relationships:,} relationships, "
        f"{target}; neo4j driver {neo4j.__version__}"
        + (" with neo4j-rust-ext" if rust else " (pure-Python Bolt decoding)")
        + f"; {os.cpu_count()} cores",
        "",
        "| step | time | throughput | note |",
        "|---|---|---|---|",
    ]
    table = "\n".join(header + [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows])
    print(table)
    if args.out:
        args.out.write_text(table + "\n")
    return 0


def server_version(server) -> str:
    try:
        import neo4j

        with neo4j.GraphDatabase.driver(server.uri, auth=server.auth) as d:
            agent = d.get_server_info().agent
        return agent.split("(")[-1].rstrip(")").replace("ArcadeDB ", "") if "(" in agent \
            else agent
    except Exception:
        return ""


def _has_rust_ext() -> bool:
    try:
        import neo4j._rust  # noqa: F401
    except ImportError:
        return False
    return True


if __name__ == "__main__":
    sys.exit(main())
