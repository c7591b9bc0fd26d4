"""The graph class every pyenvlab view draws with (imported only when a graph is drawn).

A plain ``graphviz.Digraph`` shows in Jupyter as SVG only, which an untrusted notebook (a git
clone, Binder before ``jupyter trust``) replaces by its text repr: the picture is gone. This
subclass displays as SVG *and* PNG, so the front end picks SVG when trusted and PNG when not,
and as the DOT source with an install hint when Graphviz's ``dot`` program is missing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import graphviz

__all__ = ["Digraph"]


class Digraph(graphviz.Digraph):
    """A ``graphviz.Digraph`` whose Jupyter display works in untrusted notebooks too."""

    def _repr_mimebundle_(
        self, include: Iterable[str] | None = None, exclude: Iterable[str] | None = None, **_: Any
    ) -> dict[str, Any]:
        from pyenvlab.render.display import graph_bundle

        return graph_bundle(self, include=include, exclude=exclude)
