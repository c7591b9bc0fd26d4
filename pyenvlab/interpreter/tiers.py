"""The three tiers that trace an interpreter's prefix search, behind one interface.

- **getpath** (3.11+): the interpreter's own search code (the frozen ``getpath`` code object),
  re-run by ``getpath_probe.py`` with recording hooks on the real filesystem;
- **strace** (any version, Linux): the system calls of a real ``-S`` start;
- **model**: pyenvlab's simplified description of the POSIX search, checked against the
  filesystem and clearly labelled, when neither real tier can run.

Every tier gets the same :class:`Start` (the simulated command, and a real ``-S`` start's
``sys.*`` values: what the search alone left) and returns a :class:`Search`: the checks in
order, the values the search computed (getpath only), how they compare with the real ones, and
notes. :func:`search` runs the tier asked for, or the best one available.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from pyenvlab._processes import DEFAULT_TIMEOUT, Deadline, run_bounded
from pyenvlab.errors import InterpreterError
from pyenvlab.interpreter.records import Comparison, Method, StartupProbe

__all__ = [
    "FIELDS",
    "TIERS",
    "GetpathTier",
    "ModelTier",
    "Search",
    "Start",
    "StraceTier",
    "Tier",
    "compare",
    "search",
]

#: the ``sys`` values every stage is compared on
FIELDS = ("prefix", "exec_prefix", "base_prefix", "base_exec_prefix", "executable")
#: seconds a whole startup trace may take by default (``startup(timeout=)``)
TIMEOUT = DEFAULT_TIMEOUT


@dataclass(frozen=True)
class Start:
    """What every tier knows about the start it traces.

    ``before`` is ``sys.*`` of a real start with ``-S`` (the search ran, ``site`` did not);
    ``getpath_data`` what ``getpath_probe.py`` wrote (``None`` when it wrote nothing) and
    ``getpath_stderr`` what it printed; ``deadline`` is what is left of the trace's time (a
    tier that runs the target, such as strace, must finish by then).
    """

    target: str
    argv0: str
    flags: tuple[str, ...]
    environ: Mapping[str, str]
    workdir: str
    version: tuple[int, ...]
    tmpdir: Path
    before: Mapping[str, Any]
    getpath_data: Mapping[str, Any] | None = None
    getpath_stderr: str = ""
    deadline: Deadline | None = None

    @property
    def python(self) -> str:
        """The version as text (``"3.12.1"``)."""
        return ".".join(str(v) for v in self.version)

    @property
    def has_getpath_code(self) -> bool:
        """Whether the getpath probe could run the interpreter's own search code."""
        data = self.getpath_data
        return data is not None and bool(data.get("source")) and bool(data.get("config"))

    def getpath_problem(self) -> str:
        """Why the getpath code object could not run (the probe's errors, or its last output)."""
        return "; ".join(
            (self.getpath_data or {}).get("errors") or [_tail(self.getpath_stderr) or "no output"]
        )


@dataclass
class Search:
    """What one tier found out about the prefix search.

    ``values`` and ``search_path`` are what the search alone computed (getpath tier only);
    ``comparisons`` put the tier's findings next to the ``-S`` start's real values.
    """

    method: Method
    probes: list[StartupProbe]
    comparisons: list[Comparison] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    values: dict[str, str | None] | None = None
    search_path: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    code_source: str | None = None


class Tier(Protocol):
    """One way of tracing the search."""

    method: Method

    def unavailable(self, start: Start) -> str | None:
        """Why this tier cannot run here (``None``: it can)."""
        ...  # pragma: no cover - a protocol

    def run(self, start: Start) -> Search:
        """Trace the search."""
        ...  # pragma: no cover - a protocol


def compare(stage: str, name: str, traced: str | None, real: str | None) -> Comparison:
    """A traced value next to the interpreter's own."""
    return Comparison(stage, name, traced, real, traced == real)  # type: ignore[arg-type]


def _tail(text: str, lines: int = 3) -> str:
    kept = [line for line in (text or "").strip().splitlines() if line.strip()]
    return " | ".join(kept[-lines:])


# -- the getpath tier ----------------------------------------------------------------------


class GetpathTier:
    """The interpreter's own search code, re-run with recording hooks (3.11+)."""

    method: Method = "getpath"

    def unavailable(self, start: Start) -> str | None:
        if start.has_getpath_code:
            return None
        reason = start.getpath_problem()
        return f"{start.target} has no getpath code object to run (Python {start.python}: {reason})"

    def run(self, start: Start) -> Search:
        data = start.getpath_data or {}
        config = data["config"]
        state = data.get("state") or {}
        values = {key: config.get(key) for key in (*FIELDS, "base_executable", "stdlib_dir")}
        values["venv_prefix"] = state.get("venv_prefix")
        values["home"] = state.get("home")
        search_path = tuple(config.get("module_search_paths") or ())
        return Search(
            method="getpath",
            probes=_label_getpath(data["probes"], config, state, start.version),
            comparisons=self._comparisons(values, search_path, start.before),
            notes=[f"getpath code object: {e}" for e in data.get("errors") or () if "raised" in e],
            values=values,
            search_path=search_path,
            warnings=tuple(data.get("warnings") or ()),
            code_source=data["source"],
        )

    @staticmethod
    def _comparisons(
        values: Mapping[str, str | None], search_path: tuple[str, ...], before: Mapping[str, Any]
    ) -> list[Comparison]:
        """The search alone against a real ``-S`` start, value by value."""
        found = [compare("getpath", f"sys.{key}", values.get(key), before.get(key)) for key in FIELDS]
        found.append(
            compare(
                "getpath",
                "sys._base_executable",
                values.get("base_executable"),
                before.get("_base_executable"),
            )
        )
        if before.get("stdlib_dir") is not None:
            found.append(
                compare("getpath", "sys._stdlib_dir", values.get("stdlib_dir"), before.get("stdlib_dir"))
            )
        found.append(
            compare("getpath", "sys.path", "\n".join(search_path), "\n".join(before.get("path") or ()))
        )
        return found


# -- labelling the getpath tier's checks ----------------------------------------------------

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
    # the landmarks find the base installation: in a venv since 3.14 (gh-126985) getpath's
    # prefix is the venv itself and the landmark settles base_prefix
    prefix = config.get("base_prefix") or config.get("prefix") or ""
    exec_prefix = config.get("base_exec_prefix") or config.get("exec_prefix") or ""
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


# -- the strace tier (interpreters without a getpath code object) ---------------------------


class StraceTier:
    """The file checks of a real ``-S`` start, read from ``strace`` (Linux, any version)."""

    method: Method = "strace"

    def unavailable(self, start: Start) -> str | None:
        if shutil.which("strace") is None:
            return "the strace tier needs the strace program (apt-get install strace)"
        return None

    def run(self, start: Start) -> Search:
        strace = shutil.which("strace") or "strace"
        probes, problem = _strace_probes(
            strace=strace,
            target=start.target,
            argv0=start.argv0,
            flags=start.flags,
            environ=start.environ,
            workdir=start.workdir,
            tmpdir=start.tmpdir,
            deadline=start.deadline,
        )
        found = [p.path for p in probes if p.purpose == "stdlib landmark" and p.result]
        sub = f"/lib/python{start.version[0]}.{start.version[1]}/os.py"
        expected = (start.before.get("base_prefix") or "") + sub
        comparison = compare("getpath", "last os.py found", found[-1] if found else None, expected)
        return Search(
            method="strace",
            probes=_settle(probes, found),
            comparisons=[comparison],
            notes=[problem] if problem else [],
            code_source="strace",
        )


def _settle(probes: list[StartupProbe], found: list[str]) -> list[StartupProbe]:
    """Mark the checks that settled ``prefix`` (the last ``os.py`` found: the walk ends there)
    and ``exec_prefix`` (the first ``lib-dynload`` found)."""
    dynload = [p.path for p in probes if p.purpose == "lib-dynload landmark" and p.result]
    settled = {found[-1]: "prefix"} if found else {}
    if dynload:
        settled[dynload[0]] = "exec_prefix"
    out = list(probes)
    for index, probe in enumerate(out):
        if probe.result and probe.purpose in ("stdlib landmark", "lib-dynload landmark"):
            decided = settled.pop(probe.path, None)
            if decided:
                out[index] = dataclasses.replace(probe, decided=decided)
    return out


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
    deadline: Deadline | None = None,
) -> tuple[list[StartupProbe], str | None]:
    """The file checks of a real ``-S`` start, read from ``strace``, and a note when strace
    recorded none (it could not run, or could not trace: ptrace forbidden).

    Raises:
        InterpreterError: the traced start did not finish by ``deadline`` (strace and the
            target are killed).
    """
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
    deadline = deadline or Deadline(TIMEOUT)
    run = run_bounded(argv, env=environ, cwd=workdir, deadline=deadline, what=f"strace of {target}")
    try:
        lines = log.read_text(encoding="utf-8", errors="replace").splitlines() if log.exists() else []
    except OSError as exc:
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
        said = _tail(run.stderr) or "no message"
        return [], f"strace recorded no file checks (exit status {run.returncode}: {said})"
    return probes, None


# -- the model tier (no real trace possible) ----------------------------------------------


class ModelTier:
    """pyenvlab's own description of the search: not what the interpreter did (always runs)."""

    method: Method = "model"

    def unavailable(self, start: Start) -> str | None:
        return None

    def run(self, start: Start) -> Search:
        constants = (start.getpath_data or {}).get("constants") or {}
        probes = _model_probes(
            start.argv0,
            start.environ,
            start.workdir,
            start.flags,
            start.version,
            build_prefixes=(constants.get("PREFIX"), constants.get("EXEC_PREFIX")),
        )
        decided = next((p for p in probes if p.decided == "prefix"), None)
        sub = f"/lib/python{start.version[0]}.{start.version[1]}/os.py"
        model_prefix = decided.path[: -len(sub)] if decided else None
        return Search(
            method="model",
            probes=probes,
            comparisons=[
                compare("getpath", "sys.base_prefix (model)", model_prefix, start.before.get("base_prefix"))
            ],
            notes=[MODEL_TRACE_NOTE],
        )


#: the note every model-tier trace carries
MODEL_TRACE_NOTE = (
    "MODEL: no real trace of the prefix search was made (no getpath code object or strace, or a model"
    " was asked for): the checks shown are pyenvlab's description, the values are the interpreter's"
)
#: the detail of every check of the model tier
MODEL_NOTE = "model: pyenvlab's description of the search, not recorded from the interpreter"


def _model_probes(
    argv0: str,
    environ: Mapping[str, str],
    workdir: str,
    flags: tuple[str, ...],
    version: tuple[int, ...],
    *,
    build_prefixes: tuple[str | None, str | None] = (None, None),
) -> list[StartupProbe]:
    """pyenvlab's simplified description of the POSIX search, checked against the filesystem.

    Only the main steps (PATH lookup, pyvenv.cfg, PYTHONHOME, the upward walk for ``os.py``
    and ``lib-dynload``, and when the walk finds nothing the ``PREFIX``/``EXEC_PREFIX`` the
    interpreter was configured with, ``build_prefixes``) are modelled; every probe says so in
    ``detail``. Used only when neither the getpath code object nor strace is available.

    The fallback is what settles the prefix of a venv whose ``home`` is a directory holding only a
    link to the interpreter (``/tmp/bin/python3 -> /usr/bin/python3``): the walk up from ``home``
    finds no ``lib/python3.X``, and getpath takes ``PREFIX`` (``/usr`` for Debian's python3),
    checking its landmark only to warn.
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
    for landmark, purpose, decided, test, build_prefix in (
        ("os.py", "stdlib landmark", "prefix", os.path.isfile, build_prefixes[0]),
        ("lib-dynload", "lib-dynload landmark", "exec_prefix", os.path.isdir, build_prefixes[1]),
    ):
        kind = "isfile" if landmark == "os.py" else "isdir"
        directory = exe_dir
        while directory:
            path = os.path.join(directory, sub_dir, landmark)
            if check(kind, path, test(path), purpose, None):
                probes[-1] = dataclasses.replace(probes[-1], decided=decided)
                break
            directory = directory.rpartition("/")[0]
        else:
            if build_prefix:  # getpath takes the configured prefix; its landmark only warns
                path = os.path.join(build_prefix, sub_dir, landmark)
                check(kind, path, test(path), purpose, decided)
    return probes


#: the tiers, best first
TIERS: dict[Method, Tier] = {"getpath": GetpathTier(), "strace": StraceTier(), "model": ModelTier()}


def search(start: Start, wanted: Method | None = None) -> Search:
    """Trace the search with the tier ``wanted``, or with the best one available.

    Raises:
        InterpreterError: the tier asked for cannot run here (no getpath code object, no strace).
    """
    if wanted is not None:
        reason = TIERS[wanted].unavailable(start)
        if reason is not None and wanted != "model":
            raise InterpreterError(reason)
    notes = []
    if start.version >= (3, 11) and not start.has_getpath_code and wanted != "getpath":
        notes.append(f"the getpath code object is not available here ({start.getpath_problem()})")
    for method, tier in TIERS.items():
        if wanted in (None, method) and tier.unavailable(start) is None:
            found = tier.run(start)
            found.notes[:0] = notes
            return found
    raise AssertionError("the model tier always runs")  # pragma: no cover
