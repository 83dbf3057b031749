"""Writers for the text formats of the official Infomap: ``.clu``, ``.tree`` and ``.ftree``.

The formats (as Infomap 2.x writes them; only the formats are matched, no code is shared):

``.tree``
    Comment header, then one row per node, ``path flow "name" node_id``, in depth-first
    order of the module tree. ``path`` is 1-based and ':'-separated: modules numbered
    1, 2, ... among their siblings by decreasing flow, and the last entry the node's rank
    within its leaf module, also by decreasing flow (ties by node id).
``.clu``
    Comment header, ``# module level L``, ``# node_id module flow``, then one row per node
    in the same depth-first order. Module ids are 1-based and unique within the level,
    numbered in depth-first order.
``.ftree``
    The ``.tree`` file followed by the links between siblings: for every module (the root
    first, then the modules in depth-first order) a line
    ``*Links path enterFlow exitFlow numEdges numChildren`` and then one ``source target
    flow`` row per pair of children (submodules or leaf nodes, by their local 1-based
    number) with flow between them, sorted by (source, target). A directed network gets
    one row per ordered pair. An undirected one gets one row per unordered pair, source <
    target, whose flow is *both directions combined* (twice the per-direction flow),
    while the enter and exit flows of the modules are per direction.

Node ids are 0-based node indices (the official Infomap writes the ids the user gave).
Numbers are printed like C++ streams print doubles: 6 significant digits (``%g``).
"""

from __future__ import annotations

from os import PathLike

import numpy as np

from .._version import __version__
from ..mapequation import module_flows, plogp
from ..paths import module_levels, prefix_keys
from ._outputs import open_output

__all__ = ["write_clu", "write_csv", "write_ftree", "write_newick", "write_tree"]


def _g(x: float) -> str:
    return f"{x:g}"


def _node_ids(tree, node_ids) -> list:
    if node_ids is None:
        return list(range(tree.n_nodes))
    node_ids = np.asarray(node_ids)
    if node_ids.shape != (tree.n_nodes,):
        raise ValueError(
            f"node_ids must have one id per node ({tree.n_nodes}), got shape {node_ids.shape}"
        )
    return node_ids.tolist()


def _header(tree, node_ids=None) -> list[str]:
    options = " ".join(f"{key}={value}" for key, value in tree.options.items())
    return [
        f"# infomap-learn v{__version__}",
        f"# options {options}" if options else "# options (none)",
        "# node ids are 0-based node indices"
        if node_ids is None
        else "# node ids are the ids of the input file",
        # Infomap counts the level of the leaf nodes too.
        f"# partitioned into {tree.num_levels + 1} levels with {tree.num_top_modules} top modules",
        f"# codelength {_g(tree.codelength)} bits",
        f"# relative codelength savings {_g(100.0 * tree.relative_codelength_savings)}%",
        f"# flow model {tree.flow.flow_model}",
    ]


def _names(tree) -> list[str]:
    n = tree.n_nodes
    if tree.node_names is None:
        return [str(i) for i in range(n)]
    # Infomap writes the name verbatim between quotes; only line breaks would break a row.
    return [str(name).replace("\r", " ").replace("\n", " ") for name in tree.node_names]


def _group_order(*columns: np.ndarray) -> np.ndarray:
    """Indices that sort rows by the given non-negative int64 columns (first = primary)."""
    if not columns[0].size:
        return np.arange(0)
    widths = [int(c.max()) + 1 for c in columns]
    if float(np.prod([float(w) for w in widths])) < 2.0**62:
        combined = np.zeros(columns[0].size, dtype=np.int64)
        for column, width in zip(columns, widths):
            combined = combined * width + column
        return np.argsort(combined, kind="stable")
    return np.lexsort(columns[::-1])


class _Layout:
    """The module tree of a :class:`ModuleTree` as Infomap lays it out in its files.

    Tree nodes other than leaves get a *level-major* id: 0 for the root, then the modules
    of level 1, level 2, ... (``1 + offset[L] + key`` for key ``key`` of
    ``prefix_keys(paths)[L]``).
    """

    def __init__(self, tree, by_flow: bool = True):
        paths = np.asarray(tree.paths, dtype=np.int64)
        n, d = paths.shape
        p = np.asarray(tree.flow.node_flow, dtype=np.float64)
        self.paths, self.n, self.d, self.node_flow = paths, n, d, p
        self.depth = depth = (paths >= 0).sum(axis=1)
        self.keys = keys = prefix_keys(paths)
        sizes = [int(key.max()) + 1 if (key >= 0).any() else 0 for key in keys]
        self.sizes = sizes
        self.offset = offset = np.concatenate([[1], 1 + np.cumsum(sizes)]).astype(np.int64)
        n_modules = int(offset[-1])  # including the root
        self.n_modules = n_modules

        # Path (padded with -1), parent and level of every module, from the tree's one
        # per-level aggregation (module ids there are the prefix keys, as here).
        module_path = np.full((n_modules, d), -1, dtype=np.int64)
        module_parent = np.full(n_modules, -1, dtype=np.int64)
        module_level = np.zeros(n_modules, dtype=np.int64)
        for level, modules in enumerate(module_levels(paths, p)):
            ids = offset[level] + np.arange(sizes[level])
            above = 0 if level == 0 else offset[level - 1] + modules.parent
            module_path[ids, :level] = module_path[above, :level]
            module_path[ids, level] = modules.label - 1
            module_level[ids] = level + 1
            module_parent[ids] = above
        self.module_path, self.module_parent = module_path, module_parent
        self.module_level = module_level
        # Depth-first (pre-order) rank: lexicographic order of the -1 padded paths.
        dfs = np.lexsort(tuple(module_path[:, level] for level in reversed(range(d))))
        self.module_dfs = dfs  # level-major ids in depth-first order, root first

        # Parent of every leaf (level-major id) and child counts.
        leaf_parent = np.zeros(n, dtype=np.int64)
        for level in range(d):
            at = depth == level + 1
            leaf_parent[at] = offset[level] + keys[level][at]
        self.leaf_parent = leaf_parent
        n_sub = (
            np.bincount(module_parent[1:], minlength=n_modules)
            if n_modules > 1
            else np.zeros(n_modules, dtype=np.int64)
        )
        n_leaves = np.bincount(leaf_parent, minlength=n_modules)
        self.n_children = n_sub + n_leaves

        # Leaves in depth-first order: by module path (a module's submodules before its
        # own leaves, should it have both), then by decreasing flow, then by node id.
        big = np.iinfo(np.int64).max
        sort_cols = np.where(paths >= 0, paths, big)
        within = -p if by_flow else np.zeros(n)  # (else in the given order, as the ids)
        order = np.lexsort((within,) + tuple(sort_cols[:, level] for level in reversed(range(d))))
        self.order = order
        # Local 1-based number of each leaf among its siblings.
        parent_sorted = leaf_parent[order]
        starts = np.flatnonzero(np.r_[True, parent_sorted[1:] != parent_sorted[:-1]])
        start_of = np.repeat(starts, np.diff(np.r_[starts, n]))
        leaf_number = np.empty(n, dtype=np.int64)
        leaf_number[order] = np.arange(n) - start_of + 1 + n_sub[parent_sorted]
        self.leaf_number = leaf_number

    def module_strings(self) -> list[str]:
        """':'-joined 1-based path of every module by level-major id ('' for the root)."""
        strings = [""] * self.n_modules
        number = (self.module_path + 1).tolist()
        levels, parents = self.module_level.tolist(), self.module_parent.tolist()
        for mid in self.module_dfs.tolist():  # parents before children
            level = levels[mid]
            if level:
                parent = strings[parents[mid]]
                own = str(number[mid][level - 1])
                strings[mid] = f"{parent}:{own}" if parent else own
        return strings


def hidden_from(tree, hide_bipartite_nodes: bool) -> int | None:
    """The first node a writer leaves out: the bipartite start id with
    ``hide_bipartite_nodes`` (Infomap's ``--hide-bipartite-nodes``: the feature nodes),
    else None."""
    if not hide_bipartite_nodes:
        return None
    start = tree.options.get("bipartite_start_id")
    if start is None or tree.physical_ids is not None:
        raise ValueError(
            "hide_bipartite_nodes needs the tree of a bipartite network (searched or read "
            "with bipartite_start_id), not of a state network"
        )
    return int(start)


def _shown(order: np.ndarray, first_hidden: int | None) -> np.ndarray:
    """The nodes of ``order`` a writer shows (all but those from ``first_hidden`` on)."""
    return order if first_hidden is None else order[order < first_hidden]


def _leaf_rows(tree, layout: _Layout, module_str: list[str], node_ids=None, first_hidden=None):
    """(path, flow, name, node id) of every node (but those from ``first_hidden`` on) in
    the depth-first order of the ``.tree`` file, the path 1-based and ':'-joined down to
    the node's rank in its leaf module."""
    names = _names(tree)
    ids = _node_ids(tree, node_ids)
    parent = layout.leaf_parent.tolist()
    number = layout.leaf_number.tolist()
    flow = layout.node_flow.tolist()
    for u in _shown(layout.order, first_hidden).tolist():
        prefix = module_str[parent[u]]
        path = f"{prefix}:{number[u]}" if prefix else str(number[u])
        yield path, flow[u], names[u], ids[u]


def _tree_lines(
    tree, layout: _Layout, module_str: list[str], node_ids=None, first_hidden=None
) -> list[str]:
    rows = [
        f'{path} {flow:g} "{name}" {node}'
        for path, flow, name, node in _leaf_rows(
            tree, layout, module_str, node_ids, first_hidden
        )
    ]
    return ["# path flow name node_id", *rows]


def _write_lines(path: str | PathLike, lines: list[str]) -> None:
    """``lines`` as a text file, written whole or not at all."""
    with open_output(path) as fh:
        fh.write("\n".join(lines))
        fh.write("\n")


def _physical_level(tree, names=None):
    """The physical level of a state tree as a tree of its own: one leaf per (leaf module,
    physical node) pair with the pair's flow and the physical node's name (from ``names``
    per state node, else the tree's, else its physical id; the network's physical names
    first where it has them), the leaves of a module in order
    of physical id (as Infomap writes them); and the physical ids. Shared by the text, JSON
    and HTML views."""
    from types import SimpleNamespace

    from .._physical import physical_rows

    rows = physical_rows(tree.paths, tree.flow.node_flow, tree.physical_ids)
    given = names is not None
    if names is None and tree.node_names is not None:
        names = _names(tree)
    row_names = (
        [str(u) for u in rows.physical_ids.tolist()] if names is None  # (as Infomap)
        else [names[i] for i in rows.first_state.tolist()]
    )  # fmt: skip
    if tree.physical_names and not given:  # (the physical nodes' own names, if known)
        known = tree.physical_names
        row_names = [
            known.get(u, name) for u, name in zip(rows.physical_ids.tolist(), row_names)
        ]
    physical = SimpleNamespace(
        paths=rows.paths, node_flow=rows.flow,
        flow=SimpleNamespace(node_flow=rows.flow, flow_model=tree.flow.flow_model),
        row_of_state=rows.row_of_state,
        n_nodes=len(rows.flow), n_physical=int(np.unique(rows.physical_ids).size),
        node_names=row_names,
        options=tree.options, codelength=tree.codelength, num_levels=tree.num_levels,
        num_top_modules=tree.num_top_modules, one_level_codelength=tree.one_level_codelength,
        relative_codelength_savings=tree.relative_codelength_savings,
    )  # fmt: skip
    return physical, rows.physical_ids


def _level_line(tree, states: bool) -> list[str]:
    """Infomap's note on which level of a state network's result a file holds."""
    if tree.physical_ids is None:
        return []
    return ["# higher order", "# state level" if states else "# physical level"]


def _state_columns(tree, node_ids) -> tuple[str, list, list[str]]:
    """The id columns of state-level rows: their header after ``state_id``, the state ids,
    and the rest of each row's ids (``node_id [layer_id]``)."""
    columns = [[str(i) for i in tree.physical_ids.tolist()]]
    names = "node_id"
    if tree.layer_ids is not None:
        columns.append([str(i) for i in tree.layer_ids.tolist()])
        names += " layer_id"
    return names, _node_ids(tree, node_ids), [" ".join(parts) for parts in zip(*columns)]


def write_tree(
    tree, path: str | PathLike, node_ids=None, states: bool = False,
    hide_bipartite_nodes: bool = False,
) -> None:  # fmt: skip
    """Write ``tree`` in Infomap's ``.tree`` format to ``path``; ``node_ids`` replaces the
    0-based node indices in the node_id column (e.g. the ids of the input file);
    ``hide_bipartite_nodes`` leaves out a bipartite network's feature nodes.

    For a tree over a state network, the physical level (one row per leaf module and
    physical node, ``node_id`` the physical id) unless ``states``: then one row per state
    node, ``path flow name state_id node_id [layer_id]``, as Infomap's ``_states.tree``.
    """
    first_hidden = hidden_from(tree, hide_bipartite_nodes)
    header = _header(tree, node_ids) + _level_line(tree, states)
    _write_lines(path, header + _node_rows(tree, node_ids, states, first_hidden)[2])


def _node_rows(tree, node_ids, states: bool, first_hidden=None):
    """The node rows of a ``.tree`` file (and of an ``.ftree``'s first part): the tree
    they describe (a state network's physical level unless ``states``), its layout and
    the lines."""
    if tree.physical_ids is not None and not states:
        physical, ids = _physical_level(tree)
        layout = _Layout(physical, by_flow=False)
        return physical, layout, _tree_lines(physical, layout, layout.module_strings(), ids)
    layout = _Layout(tree)
    if tree.physical_ids is not None:
        columns, _, rest = _state_columns(tree, node_ids)
        rows = [
            f'{path} {flow:g} "{name}" {state} {rest[u]}'
            for u, (path, flow, name, state) in zip(
                layout.order.tolist(), _leaf_rows(tree, layout, layout.module_strings(), node_ids)
            )
        ]
        return tree, layout, [f"# path flow name state_id {columns}", *rows]
    return tree, layout, _tree_lines(tree, layout, layout.module_strings(), node_ids, first_hidden)


def _physical_flow(tree, physical):
    """The flow between the (leaf module, physical node) pairs of a state tree (their
    tree ``physical`` from :func:`_physical_level`): its state links between the pairs of
    their states (links within a pair dropped)."""
    from ..flow import Flow

    flow = tree.flow
    pair = physical.row_of_state
    source, target, link_flow = flow.link_source, flow.link_target, flow.link_flow
    if flow.undirected:  # (each link once: it stands for both directions)
        once = source < target
        source, target, link_flow = source[once], target[once], link_flow[once]
    teleport = [
        None if rates is None else np.bincount(pair, rates, physical.n_nodes)
        for rates in (flow.teleport_source, flow.teleport_target)
    ]
    return Flow.from_links(
        physical.node_flow, pair[source], pair[target], link_flow, undirected=flow.undirected,
        flow_model=flow.flow_model, teleport_source=teleport[0], teleport_target=teleport[1],
    )  # fmt: skip


def write_clu(
    tree, path: str | PathLike, level: int = 1, node_ids=None, states: bool = False,
    hide_bipartite_nodes: bool = False,
) -> None:  # fmt: skip
    """Write the modules of ``tree`` at ``level`` in Infomap's ``.clu`` format.

    ``level`` is 1 for the top modules, up to ``tree.num_levels``, or -1 for the deepest
    (leaf) module of every node. Module ids are 1-based, unique within the level and
    numbered in depth-first order of the tree. For a tree over a state network, one row
    per module and physical node (``node_id module flow``, a physical node in several
    modules on several rows) unless ``states``: then ``state_id module flow node_id
    [layer_id]`` per state node, as Infomap's ``_states.clu``. ``hide_bipartite_nodes``
    leaves out a bipartite network's feature nodes.
    """
    if isinstance(level, bool) or not isinstance(level, (int, np.integer)):
        raise TypeError(f"level must be an integer, got {level!r}")
    level = int(level)
    if level != -1 and not 1 <= level <= tree.num_levels:
        raise ValueError(f"level must be -1 or in [1, {tree.num_levels}], got {level}")
    header = _header(tree, node_ids) + _level_line(tree, states)
    shown, ids, columns, rest = tree, _node_ids(tree, node_ids), "node_id module flow", None
    if tree.physical_ids is not None and not states:
        shown, physical_ids = _physical_level(tree)
        ids = physical_ids.tolist()
    elif tree.physical_ids is not None:
        names, ids, rest = _state_columns(tree, node_ids)
        columns = f"state_id module flow {names}"
    layout = _Layout(shown, by_flow=shown is tree)
    labels = _clu_labels(layout, level)
    order = _shown(layout.order, hidden_from(tree, hide_bipartite_nodes))
    module = (np.asarray(labels, dtype=np.int64)[order] + 1).tolist()
    flow = layout.node_flow[order].tolist()
    if rest is not None:
        rows = [f"{ids[u]} {m} {f:g} {rest[u]}" for u, m, f in zip(order.tolist(), module, flow)]
    else:
        rows = list(map("%s %d %g".__mod__, zip([ids[u] for u in order.tolist()], module, flow)))
    lines = header + [f"# module level {level}", f"# {columns}", *rows]
    _write_lines(path, lines)


def _clu_labels(layout: _Layout, level: int) -> np.ndarray:
    """Module of each leaf at ``level`` (-1: its deepest module, in depth-first order)."""
    if level == -1:
        rank = np.empty(layout.n_modules, dtype=np.int64)
        rank[layout.module_dfs] = np.arange(layout.n_modules)
        return np.unique(rank[layout.leaf_parent], return_inverse=True)[1]
    # As ModuleTree.labels_at: a node whose leaf module is shallower than ``level``
    # continues it down to ``level``.
    continued = np.where(layout.paths >= 0, layout.paths, 0)
    return prefix_keys(continued[:, :level])[level - 1]


def _sibling_links(tree, layout: _Layout):
    """Aggregate the flow links by the pair of sibling children they connect.

    Returns (parent, source, target, flow) arrays, parent as a level-major module id,
    sorted by (depth-first rank of parent, source, target).
    """
    flow = tree.flow
    s = np.asarray(flow.link_source, dtype=np.int64)
    t = np.asarray(flow.link_target, dtype=np.int64)
    f = np.asarray(flow.link_flow, dtype=np.float64)
    keep = s != t
    s, t, f = s[keep], t[keep], f[keep]
    m = s.size
    n, d, depth = layout.n, layout.d, layout.depth
    idx = np.arange(n)
    # First level (0 = children of the root) where the paths of source and target differ:
    # child at level L is the module at level L + 1, or the leaf itself at its depth.
    split = np.full(m, -1, dtype=np.int64)
    for level in range(d + 1):
        if level < d:
            child = np.where(level < depth, layout.keys[level], -2 - idx)
        else:
            child = -2 - idx
        undecided = split < 0
        new = undecided & (child[s] != child[t])
        split[new] = level
        if not (split < 0).any():
            break
    parent = np.zeros(m, dtype=np.int64)
    a = np.empty(m, dtype=np.int64)
    b = np.empty(m, dtype=np.int64)
    paths, leaf_number = layout.paths, layout.leaf_number
    for level in range(d + 1):
        at = split == level
        if not at.any():
            continue
        ss, tt = s[at], t[at]
        if level > 0:
            parent[at] = layout.offset[level - 1] + layout.keys[level - 1][ss]
        if level < d:
            a[at] = np.where(level < depth[ss], paths[ss, level] + 1, leaf_number[ss])
            b[at] = np.where(level < depth[tt], paths[tt, level] + 1, leaf_number[tt])
        else:
            a[at] = leaf_number[ss]
            b[at] = leaf_number[tt]
    if flow.undirected:
        a, b = np.minimum(a, b), np.maximum(a, b)
    rank = np.empty(layout.n_modules, dtype=np.int64)
    rank[layout.module_dfs] = np.arange(layout.n_modules)
    prank = rank[parent]
    order = _group_order(prank, a, b)
    prank, parent, a, b, f = prank[order], parent[order], a[order], b[order], f[order]
    if m == 0:
        return parent, a, b, f
    new_group = np.r_[True, (prank[1:] != prank[:-1]) | (a[1:] != a[:-1]) | (b[1:] != b[:-1])]
    starts = np.flatnonzero(new_group)
    return parent[starts], a[starts], b[starts], np.add.reduceat(f, starts)


def module_table(tree, layout: _Layout) -> dict[str, np.ndarray]:
    """Per module (level-major ids, the root first): enter and exit flow (the root's are
    zero), number of sibling links inside it, number of children, and the codelength of
    its own codebook (the rates of its children, submodules by their enter flow and leaf
    nodes by their flow, and its exit)."""
    n_modules = layout.n_modules
    enter = np.zeros(n_modules)
    exit_ = np.zeros(n_modules)
    for level in range(layout.d):
        k = layout.sizes[level]
        _, en, ex = module_flows(tree.flow, layout.keys[level], k)
        ids = slice(int(layout.offset[level]), int(layout.offset[level]) + k)
        enter[ids], exit_[ids] = en, ex
    links = _sibling_links(tree, layout)
    below = layout.module_parent[1:]
    rate = np.bincount(below, enter[1:], n_modules)
    rate += np.bincount(layout.leaf_parent, layout.node_flow, n_modules)
    rate_plogp = np.bincount(below, plogp(enter[1:]), n_modules)
    rate_plogp += np.bincount(layout.leaf_parent, plogp(layout.node_flow), n_modules)
    return {
        "enter": enter,
        "exit": exit_,
        "n_edges": np.bincount(links[0], minlength=n_modules),
        "n_children": layout.n_children,
        "codelength": plogp(exit_ + rate) - plogp(exit_) - rate_plogp,
        "links": links,
    }


def write_ftree(tree, path: str | PathLike, node_ids=None, states: bool = False) -> None:
    """Write ``tree`` in Infomap's ``.ftree`` format: the ``.tree`` rows, then the links
    between sibling modules (and sibling leaves) within every module. For a state
    network the physical level (leaves: the pairs of leaf module and physical node, and
    the state links between them) unless ``states``, as Infomap's ``_states.ftree``."""
    shown, layout, rows = _node_rows(tree, node_ids, states)
    states_layout = None
    if shown is not tree:
        shown.flow = _physical_flow(tree, shown)
        states_layout = _Layout(tree)
    module_str = layout.module_strings()
    lines = _header(tree, node_ids) + _level_line(tree, states) + rows
    tree = shown
    table = module_table(tree, layout)
    enter, exit_, n_edges = table["enter"], table["exit"], table["n_edges"]
    parent, a, b, f = table["links"]
    rows = list(map("%d %d %g".__mod__, zip(a.tolist(), b.tolist(), f.tolist())))

    if tree.flow.undirected:
        lines += [
            "*Links undirected",
            "# link flow is both directions combined, one row per module pair",
        ]
    else:
        lines.append("*Links directed")
    lines.append("#*Links path enterFlow exitFlow numEdges numChildren")
    enter_l, exit_l = enter.tolist(), exit_.tolist()
    n_edges_l, n_children_l = n_edges.tolist(), layout.n_children.tolist()
    if states_layout is not None:
        # (Infomap counts a module's children at the state level in either file)
        by_path = dict(zip(states_layout.module_strings(), states_layout.n_children.tolist()))
        n_children_l = [by_path[path] for path in module_str]
    start = 0
    for mid in layout.module_dfs.tolist():
        name = module_str[mid] or "root"
        count = n_edges_l[mid]
        lines.append(
            f"*Links {name} {_g(enter_l[mid])} {_g(exit_l[mid])} {count} {n_children_l[mid]}"
        )
        if count:
            lines.append("\n".join(rows[start : start + count]))
            start += count
    _write_lines(path, lines)


def write_csv(
    tree, path: str | PathLike, node_ids=None, hide_bipartite_nodes: bool = False
) -> None:
    """Write ``tree`` as Infomap's ``-o csv`` does: the ``.tree`` rows as CSV, with the
    header ``path,flow,name,node_id`` and no comment lines (without a bipartite network's
    feature nodes with ``hide_bipartite_nodes``)."""
    layout = _Layout(tree)
    rows = ["path,flow,name,node_id"]
    first_hidden = hidden_from(tree, hide_bipartite_nodes)
    module_str = layout.module_strings()
    for leaf_path, flow, name, node in _leaf_rows(
        tree, layout, module_str, node_ids, first_hidden
    ):
        name = name.replace('"', '""')  # (RFC 4180: a quote inside quotes is doubled)
        rows.append(f'{leaf_path},{_g(flow)},"{name}",{node}')
    _write_lines(path, rows)


def write_newick(tree, path: str | PathLike, node_ids=None) -> None:
    """Write ``tree`` as Infomap's ``-o newick`` does: the module tree in Newick form, leaf
    nodes labelled by their id, every branch as long as the flow below it (the whole
    tree's is 1), children in the depth-first order of the ``.tree`` file."""
    layout = _Layout(tree)
    ids = _node_ids(tree, node_ids)
    module_flow = np.bincount(layout.leaf_parent, layout.node_flow, layout.n_modules)
    for level in range(layout.d - 1, -1, -1):  # add each level's flow to its parents
        at = slice(int(layout.offset[level]), int(layout.offset[level + 1]))
        module_flow += np.bincount(layout.module_parent[at], module_flow[at], layout.n_modules)
    flow_text = [_g(value) for value in module_flow.tolist()]
    node_flow = layout.node_flow.tolist()
    # the modules from the root down to each leaf's parent, as level-major ids
    chains = np.zeros((layout.n, layout.d + 1), dtype=np.int64)
    for level in range(layout.d):
        present = layout.keys[level] >= 0
        chains[:, level + 1] = np.where(present, layout.offset[level] + layout.keys[level], -1)
    depth = layout.depth.tolist()
    parts: list[str] = []
    open_chain: list[int] = []
    for u in layout.order.tolist():
        chain = chains[u, : depth[u] + 1].tolist()
        shared = 0
        while shared < min(len(open_chain), len(chain)) and open_chain[shared] == chain[shared]:
            shared += 1
        for module in reversed(open_chain[shared:]):
            parts.append(f"):{flow_text[module]}")
        if parts and parts[-1] != "(":
            parts.append(",")
        parts.extend("(" * (len(chain) - shared))
        parts.append(f"{ids[u]}:{_g(node_flow[u])}")
        open_chain = chain
    for module in reversed(open_chain):
        parts.append(f"):{flow_text[module]}")
    _write_lines(path, ["(" + "".join(parts) + ");"])
