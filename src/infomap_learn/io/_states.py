"""Pajek state networks: the ``*States`` section (``state_id physical_id ["name"]``
lines) and the state network it makes with the links between state ids (Infomap's
memory networks)."""

from __future__ import annotations

import numpy as np

from ..network import Network
from ._tokens import _node_id, _shown, _skip_links


def parse_states(body: str, path, first_line: int):
    """State ids, physical ids, names (None where absent) and line numbers of a
    ``*States`` section (``state_id physical_id ["name"]`` lines)."""
    states, physical, names, numbers = [], [], [], []
    for number, line in enumerate(body.splitlines(), start=first_line):
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
    return states, physical, names, numbers


def _link_line(link_bodies: list[tuple[str, int]], index: int) -> int:
    """The file's line number of the ``index``-th link of the link sections (only to name
    a line in an error)."""
    for body, first_line in link_bodies:
        for number, line in enumerate(body.splitlines(), start=first_line):
            stripped = line.strip()
            if stripped and not stripped.startswith("#"):
                if index == 0:
                    return number
                index -= 1
    raise IndexError(f"no link {index} in the link sections")  # (the caller's index is read)


def state_network(
    state_parts, vertices, links, weights, link_bodies, directed: bool, path, skip: tuple
) -> tuple[Network, np.ndarray]:
    """The state network of a Pajek file with a ``*States`` section: nodes are the state
    nodes (in increasing order of their ids), links join states, and the ``*Vertices``
    name the physical nodes."""
    states = np.array([s for part in state_parts for s in part[0]], dtype=np.int64)
    physical = np.array([p for part in state_parts for p in part[1]], dtype=np.int64)
    names = [name for part in state_parts for name in part[2]]
    numbers = [n for part in state_parts for n in part[3]]
    order = np.argsort(states, kind="stable")
    repeated = np.flatnonzero(np.diff(states[order]) == 0)
    if repeated.size:
        i = int(order[repeated[0] + 1])
        raise ValueError(f"{path}:{numbers[i]}: state {int(states[i])} is declared twice")
    node_ids = states[order]
    if node_ids.size == 0:
        raise ValueError(f"{path}: the *States section declares no states")
    flat = links.ravel()
    found = np.searchsorted(node_ids, flat)
    missing = (found >= node_ids.size) | (node_ids[np.minimum(found, node_ids.size - 1)] != flat)
    if missing.any():
        i = int(np.flatnonzero(missing)[0])
        raise ValueError(
            f"{path}:{_link_line(link_bodies, i // 2)}: the link refers to state {int(flat[i])}, "
            "which the *States section does not declare"
        )
    edges, weights = _skip_links(found.reshape(-1, 2), weights, skip)
    vertex_ids, vertex_names = vertices
    physical_name = dict(zip(vertex_ids.tolist(), vertex_names))
    state_names = [
        names[i] if names[i] is not None else physical_name.get(int(physical[i]), str(states[i]))
        for i in order.tolist()
    ]
    network = Network.from_states(
        physical[order], edges.reshape(-1, 2), weights, directed=directed,
        node_names=state_names, physical_names=physical_name or None,
    )  # fmt: skip
    return network, node_ids
