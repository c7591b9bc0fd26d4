"""Run the startup probes in a subprocess of the target interpreter and assemble a StartupTrace.

Three processes of the target run side by side, each with the simulated ``argv[0]``,
environment and working directory:

1. the **search**: ``getpath_probe.py`` re-runs the interpreter's own prefix search with
   recording hooks (3.11+); for older interpreters ``strace`` records the system calls of a
   real ``-S`` start; without strace a clearly labelled model stands in (the three tiers are
   :mod:`pyenvlab.interpreter.tiers`);
2. the **site stage**: ``target [options] -S site_probe.py`` starts for real (its prefix search
   ran), then runs the real ``site.main()`` with recording (read by
   :mod:`pyenvlab.interpreter.site_stage`);
3. the **ground truth**: a plain ``target [options] site_probe.py --truth`` start.

The traced values are compared with the real ones, field by field; nothing is reconciled.
Where each ``sys.path`` entry came from is :mod:`pyenvlab.interpreter.provenance`'s answer.
The sentences that explain a trace are written by :mod:`pyenvlab.render.startup_views`.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pyenvlab._interpreters import is_pyodide, resolve_interpreter, unsupported
from pyenvlab._processes import DEFAULT_TIMEOUT, Deadline, run_bounded, start_bounded
from pyenvlab.errors import InterpreterError
from pyenvlab.interpreter import site_stage, tiers, venv_config
from pyenvlab.interpreter.provenance import path_entries
from pyenvlab.interpreter.records import Method, PathReport, StartupTrace
from pyenvlab.interpreter.tiers import FIELDS, Start, _tail

__all__ = ["FLAGS", "path_report", "resolve_interpreter", "startup"]

PROBE_DIR = Path(__file__).resolve().parent.parent / "_probe"
GETPATH_PROBE = PROBE_DIR / "getpath_probe.py"
SITE_PROBE = PROBE_DIR / "site_probe.py"

#: interpreter options ``startup(flags=...)`` accepts (they change the search or site)
FLAGS = ("-E", "-I", "-s", "-S", "-P")


# -- interpreter resolution ---------------------------------------------------------------


def _is_script(path: str) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(2) == b"#!"
    except OSError:
        return False


def _real_binary(launcher: str, env: Mapping[str, str], cwd: str, deadline: Deadline) -> str:
    """The interpreter a launcher script (a pyenv shim, a wrapper) really runs."""
    code = "import sys; sys.stdout.write(sys.executable)"
    done = run_bounded([launcher, "-S", "-c", code], env=env, cwd=cwd, deadline=deadline, what=launcher)
    real = done.stdout.strip()
    if done.returncode != 0 or not os.path.isabs(real) or not os.access(real, os.X_OK):
        msg = f"{launcher} is not a Python interpreter ({_tail(done.stderr or done.stdout) or 'no output'})"
        raise InterpreterError(msg)
    return real


# -- subprocess plumbing --------------------------------------------------------------------


class _Run:
    """One process of the target, started at once and collected by :meth:`result`."""

    def __init__(self, argv: list[str], executable: str, env: Mapping[str, str], cwd: str, out: Path):
        self.out = out
        self.argv = argv
        self.process = start_bounded(argv, executable=executable, env=env, cwd=cwd, what=executable)

    def result(self, deadline: Deadline) -> tuple[dict[str, Any] | None, str, int]:
        """What the probe wrote (``None``: nothing readable), its stderr and exit status.

        Raises:
            InterpreterError: the deadline passed first (the process group is killed).
        """
        done = self.process.wait(deadline.remaining(), budget=deadline.timeout)
        data = None
        if self.out.exists():
            try:
                data = json.loads(self.out.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                data = None
        return data, done.stderr, done.returncode

    def kill(self) -> None:
        """Stop the process and everything it started (when another one failed)."""
        self.process.kill()


def _check_flags(flags: Sequence[str]) -> tuple[str, ...]:
    flags = tuple(flags)
    for flag in flags:
        if flag not in FLAGS:
            msg = f"unsupported interpreter option {flag!r} (startup() accepts {', '.join(FLAGS)})"
            raise InterpreterError(msg)
    return flags


# -- the public function --------------------------------------------------------------------


def startup(
    python: str | os.PathLike[str] | None = None,
    *,
    env: Mapping[str, str] | None = None,
    cwd: str | os.PathLike[str] | None = None,
    argv0: str | None = None,
    flags: Sequence[str] = (),
    script: str | os.PathLike[str] | None = None,
    method: Method | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
) -> StartupTrace:
    """Trace how ``python`` starts: its prefix search, ``site``, and the resulting ``sys.path``.

    Args:
        python: the interpreter (a path, or a name looked up on ``env["PATH"]``); default: this
            one, or whatever ``argv0`` finds on PATH when only ``argv0`` is given.
        env: the whole environment of the traced start (default: ours). ``PYTHONHOME``,
            ``PYTHONPATH``, ``PATH`` and ``PYTHONUSERBASE`` there all take effect.
        cwd: its working directory (default: ours).
        argv0: ``argv[0]`` as a shell would pass it (``"python"`` when found on PATH, or
            the path typed). Getpath sees only this on Linux. Default: the interpreter's path.
        flags: interpreter options of the traced command: any of ``-E``, ``-I``, ``-s``,
            ``-S``, ``-P`` (3.11+). ``-S`` skips the site stage, like the real option.
        script: the script of the traced command (``python script.py``): ``sys.path[0]`` is
            its directory. Default: ``python -c``/REPL, where ``sys.path[0]`` is ``''``.
        method: force a tier instead of the best available one: ``"getpath"`` (3.11+),
            ``"strace"`` (Linux with strace; works for every version, handy to compare with
            the getpath tier) or ``"model"`` (pyenvlab's own description of the search).
        timeout: seconds the whole trace may take (the processes of the target run side by
            side, strace after them); when they are up, every process of the target is killed
            and ``InterpreterError`` says so. ``None``: no limit.

    Returns:
        A :class:`StartupTrace`; ``method`` says which tier traced the search and
        ``verified`` whether every traced value equals the interpreter's own.

    Raises:
        InterpreterError: the interpreter is missing, not Python, too old (< 3.8), cannot
            start with this environment (the message carries its last stderr lines), or did not
            finish within ``timeout``.
    """
    if is_pyodide(python):  # CPython in WebAssembly: pyenvlab/pyodide/startup.py
        from pyenvlab.pyodide.startup import startup as startup_in_pyodide

        return startup_in_pyodide(
            python,
            env=env,
            cwd=cwd,
            argv0=argv0,
            flags=flags,
            script=script,
            method=method,
            timeout=timeout,
        )
    deadline = Deadline(timeout)
    environ = dict(os.environ if env is None else env)
    workdir = os.path.abspath(os.fspath(cwd)) if cwd is not None else os.getcwd()
    if not os.path.isdir(workdir):
        msg = f"working directory {workdir} does not exist"
        raise InterpreterError(msg)
    flags = _check_flags(flags)
    if method not in (None, *tiers.TIERS):
        msg = f"unknown method {method!r} (choose getpath, strace or model)"
        raise InterpreterError(msg)
    target, argv0, notes = _target(python, argv0, environ, workdir, deadline)
    with tempfile.TemporaryDirectory(prefix="pyenvlab-startup-") as tmp:
        runs = _Probes(
            target=target,
            argv0=argv0,
            flags=flags,
            environ=environ,
            workdir=workdir,
            tmpdir=Path(tmp),
            deadline=deadline,
        )
        truth, site_data, start = runs.results()
        found = tiers.search(start, method)
    return _assemble(
        start,
        found,
        site_data=site_data,
        truth=truth,
        script=None if script is None else os.fspath(script),
        notes=[*notes, *found.notes],
    )


def _target(
    python: str | os.PathLike[str] | None,
    argv0: str | None,
    environ: Mapping[str, str],
    workdir: str,
    deadline: Deadline,
) -> tuple[str, str, list[str]]:
    """The interpreter binary to run, the ``argv[0]`` it sees, and a note when ``python`` was a
    launcher script (a pyenv shim, a wrapper) rather than the interpreter itself."""
    notes = []
    if python is None and argv0 is not None:
        target = resolve_interpreter(argv0, env=environ, cwd=workdir)
    else:
        target = resolve_interpreter(python, env=environ, cwd=workdir)
    if _is_script(target):
        real = _real_binary(target, environ, workdir, deadline)
        notes.append(f"{target} is a launcher script, not an interpreter: it runs {real}")
        if argv0 is None or argv0 == target:
            argv0 = real
        target = real
    return target, argv0 if argv0 is not None else target, notes


class _Probes:
    """The three processes of the target, started side by side (see the module docstring)."""

    def __init__(
        self,
        *,
        target: str,
        argv0: str,
        flags: tuple[str, ...],
        environ: Mapping[str, str],
        workdir: str,
        tmpdir: Path,
        deadline: Deadline,
    ) -> None:
        self.target, self.argv0, self.flags = target, argv0, flags
        self.environ, self.workdir, self.tmpdir = environ, workdir, tmpdir
        self.deadline = deadline
        truth_out, site_out, gp_out = tmpdir / "truth.json", tmpdir / "site.json", tmpdir / "getpath.json"
        spec = tmpdir / "spec.json"
        use_env = "-E" not in flags and "-I" not in flags
        spec.write_text(json.dumps({"argv0": argv0, "use_environment": use_env, "isolated": "-I" in flags}))
        self.started: list[_Run] = []
        try:
            self.truth = self._run([*flags, str(SITE_PROBE), str(truth_out), "--truth"], truth_out)
            self.site = None
            if "-S" not in flags:
                self.site = self._run([*flags, "-S", str(SITE_PROBE), str(site_out)], site_out)
            self.getpath = self._run(["-I", "-S", str(GETPATH_PROBE), str(gp_out), str(spec)], gp_out)
        except BaseException:
            self._kill_all()
            raise

    def _run(self, arguments: list[str], out: Path) -> _Run:
        run = _Run([self.argv0, *arguments], self.target, self.environ, self.workdir, out)
        self.started.append(run)
        return run

    def _kill_all(self) -> None:
        for run in self.started:
            run.kill()

    def results(self) -> tuple[dict[str, Any], dict[str, Any] | None, Start]:
        """The plain start's values, what the site probe recorded (``None`` with ``-S``), and
        what the search tiers start from.

        Raises:
            InterpreterError: the interpreter could not start, or the site probe failed.
        """
        try:
            truth, truth_err, truth_rc = self.truth.result(self.deadline)
            site_data, site_err, _ = self.site.result(self.deadline) if self.site else (None, "", 0)
            gp_data, gp_err, _ = self.getpath.result(self.deadline)
        except BaseException:  # the deadline passed (or Ctrl-C): stop the others too
            self._kill_all()
            raise
        if truth is None:
            raise InterpreterError(_start_failure(self.target, truth_err, truth_rc, self.environ))
        if self.site is not None and site_data is None:
            too_old = unsupported(self.target, (3, 8), what="traces the startup of", env=self.environ)
            msg = too_old or f"the site probe failed in {self.target}: {_tail(site_err)}"
            raise InterpreterError(msg)
        start = Start(
            target=self.target,
            argv0=self.argv0,
            flags=self.flags,
            environ=self.environ,
            workdir=self.workdir,
            version=tuple(int(x) for x in truth["python"].split(".")),
            tmpdir=self.tmpdir,
            before=(site_data or {}).get("before") or truth,
            getpath_data=gp_data,
            getpath_stderr=gp_err,
            deadline=self.deadline,
        )
        return truth, site_data, start


def _start_failure(target: str, stderr: str, returncode: int, environ: Mapping[str, str]) -> str:
    text = stderr or ""
    too_old = unsupported(target, (3, 8), what="traces the startup of", env=environ)
    if too_old is not None:
        return too_old
    if "SyntaxError" in text or "invalid syntax" in text:
        return f"{target} is too old for pyenvlab's probes (CPython 3.8 or newer is needed)"
    if not re.search(r"Python|Traceback|python", text):
        return f"{target} does not look like a Python interpreter ({_tail(text) or 'no output'})"
    hint = ""
    if "encodings" in text and environ.get("PYTHONHOME"):
        hint = f" (PYTHONHOME={environ['PYTHONHOME']!r} does not hold a standard library)"
    return f"{target} could not start (exit status {returncode}){hint}: {_tail(text)}"


# -- assembling ----------------------------------------------------------------------------


def _assemble(
    start: Start,
    found: tiers.Search,
    *,
    site_data: dict[str, Any] | None,
    truth: dict[str, Any],
    script: str | None,
    notes: list[str],
) -> StartupTrace:
    """One StartupTrace from the search, the site stage and the ground truth."""
    before = start.before
    after = (site_data or {}).get("after") or before
    site_ran = site_data is not None
    comparisons = list(found.comparisons)
    if site_data is not None:
        comparisons += site_stage.site_comparisons(after, truth)
        if site_data.get("error"):
            notes.append(site_data["error"])
    final = after if site_ran else truth
    pth_files = site_stage.pth_files(site_data)
    notes += site_stage.pth_notes(pth_files, site_data)
    entries = path_entries(
        final["path"],
        before,
        flags=start.flags,
        environ=start.environ,
        workdir=start.workdir,
        script=script,
        origins=(site_data or {}).get("origins") or {},
    )
    real = {key: truth.get(key) for key in FIELDS}
    real["_base_executable"] = truth.get("_base_executable")
    real["stdlib_dir"] = truth.get("stdlib_dir")
    venv = _venv(found.values, final)
    config = venv_config.read_pyvenv_cfg(venv) if venv else None
    return StartupTrace(
        python=start.python,
        interpreter=start.target,
        argv0=start.argv0,
        command=(start.argv0, *start.flags),
        cwd=start.workdir,
        method=found.method,
        probes=tuple(found.probes),
        prefix=final["prefix"],
        exec_prefix=final["exec_prefix"],
        base_prefix=final["base_prefix"],
        base_exec_prefix=final["base_exec_prefix"],
        executable=final["executable"],
        venv=venv,
        sys_path=tuple(entries),
        pth_files=tuple(pth_files),
        site_steps=site_stage.site_steps(site_data),
        verified=bool(comparisons) and all(c.agree for c in comparisons),
        comparisons=tuple(comparisons),
        getpath=found.values,
        getpath_path=found.search_path,
        real=real,
        real_path=tuple(truth.get("path") or ()),
        code_source=found.code_source,
        user_site=(site_data or truth).get("user_site"),
        enable_user_site=(site_data or truth).get("enable_user_site"),
        site_ran=site_ran,
        warnings=found.warnings,
        notes=tuple(notes),
        pythonhome=_pythonhome(start),
        prefix_set_by=_prefix_set_by(before, final),
        venv_made_by=venv_config.made_by(config) if config else None,
        venv_relocatable=venv_config.is_relocatable(config) if config else False,
    )


def _venv(values: Mapping[str, str | None] | None, final: Mapping[str, Any]) -> str | None:
    """The ``pyvenv.cfg`` that made this start a venv's: the one getpath read, or the one in
    ``sys.prefix`` when the prefixes differ."""
    venv_prefix = (values or {}).get("venv_prefix")
    if venv_prefix:
        return os.path.join(venv_prefix, "pyvenv.cfg")
    if final.get("prefix") == final.get("base_prefix"):
        return None
    candidate = os.path.join(final["prefix"], "pyvenv.cfg")
    return candidate if os.path.isfile(candidate) else None


def _pythonhome(start: Start) -> str | None:
    """``PYTHONHOME`` as the start saw it (``None`` when unset, or ignored by ``-E``/``-I``)."""
    if "-E" in start.flags or "-I" in start.flags:
        return None
    return start.environ.get("PYTHONHOME") or None


def _prefix_set_by(before: Mapping[str, Any], final: Mapping[str, Any]) -> str | None:
    """Which stage set ``sys.prefix`` apart from ``sys.base_prefix`` (a venv): ``"getpath"``
    when a ``-S`` start already has it (CPython 3.14+, gh-126985), else ``"site"``; ``None``
    when the prefixes are the same."""
    if before.get("prefix") != before.get("base_prefix"):
        return "getpath"
    if final.get("prefix") != final.get("base_prefix"):
        return "site"
    return None


# -- sys.path of a running process ------------------------------------------------------------


def path_report(
    python: str | os.PathLike[str] | None = None,
    *,
    env: Mapping[str, str] | None = None,
    cwd: str | os.PathLike[str] | None = None,
    flags: Sequence[str] = (),
    timeout: float | None = DEFAULT_TIMEOUT,
) -> PathReport:
    """``sys.path`` of a fresh ``python`` (default: this interpreter) with provenance.

    ``timeout`` bounds the whole call, as for :func:`startup`.
    """
    trace = startup(python, env=env, cwd=cwd, flags=flags, timeout=timeout)
    return PathReport(
        python=trace.python,
        executable=trace.executable,
        entries=trace.sys_path,
        method=trace.method,
        verified=trace.verified,
    )
