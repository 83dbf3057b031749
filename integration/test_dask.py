"""``infomap_learn.dask`` on a real ``LocalCluster`` of worker processes."""

import os
import signal
import threading
import time

import numpy as np
import pytest

pytest.importorskip("dask")
pd = pytest.importorskip("pandas")
distributed = pytest.importorskip("distributed")
import dask.array as da  # noqa: E402
import dask.dataframe as dd  # noqa: E402

from infomap_learn import Network, compute_flow, infomap  # noqa: E402
from infomap_learn.adapters.knn import knn_graph as local_knn_graph  # noqa: E402
from infomap_learn.dask import DaskInfoMapClustering, knn_graph  # noqa: E402
from infomap_learn.dask import infomap as dask_infomap  # noqa: E402
from infomap_learn.datasets import planted_partition  # noqa: E402
from infomap_learn.mapequation import hierarchical_codelength, two_level_codelength  # noqa: E402


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


def _frame(network: Network, shuffle_seed: int | None = 0) -> pd.DataFrame:
    frame = pd.DataFrame({
        "source": network.source, "target": network.target, "weight": network.weight,
    })  # fmt: skip
    if shuffle_seed is not None:
        frame = frame.sample(frac=1.0, random_state=shuffle_seed).reset_index(drop=True)
    return frame


def _labels(modules) -> np.ndarray:
    return modules.compute().sort_values("node")["module"].to_numpy()


@pytest.fixture(scope="module")
def planted():
    network, truth = planted_partition(12, 40, 0.3, 0.01, seed=1)
    return network, truth


def _directed_network(seed=0):
    network, _ = planted_partition(6, 30, 0.3, 0.02, seed=seed)
    keep = np.random.default_rng(seed).random(network.n_links) < 0.7
    return Network(network.source[keep], network.target[keep], n_nodes=network.n_nodes,
                   directed=True)  # fmt: skip


def test_codelength_is_the_exact_map_equation_of_the_labels(client, planted):
    network, truth = planted
    modules, stats = dask_infomap(_frame(network), client, n_partitions=4, return_stats=True)
    labels = _labels(modules)
    exact = two_level_codelength(compute_flow(network), labels).codelength
    assert stats.codelength == pytest.approx(exact, abs=1e-10)
    assert stats.codelength < stats.one_level_codelength


def test_as_good_as_the_single_machine_search(client, planted):
    network, truth = planted
    modules, stats = dask_infomap(_frame(network), client, n_partitions=5, return_stats=True)
    single = infomap(network, two_level=True, seed=0)
    assert stats.codelength <= single.codelength * 1.01
    from sklearn.metrics import normalized_mutual_info_score

    assert normalized_mutual_info_score(truth, _labels(modules)) >= 0.95
    assert stats.n_nodes == network.n_nodes and stats.n_links == network.n_links
    assert stats.rounds and all(r.bytes_sent > 0 for r in stats.rounds)


def test_the_answer_does_not_depend_on_the_partitions(client, planted):
    network, _ = planted
    first = _labels(dask_infomap(_frame(network), client, n_partitions=2, seed=3))
    second = _labels(dask_infomap(_frame(network, 5), client, n_partitions=7, seed=3))
    np.testing.assert_array_equal(first, second)


@pytest.mark.parametrize("directed", [False, True])
def test_views_and_a_copy_per_worker_give_the_same_answer(client, planted, monkeypatch,
                                                          directed):  # fmt: skip
    from infomap_learn.dask import _search

    network = _directed_network() if directed else planted[0]
    with_views = _search.with_views
    answers, modes = [], []
    for send_views in (True, False):
        def forced(cluster, level, send_views=send_views):
            level = with_views(cluster, level)
            modes.append(level.send_views)
            level.send_views = send_views
            return level

        monkeypatch.setattr(_search, "with_views", forced)
        modules, stats = dask_infomap(_frame(network), client, directed=directed,
                                      n_partitions=3, seed=2, return_stats=True)  # fmt: skip
        answers.append((_labels(modules), stats.codelength, stats.bytes_per_round))
    np.testing.assert_array_equal(answers[0][0], answers[1][0])
    assert answers[0][1] == answers[1][1]
    # the level chooses by node counts, near enough to the bytes the rounds then move
    chosen, other = (answers[0][2], answers[1][2]) if modes[0] else (answers[1][2], answers[0][2])
    assert chosen <= 1.1 * other


def test_directed_flow_and_codelength_match_the_single_machine_flow(client):
    network = _directed_network()
    modules, stats = dask_infomap(
        _frame(network), client, directed=True, n_partitions=3, return_stats=True
    )
    labels = _labels(modules)
    exact = two_level_codelength(compute_flow(network), labels).codelength
    assert stats.codelength == pytest.approx(exact, abs=1e-9)
    assert stats.flow_iterations >= 50
    single = infomap(network, two_level=True)
    assert stats.codelength <= single.codelength * 1.01


def test_hierarchy_is_exact_and_no_longer_than_two_levels(client):
    import networkx as nx

    edges = np.array(nx.connected_caveman_graph(24, 6).edges())
    frame = pd.DataFrame({"source": edges[:, 0], "target": edges[:, 1]})
    flat, flat_stats = dask_infomap(frame, client, n_partitions=3, return_stats=True)
    tree, stats = dask_infomap(frame, client, n_partitions=3, two_level=False,
                               return_stats=True)  # fmt: skip
    rows = tree.compute().sort_values("node")
    levels = [c for c in rows.columns if c.startswith("level_")]
    assert len(levels) == 2  # super-modules above the caves
    paths = rows[levels].to_numpy()
    exact = hierarchical_codelength(compute_flow(Network.from_edges(edges)), paths).codelength
    assert stats.codelength == pytest.approx(exact, abs=1e-10)
    assert stats.codelength < flat_stats.codelength
    np.testing.assert_array_equal(rows["module"], rows["level_1"])


def _nested_links(seed=0) -> tuple[pd.DataFrame, int]:
    """4 groups of 4 groups of 10 nodes, links denser the deeper two nodes share a group."""
    n = 160
    top, middle = np.arange(n) // 40, np.arange(n) // 10
    i, j = np.triu_indices(n, 1)
    p = np.where(middle[i] == middle[j], 0.6, np.where(top[i] == top[j], 0.08, 0.004))
    keep = np.random.default_rng(seed).random(i.size) < p
    return pd.DataFrame({"source": i[keep], "target": j[keep]}), n


def test_top_modules_are_searched_again_from_their_nodes(client, monkeypatch):
    from infomap_learn.dask import _subtrees

    frame, n = _nested_links()
    network = Network(frame["source"].to_numpy(), frame["target"].to_numpy(), n_nodes=n)
    lengths = []
    for searched_again in (True, False):
        if not searched_again:
            monkeypatch.setattr(_subtrees, "repartitioned", lambda *args: (args[2], np.inf))
        tree, stats = dask_infomap(frame, client, two_level=False, n_partitions=3, seed=0,
                                   return_stats=True)  # fmt: skip
        rows = tree.compute().sort_values("node")
        paths = rows[[c for c in rows.columns if c.startswith("level_")]].to_numpy()
        exact = hierarchical_codelength(compute_flow(network), paths).codelength
        assert stats.codelength == pytest.approx(exact, abs=1e-10)
        lengths.append(stats.codelength)
    single = infomap(network, two_level=False, seed=0).codelength
    assert lengths[0] < lengths[1] - 0.01
    # (the single machine's tree, here: its top is found again by dissolving coarse ones)
    assert lengths[0] <= single * 1.0005


def test_ids_as_written_strings_and_weights(client):
    frame = pd.DataFrame({
        "source": ["a", "b", "c", "d", "e", "f", "c"],
        "target": ["b", "c", "a", "e", "f", "d", "d"],
        "weight": [2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 0.5],
    })  # fmt: skip
    out = dask_infomap(dd.from_pandas(frame, npartitions=2), client).compute()
    modules = dict(zip(out["node"], out["module"]))
    assert modules["a"] == modules["b"] == modules["c"] != modules["d"]
    assert modules["d"] == modules["e"] == modules["f"]


def test_labels_written_to_parquet_by_the_workers(client, planted, tmp_path):
    network, _ = planted
    modules = dask_infomap(_frame(network), client, n_partitions=3)
    modules.to_parquet(str(tmp_path / "modules"))
    back = pd.read_parquet(tmp_path / "modules").sort_values("node")
    np.testing.assert_array_equal(back["module"].to_numpy(), _labels(modules))


@pytest.mark.parametrize(
    "frame, message",
    [
        (pd.DataFrame({"from": [0], "target": [1]}), "no column 'source'"),
        (pd.DataFrame({"source": [0, 1], "target": [1, 2], "weight": [1.0, -2.0]}),
         "link 1 -> 2 has weight -2.0"),
        (pd.DataFrame({"source": [0.0, np.nan], "target": [1.0, 2.0]}), "missing node id"),
        (pd.DataFrame({"source": np.zeros(0, int), "target": np.zeros(0, int)}), "no rows"),
    ],
)  # fmt: skip
def test_bad_links_are_named(client, frame, message):
    with pytest.raises(ValueError, match=message):
        dask_infomap(frame, client)


@pytest.mark.parametrize(
    "option, message",
    [({"n_partitions": 0}, "n_partitions"), ({"markov_time": 0}, "markov_time"),
     ({"teleportation_probability": 1.0}, "teleportation_probability"),
     ({"two_level": "yes"}, "two_level")],
)  # fmt: skip
def test_bad_options_are_named(client, option, message):
    frame = pd.DataFrame({"source": [0], "target": [1]})
    with pytest.raises(ValueError, match=message):
        dask_infomap(frame, client, **option)


def test_no_client_is_a_clear_error(monkeypatch):
    def no_client():
        raise ValueError("No clients found")

    # (this module's cluster is the default client while it runs)
    monkeypatch.setattr(distributed, "get_client", no_client)
    frame = pd.DataFrame({"source": [0], "target": [1]})
    with pytest.raises(ValueError, match="no Dask client"):
        dask_infomap(frame)


def test_knn_graph_gives_the_single_machine_links(client):
    from sklearn.datasets import make_blobs

    X, _ = make_blobs(700, n_features=5, centers=4, random_state=0)
    for symmetrize in ("union", "mutual"):
        net = local_knn_graph(X, n_neighbors=8, method="exact", symmetrize=symmetrize)
        links = knn_graph(da.from_array(X, chunks=200), n_neighbors=8, symmetrize=symmetrize)
        links = links.compute().sort_values(["source", "target"])
        np.testing.assert_array_equal(links["source"], net.source)
        np.testing.assert_array_equal(links["target"], net.target)
        np.testing.assert_allclose(links["weight"], net.weight, rtol=1e-9)
    with pytest.raises(ValueError, match="jaccard"):
        knn_graph(da.from_array(X, chunks=200), weighting="jaccard")


def test_embeddings_to_modules_on_the_cluster(client):
    """Chunked embeddings -> kNN links -> modules, as good as on one machine."""
    from sklearn.datasets import make_blobs

    X, _ = make_blobs(900, n_features=6, centers=5, random_state=2)
    links = knn_graph(da.from_array(X, chunks=300), n_neighbors=10)
    _, stats = dask_infomap(links, client, return_stats=True)
    single = infomap(local_knn_graph(X, n_neighbors=10, method="exact"), two_level=True)
    assert stats.codelength <= single.codelength * 1.01


def test_a_worker_killed_mid_run_gives_the_same_labels_or_a_clear_error(client):
    network, _ = planted_partition(20, 60, 0.2, 0.005, seed=4)
    frame = _frame(network)
    expected = _labels(dask_infomap(frame, client, n_partitions=4))
    pids = list(client.run(os.getpid).values())
    outcome = {}

    def run():
        try:
            outcome["labels"] = _labels(dask_infomap(frame, client, n_partitions=4))
        except Exception as error:  # noqa: BLE001 - any other type fails the test below
            outcome["error"] = error

    thread = threading.Thread(target=run)
    thread.start()
    time.sleep(1.0)
    os.kill(pids[0], signal.SIGKILL)
    thread.join(timeout=300)
    assert not thread.is_alive()
    if "labels" in outcome:
        np.testing.assert_array_equal(outcome["labels"], expected)
    else:
        assert isinstance(outcome["error"], RuntimeError), repr(outcome["error"])
        assert "worker was lost" in str(outcome["error"])
    client.wait_for_workers(2, timeout=60)


def test_the_estimator_follows_dask_ml(client):
    from sklearn.base import clone
    from sklearn.datasets import make_blobs
    from sklearn.metrics import adjusted_rand_score

    X, y = make_blobs(600, n_features=4, centers=4, cluster_std=0.5, random_state=1)
    model = DaskInfoMapClustering(n_neighbors=10, random_state=0)
    labels = model.fit_predict(da.from_array(X, chunks=150))
    assert isinstance(labels, da.Array) and labels.chunks == ((150,) * 4,)
    assert adjusted_rand_score(y, labels.compute()) > 0.95
    assert model.n_clusters_ == 4 and model.codelength_ == model.stats_.codelength
    assert model.n_features_in_ == 4
    again = clone(model).fit(X)  # a numpy array is chunked for it
    np.testing.assert_array_equal(again.labels_.compute(), labels.compute())
    with pytest.raises(ValueError, match="weighting"):
        DaskInfoMapClustering(weighting="jaccard").fit(X)


def test_the_estimator_keeps_a_dask_dataframe_partitioned_and_its_column_names(client):
    import dask.dataframe as dd
    from sklearn.datasets import make_blobs

    X, _ = make_blobs(600, n_features=3, centers=3, cluster_std=0.5, random_state=2)
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    model = DaskInfoMapClustering(n_neighbors=10, random_state=0)
    labels = model.fit_predict(dd.from_pandas(frame, npartitions=3))
    assert len(labels.chunks[0]) == 3 and model.stats_.n_shards == 3  # (not one chunk)
    np.testing.assert_array_equal(model.feature_names_in_, ["a", "b", "c"])
    same = DaskInfoMapClustering(n_neighbors=10, random_state=0)
    same.fit(da.from_array(X, chunks=200))
    np.testing.assert_array_equal(same.labels_.compute(), labels.compute())
    assert not hasattr(same, "feature_names_in_")
    renamed = dd.from_pandas(frame.rename(columns={"a": "x"}), npartitions=2)
    with pytest.raises(ValueError, match="feature names of X differ"):
        model.predict(renamed)
    unknown = dd.from_pandas(frame, npartitions=3).to_dask_array()
    with pytest.raises(ValueError, match="chunks of unknown size"):
        DaskInfoMapClustering().fit(unknown)
    from scipy import sparse

    with pytest.raises(TypeError, match="scipy sparse X"):
        DaskInfoMapClustering().fit(sparse.csr_matrix(X))


def test_the_estimator_without_a_client_fails_before_any_work(monkeypatch):
    def no_client():
        raise ValueError("No clients found")

    monkeypatch.setattr(distributed, "get_client", no_client)
    X = np.random.default_rng(0).normal(size=(50, 2))
    with pytest.raises(ValueError, match="needs a running Dask client: start one first"):
        DaskInfoMapClustering().fit(X)


def _pulled(labels, neighbors, weights) -> np.ndarray:
    """The module each new sample's links carry the most weight into (ties: lowest id),
    from the single-machine adapter's neighbours and weights."""
    pull = np.zeros((neighbors.shape[0], labels.max() + 1))
    np.add.at(pull, (np.repeat(np.arange(neighbors.shape[0]), neighbors.shape[1]),
                     labels[neighbors].ravel()), weights.ravel())  # fmt: skip
    return pull.argmax(axis=1)


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"weighting": "connectivity"},
        {"metric": "cosine"},
        {"threshold": 0.5},
        {"method": "approximate", "two_level": True},
    ],
)
def test_predict_pulls_new_samples_as_the_single_machine_weights_do(client, options):
    """New samples, in blocks, get the module that the single-machine adapter's
    neighbours and weights (same training labels) give them."""
    from infomap_learn.adapters.knn import neighbor_weights

    if options.get("method") == "approximate":
        pytest.importorskip("pynndescent")
    X, _ = _blobs_for_predict()
    model = DaskInfoMapClustering(n_neighbors=8, random_state=0, **options)
    model.fit(da.from_array(X[:500], chunks=125))
    new = X[500:] + 0.05
    predicted = model.predict(da.from_array(new, chunks=37))
    assert isinstance(predicted, da.Array) and predicted.chunks[0][0] == 37
    labels = model.labels_.compute()
    kwargs = {k: v for k, v in options.items() if k in ("weighting", "metric", "threshold")}
    neighbors, weights = neighbor_weights(X[:500], new, n_neighbors=8, **kwargs)
    np.testing.assert_array_equal(predicted.compute(), _pulled(labels, neighbors, weights))
    # a training sample asked again lands in its own module
    again = model.predict(X[:500]).compute()
    assert (again == labels).mean() > 0.95


def _blobs_for_predict():
    from sklearn.datasets import make_blobs

    return make_blobs(650, n_features=5, centers=5, cluster_std=1.2, random_state=3)


def test_predict_names_bad_input(client):
    from sklearn.exceptions import NotFittedError

    X, _ = _blobs_for_predict()
    with pytest.raises(NotFittedError):
        DaskInfoMapClustering().predict(X)
    model = DaskInfoMapClustering(n_neighbors=5, random_state=0).fit(X[:200])
    with pytest.raises(ValueError, match="X has 3 features, but DaskInfoMapClustering"):
        model.predict(X[:10, :3])
    with pytest.raises(ValueError, match="2-dimensional"):
        model.predict(da.from_array(X[:10, 0], chunks=5))
    assert model.predict(np.zeros((0, 5))).compute().shape == (0,)


@pytest.mark.parametrize("method", ["exact", "approximate"])
def test_empty_chunks_of_rows_change_nothing(client, method):
    X, _ = _blobs_for_predict()
    gappy = da.from_array(X[:300], chunks=((100, 0, 200), (5,)))
    plain = da.from_array(X[:300], chunks=100)
    links = [knn_graph(data, n_neighbors=5, method=method).compute()
             .sort_values(["source", "target"]).to_numpy() for data in (gappy, plain)]  # fmt: skip
    np.testing.assert_array_equal(links[0][:, :2], links[1][:, :2])
    # (distances of other blocks of rows round differently)
    np.testing.assert_allclose(links[0][:, 2], links[1][:, 2], rtol=1e-12)
    model = DaskInfoMapClustering(n_neighbors=5, method=method, random_state=0).fit(plain)
    new = da.from_array(X[300:305], chunks=((2, 0, 3), (5,)))
    labels = model.predict(new)
    assert labels.shape == (5,)
    np.testing.assert_array_equal(labels.compute(), model.predict(X[300:305]).compute())


def test_modules_written_to_neo4j_by_the_workers(client, server):
    """Links read by elementId, modules found on the cluster, written back by the
    workers to the real Bolt server, one partition per task."""
    neo4j = pytest.importorskip("neo4j")
    from infomap_learn.dask import write_neo4j

    network, _ = planted_partition(4, 25, 0.4, 0.02, seed=7)
    with neo4j.GraphDatabase.driver(server.uri, auth=server.auth) as driver:
        with driver.session(database=server.database) as session:
            session.run("UNWIND range(0, $n - 1) AS i CREATE (:DaskNode {i: i})",
                        n=network.n_nodes).consume()  # fmt: skip
            rows = session.run(
                "MATCH (n:DaskNode) RETURN elementId(n) AS id, n.i AS i"
            ).data()
        element = np.empty(network.n_nodes, dtype=object)
        for row in rows:
            element[row["i"]] = row["id"]
        frame = pd.DataFrame({
            "source": element[network.source], "target": element[network.target],
        })  # fmt: skip
        modules = dask_infomap(dd.from_pandas(frame, npartitions=3), client)
        modules = modules.repartition(npartitions=3)
        summary = write_neo4j(modules, server.uri, server.auth, database=server.database,
                              write_property="dask_module", batch_size=17)  # fmt: skip
        assert summary["node_properties_written"] == network.n_nodes
        assert summary["partitions"] == 3
        with driver.session(database=server.database) as session:
            back = session.run(
                "MATCH (n:DaskNode) RETURN elementId(n) AS id, n.dask_module AS m"
            ).data()
    expected = dict(zip(*modules.compute()[["node", "module"]].to_numpy().T))
    assert {row["id"]: row["m"] for row in back} == expected
    from infomap_learn.adapters.neo4j import Neo4jConnectionError

    with pytest.raises(Neo4jConnectionError, match="scheme"):
        write_neo4j(modules, "http://localhost:7474")


def test_approximate_knn_finds_the_exact_neighbours():
    """pynndescent per block, queried by every block (threads share an index: they must
    not query it at once), keeps >= 99% of the exact neighbours on hard 32-d blobs."""
    pytest.importorskip("pynndescent")
    from sklearn.datasets import make_blobs
    from sklearn.neighbors import NearestNeighbors

    X, _ = make_blobs(4000, n_features=32, centers=20, cluster_std=4.0, random_state=0)
    k = 15
    exact = NearestNeighbors(n_neighbors=k).fit(X).kneighbors()[1]
    links = knn_graph(
        da.from_array(X, chunks=1000), k, method="approximate", weighting="connectivity",
        symmetrize="none",
    ).compute(scheduler="threads")  # fmt: skip
    truth = np.repeat(np.arange(len(X)), k) * len(X) + exact.ravel()
    found = links["source"].to_numpy() * len(X) + links["target"].to_numpy()
    assert np.isin(truth, found).mean() >= 0.99
    assert len(links) == len(X) * k


def test_the_estimator_on_fewer_samples_than_neighbours_warns_as_the_single_machine_one(client):
    X = np.random.default_rng(0).normal(size=(8, 2))
    with pytest.warns(UserWarning, match="n_neighbors=15 is not smaller than n_samples=8") as w:
        model = DaskInfoMapClustering(random_state=0).fit(X)
    assert w[0].filename == __file__
    assert model.labels_.shape == (8,)


def _links_read_over_a_broken_connection(part: int) -> pd.DataFrame:
    if part == 1:  # (as a read of the user's data from a store that dropped the connection)
        raise ConnectionResetError("the store reset the connection while reading part 1")
    first = 3 * part
    return pd.DataFrame({"source": [first, first + 1], "target": [first + 1, first + 2]})


def test_a_read_error_of_the_users_data_surfaces_as_itself(client):
    """Not as 'a Dask worker was lost': the task's own error, once, without retries."""
    import dask

    meta = pd.DataFrame({"source": pd.Series(dtype=np.int64), "target": pd.Series(dtype=np.int64)})
    parts = [dask.delayed(_links_read_over_a_broken_connection)(p) for p in range(3)]
    links = dd.from_delayed(parts, meta=meta)
    start = time.perf_counter()
    with pytest.raises(ConnectionResetError, match="the store reset the connection"):
        dask_infomap(links, client)
    assert time.perf_counter() - start < 60  # (no wait for workers that never left)


def test_a_threshold_that_drops_every_link_is_named(client):
    X = np.random.default_rng(1).normal(size=(60, 3))
    with pytest.raises(ValueError, match=r"no neighbour link has a weight >= threshold=0\.9999"):
        DaskInfoMapClustering(n_neighbors=5, threshold=0.9999, random_state=0).fit(X)
