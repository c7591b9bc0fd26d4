"""CPython 3.14 and 3.15 as target interpreters, through Pyodide (CPython in WebAssembly) under Node.js.

No native 3.14/3.15 build is needed: the npm registry ships Pyodide, CPython compiled with
Emscripten, with its real ``importlib``. pyenvlab installs pinned releases into its cache
(:mod:`pyenvlab.pyodide.releases`), runs its unmodified probes inside them through a small Node
script (:mod:`pyenvlab.pyodide.runner`), and brings their JSON back:

- :func:`pyenvlab.trace_import` with ``python="pyodide:3.14"`` (:mod:`pyenvlab.pyodide.tracing`);
- :func:`pyenvlab.startup` with ``python="pyodide:3.14"`` (:mod:`pyenvlab.pyodide.startup`).

``python -m pyenvlab pyodide install`` installs every release ahead of time (``scripts/bootstrap
--dev`` does it for the tests); otherwise the first use installs it.
"""

from __future__ import annotations

from pyenvlab.pyodide.releases import RELEASES, Release, is_pyodide_spec, release_for

__all__ = ["RELEASES", "Release", "is_pyodide_spec", "release_for"]
