"""How the trials of a search run: threads for trials side by side and for parent groups
within a trial, and the progress bar."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Generator

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
    order. The threads take steps from one queue themselves: a scheduler thread handing
    out futures held the GIL for a sixth of a small search's time (PBMC's kNN graph, five
    multilevel trials), which the trials' Python steps wait for.

    Examples
    --------
    >>> def trial(i):
    ...     yield
    ...     return i * i
    >>> run_in_steps([trial(i) for i in range(5)], 2, lambda: None)
    [0, 1, 4, 9, 16]
    """
    results: list = [None] * len(trials)
    if n_threads <= 1 or len(trials) <= 1:
        for index, steps in enumerate(trials):
            finished = False
            while not finished:
                finished, results[index] = _step(steps)
            done()
        return results
    not_started = deque(range(len(trials)))
    ready: deque[int] = deque()  # trials whose next step waits, the longest waiting first
    for _ in range(min(n_threads + 1, len(trials))):
        ready.append(not_started.popleft())
    changed = threading.Condition()
    running = 0  # steps under way
    failure: list[BaseException] = []

    def work() -> None:
        nonlocal running
        while True:
            with changed:
                while not ready and running and not failure:
                    changed.wait()
                if failure or not ready:
                    changed.notify_all()
                    return
                index = ready.popleft()
                running += 1
            try:
                finished, result = _step(trials[index])
            except BaseException as error:  # (re-raised by the caller's thread)
                with changed:
                    running -= 1
                    failure.append(error)
                    changed.notify_all()
                return
            with changed:
                running -= 1
                if not finished:
                    ready.append(index)
                else:
                    results[index] = result
                    try:
                        if not failure:
                            done()
                    except BaseException as error:  # (a progress bar's, say: the caller's)
                        failure.append(error)
                        changed.notify_all()
                        return
                    if not_started:
                        ready.append(not_started.popleft())
                changed.notify()

    threads = [threading.Thread(target=work, daemon=True) for _ in range(n_threads)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    except BaseException:  # (an interrupt: the threads stop after their current step)
        with changed:
            failure.append(KeyboardInterrupt())
            changed.notify_all()
        raise
    if failure:
        raise failure[0]
    return results
