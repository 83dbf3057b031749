"""Module paths of the nodes from a partition or tree file of either tool (``.clu``,
``.tree``, ``.ftree``, ``-o json``): the start of a search (``--cluster-data``) and
:meth:`ModuleTree.read`."""

from __future__ import annotations

from os import PathLike

import numpy as np

from ._tokens import _PHYSICAL_LEVEL, _refuse_gzip, _shown


def _module_paths_from_text(path, text: str) -> list[tuple[str, int, list[int], tuple | None]]:
    """(file:line, node id, 0-based module path, (layer id, node id) of a multilayer state
    row or None) of the node lines of a .clu/.tree/.ftree."""
    rows = []
    state_level = False  # (a _states.tree: the state id follows the name)
    state_clu = False  # (a _states.clu: state_id module flow node_id [layer_id])
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("# path flow name state_id"):
            state_level = True
        elif stripped.startswith("# state_id module"):
            state_clu = True
        elif stripped == "# physical level":
            raise ValueError(_PHYSICAL_LEVEL.format(path=path))
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("*"):  # an .ftree's link sections follow the nodes
            break
        key = None
        try:
            if ":" in stripped.split()[0] or '"' in stripped:  # .tree: path flow "name" id
                module_path = [int(x) - 1 for x in stripped.split()[0].split(":")][:-1]
                after_name = stripped[stripped.rfind('"') + 1 :].split()
                node = int(after_name[0] if state_level else after_name[-1])
                if state_level and len(after_name) >= 3:
                    key = (int(after_name[2]), int(after_name[1]))
            else:  # .clu: node_id module [flow]
                parts = stripped.split()
                node, module_path = int(parts[0]), [int(parts[1]) - 1]
                if state_clu and len(parts) >= 5:
                    key = (int(parts[4]), int(parts[3]))
        except (ValueError, IndexError):
            raise ValueError(f"{path}:{number}: cannot read {_shown(stripped)}") from None
        if not module_path or min(module_path) < 0:
            raise ValueError(f"{path}:{number}: no module path in {_shown(stripped)}")
        rows.append((f"{path}:{number}", node, module_path, key))
    return rows


def read_module_paths(
    path: str | PathLike, node_ids: np.ndarray, allow_missing: bool = False,
    layer_nodes: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:  # fmt: skip
    r"""Module paths of the nodes from a ``.clu``, ``.tree``, ``.ftree`` or JSON file.

    Parameters
    ----------
    path : str or path-like
        A ``.clu`` (``node_id module [flow]`` lines), a ``.tree``/``.ftree`` (``path flow
        "name" node_id`` lines; an ``.ftree``'s link sections are skipped) or a JSON tree
        (``-o json``), as the official Infomap or infomap-learn writes them.
    node_ids : ndarray of int
        The id of each node of the network as the file names it (``read_network``'s
        ``node_ids``, or ``np.arange(n)`` for 0-based indices).
    allow_missing : bool, default False
        Nodes the file leaves out get a row of -1 instead of an error.
    layer_nodes : (layer ids, physical ids) of the network's state nodes, optional
        For a multilayer network: the state-level rows of a file that names each state
        by its layer and node (Infomap's ``_states`` files) are matched on those, since
        the tools number the state nodes differently.

    Returns
    -------
    ndarray of int64, shape (n, depth)
        0-based module paths, -1 below a node's depth (ids distinct among siblings).

    Raises
    ------
    ValueError
        Naming ``file:line`` for a malformed line, an id not in ``node_ids`` or a node
        given twice, or the number and first of the nodes the file leaves out (unless
        ``allow_missing``).

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "net.tree")
    >>> with open(path, "w") as f:
    ...     _ = f.write('1:1 0.3 "a" 10\n1:2 0.2 "b" 20\n2:1 0.5 "c" 30\n')
    >>> read_module_paths(path, np.array([10, 20, 30])).tolist()
    [[0], [0], [1]]
    """
    node_ids = np.asarray(node_ids, dtype=np.int64)
    order = np.argsort(node_ids, kind="stable")
    sorted_ids = node_ids[order]
    with open(path, "rb") as handle:
        raw = handle.read()
    _refuse_gzip(raw, path)
    text = raw.decode("utf-8", errors="replace")
    content = text.lstrip()
    first = content.split("\n", 1)[0].strip()
    if first.startswith("path,flow,name,node_id") or first.startswith("("):
        kind = "the CSV" if first.startswith("path") else "the Newick"
        raise ValueError(
            f"{path} is {kind} output of a module tree, which is not read back: read the "
            ".tree, .clu, .ftree or .json file of the same run"
        )
    if content.startswith("{"):  # Infomap's -o json
        from ._json import module_paths_from_json

        found = module_paths_from_json(path, text)
    else:
        found = _module_paths_from_text(path, text)
    rows: list[tuple[int, list[int]]] = []
    first_line: dict[int, str] = {}  # (the place of each node's row, to name a repeat)
    by_layer = None
    if layer_nodes is not None and found and all(key is not None for *_, key in found):
        layers, physical = layer_nodes
        by_layer = {
            (int(a), int(b)): i for i, (a, b) in enumerate(zip(layers.tolist(), physical.tolist()))
        }
    for where, node, module_path, key in found:
        if by_layer is not None:
            if key not in by_layer:
                raise ValueError(
                    f"{where}: node {key[1]} in layer {key[0]} is not a state node of the "
                    "network"
                )
            index, named = by_layer[key], f"node {key[1]} in layer {key[0]}"
        else:
            at = int(np.searchsorted(sorted_ids, node))
            if at >= sorted_ids.size or sorted_ids[at] != node:
                raise ValueError(f"{where}: node id {node} is not a node of the network")
            index, named = int(order[at]), f"node id {node}"
        if index in first_line:
            raise ValueError(f"{where}: {named} is given twice (first at {first_line[index]})")
        first_line[index] = where
        rows.append((index, module_path))
    depth = max((len(p) for _, p in rows), default=1)
    paths = np.full((node_ids.size, depth), -1, dtype=np.int64)
    for node, module_path in rows:  # one per node of the file
        paths[node, : len(module_path)] = module_path
    missing = np.flatnonzero(paths[:, 0] < 0)
    if missing.size and not allow_missing:
        raise ValueError(
            f"{path}: {missing.size} node(s) of the network are not in the file, first the "
            f"node with id {int(node_ids[missing[0]])}"
        )
    return paths
