"""The validated input network of the library.

:class:`Network` is the single input type of the core. Whatever it is built from (edge arrays,
a scipy sparse matrix, an :class:`igraph.Graph` or a :mod:`networkx` graph), its links are
*canonical and aggregated*, as in the official Infomap:

* multi-edges are summed into one link;
* in an undirected network ``(u, v)`` and ``(v, u)`` are the same link, stored once with
  ``source <= target``;
* links are sorted by ``(source, target)``;
* self-links are kept; links of weight exactly zero are dropped (they carry no flow).

The arrays are read-only, so a network can be shared safely. Aggregation runs in numba
kernels (a cache-friendly bucketed counting sort and a merge);
:func:`_aggregate_numpy` is the plain-numpy reference they are tested against.
"""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..options import _check_bool
from ._aggregate import _aggregate_numba, _both_ways_kernel, _sort_kernel
from ._checks import (
    _INT32_MAX,
    _WEIGHT_RULE,
    _check_endpoints,
    _check_node_names,
    _check_node_weights,
    _check_physical_ids,
    _check_weights,
    _pickled_weights,
    _readonly,
    _unit_weights_as_view,
    _unpickled_weights,
)
from ._multilayer import from_multilayer as _from_multilayer

__all__ = ["Network"]

_SPARSE_IDS_MIN_NODES = 100_000
"""From this many nodes, ids that leave almost all of them without links are warned about."""


_SYMMETRY_RTOL = 1e-10
"""Relative difference of ``A[i, j]`` and ``A[j, i]`` below which ``from_scipy`` reads
a matrix as symmetric (scikit-learn's ``check_symmetric`` tolerance is 1e-10)."""


class Network:
    """Validated, aggregated network: the single input type of the core.

    Links are canonical and aggregated: multi-edges are summed, undirected links are stored
    once with ``source <= target``, links are sorted by ``(source, target)``, self-links are
    kept and links of weight zero are dropped.

    Parameters
    ----------
    source, target : array_like of int, shape (m,)
        Endpoints of each edge (integer-valued floats are accepted).
    weight : array_like of float, shape (m,), optional
        Finite, non-negative edge weights. None means all 1.0.
    n_nodes : int, optional
        Number of nodes; None means the largest node index plus one. Nodes without links
        are kept (isolated nodes).
    directed : bool, default False
        Whether ``u -> v`` differs from ``v -> u``.
    node_weights : array_like of float, shape (n_nodes,), optional
        Finite, non-negative node weights (teleportation weights when teleporting to
        nodes), not all zero.
    node_names : sequence, optional
        One name per node.
    physical_ids : array_like of int, shape (n_nodes,), optional
        For a state (memory) network: the physical node of each node, which is then a
        state node. Each module's codebook codes physical nodes, so a physical node can
        belong to several modules (see :meth:`Network.from_states`).

    Attributes
    ----------
    n_nodes : int
    directed : bool
    source, target : ndarray of int32, shape (n_links,)
        Link endpoints, sorted by ``(source, target)``; read-only.
    weight : ndarray of float64, shape (n_links,)
        Link weights, all positive; read-only. When every weight is 1.0 (an unweighted
        network), a view of one value with stride 0, which takes no memory per link.
    node_weights : ndarray of float64, shape (n_nodes,), or None
    node_names : list or None
    physical_ids : ndarray of int64, shape (n_nodes,), or None
        Read-only.
    physical_names : dict of int to str, or None
        Names of the physical nodes of a state network by physical id (a Pajek file's
        ``*Vertices``), for the physical level of its results.
    layer_ids : ndarray of int64, shape (n_nodes,), or None
        The layer of each state node of a multilayer network
        (:meth:`Network.from_multilayer`); read-only.
    relax_to_self : bool
        Whether :meth:`Network.from_multilayer` relaxed this multilayer network to the
        nodes themselves (``relax_to_self=True``): its flow then relays each switch of
        layer on through the new layer's out-links.

    Raises
    ------
    ValueError
        If the input is malformed; the message names the offending edge index, value or
        parameter.

    See Also
    --------
    Network.from_edges, Network.from_scipy
    infomap_learn.adapters.igraph.network_from_igraph
    infomap_learn.adapters.networkx.network_from_networkx

    Examples
    --------
    >>> net = Network([0, 1, 1], [1, 0, 2])
    >>> net
    Network(n_nodes=3, n_links=2, undirected, weighted)
    >>> net.weight.tolist()
    [2.0, 1.0]
    """

    n_nodes: int
    directed: bool
    source: np.ndarray
    target: np.ndarray
    weight: np.ndarray
    node_weights: np.ndarray | None
    node_names: list | None
    physical_ids: np.ndarray | None = None
    layer_ids: np.ndarray | None = None  # the layer of each state of a multilayer network
    physical_names: dict[int, str] | None = None
    relax_to_self: bool = False  # a multilayer network relaxed to itself (from_multilayer)
    from_multilayer = classmethod(_from_multilayer)

    def __init__(
        self,
        source: Any,
        target: Any,
        weight: Any = None,
        n_nodes: int | None = None,
        directed: bool = False,
        *,
        node_weights: Any = None,
        node_names: Sequence | None = None,
        physical_ids: Any = None,
    ) -> None:
        src = np.asarray(source)
        tgt = np.asarray(target)
        if src.size == 0:
            src = src.reshape(0)
        if tgt.size == 0:
            tgt = tgt.reshape(0)
        if src.ndim != 1 or tgt.ndim != 1 or src.shape != tgt.shape:
            raise ValueError(
                "source and target must be 1-D arrays of the same length, got shapes "
                f"{src.shape} and {tgt.shape}"
            )
        n = _check_endpoints(src, tgt, n_nodes)
        if n_nodes is None and n >= _SPARSE_IDS_MIN_NODES and n > 100 * 2 * src.size:
            warnings.warn(
                f"the largest node id, {n - 1}, makes {n} nodes for {src.size} links: most "
                "nodes have no link. Ids are node indices 0..n-1; for other ids, number "
                "them first (np.unique(edges, return_inverse=True)) and pass the ids as "
                "node_names",
                UserWarning,
                stacklevel=3,
            )
        if weight is None:
            w = np.ones(src.size, dtype=np.float64)
        else:
            w = _check_weights(weight, src, tgt)
        directed = _check_bool("directed", directed)
        if src.size:
            s, t, ws = _aggregate_numba(src, tgt, w, n, directed)
            if ws.size == 0:
                warnings.warn(
                    f"all {src.size} links have weight zero and were dropped: the network "
                    "has no links",
                    UserWarning,
                    stacklevel=3,
                )
            if ws.size and not ws.max() < np.inf:
                i = int(np.flatnonzero(~np.isfinite(ws))[0])
                raise ValueError(
                    f"the summed weight of link {int(s[i])} -> {int(t[i])} overflows to inf"
                )
        else:
            s = np.empty(0, np.int32)
            t = np.empty(0, np.int32)
            ws = np.empty(0, np.float64)
        self._set(n, directed, s, t, ws, node_weights, node_names, physical_ids)

    def _set(
        self,
        n: int,
        directed: bool,
        s: np.ndarray,
        t: np.ndarray,
        w: np.ndarray,
        node_weights: Any,
        node_names: Any,
        physical_ids: Any = None,
    ) -> None:
        """Store canonical arrays (owned by this network) and validate node data."""
        self.n_nodes = int(n)
        self.directed = bool(directed)
        self.node_weights = _check_node_weights(node_weights, self.n_nodes)
        self.node_names = _check_node_names(node_names, self.n_nodes)
        self.physical_ids = _check_physical_ids(physical_ids, self.n_nodes)
        self.source = s
        self.target = t
        self.weight = _unit_weights_as_view(w)
        _readonly(s, t, self.weight)
        self._out_csr: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self._in_csr: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    @classmethod
    def _from_canonical(
        cls,
        n: int,
        directed: bool,
        s: np.ndarray,
        t: np.ndarray,
        w: np.ndarray,
        *,
        node_weights: Any = None,
        node_names: Any = None,
        physical_ids: Any = None,
    ) -> Network:
        """Wrap arrays that are already canonical (sorted, unique, positive weights)."""
        if n == 0:
            raise ValueError("network has no nodes")
        if n > _INT32_MAX:
            raise ValueError(f"n_nodes={n} is too large: at most {_INT32_MAX} nodes are supported")
        net = cls.__new__(cls)
        s, t = (np.ascontiguousarray(a, dtype=np.int32) for a in (s, t))
        w = np.asarray(w, dtype=np.float64)
        if w.strides != (0,):  # (an unweighted network's ones stay a view: no copy)
            w = np.ascontiguousarray(w)
        net._set(n, directed, s, t, w, node_weights, node_names, physical_ids)
        return net

    # ---- constructors ----------------------------------------------------------------

    @classmethod
    def from_edges(
        cls,
        edges: Any,
        weights: Any = None,
        n_nodes: int | None = None,
        directed: bool = False,
        *,
        node_weights: Any = None,
        node_names: Sequence | None = None,
    ) -> Network:
        """Build a network from an edge list.

        Parameters
        ----------
        edges : array_like of int, shape (m, 2)
            One ``(source, target)`` row per edge.
        weights : array_like of float, shape (m,), optional
            Finite, non-negative edge weights; None means all 1.0. Zero-weight edges are
            dropped, multi-edges summed.
        n_nodes : int, optional
            Number of nodes; None means the largest node index plus one.
        directed : bool, default False
            Whether the edges are directed.
        node_weights : array_like of float, shape (n_nodes,), optional
            Node (teleportation) weights.
        node_names : sequence, optional
            One name per node.

        Returns
        -------
        Network

        Raises
        ------
        ValueError
            If ``edges`` is not an integer-valued (m, 2) array, a node index is negative or
            not below ``n_nodes``, a weight is negative, NaN or infinite, lengths do not
            match, or the network has no nodes.

        Examples
        --------
        >>> Network.from_edges([[0, 1], [1, 2], [2, 0]], directed=True)
        Network(n_nodes=3, n_links=3, directed, unweighted)
        """
        e = np.asarray(edges)
        if e.size == 0:
            e = e.reshape(0, 2)
        if e.ndim != 2 or e.shape[1] != 2:
            raise ValueError(f"edges must have shape (m, 2), got {e.shape}")
        return cls(
            e[:, 0],
            e[:, 1],
            weights,
            n_nodes,
            directed,
            node_weights=node_weights,
            node_names=node_names,
        )

    @classmethod
    def from_states(
        cls,
        physical_ids: Any,
        links: Any,
        weights: Any = None,
        directed: bool = True,
        *,
        node_names: Sequence | None = None,
        physical_names: dict | None = None,
    ) -> Network:
        """Build a state (memory) network: state nodes, each in a physical node, and links
        between state nodes (Infomap's ``*States`` network).

        A random walker moves between state nodes, so where it goes next can depend on
        where it came from (a second-order Markov model, say, with one state node per
        incoming link). The map equation codes physical nodes: each module's codebook has
        one codeword per physical node it holds, so the modules of the state nodes of one
        physical node overlap on it (Rosvall et al. 2014, Nature Communications).

        Parameters
        ----------
        physical_ids : array_like of int, shape (n_states,)
            The physical node of each state node (state ids are 0..n_states-1).
        links : array_like of int, shape (m, 2)
            ``(source state, target state)`` rows.
        weights : array_like of float, shape (m,), optional
            Link weights; None means all 1.0.
        directed : bool, default True
            Whether the links are directed (memory networks usually are).
        node_names : sequence, optional
            One name per state node.
        physical_names : dict of int to str, optional
            Names of the physical nodes by physical id: the physical level of a result
            shows them (else the name of one of the node's states).

        Returns
        -------
        Network
            With ``physical_ids`` set; every search and codelength on it uses the map
            equation of state networks, as the official Infomap does.

        Examples
        --------
        Two physical nodes visited in two contexts each:

        >>> net = Network.from_states([0, 0, 1, 1], [[0, 2], [2, 0], [1, 3], [3, 1]])
        >>> net
        Network(n_nodes=4, n_links=4, directed, unweighted, states of 2 physical nodes)
        """
        ids = _check_physical_ids(physical_ids, np.asarray(physical_ids).size)
        net = cls.from_edges(links, weights, n_nodes=ids.size, directed=directed,
                             node_names=node_names)._with_physical_ids(ids)  # fmt: skip
        if physical_names is not None:
            net.physical_names = {int(key): str(name) for key, name in physical_names.items()}
        return net

    def _with_physical_ids(self, physical_ids: Any) -> Network:
        """The same links as a state network of ``physical_ids``."""
        return Network._from_canonical(
            self.n_nodes, self.directed, self.source, self.target, self.weight,
            node_weights=self.node_weights, node_names=self.node_names,
            physical_ids=physical_ids,
        )  # fmt: skip

    @classmethod
    def from_scipy(
        cls,
        A: Any,
        directed: bool | None = None,
        *,
        node_weights: Any = None,
        node_names: Sequence | None = None,
    ) -> Network:
        """Build a network from an adjacency matrix.

        Parameters
        ----------
        A : scipy sparse matrix or array, or dense array_like, shape (n, n)
            ``A[i, j]`` is the weight of the link ``i -> j``. Entries must be finite and
            non-negative; zero entries (explicit or not) are no links.
        directed : bool, optional
            None means directed if and only if ``A`` is not symmetric (to rounding: the
            same links both ways, with weights equal to a relative 1e-10). For an
            undirected network the upper triangle including the diagonal is used, so a
            symmetric ``A`` is not double-counted. If ``directed=False`` is forced on a
            non-symmetric ``A``, its symmetric part ``(A + A.T) / 2`` is used.
        node_weights : array_like of float, shape (n,), optional
            Node (teleportation) weights.
        node_names : sequence, optional
            One name per node.

        Returns
        -------
        Network

        Raises
        ------
        ValueError
            If ``A`` is not square, not numeric, or has a negative, NaN or infinite entry.

        Examples
        --------
        >>> import numpy as np
        >>> Network.from_scipy(np.array([[0, 1], [1, 0]]))
        Network(n_nodes=2, n_links=1, undirected, unweighted)
        """
        import scipy.sparse as sp

        if sp.issparse(A):
            shape = A.shape
            dtype = A.dtype
        else:
            A = np.asarray(A)
            shape = A.shape
            dtype = A.dtype
        if len(shape) != 2 or shape[0] != shape[1]:
            raise ValueError(f"adjacency matrix must be square, got shape {shape}")
        if dtype.kind not in "biuf":
            raise ValueError(f"adjacency matrix must be numeric, got dtype {dtype}")
        n = int(shape[0])
        if n == 0:
            raise ValueError("network has no nodes")
        if n > _INT32_MAX:
            raise ValueError(f"n_nodes={n} is too large: at most {_INT32_MAX} nodes are supported")
        C = sp.csr_array(A, dtype=np.float64, copy=True)
        C.sum_duplicates()  # canonical: sorted indices, no duplicates
        data = C.data
        if data.size:
            lo, hi = data.min(), data.max()
            if not (lo >= 0 and hi < np.inf):
                p = int(np.flatnonzero(~(np.isfinite(data) & (data >= 0)))[0])
                i = int(np.searchsorted(C.indptr, p, side="right")) - 1
                raise ValueError(
                    f"entry A[{i}, {int(C.indices[p])}] is {float(data[p])!r}; {_WEIGHT_RULE}"
                )
        C.eliminate_zeros()
        T = C.T.tocsr()
        T.sort_indices()
        same_links = (
            T.nnz == C.nnz
            and np.array_equal(T.indptr, C.indptr)
            and np.array_equal(T.indices, C.indices)
        )
        symmetric = same_links and np.array_equal(T.data, C.data)
        if directed is None:
            # (a kernel or similarity matrix computed in floating point is symmetric only
            # to rounding: rbf_kernel(X) differs from its transpose by ~1e-15)
            directed = not (
                symmetric
                or (same_links and np.allclose(T.data, C.data, rtol=_SYMMETRY_RTOL, atol=0.0))
            )
        directed = _check_bool("directed", directed)
        if not directed and not symmetric:
            C = sp.csr_array((C + T) * 0.5)
            C.sum_duplicates()
            C.eliminate_zeros()
        rows = np.repeat(np.arange(n, dtype=np.int32), np.diff(C.indptr))
        cols = C.indices
        data = C.data
        if not directed:
            upper = rows <= cols
            rows, cols, data = rows[upper], cols[upper], data[upper]
        return cls._from_canonical(
            n,
            directed,
            rows,
            np.array(cols, dtype=np.int32),
            np.array(data, dtype=np.float64),
            node_weights=node_weights,
            node_names=node_names,
        )

    @classmethod
    def from_igraph(cls, g: Any, weights: Any = "weight", **kwargs: Any) -> Network:
        """Deprecated: :func:`infomap_learn.adapters.igraph.network_from_igraph`.

        The conversion moved to the igraph adapter (the core knows no outside system);
        this alias warns and calls it, and goes away in 0.3.
        """
        warnings.warn(
            "Network.from_igraph is deprecated and will be removed in 0.3; use "
            "infomap_learn.adapters.igraph.network_from_igraph",
            FutureWarning,
            stacklevel=2,
        )
        adapter = importlib.import_module("infomap_learn.adapters.igraph")
        return adapter.network_from_igraph(g, weights, **kwargs)

    @classmethod
    def from_networkx(cls, G: Any, weight: str | None = "weight", **kwargs: Any) -> Network:
        """Deprecated: :func:`infomap_learn.adapters.networkx.network_from_networkx`.

        The conversion moved to the networkx adapter (the core knows no outside system);
        this alias warns and calls it, and goes away in 0.3.
        """
        warnings.warn(
            "Network.from_networkx is deprecated and will be removed in 0.3; use "
            "infomap_learn.adapters.networkx.network_from_networkx",
            FutureWarning,
            stacklevel=2,
        )
        adapter = importlib.import_module("infomap_learn.adapters.networkx")
        return adapter.network_from_networkx(G, weight, **kwargs)

    # ---- properties and views --------------------------------------------------------

    @property
    def n_links(self) -> int:
        """Number of (aggregated) links; an undirected link counts once."""
        return int(self.source.size)

    @property
    def total_weight(self) -> float:
        """Sum of the link weights; an undirected link counts once."""
        return float(self.weight.sum())

    def out_csr(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Out-links of each node in CSR form.

        For an undirected network each link appears in both directions (a self-link once).
        Within each row the neighbours are sorted. The result is cached and read-only.

        Returns
        -------
        indptr : ndarray of int64, shape (n_nodes + 1,)
        indices : ndarray of int32
            Link targets; the out-links of node ``u`` are ``indices[indptr[u]:indptr[u+1]]``.
        data : ndarray of float64
            Link weights.
        """
        if self._out_csr is None:
            if self.directed:
                counts = np.bincount(self.source, minlength=self.n_nodes)
                indptr = np.zeros(self.n_nodes + 1, dtype=np.int64)
                np.cumsum(counts, out=indptr[1:])
                self._out_csr = (indptr, self.target, np.ascontiguousarray(self.weight))
                _readonly(*self._out_csr)  # (unit weights: the copy is the network's too)
            else:
                self._out_csr = self._both_ways_csr()
        return self._out_csr

    def in_csr(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """In-links of each node in CSR form (for undirected networks: :meth:`out_csr`).

        Returns
        -------
        indptr : ndarray of int64, shape (n_nodes + 1,)
        indices : ndarray of int32
            Link sources; the in-links of node ``v`` are ``indices[indptr[v]:indptr[v+1]]``,
            sorted.
        data : ndarray of float64
            Link weights.
        """
        if not self.directed:
            return self.out_csr()
        if self._in_csr is None:
            w = np.ascontiguousarray(self.weight)  # (unweighted: a stride-0 view of ones)
            csr = _sort_kernel(self.target, self.source, w, self.n_nodes, False)
            _readonly(*csr)
            self._in_csr = csr
        return self._in_csr

    def _both_ways_csr(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        w = np.ascontiguousarray(self.weight)  # (unweighted: a stride-0 view of ones)
        csr = _both_ways_kernel(self.source, self.target, w, self.n_nodes)
        _readonly(*csr)
        return csr

    def __repr__(self) -> str:
        kind = "directed" if self.directed else "undirected"
        weighted = "weighted" if np.any(self.weight != 1.0) else "unweighted"
        if self.physical_ids is not None:
            n_physical = np.unique(self.physical_ids).size
            return (
                f"Network(n_nodes={self.n_nodes}, n_links={self.n_links}, {kind}, {weighted}, "
                f"states of {n_physical} physical nodes)"
            )
        return f"Network(n_nodes={self.n_nodes}, n_links={self.n_links}, {kind}, {weighted})"

    def __getstate__(self) -> dict:
        # (the CSR caches are built again where needed: cheaper than shipping them)
        return {**self.__dict__, "weight": _pickled_weights(self.weight), "_out_csr": None,
                "_in_csr": None}  # fmt: skip

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state, weight=_unpickled_weights(state["weight"]), _out_csr=None,
                             _in_csr=None)  # fmt: skip
        node_weights = [] if self.node_weights is None else [self.node_weights]
        _readonly(self.source, self.target, self.weight, *node_weights)
