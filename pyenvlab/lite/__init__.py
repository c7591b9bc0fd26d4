"""The workshop as a JupyterLite site: Jupyter as a static web site, Python in the browser.

``python -m pyenvlab lite OUTDIR`` (:func:`pyenvlab.lite.site.build_site`) builds one folder
that any web server can serve, or ``python -m http.server -d OUTDIR`` on an instructor's
laptop: JupyterLab, the workshop notebooks, and a kernel that is Pyodide (CPython 3.14 compiled
to WebAssembly) with pyenvlab and ipywidgets installed. Nothing is fetched from anywhere but the
serving host. The build itself is offline after the first one, which fills pyenvlab's cache
from PyPI and npm.

The modules:

- :mod:`~pyenvlab.lite.site`: the build (``jupyter lite build`` with a prepared Pyodide);
- :mod:`~pyenvlab.lite.pyodide_dist`: that Pyodide (the npm core, the kernel's wheels from
  PyPI, its lock file), prepared once into the cache;
- :mod:`~pyenvlab.lite.pins`: the exact wheels, versions and hashes the kernel needs;
- :mod:`~pyenvlab.lite.inbrowser`: what notebooks use when they run in the browser;
- graphs in the browser: :mod:`pyenvlab.render._wasm_graphviz`.

This package imports nothing at module level but the standard library's ``json`` on demand.
"""

from __future__ import annotations

from typing import Any

__all__ = ["SITE_INFO", "site_info"]

#: package data written into the pyenvlab wheel of a lite site (not present elsewhere)
SITE_INFO = "site.json"


def site_info() -> dict[str, Any]:
    """What the lite build recorded about its site (``binder``, ``browser_notebooks``...);
    empty outside a lite site."""
    import json
    from importlib import resources

    try:
        text = resources.files(__name__).joinpath(SITE_INFO).read_text(encoding="utf-8")
    except OSError:
        return {}
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
