"""The exact-size, multi-threaded module network against the one-pass kernel and numpy."""

import numpy as np
import pytest
from scipy import sparse

from infomap_learn import _kernels as K
from infomap_learn.search import _constants as constants
from infomap_learn.search._aggregate import aggregate_links_exact
from infomap_learn.search._launch import launch_parallel
from infomap_learn.search._units import aggregate, leaf_units


def _random_csr(rng, n, nnz):
    rows = rng.integers(0, n, nnz)
    cols = rng.integers(0, n, nnz)
    matrix = sparse.csr_matrix((rng.random(nnz), (rows, cols)), shape=(n, n))
    matrix.sum_duplicates()
    return matrix.indptr.astype(np.int64), matrix.indices.astype(np.int32), matrix.data


def _numpy_module_links(module_of, k, ptr, idx, data):
    """The plain reference: sum the links by (module, module), drop a module's own."""
    rows = np.repeat(module_of, np.diff(ptr))
    cols = module_of[idx]
    keep = rows != cols
    return sparse.csr_matrix((data[keep], (rows[keep], cols[keep])), shape=(k, k)).toarray()


@pytest.mark.parametrize("n_chunks", [1, 2, 3, 8])
@pytest.mark.parametrize("n_modules", [1, 7, 300])
def test_equals_the_one_pass_kernel_bit_for_bit(n_chunks, n_modules):
    rng = np.random.default_rng(n_modules)
    n = 1000
    ptr, idx, data = _random_csr(rng, n, 8000)
    module_of = rng.integers(0, n_modules, n)
    k = int(module_of.max()) + 1
    expected = K.aggregate_links(module_of, k, ptr, idx, data)
    found = launch_parallel(aggregate_links_exact, n_chunks, module_of, k, ptr, idx, data, n_chunks)
    for want, got in zip(expected, found, strict=True):
        np.testing.assert_array_equal(got, want)
        assert got.dtype == want.dtype
    # arrays of the result's size, not the input's
    assert found[1].shape[0] == found[0][-1]
    dense = sparse.csr_matrix((found[2], found[1], found[0]), shape=(k, k)).toarray()
    np.testing.assert_allclose(dense, _numpy_module_links(module_of, k, ptr, idx, data))


def test_empty_modules_and_isolated_units():
    ptr = np.array([0, 1, 2, 2, 2], dtype=np.int64)
    idx = np.array([1, 0], dtype=np.int32)
    data = np.array([0.5, 0.5])
    module_of = np.array([0, 2, 2, 3])  # module 1 is empty; units 1 and 2 share one
    found = launch_parallel(aggregate_links_exact, 2, module_of, 4, ptr, idx, data, 2)
    np.testing.assert_array_equal(found[0], [0, 1, 1, 2, 2])
    np.testing.assert_array_equal(found[1], [2, 0])


def test_search_units_use_it_above_the_size_and_agree(monkeypatch):
    from infomap_learn import Network
    from infomap_learn.flow import compute_flow

    rng = np.random.default_rng(5)
    edges = rng.integers(0, 400, size=(3000, 2))
    net = Network.from_edges(edges, n_nodes=400, directed=True)
    units = leaf_units(compute_flow(net, flow_model="directed"))
    module_of = rng.integers(0, 40, units.n)
    one_pass = aggregate(units, module_of, 40)
    monkeypatch.setattr(constants, "AGGREGATE_EXACT_MIN_LINKS", 0)
    for threads in (1, 2):
        exact = aggregate(units, module_of, 40, threads=threads)
        for name in ("out_ptr", "out_idx", "out_flow", "in_ptr", "in_idx", "in_flow"):
            np.testing.assert_array_equal(getattr(exact, name), getattr(one_pass, name))


def test_serial_two_pass_equals_the_one_pass_kernel():
    from infomap_learn.search._aggregate import aggregate_links_exact_serial

    rng = np.random.default_rng(11)
    ptr, idx, data = _random_csr(rng, 500, 4000)
    module_of = rng.integers(0, 60, 500)
    k = int(module_of.max()) + 1
    expected = K.aggregate_links(module_of, k, ptr, idx, data)
    found = aggregate_links_exact_serial(module_of, k, ptr, idx, data)
    for want, got in zip(expected, found, strict=True):
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("n_jobs, num_trials", [(None, 2), (2, 1)])
@pytest.mark.parametrize("directed", [False, True])
def test_searches_are_the_same_with_exact_module_networks(
    monkeypatch, directed, n_jobs, num_trials
):
    """... and with the module sums' link pass on threads (one trial on two threads)."""
    from infomap_learn import Network, infomap

    rng = np.random.default_rng(3)
    edges = rng.integers(0, 600, size=(4000, 2))
    net = Network.from_edges(edges, n_nodes=600, directed=directed)
    before = infomap(net, num_trials=num_trials, seed=4, n_jobs=n_jobs)
    monkeypatch.setattr(constants, "AGGREGATE_EXACT_MIN_LINKS", 1)
    after = infomap(net, num_trials=num_trials, seed=4, n_jobs=n_jobs)
    np.testing.assert_array_equal(after.paths, before.paths)
    assert after.codelength == before.codelength


@pytest.mark.parametrize("n_threads", [1, 2, 3])
def test_internal_flows_on_threads_equal_the_numpy_reference(n_threads):
    from infomap_learn.search._aggregate import internal_flows, internal_flows_reference

    rng = np.random.default_rng(n_threads)
    ptr, idx, data = _random_csr(rng, 500, 4000)
    module_of = rng.integers(0, 9, 500)
    found = launch_parallel(internal_flows, n_threads, module_of, ptr, idx, data)
    np.testing.assert_array_equal(found, internal_flows_reference(module_of, ptr, idx, data))
    assert found.any()  # (some links within modules)


@pytest.mark.parametrize("directed", [False, True])
def test_module_totals_on_threads_are_the_same_to_the_bit(monkeypatch, directed):
    from infomap_learn import compute_flow
    from infomap_learn.search import _units
    from tests.test_search import random_network

    units = leaf_units(compute_flow(random_network(3, n=300, p=0.05, directed=directed)))
    labels = np.random.default_rng(4).integers(0, 11, units.n)
    serial = _units.module_totals(units, labels, 11)
    launches = []
    real = _units.launch_parallel
    monkeypatch.setattr(
        _units, "launch_parallel", lambda *args: launches.append(1) or real(*args)
    )
    monkeypatch.setattr(constants, "AGGREGATE_EXACT_MIN_LINKS", 1)
    threaded = _units.module_totals(units, labels, 11, threads=2)
    assert len(launches) == (1 if directed else 0) + 1  # (out-flows, and in-flows)
    for want, got in zip(serial, threaded, strict=True):
        np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(_units.module_exit_totals(units, labels, 11, 2), serial[2])
    # the search's module state likewise
    state = _units._module_state(units, labels, 11, threads=2)
    monkeypatch.setattr(constants, "AGGREGATE_EXACT_MIN_LINKS", 10**9)
    for want, got in zip(_units._module_state(units, labels, 11), state, strict=True):
        np.testing.assert_array_equal(got, want)


def _numpy_links_within_parents(module_of, k, ptr, idx, data, module_parent):
    """The plain reference: the module links between distinct modules under one parent."""
    dense = _numpy_module_links(module_of, k, ptr, idx, data)
    return np.where(module_parent[:, None] == module_parent[None, :], dense, 0.0)


@pytest.mark.parametrize("n_chunks", [1, 2, 3])
def test_links_within_parents_leave_out_the_others_and_keep_the_row_totals(n_chunks):
    from infomap_learn.search._aggregate import aggregate_links_within_parents

    rng = np.random.default_rng(20 + n_chunks)
    ptr, idx, data = _random_csr(rng, 800, 9000)
    module_of = rng.integers(0, 120, 800)
    k = int(module_of.max()) + 1
    module_parent = rng.integers(0, 6, k)
    total = np.empty(k)
    found = launch_parallel(
        aggregate_links_within_parents, n_chunks, module_of, k, ptr, idx, data, n_chunks,
        module_parent, total,
    )  # fmt: skip
    full = K.aggregate_links(module_of, k, ptr, idx, data)
    rows = np.repeat(np.arange(k), np.diff(found[0]))
    assert (module_parent[rows] == module_parent[found[1]]).all()
    assert 0 < found[1].shape[0] < full[1].shape[0]  # (some links left out, some kept)
    dense = sparse.csr_matrix((found[2], found[1], found[0]), shape=(k, k)).toarray()
    np.testing.assert_allclose(
        dense, _numpy_links_within_parents(module_of, k, ptr, idx, data, module_parent)
    )
    # each kept sum is the unfiltered kernel's, to the bit, in the same order
    same_parent = module_parent[np.repeat(np.arange(k), np.diff(full[0]))] == module_parent[
        full[1]
    ]
    np.testing.assert_array_equal(found[1], full[1][same_parent])
    np.testing.assert_array_equal(found[2], full[2][same_parent])
    np.testing.assert_array_equal(total, K.row_sums(full[0], full[2]))
    # without parents: the unfiltered links themselves
    unfiltered = launch_parallel(
        aggregate_links_within_parents, n_chunks, module_of, k, ptr, idx, data, n_chunks,
        np.zeros(0, dtype=np.int64), np.zeros(0),
    )  # fmt: skip
    for want, got in zip(full, unfiltered, strict=True):
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("directed", [False, True])
def test_module_networks_under_parents_score_as_the_whole_ones(monkeypatch, directed):
    """Above the exact-size threshold, a module network under fixed parents holds only
    the links within each parent; its units' exit and enter totals, and every total of a
    grouping within the parents, are those of the whole network to the bit."""
    from infomap_learn import compute_flow
    from infomap_learn.search import _units
    from tests.test_search import random_network

    units = leaf_units(compute_flow(random_network(6, n=400, p=0.05, directed=directed)))
    rng = np.random.default_rng(8)
    module_of = rng.integers(0, 90, units.n)
    parent = rng.integers(0, 5, 90)
    whole = aggregate(units, module_of, 90).with_parent(parent)
    monkeypatch.setattr(constants, "AGGREGATE_EXACT_MIN_LINKS", 1)
    for threads in (1, 2):
        within = aggregate(units, module_of, 90, threads=threads, parent=parent)
        np.testing.assert_array_equal(within.parent, parent)
        for name in ("exit", "enter", "codeflow", "tele_src", "tele_tgt"):
            np.testing.assert_array_equal(getattr(within, name), getattr(whole, name))
        for prefix in ("out", "in"):
            ptr, idx = getattr(within, f"{prefix}_ptr"), getattr(within, f"{prefix}_idx")
            rows = np.repeat(np.arange(90), np.diff(ptr))
            assert (parent[rows] == parent[idx]).all()
            assert idx.shape[0] < getattr(whole, f"{prefix}_idx").shape[0]
        groups = parent * 3 + rng.integers(0, 3, 90)  # (each group under one parent)
        for want, got in zip(
            _units.module_totals(whole, groups, 15), _units.module_totals(within, groups, 15),
            strict=True,
        ):
            np.testing.assert_array_equal(got, want)
    # below the threshold every link stays
    monkeypatch.setattr(constants, "AGGREGATE_EXACT_MIN_LINKS", 10**9)
    kept = aggregate(units, module_of, 90, parent=parent)
    np.testing.assert_array_equal(kept.out_idx, whole.out_idx)
    np.testing.assert_array_equal(kept.parent, parent)


@pytest.mark.parametrize("exact_min_links", [1, 10**9])
@pytest.mark.parametrize(
    "flow_model, recorded", [("undirected", False), ("directed", True), ("rawdir", False)]
)
def test_module_networks_coded_by_enter_flow(monkeypatch, flow_model, recorded, exact_min_links):
    """``by_enter``: each module's codeflow is its enter flow with teleportation, as
    ``module_totals`` sums it over the units (to rounding), with or without parents, on
    either aggregation path; everything else is the summed module network."""
    from infomap_learn import Network, compute_flow
    from infomap_learn.search import _units

    rng = np.random.default_rng(3)
    edges = rng.integers(0, 300, size=(3000, 2))
    edges[:20, 1] = edges[:20, 0]  # (self-links: flow that never leaves a module)
    network = Network.from_edges(
        edges, weights=rng.random(3000), n_nodes=300, directed=flow_model != "undirected"
    )
    units = leaf_units(
        compute_flow(network, flow_model=flow_model, recorded_teleportation=recorded)
    )
    assert (units.tele_total > 0) == recorded
    module_of = rng.integers(0, 40, units.n)
    _, enter, _ = _units.module_totals(units, module_of, 40)
    monkeypatch.setattr(constants, "AGGREGATE_EXACT_MIN_LINKS", exact_min_links)
    summed = aggregate(units, module_of, 40)
    for parent in (None, np.arange(40) % 3):
        coded = aggregate(units, module_of, 40, by_enter=True, threads=2, parent=parent)
        np.testing.assert_allclose(coded.codeflow, enter, rtol=1e-13, atol=1e-16)
        for name in ("exit", "enter", "tele_src", "tele_tgt"):
            np.testing.assert_array_equal(getattr(coded, name), getattr(summed, name))


@pytest.mark.parametrize("directed", [False, True])
def test_searches_under_parents_on_module_networks_within_them(monkeypatch, directed):
    """The recursion's large groupings of submodules (in parent groups, as on large
    networks) search module networks that keep only the links within each parent: the
    filter is used, and the tree is as short as with every link kept (their moves differ
    only in the units a move marks to be tried again: its neighbours under other parents
    are no longer marked)."""
    from infomap_learn import infomap
    from infomap_learn.mapequation import hierarchical_codelength
    from infomap_learn.search import _units
    from tests.test_hierarchy import nested_sbm

    net = nested_sbm(5, (6, 6, 40), p=(0.5, 0.05, 0.0005), directed=directed)
    monkeypatch.setattr(constants, "PARENT_GROUPS_MIN_UNITS", 1)
    monkeypatch.setattr(constants, "SUBMODULE_GROUPING_TUNE_MAX_UNITS", 1)
    monkeypatch.setattr(constants, "AGGREGATE_EXACT_MIN_LINKS", 1)
    calls = []
    exact = _units._exact_arrays
    monkeypatch.setattr(
        _units, "_exact_arrays", lambda *args: calls.append(args[-1] is not None) or exact(*args)
    )
    flow_model = "directed" if directed else "undirected"
    filtered = infomap(net, seed=2, flow_model=flow_model)
    assert any(calls)  # (a grouping under parents)
    assert filtered.num_levels > 1  # (blocks in groups: the recursion's searches ran)
    monkeypatch.setattr(constants, "AGGREGATE_EXACT_MIN_LINKS", 10**9)
    whole = infomap(net, seed=2, flow_model=flow_model)
    assert filtered.codelength == pytest.approx(whole.codelength, rel=1e-4)
    assert filtered.codelength == pytest.approx(
        hierarchical_codelength(filtered.flow, filtered.paths).codelength, abs=1e-9
    )
