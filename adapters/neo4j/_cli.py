"""The ``infomap-learn neo4j`` command line."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Mapping
from typing import Any

from ._errors import (
    Neo4jAdapterError,
)
from ._label import (
    label_communities,
)

logger = logging.getLogger("infomap_learn.adapters.neo4j")

# --------------------------------------------------------------------------------------
# command line
# --------------------------------------------------------------------------------------

_CLI_HELP = """\
Read a graph from Neo4j (or any Bolt/Cypher server), find its communities with Infomap
and write each node's community to a node property, like Neo4j GDS's write mode. Prints
the statistics as JSON.

The server and credentials come from the environment: NEO4J_URI (or --uri),
NEO4J_USERNAME, NEO4J_PASSWORD and NEO4J_DATABASE (or --database). Credentials are never
printed or logged.
"""


def add_subcommand(subparsers: Any) -> argparse.ArgumentParser:
    """Register the ``neo4j`` subcommand on an argparse ``subparsers`` object.

    Its ``func`` default runs :func:`label_communities` and returns an exit code: 0 on
    success, 1 on an adapter error (message on stderr), 2 on bad arguments.

    Parameters
    ----------
    subparsers
        What ``parser.add_subparsers()`` returned.

    Returns
    -------
    argparse.ArgumentParser
        The subcommand's parser.
    """
    p = subparsers.add_parser(
        "neo4j",
        help="label the nodes of a Neo4j graph with their Infomap communities",
        description=_CLI_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--uri", help="server URI (default: $NEO4J_URI)")
    p.add_argument("--database", help="database name (default: $NEO4J_DATABASE, else the "
                   "server's default)")
    what = p.add_mutually_exclusive_group()
    what.add_argument("--query", help="Cypher query returning rows of source, target [, weight] "
                      "(or source, targets [, weights] lists)")
    what.add_argument("--node-label", action="append", metavar="LABEL", dest="node_labels",
                      help="read nodes with this label (repeatable); '*' for all nodes")
    p.add_argument("--relationship-type", action="append", metavar="TYPE",
                   dest="relationship_types",
                   help="read relationships of this type (repeatable; default all)")
    p.add_argument("--weight-property", help="relationship property with the weight")
    p.add_argument("--directed", action="store_true", help="relationships are directed links")
    p.add_argument("--write-property", default="community",
                   help="node property to write (default: community)")
    p.add_argument("--include-intermediate-communities", action="store_true",
                   help="write the module path (a list, top level first)")
    p.add_argument("--two-level", action="store_true", help="a partition, no hierarchy")
    p.add_argument("-N", "--trials", type=int, default=1, help="number of trials (default 1)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--markov-time", type=float, default=1.0, help="Markov time (default 1)")
    p.add_argument("--n-jobs", type=int, default=-1, help="threads (default -1: every core)")
    p.add_argument("--batch-size", type=int, default=10_000,
                   help="nodes per write transaction (default 10000)")
    p.add_argument("--dry-run", action="store_true",
                   help="read and compute, but write nothing; report what would be written")
    p.set_defaults(func=run_cli)
    return p


def run_cli(args: argparse.Namespace, environ: Mapping[str, str] | None = None) -> int:
    """Run the ``neo4j`` subcommand for parsed ``args``; returns the exit code."""
    env = os.environ if environ is None else environ
    uri = args.uri or env.get("NEO4J_URI")
    if not uri:
        print("infomap-learn neo4j: error: no server: give --uri or set NEO4J_URI",
              file=sys.stderr)
        return 2
    if args.query is None and args.relationship_types is None and args.node_labels is None:
        print("infomap-learn neo4j: error: give --query, or --node-label and/or "
              "--relationship-type", file=sys.stderr)
        return 2
    if args.query is not None and (args.relationship_types or args.weight_property):
        print("infomap-learn neo4j: error: --relationship-type and --weight-property go with "
              "--node-label, not --query", file=sys.stderr)
        return 2
    labels = args.node_labels
    if labels == ["*"]:
        labels = None
    user, password = env.get("NEO4J_USERNAME"), env.get("NEO4J_PASSWORD")
    auth = None
    if user or password:
        auth = (user or "neo4j", password or "")
    try:
        stats = label_communities(
            uri,
            query=args.query,
            node_labels=labels,
            relationship_types=args.relationship_types,
            weight_property=args.weight_property,
            directed=args.directed,
            write_property=args.write_property,
            include_intermediate_communities=args.include_intermediate_communities,
            database=args.database or env.get("NEO4J_DATABASE") or None,
            auth=auth,
            two_level=args.two_level,
            num_trials=args.trials,
            seed=args.seed,
            markov_time=args.markov_time,
            n_jobs=args.n_jobs,
            batch_size=args.batch_size,
            dry_run=args.dry_run,
        )
    except Neo4jAdapterError as exc:
        message = str(exc)
        if password:
            message = message.replace(password, "***")
        print(f"infomap-learn neo4j: error: {message}", file=sys.stderr)
        return 1
    except (ValueError, ImportError) as exc:  # bad search options; no driver installed
        print(f"infomap-learn neo4j: error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(stats.to_dict(), indent=2))
    return 0
