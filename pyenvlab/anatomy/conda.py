"""Conda environments: what ``conda-meta`` says about a prefix, and a real one made offline.

:func:`conda_env` reads ``<prefix>/conda-meta/*.json``, the records conda (and mamba, pixi,
rattler) write for every linked package: name, version, build string, channel, dependencies, and
every file the package put into the prefix, including non-Python shared libraries (a CUDA
runtime, OpenSSL, libstdc++...) that pip environments leave to the system.

For demos and tests without network, :func:`build_demo_channel` makes a local channel on the fly:
two build variants of a small package that ships a compiled shared library (built with ``gcc``),
and a program linked against it, indexed by ``rattler.index``; :func:`create_env` then solves and
installs specs into a prefix with py-rattler, a real conda-ecosystem solver and installer.

Example:
    >>> env = conda_env("/opt/conda")                                 # doctest: +SKIP
    >>> env.package("openssl").shared_libraries                       # doctest: +SKIP
    ('lib/libcrypto.so.3', 'lib/libssl.so.3')
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any, TypeVar

from pyenvlab.anatomy.records import CondaEnv, CondaPackage
from pyenvlab.errors import PyenvlabError

T = TypeVar("T")

__all__ = ["build_demo_channel", "conda_env", "create_env"]

_SHARED = re.compile(r"\.(so(\.\d+)*|dylib|dll)$")


def _channel_name(record: dict[str, Any]) -> str:
    channel = str(record.get("channel") or record.get("schannel") or "")
    match = re.match(r"https?://conda\.anaconda\.org/([^/]+)", channel)
    if match:
        return match.group(1)
    return channel.rstrip("/") or "unknown"


def conda_env(prefix: str | os.PathLike[str] | None = None) -> CondaEnv:
    """The packages of a conda environment, from its ``conda-meta`` directory.

    ``prefix`` defaults to the active conda environment (``$CONDA_PREFIX``), else this
    interpreter's ``sys.prefix`` (on Binder: the image's own conda environment).

    Raises:
        PyenvlabError: if ``prefix`` has no ``conda-meta`` directory, or a record is unreadable.
    """
    if prefix is None:
        prefix = os.environ.get("CONDA_PREFIX") or sys.prefix
    root = Path(prefix)
    meta = root / "conda-meta"
    if not meta.is_dir():
        raise PyenvlabError(f"{root} is not a conda environment (it has no conda-meta directory)")
    packages = []
    for record_file in sorted(meta.glob("*.json")):
        try:
            record = json.loads(record_file.read_text(encoding="utf-8"))
            files = tuple(str(f) for f in record.get("files", ()))
            requested = bool(record.get("requested_spec") or record.get("requested_specs"))
            packages.append(
                CondaPackage(
                    name=str(record["name"]),
                    version=str(record["version"]),
                    build=str(record.get("build", "")),
                    build_number=int(record.get("build_number", 0)),
                    channel=_channel_name(record),
                    subdir=str(record.get("subdir", "")),
                    depends=tuple(str(d) for d in record.get("depends", ())),
                    files=files,
                    shared_libraries=tuple(f for f in files if _SHARED.search(f)),
                    requested=requested,
                )
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise PyenvlabError(f"{record_file} is not a conda package record: {exc}") from None
    history: tuple[str, ...] = ()
    history_file = meta / "history"
    if history_file.is_file():
        lines = history_file.read_text(encoding="utf-8", errors="replace").splitlines()
        history = tuple(line for line in lines if line.startswith(("==>", "# cmd:", "# update specs:")))
    packages.sort(key=lambda p: p.name)
    return CondaEnv(prefix=str(root), packages=tuple(packages), history=history)


# --------------------------------------------------------------------------- a channel made on the fly

_LIB_SOURCE = 'const char *demo_variant(void) { return "%s"; }\nint demo_answer(void) { return 42; }\n'
_APP_SOURCE = """#include <stdio.h>
const char *demo_variant(void);
int demo_answer(void);
int main(void) { printf("%s %d\\n", demo_variant(), demo_answer()); return 0; }
"""


def _subdir() -> str:
    import rattler

    return str(rattler.Subdir.current())


def _package(out_dir: Path, index: dict[str, Any], files: dict[str, tuple[bytes, int]]) -> Path:
    """Write ``name-version-build.tar.bz2`` (the classic conda format) with info/ metadata."""
    paths = [
        {
            "_path": name,
            "path_type": "hardlink",
            "sha256": hashlib.sha256(data).hexdigest(),
            "size_in_bytes": len(data),
        }
        for name, (data, _mode) in sorted(files.items())
    ]
    info = {
        "info/index.json": json.dumps(index, indent=1).encode(),
        "info/files": ("\n".join(sorted(files)) + "\n").encode(),
        "info/paths.json": json.dumps({"paths": paths, "paths_version": 1}, indent=1).encode(),
        "info/about.json": json.dumps({"summary": "pyenvlab demo package", "license": "MIT"}).encode(),
    }
    target = out_dir / f"{index['name']}-{index['version']}-{index['build']}.tar.bz2"
    with tarfile.open(target, "w:bz2") as archive:
        for name, (data, mode) in [*((k, (v, 0o644)) for k, v in info.items()), *sorted(files.items())]:
            member = tarfile.TarInfo(name)
            member.size = len(data)
            member.mode = mode
            member.mtime = 1_700_000_000
            archive.addfile(member, io.BytesIO(data))
    return target


def build_demo_channel(directory: str | os.PathLike[str]) -> Path:
    """Build a local conda channel in ``directory`` and return it.

    It holds ``libdemo 1.0`` in two build variants (``fast_1``: ``-O2``, and ``debug_0``: ``-O0 -g``;
    each ships ``lib/libdemo.so``, whose ``demo_variant()`` names the variant) and ``demo-cli 1.0``,
    a program in ``bin/`` linked against libdemo through ``RUNPATH=$ORIGIN/../lib`` as conda
    packages are. Needs ``gcc`` and py-rattler (for ``rattler.index``).

    Raises:
        PyenvlabError: if gcc or py-rattler is missing, or compiling fails.
    """
    if shutil.which("gcc") is None:
        raise PyenvlabError("building the demo channel needs gcc (apt-get install gcc)")
    try:
        from rattler.index import index_fs
    except ImportError:
        raise PyenvlabError("building the demo channel needs py-rattler (pip install py-rattler)") from None
    channel = Path(directory)
    subdir = _subdir()
    out = channel / subdir
    out.mkdir(parents=True, exist_ok=True)
    (channel / "noarch").mkdir(exist_ok=True)
    platform_name, _, arch = subdir.partition("-")
    base = {
        "version": "1.0",
        "subdir": subdir,
        "platform": platform_name,
        "arch": "x86_64" if arch == "64" else arch,
        "license": "MIT",
        "timestamp": 1_700_000_000_000,
    }
    with tempfile.TemporaryDirectory(prefix="pyenvlab-conda-build-") as tmp:
        work = Path(tmp)

        def cc(source: str, output: Path, *flags: str) -> bytes:
            src = output.with_suffix(".c")
            src.write_text(source)
            done = subprocess.run(
                ["gcc", "-o", str(output), str(src), *flags], capture_output=True, text=True, check=False
            )
            if done.returncode != 0:
                raise PyenvlabError(f"gcc failed: {done.stderr.strip()[-300:]}")
            return output.read_bytes()

        for build, number, flags in (("fast_1", 1, ["-O2"]), ("debug_0", 0, ["-O0", "-g"])):
            lib = cc(
                _LIB_SOURCE % build.split("_")[0],
                work / f"libdemo-{build}.so",
                "-shared",
                "-fPIC",
                "-Wl,-soname,libdemo.so",
                *flags,
            )
            _package(
                out,
                {**base, "name": "libdemo", "build": build, "build_number": number, "depends": []},
                {"lib/libdemo.so": (lib, 0o755)},
            )
        shutil.copy(work / "libdemo-fast_1.so", work / "libdemo.so")
        app = cc(
            _APP_SOURCE,
            work / "demo-cli",
            "-L",
            str(work),
            "-ldemo",
            "-Wl,-rpath,$ORIGIN/../lib",
            "-Wl,--enable-new-dtags",
        )
        _package(
            out,
            {**base, "name": "demo-cli", "build": "0", "build_number": 0, "depends": ["libdemo 1.0.*"]},
            {"bin/demo-cli": (app, 0o755)},
        )
    _run_coroutine(lambda: index_fs(channel, write_zst=False, write_shards=False))
    return channel


def create_env(
    prefix: str | os.PathLike[str],
    specs: Sequence[str],
    channels: Sequence[str | os.PathLike[str]],
    *,
    cache_dir: str | os.PathLike[str] | None = None,
) -> CondaEnv:
    """Solve ``specs`` against ``channels`` (local directories or URLs) and install them into
    ``prefix`` with py-rattler; return the resulting environment read back from ``conda-meta``.

    Raises:
        PyenvlabError: if py-rattler is missing or the specs cannot be solved.
    """
    try:
        import rattler
    except ImportError:
        raise PyenvlabError(
            "creating a conda environment needs py-rattler (pip install py-rattler)"
        ) from None
    sources = [
        rattler.Channel(Path(c).absolute().as_uri() if os.path.isdir(c) else str(c))
        for c in map(os.fspath, channels)
    ]

    async def go(cache: str) -> None:
        try:
            records = await rattler.solve(
                sources=sources, specs=list(specs), platforms=[_subdir(), "noarch"], virtual_packages=[]
            )
        except Exception as exc:  # rattler raises its own exception types (SolverError, ...)
            raise PyenvlabError(
                f"cannot solve {', '.join(specs)}: {str(exc).strip().splitlines()[0]}"
            ) from None
        await rattler.install(records, target_prefix=prefix, cache_dir=cache, show_progress=False)

    if cache_dir is not None:
        _run_coroutine(lambda: go(os.fspath(cache_dir)))
    else:
        with tempfile.TemporaryDirectory(prefix="pyenvlab-rattler-cache-") as cache:
            _run_coroutine(lambda: go(cache))
    return conda_env(prefix)


def _run_coroutine(make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run py-rattler's coroutine to completion, also where an event loop is already running
    (a Jupyter kernel runs one: there ``asyncio.run`` refuses, so a helper thread runs it)."""
    import asyncio
    import threading

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make())
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = asyncio.run(make())
        except BaseException as exc:  # re-raised in the caller's thread
            outcome["error"] = exc

    worker = threading.Thread(target=run, name="pyenvlab-rattler")
    worker.start()
    worker.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]
