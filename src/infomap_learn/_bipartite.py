"""Bipartite networks (Infomap's ``*Bipartite`` section): primary nodes, and feature nodes
from a start index on, with every link between a primary and a feature node.

As the official Infomap does, the walk's visits to feature nodes are handed to the primary
nodes: each primary node's visit rate gains the flow of its links (both ways), feature nodes
are left without visits (so only primary nodes are coded), the rates are normalised again,
and link flows double, since two steps of the walk lead from a primary node to the next.

With ``--bipartite-teleportation`` the directed walk is itself a two-step walk between
primary nodes that teleports to primary nodes only (:func:`two_step_flow`).
"""

from __future__ import annotations

import numpy as np

from ._pagerank import relayed_power_iteration


def check_bipartite_links(
    source: np.ndarray, target: np.ndarray, start: int, n_nodes: int, names: list | None
) -> None:
    """A ValueError naming the first link that does not join a primary node (index below
    ``start``) and a feature node (one of each kind), or a start beyond the nodes.

    Examples
    --------
    >>> check_bipartite_links(np.array([0, 1]), np.array([2, 0]), 2, 3, None)
    Traceback (most recent call last):
    ...
    ValueError: bipartite_start_id=2: link 1 - 0 joins two primary nodes, not one of each kind
    """
    if start > n_nodes:
        raise ValueError(
            f"bipartite_start_id={start} is beyond the network's {n_nodes} nodes"
        )
    same_side = (source >= start) == (target >= start)
    if same_side.any():
        at = int(np.flatnonzero(same_side)[0])
        u, v = int(source[at]), int(target[at])
        shown = (names[u], names[v]) if names is not None else (u, v)
        side = "feature" if u >= start else "primary"
        raise ValueError(
            f"bipartite_start_id={start}: link {shown[0]} - {shown[1]} joins two {side} "
            "nodes, not one of each kind"
        )


def bipartite_node_flow(
    node_flow: np.ndarray, out_ptr: np.ndarray, out_idx: np.ndarray, out_flow: np.ndarray,
    start: int,
) -> np.ndarray:
    """The visit rates of a bipartite network's flow with the feature nodes' visits handed
    to the primary nodes (over the flow's out-links in CSR form), normalised.

    Examples
    --------
    >>> # primary 0 and 1, feature 2; links 0-2 and 1-2 both ways, flow 0.25 each
    >>> ptr, idx = np.array([0, 1, 2, 4]), np.array([2, 2, 0, 1])
    >>> flow = np.full(4, 0.25)
    >>> bipartite_node_flow(np.array([0.25, 0.25, 0.5]), ptr, idx, flow, 2).tolist()
    [0.5, 0.5, 0.0]
    """
    n = node_flow.shape[0]
    source = np.repeat(np.arange(n), np.diff(out_ptr))
    target = out_idx.astype(np.int64)
    from_feature = source >= start
    primary = np.where(from_feature, target, source)
    new = np.asarray(node_flow, dtype=np.float64) + np.bincount(primary, out_flow, n)
    feature = np.where(from_feature, source, target)
    new[feature] = 0.0  # (a feature node without links keeps its visits, as in Infomap)
    total = new.sum()
    return new / total if total > 0 else new


def two_step_flow(
    n: int,
    source: np.ndarray,
    target: np.ndarray,
    weight: np.ndarray,
    start: int,
    *,
    alpha: float,
    recorded: bool,
    teleport_weights: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None]:
    r"""The directed flow of Infomap's ``--bipartite-teleportation``: a walk whose steps
    go from a primary node to a feature node and on to a primary node, teleporting
    (with probability ``alpha``) only to primary nodes.

    The teleportation weights are ``teleport_weights`` on the primary nodes (``to_nodes``),
    else their out-weight towards features (unrecorded) or their in-weight from features
    (recorded). Each power iteration takes both steps: ``f_v = beta * sum_p P_pv pi_p`` on
    the features, then ``pi'_q = (alpha + beta D) tau_q + sum_v P_vq f_v`` on the primary
    nodes (``D`` the visits of dangling nodes, ``beta = 1 - alpha``), normalised when the
    walk loses mass at dangling features. With unrecorded teleportation one last pair of
    steps without teleportation gives the visits, and the link flows are
    ``P_uv pi_u / (1 - D)`` from the last iterate; with recorded teleportation they are
    ``beta P_uv pi_u`` (from primary nodes: a feature's iterate is zero, as in Infomap).
    Feature nodes are not visited.

    Returns ``(node_flow, link_flow, teleport_source, teleport_target)``, the last two
    None unless ``recorded``; link flows follow the given links (not yet doubled).

    Examples
    --------
    Primary nodes 0 and 1 share feature 2 and each has a feature of its own (3, 4), with
    links back from every feature:

    >>> source, target = np.array([0, 0, 1, 1, 2, 2, 3, 4]), np.array([2, 3, 2, 4, 0, 1, 0, 1])
    >>> node_flow, link_flow, _, _ = two_step_flow(
    ...     5, source, target, np.ones(8), 2, alpha=0.15, recorded=False,
    ...     teleport_weights=None)
    >>> node_flow.round(4).tolist()
    [0.5, 0.5, 0.0, 0.0, 0.0]
    """
    w = np.asarray(weight, dtype=np.float64)
    out_weight = np.bincount(source, w, n)
    p = w / out_weight[source]  # (every link's source has out-weight: weights are positive)
    first = source < start  # (primary -> feature; the rest feature -> primary)
    primary = np.arange(n) < start
    dangling = out_weight == 0
    if teleport_weights is not None:
        tau = np.where(primary, np.asarray(teleport_weights, dtype=np.float64), 0.0)
    elif recorded:
        tau = np.bincount(target[~first], w[~first], n)
    else:
        tau = np.bincount(source[first], w[first], n)
    tau = tau / tau.sum()
    beta = 1.0 - alpha
    s1, t1, p1 = source[first], target[first], p[first]
    s2, t2, p2 = source[~first], target[~first], p[~first]

    def move(pi):  # (to the features and back; features keep no visits)
        return np.bincount(t2, p2 * np.bincount(t1, beta * p1 * pi[s1], n)[s2], n)

    pi, unnormalised, dangling_rank = relayed_power_iteration(move, tau, dangling, alpha)
    if recorded:
        link_flow = beta * p * np.where(first, unnormalised[source], 0.0)
        teleport_source = np.where(dangling, pi, alpha * pi)
        return pi, link_flow, teleport_source, tau
    features = np.bincount(t1, p1 * unnormalised[s1], n)
    node_flow = np.bincount(t2, p2 * features[s2], n)
    last = np.where(first, unnormalised[source], features[source])
    return node_flow, p * last / (1.0 - dangling_rank), None, None
