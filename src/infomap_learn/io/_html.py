"""A self-contained HTML view of a module tree: a zoomable treemap sized by module flow.

The page has no external resources: the data is embedded as JSON (with ``<``, ``>`` and
``&`` escaped, so no node name can close the script element), and the script and styles
are inline. A Content-Security-Policy forbids the page to load anything.

Only a bounded part of a large tree goes into the file: each module's top nodes by flow,
at most ``max_submodules`` submodules of each module (largest flow first, the rest as one
"N more modules" aggregate) and at most ``max_modules`` modules in all, expanded from the
top in order of decreasing flow.
"""

from __future__ import annotations

import functools
import heapq
import html
import json
import re
from importlib import resources
from numbers import Integral
from os import PathLike

import numpy as np

from ..paths import module_levels
from ._outputs import open_output
from ._text import _check_names
from ._writers import _physical_level

MAX_NAME_LENGTH = 100


def _positive_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def _round(x: float) -> float:
    """4 significant digits: enough for sizes and percentages, and short in the file."""
    return float(f"{x:.4g}")


def tree_data(
    tree,
    names=None,
    max_nodes_per_module: int = 10,
    max_submodules: int = 50,
    max_modules: int = 500,
    title: str | None = None,
) -> dict:
    """The JSON-ready data of the page: meta, the nodes shown and the modules shown.

    ``modules[0]`` is the root (the whole network). Each module has ``p`` its path
    (``"1:3"``, 1-based as in Infomap's .tree files), ``f`` its flow, ``n`` its number of
    nodes, ``s`` its number of submodules, ``c`` the indices of the submodules included
    (largest flow first), ``m`` = [count, flow, nodes] of the submodules left out (when
    some were), and ``t`` the indices in ``names``/``flows`` of its top nodes by flow.
    """
    k = _positive_int(max_nodes_per_module, "max_nodes_per_module")
    max_submodules = _positive_int(max_submodules, "max_submodules")
    max_modules = _positive_int(max_modules, "max_modules")
    names = _check_names(tree, names)
    if getattr(tree, "physical_ids", None) is not None:
        tree, _ = _physical_level(tree, names)
        names = tree.node_names
    paths = np.asarray(tree.paths)
    flow = np.asarray(tree.node_flow, dtype=np.float64)
    n = paths.shape[0]
    n_shown = getattr(tree, "n_physical", n)  # (a physical node may show in several modules)
    levels = module_levels(paths, flow)

    node_index: dict[int, int] = {}  # node -> position in the node table

    def top_nodes(node_ids: np.ndarray) -> list[int]:
        out = []
        for u in node_ids.tolist():
            if u not in node_index:
                node_index[u] = len(node_index)
            out.append(node_index[u])
        return out

    root_top = np.lexsort((np.arange(n), -flow))[:k]
    root_children = levels[0].children_of(0) if levels else np.empty(0, np.int64)
    modules = [
        {
            "p": "",
            "f": _round(float(flow.sum())),
            "n": n_shown,
            "s": int(root_children.size),
            "c": [],
            "t": top_nodes(root_top),
        }
    ]
    # (-flow, position in modules, level of its children, ids of its children)
    heap = [(-1.0, 0, 0, root_children)]
    budget = max_modules
    while heap and budget > 0:
        _, position, level, children = heapq.heappop(heap)
        if children.size == 0:
            continue
        lv = levels[level]
        cut = min(max_submodules, budget)
        shown, rest = children[:cut], children[cut:]
        budget -= shown.size
        entry = modules[position]
        for child in shown.tolist():
            prefix = entry["p"] + ":" if entry["p"] else ""
            grandchildren = (
                levels[level + 1].children_of(child)
                if level + 1 < len(levels)
                else np.empty(0, np.int64)
            )
            entry["c"].append(len(modules))
            heapq.heappush(heap, (-float(lv.flow[child]), len(modules), level + 1, grandchildren))
            modules.append(
                {
                    "p": f"{prefix}{lv.label[child]}",
                    "f": _round(float(lv.flow[child])),
                    "n": int(lv.size[child]),
                    "s": int(grandchildren.size),
                    "c": [],
                    "t": top_nodes(lv.top_nodes(child, k)),
                }
            )
        if rest.size:
            entry["m"] = [
                int(rest.size),
                _round(float(lv.flow[rest].sum())),
                int(lv.size[rest].sum()),
            ]

    shown_nodes = np.fromiter(node_index, dtype=np.int64, count=len(node_index))
    if names is None:
        labels = [str(u) for u in shown_nodes.tolist()]
    else:
        labels = [str(names[u]) for u in shown_nodes.tolist()]
    labels = [s if len(s) <= MAX_NAME_LENGTH else s[: MAX_NAME_LENGTH - 1] + "…" for s in labels]
    return {
        "meta": {
            "title": title or "Module tree",
            "nodes": n_shown,
            "topModules": tree.num_top_modules,
            "levels": tree.num_levels,
            "codelength": float(tree.codelength),
            "oneLevelCodelength": float(tree.one_level_codelength),
            "savings": float(tree.relative_codelength_savings),
            "maxNodesPerModule": k,
            "modulesShown": len(modules) - 1,
        },
        "names": labels,
        "flows": [_round(x) for x in flow[shown_nodes].tolist()],
        "modules": modules,
    }


def _json_for_script(data) -> str:
    """JSON that is safe inside a <script> element: no <, > or & (so no ``</script>`` or
    ``<!--``) and only ASCII (so no U+2028/U+2029 and no encoding surprises)."""
    text = json.dumps(data, ensure_ascii=True, allow_nan=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render_html(data: dict) -> str:
    """The page for :func:`tree_data`'s output."""
    parts = {
        "TITLE": html.escape(data["meta"]["title"]),
        "CSS": _template("tree_view.css"),
        "JS": _template("tree_view.js"),
        "DATA": _json_for_script(data),
    }
    # one pass, so that a title or a name that reads "{{JS}}" stays as it is
    return re.sub(
        r"\{\{(TITLE|CSS|JS|DATA)\}\}",
        lambda m: parts[m.group(1)],
        _template("tree_view.html"),
    )


@functools.cache
def _template(name: str) -> str:
    """A file of the page (HTML skeleton, CSS, JavaScript) from the package's templates."""
    return resources.files("infomap_learn.io").joinpath("templates", name).read_text("utf-8")


def write_html(
    tree,
    path: str | PathLike,
    names=None,
    max_nodes_per_module: int = 10,
    *,
    max_submodules: int = 50,
    max_modules: int = 500,
    title: str | None = None,
) -> None:
    """Write the module tree as one self-contained HTML page (see the module docstring).

    Parameters
    ----------
    tree : ModuleTree
    path : str or path-like
        The page to write. It is written to a temporary file next to it and renamed, so a
        failure never leaves a half-written page.
    names : sequence of length n_nodes, optional
        Node names to show; by default the tree's ``node_names``, else node indices.
    max_nodes_per_module : int, default 10
        Top nodes by flow shown for each module.
    max_submodules : int, default 50
        Submodules of a module included, largest flow first; the others show as one
        "N more modules" box.
    max_modules : int, default 500
        Modules included in all, expanded from the top by decreasing flow. With the other
        limits it bounds the file size whatever the size of the network.
    title : str, optional
        Page title (HTML-escaped).
    """
    if title is not None and not isinstance(title, str):
        raise ValueError(f"title must be a string or None, got {title!r}")
    page = render_html(
        tree_data(
            tree,
            names=names,
            max_nodes_per_module=max_nodes_per_module,
            max_submodules=max_submodules,
            max_modules=max_modules,
            title=title,
        )
    )
    with open_output(path) as out:
        out.write(page)
