"""Lock files: ``pylock.toml`` (PEP 751) and ``uv.lock``, read as exports; an environment
written as a ``pylock.toml``.

- :func:`read_lock` reads either file into an :class:`~pyenvlab.anatomy.records.EnvExport`
  (one pinned version per distribution), so ``env diff`` compares a lock with an environment,
  an export or another lock. A ``pylock.toml`` is validated by ``packaging.pylock`` (the PyPA's
  reader of the standard, in ``packaging`` 26+, already a dependency); a ``uv.lock`` is uv's
  own format (``version = 1``; its ``[[package]]`` tables): its virtual workspace root, which
  is never installed, is left out.
- :func:`write_pylock` writes pinned distributions as a ``pylock.toml``. A lock names, for
  every package, the file to install and its hash: the source recorded at install time
  (PEP 610 ``direct_url.json``: a directory, a VCS checkout, an archive with its hash) or a
  wheel or sdist of that exact version found in ``find_links`` directories (hashed here). An
  environment alone does not keep the wheels it was installed from, so a package with neither
  is refused, by name, with how to supply its file.

Reading TOML needs :mod:`tomllib` (Python 3.11+); on 3.10 reading a lock file says so (no TOML
reader is among pyenvlab's dependencies, and one file format does not justify adding one).
Writing needs no TOML library: the lock is a list of tables of strings, written by
:func:`toml_string` here (the standard library reads TOML but does not write it; ``tomli-w``
would be a new dependency for about thirty lines).

Example:
    >>> print(toml_string('say "hi"\\tnow'))
    "say \\"hi\\"\\tnow"
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from pyenvlab.anatomy.records import EnvExport, ExportedPackage
from pyenvlab.errors import PyenvlabError

__all__ = ["LockedPackage", "read_lock", "toml_string", "write_pylock"]

#: a version shown for a locked package that pins none (a directory or VCS source)
UNPINNED = "(not pinned)"


def _one_line(text: object) -> str:
    return " ".join(str(text).split())


def _load_toml(path: Path, text: str) -> dict[str, Any]:
    try:
        import tomllib
    except ImportError:  # Python 3.10
        version = ".".join(str(v) for v in sys.version_info[:3])
        raise PyenvlabError(
            f"reading {path} needs Python 3.11 or newer (the standard library's tomllib);"
            f" this is Python {version}"
        ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PyenvlabError(f"cannot read {path}: not valid TOML ({_one_line(exc)})") from None


def read_lock(path: str | os.PathLike[str], text: str) -> EnvExport:
    """The pinned distributions of a ``pylock.toml`` or ``uv.lock`` (``text`` is the file's).

    Raises:
        PyenvlabError: the text is not TOML, is TOML of another kind, or is an invalid or
            unsupported lock (one line, saying which).
    """
    path = Path(path)
    data = _load_toml(path, text)
    if "lock-version" in data:
        return _read_pylock(path, data)
    if "version" in data and "package" in data:
        return _read_uv_lock(path, data)
    raise PyenvlabError(
        f"{path} is TOML but neither a pylock.toml (PEP 751: it has no lock-version)"
        " nor a uv.lock (version and [[package]] tables)"
    )


def _merged(path: Path, pins: Iterable[tuple[str, str, str | None]], python: str) -> EnvExport:
    """One package per name; a name locked at several versions (for different markers) shows
    them all, ``"1.0 or 2.0"``."""
    from packaging.utils import canonicalize_name

    versions: dict[str, list[str]] = {}
    sources: dict[str, str | None] = {}
    for name, version, source in pins:
        key = canonicalize_name(name)
        if version not in versions.setdefault(key, []):
            versions[key].append(version)
        sources.setdefault(key, source)
    packages = tuple(
        ExportedPackage(name=key, version=" or ".join(versions[key]), source=sources[key])
        for key in sorted(versions)
    )
    return EnvExport(python=python, executable=str(path), platform="unknown", packages=packages)


def _read_pylock(path: Path, data: Mapping[str, Any]) -> EnvExport:
    from packaging.pylock import Pylock, PylockValidationError

    try:
        lock = Pylock.from_dict(data)
    except PylockValidationError as exc:
        raise PyenvlabError(f"{path} is not a valid pylock.toml (PEP 751): {_one_line(exc)}") from None
    except (TypeError, ValueError) as exc:  # a value of the wrong kind deep inside
        raise PyenvlabError(f"{path} is not a valid pylock.toml (PEP 751): {_one_line(exc)}") from None
    pins = []
    for package in lock.packages:
        if package.directory is not None:
            editable = "editable " if package.directory.editable else ""
            source = f"{editable}directory {package.directory.path}"
        elif package.vcs is not None:
            source = f"{package.vcs.type} {package.vcs.url or package.vcs.path}"
        elif package.archive is not None:
            source = f"archive {package.archive.url or package.archive.path}"
        else:
            source = package.index
        version = str(package.version) if package.version is not None else UNPINNED
        pins.append((package.name, version, source))
    ours = (lock.tool or {}).get("pyenvlab")
    ours = ours if isinstance(ours, Mapping) else {}
    python = f"requires {lock.requires_python}" if lock.requires_python else "unknown"
    exported = _merged(path, pins, str(ours.get("python") or python))
    if isinstance(ours.get("platform"), str):
        import dataclasses

        exported = dataclasses.replace(exported, platform=ours["platform"])
    return exported


def _read_uv_lock(path: Path, data: Mapping[str, Any]) -> EnvExport:
    version, packages = data.get("version"), data.get("package")
    if version != 1:
        msg = f"{path}: uv.lock version {version!r} is not supported (pyenvlab reads version 1)"
        raise PyenvlabError(msg)
    if not isinstance(packages, list) or not all(isinstance(p, dict) for p in packages):
        raise PyenvlabError(f"{path} is not a valid uv.lock: [[package]] must be a list of tables")
    pins = []
    for index, package in enumerate(packages):
        name, pinned, source = package.get("name"), package.get("version"), package.get("source") or {}
        if not isinstance(name, str) or not name or not isinstance(source, dict):
            msg = f"{path} is not a valid uv.lock: package {index + 1} has no name or a bad source"
            raise PyenvlabError(msg)
        if pinned is not None and not isinstance(pinned, str):
            raise PyenvlabError(f"{path} is not a valid uv.lock: the version of {name} is not a string")
        if "virtual" in source:
            continue  # a workspace root without a build system: uv never installs it
        kind, where = next(iter(source.items()), (None, None))
        pins.append((name, pinned or UNPINNED, f"{kind} {where}" if kind else None))
    requires = data.get("requires-python")
    return _merged(path, pins, f"requires {requires}" if isinstance(requires, str) else "unknown")


# --------------------------------------------------------------------------- writing


def toml_string(value: str) -> str:
    """``value`` as a TOML basic string: quotes, backslashes and every control character
    escaped; a lone surrogate (an undecodable file name byte) becomes U+FFFD."""
    out = ['"']
    for char in value:
        code = ord(char)
        if char in '"\\':
            out.append("\\" + char)
        elif char == "\t":
            out.append("\\t")
        elif char == "\n":
            out.append("\\n")
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\u{code:04X}")
        elif 0xD800 <= code <= 0xDFFF:
            out.append("\ufffd")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def _inline(table: Mapping[str, Any]) -> str:
    parts = []
    for key, value in table.items():
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, Mapping):
            text = _inline(value)
        else:
            text = toml_string(str(value))
        parts.append(f"{key} = {text}")
    return "{ " + ", ".join(parts) + " }"


class LockedPackage:
    """A distribution to lock: its name, version and PEP 610 ``direct_url.json`` data."""

    __slots__ = ("direct_url", "name", "version")

    def __init__(self, name: str, version: str, direct_url: Mapping[str, Any] | None = None) -> None:
        self.name, self.version, self.direct_url = name, version, direct_url


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _file_table(file: Path) -> dict[str, Any]:
    """A wheel's or sdist's table: its name, absolute path and sha256."""
    return {"name": file.name, "path": str(file), "hashes": {"sha256": _sha256(file)}}


def _files_by_release(find_links: Sequence[str | os.PathLike[str]]) -> dict[tuple[str, str], list[Path]]:
    """(name, version) -> the wheels and sdists of that release in the ``find_links`` dirs."""
    from packaging.utils import (
        InvalidSdistFilename,
        InvalidWheelFilename,
        parse_sdist_filename,
        parse_wheel_filename,
    )

    found: dict[tuple[str, str], list[Path]] = {}
    for directory in find_links:
        folder = Path(directory)
        if not folder.is_dir():
            raise PyenvlabError(f"--find-links {folder} is not a directory")
        for file in sorted(folder.iterdir()):
            try:
                if file.name.endswith(".whl"):
                    name, version, _, _ = parse_wheel_filename(file.name)
                elif file.name.endswith((".tar.gz", ".zip")):
                    name, version = parse_sdist_filename(file.name)
                else:
                    continue
            except (InvalidWheelFilename, InvalidSdistFilename):
                continue
            if file.is_file():
                found.setdefault((name, str(version)), []).append(file.absolute())
    return found


def _direct_source(direct: Mapping[str, Any]) -> str | None:
    """The pylock source table (``directory``, ``vcs``, ``archive``) of a PEP 610 record, as
    TOML lines; ``None`` when it cannot name one (an archive without a hash)."""
    from urllib.parse import unquote, urlparse

    url = direct.get("url")
    if not isinstance(url, str):
        return None
    parsed = urlparse(url)
    local = unquote(parsed.path) if parsed.scheme == "file" else None
    if isinstance(direct.get("dir_info"), dict):
        table: dict[str, Any] = {"path": local} if local else {"url": url}
        if direct["dir_info"].get("editable"):
            table["editable"] = True
        return f"directory = {_inline(table)}"
    if isinstance(direct.get("vcs_info"), dict):
        info = direct["vcs_info"]
        table = {"type": str(info.get("vcs", "git")), "url": url}
        if info.get("requested_revision"):
            table["requested-revision"] = str(info["requested_revision"])
        table["commit-id"] = str(info.get("commit_id", ""))
        return f"vcs = {_inline(table)}"
    if isinstance(direct.get("archive_info"), dict):
        info = direct["archive_info"]
        hashes = dict(info.get("hashes") or {})
        if not hashes and isinstance(info.get("hash"), str) and "=" in info["hash"]:
            algorithm, _, value = info["hash"].partition("=")
            hashes = {algorithm: value}
        if not hashes:
            return None
        table = {"path": local} if local else {"url": url}
        table["hashes"] = {str(k): str(v) for k, v in hashes.items()}
        return f"archive = {_inline(table)}"
    return None


def write_pylock(
    packages: Sequence[LockedPackage],
    *,
    find_links: Sequence[str | os.PathLike[str]] = (),
    comment: str = "",
    python: str | None = None,
    platform: str | None = None,
) -> str:
    """A ``pylock.toml`` (PEP 751, lock-version 1.0) pinning ``packages``.

    Each package's source is its install-time direct URL when it has one, else every wheel and
    sdist of that exact release in ``find_links`` (absolute paths, sha256 hashes). ``python``
    and ``platform`` (the exported environment's) go to ``[tool.pyenvlab]``, where
    :func:`read_lock` finds them again. The text is checked with ``packaging.pylock`` before
    it is returned.

    Raises:
        PyenvlabError: a package has no file to lock (named, with how to provide it).
    """
    from packaging.utils import canonicalize_name
    from packaging.version import InvalidVersion, Version

    files = _files_by_release(find_links)
    lines = [f"# {line}" for line in comment.splitlines()]
    lines += ['lock-version = "1.0"', 'created-by = "pyenvlab"', ""]
    missing = []
    for package in sorted(packages, key=lambda p: canonicalize_name(p.name)):
        name = canonicalize_name(package.name)
        direct = _direct_source(package.direct_url) if package.direct_url else None
        try:
            version = str(Version(package.version))
        except InvalidVersion:
            version = package.version
        block = ["[[packages]]", f"name = {toml_string(name)}"]
        if direct is not None:
            if not direct.startswith(("directory", "vcs")):  # a source tree pins no version (PEP 751)
                block.append(f"version = {toml_string(version)}")
            block.append(direct)
        else:
            release = files.get((name, version), [])
            if not release:
                missing.append(f"{name} {package.version}")
                continue
            block.append(f"version = {toml_string(version)}")
            wheels = [f for f in release if f.name.endswith(".whl")]
            sdists = [f for f in release if not f.name.endswith(".whl")]
            if sdists:
                block.append(f"sdist = {_inline(_file_table(sdists[0]))}")
            if wheels:
                block += ["wheels = [", *(f"    {_inline(_file_table(w))}," for w in wheels), "]"]
        lines += [*block, ""]
    if missing:
        where = ", ".join(os.fspath(d) for d in find_links) or "no --find-links directory"
        named = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        raise PyenvlabError(
            f"cannot write a pylock.toml: no file with a hash for {named} (looked in {where});"
            " a lock names each package's wheel or sdist: put them in a directory"
            " (`pip download --no-deps -d DIR NAME==VERSION`) and pass --find-links DIR"
        )
    tool = {key: value for key, value in (("python", python), ("platform", platform)) if value}
    if tool:
        lines += ["[tool.pyenvlab]", *(f"{key} = {toml_string(value)}" for key, value in tool.items())]
    text = "\n".join(lines).rstrip("\n") + "\n"
    _check_pylock(text)
    return text


def _check_pylock(text: str) -> None:
    """Validate our own output with the PyPA's reader (where tomllib exists, 3.11+)."""
    try:
        import tomllib
    except ImportError:
        return
    from packaging.pylock import Pylock

    Pylock.from_dict(tomllib.loads(text))
