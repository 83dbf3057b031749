"""Pajek state networks: the ``*States`` section (``state_id physical_id ["name"]``
lines) and the state network it makes with the links between state ids (Infomap's
memory networks)."""

from __future__ import annotations

import itertools

import numpy as np

from ..network import Network
from ._link_kernel import read_link_text
from ._tokens import _node_id, _shown, _skip_links


def parse_states(body: str, path, first_line: int):
    """State ids, physical ids, names (None where absent, or None for none at all) and
    the file's line number of each state (a function of its index) of a ``*States``
    section (``state_id physical_id ["name"]`` lines). Large sections without names are
    read by the link lines' compiled pass (two integer columns), others line by line."""
    if '"' not in body:
        read, ids, _, columns = read_link_text(body)
        if read and columns == 2:
            return ids[:, 0], ids[:, 1], None, lambda index: _data_line(body, first_line, index)
    states, physical, names, numbers = [], [], [], []
    for number, line in enumerate(body.split("\n"), start=first_line):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        first, last = stripped.find('"'), stripped.rfind('"')
        if first >= 0 and first == last:
            raise ValueError(f"{path}:{number}: No closing quotation in {_shown(stripped)}")
        head = (stripped[:first] if first >= 0 else stripped.split("#", 1)[0]).split()
        if len(head) < 2:
            raise ValueError(
                f"{path}:{number}: a state line is 'state_id physical_id [\"name\"]', got "
                f"{_shown(stripped)}"
            )
        states.append(_node_id(head[0], path, number))
        physical.append(_node_id(head[1], path, number))
        names.append(stripped[first + 1 : last] if first >= 0 else None)
        numbers.append(number)
    return (
        np.array(states, dtype=np.int64), np.array(physical, dtype=np.int64), names,
        numbers.__getitem__,
    )  # fmt: skip


def _data_lines(body: str, first_line: int):
    """The file's line numbers of the lines of ``body`` that are neither blank nor a
    comment (only to name a line in an error)."""
    for number, line in enumerate(body.split("\n"), start=first_line):
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            yield number


def _nth(numbers, index: int) -> int:
    number = next(itertools.islice(numbers, index, None), None)
    if number is None:
        raise IndexError(f"no data line {index}")  # (the caller's index is read)
    return number


def _data_line(body: str, first_line: int, index: int) -> int:
    """The file's line number of the ``index``-th data line of ``body``."""
    return _nth(_data_lines(body, first_line), index)


def _link_line(link_bodies: list[tuple[str, int]], index: int) -> int:
    """The file's line number of the ``index``-th link of the link sections."""
    return _nth(itertools.chain.from_iterable(_data_lines(*part) for part in link_bodies), index)


def _places(sorted_ids: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each of ``ids``' place in the distinct ``sorted_ids`` (0 where missing), and whether
    it is missing there; by a table where the ids are small (2M states and 16M link ends:
    a binary search takes seconds), else by a binary search."""
    if sorted_ids.size and sorted_ids[0] >= 0 and sorted_ids[-1] < max(ids.size, 1 << 16):
        table = np.full(int(sorted_ids[-1]) + 1, -1, dtype=np.int64)
        table[sorted_ids] = np.arange(sorted_ids.size)
        found = table[np.clip(ids, 0, table.size - 1)]
        found[(ids < 0) | (ids >= table.size)] = -1
        missing = found < 0
        found[missing] = 0
        return found, missing
    if sorted_ids.size == 0:
        return np.zeros(ids.shape, dtype=np.int64), np.ones(ids.shape, dtype=np.bool_)
    clipped = np.minimum(np.searchsorted(sorted_ids, ids), sorted_ids.size - 1)
    missing = sorted_ids[clipped] != ids
    return np.where(missing, 0, clipped), missing


def state_network(
    state_parts, vertices, links, weights, link_bodies, directed: bool, path, skip: tuple
) -> tuple[Network, np.ndarray]:
    """The state network of a Pajek file with a ``*States`` section: nodes are the state
    nodes (in increasing order of their ids), links join states, and the ``*Vertices``
    name the physical nodes."""
    states = np.concatenate([part[0] for part in state_parts])
    physical = np.concatenate([part[1] for part in state_parts])
    order = np.argsort(states, kind="stable")
    repeated = np.flatnonzero(np.diff(states[order]) == 0)
    if repeated.size:
        i = int(order[repeated[0] + 1])
        line = _state_line(state_parts, i)
        raise ValueError(f"{path}:{line}: state {int(states[i])} is declared twice")
    node_ids = states[order]
    if node_ids.size == 0:
        raise ValueError(f"{path}: the *States section declares no states")
    found, missing = _places(node_ids, links.ravel())
    if missing.any():
        i = int(np.flatnonzero(missing)[0])
        raise ValueError(
            f"{path}:{_link_line(link_bodies, i // 2)}: the link refers to state "
            f"{int(links.ravel()[i])}, which the *States section does not declare"
        )
    edges, weights = _skip_links(found.reshape(-1, 2), weights, skip)
    vertex_ids, vertex_names = vertices
    physical_name = dict(zip(vertex_ids.tolist(), vertex_names))
    state_names = _state_names(state_parts, states, physical, order, vertices)
    network = Network.from_states(
        physical[order], edges.reshape(-1, 2), weights, directed=directed,
        node_names=state_names, physical_names=physical_name or None,
    )  # fmt: skip
    return network, node_ids


def _state_line(state_parts, index: int) -> int:
    """The file's line number of the ``index``-th state of the ``*States`` sections."""
    for part in state_parts:
        if index < len(part[0]):
            return part[3](index)
        index -= len(part[0])
    raise IndexError(f"no state {index}")  # (the caller's index is read)


def _state_names(state_parts, states, physical, order, vertices) -> list[str]:
    """Each state's name, in the order ``order``: its own from the ``*States`` line, else
    its physical node's from ``*Vertices``, else its id."""
    vertex_ids, vertex_names = vertices
    names = np.array([str(i) for i in states[order].tolist()], dtype=object)
    if vertex_ids.size:
        by_id = np.argsort(vertex_ids, kind="stable")
        sorted_vertices = vertex_ids[by_id]
        # (a vertex id given twice is named by its last line, as a dict of them would be)
        last = np.flatnonzero(np.append(np.diff(sorted_vertices) != 0, True))
        at, missing = _places(sorted_vertices[last], physical[order])
        vertex_name = np.array(vertex_names, dtype=object)[by_id[last]]
        names = np.where(missing, names, vertex_name[at])
    if any(part[2] is not None for part in state_parts):
        own = [name for part in state_parts for name in (part[2] or [None] * len(part[0]))]
        for place, i in enumerate(order.tolist()):
            if own[i] is not None:
                names[place] = own[i]
    return names.tolist()
