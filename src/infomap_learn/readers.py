"""Readers for the network file formats the official Infomap reads: link lists and Pajek."""

from __future__ import annotations

import io
import shlex
from os import PathLike

import numpy as np

from .network import Network


def read_network(
    path: str | PathLike, *, directed: bool = False
) -> tuple[Network, np.ndarray]:
    """Read a link-list or Pajek file.

    A link list has one link per line, ``source target [weight]``, with integer node ids;
    lines starting with ``#`` are comments. A Pajek file has a ``*Vertices N`` section
    (``id "name" [weight]`` lines; the optional weight is the node's teleportation weight)
    followed by ``*Edges`` or ``*Arcs`` sections of links. As in the official Infomap,
    ``directed`` decides how links are read, not the section name.

    Returns
    -------
    network : Network
        Nodes numbered 0..n-1 in increasing order of their ids in the file; names from the
        Pajek vertices (else the ids as strings).
    node_ids : ndarray of int64
        The id in the file of each node, for writing results that refer to the file.
    """
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            if stripped.startswith("*"):
                return _read_pajek(text, directed, path)
            break
    return _read_link_list(text, directed, path)


def _parse_links(text: str, path) -> tuple[np.ndarray, np.ndarray | None]:
    if not text.strip():
        return np.empty((0, 2), dtype=np.int64), None
    try:
        table = np.loadtxt(io.StringIO(text), comments="#", ndmin=2, dtype=np.float64)
    except ValueError:
        table = _parse_ragged(text, path)
    if table.shape[1] not in (2, 3):
        raise ValueError(
            f"{path}: links need 2 or 3 columns (source target [weight]), got {table.shape[1]}"
        )
    ids = table[:, :2]
    if not np.all(ids == np.round(ids)):
        bad = int(np.flatnonzero(np.any(ids != np.round(ids), axis=1))[0])
        raise ValueError(f"{path}: link {bad} has a non-integer node id: {ids[bad].tolist()}")
    weights = table[:, 2] if table.shape[1] == 3 else None
    return ids.astype(np.int64), weights


def _parse_ragged(text: str, path) -> np.ndarray:
    """Links where only some lines carry a weight (the others weigh 1, as in Infomap)."""
    rows = []
    for line in text.splitlines():
        parts = line.split("#", 1)[0].split()
        if not parts:
            continue
        try:
            values = [float(x) for x in parts]
        except ValueError:
            raise ValueError(f"{path}: cannot parse link {line.strip()!r}") from None
        if len(values) == 2:
            values.append(1.0)
        if len(values) != 3:
            raise ValueError(f"{path}: link {line.strip()!r} needs 2 or 3 columns")
        rows.append(values)
    return np.array(rows, dtype=np.float64).reshape(-1, 3)


def _read_link_list(text: str, directed: bool, path) -> tuple[Network, np.ndarray]:
    links, weights = _parse_links(text, path)
    if links.size == 0:
        raise ValueError(f"{path}: no links found")
    node_ids, inverse = np.unique(links, return_inverse=True)
    edges = inverse.reshape(links.shape)
    network = Network.from_edges(
        edges,
        weights,
        n_nodes=len(node_ids),
        directed=directed,
        node_names=[str(i) for i in node_ids],
    )
    return network, node_ids


def _read_pajek(text: str, directed: bool, path) -> tuple[Network, np.ndarray]:
    lines = text.splitlines()
    vertex_ids: list[int] = []
    vertex_names: list[str] = []
    vertex_weights: list[float] = []
    link_chunks: list[str] = []
    section = None
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("*"):
            keyword = stripped.split()[0].lower()
            if keyword == "*vertices":
                section = "vertices"
            elif keyword in ("*edges", "*arcs", "*links"):
                section = "links"
            else:
                raise ValueError(f"{path}:{number}: unknown section {stripped.split()[0]!r}")
            continue
        if section == "vertices":
            parts = shlex.split(stripped)
            try:
                vertex_ids.append(int(parts[0]))
            except (ValueError, IndexError):
                raise ValueError(f"{path}:{number}: bad vertex line {stripped!r}") from None
            vertex_names.append(parts[1] if len(parts) > 1 else parts[0])
            vertex_weights.append(float(parts[2]) if len(parts) > 2 else 1.0)
        elif section == "links":
            link_chunks.append(stripped)
        else:
            raise ValueError(f"{path}:{number}: data before a *Vertices or *Edges section")
    links, weights = _parse_links("\n".join(link_chunks), path)
    node_ids = np.unique(np.concatenate([np.array(vertex_ids, dtype=np.int64), links.ravel()]))
    if node_ids.size == 0:
        raise ValueError(f"{path}: no vertices or links found")
    edges = np.searchsorted(node_ids, links)
    names = [str(i) for i in node_ids]
    node_weights = np.ones(len(node_ids))
    position = np.searchsorted(node_ids, np.array(vertex_ids, dtype=np.int64))
    for pos, name, weight in zip(position, vertex_names, vertex_weights, strict=True):
        names[pos] = name
        node_weights[pos] = weight
    network = Network.from_edges(
        edges.reshape(-1, 2),
        weights,
        n_nodes=len(node_ids),
        directed=directed,
        node_weights=node_weights,
        node_names=names,
    )
    return network, node_ids
