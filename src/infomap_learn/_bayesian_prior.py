r"""The flow of the regularized map equation: the network plus a Bayesian prior network.

Smiljanić, Blöcker, Edler & Rosvall (2021), "Mapping flows on weighted and directed
networks with incomplete observations" (Journal of Complex Networks): links that were not
observed may still exist, so every pair of nodes gets a weak prior link, and the random
walker follows the prior links as recorded teleportation. With :math:`k` the degrees,
:math:`s` the strengths (weighted degrees) and :math:`\bar w` the mean link weight, as the
official Infomap (``--regularized``) computes them:

* node weights :math:`u^{out}_i = s^{out}_i / k^{out}_i` and :math:`u^{in}_j = s^{in}_j /
  k^{in}_j` (for a node without such links the smallest of the other nodes', so that the
  flow does not depend on the unit of the weights), and :math:`U = \sum_j u^{in}_j`;
* prior strength :math:`\lambda = c \ln(N) / N` (:math:`c` the regularization strength);
  the prior link weight is :math:`t_{ij} = \lambda u^{out}_i u^{in}_j / \bar w`, so node
  :math:`i` has prior out-weight :math:`t_i = \lambda u^{out}_i U / \bar w`;
* at node :math:`i` the walker teleports (follows a prior link) with probability
  :math:`\alpha_i = t_i / (s^{out}_i + t_i)` (1 for a dangling node) and lands on
  :math:`j` with probability :math:`\tau_j = u^{in}_j / U`; otherwise it follows an
  observed link in proportion to its weight.

The visit rates :math:`p` are the stationary distribution of that walk (for undirected
networks in closed form, :math:`p_i \propto s_i + t_i`); observed links carry
:math:`(1 - \alpha_i) p_i w_{ij} / s^{out}_i` and teleportation leaves :math:`i` at rate
:math:`\alpha_i p_i`. Checked against the official Infomap 2.16 to 1e-9 in
``integration/test_variants.py``. A self-link counts once in the degrees, the strengths and
the mean weight, as Infomap counts it (its flow stays at its node).
"""

from __future__ import annotations

import numpy as np

_TOLERANCE = 1e-15


def _mean_link_weights(strength: np.ndarray, degree: np.ndarray) -> np.ndarray:
    """Each node's mean link weight ``strength / degree``; for a node without links the
    smallest mean of the nodes with links (1 where no node has links), as Infomap sets it.

    Examples
    --------
    >>> _mean_link_weights(np.array([3.0, 0.0, 1.0]), np.array([2, 0, 1])).tolist()
    [1.5, 1.0, 1.0]
    """
    linked = degree > 0
    mean = strength[linked] / degree[linked]
    weights = np.full(strength.shape[0], float(mean.min()) if mean.size else 1.0)
    weights[linked] = mean
    return weights


def prior_flow(
    n: int,
    src: np.ndarray,
    dst: np.ndarray,
    w: np.ndarray,
    strength: float,
    undirected: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Node flow, flow links (source, target, flow), teleportation rate away from each
    node and landing probability on each node, for the regularized map equation.

    ``undirected``: the links stand for both directions and are returned once each (their
    flow is the same both ways); otherwise they are directed links.

    Examples
    --------
    >>> import numpy as np
    >>> src, dst = np.array([0, 1, 2, 3, 4, 5, 2]), np.array([1, 2, 0, 4, 5, 3, 3])
    >>> p, *_ = prior_flow(6, src, dst, np.ones(7), 1.0, undirected=True)
    >>> p.round(6).tolist()  # (degree + ln 6), normalised
    [0.153199, 0.153199, 0.193602, 0.193602, 0.153199, 0.153199]
    """
    w = np.asarray(w, dtype=np.float64)
    if undirected:
        back = src != dst  # (a self-link counts once)
        all_src, all_dst = np.concatenate([src, dst[back]]), np.concatenate([dst, src[back]])
        all_w = np.concatenate([w, w[back]])
        mean_weight = float(all_w.sum()) / all_w.size if all_w.size else 1.0
    else:
        all_src, all_dst, all_w = src, dst, w
        mean_weight = float(w.sum()) / w.size if w.size else 1.0
    k_out = np.bincount(all_src, minlength=n)
    k_in = np.bincount(all_dst, minlength=n)
    s_out = np.bincount(all_src, all_w, n)
    s_in = np.bincount(all_dst, all_w, n)
    u_out = _mean_link_weights(s_out, k_out)
    u_in = _mean_link_weights(s_in, k_in)
    total_u_in = float(u_in.sum())
    lam = float(strength) * np.log(n) / n
    prior_out = lam / mean_weight * u_out * total_u_in
    tau = u_in / total_u_in
    if undirected:
        # detailed balance: p_i proportional to s_i + t_i, every observed link carries
        # w / T each way and teleportation leaves i at t_i / T
        total = float((s_out + prior_out).sum())
        node_flow = (s_out + prior_out) / total
        return node_flow, src, dst, w / total, prior_out / total, tau
    alpha = np.where(k_out > 0, prior_out / np.maximum(s_out + prior_out, 1e-300), 1.0)
    transition = all_w / s_out[all_src] if all_w.size else all_w
    p = np.full(n, 1.0 / n)
    for iteration in range(200):
        new = tau * float((alpha * p).sum())
        new += np.bincount(all_dst, (1.0 - alpha[all_src]) * transition * p[all_src], n)
        new /= new.sum()
        error = float(np.abs(new - p).sum())
        p = new
        if iteration >= 49 and error <= _TOLERANCE:
            break
    link_flow = (1.0 - alpha[all_src]) * p[all_src] * transition
    return p, all_src, all_dst, link_flow, alpha * p, tau
