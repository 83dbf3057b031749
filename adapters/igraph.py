"""igraph: Infomap with the signature of ``igraph.Graph.community_infomap``.

:func:`community_infomap` is a drop-in for igraph's own method: the same arguments
(``edge_weights`` and ``vertex_weights`` as attribute names or sequences, ``trials``) and the
same return type, an :class:`igraph.VertexClustering` with a ``codelength`` attribute. Unlike
igraph's, it takes a ``seed`` (the same seed gives the same result), finds the hierarchy with
``two_level=False``, passes Infomap's options (``markov_time``, ``flow_model``,
``teleportation_probability``, ...) through to :func:`infomap_learn.infomap`, and keeps the
whole :class:`~infomap_learn.ModuleTree` on the result as ``clustering.tree``.

>>> import igraph
>>> from infomap_learn.adapters.igraph import community_infomap
>>> g = igraph.Graph.Famous("Zachary")
>>> clustering = community_infomap(g, trials=10, seed=1)
>>> len(clustering), round(clustering.codelength, 6)
(3, 4.311793)

:func:`to_vertex_clustering` turns any level of a (hierarchical) result into a
``VertexClustering``; :func:`to_vertex_dendrogram` turns the whole module tree into an
``igraph.VertexDendrogram`` (see there for what that binary merge list can and cannot carry).

How igraph's own ``community_infomap`` differs (measured with python-igraph 1.0.0, which
vendors Infomap 2.8; see ``docs/igraph_networkx.md``):

* igraph 1.0 sets Infomap's ``directed`` flag on a default-constructed configuration, which
  does not select the directed flow model, so its codelength on a directed graph is the
  *undirected* flow model's (edge directions are ignored). Here a directed graph gets the
  directed flow model, as igraph documents and the official ``infomap --directed`` does;
  ``flow_model="undirected"`` reproduces igraph 1.0's numbers.
* ``vertex_weights`` are documented by igraph as the nodes' teleportation weights. In
  igraph 1.0 they change nothing (undirected flow has no teleportation). Here they are the
  network's node weights and, unless ``to_nodes`` is given, switch teleportation to nodes
  (``to_nodes=True``), so they weight teleportation under the directed flow model; under the
  undirected model (undirected graphs) they change nothing, as in Infomap.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from infomap_learn.adapters._higher_order import higher_order_network
from infomap_learn.network import Network
from infomap_learn.network._checks import _attribute_weights, _both_directions
from infomap_learn.options import SearchOptions
from infomap_learn.search import infomap
from infomap_learn.tree import ModuleTree

if TYPE_CHECKING:  # pragma: no cover
    import igraph

__all__ = [
    "community_infomap",
    "network_from_igraph",
    "to_vertex_clustering",
    "to_vertex_dendrogram",
]


def _vertex_name(g: Any, v: int) -> str:
    """A vertex as its user knows it: its "name" attribute if the graph has names."""
    return repr(g.vs[v]["name"]) if "name" in g.vs.attributes() else str(v)


def _edge_name(g: Any, e: int) -> str:
    source, target = g.es[e].tuple
    arrow = "->" if g.is_directed() else "--"
    return f"edge {e} ({_vertex_name(g, source)} {arrow} {_vertex_name(g, target)})"


def network_from_igraph(
    g: Any,
    weights: str | Sequence | None = "weight",
    *,
    node_weights: str | Sequence | None = None,
    directed: bool | None = None,
    node_id: str | None = "node_id",
    layer_id: str | None = "layer_id",
    multilayer_inter_intra_format: bool = True,
) -> Network:
    """The :class:`~infomap_learn.Network` of an :class:`igraph.Graph`.

    As in the official Infomap's ``add_igraph``, a graph whose vertices carry a
    ``node_id`` attribute is a state network (each vertex a state node of that physical
    node), and one whose vertices also carry ``layer_id`` a multilayer network
    (:meth:`~infomap_learn.Network.from_multilayer`): edges within a layer are intra-layer
    links, edges between two layers of one physical node inter-layer links.

    Parameters
    ----------
    g : igraph.Graph
    weights : str, sequence of float, or None, default "weight"
        An edge attribute name, one weight per edge, or None (unweighted). If the
        default attribute "weight" is missing the network is unweighted; any other
        missing attribute name is an error.
    node_weights : str, sequence of float, or None
        A vertex attribute name or one weight per vertex.
    directed : bool, optional
        None means ``g.is_directed()``. ``directed=True`` on an undirected graph gives
        each edge in both directions; ``directed=False`` on a directed graph merges
        ``u -> v`` and ``v -> u`` (summing their weights).
    node_id, layer_id : str or None, default "node_id", "layer_id"
        The vertex attributes of a state or multilayer network (see above). Integer ids
        are kept; other labels are numbered in order of first appearance. None: not read
        (:func:`community_infomap` reads neither, as igraph's own).
    multilayer_inter_intra_format : bool, default True
        False keeps every edge of a multilayer graph as a link between its two state
        nodes (Infomap's ``*Multilayer`` format) instead of intra- and inter-layer links.

    Returns
    -------
    Network
        With ``node_names`` from the vertex attribute "name" if present (else, for a state
        or multilayer network, the vertex indices). For a multilayer graph the state
        nodes are in order of (layer, node); vertices without edges are left out.

    Raises
    ------
    ValueError
        If a named attribute is missing, or the weights are invalid.

    Examples
    --------
    >>> import igraph
    >>> g = igraph.Graph.Famous("Zachary")
    >>> network_from_igraph(g)
    Network(n_nodes=34, n_links=78, undirected, unweighted)
    >>> network_from_igraph(g, directed=True)  # each edge both ways
    Network(n_nodes=34, n_links=156, directed, unweighted)
    """
    import igraph

    if not isinstance(g, igraph.Graph):
        raise TypeError(f"expected an igraph.Graph, got {type(g).__name__}")
    m = g.ecount()
    edges = np.fromiter(
        itertools.chain.from_iterable(g.get_edgelist()), dtype=np.int64, count=2 * m
    ).reshape(m, 2)
    if isinstance(weights, str):
        attrs = g.es.attributes()
        if weights in attrs:
            w = _attribute_weights(
                g.es[weights], f"edge attribute {weights!r}", lambda i: _edge_name(g, i)
            )
        elif weights == "weight":
            w = None
        else:
            raise ValueError(
                f"edge attribute {weights!r} not found; available edge attributes: "
                f"{sorted(attrs)}"
            )
    else:
        w = weights
    if isinstance(node_weights, str):
        vattrs = g.vs.attributes()
        if node_weights not in vattrs:
            raise ValueError(
                f"vertex attribute {node_weights!r} not found; available vertex "
                f"attributes: {sorted(vattrs)}"
            )
        node_weights = _attribute_weights(
            g.vs[node_weights],
            f"vertex attribute {node_weights!r}",
            lambda i: f"vertex {_vertex_name(g, i)}",
        )
    names = g.vs["name"] if "name" in g.vs.attributes() else None
    graph_directed = g.is_directed()
    directed = graph_directed if directed is None else bool(directed)
    if directed and not graph_directed:
        edges, w = _both_directions(edges, w)
    vertex_attributes = g.vs.attributes()
    states = higher_order_network(
        names if names is not None else list(range(g.vcount())),
        g.vs[node_id] if node_id is not None and node_id in vertex_attributes else None,
        g.vs[layer_id] if layer_id is not None and layer_id in vertex_attributes else None,
        edges, w, directed, attributes=(str(node_id), str(layer_id)),
        describe_node=lambda i: f"vertex {_vertex_name(g, i)}",
        describe_edge=lambda i: _edge_name(g, i % max(m, 1)),
        inter_intra_format=multilayer_inter_intra_format,
    )  # fmt: skip
    if states is not None:
        return states
    return Network.from_edges(
        edges,
        w,
        n_nodes=g.vcount(),
        directed=directed,
        node_weights=node_weights,
        node_names=names,
    )


def _search_options(caller: str, options: dict[str, Any], renamed: Mapping[str, str]) -> dict:
    """Check the keyword options that a front door passes on to :func:`infomap`.

    ``two_level`` and ``seed`` are the front doors' own arguments; ``renamed`` maps other
    :func:`infomap` options a front door takes under another name to that name. Any option
    :func:`infomap` does not take is a TypeError naming it.
    """
    own = {"two_level", "seed", "initial_partition", *renamed}
    accepted = [name for name in SearchOptions.names() if name not in own]
    for name, instead in renamed.items():
        if name in options:
            raise TypeError(f"{caller}() takes {name!r} as {instead!r}")
    unknown = sorted(set(options) - set(accepted))
    if unknown:
        raise TypeError(
            f"{caller}() got unexpected keyword argument(s) {', '.join(map(repr, unknown))}; "
            f"the options passed on to infomap() are: {', '.join(accepted)}"
        )
    return dict(options)


def _check_graph(graph: Any) -> None:
    import igraph

    if not isinstance(graph, igraph.Graph):
        raise TypeError(f"graph must be an igraph.Graph, got {type(graph).__name__}")


def _network(
    graph: igraph.Graph,
    edge_weights: str | Sequence[float] | None,
    vertex_weights: str | Sequence[float] | None,
    directed: bool | None,
) -> Network:
    """The Network of ``graph`` with igraph's meaning of ``edge_weights``.

    :func:`network_from_igraph` validates everything; only igraph's rule that a given
    attribute name must exist (even "weight", which ``from_igraph`` treats as optional) is
    added here.
    """
    _check_graph(graph)
    if isinstance(edge_weights, str) and edge_weights not in graph.es.attributes():
        raise ValueError(
            f"edge attribute {edge_weights!r} not found; available edge attributes: "
            f"{sorted(graph.es.attributes())}"
        )
    try:
        return network_from_igraph(  # (node attributes never change the graph read)
            graph, edge_weights, node_weights=vertex_weights, directed=directed,
            node_id=None, layer_id=None,
        )  # fmt: skip
    except ValueError as error:  # (in igraph's terms: vertex_weights)
        raise ValueError(str(error).replace("node_weights", "vertex_weights")) from None


def community_infomap(
    graph: igraph.Graph,
    edge_weights: str | Sequence[float] | None = None,
    vertex_weights: str | Sequence[float] | None = None,
    trials: int = 10,
    *,
    seed: int = 0,
    two_level: bool = True,
    directed: bool | None = None,
    initial_partition: str | Sequence[int] | igraph.VertexClustering | None = None,
    **infomap_options: Any,
) -> igraph.VertexClustering:
    """Infomap communities of an igraph graph, in the shape of ``Graph.community_infomap``.

    Parameters
    ----------
    graph : igraph.Graph
    edge_weights : str, sequence of float, or None, default None
        An edge attribute name or one weight per edge (finite, non-negative). None means
        unweighted, as in igraph, even if the graph has a "weight" attribute; a given
        attribute name must exist.
    vertex_weights : str, sequence of float, or None, default None
        A vertex attribute name or one weight per vertex: the nodes' teleportation weights,
        as igraph documents them. They become the network's node weights and set
        ``to_nodes=True`` unless ``to_nodes`` is given, so the directed flow model teleports
        to nodes in proportion to them. The undirected flow model (undirected graphs) has no
        teleportation, so there they change nothing. (igraph 1.0 ignores them everywhere.)
    trials : int >= 1, default 10
        Independent searches; the shortest codelength wins (``num_trials`` of
        :func:`infomap_learn.infomap`).
    seed : int >= 0, default 0
        The same seed gives the same result (igraph's own has no seed argument).
    two_level : bool, default True
        True: a partition, as igraph's. False: the hierarchical map equation; the clustering
        holds the top-level modules and ``clustering.tree`` the whole hierarchy (see
        :func:`to_vertex_clustering` for the other levels).
    directed : bool or None, default None
        None means ``graph.is_directed()``; a directed network gets the directed flow model
        (PageRank-like, teleportation probability 0.15, teleportation to links). False on a
        directed graph merges ``u -> v`` and ``v -> u``; True on an undirected graph uses each
        edge in both directions.
    initial_partition : str, sequence of int, igraph.VertexClustering, or None
        Modules to start every trial from (Infomap's ``--cluster-data``): a vertex
        attribute name, one label per vertex, or a clustering of this graph (for example a
        previous result, to refine it).
    **infomap_options
        Passed on to :func:`infomap_learn.infomap`: ``flow_model``, ``markov_time``,
        ``teleportation_probability``, ``recorded_teleportation``, ``to_nodes``, ``n_jobs``,
        ``progress``. ``flow_model="undirected"`` on a directed graph reproduces igraph 1.0's
        own codelengths.

    Returns
    -------
    igraph.VertexClustering
        The top-level modules (cluster 0 has the most flow), with attributes
        ``codelength`` (bits, as Infomap reports it), ``tree`` (the
        :class:`~infomap_learn.ModuleTree`) and ``level`` (1). Its modularity uses
        ``edge_weights``, as igraph's does. A graph without vertices gives an empty
        clustering with codelength NaN and no tree, as igraph's own.

    Raises
    ------
    TypeError
        If ``graph`` is not an ``igraph.Graph`` or an option is unknown (named in the
        message).
    ValueError
        If a named attribute does not exist, a weight is negative or not finite, a weight
        sequence has the wrong length, ``trials`` is not a positive integer, or the graph has
        no vertices.

    Examples
    --------
    >>> import igraph
    >>> g = igraph.Graph.Famous("Zachary")
    >>> c = community_infomap(g, seed=1)
    >>> c.membership[:6], round(c.codelength, 6), c.tree.num_levels
    ([1, 1, 1, 1, 2, 2], 4.311793, 1)
    """
    options = _search_options("community_infomap", infomap_options, {"num_trials": "trials"})
    if isinstance(trials, bool) or not isinstance(trials, (int, np.integer)) or trials < 1:
        raise ValueError(f"trials must be an integer >= 1, got {trials!r}")
    _check_graph(graph)
    if graph.vcount() == 0:
        # as igraph's own: an empty clustering with an undefined codelength
        import igraph

        return igraph.VertexClustering(
            graph, [], params={"codelength": float("nan"), "tree": None, "level": 1}
        )
    network = _network(graph, edge_weights, vertex_weights, directed)
    if vertex_weights is not None:
        options.setdefault("to_nodes", True)
    initial = _initial_labels(graph, initial_partition)
    tree = infomap(
        network, two_level=two_level, num_trials=int(trials), seed=seed,
        initial_partition=initial, **options,
    )  # fmt: skip
    return _clustering(tree, graph, 1, edge_weights)


def _initial_labels(graph: igraph.Graph, initial: Any) -> Any:
    """``initial_partition`` of :func:`community_infomap` as one label per vertex."""
    import igraph

    if initial is None:
        return None
    if isinstance(initial, str):
        if initial not in graph.vs.attributes():
            raise ValueError(
                f"initial_partition: vertex attribute {initial!r} not found; available "
                f"vertex attributes: {sorted(graph.vs.attributes())}"
            )
        return graph.vs[initial]
    if isinstance(initial, igraph.VertexClustering):
        if initial.graph.vcount() != graph.vcount():
            raise ValueError(
                f"initial_partition is a clustering of {initial.graph.vcount()} vertices; "
                f"the graph has {graph.vcount()}"
            )
        return initial.membership
    return initial


def _clustering(
    tree: ModuleTree, graph: igraph.Graph, level: int, edge_weights: Any
) -> igraph.VertexClustering:
    import igraph

    membership = tree.labels_at(level).tolist()
    return igraph.VertexClustering(
        graph,
        membership,
        params={"codelength": tree.codelength, "tree": tree, "level": level},
        modularity_params={"weights": edge_weights},
    )


def _tree_of(result: Any, graph: Any) -> ModuleTree:
    _check_graph(graph)
    tree = getattr(result, "tree", result)  # a clustering made here carries its tree
    if not isinstance(tree, ModuleTree):
        raise TypeError(
            "result must be a ModuleTree (or a clustering from community_infomap), "
            f"got {type(result).__name__}"
        )
    if tree.n_nodes != graph.vcount():
        raise ValueError(
            f"the result has {tree.n_nodes} nodes but the graph has {graph.vcount()} vertices"
        )
    return tree


def to_vertex_clustering(
    result: ModuleTree | igraph.VertexClustering,
    graph: igraph.Graph,
    level: int = 1,
    *,
    edge_weights: str | Sequence[float] | None = None,
) -> igraph.VertexClustering:
    """One level of a module tree as an :class:`igraph.VertexClustering`.

    Parameters
    ----------
    result : ModuleTree or igraph.VertexClustering
        A search result on ``graph`` (vertex ``i`` is node ``i``), or a clustering returned
        by :func:`community_infomap` (its ``tree`` is used).
    graph : igraph.Graph
    level : int, default 1
        1 = the top modules, 2 = their submodules, ... up to ``tree.num_levels``; -1 = each
        vertex's deepest module. Modules are those of ``tree.labels_at(level)``: a vertex
        whose branch of the tree ends above ``level`` stays in its deepest module.
    edge_weights : str, sequence of float, or None
        Only for the clustering's ``modularity``, as in :func:`community_infomap`.

    Returns
    -------
    igraph.VertexClustering
        With attributes ``codelength`` (the codelength of the whole tree, not of this level
        alone), ``tree`` and ``level``.

    Raises
    ------
    TypeError
        If ``graph`` is not an ``igraph.Graph`` or ``result`` not a module tree.
    ValueError
        If the sizes differ or ``level`` is out of range.

    Examples
    --------
    >>> import igraph
    >>> from infomap_learn import infomap
    >>> g = igraph.Graph.Famous("Zachary")
    >>> tree = infomap(network_from_igraph(g), seed=1)
    >>> clustering = to_vertex_clustering(tree, g)
    >>> clustering.sizes(), round(clustering.modularity, 4), round(clustering.codelength, 6)
    ([17, 12, 5], 0.402, 4.311793)
    """
    tree = _tree_of(result, graph)
    tree.labels_at(level)  # (the level checked as every view checks it)
    return _clustering(tree, graph, tree.num_levels if level == -1 else int(level), edge_weights)


def _merges(tree: ModuleTree) -> tuple[list[tuple[int, int]], list[int]]:
    """A complete binary merge list that nests the tree's modules level by level.

    Merges run bottom-up: first the vertices of each deepest module, then the modules of each
    level into their parents, then the top modules into one root. Returns the merges and the
    number of clusters left after each level's merges (level 1 first).
    """
    n = tree.n_nodes
    levels = tree.multilevel_labels
    current = np.arange(n, dtype=np.int64)  # dendrogram cluster of each vertex
    next_id = n
    merges: list[tuple[int, int]] = []
    counts: list[int] = []
    columns = [levels[:, i] for i in range(levels.shape[1] - 1, -1, -1)]
    for col in [*columns, np.zeros(n, dtype=np.int64)]:
        pairs = np.unique(np.stack([col, current], axis=1), axis=0)  # by module, then cluster
        rep = np.full(int(col.max()) + 1, -1, dtype=np.int64)
        for module, cluster in pairs.tolist():
            if rep[module] < 0:
                rep[module] = cluster
            else:
                merges.append((int(rep[module]), cluster))
                rep[module] = next_id
                next_id += 1
        current = rep[col]
        counts.append(int(np.unique(col).size))
    return merges, counts[-2::-1]


def to_vertex_dendrogram(
    result: ModuleTree | igraph.VertexClustering,
    graph: igraph.Graph,
    *,
    edge_weights: str | Sequence[float] | None = None,
) -> igraph.VertexDendrogram:
    """The whole module tree as an :class:`igraph.VertexDendrogram` (a binary merge list).

    A module tree is not binary (a module has any number of submodules or vertices), so the
    dendrogram merges the children of each module one after another, bottom-up, level by
    level, and at the end the top modules into one root. Cutting it where a level ends gives
    exactly that level's modules::

        d = to_vertex_dendrogram(tree, g)
        d.as_clustering()                      # the top modules (optimal_count)
        d.as_clustering(d.level_counts[1])     # the modules at level 2

    What it carries: the nesting of the modules at every level (``level_counts[i - 1]`` is
    the number of modules at level ``i``, and ``as_clustering(level_counts[i - 1])`` is the
    partition of ``tree.labels_at(i)``), and the top level as ``optimal_count``. What it does
    not carry: codelengths, flows or the order of modules; the order of merges inside a
    module is arbitrary (by vertex or cluster id) and its intermediate clusters are not
    modules, so cuts at other counts have no map-equation meaning; there are no merge
    heights. The tree itself stays reachable as ``dendrogram.tree``, with ``codelength``.

    Parameters
    ----------
    result : ModuleTree or igraph.VertexClustering
        A search result on ``graph``, or a clustering returned by :func:`community_infomap`.
    graph : igraph.Graph
    edge_weights : str, sequence of float, or None
        Only for the modularity of the clusterings cut from it.

    Returns
    -------
    igraph.VertexDendrogram
        ``n - 1`` merges, ``optimal_count`` = number of top modules, and attributes
        ``tree``, ``codelength`` and ``level_counts`` (a tuple, level 1 first).

    Raises
    ------
    TypeError, ValueError
        As for :func:`to_vertex_clustering`.

    Examples
    --------
    >>> import igraph
    >>> from infomap_learn import infomap
    >>> g = igraph.Graph.Famous("Zachary")
    >>> dendrogram = to_vertex_dendrogram(infomap(network_from_igraph(g), seed=1), g)
    >>> dendrogram.optimal_count, dendrogram.level_counts, len(dendrogram.merges)
    (3, (3,), 33)
    >>> sorted(dendrogram.as_clustering().sizes())
    [5, 12, 17]
    """
    import igraph

    tree = _tree_of(result, graph)
    merges, counts = _merges(tree)
    dendrogram = igraph.VertexDendrogram(
        graph,
        merges,
        optimal_count=tree.num_top_modules,
        modularity_params={"weights": edge_weights},
    )
    dendrogram.tree = tree
    dendrogram.codelength = tree.codelength
    dendrogram.level_counts = tuple(counts)
    return dendrogram
