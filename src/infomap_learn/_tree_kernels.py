"""Numba kernel of the multilevel map equation of a module tree, in one call.

``mapequation.hierarchical_codelength`` calls it; ``mapequation._hierarchical_codelength_reference``
takes the same steps in plain numpy (one ``module_flows`` per level) and is its reference.
Every trial of the hierarchical search scores its trees with it: from numpy, a tree of four
levels took some sixty calls, each holding the GIL that the other trials' threads wait for.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ._kernels import crossing_flows, plogp_scalar, prefix_key_table


@njit(cache=True, nogil=True)
def _level_flows(key, k, node_flow, out_ptr, out_idx, out_flow, tele_src, tele_tgt,
                 tele_total):  # fmt: skip
    """Flow, enter and exit flow of the modules ``key`` (ids 0..k-1, -1: none) of one
    level: ``mapequation.module_flows``."""
    module_flow = np.zeros(k)
    for u in range(key.shape[0]):
        if key[u] >= 0:
            module_flow[key[u]] += node_flow[u]
    exit_flow, enter_flow = crossing_flows(key, k, out_ptr, out_idx, out_flow)
    if tele_src.shape[0] > 0:
        t = np.zeros(k)
        tau = np.zeros(k)
        for u in range(key.shape[0]):
            if key[u] >= 0:
                t[key[u]] += tele_src[u]
                tau[key[u]] += tele_tgt[u]
        for m in range(k):
            exit_flow[m] += t[m] * (1.0 - tau[m])
            enter_flow[m] += (tele_total - t[m]) * tau[m]
    return module_flow, enter_flow, exit_flow


@njit(cache=True, nogil=True)
def tree_codelength(paths, node_flow, out_ptr, out_idx, out_flow, tele_src, tele_tgt):
    """Index and module codelength of the module tree ``paths`` (see ``paths.py``) over
    a flow graph (its out-links in CSR form; ``tele_src``, ``tele_tgt`` empty without
    recorded teleportation): ``mapequation.hierarchical_codelength``'s terms."""
    n, depth = paths.shape
    keys = prefix_key_table(paths)
    sizes = np.zeros(depth, dtype=np.int64)
    for level in range(depth):
        for u in range(n):
            sizes[level] = max(sizes[level], keys[level, u] + 1)
    tele_total = 0.0
    for u in range(tele_src.shape[0]):
        tele_total += tele_src[u]
    _, enter, exit_flow = _level_flows(
        keys[0], sizes[0], node_flow, out_ptr, out_idx, out_flow, tele_src, tele_tgt,
        tele_total,
    )  # fmt: skip
    enter_sum = 0.0
    index = 0.0
    for m in range(sizes[0]):
        enter_sum += enter[m]
        index -= plogp_scalar(enter[m])
    index += plogp_scalar(enter_sum)
    module = 0.0
    for level in range(depth):
        k = sizes[level]
        key = keys[level]
        # codewords of each module's children: submodules by enter flow, leaf nodes by
        # visit rate
        child_sum = np.zeros(k)
        child_plogp = np.zeros(k)
        below = level + 1 < depth
        if below:
            sub = keys[level + 1]
            _, sub_enter, sub_exit = _level_flows(
                sub, sizes[level + 1], node_flow, out_ptr, out_idx, out_flow, tele_src,
                tele_tgt, tele_total,
            )  # fmt: skip
            sub_parent = np.zeros(sizes[level + 1], dtype=np.int64)
            for u in range(n):
                if sub[u] >= 0:
                    sub_parent[sub[u]] = key[u]
            for s in range(sizes[level + 1]):
                child_sum[sub_parent[s]] += sub_enter[s]
                child_plogp[sub_parent[s]] += plogp_scalar(sub_enter[s])
        for u in range(n):
            if key[u] >= 0 and not (below and keys[level + 1, u] >= 0):
                child_sum[key[u]] += node_flow[u]
                child_plogp[key[u]] += plogp_scalar(node_flow[u])
        for m in range(k):
            module += (
                plogp_scalar(exit_flow[m] + child_sum[m]) - plogp_scalar(exit_flow[m])
                - child_plogp[m]
            )  # fmt: skip
        if below:
            exit_flow = sub_exit
    return index, module
