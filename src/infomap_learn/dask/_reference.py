"""Plain-numpy twins of the kernels in ``_kernels``: readable, slow, and what the tests
compare the kernels with."""

from __future__ import annotations

import numpy as np

from ..mapequation import plogp
from ._kernels import _MIN_GAIN


def _rows(ptr: np.ndarray) -> np.ndarray:
    return np.repeat(np.arange(ptr.shape[0] - 1), np.diff(ptr))


def crossing_flows(out_ptr, out_idx, out_val, in_ptr, in_idx, in_val, module_of):
    """See :func:`infomap_learn.dask._kernels.crossing_flows`."""
    n_owned = out_ptr.shape[0] - 1
    own = module_of[:n_owned]
    out_rows, in_rows = _rows(out_ptr), _rows(in_ptr)
    leaving = np.bincount(
        out_rows, out_val * (module_of[out_idx] != own[out_rows]), n_owned
    )
    arriving = np.bincount(in_rows, in_val * (module_of[in_idx] != own[in_rows]), n_owned)
    return leaving, arriving


def module_links(out_ptr, out_idx, out_val, module_of, n_modules):
    """See :func:`infomap_learn.dask._kernels.module_links`."""
    keys = module_of[_rows(out_ptr)] * n_modules + module_of[out_idx]
    unique, inverse = np.unique(keys, return_inverse=True)
    return unique, np.bincount(inverse, out_val, unique.size)


def _module_terms(enter, exit_flow, flow):
    return -plogp(enter) - plogp(exit_flow) + plogp(exit_flow + flow)


def propose_moves(
    start, out_ptr, out_idx, out_val, in_ptr, in_idx, in_val, node_flow,
    module_of, module_flow, module_exit, module_enter, module_size,
    enter_total, seed, move_probability, coins,
):  # fmt: skip
    """See :func:`infomap_learn.dask._kernels.propose_moves`; ``coins`` are the kernel's
    coin of every owned node (the hash is not worth a second copy)."""
    moved, target = [], []
    for local in range(out_ptr.shape[0] - 1):
        if coins[local] >= move_probability:
            continue
        a = module_of[local]
        outs = slice(out_ptr[local], out_ptr[local + 1])
        ins = slice(in_ptr[local], in_ptr[local + 1])
        to_module, from_module = {}, {}
        for m, f in zip(module_of[out_idx[outs]], out_val[outs]):
            to_module[m] = to_module.get(m, 0.0) + f
        for m, f in zip(module_of[in_idx[ins]], in_val[ins]):
            from_module[m] = from_module.get(m, 0.0) + f
        out_u, in_u, p = out_val[outs].sum(), in_val[ins].sum(), node_flow[local]
        o_a, i_a = to_module.get(a, 0.0), from_module.get(a, 0.0)
        exit_a = module_exit[a] - (out_u - o_a) + i_a
        enter_a = module_enter[a] - (in_u - i_a) + o_a
        change_a = _module_terms(enter_a, exit_a, module_flow[a] - p) - _module_terms(
            module_enter[a], module_exit[a], module_flow[a]
        )
        best, best_delta = a, -_MIN_GAIN
        for b in sorted(set(to_module) | set(from_module)):
            if b == a or (module_size[a] == 1 and module_size[b] == 1 and b > a):
                continue
            o_b, i_b = to_module.get(b, 0.0), from_module.get(b, 0.0)
            exit_b = module_exit[b] + (out_u - o_b) - i_b
            enter_b = module_enter[b] + (in_u - i_b) - o_b
            total = enter_total + (enter_a - module_enter[a]) + (enter_b - module_enter[b])
            delta = (
                plogp(total) - plogp(enter_total) + change_a
                + _module_terms(enter_b, exit_b, module_flow[b] + p)
                - _module_terms(module_enter[b], module_exit[b], module_flow[b])
            )  # fmt: skip
            if delta < best_delta - 1e-12:
                best, best_delta = b, delta
        if best != a:
            moved.append(local)
            target.append(best)
    return np.array(moved, dtype=np.int64), np.array(target, dtype=np.int64)
