"""infomap_learn.adapters.scanpy against real AnnData objects and scanpy's pbmc68k_reduced."""

from __future__ import annotations

import sys
import warnings

import numpy as np
import pytest
from scipy import sparse
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from infomap_learn import Network
from infomap_learn import infomap as core_infomap

sc = pytest.importorskip("scanpy")
anndata = pytest.importorskip("anndata")
pd = pytest.importorskip("pandas")

from infomap_learn.adapters.scanpy import infomap  # noqa: E402


@pytest.fixture(scope="module")
def pbmc_base():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return sc.datasets.pbmc68k_reduced()


@pytest.fixture
def pbmc(pbmc_base):
    return pbmc_base.copy()


def _same_partition(a, b) -> bool:
    return adjusted_rand_score(np.asarray(a), np.asarray(b)) == 1.0


def _assert_anndata_equal(a, b) -> None:
    """Every field of ``a`` equals the one of ``b`` (obs, var, uns, obsp, obsm, X)."""
    assert list(a.obs.columns) == list(b.obs.columns)
    pd.testing.assert_frame_equal(a.obs, b.obs)
    pd.testing.assert_frame_equal(a.var, b.var)
    assert set(a.obsp.keys()) == set(b.obsp.keys())
    for key in a.obsp.keys():
        assert (a.obsp[key] != b.obsp[key]).nnz == 0
        assert type(a.obsp[key]) is type(b.obsp[key])
    assert set(a.obsm.keys()) == set(b.obsm.keys())
    for key in a.obsm.keys():
        np.testing.assert_array_equal(a.obsm[key], b.obsm[key])
    assert set(a.uns.keys()) == set(b.uns.keys())
    np.testing.assert_array_equal(
        a.X.toarray() if sparse.issparse(a.X) else a.X,
        b.X.toarray() if sparse.issparse(b.X) else b.X,
    )


def _small_adata(n: int = 40, seed: int = 0):
    rng = np.random.default_rng(seed)
    centers = rng.normal(scale=8.0, size=(4, 5))
    X = np.vstack([c + rng.normal(size=(n // 4, 5)) for c in centers]).astype(np.float32)
    adata = anndata.AnnData(X)
    adata.obs["group"] = pd.Categorical(np.repeat(np.arange(4), n // 4).astype(str))
    return adata


# --- results -----------------------------------------------------------------------------


def test_writes_labels_levels_and_uns(pbmc):
    assert infomap(pbmc, num_trials=2) is None
    labels = pbmc.obs["infomap"]
    assert isinstance(labels.dtype, pd.CategoricalDtype)
    info = pbmc.uns["infomap"]
    k = info["num_top_modules"]
    assert list(labels.cat.categories) == [str(i) for i in range(k)]
    assert labels.nunique() == k
    # "0" is the largest-flow module; flows decrease with the label
    flow = info["module_flow"]
    assert flow.shape == (k,) and flow.sum() == pytest.approx(1.0)
    assert np.all(np.diff(flow) <= 1e-12)
    assert info["num_levels"] >= 2  # the pbmc graph has a hierarchy
    assert 0 < info["codelength"] < info["one_level_codelength"]
    assert info["relative_codelength_savings"] == pytest.approx(
        1 - info["codelength"] / info["one_level_codelength"]
    )
    params = info["params"]
    assert params["two_level"] is False and params["random_state"] == 0
    assert params["num_trials"] == 2 and params["use_weights"] is True
    assert params["directed"] is False and params["flow_model"] == "undirected"

    levels = [f"infomap_level_{i}" for i in range(1, info["num_levels"] + 1)]
    assert [c for c in pbmc.obs.columns if c.startswith("infomap_level_")] == levels
    assert (pbmc.obs["infomap_level_1"].astype(str) == labels.astype(str)).all()
    for upper, lower in zip(levels[:-1], levels[1:]):
        up = pbmc.obs[upper].astype(str).to_numpy()
        low = pbmc.obs[lower].astype(str).to_numpy()
        # nested: each path extends the one above it (or is it, for a shallower leaf)
        assert all(b == a or b.startswith(a + ",") for a, b in zip(up, low))
        assert isinstance(pbmc.obs[lower].dtype, pd.CategoricalDtype)
    deepest = pbmc.obs[levels[-1]].astype(str)
    # some cells sit in shallower leaf modules than others on this graph
    assert deepest.str.count(",").nunique() > 1


def test_labels_and_levels_equal_the_core(pbmc):
    infomap(pbmc, random_state=3, num_trials=2, markov_time=1.2)
    tree = core_infomap(
        Network.from_scipy(pbmc.obsp["connectivities"]), seed=3, num_trials=2, markov_time=1.2
    )
    np.testing.assert_array_equal(pbmc.obs["infomap"].astype(int).to_numpy(), tree.labels)
    assert pbmc.uns["infomap"]["codelength"] == pytest.approx(tree.codelength, abs=1e-12)
    assert pbmc.uns["infomap"]["num_levels"] == tree.num_levels
    for level in range(1, tree.num_levels + 1):
        column = pbmc.obs[f"infomap_level_{level}"].astype(str).to_numpy()
        assert _same_partition(column, tree.labels_at(level))
        expected = [",".join(str(v) for v in row[:level] if v >= 0) for row in tree.paths.tolist()]
        assert column.tolist() == expected


def test_two_level(pbmc):
    infomap(pbmc, two_level=True, key_added="im2")
    tree = core_infomap(Network.from_scipy(pbmc.obsp["connectivities"]), two_level=True)
    np.testing.assert_array_equal(pbmc.obs["im2"].astype(int).to_numpy(), tree.labels)
    assert pbmc.uns["im2"]["num_levels"] == 1
    assert [c for c in pbmc.obs.columns if c.startswith("im2")] == ["im2", "im2_level_1"]


def test_categories_in_numerical_order():
    # 12 separate triangles: 12 modules, and "10" must follow "9", not "1"
    blocks = sparse.block_diag([np.ones((3, 3)) - np.eye(3)] * 12, format="csr")
    adata = anndata.AnnData(np.zeros((36, 1), dtype=np.float32))
    infomap(adata, adjacency=blocks, two_level=True)
    categories = list(adata.obs["infomap"].cat.categories)
    assert categories == [str(i) for i in range(12)]


def test_everything_else_untouched(pbmc):
    before = pbmc.copy()
    infomap(pbmc, key_added="im")
    new = {"im"} | {c for c in pbmc.obs.columns if c.startswith("im_level_")}
    assert set(pbmc.obs.columns) - set(before.obs.columns) == new
    assert set(pbmc.uns.keys()) - set(before.uns.keys()) == {"im"}
    trimmed = pbmc.copy()
    trimmed.obs = trimmed.obs.drop(columns=sorted(new))
    del trimmed.uns["im"]
    _assert_anndata_equal(trimmed, before)
    for key in before.uns.keys():
        assert repr(pbmc.uns[key]) == repr(before.uns[key])


def test_copy_returns_new_and_leaves_input(pbmc):
    before = pbmc.copy()
    out = infomap(pbmc, copy=True, random_state=1)
    assert isinstance(out, anndata.AnnData) and out is not pbmc
    _assert_anndata_equal(pbmc, before)
    assert "infomap" in out.obs and "infomap" in out.uns
    again = pbmc.copy()
    assert infomap(again, random_state=1) is None
    pd.testing.assert_series_equal(again.obs["infomap"], out.obs["infomap"])


def test_rerun_replaces_stale_level_columns(pbmc):
    pbmc.obs["infomap_level_x"] = 1  # not ours: kept
    pbmc.obs["other_level_1"] = 2
    infomap(pbmc)
    assert pbmc.uns["infomap"]["num_levels"] >= 2
    infomap(pbmc, two_level=True)
    assert "infomap_level_2" not in pbmc.obs
    assert {"infomap_level_1", "infomap_level_x", "other_level_1"} <= set(pbmc.obs.columns)


def test_reproducible_with_random_state(pbmc):
    a = infomap(pbmc, random_state=7, copy=True)
    b = infomap(pbmc, random_state=7, copy=True)
    for column in [c for c in a.obs.columns if c.startswith("infomap")]:
        pd.testing.assert_series_equal(a.obs[column], b.obs[column])
    assert a.uns["infomap"]["codelength"] == b.uns["infomap"]["codelength"]
    assert a.uns["infomap"]["params"]["random_state"] == 7


def test_h5ad_round_trip(pbmc, tmp_path):
    infomap(pbmc)
    path = tmp_path / "pbmc.h5ad"
    pbmc.write_h5ad(path)
    back = anndata.read_h5ad(path)
    pd.testing.assert_series_equal(back.obs["infomap"], pbmc.obs["infomap"])
    assert back.uns["infomap"]["params"] == pbmc.uns["infomap"]["params"]
    assert back.uns["infomap"]["codelength"] == pbmc.uns["infomap"]["codelength"]


def test_view_is_clustered_like_leiden(pbmc):
    view = pbmc[:300]
    out = infomap(view, copy=True)
    assert not out.is_view and out.n_obs == 300
    tree = core_infomap(Network.from_scipy(pbmc.obsp["connectivities"][:300, :300]))
    np.testing.assert_array_equal(out.obs["infomap"].astype(int).to_numpy(), tree.labels)
    # in place, a view becomes an actual AnnData (as with sc.tl.leiden); its parent keeps
    # its own columns, including level columns the view drops as stale
    infomap(pbmc)
    parent_columns = list(pbmc.obs.columns)
    assert "infomap_level_2" in parent_columns
    view = pbmc[:300]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # anndata's ImplicitModificationWarning
        infomap(view, two_level=True)
    assert not view.is_view
    assert "infomap_level_2" not in view.obs
    np.testing.assert_array_equal(
        view.obs["infomap"].astype(int).to_numpy(),
        core_infomap(
            Network.from_scipy(pbmc.obsp["connectivities"][:300, :300]), two_level=True
        ).labels,
    )
    assert list(pbmc.obs.columns) == parent_columns


# --- choosing the graph ------------------------------------------------------------------


def test_neighbors_key_obsp_and_adjacency_choose_the_graph():
    adata = _small_adata()
    sc.pp.neighbors(adata, n_neighbors=5, use_rep="X")
    sc.pp.neighbors(adata, n_neighbors=12, use_rep="X", key_added="nn12")
    conn5 = adata.obsp["connectivities"]
    conn12 = adata.obsp["nn12_connectivities"]
    assert (conn5 != conn12).nnz > 0

    def labels(**kwargs):
        return infomap(adata, copy=True, two_level=True, **kwargs).obs["infomap"].to_numpy()

    def core(matrix):
        return core_infomap(Network.from_scipy(matrix), two_level=True).labels.astype(str)

    np.testing.assert_array_equal(labels(), core(conn5))
    np.testing.assert_array_equal(labels(neighbors_key="nn12"), core(conn12))
    np.testing.assert_array_equal(labels(obsp="nn12_connectivities"), core(conn12))
    np.testing.assert_array_equal(labels(adjacency=conn12), core(conn12))
    np.testing.assert_array_equal(labels(adjacency=conn12.toarray()), core(conn12))
    # adjacency overrides obsp and neighbors_key, as in leiden
    np.testing.assert_array_equal(labels(adjacency=conn12, obsp="connectivities"), core(conn12))


def test_obsp_distances_is_directed_by_default(pbmc):
    dist = pbmc.obsp["distances"]
    assert (dist != dist.T).nnz > 0
    infomap(pbmc, obsp="distances", two_level=True)
    assert pbmc.uns["infomap"]["params"]["directed"] is True
    assert pbmc.uns["infomap"]["params"]["flow_model"] == "directed"
    tree = core_infomap(Network.from_scipy(dist), two_level=True)
    np.testing.assert_array_equal(pbmc.obs["infomap"].astype(int).to_numpy(), tree.labels)


@pytest.mark.parametrize("directed", [True, False])
def test_directed_is_forced(pbmc, directed):
    for matrix_key in ("connectivities", "distances"):
        out = infomap(pbmc, obsp=matrix_key, directed=directed, two_level=True, copy=True)
        assert out.uns["infomap"]["params"]["directed"] is directed
        net = Network.from_scipy(pbmc.obsp[matrix_key], directed=directed)
        tree = core_infomap(net, two_level=True)
        np.testing.assert_array_equal(out.obs["infomap"].astype(int).to_numpy(), tree.labels)


def test_use_weights_false_clusters_the_pattern(pbmc):
    out = infomap(pbmc, use_weights=False, two_level=True, copy=True)
    pattern = (pbmc.obsp["connectivities"] != 0).astype(np.float64)
    tree = core_infomap(Network.from_scipy(pattern), two_level=True)
    np.testing.assert_array_equal(out.obs["infomap"].astype(int).to_numpy(), tree.labels)
    assert out.uns["infomap"]["params"]["use_weights"] is False
    assert out.uns["infomap"]["codelength"] == pytest.approx(tree.codelength, abs=1e-12)
    # the weights matter on this graph
    weighted = infomap(pbmc, two_level=True, copy=True)
    assert weighted.uns["infomap"]["codelength"] != out.uns["infomap"]["codelength"]


def test_options_pass_through(pbmc):
    out = infomap(pbmc, two_level=True, markov_time=3.0, num_trials=3, n_jobs=1, copy=True)
    params = out.uns["infomap"]["params"]
    assert params["markov_time"] == 3.0 and params["num_trials"] == 3
    default = infomap(pbmc, two_level=True, copy=True)
    assert out.uns["infomap"]["num_top_modules"] < default.uns["infomap"]["num_top_modules"]
    tree = core_infomap(
        Network.from_scipy(pbmc.obsp["connectivities"]),
        two_level=True,
        markov_time=3.0,
        num_trials=3,
    )
    np.testing.assert_array_equal(out.obs["infomap"].astype(int).to_numpy(), tree.labels)


def test_unknown_options_are_named(pbmc):
    with pytest.raises(TypeError, match="'resolution'.*'n_iterations'"):
        infomap(pbmc, resolution=1.0, n_iterations=2)
    with pytest.raises(TypeError, match=r"'seed' \(use random_state=\)"):
        infomap(pbmc, seed=1)
    assert "infomap" not in pbmc.obs


# --- bad input -----------------------------------------------------------------------------


def test_no_neighbour_graph():
    adata = _small_adata()
    with pytest.raises(ValueError, match=r"no neighbour graph.*sc\.pp\.neighbors\(adata\) first"):
        infomap(adata)
    with pytest.raises(ValueError, match=r"'nn'.*sc\.pp\.neighbors\(adata, key_added='nn'\)"):
        infomap(adata, neighbors_key="nn")
    adata.uns["neighbors"] = {"params": {}}  # the entry without its matrix
    with pytest.raises(ValueError, match=r"obsp has no 'connectivities'.*sc\.pp\.neighbors"):
        infomap(adata)
    assert "infomap" not in adata.obs and "infomap" not in adata.uns


def test_missing_obsp_key(pbmc):
    with pytest.raises(KeyError, match="'nope'.*connectivities"):
        infomap(pbmc, obsp="nope")


def test_obsp_and_neighbors_key_together(pbmc):
    with pytest.raises(ValueError, match="at most one of obsp and neighbors_key"):
        infomap(pbmc, obsp="connectivities", neighbors_key="neighbors")


@pytest.mark.parametrize(
    "shape",
    [(700, 699), (699, 699), (700,), (700, 700, 1)],
    ids=["nonsquare", "wrong_n", "1d", "3d"],
)
def test_wrong_shaped_adjacency(pbmc, shape):
    with pytest.raises(ValueError, match=r"\(n_obs, n_obs\) = \(700, 700\).*shape"):
        infomap(pbmc, adjacency=np.ones(shape))


@pytest.mark.parametrize("bad", [-0.5, np.nan, np.inf])
@pytest.mark.parametrize("use_weights", [True, False])
def test_bad_weights(pbmc, bad, use_weights):
    adjacency = pbmc.obsp["connectivities"].copy()
    adjacency.data[5] = bad
    with pytest.raises(ValueError, match="non-negative|finite"):
        infomap(pbmc, adjacency=adjacency, use_weights=use_weights)
    pbmc.obsp["weird"] = adjacency
    with pytest.raises(ValueError, match="non-negative|finite"):
        infomap(pbmc, obsp="weird", use_weights=use_weights)
    assert "infomap" not in pbmc.obs


def test_not_anndata_and_bad_random_state(pbmc):
    with pytest.raises(TypeError, match="AnnData"):
        infomap(pbmc.obsp["connectivities"])
    with pytest.raises(ValueError, match="random_state"):
        infomap(pbmc, random_state=-1)
    with pytest.raises(ValueError, match="random_state"):
        infomap(pbmc, random_state=np.random.default_rng(0))


def test_missing_extra_names_it(monkeypatch, pbmc):
    monkeypatch.setitem(sys.modules, "anndata", None)
    with pytest.raises(ImportError, match=r'pip install "infomap-learn\[scanpy\]"'):
        infomap(pbmc)


# --- quality on pbmc68k_reduced beside Leiden ------------------------------------------------


def test_pbmc_nmi_beside_leiden(pbmc):
    truth = pbmc.obs["bulk_labels"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        sc.tl.leiden(pbmc, flavor="igraph", n_iterations=2, directed=False, random_state=0)
    infomap(pbmc, two_level=True, key_added="two")
    infomap(pbmc, key_added="multi")
    infomap(pbmc, two_level=True, markov_time=2.0, key_added="mt2")
    nmi = {
        key: normalized_mutual_info_score(truth, pbmc.obs[key])
        for key in ("leiden", "two", "multi", "mt2")
    }
    print(" ".join(f"{key}={value:.3f}" for key, value in nmi.items()))
    # measured: leiden 0.612, two-level 0.571, multilevel top 0.539, markov_time=2 0.64
    assert nmi["leiden"] > 0.55
    assert nmi["two"] > nmi["leiden"] - 0.1
    assert nmi["multi"] > 0.45
    assert nmi["mt2"] > nmi["leiden"] - 0.03
