"""Show how an interpreter found its prefix (the landmark walk) and how site built sys.path.

Every check of the real prefix search is listed in order, then each step of site, every .pth
line and what it did, the final sys.path with where each entry came from, and whether all of
it matches the interpreter's own values.

examples:
  python -m pyenvlab startup
  python -m pyenvlab startup --python .venv/bin/python
  python -m pyenvlab startup --python python3.12 -E --json trace.json
  python -m pyenvlab startup --python pyodide:3.14 --argv0 /path/to/venv/bin/python
"""

from __future__ import annotations

import argparse

from pyenvlab.cli.common import add_timeout_option


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``python -m pyenvlab startup``."""
    parser.add_argument(
        "--python",
        metavar="P",
        default=None,
        help="interpreter to trace: a path, a name on PATH, or pyodide:3.14 / pyodide:3.15"
        " (default: this one)",
    )
    parser.add_argument(
        "--argv0",
        metavar="NAME",
        default=None,
        help="argv[0] as the shell passes it (e.g. 'python' when found on PATH)",
    )
    for flag, what in (
        ("-E", "ignore PYTHON* environment variables"),
        ("-I", "isolated mode"),
        ("-s", "no user site"),
        ("-S", "no site"),
    ):
        parser.add_argument(
            flag, dest="flags", action="append_const", const=flag, help=f"trace a start with {flag}: {what}"
        )
    parser.add_argument("--json", metavar="FILE", default=None, help="also save the trace as JSON to FILE")
    parser.add_argument("--width", type=int, default=None, help="output width (default: the terminal's)")
    parser.add_argument(
        "--color", action=argparse.BooleanOptionalAction, default=None, help="colour the output"
    )
    add_timeout_option(parser, what="the traced interpreter")


def run(args: argparse.Namespace) -> int:
    """Trace the start and print it; exit status 0 when verified, 1 when the trace disagrees."""
    from pyenvlab.cli.common import save_json
    from pyenvlab.interpreter import startup
    from pyenvlab.render import startup_views

    trace = startup(args.python, argv0=args.argv0, flags=tuple(args.flags or ()), timeout=args.timeout)
    save_json(trace, args.json)
    print(startup_views.text(trace, width=args.width, color=args.color))
    return 0 if trace.verified else 1
