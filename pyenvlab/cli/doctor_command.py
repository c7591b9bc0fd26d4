"""Diagnose the environment this interpreter runs in, and say how to fix each finding.

Checks: modules in the working directory or on PYTHONPATH that shadow the standard library or
installed packages; the user site ahead of a venv or conda environment; PYTHONPATH leaking
into a venv; .pth lines that fail at startup; sys.path entries that do not exist; a `pip` on
PATH that belongs to another interpreter than `python`; a venv whose base interpreter is gone;
a venv without pip (uv makes them so: use `uv pip`); an externally managed interpreter (PEP 668:
make a venv). With --python it examines another interpreter, from inside it.

Exit status: 0 when nothing needs fixing, 1 when there are errors or warnings.

examples:
  python -m pyenvlab doctor
  python -m pyenvlab doctor --python /usr/bin/python3     # e.g. Debian's, externally managed
"""

from __future__ import annotations

import argparse

from pyenvlab.cli.common import add_timeout_option


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``python -m pyenvlab doctor``."""
    parser.add_argument(
        "--python",
        metavar="EXE",
        default=None,
        help="examine this interpreter instead (a path or a name on PATH)",
    )
    parser.add_argument("--json", metavar="FILE", default=None, help="also save the findings as JSON to FILE")
    parser.add_argument(
        "--no-trace", action="store_true", help="skip tracing a fresh start (the .pth check needs it)"
    )
    parser.add_argument("--width", type=int, default=None, help="output width (default: the terminal's)")
    parser.add_argument(
        "--color", action=argparse.BooleanOptionalAction, default=None, help="colour the output"
    )
    add_timeout_option(parser, what="the interpreters the checks run")


def run(args: argparse.Namespace) -> int:
    """Run every rule on the sys.path the interpreter built for this command."""
    from pyenvlab import cli
    from pyenvlab.cli.common import save_json
    from pyenvlab.interpreter.doctor import doctor
    from pyenvlab.render import startup_views

    if args.python:
        report = doctor(python=args.python, trace_startup=not args.no_trace, timeout=args.timeout)
    else:
        report = doctor(list(cli.invocation_sys_path), trace_startup=not args.no_trace, timeout=args.timeout)
    save_json(report, args.json)
    print(startup_views.text(report, width=args.width, color=args.color))
    return 0 if report.ok else 1
