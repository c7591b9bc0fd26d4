"""Shared fixtures. The autouse guard checks that no test leaves import state changed."""

from __future__ import annotations

import builtins
import importlib._bootstrap_external as _external
import shutil
import subprocess
import sys
import zipimport
from importlib import _bootstrap
from pathlib import Path

import pytest

PYENV_VERSIONS = ("3.10", "3.11", "3.12", "3.13")


def _import_state() -> dict[str, object]:
    return {
        "__import__": builtins.__import__,
        "meta_path": list(sys.meta_path),
        "path_hooks": list(sys.path_hooks),
        "_find_and_load": _bootstrap._find_and_load,
        "_find_spec": _bootstrap._find_spec,
        "_exec": _bootstrap._exec,
        "_path_stat": _external._path_stat,
        "_path_importer_cache": _external.PathFinder.__dict__["_path_importer_cache"],
        "_fill_cache": _external.FileFinder._fill_cache,
        "FileFinder.find_spec": _external.FileFinder.find_spec,
        "zipimporter.find_spec": zipimport.zipimporter.find_spec,
    }


@pytest.fixture(autouse=True)
def _import_state_untouched():
    """Every test leaves builtins.__import__, sys.meta_path, path hooks and importlib as found."""
    before = _import_state()
    yield
    after = _import_state()
    changed = [key for key in before if before[key] != after[key]]
    assert not changed, f"import state changed by the test: {changed}"


def pyenv_python(version: str) -> str | None:
    """The newest pyenv interpreter for ``version`` (e.g. "3.12"), or None when absent."""
    root = shutil.which("pyenv")
    base = None
    if root:
        try:
            base = subprocess.run(
                ["pyenv", "root"], capture_output=True, text=True, check=True
            ).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            base = None
    candidates = []
    for top in filter(None, [base, str(Path.home() / ".pyenv")]):
        candidates += sorted(Path(top, "versions").glob(f"{version}.*"))
    for directory in reversed(candidates):
        exe = directory / "bin" / f"python{version}"
        if exe.is_file() and directory.name.replace(".", "").isdigit():
            return str(exe)
    return None


@pytest.fixture(params=PYENV_VERSIONS)
def pyenv_interpreter(request: pytest.FixtureRequest) -> str:
    """Each pyenv CPython 3.10-3.13 present on this machine; absent ones are skipped."""
    exe = pyenv_python(request.param)
    if exe is None:
        pytest.skip(f"no pyenv CPython {request.param} on this machine")
    return exe
