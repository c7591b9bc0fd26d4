"""Show the requirement graph of an installed distribution, from its metadata.

Markers are evaluated for the inspected interpreter, extras are followed (``requests[socks]``),
and each requirement says whether the installed version satisfies it (MISSING, CONFLICT).

examples:
  python -m pyenvlab deps pytest
  python -m pyenvlab deps packaging --reverse          # who needs packaging?
  python -m pyenvlab deps requests --python .venv/bin/python --format dot > deps.gv
"""

from __future__ import annotations

import argparse

from pyenvlab.cli.common import add_timeout_option

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``deps``."""
    parser.add_argument(
        "distribution", help="an installed distribution, optionally with extras: 'name[extra]'"
    )
    parser.add_argument(
        "-r", "--reverse", action="store_true", help="show who needs it instead of what it needs"
    )
    parser.add_argument(
        "--python", metavar="EXE", help="inspect this interpreter's environment (default: this one)"
    )
    parser.add_argument(
        "--path", metavar="DIR", action="append", help="look for distributions only in DIR (repeatable)"
    )
    parser.add_argument(
        "--format", choices=("text", "json", "dot", "html"), default="text", help="output format"
    )
    parser.add_argument(
        "--check", action="store_true", help="exit with status 1 if anything is missing or conflicting"
    )
    add_timeout_option(parser, what="the --python interpreter")


def run(args: argparse.Namespace) -> int:
    """Print the graph; with ``--check``, return 1 when a requirement is not satisfied."""
    from pyenvlab.anatomy import deps
    from pyenvlab.cli.abi_command import emit

    graph = deps(
        args.distribution, reverse=args.reverse, python=args.python, path=args.path, timeout=args.timeout
    )
    emit(graph, args.format)
    return 1 if args.check and (graph.missing or graph.conflicts) else 0
