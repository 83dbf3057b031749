"""The options of a search, declared and validated in one place.

:class:`FlowOptions` are the flow model's options (read by :func:`~infomap_learn.compute_flow`),
:class:`SearchOptions` everything :func:`~infomap_learn.infomap` takes besides the network
(the flow options included). Both are frozen dataclasses that check every value once, with
the parameter's name in the error; the front doors (the igraph, networkx and scanpy adapters)
read the option names from here instead of re-listing them.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

__all__ = ["FLOW_MODELS", "FlowOptions", "SearchOptions", "check_n_jobs"]

FLOW_MODELS = ("undirected", "directed", "undirdir", "outdirdir", "rawdir", "precomputed")


def _is_int(value: Any) -> bool:
    return isinstance(value, (numbers.Integral, np.integer)) and not isinstance(
        value, (bool, np.bool_)
    )


def _check_bool(name: str, value: Any, allow_none: bool = False) -> bool | None:
    if value is None and allow_none:
        return None
    if not isinstance(value, (bool, np.bool_)):
        also = " or None" if allow_none else ""
        raise ValueError(f"{name} must be True or False{also}, got {value!r}")
    return bool(value)


def _positive_finite(name: str, value: Any) -> float:
    """``value`` as a float, or a ValueError naming ``name`` if it is not a positive
    finite number."""
    number = _as_real(value)
    if not 0.0 < number < np.inf:
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    return number


def _as_real(value: Any) -> float:
    """``value`` as a float, or NaN (which fails every range check) for anything that is no
    real number: a bool, a string, None."""
    ok = isinstance(value, (numbers.Real, np.floating, np.integer)) and not isinstance(
        value, (bool, np.bool_)
    )
    return float(value) if ok else float("nan")


def check_n_jobs(n_jobs: Any) -> int | None:
    """``n_jobs`` checked: None or a non-zero integer (scikit-learn's meaning).

    Examples
    --------
    >>> check_n_jobs(-1), check_n_jobs(None)
    (-1, None)
    """
    if n_jobs is not None and (not _is_int(n_jobs) or n_jobs == 0):
        raise ValueError(
            "n_jobs must be None or a non-zero integer (scikit-learn's meaning: None is 1, "
            f"-1 every core, -2 all but one), got {n_jobs!r}"
        )
    return None if n_jobs is None else int(n_jobs)


@dataclass(frozen=True)
class FlowOptions:
    """How the random walk moves: the options of :func:`~infomap_learn.compute_flow`.

    Parameters
    ----------
    flow_model : {"undirected", "directed", "undirdir", "outdirdir", "rawdir", \
"precomputed"} or None
        None means "directed" for a directed network and "undirected" otherwise;
        "precomputed": the node weights are the node flow and the link weights the link
        flows, as given (Infomap's ``--flow-model precomputed``).
    teleportation_probability : float in [0, 1), default 0.15
        Used by the directed model only.
    recorded_teleportation : bool, default False
        Encode teleportation steps too (directed model only).
    to_nodes : bool, default False
        Teleport to nodes (by the network's node weights) rather than to links.
    markov_time : float > 0, default 1.0
        Scales all link flows: larger values give fewer, larger modules.
    use_node_weights_as_flow : bool, default False
        The node weights, normalised, are the node flow (uniform without node weights);
        the link flows come from the flow model (Infomap's ``--use-node-weights-as-flow``).
    regularized : bool, default False
        The regularized map equation (Infomap's ``--regularized``): a Bayesian prior
        network of weak links between all nodes, walked as recorded teleportation, so
        that sparse or noisy networks get no spurious modules (undirected and directed
        flow models).
    regularization_strength : float > 0, default 1.0
        Scales the prior (Infomap's ``--regularization-strength``).
    variable_markov_time : bool, default False
        A local Markov time per link (Infomap's ``--variable-markov-time``): link flows
        are scaled up around nodes of little flow, so that sparse parts of the network
        split less while dense parts keep their resolution (see
        :func:`~infomap_learn._variable_markov.variable_markov_scales`).
    variable_markov_damping : float in [0, 1], default 1.0
        From the local effective degree (0: linear) to its logarithm (1), Infomap's
        ``--variable-markov-damping``.
    variable_markov_min_scale : float > 0, default 1.0
        The smallest local scale (Infomap's ``--variable-markov-min-scale``).
    bipartite_start_id : int >= 1 or None, default None
        A bipartite network: nodes from this index on are feature nodes, every link joins
        a primary node and a feature node (Infomap's ``*Bipartite`` section). As Infomap
        does, the walk's visits to feature nodes are given to the primary nodes they link
        (so only primary nodes are coded), and link flows double (two steps of the walk
        between primary nodes are one Markov time).
    skip_adjust_bipartite_flow : bool, default False
        Keep the flow of a bipartite network as the flow model made it (Infomap's
        ``--skip-adjust-bipartite-flow``).
    bipartite_teleportation : bool, default False
        Infomap's ``--bipartite-teleportation``: with the directed model, a two-step walk
        from primary to feature to primary nodes that teleports to primary nodes only
        (it needs links back from the features); with the other models, the model's flow
        with feature nodes coded. Link flows double either way.

    Examples
    --------
    >>> FlowOptions(markov_time=2).markov_time
    2.0
    >>> FlowOptions(flow_model=None).resolved_model(directed=True)
    'directed'
    >>> FlowOptions(markov_time="2")
    Traceback (most recent call last):
    ...
    ValueError: markov_time must be a positive finite number, got '2'
    """

    flow_model: str | None = None
    teleportation_probability: float = 0.15
    recorded_teleportation: bool = False
    to_nodes: bool = False
    markov_time: float = 1.0
    use_node_weights_as_flow: bool = False
    regularized: bool = False
    regularization_strength: float = 1.0
    variable_markov_time: bool = False
    variable_markov_damping: float = 1.0
    variable_markov_min_scale: float = 1.0
    bipartite_start_id: int | None = None
    skip_adjust_bipartite_flow: bool = False
    bipartite_teleportation: bool = False

    def __post_init__(self) -> None:
        if self.flow_model is not None and self.flow_model not in FLOW_MODELS:
            raise ValueError(
                f"flow_model must be one of {FLOW_MODELS} or None, got {self.flow_model!r}"
            )
        alpha = _as_real(self.teleportation_probability)
        if not 0.0 <= alpha < 1.0:
            raise ValueError(
                "teleportation_probability must be in [0, 1), got "
                f"{self.teleportation_probability!r}"
            )
        object.__setattr__(self, "teleportation_probability", alpha)
        for name in ("markov_time", "regularization_strength", "variable_markov_min_scale"):
            object.__setattr__(self, name, _positive_finite(name, getattr(self, name)))
        damping = _as_real(self.variable_markov_damping)
        if not 0.0 <= damping <= 1.0:
            raise ValueError(
                "variable_markov_damping must be in [0, 1], got "
                f"{self.variable_markov_damping!r}"
            )
        object.__setattr__(self, "variable_markov_damping", damping)
        if self.regularized is True and self.flow_model not in (None, "undirected", "directed"):
            raise ValueError(
                f"regularized=True needs the undirected or directed flow model, got "
                f"flow_model={self.flow_model!r}"
            )
        start = self.bipartite_start_id
        if start is not None:
            if not _is_int(start) or start < 1:
                raise ValueError(
                    f"bipartite_start_id must be a positive integer or None, got {start!r}"
                )
            object.__setattr__(self, "bipartite_start_id", int(start))
            if self.bipartite_teleportation is True and self.regularized is True:
                raise ValueError(
                    "bipartite_teleportation=True cannot be combined with regularized=True"
                )
            if (self.recorded_teleportation or self.regularized) and not (
                self.skip_adjust_bipartite_flow or self.bipartite_teleportation is True
            ):
                raise ValueError(
                    "bipartite_start_id cannot be combined with recorded teleportation or "
                    "regularized=True (unless skip_adjust_bipartite_flow=True or, for "
                    "recorded teleportation, bipartite_teleportation=True)"
                )
        elif self.bipartite_teleportation is True:
            raise ValueError(
                "bipartite_teleportation=True needs a bipartite network: set "
                "bipartite_start_id (the index of the first feature node)"
            )
        for name in (
            "recorded_teleportation", "to_nodes", "use_node_weights_as_flow", "regularized",
            "variable_markov_time", "skip_adjust_bipartite_flow", "bipartite_teleportation",
        ):
            object.__setattr__(self, name, _check_bool(name, getattr(self, name)))

    def resolved_model(self, directed: bool) -> str:
        """The flow model's name, None resolved by the network's direction.

        Examples
        --------
        >>> FlowOptions().resolved_model(directed=False)
        'undirected'
        >>> FlowOptions(flow_model="rawdir").resolved_model(directed=False)
        'rawdir'
        """
        if self.flow_model is not None:
            return self.flow_model
        return "directed" if directed else "undirected"


@dataclass(frozen=True)
class SearchOptions(FlowOptions):
    """Everything :func:`~infomap_learn.infomap` takes besides the network.

    Parameters
    ----------
    flow_model, teleportation_probability, recorded_teleportation, to_nodes, markov_time, \
use_node_weights_as_flow, regularized, regularization_strength, variable_markov_time, \
variable_markov_damping, variable_markov_min_scale, bipartite_start_id, \
skip_adjust_bipartite_flow
        As in :class:`FlowOptions`.
    two_level : bool, default False
        Only a partition into modules, no hierarchy.
    num_trials : int >= 1, default 1
        Independent searches; the shortest codelength wins.
    seed : int >= 0, default 0
        The same seed gives the same result.
    progress : bool or None, default False
        A progress bar on stderr; None: only when stderr is a terminal.
    n_jobs : int or None, default None
        Threads, scikit-learn's meaning: None is one (unless a joblib context says
        otherwise), -1 every core, -2 all but one; never 0.
    entropy_corrected : bool, default False
        Correct the small-sample bias of the map equation's entropy terms (Infomap's
        ``--entropy-corrected``): each codebook of K codewords adds ``(K - 1) * strength
        / (2 T ln 2)`` bits, T the network's total weighted degree (its total degree
        when that is larger), so every module costs ``strength / (2 T ln 2)`` bits.
    entropy_correction_strength : float > 0, default 1.0
        The ``strength`` of the correction (Infomap's ``--entropy-correction-strength``).
    preferred_number_of_levels : int >= 1 or None, default None
        A soft preference for the depth of the hierarchy, the leaf nodes' level counted
        (Infomap's ``--preferred-number-of-levels``): a super-module level or a split of
        the hierarchical search that makes the tree ``depth`` deep beyond the target must
        shorten the code by ``strength * (depth - target - 1/2) / ln 2`` bits more (the
        log-odds of a prior on the depth), and the steps that only shorten the code
        (dissolving modules, falling back to flat modules) are left out. The codelength
        reported is the map equation's; no effect with ``two_level``. As in Infomap,
        steering to a shallower tree is reliable, deeper only as deep as the codelength
        allows.
    preferred_number_of_levels_strength : float >= 0, default 1.0
        Scales that preference (0: none), Infomap's
        ``--preferred-number-of-levels-strength``.
    meta_data_rate : float >= 0, default 1.0
        With meta data (``infomap(meta_data=...)``), the rate at which they are encoded
        (Infomap's ``--meta-data-rate``): the weight of the meta-data entropy.
    meta_data_unweighted : bool, default False
        Weigh every node's meta data alike (1/n) instead of by its flow (Infomap's
        ``--meta-data-unweighted``).
    preferred_number_of_modules : int >= 1 or None, default None
        Add one bit per top module more or fewer than this (Infomap's
        ``--preferred-number-of-modules``), which steers the search towards it.
    move_top_modules : bool, default True
        Let the hierarchical search move a top module under a neighbouring top module of
        modules where that shortens the code (the last step of a trial, beyond
        Infomap's). False keeps the top level as the two-level modules and their
        super-modules make it, as Infomap's does: longer codes, but top modules nearer
        the classes of labelled data (:class:`~infomap_learn.InfoMapClustering` uses it).
        Never with a preferred number of modules (the moves change their count).

    Examples
    --------
    >>> SearchOptions(num_trials=3, two_level=True).num_trials
    3
    >>> SearchOptions(two_level="no")
    Traceback (most recent call last):
    ...
    ValueError: two_level must be True or False, got 'no'
    >>> "markov_time" in SearchOptions.names()
    True
    """

    two_level: bool = False
    num_trials: int = 1
    seed: int = 0
    progress: bool | None = False
    n_jobs: int | None = None
    entropy_corrected: bool = False
    entropy_correction_strength: float = 1.0
    preferred_number_of_modules: int | None = None
    meta_data_rate: float = 1.0
    meta_data_unweighted: bool = False
    preferred_number_of_levels: int | None = None
    preferred_number_of_levels_strength: float = 1.0
    move_top_modules: bool = True

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "two_level", _check_bool("two_level", self.two_level))
        object.__setattr__(
            self, "progress", _check_bool("progress", self.progress, allow_none=True)
        )
        if not _is_int(self.num_trials) or self.num_trials < 1:
            raise ValueError(f"num_trials must be an integer >= 1, got {self.num_trials!r}")
        if not _is_int(self.seed) or self.seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {self.seed!r}")
        object.__setattr__(self, "num_trials", int(self.num_trials))
        object.__setattr__(self, "seed", int(self.seed))
        object.__setattr__(self, "n_jobs", check_n_jobs(self.n_jobs))
        object.__setattr__(
            self, "entropy_corrected", _check_bool("entropy_corrected", self.entropy_corrected)
        )
        strength = _positive_finite(
            "entropy_correction_strength", self.entropy_correction_strength
        )
        object.__setattr__(self, "entropy_correction_strength", strength)
        for name in ("preferred_number_of_modules", "preferred_number_of_levels"):
            value = getattr(self, name)
            if value is not None:
                if not _is_int(value) or value < 1:
                    raise ValueError(
                        f"{name} must be a positive integer or None, got {value!r}"
                    )
                object.__setattr__(self, name, int(value))
        level_strength = _as_real(self.preferred_number_of_levels_strength)
        if not 0.0 <= level_strength < np.inf:
            raise ValueError(
                "preferred_number_of_levels_strength must be a non-negative finite number, "
                f"got {self.preferred_number_of_levels_strength!r}"
            )
        object.__setattr__(self, "preferred_number_of_levels_strength", level_strength)
        rate = _as_real(self.meta_data_rate)
        if not 0.0 <= rate < np.inf:
            raise ValueError(
                f"meta_data_rate must be a non-negative finite number, got {self.meta_data_rate!r}"
            )
        object.__setattr__(self, "meta_data_rate", rate)
        object.__setattr__(
            self,
            "meta_data_unweighted",
            _check_bool("meta_data_unweighted", self.meta_data_unweighted),
        )
        object.__setattr__(
            self, "move_top_modules", _check_bool("move_top_modules", self.move_top_modules)
        )

    @classmethod
    def names(cls) -> tuple[str, ...]:
        """The option names, in declaration order (the flow options first).

        Examples
        --------
        >>> SearchOptions.names()[14:19]  # after the fourteen flow options
        ('two_level', 'num_trials', 'seed', 'progress', 'n_jobs')
        """
        return tuple(f.name for f in fields(cls))

    @property
    def flow(self) -> FlowOptions:
        """The flow options alone."""
        return FlowOptions(**{f.name: getattr(self, f.name) for f in fields(FlowOptions)})


def check_meta_data(meta_data, n_nodes: int) -> np.ndarray | None:
    """The meta-data categories numbered 0..C-1, or a ValueError naming what is wrong.

    Examples
    --------
    >>> check_meta_data(["b", "a", "b"], 3).tolist()
    [1, 0, 1]
    """
    if meta_data is None:
        return None
    array = np.asarray(meta_data)
    if array.shape != (n_nodes,) or not (
        np.issubdtype(array.dtype, np.integer) or array.dtype.kind in "USO"
    ):
        raise ValueError(
            f"meta_data must be {n_nodes} categories (integers or strings), one per node; "
            f"got shape {array.shape} and dtype {array.dtype}"
        )
    try:
        return np.unique(array, return_inverse=True)[1].astype(np.int64).ravel()
    except TypeError as error:  # (an object array mixing kinds)
        raise ValueError(f"meta_data categories must be comparable: {error}") from None
