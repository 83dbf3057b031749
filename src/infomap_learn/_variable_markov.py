"""Infomap's variable Markov time (``--variable-markov-time``): a local Markov time per link.

Link flows around nodes of little flow are scaled up, so sparse parts of a network split
less while dense parts keep their resolution. Only the link flows change; node flows and
recorded teleportation stay as the flow model made them.
"""

from __future__ import annotations

import numpy as np


def _linlog(k: np.ndarray, damping: float) -> np.ndarray:
    """From ``k`` (damping 0) to ``log2(k)`` (damping 1) as Infomap 2.16 interpolates:
    with ``r = 1 - damping`` and ``T(k) = (k**r - 1) / (r ln 2)``, the Tsallis entropy in
    bits of ``k`` equally likely outcomes, ``T(k) * (1 - r**2 (1 - ln 2)) + r**2``.

    (Infomap's source writes ``T(k) * (r ln 2 + 1 - r) + r``; the official Infomap 2.16
    computes the form above, measured: it scores every damping alike to 1e-9.)

    Examples
    --------
    >>> _linlog(np.array([1.0, 4.0]), 0.0).tolist(), _linlog(np.array([4.0]), 1.0).tolist()
    ([1.0, 4.0], [2.0])
    """
    k = np.asarray(k, dtype=np.float64)
    if abs(damping - 1.0) <= 1e-8:
        return np.log2(k)
    r = 1.0 - damping
    tsallis = (np.power(k, r) - 1.0) / (r * np.log(2.0))
    return tsallis * (1.0 - r * r * (1.0 - np.log(2.0))) + r * r


def variable_markov_scales(
    node_flow: np.ndarray,
    out_links: tuple[np.ndarray, np.ndarray],
    in_links: tuple[np.ndarray, np.ndarray],
    undirected: bool,
    total_degree: float,
    damping: float = 1.0,
    min_scale: float = 1.0,
) -> tuple[np.ndarray, np.ndarray]:
    r"""Local Markov times of Infomap's ``--variable-markov-time``: a factor for the flow of
    each out-link and each in-link of a flow (``out_links``, ``in_links``: CSR pointers and
    indices, as a :class:`~infomap_learn.Flow` holds them; the factors in the same order).

    A node's *local scale* is ``linlog(max(min_scale, p_u T), damping)``, with ``p_u`` its
    flow and ``T`` the network's total degree (a self-link counted once, as Infomap
    counts it), so ``p_u T`` is its effective degree; ``linlog`` runs from the value itself
    (damping 0) to its base-2 logarithm (damping 1). A link's factor is the largest local
    scale in the network (that of the node with the most flow) over the link's own: the
    source's for directed flow, the larger of its two ends' for undirected flow; both at
    least ``min_scale``. Links around nodes of little flow are walked more often, so
    sparse parts of a network split less; the densest node's links keep their flow.

    Between the ends (0 < damping < 1) ``linlog`` passes through the Tsallis entropy of
    ``k`` equally likely outcomes, as Infomap 2.16 computes it (see ``_linlog``).

    Examples
    --------
    >>> import numpy as np
    >>> from infomap_learn import Network, compute_flow
    >>> network = Network.from_edges(np.array([[0, 1], [1, 2], [2, 0], [2, 3]]))
    >>> flow = compute_flow(network)
    >>> out_scale, _ = variable_markov_scales(
    ...     flow.node_flow, (flow.out_ptr, flow.out_idx), (flow.in_ptr, flow.in_idx),
    ...     flow.undirected, total_degree=8.0,
    ... )
    >>> links = zip(flow.link_source.tolist(), flow.link_target.tolist(), out_scale.round(3))
    >>> sorted((int(u), int(v), float(x)) for u, v, x in links if u < v)
    [(0, 1, 1.585), (0, 2, 1.0), (1, 2, 1.0), (2, 3, 1.0)]

    Only the link between 0 and 1 keeps away from node 2, the node with the most flow,
    so only its flow is scaled up (by ``log2(3)``).
    """
    effective_degree = node_flow * total_degree
    local = _linlog(np.maximum(min_scale, effective_degree), damping)
    if effective_degree.size == 0 or not effective_degree.max() > 0:
        return np.ones(out_links[1].size), np.ones(in_links[1].size)
    # (floored too, as Infomap does: when every scale is at the floor, no link is scaled)
    largest = max(min_scale, float(_linlog(effective_degree.max(), damping)))

    def factors(ptr: np.ndarray, idx: np.ndarray, by_row: bool) -> np.ndarray:
        row = np.repeat(np.arange(ptr.size - 1), np.diff(ptr))
        source = row if by_row else idx.astype(np.int64)
        scale = local[source]
        if undirected:
            scale = np.maximum(local[row], local[idx])
        return largest / np.maximum(min_scale, scale)

    out_scale = factors(*out_links, by_row=True)
    in_scale = out_scale if undirected else factors(*in_links, by_row=False)
    return out_scale, in_scale
