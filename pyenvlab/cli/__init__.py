"""The command line: ``python -m pyenvlab COMMAND`` (or the ``pyenvlab`` script).

Each command lives in its own module in this package with two functions:
``add_arguments(parser)`` and ``run(args) -> int``. Command modules import only what ``--help``
needs; the work (and any heavy import) happens inside ``run``.

Bad input never produces a traceback: a :class:`~pyenvlab.errors.PyenvlabError`, an argument
error (which names the sub-command's ``--help``) or standard output that cannot be written
(closed, full: :mod:`pyenvlab.cli.output`) prints one line on stderr and exits with status 2.
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
    """An argument parser whose errors are one escaped line naming the sub-command's ``--help``,
    and which names an unknown option even when a required argument is missing too."""

    _given: Sequence[str] = ()

    def parse_known_args(self, args=None, namespace=None):  # type: ignore[no-untyped-def]
        self._given = list(sys.argv[1:] if args is None else args)
        return super().parse_known_args(args, namespace)

    def error(self, message: str) -> NoReturn:
        if message.startswith("the following arguments are required"):
            unknown = self.unknown_options(self._given)
            if unknown:
                message = f"unrecognized arguments: {' '.join(unknown)}"
        from pyenvlab.cli.output import say

        say(f"{self.prog}: error: {message} (see {self.prog} --help)")
        self.exit(2)

    def unknown_options(self, given: Sequence[str]) -> list[str]:
        """The options in ``given`` (before a ``--``) that this parser does not know."""
        known = self._option_string_actions
        unknown = []
        for token in given:
            if token == "--":
                break
            if not token.startswith("-") or token == "-" or token[1:].replace(".", "").isdigit():
                continue
            name = token.split("=", 1)[0]
            if name in known or (token.startswith("--") and any(o.startswith(name) for o in known)):
                continue
            if not token.startswith("--") and token[:2] in known:  # -cCODE, -o FILE glued
                continue
            unknown.append(token)
        return unknown


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


def _deepest(parser: argparse.ArgumentParser, args: argparse.Namespace) -> argparse.ArgumentParser:
    """The (sub-)parser that parsed the last command word: ``env export`` -> its own parser."""
    current = parser
    while True:
        subs = [a for a in current._actions if isinstance(a, argparse._SubParsersAction)]
        if not subs:
            return current
        chosen = getattr(args, subs[0].dest, None)
        if chosen is None or chosen not in subs[0].choices:
            return current
        current = subs[0].choices[chosen]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return the exit status.

    Every failure is one line on standard error and exit status 2 (1 is for "found problems",
    as a command documents it); standard output that is closed or full counts as a failure.
    """
    from pyenvlab.cli.output import OutputError, guarded, say

    parser = build_parser()
    prog = parser.prog
    try:
        with guarded():
            args, extras = parser.parse_known_args(argv)
            if extras:
                _deepest(parser, args).error(f"unrecognized arguments: {' '.join(extras)}")
            if not getattr(args, "_run", None):
                parser.print_help()
                return 2
            prog = f"{parser.prog} {args.command}"
            try:
                return int(args._run(args) or 0)
            except OutputError:
                raise
            except PyenvlabError as exc:
                say(f"{prog}: error: {exc}")
                return 2
    except SystemExit as exc:  # --help, or an argument error already printed
        if exc.code is None or isinstance(exc.code, int):
            return exc.code or 0
        return 2
    except OutputError as exc:
        say(f"{prog}: error: {exc}")
        return 2
    except BrokenPipeError:
        return 1
    except KeyboardInterrupt:
        say(f"{prog}: interrupted")
        return 130
