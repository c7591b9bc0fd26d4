"""Graph helpers shared by every views module: colours, escaping-safe labels, safe rendering.

Renderers build a ``graphviz.Digraph`` (pure text, no program needed); only :func:`pipe` runs the
``dot`` program, and it never raises when Graphviz is missing: it returns ``None`` and the caller
shows the DOT source instead (see :data:`INSTALL_HINT`).

Labels built from user text (paths, module names) must go through :func:`label` (a plain label,
shown literally: backslash escapes such as ``\\N`` or ``\\l`` and a leading ``<`` are neutralised)
or be assembled from :func:`pyenvlab.render._escape.dot_html` pieces inside :func:`html_label`.
Node identifiers are never user text: use :class:`Ids` to get short synthetic ones.

The colour vocabulary is the same in every graph and table:

============  ==============================================
hit           green: the entry that provided the module
miss          grey: an entry searched in vain (dimmed)
namespace     blue: a namespace-package portion
error         red: a failed import or a finder error
cached        dashed edge: already in ``sys.modules``
frozen        lavender: served from the interpreter binary
builtin       khaki: compiled into the interpreter
============  ==============================================
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterable
from typing import Any

from pyenvlab.render._escape import dot_html, dot_label

__all__ = [
    "COLORS",
    "INSTALL_HINT",
    "Ids",
    "digraph",
    "dot_available",
    "html_label",
    "label",
    "new_digraph",
    "pipe",
    "shorten",
]

#: fill / line colours by meaning (the same in HTML tables, see ``CSS`` in the views)
COLORS: dict[str, str] = {
    "hit": "#c8f0c8",
    "hit_line": "#1a7f37",
    "miss": "#f2f2f2",
    "miss_line": "#9a9a9a",
    "namespace": "#cfe3ff",
    "namespace_line": "#1f5fbf",
    "error": "#ffd0d0",
    "error_line": "#c62828",
    "frozen": "#e6dcff",
    "builtin": "#fff2b3",
    "module": "#ffffff",
    "package": "#ffffff",
    "extension": "#ffe0c2",
    "code": "#f0f0f0",
    "group": "#eef4ee",
    "text": "#222222",
    "dim_text": "#777777",
}

#: one line shown instead of a picture when the ``dot`` program is missing
INSTALL_HINT = (
    "Graphviz's `dot` program is not installed, so the graph is shown as DOT source. "
    "Install it with `apt-get install graphviz` (Debian/Ubuntu), `brew install graphviz` (macOS) "
    "or `conda install graphviz`."
)
if sys.platform == "emscripten":  # in a browser, Graphviz in WebAssembly draws (see pipe)
    INSTALL_HINT = (
        "Graphviz (WebAssembly) was still loading or is not installed with pyenvlab, so the graph "
        "is shown as DOT source: run the cell again to draw it."
    )

FONT = "Helvetica"


def label(text: object) -> Any:
    """A plain Graphviz label showing ``text`` literally (one line; control characters visible).

    Returns a ``graphviz.nohtml`` string, so a text such as ``<stdin>`` is not taken for an
    HTML-like label; backslashes are doubled so ``\\N`` or ``\\l`` are not expanded.
    """
    import graphviz

    return graphviz.nohtml(dot_label(text))


def lines(*parts: object) -> Any:
    """A plain multi-line label: each part escaped like :func:`label`, centred lines."""
    import graphviz

    return graphviz.nohtml("\\n".join(dot_label(p) for p in parts))


def lines_left(*parts: object) -> Any:
    """A plain multi-line label with left-justified lines (for captions and legends)."""
    import graphviz

    return graphviz.nohtml("".join(dot_label(p) + "\\l" for p in parts))


def html_label(body: str) -> str:
    """Wrap an HTML-like label body (built from :func:`dot_html` pieces) for Graphviz."""
    return f"<{body}>"


def cell(text: object, *, bold: bool = False, color: str | None = None, size: int | None = None) -> str:
    """Escaped text for an HTML-like label, optionally bold, coloured or resized."""
    out = dot_html(text) or " "
    if bold:
        out = f"<B>{out}</B>"
    if color or size:
        attrs = (f' COLOR="{color}"' if color else "") + (f' POINT-SIZE="{size}"' if size else "")
        out = f"<FONT{attrs}>{out}</FONT>"
    return out


def shorten(text: str, size: int = 60) -> str:
    """``text`` cut in the middle with an ellipsis when longer than ``size`` characters."""
    if len(text) <= size:
        return text
    keep = size - 1
    head = keep // 3
    return text[:head] + "\u2026" + text[len(text) - (keep - head) :]


class Ids:
    """Synthetic node identifiers (``n0``, ``n1``...) for arbitrary keys: user text never
    becomes a DOT identifier."""

    def __init__(self, prefix: str = "n") -> None:
        self.prefix = prefix
        self._ids: dict[object, str] = {}

    def __call__(self, key: object) -> str:
        ident = self._ids.get(key)
        if ident is None:
            ident = f"{self.prefix}{len(self._ids)}"
            self._ids[key] = ident
        return ident

    def __contains__(self, key: object) -> bool:
        return key in self._ids


def new_digraph(name: str, **attributes: Any) -> Any:
    """An empty :class:`pyenvlab.render._digraph.Digraph` (a ``graphviz.Digraph`` that shows as
    SVG and PNG in Jupyter); ``attributes`` go to its constructor (``graph_attr=`` ...)."""
    from pyenvlab.render._digraph import Digraph

    return Digraph(name, **attributes)


def digraph(name: str, *, caption: Iterable[str] = (), rankdir: str = "TB", **graph_attr: str) -> Any:
    """A ``graphviz.Digraph`` with pyenvlab's fonts and an escaped caption (legend) below it."""
    graph = new_digraph(name)
    graph.attr(
        "graph", rankdir=rankdir, fontname=FONT, fontsize="10", labelloc="b", labeljust="l", **graph_attr
    )
    caption = list(caption)
    if caption:
        graph.attr("graph", label=lines_left(*caption))
    graph.attr(
        "node",
        fontname=FONT,
        fontsize="10",
        shape="box",
        style="rounded,filled",
        fillcolor=COLORS["module"],
        color="#555555",
    )
    graph.attr("edge", fontname=FONT, fontsize="9", color="#555555", arrowsize="0.7")
    return graph


_dot_checked: dict[str, bool] = {}


def dot_available() -> bool:
    """Whether the graphviz package imports and the ``dot`` program is on PATH."""
    try:
        import graphviz  # noqa: F401 - only whether it imports
    except ImportError:
        return False
    return shutil.which("dot") is not None


def pipe(graph: Any, fmt: str = "svg") -> bytes | None:
    """Render ``graph`` with ``dot`` to ``fmt`` bytes, or ``None`` when Graphviz cannot run.

    Never raises for a missing or failing ``dot`` (``ExecutableNotFound``, ``OSError``, a
    ``CalledProcessError`` for a graph ``dot`` rejects). In Pyodide, where no process can run,
    Graphviz compiled to WebAssembly draws instead (SVG only; see ``_wasm_graphviz``).
    """
    if sys.platform == "emscripten":
        from pyenvlab.render._wasm_graphviz import render

        return render(graph.source, fmt, graph.engine)
    try:
        import graphviz
    except ImportError:
        return None
    try:
        return graph.pipe(format=fmt, quiet=True)
    except (graphviz.ExecutableNotFound, graphviz.CalledProcessError, OSError):
        return None
