"""Self-contained HTML reports: one file, inline CSS and SVG, no scripts, no network.

The page holds, for any record: a title, the plain-text summary (exactly what the terminal
shows), the graphs and the tables. A :class:`~pyenvlab.model.Trace` gets two graphs: the import
tree (collapsed to stay readable) and the scan of its first top-level import. Without the
``dot`` program the page shows the DOT source of each graph and one line on how to install
Graphviz instead of the picture. The file opens offline in any browser.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pyenvlab.render._escape import html_text
from pyenvlab.render._table import CSS

if TYPE_CHECKING:
    from pyenvlab.render.view_options import ViewOptions

__all__ = ["page", "write"]

PAGE_CSS = """
body{font:14px/1.5 system-ui,-apple-system,Segoe UI,sans-serif;margin:1.5em auto;max-width:75em;
padding:0 1em;color:#222}
h1{font-size:1.4em;margin:.2em 0} h2{font-size:1.15em;margin:1.4em 0 .4em;border-bottom:1px solid #ddd}
pre.pyenvlab-text{font:12px/1.35 ui-monospace,Menlo,Consolas,monospace;background:#f7f7f7;padding:.8em;
overflow:auto}
.pyenvlab-graph{overflow:auto;border:1px solid #eee;padding:.5em;margin:.5em 0;max-height:85vh}
div.pyenvlab-graph svg{max-width:none;height:auto}
footer{color:#777;font-size:12px;margin-top:2em}
"""
#: the page's Content-Security-Policy: nothing but its own inline styles and data: images; no
#: script, no network, no forms (frame-ancestors cannot be set from a meta element)
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"


def _graphs(obj: object, options: ViewOptions | None = None) -> list[tuple[str, dict[str, Any]]]:
    """(title, view options) of the graphs a report shows for ``obj``: for a trace, its import
    tree and the scan of ``options.module`` (default: the first top-level import), both drawn
    with the other ``options``."""
    from pyenvlab.model import Trace
    from pyenvlab.render.trace_views import top_level

    if not isinstance(obj, Trace):
        return [("Graph", {})]
    given = options.given() if options is not None else {}
    module = given.pop("module", None)
    given.pop("view", None)
    graphs = [("Who imported whom", dict(given))]
    top = top_level(obj)
    if module is None and top:
        module = top[0].name
    if module is not None:
        graphs.append((f"How {module} was found", {**given, "module": module}))
    return graphs


def page(
    obj: object,
    *,
    title: str | None = None,
    graphs: Sequence[tuple[str, dict[str, Any]]] | None = None,
    options: ViewOptions | None = None,
) -> str:
    """The report of ``obj`` as one HTML document (a string).

    ``graphs`` are (caption, view options) of the graphs to show; by default those of
    :func:`_graphs`, drawn with ``options``.
    """
    from pyenvlab._version import __version__
    from pyenvlab.render import views_for
    from pyenvlab.render.display import figure, figure_html, html_text_block
    from pyenvlab.render.page_zoom import CSS as ZOOM_CSS
    from pyenvlab.render.page_zoom import zoomable

    views = views_for(obj)
    kind = type(obj).__name__
    heading = title or _title(obj)
    plain = views.text(obj, width=110, color=False)
    head = plain.split("\n\n", 1)[0]  # the text view opens with its summary paragraph
    body = [f"<h1>{html_text(heading)}</h1>", f'<pre class="pyenvlab-text">{html_text_block(head)}</pre>']
    for number, (caption, drawn_with) in enumerate(graphs if graphs is not None else _graphs(obj, options)):
        fig = figure(obj, **drawn_with)
        if fig.source is None and fig.problem is None:
            continue
        body.append(f"<h2>{html_text(caption)}</h2>")
        body.append(zoomable(figure_html(fig, inline_svg=True, alt=caption), fig.svg, f"g{number}"))
    body.extend(_import_time(obj))
    body.append("<h2>Tables</h2>")
    body.append(views.html(obj))
    body.append(
        "<details><summary>The same as terminal text</summary>"
        f'<pre class="pyenvlab-text">{html_text_block(plain)}</pre></details>'
    )
    body.append(
        f"<footer>Made by pyenvlab {html_text(__version__)} from a {html_text(kind)} record. "
        "This page is self-contained: no scripts, no network.</footer>"
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        f"<title>{html_text(heading)}</title><style>{PAGE_CSS}{CSS}{ZOOM_CSS}{_chart_css(obj)}</style></head>\n<body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )


def _import_time(obj: object) -> list[str]:
    """The import-time chart, its zooms and the cost tables of a trace (nothing for others)."""
    from pyenvlab.model import Trace

    if not isinstance(obj, Trace):
        return []
    from pyenvlab.render.chart_report import sections

    return sections(obj)


def _chart_css(obj: object) -> str:
    from pyenvlab.model import Trace

    if not isinstance(obj, Trace):
        return ""
    from pyenvlab.render.chart_report import CSS as CHART_CSS

    return CHART_CSS


def _title(obj: object) -> str:
    code = getattr(obj, "code", None)
    if isinstance(code, str) and code.strip():
        first = code.strip().splitlines()[0]
        return "pyenvlab: " + (first if len(first) <= 80 else first[:79] + "\u2026")
    return f"pyenvlab: {type(obj).__name__}"


def write(
    obj: object, path: str | Path, *, title: str | None = None, options: ViewOptions | None = None
) -> Path:
    """Write the self-contained HTML report of ``obj`` to ``path`` (UTF-8, atomically: a reader
    never sees half a page) and return the path."""
    from pyenvlab._files import write_text

    return write_text(path, page(obj, title=title, options=options))
