"""The command line: ``python -m pyenvlab COMMAND`` (or the ``pyenvlab`` script).

Each command lives in its own module in this package with two functions:
``add_arguments(parser)`` and ``run(args) -> int``. Command modules import only what ``--help``
needs; the work (and any heavy import) happens inside ``run``.

Bad input never produces a traceback: a :class:`~pyenvlab.errors.PyenvlabError` or an argument
error prints one line on stderr and exits with status 2.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import NoReturn

from pyenvlab.errors import PyenvlabError

__all__ = ["COMMANDS", "CommandError", "main"]

#: name -> one-line summary, in the order ``--help`` lists them.
COMMANDS: dict[str, str] = {
    "trace": "trace the imports of a module or code in a fresh interpreter, probe by probe",
    "where": "list every place along sys.path that provides a module, and which one wins",
    "startup": "show how an interpreter found its prefix and how site built sys.path",
    "path": "show sys.path with where each entry came from and whether it exists",
    "doctor": "diagnose shadowing, leaking PYTHONPATH, broken .pth files and more",
    "report": "write a self-contained HTML report of an import trace",
    "deps": "show the requirement graph of an installed distribution",
    "abi": "show which glibc/libstdc++ an extension module needs, symbol by symbol",
    "env": "export, diff and recreate environments",
    "pyodide": "install the pinned Pyodide releases (CPython 3.14 and 3.15 in WebAssembly)",
    "lite": "build the workshop as a JupyterLite site: static files, Python in the browser",
}

#: ``sys.path`` as the interpreter set it up for ``python -m pyenvlab`` (before pyenvlab took
#: the working directory off it to protect itself from shadowing modules). ``doctor`` reads it.
invocation_sys_path: tuple[str, ...] = tuple(sys.path)


class CommandError(PyenvlabError):
    """Bad command-line input; printed as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with one sub-command per available command module."""
    parser = _Parser(
        prog="python -m pyenvlab",
        description="pyenvlab makes Python's import system visible.",
        epilog="Run `python -m pyenvlab COMMAND --help` for the options of a command.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, summary in COMMANDS.items():
        module = _command_module(name)
        if module is None:
            continue
        command = sub.add_parser(name, help=summary, description=module.__doc__ or summary)
        command.formatter_class = argparse.RawDescriptionHelpFormatter
        module.add_arguments(command)
        command.set_defaults(_run=module.run)
    return parser


def _command_module(name: str):
    qualified = f"{__name__}.{name}_command"
    try:
        return importlib.import_module(qualified)
    except ModuleNotFoundError as exc:
        if exc.name == qualified:
            return None
        raise


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return 2
    try:
        return int(args._run(args) or 0)
    except PyenvlabError as exc:
        print(f"{parser.prog} {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{parser.prog} {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 1
