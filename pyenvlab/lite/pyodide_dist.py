"""The Pyodide a lite site runs: the npm core plus the kernel's wheels, prepared once and cached.

``jupyter lite build --pyodide ARCHIVE`` copies a Pyodide distribution into the site and points
the kernel at it. It wants a ``.tar.bz2`` whose top-level folder is ``pyodide/`` (a plain
directory is not accepted). The distribution the kernel can start from holds:

- from npm (``pyodide@314.0.8``, through :mod:`pyenvlab._npm`): ``pyodide.mjs``,
  ``pyodide.asm.mjs``, ``pyodide.asm.wasm`` (the interpreter) and ``python_stdlib.zip``;
- from PyPI (through pip, each file checked against its sha256 in :mod:`pyenvlab.lite.pins`):
  the pure-Python wheels the kernel loads on every start, beside ``pyodide.mjs``;
- ``pyodide-lock.json``: npm's lock file cut down to those packages, its ``file_name`` and
  ``sha256`` entries rewritten to PyPI's files (Pyodide builds its own copies of them, with
  other hashes, which npm does not ship) and entries added for ``comm``, ``graphviz`` and
  ``ipywidgets``.

The archive lands in ``<cache>/lite/`` (see :func:`pyenvlab._npm.cache_root`), named by a
digest of everything it is made of; downloaded wheels stay in ``<cache>/pypi/``. A second
build finds both and touches no network. pyenvlab's own wheel is not in the archive (it
changes with the checkout): :mod:`pyenvlab.lite.site` adds it, with :func:`lock_entry`, to the
built site.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from pyenvlab.errors import PyenvlabError
from pyenvlab.lite.pins import KERNEL_PACKAGES, KERNEL_WHEELS, PYODIDE, Wheel

__all__ = ["CORE_FILES", "LiteBuildError", "canonical", "ensure_wheels", "lock_entry", "prepare"]

#: the files of the npm package the site needs (no source maps, no classic-script loader)
CORE_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "package.json")
#: bump when the archive's layout changes, so caches made by older code are not reused
LAYOUT = "1"

#: Pyodide's environment markers, for the Requires-Dist of the wheels added to the lock file
PYODIDE_MARKERS = {
    "implementation_name": "cpython",
    "platform_python_implementation": "CPython",
    "python_version": "3.14",
    "python_full_version": "3.14.2",
    "sys_platform": "emscripten",
    "platform_system": "Emscripten",
    "platform_machine": "wasm32",
    "os_name": "posix",
    "extra": "",
}


class LiteBuildError(PyenvlabError):
    """The lite site cannot be built (a missing tool, a failed download, a bad folder)."""


def canonical(name: str) -> str:
    """A distribution name as PEP 503 normalises it (``Prompt_Toolkit`` -> ``prompt-toolkit``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _wheel_file(directory: Path, wheel: Wheel) -> Path | None:
    """The downloaded file of ``wheel`` in ``directory`` whose hash matches, if any."""
    for path in directory.glob("*.whl"):
        name, _, rest = path.name.partition("-")
        same = canonical(name) == wheel.name and rest.startswith(wheel.version + "-")
        if same and _sha256(path) == wheel.sha256:
            return path
    return None


def ensure_wheels(
    wheels: Iterable[Wheel], directory: Path, *, log: Callable[[str], None] = print
) -> dict[str, Path]:
    """The files of ``wheels`` in ``directory``, downloading the missing ones with pip.

    pip gets a requirements file with every hash (``--require-hashes``), no dependencies and
    wheels only, for Pyodide's Python; files already there are checked against their hash.

    Raises:
        LiteBuildError: pip failed (no network, a hash mismatch...), in one line.
    """
    import subprocess
    import tempfile

    wheels = list(wheels)
    directory.mkdir(parents=True, exist_ok=True)
    found = {w.name: path for w in wheels if (path := _wheel_file(directory, w)) is not None}
    missing = [w for w in wheels if w.name not in found]
    if missing:
        log(f"downloading {len(missing)} wheels from PyPI for the browser kernel (once)")
        with tempfile.TemporaryDirectory(prefix=".download-", dir=directory) as staging:
            requirements = Path(staging, "requirements.txt")
            requirements.write_text("".join(w.requirement() + "\n" for w in missing), encoding="utf-8")
            command = [
                sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
                "--no-deps", "--only-binary=:all:", "--require-hashes",
                "--python-version", PYODIDE_MARKERS["python_version"], "--implementation", "py",
                "--abi", "none", "--platform", "any",
                "-r", str(requirements), "-d", staging,
            ]  # fmt: skip
            try:
                result = subprocess.run(
                    command, capture_output=True, text=True, errors="replace", check=False
                )
            except OSError as exc:
                msg = f"cannot run pip: {exc.strerror or exc}"
                raise LiteBuildError(msg) from None
            if result.returncode != 0:
                lines = [line.strip() for line in result.stderr.splitlines() if line.strip()]
                errors = [line for line in lines if line.startswith("ERROR")] or lines
                detail = errors[-1] if errors else f"exit status {result.returncode}"
                msg = f"pip could not download the kernel's wheels: {detail}"
                raise LiteBuildError(msg)
            for path in Path(staging).glob("*.whl"):
                os.replace(path, directory / path.name)
        found = {w.name: path for w in wheels if (path := _wheel_file(directory, w)) is not None}
        still = [w.name for w in wheels if w.name not in found]
        if still:
            msg = f"pip did not deliver {', '.join(still)} with the pinned hashes"
            raise LiteBuildError(msg)
    return found


def _metadata(wheel: Path) -> tuple[Any, list[str]]:
    """The METADATA of a wheel (an ``email.message.Message``) and its top-level import names."""
    import email.parser
    import zipfile

    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        info = next(n for n in names if n.count("/") == 1 and n.endswith(".dist-info/METADATA"))
        metadata = email.parser.Parser().parsestr(archive.read(info).decode("utf-8"))
        top_level = [n for n in names if n.endswith(".dist-info/top_level.txt")]
        if top_level:
            imports = archive.read(top_level[0]).decode("utf-8").split()
        else:
            imports = sorted(
                {
                    n.split("/")[0].removesuffix(".py")
                    for n in names
                    if not n.split("/")[0].endswith((".dist-info", ".data"))
                    and ("/" in n or n.endswith(".py"))
                }
            )
    return metadata, imports


def lock_entry(wheel: Path, available: Iterable[str]) -> dict[str, Any]:
    """A ``pyodide-lock.json`` package entry for a pure-Python wheel.

    ``depends`` are the wheel's requirements (markers evaluated for Pyodide) that are among
    ``available`` (canonical names); others, such as ipywidgets' ``jupyterlab_widgets`` (the
    browser half, which the site has as a JupyterLab extension), are left out.
    """
    from packaging.requirements import Requirement

    metadata, imports = _metadata(wheel)
    available = set(available)
    depends = []
    for line in metadata.get_all("Requires-Dist") or []:
        requirement = Requirement(line)
        if requirement.marker is not None and not requirement.marker.evaluate(PYODIDE_MARKERS):
            continue
        name = canonical(requirement.name)
        if name in available and name not in depends:
            depends.append(name)
    return {
        "name": metadata["Name"],
        "version": metadata["Version"],
        "file_name": wheel.name,
        "install_dir": "site",
        "sha256": _sha256(wheel),
        "package_type": "package",
        "imports": imports,
        "depends": sorted(depends),
        "unvendored_tests": False,
        "shared_library": False,
    }


def _closure(packages: dict[str, dict[str, Any]], roots: Iterable[str]) -> list[str]:
    """The lock-file keys of ``roots`` and everything they depend on."""
    keys = {canonical(key): key for key in packages}
    seen: list[str] = []
    todo = [canonical(r) for r in roots]
    while todo:
        name = todo.pop()
        key = keys.get(name)
        if key is None:
            msg = f"{PYODIDE}'s pyodide-lock.json has no package {name!r}"
            raise LiteBuildError(msg)
        if key in seen:
            continue
        seen.append(key)
        todo.extend(canonical(d) for d in packages[key].get("depends", ()))
    return sorted(seen)


def kernel_lock(core_lock: dict[str, Any], wheels: dict[str, Path]) -> dict[str, Any]:
    """npm's lock file cut down to the kernel's packages, pointing at PyPI's wheels."""
    packages = core_lock.get("packages", {})
    pins = {w.name: w for w in KERNEL_WHEELS}
    out: dict[str, Any] = {}
    for key in _closure(packages, KERNEL_PACKAGES):
        entry = packages[key]
        pin = pins.get(canonical(key))
        if pin is None or pin.version != entry.get("version"):
            pinned = pin.version if pin else "not pinned"
            msg = (
                f"pyenvlab/lite/pins.py does not match {PYODIDE}: {key} is {entry.get('version')} "
                f"in pyodide-lock.json, {pinned} in the pins"
            )
            raise LiteBuildError(msg)
        path = wheels[pin.name]
        out[key] = {**entry, "file_name": path.name, "sha256": pin.sha256, "unvendored_tests": False}
    names = {canonical(k) for k in out} | set(wheels)
    for name, path in sorted(wheels.items()):
        if name not in {canonical(k) for k in out}:
            out[name] = lock_entry(path, names)
    return {**core_lock, "packages": out}


def _digest() -> str:
    text = json.dumps([LAYOUT, PYODIDE, CORE_FILES, [tuple(w) for w in KERNEL_WHEELS]])
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def archive_path() -> Path:
    """Where the prepared archive of this pyenvlab's pins lives in the cache."""
    from pyenvlab._npm import cache_root

    version = PYODIDE.rpartition("@")[2]
    return cache_root() / "lite" / f"pyodide-{version}-{_digest()}.tar.bz2"


def prepare(*, log: Callable[[str], None] = print) -> Path:
    """The prepared Pyodide archive, made on the first call and cached (see the module doc).

    Raises:
        LiteBuildError, pyenvlab._npm.NpmError: npm or pip missing or failing, in one line.
    """
    import tarfile
    import tempfile

    from pyenvlab import _npm

    target = archive_path()
    if target.is_file():
        return target
    log(f"preparing Pyodide ({PYODIDE}) for the browser kernel (once; cached in {target.parent})")
    core = _npm.ensure_package(PYODIDE)
    missing = [name for name in CORE_FILES if not (core / name).is_file()]
    if missing:
        msg = f"the npm package {PYODIDE} in {core} lacks {', '.join(missing)}"
        raise LiteBuildError(msg)
    wheels = ensure_wheels(KERNEL_WHEELS, _npm.cache_root() / "pypi", log=log)
    lock = kernel_lock(json.loads((core / "pyodide-lock.json").read_text(encoding="utf-8")), wheels)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, staging = tempfile.mkstemp(prefix=".pyodide-", suffix=".tar.bz2", dir=target.parent)
    os.close(fd)
    try:
        with tarfile.open(staging, "w:bz2", compresslevel=6) as archive:
            for name in CORE_FILES:
                archive.add(core / name, arcname=f"pyodide/{name}")
            for path in sorted(wheels.values()):
                archive.add(path, arcname=f"pyodide/{path.name}")
            data = json.dumps(lock, indent=1, sort_keys=True).encode("utf-8")
            info = tarfile.TarInfo("pyodide/pyodide-lock.json")
            info.size = len(data)
            info.mode = 0o644
            import io

            archive.addfile(info, io.BytesIO(data))
        os.replace(staging, target)
    finally:
        if os.path.exists(staging):
            os.unlink(staging)
    return target
