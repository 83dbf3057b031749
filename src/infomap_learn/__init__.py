"""infomap-learn: communities in graphs and clusters in embeddings with the map equation."""

from ._version import __version__
from .flow import Flow, compute_flow
from .mapequation import codelength
from .network import Network
from .search import infomap
from .tree import ModuleTree

__all__ = [
    "__version__",
    "Flow",
    "InfoMapClustering",
    "ModuleTree",
    "Network",
    "codelength",
    "compute_flow",
    "infomap",
]


def __getattr__(name: str):
    # scikit-learn is imported only by those who use the estimator
    if name == "InfoMapClustering":
        from .estimator import InfoMapClustering

        return InfoMapClustering
    raise AttributeError(f"module 'infomap_learn' has no attribute {name!r}")
