"""Run the startup probes in a subprocess of the target interpreter and assemble a StartupTrace.

Three processes of the target run side by side, each with the simulated ``argv[0]``,
environment and working directory:

1. the **search**: ``getpath_probe.py`` re-runs the interpreter's own prefix search with
   recording hooks (3.11+); for older interpreters ``strace`` records the system calls of a
   real ``-S`` start; without strace a clearly labelled model stands in;
2. the **site stage**: ``target [options] -S site_probe.py`` starts for real (its prefix search
   ran), then runs the real ``site.main()`` with recording;
3. the **ground truth**: a plain ``target [options] site_probe.py --truth`` start.

The traced values are compared with the real ones, field by field; nothing is reconciled.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pyenvlab._interpreters import resolve_interpreter
from pyenvlab.errors import InterpreterError
from pyenvlab.interpreter.records import (
    Comparison,
    Method,
    PathEntry,
    PathReport,
    PthFile,
    PthLine,
    SiteStep,
    StartupProbe,
    StartupTrace,
)

__all__ = ["FLAGS", "path_report", "resolve_interpreter", "startup"]

PROBE_DIR = Path(__file__).resolve().parent.parent / "_probe"
GETPATH_PROBE = PROBE_DIR / "getpath_probe.py"
SITE_PROBE = PROBE_DIR / "site_probe.py"

#: interpreter options ``startup(flags=...)`` accepts (they change the search or site)
FLAGS = ("-E", "-I", "-s", "-S", "-P")
TIMEOUT = 120

FIELDS = ("prefix", "exec_prefix", "base_prefix", "base_exec_prefix", "executable")


# -- interpreter resolution ---------------------------------------------------------------


def _is_script(path: str) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(2) == b"#!"
    except OSError:
        return False


def _real_binary(launcher: str, env: Mapping[str, str], cwd: str) -> str:
    """The interpreter a launcher script (a pyenv shim, a wrapper) really runs."""
    code = "import sys; sys.stdout.write(sys.executable)"
    try:
        done = subprocess.run(
            [launcher, "-S", "-c", code],
            env=dict(env),
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )
    except OSError as exc:
        msg = f"cannot run {launcher}: {exc.strerror or exc}"
        raise InterpreterError(msg) from None
    real = done.stdout.strip()
    if done.returncode != 0 or not os.path.isabs(real) or not os.access(real, os.X_OK):
        msg = f"{launcher} is not a Python interpreter ({_tail(done.stderr or done.stdout) or 'no output'})"
        raise InterpreterError(msg)
    return real


def _tail(text: str, lines: int = 3) -> str:
    kept = [line for line in (text or "").strip().splitlines() if line.strip()]
    return " | ".join(kept[-lines:])


# -- subprocess plumbing --------------------------------------------------------------------


class _Run:
    def __init__(self, argv: list[str], executable: str, env: Mapping[str, str], cwd: str, out: Path):
        self.out = out
        self.argv = argv
        try:
            self.proc = subprocess.Popen(
                argv,
                executable=executable,
                env=dict(env),
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                errors="replace",
            )
        except OSError as exc:
            msg = f"cannot run {executable}: {exc.strerror or exc}"
            raise InterpreterError(msg) from None

    def result(self) -> tuple[dict[str, Any] | None, str, int]:
        try:
            _, stderr = self.proc.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.communicate()
            return None, f"timed out after {TIMEOUT} s", -1
        data = None
        if self.out.exists():
            try:
                data = json.loads(self.out.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                data = None
        return data, stderr, self.proc.returncode


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

    Returns:
        A :class:`StartupTrace`; ``method`` says which tier traced the search and
        ``verified`` whether every traced value equals the interpreter's own.

    Raises:
        InterpreterError: the interpreter is missing, not Python, too old (< 3.8), or cannot
            start with this environment (the message carries its last stderr lines).
    """
    environ = dict(os.environ if env is None else env)
    workdir = os.path.abspath(os.fspath(cwd)) if cwd is not None else os.getcwd()
    if not os.path.isdir(workdir):
        msg = f"working directory {workdir} does not exist"
        raise InterpreterError(msg)
    flags = _check_flags(flags)
    if method not in (None, "getpath", "strace", "model"):
        msg = f"unknown method {method!r} (choose getpath, strace or model)"
        raise InterpreterError(msg)
    notes: list[str] = []
    if python is None and argv0 is not None:
        target = resolve_interpreter(argv0, env=environ, cwd=workdir)
    else:
        target = resolve_interpreter(python, env=environ, cwd=workdir)
    if _is_script(target):
        real = _real_binary(target, environ, workdir)
        notes.append(f"{target} is a launcher script, not an interpreter: it runs {real}")
        if argv0 is None or argv0 == target:
            argv0 = real
        target = real
    if argv0 is None:
        argv0 = target

    with tempfile.TemporaryDirectory(prefix="pyenvlab-startup-") as tmp:
        tmpdir = Path(tmp)
        truth_out, site_out, gp_out = tmpdir / "truth.json", tmpdir / "site.json", tmpdir / "getpath.json"
        spec = tmpdir / "spec.json"
        use_env = "-E" not in flags and "-I" not in flags
        spec.write_text(json.dumps({"argv0": argv0, "use_environment": use_env, "isolated": "-I" in flags}))
        truth_run = _Run(
            [argv0, *flags, str(SITE_PROBE), str(truth_out), "--truth"], target, environ, workdir, truth_out
        )
        site_run = None
        if "-S" not in flags:
            site_run = _Run(
                [argv0, *flags, "-S", str(SITE_PROBE), str(site_out)], target, environ, workdir, site_out
            )
        gp_run = _Run(
            [argv0, "-I", "-S", str(GETPATH_PROBE), str(gp_out), str(spec)], target, environ, workdir, gp_out
        )
        truth, truth_err, truth_rc = truth_run.result()
        site_data, site_err, _ = site_run.result() if site_run else (None, "", 0)
        gp_data, gp_err, _ = gp_run.result()
        if truth is None:
            raise InterpreterError(_start_failure(target, truth_err, truth_rc, environ))
        if site_run is not None and site_data is None:
            msg = f"the site probe failed in {target}: {_tail(site_err)}"
            raise InterpreterError(msg)
        version = tuple(int(x) for x in truth["python"].split("."))
        wanted = method
        probes: list[StartupProbe] = []
        getpath_values: dict[str, str | None] | None = None
        getpath_path: tuple[str, ...] = ()
        warnings: tuple[str, ...] = ()
        code_source = None
        have_code = gp_data is not None and bool(gp_data.get("source")) and bool(gp_data.get("config"))
        strace = shutil.which("strace")
        if wanted == "getpath" and not have_code:
            reasons = "; ".join((gp_data or {}).get("errors") or [_tail(gp_err) or "no output"])
            msg = f"{target} has no getpath code object to run (Python {truth['python']}: {reasons})"
            raise InterpreterError(msg)
        if wanted == "strace" and strace is None:
            msg = "the strace tier needs the strace program (apt-get install strace)"
            raise InterpreterError(msg)
        if have_code and wanted in (None, "getpath"):
            method = "getpath"
            assert gp_data is not None
            config = gp_data["config"]
            state = gp_data.get("state") or {}
            code_source = gp_data["source"]
            getpath_values = {key: config.get(key) for key in (*FIELDS, "base_executable", "stdlib_dir")}
            getpath_values["venv_prefix"] = state.get("venv_prefix")
            getpath_values["home"] = state.get("home")
            getpath_path = tuple(config.get("module_search_paths") or ())
            warnings = tuple(gp_data.get("warnings") or ())
            notes.extend(f"getpath code object: {e}" for e in gp_data.get("errors") or () if "raised" in e)
            probes = _label_getpath(gp_data["probes"], config, state, version)
        else:
            if version >= (3, 11) and not have_code:
                reasons = "; ".join((gp_data or {}).get("errors") or [_tail(gp_err) or "no output"])
                notes.append(f"the getpath code object is not available here ({reasons})")
            if strace is not None and wanted in (None, "strace"):
                method = "strace"
                probes, problem = _strace_probes(
                    strace=strace,
                    target=target,
                    argv0=argv0,
                    flags=flags,
                    environ=environ,
                    workdir=workdir,
                    tmpdir=tmpdir,
                )
                if problem:
                    notes.append(problem)
                code_source = "strace"
            else:
                method = "model"
                probes = _model_probes(argv0, environ, workdir, flags, version)
                code_source = None
    before = (site_data or {}).get("before") or truth
    return _assemble(
        target=target,
        argv0=argv0,
        flags=flags,
        workdir=workdir,
        environ=environ,
        script=None if script is None else os.fspath(script),
        version=version,
        method=method,
        code_source=code_source,
        probes=probes,
        getpath_values=getpath_values,
        getpath_path=getpath_path,
        warnings=warnings,
        before=before,
        site_data=site_data,
        truth=truth,
        notes=notes,
    )


def _start_failure(target: str, stderr: str, returncode: int, environ: Mapping[str, str]) -> str:
    text = stderr or ""
    if "SyntaxError" in text or "invalid syntax" in text:
        return f"{target} is too old for pyenvlab's probes (CPython 3.8 or newer is needed)"
    if not re.search(r"Python|Traceback|python", text):
        return f"{target} does not look like a Python interpreter ({_tail(text) or 'no output'})"
    hint = ""
    if "encodings" in text and environ.get("PYTHONHOME"):
        hint = f" (PYTHONHOME={environ['PYTHONHOME']!r} does not hold a standard library)"
    return f"{target} could not start (exit status {returncode}){hint}: {_tail(text)}"


# -- labelling the search -------------------------------------------------------------------

_PURPOSES = (
    (re.compile(r"pyvenv\.cfg$"), "pyvenv.cfg"),
    (re.compile(r"\._pth$"), "._pth file"),
    (re.compile(r"(pybuilddir\.txt|Modules/Setup\.local|/Lib/os\.py)$"), "build directory"),
    (re.compile(r"/python\d+t?\.zip$"), "stdlib zip"),
    (re.compile(r"/os\.pyc?$"), "stdlib landmark"),
    (re.compile(r"/lib-dynload$"), "lib-dynload landmark"),
)


def _purpose(check: str, path: str) -> str:
    if check in ("realpath", "readlink"):
        return "resolve symlink"
    for pattern, purpose in _PURPOSES:
        if pattern.search(path):
            return purpose
    if check == "isxfile":
        return "PATH lookup"
    return "other"


def _label_getpath(
    raw: list[dict[str, Any]], config: dict[str, Any], state: dict[str, Any], version: tuple[int, ...]
) -> list[StartupProbe]:
    prefix = config.get("prefix") or ""
    exec_prefix = config.get("exec_prefix") or ""
    sub = f"{config.get('platlibdir') or 'lib'}/python{version[0]}.{version[1]}"
    wanted = {
        "prefix": {
            f"{prefix}/{sub}/os.py",
            f"{prefix}/{sub}/os.pyc",
            f"{prefix}/lib/python{version[0]}{version[1]}.zip",
        },
        "exec_prefix": {f"{exec_prefix}/{sub}/lib-dynload"},
    }
    executable = config.get("executable")
    decided_done: set[str] = set()
    probes = []
    for item in raw:
        check, path, result = item["check"], item["path"], bool(item["result"])
        purpose = _purpose(check, path)
        decided = None
        if result:
            for name, paths in wanted.items():
                if name not in decided_done and path in paths:
                    decided = name
            if decided is None and purpose == "pyvenv.cfg" and "venv" not in decided_done:
                decided = "venv"
            if (
                decided is None
                and check == "isxfile"
                and path == executable
                and "executable" not in decided_done
            ):
                decided = "executable"
        if decided:
            decided_done.add(decided)
        detail = item.get("detail")
        probes.append(StartupProbe(check, path, result, detail, purpose, decided))
    return probes


# -- strace tier (interpreters without a getpath code object) -------------------------------

#: one line of ``strace -f`` output: the pid (padded with spaces to five columns, so a pid of
#: three digits is followed by three spaces), the call, its path argument, the result
_SYSCALL = re.compile(r'^(?:\d+\s+)?(\w+)\((?:AT_FDCWD, )?"((?:[^"\\]|\\.)*)"(.*)\)\s+=\s+(-?\d+)')
_IGNORE = re.compile(r"^/(etc|proc|sys|dev)/|/locale|gconv|glibc-hwcaps|/tls/|\.so(\.\d+)*$")


def _strace_probes(
    *,
    strace: str,
    target: str,
    argv0: str,
    flags: tuple[str, ...],
    environ: Mapping[str, str],
    workdir: str,
    tmpdir: Path,
) -> tuple[list[StartupProbe], str | None]:
    """The file checks of a real ``-S`` start, read from ``strace``, and a note when strace
    recorded none (it could not run, or could not trace: ptrace forbidden, a timeout)."""
    log = tmpdir / "strace.txt"
    bash = shutil.which("bash") or "/bin/bash"
    argv = [
        strace,
        "-f",
        "-qq",
        "-o",
        str(log),
        "-e",
        "trace=%file,readlink",
        bash,
        "-c",
        'exec -a "$0" "$@"',
        argv0,
        target,
        *[f for f in flags if f != "-S"],
        "-S",
        "-c",
        "pass",
    ]
    try:
        run = subprocess.run(
            argv, env=dict(environ), cwd=workdir, capture_output=True, timeout=TIMEOUT, check=False
        )
        lines = log.read_text(encoding="utf-8", errors="replace").splitlines() if log.exists() else []
    except (OSError, subprocess.TimeoutExpired) as exc:
        return [], f"strace could not trace the start: {exc}"
    start = 0
    for index, line in enumerate(lines):
        if "execve(" in line and line.rstrip().endswith("= 0"):
            start = index + 1
    probes = []
    library_dirs: set[str] = set()
    for line in lines[start:]:
        match = _SYSCALL.match(line)
        if not match:
            continue
        call, path, _, rc = match.groups()
        if not path:
            continue
        if "/encodings" in path:
            break
        if _IGNORE.search(path):
            if call == "openat":
                library_dirs.add(os.path.dirname(path))
            continue
        if path in library_dirs:
            continue
        check = {"openat": "open", "open": "open", "readlink": "readlink", "access": "access"}.get(
            call, "stat"
        )
        result = int(rc) >= 0
        probes.append(StartupProbe(check, path, result, None, _purpose(check, path)))
    # the window also holds the import system's first stats: everything after the last
    # lib-dynload landmark check belongs to it
    last = max((i for i, p in enumerate(probes) if p.purpose == "lib-dynload landmark"), default=None)
    if last is not None:
        probes[last + 1 :] = [dataclasses.replace(p, purpose="import system") for p in probes[last + 1 :]]
    if not probes:
        said = _tail(run.stderr.decode("utf-8", "replace")) or "no message"
        return [], f"strace recorded no file checks (exit status {run.returncode}: {said})"
    return probes, None


# -- model tier (no real trace possible) ---------------------------------------------------

MODEL_NOTE = "model: pyenvlab's description of the search, not recorded from the interpreter"


def _model_probes(
    argv0: str, environ: Mapping[str, str], workdir: str, flags: tuple[str, ...], version: tuple[int, ...]
) -> list[StartupProbe]:
    """pyenvlab's simplified description of the POSIX search, checked against the filesystem.

    Only the main steps (PATH lookup, pyvenv.cfg, PYTHONHOME, the upward walk for ``os.py``
    and ``lib-dynload``) are modelled; every probe says so in ``detail``. Used only when
    neither the getpath code object nor strace is available.
    """
    probes: list[StartupProbe] = []

    def check(kind: str, path: str, result: bool, purpose: str, decided: str | None = None) -> bool:
        probes.append(StartupProbe(kind, path, result, MODEL_NOTE, purpose, decided))
        return result

    executable = ""
    if "/" in argv0:
        executable = os.path.normpath(os.path.join(workdir, argv0))
    else:
        for directory in environ.get("PATH", "").split(os.pathsep):
            candidate = os.path.join(directory, argv0)
            found = os.path.isfile(candidate) and os.access(candidate, os.X_OK)
            if check("isxfile", candidate, found, "PATH lookup", "executable" if found else None):
                executable = candidate
                break
    exe_dir = os.path.dirname(executable) if executable else workdir
    use_env = "-E" not in flags and "-I" not in flags
    home = environ.get("PYTHONHOME") if use_env else None
    sub_dir = f"lib/python{version[0]}.{version[1]}"
    if home:
        return probes
    for cfg in (os.path.join(os.path.dirname(exe_dir), "pyvenv.cfg"), os.path.join(exe_dir, "pyvenv.cfg")):
        if check(
            "readlines", cfg, os.path.isfile(cfg), "pyvenv.cfg", "venv" if os.path.isfile(cfg) else None
        ):
            with open(cfg, encoding="utf-8", errors="replace") as handle:
                for line in handle:
                    key, sep, value = line.partition("=")
                    if sep and key.strip().lower() == "home":
                        exe_dir = value.strip()
            break
    else:
        real = os.path.realpath(executable) if executable else ""
        if real and real != executable:
            check("realpath", executable, True, "resolve symlink")
            exe_dir = os.path.dirname(real)
    for landmark, purpose, decided, test in (
        ("os.py", "stdlib landmark", "prefix", os.path.isfile),
        ("lib-dynload", "lib-dynload landmark", "exec_prefix", os.path.isdir),
    ):
        directory = exe_dir
        while directory:
            path = os.path.join(directory, sub_dir, landmark)
            if check("isfile" if landmark == "os.py" else "isdir", path, test(path), purpose, None):
                probes[-1] = dataclasses.replace(probes[-1], decided=decided)
                break
            directory = directory.rpartition("/")[0]
    return probes


# -- assembling ----------------------------------------------------------------------------


def _assemble(
    *,
    target: str,
    argv0: str,
    flags: tuple[str, ...],
    workdir: str,
    environ: Mapping[str, str],
    script: str | None,
    version: tuple[int, ...],
    method: str,
    code_source: str | None,
    probes: list[StartupProbe],
    getpath_values: dict[str, str | None] | None,
    getpath_path: tuple[str, ...],
    warnings: tuple[str, ...],
    before: dict[str, Any],
    site_data: dict[str, Any] | None,
    truth: dict[str, Any],
    notes: list[str],
) -> StartupTrace:
    after = (site_data or {}).get("after") or before
    origins: dict[str, str] = dict((site_data or {}).get("origins") or {})
    comparisons: list[Comparison] = []

    # getpath stage: the search alone against a real -S start
    if method == "getpath" and getpath_values is not None:
        for key in FIELDS:
            comparisons.append(_compare("getpath", f"sys.{key}", getpath_values.get(key), before.get(key)))
        comparisons.append(
            _compare(
                "getpath",
                "sys._base_executable",
                getpath_values.get("base_executable"),
                before.get("_base_executable"),
            )
        )
        if before.get("stdlib_dir") is not None:
            comparisons.append(
                _compare(
                    "getpath", "sys._stdlib_dir", getpath_values.get("stdlib_dir"), before.get("stdlib_dir")
                )
            )
        comparisons.append(
            _compare("getpath", "sys.path", "\n".join(getpath_path), "\n".join(before.get("path") or ()))
        )
    elif method == "strace":
        found = [p.path for p in probes if p.purpose == "stdlib landmark" and p.result]
        sub = f"/lib/python{version[0]}.{version[1]}/os.py"
        expected = (before.get("base_prefix") or "") + sub
        comparisons.append(_compare("getpath", "last os.py found", found[-1] if found else None, expected))
        dynload = [p.path for p in probes if p.purpose == "lib-dynload landmark" and p.result]
        settled = {found[-1]: "prefix"} if found else {}
        if dynload:
            settled[dynload[0]] = "exec_prefix"
        for index, probe in enumerate(probes):
            if probe.result and probe.purpose in ("stdlib landmark", "lib-dynload landmark"):
                decided = settled.pop(probe.path, None)
                if decided:
                    probes[index] = dataclasses.replace(probe, decided=decided)
    else:
        notes.append(
            "MODEL: no real trace of the prefix search was made (no getpath code object or strace, or a model"
            " was asked for): the checks shown are pyenvlab's description, the values are the interpreter's"
        )
        decided = next((p for p in probes if p.decided == "prefix"), None)
        sub = f"/lib/python{version[0]}.{version[1]}/os.py"
        model_prefix = decided.path[: -len(sub)] if decided else None
        comparisons.append(
            _compare("getpath", "sys.base_prefix (model)", model_prefix, before.get("base_prefix"))
        )

    # site stage: traced site.main() against a plain start
    site_ran = site_data is not None
    if site_ran:
        for key in FIELDS:
            comparisons.append(_compare("site", f"sys.{key}", after.get(key), truth.get(key)))
        comparisons.append(_compare("site", "sys.path", "\n".join(after["path"]), "\n".join(truth["path"])))
        if site_data.get("error"):
            notes.append(site_data["error"])
    final = after if site_ran else truth

    # provenance of every entry
    base_entries = list(before.get("path") or ())
    stdlib = before.get("stdlib_dir")
    zip_index = next((i for i, p in enumerate(base_entries) if p.endswith(".zip")), None)
    entries: list[PathEntry] = []
    if "-I" not in flags and "-P" not in flags and not (environ.get("PYTHONSAFEPATH") and "-E" not in flags):
        first = os.path.dirname(os.path.realpath(os.path.join(workdir, script))) if script else ""
        source = "script directory" if script else "current directory ('' for python -c and the REPL)"
        entries.append(PathEntry(first, source, os.path.isdir(first or workdir)))
    for index, path in enumerate(final["path"]):
        if path in base_entries:
            position = base_entries.index(path)
            if zip_index is not None and position < zip_index:
                source = "PYTHONPATH"
            elif path.endswith(".zip"):
                source = "stdlib zip"
            elif path.endswith("lib-dynload"):
                source = "lib-dynload"
            elif path == stdlib or (stdlib is None and zip_index is not None and position == zip_index + 1):
                source = "stdlib"
            else:
                source = "interpreter"
        else:
            source = origins.get(path, "site")
        del index
        entries.append(PathEntry(path, source, os.path.exists(path)))

    # .pth files and site steps
    pth_files = []
    for record in (site_data or {}).get("pth_files") or ():
        lines = tuple(
            PthLine(line["number"], line["text"], line["kind"], line["outcome"], line.get("path"))
            for line in record.get("lines") or ()
        )
        pth_files.append(
            PthFile(
                record["path"],
                record["sitedir"],
                int(record.get("occurrence") or 1),
                lines,
                tuple(record.get("added") or ()),
                tuple(record.get("imported") or ()),
                record.get("error"),
            )
        )
    twice = sorted({p.path for p in pth_files if p.occurrence > 1})
    if twice:
        notes.append(
            f"{len(twice)} .pth file(s) were processed twice: site.venv() and site.main() both add the "
            "venv's site-packages (CPython gh-75723); import lines ran twice, paths were added once"
        )
    skipped = sorted(
        {
            os.path.join(e["args"][0], name)
            for e in (site_data or {}).get("events") or ()
            if e.get("skipped_pth") and e.get("args")
            for name in e["skipped_pth"]
        }
    )
    for path in skipped:
        notes.append(
            f"site did not process {path}: since 3.13 (and security releases from 2024), "
            "site skips .pth files whose names start with '.'"
            if os.path.basename(path).startswith(".")
            else f"site did not process {path}"
        )
    steps = tuple(
        SiteStep(
            e["function"],
            tuple(_short(a) for a in e.get("args") or ()),
            int(e.get("depth") or 0),
            tuple(e.get("added") or ()),
            None if e.get("result") is None else _short(e.get("result")),
            e.get("error"),
        )
        for e in (site_data or {}).get("events") or ()
    )

    venv = None
    if getpath_values and getpath_values.get("venv_prefix"):
        venv = os.path.join(getpath_values["venv_prefix"], "pyvenv.cfg")
    elif final.get("prefix") != final.get("base_prefix"):
        candidate = os.path.join(final["prefix"], "pyvenv.cfg")
        venv = candidate if os.path.isfile(candidate) else None
    real = {key: truth.get(key) for key in FIELDS}
    real["_base_executable"] = truth.get("_base_executable")
    real["stdlib_dir"] = truth.get("stdlib_dir")
    verified = bool(comparisons) and all(c.agree for c in comparisons)
    trace = StartupTrace(
        python=".".join(str(v) for v in version),
        interpreter=target,
        argv0=argv0,
        command=(argv0, *flags),
        cwd=workdir,
        method=method,  # type: ignore[arg-type]
        probes=tuple(probes),
        prefix=final["prefix"],
        exec_prefix=final["exec_prefix"],
        base_prefix=final["base_prefix"],
        base_exec_prefix=final["base_exec_prefix"],
        executable=final["executable"],
        venv=venv,
        sys_path=tuple(entries),
        pth_files=tuple(pth_files),
        site_steps=steps,
        verified=verified,
        comparisons=tuple(comparisons),
        getpath=getpath_values,
        getpath_path=getpath_path,
        real=real,
        real_path=tuple(truth.get("path") or ()),
        code_source=code_source,
        user_site=(site_data or truth).get("user_site"),
        enable_user_site=(site_data or truth).get("enable_user_site"),
        site_ran=site_ran,
        warnings=warnings,
        notes=tuple(notes),
    )
    return _explain(trace, environ, flags)


def _short(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_short(v) for v in value) if value else "[]"
    return "None" if value is None else str(value)


def _compare(stage: str, field: str, traced: str | None, real: str | None) -> Comparison:
    return Comparison(stage, field, traced, real, traced == real)  # type: ignore[arg-type]


def _explain(trace: StartupTrace, environ: Mapping[str, str], flags: tuple[str, ...]) -> StartupTrace:
    """Add a few plain sentences on how prefix and sys.path were found."""
    lines = []
    use_env = "-E" not in flags and "-I" not in flags
    gp = trace.getpath or {}
    exe_probe = trace.probe_for("executable")
    if exe_probe is not None:
        lines.append(f"argv[0] {trace.argv0!r} has no '/': found on PATH as {exe_probe.path}.")
    venv_probe = trace.probe_for("venv")
    if venv_probe is not None:
        home = next(
            (
                line.partition("=")[2].strip()
                for line in (venv_probe.detail or "").splitlines()
                if line.partition("=")[0].strip().lower() == "home"
            ),
            None,
        )
        lines.append(f"{venv_probe.path} says home = {home}: the search continues from there.")
    if use_env and environ.get("PYTHONHOME"):
        lines.append(f"PYTHONHOME={environ['PYTHONHOME']} sets prefix directly: no landmark is checked.")
    prefix_probe = trace.probe_for("prefix")
    base = gp.get("prefix") or trace.base_prefix
    if prefix_probe is not None:
        lines.append(f"prefix = {base}: the first landmark found was {prefix_probe.path}.")
    elif trace.method == "getpath" and not (use_env and environ.get("PYTHONHOME")):
        lines.append(f"prefix = {base}: no landmark found, the compiled-in PREFIX was used.")
    exec_probe = trace.probe_for("exec_prefix")
    if exec_probe is not None:
        lines.append(
            f"exec_prefix = {gp.get('exec_prefix') or trace.base_exec_prefix}: {exec_probe.path} exists."
        )
    if trace.prefix != trace.base_prefix:
        lines.append(f"site found pyvenv.cfg and set sys.prefix = {trace.prefix} (the venv).")
    for warning in trace.warnings:
        lines.append(f"getpath warned: {warning}")
    return dataclasses.replace(trace, explanation=tuple(lines))


# -- sys.path of a running process ------------------------------------------------------------


def path_report(
    python: str | os.PathLike[str] | None = None,
    *,
    env: Mapping[str, str] | None = None,
    cwd: str | os.PathLike[str] | None = None,
    flags: Sequence[str] = (),
) -> PathReport:
    """``sys.path`` of a fresh ``python`` (default: this interpreter) with provenance."""
    trace = startup(python, env=env, cwd=cwd, flags=flags)
    return PathReport(
        python=trace.python,
        executable=trace.executable,
        entries=trace.sys_path,
        method=trace.method,
        verified=trace.verified,
    )
