"""What a compiled component needs from the system, read from its ELF files without running them.

:func:`abi` answers the questions behind "version `GLIBC_2.29' not found": which glibc (and
libstdc++) versions an extension module requires, *which symbol* needs each version (the question
auditwheel#36 left open), which shared libraries it needs and how the dynamic loader would find
each one (DT_RPATH, ``LD_LIBRARY_PATH``, DT_RUNPATH, ``/etc/ld.so.cache``, the default
directories, in the loader's order), whether those libraries define the required versions, and
how a wheel's tags compare with :func:`packaging.tags.sys_tags`. The verdict ``loads_here`` comes
with the problems that decide it, as data (:class:`~pyenvlab.anatomy.records.AbiProblem`); the
plain-words explanation is written by :mod:`pyenvlab.render.anatomy_views`.

The needed libraries of the inspected files are resolved one level deep (the libraries those
libraries need are the system's business, and ``ldd`` would execute the file to list them).

Example:
    >>> report = abi("math")                                          # doctest: +SKIP
    >>> report.glibc_required, [s.symbol for s in report.symbols]     # doctest: +SKIP
    ('2.29', ['exp2', 'log2', 'pow', 'exp', 'log'])
"""

from __future__ import annotations

import dataclasses
import difflib
import importlib.machinery
import importlib.util
import os
import platform
import re
import struct
import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path

from pyenvlab.anatomy.elf import MACHINES, ElfError, ElfInfo, is_elf, read_elf, rewrite_version_need
from pyenvlab.anatomy.records import AbiFile, AbiProblem, AbiReport, LibraryResolution, SymbolNeed, TagCheck
from pyenvlab.errors import PyenvlabError

__all__ = ["abi", "glibc_version", "ld_so_cache", "make_too_new_copy", "resolve_library"]

_GLIBC = re.compile(r"^GLIBC_(\d+(?:\.\d+)+)$")
_GLIBCXX = re.compile(r"^GLIBCXX_(\d+(?:\.\d+)+)$")
_MANYLINUX = re.compile(r"^manylinux_(\d+)_(\d+)_(.+)$")
_LEGACY_MANYLINUX = {"manylinux1": (2, 5), "manylinux2010": (2, 12), "manylinux2014": (2, 17)}


def glibc_version() -> str | None:
    """The running C library's glibc version (``"2.36"``), or ``None`` (musl, macOS...)."""
    try:
        value = os.confstr("CS_GNU_LIBC_VERSION")
    except (AttributeError, ValueError, OSError):
        return None
    if not value or not value.startswith("glibc "):
        return None
    return value.split()[1]


def _vkey(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split("."))


def _max_version(names: list[str], pattern: re.Pattern[str]) -> str | None:
    versions = [m.group(1) for m in map(pattern.match, names) if m]
    return max(versions, key=_vkey) if versions else None


# --------------------------------------------------------------------------- the loader's search

_cache_memo: dict[tuple[str, float], dict[str, list[str]]] = {}


def ld_so_cache(path: str = "/etc/ld.so.cache") -> dict[str, list[str]]:
    """Library name -> paths listed in the loader's cache (the new ``glibc-ld.so.cache1.1`` format).

    Returns an empty mapping when the cache is missing or in a format we do not read.
    """
    try:
        stat = os.stat(path)
        data = Path(path).read_bytes()
    except OSError:
        return {}
    memo = _cache_memo.get((path, stat.st_mtime))
    if memo is not None:
        return memo
    magic = b"glibc-ld.so.cache1.1"
    start = data.find(magic)
    result: dict[str, list[str]] = {}
    if start >= 0:
        try:
            nlibs = struct.unpack_from("<I", data, start + len(magic))[0]
            entry = start + 48
            for index in range(nlibs):
                _flags, key, value, _os, _hwcap = struct.unpack_from("<iIIIQ", data, entry + 24 * index)
                name = data[start + key : data.index(b"\0", start + key)].decode("utf-8", "replace")
                target = data[start + value : data.index(b"\0", start + value)].decode("utf-8", "replace")
                result.setdefault(name, []).append(target)
        except (struct.error, ValueError):
            result = {}
    _cache_memo[(path, stat.st_mtime)] = result
    return result


def _default_dirs(bits: int) -> list[str]:
    arch = platform.machine()
    multiarch = [f"/lib/{arch}-linux-gnu", f"/usr/lib/{arch}-linux-gnu"]
    return [*multiarch, "/lib64", "/usr/lib64"] if bits == 64 else [*multiarch, "/lib", "/usr/lib"]


def _expand(entry: str, origin: str, bits: int) -> str:
    lib = "lib64" if bits == 64 else "lib"
    for token, value in (("ORIGIN", origin), ("LIB", lib), ("PLATFORM", platform.machine())):
        entry = entry.replace("${" + token + "}", value).replace("$" + token, value)
    return entry


def _compatible(path: str, info: ElfInfo) -> bool:
    try:
        with open(path, "rb") as stream:
            head = stream.read(20)
    except OSError:
        return False
    if len(head) < 20 or head[:4] != b"\x7fELF":
        return False
    bits = 64 if head[4] == 2 else 32
    machine = struct.unpack_from("<H" if head[5] == 1 else ">H", head, 18)[0]
    return bits == info.elf_class and MACHINES.get(machine, f"machine {machine}") == info.machine


def _loaded_libraries() -> dict[str, str]:
    """Shared libraries mapped into this process (name -> path), from /proc/self/maps."""
    found: dict[str, str] = {}
    try:
        text = Path("/proc/self/maps").read_text()
    except OSError:
        return found
    for line in text.splitlines():
        parts = line.split(None, 5)
        if len(parts) == 6 and parts[5].startswith("/") and ".so" in parts[5]:
            found.setdefault(os.path.basename(parts[5]), parts[5])
    return found


def resolve_library(
    name: str,
    needed_by: ElfInfo,
    *,
    environ: Mapping[str, str] | None = None,
    in_this_process: bool = False,
) -> LibraryResolution:
    """Find the library ``name`` the way the dynamic loader would for ``needed_by``, without
    loading anything: DT_RPATH (only when there is no DT_RUNPATH), ``LD_LIBRARY_PATH``,
    DT_RUNPATH, ``/etc/ld.so.cache``, then the default directories.

    ``in_this_process``: the file is an extension of this interpreter, so a library already
    mapped here (such as libpython) counts as found (``how="loaded"``).
    """
    environ = os.environ if environ is None else environ
    origin = os.path.dirname(os.path.abspath(needed_by.path))
    if "/" in name:
        found = name if os.path.exists(name) else None
        return LibraryResolution(name, needed_by.path, found, "path" if found else "not found", (name,))
    searched: list[str] = []

    def look(dirs: list[str], how: str) -> LibraryResolution | None:
        for raw in dirs:
            directory = _expand(raw, origin, needed_by.elf_class) or "."
            candidate = os.path.join(directory, name)
            searched.append(directory)
            if os.path.isfile(candidate) and _compatible(candidate, needed_by):
                return LibraryResolution(name, needed_by.path, candidate, how, tuple(searched[:-1]))  # type: ignore[arg-type]
        return None

    steps: list[tuple[list[str], str]] = []
    if not needed_by.runpath:
        steps.append((needed_by.rpath, "rpath"))
    library_path = environ.get("LD_LIBRARY_PATH", "")
    if library_path:
        steps.append((re.split(r"[:;]", library_path), "LD_LIBRARY_PATH"))
    steps.append((needed_by.runpath, "runpath"))
    for dirs, how in steps:
        hit = look(dirs, how)
        if hit is not None:
            return hit
    for candidate in ld_so_cache().get(name, []):
        if _compatible(candidate, needed_by):
            return LibraryResolution(name, needed_by.path, candidate, "ld.so.cache", tuple(searched))
    searched.append("/etc/ld.so.cache")
    hit = look(_default_dirs(needed_by.elf_class), "default")
    if hit is not None:
        return hit
    if in_this_process:
        path = _loaded_libraries().get(name)
        if path:
            return LibraryResolution(name, needed_by.path, path, "loaded", tuple(searched))
    return LibraryResolution(name, needed_by.path, None, "not found", tuple(searched))


def make_too_new_copy(
    extension: str | os.PathLike[str], directory: str | os.PathLike[str], *, version: str = "GLIBC_2.99"
) -> Path:
    """Copy an extension module (a module name or a ``.so`` path) into ``directory`` and make the
    copy require ``version`` instead of its newest ``GLIBC_2.x`` requirement.

    This reproduces "version `GLIBC_2.99' not found" on any machine: put ``directory`` first on
    ``sys.path`` in a fresh interpreter and import the module.

    Raises:
        PyenvlabError: if the module is not a single extension file, or needs no GLIBC version
            whose name is at least as long as ``version``.
    """
    import shutil

    text = os.fspath(extension)
    if os.sep in text or os.path.isfile(text):
        source = text
    else:
        files = _module_files(text)
        if not files or len(files) != 1:
            raise PyenvlabError(f"{text!r} is not a module made of one extension file")
        source = files[0]
    needs = [v for vs in read_elf(source).version_needs.values() for v in vs if _GLIBC.match(v)]
    fitting = [v for v in needs if len(v) >= len(version)]
    if not fitting:
        raise PyenvlabError(f"{source} requires no GLIBC version that {version!r} can replace in place")
    old = max(fitting, key=lambda v: _vkey(v[6:]))
    Path(directory).mkdir(parents=True, exist_ok=True)
    target = Path(directory) / os.path.basename(source)
    shutil.copy2(source, target)
    rewrite_version_need(target, old, version)
    return target


# --------------------------------------------------------------------------- targets


def _package_files(directories: list[str]) -> list[str]:
    found = []
    for directory in directories:
        for root, dirs, files in os.walk(directory):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            found += [
                os.path.join(root, f) for f in sorted(files) if ".so" in f and is_elf(os.path.join(root, f))
            ]
    return found


def _module_files(name: str) -> list[str] | None:
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    if spec.origin in ("built-in", "frozen"):
        raise PyenvlabError(
            f"module {name!r} is {spec.origin} (compiled into the interpreter): it has no file of its own"
        )
    if spec.submodule_search_locations:
        return _package_files(list(spec.submodule_search_locations))
    if spec.origin and is_elf(spec.origin):
        return [spec.origin]
    return []


def _distribution_files(name: str) -> tuple[list[str], list[str]] | None:
    from importlib import metadata

    try:
        dist = metadata.distribution(name)
    except metadata.PackageNotFoundError:
        return None
    files = [str(f.locate()) for f in dist.files or () if ".so" in f.name]
    wheel = dist.read_text("WHEEL") or ""
    tags = [line.split(":", 1)[1].strip() for line in wheel.splitlines() if line.startswith("Tag:")]
    return [f for f in files if is_elf(f)], tags


def _owner_tags(module: str) -> list[str]:
    """The wheel tags of the distribution that installed ``module`` (none for the stdlib)."""
    from importlib import metadata

    owners = metadata.packages_distributions().get(module.partition(".")[0], [])
    for owner in owners:
        found = _distribution_files(owner)
        if found and found[1]:
            return found[1]
    return []


def _tag_checks(tags: list[str], glibc_here: str | None) -> list[TagCheck]:
    from packaging.tags import parse_tag, sys_tags

    supported = set(sys_tags())
    checks = []
    for tag in tags:
        parsed = parse_tag(tag)
        if parsed & supported:
            checks.append(TagCheck(tag, True, "accepted by this interpreter (packaging.tags.sys_tags)"))
            continue
        sample = next(iter(parsed))
        reasons = []
        here = {t.interpreter for t in supported}
        if not any(t.interpreter in here for t in parsed):
            reasons.append(
                f"built for {sample.interpreter}, this interpreter accepts {_interp_summary(supported)}"
            )
        platforms = {t.platform for t in parsed}
        if not any(t.platform in {s.platform for s in supported} for t in parsed):
            for plat in sorted(platforms):
                match = _MANYLINUX.match(plat)
                legacy = next((v for k, v in _LEGACY_MANYLINUX.items() if plat.startswith(k)), None)
                needed = (int(match.group(1)), int(match.group(2))) if match else legacy
                if needed and glibc_here and needed > _vkey(glibc_here)[:2]:
                    reasons.append(
                        f"{plat} needs glibc {needed[0]}.{needed[1]}, this system has {glibc_here}"
                    )
                else:
                    reasons.append(
                        f"platform {plat} is not this one ({platform.system()} {platform.machine()})"
                    )
        if not reasons:
            reasons.append(f"ABI {sample.abi} is not accepted here")
        checks.append(TagCheck(tag, False, "; ".join(reasons)))
    return checks


def _interp_summary(supported: set) -> str:
    names = sorted({t.interpreter for t in supported})
    return ", ".join(names[:3]) + ("..." if len(names) > 3 else "")


def _suffix_check(path: str) -> TagCheck | None:
    """Whether ``import`` would find this file as an extension module here; ``None`` for a plain
    shared library (``libfoo.so.1``), which is not imported by name."""
    name = os.path.basename(path)
    if not name.endswith(".so") or name.startswith("lib"):
        return None
    suffix = name[name.index(".") :]
    if suffix in importlib.machinery.EXTENSION_SUFFIXES:
        return TagCheck(suffix, True, "an extension suffix this interpreter imports")
    wanted = ", ".join(importlib.machinery.EXTENSION_SUFFIXES)
    return TagCheck(suffix, False, f"import here looks only for the suffixes {wanted}")


def _resolve_target(target: str | os.PathLike[str]) -> tuple[str, list[str], list[str], str | None]:
    """(kind, elf files, wheel tags, temporary directory to strip from paths)."""
    text = os.fspath(target)
    if text.endswith(".whl"):
        if not os.path.isfile(text):
            raise PyenvlabError(f"no such wheel file: {text}")
        return "wheel", [], [], None
    if os.sep in text or os.path.isfile(text):
        if not os.path.isfile(text):
            raise PyenvlabError(f"no such file: {text}")
        if not is_elf(text):
            raise PyenvlabError(f"{text} is not an ELF file (an extension module or shared library)")
        return "file", [os.path.abspath(text)], [], None
    files = _module_files(text)
    if files:
        return "module", files, _owner_tags(text), None
    dist = _distribution_files(text)
    if dist is not None:
        if not dist[0]:
            raise PyenvlabError(f"distribution {text!r} has no compiled files (it is pure Python)")
        return "distribution", dist[0], dist[1], None
    if files is not None:
        raise PyenvlabError(f"module {text!r} is pure Python: it has no compiled files")
    raise _unknown_target(text)


def _unknown_target(text: str) -> PyenvlabError:
    import pkgutil

    names = [m.name for m in pkgutil.iter_modules()]
    close = difflib.get_close_matches(text, names, n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    return PyenvlabError(
        f"{text!r} is not an importable module, an installed distribution, an ELF file or a wheel{hint}"
    )


def abi(target: str | os.PathLike[str], *, environ: Mapping[str, str] | None = None) -> AbiReport:
    """Inspect the compiled parts of a module, an extension file, a distribution or a wheel.

    Args:
        target: a module name (``"math"``, ``"numpy"``: every extension inside a package), a path
            to a ``.so`` file, an installed distribution name, or a path to a ``.whl`` file.
        environ: the environment whose ``LD_LIBRARY_PATH`` the loader would see (default: ours).

    Raises:
        PyenvlabError: for a target that is none of those, or is pure Python.
    """
    kind, files, tags, _ = _resolve_target(target)
    if kind == "wheel":
        with tempfile.TemporaryDirectory(prefix="pyenvlab-wheel-") as tmp:
            return _wheel_report(os.fspath(target), Path(tmp), environ)
    suffixes = {c.tag: c for c in map(_suffix_check, files) if c}  # one line per distinct suffix
    tag_checks = _tag_checks(tags, glibc_version()) + list(suffixes.values())
    return _report(os.fspath(target), kind, files, tag_checks, environ, in_this_process=kind == "module")


def _wheel_report(wheel: str, tmp: Path, environ: Mapping[str, str] | None) -> AbiReport:
    from packaging.utils import InvalidWheelFilename, parse_wheel_filename

    try:
        _name, _version, _build, tagset = parse_wheel_filename(os.path.basename(wheel))
    except InvalidWheelFilename as exc:
        raise PyenvlabError(f"{wheel}: {exc}") from None
    try:
        with zipfile.ZipFile(wheel) as archive:
            members = [m for m in archive.namelist() if ".so" in os.path.basename(m) and not m.endswith("/")]
            for member in members:
                archive.extract(member, tmp)
    except (zipfile.BadZipFile, OSError) as exc:
        raise PyenvlabError(f"{wheel} is not a readable wheel: {exc}") from None
    files = [str(tmp / m) for m in members if is_elf(tmp / m)]
    tags = sorted(str(t) for t in tagset)
    report = _report(
        wheel, "wheel", files, _tag_checks(tags, glibc_version()), environ, in_this_process=False
    )
    prefix = str(tmp) + os.sep
    return AbiReport.from_data(_strip(report.to_data(), prefix, os.path.basename(wheel) + "!/"))


def _strip(data: object, prefix: str, replacement: str) -> object:
    if isinstance(data, str):
        return data.replace(prefix, replacement)
    if isinstance(data, list):
        return [_strip(d, prefix, replacement) for d in data]
    if isinstance(data, dict):
        return {k: _strip(v, prefix, replacement) for k, v in data.items()}
    return data


def _report(
    target: str,
    kind: str,
    paths: list[str],
    tags: list[TagCheck],
    environ: Mapping[str, str] | None,
    *,
    in_this_process: bool,
) -> AbiReport:
    """Read every file of ``paths``, resolve what each needs, and collect the problems."""
    files: list[AbiFile] = []
    libraries: list[LibraryResolution] = []
    too_new: list[SymbolNeed] = []
    problems: list[AbiProblem] = []
    linker = _Linker(environ, in_this_process=in_this_process, inspected=paths)
    for path in paths:
        try:
            info = read_elf(path)
        except ElfError as exc:
            problems.append(AbiProblem("unreadable", file=path, detail=str(exc)))
            continue
        file = _abi_file(path, info)
        files.append(file)
        problems += _machine_problems(file)
        for name in info.needed:
            resolution, problem = linker.resolve(name, info)
            libraries.append(resolution)
            if problem is not None:
                problems.append(problem)
            too_new += [
                s for s in file.symbols if s.library == name and s.version in resolution.missing_versions
            ]
    problems += _tag_problems(tags)
    all_needs = [v for f in files for versions in f.version_needs.values() for v in versions]
    glibc_required = _max_version(all_needs, _GLIBC)
    critical = tuple(
        s for f in files for s in f.symbols if glibc_required and s.version == f"GLIBC_{glibc_required}"
    )
    return AbiReport(
        target=target,
        kind=kind,  # type: ignore[arg-type]
        files=tuple(files),
        glibc_required=glibc_required,
        glibcxx_required=_max_version(all_needs, _GLIBCXX),
        glibc_here=glibc_version(),
        symbols=critical,
        too_new=tuple(too_new),
        libraries=tuple(libraries),
        tags=tuple(tags),
        loads_here=not problems,
        problems=tuple(problems),
    )


def _abi_file(path: str, info: ElfInfo) -> AbiFile:
    """The dynamic-linking facts of one read ELF file."""
    names = [v for versions in info.version_needs.values() for v in versions]
    return AbiFile(
        path=path,
        machine=info.machine,
        needed=tuple(info.needed),
        rpath=tuple(info.rpath),
        runpath=tuple(info.runpath),
        version_needs={k: tuple(v) for k, v in info.version_needs.items()},
        symbols=tuple(SymbolNeed(s.symbol, s.version, s.library, s.weak, path) for s in info.symbols),
        glibc_required=_max_version(names, _GLIBC),
        glibcxx_required=_max_version(names, _GLIBCXX),
    )


def _machine_problems(file: AbiFile) -> list[AbiProblem]:
    """A file built for another machine than this one (an x86 file runs on i686 and i386)."""
    here = platform.machine()
    if file.machine == here or (file.machine == "x86" and here in ("i686", "i386")):
        return []
    return [AbiProblem("machine", file=file.path, detail=file.machine, here=here)]


class _Linker:
    """Resolves needed libraries like the dynamic loader, reading each library's version
    definitions once."""

    def __init__(
        self, environ: Mapping[str, str] | None, *, in_this_process: bool, inspected: list[str]
    ) -> None:
        self.environ = environ
        self.in_this_process = in_this_process
        self.inspected = {os.path.basename(p) for p in inspected}
        self.definitions: dict[str, set[str]] = {}

    def defined(self, path: str) -> set[str]:
        """The symbol versions the library at ``path`` defines (none when it cannot be read)."""
        if path not in self.definitions:
            try:
                self.definitions[path] = set(read_elf(path).version_definitions)
            except ElfError:
                self.definitions[path] = set()
        return self.definitions[path]

    def resolve(self, name: str, info: ElfInfo) -> tuple[LibraryResolution, AbiProblem | None]:
        """How ``info`` finds ``name``, with the versions it lacks, and the problem that makes."""
        found = resolve_library(name, info, environ=self.environ, in_this_process=self.in_this_process)
        wanted = info.version_needs.get(name, [])
        if found.path is None:
            if name in self.inspected:  # the library is one of the inspected files itself
                return found, None
            return found, AbiProblem("not-found", file=info.path, library=name, searched=found.searched)
        missing = tuple(v for v in wanted if v not in self.defined(found.path)) if wanted else ()
        if not missing:
            return found, None
        found = dataclasses.replace(found, missing_versions=missing)
        blocking = tuple(v for v in missing if (name, v) not in info.weak_versions)
        if not blocking:  # only weak references lack a definition: the loader lets them be
            return found, None
        return found, AbiProblem(
            "missing-version", file=info.path, library=name, versions=blocking, path=found.path
        )


def _tag_problems(tags: list[TagCheck]) -> list[AbiProblem]:
    """An extension suffix import does not look for, and wheel tags none of which fits."""
    problems = [AbiProblem("suffix", tag=t.tag) for t in tags if t.tag.startswith(".") and not t.supported]
    wheel_tags = [t for t in tags if not t.tag.startswith(".")]
    if wheel_tags and not any(t.supported for t in wheel_tags):
        problems.append(AbiProblem("wheel-tags", tag=wheel_tags[0].tag))
    return problems
