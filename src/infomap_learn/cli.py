"""The ``infomap-learn`` command: ``run`` on network files, ``embed`` on embeddings, ``demo``."""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np

from ._cli_support import as_flags, check_outputs, warning_printer
from ._version import __version__
from .io._outputs import OutputFiles, open_output
from .options import FLOW_MODELS


def _summary(tree, seconds: float) -> str:
    sizes = np.bincount(tree.labels)
    return (
        f"partitioned into {tree.num_levels + 1} levels with {tree.num_top_modules} top modules "
        f"(largest {sizes.max()} nodes), codelength {tree.codelength:.6f} bits, "
        f"one-level {tree.one_level_codelength:.6f} bits, savings "
        f"{100 * tree.relative_codelength_savings:.2f}%, {seconds:.2f} s"
    )


OUTPUT_FORMATS = ("tree", "clu", "ftree", "newick", "json", "csv")
"""Output formats of ``infomap-learn run``, as Infomap's ``-o`` names them."""
DEFAULT_OUTPUTS = ("tree", "clu", "ftree")
EXTENSIONS = {"newick": "nwk"}  # (Infomap's file names; the others are the format's name)


def _output_list(text: str) -> list[str]:
    formats = [f for f in text.split(",") if f]
    unknown = [f for f in formats if f not in OUTPUT_FORMATS]
    if unknown or not formats:
        raise argparse.ArgumentTypeError(
            f"unknown output format(s) {', '.join(map(repr, unknown)) or repr(text)}; "
            f"supported: {','.join(OUTPUT_FORMATS)}"
        )
    return formats


def _limit(value: int) -> int | None:
    """A relax limit as Infomap writes it (-1: none) as ``read_network`` takes it."""
    return None if value < 0 else value


def _run(args: argparse.Namespace) -> int:
    from .io.readers import read_network
    from .search import infomap

    if args.no_infomap and not args.cluster_data:
        raise ValueError("--no-infomap needs --cluster-data FILE: the partition to score")
    formats = list(args.output or [])
    formats += [f for f in OUTPUT_FORMATS if getattr(args, f) and f not in formats]
    formats = [] if args.no_file_output else formats or list(DEFAULT_OUTPUTS)
    outdir, stem = Path(args.outdir), args.out_name or Path(args.network).stem
    check_outputs(args, [outdir / f"{stem}.{EXTENSIONS.get(f, f)}" for f in formats], outdir)
    network, node_ids = read_network(
        args.network,
        # (as in Infomap, any flow model but "undirected" reads the links as directed)
        directed=args.directed or args.flow_model not in (None, "undirected"),
        weight_threshold=args.weight_threshold,
        self_links=not args.no_self_links,
        relax_rate=args.multilayer_relax_rate,
        relax_limit=_limit(args.multilayer_relax_limit),
        relax_limit_up=_limit(args.multilayer_relax_limit_up),
        relax_limit_down=_limit(args.multilayer_relax_limit_down),
        relax_by_jsd=args.multilayer_relax_by_jsd,
        relax_to_self=args.multilayer_relax_to_self,
    )
    flow_options = dict(
        flow_model=args.flow_model,
        markov_time=args.markov_time,
        teleportation_probability=args.teleportation_probability,
        recorded_teleportation=args.recorded_teleportation,
        to_nodes=args.to_nodes,
        use_node_weights_as_flow=args.use_node_weights_as_flow,
        regularized=args.regularized,
        regularization_strength=args.regularization_strength,
        variable_markov_time=args.variable_markov_time,
        variable_markov_damping=args.variable_markov_damping,
        variable_markov_min_scale=args.variable_markov_min_scale,
        skip_adjust_bipartite_flow=args.skip_adjust_bipartite_flow,
        bipartite_teleportation=args.bipartite_teleportation,
    )
    from .io.readers import read_bipartite_start

    # (a *Bipartite section makes the network bipartite, as in Infomap)
    flow_options["bipartite_start_id"] = read_bipartite_start(args.network, node_ids)
    correction = dict(
        entropy_corrected=args.entropy_corrected,
        entropy_correction_strength=args.entropy_correction_strength,
        preferred_number_of_modules=args.preferred_number_of_modules,
        meta_data_rate=args.meta_data_rate,
        meta_data_unweighted=args.meta_data_unweighted,
    )
    if not args.no_infomap:  # (a preference of the search: scoring a tree ignores it)
        correction.update(
            preferred_number_of_levels=args.preferred_number_of_levels,
            preferred_number_of_levels_strength=args.preferred_number_of_levels_strength,
        )
    if args.meta_data:
        from .io.readers import read_meta_data

        correction["meta_data"] = read_meta_data(args.meta_data, node_ids)
    start = time.perf_counter()
    if args.no_infomap:
        from .tree import ModuleTree

        tree = ModuleTree.read(
            args.cluster_data, network, node_ids=node_ids, **correction, **flow_options,
            assign_to_neighbouring_module=args.assign_to_neighbouring_module,
        )  # fmt: skip
    else:
        from .io.readers import read_module_paths

        initial = None
        if args.cluster_data:  # start from its top modules, as Infomap's -c does
            paths = read_module_paths(
                args.cluster_data, node_ids, allow_missing=args.assign_to_neighbouring_module,
                layer_nodes=None if network.layer_ids is None
                else (network.layer_ids, network.physical_ids),
            )  # fmt: skip
            if args.assign_to_neighbouring_module:
                from .paths import assign_to_neighbouring_modules

                paths = assign_to_neighbouring_modules(paths, network.source, network.target)
            initial = paths[:, 0]
        tree = infomap(
            network,
            initial_partition=initial,
            two_level=args.two_level,
            num_trials=args.trials,
            seed=args.seed,
            progress=None if not args.quiet else False,
            n_jobs=args.n_jobs,
            **correction,
            **flow_options,
        )
    seconds = time.perf_counter() - start
    if args.clu_level > tree.num_levels:  # (as Infomap: the deepest level there is)
        args.clu_level = tree.num_levels
    hide = {"hide_bipartite_nodes": True} if args.hide_bipartite_nodes else {}
    if hide and tree.options.get("bipartite_start_id") is None:
        raise ValueError("--hide-bipartite-nodes: the network is not bipartite (no *Bipartite)")
    writers = {
        "tree": lambda p: tree.write_tree(p, node_ids=node_ids, **hide),
        "clu": lambda p: tree.write_clu(p, level=args.clu_level, node_ids=node_ids, **hide),
        "ftree": lambda p: tree.write_ftree(p, node_ids=node_ids),
        "newick": lambda p: tree.write_newick(p, node_ids=node_ids),
        "json": lambda p: tree.write_json(p, node_ids=node_ids, args=args.command_line, **hide),
        "csv": lambda p: tree.write_csv(p, node_ids=node_ids, **hide),
    }
    state_writers = {
        "tree": lambda p: tree.write_tree(p, node_ids=node_ids, states=True),
        "clu": lambda p: tree.write_clu(p, level=args.clu_level, node_ids=node_ids, states=True),
        "ftree": lambda p: tree.write_ftree(p, node_ids=node_ids, states=True),
        "json": lambda p: tree.write_json(
            p, node_ids=node_ids, args=args.command_line, states=True
        ),
    }
    # all of a run's files appear together, once every one is complete, or none does
    with OutputFiles() as files:
        for fmt in formats:
            files.write(outdir / f"{stem}.{EXTENSIONS.get(fmt, fmt)}", writers[fmt])
            if tree.physical_ids is not None and fmt in state_writers:
                # (a state network's result at both levels, as Infomap writes it)
                files.write(outdir / f"{stem}_states.{fmt}", state_writers[fmt])
        if args.html:
            from .io._html import write_html

            # the names (Pajek) or ids (link lists) of the input file
            files.write(
                args.html,
                lambda p: write_html(
                    tree, p, names=network.node_names, title=Path(args.network).name
                ),
            )
    if not args.quiet:
        print(f"{args.network}: {network.n_nodes} nodes, {network.n_links} links")
        print(_summary(tree, seconds))
        if formats:
            written = ", ".join(f"{stem}.{EXTENSIONS.get(fmt, fmt)}" for fmt in formats)
            print(f"wrote {written} to {outdir}"
                  + (" (and the state level in _states files)"
                     if tree.physical_ids is not None else ""))  # fmt: skip
        if args.html:
            print(f"wrote {args.html}")
    return 0


def _load_matrix(path: str) -> np.ndarray:
    """The samples of a ``.npy`` or CSV file (a CSV header row is skipped)."""
    if path.endswith(".npy"):
        return np.load(path)
    try:
        return np.loadtxt(path, delimiter=",", ndmin=2)
    except ValueError:
        try:
            return np.loadtxt(path, delimiter=",", ndmin=2, skiprows=1)
        except ValueError as error:
            raise ValueError(f"{path}: {error}") from None


def _embed(args: argparse.Namespace) -> int:
    from .estimator import InfoMapClustering

    X = _load_matrix(args.embeddings)
    start = time.perf_counter()
    model = InfoMapClustering(
        n_neighbors=args.n_neighbors,
        metric=args.metric,
        weighting=args.weighting,
        hubness=None if args.hubness == "none" else args.hubness,
        threshold=args.threshold,
        two_level=args.two_level,
        markov_time=args.markov_time,
        num_trials=args.trials,
        random_state=args.seed,
        n_jobs=args.n_jobs,
    ).fit(X)
    seconds = time.perf_counter() - start
    paths = model.tree_.paths
    with open_output(args.output) as out:
        out.write("node,module,path\n")
        for node in range(X.shape[0]):
            path = ":".join(str(p + 1) for p in paths[node] if p >= 0)
            out.write(f"{node},{model.labels_[node] + 1},{path}\n")
    if not args.quiet:
        print(f"{args.embeddings}: {X.shape[0]} samples, {X.shape[1]} features")
        print(_summary(model.tree_, seconds))
        print(f"wrote {args.output}")
    return 0


def _composition(values: np.ndarray, most: int = 3) -> str:
    counts = np.bincount(values)
    order = np.argsort(-counts, kind="stable")[:most]
    return ", ".join(f"{v}x{counts[v]}" for v in order if counts[v] > 0)


def _demo(args: argparse.Namespace) -> int:
    from sklearn.datasets import load_digits
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    from .estimator import InfoMapClustering

    digits = load_digits()
    start = time.perf_counter()
    model = InfoMapClustering(
        num_trials=args.trials, random_state=args.seed, n_jobs=args.n_jobs
    ).fit(digits.data)
    seconds = time.perf_counter() - start
    print(
        f"scikit-learn's digits: {digits.data.shape[0]} images of 8x8 pixels, "
        f"a {model.n_neighbors}-nearest-neighbour graph (neighbours by {model.hubness}) "
        f"with {model.weighting} weights "
        f"({model.graph_.n_links} links), hierarchical Infomap"
    )
    print(_summary(model.tree_, seconds))
    print("Modules and their submodules, with the true digits they hold (digit x count):")
    tree = model.tree_
    for module in range(tree.num_top_modules):
        members = tree.labels == module
        held = digits.target[members]
        print(f"  {module + 1:>2}  {len(held):>4} images  {_composition(held)}")
        if tree.num_levels > 1:
            subs = tree.paths[members, 1]
            for sub in np.unique(subs[subs >= 0]):
                held = digits.target[members][subs == sub]
                print(f"      {module + 1}:{sub + 1:<3}{len(held):>4}  {_composition(held)}")
    nmi = normalized_mutual_info_score(digits.target, model.labels_)
    ari = adjusted_rand_score(digits.target, model.labels_)
    print(f"Top level against the digit labels: NMI {nmi:.3f}, ARI {ari:.3f}")
    return 0


def _add_search_options(parser: argparse.ArgumentParser) -> None:
    # the official Infomap's short and long names first; our earlier names stay as aliases
    parser.add_argument("-2", "--two-level", action="store_true", help="a flat partition only")
    parser.add_argument(
        "-N", "--num-trials", "--trials", dest="trials", type=int, default=1,
        help="number of trials (default 1)",
    )  # fmt: skip
    parser.add_argument("--markov-time", type=float, default=1.0, help="Markov time scale")
    parser.add_argument("-s", "--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument(
        "--n-jobs", type=int, default=-1, help="threads (-1, the default: every core)"
    )
    parser.add_argument(
        "--silent", "--quiet", dest="quiet", action="store_true", help="print nothing"
    )


_MODEL_OPTIONS: tuple[tuple[str, dict], ...] = (
    ("--use-node-weights-as-flow", {
        "action": "store_true",
        "help": "the node weights (Pajek *Vertices) as the node flow",
    }),
    ("--regularized", {
        "action": "store_true",
        "help": "the regularized map equation: a Bayesian prior against spurious modules",
    }),
    ("--regularization-strength", {
        "type": float,
        "default": 1.0,
        "metavar": "X",
        "help": "scale the prior of --regularized (default 1)",
    }),
    ("--preferred-number-of-levels", {
        "type": int,
        "default": None,
        "metavar": "L",
        "help": "a soft preference for the depth of the hierarchy, the leaf level counted",
    }),
    ("--preferred-number-of-levels-strength", {
        "type": float,
        "default": 1.0,
        "metavar": "X",
        "help": "scale the preference of --preferred-number-of-levels (default 1; 0: none)",
    }),
    ("--meta-data", {
        "metavar": "FILE",
        "help": "node meta data to encode, a .clu file of node id and meta id per line",
    }),
    ("--meta-data-rate", {
        "type": float,
        "default": 1.0,
        "metavar": "X",
        "help": "with --meta-data: the rate at which meta data are encoded (default 1)",
    }),
    ("--meta-data-unweighted", {
        "action": "store_true",
        "help": "with --meta-data: weigh every node alike, not by its flow",
    }),
    ("--skip-adjust-bipartite-flow", {
        "action": "store_true",
        "help": "keep a bipartite network's flow as the flow model makes it",
    }),
    ("--bipartite-teleportation", {
        "action": "store_true",
        "help": "bipartite input: a two-step walk between primary nodes that teleports to "
                "primary nodes only (directed model; needs links back from the features)",
    }),
    ("--multilayer-relax-rate", {
        "type": float,
        "default": 0.15,
        "metavar": "X",
        "help": "multilayer input without *Inter links: the probability to relax to any "
        "layer (default 0.15)",
    }),
    ("--multilayer-relax-limit", {
        "type": int,
        "default": -1,
        "metavar": "N",
        "help": "relax only to layers at most N away in layer id (default -1: no limit)",
    }),
    ("--multilayer-relax-limit-up", {
        "type": int,
        "default": -1,
        "metavar": "N",
        "help": "relax only to layers at most N above (default -1: no limit)",
    }),
    ("--multilayer-relax-limit-down", {
        "type": int,
        "default": -1,
        "metavar": "N",
        "help": "relax only to layers at most N below (default -1: no limit)",
    }),
    ("--multilayer-relax-by-jsd", {
        "action": "store_true",
        "help": "relax to each layer by how alike the node's out-links are there and in its "
                "own layer (one minus their Jensen-Shannon divergence)",
    }),
    ("--multilayer-relax-to-self", {
        "action": "store_true",
        "help": "relax to the node itself in the other layers (a smaller state network, "
                "walked as the default relaxation)",
    }),
    ("--variable-markov-time", {
        "action": "store_true",
        "help": "a local Markov time per link: sparse areas split less",
    }),
    ("--variable-markov-damping", {
        "type": float,
        "default": 1.0,
        "metavar": "X",
        "help": "with --variable-markov-time: from effective degree (0) to its log (1, default)",
    }),
    ("--variable-markov-min-scale", {
        "type": float,
        "default": 1.0,
        "metavar": "X",
        "help": "with --variable-markov-time: the smallest local scale (default 1)",
    }),
)
"""The model variants' options of ``run``, under Infomap's names, as ``--help`` lists them."""


def build_parser() -> argparse.ArgumentParser:
    """The ``infomap-learn`` argument parser with its subcommands.

    Returns
    -------
    argparse.ArgumentParser

    Examples
    --------
    >>> args = build_parser().parse_args(["run", "net.txt", "out", "-N", "5"])
    >>> args.trials, args.n_jobs, args.two_level
    (5, -1, False)
    """
    parser = argparse.ArgumentParser(
        prog="infomap-learn",
        description="Communities in networks and clusters in embeddings with the map "
        "equation (Infomap).",
    )
    parser.add_argument("--version", action="version", version=f"infomap-learn {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="cluster a network file (link list or Pajek)")
    run.add_argument("network", help="link-list or Pajek (.net) file")
    run.add_argument("outdir", help="folder for the output files")
    run.add_argument("-d", "--directed", action="store_true", help="links are directed")
    run.add_argument("-f", "--flow-model", choices=FLOW_MODELS, default=None)
    run.add_argument("-p", "--teleportation-probability", type=float, default=0.15)
    run.add_argument("-e", "--recorded-teleportation", action="store_true")
    run.add_argument("--to-nodes", action="store_true", help="teleport to nodes, not links")
    for flag, settings in _MODEL_OPTIONS:
        run.add_argument(flag, **settings)
    run.add_argument(
        "--weight-threshold", type=float, default=None, help="skip links weighing less"
    )
    run.add_argument("--no-self-links", action="store_true", help="skip self-links")
    run.add_argument(
        "-c", "--cluster-data", metavar="FILE",
        help="a .clu, .tree or .ftree (of Infomap or ours): start from its top modules, or "
        "score it with --no-infomap",
    )  # fmt: skip
    run.add_argument(
        "--no-infomap", action="store_true", help="no search: score --cluster-data"
    )
    run.add_argument(
        "--assign-to-neighbouring-module", action="store_true",
        help="with --cluster-data: nodes it leaves out join a neighbour's module",
    )  # fmt: skip
    run.add_argument(
        "--entropy-corrected", action="store_true",
        help="correct the small-sample bias of the entropy terms (fewer spurious modules)",
    )  # fmt: skip
    run.add_argument(
        "--entropy-correction-strength", type=float, default=1.0, metavar="X",
        help="scale the entropy correction (default 1)",
    )  # fmt: skip
    run.add_argument(
        "--preferred-number-of-modules", type=int, default=None, metavar="K",
        help="one bit of codelength per top module more or fewer than K",
    )  # fmt: skip
    out = run.add_argument_group(
        "output (Infomap's names; without any of these: .tree, .clu and .ftree)"
    )
    out.add_argument(
        "-o", "--output", metavar="LIST", type=_output_list, default=None,
        help=f"comma-separated formats, of {', '.join(OUTPUT_FORMATS)}",
    )  # fmt: skip
    for fmt in OUTPUT_FORMATS:
        extension = EXTENSIONS.get(fmt, fmt)
        out.add_argument(f"--{fmt}", action="store_true", help=f"write the .{extension} file")
    out.add_argument(
        "--clu-level", type=int, default=1,
        help="module level of the .clu file: 1 the top modules, -1 (or one below the tree) the "
        "deepest (default 1)",
    )  # fmt: skip
    out.add_argument("--out-name", help="base name of the output files (default: the input's)")
    out.add_argument(
        "--hide-bipartite-nodes", action="store_true",
        help="leave a bipartite network's feature nodes out of the .tree, .clu, csv and json "
        "files (not the .ftree and Newick ones, as Infomap)",
    )  # fmt: skip
    out.add_argument(
        "-0", "--no-file-output", action="store_true", help="write no output file"
    )
    run.add_argument(
        "--html",
        metavar="FILE",
        help="also write the module tree as a self-contained HTML page (a zoomable treemap)",
    )
    _add_search_options(run)
    run.set_defaults(func=_run)

    embed = sub.add_parser("embed", help="cluster the rows of an embedding (.npy or .csv)")
    embed.add_argument("embeddings", help="X.npy, or X.csv with one sample per row")
    embed.add_argument("output", help="CSV with node, top module and module path")
    embed.add_argument("-k", "--n-neighbors", type=int, default=15)
    embed.add_argument("--metric", default="euclidean")
    embed.add_argument(
        "--weighting", choices=("jaccard", "similarity", "connectivity"), default="jaccard"
    )
    embed.add_argument("--threshold", type=float, default=None, help="drop weaker links")
    embed.add_argument(
        "--hubness", choices=("mutual_proximity", "local_scaling", "none"),
        default="mutual_proximity",
        help="hubness reduction of the kNN graph (default mutual_proximity; none: plain kNN)",
    )  # fmt: skip
    _add_search_options(embed)
    embed.set_defaults(func=_embed)

    demo = sub.add_parser("demo", help="cluster scikit-learn's digits (built in)")
    demo.add_argument("-N", "--trials", type=int, default=1, help="number of trials")
    demo.add_argument("--seed", type=int, default=0, help="random seed")
    demo.add_argument("--n-jobs", type=int, default=-1, help="threads (-1: every core)")
    demo.set_defaults(func=_demo)

    from .adapters.neo4j import add_subcommand as add_neo4j_subcommand

    add_neo4j_subcommand(sub)
    return parser


_NEGATIVE_VALUED = (
    "--clu-level", "--n-jobs", "--entropy-correction-strength", "--preferred-number-of-modules",
    "--regularization-strength", "--variable-markov-damping", "--variable-markov-min-scale",
    "--meta-data-rate", "--preferred-number-of-levels", "--preferred-number-of-levels-strength",
)
"""Options whose value may be negative: with -2 and -0 defined as flags, argparse would
take "-1" after them for an option."""


def _glue_negative_values(argv: list[str]) -> list[str]:
    """``--clu-level -1`` as ``--clu-level=-1``, as Infomap's own command line reads it."""
    out: list[str] = []
    i = 0
    while i < len(argv):
        token = argv[i]
        following = argv[i + 1] if i + 1 < len(argv) else ""
        if token in _NEGATIVE_VALUED and following.startswith("-") and following[1:].isdigit():
            out.append(f"{token}={following}")
            i += 2
        else:
            out.append(token)
            i += 1
    return out


def main(argv: list[str] | None = None) -> int:
    r"""Run the command line on ``argv`` (default: ``sys.argv[1:]``); return the exit code.

    Parameters
    ----------
    argv : list of str, optional
        The arguments after the program name.

    Returns
    -------
    int
        0 on success, 2 for bad input (the message goes to stderr).

    Examples
    --------
    >>> import os, tempfile
    >>> folder = tempfile.mkdtemp()
    >>> path = os.path.join(folder, "net.txt")
    >>> with open(path, "w") as f:
    ...     _ = f.write("1 2\n2 3\n3 1\n4 5\n5 6\n6 4\n3 4\n")
    >>> main(["run", path, folder, "--two-level", "--quiet"])
    0
    >>> sorted(name for name in os.listdir(folder) if name.startswith("net."))
    ['net.clu', 'net.ftree', 'net.tree', 'net.txt']
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser()
    args = parser.parse_args(_glue_negative_values(argv))
    args.command_line = " ".join(argv)  # (recorded in the JSON output, as Infomap does)
    try:
        with warnings.catch_warnings():
            warnings.showwarning = warning_printer(parser)
            if getattr(args, "quiet", False):
                warnings.simplefilter("ignore")  # (--silent: nothing printed)
            return args.func(args)
    except (ValueError, OSError) as error:
        print(f"infomap-learn: error: {as_flags(str(error), parser)}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
