"""The module tree as indented plain text, for a quick look in a terminal or a notebook.

One header line with the codelength, then one line per module in depth-first order,
submodules indented under their parent::

    codelength 3.98928 bits, 3 module levels, 2 top modules, 24 nodes, relative savings 11.1%
    1 (flow 0.51, 12 nodes): 0, 1, 5, …
      1:1 (flow 0.271, 6 nodes): 7, 10, 11, …
      1:2 (flow 0.24, 6 nodes): 0, 1, 5, …
        1:2:1 (flow 0.125, 3 nodes): 0, 4, 2
        1:2:2 (flow 0.115, 3 nodes): 1, 5, 3
    2 (flow 0.49, 12 nodes): 18, 21, 13, …
      2:1 (flow 0.26, 6 nodes): 18, 21, 23, …
      2:2 (flow 0.229, 6 nodes): 13, 17, 16, …

With ``max_modules`` the smaller siblings of a module are summed up in one line at their
indentation, ``… 3 more modules (flow 0.0123)``.

A module's path is 1-based and ':'-separated like the paths of Infomap's ``.tree`` files
(``1:2`` is the second submodule of the first top module); siblings are listed by
decreasing flow, and the nodes of a module (all of them, not only those directly in it) by
decreasing visit rate. The per-module aggregates are computed with numpy for a whole level
at a time; only the printed modules are visited one by one.
"""

from __future__ import annotations

import numbers

import numpy as np

from ..paths import module_levels

__all__ = ["format_tree"]

_ELLIPSIS = "…"


def _check_limit(name: str, value) -> int | None:
    """``None`` (no limit) or a positive integer."""
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be a positive integer or None, got {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be a positive integer or None, got {value!r}")
    return int(value)


def _check_names(tree, names):
    """``names``, else the tree's node names, as an indexable sequence; None for indices."""
    n = tree.n_nodes
    if names is None:
        names = tree.node_names
        if names is None:
            return None
    elif isinstance(names, (str, bytes)):
        raise ValueError("names must be a sequence with one name per node, not a string")
    try:
        size = len(names)
    except TypeError:
        raise ValueError(
            f"names must be a sequence with one name per node, got {type(names).__name__}"
        ) from None
    if size != n:
        raise ValueError(f"names must have one name per node ({n}), got {size}")
    # positional indexing (a pandas Series, for instance, would index by label)
    return names if isinstance(names, (list, tuple, np.ndarray)) else list(names)


def _label(names, node: int) -> str:
    if names is None:
        return str(node)
    # one module per line: a line break inside a name would break the layout
    return " ".join(str(names[node]).splitlines())  # every kind of line break


def _flow(x: float) -> str:
    return f"{x:.3g}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def format_tree(
    tree,
    names=None,
    max_nodes_per_module: int | None = 5,
    max_modules: int | None = 10,
    max_depth: int | None = None,
) -> str:
    """The module tree as indented text, one line per module.

    Parameters
    ----------
    tree : ModuleTree
    names : sequence, optional
        A name per node (any objects, printed with ``str``); by default the tree's
        ``node_names``, or the node indices when it has none.
    max_nodes_per_module : int or None, default 5
        Top nodes (by visit rate) listed for each module; None lists all of them.
    max_modules : int or None, default 10
        Largest children (by flow) printed under each module, and top modules; the rest
        are summed up in one line "… N more modules (flow x)". None prints all.
    max_depth : int or None, default None
        Module levels printed (1: the top modules only); None prints them all.

    Returns
    -------
    str
        A header line (codelength in bits, module levels, top modules, nodes, relative
        codelength savings) and one line per module, ``path (flow f, m nodes): top nodes``,
        each level indented two spaces under its parent. No trailing newline.
    """
    max_nodes = _check_limit("max_nodes_per_module", max_nodes_per_module)
    max_modules = _check_limit("max_modules", max_modules)
    max_depth = _check_limit("max_depth", max_depth)
    names = _check_names(tree, names)

    paths = np.asarray(tree.paths)
    node_flow = np.asarray(tree.node_flow, dtype=np.float64)
    n_levels = tree.num_levels
    header = (
        f"codelength {tree.codelength:.6g} bits, {_plural(n_levels, 'module level')}, "
        f"{_plural(tree.num_top_modules, 'top module')}, {_plural(tree.n_nodes, 'node')}, "
        f"relative savings {100.0 * tree.relative_codelength_savings:.3g}%"
    )
    lines = [header]
    shown = n_levels if max_depth is None else min(n_levels, max_depth)
    levels = module_levels(paths, node_flow, max_depth=shown) if tree.n_nodes else []

    def module_line(depth: int, module: int, path: str) -> str:
        level = levels[depth]
        size = int(level.size[module])
        top = [_label(names, int(u)) for u in level.top_nodes(module, max_nodes)]
        if len(top) < size:
            top.append(_ELLIPSIS)
        return (
            f"{'  ' * depth}{path} (flow {_flow(level.flow[module])}, "
            f"{_plural(size, 'node')}): {', '.join(top)}"
        )

    def emit(depth: int, parent: int, parent_path: str) -> None:
        if depth >= len(levels):
            return
        level = levels[depth]
        children = level.children_of(parent)
        printed = children if max_modules is None else children[:max_modules]
        for module in printed:
            number = int(level.label[module])
            path = f"{parent_path}:{number}" if parent_path else str(number)
            lines.append(module_line(depth, int(module), path))
            emit(depth + 1, int(module), path)
        rest = children[len(printed) :]
        if rest.size:
            lines.append(
                f"{'  ' * depth}{_ELLIPSIS} {_plural(rest.size, 'more module')} "
                f"(flow {_flow(level.flow[rest].sum())})"
            )

    emit(0, 0, "")
    return "\n".join(lines)
