"""The terms of one local move (search/_move_terms.py): the lower bound by which the core
loops skip candidates never lies above the change it bounds."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from infomap_learn.mapequation import plogp
from infomap_learn.search._move_terms import index_tangent, join_delta, join_lower_bound

RATE = st.floats(min_value=1e-9, max_value=1.0, allow_nan=False)
SHARE = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)


def _f(x: float) -> float:
    return float(plogp(np.array([x]))[0])


def _exact_and_bound(exit_old, code_old, cu, ex_u, to_share, s_extra, q):
    """join_delta without delta_a (undirected, no teleportation) and its lower bound, for
    module b of exit rate ``exit_old`` and codeflow ``code_old`` joined by a unit of
    codeflow ``cu``, exit rate ``ex_u`` and a ``to_share`` of the most flow it can have
    to b; the parent's enter sum is b's rate plus ``s_extra``, its exit ``q``."""
    to_b = to_share * min(ex_u, (exit_old + ex_u) / 2)
    exit_new = exit_old + ex_u - to_b - to_b
    s_base = exit_old + s_extra
    old_index = _f(q + s_base + 0.01)  # (any: both sides subtract it)
    exact = join_delta(
        0.0, exit_new, exit_new, 0.0, 0.0, exit_old, code_old, _f(exit_old), _f(exit_old),
        _f(exit_old + code_old), cu, s_base, q, old_index, 0.0, True,
    )  # fmt: skip
    index_base, index_slope = index_tangent(q, s_base, old_index)
    bound = join_lower_bound(
        index_base, index_slope, exit_old, _f(exit_old), _f(exit_old + code_old), code_old,
        exit_new, cu,
    )  # fmt: skip
    return exact, bound


@settings(max_examples=400, deadline=None)
@given(RATE, SHARE, RATE, RATE, SHARE, SHARE, SHARE)
def test_the_bound_never_exceeds_the_change(exit_old, code_old, cu, ex_u, to_share, s_extra, q):
    exact, bound = _exact_and_bound(exit_old, code_old, cu, ex_u, to_share, s_extra, q)
    assert bound <= exact + 1e-14 * (1.0 + abs(exact))


def test_the_bound_is_tight_for_a_node_next_to_a_large_module():
    """A node's move changes a module's rates a little: the bound is then within second
    order of the change, so most candidates that lose are skipped."""
    exact, bound = _exact_and_bound(0.1, 0.05, 1e-5, 1e-5, 0.4, 0.5, 0.0)
    assert bound <= exact
    assert exact - bound < 1e-9 < abs(exact)


def test_no_bound_without_rates():
    """A module without exit flow, or a parent without rates, gives no bound."""
    assert join_lower_bound(0.0, 1.0, 0.0, 0.0, 0.0, 0.1, 0.01, 0.01) == -np.inf
    assert np.isnan(index_tangent(0.0, 0.0, 0.0)[1])
    assert join_lower_bound(0.0, np.nan, 0.1, _f(0.1), _f(0.2), 0.1, 0.1, 0.01) == -np.inf
