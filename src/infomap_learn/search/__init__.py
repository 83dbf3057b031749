"""The search for the partition and module tree that minimise the map equation.

Two-level search (Infomap's core algorithm, as described in Rosvall & Bergstrom 2008 and
Edler, Bohlin & Rosvall 2017): every unit starts in a module of its own; units move in random
order to the neighbouring module that lowers the codelength most until a sweep gains too
little (the *core loop*); modules are then aggregated into units and the core loop runs again
on the module network, until nothing moves. A *tune loop* follows: fine-tuning moves single
nodes again, starting from the current modules, and coarse-tuning splits each module into
submodules and moves those between modules, each followed by more aggregation, while the
codelength keeps improving. Several trials with different seeds keep the best.

Hierarchical search, as the official Infomap's (Rosvall & Bergstrom 2011): after the
two-level partition, super-modules are searched for among the top modules (the module
network clustered again, each module coded by its enter flow) while that shortens the
index code. Only the coarsest level is kept: every top module is partitioned again from
its nodes (a two-level search under the module's exit flow, then super-modules inside it,
keeping their coarsest level), wherever that shortens the module's code, and so on down
level by level; all modules of a level are searched in one call. (Where the top modules are
the two-level modules, the last coarse tune has searched below them from singletons
already, and its submodules stand in for the first level's two-level search.) Beyond
Infomap's search, the finished tree is tuned: nodes move between sibling leaf modules, and
modules of modules are dissolved into their parents where that shortens the code.

The hot loops are numba kernels in ``_moves`` (local moves) and ``infomap_learn._kernels``
(aggregation, labels); this package orchestrates them: ``_units`` (units and module state),
``_two_level`` (core loop rounds and tuning; ``_tune`` runs a small search's in one kernel
call), ``_hierarchy`` (super-modules, recursion, tuning the finished tree), ``_dissolve``
(dissolving modules and single-child levels of a finished tree), ``_searched`` (the nodes
a search works on and their numbering: large networks module by module), ``_front``
(``infomap()``: validation, trials, threads) and ``_constants`` (tuning constants).
"""

from ..paths import canonical_paths  # its home until 2026-12; still importable
from . import _constants, _front, _hierarchy, _two_level, _units
from ._constants import *  # read-only copies: tests change search._constants
from ._dissolve import collapse_single_child_modules, dissolve_modules
from ._front import infomap
from ._hierarchy import (
    _add_super_modules,
    _coarsest_super_modules,
    _parent_codelengths,
    _recursive_partition,
    tune_leaf_modules,
)
from ._runs import _n_threads
from ._two_level import (
    _coarse_tune,
    _core,
    _find_modules_stepwise,
    _parent_groups,
    _runs_in_groups,
    find_modules,
    two_level_search,
)
from ._units import (
    SearchContext,
    Units,
    aggregate,
    codelength_of,
    leaf_units,
    module_exit_totals,
    module_totals,
    new_context,
)

__all__ = ["infomap"]
