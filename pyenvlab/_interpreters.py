"""Finding the interpreter a user names: ``None``, a command on PATH, or a path to a file."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

from pyenvlab.errors import InterpreterError

__all__ = ["resolve_interpreter"]


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
        InterpreterError: when nothing executable is there.
    """
    if python is None:
        if not sys.executable:
            msg = "this Python does not know its own executable (sys.executable is empty)"
            raise InterpreterError(msg)
        return sys.executable
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
