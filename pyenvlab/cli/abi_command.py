"""Show what compiled code needs from the system, symbol by symbol, without running it.

TARGET is a module name, an extension file (.so), an installed distribution or a wheel file.
For each ELF file: which GLIBC_x.y / GLIBCXX_x.y each symbol needs, which shared libraries it
needs and how the loader would find them (RPATH, LD_LIBRARY_PATH, RUNPATH, ld.so.cache), the
wheel tags against this platform, and whether it loads here.

examples:
  python -m pyenvlab abi math
  python -m pyenvlab abi ./dist/pkg-1.0-cp311-cp311-manylinux_2_17_x86_64.whl
  python -m pyenvlab abi numpy --format json
"""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["add_arguments", "emit", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``abi``."""
    parser.add_argument("target", help="module name, path to a .so file, distribution name or .whl file")
    parser.add_argument(
        "--format", choices=("text", "json", "dot", "html"), default="text", help="output format"
    )
    parser.add_argument("--check", action="store_true", help="exit with status 1 if it would not load here")


def emit(obj: Any, fmt: str) -> None:
    """Print a record in one of the formats every anatomy command offers."""
    from pyenvlab.render import anatomy_views

    if fmt == "json":
        from pyenvlab.cli.output import print_json

        print_json(obj.to_json(indent=1))
    elif fmt == "html":
        print(anatomy_views.html(obj))
    elif fmt == "dot":
        try:
            print(anatomy_views.dot(obj).source)
        except ImportError:
            from pyenvlab.errors import PyenvlabError

            raise PyenvlabError("--format dot needs the graphviz package (pip install graphviz)") from None
    else:
        print(anatomy_views.text(obj))


def run(args: argparse.Namespace) -> int:
    """Print the report; with ``--check``, return 1 when it would not load here."""
    from pyenvlab.anatomy import abi

    report = abi(args.target)
    emit(report, args.format)
    return 1 if args.check and not report.loads_here else 0
