"""The Neo4j adapter against a real Bolt server (ArcadeDB from the ``arcadedb-embedded`` wheel).

No mocks: the official ``neo4j`` driver talks Bolt and Cypher to a server started once per
session on free loopback ports (see ``integration/bolt_server.py``). Every test loads its
graph under labels of its own, labels it through the adapter (or the CLI function) and
checks each node's property against a direct in-memory ``infomap_learn.infomap`` run with
the same seed on the same graph, built here from the known edges.
"""

from __future__ import annotations

import argparse
import itertools
import json
import time

import numpy as np
import pytest

from infomap_learn import Network, infomap
from infomap_learn.adapters.neo4j import (
    Neo4jAdapterError,
    Neo4jAuthError,
    Neo4jConnectionError,
    Neo4jQueryError,
    Neo4jWriteError,
    add_subcommand,
    build_read_query,
    connect,
    label_communities,
    read_graph,
    write_communities,
)
from infomap_learn.datasets import karate_club, planted_partition
from integration.bolt_server import INSTALL_HINT, arcadedb_home, free_port, running_server

if arcadedb_home() is None:
    pytest.skip(
        f"arcadedb-embedded (the Bolt test server) is not installed: {INSTALL_HINT}",
        allow_module_level=True,
    )

import neo4j  # noqa: E402  (a dependency of the dev extra, like arcadedb-embedded)

# ----------------------------------------------------------------------------------------
# fixtures and helpers
# ----------------------------------------------------------------------------------------


def make_driver(server, **config):
    config.setdefault("connection_timeout", 5.0)
    config.setdefault("max_transaction_retry_time", 2.0)
    return neo4j.GraphDatabase.driver(server.uri, auth=server.auth, **config)


@pytest.fixture(scope="session")
def driver(server):
    drv = make_driver(server)
    yield drv
    drv.close()


_names = itertools.count()


@pytest.fixture
def label():
    """A node label (and relationship type) of this test's own."""
    k = next(_names)
    return f"N{k}", f"R{k}"


def run(driver, database, cypher, **params):
    with driver.session(database=database) as session:
        return session.run(cypher, params).data()


def load(driver, database, label, rel, n, edges, weights=None, isolated=0):
    """Create n + isolated nodes ``(:label {i, name, keep})`` and the edges as ``rel``
    relationships ``{w, since}``; return the elementId of each node by ``i``."""
    rows = [{"i": i, "name": f"node {i}"} for i in range(n + isolated)]
    created = run(
        driver,
        database,
        f"UNWIND $rows AS r CREATE (n:{label} {{i: r.i, name: r.name, keep: 'x'}}) "
        "RETURN r.i AS i, elementId(n) AS id",
        rows=rows,
    )
    ids = [None] * len(rows)
    for row in created:
        ids[row["i"]] = row["id"]
    w = np.ones(len(edges)) if weights is None else np.asarray(weights, float)
    links = [{"s": ids[a], "t": ids[b], "w": float(x)} for (a, b), x in zip(edges, w)]
    for lo in range(0, len(links), 5000):
        run(
            driver,
            database,
            "UNWIND $rows AS r MATCH (a) WHERE elementId(a) = r.s "
            "MATCH (b) WHERE elementId(b) = r.t "
            f"CREATE (a)-[:{rel} {{w: r.w, since: 2000}}]->(b)",
            rows=links[lo : lo + 5000],
        )
    return ids


def snapshot(driver, database):
    """Every node and relationship with its labels/type, endpoints and properties."""
    nodes = {
        r["id"]: (sorted(r["labels"]), r["props"])
        for r in run(
            driver, database,
            "MATCH (n) RETURN elementId(n) AS id, labels(n) AS labels, properties(n) AS props",
        )
    }
    rels = {
        r["id"]: (r["a"], r["b"], r["t"], r["props"])
        for r in run(
            driver, database,
            "MATCH (a)-[r]->(b) RETURN elementId(r) AS id, elementId(a) AS a, "
            "elementId(b) AS b, type(r) AS t, properties(r) AS props",
        )
    }
    return nodes, rels


def assert_only_property_changed(before, after, prop, nodes=None):
    """Same nodes and relationships, same properties except ``prop`` on ``nodes``."""
    nodes_before, rels_before = before
    nodes_after, rels_after = after
    assert nodes_after.keys() == nodes_before.keys()
    assert rels_after == rels_before
    for key, (labels, props) in nodes_before.items():
        labels_after, props_after = nodes_after[key]
        assert labels_after == labels
        if nodes is not None and key in nodes:
            props_after = {k: v for k, v in props_after.items() if k != prop}
            props = {k: v for k, v in props.items() if k != prop}
        assert props_after == props, key


def expected(ids_by_index, order, edges, n_nodes, weights=None, directed=False, **options):
    """In-memory Infomap on the known graph, numbered like the adapter's ``order`` (the
    elementIds it returned); returns (tree, network)."""
    position = {eid: k for k, eid in enumerate(order)}
    perm = np.array([position[ids_by_index[i]] for i in range(n_nodes)])
    edges = np.asarray(edges).reshape(-1, 2)
    network = Network(perm[edges[:, 0]], perm[edges[:, 1]], weights, n_nodes=n_nodes,
                      directed=directed)
    return infomap(network, **options), network


def written(driver, database, label, prop="community"):
    rows = run(driver, database,
               f"MATCH (n:{label}) RETURN elementId(n) AS id, n.`{prop}` AS c")
    return {r["id"]: r["c"] for r in rows}


def assert_written(driver, database, label, order, tree, prop="community", path=False):
    got = written(driver, database, label, prop)
    values = tree.multilevel_labels.tolist() if path else tree.labels.tolist()
    want = dict(zip(order, values))
    assert {k: got[k] for k in want} == want


def same_network(a, b):
    assert a.n_nodes == b.n_nodes and a.directed == b.directed
    np.testing.assert_array_equal(a.source, b.source)
    np.testing.assert_array_equal(a.target, b.target)
    np.testing.assert_allclose(a.weight, b.weight)


# ----------------------------------------------------------------------------------------
# reading and labelling
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("two_level", [True, False])
def test_karate_labels_mode(server, driver, label, two_level):
    lab, rel = label
    karate, _ = karate_club()
    edges = np.stack([karate.source, karate.target], axis=1)
    ids = load(driver, server.database, lab, rel, 34, edges)
    before = snapshot(driver, server.database)

    stats = label_communities(driver, node_labels=[lab], relationship_types=[rel],
                              database=server.database, two_level=two_level, seed=3)

    net, order = read_graph(driver, node_labels=lab, relationship_types=rel,
                            database=server.database)
    tree, mine = expected(ids, order, edges, 34, two_level=two_level, seed=3)
    same_network(net, mine)
    assert_written(driver, server.database, lab, order, tree)
    assert stats.node_properties_written == 34
    assert stats.community_count == tree.num_top_modules >= 2
    assert stats.codelength == pytest.approx(tree.codelength, abs=1e-12)
    assert stats.levels == tree.num_levels
    assert stats.compute_millis > 0 and stats.write_millis > 0 and stats.read_millis > 0
    assert stats.link_count == 78
    d = stats.to_dict()
    assert d["nodePropertiesWritten"] == 34 and d["communityCount"] == tree.num_top_modules
    assert {"codelength", "levels", "computeMillis", "writeMillis"} <= d.keys()
    assert_only_property_changed(before, snapshot(driver, server.database), "community",
                                 set(ids))


def test_user_query_mode(server, driver, label):
    lab, rel = label
    network, _ = planted_partition(n_modules=4, module_size=25, seed=1)
    edges = np.stack([network.source, network.target], axis=1)
    ids = load(driver, server.database, lab, rel, network.n_nodes, edges)
    query = (f"MATCH (a:{lab})-[r:{rel}]->(b:{lab}) WHERE r.since >= $year "
             "RETURN elementId(a) AS source, elementId(b) AS target")
    stats = label_communities(driver, query=query, parameters={"year": 1990},
                              database=server.database, seed=5, write_property="cluster")
    net, order = read_graph(driver, query, parameters={"year": 1990}, database=server.database)
    tree, mine = expected(ids, order, edges, network.n_nodes, seed=5)
    same_network(net, mine)
    assert_written(driver, server.database, lab, order, tree, prop="cluster")
    assert stats.node_properties_written == network.n_nodes
    assert stats.community_count == tree.num_top_modules == 4

    # nodes themselves instead of their elementIds give the same network
    net2, order2 = read_graph(
        driver, f"MATCH (a:{lab})-[r:{rel}]->(b:{lab}) RETURN a AS source, b AS target",
        database=server.database,
    )
    assert order2 == order
    same_network(net2, net)

    # one row per node with a list of targets (the fast shape), isolated nodes included
    net3, order3 = read_graph(
        driver,
        f"MATCH (a:{lab}) RETURN a AS source, [(a)-[:{rel}]->(b:{lab}) | elementId(b)] "
        "AS targets",
        database=server.database,
    )
    assert order3 == order
    same_network(net3, net)


def test_isolated_nodes_and_other_labels(server, driver, label):
    lab, rel = label
    network, _ = planted_partition(n_modules=3, module_size=20, seed=2)
    edges = np.stack([network.source, network.target], axis=1)
    ids = load(driver, server.database, lab, rel, network.n_nodes, edges, isolated=3)
    # nodes of another label, linked to ours by the same type: not selected, not touched
    other = run(driver, server.database,
                f"MATCH (a:{lab}) WHERE a.i < 5 CREATE (a)-[:{rel}]->(o:{lab}Other {{i: a.i}}) "
                "RETURN elementId(o) AS id")
    assert len(other) == 5
    before = snapshot(driver, server.database)
    n = network.n_nodes + 3
    stats = label_communities(driver, node_labels=[lab], relationship_types=[rel],
                              database=server.database, two_level=True, seed=1)
    net, order = read_graph(driver, node_labels=[lab], relationship_types=[rel],
                            database=server.database)
    assert net.n_nodes == n and sorted(order) == sorted(ids)
    tree, mine = expected(ids, order, edges, n, two_level=True, seed=1)
    same_network(net, mine)
    assert_written(driver, server.database, lab, order, tree)
    iso = [ids[i] for i in range(network.n_nodes, n)]
    got = written(driver, server.database, lab)
    assert len({got[k] for k in iso}) == 3  # each isolated node is a module of its own
    assert stats.node_properties_written == n
    assert_only_property_changed(before, snapshot(driver, server.database), "community",
                                 set(ids))
    assert all(v is None for v in written(driver, server.database, f"{lab}Other").values())

    # no relationship types: every relationship between selected nodes; here the same
    net_all, order_all = read_graph(driver, node_labels=lab, database=server.database)
    assert order_all == order
    same_network(net_all, net)


@pytest.mark.parametrize("directed", [False, True])
def test_weights(server, driver, label, directed):
    lab, rel = label
    network, _ = planted_partition(n_modules=4, module_size=20, p_in=0.25, p_out=0.03,
                                   seed=4, directed=directed)
    edges = np.stack([network.source, network.target], axis=1)
    weights = np.random.default_rng(0).uniform(0.5, 5.0, len(edges)).round(3)
    ids = load(driver, server.database, lab, rel, network.n_nodes, edges, weights)
    label_communities(driver, node_labels=lab, relationship_types=rel, weight_property="w",
                      directed=directed, database=server.database, seed=2, num_trials=2,
                      write_property="wc")
    net, order = read_graph(driver, node_labels=lab, relationship_types=rel,
                            weight_property="w", directed=directed, database=server.database)
    tree, mine = expected(ids, order, edges, network.n_nodes, weights, directed, seed=2,
                          num_trials=2)
    same_network(net, mine)
    assert not np.allclose(net.weight, 1.0)
    assert_written(driver, server.database, lab, order, tree, prop="wc")

    # the same through a query with a weight column
    query = (f"MATCH (a:{lab})-[r:{rel}]->(b:{lab}) "
             "RETURN elementId(a) AS source, elementId(b) AS target, r.w AS weight")
    net_q, order_q = read_graph(driver, query, directed=directed, database=server.database)
    assert order_q == order
    same_network(net_q, net)
    query = (f"MATCH (a:{lab}) RETURN elementId(a) AS source, "
             f"[(a)-[r:{rel}]->(b:{lab}) | elementId(b)] AS targets, "
             f"[(a)-[r:{rel}]->(b:{lab}) | r.w] AS weights")
    net_l, order_l = read_graph(driver, query, directed=directed, database=server.database)
    assert order_l == order
    same_network(net_l, net)


def test_include_intermediate_communities(server, driver, label):
    lab, rel = label
    # two groups of three planted modules: a hierarchy for the multilevel search
    blocks, _ = planted_partition(n_modules=6, module_size=16, p_in=0.6, p_out=0.0, seed=7)
    e = np.stack([blocks.source, blocks.target], axis=1)
    rng = np.random.default_rng(7)
    extra = [(a, b) for a in range(96) for b in range(a + 1, 96)
             if a // 48 == b // 48 and a // 16 != b // 16 and rng.random() < 0.03]
    edges = np.concatenate([e, np.array(extra)])
    ids = load(driver, server.database, lab, rel, 96, edges)
    stats = label_communities(driver, node_labels=lab, relationship_types=rel,
                              database=server.database, seed=1,
                              include_intermediate_communities=True)
    _, order = read_graph(driver, node_labels=lab, relationship_types=rel,
                          database=server.database)
    tree, _ = expected(ids, order, edges, 96, seed=1)
    assert tree.num_levels >= 2, "the test graph should have a hierarchy"
    assert stats.levels == tree.num_levels
    assert_written(driver, server.database, lab, order, tree, path=True)
    got = written(driver, server.database, lab)
    assert all(isinstance(v, list) and len(v) == tree.num_levels for v in got.values())
    # element 0 of the path is the top-level community
    assert [got[k][0] for k in order] == tree.labels.tolist()


def test_rerun_is_idempotent(server, driver, label):
    lab, rel = label
    karate, _ = karate_club()
    edges = np.stack([karate.source, karate.target], axis=1)
    ids = load(driver, server.database, lab, rel, 34, edges)
    first = label_communities(driver, node_labels=lab, relationship_types=rel,
                              database=server.database, seed=9, batch_size=7)
    after_first = snapshot(driver, server.database)
    second = label_communities(driver, node_labels=lab, relationship_types=rel,
                               database=server.database, seed=9, batch_size=7)
    assert snapshot(driver, server.database) == after_first
    assert first.batches == second.batches == 5
    assert second.node_properties_written == 34
    assert (first.community_count, first.codelength) == (second.community_count,
                                                         second.codelength)
    _, order = read_graph(driver, node_labels=lab, relationship_types=rel,
                          database=server.database)
    tree, _ = expected(ids, order, edges, 34, seed=9)
    assert_written(driver, server.database, lab, order, tree)


def test_dry_run_writes_nothing(server, driver, label):
    lab, rel = label
    karate, _ = karate_club()
    edges = np.stack([karate.source, karate.target], axis=1)
    ids = load(driver, server.database, lab, rel, 34, edges)
    before = snapshot(driver, server.database)
    stats = label_communities(server.uri, auth=server.auth, node_labels=lab,
                              relationship_types=rel, database=server.database, dry_run=True,
                              batch_size=10)
    assert snapshot(driver, server.database) == before
    assert stats.dry_run and stats.node_properties_written == 0 and stats.write_millis == 0
    assert stats.batches == 4 and stats.node_count == 34
    _, order = read_graph(driver, node_labels=lab, relationship_types=rel,
                          database=server.database)
    tree, _ = expected(ids, order, edges, 34)
    assert stats.community_count == tree.num_top_modules
    assert stats.preview == [{"id": order[k], "value": int(tree.labels[k])} for k in range(5)]
    assert "SET n.`community` = row.c" in stats.write_query
    # a dry run of write_communities does not even need a reachable server
    dead = neo4j.GraphDatabase.driver(f"bolt://127.0.0.1:{free_port()}", auth=server.auth)
    s2 = write_communities(dead, order, tree, dry_run=True)
    assert s2.node_properties_written == 0 and s2.node_count == 34
    dead.close()


INJECTIONS = [
    "x` = 1 WITH n MATCH (m) DETACH DELETE m //",
    "x`) DETACH DELETE n //",
    "`}) MATCH (m) DETACH DELETE m RETURN 1 AS id, [] AS targets //",
    "a``b",
    "x' OR 1=1 //",
    "c;\nMATCH (m) DETACH DELETE m",
]


def test_injection_strings(server, driver, label):
    lab, rel = label
    karate, _ = karate_club()
    edges = np.stack([karate.source, karate.target], axis=1)
    ids = load(driver, server.database, lab, rel, 34, edges)
    before = snapshot(driver, server.database)

    for evil in INJECTIONS:  # as labels, types, weight property: nothing matches, or refused
        with pytest.raises(Neo4jQueryError):
            read_graph(driver, node_labels=[evil], database=server.database)
        if "\n" in evil:
            with pytest.raises(Neo4jQueryError, match="control"):
                read_graph(driver, node_labels=[lab], relationship_types=[evil],
                           database=server.database)
            continue
        net, _ = read_graph(driver, node_labels=[lab], relationship_types=[evil],
                            database=server.database)
        assert net.n_links == 0
        with pytest.raises(Neo4jQueryError, match="weight is null"):
            read_graph(driver, node_labels=lab, relationship_types=rel,
                       weight_property=evil, database=server.database)
    assert snapshot(driver, server.database) == before

    # as property names: written literally, under exactly that name, and nothing else
    accepted = [p for p in INJECTIONS if "\n" not in p]
    for evil in accepted:
        label_communities(driver, node_labels=lab, relationship_types=rel,
                          database=server.database, write_property=evil, two_level=True)
    nodes_after, rels_after = snapshot(driver, server.database)
    nodes_before, rels_before = before
    assert rels_after == rels_before and nodes_after.keys() == nodes_before.keys()
    for key, (labels, props) in nodes_before.items():
        labels2, props2 = nodes_after[key]
        assert labels2 == labels
        if key in ids:
            assert set(props2) == set(props) | set(accepted)
            assert {k: props2[k] for k in props} == props
            assert len({props2[p] for p in accepted}) == 1  # the same community each time
        else:
            assert props2 == props

    # refused outright: control characters, backslashes (unicode escapes), empty, non-str
    for bad in ["c;\nMATCH (m) DETACH DELETE m", "x\\u0060 DETACH DELETE n", "", "a\x00b", 5]:
        with pytest.raises(Neo4jQueryError):
            label_communities(driver, node_labels=lab, relationship_types=rel,
                              database=server.database, write_property=bad)
        with pytest.raises(Neo4jQueryError):
            build_read_query(node_labels=[bad])
    assert build_read_query(["a``b"]).count("`a````b`") == 2
    assert snapshot(driver, server.database) == (nodes_after, rels_after)


# ----------------------------------------------------------------------------------------
# errors
# ----------------------------------------------------------------------------------------


def test_wrong_password(server):
    start = time.perf_counter()
    with pytest.raises(Neo4jAuthError, match="authentication failed") as info:
        label_communities(server.uri, auth=("root", "not-the-password"), node_labels="X",
                          database=server.database)
    assert time.perf_counter() - start < 10
    assert isinstance(info.value, ConnectionError)
    assert "not-the-password" not in str(info.value)


def test_unreachable_server_fails_fast():
    port = free_port()  # nothing listens there
    start = time.perf_counter()
    with pytest.raises(Neo4jConnectionError, match="cannot reach") as info:
        label_communities(f"bolt://127.0.0.1:{port}", auth=("neo4j", "pw"), node_labels="X")
    assert time.perf_counter() - start < 5
    assert isinstance(info.value, ConnectionError)
    with pytest.raises(Neo4jConnectionError, match="unsupported server URI ftp://"):
        label_communities("ftp://127.0.0.1:1", node_labels="X")
    # the HTTP port of a browser's address bar: named, instead of a missing aiohttp
    with pytest.raises(Neo4jConnectionError, match=r"the Bolt port is usually 7687, not 7474"):
        label_communities("http://neo4j:secret@localhost:7474", node_labels="X")
    with pytest.raises(Neo4jConnectionError, match="scheme must be one of neo4j://"):
        label_communities("localhost:7687", node_labels="X")


def test_missing_database(server, driver):
    with pytest.raises(Neo4jQueryError, match="does not exist") as info:
        read_graph(driver, node_labels="X", database="no_such_db")
    assert "no_such_db" in str(info.value)
    assert isinstance(info.value, ValueError)
    with pytest.raises(Neo4jQueryError, match="does not exist"):
        write_communities(driver, ["#1:0"], np.array([0]), database="no_such_db")


def test_empty_results(server, driver, label):
    lab, _ = label
    with pytest.raises(Neo4jQueryError, match="no rows"):
        read_graph(driver, f"MATCH (a:{lab})-->(b) RETURN a AS source, b AS target",
                   database=server.database)
    with pytest.raises(Neo4jQueryError, match=f"found no nodes with labels \\['{lab}'\\]"):
        label_communities(driver, node_labels=lab, database=server.database)


def test_wrong_row_shapes(server, driver, label):
    lab, rel = label
    load(driver, server.database, lab, rel, 3, [(0, 1), (1, 2)], weights=[1.0, -2.0])
    db = server.database
    pattern = f"MATCH (a:{lab})-[r:{rel}]->(b:{lab})"
    cases = [
        (f"{pattern} RETURN elementId(a) AS src, elementId(b) AS dst", "must return columns"),
        (f"{pattern} RETURN a.i AS source, b.i AS target", "must be a node or its elementId"),
        (f"{pattern} RETURN elementId(a) AS source, elementId(b) AS target, 'x' AS weight",
         "weight must be a number"),
        (f"{pattern} RETURN elementId(a) AS source, elementId(b) AS target, "
         "r.missing AS weight", "weight is null"),
        (f"{pattern} RETURN elementId(a) AS source, elementId(b) AS target, r.w AS weight",
         "weights must be finite and >= 0"),
        ("THIS IS NOT CYPHER", "rejected the query"),
        (f"MATCH (a:{lab}) RETURN elementId(a) AS source, 'x' AS targets",
         "'targets' must be a list"),
        (f"MATCH (a:{lab}) RETURN elementId(a) AS source, [(a)-[r:{rel}]->(b) | "
         "elementId(b)] AS targets, [] AS weights", "'weights' must be a list as long"),
        (f"MATCH (a:{lab}) RETURN elementId(a) AS source, [(a)-[r:{rel}]->(b) | b.i] "
         "AS targets", "must be a node or its elementId"),
    ]
    for query, message in cases:
        with pytest.raises(Neo4jQueryError, match=message):
            read_graph(driver, query, database=db)
    with pytest.raises(Neo4jQueryError, match="either query or"):
        read_graph(driver, "RETURN 1", node_labels=lab, database=db)
    with pytest.raises(Neo4jQueryError, match="node_ids has 2 entries"):
        write_communities(driver, ["a", "b"], np.array([0, 1, 2]), database=db)
    with pytest.raises(Neo4jQueryError, match="batch_size"):
        write_communities(driver, ["a"], np.array([0]), batch_size=0, database=db)
    # all of them are our errors, ValueErrors, and nothing was written
    assert issubclass(Neo4jQueryError, Neo4jAdapterError)
    assert all(v is None for v in written(driver, db, lab).values())


# ----------------------------------------------------------------------------------------
# command line
# ----------------------------------------------------------------------------------------


def cli(argv):
    parser = argparse.ArgumentParser(prog="infomap-learn")
    sub = parser.add_subparsers(dest="command", required=True)
    add_subcommand(sub)
    args = parser.parse_args(argv)
    return args.func(args)


def test_cli(server, driver, label, monkeypatch, capsys):
    lab, rel = label
    network, _ = planted_partition(n_modules=3, module_size=20, seed=3)
    edges = np.stack([network.source, network.target], axis=1)
    ids = load(driver, server.database, lab, rel, network.n_nodes, edges)
    monkeypatch.setenv("NEO4J_URI", server.uri)
    monkeypatch.setenv("NEO4J_USERNAME", "root")
    monkeypatch.setenv("NEO4J_PASSWORD", server.password)
    monkeypatch.delenv("NEO4J_DATABASE", raising=False)

    code = cli(["neo4j", "--database", server.database, "--node-label", lab,
                "--relationship-type", rel, "--write-property", "cli_c", "-N", "2",
                "--seed", "4", "--batch-size", "17", "--include-intermediate-communities"])
    out, err = capsys.readouterr()
    assert code == 0, err
    stats = json.loads(out)
    assert server.password not in out + err
    _, order = read_graph(driver, node_labels=lab, relationship_types=rel,
                          database=server.database)
    tree, _ = expected(ids, order, edges, network.n_nodes, seed=4, num_trials=2)
    assert_written(driver, server.database, lab, order, tree, prop="cli_c", path=True)
    assert stats["nodePropertiesWritten"] == network.n_nodes
    assert stats["communityCount"] == tree.num_top_modules
    assert stats["codelength"] == pytest.approx(tree.codelength)
    assert stats["batches"] == 4 and stats["levels"] == tree.num_levels

    # query mode, dry run: nothing written
    before = snapshot(driver, server.database)
    code = cli(["neo4j", "--database", server.database, "--two-level", "--dry-run",
                "--query", f"MATCH (a:{lab})-[r:{rel}]->(b:{lab}) "
                "RETURN elementId(a) AS source, elementId(b) AS target"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert json.loads(out)["dryRun"] is True
    assert snapshot(driver, server.database) == before

    # errors: a message on stderr, exit code 1, never the password
    monkeypatch.setenv("NEO4J_PASSWORD", "wrong-" + server.password)
    code = cli(["neo4j", "--database", server.database, "--node-label", lab])
    out, err = capsys.readouterr()
    assert code == 1 and "authentication failed" in err and out == ""
    assert server.password not in err
    monkeypatch.setenv("NEO4J_PASSWORD", server.password)
    code = cli(["neo4j", "--database", "nope", "--node-label", lab])
    out, err = capsys.readouterr()
    assert code == 1 and "does not exist" in err
    monkeypatch.delenv("NEO4J_URI")
    assert cli(["neo4j", "--node-label", lab]) == 2
    assert "NEO4J_URI" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli(["neo4j", "--query", "RETURN 1", "--node-label", lab])


# ----------------------------------------------------------------------------------------
# a server that dies in the middle of a write
# ----------------------------------------------------------------------------------------


def test_server_killed_mid_write_then_rerun_completes(tmp_path):
    network, _ = planted_partition(n_modules=5, module_size=60, p_in=0.2, p_out=0.005, seed=8)
    edges = np.stack([network.source, network.target], axis=1)
    n = network.n_nodes
    with running_server(tmp_path) as srv:
        drv = make_driver(srv, max_transaction_retry_time=1.0)
        ids = load(drv, srv.database, "Fault", "LINKS", n, edges)
        net, order = read_graph(drv, node_labels="Fault", relationship_types="LINKS",
                                database=srv.database)
        tree = infomap(net, seed=0)

        def kill_after_third(batch, batches, nodes_written):
            if batch == 3:
                srv.kill()

        start = time.perf_counter()
        with pytest.raises(Neo4jWriteError) as info:
            write_communities(drv, order, tree, batch_size=25, database=srv.database,
                              progress=kill_after_third)
        assert time.perf_counter() - start < 30
        err = info.value
        assert (err.nodes_written, err.failed_batch, err.batches) == (75, 4, 12)
        message = str(err)
        assert "batch 4 of 12" in message and "75 of 300 nodes were written" in message
        assert "run the same write again" in message
        drv.close()

        srv.start()  # the same root path and ports
        drv = make_driver(srv)
        got = written(drv, srv.database, "Fault")
        done = {k for k, v in got.items() if v is not None}
        assert done == set(order[:75])  # what was reported as written, was written
        stats = write_communities(drv, order, tree, batch_size=25, database=srv.database)
        assert stats.node_properties_written == n
        tree2, _ = expected(ids, order, edges, n, seed=0)
        assert_written(drv, srv.database, "Fault", order, tree2)
        assert_written(drv, srv.database, "Fault", order, tree)
        drv.close()


def test_relationship_type_typo_writes_nothing(server, driver, label):
    lab, rel = label
    network, _ = planted_partition(n_modules=2, module_size=10, seed=3)
    edges = np.stack([network.source, network.target], axis=1)
    load(driver, server.database, lab, rel, network.n_nodes, edges)
    before = snapshot(driver, server.database)
    with pytest.raises(Neo4jQueryError, match=r"20 nodes and no relationships .*nothing was"):
        label_communities(driver, node_labels=lab, relationship_types=rel + "_TYPO",
                          database=server.database)
    assert snapshot(driver, server.database) == before
    assert all(v is None for v in written(driver, server.database, lab).values())


def test_node_ids_that_are_not_element_ids_write_nothing_and_say_why(server, driver, label):
    lab, rel = label
    network, _ = planted_partition(n_modules=2, module_size=8, seed=4)
    edges = np.stack([network.source, network.target], axis=1)
    load(driver, server.database, lab, rel, network.n_nodes, edges)
    by_name = f"MATCH (a:{lab})-[r:{rel}]->(b:{lab}) RETURN a.name AS source, b.name AS target"
    with pytest.raises(Neo4jQueryError, match=r"none of the first 16 node ids matched a node"):
        label_communities(driver, query=by_name, database=server.database)
    assert all(v is None for v in written(driver, server.database, lab).values())


def test_credentials_in_the_uri_are_refused_and_never_repeated():
    for uri in ("neo4j://alice:s3cret@127.0.0.1:1", "bolt://u:s3cret@host:notaport"):
        with pytest.raises(Neo4jConnectionError, match="with a user name or password") as info:
            connect(uri)
        assert "s3cret" not in str(info.value) and info.value.__cause__ is None


def test_a_bad_batch_size_fails_before_the_server_is_contacted():
    with pytest.raises(Neo4jQueryError, match="batch_size must be a positive integer"):
        label_communities(f"bolt://127.0.0.1:{free_port()}", node_labels="X", batch_size=0)


def test_a_rejected_batch_says_to_remove_the_cause(server, driver, label, monkeypatch):
    from infomap_learn.adapters.neo4j import _write

    lab, rel = label
    network, _ = planted_partition(n_modules=2, module_size=10, seed=5)
    edges = np.stack([network.source, network.target], axis=1)
    load(driver, server.database, lab, rel, network.n_nodes, edges)
    net, order = read_graph(driver, node_labels=lab, relationship_types=rel,
                            database=server.database)  # fmt: skip
    real = _write._write_batch
    calls = itertools.count()

    def rejected_second(tx, statement, rows):
        if next(calls) == 1:  # (as a constraint the server enforces would)
            raise neo4j.exceptions.Neo4jError._hydrate_neo4j(
                code="Neo.ClientError.Schema.ConstraintValidationFailed",
                message="the property value is already taken",
            )
        return real(tx, statement, rows)

    monkeypatch.setattr(_write, "_write_batch", rejected_second)
    with pytest.raises(Neo4jWriteError) as info:
        write_communities(driver, order, infomap(net, seed=0), batch_size=10,
                          database=server.database)  # fmt: skip
    message = str(info.value)
    assert "already taken" in message and "remove the cause" in message
    assert "run the same write again to complete it" not in message
