"""The compiled pass over link lines (``io/_link_kernel.py``) against its reference,
numpy's reader in ``readers._parse_links_by_numpy``: whatever the pass reads, it reads as
numpy does, to the bit; what it cannot read exactly it leaves to numpy."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infomap_learn.io import readers as R
from infomap_learn.io._link_kernel import _POWERS_OF_TEN, parse_links


def _kernel(text: str):
    return parse_links(np.frombuffer(text.encode("utf-8"), dtype=np.uint8), _POWERS_OF_TEN)


_IDS = st.integers(-(10**6), 10**12).map(str) | st.sampled_from(
    ["0", "17", "-3", "+5", "007", "123456789012345678", "1234567890123456789", "1e3",
     "1.0", "x", "9007199254740993"]
)  # fmt: skip
_WEIGHTS = st.floats(0, 1e6).map("{:.6g}".format) | st.sampled_from(
    ["0.5", "1", "2.", ".25", "1e-3", "3E+2", "0.1", "1.7976931348623157e308",
     "0.1234567890123456789", "-1", "-0", "inf", "nan", "1e400", "5e-324", "00.010",
     "123456789.123456", "9007199254740993", "1e22", "1e23", "e5", ".", "1e"]
)  # fmt: skip
_SEPARATORS = st.sampled_from([" ", "\t", "  ", " \t ", "\r", " \r"])
_ENDS = st.sampled_from(["\n", "\r\n", " # note\n", "#\n", "\n\n", "  \n", "\r", "\r\r\n"])


@st.composite
def _link_texts(draw):
    columns = draw(st.sampled_from([2, 3]))
    lines = []
    for _ in range(draw(st.integers(1, 6))):
        tokens = [draw(_IDS), draw(_IDS)] + ([draw(_WEIGHTS)] if columns == 3 else [])
        if draw(st.integers(0, 19)) == 0:  # now and then a ragged line
            tokens = tokens[: draw(st.integers(1, 4))] + ([draw(_WEIGHTS)] * 2)[:1]
        line = draw(_SEPARATORS).join(tokens)
        lines.append(draw(st.sampled_from(["", " ", "\t"])) + line + draw(_ENDS))
    text = "".join(lines)
    return text if draw(st.booleans()) else text.rstrip("\n")


@settings(max_examples=400, deadline=None)
@given(_link_texts())
def test_what_the_pass_reads_numpy_reads_the_same(text):
    read, links, weights, columns = _kernel(text)
    if not read:
        return
    expected_links, expected_weights = R._parse_links_by_numpy(text, "f")
    np.testing.assert_array_equal(links, expected_links)
    assert links.dtype == np.int64
    if expected_weights is None:
        assert columns == 2
    else:
        assert columns == 3
        np.testing.assert_array_equal(weights.view(np.int64), expected_weights.view(np.int64))


@settings(max_examples=400, deadline=None)
@given(
    st.floats(min_value=0, max_value=1e30, allow_nan=False),
    st.sampled_from(["{!r}", "{:.6g}", "{:.10f}", "{:e}", "{:.3f}", "{:g}"]),
)
def test_weights_are_the_correctly_rounded_doubles(value, spec):
    token = spec.format(value)
    read, _, weights, _ = _kernel(f"1 2 {token}\n")
    if read:
        assert weights[0] == float(token)
    elif spec in ("{:.6g}", "{:.3f}", "{:g}") and (value == 0 or 1e-15 < value < 1e12):
        pytest.fail(f"{token} is within the fast path")


def test_usual_files_take_the_pass():
    text = "# source target weight\n1 2 0.5\n2\t3 1.25\r\n\n3 1 2 # a comment\n"
    read, links, weights, columns = _kernel(text)
    assert read and columns == 3
    assert links.tolist() == [[1, 2], [2, 3], [3, 1]]
    assert weights.tolist() == [0.5, 1.25, 2.0]
    read, links, _, columns = _kernel("10 20\n20 30")
    assert read and columns == 2 and links.tolist() == [[10, 20], [20, 30]]


@pytest.mark.parametrize(
    "text",
    ["1 2 0.5\n2 3\n", "1 2 3 4\n", "1\n", "1 2 -1\n", "1.5 2\n", "1 2 nan\n", "1 2x\n",
     "1 2 0.12345678901234567890\n", "1 2 1e-30\n"],
)  # fmt: skip
def test_what_the_pass_leaves_to_numpy(text):
    assert not _kernel(text)[0]


def test_large_texts_take_the_pass(monkeypatch):
    """Texts of a megabyte or more go through the pass, smaller ones to numpy (whose
    first use costs less than loading the pass), with the same links either way."""
    import infomap_learn.io._link_kernel as module

    rng = np.random.default_rng(0)
    links = rng.integers(0, 50_000, (80_000, 2))
    weights = rng.random(80_000).round(6)
    text = "".join(f"{a} {b} {w}\n" for (a, b), w in zip(links.tolist(), weights.tolist()))
    assert len(text) >= module.COMPILED_PASS_MIN_CHARS
    calls = []
    passed = module.parse_links
    monkeypatch.setattr(module, "parse_links", lambda *a: calls.append(1) or passed(*a))
    read_links, read_weights = R._parse_links(text, "f")
    assert calls
    np.testing.assert_array_equal(read_links, links)
    np.testing.assert_array_equal(read_weights, weights)
    calls.clear()
    R._parse_links(text[:1000].rsplit("\n", 1)[0], "f")
    assert not calls
