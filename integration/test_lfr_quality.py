"""Search quality against the official Infomap on LFR benchmark networks.

networkit's LFR generator (n = 10,000, average degree 20, max 50, communities 20-100), mu
from 0.1 to 0.7: over 5 seeds, our median codelength is within 0.1% of Infomap's median
(same number of trials) and our median NMI to the planted partition within 0.01 of its.
``python benchmarks/lfr_quality.py`` prints the same numbers as a table.
"""

import pytest

pytest.importorskip("infomap")
pytest.importorskip("networkit")

from benchmarks.lfr_quality import compare  # noqa: E402


@pytest.mark.slow
@pytest.mark.parametrize("two_level", [True, False], ids=["two-level", "multilevel"])
@pytest.mark.parametrize("mu", [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7])
def test_lfr_codelength_and_nmi_match_infomap(mu, two_level):
    r = compare(10_000, mu, two_level, seeds=range(1, 6))
    assert r["ours_codelength"] <= r["infomap_codelength"] * 1.001, r
    assert r["ours_nmi"] >= r["infomap_nmi"] - 0.01, r
