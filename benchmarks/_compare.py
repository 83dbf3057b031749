"""The expected best of a number of trials, from many independent trials of a search.

Infomap's trials are not independent between seeds (trial ``k`` of a run with seed ``s`` is
the first trial of the run with seed ``s + k - 1``), so means over a few seeds of either
tool compare few distinct Infomap trials with many of ours. Both tools report every trial's
codelength; from ``n`` of them the expected codelength of a call with ``num_trials`` trials
(the best of them) is computed exactly, over every subset of that size.
"""

from __future__ import annotations

import numpy as np
from scipy.special import comb


def expected_best(trial_codelengths, num_trials: int = 5) -> float:
    """The expected codelength of the best of ``num_trials`` trials drawn without
    replacement from ``trial_codelengths``.

    The ``i``-th shortest of ``n`` lengths is the best of a draw when it is drawn and the
    other ``num_trials - 1`` come from the ``n - i`` longer ones.
    """
    lengths = np.sort(np.asarray(trial_codelengths, dtype=float))
    n = len(lengths)
    if n < num_trials:
        raise ValueError(f"{n} trial codelengths, fewer than num_trials={num_trials}")
    longer = n - 1 - np.arange(n)
    weights = comb(longer, num_trials - 1) / comb(n, num_trials)
    return float(weights @ lengths)
