"""Recording imports: in this process (:func:`trace`) or in a fresh interpreter (:func:`trace_import`).

Both use the same stdlib-only recorder (:mod:`pyenvlab._probe.recorder`). In this process the
trace shows what importing does *here*: in a Jupyter kernel most of the standard library is
already loaded, so many imports are ``sys.modules`` cache hits. A fresh interpreter shows the
real search, probe by probe.
"""

# Nothing but pyenvlab's own records at module level: an in-process trace shows what is *not*
# yet loaded, so `with pyenvlab.trace():` must load no module the traced program did not ask
# for (os, subprocess, tempfile... load in trace_import()).
from pyenvlab._probe import recorder as _recorder
from pyenvlab.model import RecordFactory, Trace

TYPE_CHECKING = False
if TYPE_CHECKING:
    import os
    from collections.abc import Mapping, Sequence

__all__ = ["RECORDER_SCRIPT", "Tracer", "trace", "trace_import"]

#: The recorder's source file, which target interpreters run (see ``recorder.BOOTSTRAP``).
RECORDER_SCRIPT: str = _recorder.__file__


class Tracer:
    """Records imports in this process between :meth:`start` and :meth:`stop`.

    Use it as a context manager (``with pyenvlab.trace() as t:``), which yields the
    :class:`~pyenvlab.model.Trace`; its records are built when first read after the block.
    ``start()``/``stop()`` work too, also from different threads; tracers may nest. Every
    patched object is restored when the last tracer stops, also after an exception or
    KeyboardInterrupt inside the block.
    """

    def __init__(self, *, candidates: bool = False) -> None:
        self._session = _recorder.Session(candidates=candidates)
        self.trace = Trace._pending(self._build)

    def _build(self) -> "Trace | None":
        return self._session.build(factory=RecordFactory())

    def start(self) -> "Trace":
        """Install the hooks (if no other tracer has) and start recording."""
        self._session.start()
        return self.trace

    def stop(self) -> "Trace":
        """Stop recording (removing the hooks if this was the last tracer) and return the trace."""
        self._session.stop()
        return self.trace

    def __enter__(self) -> "Trace":
        return self.start()

    def __exit__(self, *exc_info: "object") -> None:
        self.stop()


def trace(*, candidates: bool = False) -> "Tracer":
    """Record every import in this process while the ``with`` block runs.

    Args:
        candidates: also record each file name looked up in a directory's cached listing
            (FileFinder's "trying x.cpython-312-x86_64-linux-gnu.so, x.abi3.so, x.so, x.py..."
            checks). They cost no system call, so they are off by default.

    Example:
        >>> import pyenvlab
        >>> with pyenvlab.trace() as t:
        ...     import colorsys
        >>> [s.name for s in t.statements if s.importer == __name__]   # the import system's own too
        ['colorsys']
    """
    return Tracer(candidates=candidates)


def _as_code(code_or_module: str) -> str:
    from pyenvlab.errors import InterpreterError

    if not isinstance(code_or_module, str) or not code_or_module.strip():
        msg = "expected a module name (like 'xml.dom') or Python code (like 'import json')"
        raise InterpreterError(msg)
    text = code_or_module.strip()
    if all(part.isidentifier() for part in text.split(".")):
        return f"import {text}"
    return code_or_module


def trace_import(
    code_or_module: str,
    *,
    python: "str | os.PathLike[str] | None" = None,
    env: "Mapping[str, str] | None" = None,
    cwd: "str | os.PathLike[str] | None" = None,
    path: "Sequence[str | os.PathLike[str]] | None" = None,
    candidates: bool = False,
    timeout: float | None = 120.0,
    lazy_imports: str | None = None,
) -> "Trace":
    """Trace what a fresh interpreter does to run ``code_or_module``.

    The recorder runs inside a new process of ``python`` (default: this interpreter; any
    CPython 3.10+ works, pyenvlab need not be installed there) as if you had typed
    ``python -c CODE``: ``sys.path[0]`` is the working directory, not the recorder's.

    Args:
        code_or_module: a module name (``"xml.dom.minidom"``, meaning ``import xml.dom.minidom``)
            or Python code (``"import json; json.dumps(1)"``).
        python: the interpreter: a path, or a command name looked up on PATH.
        env: the process's whole environment (default: a copy of this one).
        cwd: its working directory (which is also its first ``sys.path`` entry).
        path: directories put in front of its ``sys.path``, as PYTHONPATH would.
        candidates: also record the file names looked up in cached directory listings.
        timeout: seconds before the process (and everything it started) is killed; ``None``:
            no limit.
        lazy_imports: PEP 810's global mode (``"normal"`` or ``"all"``, as
            ``-X lazy_imports=...``), set before the code runs (CPython 3.15+; an error on
            interpreters without lazy imports).

    Raises:
        InterpreterError: the interpreter is missing, too old, or died without a trace.
    """
    from pyenvlab._interpreters import is_pyodide

    if is_pyodide(python):  # CPython in WebAssembly: pyenvlab/pyodide/tracing.py
        from pyenvlab.pyodide.tracing import trace_import as trace_in_pyodide

        code = _as_code(code_or_module)
        return trace_in_pyodide(
            code,
            python=python,
            env=env,
            cwd=cwd,
            path=path,
            candidates=candidates,
            timeout=timeout,
            lazy_imports=lazy_imports,
        )
    import os
    import tempfile
    from pathlib import Path

    from pyenvlab._interpreters import resolve_interpreter
    from pyenvlab._processes import run_bounded
    from pyenvlab.errors import InterpreterError, TraceFormatError

    code = _as_code(code_or_module)
    exe = resolve_interpreter(python, env=env, cwd=cwd)
    environment = dict(os.environ if env is None else env)
    if path:
        extra = [os.fspath(p) for p in path]
        if environment.get("PYTHONPATH"):
            extra.append(environment["PYTHONPATH"])
        environment["PYTHONPATH"] = os.pathsep.join(extra)
    if cwd is not None and not Path(cwd).is_dir():
        msg = f"working directory not found: {os.fspath(cwd)}"
        raise InterpreterError(msg)
    with tempfile.TemporaryDirectory(prefix="pyenvlab-") as tmp:
        out = Path(tmp, "trace.json")
        command = [
            exe,
            "-c",
            _recorder.BOOTSTRAP,
            RECORDER_SCRIPT,
            _code_cache_prefix(),
            str(out),
            "--code",
            code,
        ]
        if candidates:
            command.append("--candidates")
        if lazy_imports is not None:
            if lazy_imports not in ("normal", "all", "none"):
                msg = f"lazy_imports must be 'normal' or 'all', not {lazy_imports!r}"
                raise InterpreterError(msg)
            command += ["--lazy-imports", lazy_imports]
        result = run_bounded(command, env=environment, cwd=cwd, timeout=timeout, what=exe)
        if not out.exists():
            from pyenvlab._interpreters import unsupported

            too_old = unsupported(exe, (3, 10), env=environment)
            if too_old is not None:
                raise InterpreterError(too_old)
            detail = (result.stderr.strip().splitlines() or ["no error output"])[-1]
            msg = f"{exe} produced no trace (exit status {result.returncode}): {detail}"
            raise InterpreterError(msg)
        try:
            return Trace.load(out)
        except TraceFormatError as exc:
            msg = f"{exe} wrote a trace pyenvlab cannot read: {exc}"
            raise InterpreterError(msg) from None


def _code_cache_prefix() -> str:
    """Where target interpreters keep the recorder compiled (one file per interpreter version).

    Keyed by the recorder's own source, so an upgraded pyenvlab never runs stale code.
    """
    import hashlib
    from pathlib import Path

    from pyenvlab._cache import cache_root

    with open(RECORDER_SCRIPT, "rb") as stream:
        digest = hashlib.sha256(stream.read()).hexdigest()[:16]
    folder = cache_root() / "recorder"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        folder = Path("/nonexistent-pyenvlab-cache")  # unwritable: the target compiles every time
    return str(folder / f"recorder-{digest}")
