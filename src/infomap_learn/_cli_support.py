"""What the ``infomap-learn`` command checks and says: its outputs before a run, and its
errors and warnings in the command line's terms."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path


def check_outputs(args: argparse.Namespace, targets: list[Path], outdir: Path) -> None:
    """Before the search: the output folder made (or an error naming it), and no output
    file that is one of the run's input files."""
    if args.clu_level == 0 or args.clu_level < -1:
        raise ValueError(f"--clu-level {args.clu_level}: use 1 (the top modules) or more, or -1")
    if outdir.exists() and not outdir.is_dir():
        raise NotADirectoryError(f"output directory {outdir} is a file, not a directory")
    outdir.mkdir(parents=True, exist_ok=True)
    inputs = [args.network, args.cluster_data, args.meta_data]
    inputs = {Path(p).resolve(): p for p in inputs if p}
    for target in targets + ([Path(args.html)] if args.html else []):
        if target.resolve() in inputs:
            raise ValueError(
                f"the output file {target} is the input file {inputs[target.resolve()]}: "
                "choose another output directory or --out-name, or other -o formats"
            )


_PYTHON_NAMES = {"num_trials": "trials"}  # (the library's keyword -> the flag's name)


def as_flags(message: str, parser: argparse.ArgumentParser) -> str:
    """``message`` with the library's option names (``markov_time``) as the command
    line's flags (``--markov-time``)."""
    flags: dict[str, str] = {}
    for sub in parser._subparsers._group_actions[0].choices.values():  # (run's first)
        for action in sub._actions:
            long = [o for o in action.option_strings if o.startswith("--")]
            if long:  # (the first long name: Infomap's, where it has one)
                flags.setdefault(action.dest, long[0])

    def flag(match: re.Match) -> str:
        name = match.group(0)
        return flags.get(_PYTHON_NAMES.get(name, name), name)

    return re.sub(r"\b[a-z]+(?:_[a-z]+)+\b", flag, message)


def warning_printer(parser: argparse.ArgumentParser):
    """A ``warnings.showwarning`` that prints a warning as the command line's user reads
    it: no source file of the library, the flags' names."""

    def show_warning(message, category, filename, lineno, file=None, line=None) -> None:
        print(f"infomap-learn: warning: {as_flags(str(message), parser)}", file=sys.stderr)

    return show_warning
