"""``infomap()``: the front door of the search (options, trials, threads, the result)."""

from __future__ import annotations

import warnings
from concurrent.futures import Executor, ThreadPoolExecutor
from contextlib import nullcontext

import numpy as np

from ..flow import Flow, compute_flow
from ..mapequation import (
    Codelength,
    MetaData,
    entropy_correction_per_module,
    hierarchical_codelength,
    node_meta,
    one_level_codelength,
    two_level_codelength,
    with_meta,
    with_module_cost,
)
from ..network import Network
from ..options import SearchOptions, check_meta_data
from ..paths import prefix_keys
from ..tree import ModuleTree
from . import _constants as constants
from ._absorb import absorb_modules
from ._dissolve import collapse_single_child_modules, dissolve_modules
from ._hierarchy import (
    _add_super_modules,
    _recursive_partition,
    deferred_coarse_tune,
    tune_leaf_modules,
)
from ._leaf_flow import leaf_module_flow
from ._result import _result
from ._runs import _n_threads, _progress_bar, run_in_steps
from ._searched import (
    flow_moved,
    module_order,
    numbers_of,
    orders_by_modules,
    with_isolated_nodes,
    without_isolated_nodes,
)
from ._subtrees import best_subtrees
from ._two_level import find_modules, two_level_search
from ._units import (
    Units,
    leaf_units,
    new_context,
    pool_threads,
)


def infomap(
    network,
    *,
    two_level: bool = False,
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
    num_trials: int = 1,
    seed: int = 0,
    progress: bool | None = False,
    n_jobs: int | None = None,
    initial_partition=None,
    entropy_corrected: bool = False,
    entropy_correction_strength: float = 1.0,
    preferred_number_of_modules: int | None = None,
    meta_data=None,
    meta_data_rate: float = 1.0,
    meta_data_unweighted: bool = False,
    preferred_number_of_levels: int | None = None,
    preferred_number_of_levels_strength: float = 1.0,
    move_top_modules: bool = True,
):
    """Find the module tree of ``network`` that minimises the map equation.

    Parameters
    ----------
    network : Network
    two_level : bool, default False
        Only a partition into modules; by default a hierarchy of nested modules is
        searched for, as the official Infomap does.
    flow_model : {"undirected", "directed", "undirdir", "outdirdir", "rawdir", \
"precomputed"} or None
        None means "directed" for a directed network and "undirected" otherwise.
    teleportation_probability : float in [0, 1), default 0.15
    recorded_teleportation : bool, default False
    to_nodes : bool, default False
        Teleport to nodes (by the network's node weights) rather than to links.
    markov_time : float > 0, default 1.0
        Larger values give fewer, larger modules.
    use_node_weights_as_flow : bool, default False
        The network's node weights, normalised, are the node flow (Infomap's
        ``--use-node-weights-as-flow``); ``flow_model="precomputed"`` also takes the link
        weights as the link flows.
    regularized : bool, default False
        The regularized map equation (Infomap's ``--regularized``, Smiljanić et al. 2021):
        a Bayesian prior network of weak links between all nodes, walked as recorded
        teleportation, so that sparse or noisy networks get no spurious modules.
    regularization_strength : float > 0, default 1.0
        Scales the prior (Infomap's ``--regularization-strength``).
    variable_markov_time : bool, default False
        A local Markov time per link (Infomap's ``--variable-markov-time``): links around
        nodes of little flow are walked more often, so sparse parts of the network split
        less while dense parts keep their resolution (see
        :func:`~infomap_learn._variable_markov.variable_markov_scales`).
    variable_markov_damping : float in [0, 1], default 1.0
        The local scale from a node's effective degree (0) to its logarithm (1)
        (Infomap's ``--variable-markov-damping``).
    variable_markov_min_scale : float > 0, default 1.0
        The smallest local scale (Infomap's ``--variable-markov-min-scale``).
    bipartite_start_id : int >= 1 or None, default None
        A bipartite network: nodes from this index on are feature nodes, and every link
        joins a primary and a feature node (Infomap's ``*Bipartite`` section). As Infomap
        does, the feature nodes' visits go to the primary nodes they link, so only primary
        nodes are coded, and link flows double.
    skip_adjust_bipartite_flow : bool, default False
        Keep a bipartite network's flow as the flow model made it (Infomap's
        ``--skip-adjust-bipartite-flow``).
    bipartite_teleportation : bool, default False
        Infomap's ``--bipartite-teleportation``: with the directed model, a two-step walk
        from primary to feature to primary nodes that teleports to primary nodes only
        (feature nodes are not coded; it needs links back from the features); with the
        other models, their flow with the feature nodes coded. Link flows double.
    num_trials : int >= 1, default 1
        Independent searches; the shortest codelength wins.
    seed : int >= 0, default 0
        The same seed gives the same result.
    n_jobs : int or None, default None
        Threads, with scikit-learn's meaning: None is one thread (unless a
        ``joblib.parallel_config(n_jobs=...)`` context sets another number), -1 every
        core, -2 all but one. Trials run side by side (at most one thread per trial);
        threads left over search groups of modules for submodules at once and propose the
        moves of searches of 20,000 units or more side by side. The result is the same for
        any number of threads, except that one thread makes those moves one after another
        and ends at other modules (as short: within 0.1% on LFR graphs).
    progress : bool or None, default False
        Show a progress bar over trials and search stages on stderr (tqdm); None shows it
        only when stderr is a terminal.
    initial_partition : array of int, shape (n_nodes,), optional
        Module labels to start every trial's two-level search from instead of one module
        per node (Infomap's ``--cluster-data``): the search moves nodes and merges modules
        from there wherever that shortens the code, so the result is never longer than
        the start (a start that no single move improves, such as one module for all,
        stays). Any integer labels; a ``ModuleTree``'s ``labels`` for a tree.
    entropy_corrected : bool, default False
        Minimise (and report) the map equation with Infomap's entropy correction
        (``--entropy-corrected``): the small-sample bias of each codebook's entropy is
        added, ``strength / (2 T ln 2)`` bits per module with T the network's total
        degree, so that sparse networks get fewer spurious modules.
    entropy_correction_strength : float > 0, default 1.0
        Scales the correction (Infomap's ``--entropy-correction-strength``).
    preferred_number_of_modules : int >= 1 or None, default None
        Add one bit to the codelength per top module more or fewer than this (Infomap's
        ``--preferred-number-of-modules``): the search weighs it against the map
        equation, so the answer comes closer to (not always exactly to) this many modules.
    meta_data : array of shape (n_nodes,), optional
        A category per node (integers or strings): the map equation with meta data
        (Infomap's ``--meta-data``, Emmons & Mucha 2019) adds, for every leaf module, its
        nodes' weight times the entropy of their categories, so modules that mix
        categories cost more.
    meta_data_rate : float >= 0, default 1.0
        The weight of that term (Infomap's ``--meta-data-rate``).
    meta_data_unweighted : bool, default False
        Weigh each node's category by 1/n instead of by its flow (Infomap's
        ``--meta-data-unweighted``).
    preferred_number_of_levels : int >= 1 or None, default None
        A soft preference for the depth of the hierarchy, the leaf level counted
        (Infomap's ``--preferred-number-of-levels``): a super-module level or a split
        that makes the tree ``depth`` deep beyond the target must shorten the code by
        ``strength * (depth - target - 1/2) / ln 2`` bits more; below it, as in Infomap,
        a level is still taken only where it shortens the code. The codelength reported
        is the map equation's. No effect with ``two_level``.
    preferred_number_of_levels_strength : float >= 0, default 1.0
        Scales that preference (Infomap's ``--preferred-number-of-levels-strength``).
    move_top_modules : bool, default True
        The hierarchical search's last step moves a top module under a neighbouring top
        module of modules where that shortens the code; False keeps the top level that
        the two-level modules and their super-modules make, as Infomap's search does
        (longer codes, top modules nearer the classes of labelled data; the estimator's
        choice). Never with ``preferred_number_of_modules``.

    Returns
    -------
    ModuleTree
        With ``codelength``, ``labels``, ``multilevel_labels``, ``num_top_modules``,
        ``num_levels`` and writers for Infomap's file formats.

    Examples
    --------
    >>> import numpy as np
    >>> from infomap_learn import Network, infomap
    >>> edges = np.array([[0, 1], [1, 2], [2, 0], [3, 4], [4, 5], [5, 3], [2, 3]])
    >>> tree = infomap(Network.from_edges(edges), two_level=True)
    >>> round(tree.codelength, 5), tree.labels.tolist()
    (2.32073, [0, 0, 0, 1, 1, 1])
    """
    if not isinstance(network, Network):
        raise TypeError(f"network must be a Network, got {type(network).__name__}")
    options = SearchOptions(
        two_level=two_level,
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
        num_trials=num_trials,
        seed=seed,
        progress=progress,
        n_jobs=n_jobs,
        entropy_corrected=entropy_corrected,
        entropy_correction_strength=entropy_correction_strength,
        preferred_number_of_modules=preferred_number_of_modules,
        meta_data_rate=meta_data_rate,
        meta_data_unweighted=meta_data_unweighted,
        preferred_number_of_levels=preferred_number_of_levels,
        preferred_number_of_levels_strength=preferred_number_of_levels_strength,
        move_top_modules=move_top_modules,
    )  # every option checked here, once, by name
    if network.n_links == 0 and network.n_nodes > 1 and not options.regularized:
        warnings.warn(
            f"the network has {network.n_nodes} nodes and no links: each node is a module "
            "of its own",
            UserWarning,
            stacklevel=2,
        )
    initial = _check_initial_partition(initial_partition, network.n_nodes)
    categories = check_meta_data(meta_data, network.n_nodes)
    try:
        return _search(network, options, initial, categories)
    except MemoryError as error:
        raise MemoryError(
            f"not enough memory to search a network of {network.n_nodes} nodes and "
            f"{network.n_links} links (node ids are indices: is the largest id intended?)"
        ) from error


def _leaf_units(flow: Flow, meta: MetaData | None) -> Units:
    """The search's units of ``flow``'s nodes with their meta data (physical nodes:
    ``meta_total`` 0, see :class:`Units`)."""
    if meta is None:
        return leaf_units(flow)
    return leaf_units(flow, (meta.categories, meta.weights), 0.0 if meta.physical else 1.0)


def _check_initial_partition(labels, n_nodes: int) -> np.ndarray | None:
    """Labels as module ids 0..k-1 (None passes), or a ValueError naming the problem."""
    if labels is None:
        return None
    array = np.asarray(labels)
    if array.shape != (n_nodes,) or array.dtype.kind not in "iub":
        raise ValueError(
            f"initial_partition must be {n_nodes} integer module labels, one per node; got "
            f"shape {array.shape} and dtype {array.dtype}"
        )
    return np.unique(array, return_inverse=True)[1].astype(np.int64).ravel()


def _search(
    network: Network,
    options: SearchOptions,
    initial: np.ndarray | None = None,
    categories: np.ndarray | None = None,
) -> ModuleTree:
    """The trials of :func:`infomap` on validated options, and the best tree."""
    two_level, num_trials, seed = options.two_level, options.num_trials, options.seed
    full_flow = compute_flow(network, **vars(options.flow))
    full_meta = node_meta(
        categories, full_flow.node_flow, options.meta_data_rate, options.meta_data_unweighted,
        network.physical_ids,
    )  # fmt: skip
    # nodes without links or flow never move: the search runs without them, and each is
    # put in a module of its own afterwards (a graph of sparse ids costs its links only)
    flow, searched = without_isolated_nodes(full_flow)
    n_searched = flow.n_nodes
    # (a node left out of the search is a module of its own: its meta term is zero)
    meta = (
        full_meta if full_meta is None or searched is None
        else full_meta._replace(
            categories=full_meta.categories[searched], weights=full_meta.weights[searched]
        )
    )  # fmt: skip
    meta_rate = meta.rate if meta is not None else 0.0
    cost = (
        entropy_correction_per_module(network, options.entropy_correction_strength)
        if options.entropy_corrected
        else 0.0
    )  # bits per module
    preferred = options.preferred_number_of_modules or 0
    if n_searched < 2:
        best = np.zeros((n_searched, 1), dtype=np.int64)
        best = with_isolated_nodes(best, searched, full_flow.n_nodes)
        return _result(network, full_flow, best, options, module_cost=cost, meta=full_meta)
    if preferred and searched is not None:
        # the nodes left out of the search are top modules of their own
        preferred = max(preferred - (full_flow.n_nodes - n_searched), 1)
    if initial is not None and searched is not None:
        initial = np.unique(initial[searched], return_inverse=True)[1].astype(np.int64)
    leaf = _leaf_units(flow, meta)
    one_level = with_meta(
        with_module_cost(
            Codelength(one_level_codelength(flow), 0.0, 0.0), np.zeros((n_searched, 1)), cost,
            preferred,
        ),
        np.zeros(n_searched, dtype=np.int64),
        meta,
    ).codelength  # (one module)
    n_threads, group_threads = _n_threads(options.n_jobs, int(num_trials))
    strength = options.preferred_number_of_levels_strength
    # (a preference of strength 0 is none)
    levels = ((options.preferred_number_of_levels or 0) if strength > 0 else 0, strength)

    # As Infomap's first core loop, units stay in a module once it holds others: in the
    # two-level search of a state network and of a large first-order network, and in the
    # top search of a multilevel search of a larger one; large first-order networks also
    # tune the multilevel search's top search further and tune every level of its
    # recursion from the modules the level above found (see _constants)
    state_network = meta is not None and meta.physical
    large_plain = meta is None and not preferred
    settle_from = (
        constants.SETTLE_JOINED_MIN_NODES if two_level else constants.HIERARCHY_SETTLE_MIN_NODES
    )
    settle_joined = initial is None and (
        (two_level and bool(constants.SETTLE_JOINED_STATES) and state_network)
        or (large_plain and n_searched >= settle_from)
    )  # fmt: skip
    large_hierarchy = large_plain and n_searched >= constants.HIERARCHY_LARGE_MIN_NODES
    # (a large search that settles its first step settles its fast coarse tunes as well)
    settle_fast_coarse = (
        settle_joined and n_searched >= constants.SETTLE_JOINED_MIN_NODES
        and bool(constants.SETTLE_FAST_COARSE_TUNE)
    )  # fmt: skip

    def scored(tree_paths: np.ndarray) -> float:
        """The codelength of a tree of the searched nodes, every term of the objective."""
        return with_meta(
            with_module_cost(
                hierarchical_codelength(flow, tree_paths), tree_paths, cost, preferred
            ),
            tree_paths,
            meta,
        ).codelength

    def finished(tree: np.ndarray, trial_seed: int, group_pool: Executor | None):
        """The recursion's tree with its leaf modules tuned, modules dissolved where that
        shortens the code, and modules moved under their siblings."""
        if tree.shape[1] == 1:
            # the top search's tuned modules, and no module of modules to dissolve or move
            # (building the network of leaf modules for nothing: 3% of LFR 100k's time)
            return tree
        tree = tune_leaf_modules(leaf, flow, tree, trial_seed, group_pool, cost, meta_rate)
        # (the moves below keep the leaf modules: they run on the network of those)
        small, leaf_of, tree = leaf_module_flow(flow, tree, pool_threads(group_pool))
        if not levels[0]:  # (dissolving would undo levels taken for the preference)
            tree = dissolve_modules(small, tree, cost, preferred)
        tree = collapse_single_child_modules(tree)
        top_moves = options.move_top_modules and not preferred
        if not levels[0] and tree.shape[1] > (1 if top_moves else 2):
            # (its moves keep the leaf modules, and the top ones unless asked: every term
            # shortens or stays)
            tree = absorb_modules(small, tree, top_level=top_moves)
        return tree[leaf_of]

    def _trial_tree(
        trial_seed: int, group_pool: Executor | None, top_preferred: int,
        super_preferred: int | None = None, top_searches: dict | None = None,
    ):  # fmt: skip
        """One trial's tree and its codelength (a generator's return value: it pauses
        between the top levels and the search below them); ``top_preferred`` biases the
        top search, ``super_preferred`` (default: the preferred number) the search for
        super-modules above it. ``top_searches``: the trial's top searches by their
        ``top_preferred``, shared by its routes (the same search with the same seed)."""
        if super_preferred is None:
            super_preferred = preferred
        found = None if top_searches is None else top_searches.get(top_preferred)
        full_tune = two_level or n_searched <= constants.HIERARCHY_FULL_TUNE_MAX_NODES
        if full_tune:
            tune_limit = constants.TUNE_ITERATION_LIMIT
        elif meta is not None:
            tune_limit = constants.HIERARCHY_META_TOP_TUNE_LIMIT
        elif large_hierarchy:
            tune_limit = constants.HIERARCHY_LARGE_TOP_TUNE_LIMIT
        else:
            tune_limit = constants.HIERARCHY_TOP_TUNE_LIMIT
        if state_network and n_searched > constants.HIERARCHY_FULL_TUNE_MAX_NODES:
            tune_limit = min(tune_limit, constants.STATE_TUNE_ITERATION_LIMIT)
        if found is None:
            # (the first trial's first step may have run already: see the trials below)
            ctx, first = first_steps.pop((trial_seed, top_preferred), (None, None))
            if ctx is None:
                ctx = new_context(
                    leaf, trial_seed, pool=group_pool, module_cost=cost,
                    preferred_modules=top_preferred, meta_rate=meta_rate,
                )  # fmt: skip
            found = two_level_search(
                leaf, ctx, tune_limit=tune_limit, keep_submodules=True,
                initial=None if initial is None else initial.copy(),
                settle_joined=settle_joined and first is None, first_modules=first,
                settle_fast_coarse=settle_fast_coarse,
            )  # fmt: skip
            if top_searches is not None:
                top_searches[top_preferred] = found
            if not two_level:
                yield
        labels, top_length, submodules = found
        scored_in_full = top_preferred == preferred  # (the search's objective is the tree's)
        if two_level and preferred and not top_preferred and int(labels.max()) + 1 > 2:
            # the unbiased modules grouped under the penalty, then tuned under it
            grouped = _add_super_modules(leaf, labels[:, None], trial_seed, None, cost, preferred)
            if grouped.shape[1] > 1:
                biased = new_context(
                    leaf, trial_seed, pool=group_pool, module_cost=cost,
                    preferred_modules=preferred, meta_rate=meta_rate,
                )  # fmt: skip
                labels, top_length = two_level_search(
                    leaf, biased, tune_limit=tune_limit, initial=grouped[:, 0].copy()
                )
                scored_in_full = True
        paths = labels[:, None]
        grouped_tree = None
        n_top = int(labels.max()) + 1
        if not two_level and 1 < n_top < n_searched:
            # As Infomap: super-modules above the modules, then only the coarsest level is
            # kept and everything below it searched again, module by module; then the
            # whole tree is tuned (leaf modules, dissolved modules).
            paths = _add_super_modules(
                leaf, paths, trial_seed, group_pool, cost, super_preferred, levels
            )
            if paths.shape[1] == 1 and not full_tune and submodules is None:
                # (with super-modules the recursion searches below them from single nodes,
                # and the top search's coarse tune would be lost: it runs only now)
                tuned, top_length, submodules = deferred_coarse_tune(
                    leaf, labels, top_length, trial_seed + constants.ROUND_STRIDE,
                    group_pool, cost, top_preferred, meta_rate,
                )  # fmt: skip
                if tuned is not labels:  # (new top modules: super-modules searched again)
                    labels = tuned
                    paths = _add_super_modules(
                        leaf, labels[:, None], trial_seed, group_pool, cost, super_preferred,
                        levels,
                    )  # fmt: skip
            yield  # (a step of the trial ends: see _runs.run_in_steps)
            # (the super-modules over the trial's modules: a tree the rest must improve on)
            grouped_tree = paths if paths.shape[1] > 1 else None
            if paths.shape[1] > 1:
                submodules = None  # they lie under other modules than the top ones
            searched = _recursive_partition(
                leaf, paths[:, 0], trial_seed, group_pool, submodules, cost, meta_rate, levels,
                reuse="tuned" if large_hierarchy else "as found",
            )
            yield
            paths = finished(searched, trial_seed, group_pool)
            if meta is not None and not meta.physical and grouped_tree is not None:
                # The meta term pulls a search from single nodes towards modules of one
                # category across the links' modules; the recursion from the grouped
                # modules keeps those: each top module takes the shorter subtree, and
                # the finished tree is kept if shorter.
                kept = _recursive_partition(
                    leaf, grouped_tree[:, 0], trial_seed, group_pool,
                    prefix_keys(grouped_tree[:, :2])[1], cost, meta_rate, levels,
                )  # fmt: skip
                mixed = best_subtrees(flow, searched, kept, meta, cost)
                if mixed is not searched:
                    mixed = finished(mixed, trial_seed, group_pool)
                    if scored(mixed) < scored(paths) - 1e-12:
                        paths = mixed
        if scored_in_full and paths.shape[1] == 1 and np.array_equal(paths[:, 0], labels):
            # the search's own codelength of its modules (its objective lacks only the
            # nodes' share of the entropy correction); small networks spend a third of
            # their time recomputing it otherwise
            return paths, float(top_length) + cost * (n_searched - 1)
        length = scored(paths)
        if paths.shape[1] > 1 or not np.array_equal(paths[:, 0], labels):
            flat = (
                float(top_length) + cost * (n_searched - 1)
                if scored_in_full
                else with_meta(
                    with_module_cost(
                        two_level_codelength(flow, labels), labels[:, None], cost, preferred
                    ),
                    labels,
                    meta,
                ).codelength
            )
            if length > flat and not levels[0]:
                # the greedy hierarchy can end above the trial's own modules: keep those
                # (unless a preferred depth asked for its levels at some cost)
                paths, length = labels[:, None], flat
            if grouped_tree is not None and not levels[0]:
                # ... or above those modules under their super-modules (the recursion
                # searches every module again from its nodes, and can end worse)
                grouped_tree = collapse_single_child_modules(grouped_tree)
                grouped = scored(grouped_tree)
                if grouped < length - 1e-12:
                    paths, length = grouped_tree, grouped
        return paths, length

    def run_trial(trial: int, group_pool: Executor | None):
        """One trial, in steps (a generator returning its tree and codelength)."""
        trial_seed = int(seed) * constants.SEED_STRIDE + trial
        paths, length = yield from _trial_tree(trial_seed, group_pool, preferred)
        if preferred:
            # Infomap's other way to a preferred number of top modules: the modules of the
            # unbiased search, grouped under the penalty into super-modules
            top_searches: dict = {}
            other = yield from _trial_tree(trial_seed, group_pool, 0, None, top_searches)
            if other[1] < length - 1e-12:
                paths, length = other
            if not two_level:
                # ... and a third: the unbiased hierarchy, whose top modules the finished
                # tree dissolves as the penalty asks (_dissolve.top_set_deltas): a group
                # opened into its submodules where pairs merged under the penalty would
                # stop at a worse top level
                third = yield from _trial_tree(trial_seed, group_pool, 0, 0, top_searches)
                if third[1] < length - 1e-12:
                    paths, length = third
        if length > one_level:
            # a greedy search can end above the trivial solution on small networks; like
            # Infomap, never return more than the one-level codelength
            paths, length = np.zeros((n_searched, 1), dtype=np.int64), one_level
        return paths, length

    group_threads_context = (
        ThreadPoolExecutor(group_threads) if group_threads > 1 else nullcontext(None)
    )
    first_steps: dict = {}  # (trial seed, preferred) -> context, modules found
    n_nodes = full_flow.n_nodes
    with group_threads_context as group_pool, _progress_bar(num_trials, options.progress) as bar:
        threads = pool_threads(group_pool)
        if orders_by_modules(n_searched, initial is None):
            # The first trial's first step, then everything numbered by its modules
            # (_searched); the flows' arrays are released as they are renumbered.
            first_seed = int(seed) * constants.SEED_STRIDE  # (run_trial's seed of trial 0)
            ctx = new_context(
                leaf, first_seed, pool=group_pool, module_cost=cost,
                preferred_modules=preferred, meta_rate=meta_rate,
            )  # fmt: skip
            labels, length = find_modules(leaf, ctx, settle_joined=settle_joined)
            order = module_order(labels)
            first_steps[first_seed, preferred] = (ctx, [labels[order], length])
            del labels
            holder, flow, full_flow, leaf = [flow], None, None, None
            flow = flow_moved(holder, numbers_of(order), n_searched, threads)
            if meta is not None:
                meta = meta._replace(categories=meta.categories[order], weights=meta.weights[order])
            leaf = _leaf_units(flow, meta)
            searched = order if searched is None else searched[order]
        # Trials share no state: each has its own seed, and the best is chosen in trial
        # order, so the result does not depend on the number of threads. The kernels
        # release the GIL, so trials run side by side, step by step (run_in_steps).
        results = run_in_steps(
            [run_trial(trial, group_pool) for trial in range(int(num_trials))], n_threads,
            lambda: bar.update(1),
        )  # fmt: skip
    if full_flow is None:  # (the tree is made on the flow in the network's numbering)
        holder, flow, leaf = [flow], None, None
        full_flow = flow_moved(holder, searched, n_nodes, threads)
    best_paths, best_length = results[0]
    for paths, length in results[1:]:
        if length < best_length - 1e-12:
            best_paths, best_length = paths, length
    best_paths = with_isolated_nodes(best_paths, searched, n_nodes)
    # (each node left out of the search is a module of its own: a module and a node more)
    isolated = 2 * cost * (n_nodes - n_searched)
    trial_lengths = tuple(float(length) + isolated for _, length in results)
    n_isolated = n_nodes - n_searched
    if preferred and n_isolated >= (options.preferred_number_of_modules or 0):
        # (the search's preferred count was clamped: its lengths are not the tree's)
        trial_lengths = ()
    return _result(network, full_flow, best_paths, options, trial_lengths, cost, full_meta)
