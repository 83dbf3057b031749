"""The examples run end to end (in a subprocess, with small settings)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def run_example(name: str, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / name), *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_word_clusters():
    pytest.importorskip(
        "gensim", reason="the word_clusters example needs gensim (extra 'examples')"
    )
    # fewer epochs and words than the defaults: a few seconds
    out = run_example(
        "word_clusters.py", "--epochs", "10", "--min-count", "10", "--trials", "1", "--words", "4"
    )
    lines = out.splitlines()
    assert re.match(r"^\d+ words, \d+ links \(k=10, threshold=0.6\); \d+ words", lines[0])
    header = re.match(
        r"^codelength ([\d.]+) bits, (\d+) module levels?, (\d+) top modules?, (\d+) nodes",
        lines[1],
    )
    assert header, lines[1]
    codelength, _, n_top, n_words = (float(g) for g in header.groups())
    assert codelength > 0
    assert n_top >= 2
    assert n_words == int(lines[0].split()[0])
    modules = [
        line for line in lines[2:] if re.match(r"^ *[\d:]+ \(flow [\d.e-]+, \d+ nodes?\): ", line)
    ]
    assert len(modules) >= 3
    # a module line lists words (names), not node indices
    assert all(re.search(r"\): [a-z]", line) for line in modules)
    assert len([line for line in modules if not line.startswith(" ")]) >= 2
