"""Freed memory returned to the system before a large search allocates its largest arrays.

glibc's malloc keeps freed blocks below its mmap threshold (which grows up to 32 MB, so a
1M-node search's per-unit arrays of 8 MB stay below it) in its heap, where the larger
arrays allocated next, each mapped on its own, cannot reuse them. ``malloc_trim(0)``
returns them; where the C library has no ``malloc_trim`` (macOS, Windows, musl) this does
nothing. LFR 1M nodes, mu 0.3, two threads, the whole search's peak memory in-process:
871 -> 843 MB in the input's numbering, 882 -> 861 MB renumbered by modules
(``_searched``); about 1 ms a call."""

from __future__ import annotations

import ctypes
from functools import cache


@cache
def _malloc_trim():
    """The C library's ``malloc_trim``, or None."""
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (AttributeError, OSError, TypeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


def release_freed_memory() -> bool:
    """Return the heap's free memory to the system; whether the C library can."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
