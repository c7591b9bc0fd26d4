"""Build the workshop as a JupyterLite site: one folder of static files, no server needed.

:func:`build_site` (``python -m pyenvlab lite OUTDIR``) puts together, offline once the cache is
filled:

- the notebooks of this checkout's ``notebooks/`` (those that need processes say so in their
  first cell and point to Binder; see :mod:`pyenvlab.lite.inbrowser`);
- JupyterLab as JupyterLite builds it (``jupyterlite-core``), with exactly two extensions:
  the Pyodide kernel (``jupyterlite-pyodide-kernel``) and the ipywidgets manager
  (``jupyterlab_widgets``), whatever else the Python environment has installed;
- the prepared Pyodide of :mod:`pyenvlab.lite.pyodide_dist`, and pyenvlab's own wheel, built
  from this checkout with Graphviz in WebAssembly inside (package data, see
  :mod:`pyenvlab.render._wasm_graphviz`), which the kernel loads on start;
- settings that keep every request on the serving host: no PyPI fallback for ``%pip``, no
  news or update checks.

The site is built in a temporary folder next to OUTDIR and renamed into place: an interrupted
or failed build leaves the previous site (or nothing) behind, never half a site. An existing
OUTDIR is replaced only if it is a JupyterLite site (or empty).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pyenvlab.lite.pins import GRAPHVIZ_WASM, PYODIDE, PYODIDE_PYTHON
from pyenvlab.lite.pyodide_dist import LiteBuildError, canonical, lock_entry

__all__ = ["LiteBuildError", "SiteReport", "browser_notebooks", "build_site", "find_checkout"]

#: JupyterLab extensions of the site: (npm name, the Python distribution that installs it)
EXTENSIONS = (
    ("@jupyterlite/pyodide-kernel-extension", "jupyterlite-pyodide-kernel"),
    ("@jupyter-widgets/jupyterlab-manager", "jupyterlab_widgets"),
)
#: modules the build needs, and the extra that installs them
BUILD_MODULES = ("jupyterlite_core", "jupyterlite_pyodide_kernel", "jupyter_server", "jupyterlab_widgets")
INSTALL_HINT = "pip install 'pyenvlab[lite]'"
#: JupyterLab settings of the site: nothing fetched from elsewhere, every cell in the page
SETTINGS = {
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"},
}
#: what the kernel loads from the lock file as it starts: its own needs, then pyenvlab
PRELOADED = ("micropip", "comm", "jedi", "ipython", "pyenvlab")
#: the call in a notebook's first code cell that marks it as needing processes
NEEDS_PROCESSES = "needs_processes("


@dataclass(frozen=True)
class SiteReport:
    """What :func:`build_site` made."""

    path: Path
    size: int  # bytes
    files: int
    notebooks: tuple[str, ...]
    browser_notebooks: tuple[str, ...]  # those that run in the browser to the end
    seconds: float

    def summary(self) -> str:
        """The lines ``python -m pyenvlab lite`` prints: what, how big, how to serve it."""
        shown = str(self.path)
        return "\n".join(
            [
                f"built the workshop as a JupyterLite site in {shown} ({self.seconds:.1f} s)",
                f"  {len(self.notebooks)} notebooks, {len(self.browser_notebooks)} of them run in the "
                f"browser ({', '.join(n.split('-')[0] for n in self.browser_notebooks)}); the others "
                "point to Binder",
                f"  {self.size / 1e6:.1f} MB in {self.files} files; Python {PYODIDE_PYTHON} ({PYODIDE}) "
                "runs in each visitor's browser, nothing else runs anywhere",
                "serve it from this computer (then open http://localhost:8000/):",
                f"  python -m http.server -d {_quoted(shown)} 8000",
                "or copy the folder to any web server: static files only",
            ]
        )


def _quoted(text: str) -> str:
    import shlex

    return shlex.quote(text)


def find_checkout() -> Path:
    """The source checkout pyenvlab is imported from (its ``pyproject.toml`` and notebooks).

    Raises:
        LiteBuildError: pyenvlab is installed from a wheel, not run from a checkout.
    """
    root = Path(__file__).resolve().parents[2]
    pyproject = root / "pyproject.toml"
    try:
        text = pyproject.read_text(encoding="utf-8")
    except OSError:
        text = ""
    if 'name = "pyenvlab"' not in text or not (root / "notebooks").is_dir():
        msg = (
            "the lite site is built from a source checkout of pyenvlab (notebooks and all): "
            f"run it from one, installed with pip install -e '.[lite]' (pyenvlab is in {root})"
        )
        raise LiteBuildError(msg)
    return root


def browser_notebooks(notebooks: list[Path]) -> list[str]:
    """The names of the notebooks that run in a browser: their first code cell does not call
    :func:`pyenvlab.lite.inbrowser.needs_processes`."""
    names = []
    for path in notebooks:
        try:
            cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
        except (OSError, ValueError):
            continue
        code = [c for c in cells if c.get("cell_type") == "code"]
        first = "".join(code[0].get("source", "")) if code else ""
        if NEEDS_PROCESSES not in first:
            names.append(path.name)
    return names


def _check_tools() -> None:
    from importlib.util import find_spec

    missing = [name for name in BUILD_MODULES if find_spec(name) is None]
    if missing:
        msg = f"building the lite site needs {', '.join(missing)}: {INSTALL_HINT}"
        raise LiteBuildError(msg)


def _check_outdir(outdir: Path) -> None:
    if outdir.exists() and not outdir.is_dir():
        msg = f"{outdir} exists and is not a folder"
        raise LiteBuildError(msg)
    if outdir.is_dir() and any(outdir.iterdir()) and not (outdir / "jupyter-lite.json").is_file():
        msg = f"{outdir} is not empty and not a JupyterLite site: choose another folder (nothing was changed)"
        raise LiteBuildError(msg)
    import tempfile

    try:
        outdir.parent.mkdir(parents=True, exist_ok=True)
        os.rmdir(tempfile.mkdtemp(prefix=f".{outdir.name}.probe-", dir=outdir.parent))
    except OSError as exc:
        msg = (
            f"cannot write in {outdir.parent}: {exc.strerror or exc} "
            f"(the site is built next to {outdir.name}, then renamed into place)"
        )
        raise LiteBuildError(msg) from None


def _extension_dirs() -> list[Path]:
    """The installed folders of :data:`EXTENSIONS` (each has a ``package.json``)."""
    from jupyter_core.paths import jupyter_path

    found = []
    for npm_name, dist in EXTENSIONS:
        for root in jupyter_path("labextensions"):
            candidate = Path(root, npm_name)
            if (candidate / "package.json").is_file():
                found.append(candidate)
                break
        else:
            msg = f"the JupyterLab extension {npm_name} is not installed ({dist}): {INSTALL_HINT}"
            raise LiteBuildError(msg)
    return found


def _run(command: list[str], *, what: str, cwd: Path, timeout: float = 900) -> None:
    try:
        result = subprocess.run(
            command, cwd=cwd, capture_output=True, text=True, errors="replace", timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        msg = f"{what} did not finish within {timeout:g} s"
        raise LiteBuildError(msg) from None
    except OSError as exc:
        msg = f"cannot run {what}: {exc.strerror or exc}"
        raise LiteBuildError(msg) from None
    if result.returncode != 0:
        lines = [line.strip() for line in (result.stderr + result.stdout).splitlines() if line.strip()]
        errors = [line for line in lines if "rror" in line] or lines
        detail = errors[-1] if errors else f"exit status {result.returncode}"
        msg = f"{what} failed: {detail}"
        raise LiteBuildError(msg)


def _build_wheel(checkout: Path, work: Path, *, site_info: dict[str, object]) -> Path:
    """pyenvlab's wheel from ``checkout``, with Graphviz in WebAssembly and the site's info."""
    from pyenvlab import _npm
    from pyenvlab.lite import SITE_INFO
    from pyenvlab.render import _wasm_graphviz

    graphviz = _npm.ensure_package(GRAPHVIZ_WASM)
    bundle, licence = graphviz / "dist" / "index.js", graphviz / "LICENSE"
    if not bundle.is_file() or not licence.is_file():
        msg = f"the npm package {GRAPHVIZ_WASM} in {graphviz} lacks dist/index.js or LICENSE"
        raise LiteBuildError(msg)
    source = work / "source"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build", "dist")
    shutil.copytree(checkout / "pyenvlab", source / "pyenvlab", ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(checkout / name, source / name)
    package = source / "pyenvlab" / "render"
    (package / _wasm_graphviz.BUNDLE).parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(bundle, package / _wasm_graphviz.BUNDLE)
    shutil.copy2(licence, package / _wasm_graphviz.LICENSE)
    (source / "pyenvlab" / "lite" / SITE_INFO).write_text(json.dumps(site_info, indent=1), encoding="utf-8")
    out = work / "wheel"
    command = [
        sys.executable, "-m", "pip", "wheel", "--quiet", "--disable-pip-version-check",
        "--no-deps", "--no-build-isolation", "--no-index", "-w", str(out), str(source),
    ]  # fmt: skip
    _run(command, what="building pyenvlab's wheel (pip wheel)", cwd=work)
    wheels = list(out.glob("pyenvlab-*.whl"))
    if len(wheels) != 1:
        msg = f"pip wheel made {len(wheels)} pyenvlab wheels, expected one"
        raise LiteBuildError(msg)
    import zipfile

    with zipfile.ZipFile(wheels[0]) as archive:
        if f"pyenvlab/render/{_wasm_graphviz.BUNDLE}" not in archive.namelist():
            msg = "pyenvlab's wheel lacks the Graphviz bundle (package-data in pyproject.toml?)"
            raise LiteBuildError(msg)
    return wheels[0]


def _lite_dir(work: Path, *, checkout: Path, tarball: Path, output: Path) -> Path:
    """The JupyterLite project folder: configuration, settings and the notebooks."""
    lite = work / "lite"
    files = lite / "files"
    files.mkdir(parents=True)
    for notebook in sorted((checkout / "notebooks").glob("*.ipynb")):
        shutil.copy2(notebook, files / notebook.name)
    kernel = {
        "disablePyPIFallback": True,  # %pip install finds the site's wheels or nothing
        # loaded together as Pyodide starts (the kernel would otherwise install the first four
        # one after the other; a third faster start here), pyenvlab with its dependencies
        "loadPyodideOptions": {"packages": list(PRELOADED)},
    }
    config = {
        "jupyter-lite-schema-version": 0,
        "jupyter-config-data": {
            "appName": "pyenvlab workshop",
            "exposeAppInBrowser": True,
            "litePluginSettings": {"@jupyterlite/pyodide-kernel-extension:kernel": kernel},
        },
    }
    (lite / "jupyter-lite.json").write_text(json.dumps(config, indent=1), encoding="utf-8")
    (lite / "overrides.json").write_text(json.dumps(SETTINGS, indent=1), encoding="utf-8")
    build = {
        "LiteBuildConfig": {
            "contents": ["files"],
            "output_dir": str(output),
            "apps": ["lab"],
            "no_unused_shared_packages": True,
            "no_sourcemaps": True,
            "ignore_sys_prefix": True,
            "federated_extensions": [str(p) for p in _extension_dirs()],
            "settings_overrides": ["overrides.json"],
        },
        "PyodideAddon": {"pyodide_url": str(tarball)},
    }
    (lite / "jupyter_lite_config.json").write_text(json.dumps(build, indent=1), encoding="utf-8")
    return lite


def _add_wheel(site: Path, wheel: Path) -> None:
    """Put pyenvlab's wheel beside the site's Pyodide and into its lock file."""
    pyodide = site / "static" / "pyodide"
    lock_path = pyodide / "pyodide-lock.json"
    if not (pyodide / "pyodide.mjs").is_file() or not lock_path.is_file():
        msg = f"jupyter lite build left no Pyodide in {pyodide}"
        raise LiteBuildError(msg)
    shutil.copy2(wheel, pyodide / wheel.name)
    lock = json.loads(lock_path.read_text(encoding="utf-8"))
    available = {canonical(name) for name in lock["packages"]}
    lock["packages"]["pyenvlab"] = lock_entry(pyodide / wheel.name, available)
    lock_path.write_text(json.dumps(lock, indent=1, sort_keys=True), encoding="utf-8")


def _size(path: Path) -> tuple[int, int]:
    total = count = 0
    for entry in path.rglob("*"):
        if entry.is_file():
            total += entry.stat().st_size
            count += 1
    return total, count


def _replace(new: Path, outdir: Path, work: Path) -> None:
    """Rename ``new`` to ``outdir``; an old site there is moved aside first, then removed."""
    old = None
    if outdir.exists():
        old = work / "previous-site"
        os.rename(outdir, old)
    try:
        os.rename(new, outdir)
    except OSError:
        if old is not None:
            os.rename(old, outdir)
        raise


def build_site(
    outdir: str | os.PathLike[str], *, binder: str | None = None, log: Callable[[str], None] = print
) -> SiteReport:
    """Build the workshop site into ``outdir`` (see the module docstring).

    Args:
        outdir: the folder to create (or to replace, if it holds a JupyterLite site).
        binder: the Binder launch address of the repository
            (``https://mybinder.org/v2/gh/OWNER/REPO/HEAD``); notebooks that need processes
            link to it.
        log: where progress lines go.

    Raises:
        LiteBuildError, pyenvlab._npm.NpmError: in one line, before anything in ``outdir``
        changed.
    """
    from pyenvlab.lite import pyodide_dist

    started = time.monotonic()
    outdir = Path(outdir).expanduser().absolute()
    if binder is not None and not binder.startswith(("https://", "http://")):
        msg = f"--binder wants an http(s) address, got {binder!r}"
        raise LiteBuildError(msg)
    _check_outdir(outdir)
    _check_tools()
    checkout = find_checkout()
    notebooks = sorted((checkout / "notebooks").glob("*.ipynb"))
    runnable = browser_notebooks(notebooks)
    try:
        tarball = pyodide_dist.prepare(log=log)
        size, files = _build_into(
            outdir, checkout=checkout, tarball=tarball, runnable=runnable, binder=binder, log=log
        )
    except OSError as exc:  # a full disk, a folder that vanished: one line, the old site stays
        msg = f"building the site failed: {exc.strerror or exc}" + (
            f": {exc.filename}" if exc.filename else ""
        )
        raise LiteBuildError(msg) from None
    return SiteReport(
        path=outdir,
        size=size,
        files=files,
        notebooks=tuple(n.name for n in notebooks),
        browser_notebooks=tuple(runnable),
        seconds=time.monotonic() - started,
    )


def _build_into(
    outdir: Path,
    *,
    checkout: Path,
    tarball: Path,
    runnable: list[str],
    binder: str | None,
    log: Callable[[str], None],
) -> tuple[int, int]:
    """Build in a temporary folder next to ``outdir``, then rename it into place."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix=f".{outdir.name}.building-", dir=outdir.parent) as tmp:
        work = Path(tmp)
        info = {"binder": binder, "browser_notebooks": runnable, "pyodide": PYODIDE}
        wheel = _build_wheel(checkout, work, site_info=info)
        site = work / "site"
        lite = _lite_dir(work, checkout=checkout, tarball=tarball, output=site)
        log("building the site with jupyter lite build")
        command = [sys.executable, "-m", "jupyterlite_core", "build"]
        _run(command, what="jupyter lite build", cwd=lite)
        _add_wheel(site, wheel)
        if (site / "lab" / "favicon.ico").is_file():  # browsers ask for /favicon.ico: no 404
            shutil.copy2(site / "lab" / "favicon.ico", site / "favicon.ico")
        size, files = _size(site)
        _replace(site, outdir, work)
    return size, files
