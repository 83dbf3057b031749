"""Small built-in networks: nothing to download."""

from __future__ import annotations

import numpy as np

from .network import Network

# Zachary (1977), "An information flow model for conflict and fission in small groups":
# 34 members of a karate club, 78 friendships. Node 0 is the instructor ("Mr. Hi"),
# node 33 the administrator ("Officer").
_KARATE_EDGES = (
    (0, 1), (0, 2), (0, 3), (0, 4), (0, 5), (0, 6), (0, 7), (0, 8), (0, 10), (0, 11),
    (0, 12), (0, 13), (0, 17), (0, 19), (0, 21), (0, 31), (1, 2), (1, 3), (1, 7), (1, 13),
    (1, 17), (1, 19), (1, 21), (1, 30), (2, 3), (2, 7), (2, 8), (2, 9), (2, 13), (2, 27),
    (2, 28), (2, 32), (3, 7), (3, 12), (3, 13), (4, 6), (4, 10), (5, 6), (5, 10), (5, 16),
    (6, 16), (8, 30), (8, 32), (8, 33), (9, 33), (13, 33), (14, 32), (14, 33), (15, 32),
    (15, 33), (18, 32), (18, 33), (19, 33), (20, 32), (20, 33), (22, 32), (22, 33),
    (23, 25), (23, 27), (23, 29), (23, 32), (23, 33), (24, 25), (24, 27), (24, 31),
    (25, 31), (26, 29), (26, 33), (27, 33), (28, 31), (28, 33), (29, 32), (29, 33),
    (30, 32), (30, 33), (31, 32), (31, 33), (32, 33),
)  # fmt: skip

# The faction each member joined after the split: 0 = Mr. Hi's, 1 = the Officer's.
_KARATE_FACTIONS = (
    0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 1, 0, 0, 1, 0, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1,
)  # fmt: skip


def karate_club() -> tuple[Network, np.ndarray]:
    """Zachary's karate club network and the faction of each member after the split.

    Returns
    -------
    network : Network
        34 nodes, 78 undirected unweighted links.
    factions : ndarray of int, shape (34,)
        0 for the instructor's faction, 1 for the administrator's.

    Examples
    --------
    >>> import numpy as np
    >>> network, factions = karate_club()
    >>> network
    Network(n_nodes=34, n_links=78, undirected, unweighted)
    >>> factions[:4].tolist(), np.bincount(factions).tolist()  # two factions of 17
    ([0, 0, 0, 0], [17, 17])
    """
    network = Network.from_edges(np.array(_KARATE_EDGES), n_nodes=34)
    return network, np.array(_KARATE_FACTIONS)


def planted_partition(
    n_modules: int = 4,
    module_size: int = 32,
    p_in: float = 0.3,
    p_out: float = 0.01,
    seed: int = 0,
    directed: bool = False,
) -> tuple[Network, np.ndarray]:
    """A random network with planted modules (a stochastic block model).

    Each pair of nodes is linked with probability ``p_in`` inside a module and ``p_out``
    between modules.

    Returns
    -------
    network : Network
    membership : ndarray of int, shape (n_modules * module_size,)

    Examples
    --------
    >>> import numpy as np
    >>> from infomap_learn import infomap
    >>> network, membership = planted_partition(n_modules=3, module_size=8, p_in=0.6, seed=1)
    >>> network
    Network(n_nodes=24, n_links=56, undirected, unweighted)
    >>> labels = infomap(network, two_level=True, seed=1).labels
    >>> [np.unique(labels[membership == m]).tolist() for m in range(3)]  # each found whole
    [[2], [0], [1]]
    """
    rng = np.random.default_rng(seed)
    n = n_modules * module_size
    membership = np.repeat(np.arange(n_modules), module_size)
    u, v = np.triu_indices(n, k=1) if not directed else np.nonzero(~np.eye(n, dtype=bool))
    same = membership[u] == membership[v]
    keep = rng.random(u.shape[0]) < np.where(same, p_in, p_out)
    edges = np.stack([u[keep], v[keep]], axis=1)
    return Network.from_edges(edges, n_nodes=n, directed=directed), membership
