"""How the trials of a search run: threads for trials side by side and for parent groups
within a trial, and the progress bar."""

from __future__ import annotations

from collections.abc import Callable, Generator
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

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


def _step(steps: Generator):
    """Advance a trial by one step: (finished, its result)."""
    try:
        next(steps)
    except StopIteration as stop:
        return True, stop.value
    return False, None


def run_in_steps(trials: list[Generator], n_threads: int, done: Callable[[], None]) -> list:
    """The results of ``trials`` (generators that pause between steps and return their
    result), in order, run on ``n_threads`` threads; ``done()`` after each one.

    A trial's steps run one after another, on any thread. With more trials than threads,
    one trial more than there are threads is under way, and a thread that finishes a step
    takes the step that has waited longest: the last trial's steps run beside another
    trial's instead of alone (the hierarchical search pauses after its top levels and
    after the levels below: five trials on two threads took 0.71 of one thread's time on
    the digits kNN graph before, 0.58-0.64 with steps). A paused trial holds its tree
    only. Trials share no state, so the results do not depend on the threads or the
    order.

    Examples
    --------
    >>> def trial(i):
    ...     yield
    ...     return i * i
    >>> run_in_steps([trial(i) for i in range(5)], 2, lambda: None)
    [0, 1, 4, 9, 16]
    """
    results: list = [None] * len(trials)
    if n_threads <= 1:
        for index, steps in enumerate(trials):
            finished = False
            while not finished:
                finished, results[index] = _step(steps)
            done()
        return results
    waiting = list(range(len(trials)))[::-1]  # (the next trial to start is last)
    with ThreadPoolExecutor(max_workers=n_threads) as pool:
        running = {}
        while waiting and len(running) < n_threads + 1:
            index = waiting.pop()
            running[pool.submit(_step, trials[index])] = index
        while running:
            finished_steps, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in sorted(finished_steps, key=running.get):
                index = running.pop(future)
                finished, result = future.result()
                if not finished:
                    running[pool.submit(_step, trials[index])] = index
                    continue
                results[index] = result
                done()
                if waiting:
                    start = waiting.pop()
                    running[pool.submit(_step, trials[start])] = start
    return results
