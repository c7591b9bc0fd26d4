"""Build the workshop as a JupyterLite site: one folder of static files, Python in the browser.

The folder holds JupyterLab, the workshop notebooks and a Python kernel that is Pyodide
(CPython 3.14 compiled to WebAssembly) with pyenvlab and ipywidgets, and Graphviz compiled to
WebAssembly for the graphs. Serve it from any web server, or from a laptop on the room's
network with `python -m http.server -d OUTDIR`: every visitor's Python runs in their browser,
and no request leaves the serving host. Notebooks that need processes (other interpreters,
venvs, conda, pip) say so in their first cell and point to Binder.

The first build downloads Pyodide and the Graphviz bundle from npm and the kernel's wheels from
PyPI (hash-checked) into pyenvlab's cache ($XDG_CACHE_HOME/pyenvlab, or PYENVLAB_CACHE); later
builds need no network. It needs Node.js with npm and `pip install -e '.[lite]'` in a checkout.

examples:
  python -m pyenvlab lite site
  python -m pyenvlab lite site --binder https://mybinder.org/v2/gh/OWNER/REPO/HEAD
  python -m http.server -d site 8000          # then open http://localhost:8000/
"""

from __future__ import annotations

import argparse
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `lite`."""
    parser.add_argument("outdir", metavar="OUTDIR", help="the folder to build (replaced if it holds a site)")
    parser.add_argument(
        "--binder",
        metavar="URL",
        help="the Binder launch address of the repository; notebooks that need processes link to it",
    )
    parser.add_argument("--quiet", action="store_true", help="print only the summary")


def run(args: argparse.Namespace) -> int:
    """Build the site and print how big it is and how to serve it."""
    from pyenvlab.lite.site import build_site

    def log(line: str) -> None:
        if not args.quiet:
            print(f"lite: {line}", file=sys.stderr)

    report = build_site(args.outdir, binder=args.binder, log=log)
    print(report.summary())
    return 0
