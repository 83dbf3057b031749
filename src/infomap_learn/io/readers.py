r"""Readers for the network file formats the official Infomap reads: link lists, Pajek and
Infomap's JSON network input (``_network_json``).

Node ids are read as integers exactly (64-bit ids from databases stay distinct), and every
error names the file and line as the user wrote them. Link lines of large files are read
in one compiled pass (``_link_kernel``) where it reads them exactly, else by numpy's reader;
a line-by-line pass runs only to find what is wrong with a file numpy refused, or for link
lists whose lines carry a weight only sometimes. Lines end at ``\n`` (a ``\r`` before it is
dropped), as in Infomap's reader.
"""

from __future__ import annotations

import io
import itertools
import re
from collections.abc import Iterable
from os import PathLike

import numpy as np

from ..network import Network
from ._link_kernel import read_link_text
from ._module_paths import read_module_paths
from ._multilayer import SECTIONS as _MULTILAYER_SECTIONS
from ._multilayer import multilayer_network, parse_multilayer_rows
from ._states import parse_states, state_network
from ._tokens import (
    _DATA_LINE,
    _MAX_EXACT_FLOAT,
    _node_id,
    _refuse_gzip,
    _shown,
    _skip_links,
    _weight,
)

__all__ = ["read_bipartite_start", "read_meta_data", "read_module_paths", "read_network"]


def read_network(
    path: str | PathLike,
    *,
    directed: bool = False,
    weight_threshold: float | None = None,
    self_links: bool = True,
    relax_rate: float = 0.15,
    relax_limit: int | None = None,
    relax_limit_up: int | None = None,
    relax_limit_down: int | None = None,
    relax_by_jsd: bool = False,
    relax_to_self: bool = False,
) -> tuple[Network, np.ndarray]:
    r"""Read a link-list, Pajek or JSON network file.

    A link list has one link per line, ``source target [weight]``, with integer node ids
    (columns after the weight are ignored, as Infomap does; a missing weight is 1); lines
    starting with ``#`` are comments. A Pajek file has a ``*Vertices N`` section (``id
    "name" [weight]`` lines; the optional weight is the node's teleportation weight)
    followed by ``*Edges`` or ``*Arcs`` sections of links; with a ``*States`` section
    (``state_id physical_id ["name"]`` lines) it is a state network whose links join
    state ids and whose ``*Vertices`` are the physical nodes. With ``*Intra`` (``layer
    node1 node2 [weight]``), ``*Inter`` (``layer1 node layer2 [weight]``) or
    ``*Multilayer`` (``layer1 node1 layer2 node2 [weight]``) sections it is a multilayer
    network, made into state nodes as :meth:`Network.from_multilayer` does (the relax
    options apply to it). As in the official Infomap,
    ``directed`` decides how links are read, not the section name. A file that starts
    with ``{`` is Infomap's JSON network input (``"format": "infomap-network-json"``,
    ``"version": "1.0"``, ``"nodes"`` with ``id``, ``name``, ``weight`` and ``"edges"``
    with ``source``, ``target``, ``weight``; its ``"directed": true`` reads the links as
    directed; edges of weight zero are left out and unknown fields ignored, as Infomap
    does). Files are read as UTF-8, or as Latin-1 where they are not valid UTF-8. A line
    ends at ``\n``, and a ``\r`` inside a line is a blank, as Infomap reads them (Windows
    line ends work as they are); the ``file:line`` of an error counts ``\n``.

    Parameters
    ----------
    path : str or path-like
        The file.
    directed : bool, default False
        Read the links as directed.
    weight_threshold : float, optional
        Skip links whose weight is below it (Infomap's ``--weight-threshold``); their
        nodes remain, without those links.
    self_links : bool, default True
        False skips links from a node to itself (Infomap's ``--no-self-links``).
    relax_rate, relax_limit, relax_limit_up, relax_limit_down, relax_by_jsd, relax_to_self
        For a multilayer file without ``*Inter`` links: the simulated inter-layer links
        of :meth:`Network.from_multilayer` (Infomap's ``--multilayer-relax-rate``,
        ``--multilayer-relax-limit[-up|-down]``, ``--multilayer-relax-by-jsd`` and
        ``--multilayer-relax-to-self``).

    Returns
    -------
    network : Network
        Nodes numbered 0..n-1 in increasing order of their ids in the file; names from the
        Pajek vertices (else the ids as strings). For a state network the nodes are the
        states, with ``physical_ids`` from the file; for a multilayer network the state
        nodes in order of (layer, node), with ``physical_ids`` and ``layer_ids``.
    node_ids : ndarray of int64
        The id in the file of each node, for writing results that refer to the file.

    Raises
    ------
    ValueError
        Naming ``file:line`` and what is wrong there: a node id that is not an integer or
        does not fit in 64 bits, a weight that is not a finite non-negative number, a line
        without a target, an unclosed quote, an unknown section; or a file without links.

    Examples
    --------
    >>> import os, tempfile
    >>> folder = tempfile.mkdtemp()
    >>> path = os.path.join(folder, "links.txt")
    >>> with open(path, "w") as f:
    ...     _ = f.write("# source target weight\n10 20 2\n20 30\n9007199254740993 10\n")
    >>> net, ids = read_network(path)
    >>> ids.tolist(), net.n_links
    ([10, 20, 30, 9007199254740993], 3)
    """
    with open(path, "rb") as handle:
        raw = handle.read()
    _refuse_gzip(raw, path)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")  # every byte is a character: names as Infomap reads them
    from ._network_json import looks_like_json, read_network_json

    if looks_like_json(text):
        return read_network_json(text, directed, path, (weight_threshold, self_links))
    first = _first_data_line(text)
    if first is not None and first.startswith("*"):
        relax = dict(relax_rate=relax_rate, relax_limit=relax_limit,
                     relax_limit_up=relax_limit_up, relax_limit_down=relax_limit_down,
                     relax_by_jsd=relax_by_jsd, relax_to_self=relax_to_self)
        return _read_pajek(text, directed, path, (weight_threshold, self_links), relax)
    return _read_link_list(text, directed, path, (weight_threshold, self_links))


def _first_data_line(text: str, head: int = 1 << 16) -> str | None:
    """The first line that is neither blank nor a comment, stripped (None: there is none).
    Looked for in the first ``head`` characters, then in the whole text: splitting a 10M-line
    file into lines takes seconds and gigabytes."""
    for chunk in (text[:head], text) if len(text) > head else (text,):
        for line in chunk.splitlines():
            stripped = line.strip()
            if stripped and not stripped.startswith("#"):
                return stripped
    return None


def _parse_lines(lines: Iterable[tuple[int, str]], path):
    """Links line by line: (ids (m, 2) int64, weights or None), errors naming the line."""
    ids: list[tuple[int, int]] = []
    weights: list[float] = []
    weighted = False
    for number, line in lines:
        parts = line.split("#", 1)[0].split()
        if not parts:
            continue
        if len(parts) < 2:
            raise ValueError(
                f"{path}:{number}: a link needs a source and a target, got {_shown(line)}"
            )
        ids.append((_node_id(parts[0], path, number), _node_id(parts[1], path, number)))
        if len(parts) > 2:
            weighted = True
            weights.append(_weight(parts[2], path, number))
        else:
            weights.append(1.0)
    links = np.array(ids, dtype=np.int64).reshape(-1, 2)
    return links, (np.array(weights, dtype=np.float64) if weighted else None)


def _parse_links(text: str, path, numbers: list[int] | None = None):
    """Links of a link list or a Pajek links section: (ids (m, 2) int64, weights or None).

    Read in one compiled pass where it reads the text exactly (``_link_kernel``), else by
    numpy's reader (the pass's reference), else line by line, naming what is wrong.
    ``numbers`` are the file's line numbers of the lines of ``text`` (None: the lines of
    ``text`` are the file's, from 1); only the line-by-line pass needs them.
    """
    if not _DATA_LINE.search(text):
        return np.empty((0, 2), dtype=np.int64), None
    read, links, weights, columns = read_link_text(text)
    if read:
        return links, (weights if columns == 3 else None)
    return _parse_links_by_numpy(text, path, numbers)


def _parse_links_by_numpy(text: str, path, numbers: list[int] | None = None):
    """:func:`_parse_links` by numpy's reader, else line by line."""
    if "\r" in text:  # (numpy's reader would end a line at a lone \r)
        text = text.replace("\r\n", "\n").replace("\r", " ")

    def lines():  # (numbered only where needed: a list of 10M lines takes gigabytes)
        # split at "\n" only, as the line numbers count them (splitlines also splits at
        # \f, \v, \x85, ...: the numbers would drift and zip would drop the last lines)
        return zip(itertools.count(1) if numbers is None else numbers, text.split("\n"))

    try:
        table = np.loadtxt(io.StringIO(text), comments="#", ndmin=2, dtype=np.float64)
    except ValueError:  # ragged lines or a token that is no number: find and name it
        return _parse_lines(lines(), path)
    if table.shape[1] < 2:
        return _parse_lines(lines(), path)
    as_float = table[:, :2]
    if not (np.isfinite(as_float).all() and (as_float == np.round(as_float)).all()):
        return _parse_lines(lines(), path)
    if np.abs(as_float).max() < _MAX_EXACT_FLOAT:
        links = as_float.astype(np.int64)
    else:  # large ids: floats would merge neighbouring ids, so read them as integers
        try:
            links = np.loadtxt(
                io.StringIO(text), comments="#", ndmin=2, dtype=np.int64, usecols=(0, 1)
            )
        except (ValueError, OverflowError):
            return _parse_lines(lines(), path)
    weights = table[:, 2] if table.shape[1] > 2 else None
    if weights is not None and not (np.isfinite(weights).all() and (weights >= 0).all()):
        return _parse_lines(lines(), path)
    return links, weights


def _read_link_list(
    text: str, directed: bool, path, skip: tuple = (None, True)
) -> tuple[Network, np.ndarray]:
    links, weights = _parse_links(text, path)
    if links.size == 0:
        raise ValueError(f"{path}: no links found")
    node_ids, edges = _numbered_ids(links)  # nodes of skipped links too
    edges, weights = _skip_links(edges, weights, skip)
    network = Network.from_edges(
        edges,
        weights,
        n_nodes=len(node_ids),
        directed=directed,
        node_names=[str(i) for i in node_ids],
    )
    return network, node_ids


def _numbered_ids(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct ``ids`` in increasing order, and each id's place among them (as
    ``np.unique(ids, return_inverse=True)``). Ids from 0 to a few times their count are
    numbered with a table instead of a sort: 10M links in 0.3 s instead of 5 s."""
    if ids.size and ids.min() >= 0 and ids.max() < min(ids.size, 2**31 - 1):
        # (a table no longer than the ids, of 4-byte places: less than a sort's scratch)
        present = np.zeros(int(ids.max()) + 1, dtype=np.bool_)
        present[ids.ravel()] = True
        place = np.cumsum(present, dtype=np.int32) - 1
        return np.flatnonzero(present).astype(np.int64), place[ids].astype(np.int64)
    node_ids, inverse = np.unique(ids, return_inverse=True)
    return node_ids, inverse.reshape(ids.shape)


_SECTION = re.compile(r"^[ \t]*(\*[^\s]*)[^\n]*", re.MULTILINE)
"""A Pajek section header line (its keyword in group 1)."""
_VERTEX = re.compile(
    r'^[ \t]*(-?\d+)[ \t]+"([^\n]*)"(?:[ \t]+([^\s#"]+))?[ \t]*(?:#[^\n"]*)?$', re.MULTILINE
)
"""The usual vertex line, ``id "name" [weight]``, read without a Python pass per line. As
in Infomap, the name is everything between the first and the last quote of the line (inner
quotes and backslashes kept)."""


def _vertex_line(stripped: str, path, number: int) -> tuple[int, str, float]:
    """Id, name and weight of one vertex line (the name as Infomap reads it)."""
    first, last = stripped.find('"'), stripped.rfind('"')
    if first >= 0 and first == last:
        raise ValueError(f"{path}:{number}: No closing quotation in {_shown(stripped)}")
    if first >= 0:
        head, name = stripped[:first].split(), stripped[first + 1 : last]
        rest = stripped[last + 1 :].split("#", 1)[0].split()
    else:
        tokens = stripped.split("#", 1)[0].split()
        head, name, rest = tokens[:1], tokens[1] if len(tokens) > 1 else None, tokens[2:]
    if len(head) != 1:
        raise ValueError(
            f"{path}:{number}: a vertex line is 'id \"name\" [weight]', got {_shown(stripped)}"
        )
    node = _node_id(head[0], path, number)
    weight = 1.0
    if rest:
        try:
            weight = _weight(rest[0], path, number)
        except ValueError:
            raise ValueError(
                f"{path}:{number}: vertex weight {_shown(rest[0])} is not a finite "
                "non-negative number"
            ) from None
    return node, head[0] if name is None else name, weight


def _parse_vertices(body: str, path, first_line: int):
    """Ids, names and weights of a ``*Vertices`` section whose first line is ``first_line``
    of the file: a regex over the whole section for the usual form, else line by line
    (other forms, and to name a bad line)."""
    rows = _VERTEX.findall(body)
    if len(rows) == len(_DATA_LINE.findall(body)):
        try:
            ids = np.array([int(row[0]) for row in rows], dtype=np.int64)
            weights = np.array([float(row[2]) if row[2] else 1.0 for row in rows])
        except (ValueError, OverflowError):
            pass  # (named below)
        else:
            if np.isfinite(weights).all() and (weights >= 0).all():
                return ids, [row[1] for row in rows], weights
    parsed = [
        _vertex_line(line.strip(), path, number)
        for number, line in enumerate(body.splitlines(), start=first_line)
        if line.strip() and not line.strip().startswith("#")
    ]
    ids_list, names, weight_list = zip(*parsed) if parsed else ((), (), ())
    return (
        np.array(ids_list, dtype=np.int64), list(names), np.array(weight_list, dtype=np.float64)
    )


def _section_headers(text: str) -> list[re.Match]:
    """The section header lines of a Pajek ``text`` (``_SECTION``'s matches), found from
    their stars: ``_SECTION.finditer`` tries a match at every line and takes seconds on a
    10M-line file."""
    headers = []
    star = text.find("*")
    while star != -1:
        line_start = text.rfind("\n", 0, star) + 1
        if text[line_start:star].strip(" \t"):  # (a star inside a line: on to the next)
            line_end = text.find("\n", star)
            star = -1 if line_end == -1 else text.find("*", line_end + 1)
            continue
        header = _SECTION.match(text, line_start)
        headers.append(header)
        star = text.find("*", header.end())
    return headers


def _read_pajek(
    text: str, directed: bool, path, skip: tuple = (None, True), relax: dict | None = None
) -> tuple[Network, np.ndarray]:
    headers = _section_headers(text)
    start = headers[0].start() if headers else len(text)
    stray = _DATA_LINE.search(text, 0, start)
    if stray:
        number = text.count("\n", 0, stray.start()) + 1
        raise ValueError(f"{path}:{number}: data before a *Vertices or *Edges section")
    vertex_parts, link_parts, state_parts, link_bodies, layer_parts = [], [], [], [], []
    for index, header in enumerate(headers):
        number = text.count("\n", 0, header.start()) + 1
        keyword = header.group(1).lower()
        end = headers[index + 1].start() if index + 1 < len(headers) else len(text)
        body = text[header.end() + 1 : end]
        if keyword == "*vertices":
            vertex_parts.append(_parse_vertices(body, path, number + 1))
        elif keyword in ("*edges", "*arcs", "*links", "*bipartite"):
            if keyword == "*bipartite":
                _bipartite_header(header.group(0), path, number)
            lines = range(number + 1, number + 2 + body.count("\n"))
            link_parts.append(_parse_links(body, path, lines))
            link_bodies.append((body, number + 1))
        elif keyword == "*states":
            state_parts.append(parse_states(body, path, number + 1))
        elif keyword in _MULTILAYER_SECTIONS:
            rows = parse_multilayer_rows(body, path, number + 1, keyword)
            layer_parts.append((keyword, rows, body, number + 1))
        else:
            raise ValueError(f"{path}:{number}: unknown section {_shown(header.group(1))}")
    vertex_ids = np.concatenate([ids for ids, _, _ in vertex_parts] or [np.zeros(0, np.int64)])
    vertex_names = [name for _, names, _ in vertex_parts for name in names]
    vertex_weights = np.concatenate([w for _, _, w in vertex_parts] or [np.zeros(0)])
    links = np.concatenate([links for links, _ in link_parts] or [np.zeros((0, 2), np.int64)])
    if any(weights is not None for _, weights in link_parts):
        weights = np.concatenate(
            [np.ones(len(lk)) if w is None else w for lk, w in link_parts]
        )
    else:
        weights = None
    if layer_parts:
        if state_parts or link_parts:
            raise ValueError(f"{path}: a multilayer network (*Intra, *Inter, *Multilayer) "
                             "cannot also have *States or link sections")  # fmt: skip
        return multilayer_network(
            layer_parts, (vertex_ids, vertex_names), directed, path, relax or {}
        )
    if state_parts:
        return state_network(
            state_parts, (vertex_ids, vertex_names), links, weights, link_bodies, directed,
            path, skip,
        )  # fmt: skip
    node_ids, place = _numbered_ids(np.concatenate([vertex_ids, links.ravel()]))
    if node_ids.size == 0:
        raise ValueError(f"{path}: no vertices or links found")
    position, link_places = place[: len(vertex_ids)], place[len(vertex_ids) :]
    edges, weights = _skip_links(link_places.reshape(links.shape), weights, skip)
    names = np.array([str(i) for i in node_ids.tolist()], dtype=object)
    node_weights = np.ones(len(node_ids))
    names[position] = np.array(vertex_names, dtype=object)
    node_weights[position] = vertex_weights
    network = Network.from_edges(
        edges.reshape(-1, 2),
        weights,
        n_nodes=len(node_ids),
        directed=directed,
        node_weights=node_weights,
        node_names=names.tolist(),
    )
    return network, node_ids


def read_meta_data(path: str | PathLike, node_ids: np.ndarray) -> np.ndarray:
    r"""Node meta data from a ``.clu``-format file (Infomap's ``--meta-data``): a
    ``node_id meta_id`` line per node (``#`` comments; columns after the meta id ignored).

    Parameters
    ----------
    path : str or path-like
    node_ids : ndarray of int
        The id of each node of the network as the file names it (``read_network``'s
        ``node_ids``, or ``np.arange(n)`` for 0-based indices).

    Returns
    -------
    ndarray of int64, shape (n,)
        Each node's meta id, as the file writes it.

    Raises
    ------
    ValueError
        Naming ``file:line`` for a malformed line, an id not in ``node_ids`` or a node
        given twice, or the number and first of the nodes the file leaves out.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "meta.clu")
    >>> with open(path, "w") as f:
    ...     _ = f.write("# node meta\n30 0\n10 7\n20 0\n")
    >>> read_meta_data(path, np.array([10, 20, 30])).tolist()
    [7, 0, 0]
    """
    node_ids = np.asarray(node_ids, dtype=np.int64)
    with open(path, encoding="utf-8", errors="replace") as handle:
        text = handle.read()
    rows, numbers = [], []
    for number, line in enumerate(text.splitlines(), 1):
        parts = line.split()
        if not parts or parts[0].startswith("#"):
            continue
        if len(parts) < 2:
            raise ValueError(
                f"{path}:{number}: a meta-data line is 'node_id meta_id', got {_shown(line)}"
            )
        meta = parts[1]
        if not meta.isdigit():
            raise ValueError(
                f"{path}:{number}: meta id {_shown(meta)} is not a non-negative integer"
            )
        rows.append((_node_id(parts[0], path, number), int(meta)))
        numbers.append(number)
    pairs = np.array(rows, dtype=np.int64).reshape(-1, 2)

    def line_of(entry: int) -> int:  # (only to name a line in an error)
        return numbers[entry]

    order = np.argsort(node_ids, kind="stable")
    sorted_ids = node_ids[order]
    at = np.minimum(np.searchsorted(sorted_ids, pairs[:, 0]), max(sorted_ids.size - 1, 0))
    unknown = np.flatnonzero(sorted_ids[at] != pairs[:, 0]) if sorted_ids.size else []
    if len(unknown):
        entry = int(unknown[0])
        raise ValueError(
            f"{path}:{line_of(entry)}: node id {int(pairs[entry, 0])} is not a node of the "
            "network"
        )
    node = order[at]
    seen = np.zeros(node_ids.size, dtype=bool)
    first = np.unique(node, return_index=True)[1]
    if first.size < node.size:
        entry = int(np.setdiff1d(np.arange(node.size), first)[0])
        raise ValueError(
            f"{path}:{line_of(entry)}: node id {int(pairs[entry, 0])} is given twice"
        )
    seen[node] = True
    if not seen.all():
        missing = np.flatnonzero(~seen)
        raise ValueError(
            f"{path}: {missing.size} node(s) of the network have no meta data, first the "
            f"node with id {int(node_ids[missing[0]])}"
        )
    categories = np.empty(node_ids.size, dtype=np.int64)
    categories[node] = pairs[:, 1]
    return categories


def _bipartite_header(line: str, path, number: int) -> int:
    """The first feature node's id of a ``*Bipartite N`` header line."""
    parts = line.split()
    if len(parts) < 2:
        raise ValueError(
            f"{path}:{number}: a *Bipartite section needs the id of its first feature node, "
            f"as '*Bipartite N'"
        )
    return _node_id(parts[1], path, number)


def read_bipartite_start(path: str | PathLike, node_ids: np.ndarray) -> int | None:
    r"""The index of the first feature node of a Pajek file's ``*Bipartite N`` section
    (nodes with ids from ``N`` on are feature nodes), for ``bipartite_start_id``; None
    for a file without one.

    Parameters
    ----------
    path : str or path-like
    node_ids : ndarray of int
        ``read_network``'s ``node_ids`` of the same file.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "bipartite.net")
    >>> with open(path, "w") as f:
    ...     _ = f.write('*Vertices 4\n1 "a"\n2 "b"\n3 "x"\n4 "y"\n')
    ...     _ = f.write("*Bipartite 3\n1 3\n2 3\n2 4\n")
    >>> net, ids = read_network(path)
    >>> read_bipartite_start(path, ids), net.n_links
    (2, 3)
    """
    with open(path, encoding="utf-8", errors="replace") as handle:
        # (only a Pajek file, whose first data line is a header, is read on)
        skipped = 0  # (lines before the first data line)
        for line in handle:
            stripped = line.strip()
            if stripped and not stripped.startswith("#"):
                if not stripped.startswith("*"):
                    return None
                text = line + handle.read()
                break
            skipped += 1
        else:
            return None
    match = re.search(r"^[ \t]*\*bipartite\b[^\n]*", text, re.MULTILINE | re.IGNORECASE)
    if match is None:
        return None
    number = skipped + text.count("\n", 0, match.start()) + 1
    start = _bipartite_header(match.group(0), path, number)
    _check_bipartite_links(text, match.end(), start, path, number)
    return int(np.searchsorted(np.asarray(node_ids, dtype=np.int64), start))


def _check_bipartite_links(text: str, begin: int, start: int, path, header_line: int) -> None:
    """Every link of the ``*Bipartite`` section at ``text[begin:]`` joins a node below
    ``start`` (the header's id) and one from it on: else an error naming file:line, as
    Infomap's ``Bipartite link '1 2' must cross bipartite start id 3``."""
    end = re.search(r"^[ \t]*\*", text[begin:], re.MULTILINE)
    body = text[begin : begin + end.start() if end else len(text)]
    try:
        ids = np.loadtxt(io.StringIO(body), comments="#", usecols=(0, 1), ndmin=2)
    except ValueError:
        return  # (read_network names a malformed line)
    if ids.size == 0:
        return
    below = ids < start
    wrong = np.flatnonzero(below[:, 0] == below[:, 1])
    if wrong.size:
        entry = int(wrong[0])
        at = next(itertools.islice(_DATA_LINE.finditer(body), entry, None)).start()
        number = header_line + body.count("\n", 0, at)
        link = body[at:].split("\n", 1)[0].split("#", 1)[0].strip()
        kind = "primary" if below[entry, 0] else "feature"
        raise ValueError(
            f"{path}:{number}: bipartite link '{link}' joins two {kind} "
            f"nodes; it must cross the bipartite start id {start} (*Bipartite {start})"
        )
