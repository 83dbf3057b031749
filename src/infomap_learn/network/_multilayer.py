"""Multilayer networks as state networks, as the official Infomap builds them.

A multilayer network has one state node per (layer, physical node) that takes part in a
layer's links; the walker moves between state nodes, and the map equation codes physical
nodes (as for any state network). Three inputs make its state links:

* intra-layer links ``(layer, u, v, w)``: a walker in ``layer`` at ``u`` steps to ``v``;
* inter-layer links ``(layer1, u, layer2, w)``: a walker at ``u`` in ``layer1`` switches to
  ``layer2`` and takes, in the same step, one of ``u``'s intra-layer links there (the jump
  to ``layer2`` itself is not recorded: ``w`` is spread over ``u``'s out-links in
  ``layer2`` in proportion to their weights);
* without inter-layer links, a relax rate ``r`` simulates them: from ``u`` in ``layer1``
  the walker takes one of ``u``'s links in its own layer with probability ``1 - r`` and,
  with probability ``r``, one of ``u``'s links in any layer (its own included) in
  proportion to their weights, optionally only in layers at most ``relax_limit`` away
  (De Domenico, Lancichinetti, Arenas & Rosvall 2015, Physical Review X); with
  ``relax_by_jsd`` the layers it relaxes to are weighted by how alike ``u``'s out-links are
  there and in its own layer (one minus their Jensen-Shannon divergence).

Infomap makes every multilayer network with intra-layer links directed (an inter-layer step
lands on a neighbour, which breaks the symmetry): undirected intra-layer links are first
expanded into both directions, and with undirected input each inter-layer link also runs
back from ``layer2`` to ``layer1``. Explicit state links ``(layer1, u, layer2, v, w)``
(Infomap's ``*Multilayer`` section) are kept as given.

Everything here is vectorised: links are joined to the state nodes of their physical
source by sorting, never by a Python loop over links.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._checks import _fmt


def _columns(rows: Any, name: str, width: int) -> tuple[list[np.ndarray], np.ndarray]:
    """The integer columns and weights of ``rows`` (``width`` ids, then an optional
    weight), with the first bad entry named."""
    a = np.asarray(rows if rows is not None else np.empty((0, width)), dtype=np.float64)
    if a.ndim != 2 or a.shape[1] not in (width, width + 1):
        raise ValueError(
            f"{name} must be rows of {width} ids and an optional weight (shape (m, {width}) "
            f"or (m, {width + 1})), got shape {a.shape}"
        )
    ids = a[:, :width]
    bad = ~np.isfinite(ids) | (ids < 0) | (ids != np.round(ids))
    if bad.any():
        i = int(np.flatnonzero(bad.any(axis=1))[0])
        shown = ", ".join(_fmt(x) for x in a[i].tolist())
        raise ValueError(
            f"{name}[{i}] is [{shown}]: layer and node ids must be non-negative integers"
        )
    weights = a[:, width] if a.shape[1] > width else np.ones(len(a))
    bad = ~np.isfinite(weights) | (weights < 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"{name}[{i}] has weight {_fmt(weights[i])}; weights must be finite and non-negative"
        )
    return [ids[:, j].astype(np.int64) for j in range(width)], weights


def _check_limit(value: Any, name: str) -> int:
    if value is None:
        return -1
    if isinstance(value, (bool, np.bool_)) or not float(value).is_integer() or value < 0:
        raise ValueError(f"{name} must be None (no limit) or a non-negative integer, got {value!r}")
    return int(value)


class _States:
    """State ids of (layer, node) pairs, numbered in order of (layer, node)."""

    def __init__(self, layers: np.ndarray, nodes: np.ndarray) -> None:
        self.keys = np.unique(np.stack([layers, nodes], axis=1), axis=0)
        self.layers, self.nodes = self.keys[:, 0], self.keys[:, 1]

    def of(self, layers: np.ndarray, nodes: np.ndarray) -> np.ndarray:
        key = layers * (self.nodes.max(initial=0) + 1) + nodes
        table = self.layers * (self.nodes.max(initial=0) + 1) + self.nodes
        return np.searchsorted(table, key)


def _pairs_by_node(link_nodes: np.ndarray, state_nodes: np.ndarray):
    """Every (link, state) pair whose state sits on the link's source node: the indices
    of both, joined through the physical node by sorting."""
    order = np.argsort(state_nodes, kind="stable")
    start = np.searchsorted(state_nodes[order], link_nodes, side="left")
    stop = np.searchsorted(state_nodes[order], link_nodes, side="right")
    count = stop - start
    link = np.repeat(np.arange(link_nodes.size), count)
    offset = np.arange(link.size) - np.repeat(np.cumsum(count) - count, count)
    return link, order[np.repeat(start, count) + offset]


def multilayer_state_links(
    intra: Any = None,
    inter: Any = None,
    links: Any = None,
    *,
    directed: bool = False,
    relax_rate: float = 0.15,
    relax_limit: int | None = None,
    relax_limit_up: int | None = None,
    relax_limit_down: int | None = None,
    relax_by_jsd: bool = False,
    relax_to_self: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, bool]:
    """The state network of a multilayer network: ``(layer_ids, physical_ids, state
    links (m, 2), weights, directed)``, state nodes numbered in order of (layer, node).

    Examples
    --------
    Two layers sharing node 1, relaxed at rate 0.5:

    >>> layers, nodes, pairs, w, directed = multilayer_state_links(
    ...     intra=[[0, 0, 1], [1, 1, 2]], relax_rate=0.5)
    >>> layers.tolist(), nodes.tolist(), directed
    ([0, 0, 1, 1], [0, 1, 1, 2], True)
    >>> sorted((int(a), int(b), float(x)) for (a, b), x in zip(pairs, w))
    [(0, 1, 1.0), (1, 0, 0.75), (1, 3, 0.25), (2, 0, 0.25), (2, 3, 0.75), (3, 2, 1.0)]
    """
    (i_layer, i_source, i_target), i_weight = _columns(intra, "intra", 3)
    (e_layer1, e_node, e_layer2), e_weight = _columns(inter, "inter", 3)
    (x_layer1, x_source, x_layer2, x_target), x_weight = _columns(links, "links", 4)
    if not 0.0 <= float(relax_rate) <= 1.0:
        raise ValueError(f"relax_rate must be in [0, 1], got {relax_rate!r}")
    same = e_layer1 == e_layer2
    if same.any():
        i = int(np.flatnonzero(same)[0])
        raise ValueError(
            f"inter[{i}] joins layer {int(e_layer1[i])} to itself: an inter-layer link must "
            "go between different layers"
        )
    symmetric = _check_limit(relax_limit, "relax_limit")
    up = _check_limit(relax_limit_up, "relax_limit_up")
    down = _check_limit(relax_limit_down, "relax_limit_down")
    if relax_by_jsd and (up >= 0 or down >= 0):
        raise ValueError(
            "relax_by_jsd takes relax_limit only, not relax_limit_up or relax_limit_down "
            "(the official Infomap ignores them there)"
        )
    if relax_by_jsd and relax_to_self:
        raise ValueError("relax_by_jsd and relax_to_self cannot be combined")
    if relax_by_jsd and not float(relax_rate) < 1.0:
        raise ValueError(f"relax_by_jsd needs relax_rate below 1, got {relax_rate!r}")
    if i_layer.size:
        directed_out = True
        if not directed:  # each undirected intra-layer link runs both ways
            i_layer = np.concatenate([i_layer, i_layer])
            i_source, i_target = (np.concatenate([i_source, i_target]),
                                  np.concatenate([i_target, i_source]))  # fmt: skip
            i_weight = np.concatenate([i_weight, i_weight])
    else:
        directed_out = bool(directed)
    if e_layer1.size:
        _check_inter_layers(i_layer, e_layer1, e_layer2)
        if not directed:  # an undirected inter-layer link also runs back, from a state
            # that exists where the link leads somewhere (as in Infomap)
            span = int(max(i_source.max(initial=0), e_node.max(initial=0))) + 1
            back = np.isin(e_layer1 * span + e_node, i_layer * span + i_source)
            e_layer1, e_layer2 = (np.concatenate([e_layer1, e_layer2[back]]),
                                  np.concatenate([e_layer2, e_layer1[back]]))  # fmt: skip
            e_node = np.concatenate([e_node, e_node[back]])
            e_weight = np.concatenate([e_weight, e_weight[back]])
    states = _States(
        np.concatenate([i_layer, i_layer, e_layer1, x_layer1, x_layer2]),
        np.concatenate([i_source, i_target, e_node, x_source, x_target]),
    )
    out_weight = np.bincount(states.of(i_layer, i_source), i_weight, len(states.keys))
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    if x_layer1.size:
        parts.append((states.of(x_layer1, x_source), states.of(x_layer2, x_target), x_weight))
    if i_layer.size and e_layer1.size:
        parts.append((states.of(i_layer, i_source), states.of(i_layer, i_target), i_weight))
        intra_links = (i_layer, i_source, i_target, i_weight)
        inter_links = (e_layer1, e_node, e_layer2, e_weight)
        parts.append(_spread_inter_links(states, out_weight, intra_links, inter_links))
    elif i_layer.size and relax_by_jsd:
        parts.append(_jsd_relaxed_links(states, (i_layer, i_source, i_target, i_weight),
                                        float(relax_rate), symmetric))  # fmt: skip
    elif i_layer.size:
        if symmetric < 0:
            symmetric = int(states.layers.max()) + 1
        up = symmetric if up < 0 else min(up, symmetric)
        down = symmetric if down < 0 else min(down, symmetric)
        relaxed = _relaxed_to_self_links if relax_to_self else _relaxed_links
        parts.append(relaxed(states, out_weight, i_layer, i_source, i_target, i_weight,
                             float(relax_rate), up, down))  # fmt: skip
    source = np.concatenate([p[0] for p in parts]) if parts else np.empty(0, np.int64)
    target = np.concatenate([p[1] for p in parts]) if parts else np.empty(0, np.int64)
    weight = np.concatenate([p[2] for p in parts]) if parts else np.empty(0)
    return (states.layers, states.nodes, np.stack([source, target], axis=1), weight,
            directed_out)  # fmt: skip


def _check_inter_layers(i_layer, e_layer1, e_layer2) -> None:
    """Name the first inter-layer link to or from a layer without intra-layer links."""
    missing = ~np.isin(e_layer1, i_layer) | ~np.isin(e_layer2, i_layer)
    if missing.any():
        i = int(np.flatnonzero(missing)[0])
        layer = int(e_layer1[i] if not np.isin(e_layer1[i], i_layer) else e_layer2[i])
        raise ValueError(f"inter[{i}] refers to layer {layer}, which has no intra-layer links")


def _spread_inter_links(states, out_weight, intra_links, inter_links):
    """Each inter-layer link ``(layer1, u, layer2, w)`` spread over ``u``'s out-links in
    ``layer2``: ``(layer1, u) -> (layer2, v)`` with ``w * w_uv / out_weight(layer2, u)``."""
    i_layer, i_source, i_target, i_weight = intra_links
    e_layer1, e_node, e_layer2, e_weight = inter_links
    span = int(max(states.nodes.max(initial=0), e_node.max(initial=0))) + 1
    link_key = i_layer * span + i_source
    inter_key = e_layer2 * span + e_node
    link, inter = _pairs_by_node(link_key, inter_key)
    source = states.of(e_layer1[inter], e_node[inter])
    target = states.of(i_layer[link], i_target[link])
    spread = out_weight[states.of(i_layer[link], i_source[link])]
    return source, target, e_weight[inter] * i_weight[link] / spread


def _relaxed_links(states, out_weight, i_layer, i_source, i_target, i_weight, rate, up, down):
    """The simulated inter-layer links: from state ``(l1, u)``, each out-link ``u -> v`` of
    layer ``l2`` (within the relax limits) with weight ``w * (rate / S + [l1 == l2] *
    (1 - rate) / out_weight(l1, u))``, ``S`` the out-weight of ``u`` over those layers."""
    link, state = _pairs_by_node(i_source, states.nodes)
    layer1, layer2 = states.layers[state], i_layer[link]
    within = np.where(layer1 >= layer2, layer1 - layer2 <= down, layer2 - layer1 <= up)
    link, state, layer1, layer2 = link[within], state[within], layer1[within], layer2[within]
    reach = np.bincount(state, i_weight[link], len(states.keys))
    w = i_weight[link]
    own = layer1 == layer2
    factor = rate / reach[state]
    factor[own] += (1.0 - rate) / out_weight[state[own]]
    return state, states.of(layer2, i_target[link]), w * factor


def _relaxed_to_self_links(states, out_weight, i_layer, i_source, i_target, i_weight, rate,
                           up, down):
    """The compact relaxed links of Infomap's ``--multilayer-relax-to-self``: a node's own
    layer's out-links ``(l1, u) -> (l1, v)`` with weight ``w * (rate / S + (1 - rate) /
    out_weight(l1, u))``, and one link to itself in each other layer within the limits,
    ``(l1, u) -> (l2, u)`` with weight ``rate * out_weight(l2, u) / S``, where ``u`` has
    out-links in ``l2`` (``S`` as in :func:`_relaxed_links`). The walker relayed through
    the other layer's out-links, as the flow of a ``relax_to_self`` network takes it,
    moves as in :func:`_relaxed_links`."""
    n_states = len(states.keys)
    pairs = _pairs_in_groups(states.nodes)
    active = out_weight[pairs[1]] > 0
    state, other = pairs[0][active], pairs[1][active]
    layer1, layer2 = states.layers[state], states.layers[other]
    within = np.where(layer1 >= layer2, layer1 - layer2 <= down, layer2 - layer1 <= up)
    state, other = state[within], other[within]
    reach = np.bincount(state, out_weight[other], n_states)
    own = states.of(i_layer, i_source)
    relaxed = state != other
    state, other = state[relaxed], other[relaxed]
    own_weight = i_weight * (rate / reach[own] + (1.0 - rate) / out_weight[own])
    switch = rate * out_weight[other] / reach[state]
    keep = switch > 0
    source = np.concatenate([own, state[keep]])
    target = np.concatenate([states.of(i_layer, i_target), other[keep]])
    return source, target, np.concatenate([own_weight, switch[keep]])


def _pairs_in_groups(group: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every ordered pair ``(i, j)`` of positions whose ``group`` values are equal (``i ==
    j`` included), without a Python loop: each position is repeated once per member of
    its group."""
    order = np.argsort(group, kind="stable")
    sorted_group = group[order]
    starts = np.flatnonzero(np.r_[True, sorted_group[1:] != sorted_group[:-1]])
    sizes = np.diff(np.r_[starts, len(sorted_group)])
    per_member = np.repeat(sizes, sizes)  # (the size of each position's group)
    first = np.repeat(np.repeat(starts, sizes), per_member)
    i = np.repeat(np.arange(len(sorted_group)), per_member)
    offset = np.arange(len(i)) - np.repeat(np.cumsum(per_member) - per_member, per_member)
    return order[i], order[first + offset]


def _entropy_terms(x: np.ndarray) -> np.ndarray:
    """``-x log2 x``, zero at zero."""
    return -x * np.log2(np.where(x > 0, x, 1.0))


def _jsd_relaxed_links(states, intra_links, rate: float, limit: int):
    """The simulated inter-layer links of Infomap's ``--multilayer-relax-by-jsd``.

    For each node ``u`` and two layers ``l1 >= l2`` (at most ``limit`` apart, when
    ``limit >= 0``) in which ``u`` has out-links sharing a target, the weight is ``1 -
    JSD`` of its two out-link distributions (in bits, mixed in proportion to their
    out-weights), and 1 for a layer with itself. From state ``(l1, u)`` the walker takes
    each out-link ``u -> v`` of each such layer ``l2`` (``l2`` at most ``limit`` from
    ``l1``) with weight ``w * f``: ``f = 1`` in its own layer, else ``jsd_weight * r / (1
    - r) * out_weight(l1, u) / total``, ``total`` the weights of ``(l1, u)`` over its
    layers. Links given twice count once with their weights summed.
    """
    i_layer, i_source, i_target, i_weight = intra_links
    key = np.stack([i_layer, i_source, i_target], axis=1)
    unique, inverse = np.unique(key, axis=0, return_inverse=True)
    i_layer, i_source, i_target = unique.T
    i_weight = np.bincount(inverse.ravel(), i_weight)
    n_states = len(states.keys)
    state_of_link = states.of(i_layer, i_source)
    out_weight = np.bincount(state_of_link, i_weight, n_states)
    p = i_weight / out_weight[state_of_link]
    # pairs of states of one node with out-links, the second in a layer not above
    active = np.flatnonzero(out_weight > 0)
    a, b = _pairs_in_groups(states.nodes[active])
    s1, s2 = active[a], active[b]
    keep = states.layers[s2] <= states.layers[s1]
    if limit >= 0:
        keep &= states.layers[s1] - states.layers[s2] <= limit
    s1, s2 = s1[keep], s2[keep]
    pi1 = out_weight[s1] / (out_weight[s1] + out_weight[s2])
    pi2 = 1.0 - pi1
    # the links of both states to one target: the mixture's entropy there, less the parts
    pair_key = s1 * n_states + s2
    by_key = np.argsort(pair_key)
    la, lb = _pairs_in_groups(i_source * (int(i_target.max()) + 1) + i_target)
    across = state_of_link[la] != state_of_link[lb]
    la, lb = la[across], lb[across]
    link_key = state_of_link[la] * n_states + state_of_link[lb]
    at = np.minimum(np.searchsorted(pair_key[by_key], link_key), len(pair_key) - 1)
    found = pair_key[by_key][at] == link_key
    pair, la, lb = by_key[at[found]], la[found], lb[found]
    q1, q2 = pi1[pair] * p[la], pi2[pair] * p[lb]
    shared = np.bincount(pair, minlength=len(s1)) > 0
    mixed = np.bincount(
        pair, _entropy_terms(q1 + q2) - _entropy_terms(q1) - _entropy_terms(q2), len(s1)
    )
    # (h12 = pi1 h1 + pi2 h2 + H(pi1, pi2) + mixed, so JSD = H(pi1, pi2) + mixed)
    divergence = np.clip(_entropy_terms(pi1) + _entropy_terms(pi2) + mixed, 0.0, 1.0)
    same = s1 == s2
    similar = shared | same
    s1, s2, weight = s1[similar], s2[similar], np.where(same, 1.0, 1.0 - divergence)[similar]
    other = s1 != s2
    total = np.bincount(s1, weight, n_states) + np.bincount(s2[other], weight[other], n_states)
    source = np.concatenate([s1, s2[other]])
    layer_state = np.concatenate([s2, s1[other]])
    weight = np.concatenate([weight, weight[other]])
    if limit >= 0:
        near = np.abs(states.layers[layer_state] - states.layers[source]) <= limit
        source, layer_state, weight = source[near], layer_state[near], weight[near]
    factor = np.where(
        source == layer_state, 1.0,
        weight * rate / (1.0 - rate) * out_weight[source] / total[source],
    )  # fmt: skip
    # each pair takes every out-link of the state in the other layer
    by_state = np.argsort(state_of_link, kind="stable")
    ptr = np.r_[0, np.cumsum(np.bincount(state_of_link, minlength=n_states))]
    counts = ptr[layer_state + 1] - ptr[layer_state]
    within = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    link = by_state[np.repeat(ptr[layer_state], counts) + within]
    target = states.of(i_layer[link], i_target[link])
    return np.repeat(source, counts), target, np.repeat(factor, counts) * i_weight[link]


def from_multilayer(
    cls,
    intra: Any = None,
    inter: Any = None,
    links: Any = None,
    *,
    directed: bool = False,
    relax_rate: float = 0.15,
    relax_limit: int | None = None,
    relax_limit_up: int | None = None,
    relax_limit_down: int | None = None,
    relax_by_jsd: bool = False,
    relax_to_self: bool = False,
):
    """Build a multilayer network: one state node per (layer, physical node), as the
    official Infomap's ``*Multilayer``, ``*Intra`` and ``*Inter`` input makes it.

    The map equation then codes physical nodes (a state network), so a node's state nodes
    in different layers can sit in different modules: the modules overlap on it.

    Parameters
    ----------
    intra : array_like, shape (m, 3) or (m, 4), optional
        Intra-layer links, rows ``(layer, source, target[, weight])``.
    inter : array_like, shape (k, 3) or (k, 4), optional
        Inter-layer links, rows ``(layer1, node, layer2[, weight])``: a walker at ``node``
        in ``layer1`` switches to ``layer2`` and takes one of ``node``'s links there, in
        proportion to their weights. Without them, ``relax_rate`` simulates them.
    links : array_like, shape (p, 4) or (p, 5), optional
        Links between state nodes as given, rows ``(layer1, source, layer2, target[,
        weight])`` (Infomap's ``*Multilayer`` section).
    directed : bool, default False
        Whether the links are directed. With intra-layer links the state network is
        directed either way (undirected links are expanded into both directions, as
        Infomap does, since a switch of layers breaks the symmetry).
    relax_rate : float, default 0.15
        Without inter-layer links: the probability that the walker takes a link of any
        layer in which its node has links (in proportion to their weights) instead of
        one of its own layer.
    relax_limit : int or None, default None
        Relax only to layers at most this far away in layer id (None: to every layer);
        ``relax_limit_up`` and ``relax_limit_down`` limit the layers above and below.
    relax_limit_up, relax_limit_down : int or None, default None
    relax_by_jsd : bool, default False
        Relax to the layers in proportion to how alike the node's out-links are there and
        in its own layer: one minus the Jensen-Shannon divergence of the two, in layers
        where they share a target (Infomap's ``--multilayer-relax-by-jsd``; with
        ``relax_limit`` only).
    relax_to_self : bool, default False
        Relax to the node itself in the other layers instead of to its neighbours there,
        a state network with one link per node and layer instead of one per neighbour
        (Infomap's ``--multilayer-relax-to-self``). Its flow relays the walker on through
        the other layer's out-links in the same step, so the walk is the default
        relaxation's; the network remembers this (``relax_to_self``) for the flow.

    Returns
    -------
    Network
        A state network with ``physical_ids`` (the node of each state) and ``layer_ids``
        (its layer); state nodes are numbered in order of (layer, node).

    Examples
    --------
    Two triangles in two layers that share node 2:

    >>> from infomap_learn import Network
    >>> intra = [[1, 0, 1], [1, 1, 2], [1, 2, 0], [2, 2, 3], [2, 3, 4], [2, 4, 2]]
    >>> net = Network.from_multilayer(intra, relax_rate=0.15)
    >>> net
    Network(n_nodes=6, n_links=16, directed, weighted, states of 5 physical nodes)
    >>> net.layer_ids.tolist(), net.physical_ids.tolist()
    ([1, 1, 1, 2, 2, 2], [0, 1, 2, 2, 3, 4])
    """
    layers, nodes, pairs, weights, is_directed = multilayer_state_links(
        intra, inter, links, directed=directed, relax_rate=relax_rate,
        relax_limit=relax_limit, relax_limit_up=relax_limit_up,
        relax_limit_down=relax_limit_down, relax_by_jsd=relax_by_jsd,
        relax_to_self=relax_to_self,
    )  # fmt: skip
    if layers.size == 0:
        raise ValueError("a multilayer network needs intra-layer links or state links")
    net = cls.from_states(nodes, pairs, weights, directed=is_directed)
    layers = np.array(layers, dtype=np.int64)
    layers.setflags(write=False)
    net.layer_ids = layers
    # (inter-layer links then only switch layers: the flow relays them, see flow.py)
    net.relax_to_self = bool(relax_to_self) and inter is None and links is None
    return net


def with_state_names(net, names: list):
    """The multilayer network ``net`` with ``names`` as its state nodes' names (its links,
    already canonical, are shared, not sorted again)."""
    named = type(net)._from_canonical(
        net.n_nodes, net.directed, net.source, net.target, net.weight,
        node_weights=net.node_weights, node_names=names, physical_ids=net.physical_ids,
    )  # fmt: skip
    named.layer_ids = net.layer_ids
    named.relax_to_self = net.relax_to_self
    return named
