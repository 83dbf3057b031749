"""Search quality against the official Infomap on LFR benchmark networks.

networkit's LFR generator (n = 10,000, average degree 20, max 50, communities 20-100), mu
from 0.1 to 0.7: over 5 seeds, our median codelength is within 0.1% of Infomap's median
(same number of trials) and our median NMI to the planted partition within 0.01 of its.
"""

import warnings

import numpy as np
import pytest

from benchmarks.lfr import lfr
from infomap_learn import Network, infomap

infomap_oracle = pytest.importorskip("infomap")
from sklearn.metrics import normalized_mutual_info_score as nmi  # noqa: E402

SEEDS = range(1, 6)
N = 10_000


def official(edges, n, two_level, seed):
    im = infomap_oracle.Infomap(two_level=two_level, silent=True, seed=seed, num_trials=1)
    im.add_nodes(range(n))
    im.add_links(edges)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        im.run()
        modules = im.get_modules(depth_level=1)
        labels = np.array([modules[i] for i in range(n)])
        return im.codelength, labels


@pytest.mark.parametrize("two_level", [True, False], ids=["two-level", "multilevel"])
@pytest.mark.parametrize("mu", [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7])
def test_lfr_codelength_and_nmi_match_infomap(mu, two_level):
    edges, membership = lfr(N, mu, seed=0)
    net = Network.from_edges(edges, n_nodes=N)
    ours_l, ours_nmi, ref_l, ref_nmi = [], [], [], []
    for seed in SEEDS:
        tree = infomap(net, two_level=two_level, seed=seed)
        ours_l.append(tree.codelength)
        ours_nmi.append(nmi(membership, tree.labels))
        length, labels = official(edges, N, two_level, seed)
        ref_l.append(length)
        ref_nmi.append(nmi(membership, labels))
    ours, ref = np.median(ours_l), np.median(ref_l)
    assert ours <= ref * 1.001, (ours_l, ref_l)
    assert np.median(ours_nmi) >= np.median(ref_nmi) - 0.01, (ours_nmi, ref_nmi)
