"""Show sys.path of a fresh interpreter: where each entry came from and whether it exists.

Sources: the script directory or current directory, PYTHONPATH, the stdlib zip, the stdlib,
lib-dynload, site-packages (of a venv or the base), the user site, or a .pth file and line.

examples:
  python -m pyenvlab path
  python -m pyenvlab path --python .venv/bin/python
"""

from __future__ import annotations

import argparse

from pyenvlab.cli.common import add_timeout_option


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``python -m pyenvlab path``."""
    parser.add_argument(
        "--python",
        metavar="P",
        default=None,
        help="interpreter to ask: a path, a name on PATH, or pyodide:3.14 / pyodide:3.15 (default: this one)",
    )
    for flag in ("-E", "-I", "-s"):
        parser.add_argument(
            flag, dest="flags", action="append_const", const=flag, help=f"as started with {flag}"
        )
    parser.add_argument("--json", metavar="FILE", default=None, help="also save the report as JSON to FILE")
    parser.add_argument("--width", type=int, default=None, help="output width (default: the terminal's)")
    parser.add_argument(
        "--color", action=argparse.BooleanOptionalAction, default=None, help="colour the output"
    )
    add_timeout_option(parser)


def run(args: argparse.Namespace) -> int:
    """Print the annotated sys.path; exit status 0, or 1 when the trace disagrees with it."""
    from pyenvlab.cli.common import save_json
    from pyenvlab.interpreter import path_report
    from pyenvlab.render import startup_views

    report = path_report(args.python, flags=tuple(args.flags or ()), timeout=args.timeout)
    save_json(report, args.json)
    print(startup_views.text(report, width=args.width, color=args.color))
    return 0 if report.verified else 1
