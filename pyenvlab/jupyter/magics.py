"""pyenvlab's IPython magics (``%load_ext pyenvlab``).

Every magic returns an object that displays itself (text/plain, HTML tables, the graph as SVG
and PNG); none prints. Bad options raise IPython's ``UsageError``, which the shell shows as one
line without a traceback; so does any :class:`~pyenvlab.errors.PyenvlabError` (a missing
interpreter, an unknown distribution...), turned into one in one place, :func:`one_line_errors`.
Options follow ``python -m pyenvlab``'s commands; the graph options of ``%%trace_imports`` are
:mod:`pyenvlab.render.view_options`'s, shared with ``render.dot`` and the command line.

The magics come in four small classes, one per subject: :class:`TraceMagics`
(``%%trace_imports``), :class:`NamespaceMagics` (``%%namespace``), :class:`InterpreterMagics`
(``%where``, ``%syspath``, ``%startup``, ``%doctor``) and :class:`AnatomyMagics` (``%deps``,
``%abi``). :func:`register` adds them all to a shell; the cell magics run their cell through
IPython itself (:mod:`pyenvlab.jupyter.cells`), so the cell's last expression is displayed and
top-level ``await`` works.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from IPython.core.error import UsageError
from IPython.core.magic import Magics, cell_magic, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring

from pyenvlab.cli.common import LAZY_MODES
from pyenvlab.errors import PyenvlabError
from pyenvlab.jupyter import cells
from pyenvlab.render.view_options import FLAGS, ViewOptions

__all__ = [
    "MAGICS",
    "AnatomyMagics",
    "InterpreterMagics",
    "NamespaceMagics",
    "Registration",
    "TraceMagics",
    "Tracers",
    "one_line_errors",
    "register",
]

F = TypeVar("F", bound=Callable[..., Any])


def one_line_errors(method: F) -> F:
    """Let a magic's :class:`~pyenvlab.errors.PyenvlabError` reach IPython as a ``UsageError``:
    one line, no traceback."""

    @functools.wraps(method)
    def magic(*args: Any, **kwargs: Any) -> Any:
        try:
            return method(*args, **kwargs)
        except PyenvlabError as exc:
            raise UsageError(str(exc)) from None

    return magic  # type: ignore[return-value]


def view_arguments(method: F) -> F:
    """Add the graph's view options (:data:`pyenvlab.render.view_options.FLAGS`) to a magic."""
    for flag in reversed(FLAGS):
        method = argument(flag.flag, **flag.argparse_kwargs())(method)
    return method


def _save(record: Any, path: str | None) -> None:
    if not path:
        return
    try:
        record.save(path)
    except OSError as exc:
        msg = f"cannot write {path}: {exc.strerror or exc}"
        raise PyenvlabError(msg) from None


class Tracers:
    """The in-kernel tracers a magic started and has not stopped yet (stopped on unload, e.g.
    after an interrupt at the wrong moment)."""

    def __init__(self) -> None:
        self.running: list[Any] = []

    @contextmanager
    def kept(self, tracer: Any) -> Iterator[Any]:
        """Remember ``tracer`` while the block runs; stop it when the block ends."""
        self.running.append(tracer)
        try:
            yield tracer
        finally:
            tracer.stop()
            if tracer in self.running:
                self.running.remove(tracer)

    def stop_all(self) -> None:
        """Stop every tracer still running."""
        while self.running:
            self.running.pop().stop()


class _PyenvlabMagics(Magics):
    """What the magic classes share: the shell, the tracers, running a cell."""

    def __init__(self, shell: Any = None, tracers: Tracers | None = None) -> None:
        super().__init__(shell=shell)
        self.tracers = tracers if tracers is not None else Tracers()

    def _run(self, cell: str, tracer: Any = None) -> str | None:
        """Run ``cell`` in the user namespace (``tracer`` recording around it, if given).

        An exception in the user's code is shown the way IPython shows it and returned as
        ``"ExcType: message"``; KeyboardInterrupt and SystemExit propagate after the tracer
        stopped.
        """
        error = cells.check_syntax(self.shell, cell)
        if error is not None:
            msg = f"the cell has a syntax error (line {error.lineno}: {error.msg}): nothing ran"
            raise UsageError(msg)
        if tracer is None:
            outcome = cells.run_cell(self.shell, cell)
        else:
            with self.tracers.kept(tracer):
                outcome = cells.run_cell(self.shell, cell, around=tracer)
        if outcome.stopped_by is not None:
            raise outcome.stopped_by
        if not outcome.ran:
            raise UsageError("IPython could not run the cell (see its message above): nothing ran")
        return outcome.raised


@magics_class
class TraceMagics(_PyenvlabMagics):
    """``%%trace_imports``: the imports a cell makes, in this kernel or a fresh interpreter."""

    @magic_arguments()
    @argument(
        "--fresh",
        action="store_true",
        help="run the cell in a fresh interpreter (real probes) instead of this kernel (cache hits)",
    )
    @argument(
        "--python",
        metavar="P",
        help="interpreter for --fresh: a path, a name on PATH, or pyodide:3.14 / pyodide:3.15"
        " (implies --fresh)",
    )
    @argument(
        "--path",
        metavar="DIR",
        action="append",
        default=[],
        help="with --fresh: directory put in front of sys.path, like PYTHONPATH (repeatable)",
    )
    @argument(
        "--lazy-imports",
        metavar="MODE",
        choices=LAZY_MODES,
        help="PEP 810's lazy-imports mode for the cell: all, none or normal, as -X lazy_imports=MODE"
        " (CPython 3.15+, e.g. --python pyodide:3.15; implies --fresh)",
    )
    @argument("--candidates", action="store_true", help="also record each file name tried in cached listings")
    @view_arguments
    @argument("--json", metavar="FILE", help="also save the trace as JSON to FILE")
    @argument(
        "--explore",
        action="store_true",
        help="return a probe stepper (play or step through the search of --module, or the first search)",
    )
    @cell_magic
    @one_line_errors
    def trace_imports(self, line: str, cell: str) -> Any:
        """Trace the imports the cell makes.

        In this kernel (default) most modules are already loaded, so their imports are cache
        hits; ``--fresh`` runs the cell as ``python -c`` in a new interpreter, where the search
        is real, probe by probe (``--lazy-imports MODE`` sets PEP 810's mode there first).
        Returns the trace, drawn with the view options given.
        """
        from pyenvlab.jupyter.records import TraceView

        args = parse_argstring(self.trace_imports, line)
        options = ViewOptions.from_args(args)
        fresh = args.fresh or args.python is not None or bool(args.path) or args.lazy_imports is not None
        if args.path and not (args.fresh or args.python):
            raise UsageError("--path needs --fresh (this kernel's sys.path is already set)")
        if fresh:
            trace = self._trace_fresh(cell, args)
            raised = trace.raised
        else:
            from pyenvlab.tracing import trace as tracer

            recording = tracer(candidates=args.candidates)
            raised = self._run(cell, recording)
            trace = recording.trace
        if options.module is not None and options.module not in {m.name for m in trace.modules}:
            loaded = ", ".join(m.name for m in trace.modules[:8]) or "none"
            msg = f"--module {options.module}: the cell did not load it (loaded: {loaded})"
            raise UsageError(msg)
        where = ("browser" if _in_browser() else "fresh") if fresh else "kernel"
        view = TraceView(trace, where=where, options=options, raised=raised)
        _save(view, args.json)
        if args.explore:
            from pyenvlab.jupyter.explorers import ProbeStepper

            return ProbeStepper(trace, options.module)
        return view

    def _trace_fresh(self, cell: str, args: Any) -> Any:
        from pyenvlab.tracing import trace_import

        if not cell.strip():
            raise UsageError("the cell is empty: nothing to trace")
        if _in_browser() and args.python is None:  # Pyodide: no process can start
            from pyenvlab.lite.inbrowser import trace_import as in_this_interpreter

            return in_this_interpreter(cell, path=args.path, cwd=os.getcwd(), candidates=args.candidates)
        return trace_import(
            cell,
            python=args.python,
            path=args.path,
            cwd=os.getcwd(),
            candidates=args.candidates,
            lazy_imports=args.lazy_imports,
        )


def _in_browser() -> bool:
    """Whether this kernel is Pyodide (a JupyterLite site), where ``--fresh`` traces in-process."""
    return sys.platform == "emscripten"


@magics_class
class NamespaceMagics(_PyenvlabMagics):
    """``%%namespace``: what a cell did to the user namespace."""

    @magic_arguments()
    @argument("--explore", action="store_true", help="return a namespace explorer instead of the table")
    @cell_magic
    @one_line_errors
    def namespace(self, line: str, cell: str) -> Any:
        """Run the cell and show what it added, rebound or removed in the namespace, by kind
        (variable, function, class, module), and which names point at the same module object."""
        from pyenvlab.jupyter import namespace

        args = parse_argstring(self.namespace, line)
        shell = self.shell
        hidden = getattr(shell, "user_ns_hidden", {})
        before = namespace.snapshot(shell.user_ns, hidden=hidden)
        self._run(cell)  # an error in the cell is shown; the diff of what ran before it is still true
        after = namespace.snapshot(shell.user_ns, hidden=hidden)
        diff = namespace.compare(before, after, code=cell)
        if args.explore:
            from pyenvlab.jupyter.explorers import NamespaceExplorer

            return NamespaceExplorer(diff)
        return diff


@magics_class
class InterpreterMagics(_PyenvlabMagics):
    """``%where``, ``%syspath``, ``%startup``, ``%doctor``: how this kernel (or another
    interpreter) finds modules and starts."""

    @magic_arguments()
    @argument("name", help="module name, e.g. json or xml.dom.minidom")
    @argument(
        "--path",
        metavar="DIR",
        action="append",
        default=[],
        help="directory to search before sys.path (repeatable)",
    )
    @line_magic
    @one_line_errors
    def where(self, line: str) -> Any:
        """Every place along sys.path that provides a module (like ``which -a``), and which one wins.

        The search path is this kernel's ``sys.path``; nothing is imported.
        """
        from pyenvlab.candidates import where

        args = parse_argstring(self.where, line)
        return where(args.name, path=[*args.path, *sys.path])

    @magic_arguments()
    @argument(
        "--python",
        metavar="P",
        help="interpreter to ask, or pyodide:3.14 / pyodide:3.15 (default: this kernel's)",
    )
    @argument("-E", dest="flags", action="append_const", const="-E", help="as started with -E")
    @argument("-I", dest="flags", action="append_const", const="-I", help="as started with -I")
    @argument("-s", dest="flags", action="append_const", const="-s", help="as started with -s")
    @argument("--json", metavar="FILE", help="also save the report as JSON to FILE")
    @argument(
        "--lab",
        metavar="MODULE",
        help="open the sys.path lab for MODULE: edit PYTHONPATH entries (--entry) and see who wins",
    )
    @argument("--entry", metavar="DIR", action="append", default=[], help="a lab entry (repeatable)")
    @line_magic
    @one_line_errors
    def syspath(self, line: str) -> Any:
        """sys.path of a fresh start of this interpreter (or ``--python P``), with the provenance
        of every entry: current directory, PYTHONPATH, stdlib, site-packages, a .pth line..."""
        args = parse_argstring(self.syspath, line)
        if args.lab:
            from pyenvlab.jupyter.explorers import SysPathLab

            if any(not part.isidentifier() for part in args.lab.split(".")):
                raise UsageError(f"--lab: not a module name: {args.lab!r}")
            return SysPathLab(args.lab, args.entry or None, python=args.python)
        if args.entry:
            raise UsageError("--entry needs --lab MODULE")
        from pyenvlab.interpreter import path_report

        report = path_report(args.python, flags=tuple(args.flags or ()))
        _save(report, args.json)
        return report

    @magic_arguments()
    @argument(
        "python",
        nargs="?",
        help="interpreter to trace: a path, a name on PATH, or pyodide:3.14 / pyodide:3.15"
        " (default: this kernel's)",
    )
    @argument("--argv0", metavar="NAME", help="argv[0] as the shell passes it (e.g. 'python')")
    @argument("-E", dest="flags", action="append_const", const="-E", help="trace a start with -E")
    @argument("-I", dest="flags", action="append_const", const="-I", help="trace a start with -I")
    @argument("-s", dest="flags", action="append_const", const="-s", help="trace a start with -s")
    @argument("-S", dest="flags", action="append_const", const="-S", help="trace a start with -S (no site)")
    @argument("--json", metavar="FILE", help="also save the trace as JSON to FILE")
    @argument(
        "--explore",
        action="store_true",
        help="return the startup explorer: pick any interpreter found on this machine",
    )
    @line_magic
    @one_line_errors
    def startup(self, line: str) -> Any:
        """How an interpreter found its prefix (the landmark walk) and how site built sys.path."""
        args = parse_argstring(self.startup, line)
        if args.explore:
            from pyenvlab.jupyter.explorers import StartupExplorer

            return StartupExplorer()
        from pyenvlab.interpreter import startup

        trace = startup(args.python, argv0=args.argv0, flags=tuple(args.flags or ()))
        _save(trace, args.json)
        return trace

    @magic_arguments()
    @argument("--no-trace", action="store_true", help="skip tracing a fresh start (the .pth check needs it)")
    @argument("--json", metavar="FILE", help="also save the findings as JSON to FILE")
    @line_magic
    @one_line_errors
    def doctor(self, line: str) -> Any:
        """Diagnose this kernel's environment: shadowing modules, PYTHONPATH leaking into a venv,
        broken .pth lines, missing sys.path entries, a pip of another interpreter..."""
        from pyenvlab.interpreter.doctor import doctor

        args = parse_argstring(self.doctor, line)
        report = doctor(list(sys.path), trace_startup=not args.no_trace)
        _save(report, args.json)
        return report


@magics_class
class AnatomyMagics(_PyenvlabMagics):
    """``%deps`` and ``%abi``: what an installed distribution needs, from Python and the system."""

    @magic_arguments()
    @argument("distribution", help="installed distribution, e.g. requests or 'requests[socks]'")
    @argument("--reverse", action="store_true", help="who needs it (transitively), instead of what it needs")
    @argument("--json", metavar="FILE", help="also save the graph as JSON to FILE")
    @line_magic
    @one_line_errors
    def deps(self, line: str) -> Any:
        """The transitive requirement graph of an installed distribution."""
        from pyenvlab.anatomy import deps

        args = parse_argstring(self.deps, line)
        graph = deps(args.distribution, reverse=args.reverse)
        _save(graph, args.json)
        return graph

    @magic_arguments()
    @argument("target", help="module name, path to a .so, installed distribution or .whl file")
    @argument("--json", metavar="FILE", help="also save the report as JSON to FILE")
    @line_magic
    @one_line_errors
    def abi(self, line: str) -> Any:
        """Which glibc (and other libraries) an extension needs, symbol by symbol, vs this system."""
        from pyenvlab.anatomy import abi

        args = parse_argstring(self.abi, line)
        report = abi(args.target)
        _save(report, args.json)
        return report


#: every magic class of the extension, in the order ``register`` adds them
MAGICS: tuple[type[_PyenvlabMagics], ...] = (TraceMagics, NamespaceMagics, InterpreterMagics, AnatomyMagics)


class Registration:
    """The magics registered in one shell, and the tracers they share."""

    def __init__(self, shell: Any) -> None:
        self.shell = shell
        self.tracers = Tracers()
        self.magics = tuple(cls(shell=shell, tracers=self.tracers) for cls in MAGICS)

    def remove(self) -> None:
        """Stop every tracer the magics left running and remove the magics from the shell."""
        self.tracers.stop_all()
        manager = self.shell.magics_manager
        for instance in self.magics:
            for kind, names in instance.magics.items():
                for name in names:
                    bound = manager.magics.get(kind, {}).get(name)
                    if getattr(bound, "__self__", None) is instance:
                        del manager.magics[kind][name]
            if manager.registry.get(type(instance).__name__) is instance:
                del manager.registry[type(instance).__name__]


def register(shell: Any) -> Registration:
    """Add every pyenvlab magic to ``shell`` (an ``InteractiveShell``)."""
    registration = Registration(shell)
    shell.register_magics(*registration.magics)
    return registration
