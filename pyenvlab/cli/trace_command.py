"""Trace the imports of a module, or of some code, in a fresh interpreter.

Shows every sys.path entry the search visited, in order, the probes made at each (stat,
isdir, isfile, listdir, and with --candidates each file name tried), and where the module was
found. The interpreter runs as `python -c CODE` would, in the current directory.

examples:
  python -m pyenvlab trace json
  python -m pyenvlab trace -c "import email.mime.text" --candidates
  python -m pyenvlab trace numpy --python .venv/bin/python --json numpy.trace.json
  python -m pyenvlab trace --load numpy.trace.json
  python -X importtime -c "import numpy" 2> numpy.log; python -m pyenvlab trace --load numpy.log
  python -m pyenvlab trace numpy --importtime numpy.log     # for tuna or importtime-waterfall
  python -m pyenvlab trace email.mime.text --dot email.gv --collapse package
  python -m pyenvlab trace json --dot scan.gv --module json
  python -m pyenvlab trace json --python pyodide:3.15
  python -m pyenvlab trace -c "import json" --python pyodide:3.15 --lazy-imports all
"""

from __future__ import annotations

import argparse

from pyenvlab.cli.common import (
    add_output_options,
    add_target_arguments,
    add_view_options,
    target_trace,
    view_options,
    write_dot,
    write_output,
)
from pyenvlab.cli.importtime_output import write_importtime


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `trace`."""
    add_target_arguments(parser)
    parser.add_argument(
        "--candidates",
        action="store_true",
        help="also record each file name tried in cached directory listings",
    )
    add_output_options(parser)
    parser.add_argument(
        "--dot",
        metavar="FILE",
        help="also write the graph (Graphviz DOT source) to FILE, drawn as asked below",
    )
    parser.add_argument(
        "--importtime",
        metavar="FILE",
        help="also write the loads to FILE as `python -X importtime` prints them (for tuna...)",
    )
    parser.add_argument(
        "--importtime-cached",
        action="store_true",
        help="with --importtime: also write the cache hits, as `-X importtime=2` does",
    )
    add_view_options(parser, title="graph options (for --dot)")


def run(args: argparse.Namespace) -> int:
    """Trace (or load), then print the table and write the requested files."""
    options = view_options(args)
    trace = target_trace(args, candidates=args.candidates)
    write_output(trace, args)  # the table says it when the traced code raised
    if args.dot:
        write_dot(trace, args.dot, options)
    if args.importtime:
        write_importtime(trace, args.importtime, cached=args.importtime_cached)
    return 0
