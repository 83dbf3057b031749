"""Input and output: network files in, module trees out.

``readers`` reads Infomap's link-list, Pajek and JSON network files (``_network_json``) and
its module and meta-data files; ``_writers`` writes Infomap's
``.tree``, ``.clu`` and ``.ftree`` files; ``_text`` and ``_html`` (with its page templates in
``templates/``) and ``_plot`` are the views of a module tree; ``_outputs`` makes every output
appear whole or not at all. :class:`~infomap_learn.ModuleTree`'s methods are the front doors
to the writers and views.
"""

from .readers import read_bipartite_start, read_meta_data, read_network

__all__ = ["read_bipartite_start", "read_meta_data", "read_network"]
