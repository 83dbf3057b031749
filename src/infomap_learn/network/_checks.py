"""Validation of network input, vectorised: the first bad entry is found with np.flatnonzero."""

from __future__ import annotations

import operator
from typing import Any

import numpy as np

_INT32_MAX = int(np.iinfo(np.int32).max)
_WEIGHT_RULE = "weights must be finite and non-negative"


def _fmt(x: Any) -> str:
    """A number for an error message: integral floats print as ints."""
    if isinstance(x, (float, np.floating)) and np.isfinite(x) and float(x).is_integer():
        return str(int(x))
    if isinstance(x, np.generic):
        return repr(x.item())
    return repr(x)


def _check_n_nodes(n_nodes: Any) -> int:
    if isinstance(n_nodes, (bool, np.bool_)):
        raise ValueError(f"n_nodes must be a non-negative integer, got {n_nodes!r}")
    try:
        n = operator.index(n_nodes)
    except TypeError:
        raise ValueError(f"n_nodes must be a non-negative integer, got {n_nodes!r}") from None
    if n < 0:
        raise ValueError(f"n_nodes must be a non-negative integer, got {n}")
    return n


def _check_endpoints(src: np.ndarray, tgt: np.ndarray, n_nodes: Any) -> int:
    """Validate link endpoints and return the number of nodes."""
    for name, x in (("source", src), ("target", tgt)):
        if x.dtype.kind not in "iuf":
            raise ValueError(
                f"edges must be integer node indices, got {name} dtype {x.dtype}"
                " (for labelled nodes use node_names, or the networkx adapter's"
                " network_from_networkx)"
            )
    m = src.size
    if src.dtype.kind == "f" or tgt.dtype.kind == "f":
        with np.errstate(invalid="ignore"):
            ok = (np.mod(src, 1) == 0) & (np.mod(tgt, 1) == 0)
        if not ok.all():
            i = int(np.flatnonzero(~ok)[0])
            raise ValueError(
                f"edges must be integer-valued node indices; edge {i} is "
                f"({_fmt(src[i])} -> {_fmt(tgt[i])})"
            )
    n = None if n_nodes is None else _check_n_nodes(n_nodes)
    hi = -1
    if m:
        lo = min(src.min(), tgt.min())
        if lo < 0:
            i = int(np.flatnonzero((src < 0) | (tgt < 0))[0])
            bad = src[i] if src[i] < 0 else tgt[i]
            raise ValueError(
                f"node index {_fmt(bad)} in edge {i} ({_fmt(src[i])} -> {_fmt(tgt[i])}) "
                "is negative; node indices must be non-negative"
            )
        hi = max(src.max(), tgt.max())
    if n is None:
        if hi >= _INT32_MAX:
            raise ValueError(
                f"node index {_fmt(hi)} is too large: at most {_INT32_MAX} nodes are supported"
            )
        n = int(hi) + 1
    elif hi >= n:
        i = int(np.flatnonzero((src >= n) | (tgt >= n))[0])
        bad = src[i] if src[i] >= n else tgt[i]
        raise ValueError(
            f"node index {_fmt(bad)} in edge {i} ({_fmt(src[i])} -> {_fmt(tgt[i])}) "
            f"is out of range for n_nodes={n}"
        )
    if n == 0:
        raise ValueError("network has no nodes")
    if n > _INT32_MAX:
        raise ValueError(f"n_nodes={n} is too large: at most {_INT32_MAX} nodes are supported")
    return n


def _check_weights(
    weights: Any, src: np.ndarray, tgt: np.ndarray, what: str = "weights"
) -> np.ndarray:
    """Validate per-edge weights; returns a float64 array (not necessarily a copy)."""
    m = src.size
    w = np.asarray(weights)
    if w.dtype.kind not in "biuf":
        raise ValueError(f"{what} must be numeric, got dtype {w.dtype}")
    if w.ndim != 1 or w.size != m:
        raise ValueError(
            f"{what} must be a 1-D sequence of length {m} (one per edge), got shape {w.shape}"
        )
    w = w.astype(np.float64, copy=False)
    if m:
        lo, hi = w.min(), w.max()
        if not (lo >= 0 and hi < np.inf):  # also catches NaN
            i = int(np.flatnonzero(~(np.isfinite(w) & (w >= 0)))[0])
            raise ValueError(
                f"weight of edge {i} ({_fmt(src[i])} -> {_fmt(tgt[i])}) is {float(w[i])!r}; "
                f"{_WEIGHT_RULE}"
            )
    return w


def _check_node_weights(node_weights: Any, n: int) -> np.ndarray | None:
    if node_weights is None:
        return None
    nw = np.asarray(node_weights)
    if nw.dtype.kind not in "biuf":
        raise ValueError(f"node_weights must be numeric, got dtype {nw.dtype}")
    if nw.ndim != 1 or nw.size != n:
        raise ValueError(
            f"node_weights must be a 1-D sequence of length n_nodes={n}, got shape {nw.shape}"
        )
    nw = np.array(nw, dtype=np.float64)  # always a copy: never alias the caller's array
    bad = ~(np.isfinite(nw) & (nw >= 0))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"node_weights[{i}] is {float(nw[i])!r}; node weights must be finite and non-negative"
        )
    if not nw.sum() > 0:
        raise ValueError("node_weights sum to zero; at least one node weight must be positive")
    nw.setflags(write=False)
    return nw


def _check_physical_ids(physical_ids: Any, n: int) -> np.ndarray | None:
    """The physical node of each state node: non-negative integers, one per node."""
    if physical_ids is None:
        return None
    ids = np.asarray(physical_ids)
    if ids.ndim != 1 or ids.size != n:
        raise ValueError(
            f"physical_ids must be a 1-D sequence of length n_nodes={n} (the physical node "
            f"of each state node), got shape {ids.shape}"
        )
    integral = ids.dtype.kind in "iu" or (
        ids.dtype.kind == "f" and bool(np.all(np.isfinite(ids) & (ids == np.round(ids))))
    )
    if ids.size and not integral:
        raise ValueError(f"physical_ids must be integers, got dtype {ids.dtype}")
    ids = np.array(ids, dtype=np.int64)
    if ids.size and ids.min() < 0:
        i = int(np.flatnonzero(ids < 0)[0])
        raise ValueError(f"physical_ids[{i}] is {int(ids[i])}; physical ids must be >= 0")
    ids.setflags(write=False)
    return ids


def _check_node_names(node_names: Any, n: int) -> list | None:
    if node_names is None:
        return None
    names = node_names.tolist() if isinstance(node_names, np.ndarray) else list(node_names)
    if len(names) != n:
        raise ValueError(f"node_names must have length n_nodes={n}, got {len(names)}")
    return names


def _unit_weights_as_view(w: np.ndarray) -> np.ndarray:
    """``w``, or, if every weight is 1.0, a read-only view of one 1.0 with stride 0: an
    unweighted network of 10M links then holds no 80 MB of ones through a search."""
    if w.size and w.strides[0] != 0 and bool((w == 1.0).all()):
        return np.broadcast_to(np.ones(1), w.shape)
    return w


def _pickled_weights(w: np.ndarray) -> np.ndarray | tuple[str, int]:
    """What a pickle stores of the weights ``w``: for the view of unit weights, its
    length only (numpy pickles a stride-0 view element by element: 80 MB for 10M links,
    which the Dask front door ships to every worker)."""
    return ("unit weights", w.shape[0]) if w.size and w.strides[0] == 0 else w


def _unpickled_weights(stored: np.ndarray | tuple[str, int]) -> np.ndarray:
    """The weights of :func:`_pickled_weights`' ``stored`` (an array of ones, as older
    pickles stored them, becomes the view)."""
    if isinstance(stored, tuple):
        return np.broadcast_to(np.ones(1), (stored[1],))
    return _unit_weights_as_view(stored)


def _readonly(*arrays: np.ndarray) -> None:
    for a in arrays:
        a.setflags(write=False)


def _both_directions(edges: np.ndarray, w: Any) -> tuple[np.ndarray, Any]:
    """Each undirected edge in both directions (a self-loop once), for directed=True."""
    off = edges[:, 0] != edges[:, 1]
    both = np.concatenate([edges, edges[off][:, ::-1]])
    if w is None:
        return both, None
    w = _check_weights(w, edges[:, 0], edges[:, 1])
    return both, np.concatenate([w, w[off]])


def _float_array(values: Any, count: int, what: str) -> np.ndarray:
    """Floats from an iterable of attribute values, with a clear error for non-numbers."""
    try:
        return np.fromiter(values, dtype=np.float64, count=count)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{what} has a non-numeric value: {exc}") from None


def _attribute_weights(values: Any, attribute: str, where: Any) -> np.ndarray:
    """Weights read from a graph attribute, each finite and non-negative; an error names
    the graph element as the user knows it (``where(i)``: its node keys or names) and
    the attribute."""
    values = list(values)
    try:
        weights = np.array(values, dtype=np.float64)
    except (TypeError, ValueError):
        for i, value in enumerate(values):  # only to name the first culprit
            try:
                float(value)
            except (TypeError, ValueError):
                raise ValueError(
                    f"{where(i)}: {attribute} is {value!r}, not a number"
                ) from None
        raise
    bad = ~(np.isfinite(weights) & (weights >= 0))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"{where(i)}: {attribute} is {values[i]!r}; {_WEIGHT_RULE}")
    return weights
