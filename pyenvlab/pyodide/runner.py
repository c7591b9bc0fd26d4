"""Running Python inside Pyodide: one Node.js process per call, files in, files out.

:func:`run` writes a job description, starts ``node runner.mjs JOB.json`` (the script ships
next to this module) and reads back its answer: for every :class:`Run`, whether the code ran,
the last line of its exception, and the text of the files it wrote inside Pyodide's file
system. Results never travel through stdout, which the traced code may print to.

Host directories can be made visible inside (``mounts``, Emscripten's NODEFS) before the
interpreter starts, so its own startup (getpath) sees them. Every run gets a fresh
interpreter: a new ``loadPyodide()`` (``fresh="load"``, 2-3 s), or (``fresh="reset"``, about
0.05 s) the memory of one fresh start written back before each run, like a fork, with
everything outside that memory checked after each run (see ``Fresh`` in runner.mjs); an
instance whose outside state changed is replaced by a new start.

The pinned npm package is installed into pyenvlab's cache on first use (:func:`install`);
after that nothing needs the network.

Why our own runner and not a library: the only Python-side ways to drive Pyodide are its
browser/Node JavaScript API; a 150-line Node script speaking JSON files is the thinnest glue.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pyenvlab.errors import InterpreterError, InterpreterTimeout
from pyenvlab.pyodide.releases import Release

__all__ = ["RUNNER_SCRIPT", "Run", "RunResult", "install", "node_executable", "run", "unavailable"]

#: the Node side, shipped as package data
RUNNER_SCRIPT = Path(__file__).with_name("runner.mjs")

#: paths Pyodide's own file system uses: a host directory cannot be shown there
_RESERVED = ("/lib", "/dev", "/proc", "/home/pyodide", "/pyenvlab")

NODE_HINT = "Debian/Ubuntu: apt-get install nodejs npm; or see https://nodejs.org"


@dataclass(frozen=True)
class Run:
    """Python code to run in a fresh Pyodide interpreter, with files written in before it runs
    (``(path inside, text)``) and files read back after it ran (paths inside)."""

    code: str
    files: tuple[tuple[str, str], ...] = ()
    results: tuple[str, ...] = ()


@dataclass(frozen=True)
class RunResult:
    """What one :class:`Run` did: ``ok`` (the code ran to the end), ``error`` (the last line of
    its exception), ``files`` (each requested file's text, ``None`` when it was not written),
    the last lines it printed, and its wall time including the interpreter's start.
    ``reset`` (``fresh="reset"`` only) is ``"reset"`` when the instance was checked clean
    afterwards, else ``"dropped: why"`` (the next run got a new start)."""

    ok: bool
    error: str | None
    files: dict[str, str | None] = field(default_factory=dict)
    stdout: tuple[str, ...] = ()
    stderr: tuple[str, ...] = ()
    seconds: float = 0.0
    reset: str | None = None


def node_executable(release: Release | None = None) -> str:
    """The ``node`` program on PATH.

    Raises:
        InterpreterError: in one line, saying what to install, when there is none.
    """
    import shutil

    found = shutil.which("node")
    if found is None:
        what = f"{release.spec} runs" if release is not None else "Pyodide interpreters run"
        msg = f"{what} under Node.js, which is not installed ({NODE_HINT})"
        raise InterpreterError(msg)
    return found


def install(release: Release, *, timeout: float = 600) -> Path:
    """The installed npm package of ``release`` (installing it with npm the first time).

    Raises:
        InterpreterError: in one line: Node.js or npm is missing (and how to get them), or
            npm failed.
    """
    from pyenvlab import _npm

    try:
        return _npm.ensure_package(release.npm, timeout=timeout)
    except _npm.NpmError as exc:
        raise InterpreterError(f"{release.spec}: {exc}") from None


def unavailable(release: Release) -> str | None:
    """Why ``release`` cannot run here (one line), or None when it can. Installs it if needed."""
    try:
        node_executable(release)
        install(release)
    except InterpreterError as exc:
        return str(exc)
    return None


def _check_mount(inside: str) -> None:
    if not inside.startswith("/") or inside == "/":
        msg = f"cannot show {inside!r} inside Pyodide: an absolute directory below / is needed"
        raise InterpreterError(msg)
    for reserved in _RESERVED:
        if inside == reserved or inside.startswith(reserved + "/") or reserved.startswith(inside + "/"):
            msg = f"cannot show {inside} inside Pyodide: its own file system uses {reserved}"
            raise InterpreterError(msg)


def _kill_group(process) -> None:
    import signal

    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.communicate()


def run(
    release: Release,
    runs: Sequence[Run],
    *,
    args: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    executable: str | None = None,
    mounts: Sequence[str | os.PathLike[str]] = (),
    cwd: str | None = None,
    fresh: str = "load",
    setup: Run | None = None,
    quiet: bool = False,
    timeout: float | None = 300,
) -> list[RunResult]:
    """Run each of ``runs`` in its own fresh Pyodide interpreter of ``release``, in one Node process.

    Args:
        args: interpreter options (``["-I"]``, ``["-X", "importtime"]``), as on a command line.
        env: the interpreter's environment variables (default: Pyodide's own, ``HOME`` and a
            few more; the host's environment means nothing inside).
        executable: ``argv[0]`` of the interpreter (``sys.executable``; getpath starts from it).
        mounts: host directories to show inside at the same absolute path.
        cwd: the working directory inside (a mounted or created directory).
        fresh: ``"load"`` (a new ``loadPyodide()`` per run) or ``"reset"`` (one start whose
            memory is written back before every run).
        setup: code (and its files) run once in every new start before the runs; with
            ``fresh="reset"`` before the memory is copied, so each run begins with it done
            (like a parent process that prepared something before forking).
        quiet: discard what the code prints.
        timeout: seconds for the whole call; then the Node process group is killed.

    Raises:
        InterpreterError: one line: Node or the package is missing, Pyodide did not start, or
            the timeout passed.
    """
    import json
    import subprocess
    import tempfile

    if fresh not in ("load", "reset"):
        msg = f"fresh must be 'load' or 'reset', not {fresh!r}"
        raise ValueError(msg)
    node = node_executable(release)
    package = install(release)
    mount_list = []
    for directory in mounts:
        host = os.path.abspath(os.fspath(directory))
        _check_mount(host)
        if not os.path.isdir(host):
            msg = f"cannot show {host} inside Pyodide: not a directory"
            raise InterpreterError(msg)
        mount_list.append([host, host])
    if cwd is not None:
        _check_mount(cwd)
    with tempfile.TemporaryDirectory(prefix="pyenvlab-pyodide-") as tmp:
        job_path, out_path = Path(tmp, "job.json"), Path(tmp, "answer.json")
        job = {
            "pyodide": str(package),
            "args": list(args),
            "env": None if env is None else dict(env),
            "executable": executable,
            "mounts": mount_list,
            "cwd": cwd,
            "fresh": fresh,
            "quiet": quiet,
            "setup": None if setup is None else {"code": setup.code, "files": [list(f) for f in setup.files]},
            "runs": [
                {"code": r.code, "files": [list(f) for f in r.files], "results": list(r.results)}
                for r in runs
            ],
            "out": str(out_path),
        }
        job_path.write_text(json.dumps(job), encoding="utf-8")
        try:
            process = subprocess.Popen(
                [node, str(RUNNER_SCRIPT), str(job_path)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,  # its own process group: a timeout kills all of it
            )
        except OSError as exc:
            msg = f"cannot run {node}: {exc.strerror or exc}"
            raise InterpreterError(msg) from None
        try:
            _, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            msg = f"{release.spec} did not finish within {timeout:g} s: its Node process group was killed"
            raise InterpreterTimeout(msg) from None
        except BaseException:  # KeyboardInterrupt and the like: leave no Node process behind
            _kill_group(process)
            raise
        if not out_path.exists():
            lines = [line for line in stderr.decode("utf-8", "replace").splitlines() if line.strip()]
            detail = lines[-1].strip()[:300] if lines else f"exit status {process.returncode}"
            msg = f"{release.spec}: Node.js failed to run Pyodide: {detail}"
            raise InterpreterError(msg)
        answer = json.loads(out_path.read_text(encoding="utf-8"))
    if answer.get("fatal"):
        if (env or {}).get("PYTHON_LAZY_IMPORTS") or any("lazy_imports" in arg for arg in args):
            msg = (
                f"{release.spec} cannot start with lazy imports switched on (PYTHON_LAZY_IMPORTS or "
                "-X lazy_imports: Pyodide's own runtime then fails to bootstrap); trace with "
                f"lazy_imports= instead ({answer['fatal']})"
            )
            raise InterpreterError(msg)
        raise InterpreterError(f"{release.spec}: {answer['fatal']}")
    return [
        RunResult(
            ok=bool(item["ok"]),
            error=item.get("error"),
            files=dict(item.get("files") or {}),
            stdout=tuple(item.get("stdout") or ()),
            stderr=tuple(item.get("stderr") or ()),
            seconds=float(item.get("seconds") or 0.0),
            reset=item.get("reset"),
        )
        for item in answer["runs"]
    ]
