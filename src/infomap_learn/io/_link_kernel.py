r"""Link lines read in one compiled pass: the fast path of the link readers.

The pass reads what it can read exactly and refuses everything else, and the caller then
reads the text with numpy's parser (its reference, ``readers._parse_links_by_numpy``), which
also names what is wrong. It reads lines of a source id, a target id and optionally a
weight, separated by spaces or tabs, every data line with the same number of columns;
blank lines and ``#`` comments; lines end at ``\n``, and a ``\r`` is a blank, as in
Infomap's reader (and ``readers._parse_links_by_numpy``). Ids are decimal integers of at most
18 digits. Weights are non-negative decimal numbers whose digits, as an integer, are at
most 2**53 and whose power of ten is at most 22 in size: the value is then one correctly
rounded multiplication or division of two exact doubles (Clinger's fast path), the double
any correctly rounding parser gives.
"""

from __future__ import annotations

import numpy as np
from numba import njit

_POWERS_OF_TEN = np.array([10.0**k for k in range(23)])
_MAX_EXACT_INTEGER = 2**53
_SPACE, _TAB, _CR, _NEWLINE, _HASH = 32, 9, 13, 10, 35
_PLUS, _MINUS, _DOT, _ZERO, _NINE, _LOWER_E, _UPPER_E = 43, 45, 46, 48, 57, 101, 69


@njit(cache=True, inline="always")
def _blank(byte):
    return byte == _SPACE or byte == _TAB or byte == _CR


@njit(cache=True, inline="always")
def _token_end(data, i):
    """Whether a token may end at ``i``."""
    return i >= data.shape[0] or _blank(data[i]) or data[i] == _NEWLINE or data[i] == _HASH


@njit(cache=True, inline="always")
def _sign(data, i):
    """(negative, position after an optional sign at ``i``)."""
    if i < data.shape[0] and (data[i] == _PLUS or data[i] == _MINUS):
        return data[i] == _MINUS, i + 1
    return False, i


@njit(cache=True, inline="always")
def _digits(data, i, most):
    """(value, count, position after them) of the decimal digits at ``i``; a count of -1
    where there are more than ``most`` (the value would not fit)."""
    value = 0
    count = 0
    while i < data.shape[0] and _ZERO <= data[i] <= _NINE:
        if count == most:
            return 0, -1, i
        value = value * 10 + (data[i] - _ZERO)
        count += 1
        i += 1
    return value, count, i


@njit(cache=True)
def _integer(data, i):
    """(read, value, position after it) of the integer token at ``i``."""
    negative, i = _sign(data, i)
    value, count, i = _digits(data, i, 18)
    if count <= 0 or not _token_end(data, i):
        return False, 0, i
    return True, -value if negative else value, i


@njit(cache=True)
def _decimal(data, i, powers):
    """(read, value, position after it) of the non-negative decimal token at ``i``."""
    if data[i] == _PLUS:
        i += 1
    mantissa = 0
    significant = 0
    digits = 0
    fraction = 0
    seen_dot = False
    while i < data.shape[0]:
        byte = data[i]
        if _ZERO <= byte <= _NINE:
            digits += 1
            if seen_dot:
                fraction += 1
            if mantissa > 0 or byte != _ZERO:
                if significant == 18:
                    return False, 0.0, i
                mantissa = mantissa * 10 + (byte - _ZERO)
                significant += 1
        elif byte == _DOT and not seen_dot:
            seen_dot = True
        else:
            break
        i += 1
    if digits == 0:
        return False, 0.0, i
    exponent = 0
    if i < data.shape[0] and (data[i] == _LOWER_E or data[i] == _UPPER_E):
        negative, i = _sign(data, i + 1)
        exponent, count, i = _digits(data, i, 4)
        if count <= 0:
            return False, 0.0, i
        if negative:
            exponent = -exponent
    if not _token_end(data, i):
        return False, 0.0, i
    if mantissa == 0:
        return True, 0.0, i
    power = exponent - fraction
    if mantissa > _MAX_EXACT_INTEGER or power < -22 or power > 22:
        return False, 0.0, i
    if power < 0:
        return True, mantissa / powers[-power], i
    return True, mantissa * powers[power], i


@njit(cache=True, nogil=True)
def parse_links(data, powers):
    """Links of the text ``data`` (bytes as uint8): (read, ids (m, 2) int64, weights (m,),
    number of columns: 2 without weights, 3 with them). ``read`` False: the text has
    something this pass does not read exactly (see the module)."""
    n = data.shape[0]
    lines = 1
    for i in range(n):
        if data[i] == _NEWLINE:
            lines += 1
    ids = np.empty((lines, 2), dtype=np.int64)
    weights = np.empty(lines, dtype=np.float64)
    columns = 0
    m = 0
    i = 0
    while i < n:
        tokens = 0
        while True:
            while i < n and _blank(data[i]):
                i += 1
            if i >= n or data[i] == _NEWLINE or data[i] == _HASH:
                break
            if tokens < 2:
                read, value, i = _integer(data, i)
                ids[m, tokens] = value
            elif tokens == 2:
                read, weight, i = _decimal(data, i, powers)
                weights[m] = weight
            else:
                read = False
            if not read:
                return False, ids[:0], weights[:0], 0
            tokens += 1
        while i < n and data[i] != _NEWLINE:  # (a comment)
            i += 1
        i += 1
        if tokens == 0:
            continue
        if tokens == 1 or (columns and tokens != columns):
            return False, ids[:0], weights[:0], 0
        columns = tokens
        m += 1
    return True, ids[:m], weights[:m], columns


# Texts from which the compiled pass is tried: numpy reads a megabyte in ~25 ms, and the
# pass's first use in a process costs more than that (loading it from numba's cache).
COMPILED_PASS_MIN_CHARS = 1 << 20


def read_link_text(text: str):
    """:func:`parse_links` of ``text`` where it is long enough for the pass to pay (else
    not read): (read, ids, weights, number of columns)."""
    if len(text) < COMPILED_PASS_MIN_CHARS:
        return False, np.empty((0, 2), dtype=np.int64), np.empty(0), 0
    return parse_links(np.frombuffer(text.encode("utf-8"), dtype=np.uint8), _POWERS_OF_TEN)
