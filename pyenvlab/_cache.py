"""pyenvlab's cache directory: ``PYENVLAB_CACHE``, else ``$XDG_CACHE_HOME/pyenvlab``, else
``~/.cache/pyenvlab``. It holds npm packages (Pyodide, Graphviz in WebAssembly), the recorder
compiled by each target interpreter, and downloaded wheels; deleting it is always safe."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["cache_root"]


def cache_root() -> Path:
    """The cache directory (not created)."""
    explicit = os.environ.get("PYENVLAB_CACHE")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".cache"
    return base / "pyenvlab"
