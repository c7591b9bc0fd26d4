"""Trace the imports of a module, or of some code, in a fresh interpreter.

Shows every sys.path entry the search visited, in order, the probes made at each (stat,
isdir, isfile, listdir, and with --candidates each file name tried), and where the module was
found. The interpreter runs as `python -c CODE` would, in the current directory.

examples:
  python -m pyenvlab trace json
  python -m pyenvlab trace -c "import email.mime.text" --candidates
  python -m pyenvlab trace numpy --python .venv/bin/python --json numpy.trace.json
  python -m pyenvlab trace --load numpy.trace.json
"""

from __future__ import annotations

import argparse

from pyenvlab.cli.common import add_output_options, write_output


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `trace`."""
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("module", nargs="?", help="module to import, e.g. xml.dom.minidom")
    what.add_argument(
        "-c", dest="code", metavar="CODE", help="Python code to run instead of importing MODULE"
    )
    what.add_argument("--load", metavar="FILE", help="render a trace saved earlier with --json")
    parser.add_argument(
        "--python", metavar="P", help="interpreter to trace (path or name on PATH; default: this one)"
    )
    parser.add_argument(
        "--path",
        metavar="DIR",
        action="append",
        default=[],
        help="directory to put in front of sys.path, like PYTHONPATH (repeatable)",
    )
    parser.add_argument(
        "--candidates",
        action="store_true",
        help="also record each file name tried in cached directory listings",
    )
    add_output_options(parser)


def run(args: argparse.Namespace) -> int:
    """Trace (or load), then print the table and write the requested files."""
    from pyenvlab.cli.common import load_trace
    from pyenvlab.tracing import trace_import

    if args.load:
        trace = load_trace(args.load)
    else:
        trace = trace_import(
            args.code if args.code is not None else args.module,
            python=args.python,
            path=args.path,
            candidates=args.candidates,
        )
    write_output(trace, args)  # the table says it when the traced code raised
    return 0
