"""infomap-learn: communities in graphs and clusters in embeddings with the map equation."""

from .flow import Flow, compute_flow
from .mapequation import codelength
from .network import Network
from .search import infomap
from .tree import ModuleTree

__all__ = ["Flow", "ModuleTree", "Network", "codelength", "compute_flow", "infomap"]
__version__ = "0.1.0.dev0"
