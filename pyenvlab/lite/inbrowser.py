"""What the workshop notebooks use when they run in a browser, where no process can start.

In the JupyterLite site (``python -m pyenvlab lite``) Python is Pyodide, CPython compiled to
WebAssembly, running in the attendee's browser: ``subprocess`` raises, so
:func:`pyenvlab.trace_import` cannot start the fresh interpreter it traces. The notebooks that
are about the import system itself tell their story in this interpreter instead:

- :func:`trace_import` has the signature of :func:`pyenvlab.trace_import` and traces the code
  *here*: with ``sys.path`` as the fresh interpreter would have it (``""`` for the working
  directory, then ``path``, then this interpreter's entries) and with the modules the code
  imports by name taken out of ``sys.modules`` for the duration, so their search runs again,
  entry by entry and probe by probe. Modules loaded elsewhere show as cache hits, as the
  modules a fresh interpreter loads at startup would. Afterwards ``sys.modules``,
  ``sys.path`` and the working directory are as before.
- :func:`run_python` runs ``python script.py`` or ``python -c CODE`` the same way and returns
  a :class:`subprocess.CompletedProcess` with what it printed.
- :func:`needs_processes` is called by the first cell of the notebooks that cannot run here
  (other interpreters, venvs, conda, pip, building wheels): it says so, points to Binder and
  stops *Run All*.

Everything here also works in a normal interpreter (the tests run it there), but notebooks
import it only when ``sys.platform == "emscripten"``.

Example:
    >>> import json
    >>> t = trace_import("import json")
    >>> t.module("json").hit is not None      # searched again, although the kernel had it
    True
    >>> import sys; sys.modules["json"] is json
    True
"""

from __future__ import annotations

import builtins
import os
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import subprocess

    from pyenvlab.model import Trace

__all__ = ["NeedsProcesses", "needs_processes", "run_python", "trace_import"]

#: What CPython has loaded before ``python -c CODE`` runs (3.12/3.13, measured with
#: ``python -I -c "import sys; print(sorted(sys.modules))"``): never taken out of
#: ``sys.modules``, so an ``import os`` is a cache hit here as in a fresh interpreter.
STARTUP_MODULES = frozenset(
    {
        "_abc",
        "_codecs",
        "_collections_abc",
        "_frozen_importlib",
        "_frozen_importlib_external",
        "_imp",
        "_io",
        "_signal",
        "_sitebuiltins",
        "_stat",
        "_thread",
        "_warnings",
        "_weakref",
        "abc",
        "builtins",
        "codecs",
        "encodings",
        "genericpath",
        "io",
        "linecache",
        "marshal",
        "os",
        "posix",
        "posixpath",
        "site",
        "stat",
        "sys",
        "time",
        "zipimport",
    }
)


def _imported_names(code: str) -> set[str]:
    """The top-level names of the modules ``code`` imports in ``import`` statements."""
    import ast

    try:
        tree = ast.parse(code)
    except SyntaxError:
        return set()
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.partition(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.partition(".")[0])
    return names


def _forgettable(name: str) -> bool:
    return (
        name not in STARTUP_MODULES
        and name not in sys.builtin_module_names
        and name != "pyenvlab"
        and not name.startswith("_frozen")
    )


class _AsIfFresh:
    """``sys.path``, ``sys.modules``, ``sys.argv`` and the working directory as a fresh
    ``python`` started in ``cwd`` with ``path`` first would see them; all restored on exit."""

    def __init__(
        self,
        *,
        first: str,
        cwd: str | os.PathLike[str] | None,
        path: Sequence[str | os.PathLike[str]] | None,
        forget: set[str],
        argv: list[str],
    ) -> None:
        self.first = first
        self.cwd = os.fspath(cwd) if cwd is not None else None
        self.path = [os.fspath(p) for p in path or ()]
        self.forget = {name for name in forget if _forgettable(name)}
        self.argv = argv

    def __enter__(self) -> _AsIfFresh:
        self._cwd = os.getcwd()
        self._path = list(sys.path)
        self._argv = list(sys.argv)
        self._modules = dict(sys.modules)
        here = {"", ".", self._cwd}
        front = [self.first, *self.path]
        # Finders cached for these directories may hold listings from before the notebook
        # wrote files there; a fresh interpreter lists them anew, and so do we ("" is cached
        # under the working directory's absolute path).
        base = self.cwd or self._cwd
        keys = {*front, *(os.path.abspath(os.path.join(base, entry)) for entry in front)}
        self._finders = {
            key: sys.path_importer_cache.pop(key) for key in keys if key in sys.path_importer_cache
        }
        if self.cwd is not None:
            os.chdir(self.cwd)
        sys.path[:] = front + [p for p in self._path if p not in here and p not in front]
        sys.argv[:] = self.argv
        for name in list(sys.modules):
            if name.partition(".")[0] in self.forget:
                del sys.modules[name]
        return self

    def __exit__(self, *exc_info: object) -> None:
        # what the code loaded goes (pyenvlab's own lazy imports stay: they are not the code's)
        for name in [n for n in sys.modules if n not in self._modules and not n.startswith("pyenvlab")]:
            del sys.modules[name]
        sys.modules.update(self._modules)
        sys.path[:] = self._path
        sys.argv[:] = self._argv
        sys.path_importer_cache.update(self._finders)
        os.chdir(self._cwd)


def _as_code(code_or_module: str) -> str:
    text = code_or_module.strip()
    if text and all(part.isidentifier() for part in text.split(".")):
        return f"import {text}"
    return code_or_module


def _with_pythonpath(
    path: Sequence[str | os.PathLike[str]] | None, env: Mapping[str, str] | None
) -> list[str]:
    entries = [os.fspath(p) for p in path or ()]
    if env is not None and env.get("PYTHONPATH"):
        entries += [e for e in env["PYTHONPATH"].split(os.pathsep) if e]
    return entries


def trace_import(
    code_or_module: str,
    *,
    env: Mapping[str, str] | None = None,
    cwd: str | os.PathLike[str] | None = None,
    path: Sequence[str | os.PathLike[str]] | None = None,
    candidates: bool = False,
) -> Trace:
    """Trace ``code_or_module`` in this interpreter, as a fresh one would run it (see above).

    Takes the arguments of :func:`pyenvlab.trace_import` that make sense without a process:
    ``env`` only contributes its ``PYTHONPATH``. What the code prints is dropped, as
    :func:`pyenvlab.trace_import` drops it; an exception raised by the code propagates.
    """
    from pyenvlab import trace

    code = _as_code(code_or_module)
    compiled = compile(code, "<string>", "exec")
    namespace: dict[str, Any] = {"__name__": "__main__", "__builtins__": builtins}
    fresh = _AsIfFresh(
        first="", cwd=cwd, path=_with_pythonpath(path, env), forget=_imported_names(code), argv=["-c"]
    )
    import contextlib
    import io

    # what the code prints is dropped, as trace_import drops its process's output
    quiet = io.StringIO()
    dropped = contextlib.redirect_stdout(quiet), contextlib.redirect_stderr(quiet)
    with fresh, dropped[0], dropped[1], trace(candidates=candidates) as recorded:
        exec(compiled, namespace)
    return recorded


def run_python(
    *args: str, cwd: str | os.PathLike[str] | None = None, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``python ARGS`` (``"script.py", ...`` or ``"-c", CODE, ...``) in this interpreter.

    Like ``subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True,
    text=True)``: ``sys.path[0]`` is the script's directory (``""`` with ``-c``), then
    ``env``'s PYTHONPATH; what the code prints is captured; an uncaught exception gives its
    traceback on stderr and return code 1. Modules the code loads are forgotten afterwards.
    """
    import contextlib
    import io
    import runpy
    import subprocess

    if not args:
        msg = "run_python needs a script or -c CODE"
        raise ValueError(msg)
    where = os.fspath(cwd) if cwd is not None else os.getcwd()
    if args[0] == "-c":
        code = args[1]
        first, argv, forget = "", ["-c", *args[2:]], _imported_names(code)
    else:
        script = os.path.join(where, args[0])
        first, argv, forget = os.path.dirname(os.path.abspath(script)), list(args), set()
    out, err = io.StringIO(), io.StringIO()
    status = 0
    fresh = _AsIfFresh(first=first, cwd=cwd, path=_with_pythonpath(None, env), forget=forget, argv=argv)
    with fresh, contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            if args[0] == "-c":
                exec(compile(code, "<string>", "exec"), {"__name__": "__main__", "__builtins__": builtins})
            else:
                runpy.run_path(args[0], run_name="__main__")
        except SystemExit as exc:
            status = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            if exc.code is not None and not isinstance(exc.code, int):
                print(exc.code, file=sys.stderr)
        except BaseException as exc:
            status = 1
            # the interpreter's own report (its "Did you mean" hints included), to our stderr
            trimmed = _user_frames(exc)
            sys.__excepthook__(type(exc), exc.with_traceback(trimmed), trimmed)
    return subprocess.CompletedProcess(["python", *args], status, out.getvalue(), err.getvalue())


def _user_frames(exc: BaseException) -> Any:
    """The traceback of ``exc`` without the frames of this module and runpy (as in a process)."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_globals.get("__name__") in {__name__, "runpy"}:
        tb = tb.tb_next
    return tb


# ---------------------------------------------------------------------------------------------
# notebooks that cannot run in a browser


class NeedsProcesses(Exception):
    """Raised by :func:`needs_processes`: stops *Run All* with a short message (no traceback)."""

    def _render_traceback_(self) -> list[str]:  # IPython shows these lines instead of a traceback
        return str(self).splitlines()


def binder_url(notebook: str) -> str | None:
    """The Binder address of ``notebook``, if the site was built with ``--binder URL``."""
    from pyenvlab.lite import site_info

    base = site_info().get("binder")
    if not base:
        return None
    separator = "&" if "?" in base else "?"
    return f"{base.rstrip('/')}{separator}labpath=notebooks/{notebook}"


def needs_processes(notebook: str, what: str) -> None:
    """Say that ``notebook`` needs processes (``what`` they do), point to Binder, and stop.

    Called by the first code cell of such a notebook when ``sys.platform == "emscripten"``.
    Raises :class:`NeedsProcesses`, which IPython shows as the message alone, and which stops
    *Run All* before the first cell that would fail.
    """
    from pyenvlab.lite import site_info

    link = binder_url(notebook)
    where = f"open it on Binder: {link}" if link else "open it on Binder (ask your instructor for the link)"
    lines = [
        f"This notebook {what}: a browser cannot start processes, so it does not run here.",
        f"Read on, {where}, or run it on a computer with Python (pip install pyenvlab).",
    ]
    runnable = site_info().get("browser_notebooks")
    if runnable:
        lines.append("These notebooks run in this browser: " + ", ".join(runnable) + ".")
    raise NeedsProcesses("\n".join(lines))
