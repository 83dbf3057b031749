"""Freed memory returned to the system before a large search allocates its largest arrays.

glibc's malloc keeps freed blocks smaller than its mmap threshold (which grows up to
32 MB, the size of a 1M-node search's per-unit arrays) in its heap, where the larger
arrays allocated next, each mapped on its own, cannot reuse them. At 1M nodes (LFR,
mu 0.3, two threads) 50-80 MB of the peak memory was such memory: 871 -> 823 MB in the
first core loops, 882 -> 861 MB over the whole search numbered by its modules
(``_searched``). ``malloc_trim(0)`` returns it; where the C library has no
``malloc_trim`` (macOS, Windows, musl) this does nothing.
"""

from __future__ import annotations

import ctypes
from functools import cache


@cache
def _malloc_trim():
    """The C library's ``malloc_trim``, or None."""
    try:
        return ctypes.CDLL(None).malloc_trim
    except (AttributeError, OSError, TypeError):
        return None


def release_freed_memory() -> bool:
    """Return the heap's free memory to the system; whether the C library can."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
