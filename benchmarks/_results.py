"""Benchmark results on disk: a markdown table and its JSON, written atomically."""

from __future__ import annotations

import datetime as _dt
import json
import subprocess
from pathlib import Path

_REPO = Path(__file__).resolve().parent.parent
_CODE = ("src", "adapters")
"""The folders whose code a benchmark imports: changes there make a run's commit dirty."""


def code_version() -> str:
    """The commit a benchmark runs, ``"<short hash>"``, with ``" (src/ or adapters/
    modified)"`` when the working tree's code differs from it: benchmarks import the
    working tree, so a result measured while the code was being edited says so."""
    git = dict(cwd=_REPO, capture_output=True, text=True, check=True)
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], **git).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", *_CODE], **git).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return commit + (" (src/ or adapters/ modified)" if dirty.strip() else "")


def write_results(out_dir: Path, name: str, markdown: str, payload) -> Path:
    """Write ``<out_dir>/<name>-<today>.md`` and ``.json`` (each through a temporary file
    renamed into place, so a stopped run leaves no half-written result); return the stem.
    A later run on the same day gets ``<name>-<today>-2`` and so on: no stored result is
    overwritten. A dict ``payload`` without a ``"commit"`` gets :func:`code_version`'s."""
    if isinstance(payload, dict) and "commit" not in payload:
        payload = {**payload, "commit": code_version()}
    out_dir.mkdir(parents=True, exist_ok=True)
    base = out_dir / f"{name}-{_dt.date.today().isoformat()}"
    stem, k = base, 2
    while any(stem.with_suffix(s).exists() for s in (".md", ".json")):
        stem, k = base.with_name(f"{base.name}-{k}"), k + 1
    for suffix, text in ((".md", markdown), (".json", json.dumps(payload, indent=1))):
        tmp = stem.with_suffix(suffix + ".tmp")
        tmp.write_text(text)
        tmp.replace(stem.with_suffix(suffix))
    return stem


def publish(markdown: str, out: str, name: str, payload) -> None:
    """Print ``markdown``, and unless ``out`` is ``-`` write it and ``payload`` to ``out``
    as ``<name>-<today>`` (see :func:`write_results`)."""
    print(markdown)
    if out != "-":
        print(f"written to {write_results(Path(out), name, markdown, payload)}.md")
