"""Reader for Infomap's JSON network input (``infomap-network-json`` v1.0).

A document is an object with ``"format": "infomap-network-json"`` (the draft name
``"infomap-network"`` is read too), ``"version": "1.0"``, an optional ``"directed"`` flag,
optional ``"nodes"`` (``id``, and optionally ``name`` and a non-negative ``weight``) and
``"edges"`` (``source``, ``target`` and optionally ``weight``). As in the official Infomap,
fields it does not know are ignored, an edge of weight zero carries no flow and is left
out (its nodes stay), and a negative weight is an error. Only the standard network type
is read here; bipartite, multilayer and state networks are named as not supported.

JSON has no lines worth naming, so every error names the file and the place in the
document as the user wrote it (``edges[3].source``).
"""

from __future__ import annotations

import json

import numpy as np

from ..network import Network

FORMATS = ("infomap-network-json", "infomap-network")


def looks_like_json(text: str) -> bool:
    """Whether ``text`` starts (after white space) with a JSON object."""
    return text.lstrip()[:1] == "{"


def _ids(items: list, key: str, where: str, path) -> np.ndarray:
    values = [item.get(key) if isinstance(item, dict) else None for item in items]
    for index, value in enumerate(values):
        if type(value) is not int or value < 0:
            if not isinstance(items[index], dict):
                raise ValueError(
                    f"{path}: {where}[{index}] must be an object, got {items[index]!r}"
                )
            raise ValueError(
                f"{path}: {where}[{index}].{key} must be a non-negative integer, got {value!r}"
            )
    return np.array(values, dtype=np.int64)


def _numbers(items: list, key: str, where: str, path, default: float) -> np.ndarray:
    values = [item.get(key, default) for item in items]
    for index, value in enumerate(values):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value):
            raise ValueError(
                f"{path}: {where}[{index}].{key} must be a finite number, got {value!r}"
            )
    return np.array(values, dtype=np.float64)


def _non_negative(weights: np.ndarray, where: str, path) -> None:
    negative = np.flatnonzero(weights < 0)
    if negative.size:
        raise ValueError(
            f"{path}: {where}[{negative[0]}].weight must be non-negative, got "
            f"{float(weights[negative[0]])!r}"
        )


def read_network_json(
    text: str, directed: bool, path, skip: tuple = (None, True)
) -> tuple[Network, np.ndarray]:
    """The network of a JSON document ``text`` read from ``path`` (``skip``: the weight
    threshold and whether self-links are kept), and the node ids in the document."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"{path}:{error.lineno}: not valid JSON: {error.msg}") from None
    if not isinstance(document, dict):
        raise ValueError(f"{path}: a JSON network is an object, got {type(document).__name__}")
    if document.get("format") not in FORMATS:
        raise ValueError(f"{path}: format must be {FORMATS[0]!r}, got {document.get('format')!r}")
    if document.get("version") != "1.0":
        raise ValueError(f"{path}: version must be '1.0', got {document.get('version')!r}")
    kind = document.get("type", "standard")
    if kind != "standard":
        raise ValueError(
            f"{path}: network type {kind!r} is not supported (only 'standard' networks)"
        )
    is_directed = document.get("directed", False)
    if not isinstance(is_directed, bool):
        raise ValueError(f"{path}: directed must be true or false, got {is_directed!r}")
    nodes, edges = document.get("nodes", []), document.get("edges")
    for where, items in (("nodes", nodes), ("edges", edges)):
        if not isinstance(items, list):
            raise ValueError(f"{path}: {where} must be an array, got {items!r}")
    vertex_ids = _ids(nodes, "id", "nodes", path)
    node_weights = _numbers(nodes, "weight", "nodes", path, 1.0)
    _non_negative(node_weights, "nodes", path)
    names = [node.get("name") for node in nodes]
    for index, name in enumerate(names):
        if name is not None and not isinstance(name, str):
            raise ValueError(f"{path}: nodes[{index}].name must be a string, got {name!r}")
    unique_vertices, counts = np.unique(vertex_ids, return_counts=True)
    if (counts > 1).any():
        raise ValueError(f"{path}: node id {unique_vertices[counts > 1][0]} is declared twice")
    sources = _ids(edges, "source", "edges", path)
    targets = _ids(edges, "target", "edges", path)
    weights = _numbers(edges, "weight", "edges", path, 1.0)
    _non_negative(weights, "edges", path)
    node_ids = np.unique(np.concatenate([vertex_ids, sources, targets]))
    if node_ids.size == 0:
        raise ValueError(f"{path}: no nodes or edges found")
    threshold, self_links = skip
    keep = weights > 0
    if threshold is not None:
        keep &= weights >= threshold
    if not self_links:
        keep &= sources != targets
    node_names = np.array([str(i) for i in node_ids.tolist()], dtype=object)
    all_weights = np.ones(node_ids.size)
    position = np.searchsorted(node_ids, vertex_ids)
    named = np.array([name is not None for name in names], dtype=bool)
    node_names[position[named]] = np.array([n for n in names if n is not None], dtype=object)
    all_weights[position] = node_weights
    network = Network.from_edges(
        np.stack([np.searchsorted(node_ids, sources[keep]),
                  np.searchsorted(node_ids, targets[keep])], axis=1),
        weights[keep],
        n_nodes=node_ids.size,
        directed=directed or is_directed,
        node_weights=all_weights,
        node_names=node_names.tolist(),
    )  # fmt: skip
    return network, node_ids
