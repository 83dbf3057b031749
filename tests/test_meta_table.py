"""The core loop's hash table of (module, category) weights against a dict reference:
built from an assignment, then after random moves of units between modules (inserts,
updates and backward-shift deletions), it holds exactly the pairs that hold a unit."""

import numpy as np
import pytest

from infomap_learn.search import _meta


def reference(module_of, meta_ptr, meta_idx, meta_flow):
    pairs = {}
    for u, m in enumerate(module_of.tolist()):
        for j in range(meta_ptr[u], meta_ptr[u + 1]):
            key = (m, int(meta_idx[j]))
            pairs[key] = pairs.get(key, 0.0) + meta_flow[j]
    return pairs


def table_pairs(table, n_modules):
    live = table[:, 0] >= 0
    keys = table[live, 0].astype(np.int64)
    return {(int(k % n_modules), int(k // n_modules)): w
            for k, w in zip(keys.tolist(), table[live, 1].tolist())}  # fmt: skip


def assert_same(got, expected):
    assert got.keys() == expected.keys()
    for key, weight in expected.items():
        assert got[key] == pytest.approx(weight, abs=1e-12)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
@pytest.mark.parametrize("categories, per_unit", [(3, 1), (50, 1), (400, 1), (20, 3)])
def test_table_follows_moves_as_a_dict_does(seed, categories, per_unit):
    rng = np.random.default_rng(seed)
    n_units, n_modules = 300, 40
    meta_ptr = np.arange(0, (n_units + 1) * per_unit, per_unit, dtype=np.int64)
    meta_idx = rng.integers(0, categories, n_units * per_unit).astype(np.int32)
    meta_flow = rng.random(n_units * per_unit)
    module_of = rng.integers(0, n_modules, n_units)
    table, total, cost = _meta.init_meta(module_of, n_modules, meta_ptr, meta_idx, meta_flow,
                                         categories, 1.0)  # fmt: skip
    assert table.shape[0] >= 2 * meta_idx.size
    assert_same(table_pairs(table, n_modules), reference(module_of, meta_ptr, meta_idx, meta_flow))
    pairs = reference(module_of, meta_ptr, meta_idx, meta_flow)
    for m in range(n_modules):
        inside = [w for (mm, _), w in pairs.items() if mm == m]
        expected = sum(x * np.log2(x) for x in [sum(inside)] if x > 0) - sum(
            x * np.log2(x) for x in inside if x > 0
        )
        assert cost[m] == pytest.approx(expected, abs=1e-12)
    state = (None,) * 7 + (table, total, cost)
    for _ in range(3000):
        u, b = int(rng.integers(n_units)), int(rng.integers(n_modules))
        a = int(module_of[u])
        if a == b:
            continue
        entries = slice(meta_ptr[u], meta_ptr[u + 1])
        _meta.move_meta(state, a, b, u, meta_ptr, meta_idx, meta_flow,
                        meta_flow[entries].sum(), 0.0, 0.0, False)  # fmt: skip
        module_of[u] = b
        for j in range(meta_ptr[u], meta_ptr[u + 1]):
            assert _meta.weight_of(table, n_modules, b, meta_idx[j]) > 0
    assert_same(table_pairs(table, n_modules), reference(module_of, meta_ptr, meta_idx, meta_flow))
    live = (table[:, 0] >= 0).sum()
    assert live == len(reference(module_of, meta_ptr, meta_idx, meta_flow))


def slab_pairs(slab):
    ptr, used, module, weight, count = slab
    pairs, counts = {}, {}
    for c in range(used.shape[0]):
        for e in range(ptr[c], ptr[c] + used[c]):
            key = (int(module[e]), c)
            assert key not in pairs  # (each module once per physical node)
            pairs[key], counts[key] = weight[e], int(count[e])
    return pairs, counts


def plogp(x):
    return x * np.log2(x) if x > 0 else 0.0


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("categories, per_unit", [(3, 1), (60, 1), (20, 3)])
def test_physical_slab_follows_moves_and_prices_as_the_pairs_do(seed, categories, per_unit):
    # The slab of the moving units' (module, physical node) weights, and the prices that
    # add_category_modules reads from it, against sums over the units themselves.
    rng = np.random.default_rng(seed)
    n_units, n_modules, n_parents = 200, 30, 3
    meta_ptr = np.arange(0, (n_units + 1) * per_unit, per_unit, dtype=np.int64)
    # (a unit's physical nodes are distinct: its states' flows summed per node)
    meta_idx = np.concatenate([rng.choice(categories, per_unit, replace=False)
                               for _ in range(n_units)]).astype(np.int32)  # fmt: skip
    meta_flow = rng.random(n_units * per_unit)
    mod_parent = np.arange(n_modules) % n_parents
    module_of = rng.integers(0, n_modules, n_units)
    moving = np.flatnonzero(mod_parent[module_of] != 2)  # (parent 2: another call's)
    slab, shared, stamp = _meta.physical_modules(
        module_of, moving, meta_ptr, meta_idx, meta_flow, categories, n_modules
    )
    touched = np.empty(n_modules, np.int64)
    is_touched = np.zeros(n_modules, np.bool_)
    for step in range(2000):
        u = int(rng.choice(moving))
        a, p = int(module_of[u]), int(mod_parent[module_of[u]])
        mine = np.zeros(n_units, bool)
        mine[moving] = True
        pairs = reference(np.where(mine, module_of, n_modules), meta_ptr, meta_idx, meta_flow)
        n_touched = _meta.add_category_modules(u, p, a, meta_ptr, meta_idx, meta_flow, slab,
                                               mod_parent, touched, is_touched, 0, shared,
                                               stamp)  # fmt: skip
        expected, leave = {}, 0.0
        for j in range(meta_ptr[u], meta_ptr[u + 1]):
            c, w = int(meta_idx[j]), meta_flow[j]
            without_u = [
                v for v in moving if v != u and module_of[v] == a
                and c in meta_idx[meta_ptr[v]:meta_ptr[v + 1]]
            ]  # fmt: skip
            in_a = pairs.get((a, c), 0.0) - w if without_u else 0.0
            leave += plogp(in_a + w) - plogp(in_a)
            for (m, cc), held in pairs.items():
                if cc == c and m != a and m < n_modules and mod_parent[m] == p:
                    expected[m] = expected.get(m, 0.0) + plogp(held + w) - plogp(held) - plogp(w)
        assert sorted(touched[:n_touched].tolist()) == sorted(expected)
        for m, price in expected.items():
            assert shared[m] == pytest.approx(price, abs=1e-12)
        assert shared[-1] == pytest.approx(leave, abs=1e-12)
        is_touched[touched[:n_touched]] = False
        if step % 200 == 0:
            got, counts = slab_pairs(slab)
            assert_same(got, {k: w for k, w in pairs.items() if k[0] < n_modules})
        b = int(rng.choice(np.flatnonzero(mod_parent == p)))
        if b != a:
            _meta.move_physical(u, a, b, meta_ptr, meta_idx, meta_flow, slab)
            module_of[u] = b
    got, counts = slab_pairs(slab)
    mine = np.zeros(n_units, bool)
    mine[moving] = True
    pairs = reference(np.where(mine, module_of, n_modules), meta_ptr, meta_idx, meta_flow)
    assert_same(got, {k: w for k, w in pairs.items() if k[0] < n_modules})
    entries = {}
    for v in moving:
        for j in range(meta_ptr[v], meta_ptr[v + 1]):
            key = (int(module_of[v]), int(meta_idx[j]))
            entries[key] = entries.get(key, 0) + 1
    assert counts == entries
