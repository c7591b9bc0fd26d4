"""Write a self-contained HTML report of an import trace: one file, readable offline.

The page shows the summary, the import tree (who imported whom, first loads and cache hits),
how the first top-level import was found (every sys.path entry visited, the probes made there),
and the tables. Graphs are inline SVG when Graphviz's `dot` program is installed, otherwise the
page shows their DOT source. No scripts, no network.

With no MODULE, -c or --load it traces `import json` (the README's quick start), prints the
scan as a table and writes pyenvlab-report.html.

examples:
  python -m pyenvlab report
  python -m pyenvlab report json -o json.html
  python -m pyenvlab report -c "import email.mime.text" -o email.html
  python -m pyenvlab report numpy --python .venv/bin/python -o numpy.html
  python -m pyenvlab report --load numpy.trace.json -o numpy.html
  python -m pyenvlab report -c "import email.mime.text" --collapse package --module email.mime.text
  python -m pyenvlab report -c "import json" --python pyodide:3.15 --lazy-imports all -o lazy.html
"""

from __future__ import annotations

import argparse

from pyenvlab.cli.common import add_target_arguments, add_view_options, target_trace, view_options

DEFAULT_MODULE = "json"
DEFAULT_OUTPUT = "pyenvlab-report.html"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `report`."""
    add_target_arguments(parser, required=False)
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        default=DEFAULT_OUTPUT,
        help=f"the HTML file to write (default: {DEFAULT_OUTPUT})",
    )
    parser.add_argument("--title", metavar="TEXT", help="the page title (default: the traced code)")
    add_view_options(parser, title="graph options (--module: whose search the second graph shows)")


def run(args: argparse.Namespace) -> int:
    """Trace (or load), then write the report and say where it is."""
    from pyenvlab.errors import PyenvlabError
    from pyenvlab.render import standalone

    options = view_options(args)
    trace = target_trace(args, default=DEFAULT_MODULE)
    if options.module is not None and options.module not in {m.name for m in trace.modules}:
        msg = f"--module {options.module}: the trace did not load it"
        raise PyenvlabError(msg)
    if args.module is None and args.code is None and not args.load:
        from pyenvlab import render

        print(render.text(trace))  # the quick start: the table on screen, the page on disk
        print()
    try:
        path = standalone.write(trace, args.output, title=args.title, options=options)
    except OSError as exc:
        msg = f"cannot write {args.output}: {exc.strerror or exc}"
        raise PyenvlabError(msg) from None
    from pyenvlab.render._graph import dot_available

    note = "" if dot_available() else " (graphs as DOT source: install Graphviz to draw them)"
    print(f"wrote {path}{note}")
    return 0
