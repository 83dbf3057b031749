"""How the trials of a search run: threads for trials side by side and for parent groups
within a trial, and the progress bar."""

from __future__ import annotations

from ..options import check_n_jobs


def _n_threads(n_jobs: int | None, num_trials: int) -> tuple[int, int]:
    """Threads for trials side by side, and threads for parent groups within a trial.

    ``n_jobs`` has scikit-learn's meaning (joblib's ``effective_n_jobs``): None is 1 unless
    a ``joblib.parallel_config(n_jobs=...)`` context says otherwise, -1 is every core, -2
    all but one, and so on.
    """
    from joblib import effective_n_jobs

    threads = max(1, int(effective_n_jobs(check_n_jobs(n_jobs))))
    trial_threads = max(1, min(threads, num_trials))
    return trial_threads, max(1, threads // trial_threads)


def _progress_bar(total: int, progress: bool | None):
    import sys

    from tqdm.auto import tqdm

    disable = not progress if progress is not None else not sys.stderr.isatty()
    return tqdm(
        total=total,
        desc="infomap trials",
        unit="trial",
        disable=disable,
        file=sys.stderr,
        leave=False,
    )
