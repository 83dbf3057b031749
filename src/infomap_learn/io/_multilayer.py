"""Pajek multilayer networks: Infomap's ``*Multilayer`` (or ``*Multiplex``: ``layer1 node1
layer2 node2 [weight]`` state links), ``*Intra`` (``layer node1 node2 [weight]``) and
``*Inter`` (``layer1 node layer2 [weight]``) sections, made into the state network of
:meth:`Network.from_multilayer`, with every error naming the file and line."""

from __future__ import annotations

import io
import itertools

import numpy as np

from ..network import Network
from ..network._multilayer import with_state_names
from ._tokens import _DATA_LINE, _MAX_EXACT_FLOAT, _node_id, _shown, _weight

SECTIONS = {"*multilayer": 4, "*multiplex": 4, "*intra": 3, "*inter": 3}
"""The multilayer sections and the number of ids on each of their lines."""
_FORMS = {
    "*multilayer": "layer1 node1 layer2 node2 [weight]",
    "*multiplex": "layer1 node1 layer2 node2 [weight]",
    "*intra": "layer node1 node2 [weight]",
    "*inter": "layer1 node layer2 [weight]",
}


def _data_line_number(body: str, first_line: int, index: int) -> int:
    """The file's line number of the ``index``-th data line of a section (to name it)."""
    match = next(itertools.islice(_DATA_LINE.finditer(body), index, None))
    return first_line + body.count("\n", 0, match.start())


def _id_of(token: str, kind: str, path, number: int) -> int:
    """A layer or node id (``kind``) as written, or an error naming which it is."""
    try:
        return _node_id(token, path, number)
    except ValueError:
        raise ValueError(f"{path}:{number}: {kind} id {_shown(token)} is not an integer") from None


def _rows_line_by_line(body: str, path, first_line: int, keyword: str) -> np.ndarray:
    width = SECTIONS[keyword]
    rows = []
    for number, line in enumerate(body.splitlines(), start=first_line):
        parts = line.split("#", 1)[0].split()
        if not parts:
            continue
        if len(parts) < width:
            raise ValueError(
                f"{path}:{number}: a {keyword} line is "
                f"'{_FORMS[keyword]}', got {_shown(line)}"
            )
        ids = [
            _id_of(token, field.rstrip("12"), path, number)
            for token, field in zip(parts, _FORMS[keyword].split()[:width])
        ]
        if min(ids) < 0:
            raise ValueError(
                f"{path}:{number}: layer and node ids must be >= 0, got {_shown(line)}"
            )
        weight = _weight(parts[width], path, number) if len(parts) > width else 1.0
        rows.append([*ids, weight])
    return np.array(rows, dtype=np.float64).reshape(-1, width + 1)


def parse_multilayer_rows(body: str, path, first_line: int, keyword: str) -> np.ndarray:
    """The rows of a multilayer section: ids then weight (1 where absent), float64; numpy
    reads the usual file in one pass, a line-by-line pass names what is wrong."""
    width = SECTIONS[keyword]
    if not _DATA_LINE.search(body):
        return np.empty((0, width + 1))
    try:
        table = np.loadtxt(io.StringIO(body), comments="#", ndmin=2, dtype=np.float64)
    except ValueError:
        return _rows_line_by_line(body, path, first_line, keyword)
    if table.shape[1] < width:
        return _rows_line_by_line(body, path, first_line, keyword)
    ids = table[:, :width]
    ok = np.isfinite(ids).all() and (ids == np.round(ids)).all() and (ids >= 0).all()
    ok = ok and np.abs(ids).max() < _MAX_EXACT_FLOAT
    weights = table[:, width] if table.shape[1] > width else np.ones(len(table))
    if not (ok and np.isfinite(weights).all() and (weights >= 0).all()):
        return _rows_line_by_line(body, path, first_line, keyword)
    return np.column_stack([ids, weights])


def multilayer_network(
    sections: list[tuple[str, np.ndarray, str, int]],
    vertices: tuple[np.ndarray, list],
    directed: bool,
    path,
    relax: dict,
) -> tuple[Network, np.ndarray]:
    """The state network of a file's multilayer ``sections`` (keyword, rows, body, first
    line): state nodes in order of (layer, node), named by the ``*Vertices`` of their
    physical nodes; ``node_ids`` are the state indices."""
    parts: dict[str, list] = {"intra": [], "inter": [], "links": []}
    kind = {"*intra": "intra", "*inter": "inter", "*multilayer": "links", "*multiplex": "links"}
    for keyword, rows, _, _ in sections:
        parts[kind[keyword]].append(rows)
    arrays = {name: np.concatenate(rows) if rows else None for name, rows in parts.items()}
    intra, inter = arrays["intra"], arrays["inter"]
    if inter is not None and intra is None:
        raise ValueError(f"{path}: an *Inter section needs an *Intra section (the links "
                         "the inter-layer links lead to)")  # fmt: skip
    if inter is not None:
        _check_inter_rows(sections, intra, path)
    try:
        network = Network.from_multilayer(intra, inter, arrays["links"], directed=directed,
                                          **relax)  # fmt: skip
    except ValueError as error:
        if "relax" in str(error):
            raise
        raise ValueError(f"{path}: {error}") from None
    vertex_ids, vertex_names = vertices
    name_of = dict(zip(vertex_ids.tolist(), vertex_names))
    names = [name_of.get(node, str(node)) for node in network.physical_ids.tolist()]
    named = with_state_names(network, names)
    return named, np.arange(network.n_nodes, dtype=np.int64)


def _check_inter_rows(sections, intra: np.ndarray, path) -> None:
    """Name the line of an inter-layer link within one layer, or to or from a layer
    without intra-layer links."""
    layers = np.unique(intra[:, 0])
    for keyword, rows, body, first_line in sections:
        if keyword != "*inter" or rows.size == 0:
            continue
        bad_same = rows[:, 0] == rows[:, 2]
        bad_missing = ~np.isin(rows[:, 0], layers) | ~np.isin(rows[:, 2], layers)
        bad = bad_same | bad_missing
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            number = _data_line_number(body, first_line, i)
            l1, node, l2 = (int(x) for x in rows[i, :3])
            if bad_same[i]:
                why = f"joins layer {l1} to itself: an inter-layer link goes between layers"
            else:
                missing = l1 if l1 not in layers else l2
                why = f"refers to layer {missing}, which has no *Intra links"
            raise ValueError(f"{path}:{number}: the inter-layer link {l1} {node} {l2} {why}")
