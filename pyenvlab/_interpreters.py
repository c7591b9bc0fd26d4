"""Finding the interpreter a user names: ``None``, a command on PATH, a path, or ``"pyodide:X.Y"``.

Three kinds of interpreter spec are accepted wherever ``python=`` / ``--python`` is:

- ``None``: this interpreter;
- a path (absolute, or relative to ``cwd``) or a bare name looked up on PATH;
- ``"pyodide:3.14"`` / ``"pyodide:3.15"``: CPython in WebAssembly, run under Node.js
  (:mod:`pyenvlab.pyodide`). It has no executable on this machine, so only the functions that
  know how to run it (``trace_import``, ``startup``) accept it; they check
  :func:`is_pyodide` before :func:`resolve_interpreter`.

Example:
    >>> is_pyodide("pyodide:3.14"), is_pyodide("/usr/bin/python3"), is_pyodide(None)
    (True, False, False)
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

from pyenvlab.errors import InterpreterError

__all__ = ["PYODIDE_PREFIX", "is_pyodide", "resolve_interpreter"]

#: what starts a Pyodide interpreter spec (kept here, not imported: this module loads with
#: ``pyenvlab.trace()``, which must stay light)
PYODIDE_PREFIX = "pyodide:"


def is_pyodide(python: object) -> bool:
    """True when ``python`` is a Pyodide spec (``"pyodide:X.Y"``), whether or not X.Y is known."""
    return isinstance(python, str) and python.startswith(PYODIDE_PREFIX)


def resolve_interpreter(
    python: str | os.PathLike[str] | None,
    *,
    env: Mapping[str, str] | None = None,
    cwd: str | os.PathLike[str] | None = None,
) -> str:
    """The absolute path of the interpreter ``python`` names (default: this interpreter).

    A bare name is looked up on ``env["PATH"]`` (this process's PATH by default); a relative
    path is taken against ``cwd``.

    Raises:
        InterpreterError: when nothing executable is there, or for a Pyodide spec (which has
            no executable: one line says so, or lists the known versions for an unknown one).
    """
    if python is None:
        if not sys.executable:
            msg = "this Python does not know its own executable (sys.executable is empty)"
            raise InterpreterError(msg)
        return sys.executable
    if is_pyodide(python):
        from pyenvlab.pyodide.releases import release_for

        release = release_for(python)  # an unknown version: one line listing the known ones
        msg = (
            f"{release.spec} is CPython in WebAssembly, run under Node.js: it has no executable "
            "here, and only trace_import and startup (trace, report and startup commands) can run it"
        )
        raise InterpreterError(msg)
    import shutil

    name = os.fspath(python)
    environ = os.environ if env is None else env
    if os.sep not in name:
        found = shutil.which(name, path=environ.get("PATH", os.defpath))
        if found is None:
            msg = f"no interpreter called {name!r} on PATH"
            raise InterpreterError(msg)
        return os.path.abspath(found)
    path = os.path.join(os.fspath(cwd) if cwd is not None else os.getcwd(), name)
    if not os.path.exists(path):
        msg = f"interpreter not found: {name} (the file does not exist)"
        raise InterpreterError(msg)
    if os.path.isdir(path) or not os.access(path, os.X_OK):
        msg = f"not an executable file: {name}"
        raise InterpreterError(msg)
    return os.path.abspath(path)


#: what every Python since 2.4 runs: the implementation and the version, without site
_VERSION_CODE = (
    "import sys; name = getattr(getattr(sys, 'implementation', None), 'name', None) or 'cpython';"
    " sys.stdout.write('%s %d.%d.%d' % ((name,) + tuple(sys.version_info[:3])))"
)


def interpreter_version(
    exe: str, *, env: Mapping[str, str] | None = None, timeout: float | None = 30
) -> tuple[str, tuple[int, ...]] | None:
    """``("cpython", (2, 7, 18))``: the implementation and version of ``exe`` (any Python,
    2.x included), or ``None`` when it cannot tell (not a Python, or it failed)."""
    from pyenvlab._processes import run_bounded
    from pyenvlab.errors import PyenvlabError

    try:
        done = run_bounded([exe, "-E", "-S", "-c", _VERSION_CODE], env=env, timeout=timeout, what=exe)
    except PyenvlabError:
        return None
    name, _, version = done.stdout.strip().partition(" ")
    try:
        numbers = tuple(int(part) for part in version.split("."))
    except ValueError:
        return None
    return (name, numbers) if done.returncode == 0 and len(numbers) == 3 else None


def unsupported(
    exe: str,
    minimum: tuple[int, int],
    *,
    what: str = "traces",
    env: Mapping[str, str] | None = None,
    timeout: float | None = 30,
) -> str | None:
    """The one line to show when ``exe`` is older than ``minimum`` (``"pyenvlab traces CPython
    3.10 and newer; this is 2.7"``) or not CPython, else ``None``. Called after a target failed,
    to say why in words rather than with the old interpreter's own error."""
    found = interpreter_version(exe, env=env, timeout=timeout)
    if found is None:
        return None
    name, version = found
    wanted = f"pyenvlab {what} CPython {minimum[0]}.{minimum[1]} and newer"
    shown = ".".join(str(v) for v in version[:2])
    if name != "cpython":
        return f"{wanted}; {exe} is {name} {shown}"
    if version[:2] < minimum:
        return f"{wanted}; this is {shown} ({exe})"
    return None
