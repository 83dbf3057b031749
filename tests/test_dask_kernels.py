"""The distributed search's numba kernels against their plain-numpy twins, on shards built
as the workers build them (no cluster needed)."""

import numpy as np
import pytest

pytest.importorskip("dask")

from infomap_learn.dask import _kernels, _reference, _shards  # noqa: E402
from infomap_learn.mapequation import plogp  # noqa: E402


def _random_shards(seed: int, directed: bool, n: int = 60, m: int = 300, n_shards: int = 3):
    rng = np.random.default_rng(seed)
    source = rng.integers(0, n, m)
    target = np.where(rng.random(m) < 0.8, (source + rng.integers(1, 6, m)) % n,
                      rng.integers(0, n, m))  # fmt: skip
    weight = rng.random(m) + 0.1
    starts = _shards.shard_starts(n, n_shards)
    pieces = _shards.split_links(source, target, weight, starts, directed)
    shards = [
        _shards.build_shard(int(a), int(b), [pieces[p]], directed)
        for p, (a, b) in enumerate(zip(starts[:-1], starts[1:]))
    ]
    total = sum(_shards.out_weights(s).sum() for s in shards)
    return [_shards.with_undirected_flow(s, total, 1.0) for s in shards] if not directed else [
        _shards.replace(s, out_val=s.out_val / total, in_val=s.in_val / total,
                        node_flow=_shards.out_weights(s) / total)
        for s in shards
    ]  # fmt: skip


def _stats(shards, module_of, n):
    """Module flow, exit, enter and size by the plain definitions, from all links."""
    exit_flow, enter_flow = np.zeros(n), np.zeros(n)
    for s in shards:
        source = module_of[s.start + np.repeat(np.arange(s.n_owned), np.diff(s.out_ptr))]
        target = module_of[s.out_idx]
        cross = source != target
        np.add.at(exit_flow, source[cross], s.out_val[cross])
        np.add.at(enter_flow, target[cross], s.out_val[cross])
    node_flow = np.concatenate([s.node_flow for s in shards])
    return np.stack([
        np.bincount(module_of, node_flow, n), exit_flow, enter_flow,
        np.bincount(module_of, minlength=n).astype(float),
    ])  # fmt: skip


def _view(shard) -> np.ndarray:
    """The global ids of a shard's view: its own nodes, then its ghosts."""
    return np.concatenate([shard.start + np.arange(shard.n_owned), shard.local_view[0]])


def _own_arguments(shard, module_of, stats):
    """A round's arguments of one shard as the client makes them (modules numbered
    within the view, their statistics) and the view's modules."""
    from infomap_learn.dask._search import _Level, _views_of_modules

    level = _Level([shard], np.array([shard.start]), np.zeros(0), shard.directed, 0,
                   views=[_view(shard)])  # fmt: skip
    own, modules = _views_of_modules(level, module_of, stats)
    return own[0], modules[0]


@pytest.mark.parametrize("directed", [False, True])
def test_a_view_holds_the_shard_and_the_other_end_of_every_link(directed):
    shards = _random_shards(2, directed, n_shards=4)
    for s in shards:
        ghosts, out_local, in_local = s.local_view
        view = _view(s)
        owned = (ghosts >= s.start) & (ghosts < s.start + s.n_owned)
        assert not owned.any() and np.all(np.diff(ghosts) > 0)
        np.testing.assert_array_equal(view[out_local], s.out_idx)
        np.testing.assert_array_equal(view[in_local], s.in_idx)
        ends = set(np.concatenate([s.out_idx, s.in_idx]).tolist())
        assert set(ghosts.tolist()) == ends - set(view[: s.n_owned].tolist())


@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_shard_proposes_the_same_moves_from_its_view_as_from_all_modules(directed, seed):
    """The moves from a view's modules numbered 0..k_s-1 and their statistics are the
    moves that the whole network's module ids and statistics give (the tie rules compare
    ids, so the view keeps their order)."""
    shards = _random_shards(seed, directed)
    n = 60
    module_of = np.random.default_rng(seed).integers(0, 15, n) if seed else np.arange(n)
    stats = _stats(shards, module_of, n)
    n_moved = 0
    for s in shards:
        _, out_local, in_local = s.local_view
        everything = _kernels.propose_moves(
            s.start, s.out_ptr, out_local, s.out_val, s.in_ptr, in_local, s.in_val,
            s.node_flow, module_of[_view(s)], stats[0], stats[1], stats[2], stats[3],
            float(stats[2].sum()), 3, 1.0,
        )  # fmt: skip
        own, modules = _own_arguments(s, module_of, stats)
        nodes, targets = _shards.propose(s, **own, enter_total=float(stats[2].sum()),
                                         seed=3, move_probability=1.0)  # fmt: skip
        np.testing.assert_array_equal(nodes, everything[0] + s.start)
        np.testing.assert_array_equal(modules[targets], everything[1])
        assert own["module_of"].dtype == np.int32 and own["stats"].shape[1] == modules.size
        assert modules.size < n
        n_moved += nodes.size
    assert n_moved > 0


@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_kernels_match_their_numpy_twins(directed, seed):
    shards = _random_shards(seed, directed)
    n = 60
    rng = np.random.default_rng(seed + 10)
    module_of = rng.integers(0, 12, n) if seed else np.arange(n)  # singletons, then modules
    stats = _stats(shards, module_of, n)
    for s in shards:
        _, out_local, in_local = s.local_view
        viewed = module_of[_view(s)]  # (global module ids: the kernels' ids are any ids)
        csr = (s.out_ptr, out_local, s.out_val, s.in_ptr, in_local, s.in_val)
        fast = _kernels.crossing_flows(*csr, viewed)
        slow = _reference.crossing_flows(*csr, viewed)
        for a, b in zip(fast, slow):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)
        fast = _kernels.module_links(s.out_ptr, out_local, s.out_val, viewed, n)
        slow = _reference.module_links(s.out_ptr, out_local, s.out_val, viewed, n)
        np.testing.assert_array_equal(fast[0], slow[0])
        np.testing.assert_allclose(fast[1], slow[1], rtol=1e-12)
        for probability in (1.0, 0.5):
            args = (
                s.start, s.out_ptr, out_local, s.out_val, s.in_ptr, in_local, s.in_val,
                s.node_flow, viewed, stats[0], stats[1], stats[2],
                stats[3], float(stats[2].sum()), 7, probability,
            )  # fmt: skip
            fast = _kernels.propose_moves(*args)
            slow = _reference.propose_moves(*args, _kernels.coins(7, s.start, s.n_owned))
            np.testing.assert_array_equal(fast[0], slow[0])
            np.testing.assert_array_equal(fast[1], slow[1])


@pytest.mark.parametrize("directed", [False, True])
def test_a_proposed_move_alone_changes_the_codelength_by_its_delta(directed):
    """Each proposal, applied alone, shortens the exact codelength (the kernel's formula
    is the map equation's difference)."""
    shards = _random_shards(5, directed)
    n = 60
    module_of = np.random.default_rng(3).integers(0, 8, n)
    node_flow = np.concatenate([s.node_flow for s in shards])

    def codelength(labels):
        flow, exit_flow, enter_flow, _ = _stats(shards, labels, n)
        return (plogp(enter_flow.sum()) - plogp(enter_flow).sum() - plogp(exit_flow).sum()
                + plogp(exit_flow + flow).sum() - plogp(node_flow).sum())  # fmt: skip

    stats = _stats(shards, module_of, n)
    before = codelength(module_of)
    n_checked = 0
    for s in shards:
        own, modules = _own_arguments(s, module_of, stats)
        moved, target = _shards.propose(
            s, **own, enter_total=float(stats[2].sum()), seed=1, move_probability=1.0
        )
        for u, b in zip(moved, modules[target]):
            after = module_of.copy()
            after[u] = b
            assert codelength(after) < before
            n_checked += 1
    assert n_checked > 0


def test_coins_do_not_depend_on_the_shard():
    whole = _kernels.coins(3, 0, 100)
    np.testing.assert_array_equal(whole[40:70], _kernels.coins(3, 40, 30))
    assert 0.4 < whole.mean() < 0.6


@pytest.mark.parametrize("directed", [False, True])
def test_per_node_crossing_flows_sum_to_the_exit_and_enter_flows(directed):
    shards = _random_shards(4, directed)
    n = 60
    module_of = np.random.default_rng(9).integers(0, 7, n)
    parts = [_shards.crossing(s, module_of[_view(s)]) for s in shards]
    leaving = np.concatenate([p[0] for p in parts])
    arriving = np.concatenate([p[-1] for p in parts])
    _, exit_flow, enter_flow, _ = _stats(shards, module_of, n)
    np.testing.assert_allclose(np.bincount(module_of, leaving, n), exit_flow, atol=1e-15)
    np.testing.assert_allclose(np.bincount(module_of, arriving, n), enter_flow, atol=1e-15)


def test_only_a_lost_worker_counts_as_one():
    from distributed import KilledWorker

    from infomap_learn.dask._search import lost_worker

    assert lost_worker(KilledWorker("task", "worker", 3))
    assert lost_worker(OSError("Timed out trying to connect"))
    assert lost_worker(ConnectionResetError())
    # a user's missing input is an OSError too, and must surface as itself
    assert not lost_worker(FileNotFoundError("links.parquet"))
    assert not lost_worker(ValueError("link 1 -> 2 has weight -2.0"))

    def raised(error, filename):
        try:
            exec(compile("raise error", filename, "exec"), {"error": error})
        except Exception as caught:
            return caught

    # raised in distributed's own code (its comms): a lost worker; raised by a task (a
    # read of the user's data that lost its connection): the user's error
    comm = "/site-packages/distributed/comm/tcp.py"
    assert lost_worker(raised(ConnectionResetError("reset"), comm))
    assert lost_worker(raised(OSError("Timed out trying to connect"), comm))
    for error in (ConnectionResetError("reset"), TimeoutError(), OSError("disk I/O error")):
        assert not lost_worker(raised(error, "/site-packages/s3fs/core.py"))


@pytest.mark.parametrize("directed", [False, True])
def test_a_shard_gives_the_links_inside_modules_by_group(directed):
    shards = _random_shards(4, directed, n_shards=3)
    module_of = np.random.default_rng(0).integers(0, 5, 60)
    group_of_module = np.array([0, 1, 0, 2, 1])
    for s in shards:
        np.testing.assert_array_equal(_shards.view_nodes(s), _view(s))
        pieces = _shards.internal_links(s, module_of[_view(s)], group_of_module)
        assert len(pieces) == 3
        source = s.start + np.repeat(np.arange(s.n_owned), np.diff(s.out_ptr))
        for group, (got_source, got_target, got_flow) in enumerate(pieces):
            inside = (module_of[source] == module_of[s.out_idx]) & (
                group_of_module[module_of[source]] == group
            )
            expected = sorted(zip(source[inside], s.out_idx[inside], s.out_val[inside]))
            assert sorted(zip(got_source, got_target, got_flow)) == expected


@pytest.mark.parametrize("directed", [False, True])
def test_top_modules_moved_under_others_change_the_codelength_as_computed(directed):
    """A block left beside its group's module goes under it, and the change the client
    computes from the top modules' flows is the map equation's."""
    from infomap_learn import Network, compute_flow
    from infomap_learn.dask._subtrees import _absorbed_tops
    from infomap_learn.mapequation import hierarchical_codelength, module_flows

    rng = np.random.default_rng(1)
    n = 160
    group, block = np.arange(n) // 40, np.arange(n) // 10
    i, j = np.triu_indices(n, 1)
    p = np.where(block[i] == block[j], 0.6, np.where(group[i] == group[j], 0.1, 0.004))
    keep = rng.random(i.size) < p
    source, target = i[keep], j[keep]
    if directed:
        flip = rng.random(source.size) < 0.5
        source, target = np.where(flip, target, source), np.where(flip, source, target)
    flow = compute_flow(Network(source, target, n_nodes=n, directed=directed))
    # group 0 a module of blocks 0-2; block 3 (also group 0's) and all others top leaves
    top = np.where(block < 3, 0, block)
    tree = np.stack([top, np.where(block < 3, block, -1)], axis=1)
    _, enter, exit_ = module_flows(flow, top, 16)
    _, block_enter, _ = module_flows(flow, block, 16)
    modules = {
        "enter": enter, "exit": exit_, "allowed": np.arange(16) == 0,
        "children": np.where(np.arange(16) == 0, block_enter[:3].sum(), 0.0),
    }  # fmt: skip
    ids = np.unique(top)
    heads = np.repeat(np.arange(n), np.diff(flow.out_ptr))
    moved, gain = _absorbed_tops(
        tree.copy(), np.searchsorted(ids, top[heads]),
        np.searchsorted(ids, top[flow.out_idx]), flow.out_flow, modules,
    )  # fmt: skip
    assert gain < 0
    assert set(moved[block == 3, 0].tolist()) == {0}  # (block 3 under group 0's module)
    before = hierarchical_codelength(flow, tree).codelength
    assert hierarchical_codelength(flow, moved).codelength == pytest.approx(before + gain,
                                                                            abs=1e-12)
