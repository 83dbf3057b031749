"""The validated input network of the library: :class:`Network`.

``_network`` holds the class, ``_aggregate`` the numba kernels that make links canonical
(with their numpy reference), ``_checks`` the validation of user input.
"""

from ._network import Network

__all__ = ["Network"]
