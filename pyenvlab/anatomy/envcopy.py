"""Copying environments (the tutorial's appendix 2): export, diff, recreate, and why a venv
cannot simply be copied.

- :func:`export` pins every distribution of an interpreter's environment (:class:`EnvExport`,
  which writes ``requirements.txt`` and ``environment.yml`` forms; each distribution's
  installer, ``pip`` or ``uv``, from its ``INSTALLER`` file, and the tool that made the venv
  from its ``pyvenv.cfg``); :func:`export_pylock` writes it as a ``pylock.toml`` (PEP 751);
- :func:`diff` compares two interpreters, exports or export files (:class:`EnvDiff`), lock
  files (``pylock.toml``, ``uv.lock``: :mod:`pyenvlab.anatomy.lockfiles`) included;
- :func:`recreate` builds a fresh venv from an export, offline when given ``find_links``;
- :func:`check_relocatable` lists the absolute paths a venv recorded when it was made (script
  shebangs, ``activate``, ``pyvenv.cfg``): a copy elsewhere still runs the original's interpreter
  through them, or nothing at all once the original is gone.

Example:
    >>> here = export()                                                # doctest: +SKIP
    >>> print(here.requirements().splitlines()[1])                     # doctest: +SKIP
    asttokens==3.0.1
"""

from __future__ import annotations

import json
import os
import platform
import re
import sys
import tempfile
from collections.abc import Mapping, Sequence
from importlib import metadata
from pathlib import Path

from pyenvlab._processes import DEFAULT_TIMEOUT, Deadline, run_bounded
from pyenvlab.anatomy.dependencies import installed_distributions, interpreter_facts
from pyenvlab.anatomy.records import (
    DiffEntry,
    EnvDiff,
    EnvExport,
    ExportedPackage,
    RelocationIssue,
    RelocationReport,
)
from pyenvlab.errors import InterpreterError, PyenvlabError

__all__ = [
    "RECREATE_TIMEOUT",
    "check_relocatable",
    "diff",
    "export",
    "export_pylock",
    "read_export",
    "recreate",
]

#: seconds :func:`recreate` may take by default (making the venv and installing into it)
RECREATE_TIMEOUT = 600.0


def _exported(dist: metadata.Distribution, name: str) -> ExportedPackage:
    installer = (dist.read_text("INSTALLER") or "").strip() or None
    source = None
    direct = dist.read_text("direct_url.json")
    if direct:
        try:
            data = json.loads(direct)
        except ValueError:
            data = {}
        if isinstance(data, dict) and isinstance(data.get("url"), str):
            editable = isinstance(data.get("dir_info"), dict) and data["dir_info"].get("editable")
            source = ("editable " if editable else "") + data["url"]
    return ExportedPackage(name=name, version=dist.version, installer=installer, source=source)


def export(
    python: str | None = None,
    *,
    path: Sequence[str] | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
) -> EnvExport:
    """The pinned distributions of an environment.

    Args:
        python: the interpreter whose environment to export (a venv's ``bin/python``); default:
            this one. Its ``sys.path`` is asked from it; the metadata is read from here.
        path: directories to read instead of the interpreter's ``sys.path``.
        env: the whole environment ``python`` runs with (default: ours, ``PYTHONPATH`` included).
        timeout: seconds ``python`` may take to answer (``None``: no limit).

    Raises:
        InterpreterError: if ``python`` cannot be run or does not answer in time.
    """
    version, executable, system, dists = _environment(python, path=path, env=env, timeout=timeout)
    packages = tuple(_exported(dist, name) for name, dist in sorted(dists.items()))
    return EnvExport(
        python=version,
        executable=executable,
        platform=system,
        packages=packages,
        made_by=_made_by(executable),
    )


def _environment(
    python: str | None,
    *,
    path: Sequence[str] | None,
    env: Mapping[str, str] | None,
    timeout: float | None = DEFAULT_TIMEOUT,
) -> tuple[str, str, str, dict[str, metadata.Distribution]]:
    """Python version, executable, platform and distributions of an interpreter's environment."""
    if python is None:
        version, executable = platform.python_version(), sys.executable
        system = f"{platform.system()}-{platform.machine()}"
        search = list(path) if path is not None else [p for p in sys.path if p]
    else:
        facts = interpreter_facts(python, env=env, timeout=timeout)
        env = facts["environment"]
        version, executable = env["python_full_version"], facts["executable"]
        system = f"{env['platform_system']}-{env['platform_machine']}"
        search = list(path) if path is not None else facts["path"]
    return version, executable, system, installed_distributions(search)


def _made_by(executable: str) -> str | None:
    """The tool that made the venv ``executable`` belongs to, as its ``pyvenv.cfg`` says."""
    from pyenvlab.interpreter import venv_config

    cfg = venv_config.find_pyvenv_cfg(executable)
    config = venv_config.read_pyvenv_cfg(cfg) if cfg else None
    return venv_config.made_by(config) if config else None


def export_pylock(
    python: str | None = None,
    *,
    find_links: Sequence[str | os.PathLike[str]] = (),
    path: Sequence[str] | None = None,
    env: Mapping[str, str] | None = None,
    skip: Sequence[str] = ("pip", "setuptools", "wheel"),
    timeout: float | None = DEFAULT_TIMEOUT,
) -> str:
    """The environment of ``python`` (default: this one) as a ``pylock.toml`` (PEP 751).

    A lock names a file and its hash for every package: each one's install-time source
    (``direct_url.json``: an editable or local directory, a VCS checkout, a hashed archive),
    else its wheel or sdist of that exact version in ``find_links``. ``skip`` leaves out the
    installers themselves, as ``pip freeze`` does. ``timeout`` is the seconds ``python`` may
    take to answer (``None``: no limit).

    Raises:
        InterpreterError: if ``python`` cannot be run or does not answer in time.
        PyenvlabError: a package has no file to lock (see :func:`~pyenvlab.anatomy.lockfiles.write_pylock`).
    """
    from packaging.utils import canonicalize_name

    from pyenvlab.anatomy.lockfiles import LockedPackage, write_pylock

    version, executable, system, dists = _environment(python, path=path, env=env, timeout=timeout)
    skipped = {canonicalize_name(name) for name in skip}
    packages = []
    for name, dist in sorted(dists.items()):
        if name in skipped:
            continue
        direct = None
        text = dist.read_text("direct_url.json")
        if text:
            try:
                direct = json.loads(text)
            except ValueError:
                direct = None
        packages.append(LockedPackage(name, dist.version, direct if isinstance(direct, dict) else None))
    made_by = _made_by(executable)
    comment = f"exported by pyenvlab from {executable} (Python {version}, {system}"
    comment += f"; a venv made by {made_by})" if made_by else ")"
    return write_pylock(packages, find_links=find_links, comment=comment, python=version, platform=system)


#: file name endings read as lock files (pylock.toml, pylock.NAME.toml, uv.lock)
_LOCK_SUFFIXES = (".toml", ".lock")

_PIN = re.compile(r"^\s*-?\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:==|=)\s*([^\s=;#]+)")
#: a line of YAML structure: ``key:`` / ``key: value`` or a list item ``- value``
_YAML_LINE = re.compile(r"^\s*(?:[A-Za-z_][\w.-]*\s*:(?:\s.*)?|-\s.*|-)$")


def read_export(path: str | Path) -> EnvExport:
    """Read an export file: pyenvlab's JSON, a pinned ``requirements.txt`` (``name==version``),
    an ``environment.yml`` (its conda ``name=version`` entries and its ``pip:`` section), or a
    lock file: ``pylock.toml`` (PEP 751) or ``uv.lock`` (any ``.toml`` or ``.lock`` file).

    A requirements file must pin every requirement it lists (lines that start with ``-`` are
    pip options and are skipped); a file that pins nothing is refused rather than read as an
    empty environment.

    Raises:
        PyenvlabError: if the file cannot be read, is not UTF-8 text, is not a valid lock file,
            or is none of the other three forms (the message names the first line that is not).
    """
    from pyenvlab._files import read_bytes
    from pyenvlab.render._escape import term

    path = Path(path)
    try:
        text = read_bytes(path).decode("utf-8")
    except OSError as exc:
        raise PyenvlabError(f"cannot read {term(path)}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise PyenvlabError(f"cannot read {term(path)}: it is not UTF-8 text") from None
    if path.suffix in _LOCK_SUFFIXES:
        from pyenvlab.anatomy.lockfiles import read_lock

        return read_lock(path, text)
    if text.lstrip().startswith("{"):
        return EnvExport.from_json(text)
    from packaging.utils import canonicalize_name

    lines = [(n, line.split("#", 1)[0].rstrip()) for n, line in enumerate(text.splitlines(), 1)]
    lines = [(n, line) for n, line in lines if line.strip()]
    yml = path.suffix in (".yml", ".yaml") or any(re.match(r"^dependencies\s*:", ln) for _, ln in lines)
    python = "unknown"
    packages: dict[str, ExportedPackage] = {}
    for number, line in lines:
        stripped = line.strip()
        match = _PIN.match(stripped)
        if not match:
            if yml and _YAML_LINE.match(line):
                continue
            if not yml and stripped.startswith("-"):
                continue  # a pip option (--hash=..., -i URL): it pins nothing
            form = "an environment.yml line" if yml else "a pinned requirement (name==version)"
            msg = f"{term(path)} line {number} is not {form}: '{term(stripped[:80])}'"
            raise PyenvlabError(msg)
        name, version = canonicalize_name(match.group(1)), match.group(2)
        if name == "python":
            python = version
            continue
        packages[name] = ExportedPackage(name=name, version=version)
    if not packages and python == "unknown":
        what = "an environment.yml" if yml else "a requirements file"
        msg = f"{term(path)} pins no distribution: it is not an export (JSON), {what} or an environment.yml"
        raise PyenvlabError(msg)
    return EnvExport(
        python=python,
        executable=str(path),
        platform="unknown",
        packages=tuple(packages[n] for n in sorted(packages)),
    )


def _as_export(
    side: EnvExport | str | os.PathLike[str],
    env: Mapping[str, str] | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
) -> tuple[str, EnvExport]:
    if isinstance(side, EnvExport):
        return side.executable, side
    text = os.fspath(side)
    candidate = Path(text)
    if candidate.is_dir() and (candidate / "bin" / "python").exists():  # a venv or prefix
        text = str(candidate / "bin" / "python")
        candidate = Path(text)
    if not candidate.exists():
        raise PyenvlabError(f"{text} is neither an interpreter, an environment nor an export file")
    if candidate.suffix in (".json", ".txt", ".yml", ".yaml", ".in", *_LOCK_SUFFIXES) or not os.access(
        text, os.X_OK
    ):
        return text, read_export(candidate)
    return text, export(python=text, env=env, timeout=timeout)


def diff(
    left: EnvExport | str | os.PathLike[str],
    right: EnvExport | str | os.PathLike[str],
    *,
    env: Mapping[str, str] | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
) -> EnvDiff:
    """The distributions that differ between two environments.

    Each side is an :class:`EnvExport`, an export file (JSON, requirements.txt, environment.yml),
    a lock file (``pylock.toml``, ``uv.lock``), an interpreter (``.venv/bin/python``) or an
    environment directory. ``env`` is the environment interpreters run with (default: ours);
    ``timeout`` the seconds each may take to answer.
    """
    left_name, a = _as_export(left, env, timeout)
    right_name, b = _as_export(right, env, timeout)
    av = {p.name: p.version for p in a.packages}
    bv = {p.name: p.version for p in b.packages}
    entries = tuple(
        DiffEntry(name, av.get(name), bv.get(name))
        for name in sorted(set(av) | set(bv))
        if av.get(name) != bv.get(name)
    )
    same = sum(1 for name in av if bv.get(name) == av[name])
    return EnvDiff(
        left=left_name,
        right=right_name,
        left_python=a.python,
        right_python=b.python,
        entries=entries,
        same=same,
    )


def recreate(
    source: EnvExport | str | os.PathLike[str],
    target: str | os.PathLike[str],
    *,
    python: str | None = None,
    find_links: Sequence[str | os.PathLike[str]] = (),
    no_index: bool | None = None,
    skip: Sequence[str] = ("pip", "setuptools", "wheel", "pyenvlab"),
    timeout: float | None = RECREATE_TIMEOUT,
) -> Path:
    """Create a new venv at ``target`` holding the pinned distributions of ``source``.

    The venv is made ``--without-pip`` by ``python`` (default: this interpreter) and filled by
    this interpreter's pip with ``--python``. With ``find_links`` (directories of wheels) the
    install is offline (``--no-index``) unless ``no_index=False``. Returns the new interpreter.
    ``timeout`` bounds the whole call (the venv and pip); when it is up, both are killed.

    Raises:
        InterpreterError: if the venv cannot be created, pip fails (pip's last line is kept), or
            the time is up.
    """
    deadline = Deadline(timeout)
    if isinstance(source, EnvExport):
        exported = source
    else:
        _, exported = _as_export(source, timeout=deadline.timeout_left())
    target = Path(target)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise PyenvlabError(f"{target} exists and is not an empty directory")
    existed = target.exists()
    try:
        return _make_venv(
            exported,
            target,
            python=python,
            find_links=find_links,
            no_index=no_index,
            skip=skip,
            deadline=deadline,
        )
    except BaseException:  # a failed, timed-out or interrupted recreate leaves nothing behind
        import shutil

        if existed:
            for child in target.iterdir():
                if child.is_dir() and not child.is_symlink():
                    shutil.rmtree(child, ignore_errors=True)
                else:
                    child.unlink()
        else:
            shutil.rmtree(target, ignore_errors=True)
        raise


def _make_venv(
    exported: EnvExport,
    target: Path,
    *,
    python: str | None,
    find_links: Sequence[str | os.PathLike[str]],
    no_index: bool | None,
    skip: Sequence[str],
    deadline: Deadline,
) -> Path:
    base = python or sys.executable
    made = run_bounded([base, "-m", "venv", "--without-pip", str(target)], deadline=deadline, what=base)
    if made.returncode != 0:
        raise InterpreterError(f"cannot create a venv with {base}: {made.stderr.strip()[-300:]}")
    new_python = target / "bin" / "python"
    pins = [p for p in exported.packages if p.name not in skip]
    if not pins:
        return new_python
    with tempfile.TemporaryDirectory(prefix="pyenvlab-recreate-") as tmp:
        requirements = Path(tmp) / "requirements.txt"
        requirements.write_text("".join(f"{p.name}=={p.version}\n" for p in pins))
        command = [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(new_python),
            "install",
            "--no-input",
            "--disable-pip-version-check",
            "-r",
            str(requirements),
        ]
        if find_links and no_index is not False:
            command.append("--no-index")
        for link in find_links:
            command += ["--find-links", os.fspath(link)]
        done = run_bounded(command, deadline=deadline, what="pip")
        if done.returncode != 0:
            last = [line for line in done.stderr.splitlines() if line.strip()][-1:] or ["(no output)"]
            raise InterpreterError(f"pip could not recreate the environment: {last[0]}")
    return new_python


# --------------------------------------------------------------------------- relocation


def _recorded_location(venv: Path) -> str | None:
    """Where the venv was created, as its own files say (activate, pyvenv.cfg, a shebang)."""
    activate = venv / "bin" / "activate"
    if activate.is_file():
        match = re.search(
            r"^\s*(?:export\s+)?VIRTUAL_ENV=['\"]?(/[^'\"\n]*)['\"]?\s*$",
            activate.read_text(errors="replace"),
            re.M,
        )
        if match:
            return match.group(1)
    cfg = venv / "pyvenv.cfg"
    if cfg.is_file():
        match = re.search(
            r"^command\s*=.*\s-m\s+venv\s+(?:--?\S+\s+)*(\S+)\s*$", cfg.read_text(errors="replace"), re.M
        )
        if match:
            return match.group(1)
    return None


def check_relocatable(venv: str | os.PathLike[str], *, original: str | None = None) -> RelocationReport:
    """Every hard-coded path to where the venv was created: the reasons a copy breaks.

    ``original`` defaults to the location the venv's own ``activate``/``pyvenv.cfg`` record (or
    to the venv's current location when they record none, which checks it before copying).

    Raises:
        PyenvlabError: if ``venv`` is not a virtual environment (no ``pyvenv.cfg``).
    """
    root = Path(venv)
    if not (root / "pyvenv.cfg").is_file():
        raise PyenvlabError(f"{root} is not a virtual environment (it has no pyvenv.cfg)")
    recorded = (original or _recorded_location(root) or str(root.absolute())).rstrip("/")
    issues: list[RelocationIssue] = []

    def scan(file: Path, kind: str) -> None:
        try:
            data = file.read_bytes()
        except OSError:
            return
        if b"\0" in data[:1024] or recorded.encode() not in data:
            return  # binary, or no mention
        for number, line in enumerate(data.decode("utf-8", "replace").splitlines(), 1):
            if recorded in line:
                this = "shebang" if number == 1 and line.startswith("#!") else kind
                issues.append(RelocationIssue(str(file.relative_to(root)), number, line.strip()[:200], this))  # type: ignore[arg-type]

    scan(root / "pyvenv.cfg", "pyvenv.cfg")
    bindir = root / "bin"
    for file in sorted(bindir.iterdir()) if bindir.is_dir() else ():
        if file.is_symlink():
            link = os.readlink(file)
            if link.startswith(recorded + "/"):
                issues.append(RelocationIssue(str(file.relative_to(root)), 0, f"-> {link}", "symlink"))
            continue
        scan(file, "activate" if file.name.startswith("activate") else "other")
    for pth in sorted(root.glob("lib/python*/site-packages/*.pth")):
        scan(pth, "other")
    return RelocationReport(venv=str(root), recorded_at=recorded, issues=tuple(issues))
