"""``pyenvlab doctor``: diagnose the environment this interpreter runs in, and say how to fix it.

Rules (each returns :class:`Finding` records, each with a fix):

- ``shadowing``: a module or regular package in the script directory / working directory or on
  ``PYTHONPATH`` hides a standard-library module or an installed one further down sys.path;
- ``user-site-first``: the user site-packages comes before the environment's own site-packages
  in a venv or a conda environment;
- ``pythonpath-in-venv``: ``PYTHONPATH`` is set while a virtual environment runs;
- ``pth-error``: a ``.pth`` line failed when site processed it (from a real startup trace);
- ``missing-entry``: a sys.path entry that does not exist (the stdlib zip is reported as info:
  it is always listed, and is absent on most installations);
- ``pip-mismatch``: the ``pip`` on PATH runs another interpreter than the ``python`` on PATH;
- ``venv-base-gone``: the virtual environment in ``$VIRTUAL_ENV``, ``./.venv`` or ``./venv``
  points at a base interpreter that no longer exists;
- ``no-pip``: this virtual environment has no pip (``python -m pip`` fails): uv makes venvs
  without one (``pyvenv.cfg`` says ``uv = X.Y.Z``), as does ``python -m venv --without-pip``;
- ``externally-managed``: this interpreter is not a venv and its standard library directory
  holds an ``EXTERNALLY-MANAGED`` file (PEP 668, e.g. Debian's ``/usr/bin/python3``): pip
  refuses to install into it, and the way on is a venv (or pipx / ``uv tool`` for applications).

:func:`doctor` examines the interpreter it runs in; ``doctor(python=...)`` runs it inside another
interpreter (pyenvlab itself need not be installed there) and returns that one's report.

This module imports only modules every interpreter has loaded before ``python -m`` runs (and
those after pyenvlab removed the working directory from sys.path), so a ``random.py`` or an
``email/`` in the working directory cannot break the doctor itself.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence

from pyenvlab._processes import DEFAULT_TIMEOUT, Deadline
from pyenvlab.interpreter.records import DoctorReport, Finding

__all__ = ["RULES", "doctor"]

RULES = (
    "shadowing",
    "user-site-first",
    "pythonpath-in-venv",
    "pth-error",
    "missing-entry",
    "pip-mismatch",
    "venv-base-gone",
    "no-pip",
    "externally-managed",
)

_SUFFIXES = (".py", ".pyc", ".so", ".pyd")


def _provided(entry: str) -> dict[str, str]:
    """Top-level module names a directory provides (name -> file), namespace portions excluded."""
    names: dict[str, str] = {}
    try:
        listing = sorted(os.listdir(entry))
    except OSError:
        return names
    for item in listing:
        full = os.path.join(entry, item)
        if os.path.isdir(full):
            if item.isidentifier() and any(
                os.path.isfile(os.path.join(full, f"__init__{s}")) for s in (".py", ".pyc")
            ):
                names.setdefault(item, full)
            continue
        for suffix in _SUFFIXES:
            if item.endswith(suffix):
                name = item.split(".", 1)[0]
                if name.isidentifier() and name != "__init__":
                    names.setdefault(name, full)
                break
    return names


def _stdlib_names() -> frozenset[str]:
    return frozenset(getattr(sys, "stdlib_module_names", ()) or sys.builtin_module_names)


def _sources(sys_path: Sequence[str], env: Mapping[str, str], cwd: str) -> list[str]:
    """Label the entries that come from the script dir/cwd or PYTHONPATH (the shadowing suspects)."""
    pythonpath = (
        [os.path.abspath(os.path.join(cwd, p)) for p in env.get("PYTHONPATH", "").split(os.pathsep)]
        if (env.get("PYTHONPATH") and not sys.flags.ignore_environment)
        else []
    )
    # -I and -P (3.11+) start without the script directory / working directory entry
    has_first = not (sys.flags.isolated or getattr(sys.flags, "safe_path", False))
    labels = []
    for index, entry in enumerate(sys_path):
        absolute = os.path.abspath(os.path.join(cwd, entry)) if entry else cwd
        if index == 0 and has_first and (entry in ("", ".") or absolute not in pythonpath):
            labels.append("the script directory or working directory")
        elif absolute in pythonpath:
            labels.append("PYTHONPATH")
        else:
            labels.append("")
    return labels


def _check_shadowing(sys_path: Sequence[str], env: Mapping[str, str], cwd: str) -> list[Finding]:
    findings = []
    stdlib = _stdlib_names()
    labels = _sources(sys_path, env, cwd)
    provided = [_provided(os.path.join(cwd, entry) if entry else cwd) for entry in sys_path]
    for index, label in enumerate(labels):
        if not label:
            continue
        for name, file in provided[index].items():
            later = next((p[name] for p in provided[index + 1 :] if name in p), None)
            if name in stdlib or later:
                what = f"the standard library module {name!r}" if name in stdlib else f"{later}"
                findings.append(
                    Finding(
                        "shadowing",
                        "error" if name in stdlib else "warning",
                        f"{file} (from {label}) hides {what}: `import {name}` gets this file instead",
                        f"rename {os.path.basename(file)} (and delete any __pycache__ next to it)"
                        + (", or remove its directory from PYTHONPATH" if label == "PYTHONPATH" else ""),
                        file,
                    )
                )
    return findings


def _in_venv() -> bool:
    return sys.prefix != getattr(sys, "base_prefix", sys.prefix)


def _check_user_site(sys_path: Sequence[str]) -> list[Finding]:
    import site

    conda = os.path.isdir(os.path.join(sys.prefix, "conda-meta"))
    if not (_in_venv() or conda):
        return []
    user = getattr(site, "USER_SITE", None)
    own = [
        i for i, p in enumerate(sys_path) if p.startswith(sys.prefix + os.sep) and p.endswith("site-packages")
    ]
    if not user or user not in sys_path or not own or sys_path.index(user) > own[0]:
        return []
    kind = "conda environment" if conda else "virtual environment"
    return [
        Finding(
            "user-site-first",
            "warning",
            f"the user site {user} comes before the {kind}'s own site-packages {sys_path[own[0]]}:"
            " packages installed with `pip install --user` win over the environment's",
            "set PYTHONNOUSERSITE=1 for this environment"
            " (conda: `conda env config vars set PYTHONNOUSERSITE=1`), or run python with -s",
            user,
        )
    ]


def _check_pythonpath_in_venv(env: Mapping[str, str]) -> list[Finding]:
    value = env.get("PYTHONPATH")
    if not value or not _in_venv() or sys.flags.ignore_environment:
        return []
    return [
        Finding(
            "pythonpath-in-venv",
            "warning",
            f"PYTHONPATH={value} is set inside the virtual environment {sys.prefix}: its entries come before"
            " the venv's site-packages, so the venv is not isolated",
            "unset PYTHONPATH (`unset PYTHONPATH`) or install those packages into the venv",
            None,
        )
    ]


def _check_missing(sys_path: Sequence[str], cwd: str) -> list[Finding]:
    findings = []
    for entry in sys_path:
        path = os.path.join(cwd, entry) if entry else cwd
        if os.path.exists(path):
            continue
        if entry.endswith(".zip"):
            findings.append(
                Finding(
                    "missing-entry",
                    "info",
                    f"{entry} does not exist: the stdlib zip entry is always listed;"
                    " most installations have none",
                    "nothing to do",
                    entry,
                )
            )
        else:
            findings.append(
                Finding(
                    "missing-entry",
                    "warning",
                    f"sys.path entry {entry} does not exist: every import not found earlier checks it again",
                    "remove it from PYTHONPATH, or from the .pth file that adds it",
                    entry,
                )
            )
    return findings


def _check_pth(env: Mapping[str, str], cwd: str, deadline: Deadline) -> list[Finding]:
    from pyenvlab.errors import InterpreterTimeout, PyenvlabError
    from pyenvlab.interpreter.tracer import startup

    flags = []
    if sys.flags.ignore_environment:
        flags.append("-E")
    if sys.flags.no_user_site:
        flags.append("-s")
    try:
        trace = startup(sys.executable, env=env, cwd=cwd, flags=flags, timeout=deadline.timeout_left())
    except InterpreterTimeout:
        raise
    except PyenvlabError as exc:
        return [Finding("pth-error", "info", f"could not trace this interpreter's startup: {exc}", "-", None)]
    findings = []
    seen = set()
    for pth in trace.pth_files:
        for line in pth.lines:
            if line.outcome.startswith("error") and (pth.path, line.number) not in seen:
                seen.add((pth.path, line.number))
                findings.append(
                    Finding(
                        "pth-error",
                        "error",
                        f"{pth.path} line {line.number} ({line.text.strip()!r}) fails at every start:"
                        f" {line.outcome[len('error: ') :]}; the rest of that file is ignored",
                        f"fix or delete that line (the file belongs to {pth.sitedir})",
                        pth.path,
                    )
                )
    return findings


def _shebang(path: str) -> str | None:
    try:
        with open(path, "rb") as handle:
            first = handle.readline(512)
    except OSError:
        return None
    if not first.startswith(b"#!"):
        return None
    parts = first[2:].decode("utf-8", "replace").split()
    if not parts:
        return None
    if os.path.basename(parts[0]) == "env" and len(parts) > 1:
        return parts[1]
    return parts[0]


def _prefix_of(python: str, env: Mapping[str, str], deadline: Deadline) -> str | None:
    from pyenvlab._processes import run_bounded
    from pyenvlab.errors import InterpreterTimeout, PyenvlabError

    code = "import sys; sys.stdout.write(sys.prefix)"
    try:
        done = run_bounded([python, "-I", "-c", code], env=env, deadline=deadline, what=python)
    except InterpreterTimeout:
        raise
    except PyenvlabError:
        return None
    return done.stdout.strip() or None if done.returncode == 0 else None


def _check_pip(env: Mapping[str, str], deadline: Deadline) -> list[Finding]:
    import shutil

    path = env.get("PATH", os.defpath)
    pip, python = shutil.which("pip", path=path), shutil.which("python", path=path)
    if not pip or not python:
        return []
    interpreter = _shebang(pip)
    if interpreter is None or "python" not in os.path.basename(interpreter):
        return []  # a launcher (e.g. a pyenv shim): nothing to compare
    if not os.path.isabs(interpreter):
        interpreter = shutil.which(interpreter, path=path) or interpreter
    pip_prefix, python_prefix = _prefix_of(interpreter, env, deadline), _prefix_of(python, env, deadline)
    if pip_prefix is None or python_prefix is None or pip_prefix == python_prefix:
        return []
    return [
        Finding(
            "pip-mismatch",
            "error",
            f"`pip` on PATH ({pip}) installs into {pip_prefix}, but `python` on PATH ({python})"
            f" is {python_prefix}: `pip install` puts packages where this python does not look",
            "use `python -m pip install ...`, which always matches the python you run",
            pip,
        )
    ]


def _check_venv_base(env: Mapping[str, str], cwd: str) -> list[Finding]:
    candidates = [env.get("VIRTUAL_ENV"), os.path.join(cwd, ".venv"), os.path.join(cwd, "venv")]
    findings = []
    seen = set()
    for venv in filter(None, candidates):
        cfg = os.path.join(venv, "pyvenv.cfg")
        if venv in seen or not os.path.isfile(cfg):
            continue
        seen.add(venv)
        home = None
        with open(cfg, encoding="utf-8", errors="replace") as handle:
            for line in handle:
                key, sep, value = line.partition("=")
                if sep and key.strip().lower() == "home":
                    home = value.strip()
        python = os.path.join(venv, "bin", "python")
        if home and os.path.isdir(home) and os.path.exists(python):
            continue
        findings.append(
            Finding(
                "venv-base-gone",
                "error",
                f"the virtual environment {venv} was made from {home}, which no longer exists:"
                f" {python} cannot start",
                f"recreate it: `rm -rf {venv} && python -m venv {venv}`, then reinstall its packages"
                " (a venv cannot be moved to another base)",
                venv,
            )
        )
    return findings


def _has_pip(sys_path: Sequence[str], cwd: str) -> bool:
    """Whether ``import pip`` would find a pip along ``sys_path`` (looked for, not imported)."""
    for entry in sys_path:
        directory = os.path.join(cwd, entry) if entry else cwd
        if os.path.isfile(os.path.join(directory, "pip", "__init__.py")):
            return True
    return False


def _check_no_pip(sys_path: Sequence[str], cwd: str) -> list[Finding]:
    if not _in_venv() or _has_pip(sys_path, cwd):
        return []
    from pyenvlab.interpreter import venv_config

    config = venv_config.read_pyvenv_cfg(os.path.join(sys.prefix, "pyvenv.cfg")) or {}
    maker = venv_config.made_by(config)
    python = sys.executable
    if maker and maker.startswith("uv"):
        return [
            Finding(
                "no-pip",
                "info",
                f"no pip in this environment: it was made by {maker} (its pyvenv.cfg says so), which"
                " installs none, so `python -m pip` fails here",
                f"use `uv pip`: `uv pip install --python {python} NAME` (or `uv add NAME` in a uv"
                f" project); `{python} -m ensurepip` adds a pip if you want one",
                sys.prefix,
            )
        ]
    return [
        Finding(
            "no-pip",
            "info",
            f"no pip in this environment ({sys.prefix}; made with --without-pip?),"
            " so `python -m pip` fails here",
            f"`{python} -m ensurepip` adds pip; or install from outside with `python -m pip"
            f" --python {python} install NAME` (pip 22.3+) or `uv pip install --python {python} NAME`",
            sys.prefix,
        )
    ]


def _externally_managed_marker() -> str | None:
    """The PEP 668 marker of this interpreter: ``EXTERNALLY-MANAGED`` in the stdlib directory of
    its default install scheme, as pip looks for it (``None`` when absent)."""
    import sysconfig

    try:
        scheme = sysconfig.get_default_scheme()
    except AttributeError:  # 3.9 had only the private name
        scheme = sysconfig._get_default_scheme()  # type: ignore[attr-defined]
    marker = os.path.join(sysconfig.get_path("stdlib", scheme), "EXTERNALLY-MANAGED")
    return marker if os.path.isfile(marker) else None


def _marker_error(marker: str) -> str | None:
    """The ``Error`` text of the marker's ``[externally-managed]`` section, on one line."""
    try:
        with open(marker, encoding="utf-8", errors="replace") as handle:
            lines = handle.read(1 << 16).splitlines()
    except OSError:
        return None
    text, inside = [], False
    for line in lines:
        key, sep, value = line.partition("=")
        if sep and not line[:1].isspace() and key.strip().lower() == "error":
            text, inside = [value.strip()], True
        elif inside and line[:1].isspace() and line.strip():
            text.append(line.strip())
        elif inside:
            break
    return " ".join(text) or None


def _check_externally_managed() -> list[Finding]:
    if _in_venv():
        return []  # PEP 668: the marker of the base does not apply inside a venv
    marker = _externally_managed_marker()
    if marker is None:
        return []
    said = _marker_error(marker)
    return [
        Finding(
            "externally-managed",
            "warning",
            f"{sys.executable} is externally managed (PEP 668: {marker} exists): `pip install` refuses"
            " to install into it (error: externally-managed-environment)"
            + (f"; the distributor says: {said}" if said else ""),
            f"make a virtual environment and install there: `{sys.executable} -m venv .venv &&"
            " .venv/bin/python -m pip install NAME` (or `uv venv` and `uv pip install`); for a command-line"
            " application, `pipx install NAME` or `uv tool install NAME` makes its own venv; the system"
            " package manager installs the distribution's own packages"
            + (
                " (Debian and Ubuntu: `apt install python3-venv` first if venv says ensurepip is missing)"
                if os.path.isfile("/etc/debian_version")
                else ""
            ),
            marker,
        )
    ]


#: run inside another interpreter by ``doctor(python=...)``: argv = out-file, pyenvlab's
#: directory, trace_startup ("1"/"0"); sys.path is examined as ``python -c`` built it
_IN_TARGET = """
import sys
examined = list(sys.path)
out, home, trace = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
sys.path[:] = [home] + [p for p in examined if p not in ("", ".")]
from pyenvlab.interpreter.doctor import doctor
report = doctor(examined, trace_startup=trace)
sys.path[:] = examined
with open(out, "w", encoding="utf-8") as stream:
    stream.write(report.to_json())
"""


def _doctor_in(
    python: str, env: Mapping[str, str], cwd: str, trace_startup: bool, deadline: Deadline
) -> DoctorReport:
    """Run :func:`doctor` inside ``python``: a temporary directory that holds only a link to this
    pyenvlab package comes first on its sys.path while the doctor is imported, then sys.path
    is restored, so the report is about that interpreter as ``python -c`` starts it."""
    import tempfile

    from pyenvlab._interpreters import resolve_interpreter
    from pyenvlab._processes import run_bounded
    from pyenvlab.errors import InterpreterError

    exe = resolve_interpreter(python, env=env, cwd=cwd)
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with tempfile.TemporaryDirectory(prefix="pyenvlab-doctor-") as tmp:
        home = os.path.join(tmp, "home")
        os.mkdir(home)
        os.symlink(package, os.path.join(home, "pyenvlab"))
        out = os.path.join(tmp, "report.json")
        done = run_bounded(
            [exe, "-c", _IN_TARGET, out, home, "1" if trace_startup else "0"],
            env=env,
            cwd=cwd,
            deadline=deadline,
            what=exe,
        )
        if done.returncode != 0 or not os.path.isfile(out):
            last = ([line for line in done.stderr.splitlines() if line.strip()] or ["no output"])[-1]
            raise InterpreterError(f"the doctor could not run in {exe} (exit {done.returncode}): {last}")
        with open(out, encoding="utf-8") as stream:
            return DoctorReport.from_json(stream.read())


def doctor(
    sys_path: Sequence[str] | None = None,
    *,
    env: Mapping[str, str] | None = None,
    cwd: str | None = None,
    trace_startup: bool = True,
    timeout: float | None = DEFAULT_TIMEOUT,
    python: str | os.PathLike[str] | None = None,
) -> DoctorReport:
    """Diagnose this interpreter's environment (or, with ``python``, that interpreter's).

    Args:
        sys_path: the ``sys.path`` to examine (default: this process's; ``python -m pyenvlab
            doctor`` passes the one the interpreter built, before pyenvlab protected itself).
        env: the environment (default: ``os.environ``).
        cwd: the working directory (default: the current one).
        trace_startup: also trace a fresh start of this interpreter to find failing ``.pth``
            lines (a few subprocesses).
        timeout: seconds the interpreters the checks run may take in all (``None``: no limit).
        python: examine this interpreter instead (a path or a name on ``PATH``): the doctor
            runs inside it, on the ``sys.path`` that ``python -c`` gets there (``sys_path`` must
            then be ``None``).

    Raises:
        InterpreterError: ``python`` cannot be run, or the doctor failed inside it.
        InterpreterTimeout: an interpreter the checks ran did not finish in time (it and
            what it started were killed).
    """
    deadline = Deadline(timeout)
    if python is not None:
        if sys_path is not None:
            raise ValueError("give either sys_path or python, not both")
        environ = dict(os.environ if env is None else env)
        return _doctor_in(os.fspath(python), environ, cwd or os.getcwd(), trace_startup, deadline)
    path = list(sys.path if sys_path is None else sys_path)
    environ = dict(os.environ if env is None else env)
    workdir = cwd or os.getcwd()
    findings: list[Finding] = []
    findings += _check_shadowing(path, environ, workdir)
    findings += _check_user_site(path)
    findings += _check_pythonpath_in_venv(environ)
    if trace_startup:
        findings += _check_pth(environ, workdir, deadline)
    findings += _check_missing(path, workdir)
    findings += _check_pip(environ, deadline)
    findings += _check_venv_base(environ, workdir)
    findings += _check_no_pip(path, workdir)
    findings += _check_externally_managed()
    order = {"error": 0, "warning": 1, "info": 2}
    findings.sort(key=lambda f: order[f.severity])
    return DoctorReport(
        python=".".join(str(v) for v in sys.version_info[:3]),
        executable=sys.executable,
        cwd=workdir,
        findings=tuple(findings),
        checked=RULES if trace_startup else tuple(r for r in RULES if r != "pth-error"),
    )
