"""Pinned packages from the npm registry, installed once into pyenvlab's cache.

pyenvlab uses two things that only the npm registry ships: Pyodide (CPython compiled to
WebAssembly, the way to run CPython 3.14 and 3.15 on machines that have no native build of
them) and, for the JupyterLite site, Graphviz compiled to WebAssembly. Both are installed with
the machine's own ``npm`` at exact versions into a directory of their own under the user's
cache (``$XDG_CACHE_HOME/pyenvlab/npm``, else ``~/.cache/pyenvlab/npm``; ``PYENVLAB_CACHE``
overrides the whole cache root), after which nothing needs the network.

We call ``npm`` rather than downloading tarballs ourselves: npm already knows registries,
proxies, integrity checks and the user's ``.npmrc``.

Example:
    >>> package_dir("pyodide@314.0.8").name
    'pyodide'
"""

from __future__ import annotations

from pathlib import Path

from pyenvlab._cache import cache_root
from pyenvlab.errors import PyenvlabError

__all__ = ["NpmError", "cache_root", "ensure_package", "package_dir"]


class NpmError(PyenvlabError):
    """Node.js or npm is missing, or an npm package could not be installed."""


def _split(spec: str) -> tuple[str, str]:
    name, sep, version = spec.rpartition("@")
    if not sep or not name or not version or name.endswith("/"):
        msg = f"expected an exact npm package spec like 'pyodide@314.0.8', got {spec!r}"
        raise ValueError(msg)
    return name, version


def _install_home(spec: str) -> Path:
    """The folder of its own that ``spec`` is installed into (its npm ``--prefix``)."""
    _split(spec)
    return cache_root() / "npm" / spec.replace("/", "+")


def package_dir(spec: str) -> Path:
    """Where the package ``name@version`` is (or will be) installed: its own folder."""
    name, _ = _split(spec)
    return _install_home(spec) / "node_modules" / name


def ensure_package(spec: str, *, timeout: float = 600) -> Path:
    """The installed package ``name@version``, installing it with npm the first time.

    The install goes to a temporary folder that is renamed into place, so an interrupted
    install never leaves a half-filled package behind and two processes can race safely.

    Raises:
        NpmError: in one line: npm is missing (and how to get it), or npm failed.
    """
    import shutil
    import subprocess
    import tempfile

    target = package_dir(spec)
    if (target / "package.json").is_file():
        return target
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        msg = (
            f"{spec} comes from the npm registry, and Node.js with npm is not installed "
            "(Debian/Ubuntu: apt-get install nodejs npm; or see https://nodejs.org)"
        )
        raise NpmError(msg)
    home = _install_home(spec)  # not target.parent.parent: a scoped name has two parts
    home.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".install-", dir=home.parent))
    try:
        command = [
            npm,
            "install",
            "--prefix",
            str(staging),
            "--no-audit",
            "--no-fund",
            "--no-save",
            "--ignore-scripts",
            "--loglevel=error",
            spec,
        ]
        try:
            result = subprocess.run(
                command, capture_output=True, text=True, errors="replace", timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired:
            msg = f"npm did not install {spec} within {timeout:g} s"
            raise NpmError(msg) from None
        if result.returncode != 0 or not (staging / "node_modules" / _split(spec)[0]).is_dir():
            lines = [line for line in result.stderr.splitlines() if line.strip()]
            detail = lines[-1].strip() if lines else f"exit status {result.returncode}"
            msg = f"npm could not install {spec}: {detail}"
            raise NpmError(msg)
        try:
            staging.rename(home)
        except OSError:
            if not (target / "package.json").is_file():  # not a lost race: a real failure
                raise
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return target
