"""The physical level of a module tree over a state (memory or multilayer) network.

The search places state nodes; a physical node belongs to every leaf module that holds one
of its state nodes, with the flow of those states. Infomap calls this the physical level of
the result: its ``.tree`` lists each (leaf module, physical node) pair once, with the summed
flow, and the modules of a physical node overlap. This module computes that view from the
state-level paths, vectorised (one sort of the states by leaf module and physical node).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import scipy.sparse as sp


class PhysicalRows(NamedTuple):
    """The (leaf module, physical node) pairs of a state tree, ordered by module path and
    then physical id: ``paths`` the leaf module's path (as ``ModuleTree.paths``),
    ``physical_ids``, ``flow`` (the summed flow of the pair's state nodes), ``first_state``
    (one of its state nodes, for names) and ``row_of_state`` (each state's pair)."""

    paths: np.ndarray
    physical_ids: np.ndarray
    flow: np.ndarray
    first_state: np.ndarray
    row_of_state: np.ndarray


def physical_rows(paths: np.ndarray, node_flow: np.ndarray, physical_ids: np.ndarray):
    """The physical level of state ``paths``: one row per (leaf module, physical node).

    Examples
    --------
    >>> paths = np.array([[0], [0], [1], [1]])
    >>> rows = physical_rows(paths, np.array([0.4, 0.1, 0.2, 0.3]), np.array([7, 7, 7, 2]))
    >>> rows.paths.ravel().tolist(), rows.physical_ids.tolist(), rows.flow.round(2).tolist()
    ([0, 1, 1], [7, 2, 7], [0.5, 0.3, 0.2])
    """
    paths = np.asarray(paths, dtype=np.int64)
    physical_ids = np.asarray(physical_ids, dtype=np.int64)
    levels = reversed(range(paths.shape[1]))
    order = np.lexsort((physical_ids, *(paths[:, level] for level in levels)))
    keys = np.column_stack([paths[order], physical_ids[order]])
    new = np.r_[True, (keys[1:] != keys[:-1]).any(axis=1)] if len(keys) else np.zeros(0, bool)
    row_sorted = np.cumsum(new) - 1
    row_of_state = np.empty(len(order), dtype=np.int64)
    row_of_state[order] = row_sorted
    first = order[new]
    flow = np.bincount(row_of_state, np.asarray(node_flow, dtype=np.float64), int(new.sum()))
    return PhysicalRows(paths[first], physical_ids[first], flow, first, row_of_state)


class PhysicalView:
    """The physical-node view of a :class:`~infomap_learn.ModuleTree` over a state network
    (``physical_ids`` set): the modules of each physical node and how they overlap."""

    paths: np.ndarray
    physical_ids: np.ndarray | None

    def _require_states(self) -> np.ndarray:
        if self.physical_ids is None:
            raise ValueError(
                "this tree is over a first-order network: every node is its own physical "
                "node (build the network with Network.from_states or from_multilayer)"
            )
        return self.physical_ids

    @property
    def state_labels(self) -> np.ndarray:
        """Top-level module of each state node (the ``labels`` of a state network)."""
        self._require_states()
        return self.paths[:, 0].copy()

    @property
    def physical_nodes(self) -> np.ndarray:
        """The physical node ids of a state network, increasing: the rows of
        :meth:`physical_memberships` and of :attr:`overlap`."""
        return np.unique(self._require_states())

    def physical_memberships(self, level: int = 1) -> sp.csr_array:
        """The share of each physical node's flow in each module at ``level``: a sparse
        matrix, one row per :attr:`physical_nodes` entry, one column per module of
        ``labels_at(level)``, each row summing to 1 (0 for a node without flow). A
        physical node whose state nodes sit in several modules has several entries: the
        modules overlap on it.

        Examples
        --------
        >>> from infomap_learn import Network, infomap
        >>> intra = [[1, 0, 1], [1, 1, 2], [1, 2, 0], [2, 2, 3], [2, 3, 4], [2, 4, 2]]
        >>> tree = infomap(Network.from_multilayer(intra, relax_rate=0.1), seed=1)
        >>> tree.physical_memberships().toarray().round(2).tolist()
        [[1.0, 0.0], [1.0, 0.0], [0.5, 0.5], [0.0, 1.0], [0.0, 1.0]]
        >>> tree.overlap.tolist()
        [1, 1, 2, 1, 1]
        """
        physical = self._require_states()
        nodes, row = np.unique(physical, return_inverse=True)
        labels = self.labels_at(level)  # type: ignore[attr-defined]
        flow = np.asarray(self.node_flow, dtype=np.float64)  # type: ignore[attr-defined]
        shares = sp.coo_array(
            (flow, (row.ravel(), labels)), shape=(nodes.size, int(labels.max()) + 1)
        ).tocsr()
        total = np.bincount(row.ravel(), flow, nodes.size)
        scale = np.divide(1.0, total, out=np.zeros_like(total), where=total > 0)
        result = sp.csr_array(sp.diags_array(scale) @ shares)
        result.eliminate_zeros()
        return result

    @property
    def overlap(self) -> np.ndarray:
        """Number of top-level modules each physical node belongs to (1 for a node whose
        state nodes all sit in one module), in the order of :attr:`physical_nodes`."""
        physical = self._require_states()
        nodes, row = np.unique(physical, return_inverse=True)
        pairs = np.unique(np.column_stack([row.ravel(), self.paths[:, 0]]), axis=0)
        return np.bincount(pairs[:, 0], minlength=nodes.size)
