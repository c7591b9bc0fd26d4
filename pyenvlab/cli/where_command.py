"""List every place along sys.path that provides a module, like `which -a` does for commands.

The search path is the one `python -c "import NAME"` would use here: the current directory
first, then PYTHONPATH, the standard library and site-packages. The first candidate wins;
the others are shadowed. Built-in and frozen modules win over any file.

examples:
  python -m pyenvlab where json
  python -m pyenvlab where xml.dom.minidom
  python -m pyenvlab where mymod --path ./lib --path ./vendor
"""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `where`."""
    parser.add_argument("name", help="module name, e.g. json or xml.dom.minidom")
    parser.add_argument(
        "--path",
        metavar="DIR",
        action="append",
        default=[],
        help="directory to search before sys.path (repeatable)",
    )
    parser.add_argument("--width", type=int, metavar="N", help="table width (default: the terminal's)")
    parser.add_argument(
        "--color", action=argparse.BooleanOptionalAction, default=None, help="colour the table"
    )


def run(args: argparse.Namespace) -> int:
    """Print the candidates; exit status 1 when nothing provides the name (like `which`)."""
    from pyenvlab import cli, render
    from pyenvlab.candidates import where

    found = where(args.name, path=[*args.path, *cli.invocation_sys_path])
    print(render.text(found, width=args.width, color=args.color))
    return 0 if found else 1
