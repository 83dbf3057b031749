"""The core loop with moves proposed on several threads (search/_parallel_moves.py)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numba
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infomap_learn import compute_flow, infomap
from infomap_learn import search as S
from infomap_learn.datasets import planted_partition
from infomap_learn.mapequation import two_level_codelength
from infomap_learn.search import _constants as constants
from infomap_learn.search._move_terms import module_scratch, neighbour_flows
from infomap_learn.search._moves import core_loop
from infomap_learn.search._parallel_moves import _listed_flows, core_loop_parallel
from infomap_learn.search._units import _module_state
from tests.test_search import FLOW_OPTIONS, random_network


def run_loop(kernel_args, units, ctx, module_of, threads=None, block_size=None, settle=False):
    """One core loop from ``module_of`` (a copy): serial without ``block_size``;
    ``settle``: the loop's ``settle_joined``."""
    module_of = module_of.copy()
    k = max(int(module_of.max()) + 1, units.n)
    state = _module_state(units, module_of, k, ctx.costs)
    rng = ctx.rng_state.copy()
    common = (
        module_of, units.arrays, units.undirected, state, ctx.parent_exit, units.tele_total,
        ctx.codeflow_plogp_sum, ctx.costs, rng, *kernel_args,
    )  # fmt: skip
    if block_size is None:
        moves, length = core_loop(
            *common, np.arange(units.n), np.arange(k), module_scratch(state), settle
        )
    else:
        numba.set_num_threads(threads)
        moves, length = core_loop_parallel(*common, block_size, settle, threads)
    return module_of, moves, length


def units_of(seed, options, directed, module_cost=0.0, preferred=0, n=60):
    net = random_network(seed, n=n, p=0.08, directed=directed)
    flow = compute_flow(net, **options)
    units = S.leaf_units(flow)
    return flow, units, S.new_context(units, seed, module_cost=module_cost,
                                      preferred_modules=preferred)  # fmt: skip


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    options=st.sampled_from(FLOW_OPTIONS),
    directed=st.booleans(),
    costs=st.sampled_from([(0.0, 0), (0.05, 0), (0.0, 4)]),
    settle=st.booleans(),
)
def test_blocks_of_one_unit_are_the_serial_core_loop(seed, options, directed, costs, settle):
    # each block proposes against the state every earlier move left: the serial loop
    _, units, ctx = units_of(seed, options, directed, *costs)
    start = np.arange(units.n, dtype=np.int64)
    args = (constants.CORE_LOOP_LIMIT, constants.CORE_LOOP_THRESHOLD)
    serial = run_loop(args, units, ctx, start, settle=settle)
    blocks = run_loop(args, units, ctx, start, threads=1, block_size=1, settle=settle)
    np.testing.assert_array_equal(serial[0], blocks[0])
    assert serial[1:] == blocks[1:]


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), directed=st.booleans(), n_parents=st.sampled_from([1, 3]))
def test_proposals_list_the_flows_of_the_serial_loop(seed, directed, n_parents):
    # _listed_flows keeps by place in the list what neighbour_flows keeps by module
    _, units, _ = units_of(seed, {}, directed)
    rng = np.random.default_rng(seed)
    parent = rng.integers(0, n_parents, units.n)
    module_of = parent * units.n + rng.integers(0, 4, units.n)  # (modules within parents)
    k = int(module_of.max()) + 1
    mod_size = np.bincount(module_of, minlength=k).astype(np.int32)
    (_, _, _, _, _, _, out_ptr, out_idx, out_flow, in_ptr, in_idx, in_flow) = units.arrays[:12]
    most = units.n
    flow_to, flow_from, is_touched = np.zeros(k), np.zeros(k), np.zeros(k, dtype=bool)
    touched = np.empty(most, dtype=np.int64)
    listed, to, from_ = np.empty(most, np.int32), np.zeros(most), np.zeros(most)
    place, sizes = np.full(k, -1, dtype=np.int32), np.zeros(most, dtype=np.int32)
    for u in range(units.n):
        p = parent[u]
        n_by_module = neighbour_flows(
            u, p, module_of, parent, out_ptr, out_idx, out_flow, in_ptr, in_idx, in_flow,
            units.undirected, flow_to, flow_from, touched, is_touched,
        )  # fmt: skip
        n_listed = _listed_flows(
            u, p, module_of, parent, out_ptr, out_idx, out_flow, in_ptr, in_idx, in_flow,
            units.undirected, n_parents == 1, listed, to, from_, place, mod_size, sizes,
        )  # fmt: skip
        assert n_listed == n_by_module
        modules = listed[:n_listed]
        np.testing.assert_array_equal(np.sort(modules), np.sort(touched[:n_by_module]))
        np.testing.assert_array_equal(place[modules], np.arange(n_listed))
        np.testing.assert_allclose(to[:n_listed], flow_to[modules], rtol=0, atol=1e-15)
        if not units.undirected:
            np.testing.assert_allclose(from_[:n_listed], flow_from[modules], rtol=0, atol=1e-15)
        np.testing.assert_array_equal(sizes[:n_listed], mod_size[modules])
        place[modules] = -1
        flow_to[modules] = flow_from[modules] = 0.0
        is_touched[modules] = False


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    options=st.sampled_from(FLOW_OPTIONS),
    directed=st.booleans(),
    block_size=st.sampled_from([4, 16, 64]),
)
def test_large_blocks_track_the_codelength_whatever_the_threads(
    seed, options, directed, block_size
):
    flow, units, ctx = units_of(seed, options, directed, n=120)
    start = np.arange(units.n, dtype=np.int64)
    args = (constants.CORE_LOOP_LIMIT, constants.CORE_LOOP_THRESHOLD)
    one = run_loop(args, units, ctx, start, threads=1, block_size=block_size)
    two = run_loop(args, units, ctx, start, threads=2, block_size=block_size)
    np.testing.assert_array_equal(one[0], two[0])
    assert one[1:] == two[1:]
    module_of, moves, length = one
    assert moves > 0
    assert length == pytest.approx(two_level_codelength(flow, module_of).codelength, rel=1e-12)
    assert length < two_level_codelength(flow, start).codelength


def test_a_large_search_with_threads_ends_near_the_serial_one(monkeypatch):
    monkeypatch.setattr(constants, "PARALLEL_MOVES_MIN_UNITS", 500)
    net, _ = planted_partition(40, 60, 0.25, 0.004, seed=2)
    serial = infomap(net, two_level=True, seed=1)
    found = []
    for threads in (2, 1):
        pool = ThreadPoolExecutor(threads)
        ctx = S.new_context(S.leaf_units(compute_flow(net)), 1, pool=pool)
        found.append(S.find_modules(S.leaf_units(compute_flow(net)), ctx))
        pool.shutdown()
    # (a pool of one thread: the serial search)
    assert S._two_level._moves_in_parallel(S.leaf_units(compute_flow(net)), ctx) is False
    labels, length = found[0]
    assert length == pytest.approx(
        two_level_codelength(compute_flow(net), labels).codelength, rel=1e-12
    )
    assert length <= serial.codelength * 1.005
    parallel = infomap(net, two_level=True, seed=1, n_jobs=2)
    assert parallel.codelength <= serial.codelength * 1.001
    assert parallel.codelength == infomap(net, two_level=True, seed=1, n_jobs=2).codelength


@pytest.mark.parametrize("directed", [False, True])
def test_a_settled_parallel_loop_moves_each_unit_once_at_most(directed):
    # (Infomap's first core loop, in blocks: a unit whose module holds others stays)
    flow, units, ctx = units_of(7, {}, directed, n=120)
    start = np.arange(units.n, dtype=np.int64)
    args = (constants.CORE_LOOP_LIMIT, constants.CORE_LOOP_THRESHOLD)
    settled = run_loop(args, units, ctx, start, threads=2, block_size=16, settle=True)
    free = run_loop(args, units, ctx, start, threads=2, block_size=16)
    module_of, moves, length = settled
    assert 0 < moves <= units.n < free[1]
    assert length == pytest.approx(two_level_codelength(flow, module_of).codelength, rel=1e-12)


def test_the_parallel_core_loop_settles_where_asked(monkeypatch):
    # (_core hands settle_joined to the parallel kernel: no unit moves twice)
    monkeypatch.setattr(constants, "PARALLEL_MOVES_MIN_UNITS", 100)
    net, _ = planted_partition(10, 40, 0.25, 0.01, seed=4)
    units = S.leaf_units(compute_flow(net))
    moves = []
    with ThreadPoolExecutor(2) as pool:
        for settle in (True, False):
            ctx = S.new_context(units, 1, pool=pool)
            assert S._two_level._moves_in_parallel(units, ctx)
            module_of = np.arange(units.n, dtype=np.int64)
            moved, _ = S._core(units, module_of, ctx, 50, settle_joined=settle)
            moves.append(moved)
    assert 0 < moves[0] <= units.n and moves[0] < moves[1]


def state_units_of(seed, n_physical=40, n_states=160, categories=False):
    """A random state network's search units with its physical nodes as the meta data
    (``categories``: instead, random meta-data categories on a first-order network)."""
    from infomap_learn import Network
    from infomap_learn.mapequation import node_meta
    from infomap_learn.search._front import _leaf_units

    rng = np.random.default_rng(seed)
    physical = rng.integers(0, n_physical, n_states)
    links = rng.integers(0, n_states, (4 * n_states, 2))
    links = links[links[:, 0] != links[:, 1]]
    if categories:
        net = Network.from_edges(links, n_nodes=n_states, directed=True)
        meta = node_meta(physical % 5, compute_flow(net).node_flow, 1.0, False)
    else:
        net = Network.from_states(physical, links, directed=True)
        meta = node_meta(None, compute_flow(net).node_flow, 1.0, False, net.physical_ids)
    units = _leaf_units(compute_flow(net), meta)
    return units, S.new_context(units, seed, meta_rate=1.0)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), categories=st.booleans(), settle=st.booleans())
def test_blocks_of_one_unit_price_meta_data_as_the_serial_loop(seed, categories, settle):
    # physical nodes of state networks and meta-data categories, proposed and committed
    units, ctx = state_units_of(seed, categories=categories)
    start = np.arange(units.n, dtype=np.int64)
    args = (constants.CORE_LOOP_LIMIT, constants.CORE_LOOP_THRESHOLD)
    serial = run_loop(args, units, ctx, start, settle=settle)
    blocks = run_loop(args, units, ctx, start, threads=1, block_size=1, settle=settle)
    np.testing.assert_array_equal(serial[0], blocks[0])
    assert serial[1] == blocks[1] and serial[2] == pytest.approx(blocks[2], abs=1e-12)


@pytest.mark.parametrize("categories", [False, True])
def test_large_blocks_of_meta_data_whatever_the_threads(categories):
    units, ctx = state_units_of(3, n_physical=150, n_states=600, categories=categories)
    start = np.arange(units.n, dtype=np.int64)
    args = (constants.CORE_LOOP_LIMIT, constants.CORE_LOOP_THRESHOLD)
    one = run_loop(args, units, ctx, start, threads=1, block_size=32)
    two = run_loop(args, units, ctx, start, threads=2, block_size=32)
    np.testing.assert_array_equal(one[0], two[0])
    assert one[1:] == two[1:] and one[1] > 0
    # the codelength the loop tracks is the one its modules have
    k = int(one[0].max()) + 1
    state = _module_state(units, one[0].copy(), k, ctx.costs)
    from infomap_learn.search._moves import objective

    fresh = objective(state, ctx.parent_exit, units.tele_total, ctx.codeflow_plogp_sum,
                      ctx.costs, np.arange(k))  # fmt: skip
    assert one[2] == pytest.approx(fresh, abs=1e-9)
    assert one[2] < run_loop(args, units, ctx, start, settle=True)[2] + 0.05


def test_a_state_network_with_threads_ends_near_the_serial_one(monkeypatch):
    # (state networks used to search on one thread whatever n_jobs)
    monkeypatch.setattr(constants, "PARALLEL_MOVES_MIN_UNITS", 500)
    from infomap_learn import Network

    rng = np.random.default_rng(5)
    physical = rng.integers(0, 600, 3000)  # (in 20 blocks of 30 physical nodes)
    links = rng.integers(0, 3000, (40_000, 2))
    inside = physical[links[:, 0]] // 30 == physical[links[:, 1]] // 30
    links = links[(inside | (rng.random(40_000) < 0.05)) & (links[:, 0] != links[:, 1])]
    net = Network.from_states(physical, links, directed=True)
    serial = infomap(net, two_level=True, seed=1)
    calls = []
    kernel = S._two_level.run_core_loop_parallel
    monkeypatch.setattr(S._two_level, "run_core_loop_parallel",
                        lambda *args: calls.append(args[-1]) or kernel(*args))  # fmt: skip
    parallel = infomap(net, two_level=True, seed=1, n_jobs=2)
    assert calls and set(calls) == {2}
    assert parallel.codelength <= serial.codelength * 1.005
    assert parallel.codelength == infomap(net, two_level=True, seed=1, n_jobs=2).codelength
