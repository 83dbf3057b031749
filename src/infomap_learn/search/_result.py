"""The ModuleTree a search returns: its paths on the whole network's flow, and the record
of the options that made it (``ModuleTree.options``)."""

from __future__ import annotations

import numpy as np

from ..mapequation import MetaData
from ..network import Network
from ..options import SearchOptions
from ..tree import ModuleTree


def _result(
    network: Network,
    flow,
    paths: np.ndarray,
    options: SearchOptions,
    trial_codelengths: tuple[float, ...] = (),
    module_cost: float = 0.0,
    meta: MetaData | None = None,
) -> ModuleTree:
    """The ModuleTree of ``paths`` on the whole network's flow, with the run's options."""
    return ModuleTree.from_paths(
        flow,
        paths,
        node_names=network.node_names,
        meta=meta, physical_ids=network.physical_ids, layer_ids=network.layer_ids,
        physical_names=network.physical_names,
        trial_codelengths=trial_codelengths,
        module_cost=module_cost,
        preferred_modules=options.preferred_number_of_modules or 0,
        options={
            "two_level": options.two_level,
            "flow_model": flow.flow_model,
            "teleportation_probability": options.teleportation_probability,
            "recorded_teleportation": options.recorded_teleportation,
            "to_nodes": options.to_nodes,
            "markov_time": options.markov_time,
            "num_trials": options.num_trials,
            "seed": options.seed,
            "directed": network.directed,
            **(
                {"bipartite_start_id": options.bipartite_start_id}
                if options.bipartite_start_id is not None
                else {}
            ),
            **(
                {"regularized": True, "regularization_strength": options.regularization_strength}
                if options.regularized
                else {}
            ),
            **(
                {
                    "variable_markov_time": True,
                    "variable_markov_damping": options.variable_markov_damping,
                    "variable_markov_min_scale": options.variable_markov_min_scale,
                }
                if options.variable_markov_time
                else {}
            ),
            **(
                {"entropy_correction_strength": options.entropy_correction_strength}
                if options.entropy_corrected
                else {}
            ),
            **(
                {
                    "preferred_number_of_levels": options.preferred_number_of_levels,
                    "preferred_number_of_levels_strength": (
                        options.preferred_number_of_levels_strength
                    ),
                }
                if options.preferred_number_of_levels
                else {}
            ),
            **(
                {
                    "meta_data_rate": meta.rate,
                    "meta_data_unweighted": options.meta_data_unweighted,
                }
                if meta is not None and not meta.physical
                else {}
            ),
            **(
                {"preferred_number_of_modules": options.preferred_number_of_modules}
                if options.preferred_number_of_modules
                else {}
            ),
            **({} if options.move_top_modules else {"move_top_modules": False}),
        },
    )
