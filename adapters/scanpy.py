"""scanpy / AnnData: Infomap on the neighbour graph of single-cell data, like ``sc.tl.leiden``.

>>> import scanpy as sc                                               # doctest: +SKIP
>>> from infomap_learn.adapters.scanpy import infomap
>>> adata = sc.datasets.pbmc68k_reduced()       # neighbours already computed  # doctest: +SKIP
>>> infomap(adata, num_trials=5)                                      # doctest: +SKIP
>>> adata.obs["infomap"].cat.categories[:3].tolist()                  # doctest: +SKIP
['0', '1', '2']

:func:`infomap` reads the graph that :func:`scanpy.pp.neighbors` stored (the connectivities,
as ``sc.tl.leiden`` does), builds a :class:`~infomap_learn.Network` from it with
:meth:`~infomap_learn.Network.from_scipy` and runs :func:`infomap_learn.infomap`: the
adapter chooses the graph and writes the results, the core validates and searches. The
labels are exactly the core's labels on ``Network.from_scipy`` of the same matrix.

Only ``anndata`` (and pandas, which it requires) is imported, lazily, when the function
runs; scanpy itself is not needed. Both come with the ``scanpy`` extra:
``pip install "infomap-learn[scanpy]"``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import numpy as np

from infomap_learn.network import Network
from infomap_learn.options import SearchOptions
from infomap_learn.search import infomap as _core_infomap

if TYPE_CHECKING:  # pragma: no cover
    from anndata import AnnData

__all__ = ["infomap"]

_EXTRA_HINT = (
    'infomap_learn.adapters.scanpy needs anndata and pandas (the "scanpy" extra); '
    'install them with: pip install "infomap-learn[scanpy]"'
)

# arguments of the core search set by this function itself, not through **infomap_options
_OWN_OPTIONS = {"network": "adata", "two_level": "two_level", "seed": "random_state"}


def _import_anndata():
    try:
        import anndata
        import pandas as pd
    except ImportError as exc:
        raise ImportError(_EXTRA_HINT) from exc
    return anndata, pd


def _passthrough_options() -> list[str]:
    return [name for name in SearchOptions.names() if name not in _OWN_OPTIONS]


def _check_options(options: dict[str, Any]) -> None:
    allowed = _passthrough_options()
    unknown = [name for name in options if name not in allowed]
    if not unknown:
        return
    hints = [
        f"{name!r} (use {_OWN_OPTIONS[name]}=)" if name in _OWN_OPTIONS else repr(name)
        for name in unknown
    ]
    raise TypeError(
        f"infomap() got unexpected keyword argument(s) {', '.join(hints)}; the options "
        f"passed through to infomap_learn.infomap are: {', '.join(allowed)}"
    )


def _neighbors_hint(neighbors_key: str | None) -> str:
    if neighbors_key is None:
        return "run sc.pp.neighbors(adata) first, or pass obsp= or adjacency="
    return (
        f"run sc.pp.neighbors(adata, key_added={neighbors_key!r}) first, or pass obsp= "
        "or adjacency="
    )


def _choose_graph(adata: AnnData, obsp: str | None, neighbors_key: str | None):
    """The matrix ``sc.tl.leiden`` would cluster: ``obsp[obsp]`` or the connectivities of
    the neighbour graph stored under ``neighbors_key`` (default ``"neighbors"``)."""
    if obsp is not None and neighbors_key is not None:
        raise ValueError(
            "give at most one of obsp and neighbors_key: both choose the graph "
            f"(got obsp={obsp!r}, neighbors_key={neighbors_key!r})"
        )
    if obsp is not None:
        if obsp not in adata.obsp:
            raise KeyError(f"adata.obsp has no entry {obsp!r}; it has: {sorted(adata.obsp.keys())}")
        return adata.obsp[obsp]
    key = "neighbors" if neighbors_key is None else neighbors_key
    if key not in adata.uns:
        raise ValueError(
            f"no neighbour graph: adata.uns has no {key!r} entry; " + _neighbors_hint(neighbors_key)
        )
    info = adata.uns[key]
    if not isinstance(info, dict):
        raise ValueError(
            f"adata.uns[{key!r}] is a {type(info).__name__}, not the dict that "
            f"sc.pp.neighbors writes; " + _neighbors_hint(neighbors_key)
        )
    # sc.pp.neighbors(key_added=None) stores obsp["connectivities"]; with a key_added it
    # names the obsp entry in uns[key]["connectivities_key"] (as scanpy's NeighborsView)
    if key == "neighbors":
        conn_key = "connectivities"
    else:
        conn_key = info.get("connectivities_key", f"{key}_connectivities")
    if conn_key in adata.obsp:
        return adata.obsp[conn_key]
    if "connectivities" in info:  # AnnData files written before obsp existed
        return info["connectivities"]
    raise ValueError(
        f"no neighbour graph: adata.uns[{key!r}] is there but adata.obsp has no "
        f"{conn_key!r} entry; " + _neighbors_hint(neighbors_key)
    )


def _unweighted(A):
    """The pattern of ``A``: 1.0 for every non-zero entry (after ``A`` was validated)."""
    import scipy.sparse as sp

    B = sp.csr_array(A, dtype=np.float64, copy=True)
    B.eliminate_zeros()
    B.data[:] = 1.0
    return B


def _path_labels(paths: np.ndarray, level: int) -> tuple[np.ndarray, list[str]]:
    """Module path of each node down to ``level`` (1-based) as ``"2,0,1"`` strings; a node
    whose leaf module is shallower keeps its leaf module's path. Also the distinct paths in
    natural order (by the integer tuple)."""
    unique, inverse = np.unique(paths[:, :level], axis=0, return_inverse=True)
    inverse = np.asarray(inverse).reshape(-1)
    names = [",".join(str(int(v)) for v in row if v >= 0) for row in unique]
    # np.unique sorts rows lexicographically with -1 < 0, so a shorter path comes before
    # its extensions: the natural order of the integer tuples
    return np.asarray(names, dtype=object)[inverse], names


def infomap(
    adata: AnnData,
    *,
    key_added: str = "infomap",
    neighbors_key: str | None = None,
    obsp: str | None = None,
    adjacency: Any = None,
    directed: bool | None = None,
    use_weights: bool = True,
    two_level: bool = False,
    random_state: int = 0,
    copy: bool = False,
    **infomap_options: Any,
) -> AnnData | None:
    """Cluster cells into modules with Infomap, in the shape of ``sc.tl.leiden``.

    The map equation finds the modules (and, by default, the hierarchy of nested
    submodules) that compress a random walk on the neighbour graph most; the number of
    modules follows from the graph. Requires a neighbour graph, such as the one
    :func:`scanpy.pp.neighbors` (or ``sc.external.pp.bbknn``) stores, unless
    ``adjacency`` is given.

    Parameters
    ----------
    adata : anndata.AnnData
        The annotated data matrix.
    key_added : str, default "infomap"
        ``adata.obs`` key of the top-level labels, prefix of the level columns and
        ``adata.uns`` key of the parameters and statistics.
    neighbors_key : str, optional
        Use the connectivities of the neighbour graph stored under this key:
        ``adata.obsp[adata.uns[neighbors_key]["connectivities_key"]]``. None means
        ``adata.obsp["connectivities"]``, where ``sc.pp.neighbors`` stores them by default.
    obsp : str, optional
        Use ``adata.obsp[obsp]`` as the adjacency matrix. At most one of ``obsp`` and
        ``neighbors_key`` may be given.
    adjacency : sparse or dense matrix, shape (n_obs, n_obs), optional
        The adjacency matrix to cluster; ``adjacency[i, j]`` is the weight of the link
        from cell ``i`` to cell ``j``. Overrides ``obsp`` and ``neighbors_key``.
    directed : bool, optional
        Whether the graph is directed. None (the default) means directed if and only if
        the matrix is not symmetric, so the symmetric connectivities of ``sc.pp.neighbors``
        give an undirected graph. ``False`` on a non-symmetric matrix uses its symmetric
        part ``(A + A.T) / 2``; see :meth:`infomap_learn.Network.from_scipy`. (Unlike
        ``sc.tl.leiden(flavor="leidenalg")``, whose None means directed: for Infomap a
        directed walk on a symmetric graph is not the same model, it adds teleportation.)
    use_weights : bool, default True
        Use the edge weights; False gives every non-zero entry weight 1.
    two_level : bool, default False
        Only a partition into modules; by default a hierarchy of nested modules is
        searched for, as the official Infomap does. The top level is ``obs[key_added]``
        either way.
    random_state : int >= 0, default 0
        Seed of the search (the core's ``seed``); the same seed gives the same result.
    copy : bool, default False
        Whether to work on a copy of ``adata`` and return it, or modify ``adata`` in place.
    **infomap_options
        Passed to :func:`infomap_learn.infomap`: ``markov_time``, ``num_trials``,
        ``teleportation_probability``, ``flow_model``, ``recorded_teleportation``,
        ``to_nodes``, ``n_jobs``, ``progress``.

    Returns
    -------
    anndata.AnnData or None
        None if ``copy=False``, else the new AnnData. Sets these fields:

        ``adata.obs[key_added]`` : categorical of str
            Top-level module of each cell, ``"0"``, ``"1"``, ... by decreasing module
            flow (``"0"`` is the module the random walk visits most); the categories are
            in numerical order.
        ``adata.obs[f"{key_added}_level_{i}"]``, ``i = 1 .. num_levels`` : categorical of str
            Module path of each cell down to level ``i`` (1 = top), its module indices
            from the top joined by commas, like ``"2,0,1"`` (0-based: submodule 1, the
            second, of submodule 0, the first, of top module 2; siblings are numbered by
            decreasing flow);
            the separator is the one scanpy's ``restrict_to`` subclustering uses.
            ``level_1`` equals ``obs[key_added]``. A cell whose leaf module is shallower
            than level ``i`` keeps its leaf module's path, so every column is a complete
            partition, nested in the column above it. Level columns of an earlier run with
            the same ``key_added`` are removed first.
        ``adata.uns[key_added]`` : dict
            ``params`` (the search options, with the resolved ``directed`` and
            ``flow_model``, ``use_weights`` and ``random_state``), ``codelength`` (bits),
            ``one_level_codelength``, ``relative_codelength_savings``, ``num_levels``,
            ``num_top_modules`` and ``module_flow`` (flow of each top module, indexed by
            label).

        Every other field of ``adata`` is left as it was.

    Raises
    ------
    ImportError
        If anndata or pandas is not installed (the ``scanpy`` extra).
    TypeError
        If ``adata`` is not an AnnData, or an option is not one of the core's.
    KeyError
        If ``obsp`` names no entry of ``adata.obsp``.
    ValueError
        If there is no neighbour graph (run ``sc.pp.neighbors`` first), both ``obsp`` and
        ``neighbors_key`` are given, the adjacency is not ``(n_obs, n_obs)``, or it has a
        negative, NaN or infinite entry; or an option's value is invalid.

    See Also
    --------
    infomap_learn.infomap : The search, on a :class:`~infomap_learn.Network`.
    scanpy.tl.leiden : The same interface with the Leiden algorithm.

    Examples
    --------
    >>> import scanpy as sc                                       # doctest: +SKIP
    >>> adata = sc.datasets.pbmc68k_reduced()                     # doctest: +SKIP
    >>> infomap(adata, two_level=True, num_trials=5, random_state=1)  # doctest: +SKIP
    >>> adata.uns["infomap"]["num_top_modules"], adata.obs["infomap"].nunique()  # doctest: +SKIP
    """
    anndata, pd = _import_anndata()
    if not isinstance(adata, anndata.AnnData):
        raise TypeError(f"adata must be an anndata.AnnData, got {type(adata).__name__}")
    if not isinstance(key_added, str) or not key_added:
        raise TypeError(f"key_added must be a non-empty str, got {key_added!r}")
    _check_options(infomap_options)
    if (
        isinstance(random_state, bool)
        or not isinstance(random_state, (int, np.integer))
        or random_state < 0
    ):
        raise ValueError(f"random_state must be a non-negative integer, got {random_state!r}")

    if adjacency is None:
        adjacency = _choose_graph(adata, obsp, neighbors_key)
        source = "the neighbour graph" if obsp is None else f"adata.obsp[{obsp!r}]"
    else:
        source = "adjacency"
    shape = getattr(adjacency, "shape", None)
    if shape is None:
        adjacency = np.asarray(adjacency)
        shape = adjacency.shape
    n_obs = adata.n_obs
    if tuple(shape) != (n_obs, n_obs):
        raise ValueError(
            f"{source} must be a square (n_obs, n_obs) = ({n_obs}, {n_obs}) matrix, got "
            f"shape {tuple(shape)}"
        )
    network = Network.from_scipy(adjacency, directed=directed)  # validates the entries
    if not use_weights:
        network = Network.from_scipy(_unweighted(adjacency), directed=directed)
    tree = _core_infomap(network, two_level=two_level, seed=random_state, **infomap_options)

    adata = adata.copy() if copy else adata
    # (adata.obs is looked up anew for each write: writing to a view turns it into an
    # actual AnnData, as it does for sc.tl.leiden)
    stale = re.compile(re.escape(key_added) + r"_level_\d+")
    drop = [c for c in adata.obs.columns if isinstance(c, str) and stale.fullmatch(c)]
    if drop:
        adata.obs = adata.obs.drop(columns=drop)

    k = tree.num_top_modules
    labels = tree.labels
    adata.obs[key_added] = pd.Categorical(
        np.asarray([str(i) for i in range(k)], dtype=object)[labels],
        categories=[str(i) for i in range(k)],
    )
    for level in range(1, tree.num_levels + 1):
        values, categories = _path_labels(tree.paths, level)
        adata.obs[f"{key_added}_level_{level}"] = pd.Categorical(values, categories=categories)

    params = {
        name: value for name, value in tree.options.items() if name != "seed" and value is not None
    }
    params.update(random_state=int(random_state), use_weights=bool(use_weights))
    adata.uns[key_added] = {
        "params": params,
        "codelength": float(tree.codelength),
        "one_level_codelength": float(tree.one_level_codelength),
        "relative_codelength_savings": float(tree.relative_codelength_savings),
        "num_levels": int(tree.num_levels),
        "num_top_modules": int(k),
        "module_flow": np.bincount(labels, weights=tree.node_flow, minlength=k),
    }
    return adata if copy else None
