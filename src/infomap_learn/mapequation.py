r"""The map equation in plain numpy: the readable reference for the fast kernels.

A partition of the nodes into modules describes a random walk with one codebook per module
(for the nodes it visits and its exit) and an index codebook (for the modules it enters).
Given visit rates :math:`p_\alpha`, module enter flows :math:`q_{i\curvearrowleft}`, exit
flows :math:`q_{i\curvearrowright}` and module flows :math:`p_i = \sum_{\alpha \in i}
p_\alpha`, the two-level map equation is, in bits per step,

.. math::

    L(\mathsf{M}) = \underbrace{\operatorname{plogp}\Bigl(\sum_i q_{i\curvearrowleft}\Bigr)
        - \sum_i \operatorname{plogp}(q_{i\curvearrowleft})}_{\text{index codebook}}
        + \underbrace{\sum_i \Bigl[\operatorname{plogp}(q_{i\curvearrowright} + p_i)
        - \operatorname{plogp}(q_{i\curvearrowright})\Bigr]
        - \sum_\alpha \operatorname{plogp}(p_\alpha)}_{\text{module codebooks}}

with :math:`\operatorname{plogp}(x) = x \log_2 x`. It equals the familiar
:math:`q_\curvearrowright H(\mathcal{Q}) + \sum_i p^i_\circlearrowright H(\mathcal{P}^i)`.
Putting every node in one module gives the one-level codelength, the entropy of the visit
rates :math:`H(P) = -\sum_\alpha \operatorname{plogp}(p_\alpha)`.

The hierarchical (multilevel) map equation nests codebooks in a tree. Each non-leaf tree
node :math:`M` (the root, with :math:`q_{M\curvearrowright} = 0`, or a module) has a
codebook for entering its children (their enter flow :math:`q_{c\curvearrowleft}` for a
submodule, the visit rate :math:`p_\alpha` for a node) and for exiting :math:`M`:

.. math::

    L_M = \operatorname{plogp}\Bigl(q_{M\curvearrowright} + \sum_{c \in M} q_c\Bigr)
          - \operatorname{plogp}(q_{M\curvearrowright}) - \sum_{c \in M} \operatorname{plogp}(q_c),
    \qquad L = \sum_M L_M .

The index codelength is the root's term; the module codelength is the rest.

Flows between modules are the link flows that cross their boundary. With recorded
teleportation, teleportation that leaves a module is encoded too: a module :math:`M` with
teleport-away rate :math:`t_M = \sum_{u\in M} t_u` and landing probability
:math:`\tau_M = \sum_{u \in M} \tau_u` gets :math:`t_M (1 - \tau_M)` more exit flow and
:math:`(T - t_M)\tau_M` more enter flow, :math:`T = \sum_u t_u`.

One step is not plain numpy: summing the crossing link flows per module runs in the numba
kernel ``_kernels.crossing_flows`` over the flow's CSR arrays, because the numpy version
(:func:`_crossing_flows`, kept as its reference and tested against it) needs several
temporary arrays as long as the link list, which set the peak memory of a large search.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from ._kernels import plogp_array
from ._tree_kernels import tree_codelength
from .flow import Flow
from .paths import leaf_module_ids, prefix_keys


def plogp(x: np.ndarray | float) -> np.ndarray | float:
    r""":math:`x \log_2 x`, with :math:`0 \log 0 = 0`.

    Examples
    --------
    >>> import numpy as np
    >>> plogp(0.5), plogp(0.0)
    (-0.5, 0.0)
    >>> plogp(np.array([0.25, 0.5, 1.0])).tolist()
    [-0.5, -0.5, 0.0]
    """
    if type(x) is np.ndarray and x.ndim == 1 and x.dtype == np.float64:
        return plogp_array(x)  # (the hierarchy's bookkeeping: thousands of small arrays)
    if not isinstance(x, float | int | np.floating | np.integer):
        x = np.asarray(x, dtype=np.float64)
        if x.ndim > 0:
            return plogp_array(x.reshape(-1)).reshape(x.shape)
    # (a number: the hierarchy's bookkeeping takes thousands, and numpy costs microseconds
    # each; log2 is the C library's, as in the kernels)
    x = float(x)
    return x * math.log2(x) if x > 0.0 else 0.0


def _plogp_reference(x: np.ndarray) -> np.ndarray:
    """``plogp`` in plain numpy: the reference of ``_kernels.plogp_array``."""
    out = np.zeros_like(x)
    np.log2(x, out=out, where=x > 0)
    out *= x
    return out


@dataclass(frozen=True)
class Codelength:
    """A codelength in bits and its parts: index codebook + module codebooks.

    Examples
    --------
    >>> import numpy as np
    >>> from infomap_learn import Network, compute_flow
    >>> edges = np.array([[0, 1], [1, 2], [2, 0], [3, 4], [4, 5], [5, 3], [2, 3]])
    >>> flow = compute_flow(Network.from_edges(edges))
    >>> parts = two_level_codelength(flow, [0, 0, 0, 1, 1, 1])
    >>> [round(x, 5) for x in (parts.index_codelength, parts.module_codelength, parts.codelength)]
    [0.14286, 2.17787, 2.32073]
    """

    codelength: float
    index_codelength: float
    module_codelength: float


def module_flows(flow: Flow, keys: np.ndarray, n_modules: int):
    """Flow, enter flow and exit flow of each module, where node ``u`` is in ``keys[u]``.

    Nodes with a negative key belong to no module; links from or to them count as crossing
    the boundary of any module at the other end.

    Returns
    -------
    module_flow, enter_flow, exit_flow : ndarray of float64, shape (n_modules,)

    Examples
    --------
    >>> import numpy as np
    >>> from infomap_learn import Network, compute_flow
    >>> edges = np.array([[0, 1], [1, 2], [2, 0], [3, 4], [4, 5], [5, 3], [2, 3]])
    >>> flow = compute_flow(Network.from_edges(edges))
    >>> flows = module_flows(flow, np.array([0, 0, 0, 1, 1, 1]), 2)
    >>> [values.round(4).tolist() for values in flows]
    [[0.5, 0.5], [0.0714, 0.0714], [0.0714, 0.0714]]
    """
    from ._kernels import crossing_flows

    keys = np.asarray(keys, dtype=np.int64)
    member = keys >= 0
    module_flow = np.bincount(keys[member], flow.node_flow[member], n_modules)
    exit_flow, enter_flow = crossing_flows(
        keys, n_modules, flow.out_ptr, flow.out_idx, flow.out_flow
    )
    if flow.teleport_source is not None:
        t = np.bincount(keys[member], flow.teleport_source[member], n_modules)
        tau = np.bincount(keys[member], flow.teleport_target[member], n_modules)
        total = flow.teleport_source.sum()
        exit_flow = exit_flow + t * (1.0 - tau)
        enter_flow = enter_flow + (total - t) * tau
    return module_flow, enter_flow, exit_flow


def _crossing_flows(flow: Flow, keys: np.ndarray, n_modules: int):
    """Plain-numpy reference of ``_kernels.crossing_flows``: exit and enter flow of each
    module over the links that cross its boundary."""
    ks, kt = keys[flow.link_source], keys[flow.link_target]
    crossing = ks != kt
    out = crossing & (ks >= 0)
    inc = crossing & (kt >= 0)
    exit_flow = np.bincount(ks[out], flow.link_flow[out], n_modules)
    enter_flow = np.bincount(kt[inc], flow.link_flow[inc], n_modules)
    return exit_flow, enter_flow


def one_level_codelength(flow: Flow) -> float:
    """Codelength with all nodes in one module: the entropy of the visit rates.

    Examples
    --------
    >>> import numpy as np
    >>> from infomap_learn import Network, compute_flow
    >>> edges = np.array([[0, 1], [1, 2], [2, 0], [3, 4], [4, 5], [5, 3], [2, 3]])
    >>> flow = compute_flow(Network.from_edges(edges))
    >>> round(one_level_codelength(flow), 5)
    2.55666
    """
    return float(-plogp(flow.node_flow).sum())


def two_level_codelength(flow: Flow, labels: np.ndarray) -> Codelength:
    """Two-level map equation of the partition ``labels`` (one module id per node).

    Examples
    --------
    >>> import numpy as np
    >>> from infomap_learn import Network, compute_flow
    >>> edges = np.array([[0, 1], [1, 2], [2, 0], [3, 4], [4, 5], [5, 3], [2, 3]])
    >>> flow = compute_flow(Network.from_edges(edges))
    >>> parts = two_level_codelength(flow, [0, 0, 0, 1, 1, 1])
    >>> round(parts.codelength, 5), round(parts.index_codelength, 5)
    (2.32073, 0.14286)
    """
    labels = np.asarray(labels)
    _, keys = np.unique(labels, return_inverse=True)
    k = int(keys.max()) + 1 if keys.size else 0
    module_flow, enter_flow, exit_flow = module_flows(flow, keys, k)
    index = plogp(enter_flow.sum()) - plogp(enter_flow).sum()
    module = (
        plogp(exit_flow + module_flow).sum() - plogp(exit_flow).sum() - plogp(flow.node_flow).sum()
    )
    return Codelength(float(index + module), float(index), float(module))


def hierarchical_codelength(flow: Flow, paths: np.ndarray) -> Codelength:
    """Multilevel map equation of a module tree.

    Parameters
    ----------
    flow : Flow
    paths : int array, shape (n, depth)
        ``paths[u]`` is the module path of node ``u`` from the top: ``paths[u, 0]`` its
        top module, ``paths[u, 1]`` its submodule within it, and so on. A node whose leaf
        module is shallower than ``depth`` has -1 after its last module. Module ids need only
        be distinct among siblings.

    Examples
    --------
    >>> import numpy as np
    >>> from infomap_learn import Network, compute_flow
    >>> edges = np.array([[0, 1], [1, 2], [2, 0], [3, 4], [4, 5], [5, 3], [2, 3]])
    >>> flow = compute_flow(Network.from_edges(edges))
    >>> paths = np.array([[0, 0], [0, 0], [0, 1], [1, -1], [1, -1], [1, -1]])
    >>> parts = hierarchical_codelength(flow, paths)
    >>> round(parts.codelength, 5), round(parts.index_codelength, 5)
    (2.96498, 0.14286)
    """
    source, target = flow.teleport_source, flow.teleport_target
    if source is None:  # (no recorded teleportation)
        source = target = np.zeros(0)
    index, module = tree_codelength(
        _checked_paths(paths), np.ascontiguousarray(flow.node_flow, dtype=np.float64),
        flow.out_ptr, flow.out_idx, flow.out_flow, source, target,
    )  # fmt: skip
    return Codelength(float(index + module), float(index), float(module))


def _checked_paths(paths) -> np.ndarray:
    paths = np.ascontiguousarray(paths, dtype=np.int64)
    if paths.ndim == 1:
        paths = paths[:, None]
    if paths.shape[1] == 0 or (paths[:, 0] < 0).any():
        raise ValueError("every node needs a top-level module (paths[:, 0] >= 0)")
    return paths


def _hierarchical_codelength_reference(flow: Flow, paths: np.ndarray) -> Codelength:
    """``hierarchical_codelength`` in plain numpy, one ``module_flows`` per level: the
    reference of ``_tree_kernels.tree_codelength``."""
    paths = _checked_paths(paths)
    n, depth = paths.shape
    keys = prefix_keys(paths)
    sizes = [int(key.max()) + 1 for key in keys]
    stats = [module_flows(flow, key, k) for key, k in zip(keys, sizes, strict=True)]
    top_enter = stats[0][1]
    index = plogp(top_enter.sum()) - plogp(top_enter).sum()
    module = 0.0
    p = flow.node_flow
    for level in range(depth):
        key, k = keys[level], sizes[level]
        exit_flow = stats[level][2]
        # Codewords of each module's children: submodules by enter flow, leaf nodes by
        # visit rate.
        child_sum = np.zeros(k)
        child_plogp = np.zeros(k)
        if level + 1 < depth:
            sub, sub_enter = keys[level + 1], stats[level + 1][1]
            has_sub = sub >= 0
            sub_parent = np.empty(sizes[level + 1], dtype=np.int64)
            sub_parent[sub[has_sub]] = key[has_sub]
            child_sum += np.bincount(sub_parent, sub_enter, k)
            child_plogp += np.bincount(sub_parent, plogp(sub_enter), k)
            leaf = (key >= 0) & ~has_sub
        else:
            leaf = key >= 0
        child_sum += np.bincount(key[leaf], p[leaf], k)
        child_plogp += np.bincount(key[leaf], plogp(p[leaf]), k)
        module += float((plogp(exit_flow + child_sum) - plogp(exit_flow) - child_plogp).sum())
    return Codelength(float(index) + module, float(index), module)


def entropy_correction_per_module(network, strength: float = 1.0) -> float:
    """Bits each module costs under Infomap's entropy correction (``--entropy-corrected``).

    The correction adds ``strength * (K - 1) / (2 T ln 2)`` bits for every codebook of K
    codewords (the Miller-Madow bias of an entropy estimated from T samples), T the
    network's total weighted degree, or its total degree where that is larger (a
    self-link counted once in both, as Infomap counts them). Every
    module is one codeword in its parent's codebook and brings an exit codeword to its
    own, so the tree's correction is ``(number of modules + n - 1)`` times this.

    Examples
    --------
    >>> import numpy as np
    >>> from infomap_learn import Network
    >>> edges = np.array([[0, 1], [1, 2], [2, 0], [3, 4], [4, 5], [5, 3], [2, 3]])
    >>> round(entropy_correction_per_module(Network.from_edges(edges)), 6)  # T = 14
    0.051525
    """
    # (Infomap's total degrees count a self-link once)
    is_self = network.source == network.target
    weighted = 2.0 * float(np.sum(network.weight)) - float(np.sum(network.weight[is_self]))
    total = max(weighted, 2.0 * network.n_links - float(np.count_nonzero(is_self)))
    return float(strength / (2.0 * total * np.log(2.0))) if total > 0 else 0.0


def with_module_cost(
    parts: Codelength, paths: np.ndarray, module_cost: float, preferred_modules: int = 0
) -> Codelength:
    """``parts`` plus ``module_cost`` bits per module of the tree ``paths`` and per node
    but one (the entropy correction, see :func:`entropy_correction_per_module`): the root
    codebook's share to the index codelength, the rest to the module codelength; and with
    ``preferred_modules``, one bit per top module more or fewer than that (Infomap's
    ``--preferred-number-of-modules``), to the module codelength as Infomap reports it.

    Examples
    --------
    >>> parts = with_module_cost(Codelength(2.0, 0.5, 1.5), np.array([[0], [0], [1]]), 0.1)
    >>> [round(x, 6) for x in (parts.codelength, parts.index_codelength)]
    [2.4, 0.6]
    """
    if not module_cost and not preferred_modules:
        return parts
    paths = np.asarray(paths, dtype=np.int64)
    keys = prefix_keys(paths)
    n_top = int(keys[0].max()) + 1 if paths.size else 0
    n_modules = sum(int(key.max()) + 1 for key in keys if (key >= 0).any())
    index = module_cost * (n_top - 1)
    rest = module_cost * (n_modules - n_top + paths.shape[0])
    if preferred_modules:
        rest += abs(n_top - int(preferred_modules))
    return Codelength(
        codelength=parts.codelength + index + rest,
        index_codelength=parts.index_codelength + index,
        module_codelength=parts.module_codelength + rest,
    )


class MetaData(NamedTuple):
    """Node meta data in the map equation (Emmons & Mucha 2019; Infomap's ``--meta-data``):
    each node's category (0..C-1), its weight (its flow, or 1/n unweighted) and the rate
    at which the meta data are encoded.

    ``physical``: the categories are the physical nodes of a state (memory) network's
    state nodes, weighed by their flow: each leaf module's codebook codes its physical
    nodes instead of its state nodes (Infomap's memory map equation), a term
    ``sum_u plogp(w_u) - sum_M sum_c plogp(W_Mc)`` at rate 1 (:func:`meta_codelength`).

    Examples
    --------
    >>> meta = MetaData(np.array([0, 1, 1]), np.full(3, 1 / 3), rate=1.0)
    >>> meta.rate, int(meta.categories.max()) + 1
    (1.0, 2)
    """

    categories: np.ndarray
    weights: np.ndarray
    rate: float
    physical: bool = False


def node_meta(
    categories: np.ndarray | None,
    node_flow: np.ndarray,
    rate: float,
    unweighted: bool,
    physical_ids: np.ndarray | None = None,
) -> MetaData | None:
    """The meta data of nodes in ``categories`` (None: none), each weighed by its flow, or
    by 1/n ``unweighted``, as Infomap weighs them; for a state network (``physical_ids``,
    the physical node of each state node) its physical nodes, weighed by the state flows.

    Examples
    --------
    >>> node_meta(np.array([0, 1]), np.array([0.3, 0.7]), 1.0, unweighted=True).weights
    array([0.5, 0.5])
    >>> node_meta(None, np.full(3, 1 / 3), 1.0, False, physical_ids=np.array([7, 2, 7]))
    ... # doctest: +ELLIPSIS
    MetaData(categories=array([1, 0, 1]), weights=..., rate=1.0, physical=True)
    """
    if physical_ids is not None:
        if categories is not None:
            raise ValueError(
                "meta_data cannot be used on a state network (physical_ids): its modules "
                "already code physical nodes, and the two terms are not combined"
            )
        compact = np.unique(physical_ids, return_inverse=True)[1].ravel().astype(np.int64)
        return MetaData(compact, np.asarray(node_flow, dtype=np.float64), 1.0, physical=True)
    if categories is None:
        return None
    n = categories.shape[0]
    weights = np.full(n, 1.0 / n) if unweighted else np.asarray(node_flow, dtype=np.float64)
    return MetaData(categories, weights, float(rate))


def meta_costs(
    groups: np.ndarray,
    categories: np.ndarray,
    weights: np.ndarray,
    k: int,
    with_total: bool = True,
) -> np.ndarray:
    """Per group (ids 0..k-1) of weighted category entries: ``plogp(W) - sum_c
    plogp(W_c)``, the group's weight times the entropy of its categories (without
    ``plogp(W)`` unless ``with_total``: the codewords of physical nodes).

    Examples
    --------
    >>> meta_costs(np.array([0, 0, 1]), np.array([0, 1, 0]), np.full(3, 0.25), 2).tolist()
    [0.5, 0.0]
    """
    n_categories = int(categories.max()) + 1 if categories.size else 1
    pairs, inverse = np.unique(groups * n_categories + categories, return_inverse=True)
    weight = np.bincount(inverse.ravel(), weights, pairs.size)
    codewords = np.bincount(pairs // n_categories, plogp(weight), k)
    if not with_total:
        return -codewords
    return plogp(np.bincount(groups, weights, k)) - codewords


def meta_codelength(paths: np.ndarray, meta: MetaData) -> float:
    """The meta-data term before its rate: over the leaf modules M of the tree ``paths``,
    ``plogp(W_M) - sum_c plogp(W_Mc)``, the weight of the module's nodes times the entropy
    of their categories (``W_Mc`` the weight of its nodes in category ``c``); for physical
    nodes (``meta.physical``) ``sum_u plogp(w_u) - sum_M sum_c plogp(W_Mc)``.

    Examples
    --------
    >>> meta = MetaData(np.array([0, 1, 0, 0]), np.full(4, 0.25), 1.0)
    >>> meta_codelength(np.array([0, 0, 1, 1]), meta)  # 1 bit for the first module's half
    0.5
    """
    paths = np.asarray(paths, dtype=np.int64)
    leaf = leaf_module_ids(paths if paths.ndim == 2 else paths[:, None])
    k = int(leaf.max()) + 1 if leaf.size else 0
    costs = meta_costs(leaf, meta.categories, meta.weights, k, with_total=not meta.physical)
    if meta.physical:
        return float(costs.sum() + plogp(meta.weights).sum())
    return float(costs.sum())


def with_meta(parts: Codelength, paths: np.ndarray, meta: MetaData | None) -> Codelength:
    """``parts`` plus the meta-data term at its rate, to the module codelength as Infomap
    reports it (``meta`` None: unchanged).

    Examples
    --------
    >>> meta = MetaData(np.array([0, 1, 0, 0]), np.full(4, 0.25), rate=2.0)
    >>> with_meta(Codelength(2.0, 0.5, 1.5), np.array([0, 0, 1, 1]), meta).module_codelength
    2.5
    """
    if meta is None or not meta.rate:
        return parts
    extra = meta.rate * meta_codelength(paths, meta)
    return Codelength(
        codelength=parts.codelength + extra,
        index_codelength=parts.index_codelength,
        module_codelength=parts.module_codelength + extra,
    )


def normalize_paths(paths: np.ndarray) -> np.ndarray:
    """Module paths with -1 after each node's leaf module.

    Accepts both layouts. Paths that contain a -1 anywhere are taken to be -1-padded
    already and are returned as they are. Otherwise they are read in the official
    Infomap's ``get_multilevel_modules`` layout, where a node whose leaf module is
    shallower than the tree keeps a module of its own at every deeper level. Such a
    continuation (a module with the same nodes as its parent, and so on down to the last
    level) is not a module of the tree and becomes -1. A module with the same nodes as its
    parent that *is* split further down is a real (single-child) module and stays.

    A chain of single-child modules down to the last level cannot be told from a
    continuation in Infomap's layout; it is read as a continuation.

    Examples
    --------
    Nodes 2 and 3 form a leaf module at the top level, continued to the second level in
    Infomap's layout:

    >>> import numpy as np
    >>> normalize_paths(np.array([[0, 0], [0, 1], [1, 2], [1, 2]])).tolist()
    [[0, 0], [0, 1], [1, -1], [1, -1]]
    """
    paths = np.array(paths, dtype=np.int64)
    if paths.ndim == 1:
        paths = paths[:, None]
    if (paths < 0).any():
        return paths
    n, depth = paths.shape
    keys = prefix_keys(paths)
    # same[:, level]: the node's module at ``level`` has the same nodes as its parent.
    same = np.zeros((n, depth), dtype=bool)
    for level in range(1, depth):
        key, parent = keys[level], keys[level - 1]
        same[:, level] = np.bincount(key)[key] == np.bincount(parent)[parent]
    # continued[:, level]: the same nodes from ``level`` down to the last level.
    continued = np.zeros((n, depth + 1), dtype=bool)
    continued[:, depth] = True
    for level in range(depth - 1, 0, -1):
        continued[:, level] = same[:, level] & continued[:, level + 1]
    paths[continued[:, :depth]] = -1
    return paths


def codelength(
    network,
    labels,
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
    meta_data=None,
    meta_data_rate: float = 1.0,
    meta_data_unweighted: bool = False,
) -> float:
    """Map equation codelength of a given partition or module tree of ``network``, in bits.

    Parameters
    ----------
    network : Network
    labels : array-like of int, shape (n,) or (n, levels), or ModuleTree
        A module id per node (two-level), or a module path per node from the top
        (multilevel; either -1 after a node's last module or the layout of
        ``ModuleTree.multilevel_labels`` / Infomap's ``get_multilevel_modules``, see
        :func:`normalize_paths`), or a :class:`~infomap_learn.ModuleTree` (its paths).
    flow_model, teleportation_probability, recorded_teleportation, to_nodes, markov_time, \
use_node_weights_as_flow, regularized, regularization_strength, variable_markov_time, \
variable_markov_damping, variable_markov_min_scale, bipartite_start_id, \
skip_adjust_bipartite_flow, bipartite_teleportation, meta_data, meta_data_rate, \
meta_data_unweighted
        As for :func:`infomap_learn.infomap`.

    Examples
    --------
    >>> import numpy as np
    >>> from infomap_learn import Network
    >>> edges = np.array([[0, 1], [1, 2], [2, 0], [3, 4], [4, 5], [5, 3], [2, 3]])
    >>> network = Network.from_edges(edges)
    >>> round(codelength(network, [0, 0, 0, 1, 1, 1]), 5), round(codelength(network, [0] * 6), 5)
    (2.32073, 2.55666)
    """
    from .flow import compute_flow

    paths = getattr(labels, "paths", None)  # (a ModuleTree: its module paths)
    labels = np.asarray(labels if paths is None else paths)
    if (
        labels.shape[:1] != (network.n_nodes,)
        or labels.ndim not in (1, 2)
        or (labels.ndim == 2 and labels.shape[1] == 0)
    ):
        raise ValueError(
            f"labels must have shape ({network.n_nodes},) or ({network.n_nodes}, levels), "
            f"got {labels.shape}"
        )
    if not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be integers, got dtype {labels.dtype}")
    if labels.ndim == 1 and (labels < 0).any():
        raise ValueError("labels must be non-negative")
    if labels.ndim == 2:
        padding = labels < 0
        if (labels < -1).any() or padding[:, 0].any() or (padding[:, :-1] & ~padding[:, 1:]).any():
            raise ValueError(
                "multilevel labels must be non-negative, with -1 only as padding after a "
                "node's last module"
            )
    flow = compute_flow(
        network,
        flow_model=flow_model,
        teleportation_probability=teleportation_probability,
        recorded_teleportation=recorded_teleportation,
        to_nodes=to_nodes,
        markov_time=markov_time,
        use_node_weights_as_flow=use_node_weights_as_flow,
        regularized=regularized,
        regularization_strength=regularization_strength,
        variable_markov_time=variable_markov_time,
        variable_markov_damping=variable_markov_damping,
        variable_markov_min_scale=variable_markov_min_scale,
        bipartite_start_id=bipartite_start_id,
        skip_adjust_bipartite_flow=skip_adjust_bipartite_flow,
        bipartite_teleportation=bipartite_teleportation,
    )
    from .options import SearchOptions, check_meta_data

    SearchOptions(meta_data_rate=meta_data_rate, meta_data_unweighted=meta_data_unweighted)
    meta = node_meta(
        check_meta_data(meta_data, network.n_nodes), flow.node_flow, meta_data_rate,
        meta_data_unweighted, network.physical_ids,
    )  # fmt: skip
    if labels.ndim == 1:
        return with_meta(two_level_codelength(flow, labels), labels, meta).codelength
    paths = normalize_paths(labels)
    return with_meta(hierarchical_codelength(flow, paths), paths, meta).codelength
