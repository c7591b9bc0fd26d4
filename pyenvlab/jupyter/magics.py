"""pyenvlab's IPython magics (``%load_ext pyenvlab``).

Every magic returns an object that displays itself (text/plain, HTML tables, the graph as SVG
and PNG); none prints. Bad options raise IPython's ``UsageError``, which the shell shows as one
line without a traceback; so does any :class:`~pyenvlab.errors.PyenvlabError` (a missing
interpreter, an unknown distribution...). Options follow ``python -m pyenvlab``'s commands.

Line magics: ``%where``, ``%syspath``, ``%startup``, ``%deps``, ``%abi``, ``%doctor``.
Cell magics: ``%%trace_imports``, ``%%namespace``.
"""

from __future__ import annotations

import os
import sys
import types
from collections.abc import Callable
from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, cell_magic, line_magic, magics_class, no_var_expand
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring

from pyenvlab.errors import PyenvlabError

__all__ = ["PyenvlabMagics"]

_INTERPRETER_FLAGS = ("-E", "-I", "-s")


def _cached_option(value: str) -> bool | int | str:
    lowered = value.lower()
    if lowered == "auto":
        return "auto"
    if lowered == "all":
        return True
    if lowered == "none":
        return False
    try:
        return int(value)
    except ValueError:
        msg = f"--cached: expected auto, all, none or a number, got {value!r}"
        raise UsageError(msg) from None


def view_options(args: Any) -> dict[str, Any]:
    """The ``pyenvlab.render.dot`` view options given on a ``%%trace_imports`` line."""
    options: dict[str, Any] = {}
    if args.view:
        options["view"] = args.view
    if args.module:
        options["module"] = args.module
    if args.collapse:
        options["collapse"] = args.collapse
    if args.depth is not None:
        options["depth"] = args.depth
    if args.filter:
        options["filter"] = args.filter
    if args.max_nodes is not None:
        options["max_nodes"] = args.max_nodes
    if args.cached is not None:
        options["cached"] = _cached_option(args.cached)
    if args.no_times:
        options["times"] = False
    if args.show_all:
        options["show_all"] = True
    if args.rankdir:
        options["rankdir"] = args.rankdir
    if args.max_probes is not None:
        options["max_probes"] = args.max_probes
    return options


def _interpreter_api(name: str) -> Callable[..., Any]:
    """A function of the startup/doctor API (``pyenvlab.interpreter``)."""
    import importlib

    for module in ("pyenvlab.interpreter", "pyenvlab.startup"):
        try:
            found = getattr(importlib.import_module(module), name, None)
        except ImportError:
            continue
        if isinstance(found, types.ModuleType):  # a submodule of the same name (doctor)
            found = getattr(found, name, None)
        if callable(found):
            return found
    if name == "doctor":
        for module in ("pyenvlab.interpreter.doctor", "pyenvlab.startup.doctor"):
            try:
                return importlib.import_module(module).doctor
            except ImportError:
                continue
    msg = f"this pyenvlab has no {name}() yet"
    raise UsageError(msg)


def _save(record: Any, path: str | None) -> None:
    if not path:
        return
    try:
        record.save(path)
    except OSError as exc:
        msg = f"cannot write {path}: {exc.strerror or exc}"
        raise UsageError(msg) from None


@magics_class
class PyenvlabMagics(Magics):
    """The magics of ``%load_ext pyenvlab``. Keeps the tracers it started, to stop them on unload."""

    def __init__(self, shell: Any = None) -> None:
        super().__init__(shell=shell)
        self._tracers: list[Any] = []

    def stop_all(self) -> None:
        """Stop every tracer a magic started and did not stop (e.g. after an interrupt)."""
        while self._tracers:
            self._tracers.pop().stop()

    # -- helpers ---------------------------------------------------------------------------
    def _parse(self, method: Callable[..., Any], line: str) -> Any:
        return parse_argstring(method, line)

    def _compile(self, cell: str) -> Any:
        """The cell (IPython syntax transformed) compiled for the user namespace."""
        shell = self.shell
        source = shell.transform_cell(cell)
        try:
            filename = shell.compile.cache(source)
        except Exception:
            filename = "<cell>"
        try:
            return compile(source, filename, "exec")
        except SyntaxError as exc:
            msg = f"the cell has a syntax error (line {exc.lineno}: {exc.msg}): nothing ran"
            raise UsageError(msg) from None

    def _exec(self, code: Any, tracer: Any = None) -> str | None:
        """Run compiled cell code in the user namespace (with ``tracer`` recording, if given).

        An exception in the user's code is shown the way IPython shows it and returned as
        ``"ExcType: message"``; KeyboardInterrupt and SystemExit propagate after the tracer
        stopped.
        """
        shell = self.shell
        if tracer is not None:
            self._tracers.append(tracer)
        try:
            if tracer is not None:
                tracer.start()
            try:
                exec(code, shell.user_global_ns, shell.user_ns)
            finally:
                if tracer is not None:
                    tracer.stop()
        except Exception as exc:  # the user's code failed: show it like IPython would
            shell.showtraceback()
            return f"{type(exc).__name__}: {exc}"
        finally:
            if tracer is not None and tracer in self._tracers:
                self._tracers.remove(tracer)
        return None

    def _run_in_kernel(self, cell: str, *, candidates: bool) -> tuple[Any, str | None]:
        """Run ``cell`` in the user namespace while an in-process tracer records."""
        from pyenvlab import trace

        code = self._compile(cell)
        tracer = trace(candidates=candidates)
        raised = self._exec(code, tracer)
        return tracer.trace, raised

    # -- %%trace_imports -------------------------------------------------------------------
    @magic_arguments()
    @argument(
        "--fresh",
        action="store_true",
        help="run the cell in a fresh interpreter (real probes) instead of this kernel (cache hits)",
    )
    @argument(
        "--python", metavar="P", help="interpreter for --fresh: a path or a name on PATH (implies --fresh)"
    )
    @argument(
        "--path",
        metavar="DIR",
        action="append",
        default=[],
        help="with --fresh: directory put in front of sys.path, like PYTHONPATH (repeatable)",
    )
    @argument("--candidates", action="store_true", help="also record each file name tried in cached listings")
    @argument(
        "--view", choices=("tree", "scan"), help="graph: the import tree (default) or the scan of one import"
    )
    @argument("--module", metavar="NAME", help="graph the scan of this import (implies --view scan)")
    @argument(
        "--collapse",
        choices=("auto", "none", "package", "stdlib"),
        help="how to fold the tree (default auto)",
    )
    @argument("--depth", type=int, metavar="N", help="fold modules nested deeper than N")
    @argument("--filter", metavar="PREFIX", help="show modules starting with PREFIX and their importers")
    @argument("--max-nodes", type=int, metavar="N", help="node budget of --collapse auto (default 60)")
    @argument("--cached", metavar="WHICH", help="cache-hit arrows: auto, all, none or a number")
    @argument("--no-times", action="store_true", help="leave load times out of the graph")
    @argument("--all", dest="show_all", action="store_true", help="draw every module")
    @argument("--rankdir", choices=("LR", "TB"), help="graph direction")
    @argument("--max-probes", type=int, metavar="N", help="probes listed per entry in a scan (default 8)")
    @argument("--json", metavar="FILE", help="also save the trace as JSON to FILE")
    @argument(
        "--explore",
        action="store_true",
        help="return a probe stepper (play or step through the search of --module, or the first search)",
    )
    @no_var_expand
    @cell_magic
    def trace_imports(self, line: str, cell: str) -> Any:
        """Trace the imports the cell makes.

        In this kernel (default) most modules are already loaded, so their imports are cache
        hits; ``--fresh`` runs the cell as ``python -c`` in a new interpreter, where the search
        is real, probe by probe. Returns the trace, drawn with the view options given.
        """
        from pyenvlab.jupyter.records import TraceView

        args = self._parse(self.trace_imports, line)
        options = view_options(args)
        fresh = args.fresh or args.python is not None or bool(args.path)
        if args.path and not (args.fresh or args.python):
            raise UsageError("--path needs --fresh (this kernel's sys.path is already set)")
        if fresh:
            from pyenvlab import trace_import

            if not cell.strip():
                raise UsageError("the cell is empty: nothing to trace")
            try:
                trace = trace_import(
                    cell, python=args.python, path=args.path, cwd=os.getcwd(), candidates=args.candidates
                )
            except PyenvlabError as exc:
                raise UsageError(str(exc)) from None
            raised = trace.raised
        else:
            trace, raised = self._run_in_kernel(cell, candidates=args.candidates)
        if args.module is not None and args.module not in {m.name for m in trace.modules}:
            loaded = ", ".join(m.name for m in trace.modules[:8]) or "none"
            msg = f"--module {args.module}: the cell did not load it (loaded: {loaded})"
            raise UsageError(msg)
        view = TraceView(trace, where="fresh" if fresh else "kernel", options=options, raised=raised)
        _save(view, args.json)
        if args.explore:
            from pyenvlab.jupyter.explorers import ProbeStepper

            try:
                return ProbeStepper(trace, args.module)
            except PyenvlabError as exc:
                raise UsageError(str(exc)) from None
        return view

    # -- %where ----------------------------------------------------------------------------
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
    def where(self, line: str) -> Any:
        """Every place along sys.path that provides a module (like ``which -a``), and which one wins.

        The search path is this kernel's ``sys.path``; nothing is imported.
        """
        from pyenvlab.candidates import where

        args = self._parse(self.where, line)
        try:
            return where(args.name, path=[*args.path, *sys.path])
        except PyenvlabError as exc:
            raise UsageError(str(exc)) from None

    # -- %syspath --------------------------------------------------------------------------
    @magic_arguments()
    @argument("--python", metavar="P", help="interpreter to ask (default: this kernel's)")
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
    def syspath(self, line: str) -> Any:
        """sys.path of a fresh start of this interpreter (or ``--python P``), with the provenance
        of every entry: current directory, PYTHONPATH, stdlib, site-packages, a .pth line..."""
        args = self._parse(self.syspath, line)
        if args.lab:
            from pyenvlab.jupyter.explorers import SysPathLab

            if any(not part.isidentifier() for part in args.lab.split(".")):
                raise UsageError(f"--lab: not a module name: {args.lab!r}")
            return SysPathLab(args.lab, args.entry or None, python=args.python)
        if args.entry:
            raise UsageError("--entry needs --lab MODULE")
        path_report = _interpreter_api("path_report")
        try:
            report = path_report(args.python, flags=tuple(args.flags or ()))
        except PyenvlabError as exc:
            raise UsageError(str(exc)) from None
        _save(report, args.json)
        return report

    # -- %startup --------------------------------------------------------------------------
    @magic_arguments()
    @argument(
        "python", nargs="?", help="interpreter to trace: a path or a name on PATH (default: this kernel's)"
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
    def startup(self, line: str) -> Any:
        """How an interpreter found its prefix (the landmark walk) and how site built sys.path."""
        args = self._parse(self.startup, line)
        if args.explore:
            from pyenvlab.jupyter.explorers import StartupExplorer

            return StartupExplorer()
        from pyenvlab import startup

        try:
            trace = startup(args.python, argv0=args.argv0, flags=tuple(args.flags or ()))
        except PyenvlabError as exc:
            raise UsageError(str(exc)) from None
        _save(trace, args.json)
        return trace

    # -- %%namespace -----------------------------------------------------------------------
    @magic_arguments()
    @argument("--explore", action="store_true", help="return a namespace explorer instead of the table")
    @no_var_expand
    @cell_magic
    def namespace(self, line: str, cell: str) -> Any:
        """Run the cell and show what it added, rebound or removed in the namespace, by kind
        (variable, function, class, module), and which names point at the same module object."""
        from pyenvlab.jupyter import namespace

        args = self._parse(self.namespace, line)
        shell = self.shell
        hidden = getattr(shell, "user_ns_hidden", {})
        before = namespace.snapshot(shell.user_ns, hidden=hidden)
        code = self._compile(cell)
        # an error in the cell is shown; the diff of what ran before it is still true
        self._exec(code)
        after = namespace.snapshot(shell.user_ns, hidden=hidden)
        diff = namespace.compare(before, after, code=cell)
        if args.explore:
            from pyenvlab.jupyter.explorers import NamespaceExplorer

            return NamespaceExplorer(diff)
        return diff

    # -- %deps / %abi / %doctor ------------------------------------------------------------
    @magic_arguments()
    @argument("distribution", help="installed distribution, e.g. requests or 'requests[socks]'")
    @argument("--reverse", action="store_true", help="who needs it (transitively), instead of what it needs")
    @argument("--json", metavar="FILE", help="also save the graph as JSON to FILE")
    @line_magic
    def deps(self, line: str) -> Any:
        """The transitive requirement graph of an installed distribution."""
        from pyenvlab import deps

        args = self._parse(self.deps, line)
        try:
            graph = deps(args.distribution, reverse=args.reverse)
        except PyenvlabError as exc:
            raise UsageError(str(exc)) from None
        _save(graph, args.json)
        return graph

    @magic_arguments()
    @argument("target", help="module name, path to a .so, installed distribution or .whl file")
    @argument("--json", metavar="FILE", help="also save the report as JSON to FILE")
    @line_magic
    def abi(self, line: str) -> Any:
        """Which glibc (and other libraries) an extension needs, symbol by symbol, vs this system."""
        from pyenvlab import abi

        args = self._parse(self.abi, line)
        try:
            report = abi(args.target)
        except PyenvlabError as exc:
            raise UsageError(str(exc)) from None
        _save(report, args.json)
        return report

    @magic_arguments()
    @argument("--no-trace", action="store_true", help="skip tracing a fresh start (the .pth check needs it)")
    @argument("--json", metavar="FILE", help="also save the findings as JSON to FILE")
    @line_magic
    def doctor(self, line: str) -> Any:
        """Diagnose this kernel's environment: shadowing modules, PYTHONPATH leaking into a venv,
        broken .pth lines, missing sys.path entries, a pip of another interpreter..."""
        args = self._parse(self.doctor, line)
        doctor = _interpreter_api("doctor")
        try:
            report = doctor(list(sys.path), trace_startup=not args.no_trace)
        except PyenvlabError as exc:
            raise UsageError(str(exc)) from None
        _save(report, args.json)
        return report
