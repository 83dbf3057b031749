"""ModuleTree: the result of a search, with codelengths, module flows and node paths."""

from __future__ import annotations

from dataclasses import dataclass, field
from os import PathLike
from typing import Any

import numpy as np

from .flow import Flow
from .mapequation import module_flows
from .paths import canonical_paths, prefix_keys


@dataclass(frozen=True, eq=False)
class ModuleTree:
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
    """

    paths: np.ndarray
    flow: Flow
    codelength: float
    index_codelength: float
    module_codelength: float
    one_level_codelength: float
    node_names: list | None = None
    options: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_paths(
        cls,
        flow: Flow,
        paths: np.ndarray,
        *,
        node_names: list | None = None,
        options: dict[str, Any] | None = None,
        renumber: bool = True,
    ) -> ModuleTree:
        """The tree of given module paths over ``flow``, with its codelengths computed.

        ``paths`` is one module path per node, shape (n,) or (n, depth), -1 after a node's
        last module (module ids need only be distinct among siblings). With ``renumber``
        siblings are renumbered 0, 1, ... by decreasing flow, as :func:`infomap` returns
        them.
        """
        from .mapequation import hierarchical_codelength, one_level_codelength

        paths = np.asarray(paths, dtype=np.int64)
        if paths.ndim == 1:
            paths = paths[:, None]
        if renumber:
            paths = canonical_paths(paths, flow.node_flow)
        parts = hierarchical_codelength(flow, paths)
        return cls(
            paths=paths,
            flow=flow,
            codelength=parts.codelength,
            index_codelength=parts.index_codelength,
            module_codelength=parts.module_codelength,
            one_level_codelength=one_level_codelength(flow),
            node_names=node_names,
            options={} if options is None else dict(options),
        )

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
        """Module of each node at ``level`` (1 = top), ids unique within the level."""
        if not 1 <= level <= self.num_levels:
            raise ValueError(f"level must be in [1, {self.num_levels}], got {level}")
        return self.multilevel_labels[:, level - 1]

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
        """Flow, enter flow and exit flow of the modules at ``level`` (1 = top), indexed by
        the ids of :meth:`labels_at`."""
        keys = self.labels_at(level)
        flow, enter, exit_ = module_flows(self.flow, keys, int(keys.max()) + 1)
        return {"flow": flow, "enter_flow": enter, "exit_flow": exit_}

    def __repr__(self) -> str:
        return (
            f"ModuleTree(n_nodes={self.n_nodes}, num_top_modules={self.num_top_modules}, "
            f"num_levels={self.num_levels}, codelength={self.codelength:.6f})"
        )

    def write_clu(self, path: str | PathLike, level: int = 1, node_ids=None) -> None:
        """Write Infomap's ``.clu`` format (node id, module, flow) for one level (1 = top,
        -1 = each node's deepest module). ``node_ids`` replaces the 0-based node indices
        in the files (for example the ids of the input file)."""
        from ._writers import write_clu

        write_clu(self, path, level=level, node_ids=node_ids)

    def write_tree(self, path: str | PathLike, node_ids=None) -> None:
        """Write Infomap's ``.tree`` format (path, flow, name, node id)."""
        from ._writers import write_tree

        write_tree(self, path, node_ids=node_ids)

    def write_ftree(self, path: str | PathLike, node_ids=None) -> None:
        """Write Infomap's ``.ftree`` format: the tree plus the links between modules."""
        from ._writers import write_ftree

        write_ftree(self, path, node_ids=node_ids)

    def to_text(
        self,
        names=None,
        max_nodes_per_module: int | None = 5,
        max_modules: int | None = 10,
        max_depth: int | None = None,
    ) -> str:
        """The module tree as indented text: each module's path, flow and its top nodes by
        flow (by ``names``, the network's node names, or node indices)."""
        from ._text import format_tree

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
        from ._plot import plot_tree

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
        drawn (the rest as one "more modules" box), so large trees give small pages."""
        from ._html import write_html

        write_html(
            self,
            path,
            names=names,
            max_nodes_per_module=max_nodes_per_module,
            max_submodules=max_submodules,
            max_modules=max_modules,
            title=title,
        )
