"""State and multilayer networks from graph objects, as the official Infomap's networkx and
igraph front doors read them: a node attribute ``node_id`` (the physical node of each
graph node) makes the graph a state network, and ``layer_id`` as well a multilayer network
whose edges within a layer are intra-layer links and whose edges between the layers of one
physical node are inter-layer links. Shared by the networkx and igraph adapters."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from numbers import Integral

import numpy as np

from infomap_learn import Network


def _ids_of(values: Sequence | None, attribute: str, describe: Callable[[int], str]):
    """The attribute's value on every node, or None if no node has it; a ValueError
    naming the first node without it when only some have it."""
    if values is None:
        return None
    missing = [i for i, value in enumerate(values) if value is None]
    if len(missing) == len(values):
        return None
    if missing:
        raise ValueError(
            f"{describe(missing[0])} has no {attribute!r} attribute, but other nodes do: a "
            f"state network needs {attribute!r} on every node"
        )
    return list(values)


def _integers(values: list, attribute: str, describe: Callable[[int], str]) -> np.ndarray:
    """Non-negative integer ids kept as they are; other labels numbered in order of first
    appearance (only when no value is an integer)."""
    integral = [isinstance(v, Integral) and not isinstance(v, bool) for v in values]
    if all(integral):
        ids = np.array(values, dtype=np.int64)
        if ids.min() < 0:
            i = int(np.flatnonzero(ids < 0)[0])
            raise ValueError(f"{describe(i)} has {attribute}={values[i]!r}: ids must be >= 0")
        return ids
    if any(integral):
        i = integral.index(False)
        raise ValueError(
            f"{describe(i)} has {attribute}={values[i]!r}, while other nodes have integers: "
            "use integer ids on every node, or labels on every node"
        )
    numbered: dict = {}
    return np.array([numbered.setdefault(v, len(numbered)) for v in values], dtype=np.int64)


def higher_order_network(
    names: list,
    node_ids: Sequence | None,
    layer_ids: Sequence | None,
    edges: np.ndarray,
    weights: np.ndarray | None,
    directed: bool,
    *,
    attributes: tuple[str, str],
    describe_node: Callable[[int], str],
    describe_edge: Callable[[int], str],
    inter_intra_format: bool = True,
) -> Network | None:
    """The state or multilayer network of a graph, or None for a first-order graph.

    ``names``: the graph's node keys; ``node_ids``/``layer_ids``: the attributes' values
    per node (None where absent); ``edges``: node index pairs, ``weights`` their weights.
    """
    node_attribute, layer_attribute = attributes
    physical_values = _ids_of(node_ids, node_attribute, describe_node)
    layer_values = _ids_of(layer_ids, layer_attribute, describe_node)
    if physical_values is None:
        if layer_values is not None:
            raise ValueError(
                f"the nodes carry {layer_attribute!r} but not {node_attribute!r}: a "
                f"multilayer network needs the physical node of every node in {node_attribute!r}"
            )
        return None
    physical = _integers(physical_values, node_attribute, describe_node)
    if layer_values is None:
        return Network.from_states(physical, edges, weights, directed=directed, node_names=names)
    layers = _integers(layer_values, layer_attribute, describe_node)
    keys = layers * (int(physical.max()) + 1) + physical
    order = np.argsort(keys, kind="stable")
    same = np.flatnonzero(np.diff(keys[order]) == 0)
    if same.size:
        a, b = int(order[same[0]]), int(order[same[0] + 1])
        raise ValueError(
            f"{describe_node(a)} and {describe_node(b)} are both node {physical[a]} in layer "
            f"{layers[a]}: each (layer, node) pair is one state node"
        )
    w = np.ones(len(edges)) if weights is None else np.asarray(weights, dtype=np.float64)
    u, v = edges[:, 0], edges[:, 1]
    lu, lv, pu, pv = layers[u], layers[v], physical[u], physical[v]
    if not inter_intra_format:
        links = np.column_stack([lu, pu, lv, pv, w])
        net = Network.from_multilayer(links=links, directed=directed)
    else:
        within = lu == lv
        diagonal = ~within & (pu != pv)
        if diagonal.any():
            i = int(np.flatnonzero(diagonal)[0])
            raise ValueError(
                f"{describe_edge(i)} joins different nodes in different layers: intra- and "
                "inter-layer links cannot express it (pass multilayer_inter_intra_format="
                "False to keep every edge as a link between state nodes)"
            )
        intra = np.column_stack([lu, pu, pv, w])[within]
        inter = np.column_stack([lu, pu, lv, w])[~within]
        net = Network.from_multilayer(intra, inter if inter.size else None, directed=directed)
    position = np.searchsorted(keys[order], net.layer_ids * (int(physical.max()) + 1)
                               + net.physical_ids)  # fmt: skip
    from infomap_learn.network._multilayer import with_state_names

    return with_state_names(net, [names[i] for i in order[position].tolist()])
