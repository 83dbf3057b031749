"""The nodes a search works on, and in which order: nodes without flow left out, and a
large network's nodes numbered module by module.

A move looks up the module of every neighbour of the unit it moves, and then that
module's record. With the nodes numbered as the input numbers them (an LFR graph's ids
are random with respect to its communities) each lookup is a cache miss; numbered module
by module, most of a node's neighbours lie in one short range. Once the first trial's
first core loops have found modules (``find_modules``), a large search renumbers its
flow by them (``flow_moved``) and runs everything after on that: the tune steps that
sweep the nodes again, the other trials from their first core loop on, the hierarchy.
LFR 1M nodes, mu 0.3, in-process A/B: the coarse tune's search inside the modules took
4.4-5.2 s with the input's numbering and 3.3-3.5 s in module order, its aggregations
1.2-1.3 s and 0.5 s; the renumbering 0.2 s each way.

The flow is renumbered in place of the original, array by array, each one released
once its copy is made, so the search never holds two copies of its links, and the tree
is made on the flow moved back to the network's numbering the same way (computing it
again took 0.6 s at 1M nodes, seconds for a directed flow's power iteration). LFR 1M,
mu 0.3, 2 threads, peak memory in-process: 871 MB without renumbering, 922 MB with it;
843 and 861 MB since ``_memory.release_freed_memory`` returns the heap's freed memory
before the largest allocations.
"""

from __future__ import annotations

import numpy as np

from .._kernels import members_by_module
from ..flow import Flow
from . import _constants as constants
from ._launch import launch_parallel
from ._memory import release_freed_memory
from ._order_kernel import moved_columns, moved_ptr, moved_values


def without_isolated_nodes(flow: Flow) -> tuple[Flow, np.ndarray | None]:
    """The flow without the nodes that have no flow link and no flow, and the ids of the
    nodes kept (None when all are kept).

    Such a node adds nothing to any codelength wherever it is, so the search leaves it
    alone. With recorded teleportation every node is linked by teleportation, and all
    are kept. The CSR rows of the kept nodes are the same slices in the same order.
    """
    if flow.teleport_source is not None:
        return flow, None
    isolated = (
        (np.diff(flow.out_ptr) == 0) & (np.diff(flow.in_ptr) == 0) & (flow.node_flow == 0)
    )
    if not isolated.any():
        return flow, None
    kept = np.flatnonzero(~isolated)
    new_id = np.full(flow.n_nodes, -1, dtype=np.int32)
    new_id[kept] = np.arange(kept.size, dtype=np.int32)
    rows = np.append(kept, flow.n_nodes)  # isolated rows are empty: the others stay contiguous
    out_ptr, out_idx = flow.out_ptr[rows], new_id[flow.out_idx]
    if flow.undirected:
        in_ptr, in_idx = out_ptr, out_idx
    else:
        in_ptr, in_idx = flow.in_ptr[rows], new_id[flow.in_idx]
    sub = Flow(
        flow.node_flow[kept], out_ptr, out_idx, flow.out_flow, in_ptr, in_idx, flow.in_flow,
        None, None, flow.undirected, flow.flow_model,
    )  # fmt: skip
    return sub, kept


def with_isolated_nodes(paths: np.ndarray, searched: np.ndarray | None, n_nodes: int):
    """``paths`` of the searched nodes (the node ``searched[i]`` of the network for row
    ``i``; None: every node, in order), and a top module of its own for each other node
    of the ``n_nodes``."""
    if searched is None:
        return paths
    full = np.full((n_nodes, paths.shape[1]), -1, dtype=np.int64)
    full[searched] = paths
    others = np.setdiff1d(np.arange(n_nodes), searched, assume_unique=True)
    first = int(paths[:, 0].max()) + 1 if paths.size else 0
    full[others, 0] = first + np.arange(others.size)
    return full


def orders_by_modules(n_nodes: int, from_single_nodes: bool) -> bool:
    """Whether a search of ``n_nodes`` nodes renumbers them by its first modules: large
    networks (``constants.MODULE_ORDER_MIN_NODES``; a rule of sizes, never of threads)
    whose search starts from single nodes (initial modules keep the input's numbering;
    meta data and physical nodes are renumbered with the flow)."""
    return from_single_nodes and n_nodes >= constants.MODULE_ORDER_MIN_NODES


def module_order(labels: np.ndarray) -> np.ndarray:
    """The nodes module by module (each module's in their own order): ``order[i]`` is
    the node numbered ``i`` (int32 where that holds every id: the search keeps it)."""
    order = members_by_module(labels, int(labels.max()) + 1)[1]
    return order.astype(np.int32) if labels.shape[0] < 2**31 else order


def numbers_of(order: np.ndarray) -> np.ndarray:
    """The number of each node in ``order`` (``order[numbers[u]] == u``)."""
    numbers = np.empty(order.shape[0], dtype=np.int64)
    numbers[order] = np.arange(order.shape[0])
    return numbers


def flow_moved(holder: list[Flow], place: np.ndarray, n_nodes: int, threads: int = 1) -> Flow:
    """The flow in ``holder`` (which this empties) with node ``u`` numbered ``place[u]``
    among ``n_nodes`` nodes (numbers no node takes: nodes without flow or links).

    Array by array: each of the old flow's link arrays is released, where nothing else
    holds it, once its renumbered copy is made."""
    release_freed_memory()  # (before its largest arrays: see _memory)
    old = holder.pop()
    undirected, model = old.undirected, old.flow_model
    node_flow = _moved_nodes(place, old.node_flow, n_nodes)
    teleport = [
        None if rates is None else _moved_nodes(place, rates, n_nodes)
        for rates in (old.teleport_source, old.teleport_target)
    ]
    sides = [[old.out_ptr, old.out_idx, old.out_flow]]
    if not undirected:
        sides.append([old.in_ptr, old.in_idx, old.in_flow])
    del old
    place = np.ascontiguousarray(place, dtype=np.int64)
    moved = []
    for side in sides:
        ptr = side[0]
        new_ptr = moved_ptr(place, ptr, n_nodes)
        new_idx = launch_parallel(moved_columns, threads, place, ptr, new_ptr, side.pop(1))
        new_values = launch_parallel(moved_values, threads, place, ptr, new_ptr, side.pop(1))
        moved.append((new_ptr, new_idx, new_values))
    out = moved[0]
    into = out if undirected else moved[1]
    return Flow(node_flow, *out, *into, *teleport, undirected, model)


def _moved_nodes(place: np.ndarray, values: np.ndarray, n_nodes: int) -> np.ndarray:
    """Per-node ``values`` with node ``u``'s at ``place[u]`` (zero where no node moves)."""
    moved = np.zeros(n_nodes, dtype=values.dtype)
    moved[place] = values
    return moved
