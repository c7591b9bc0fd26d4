"""``trace_import(..., python="pyodide:3.14")``: the unmodified recorder, run inside Pyodide.

The recorder's source text is written into Pyodide's in-memory file system and executed
there through its script entry point, ``recorder._main([path, OUT, "--code", CODE])``, which
makes the run look like ``python -c CODE`` (``sys.path[0]`` is ``''``, the working
directory). The trace JSON it writes inside comes back as text; stdout stays the traced
code's.

What differs from a native interpreter is shown as it is, not smoothed over: the standard
library is ``/lib/python3XY.zip`` (every stdlib load is a zipimporter hit), ``sys.meta_path``
holds Pyodide's own finders after PathFinder (``JsFinder``, and on 3.15
``WindowsToLinuxPathFinder``), about 190 modules are already loaded when the traced code
starts (Pyodide's own Python runtime), ``sys.executable`` is the Node script that started
Pyodide, and there are no subprocesses.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

from pyenvlab.errors import InterpreterError, TraceFormatError
from pyenvlab.pyodide.releases import release_for
from pyenvlab.pyodide.runner import Run, run

__all__ = ["LAZY_MODES", "PROBE_HOME", "trace_import"]

#: where pyenvlab's probe files live inside Pyodide (never on sys.path, never a host mount)
PROBE_HOME = "/pyenvlab"

#: the modes of ``sys.set_lazy_imports`` (PEP 810)
LAZY_MODES = ("normal", "all", "none")

# Named like the native ``-c`` bootstrap's function: recorder._main takes it out of __main__
# before the traced code runs, so that code sees the namespace a ``python -c`` start has.
_BOOT = """\
def _pyenvlab_bootstrap():
    import sys
{lazy}    path = {path!r}
    with open(path, encoding="utf-8") as stream:
        source = stream.read()
    namespace = {{"__name__": "__pyenvlab_recorder__", "__file__": path, "__builtins__": __builtins__}}
    exec(compile(source, path, "exec"), namespace)
    namespace["_main"]({argv!r})


_pyenvlab_bootstrap()
"""

_LAZY = """\
    if not hasattr(sys, "set_lazy_imports"):
        raise RuntimeError("Python " + sys.version.split()[0] + " has no lazy imports (PEP 810)")
    sys.set_lazy_imports({mode!r})
"""


def recorder_source() -> str:
    """The recorder's source text, as a target interpreter executes it."""
    from pyenvlab.tracing import RECORDER_SCRIPT

    with open(RECORDER_SCRIPT, encoding="utf-8") as stream:
        return stream.read()


def boot_code(argv: Sequence[str], *, path: str, lazy_imports: str | None = None) -> str:
    """Python code that runs the recorder file at ``path`` through ``_main(argv)``.

    ``lazy_imports`` (``"all"``, ``"none"``, ``"normal"``) calls ``sys.set_lazy_imports`` first:
    Pyodide cannot *start* with ``-X lazy_imports=all`` or ``PYTHON_LAZY_IMPORTS`` (its own
    JavaScript glue then fails to bootstrap), so the mode is set before anything of the traced
    code or the recorder runs, which is what the option means for that code.
    """
    lazy = _LAZY.format(mode=lazy_imports) if lazy_imports is not None else ""
    return _BOOT.format(lazy=lazy, path=path, argv=list(argv))


def trace_import(
    code: str,
    *,
    python: str,
    env: Mapping[str, str] | None = None,
    cwd: str | os.PathLike[str] | None = None,
    path: Sequence[str | os.PathLike[str]] | None = None,
    candidates: bool = False,
    timeout: float | None = 300,
    lazy_imports: str | None = None,
):
    """Trace ``code`` (Python source) in a fresh Pyodide interpreter named by ``python``.

    Args:
        code: the Python code to run, as for ``python -c``.
        python: ``"pyodide:3.14"`` or ``"pyodide:3.15"``.
        env: the interpreter's environment variables (default: Pyodide's own; the host's
            environment describes another file system).
        cwd: a host directory shown inside at the same path and used as the working
            directory (``sys.path[0]`` is ``''``). Default: Pyodide's empty ``/home/pyodide``.
        path: host directories shown inside at the same path and put in front of
            ``sys.path``, as PYTHONPATH would.
        candidates: also record file names looked up in cached directory listings.
        timeout: seconds before the Node process group is killed.
        lazy_imports: ``sys.set_lazy_imports(mode)`` before the code runs (3.15+).

    Raises:
        InterpreterError: one line: unknown version, Node/npm missing, timeout, no trace.
    """
    from pyenvlab.model import Trace

    release = release_for(python)
    if lazy_imports is not None and lazy_imports not in LAZY_MODES:
        msg = f"lazy_imports must be one of {', '.join(LAZY_MODES)}, not {lazy_imports!r}"
        raise InterpreterError(msg)
    environment = None if env is None else dict(env)
    mounts: list[str] = []
    if path:
        extra = [os.path.abspath(os.fspath(p)) for p in path]
        for directory in extra:
            if not os.path.isdir(directory):
                msg = f"path entry {directory} is not a directory (Pyodide can only be shown directories)"
                raise InterpreterError(msg)
        mounts.extend(extra)
        environment = environment if environment is not None else {}
        if environment.get("PYTHONPATH"):
            extra.append(environment["PYTHONPATH"])
        environment["PYTHONPATH"] = ":".join(extra)
    inside_cwd = None
    if cwd is not None:
        inside_cwd = os.path.abspath(os.fspath(cwd))
        if not os.path.isdir(inside_cwd):
            msg = f"working directory not found: {os.fspath(cwd)}"
            raise InterpreterError(msg)
        if inside_cwd not in mounts:
            mounts.append(inside_cwd)
    recorder = f"{PROBE_HOME}/recorder.py"
    out = f"{PROBE_HOME}/trace.json"
    argv = [recorder, out, "--code", code]
    if candidates:
        argv.append("--candidates")
    (result,) = run(
        release,
        [
            Run(
                boot_code(argv, path=recorder, lazy_imports=lazy_imports),
                files=((recorder, recorder_source()),),
                results=(out,),
            )
        ],
        env=environment,
        mounts=_outermost(mounts),
        cwd=inside_cwd,
        timeout=timeout,
    )
    text = result.files.get(out)
    if text is None:
        detail = result.error or (result.stderr[-1] if result.stderr else "no error output")
        msg = f"{release.spec} produced no trace: {detail}"
        raise InterpreterError(msg)
    try:
        return Trace.from_json(text)
    except TraceFormatError as exc:
        msg = f"{release.spec} wrote a trace pyenvlab cannot read: {exc}"
        raise InterpreterError(msg) from None


def _outermost(directories: Sequence[str]) -> list[str]:
    """The directories to mount: nested ones are already visible through their parent."""
    kept: list[str] = []
    for directory in sorted(set(directories), key=len):
        if not any(directory == k or directory.startswith(k.rstrip("/") + "/") for k in kept):
            kept.append(directory)
    return kept
