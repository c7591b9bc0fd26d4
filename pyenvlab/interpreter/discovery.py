"""Which Python interpreters this machine has: this one, venvs, pyenv versions, conda environments.

The startup explorer offers them; any tool can ask (nothing here is about Jupyter). Only
files that exist and are executable count; nothing is run.

Example:
    >>> import sys
    >>> next(iter(discover_interpreters(depth=0).values())) == sys.executable
    True
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

__all__ = ["discover_interpreters"]

#: directories never searched for venvs (big, and never holding one)
SKIPPED = (".git", "__pycache__", "node_modules")


def _pyenv_root() -> Path | None:
    root = os.environ.get("PYENV_ROOT")
    if root:
        return Path(root)
    default = Path.home() / ".pyenv"
    return default if default.is_dir() else None


def discover_interpreters(
    cwd: str | os.PathLike[str] | None = None, *, depth: int = 3, this: str = "this interpreter"
) -> dict[str, str]:
    """Interpreters on this machine: label -> executable, this one first.

    This one (labelled ``f"{this} (3.X.Y)"``); venvs (a ``pyvenv.cfg``) up to ``depth``
    directories below ``cwd``; pyenv versions under ``$(pyenv root)/versions``; conda
    environments listed in ``~/.conda/environments.txt`` and the active ``CONDA_PREFIX``.
    An executable found twice keeps its first label.
    """
    found: dict[str, str] = {f"{this} ({sys.version.split()[0]})": sys.executable}
    base = Path(cwd or os.getcwd())

    def add(label: str, exe: Path) -> None:
        if exe.is_file() and os.access(exe, os.X_OK) and str(exe) not in found.values():
            found[label] = str(exe)

    for venv in _venvs(base, depth):
        add(f"venv {venv.relative_to(base)}", venv / "bin" / "python")
    root = _pyenv_root()
    if root is not None:
        for version in sorted((root / "versions").glob("*")):
            add(f"pyenv {version.name}", version / "bin" / "python")
    for prefix in _conda_prefixes():
        add(f"conda {Path(prefix).name}", Path(prefix) / "bin" / "python")
    return found


def _venvs(base: Path, depth: int) -> list[Path]:
    """Directories holding a ``pyvenv.cfg``, up to ``depth`` levels below ``base`` (symlinks
    not followed)."""
    venvs = []
    pending = [(base, 0)]
    while pending:
        directory, level = pending.pop()
        try:
            children = sorted(p for p in directory.iterdir() if p.is_dir() and not p.is_symlink())
        except OSError:
            continue
        for child in children:
            if (child / "pyvenv.cfg").is_file():
                venvs.append(child)
            elif level + 1 < depth and not child.name.startswith(SKIPPED):
                pending.append((child, level + 1))
    return venvs


def _conda_prefixes() -> list[str]:
    """The active ``CONDA_PREFIX`` and the environments conda lists in ``~/.conda``."""
    prefixes = [os.environ.get("CONDA_PREFIX", "")]
    try:
        prefixes += (Path.home() / ".conda" / "environments.txt").read_text(encoding="utf-8").splitlines()
    except OSError:
        pass
    return [p.strip() for p in prefixes if p.strip()]
