r"""Flow models: from a :class:`~infomap_learn.network.Network` to the visit rates and link
flows of a random walker, the input of the map equation.

Every model produces the same :class:`Flow` record:

* ``node_flow[u]``, :math:`p_u`, the stationary visit rate of node ``u`` (sums to 1, unless
  the network has no links);
* directed *flow links* ``u -> v`` with the rate at which the walker steps along them, in
  CSR form by source (``out_ptr``, ``out_idx``, ``out_flow``) and by target (``in_*``).
  Undirected links appear once in each direction. Self-links never cross a module boundary
  and are left out;
* for recorded teleportation only, ``teleport_source[u]`` (:math:`t_u`, the rate at which
  the walker teleports away from ``u``) and ``teleport_target[u]`` (:math:`\tau_u`, the
  probability that a teleportation lands on ``u``).

The models, with the meaning the official Infomap gives them (checked against it in
``integration/test_oracle.py``):

``undirected``
    :math:`p_u = s_u / S` and a link carries :math:`w_{uv} / S` each way, where :math:`s_u`
    is the strength of ``u`` (a self-link counted once) and :math:`S = \sum_u s_u`.
``directed``
    PageRank with teleportation probability :math:`\alpha`. Teleportation goes *to links*
    by default (to node ``u`` with probability proportional to its out-weight, so that the
    walker then leaves along a link chosen by weight), or *to nodes* (proportional to the
    node weights, uniform without them). Dangling nodes always teleport.
    With *unrecorded* teleportation (the default) only link steps are encoded: a link
    carries :math:`f_{uv} = \pi_u w_{uv} / w^{out}_u` normalised to sum to one, and a node's
    visit rate is the flow arriving over its links, :math:`p_v = \sum_u f_{uv}`.
    With *recorded* teleportation the teleportation steps are encoded too: teleportation
    lands on nodes in proportion to in-weight (to nodes: node weights), :math:`p = \pi`,
    :math:`f_{uv} = (1 - \alpha) \pi_u w_{uv} / w^{out}_u`, and the walker teleports away
    from ``u`` at rate :math:`t_u = \alpha \pi_u` (:math:`\pi_u` when ``u`` is dangling).
``undirdir``, ``outdirdir``, ``rawdir``
    Two-mode dynamics: the flow is computed from an undirected walk, from out-weights, or
    from raw link weights, and the links are encoded in their own direction. With node
    visit rates taken as the flow arriving over links (as Infomap does), all three reduce
    to :math:`f_{uv} = w_{uv} / W` and :math:`p_v = \sum_u f_{uv}`.

A directed model on an *undirected* network sees every link as two opposite directed links
(a self-link as one), which is how Infomap sees an undirected network given to it with both
directions. The undirected model on a *directed* network adds the two directions up.

Markov time :math:`t` scales every link flow by :math:`t`, and nothing else: node visit
rates stay, and so does the rate of recorded teleportation (Infomap scales only link flows;
scaling the teleportation too disagrees with it by percents). A larger :math:`t` makes
leaving a module cheaper per step relative to visiting nodes, and gives fewer, larger
modules.

A network without links has no walk: every node gets zero flow (so the visit rates do not
sum to one) and every partition has codelength 0, as in Infomap, for every model but one:
recorded teleportation to nodes, where the walker teleports at every step and
:math:`p = \tau`. Unrecorded teleportation to nodes on a network whose links all start at
nodes it never reaches (zero node weight, no in-links) leaves no link flow to encode and
is an error, as in Infomap.
Isolated nodes of a network with links get zero flow, except with recorded teleportation to
nodes, which lands on them.

These conventions are checked against the official Infomap 2.16 in
``integration/test_oracle.py``, to 1e-9 relative on codelengths and node flows.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np

from ._pagerank import pagerank
from .network import Network
from .options import FLOW_MODELS as FLOW_MODELS  # its home is options.py; kept here
from .options import FlowOptions


@dataclass(frozen=True)
class Flow:
    """Visit rates and link flows of a random walk on a network.

    The flow links are kept in CSR form only, the layout the search works on, so a large
    network holds its link flows once (an undirected network: once per direction).

    Attributes
    ----------
    node_flow : ndarray of float64, shape (n,)
        Stationary visit rate of each node; sums to one (all zero for a network without
        links).
    out_ptr, out_idx, out_flow : ndarray of int64 (n + 1,), int32 (m,), float64 (m,)
        Directed flow links without self-links, by source: the links out of ``u`` go to
        ``out_idx[out_ptr[u]:out_ptr[u + 1]]`` with flows ``out_flow[...]``, already
        scaled by the Markov time. Undirected links appear in both directions.
    in_ptr, in_idx, in_flow : the same links by target (the very same arrays when
        ``undirected``).
    teleport_source, teleport_target : ndarray of float64, shape (n,), or None
        Recorded teleportation only: the rate of teleporting away from each node (scaled by
        the Markov time) and the probability of landing on each node.
    undirected : bool
        True when every link flow has an equal reverse flow, so that enter and exit flows of
        any module are equal.
    flow_model : str

    Examples
    --------
    >>> import numpy as np
    >>> from infomap_learn import Network, compute_flow
    >>> edges = np.array([[0, 1], [1, 2], [2, 0], [3, 4], [4, 5], [5, 3], [2, 3]])
    >>> flow = compute_flow(Network.from_edges(edges))
    >>> flow.flow_model, flow.n_links, flow.node_flow.round(4).tolist()
    ('undirected', 14, [0.1429, 0.1429, 0.2143, 0.2143, 0.1429, 0.1429])
    """

    node_flow: np.ndarray
    out_ptr: np.ndarray
    out_idx: np.ndarray
    out_flow: np.ndarray
    in_ptr: np.ndarray
    in_idx: np.ndarray
    in_flow: np.ndarray
    teleport_source: np.ndarray | None
    teleport_target: np.ndarray | None
    undirected: bool
    flow_model: str

    @classmethod
    def from_links(
        cls,
        node_flow: np.ndarray,
        source: np.ndarray,
        target: np.ndarray,
        link_flow: np.ndarray,
        *,
        undirected: bool,
        flow_model: str,
        teleport_source: np.ndarray | None = None,
        teleport_target: np.ndarray | None = None,
    ) -> Flow:
        """Build from flow links ``source -> target``; self-links are dropped. For
        ``undirected`` each link is given once and stands for both directions.

        Examples
        --------
        >>> import numpy as np
        >>> node_flow, link_flow = np.array([0.25, 0.5, 0.25]), np.array([0.25, 0.25])
        >>> flow = Flow.from_links(node_flow, np.array([0, 1]), np.array([1, 2]), link_flow,
        ...                        undirected=True, flow_model="undirected")
        >>> flow.n_links, flow.link_source.tolist(), flow.link_target.tolist()
        (4, [0, 1, 1, 2], [1, 2, 0, 1])
        """
        from ._kernels import build_csr

        n = node_flow.shape[0]
        source = np.asarray(source)
        target = np.asarray(target)
        link_flow = np.asarray(link_flow, dtype=np.float64)
        out_csr = build_csr(n, source, target, link_flow, undirected)
        in_csr = out_csr if undirected else build_csr(n, target, source, link_flow, False)
        return cls(node_flow, *out_csr, *in_csr, teleport_source, teleport_target,
                   bool(undirected), flow_model)  # fmt: skip

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return self.node_flow.shape[0]

    @property
    def n_links(self) -> int:
        """Number of directed flow links (an undirected link counts twice)."""
        return self.out_idx.shape[0]

    @property
    def link_source(self) -> np.ndarray:
        """Source of each flow link, in the order of ``link_target`` (built on demand)."""
        counts = np.diff(self.out_ptr)
        return np.repeat(np.arange(self.n_nodes, dtype=np.int32), counts)

    @property
    def link_target(self) -> np.ndarray:
        """Target of each flow link (the out-links' CSR indices)."""
        return self.out_idx

    @property
    def link_flow(self) -> np.ndarray:
        """Flow on each flow link, in the order of ``link_target``."""
        return self.out_flow

    @property
    def recorded_teleportation(self) -> bool:
        """Whether teleportation steps are encoded (the flow carries their rates)."""
        return self.teleport_source is not None


def validate_flow_options(
    flow_model: str | None,
    teleportation_probability: float,
    markov_time: float,
    directed: bool,
) -> str:
    """Check the flow options and resolve ``flow_model=None``; return the model name
    (:class:`~infomap_learn.options.FlowOptions` does the checking).

    Examples
    --------
    >>> validate_flow_options(None, 0.15, 1.0, directed=True)
    'directed'
    >>> validate_flow_options("rawdir", 0.15, 1.0, directed=False)
    'rawdir'
    >>> validate_flow_options(None, 1.5, 1.0, directed=True)
    Traceback (most recent call last):
    ...
    ValueError: teleportation_probability must be in [0, 1), got 1.5
    """
    options = FlowOptions(
        flow_model=flow_model,
        teleportation_probability=teleportation_probability,
        markov_time=markov_time,
    )
    return options.resolved_model(directed)


def compute_flow(
    network: Network,
    *,
    flow_model: str | None = None,
    teleportation_probability: float = 0.15,
    recorded_teleportation: bool = False,
    to_nodes: bool = False,
    markov_time: float = 1.0,
    use_node_weights_as_flow: bool = False,
    regularized: bool = False,
    regularization_strength: float = 1.0,
    variable_markov_time: bool = False,
    variable_markov_damping: float = 1.0,
    variable_markov_min_scale: float = 1.0,
    bipartite_start_id: int | None = None,
    skip_adjust_bipartite_flow: bool = False,
    bipartite_teleportation: bool = False,
) -> Flow:
    r"""Compute node visit rates and link flows of ``network`` under a flow model.

    Parameters
    ----------
    network : Network
    flow_model : {"undirected", "directed", "undirdir", "outdirdir", "rawdir", \
"precomputed"} or None
        None means "directed" for a directed network and "undirected" otherwise;
        "precomputed" takes the node weights (normalised) as the node flow and the link
        weights, as given, as the flows of directed links.
    teleportation_probability : float in [0, 1)
        :math:`\\alpha`, used by the directed model only.
    recorded_teleportation : bool
        Encode teleportation steps too (directed model only).
    to_nodes : bool
        Teleport to nodes (by ``network.node_weights``, uniform without them) instead of
        to links (directed model only).
    markov_time : float > 0
        Scales all link flows.
    use_node_weights_as_flow : bool
        The node weights, normalised, replace the node flow of the model (uniform
        without node weights).
    regularized : bool
        Add the Bayesian prior network of the regularized map equation (see
        ``infomap_learn._bayesian_prior``), scaled by ``regularization_strength``.
    variable_markov_time, variable_markov_damping, variable_markov_min_scale
        A local Markov time per link on top of ``markov_time``: see
        :func:`~infomap_learn._variable_markov.variable_markov_scales`.
    bipartite_start_id, skip_adjust_bipartite_flow, bipartite_teleportation
        A bipartite network (feature nodes from this index on), whether to keep its flow
        as the model made it, and Infomap's two-step walk between primary nodes: see
        :mod:`infomap_learn._bipartite` and :class:`~infomap_learn.options.FlowOptions`.

    Returns
    -------
    Flow

    Examples
    --------
    >>> import numpy as np
    >>> from infomap_learn import Network
    >>> network = Network.from_edges(np.array([[0, 1], [1, 2], [2, 0], [2, 3]]), directed=True)
    >>> flow = compute_flow(network)
    >>> flow.flow_model, flow.node_flow.round(4).tolist()
    ('directed', [0.2138, 0.2646, 0.3079, 0.2138])
    >>> compute_flow(network, flow_model="undirected").node_flow.round(4).tolist()
    [0.25, 0.25, 0.375, 0.125]
    """
    arguments = locals()  # (each option by its name, declared once in FlowOptions)
    options = FlowOptions(**{field.name: arguments[field.name] for field in fields(FlowOptions)})
    start = options.bipartite_start_id
    if start is not None:
        from ._bipartite import check_bipartite_links

        check_bipartite_links(
            network.source, network.target, start, network.n_nodes, network.node_names
        )
    if start is not None and options.bipartite_teleportation:
        # (two steps between primary nodes are one Markov time: link flows double)
        flow = _scale(_bipartite_teleportation_flow(network, options), 2.0)
    elif start is not None and not options.skip_adjust_bipartite_flow:
        from ._bipartite import bipartite_node_flow

        # (as Infomap: the visits move to the primary nodes before the Markov time scales)
        flow = _flow(network, replace(options, markov_time=1.0))
        node_flow = bipartite_node_flow(
            flow.node_flow, flow.out_ptr, flow.out_idx, flow.out_flow, start
        )
        flow = _scale(replace(flow, node_flow=node_flow), 2.0 * options.markov_time)
    elif network.relax_to_self:
        flow = _relax_to_self_flow(network, options)
    else:
        flow = _flow(network, options)
    if options.variable_markov_time:
        from ._variable_markov import variable_markov_scales

        # (Infomap's total degree counts a self-link once)
        n_self = int(np.count_nonzero(network.source == network.target))
        flow = _scale_links(
            flow,
            variable_markov_scales(
                flow.node_flow, (flow.out_ptr, flow.out_idx), (flow.in_ptr, flow.in_idx),
                flow.undirected, 2.0 * network.n_links - n_self,
                options.variable_markov_damping, options.variable_markov_min_scale,
            ),
        )  # fmt: skip
    return flow


def _bipartite_teleportation_flow(network: Network, options: FlowOptions) -> Flow:
    """The flow of ``--bipartite-teleportation`` before its link flows double."""
    model = options.resolved_model(network.directed)
    if model != "directed":  # (the model's flow, feature nodes coded)
        return _flow(network, options)
    from ._bipartite import two_step_flow

    src, dst, w = network.source, network.target, _safe_weights(network.weight)
    if not network.directed:
        src, dst, w = _both_directions(src, dst, w)
    if not (src >= options.bipartite_start_id).any():
        raise ValueError(
            "bipartite_teleportation=True with the directed model needs links from the "
            f"feature nodes back to the primary nodes, and all {len(src)} links run from "
            "primary to feature nodes: the walk's second step would have nothing to follow "
            "(leave bipartite_teleportation off for Infomap's two-step projection)"
        )
    recorded = options.recorded_teleportation
    node_flow, link_flow, teleport_source, teleport_target = two_step_flow(
        network.n_nodes, src, dst, w, options.bipartite_start_id,
        alpha=options.teleportation_probability, recorded=recorded,
        teleport_weights=_node_weights_or_ones(network) if options.to_nodes else None,
    )  # fmt: skip
    flow = Flow.from_links(
        node_flow, src, dst, link_flow, undirected=False, flow_model="directed",
        teleport_source=teleport_source, teleport_target=teleport_target,
    )  # fmt: skip
    return _scale(flow, options.markov_time)


def _relax_to_self_flow(network: Network, options: FlowOptions) -> Flow:
    """The directed flow of a multilayer network relaxed to the nodes themselves."""
    from ._relax_to_self import relayed_flow

    model = options.resolved_model(network.directed)
    if model != "directed" or options.regularized:
        raise ValueError(
            f"a relax_to_self network takes the directed flow model only, not {model!r}, and "
            "not regularized=True"
        )
    node_flow, link_flow, teleport_source, teleport_target = relayed_flow(
        network.n_nodes, network.source, network.target, _safe_weights(network.weight),
        network.physical_ids, alpha=options.teleportation_probability,
        teleport_weights=_node_weights_or_ones(network) if options.to_nodes else None,
        recorded=options.recorded_teleportation,
    )  # fmt: skip
    flow = Flow.from_links(
        node_flow, network.source, network.target, link_flow, undirected=False,
        flow_model="directed", teleport_source=teleport_source, teleport_target=teleport_target,
    )  # fmt: skip
    return _scale(flow, options.markov_time)


def _node_weights_or_ones(network: Network) -> np.ndarray:
    weights = network.node_weights
    return np.ones(network.n_nodes) if weights is None else np.asarray(weights, np.float64)


def _flow(network: Network, options: FlowOptions) -> Flow:
    """The flow of ``options``' model, the global Markov time included."""
    model = options.resolved_model(network.directed)
    if options.regularized:
        return _scale(_regularized_flow(network, model, options), options.markov_time)
    if model == "precomputed":
        return _scale(_precomputed_flow(network), options.markov_time)
    flow = _model_flow(network, options, model)
    if options.use_node_weights_as_flow:
        node_flow = _node_weight_shares(network)
        teleport_source = flow.teleport_source
        if teleport_source is not None:
            # recorded teleportation leaves each node at its share of the new node flow,
            # as Infomap does: alpha of it, all of it from a dangling node
            has_out = np.zeros(network.n_nodes, dtype=bool)
            has_out[network.source] = True
            if not network.directed:
                has_out[network.target] = True
            alpha = options.teleportation_probability
            teleport_source = np.where(has_out, alpha * node_flow, node_flow)
        flow = replace(flow, node_flow=node_flow, teleport_source=teleport_source)
    return flow


def _scale_links(flow: Flow, scales: tuple[np.ndarray, np.ndarray]) -> Flow:
    """``flow`` with each link flow multiplied by its factor (out-links, in-links)."""
    out_flow = flow.out_flow * scales[0]
    in_flow = out_flow if flow.undirected else flow.in_flow * scales[1]
    return replace(flow, out_flow=out_flow, in_flow=in_flow)


def _node_weight_shares(network: Network) -> np.ndarray:
    """The node weights as shares of their sum (uniform without node weights)."""
    n = network.n_nodes
    weights = np.ones(n) if network.node_weights is None else network.node_weights
    total = float(weights.sum())
    if not total > 0:
        raise ValueError("the node weights sum to 0: they cannot be the node flow")
    return np.asarray(weights, dtype=np.float64) / total


def _regularized_flow(network: Network, model: str, options: FlowOptions) -> Flow:
    """The flow of the regularized map equation (observed links and the prior network)."""
    from ._bayesian_prior import prior_flow

    if model not in ("undirected", "directed"):
        raise ValueError(
            f"regularized=True needs the undirected or directed flow model, got {model!r}"
        )
    src, dst, w = network.source, network.target, _safe_weights(network.weight)
    if model == "directed" and not network.directed:
        src, dst, w = _both_directions(src, dst, w)
    undirected = model == "undirected"
    node_flow, s, t, f, tele_source, tele_target = prior_flow(
        network.n_nodes, src, dst, w, options.regularization_strength, undirected
    )
    return Flow.from_links(
        node_flow, s, t, f, undirected=undirected, flow_model=model,
        teleport_source=tele_source, teleport_target=tele_target,
    )  # fmt: skip


def _precomputed_flow(network: Network) -> Flow:
    """Infomap's precomputed flow: node weights as node flow, link weights as the flows
    of the links in their given direction."""
    if network.node_weights is None:
        raise ValueError(
            "flow_model='precomputed' needs the flow of every node as its node weight "
            "(node_weights=, or the weight after the name in a Pajek *Vertices line)"
        )
    return Flow.from_links(
        _node_weight_shares(network), network.source, network.target,
        np.ascontiguousarray(network.weight), undirected=False,
        flow_model="precomputed",
    )  # fmt: skip


def _model_flow(network: Network, options: FlowOptions, model: str) -> Flow:
    """The flow of the models other than the precomputed one."""
    teleportation_probability, markov_time = options.teleportation_probability, options.markov_time
    to_nodes = options.to_nodes
    src, dst, w = network.source, network.target, _safe_weights(network.weight)
    n = network.n_nodes
    recorded = options.recorded_teleportation and model == "directed"
    if w.size == 0 and not (recorded and to_nodes):
        # No links: no walk, so no flow anywhere (as in Infomap). Only recorded
        # teleportation to nodes still moves: the walker teleports at every step.
        return _no_flow(n, model, recorded)
    if model == "undirected":
        # An undirected walk: a directed network used with the undirected model is
        # symmetrised by counting each link in both directions.
        return _scale(_undirected_flow(n, src, dst, w, model), markov_time)
    if not network.directed:
        # A directed model on an undirected network: each link is a pair of opposite
        # directed links (a self-link stays one link), as Infomap sees an undirected
        # network given to it with both directions.
        src, dst, w = _both_directions(src, dst, w)
    if model == "directed":
        flow = _directed_flow(
            n,
            src,
            dst,
            w,
            float(teleportation_probability),
            bool(options.recorded_teleportation),
            network.node_weights if to_nodes else None,
            bool(to_nodes),
        )
        return _scale(flow, markov_time)
    return _scale(_raw_directed_flow(n, src, dst, w, model), markov_time)


_SAFE_WEIGHTS = (1e-150, 1e150)
"""Link weights whose largest lies outside this range are rescaled (by it) for the flow."""


def _safe_weights(w: np.ndarray) -> np.ndarray:
    """The link weights, rescaled by the largest if that lies outside ``_SAFE_WEIGHTS``:
    flows depend on weight ratios only, and the rescaled sums neither overflow (weights
    near 1e308) nor lose precision in subnormals."""
    if w.size and not _SAFE_WEIGHTS[0] <= w.max() <= _SAFE_WEIGHTS[1]:
        return w / w.max()
    return np.ascontiguousarray(w)  # (an unweighted network's ones are a stride-0 view)


def _both_directions(src, dst, w):
    back = src != dst
    return (
        np.concatenate([src, dst[back]]),
        np.concatenate([dst, src[back]]),
        np.concatenate([w, w[back]]),
    )


def _no_flow(n: int, model: str, recorded: bool) -> Flow:
    empty_index = np.zeros(0, dtype=np.int32)
    return Flow.from_links(
        np.zeros(n),
        empty_index,
        empty_index,
        np.zeros(0),
        undirected=model == "undirected",
        flow_model=model,
        teleport_source=np.zeros(n) if recorded else None,
        teleport_target=np.full(n, 1.0 / max(n, 1)) if recorded else None,
    )


def _scale(flow: Flow, markov_time: float) -> Flow:
    if markov_time == 1.0:
        return flow
    # Only link flows scale: recorded teleportation keeps its rate (as in Infomap).
    out_flow = flow.out_flow * markov_time
    in_flow = out_flow if flow.undirected else flow.in_flow * markov_time
    return replace(flow, out_flow=out_flow, in_flow=in_flow)


def _undirected_flow(n, src, dst, w, model) -> Flow:
    is_self = src == dst
    total = 2.0 * w.sum() - w[is_self].sum()
    node_flow = np.bincount(src, w, n) + np.bincount(dst[~is_self], w[~is_self], n)
    if total > 0:
        node_flow /= total
    return Flow.from_links(
        node_flow, src, dst, w / total if total > 0 else w, undirected=True, flow_model=model
    )


def _raw_directed_flow(n, src, dst, w, model) -> Flow:
    total = w.sum()
    link_flow = w / total if total > 0 else w.astype(np.float64)
    node_flow = np.bincount(dst, link_flow, n)
    return Flow.from_links(node_flow, src, dst, link_flow, undirected=False, flow_model=model)


def _directed_flow(n, src, dst, w, alpha, recorded, node_weights, to_nodes) -> Flow:
    out_weight = np.bincount(src, w, n)
    in_weight = np.bincount(dst, w, n)
    dangling = out_weight == 0
    transition = w / out_weight[src] if w.size else w.astype(np.float64)
    if to_nodes:
        tau = np.ones(n) if node_weights is None else np.asarray(node_weights, np.float64)
        if tau.sum() <= 0:
            raise ValueError("node_weights sum to zero: no node to teleport to")
        tau = tau / tau.sum()
    elif recorded:
        # Teleporting to a link lands on its target: in-weight decides where.
        tau = in_weight / in_weight.sum()
    else:
        # Unrecorded teleportation to a link is recorded from the link's source, whose
        # step along the link is then encoded: out-weight decides.
        tau = out_weight / out_weight.sum()
    pi = pagerank(n, src, dst, transition, dangling, tau, alpha)
    if recorded:
        link_flow = (1.0 - alpha) * pi[src] * transition
        teleport_source = np.where(dangling, pi, alpha * pi)
        return Flow.from_links(
            pi, src, dst, link_flow, undirected=False, flow_model="directed",
            teleport_source=teleport_source, teleport_target=tau,
        )  # fmt: skip
    link_flow = pi[src] * transition
    total = link_flow.sum()
    if not total > 0:
        # Only possible when teleportation to nodes never reaches a node with out-links
        # (their node weights are zero); Infomap fails on it as "degenerate flow".
        raise ValueError(
            "degenerate flow: no link carries flow with unrecorded teleportation to nodes "
            "(every node with out-links has zero node weight and no in-flow)"
        )
    link_flow /= total
    node_flow = np.bincount(dst, link_flow, n)
    return Flow.from_links(node_flow, src, dst, link_flow, undirected=False, flow_model="directed")
