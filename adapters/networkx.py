"""networkx: Infomap communities as sets of node keys, like ``louvain_communities``.

>>> import networkx as nx
>>> from infomap_learn.adapters.networkx import infomap_communities
>>> G = nx.karate_club_graph()
>>> [len(c) for c in infomap_communities(G, num_trials=10, seed=1)]
[18, 11, 5]

* :func:`infomap_communities`: a list of sets of node keys, largest first, like
  ``nx.community.louvain_communities``.
* :func:`infomap_hierarchy`: the nested modules of the hierarchical map equation as nested
  lists of node keys.
* :func:`infomap_tree`: the :class:`~infomap_learn.ModuleTree` itself, whose ``node_names``
  are the node keys; :func:`to_communities` and :func:`to_hierarchy` give the two views above
  of any level of a tree from one search.

Node keys of any hashable type (ints, strings, tuples, a mix) come back as they are: nodes are
numbered in ``G``'s node order by :func:`network_from_networkx`, which does all
validation, and mapped back through the tree's ``node_names``; keys are never compared or
sorted. The search is :func:`infomap_learn.infomap`: these functions only translate.
"""

from __future__ import annotations

import random
from collections.abc import Hashable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from infomap_learn.adapters._higher_order import higher_order_network
from infomap_learn.adapters.igraph import _search_options
from infomap_learn.network import Network
from infomap_learn.network._checks import _attribute_weights, _both_directions
from infomap_learn.search import infomap
from infomap_learn.tree import ModuleTree

if TYPE_CHECKING:  # pragma: no cover
    import networkx as nx

__all__ = [
    "infomap_communities",
    "infomap_hierarchy",
    "infomap_tree",
    "network_from_networkx",
    "to_communities",
    "to_hierarchy",
]


def network_from_networkx(
    G: Any,
    weight: str | None = "weight",
    *,
    node_weights: str | Sequence | None = None,
    directed: bool | None = None,
    node_id: str | None = "node_id",
    layer_id: str | None = "layer_id",
    multilayer_inter_intra_format: bool = True,
) -> Network:
    """The :class:`~infomap_learn.Network` of a :mod:`networkx` graph.

    As in the official Infomap's ``add_networkx_graph``, a graph whose nodes carry a
    ``node_id`` attribute is a state network (each graph node a state node of that
    physical node), and one whose nodes also carry ``layer_id`` a multilayer network
    (:meth:`~infomap_learn.Network.from_multilayer`): edges within a layer are intra-layer
    links, edges between two layers of one physical node inter-layer links.

    Parameters
    ----------
    G : networkx.Graph, DiGraph, MultiGraph or MultiDiGraph
        Node keys (any hashable) become ``node_names`` in ``G``'s node order and are
        mapped to ``0..n-1``. Multi-edges are summed.
    weight : str or None, default "weight"
        Edge attribute holding the weight; an edge without it counts as 1 (the networkx
        convention). None means unweighted.
    node_weights : str, sequence of float, or None
        A node attribute name (a node without it counts as 1) or one weight per node
        in ``G``'s node order.
    directed : bool, optional
        None means ``G.is_directed()``. ``directed=True`` on an undirected graph gives
        each edge in both directions; ``directed=False`` on a directed graph merges
        ``u -> v`` and ``v -> u`` (summing their weights).
    node_id, layer_id : str or None, default "node_id", "layer_id"
        The node attributes of a state or multilayer network (see above). Integer ids are
        kept; other labels are numbered in order of first appearance. None: not read (the
        community front doors, such as :func:`infomap_communities`, read neither).
    multilayer_inter_intra_format : bool, default True
        False keeps every edge of a multilayer graph as a link between its two state
        nodes (Infomap's ``*Multilayer`` format) instead of intra- and inter-layer links.

    Returns
    -------
    Network
        For a multilayer graph the state nodes are in order of (layer, node), named by
        their graph nodes; graph nodes without edges are left out.

    Raises
    ------
    ValueError
        If the graph has no nodes or the weights are invalid.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.karate_club_graph()
    >>> network_from_networkx(G)
    Network(n_nodes=34, n_links=78, undirected, weighted)
    >>> network_from_networkx(G, weight=None)
    Network(n_nodes=34, n_links=78, undirected, unweighted)
    >>> M = nx.Graph()
    >>> M.add_nodes_from([("a1", dict(node_id=1, layer_id=1)), ("b1", dict(node_id=2, layer_id=1)),
    ...                   ("b2", dict(node_id=2, layer_id=2)), ("c2", dict(node_id=3, layer_id=2))])
    >>> M.add_edges_from([("a1", "b1"), ("b2", "c2")])
    >>> net = network_from_networkx(M)
    >>> net.node_names, net.layer_ids.tolist(), net.physical_ids.tolist()
    (['a1', 'b1', 'b2', 'c2'], [1, 1, 2, 2], [1, 2, 2, 3])
    """
    import networkx as nx

    if not isinstance(G, nx.Graph):
        raise TypeError(f"expected a networkx graph, got {type(G).__name__}")
    nodes = list(G.nodes())
    n = len(nodes)
    index = {node: i for i, node in enumerate(nodes)}
    m = G.number_of_edges()
    if weight is None:
        us, vs = zip(*G.edges(), strict=True) if m else ((), ())
        w = None
    else:
        us, vs, ws = zip(*G.edges(data=weight, default=1.0), strict=True) if m else ((), (), ())
        w = _attribute_weights(
            ws, f"edge attribute {weight!r}", lambda i: f"edge ({us[i]!r}, {vs[i]!r})"
        )
    edges = np.empty((m, 2), dtype=np.int64)
    edges[:, 0] = np.fromiter(map(index.__getitem__, us), dtype=np.int64, count=m)
    edges[:, 1] = np.fromiter(map(index.__getitem__, vs), dtype=np.int64, count=m)
    if isinstance(node_weights, str):
        node_weights = _attribute_weights(
            (d for _, d in G.nodes(data=node_weights, default=1.0)),
            f"node attribute {node_weights!r}",
            lambda i: f"node {nodes[i]!r}",
        )
    graph_directed = G.is_directed()
    directed = graph_directed if directed is None else bool(directed)
    if directed and not graph_directed:
        edges, w = _both_directions(edges, w)
    states = None if node_id is None else higher_order_network(
        nodes, [d for _, d in G.nodes(data=node_id)],
        None if layer_id is None else [d for _, d in G.nodes(data=layer_id)],
        edges, w, directed, attributes=(node_id, str(layer_id)),
        describe_node=lambda i: f"node {nodes[i]!r}",
        describe_edge=lambda i: f"edge ({us[i % m]!r}, {vs[i % m]!r})",
        inter_intra_format=multilayer_inter_intra_format,
    )  # fmt: skip
    if states is not None:
        return states
    return Network.from_edges(
        edges,
        w,
        n_nodes=n,
        directed=directed,
        node_weights=node_weights,
        node_names=nodes,
    )


def _seed(seed: Any) -> int:
    """An integer seed from any of networkx's seed arguments (see :func:`infomap_tree`)."""
    if seed is None:
        return random.randrange(2**31)
    if isinstance(seed, random.Random):
        return seed.randrange(2**31)
    if isinstance(seed, np.random.Generator):
        return int(seed.integers(2**31))
    if isinstance(seed, np.random.RandomState):
        return int(seed.randint(2**31))
    return seed  # an int, checked (with the other options) by infomap()


def _is_empty(G: Any) -> bool:
    """Whether ``G`` is a networkx graph without nodes (other input fails in _network)."""
    import networkx as nx

    return isinstance(G, nx.Graph) and G.number_of_nodes() == 0


def _network(G: Any, weight: str | None, directed: bool | None) -> Network:
    """The Network of ``G``; a named weight attribute that no edge has is an error.

    As in networkx, an edge without the attribute counts as 1 and the default "weight"
    may be absent altogether (an unweighted graph); any other name that no edge carries is
    taken for a typo.
    """
    import networkx as nx

    if not isinstance(G, nx.Graph):
        raise TypeError(f"G must be a networkx graph, got {type(G).__name__}")
    if weight is not None and not isinstance(weight, str):
        raise TypeError(f"weight must be an edge attribute name or None, got {weight!r}")
    if (
        weight is not None
        and weight != "weight"
        and G.number_of_edges()
        and not any(weight in d for _, _, d in G.edges(data=True))
    ):
        names = sorted({k for _, _, d in G.edges(data=True) for k in d}, key=str)
        raise ValueError(
            f"edge attribute {weight!r} not found on any edge; edge attributes present: {names}"
        )
    # (as networkx's community functions: node attributes never change the graph read;
    # a state network comes from network_from_networkx)
    return network_from_networkx(G, weight, directed=directed, node_id=None, layer_id=None)


def infomap_tree(
    G: nx.Graph,
    weight: str | None = "weight",
    *,
    seed: Any = 0,
    two_level: bool = False,
    directed: bool | None = None,
    initial_partition: Any = None,
    **infomap_options: Any,
) -> ModuleTree:
    """Search ``G`` and return the :class:`~infomap_learn.ModuleTree` (node keys as names).

    Parameters
    ----------
    G : networkx.Graph, DiGraph, MultiGraph or MultiDiGraph
        Node keys may be any hashable; node ``i`` of the tree is ``list(G)[i]``. Multi-edges
        are summed.
    weight : str or None, default "weight"
        Edge attribute with the weight; an edge without it counts as 1 (the networkx
        convention), and a graph without any "weight" is unweighted. Any other name must be
        carried by at least one edge. None means unweighted.
    seed : int >= 0, random.Random, numpy Generator or RandomState, or None, default 0
        networkx's convention (``py_random_state``): an int seeds the search (the same
        seed gives the same result); a generator gives the seed (one draw); None draws it
        from Python's global ``random``.
    two_level : bool, default False
        False: the hierarchical map equation; True: a partition.
    directed : bool or None, default None
        None means ``G.is_directed()`` (a DiGraph gets the directed flow model). False on a
        directed graph merges ``u -> v`` and ``v -> u``; True on an undirected graph uses each
        edge in both directions.
    initial_partition : communities, dict, str or None, default None
        Modules to start every trial from (Infomap's ``--cluster-data``), in networkx's
        terms: a list of node sets (as the ``communities`` functions return, every node in
        exactly one), a dict from node to label, or the name of a node attribute.
    **infomap_options
        Passed on to :func:`infomap_learn.infomap`: ``num_trials``, ``flow_model``,
        ``markov_time``, ``teleportation_probability``, ``recorded_teleportation``,
        ``to_nodes``, ``n_jobs``, ``progress``.

    Returns
    -------
    ModuleTree
        ``tree.node_names`` is ``list(G)``; ``tree.labels[i]`` is the top module of
        ``tree.node_names[i]``.

    Raises
    ------
    TypeError
        If ``G`` is not a networkx graph, ``weight`` not a string or None, or an option is
        unknown (named in the message).
    ValueError
        If no edge has the named weight attribute, a weight is not a finite non-negative
        number, or the graph has no nodes.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.Graph([("a", "b"), ("b", "c"), ("c", "a"), ("c", "x"),
    ...               ("x", "y"), ("y", "z"), ("z", "x")])
    >>> tree = infomap_tree(G, seed=1)
    >>> tree
    ModuleTree(n_nodes=6, num_top_modules=2, num_levels=1, codelength=2.320730)
    >>> tree.node_names, tree.labels.tolist()
    (['a', 'b', 'c', 'x', 'y', 'z'], [0, 0, 0, 1, 1, 1])
    """
    options = _search_options("infomap_tree", infomap_options, {})
    network = _network(G, weight, directed)
    initial = _initial_labels(G, initial_partition)
    return infomap(
        network, two_level=two_level, seed=_seed(seed), initial_partition=initial, **options
    )


def _initial_labels(G: Any, initial: Any) -> np.ndarray | None:
    """``initial_partition`` of :func:`infomap_tree` as one label per node of ``list(G)``,
    or a ValueError naming the node that has none (or two)."""
    if initial is None:
        return None
    nodes = list(G)
    if isinstance(initial, str):
        missing = [u for u in nodes if initial not in G.nodes[u]]
        if missing:
            raise ValueError(
                f"initial_partition: node {missing[0]!r} has no attribute {initial!r}"
            )
        initial = {u: G.nodes[u][initial] for u in nodes}
    elif not isinstance(initial, dict):  # communities: node sets
        label: dict = {}
        for index, community in enumerate(initial):
            for u in community:
                if u in label:
                    raise ValueError(f"initial_partition: node {u!r} is in two communities")
                label[u] = index
        initial = label
    missing = [u for u in nodes if u not in initial]
    if missing:
        raise ValueError(f"initial_partition: node {missing[0]!r} has no module")
    keys = [initial[u] for u in nodes]
    # any hashable labels: numbered in order of first appearance
    numbered: dict = {}
    return np.array([numbered.setdefault(key, len(numbered)) for key in keys], dtype=np.int64)


def _names(tree: ModuleTree) -> list:
    return list(tree.node_names) if tree.node_names is not None else list(range(tree.n_nodes))


def to_communities(tree: ModuleTree, level: int = 1) -> list[set[Hashable]]:
    """The modules at one level of a tree as sets of node keys, largest first.

    Parameters
    ----------
    tree : ModuleTree
        From :func:`infomap_tree` (or any search; without ``node_names`` the nodes are their
        indices).
    level : int, default 1
        1 = top modules, ... up to ``tree.num_levels``; -1 = each node's deepest module
        (the ids of ``tree.labels_at(level)``).

    Returns
    -------
    list of set
        Ordered by decreasing size; modules of equal size by decreasing module flow, and
        equal flows in the tree's (depth-first) module order: deterministic for a seed.

    Examples
    --------
    >>> import networkx as nx
    >>> tree = infomap_tree(nx.karate_club_graph(), seed=1)
    >>> [len(community) for community in to_communities(tree)]
    [18, 11, 5]
    >>> sorted(to_communities(tree)[-1])
    [4, 5, 6, 10, 16]
    """
    labels = tree.labels_at(level)
    names = _names(tree)
    size = np.bincount(labels)
    flow = np.bincount(labels, weights=tree.node_flow)
    # decreasing size, then decreasing flow, then the tree's (depth-first) module order
    modules = np.lexsort((np.arange(size.size), -flow, -size))
    members = np.split(np.argsort(labels, kind="stable"), np.cumsum(size)[:-1])
    return [{names[i] for i in members[m].tolist()} for m in modules.tolist() if size[m]]


def to_hierarchy(tree: ModuleTree) -> list:
    """The module tree as nested lists of node keys.

    Returns
    -------
    list
        The top modules in order of decreasing flow. Each module is a list: first its
        submodules (lists, by decreasing flow), then the node keys directly in it (by
        decreasing node flow, ties in ``G``'s node order). A two-level tree is a list of lists
        of keys; in a hierarchy, branches may end at different depths. Node keys are hashable,
        so never lists: a list is always a module.

    Examples
    --------
    ``[[[a, b], [c, d]], [e, f]]``: two top modules; the first has submodules ``[a, b]``
    and ``[c, d]``, the second holds ``e`` and ``f`` directly.
    """
    names = _names(tree)
    paths = tree.paths
    depth = tree.depth
    order = np.lexsort((np.arange(tree.n_nodes), -tree.node_flow))
    children: dict[tuple, set[int]] = {(): set()}
    nodes: dict[tuple, list] = {}
    for u in order.tolist():
        path = tuple(paths[u, : depth[u]].tolist())
        nodes.setdefault(path, []).append(names[u])
        for d in range(1, len(path) + 1):
            children.setdefault(path[:d], set())
            children[path[: d - 1]].add(path[d - 1])

    def build(prefix: tuple) -> list:
        subs = [build((*prefix, i)) for i in sorted(children[prefix])]
        return subs + nodes.get(prefix, [])

    return build(())


def infomap_communities(
    G: nx.Graph,
    weight: str | None = "weight",
    *,
    seed: Any = 0,
    two_level: bool = True,
    directed: bool | None = None,
    initial_partition: Any = None,
    **infomap_options: Any,
) -> list[set[Hashable]]:
    """Infomap communities of ``G`` as a list of sets of node keys, largest first.

    The counterpart of ``nx.community.louvain_communities`` for the map equation.

    Parameters
    ----------
    G, weight, seed, directed, initial_partition, **infomap_options
        As for :func:`infomap_tree` (``num_trials`` defaults to 1 there; more trials find
        shorter codelengths).
    two_level : bool, default True
        True: the best partition; False: the top modules of the hierarchical map equation.

    Returns
    -------
    list of set
        The top-level modules, by decreasing size; equal sizes by decreasing module flow
        (then the tree's module order).

    Raises
    ------
    TypeError, ValueError
        As for :func:`infomap_tree`.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.Graph([("a", "b"), ("b", "c"), ("c", "a"), ("c", "x"),
    ...               ("x", "y"), ("y", "z"), ("z", "x")])
    >>> [sorted(c) for c in infomap_communities(G, seed=1)]
    [['a', 'b', 'c'], ['x', 'y', 'z']]
    """
    options = _search_options("infomap_communities", infomap_options, {})
    if _is_empty(G):
        return []  # as louvain_communities
    initial = _initial_labels(G, initial_partition)
    tree = infomap(
        _network(G, weight, directed), two_level=two_level, seed=_seed(seed),
        initial_partition=initial, **options,
    )  # fmt: skip
    return to_communities(tree)


def infomap_hierarchy(
    G: nx.Graph,
    weight: str | None = "weight",
    *,
    seed: Any = 0,
    two_level: bool = False,
    directed: bool | None = None,
    initial_partition: Any = None,
    **infomap_options: Any,
) -> list:
    """The nested Infomap modules of ``G`` as nested lists of node keys.

    Parameters
    ----------
    G, weight, seed, two_level, directed, initial_partition, **infomap_options
        As for :func:`infomap_tree` (hierarchical search by default).

    Returns
    -------
    list
        See :func:`to_hierarchy`: top modules by decreasing flow; each module lists its
        submodules, then the node keys directly in it.

    Raises
    ------
    TypeError, ValueError
        As for :func:`infomap_tree`.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.Graph([("a", "b"), ("b", "c"), ("c", "a"), ("c", "x"),
    ...               ("x", "y"), ("y", "z"), ("z", "x")])
    >>> infomap_hierarchy(G, seed=1)
    [['c', 'a', 'b'], ['x', 'y', 'z']]
    """
    options = _search_options("infomap_hierarchy", infomap_options, {})
    if _is_empty(G):
        return []
    initial = _initial_labels(G, initial_partition)
    tree = infomap(
        _network(G, weight, directed), two_level=two_level, seed=_seed(seed),
        initial_partition=initial, **options,
    )  # fmt: skip
    return to_hierarchy(tree)
