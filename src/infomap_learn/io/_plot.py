"""The module tree as an icicle plot (matplotlib): one row per module level, top modules
first, each module a bar as wide as its flow and placed under its parent, so the hierarchy
reads like a dendrogram turned on its side, with the flow of every branch visible.

Modules are coloured by their top module (lighter further down) and labelled with their
1-based path (as in Infomap's ``.tree`` files, ``1:2`` is the second submodule of the first
top module) where the bar is wide enough. matplotlib is imported only when a plot is made.
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np

from ..paths import module_levels

__all__ = ["plot_tree"]


def plot_tree(tree, ax=None, max_depth: int | None = None, label_min_flow: float = 0.04):
    """Draw ``tree`` as an icicle plot on ``ax`` (a new figure if None) and return ``ax``.

    Parameters
    ----------
    tree : ModuleTree
    ax : matplotlib Axes, optional
    max_depth : int >= 1, optional
        Module levels drawn (all if None).
    label_min_flow : float in [0, 1], default 0.04
        Modules with at least this flow get their path written on them, where it fits.
    """
    try:
        import matplotlib.pyplot as plt
        from matplotlib.patches import Rectangle
    except ImportError as error:
        raise ImportError(
            "ModuleTree.plot needs matplotlib: pip install \"infomap-learn[plot]\""
        ) from error

    if max_depth is not None and (
        isinstance(max_depth, bool) or not isinstance(max_depth, numbers.Integral)
        or max_depth < 1
    ):
        raise ValueError(f"max_depth must be a positive integer or None, got {max_depth!r}")
    if not 0 <= label_min_flow <= 1:
        raise ValueError(f"label_min_flow must be in [0, 1], got {label_min_flow!r}")
    if ax is None:  # (constrained: the axis label stays inside a saved figure)
        _, ax = plt.subplots(figsize=(10, 1.2 + 0.7 * tree.num_levels), layout="constrained")
    if not tree.node_flow.sum() > 0:
        warnings.warn(
            "the tree has no flow (a network without links): the plot is empty",
            UserWarning, stacklevel=3,
        )  # fmt: skip
    # the axis fraction one character of the labels takes (8 points wide, about 0.085 in)
    axis_inches = ax.get_position().width * ax.figure.get_figwidth()
    per_character = 0.085 / max(axis_inches, 1e-9)
    paths = tree.paths
    depth = tree.num_levels if max_depth is None else min(max_depth, tree.num_levels)
    flow = tree.node_flow
    # nodes in depth-first order of the tree: a module's nodes are one contiguous run
    order = np.lexsort(paths[:, ::-1].T)
    start_of_node = np.empty(len(order))
    start_of_node[order] = np.cumsum(flow[order]) - flow[order]
    # (the 20 colours of tab20, its darker ten first: neighbouring top modules differ)
    tab20 = plt.get_cmap("tab20").colors
    colours = tab20[0::2] + tab20[1::2]
    top_of = names = None
    for level, modules in enumerate(module_levels(paths, flow, max_depth=depth)):
        start = np.minimum.reduceat(start_of_node[modules.members], modules.member_start[:-1])
        if level == 0:
            top_of = modules.label - 1
            names = [str(label) for label in modules.label.tolist()]
        else:
            top_of = top_of[modules.parent]
            names = [
                f"{names[parent]}:{label}"
                for parent, label in zip(modules.parent.tolist(), modules.label.tolist())
            ]
        lighten = 0.55 * level / max(depth - 1, 1)
        for m, width in enumerate(modules.flow.tolist()):
            rgb = np.asarray(colours[int(top_of[m]) % 20])
            face = rgb + (1.0 - rgb) * lighten
            ax.add_patch(
                Rectangle((start[m], -level - 0.45), width, 0.9, facecolor=face,
                          edgecolor="white", linewidth=0.5)
            )
            if width >= max(label_min_flow, per_character * (len(names[m]) + 1)):
                ax.text(start[m] + width / 2, -level, names[m], ha="center", va="center",
                        fontsize=8, clip_on=True)
    ax.set_xlim(0, 1)
    ax.set_ylim(-depth + 0.5, 0.5)
    ax.set_yticks(-np.arange(depth), [f"level {level + 1}" for level in range(depth)])
    ax.set_xlabel("flow")
    ax.set_title(
        f"{tree.codelength:.5g} bits, {tree.num_levels} module levels, "
        f"{tree.num_top_modules} top modules"
    )
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    return ax
