"""Large networks renumbered so that the nodes of a community lie close in memory.

The core loop reads, for every neighbour of a unit, its module and that module's flows:
on a network whose node ids carry no structure (LFR, most edge lists) every one of those
reads lands somewhere else in arrays of many megabytes. Renumbered so that linked nodes
have nearby ids, the same reads hit the cache: on LFR 1M (mu 0.3), one trial two-level
took 33.4 s on one thread and 20.2 s on two in input order, 21.0 and 14.4 s in the order
below (benchmarks/compare.py; the planted communities as the order: 22.5 s on one).

The order: a few sweeps of label propagation (each node, in id order, takes the label
with the most link flow among its neighbours, ties to the smallest label), nodes sorted
by their label, ties by id. It is a fixed rule of the network (serial, no random
numbers), so the search's result still depends on the seed only. The search runs on the
renumbered flow and its tree is numbered back (``_front._search``).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from numba import njit

from ..flow import Flow


@njit(cache=True, nogil=True)
def _heaviest_label(u, label, ptr, idx, flow, weight, listed, n_listed):
    """Add the flows of ``u``'s links in one CSR to ``weight`` by their target's label
    (links without flow left out)."""
    for j in range(ptr[u], ptr[u + 1]):
        if not flow[j] > 0.0:
            continue
        other = label[idx[j]]
        if weight[other] == 0.0:
            listed[n_listed] = other
            n_listed += 1
        weight[other] += flow[j]
    return n_listed


@njit(cache=True, nogil=True)
def propagated_labels(out_ptr, out_idx, out_flow, in_ptr, in_idx, in_flow, undirected, sweeps):
    """Labels of label propagation after at most ``sweeps`` sweeps over the nodes in id
    order (each node takes the label of most link flow among its neighbours, out- and
    in-links, ties to the smallest; a node without such links keeps its own); stops early
    when a sweep changes nothing."""
    n = out_ptr.shape[0] - 1
    label = np.arange(n)
    weight = np.zeros(n)
    listed = np.empty(n, dtype=np.int64)
    for _ in range(sweeps):
        changed = 0
        for u in range(n):
            n_listed = _heaviest_label(u, label, out_ptr, out_idx, out_flow, weight, listed, 0)
            if not undirected:
                n_listed = _heaviest_label(
                    u, label, in_ptr, in_idx, in_flow, weight, listed, n_listed
                )
            best = label[u]
            best_weight = 0.0
            for t in range(n_listed):
                candidate = listed[t]
                w = weight[candidate]
                if w > best_weight or (w == best_weight and candidate < best):
                    best, best_weight = candidate, w
            for t in range(n_listed):
                weight[listed[t]] = 0.0
            if n_listed and best != label[u]:
                label[u] = best
                changed += 1
        if changed == 0:
            break
    return label


def propagated_labels_reference(flow: Flow, sweeps: int) -> np.ndarray:
    """``propagated_labels`` in plain Python and numpy: the kernel's reference."""
    n = flow.n_nodes
    label = np.arange(n)
    rows = [(flow.out_ptr, flow.out_idx, flow.out_flow)]
    if not flow.undirected:
        rows.append((flow.in_ptr, flow.in_idx, flow.in_flow))
    for _ in range(sweeps):
        changed = 0
        for u in range(n):
            targets = np.concatenate([idx[ptr[u] : ptr[u + 1]] for ptr, idx, _ in rows])
            flows = np.concatenate([fl[ptr[u] : ptr[u + 1]] for ptr, _, fl in rows])
            targets = targets[flows > 0]
            if not targets.size:
                continue
            weight = np.bincount(label[targets], flows[flows > 0], minlength=n)
            candidates = np.unique(label[targets])
            best = candidates[weight[candidates] == weight[candidates].max()].min()
            if best != label[u]:
                label[u] = best
                changed += 1
        if not changed:
            break
    return label


def locality_order(flow: Flow, sweeps: int) -> np.ndarray:
    """The nodes in the order of the renumbered network: ``order[i]`` becomes node ``i``.

    Examples
    --------
    >>> import numpy as np
    >>> from infomap_learn import Network, compute_flow
    >>> edges = np.array([[0, 2], [2, 4], [4, 0], [1, 3], [3, 5], [5, 1], [4, 5]])
    >>> locality_order(compute_flow(Network.from_edges(edges)), 3).tolist()
    [0, 2, 4, 1, 3, 5]
    """
    labels = propagated_labels(
        flow.out_ptr, flow.out_idx, flow.out_flow, flow.in_ptr, flow.in_idx, flow.in_flow,
        flow.undirected, int(sweeps),
    )  # fmt: skip
    return np.argsort(labels, kind="stable")


@njit(cache=True, nogil=True)
def permuted_ptr(ptr, order):
    """The row pointers of the CSR ``ptr`` with row ``order[i]`` as row ``i``."""
    n = order.shape[0]
    new_ptr = np.empty(n + 1, dtype=ptr.dtype)
    new_ptr[0] = 0
    for i in range(n):
        u = order[i]
        new_ptr[i + 1] = new_ptr[i] + ptr[u + 1] - ptr[u]
    return new_ptr


@njit(cache=True, nogil=True)
def permuted_entries(ptr, values, order, new_ptr):
    """The entries ``values`` of the CSR ``ptr`` in the rows of ``new_ptr`` (row
    ``order[i]`` as row ``i``)."""
    new_values = np.empty_like(values)
    for i in range(order.shape[0]):
        u = order[i]
        at = new_ptr[i]
        for j in range(ptr[u], ptr[u + 1]):
            new_values[at] = values[j]
            at += 1
    return new_values


@njit(cache=True, nogil=True)
def permuted_ids(ptr, idx, order, new_ptr, new_id):
    """``permuted_entries`` of the column ids ``idx``, each id ``c`` as ``new_id[c]``."""
    new_idx = np.empty_like(idx)
    for i in range(order.shape[0]):
        u = order[i]
        at = new_ptr[i]
        for j in range(ptr[u], ptr[u + 1]):
            new_idx[at] = new_id[idx[j]]
            at += 1
    return new_idx


def permuted_rows(ptr, idx, data, order, new_id):
    """The CSR ``(ptr, idx, data)`` with row ``order[i]`` as row ``i`` and every column
    ``c`` as ``new_id[c]``."""
    new_ptr = permuted_ptr(ptr, order)
    return (
        new_ptr,
        permuted_ids(ptr, idx, order, new_ptr, new_id),
        permuted_entries(ptr, data, order, new_ptr),
    )


def permuted_rows_reference(ptr, idx, data, order, new_id):
    """``permuted_rows`` with numpy: the kernels' reference."""
    lengths = np.diff(ptr)[order]
    new_ptr = np.concatenate([[0], np.cumsum(lengths)]).astype(ptr.dtype)
    starts = np.repeat(ptr[order], lengths)
    within = np.arange(int(new_ptr[-1])) - np.repeat(new_ptr[:-1], lengths)
    entries = starts + within
    return new_ptr, new_id[idx[entries]].astype(idx.dtype), data[entries]


def renumbered(flow: Flow, order: np.ndarray) -> Flow:
    """``flow`` with node ``order[i]`` as node ``i``.

    Examples
    --------
    >>> import numpy as np
    >>> from infomap_learn import Network, compute_flow
    >>> flow = compute_flow(Network.from_edges(np.array([[0, 1], [1, 2]])))
    >>> order = np.array([2, 0, 1])
    >>> renumbered(flow, order).node_flow.tolist() == flow.node_flow[order].tolist()
    True
    >>> back = renumbered(renumbered(flow, order), np.argsort(order))
    >>> back.out_idx.tolist() == flow.out_idx.tolist()
    True
    """
    return renumbered_handed_over([flow], order)


def renumbered_handed_over(handed: list[Flow], order: np.ndarray) -> Flow:
    """``renumbered(handed.pop(), order)``, built one array at a time, each old array let
    go as soon as its new one stands. A caller that hands over its only reference (in the
    list ``handed``) holds one array more than the flow at any time, not a second flow:
    at 1M nodes and 10M links a second flow is 240 MB, a third of the search's peak."""
    flow = handed.pop()
    order = np.asarray(order, dtype=np.int64)
    new_id = np.empty(order.shape[0], dtype=np.int64)
    new_id[order] = np.arange(order.shape[0])
    flow = replace(
        flow,
        node_flow=flow.node_flow[order],
        teleport_source=None if flow.teleport_source is None else flow.teleport_source[order],
        teleport_target=None if flow.teleport_target is None else flow.teleport_target[order],
    )  # fmt: skip
    for side in ("out",) if flow.undirected else ("out", "in"):
        # (undirected, the in-links are the very same arrays: both names move together)
        names = ("out", "in") if flow.undirected else (side,)
        ptr = getattr(flow, f"{side}_ptr")
        new_ptr = permuted_ptr(ptr, order)
        idx = permuted_ids(ptr, getattr(flow, f"{side}_idx"), order, new_ptr, new_id)
        flow = replace(flow, **{f"{name}_idx": idx for name in names})
        del idx
        data = permuted_entries(ptr, getattr(flow, f"{side}_flow"), order, new_ptr)
        flow = replace(flow, **{f"{name}_flow": data for name in names})
        del data
        flow = replace(flow, **{f"{name}_ptr": new_ptr for name in names})
    return flow
