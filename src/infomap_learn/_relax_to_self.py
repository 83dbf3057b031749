"""The flow of a multilayer network relaxed to the nodes themselves (Infomap's
``--multilayer-relax-to-self``, :meth:`Network.from_multilayer` with ``relax_to_self``).

Such a network has, besides each layer's own links, one link from a state node to the
same physical node in each other layer it may relax to. Walking those links as steps would
visit the other layer's state without moving on; instead each power iteration takes two
steps at once, as Infomap does: flow along a link within a layer arrives, flow along a
switch of layer is relayed in the same step through the new state's links within its layer,
in proportion to their transition probabilities. The walk is then the default relaxation's
(:func:`~infomap_learn.network._multilayer._relaxed_links`) on a state network with a
link per node and layer instead of one per neighbour. The link flows get the same
treatment: a switch keeps its own flow, which is also added to the new state's links
within its layer.
"""

from __future__ import annotations

import numpy as np

from ._pagerank import relayed_power_iteration


def relayed_flow(
    n: int,
    source: np.ndarray,
    target: np.ndarray,
    weight: np.ndarray,
    physical_ids: np.ndarray,
    *,
    alpha: float,
    teleport_weights: np.ndarray | None,
    recorded: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None]:
    r"""Node and link flows of a ``relax_to_self`` network under the directed model, and
    with ``recorded`` teleportation the rate at which each node teleports away and the
    share of teleportation landing on it (None, None without).

    A link between two states of one physical node is a switch of layer. Teleportation goes
    to links (by out-weight; recorded, by in-weight: where a link lands, a switch's weight
    relayed through its target's links within the layer by their transition probabilities)
    or, given ``teleport_weights``, to nodes. Each power iteration is ``pi' = (alpha + beta
    D) tau + beta R pi``, ``R`` the two-step move (links within a layer, switches relayed
    through the target's links within its layer by their transition probabilities),
    normalised when it loses mass. Unrecorded, one last move without teleportation gives the
    visits, divided by ``1 - D``, and each link's flow is ``P_uv`` times its source's last
    iterate over ``1 - D``; recorded, the visits are the last iterate normalised, each
    link's flow is ``beta P_uv`` times its source's last iterate, and a node teleports away
    at ``alpha`` times its visits (all of them if it has no out-link). Then every switch's
    flow is also added to the links within the layer of its target, in proportion to their
    flows.

    Examples
    --------
    Node 1 in two layers of one link each, and a switch from each of its states to the
    other:

    >>> source, target = np.array([0, 1, 1, 2, 2, 3]), np.array([1, 0, 2, 1, 3, 2])
    >>> physical = np.array([0, 1, 1, 2])
    >>> node_flow, link_flow, _, _ = relayed_flow(
    ...     4, source, target, np.ones(6), physical, alpha=0.15, teleport_weights=None)
    >>> round(float(node_flow.sum()), 6)
    1.0
    """
    w = np.asarray(weight, dtype=np.float64)
    out_weight = np.bincount(source, w, n)
    p = w / out_weight[source]
    switch = (physical_ids[source] == physical_ids[target]) & (source != target)
    within = ~switch
    within_sum = np.bincount(source[within], p[within], n)
    probability_within = np.where(
        within, p / np.where(within_sum[source] > 0, within_sum[source], 1.0), 0.0
    )
    dangling = out_weight == 0
    if teleport_weights is not None:
        tau = np.asarray(teleport_weights, np.float64)
    elif recorded:
        # (where a link lands: a switch lands where its target's links within the layer
        # lead, by their transition probabilities, as the walk relays it)
        switched = np.bincount(target[switch], w[switch], n)
        tau = np.bincount(
            target[within], w[within] + switched[source[within]] * probability_within[within], n
        )
    else:
        tau = out_weight
    tau = tau / tau.sum()

    def relay(state_flow, scale):
        """One two-step move of ``state_flow`` times ``scale``: along the links within
        layers, and along the switches relayed through the target's links within its
        layer."""
        arrived = np.bincount(target[switch], scale * p[switch] * state_flow[source[switch]], n)
        moved = np.bincount(target[within], scale * p[within] * state_flow[source[within]], n)
        return moved + np.bincount(
            target[within], arrived[source[within]] * probability_within[within], n
        )

    visits, last, dangling_rank = relayed_power_iteration(
        lambda pi: relay(pi, 1.0 - alpha), tau, dangling, alpha
    )
    teleport_source = None
    if recorded:
        node_flow = visits
        link_flow = (1.0 - alpha) * p * last[source]
        teleport_source = np.where(dangling, visits, alpha * visits)
    else:
        remaining = 1.0 - dangling_rank
        node_flow = relay(last, 1.0)
        if remaining > 0:
            node_flow = node_flow / remaining
        link_flow = p * last[source] / remaining
    # each switch's flow also runs on along the links within its target's layer
    within_flow = np.bincount(source[within], link_flow[within], n)
    share = np.where(
        within, link_flow / np.where(within_flow[source] > 0, within_flow[source], 1.0), 0.0
    )
    relayed = np.bincount(target[switch], link_flow[switch], n)
    link_flow = link_flow + relayed[source] * share
    return node_flow, link_flow, teleport_source, tau if recorded else None
