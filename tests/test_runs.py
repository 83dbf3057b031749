"""The trials' scheduler: every step of every trial runs once, in order within a trial,
results in trial order whatever the threads; a failing step reaches the caller."""

import threading

import pytest

from infomap_learn.search._runs import run_in_steps


def _trial(index, log, steps=3):
    for step in range(steps):
        log.append((index, step, threading.get_ident()))
        yield
    return index * 10


@pytest.mark.parametrize("n_threads", [1, 2, 3, 8])
@pytest.mark.parametrize("n_trials", [1, 2, 5, 9])
def test_every_step_runs_once_in_order_and_results_keep_trial_order(n_threads, n_trials):
    log: list = []
    finished: list = []
    results = run_in_steps(
        [_trial(i, log, steps=1 + i % 3) for i in range(n_trials)], n_threads,
        lambda: finished.append(1),
    )  # fmt: skip
    assert results == [10 * i for i in range(n_trials)]
    assert len(finished) == n_trials
    for index in range(n_trials):
        steps = [step for trial, step, _ in log if trial == index]
        assert steps == list(range(1 + index % 3))


def test_trials_run_on_several_threads():
    log: list = []
    gate = threading.Barrier(2, timeout=10)

    def waiting_trial(index):
        log.append(threading.get_ident())
        gate.wait()  # (returns only when two trials are under way at once)
        yield
        return index

    assert run_in_steps([waiting_trial(i) for i in range(4)], 2, lambda: None) == [0, 1, 2, 3]
    assert len(set(log)) == 2


@pytest.mark.parametrize("n_threads", [1, 2])
def test_a_failing_step_is_raised_to_the_caller(n_threads):
    def failing():
        yield
        raise ValueError("step two failed")

    log: list = []
    trials = [_trial(0, log), failing(), _trial(2, log)]
    with pytest.raises(ValueError, match="step two failed"):
        run_in_steps(trials, n_threads, lambda: None)


@pytest.mark.parametrize("n_threads", [1, 2, 3])
def test_a_failing_done_callback_is_raised_to_the_caller(n_threads):
    """``done()`` (a progress bar's update) that raises stops the run and reaches the
    caller, instead of leaving a thread waiting or results missing."""
    calls: list = []

    def done():
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("progress bar closed")

    trials = [_trial(i, [], steps=1) for i in range(5)]
    with pytest.raises(RuntimeError, match="progress bar closed"):
        run_in_steps(trials, n_threads, done)
