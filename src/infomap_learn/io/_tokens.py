"""Tokens of network files: node ids and weights read exactly, offending text quoted in
errors, and the links a run skips (shared by the readers of ``readers`` and ``_states``)."""

from __future__ import annotations

import re

import numpy as np

_SHOWN = 60
"""Characters of an offending line or token quoted in an error (a line may be megabytes)."""
_MAX_EXACT_FLOAT = 2**53
"""An id written as a float ("12.0") is exact only below this."""
_DATA_LINE = re.compile(r"^[ \t]*[^#\s]", re.MULTILINE)
"""A line that is neither blank nor a comment."""


def _shown(text: str) -> str:
    text = text.strip()
    return repr(text if len(text) <= _SHOWN else text[: _SHOWN - 3] + "...")


def _node_id(token: str, path, number: int) -> int:
    """An integer node id exactly as written (an integral float below 2**53 is accepted)."""
    try:
        value = int(token)
    except ValueError:
        try:
            x = float(token)
        except ValueError:
            x = float("nan")
        if not (np.isfinite(x) and x == int(x) and abs(x) < _MAX_EXACT_FLOAT):
            raise ValueError(
                f"{path}:{number}: node id {_shown(token)} is not an integer"
            ) from None
        value = int(x)
    if not -(2**63) <= value < 2**63:
        raise ValueError(
            f"{path}:{number}: node id {_shown(token)} does not fit in a 64-bit integer"
        )
    return value


def _weight(token: str, path, number: int) -> float:
    try:
        w = float(token)
    except ValueError:
        w = float("nan")
    if not (np.isfinite(w) and w >= 0):
        raise ValueError(
            f"{path}:{number}: link weight {_shown(token)} is not a finite non-negative number"
        )
    return w


def _skip_links(links: np.ndarray, weights: np.ndarray | None, skip: tuple) -> tuple:
    """The links kept by ``skip = (weight_threshold, self_links)``, and their weights."""
    weight_threshold, self_links = skip
    keep = np.ones(links.shape[0], dtype=bool)
    if weight_threshold is not None:
        keep &= (np.ones(keep.size) if weights is None else weights) >= float(weight_threshold)
    if not self_links:
        keep &= links[:, 0] != links[:, 1]
    if keep.all():
        return links, weights
    return links[keep], None if weights is None else weights[keep]


_PHYSICAL_LEVEL = (
    "{path} holds the physical level of a state network's result (a row per module and "
    "physical node): read the state level, its _states file, instead"
)


def _refuse_gzip(raw: bytes, path) -> None:
    """A ValueError naming ``path`` if ``raw`` starts with gzip's magic number."""
    if raw.startswith(b"\x1f\x8b"):
        raise ValueError(f"{path} is gzip-compressed: decompress it first (gunzip)")
