"""CPython 3.14 and 3.15 through Pyodide (CPython in WebAssembly, run under Node.js).

`install` puts the pinned npm packages into pyenvlab's cache (XDG cache dir, or
PYENVLAB_CACHE) with the machine's npm, so that later traces work offline; without it the
first `--python pyodide:X.Y` installs its release. `list` shows the releases and what is
installed. Afterwards any command that takes --python accepts pyodide:3.14 or pyodide:3.15.

examples:
  python -m pyenvlab pyodide install
  python -m pyenvlab pyodide install 3.15
  python -m pyenvlab pyodide list
  python -m pyenvlab trace json --python pyodide:3.15
"""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``python -m pyenvlab pyodide``."""
    action = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    install = action.add_parser("install", help="install the pinned Pyodide releases (npm, once)")
    install.add_argument("versions", nargs="*", metavar="X.Y", help="only these (default: every release)")
    action.add_parser("list", help="the pinned releases and whether each is installed")


def run(args: argparse.Namespace) -> int:
    """Install or list the releases; one line per release."""
    from pyenvlab import _npm
    from pyenvlab.pyodide.releases import RELEASES, release_for
    from pyenvlab.pyodide.runner import install, node_executable

    wanted = getattr(args, "versions", None) or []
    releases = [release_for(v if v.startswith("pyodide:") else f"pyodide:{v}") for v in wanted]
    releases = releases or list(RELEASES.values())
    for release in releases:
        if args.action == "install":
            node_executable(release)
            where = install(release)
            print(f"{release.spec}: CPython {release.python} from {release.npm}, installed in {where}")
        else:
            where = _npm.package_dir(release.npm)
            state = f"installed in {where}" if (where / "package.json").is_file() else "not installed"
            print(f"{release.spec}: CPython {release.python} from {release.npm}, {state}")
    return 0
