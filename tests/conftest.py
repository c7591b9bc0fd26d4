"""Shared fixtures. The autouse guard checks that no test leaves import state changed."""

from __future__ import annotations

import importlib._bootstrap_external as _external
import os
import shutil
import subprocess
import sys
import zipimport
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

PYENV_VERSIONS = ("3.10", "3.11", "3.12", "3.13")


def _import_state() -> dict[str, object]:
    """The recorder's patch points (its own table), plus finders no test should replace."""
    from pyenvlab._probe.recorder import import_state

    state = import_state()
    state["FileFinder.find_spec"] = _external.FileFinder.find_spec
    state["zipimporter.find_spec"] = zipimport.zipimporter.find_spec
    return state


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


# ---------------------------------------------------------------------------------------------
# browser tests (tests/browser.py holds the machinery)


def _browser_or_skip() -> str:
    """The Chromium executable, or skip (fail in CI, where bootstrap installs everything)."""
    from tests.browser import find_chromium, missing_browser_pieces

    missing = missing_browser_pieces()
    if missing:
        message = "browser tests need " + " and ".join(missing) + "; run: bash scripts/bootstrap --dev"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    exe = find_chromium()
    assert exe is not None
    return exe


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """A headless Chromium driven by Playwright; on teardown, checks that the browser and
    Playwright's driver have ended.

    One per test module, not per session: while Playwright's sync API is open, its event loop
    counts as running in the main thread, and other tests' ``asyncio.run`` would refuse.
    """
    from tests.browser import CHROMIUM_FLAGS, descendants, stop_all

    exe = _browser_or_skip()
    from playwright.sync_api import sync_playwright

    before = descendants(os.getpid())
    try:
        playwright = sync_playwright().start()
    except Exception as exc:  # the driver is a bundled node binary: a missing library kills it
        pytest.fail(
            f"Playwright's driver did not start ({exc}); on Debian it needs libatomic1: "
            "run bash scripts/bootstrap --dev"
        )
    try:
        browser = playwright.chromium.launch(executable_path=exe, args=CHROMIUM_FLAGS)
    except Exception:
        playwright.stop()
        raise
    started = {pid: t for pid, t in descendants(os.getpid()).items() if pid not in before}
    yield browser
    browser.close()
    playwright.stop()
    killed = stop_all(started)
    assert not killed, f"browser processes outlived the tests and were killed: {killed}"


@pytest.fixture(scope="session")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """JupyterLab serving a copy of notebooks/ (JupyterLab saves outputs into what it runs),
    isolated from the user's Jupyter setup; on teardown, checks that every process it started
    (server, kernels and their children) has ended."""
    from tests.browser import NOTEBOOKS, LabServer

    _browser_or_skip()
    base = tmp_path_factory.mktemp("jupyterlab")
    root = base / "notebooks"
    root.mkdir()
    for notebook in NOTEBOOKS.glob("*.ipynb"):
        shutil.copy2(notebook, root / notebook.name)
    server = LabServer(root, base)
    server.start()
    yield server
    killed = server.stop()
    assert not killed, f"processes outlived the JupyterLab server and were killed: {killed}"


# ---------------------------------------------------------------------------------------------
# Pyodide (CPython 3.14 and 3.15 in WebAssembly, under Node.js)

PYODIDE_VERSIONS = ("3.14", "3.15")


def pyodide_or_skip(version: str) -> str:
    """The spec ``"pyodide:X.Y"``, installed; or skip (fail in CI, where bootstrap installs it)."""
    from pyenvlab.pyodide.releases import release_for
    from pyenvlab.pyodide.runner import unavailable

    release = release_for(version)
    reason = unavailable(release)
    if reason is not None:
        message = f"{reason}; run: bash scripts/bootstrap --dev"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return release.spec


@pytest.fixture(params=PYODIDE_VERSIONS)
def pyodide_spec(request: pytest.FixtureRequest) -> str:
    """Each pinned Pyodide interpreter (``"pyodide:3.14"``, ``"pyodide:3.15"``)."""
    return pyodide_or_skip(request.param)


# ---------------------------------------------------------------------------------------------
# the JupyterLite site (python -m pyenvlab lite), built once per session


class LiteSite:
    """A site built by ``python -m pyenvlab lite``: its folder and what the command printed."""

    def __init__(self, path: Path, stdout: str, stderr: str) -> None:
        self.path = path
        self.stdout = stdout
        self.stderr = stderr


@pytest.fixture(scope="session")
def lite_site(tmp_path_factory: pytest.TempPathFactory) -> LiteSite:
    """The workshop's JupyterLite site, built once with the real command into a temporary
    folder (pyenvlab's cache supplies Pyodide and the wheels after the first build anywhere).

    Skipped without npm or the ``[lite]`` extra (CI fails instead: bootstrap installs both).
    """
    from importlib.util import find_spec

    from pyenvlab.lite.site import BUILD_MODULES

    missing = [name for name in BUILD_MODULES if find_spec(name) is None]
    missing += ["npm"] if shutil.which("npm") is None else []
    if missing:
        message = f"the lite site needs {', '.join(missing)}; run: bash scripts/bootstrap --dev"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    out = tmp_path_factory.mktemp("lite") / "site"
    result = subprocess.run(
        [sys.executable, "-m", "pyenvlab", "lite", str(out)],
        capture_output=True, text=True, check=False, cwd=out.parent,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return LiteSite(out, result.stdout, result.stderr)
