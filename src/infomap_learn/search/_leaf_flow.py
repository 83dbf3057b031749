"""The flow between the leaf modules of a tree: the network on which a finished tree's
modules of modules are dissolved and moved (a move that keeps the leaf modules changes no
term inside one, so the nodes need not be looked at again)."""

from __future__ import annotations

import numpy as np

from ..flow import Flow
from ..paths import leaf_module_ids
from ._units import module_links


def leaf_module_flow(
    flow: Flow, paths: np.ndarray, threads: int = 1
) -> tuple[Flow, np.ndarray, np.ndarray]:
    """The flow of ``paths``' leaf modules as nodes, each node's leaf module, and the tree
    of the leaf modules (one node in each; ``tree[leaf]`` gives back ``paths``).

    Every module's flow, enter and exit flow is the same in the two trees (links within a
    leaf module cross no module's boundary), so are the codelength's terms of every
    module but the leaf modules' (whose nodes are now one). ``threads``: for the links of
    large networks (the result is the same for any).

    Examples
    --------
    >>> import numpy as np
    >>> from infomap_learn import Network, compute_flow
    >>> edges = np.array([[0, 1], [1, 2], [2, 0], [3, 4], [4, 5], [5, 3], [2, 3]])
    >>> flow = compute_flow(Network.from_edges(edges))
    >>> paths = np.array([[0, 0], [0, 0], [0, 1], [1, 0], [1, 0], [1, 0]])
    >>> small, leaf, tree = leaf_module_flow(flow, paths)
    >>> small.node_flow.round(4).tolist(), tree.tolist(), leaf.tolist()
    ([0.2857, 0.2143, 0.5], [[0, 0], [0, 1], [1, 0]], [0, 0, 1, 2, 2, 2])
    """
    leaf = leaf_module_ids(paths)
    k = int(leaf.max()) + 1 if leaf.size else 0
    first = np.full(k, leaf.size, dtype=np.int64)
    np.minimum.at(first, leaf, np.arange(leaf.size))
    out_csr = module_links(leaf, k, flow.out_ptr, flow.out_idx, flow.out_flow, threads)
    in_csr = (
        out_csr if flow.undirected
        else module_links(leaf, k, flow.in_ptr, flow.in_idx, flow.in_flow, threads)
    )  # fmt: skip
    teleport = (
        (None, None) if flow.teleport_source is None
        else (
            np.bincount(leaf, flow.teleport_source, k),
            np.bincount(leaf, flow.teleport_target, k),
        )
    )  # fmt: skip
    small = Flow(
        np.bincount(leaf, flow.node_flow, k), *out_csr, *in_csr, *teleport,
        flow.undirected, flow.flow_model,
    )  # fmt: skip
    return small, leaf, np.asarray(paths, dtype=np.int64)[first]
