"""Clustering on a Dask cluster: kNN graphs of chunked embeddings and a distributed search.

``infomap_learn.dask`` is the front door for data that outgrows one machine (the ``dask``
extra: ``pip install 'infomap-learn[dask]'``)::

    from distributed import Client
    from infomap_learn.dask import knn_graph, infomap

    client = Client(scheduler_address)
    links = knn_graph(X, n_neighbors=15)      # X: a dask.array of embeddings
    modules = infomap(links, client)           # a dask DataFrame: node, module
    modules.to_parquet("modules/")             # written by the workers in parallel

The links stay on the workers; the client holds one number per node. See
``docs/scaling.md`` for the design, measured costs and how to run it on a real cluster.
"""

from ._estimator import DaskInfoMapClustering
from ._front import infomap
from ._knn import knn_graph
from ._neo4j import write_neo4j
from ._search import DistributedStats, RoundRecord

__all__ = [
    "DaskInfoMapClustering",
    "DistributedStats",
    "RoundRecord",
    "infomap",
    "knn_graph",
    "write_neo4j",
]
