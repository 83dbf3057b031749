"""Units (nodes, then aggregated modules) and the module state the kernels work on."""

from __future__ import annotations

from concurrent.futures import Executor
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .. import _kernels as K
from ..flow import Flow
from . import _constants as constants
from . import _moves as M
from ._aggregate import aggregate_links_exact, aggregate_links_within_parents, internal_flows
from ._launch import launch_parallel
from ._memory import release_freed_memory


@dataclass(frozen=True)
class Units:
    """The network the kernels work on: leaf nodes or aggregated modules."""

    codeflow: np.ndarray
    tele_src: np.ndarray
    tele_tgt: np.ndarray
    parent: np.ndarray
    out_ptr: np.ndarray
    out_idx: np.ndarray
    out_flow: np.ndarray
    in_ptr: np.ndarray
    in_idx: np.ndarray
    in_flow: np.ndarray
    exit: np.ndarray
    enter: np.ndarray
    undirected: bool
    tele_total: float
    # meta data per unit in CSR form: weight on each category (empty rows: no meta data)
    meta_ptr: np.ndarray
    meta_idx: np.ndarray
    meta_flow: np.ndarray
    # the weight of a module's total in its meta cost: 1 for meta data, 0 where the
    # categories are the physical nodes of state nodes (search._meta)
    meta_total: float = 1.0

    @property
    def n(self) -> int:
        return self.codeflow.shape[0]

    def with_parent(self, parent: np.ndarray) -> Units:
        """The same units under the fixed modules ``parent`` (``dataclasses.replace``
        without its per-field checks: searches inside modules make thousands)."""
        fields = dict(self.__dict__)
        fields.pop("arrays", None)  # (the cached kernel view holds the old parents)
        fields["parent"] = parent
        units = object.__new__(Units)
        units.__dict__.update(fields)
        return units

    @cached_property
    def arrays(self) -> M.UnitArrays:
        """The arrays as the kernels take them."""
        return M.UnitArrays(
            self.codeflow, self.exit, self.enter, self.tele_src, self.tele_tgt, self.parent,
            self.out_ptr, self.out_idx, self.out_flow, self.in_ptr, self.in_idx, self.in_flow,
            self.meta_ptr, self.meta_idx, self.meta_flow,
        )  # fmt: skip

    @cached_property
    def codeflow_plogp_sum(self) -> float:
        """The objective's constant term: ``sum_u plogp(codeflow_u)`` (kept by
        :meth:`with_parent`: a search inside modules computes it once, not per search)."""
        return float(K.plogp_sum(self.codeflow))

    @property
    def n_meta(self) -> int:
        """The number of meta-data categories (0 without meta data)."""
        return int(self.meta_idx.max()) + 1 if self.meta_idx.size else 0


def leaf_units(
    flow: Flow, meta: tuple[np.ndarray, np.ndarray] | None = None, meta_total: float = 1.0
) -> Units:
    """Units for the leaf nodes of a flow graph; ``meta``: each node's meta-data category
    (0..C-1) and its weight in the meta-data entropy, or None; ``meta_total``: see
    :class:`Units` (0: the categories are physical nodes)."""
    n = flow.n_nodes
    # The flow's own CSR arrays, shared rather than copied (the kernels never write them).
    out_ptr, out_idx, out_flow = flow.out_ptr, flow.out_idx, flow.out_flow
    in_ptr, in_idx, in_flow = flow.in_ptr, flow.in_idx, flow.in_flow
    if flow.teleport_source is None:
        tele_src = tele_tgt = np.zeros(n)
        tele_total = 0.0
    else:
        tele_src, tele_tgt = flow.teleport_source, flow.teleport_target
        tele_total = float(tele_src.sum())
    exit_ = K.row_sums(out_ptr, out_flow)
    enter = exit_ if flow.undirected else K.row_sums(in_ptr, in_flow)
    return Units(
        codeflow=np.ascontiguousarray(flow.node_flow, dtype=np.float64),
        tele_src=tele_src,
        tele_tgt=tele_tgt,
        parent=np.zeros(n, dtype=np.int64),
        out_ptr=out_ptr,
        out_idx=out_idx,
        out_flow=out_flow,
        in_ptr=in_ptr,
        in_idx=in_idx,
        in_flow=in_flow,
        exit=exit_,
        enter=enter,
        undirected=flow.undirected,
        tele_total=tele_total,
        meta_ptr=np.zeros(n + 1, dtype=np.int64) if meta is None else np.arange(n + 1),
        meta_idx=np.zeros(0, np.int32) if meta is None else meta[0].astype(np.int32),
        meta_flow=np.zeros(0) if meta is None else np.asarray(meta[1], dtype=np.float64),
        meta_total=float(meta_total),
    )


def _links_in_parallel(module_of, k: int, ptr, idx, flow, threads: int):
    """The links between the modules of ``module_of`` (CSR), summed on ``threads`` threads
    into arrays of their exact size (``_aggregate``)."""
    return launch_parallel(
        aggregate_links_exact, threads, module_of, k, ptr, idx, flow, int(threads)
    )


def module_links(module_of, k: int, ptr, idx, flow, threads: int = 1):
    """The links between the modules of ``module_of`` (CSR): for large networks on
    ``threads`` threads into arrays of their exact size, else in one pass (the same
    links, to the bit, either way)."""
    if threads > 1 and idx.shape[0] >= constants.AGGREGATE_EXACT_MIN_LINKS:
        return _links_in_parallel(module_of, k, ptr, idx, flow, threads)
    return K.aggregate_links(module_of, k, ptr, idx, flow)


def pool_threads(pool: Executor | None) -> int:
    """The threads of a search's pool (1 without one)."""
    return 1 if pool is None else int(getattr(pool, "_max_workers", 1))


def aggregate(
    units: Units, module_of: np.ndarray, k: int, by_enter: bool = False, threads: int = 1,
    parent: np.ndarray | None = None,
) -> Units:
    """Units for the modules of ``module_of`` (ids 0..k-1). ``by_enter``: each unit's
    codeflow is its module's enter flow, teleportation included, instead of the summed
    codeflow (the super-module searches code modules by it); taken from the module
    network's own rates, not from another pass over ``units``' links. ``threads``: for
    the links of large networks (the result is the same for any).

    ``parent``: the parent of each module, for a search under these fixed parents: the
    result lies under them, and where its links are summed into arrays of their exact
    size (large networks), the links between modules under different parents are left
    out. No move of such a search is scored with them (they only mark a moved unit's
    neighbours under other parents to be tried again), and their flow stays in the units'
    exit and enter totals, to the bit (``_aggregate.aggregate_links_within_parents``): so
    the result must never be searched under coarser parents."""
    module_of = np.asarray(module_of, dtype=np.int64)
    # links summed into arrays of their exact size from this many on: the peak memory
    exact = units.out_idx.shape[0] >= constants.AGGREGATE_EXACT_MIN_LINKS
    if exact:
        release_freed_memory()  # (the core loop's freed scratch: see _memory)
    if exact and (threads > 1 or parent is not None):
        arrays = _exact_arrays(units, module_of, k, threads, parent)
    else:
        # one kernel call: the hierarchy's searches inside small modules aggregate
        # thousands of times, and each return to Python holds the GIL that the other
        # trials wait for
        arrays = M.aggregate_unit_arrays(units.arrays, module_of, k, units.undirected, exact)
    if by_enter:
        # (a module's links to itself are not in the module network: its row sums are
        # the module's exit and enter rates, which the teleportation terms complete)
        tele_enter = (units.tele_total - arrays.tele_src) * arrays.tele_tgt
        arrays = arrays._replace(codeflow=arrays.enter + tele_enter)
    if parent is not None:
        arrays = arrays._replace(parent=np.ascontiguousarray(parent, dtype=np.int64))
    return _units_of(arrays, units)


def _exact_arrays(
    units: Units, module_of: np.ndarray, k: int, threads: int, parent: np.ndarray | None
) -> M.UnitArrays:
    """The arrays of :func:`aggregate` on a large network, the links summed into arrays of
    their exact size on ``threads`` threads; with ``parent``, the links between modules
    under different parents left out and the exit and enter totals kept whole."""
    module_parent = (
        np.zeros(0, dtype=np.int64) if parent is None
        else np.ascontiguousarray(parent, dtype=np.int64)
    )  # fmt: skip

    def links(ptr, idx, flow):
        total = np.empty(k if parent is not None else 0)
        summed = launch_parallel(
            aggregate_links_within_parents, threads, module_of, k, ptr, idx, flow,
            max(int(threads), 1), module_parent, total,
        )  # fmt: skip
        return summed, total

    out_links, out_total = links(units.out_ptr, units.out_idx, units.out_flow)
    if units.undirected:
        in_links, in_total = out_links, out_total
    else:
        in_links, in_total = links(units.in_ptr, units.in_idx, units.in_flow)
    arrays = M.aggregate_unit_sums(
        units.arrays, module_of, k, units.undirected, *out_links, *in_links
    )
    if parent is None:  # (the row sums are the totals)
        return arrays
    return arrays._replace(exit=out_total, enter=in_total)


def _units_of(arrays: M.UnitArrays, like: Units) -> Units:
    """Units from the kernels' ``arrays``, with the scalars of ``like``."""
    units = Units(
        codeflow=arrays.codeflow, tele_src=arrays.tele_src, tele_tgt=arrays.tele_tgt,
        parent=arrays.parent, out_ptr=arrays.out_ptr, out_idx=arrays.out_idx,
        out_flow=arrays.out_flow, in_ptr=arrays.in_ptr, in_idx=arrays.in_idx,
        in_flow=arrays.in_flow, exit=arrays.exit, enter=arrays.enter,
        undirected=like.undirected, tele_total=like.tele_total, meta_ptr=arrays.meta_ptr,
        meta_idx=arrays.meta_idx, meta_flow=arrays.meta_flow, meta_total=like.meta_total,
    )  # fmt: skip
    units.__dict__["arrays"] = arrays  # (the cached view: the tuple is the kernel's own)
    return units


@dataclass
class SearchContext:
    """What stays fixed during one search: the parents' exit flows, the constant term of
    the codelength and the random state."""

    parent_exit: np.ndarray
    codeflow_plogp_sum: float
    rng_state: np.ndarray
    pool: Executor | None = None  # threads for groups of parents (None: one at a time)
    costs: M.ModuleCosts = M.ModuleCosts(0.0, 0)  # the objective's module-count terms


def _internal_flows(units: Units, module_of: np.ndarray, threads: int) -> tuple:
    """Each unit's out- and in-flow (None: undirected) into its own module, summed on
    ``threads`` threads, for the module sums of large networks; empty where the sums'
    own serial pass does it (one thread, or fewer links than
    ``constants.AGGREGATE_EXACT_MIN_LINKS``). The sums are the same to the bit either way."""
    if threads <= 1 or units.out_idx.shape[0] < constants.AGGREGATE_EXACT_MIN_LINKS:
        return ()
    internal_out = launch_parallel(
        internal_flows, threads, module_of, units.out_ptr, units.out_idx, units.out_flow
    )
    internal_in = None if units.undirected else launch_parallel(
        internal_flows, threads, module_of, units.in_ptr, units.in_idx, units.in_flow
    )  # fmt: skip
    return internal_out, internal_in


def _module_state(
    units: Units, module_of: np.ndarray, k: int, costs: M.ModuleCosts | None = None,
    threads: int = 1,
) -> M.ModuleState:  # fmt: skip
    """The module state, with the meta-data categories where ``costs`` weigh them (their
    ``n_meta`` is 0 without a meta rate); ``threads``: see :func:`module_totals`."""
    n_meta = costs.n_meta if costs is not None else 0
    return M.init_modules(
        module_of, k, units.arrays, units.undirected, n_meta, units.meta_total,
        *_internal_flows(units, module_of, threads),
    )  # fmt: skip


def codelength_of(units: Units, module_of: np.ndarray, ctx: SearchContext) -> float:
    """The search objective for ``module_of`` over ``units``."""
    module_of, k = K.compact_labels(np.asarray(module_of, dtype=np.int64), module_of.max() + 1)
    state = _module_state(units, module_of, k, ctx.costs)
    return M.objective(
        state, ctx.parent_exit, units.tele_total, ctx.codeflow_plogp_sum, ctx.costs,
        np.arange(k),
    )


def module_totals(units: Units, module_of: np.ndarray, k: int, threads: int = 1):
    """Codeflow, enter flow and exit flow of each module, teleportation included; on
    ``threads`` threads for large networks, whose link pass then runs in parallel (the
    same totals, to the bit, either way)."""
    module_of = np.asarray(module_of, dtype=np.int64)
    return M.module_flow_totals(
        module_of, k, units.arrays, units.undirected, units.tele_total,
        *_internal_flows(units, module_of, threads),
    )  # fmt: skip


def _module_totals_reference(units: Units, module_of: np.ndarray, k: int):
    """``module_totals`` from the search's full module state: the kernel's reference."""
    state = _module_state(units, module_of, k)
    codeflow, mod_exit, mod_enter, mod_tsrc, mod_ttgt = state[:5]
    exit_ = mod_exit + mod_tsrc * (1.0 - mod_ttgt)
    enter = mod_enter + (units.tele_total - mod_tsrc) * mod_ttgt
    return codeflow, enter, exit_


def module_exit_totals(
    units: Units, module_of: np.ndarray, k: int, threads: int = 1
) -> np.ndarray:
    """Exit flow of each module, teleportation included (``threads``: see
    :func:`module_totals`)."""
    return module_totals(units, module_of, k, threads)[2]


def new_context(
    units: Units,
    seed: int,
    parent_exit: np.ndarray | None = None,
    pool: Executor | None = None,
    module_cost: float = 0.0,
    preferred_modules: int = 0,
    meta_rate: float = 0.0,
) -> SearchContext:
    """What a search over ``units`` keeps fixed: ``parent_exit`` (default: one parent, the
    root, with no exit), the random state of ``seed``, the threads ``pool`` for groups of
    parents, and the objective's terms: ``module_cost`` bits per module and a preferred
    number of modules (0: none; only for a search whose modules are the top modules) and
    the weight of the meta-data entropy (0: none; only for a search whose modules are leaf
    modules: modules of nodes, not of modules). Where the meta categories are physical
    nodes (``units.meta_total`` 0), their codewords in the meta costs replace the units'
    own: the objective has no term per unit."""
    physical = meta_rate > 0 and units.meta_total == 0.0
    return SearchContext(
        parent_exit=np.zeros(1) if parent_exit is None else parent_exit,
        codeflow_plogp_sum=0.0 if physical else units.codeflow_plogp_sum,
        rng_state=np.array([(int(seed) * 2654435761 + 1) % 2**64], dtype=np.uint64),
        pool=pool,
        costs=M.ModuleCosts(
            float(module_cost), int(preferred_modules), float(meta_rate),
            units.n_meta if meta_rate > 0 else 0, units.meta_total,
        ),  # fmt: skip
    )
