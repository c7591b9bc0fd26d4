"""The Jupyter display bundle of every pyenvlab record (``_repr_mimebundle_``).

One render pass feeds every mime type:

- ``text/plain``: the terminal text view at a fixed width, without colour: stable between runs
  (no memory addresses), so it works as the repr in untrusted notebooks, nbval and doctests;
- ``text/html``: the escaped HTML tables, the default graph as an ``<img>`` (a data URI of its
  SVG: no inline ``<svg>``, which untrusted notebooks mangle) and, when Graphviz cannot draw, the
  DOT source with one line on how to install Graphviz;
- ``image/svg+xml`` and ``image/png``: the default graph (``pyenvlab.render.dot(obj)``) when the
  ``dot`` program works. PNG is skipped for very large graphs.

Nothing here raises because Graphviz is missing (neither the Python package nor the program).

Which of these a front end shows (read from JupyterLab 4.6's renderer registry): ``text/html``
(rank 50, "safe": sanitised when untrusted) always wins over ``image/svg+xml`` (rank 80, shown
only when trusted) and ``image/png`` (rank 90). So the picture must also live inside the HTML.
Outputs a user produces by running a cell are trusted and show tables and graph. Outputs saved
in a notebook from elsewhere (git, Binder before running) are untrusted: the sanitiser keeps the
tables but drops the ``data:`` image (img sources may only be http, https, ftp, mailto, tel,
attachment). Front ends without HTML (some viewers, ``nbconvert --to markdown``) use the PNG.
``display(obj, exclude=["text/html"])`` or ``mimebundle(obj, exclude=...)`` shows the image alone.

In IPython (notebooks, myst-nb docs) records display as the *two* outputs of :func:`outputs`
instead: the tables (``text/html`` without the picture) and then the graph as an output of its
own with ``image/svg+xml`` and ``image/png`` but no HTML. A front end then picks SVG when the
notebook is trusted and PNG when it is not, so the graph shows either way (the design's "trust
trap": Binder and git clones are untrusted until ``jupyter trust``). This module only builds
those bundles; handing them to IPython is :mod:`pyenvlab._display`'s job (renderers know no
IPython).
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from typing import Any

from pyenvlab.render._escape import html_text
from pyenvlab.render._graph import INSTALL_HINT, pipe
from pyenvlab.render._table import CSS

__all__ = [
    "PLAIN_WIDTH",
    "Figure",
    "figure",
    "figure_html",
    "graph_bundle",
    "mimebundle",
    "outputs",
    "shown_outputs",
]

#: width of ``text/plain`` (fixed, so the repr does not depend on the terminal)
PLAIN_WIDTH = 100
#: no PNG above this many graph statements (PNG of a huge graph is slow and megabytes big)
PNG_LIMIT = 600
#: resolution of the PNG fallback (Graphviz's default is 96)
PNG_DPI = "72"
PACKAGE_HINT = "The graphviz Python package is not installed: `pip install graphviz` to draw graphs."


class Figure:
    """The default graph of a record, rendered as far as this machine allows.

    ``source`` is the DOT text (``None`` when the graphviz package is missing or the record has
    no graph); ``svg`` the rendered SVG text (``None`` when ``dot`` could not run); ``problem`` a
    one-line explanation when something is missing.
    """

    def __init__(self, source: str | None, svg: str | None, graph: Any, problem: str | None) -> None:
        self.source = source
        self.svg = svg
        self.graph = graph
        self.problem = problem

    def png(self) -> bytes | None:
        """The graph as PNG bytes (``None`` without ``dot`` or for a very large graph)."""
        if self.graph is None or self.svg is None or len(self.graph.body) > PNG_LIMIT:
            return None
        small = self.graph.copy()
        small.attr("graph", dpi=PNG_DPI)  # half the pixels of the default 96 dpi: half the time
        return pipe(small, "png")


def figure(obj: object, *, render: bool = True, **view_options: Any) -> Figure:
    """Build the default graph of ``obj`` and, if ``render``, its SVG. Never raises for a
    missing Graphviz; a record kind without a graph gives an empty figure."""
    from pyenvlab.render import views_for

    draw = getattr(views_for(obj), "dot", None)
    if draw is None:
        return Figure(None, None, None, None)
    try:
        graph = draw(obj, **view_options)
    except ImportError:
        return Figure(None, None, None, PACKAGE_HINT)
    except NotImplementedError:
        return Figure(None, None, None, None)
    except Exception as exc:  # a display hook must not raise: say why, show the tables
        return Figure(None, None, None, f"pyenvlab could not draw this graph ({type(exc).__name__}: {exc})")
    if graph is None:
        return Figure(None, None, None, None)
    source = graph.source
    if not render:
        return Figure(source, None, graph, None)
    svg = pipe(graph, "svg")
    if svg is None:
        return Figure(source, None, graph, INSTALL_HINT)
    return Figure(source, svg.decode("utf-8"), graph, None)


def figure_html(fig: Figure, *, inline_svg: bool = False, alt: str = "graph") -> str:
    """HTML for a figure: the picture (an ``<img>`` data URI, or the ``<svg>`` element itself
    with ``inline_svg``), else the install hint and the DOT source; empty without a graph."""
    if fig.svg is not None:
        if inline_svg:
            return f'<div class="pyenvlab-graph">{_strip_xml_prolog(fig.svg)}</div>'
        from pyenvlab.render.page_zoom import legible_style

        data = base64.b64encode(fig.svg.encode("utf-8")).decode("ascii")
        style = legible_style(fig.svg)
        return (
            f'<div class="pyenvlab-graph"><img alt="{html_text(alt)}" '
            + (f'style="{style}" ' if style else "")
            + f'src="data:image/svg+xml;base64,{data}"></div>'
        )
    parts = []
    if fig.problem:
        parts.append(f'<p class="pyenvlab-note">{html_text(fig.problem)}</p>')
    if fig.source is not None:
        parts.append(
            '<details><summary class="pyenvlab-note">DOT source of the graph</summary>'
            f'<pre class="pyenvlab-dot">{html_text_block(fig.source)}</pre></details>'
        )
    return "".join(parts)


def html_text_block(text: str) -> str:
    """Multi-line text for a ``<pre>``: each line escaped (newlines kept, other control
    characters made visible)."""
    return "\n".join(html_text(line) for line in text.split("\n"))


def _strip_xml_prolog(svg: str) -> str:
    start = svg.find("<svg")
    return svg[start:] if start >= 0 else svg


def _wanted(include: Iterable[str] | None, exclude: Iterable[str] | None) -> Any:
    """The mime-type filter of ``_repr_mimebundle_(include, exclude)``."""
    keep = None if include is None else set(include)
    drop = set(exclude or ())
    return lambda mime: (keep is None or mime in keep) and mime not in drop


def _pictures(fig: Figure, wanted: Any) -> dict[str, Any]:
    """The SVG and (unless the graph is very large) PNG of a drawn figure, as far as wanted."""
    pictures: dict[str, Any] = {}
    if fig.svg is None:
        return pictures
    if wanted("image/svg+xml"):
        pictures["image/svg+xml"] = fig.svg
    if wanted("image/png"):
        png = fig.png()
        if png is not None:
            pictures["image/png"] = png
    return pictures


def mimebundle(
    obj: object, include: Iterable[str] | None = None, exclude: Iterable[str] | None = None
) -> dict[str, Any]:
    """The display bundle of any pyenvlab record (see the module docstring).

    Args:
        obj: a record with a views module (``pyenvlab.render.views_for``).
        include: only these mime types (``None``: all).
        exclude: not these mime types.
    """
    from pyenvlab.render import views_for

    wanted = _wanted(include, exclude)
    views = views_for(obj)
    bundle: dict[str, Any] = {}
    if wanted("text/plain"):
        bundle["text/plain"] = views.text(obj, width=PLAIN_WIDTH, color=False)
    graphic = [m for m in ("text/html", "image/svg+xml", "image/png") if wanted(m)]
    fig = figure(obj) if graphic else Figure(None, None, None, None)
    if wanted("text/html"):
        bundle["text/html"] = f"<style>{CSS}</style>" + views.html(obj) + figure_html(fig)
    bundle.update(_pictures(fig, wanted))
    return bundle


def graph_bundle(
    graph: Any, include: Iterable[str] | None = None, exclude: Iterable[str] | None = None
) -> dict[str, Any]:
    """The display bundle of a bare graph (what :func:`pyenvlab.render.dot` returns).

    ``image/svg+xml`` for trusted notebooks, ``image/png`` for untrusted ones and a stable
    ``text/plain`` (no memory address); when ``dot`` cannot run, ``text/plain`` and
    ``text/html`` carry the install hint and the DOT source instead of a picture.
    """
    wanted = _wanted(include, exclude)
    pictures = wanted("image/svg+xml") or wanted("image/png")
    svg = pipe(graph, "svg") if pictures else None
    bundle: dict[str, Any] = {}
    if pictures and svg is None:
        fig = Figure(graph.source, None, graph, INSTALL_HINT)
        if wanted("text/plain"):
            bundle["text/plain"] = f"{INSTALL_HINT}\n{graph.source}"
        if wanted("text/html"):
            bundle["text/html"] = figure_html(fig)
        return bundle
    if wanted("text/plain"):
        bundle["text/plain"] = f"[graph: {graph.name or 'unnamed'}]"
    if svg is None:
        return bundle
    bundle.update(_pictures(Figure(graph.source, svg.decode("utf-8"), graph, None), wanted))
    return bundle


def outputs(obj: object) -> list[dict[str, Any]]:
    """The raw bundles IPython shows for ``obj``, one output each: the tables, then the graph
    (SVG and PNG, no HTML).

    Without a drawable graph (no ``dot``, no graphviz package) the first bundle carries the
    DOT source and the install hint, as :func:`mimebundle` does, and there is no second one.
    A graph too wide for a notebook is shown as its PNG alone (see :func:`shown_outputs`).
    """
    return [bundle for bundle, _ in shown_outputs(obj)]


def shown_outputs(obj: object) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """:func:`outputs` with the display metadata of each bundle.

    JupyterLab draws an ``image/svg+xml`` output at most as wide as the output area and its
    ``unconfined`` metadata does not reach the picture (4.6 puts the class on the host, its
    CSS looks for it on the image), so a graph wider than
    :data:`~pyenvlab.render.page_zoom.NOTEBOOK_FIT_PX` would shrink to unreadable labels
    (a 140-module trace: ~5 px text). Such a graph is shown as its 72 dpi PNG instead, with
    ``unconfined`` metadata: at its own pixel size (``MIN_SCALE`` of the SVG's, 14 px labels),
    scrolling sideways. Graphs too big for a PNG (``PNG_LIMIT``) stay SVG.
    """
    from pyenvlab.render import views_for
    from pyenvlab.render.page_zoom import NOTEBOOK_FIT_PX, svg_width_px

    views = views_for(obj)
    fig = figure(obj)
    tables = f"<style>{CSS}</style>" + views.html(obj)
    if fig.svg is None:
        tables += figure_html(fig)
    text = views.text(obj, width=PLAIN_WIDTH, color=False)
    shown: list[tuple[dict[str, Any], dict[str, Any]]] = [({"text/plain": text, "text/html": tables}, {})]
    if fig.svg is not None:
        pictures = _pictures(fig, lambda _mime: True)
        plain = {"text/plain": f"[graph: {type(obj).__name__}]"}
        width = svg_width_px(fig.svg) or 0.0
        if width > NOTEBOOK_FIT_PX and "image/png" in pictures:
            shown.append(({**plain, "image/png": pictures["image/png"]}, {"image/png": {"unconfined": True}}))
        else:
            shown.append(({**plain, **pictures}, {}))
    return shown
