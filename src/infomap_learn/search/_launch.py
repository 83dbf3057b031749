"""Launching numba's parallel kernels from threads that run side by side (trials)."""

from __future__ import annotations

import threading

import numba

_LAUNCH = threading.Lock()
_THREADSAFE_LAYER: list[bool] = []  # known after the first launch


def launch_parallel(kernel, n_threads: int, *args):
    """``kernel(*args)`` (a ``parallel=True`` kernel) on ``n_threads`` threads of numba's
    pool, one launch at a time where numba's threading layer is "workqueue" (no OpenMP or
    TBB), which aborts the process when two threads launch parallel kernels at once."""
    n_threads = max(1, min(int(n_threads), numba.config.NUMBA_NUM_THREADS))
    # (this thread's count is set for the launch and given back: the caller's own
    # parallel code, UMAP's for one, keeps the threads it had)
    before = numba.get_num_threads()
    numba.set_num_threads(n_threads)
    try:
        if _THREADSAFE_LAYER and _THREADSAFE_LAYER[0]:
            return kernel(*args)
        with _LAUNCH:
            result = kernel(*args)
            if not _THREADSAFE_LAYER:
                _THREADSAFE_LAYER.append(numba.threading_layer() != "workqueue")
        return result
    finally:
        numba.set_num_threads(before)
