"""The icicle plot of a module tree (ModuleTree.plot)."""

import matplotlib
import numpy as np
import pytest

from infomap_learn import infomap
from infomap_learn.datasets import planted_partition

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def tree():
    net, _ = planted_partition(n_modules=6, module_size=20, p_in=0.4, p_out=0.01, seed=3)
    return infomap(net, seed=2)


def test_one_bar_per_module_on_each_level(tree, tmp_path):
    import matplotlib.pyplot as plt

    ax = tree.plot()
    n_modules = sum(
        len(np.unique(tree.paths[tree.paths[:, level] >= 0][:, : level + 1], axis=0))
        for level in range(tree.num_levels)
    )
    assert len(ax.patches) == n_modules
    widths = sum(p.get_width() for p in ax.patches if p.get_y() > -0.5)  # the top row
    assert widths == pytest.approx(1.0)
    assert ax.get_title().startswith(f"{tree.codelength:.5g} bits")
    ax.figure.savefig(tmp_path / "tree.png")
    assert (tmp_path / "tree.png").stat().st_size > 1000
    plt.close(ax.figure)


def test_max_depth_and_an_axes_of_ones_own(tree):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    assert tree.plot(ax=ax, max_depth=1) is ax
    assert len(ax.patches) == tree.num_top_modules
    plt.close(fig)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"max_depth": 0}, "max_depth"), ({"max_depth": 1.5}, "max_depth"),
     ({"label_min_flow": 2}, "label_min_flow")],
)
def test_bad_arguments(tree, kwargs, match):
    with pytest.raises(ValueError, match=match):
        tree.plot(**kwargs)
