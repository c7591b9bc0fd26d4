"""Helpers shared by the command modules: what to trace, output options, loading saved traces.

``MODULE`` arguments must be module names (dotted identifiers): code is run only through
``-c``. Every file a command writes goes through :func:`pyenvlab._files.write_text` (atomic;
a symbolic link is replaced, never written through), and every failure to read or write one is
a one-line :class:`~pyenvlab.errors.PyenvlabError`.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from pyenvlab.errors import PyenvlabError

if TYPE_CHECKING:
    from pyenvlab.model import Trace
    from pyenvlab.render.view_options import ViewOptions

__all__ = [
    "add_output_options",
    "add_target_arguments",
    "add_timeout_option",
    "add_view_options",
    "load_trace",
    "module_name",
    "save_json",
    "target_trace",
    "view_options",
    "write_dot",
    "write_file",
    "write_output",
]


def module_name(text: str) -> str:
    """``text`` if it is a module name (dotted identifiers such as ``xml.dom.minidom``).

    Raises:
        argparse.ArgumentTypeError: for anything else (code goes through ``-c``).
    """
    if text and all(part.isidentifier() for part in text.split(".")):
        return text
    msg = f"{text!r} is not a module name (like xml.dom.minidom); to run code, use -c CODE"
    raise argparse.ArgumentTypeError(msg)


def positive_seconds(text: str) -> float:
    """A ``--timeout`` value: a positive number of seconds."""
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0 or value == float("inf"):
        msg = f"expected a positive number of seconds, got {text!r}"
        raise argparse.ArgumentTypeError(msg)
    return value


def add_timeout_option(
    parser: argparse.ArgumentParser, *, what: str = "the target interpreter", default: float | None = None
) -> None:
    """``--timeout SECONDS``: how long the interpreters a command runs may take in all
    (default: :data:`pyenvlab._processes.DEFAULT_TIMEOUT`)."""
    from pyenvlab._processes import DEFAULT_TIMEOUT

    seconds = DEFAULT_TIMEOUT if default is None else default
    parser.add_argument(
        "--timeout",
        type=positive_seconds,
        metavar="SECONDS",
        default=seconds,
        help=f"stop {what}, and everything it started, after SECONDS and exit with status 2"
        f" (default: {seconds:g})",
    )


def add_target_arguments(parser: argparse.ArgumentParser, *, required: bool = True) -> None:
    """What to trace: ``MODULE``, ``-c CODE`` or ``--load FILE``; ``--python P``, ``--path DIR``,
    ``--lazy-imports MODE``."""
    what = parser.add_mutually_exclusive_group(required=required)
    what.add_argument("module", nargs="?", type=module_name, help="module to import, e.g. xml.dom.minidom")
    what.add_argument(
        "-c", dest="code", metavar="CODE", help="Python code to run instead of importing MODULE"
    )
    what.add_argument(
        "--load",
        metavar="FILE",
        help="use a trace saved earlier with --json (or a `python -X importtime` log) instead of"
        " tracing (a regular file of at most 512 MiB)",
    )
    parser.add_argument(
        "--python",
        metavar="P",
        help="interpreter to trace: a path, a name on PATH, or pyodide:3.14 / pyodide:3.15"
        " (default: this one)",
    )
    parser.add_argument(
        "--path",
        metavar="DIR",
        action="append",
        default=[],
        help="directory to put in front of sys.path, like PYTHONPATH (repeatable)",
    )
    add_timeout_option(parser)
    parser.add_argument(
        "--lazy-imports",
        metavar="MODE",
        choices=LAZY_MODES,
        help="PEP 810's lazy-imports mode for the traced code, as -X lazy_imports=MODE: "
        "all (every import lazy), none, normal (CPython 3.15+, e.g. --python pyodide:3.15)",
    )


#: the modes of ``--lazy-imports`` (``sys.set_lazy_imports``, PEP 810)
LAZY_MODES = ("normal", "all", "none")


def target_trace(args: argparse.Namespace, *, default: str | None = None, candidates: bool = False):
    """The trace the target options ask for: loaded from ``--load``, or traced now."""
    lazy = getattr(args, "lazy_imports", None)
    if args.load:
        if lazy is not None:
            msg = "--lazy-imports applies to code traced now, not to a trace loaded with --load"
            raise PyenvlabError(msg)
        return load_trace(args.load)
    from pyenvlab.tracing import trace_import

    target = args.code if args.code is not None else args.module or default
    return trace_import(
        target,
        python=args.python,
        path=args.path or None,
        candidates=candidates,
        lazy_imports=lazy,
        timeout=args.timeout,
    )


def add_output_options(parser: argparse.ArgumentParser) -> None:
    """``--json FILE``, ``--width N`` and ``--color/--no-color``."""
    parser.add_argument(
        "--json", metavar="FILE", dest="json_out", help="also save the result as JSON to FILE"
    )
    parser.add_argument("--width", type=int, metavar="N", help="table width (default: the terminal's)")
    parser.add_argument(
        "--color",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="colour the table (default: on a terminal)",
    )


def write_file(path: str, text: str) -> Path:
    """Write ``text`` to ``path`` atomically (:func:`pyenvlab._files.write_text`).

    Raises:
        PyenvlabError: one line saying why the file could not be written (an existing file is
            left as it was).
    """
    from pyenvlab._files import write_text
    from pyenvlab.render._escape import term

    try:
        return write_text(path, text)
    except OSError as exc:
        msg = f"cannot write {term(path)}: {exc.strerror or exc}"
        raise PyenvlabError(msg) from None


def save_json(record: object, path: str | None) -> None:
    """Save ``record``'s JSON document to ``path`` (when given), as ``Document.save`` would."""
    if path:
        write_file(path, record.to_json(indent=1) + "\n")  # type: ignore[attr-defined]


def write_output(record: object, args: argparse.Namespace) -> None:
    """Print ``record`` as a terminal table, and save its JSON if ``--json`` was given."""
    from pyenvlab import render

    save_json(record, getattr(args, "json_out", None))
    print(render.text(record, width=getattr(args, "width", None), color=getattr(args, "color", None)))


def load_trace(path: str):
    """Read a saved trace or a ``python -X importtime`` log (a regular file of at most 512 MiB,
    see :func:`pyenvlab._files.read_bytes`), turning every failure into a one-line
    PyenvlabError."""
    from pyenvlab._files import read_bytes
    from pyenvlab.importtime import looks_like_importtime
    from pyenvlab.model import Trace
    from pyenvlab.render._escape import term

    try:
        text = read_bytes(path).decode("utf-8")
    except OSError as exc:
        msg = f"cannot read {term(path)}: {exc.strerror or exc}"
        raise PyenvlabError(msg) from None
    except UnicodeDecodeError:
        msg = f"{term(path)} is not a UTF-8 text file"
        raise PyenvlabError(msg) from None
    except MemoryError:
        msg = f"cannot read {term(path)}: not enough memory for a trace this large"
        raise PyenvlabError(msg) from None
    if looks_like_importtime(text):  # the stderr of `python -X importtime`
        return Trace.from_importtime(text)
    return Trace.from_json(text)


def add_view_options(parser: argparse.ArgumentParser, *, title: str) -> None:
    """The graph's view options (``--collapse``, ``--module``...), those of ``render.dot`` and
    ``%%trace_imports`` (:data:`pyenvlab.render.view_options.FLAGS`)."""
    from pyenvlab.render import view_options

    view_options.add_arguments(parser.add_argument_group(title))


def view_options(args: argparse.Namespace) -> ViewOptions:
    """The :class:`~pyenvlab.render.view_options.ViewOptions` given on the command line."""
    from pyenvlab.render.view_options import ViewOptions

    return ViewOptions.from_args(args)


def write_dot(trace: Trace, path: str, options: ViewOptions) -> None:
    """Write the DOT source of ``trace``'s graph, drawn with ``options``, to ``path``."""
    from pyenvlab import render

    if options.module is not None and options.module not in {m.name for m in trace.modules}:
        loaded = ", ".join(m.name for m in trace.modules[:8]) or "none"
        msg = f"--module {options.module}: the trace did not load it (loaded: {loaded})"
        raise PyenvlabError(msg)
    try:
        graph = render.dot(trace, **options.given())
    except ImportError:
        raise PyenvlabError("--dot needs the graphviz package (pip install graphviz)") from None
    except ValueError as exc:
        raise PyenvlabError(str(exc)) from None
    write_file(path, graph.source)
