"""The module tree as JSON, in the layout of the official Infomap's ``-o json``, and the
module paths of such a file (written by Infomap or by us) for ``ModuleTree.read``.

The layout (as Infomap 2.x writes it; only the format is matched, no code is shared): run
facts (``version``, ``codelength``, ``numLevels`` counting the leaf level as Infomap does,
``numTopModules``, ``numModules`` per level with 0 for the leaf level,
``relativeCodelengthSavings``, ``directed``, ``flowModel``, ...), then ``nodes`` in the
depth-first order of the ``.tree`` file, each with its 1-based ``path`` (the last entry its
rank in its leaf module), its ``modules`` at every level (1-based ids unique within a
level, as ``ModuleTree.multilevel_labels`` + 1), ``name``, ``flow`` and ``id``; and
``modules``, the root first and then every module in depth-first order, with ``path``,
``enterFlow``, ``exitFlow``, ``numEdges`` (links between its children), ``numChildren``
and ``codelength`` (of its own codebook). Infomap's per-node ``mec`` field is not written.
The codelength is written at full precision, the flows with 6 significant digits as
Infomap writes them.
"""

from __future__ import annotations

import json
from os import PathLike
from typing import Any

import numpy as np

from .._version import __version__
from ..paths import prefix_keys
from ._outputs import open_output
from ._writers import (
    _Layout,
    _names,
    _node_ids,
    _physical_level,
    _shown,
    hidden_from,
    module_table,
)

__all__ = ["write_json", "module_paths_from_json"]


def _six(x: float) -> float:
    """A float with 6 significant digits, as Infomap's JSON prints flows."""
    return float(f"{x:.6g}")


def tree_as_json(
    tree, node_ids=None, args: str = "", states: bool = False,
    hide_bipartite_nodes: bool = False,
) -> dict[str, Any]:  # fmt: skip
    """The JSON document of ``tree`` as a dict (see the module docstring). Over a state
    network the nodes are the physical level (one per leaf module and physical node, ``id``
    the physical id) unless ``states``: then the state nodes, with ``stateId``, ``id``
    (physical) and, for a multilayer network, ``layerId``, as Infomap writes them.
    ``hide_bipartite_nodes``: without a bipartite network's feature nodes."""
    layout = _Layout(tree)
    table = module_table(tree, layout)
    higher_order = tree.physical_ids is not None
    shown = tree
    if higher_order and not states:
        shown, physical = _physical_level(tree)
        ids, names = physical.tolist(), shown.node_names
        node_layout = _Layout(shown, by_flow=False)
    else:
        ids, names = _node_ids(tree, node_ids), _names(tree)
        node_layout = layout
    continued = np.where(node_layout.paths >= 0, node_layout.paths, 0)
    modules_of = (np.stack(prefix_keys(continued), axis=1) + 1).tolist()
    order = _shown(node_layout.order, hidden_from(tree, hide_bipartite_nodes)).tolist()
    number = node_layout.leaf_number.tolist()
    depth = node_layout.depth.tolist()
    paths = (node_layout.paths + 1).tolist()
    flow = node_layout.node_flow.tolist()
    nodes = [
        {
            "path": paths[u][: depth[u]] + [number[u]],
            "modules": modules_of[u],
            "name": names[u],
            "flow": _six(flow[u]),
            "id": ids[u],
        }
        for u in order
    ]
    if higher_order and states:
        physical_ids = tree.physical_ids.tolist()
        layers = None if tree.layer_ids is None else tree.layer_ids.tolist()
        for node, u in zip(nodes, order):
            node["stateId"] = node.pop("id")
            if layers is not None:
                node["layerId"] = layers[u]
            node["id"] = physical_ids[u]
    module_path = (layout.module_path + 1).tolist()
    level = layout.module_level.tolist()
    enter, exit_ = table["enter"].tolist(), table["exit"].tolist()
    n_edges, n_children = table["n_edges"].tolist(), table["n_children"].tolist()
    codelength = table["codelength"].tolist()
    modules = [
        {
            "path": module_path[m][: level[m]] if level[m] else [0],
            "enterFlow": _six(enter[m]),
            "exitFlow": _six(exit_[m]),
            "numEdges": n_edges[m],
            "numChildren": n_children[m],
            "codelength": _six(codelength[m]),
        }
        for m in layout.module_dfs.tolist()
    ]
    return {
        "version": f"infomap-learn v{__version__}",
        "args": args,
        "codelength": float(tree.codelength),
        "seed": tree.options.get("seed"),
        "trials": len(tree.trial_codelengths),
        "numTrials": tree.options.get("num_trials"),
        "trialCodelengths": list(tree.trial_codelengths),
        "numLevels": tree.num_levels + 1,
        "numTopModules": tree.num_top_modules,
        "numModules": [int(size) for size in layout.sizes] + [0],
        "relativeCodelengthSavings": float(tree.relative_codelength_savings),
        "directed": not tree.flow.undirected,
        "flowModel": tree.flow.flow_model,
        "higherOrder": higher_order,
        **({"stateLevel": bool(states)} if higher_order else {}),
        "nodes": nodes,
        "modules": modules,
    }


def write_json(
    tree, path: str | PathLike, node_ids=None, args: str = "", states: bool = False,
    hide_bipartite_nodes: bool = False,
) -> None:  # fmt: skip
    """Write ``tree`` as Infomap's ``-o json`` does (see the module docstring); ``args``
    is the command line recorded in the file; ``states``: the state nodes of a state
    network rather than its physical level; ``hide_bipartite_nodes``: without a
    bipartite network's feature nodes."""
    document = tree_as_json(
        tree, node_ids=node_ids, args=args, states=states,
        hide_bipartite_nodes=hide_bipartite_nodes,
    )  # fmt: skip
    with open_output(path) as fh:
        json.dump(document, fh, separators=(",", ":"))
        fh.write("\n")


def module_paths_from_json(
    path: str | PathLike, text: str
) -> list[tuple[str, int, list[int]]]:
    """(where, node id, 0-based module path) of every node of an Infomap JSON tree
    ``text`` read from ``path``; ``where`` and the errors name the file and the node's
    position in ``nodes``."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"{path}:{error.lineno}: not valid JSON ({error.msg})") from None
    nodes = document.get("nodes") if isinstance(document, dict) else None
    if not isinstance(nodes, list):
        raise ValueError(f"{path}: no 'nodes' list: not a module tree of Infomap's -o json")
    if document.get("higherOrder") and document.get("stateLevel") is False:
        from ._tokens import _PHYSICAL_LEVEL

        raise ValueError(_PHYSICAL_LEVEL.format(path=path))
    rows = []
    for position, node in enumerate(nodes):
        try:
            leaf_path = [int(x) for x in node["path"]]
            node_id = int(node["stateId"] if "stateId" in node else node["id"])
            key = (int(node["layerId"]), int(node["id"])) if "layerId" in node else None
        except (KeyError, TypeError, ValueError):
            raise ValueError(
                f"{path}: nodes[{position}] needs an integer 'id' and a 'path' of integers, "
                f"got {json.dumps(node)[:80]}"
            ) from None
        module_path = [x - 1 for x in leaf_path[:-1]]
        if not module_path or min(module_path) < 0:
            raise ValueError(f"{path}: nodes[{position}] has no module path: {leaf_path}")
        rows.append((f"{path}: nodes[{position}]", node_id, module_path, key))
    return rows

