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
