"""Real environments for demos and tests, built offline in a directory you choose.

The tutorial's solutions, for real, with nothing downloaded:

- :func:`workshop_directory`: the temporary directory a notebook works in, kept while its
  kernel runs (explorers used after Run All still find it) and removed when the kernel exits;
- :func:`make_prefix`: a common prefix directory (``bin/``, ``lib/pythonX.Y/site-packages``:
  Solution 1), with :func:`prefix_env` giving the ``PATH``/``PYTHONPATH`` that use it;
- :func:`write_project` writes a tiny package's source (``pyproject.toml`` metadata and
  modules); :func:`build_wheel` packs it as a wheel (a wheel is a zip file with a
  ``.dist-info`` directory: pure Python, written with :mod:`zipfile`), :func:`build_sdist` as
  a source distribution (with setuptools' own build backend, offline);
- :func:`pip_install_prefix` runs ``pip install --prefix DIR --ignore-installed --no-index
  --find-links WHEELS`` (Solution 2) and :func:`pip_download` runs ``pip download --no-index
  --find-links``, both with the user's pip configuration switched off and pip's output plain
  text (no progress bar, no colours, whatever pip's version and even in a Jupyter kernel);
- :func:`make_venv` creates a virtual environment and :func:`venv_report` describes it: its
  ``pyvenv.cfg``, which files in ``bin/`` are symlinks into the base installation, and its size
  against the base, like ``du -sk``.

Example:
    >>> from pyenvlab import demo_envs                                   # doctest: +SKIP
    >>> src = demo_envs.write_project(tmp / "src", "mymod", "1.0")        # doctest: +SKIP
    >>> wheel = demo_envs.build_wheel(src, tmp / "wheels")                # doctest: +SKIP
    >>> prefix = demo_envs.make_prefix(tmp / "prefix")                    # doctest: +SKIP
    >>> demo_envs.pip_install_prefix(prefix, ["mymod"], tmp / "wheels")   # doctest: +SKIP
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from pyenvlab.errors import PyenvlabError
from pyenvlab.interpreter.records import VenvFile, VenvReport

__all__ = [
    "build_sdist",
    "build_wheel",
    "du_kib",
    "make_prefix",
    "make_venv",
    "pip_download",
    "pip_install_prefix",
    "prefix_env",
    "python_version",
    "skeleton_venv",
    "venv_report",
    "workshop_directory",
    "write_project",
]

#: seconds each command of a demo (a venv, pip, a build) may take before it is stopped with
#: every process it started (the functions' ``timeout=``)
TIMEOUT = 300.0


def _python(python: str | os.PathLike[str] | None) -> str:
    return sys.executable if python is None else os.fspath(python)


def python_version(python: str | os.PathLike[str] | None = None, *, timeout: float | None = TIMEOUT) -> str:
    """``"X.Y"`` of ``python`` (default: this interpreter)."""
    if python is None:
        return f"{sys.version_info[0]}.{sys.version_info[1]}"
    code = "import sys; print('%d.%d' % sys.version_info[:2])"
    done = _run([_python(python), "-I", "-S", "-c", code], timeout=timeout)
    return done.stdout.strip()


def _run(
    argv: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: str | os.PathLike[str] | None = None,
    timeout: float | None = TIMEOUT,
) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` bounded (:func:`pyenvlab._processes.run_bounded`); raise on failure."""
    from pyenvlab._processes import run_bounded

    ran = run_bounded(argv, env=env, cwd=cwd, timeout=timeout, what=os.fspath(argv[0]))
    done = subprocess.CompletedProcess([os.fspath(a) for a in argv], ran.returncode, ran.stdout, ran.stderr)
    if done.returncode != 0:
        tail = " | ".join((done.stderr or done.stdout).strip().splitlines()[-4:])
        msg = f"{' '.join(str(a) for a in argv[:4])} ... failed (exit status {done.returncode}): {tail}"
        raise PyenvlabError(msg)
    return done


# -- the notebook's working directory -------------------------------------------------------


def workshop_directory(prefix: str = "pyenvlab-workshop-") -> Path:
    """A new temporary directory, removed when this interpreter exits (a notebook's ``WORK``).

    A notebook's last cell used to remove it, so Run All removed it too, and every explorer
    operated afterwards answered "working directory not found". Now it lives as long as the
    kernel: shutting the kernel down or restarting it (a normal exit: :mod:`atexit` runs)
    removes it. A kernel that is killed leaves it in the system's temporary directory.

    >>> work = workshop_directory()
    >>> work.is_dir(), work.name.startswith("pyenvlab-workshop-")
    (True, True)
    """
    import atexit
    import shutil
    import tempfile

    path = Path(tempfile.mkdtemp(prefix=prefix))
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


# -- Solution 1: a common prefix directory ----------------------------------------------------


def make_prefix(
    root: str | os.PathLike[str],
    python: str | os.PathLike[str] | None = None,
    *,
    timeout: float | None = TIMEOUT,
) -> Path:
    """Create the common prefix layout ``root/bin`` and ``root/lib/pythonX.Y/site-packages``."""
    path = Path(root).absolute()
    (path / "bin").mkdir(parents=True, exist_ok=True)
    version = python_version(python, timeout=timeout)
    (path / "lib" / f"python{version}" / "site-packages").mkdir(parents=True, exist_ok=True)
    return path


def prefix_env(
    prefix: str | os.PathLike[str],
    python: str | os.PathLike[str] | None = None,
    base: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """An environment that uses a prefix directory: its ``bin`` first on ``PATH`` and its
    site-packages on ``PYTHONPATH`` (how the tutorial's Solution 1 is used)."""
    env = dict(os.environ if base is None else base)
    path = Path(prefix).absolute()
    site = path / "lib" / f"python{python_version(python)}" / "site-packages"
    env["PATH"] = os.pathsep.join(filter(None, [str(path / "bin"), env.get("PATH", "")]))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(site), env.get("PYTHONPATH", "")]))
    return env


# -- sources, wheels and sdists ---------------------------------------------------------------


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def write_project(
    directory: str | os.PathLike[str],
    name: str,
    version: str = "1.0",
    *,
    requires: Iterable[str] = (),
    modules: Mapping[str, str] | None = None,
) -> Path:
    """Write a tiny installable project: ``pyproject.toml`` and one package.

    ``modules`` maps file names inside the package to their source (default: an
    ``__init__.py`` that records its version). Returns the project directory.
    """
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name):
        msg = f"not a valid distribution name: {name!r}"
        raise PyenvlabError(msg)
    root = Path(directory).absolute()
    package = root / _normal(name)
    package.mkdir(parents=True, exist_ok=True)
    files = dict(modules or {"__init__.py": f'"""The {name} demo package."""\n\n__version__ = "{version}"\n'})
    for filename, source in files.items():
        (package / filename).write_text(source, encoding="utf-8")
    deps = ", ".join(f'"{r}"' for r in requires)
    (root / "pyproject.toml").write_text(
        "[build-system]\n"
        'requires = ["setuptools>=61"]\n'
        'build-backend = "setuptools.build_meta"\n\n'
        "[project]\n"
        f'name = "{name}"\n'
        f'version = "{version}"\n'
        f'description = "pyenvlab demo package {name}"\n'
        f"dependencies = [{deps}]\n\n"
        "[tool.setuptools]\n"
        f'packages = ["{_normal(name)}"]\n',
        encoding="utf-8",
    )
    return root


def _read_project(project: Path) -> tuple[str, str, list[str]]:
    try:
        import tomllib
    except ModuleNotFoundError:  # pragma: no cover - 3.10
        tomllib = None
    text = (project / "pyproject.toml").read_text(encoding="utf-8")
    if tomllib is not None:
        data = tomllib.loads(text)["project"]
        return data["name"], data["version"], list(data.get("dependencies") or [])
    name = re.search(r'^name = "([^"]+)"', text, re.M)
    version = re.search(r'^version = "([^"]+)"', text, re.M)
    deps = re.search(r"^dependencies = \[(.*)\]", text, re.M)
    if not (name and version):
        msg = f"{project}/pyproject.toml has no [project] name and version"
        raise PyenvlabError(msg)
    requires = re.findall(r'"([^"]+)"', deps.group(1)) if deps else []
    return name.group(1), version.group(1), requires


def build_wheel(project: str | os.PathLike[str], wheel_dir: str | os.PathLike[str]) -> Path:
    """Pack a pure-Python project written by :func:`write_project` as a ``py3-none-any`` wheel.

    The wheel is written with :mod:`zipfile`: the package files, then ``METADATA``, ``WHEEL``
    and ``RECORD`` (with sha256 hashes) in ``NAME-VERSION.dist-info``, as the wheel spec says.
    """
    root = Path(project).absolute()
    name, version, requires = _read_project(root)
    dist = f"{_normal(name)}-{version}"
    out = Path(wheel_dir).absolute()
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"{dist}-py3-none-any.whl"
    package = root / _normal(name)
    entries: list[tuple[str, bytes]] = []
    for file in sorted(package.rglob("*")):
        if file.is_file() and "__pycache__" not in file.parts:
            entries.append((file.relative_to(root).as_posix(), file.read_bytes()))
    metadata = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
    metadata += [f"Requires-Dist: {r}" for r in requires]
    entries.append((f"{dist}.dist-info/METADATA", ("\n".join(metadata) + "\n").encode()))
    wheel = "Wheel-Version: 1.0\nGenerator: pyenvlab.demo_envs\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    entries.append((f"{dist}.dist-info/WHEEL", wheel.encode()))
    record = []
    for arcname, data in entries:
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{arcname},sha256={digest},{len(data)}")
    record.append(f"{dist}.dist-info/RECORD,,")
    entries.append((f"{dist}.dist-info/RECORD", ("\n".join(record) + "\n").encode()))
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for arcname, data in entries:
            info = zipfile.ZipInfo(arcname, date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            archive.writestr(info, data, zipfile.ZIP_DEFLATED)
    return target


def build_sdist(
    project: str | os.PathLike[str],
    dist_dir: str | os.PathLike[str],
    python: str | os.PathLike[str] | None = None,
    *,
    timeout: float | None = TIMEOUT,
) -> Path:
    """Build a source distribution with setuptools' build backend (offline, no isolation)."""
    root = Path(project).absolute()
    out = Path(dist_dir).absolute()
    out.mkdir(parents=True, exist_ok=True)
    code = "import sys, setuptools.build_meta as b; sys.stdout.write(b.build_sdist(sys.argv[1]))"
    done = _run([_python(python), "-c", code, str(out)], cwd=root, timeout=timeout)
    return out / done.stdout.strip().splitlines()[-1]


# -- pip, offline -----------------------------------------------------------------------------


#: variables that make pip's rich console believe it writes to a terminal: a Jupyter kernel sets
#: ``FORCE_COLOR=1`` (ipykernel), and then pip 25+ draws its install progress bar with cursor
#: movements (``\x1b[1A\x1b[2K``) into the text a notebook shows
_FORCING_A_TERMINAL = ("FORCE_COLOR", "CLICOLOR_FORCE", "TTY_COMPATIBLE", "TTY_INTERACTIVE")

#: pip options that keep its output plain text whatever pip's version: no progress bar (its
#: redraws are terminal escapes), no colours
_PLAIN_OUTPUT = ("--no-color", "--progress-bar", "off")


def _pip_env() -> dict[str, str]:
    """Our environment without the user's pip settings and without forced terminal output."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_") and k not in _FORCING_A_TERMINAL}
    env.update(PIP_CONFIG_FILE=os.devnull, PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1", NO_COLOR="1")
    return env


def pip_install_prefix(
    prefix: str | os.PathLike[str],
    requirements: Sequence[str],
    find_links: str | os.PathLike[str],
    *,
    python: str | os.PathLike[str] | None = None,
    timeout: float | None = TIMEOUT,
) -> subprocess.CompletedProcess[str]:
    """``pip install --prefix PREFIX --ignore-installed --no-index --find-links DIR REQS``.

    ``--no-build-isolation`` is added too: a source distribution is then built with this
    environment's setuptools, since an isolated build would need an index to fetch it.
    Returns the finished process (its ``args`` are the exact command); raises
    :class:`~pyenvlab.errors.PyenvlabError` with pip's last lines when pip fails.
    """
    argv = [
        _python(python),
        "-m",
        "pip",
        "install",
        "--prefix",
        str(Path(prefix).absolute()),
        "--ignore-installed",
        "--no-index",
        "--find-links",
        str(Path(find_links).absolute()),
        "--no-build-isolation",
        "--no-warn-script-location",
        *_PLAIN_OUTPUT,
        *requirements,
    ]
    return _run(argv, env=_pip_env(), timeout=timeout)


def pip_download(
    requirements: Sequence[str],
    dest: str | os.PathLike[str],
    find_links: str | os.PathLike[str],
    *,
    python: str | os.PathLike[str] | None = None,
    timeout: float | None = TIMEOUT,
) -> list[Path]:
    """``pip download --no-index --find-links DIR -d DEST REQS``: the files pip saved."""
    out = Path(dest).absolute()
    out.mkdir(parents=True, exist_ok=True)
    before = set(out.iterdir())
    argv = [
        _python(python),
        "-m",
        "pip",
        "download",
        "--no-index",
        "--no-build-isolation",
        "--find-links",
        str(Path(find_links).absolute()),
        "-d",
        str(out),
        *_PLAIN_OUTPUT,
        *requirements,
    ]
    _run(argv, env=_pip_env(), timeout=timeout)
    return sorted(set(out.iterdir()) - before)


# -- virtual environments ---------------------------------------------------------------------


def make_venv(
    path: str | os.PathLike[str],
    python: str | os.PathLike[str] | None = None,
    *,
    system_site_packages: bool = False,
    copies: bool = False,
    with_pip: bool = False,
    timeout: float | None = TIMEOUT,
) -> Path:
    """``python -m venv`` (``--without-pip`` unless ``with_pip``); returns the venv directory."""
    target = Path(path).absolute()
    argv = [_python(python), "-m", "venv"]
    if system_site_packages:
        argv.append("--system-site-packages")
    if copies:
        argv.append("--copies")
    if not with_pip:
        argv.append("--without-pip")
    _run([*argv, str(target)], timeout=timeout)
    return target


def skeleton_venv(root: str | os.PathLike[str], version: str) -> Path:
    """The files the prefix search of CPython ``version`` (``"3.14"``) looks at, for a venv over
    an installation, without any interpreter: ``root/base`` has ``bin/pythonX.Y`` (a stand-in
    script), ``lib/pythonX.Y/os.py`` and ``lib-dynload/``; ``root/venv`` has ``bin/python``
    (a symlink to it), ``lib/pythonX.Y/site-packages`` and ``pyvenv.cfg`` (``home`` = the
    base's ``bin``). Returns the venv's ``bin/python``: the ``argv0`` for
    :func:`pyenvlab.pyodide.startup.replay_startup`, which runs another version's getpath code
    against such a layout.

    Example:
        >>> import tempfile
        >>> python = skeleton_venv(tempfile.mkdtemp(), "3.14")
        >>> (python.parent.parent / "pyvenv.cfg").read_text().splitlines()[0].endswith("/base/bin")
        True
    """
    top = Path(root).absolute()
    base, venv = top / "base", top / "venv"
    exe = base / "bin" / f"python{version}"
    exe.parent.mkdir(parents=True, exist_ok=True)
    exe.write_text("#!/bin/sh\n# a stand-in: the prefix search only asks the file system about it\n")
    exe.chmod(0o755)
    stdlib = base / "lib" / f"python{version}"
    (stdlib / "lib-dynload").mkdir(parents=True, exist_ok=True)
    (stdlib / "os.py").write_text("")
    (venv / "bin").mkdir(parents=True, exist_ok=True)
    (venv / "lib" / f"python{version}" / "site-packages").mkdir(parents=True, exist_ok=True)
    python = venv / "bin" / "python"
    if not python.is_symlink():
        python.symlink_to(exe)
    (venv / "pyvenv.cfg").write_text(
        f"home = {exe.parent}\ninclude-system-site-packages = false\nversion = {version}.0\n"
    )
    return python


def du_kib(path: str | os.PathLike[str]) -> int:
    """Disk usage in KiB like ``du -sk``: allocated blocks, links not followed, hard links once."""
    seen: set[tuple[int, int]] = set()
    total = 0
    root = os.fspath(path)
    stack = [root]
    while stack:
        current = stack.pop()
        try:
            info = os.lstat(current)
        except OSError:
            continue
        key = (info.st_dev, info.st_ino)
        if key in seen:
            continue
        seen.add(key)
        total += getattr(info, "st_blocks", (info.st_size + 511) // 512) * 512
        if os.path.isdir(current) and not os.path.islink(current):
            try:
                names = os.listdir(current)
            except OSError:
                continue
            stack.extend(os.path.join(current, name) for name in names)
    return total // 1024


def _read_cfg(path: Path) -> dict[str, str]:
    config = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        key, sep, value = line.partition("=")
        if sep:
            config[key.strip()] = value.strip()
    return config


def venv_report(path: str | os.PathLike[str], *, measure_base: bool = True) -> VenvReport:
    """Describe a virtual environment: ``pyvenv.cfg``, ``bin/`` entries and their link targets,
    its site-packages, and its size against the base installation (``du -sk`` of both).

    Raises:
        PyenvlabError: if ``path`` has no ``pyvenv.cfg``.
    """
    root = Path(path).absolute()
    cfg = root / "pyvenv.cfg"
    if not cfg.is_file():
        msg = f"{root} is not a virtual environment (no pyvenv.cfg)"
        raise PyenvlabError(msg)
    config = _read_cfg(cfg)
    home = config.get("home", "")
    base = os.path.dirname(home.rstrip("/")) if home else ""
    base_real = os.path.realpath(base) if base else ""
    files = []
    bindir = root / "bin"
    for entry in sorted(bindir.iterdir()) if bindir.is_dir() else ():
        if entry.is_symlink():
            target = os.readlink(entry)
            resolved = os.path.realpath(entry)
            into_base = bool(base_real) and (resolved + os.sep).startswith(base_real + os.sep)
            files.append(VenvFile(entry.name, "symlink", target, into_base))
        elif entry.is_dir():
            files.append(VenvFile(entry.name, "directory"))
        elif entry.is_file():
            files.append(VenvFile(entry.name, "file"))
        else:
            files.append(VenvFile(entry.name, "other"))
    site = tuple(sorted(str(p) for p in root.glob("lib/python*/site-packages")))
    return VenvReport(
        path=str(root),
        base_prefix=base,
        config=config,
        files=tuple(files),
        size_kib=du_kib(root),
        base_size_kib=du_kib(base) if measure_base and base else 0,
        site_packages=site,
        include_system_site_packages=config.get("include-system-site-packages", "false").lower() == "true",
    )
