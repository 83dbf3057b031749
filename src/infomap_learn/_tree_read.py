"""``ModuleTree.read``: a module tree from a ``.clu``, ``.tree``, ``.ftree`` or JSON file,
scored on a network (its own module so that the tree's module stays small; the file
formats are read in :mod:`infomap_learn.io.readers`)."""

from __future__ import annotations

from os import PathLike
from typing import Any

import numpy as np


def read_tree(
    cls,
    path: str | PathLike,
    network: Any,
    *,
    node_ids: Any = None,
    entropy_corrected: bool = False,
    entropy_correction_strength: float = 1.0,
    preferred_number_of_modules: int | None = None,
    assign_to_neighbouring_module: bool = False,
    meta_data: Any = None,
    meta_data_rate: float = 1.0,
    meta_data_unweighted: bool = False,
    **flow_options: Any,
) -> Any:
    r"""A module tree from a ``.clu``, ``.tree``, ``.ftree`` or JSON (``-o json``) file,
    scored on ``network``.

    Files written by the official Infomap or by infomap-learn are read alike, so a
    tree made by either tool can be loaded, scored with this library's map equation
    and written again.

    Parameters
    ----------
    path : str or path-like
        The ``.clu`` (top modules, or the level it was written at), ``.tree`` /
        ``.ftree`` or JSON (the whole hierarchy) file; of a state network its state level
        (the ``_states`` file).
    network : Network
        The network the file partitions.
    node_ids : array of int, optional
        The id of each node as the file names it: ``read_network``'s ``node_ids`` for a
        network read from a file. None: the file's ids are 0-based node indices.
    entropy_corrected : bool, default False
        Score with Infomap's entropy correction, ``entropy_correction_strength``
        scaling it, as :func:`~infomap_learn.infomap` does.
    preferred_number_of_modules : int or None
        Score with one bit per top module more or fewer than this, as
        :func:`~infomap_learn.infomap` does.
    assign_to_neighbouring_module : bool, default False
        Nodes the file leaves out join a neighbour's module (Infomap's
        ``--assign-to-neighbouring-module``, see
        :func:`~infomap_learn.paths.assign_to_neighbouring_modules`) instead of being
        an error.
    meta_data, meta_data_rate, meta_data_unweighted
        Score with node meta data (a category per node), as
        :func:`~infomap_learn.infomap` does.
    **flow_options
        Flow options (``flow_model``, ``markov_time``, ...) as for
        :func:`~infomap_learn.compute_flow`.

    Returns
    -------
    ModuleTree
        The tree the file describes, over ``network`` (``cls``: the class to build).

    Raises
    ------
    ValueError
        Naming ``file:line`` for a malformed line or an unknown node id, or the nodes
        the file leaves out.

    Examples
    --------
    >>> import os, tempfile
    >>> from infomap_learn import ModuleTree, infomap
    >>> from infomap_learn.datasets import karate_club
    >>> net, _ = karate_club()
    >>> tree = infomap(net, seed=1)
    >>> path = os.path.join(tempfile.mkdtemp(), "karate.tree")
    >>> tree.write_tree(path)
    >>> again = ModuleTree.read(path, net)
    >>> again.labels.tolist() == tree.labels.tolist(), round(again.codelength, 6)
    (True, 4.311793)
    """
    from .flow import compute_flow
    from .io.readers import read_module_paths

    ids = np.arange(network.n_nodes) if node_ids is None else np.asarray(node_ids)
    if ids.shape != (network.n_nodes,):
        raise ValueError(
            f"node_ids must have one id per node ({network.n_nodes}), got shape {ids.shape}"
        )
    from .options import SearchOptions

    SearchOptions(  # (the checks of these options, in one place)
        entropy_corrected=entropy_corrected,
        entropy_correction_strength=entropy_correction_strength,
        preferred_number_of_modules=preferred_number_of_modules,
        meta_data_rate=meta_data_rate,
        meta_data_unweighted=meta_data_unweighted,
    )
    from .options import check_meta_data

    categories = check_meta_data(meta_data, network.n_nodes)
    layer_nodes = (
        None if network.layer_ids is None else (network.layer_ids, network.physical_ids)
    )
    paths = read_module_paths(
        path, ids, allow_missing=assign_to_neighbouring_module, layer_nodes=layer_nodes
    )
    if assign_to_neighbouring_module:
        from .paths import assign_to_neighbouring_modules

        paths = assign_to_neighbouring_modules(paths, network.source, network.target)
    flow = compute_flow(network, **flow_options)
    options = {"read_from": str(path)}
    if flow_options.get("bipartite_start_id") is not None:  # (checked by compute_flow)
        options["bipartite_start_id"] = int(flow_options["bipartite_start_id"])
    cost = 0.0
    if entropy_corrected:
        from .mapequation import entropy_correction_per_module

        cost = entropy_correction_per_module(network, entropy_correction_strength)
        options["entropy_correction_strength"] = entropy_correction_strength
    if preferred_number_of_modules:
        options["preferred_number_of_modules"] = preferred_number_of_modules
    from .mapequation import node_meta

    meta = node_meta(
        categories, flow.node_flow, meta_data_rate, meta_data_unweighted,
        network.physical_ids,
    )  # fmt: skip
    if meta is not None and not meta.physical:
        options["meta_data_rate"] = meta.rate
    return cls.from_paths(
        flow, paths, node_names=network.node_names, options=options, module_cost=cost,
        preferred_modules=preferred_number_of_modules or 0, meta=meta,
        physical_ids=network.physical_ids, layer_ids=network.layer_ids,
        physical_names=network.physical_names,
    )  # fmt: skip
