"""PageRank by power iteration: the stationary visit rates of the directed flow model,
on one machine (:func:`pagerank`) or over a cluster's shards (``_power_iteration`` with a
spread of their own)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

_PAGERANK_TOLERANCE = 1e-15
_PAGERANK_MIN_ITERATIONS = 50
_PAGERANK_MAX_ITERATIONS = 1000


def pagerank(
    n: int,
    source: np.ndarray,
    target: np.ndarray,
    transition: np.ndarray,
    dangling: np.ndarray,
    teleport: np.ndarray,
    alpha: float,
) -> np.ndarray:
    r"""Stationary distribution of the walk with teleportation, by power iteration.

    .. math::
        \pi'_v = \bigl(\alpha + (1 - \alpha) D\bigr) \tau_v
                 + (1 - \alpha) \sum_u \pi_u P_{uv},
        \qquad D = \sum_{u \text{ dangling}} \pi_u

    Dangling nodes teleport with probability one. The iteration starts from
    :math:`\tau` and runs until the L1 change is below 1e-15 (at least 50 iterations, at
    most 1000).

    With :math:`\alpha = 0` the walk may be periodic (power iteration would oscillate) or
    reducible (the fixed point is not unique). Then the iteration is *lazy*,
    :math:`\pi \leftarrow (\pi + \pi')/2`: it has the same fixed points, cannot oscillate,
    and from :math:`\tau` it converges to :math:`\lim_{\alpha \to 0^+}` of the PageRank
    vector (the long-run average of the walk started from :math:`\tau`). On periodic
    networks the official Infomap reaches the same stationary distribution (to ~1e-12); on
    reducible ones its answer depends on its own starting vector and is not converged
    (``flow_converged`` is False), so there is nothing exact to match.

    Examples
    --------
    A path ``0 -> 1 -> 2`` whose end is dangling, with uniform teleportation:

    >>> import numpy as np
    >>> source, target, transition = np.array([0, 1]), np.array([1, 2]), np.ones(2)
    >>> dangling, teleport = np.array([False, False, True]), np.full(3, 1 / 3)
    >>> pagerank(3, source, target, transition, dangling, teleport, alpha=0.15).round(4).tolist()
    [0.1844, 0.3412, 0.4744]
    """
    from scipy.sparse import csr_matrix

    # P^T as a CSR matrix so that P^T @ pi is one sparse matrix-vector product.
    pt = csr_matrix((transition, (target, source)), shape=(n, n))
    return _power_iteration(pt.dot, dangling, teleport, alpha)[0]


def _power_iteration(spread: Callable, dangling, teleport, alpha) -> tuple[np.ndarray, int]:
    r"""The iteration of :func:`pagerank`, ``spread(pi)`` giving :math:`P^T \pi` (a sparse
    product, or a sum over a cluster's shards); returns the stationary distribution and
    the number of steps."""
    lazy = alpha == 0.0
    pi = np.array(teleport, dtype=np.float64)
    steps = 0
    for steps in range(1, _PAGERANK_MAX_ITERATIONS + 1):
        nxt = (alpha + (1.0 - alpha) * pi[dangling].sum()) * teleport
        nxt += (1.0 - alpha) * spread(pi)
        if lazy:
            nxt += pi
        nxt /= nxt.sum()
        change = np.abs(nxt - pi).sum()
        pi = nxt
        if change < _PAGERANK_TOLERANCE and steps >= _PAGERANK_MIN_ITERATIONS:
            break
    return pi, steps


def relayed_power_iteration(
    move: Callable, tau: np.ndarray, dangling: np.ndarray, alpha: float
) -> tuple[np.ndarray, np.ndarray, float]:
    r"""Infomap's power iteration for its walks of two steps at once (bipartite
    teleportation, multilayer relaxation to self): :math:`\pi' = (\alpha + (1 - \alpha) D)
    \tau + M(\pi)`, ``move`` giving :math:`M(\pi)` with the factor :math:`1 - \alpha`
    applied, normalised only when its sum is off by more than 1e-10, until the L1 change
    is at most 1e-15 (at least 50 iterations, at most 1000).

    Returns the last iterate normalised, the last iterate as computed (Infomap's flows
    of the links are taken from it) and :math:`D`, the dangling nodes' share of the
    iterate it came from.

    Examples
    --------
    Two nodes that send each other all their flow:

    >>> move = lambda pi: 0.85 * pi[::-1]
    >>> pi, last, dangling = relayed_power_iteration(
    ...     move, np.array([0.5, 0.5]), np.zeros(2, dtype=bool), 0.15)
    >>> pi.tolist(), dangling
    ([0.5, 0.5], 0.0)
    """
    pi = tau.copy()
    last = pi
    dangling_rank = 0.0
    for steps in range(1, _PAGERANK_MAX_ITERATIONS + 1):
        dangling_rank = float(pi[dangling].sum())
        last = (alpha + (1.0 - alpha) * dangling_rank) * tau + move(pi)
        change = np.abs(last - pi).sum()
        total = last.sum()
        pi = last / total if abs(total - 1.0) > 1e-10 else last
        if change <= _PAGERANK_TOLERANCE and steps >= _PAGERANK_MIN_ITERATIONS:
            break
    return pi, last, dangling_rank
