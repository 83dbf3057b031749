"""ModuleTree: the result of a search, with codelengths, module flows and node paths."""

from __future__ import annotations

from dataclasses import dataclass, field
from os import PathLike
from typing import Any

import numpy as np

from ._physical import PhysicalView
from ._tree_read import read_tree as _read_tree
from .flow import Flow
from .mapequation import module_flows
from .paths import canonical_paths, prefix_keys


@dataclass(frozen=True, eq=False)
class ModuleTree(PhysicalView):
    """A module tree over the nodes of a network and its map equation codelength.

    Attributes
    ----------
    paths : ndarray of int64, shape (n, depth)
        Module path of each node from the top, 0-based; ``paths[u, i]`` is the index of
        ``u``'s module at level ``i + 1`` among its siblings, which are numbered by
        decreasing flow. Nodes whose leaf module is shallower than ``depth`` have -1 after
        their last module.
    flow : Flow
        The visit rates and link flows the codelength was computed from.
    codelength : float
        Hierarchical map equation of the tree, in bits (Infomap's ``codelength``).
    index_codelength, module_codelength : float
        The top index codebook and the rest.
    one_level_codelength : float
        Codelength with every node in one module, the entropy of the visit rates.
    node_names : list or None
        Names of the nodes (igraph vertex names, networkx keys), when the network had them.
    options : dict
        The search options that produced the tree.
    trial_codelengths : tuple of float
        The codelength each trial of the search ended at, in trial order (the tree is the
        first of the shortest); empty for a tree that no search made (``from_paths``,
        ``read``). The official Infomap reports the same per trial.
    physical_ids, layer_ids : ndarray of int64 or None
        For a state network: the physical node (and, multilayer, the layer) of each state
        node; see :meth:`physical_memberships` and :attr:`overlap` for the physical level.
    physical_names : dict of int to str, or None
        For a state network: the names of its physical nodes by physical id, when the
        network had them (:meth:`Network.from_states`).

    Examples
    --------
    >>> import numpy as np
    >>> from infomap_learn import Network, infomap
    >>> edges = np.array([[0, 1], [1, 2], [2, 0], [3, 4], [4, 5], [5, 3], [2, 3]])
    >>> tree = infomap(Network.from_edges(edges))
    >>> tree
    ModuleTree(n_nodes=6, num_top_modules=2, num_levels=1, codelength=2.320730)
    >>> tree.labels.tolist(), round(tree.one_level_codelength, 5)
    ([0, 0, 0, 1, 1, 1], 2.55666)
    >>> trials = infomap(Network.from_edges(edges), num_trials=3).trial_codelengths
    >>> [round(length, 5) for length in trials]
    [2.32073, 2.32073, 2.32073]
    """

    paths: np.ndarray
    flow: Flow
    codelength: float
    index_codelength: float
    module_codelength: float
    one_level_codelength: float
    node_names: list | None = None
    options: dict[str, Any] = field(default_factory=dict)
    trial_codelengths: tuple[float, ...] = ()
    physical_ids: np.ndarray | None = None
    layer_ids: np.ndarray | None = None
    physical_names: dict[int, str] | None = None
    read = classmethod(_read_tree)

    @classmethod
    def from_paths(
        cls,
        flow: Flow,
        paths: np.ndarray,
        *,
        node_names: list | None = None,
        options: dict[str, Any] | None = None,
        renumber: bool = True,
        trial_codelengths: tuple[float, ...] = (),
        module_cost: float = 0.0,
        preferred_modules: int = 0,
        meta: Any = None,
        physical_ids: np.ndarray | None = None, layer_ids: np.ndarray | None = None,
        physical_names: dict[int, str] | None = None,
    ) -> ModuleTree:
        """The tree of given module paths over ``flow``, with its codelengths computed.

        ``paths`` is one module path per node, shape (n,) or (n, depth), -1 after a node's
        last module (module ids need only be distinct among siblings). With ``renumber``
        siblings are renumbered 0, 1, ... by decreasing flow, as :func:`infomap` returns
        them. ``trial_codelengths``: the codelength of each trial of the search that found
        the tree, if any. ``module_cost``: bits added per module and per node but one, the
        entropy correction (see
        :func:`~infomap_learn.mapequation.entropy_correction_per_module`).
        ``preferred_modules``: one bit per top module more or fewer than this is added.
        ``meta``: node meta data (a :class:`~infomap_learn.mapequation.MetaData`), whose
        entropy in each leaf module is added at its rate. ``physical_ids``, ``layer_ids``,
        ``physical_names``: those of a state network.

        Examples
        --------
        >>> import numpy as np
        >>> from infomap_learn import Network, compute_flow
        >>> edges = np.array([[0, 1], [1, 2], [2, 0], [3, 4], [4, 5], [5, 3], [2, 3]])
        >>> flow = compute_flow(Network.from_edges(edges))
        >>> tree = ModuleTree.from_paths(flow, np.array([1, 1, 1, 0, 0, 0]))
        >>> tree.labels.tolist(), round(tree.codelength, 5)
        ([0, 0, 0, 1, 1, 1], 2.32073)
        """
        from .mapequation import (
            Codelength,
            hierarchical_codelength,
            one_level_codelength,
            with_meta,
            with_module_cost,
        )

        paths = np.asarray(paths, dtype=np.int64)
        if paths.ndim == 1:
            paths = paths[:, None]
        if renumber:
            paths = canonical_paths(paths, flow.node_flow)
        parts = with_meta(
            with_module_cost(
                hierarchical_codelength(flow, paths), paths, module_cost, preferred_modules
            ),
            paths,
            meta,
        )
        # (one codebook of n codewords with the correction, as Infomap reports it)
        one_level = with_meta(
            Codelength(one_level_codelength(flow) + module_cost * (flow.n_nodes - 1), 0.0, 0.0),
            np.zeros(flow.n_nodes, dtype=np.int64),
            meta,
        ).codelength
        return cls(
            paths=paths,
            flow=flow,
            codelength=parts.codelength,
            index_codelength=parts.index_codelength,
            module_codelength=parts.module_codelength,
            one_level_codelength=one_level,
            node_names=node_names,
            options={} if options is None else dict(options),
            trial_codelengths=tuple(float(length) for length in trial_codelengths),
            physical_ids=physical_ids, layer_ids=layer_ids, physical_names=physical_names,
        )  # fmt: skip

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return self.paths.shape[0]

    @property
    def depth(self) -> np.ndarray:
        """Number of modules on each node's path (1 for a two-level tree)."""
        return (self.paths >= 0).sum(axis=1)

    @property
    def labels(self) -> np.ndarray:
        """Top-level module of each node, 0..k-1 by decreasing module flow."""
        return self.paths[:, 0].copy()

    @property
    def num_top_modules(self) -> int:
        """Number of top-level modules."""
        return int(self.paths[:, 0].max()) + 1 if self.n_nodes else 0

    @property
    def num_levels(self) -> int:
        """Number of module levels: 1 for a two-level partition.

        The official Infomap's ``num_levels`` also counts the level of leaf nodes, so it is
        one more.
        """
        return self.paths.shape[1]

    @property
    def multilevel_labels(self) -> np.ndarray:
        """Module of each node at each level, shape (n, num_levels), in the layout of the
        official Infomap's ``get_multilevel_modules`` (0-based): ids are unique within a
        level, and a node whose leaf module is shallower than the tree keeps that module at
        the deeper levels, under an id of its own there."""
        continued = np.where(self.paths >= 0, self.paths, 0)
        return np.stack(prefix_keys(continued), axis=1)

    def labels_at(self, level: int) -> np.ndarray:
        """Module of each node at ``level`` (1 = top, up to ``num_levels``; -1 = the
        deepest level, where each node is in its leaf module), ids unique within the level.

        Examples
        --------
        >>> import numpy as np
        >>> from infomap_learn import Network, compute_flow
        >>> edges = np.array([[0, 1], [1, 2], [2, 0], [3, 4], [4, 5], [5, 3], [2, 3]])
        >>> paths = np.array([[0, 0], [0, 0], [0, 1], [1, -1], [1, -1], [1, -1]])
        >>> tree = ModuleTree.from_paths(compute_flow(Network.from_edges(edges)), paths)
        >>> tree.labels_at(1).tolist(), tree.labels_at(-1).tolist()
        ([0, 0, 0, 1, 1, 1], [0, 0, 1, 2, 2, 2])
        """
        if isinstance(level, (bool, np.bool_)) or not isinstance(level, (int, np.integer)):
            raise ValueError(f"level must be an integer, got {level!r}")
        if level == -1:
            level = self.num_levels
        if not 1 <= level <= self.num_levels:
            raise ValueError(f"level must be -1 or in [1, {self.num_levels}], got {level}")
        return self.multilevel_labels[:, int(level) - 1]

    @property
    def relative_codelength_savings(self) -> float:
        """``1 - codelength / one_level_codelength`` (0 when the one-level codelength is 0)."""
        if self.one_level_codelength <= 0:
            return 0.0
        return 1.0 - self.codelength / self.one_level_codelength

    @property
    def node_flow(self) -> np.ndarray:
        """Flow (visit rate) of each node."""
        return self.flow.node_flow

    def module_flows(self, level: int = 1) -> dict[str, np.ndarray]:
        """Flow, enter flow and exit flow of the modules at ``level`` (1 = top, -1 the
        deepest), indexed by the ids of :meth:`labels_at`.

        Examples
        --------
        >>> import numpy as np
        >>> from infomap_learn import Network, infomap
        >>> edges = np.array([[0, 1], [1, 2], [2, 0], [3, 4], [4, 5], [5, 3], [2, 3]])
        >>> flows = infomap(Network.from_edges(edges)).module_flows()
        >>> {name: values.round(4).tolist() for name, values in flows.items()}
        {'flow': [0.5, 0.5], 'enter_flow': [0.0714, 0.0714], 'exit_flow': [0.0714, 0.0714]}
        """
        keys = self.labels_at(level)
        flow, enter, exit_ = module_flows(self.flow, keys, int(keys.max()) + 1)
        return {"flow": flow, "enter_flow": enter, "exit_flow": exit_}

    def __repr__(self) -> str:
        return (
            f"ModuleTree(n_nodes={self.n_nodes}, num_top_modules={self.num_top_modules}, "
            f"num_levels={self.num_levels}, codelength={self.codelength:.6f})"
        )

    def write_clu(
        self, path: str | PathLike, level: int = 1, node_ids=None, states: bool = False,
        hide_bipartite_nodes: bool = False,
    ) -> None:  # fmt: skip
        """Write Infomap's ``.clu`` format (node id, module, flow) for one level (1 = top,
        -1 = each node's deepest module). ``node_ids`` replaces the 0-based node indices
        in the files (for example the ids of the input file). Over a state network: the
        physical level, or with ``states`` the state nodes (Infomap's ``_states.clu``).
        ``hide_bipartite_nodes`` leaves out the feature nodes of a bipartite network
        (Infomap's ``--hide-bipartite-nodes``; also in ``write_tree``, ``write_csv`` and
        ``write_json``, not in the ``.ftree`` and Newick files, as Infomap).

        Examples
        --------
        >>> import numpy as np, tempfile
        >>> from pathlib import Path
        >>> from infomap_learn import Network, infomap
        >>> edges = np.array([[0, 1], [1, 2], [2, 0], [3, 4], [4, 5], [5, 3], [2, 3]])
        >>> tree = infomap(Network.from_edges(edges))
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     tree.write_clu(Path(folder) / "six.clu")
        ...     lines = (Path(folder) / "six.clu").read_text().splitlines()
        >>> for line in lines[-7:]:  # after the header comments
        ...     print(line)
        # node_id module flow
        2 1 0.214286
        0 1 0.142857
        1 1 0.142857
        3 2 0.214286
        4 2 0.142857
        5 2 0.142857
        """
        from .io._writers import write_clu

        write_clu(
            self, path, level=level, node_ids=node_ids, states=states,
            hide_bipartite_nodes=hide_bipartite_nodes,
        )  # fmt: skip

    def write_tree(
        self, path: str | PathLike, node_ids=None, states: bool = False,
        hide_bipartite_nodes: bool = False,
    ) -> None:  # fmt: skip
        """Write Infomap's ``.tree`` format (path, flow, name, node id). Over a state
        network: the physical level (a row per leaf module and physical node), or with
        ``states`` a row per state node (Infomap's ``_states.tree``).
        ``hide_bipartite_nodes``: without a bipartite network's feature nodes.

        Examples
        --------
        >>> import numpy as np, tempfile
        >>> from pathlib import Path
        >>> from infomap_learn import Network, infomap
        >>> edges = np.array([[0, 1], [1, 2], [2, 0], [3, 4], [4, 5], [5, 3], [2, 3]])
        >>> tree = infomap(Network.from_edges(edges))
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     tree.write_tree(Path(folder) / "six.tree")
        ...     lines = (Path(folder) / "six.tree").read_text().splitlines()
        >>> for line in lines[-7:]:  # after the header comments
        ...     print(line)
        # path flow name node_id
        1:1 0.214286 "2" 2
        1:2 0.142857 "0" 0
        1:3 0.142857 "1" 1
        2:1 0.214286 "3" 3
        2:2 0.142857 "4" 4
        2:3 0.142857 "5" 5
        """
        from .io._writers import write_tree

        write_tree(
            self, path, node_ids=node_ids, states=states,
            hide_bipartite_nodes=hide_bipartite_nodes,
        )  # fmt: skip

    def write_ftree(self, path: str | PathLike, node_ids=None, states: bool = False) -> None:
        """Write Infomap's ``.ftree`` format: the tree plus the links between modules (for
        a state network its physical level, unless ``states``: as Infomap's
        ``_states.ftree``).

        Examples
        --------
        >>> import numpy as np, tempfile
        >>> from pathlib import Path
        >>> from infomap_learn import Network, infomap
        >>> edges = np.array([[0, 1], [1, 2], [2, 0], [3, 4], [4, 5], [5, 3], [2, 3]])
        >>> tree = infomap(Network.from_edges(edges))
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     tree.write_ftree(Path(folder) / "six.ftree")
        ...     lines = (Path(folder) / "six.ftree").read_text().splitlines()
        >>> for line in lines[lines.index("*Links undirected") :][:5]:
        ...     print(line)
        *Links undirected
        # link flow is both directions combined, one row per module pair
        #*Links path enterFlow exitFlow numEdges numChildren
        *Links root 0 0 1 2
        1 2 0.142857
        """
        from .io._writers import write_ftree

        write_ftree(self, path, node_ids=node_ids, states=states)

    def write_newick(self, path: str | PathLike, node_ids=None) -> None:
        """Write the module tree in Newick form, as Infomap's ``-o newick``: leaves by node
        id, every branch as long as the flow below it.

        Examples
        --------
        >>> import numpy as np, tempfile
        >>> from pathlib import Path
        >>> from infomap_learn import Network, infomap
        >>> edges = np.array([[0, 1], [1, 2], [2, 0], [3, 4], [4, 5], [5, 3], [2, 3]])
        >>> tree = infomap(Network.from_edges(edges))
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     tree.write_newick(Path(folder) / "six.nwk")
        ...     print((Path(folder) / "six.nwk").read_text().strip())
        (((2:0.214286,0:0.142857,1:0.142857):0.5,(3:0.214286,4:0.142857,5:0.142857):0.5):1);
        """
        from .io._writers import write_newick

        write_newick(self, path, node_ids=node_ids)

    def write_csv(
        self, path: str | PathLike, node_ids=None, hide_bipartite_nodes: bool = False
    ) -> None:
        """Write the ``.tree`` rows as CSV (``path,flow,name,node_id``), as Infomap's
        ``-o csv`` (``hide_bipartite_nodes``: without a bipartite network's feature nodes).

        Examples
        --------
        >>> import numpy as np, tempfile
        >>> from pathlib import Path
        >>> from infomap_learn import Network, infomap
        >>> edges = np.array([[0, 1], [1, 2], [2, 0], [3, 4], [4, 5], [5, 3], [2, 3]])
        >>> tree = infomap(Network.from_edges(edges))
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     tree.write_csv(Path(folder) / "six.csv")
        ...     print((Path(folder) / "six.csv").read_text().splitlines()[:3])
        ['path,flow,name,node_id', '1:1,0.214286,"2",2', '1:2,0.142857,"0",0']
        """
        from .io._writers import write_csv

        write_csv(self, path, node_ids=node_ids, hide_bipartite_nodes=hide_bipartite_nodes)

    def write_json(
        self, path: str | PathLike, node_ids=None, args: str = "", states: bool = False,
        hide_bipartite_nodes: bool = False,
    ) -> None:  # fmt: skip
        """Write the tree as JSON in the layout of Infomap's ``-o json``: run facts, every
        node (path, modules at every level, name, flow, id) and every module (path, enter
        and exit flow, links and children, codelength). ``ModuleTree.read`` reads it back.
        Over a state network: its physical level, or with ``states`` its state nodes;
        ``hide_bipartite_nodes``: without a bipartite network's feature nodes.

        Examples
        --------
        >>> import json, numpy as np, tempfile
        >>> from pathlib import Path
        >>> from infomap_learn import Network, infomap
        >>> edges = np.array([[0, 1], [1, 2], [2, 0], [3, 4], [4, 5], [5, 3], [2, 3]])
        >>> tree = infomap(Network.from_edges(edges))
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     tree.write_json(Path(folder) / "six.json")
        ...     document = json.loads((Path(folder) / "six.json").read_text())
        >>> document["numLevels"], document["numModules"], document["nodes"][0]
        (2, [2, 0], {'path': [1, 1], 'modules': [1], 'name': '2', 'flow': 0.214286, 'id': 2})
        >>> module = document["modules"][1]
        >>> module["path"], module["exitFlow"], module["numChildren"], module["codelength"]
        ([1], 0.0714286, 3, 1.08894)
        """
        from .io._json import write_json

        write_json(
            self, path, node_ids=node_ids, args=args, states=states,
            hide_bipartite_nodes=hide_bipartite_nodes,
        )  # fmt: skip

    def to_text(
        self,
        names=None,
        max_nodes_per_module: int | None = 5,
        max_modules: int | None = 10,
        max_depth: int | None = None,
    ) -> str:
        """The module tree as indented text: each module's path, flow and its top nodes by
        flow (by ``names``, the network's node names, or node indices).

        Examples
        --------
        >>> import numpy as np
        >>> from infomap_learn import Network, infomap
        >>> edges = np.array([[0, 1], [1, 2], [2, 0], [3, 4], [4, 5], [5, 3], [2, 3]])
        >>> print(infomap(Network.from_edges(edges)).to_text())
        codelength 2.32073 bits, 1 module level, 2 top modules, 6 nodes, relative savings 9.23%
        1 (flow 0.5, 3 nodes): 2, 0, 1
        2 (flow 0.5, 3 nodes): 3, 4, 5
        """
        from .io._text import format_tree

        return format_tree(
            self,
            names=names,
            max_nodes_per_module=max_nodes_per_module,
            max_modules=max_modules,
            max_depth=max_depth,
        )

    def plot(self, ax=None, max_depth: int | None = None, label_min_flow: float = 0.04):
        """Draw the module tree as an icicle plot with matplotlib (an optional dependency)
        and return the Axes: one row per module level, each module a bar as wide as its
        flow under its parent, coloured by top module, labelled with its path where it has
        at least ``label_min_flow`` of the flow.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from infomap_learn import infomap
        >>> from infomap_learn.datasets import karate_club
        >>> tree = infomap(karate_club()[0], seed=1)
        >>> ax = tree.plot()
        >>> ax.figure.savefig("karate_tree.png")  # doctest: +SKIP
        """
        from .io._plot import plot_tree

        return plot_tree(self, ax=ax, max_depth=max_depth, label_min_flow=label_min_flow)

    def to_html(
        self,
        path: str | PathLike,
        names=None,
        max_nodes_per_module: int = 10,
        *,
        max_submodules: int = 50,
        max_modules: int = 500,
        title: str | None = None,
    ) -> None:
        """Write one self-contained HTML page (no network access needed to open it) that
        shows the module hierarchy as a treemap sized by flow, with each module's top
        ``max_nodes_per_module`` nodes; click a module to zoom into it. At most
        ``max_submodules`` children per module and ``max_modules`` modules in all are
        drawn (the rest as one "more modules" box), so large trees give small pages.

        Examples
        --------
        >>> import tempfile
        >>> from pathlib import Path
        >>> from infomap_learn import infomap
        >>> from infomap_learn.datasets import karate_club
        >>> tree = infomap(karate_club()[0], seed=1)
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     tree.to_html(Path(folder) / "karate.html", title="Karate club")
        ...     (Path(folder) / "karate.html").exists()
        True
        """
        from .io._html import write_html

        write_html(
            self,
            path,
            names=names,
            max_nodes_per_module=max_nodes_per_module,
            max_submodules=max_submodules,
            max_modules=max_modules,
            title=title,
        )
