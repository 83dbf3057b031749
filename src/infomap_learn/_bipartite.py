"""Bipartite networks (Infomap's ``*Bipartite`` section): primary nodes, and feature nodes
from a start index on, with every link between a primary and a feature node.

As the official Infomap does, the walk's visits to feature nodes are handed to the primary
nodes: each primary node's visit rate gains the flow of its links (both ways), feature nodes
are left without visits (so only primary nodes are coded), the rates are normalised again,
and link flows double, since two steps of the walk lead from a primary node to the next.
"""

from __future__ import annotations

import numpy as np


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
