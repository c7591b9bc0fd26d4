"""Pan and zoom for big graphs in a report, without script.

A graph is shown at its real size (Graphviz's 14 pt labels stay legible at 100 % zoom) and
scrolls inside its box: that is the pan. A graph wider than the page also gets a "fit to the
page" checkbox, styled with CSS alone (``:checked``), that scales it down to an overview and
back: that is the zoom. Nothing runs, so the report keeps its strict Content-Security-Policy.

Example:
    >>> html = zoomable('<div class="pyenvlab-graph"><svg width="1631pt"></svg></div>',
    ...                 '<svg width="1631pt" height="10pt">', "g1")
    >>> 'type="checkbox"' in html and 'for="pyenvlab-fit-g1"' in html
    True
    >>> zoomable("<div>x</div>", '<svg width="300pt" height="10pt">', "g2")
    '<div>x</div>'
"""

from __future__ import annotations

import re

from pyenvlab.render._escape import html_text

__all__ = ["CSS", "FIT_WIDTH_PX", "MIN_SCALE", "NOTEBOOK_FIT_PX", "legible_style", "svg_width_px", "zoomable"]

#: graphs wider than this (CSS pixels) get the "fit to the page" switch
FIT_WIDTH_PX = 1000
#: the smallest scale a graph is shown at in a notebook (Graphviz's 14 pt labels stay ~14 px);
#: a wider graph scrolls sideways instead of shrinking further
MIN_SCALE = 0.75
#: graphs wider than this (CSS pixels) would shrink below ~0.55 of their size, labels under
#: ~10 px, to fit a notebook output (about 900 px wide in JupyterLab next to its file browser);
#: narrower ones are shown fitted to the output
NOTEBOOK_FIT_PX = 1600

CSS = """
input.pyenvlab-fit{margin:0 .3em 0 0;vertical-align:middle}
label.pyenvlab-fit{font-size:12px;color:#555;cursor:pointer}
input.pyenvlab-fit:checked+label+div.pyenvlab-graph svg{max-width:100%;height:auto}
"""

_WIDTH = re.compile(r'<svg\b[^>]*?\bwidth="([0-9.]+)(pt|px)?"')


def svg_width_px(svg: str) -> float | None:
    """The width of an SVG document in CSS pixels, from its ``width`` attribute."""
    match = _WIDTH.search(svg)
    if match is None:
        return None
    value = float(match.group(1))
    return value * 4 / 3 if match.group(2) == "pt" else value


def legible_style(svg: str | None) -> str:
    """An inline ``style`` for the ``<img>`` of a graph wider than :data:`NOTEBOOK_FIT_PX`: at
    least :data:`MIN_SCALE` of its real size (``min-width`` wins over the host's ``max-width:
    100%``; the box around it scrolls), empty for a graph that may fit the output.

    >>> legible_style('<svg width="1500pt" height="10pt">')
    'min-width:1500px'
    >>> legible_style('<svg width="900pt" height="10pt">')
    ''
    """
    width = svg_width_px(svg) if svg else None
    if width is None or width <= NOTEBOOK_FIT_PX:
        return ""
    return f"min-width:{width * MIN_SCALE:.0f}px"


def zoomable(figure_html: str, svg: str | None, key: str) -> str:
    """``figure_html`` with a "fit to the page" switch in front when its graph is wide."""
    width = svg_width_px(svg) if svg else None
    if width is None or width <= FIT_WIDTH_PX:
        return figure_html
    ident = f"pyenvlab-fit-{html_text(key)}"
    return (
        f'<input type="checkbox" class="pyenvlab-fit" id="{ident}">'
        f'<label class="pyenvlab-fit" for="{ident}">fit to the page (the graph is '
        f"{width:.0f} px wide: scroll to pan, or see it whole and small)</label>" + figure_html
    )
