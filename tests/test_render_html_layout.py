"""HTML tables and graphs as a notebook shows them: left-aligned, never cut off (issue 14).

JupyterLab 4's rendermime stylesheet right-aligns every cell of a rendered HTML table with
``:not(.jp-RenderedMarkdown).jp-RenderedHTMLCommon td`` (specificity 0,2,1), which beat our
``.pyenvlab td`` (0,1,1). The first tests read the stylesheet of the JupyterLab installed here
(``share/jupyter/lab/static``) and compare specificities with ours; the browser test renders
our HTML inside JupyterLab's output-area structure and CSS in Chromium and reads the computed
style and the geometry. Graphs too wide for a notebook output keep a legible scale.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from pyenvlab import render
from pyenvlab.render import display, page_zoom
from pyenvlab.render._table import CSS, html_table
from tests import render_fixtures as fx
from tests.test_render_fitting import path_report, startup_trace, where_candidates

#: the classes the browser tests rely on (``pyenvlab.render._table.SCROLL_CLASS``, ``NUMBER_CLASS``)
SCROLL_CLASS, NUMBER_CLASS = "pyenvlab-scroll", "num"
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` is not installed")


def specificity(selector: str) -> tuple[int, int, int]:
    """(ids, classes + attributes + pseudo-classes, elements) of one complex selector; the
    argument of ``:not()`` counts, as CSS Selectors 4 says."""
    ids = classes = elements = 0
    rest = selector
    for inner in re.findall(r":not\(([^)]*)\)", rest):
        a, b, c = specificity(inner)
        ids, classes, elements = ids + a, classes + b, elements + c
    rest = re.sub(r":not\([^)]*\)", " ", rest)
    ids += len(re.findall(r"#[\w-]+", rest))
    classes += len(re.findall(r"\.[\w-]+|\[[^\]]*\]|:(?!:)[\w-]+", rest))
    rest = re.sub(r"#[\w-]+|\.[\w-]+|\[[^\]]*\]|::?[\w-]+(\([^)]*\))?", " ", rest)
    elements += len(re.findall(r"(?<![\w-])[a-zA-Z][\w-]*", rest))
    return ids, classes, elements


def css_rules(css: str) -> list[tuple[list[str], str]]:
    """(selectors, declarations) of the plain rules of a stylesheet (comments dropped)."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)
    return [
        ([s.strip() for s in selectors.split(",") if s.strip()], body)
        for selectors, body in re.findall(r"([^{}@]+)\{([^{}]*)\}", css)
    ]


def jupyterlab_css() -> str:
    """The CSS bundled in the installed JupyterLab (its webpack chunks hold it as strings)."""
    pytest.importorskip("jupyterlab")
    static = Path(sys.prefix) / "share" / "jupyter" / "lab" / "static"
    chunks = sorted(static.glob("jlab_core*.js"))
    if not chunks:
        pytest.skip(f"no JupyterLab bundle in {static}")
    text = chunks[0].read_text(encoding="utf-8", errors="replace")
    found = []
    for match in re.finditer(r"([^{}`]*jp-(?:RenderedHTMLCommon|OutputArea)[^{}`]*)\{([^{}`]*)\}", text):
        found.append(f"{match.group(1)}{{{match.group(2)}}}")
    return "\n".join(found).replace("\\n", "\n").replace("\\'", "'")


def cell_selectors(css: str, prop: str) -> list[tuple[tuple[int, int, int], str, str]]:
    """(specificity, selector, value) of every rule that sets ``prop`` on a ``td``."""
    out = []
    for selectors, body in css_rules(css):
        value = re.search(rf"(?:^|;)\s*{prop}\s*:\s*([^;]+)", body)
        if value is None:
            continue
        for selector in selectors:
            if re.search(r"(?<![\w-])td(?![\w-])", selector.split()[-1]):
                out.append((specificity(selector), selector, value.group(1).strip()))
    return out


def test_specificity_helper() -> None:
    assert specificity(":not(.jp-RenderedMarkdown).jp-RenderedHTMLCommon td") == (0, 2, 1)
    assert specificity(".pyenvlab td") == (0, 1, 1)
    assert specificity("table.pyenvlab tr.hit td:first-child") == (0, 3, 3)


def test_our_cell_alignment_beats_jupyterlabs() -> None:
    theirs = [rule for rule in cell_selectors(jupyterlab_css(), "text-align") if "Licenses" not in rule[1]]
    assert any(value == "right" for _, _, value in theirs), "JupyterLab's rule was not found"
    ours = [rule for rule in cell_selectors(CSS, "text-align") if rule[2] == "left"]
    assert ours, "no left-aligning rule for our cells"
    strongest = max(spec for spec, _, _ in theirs)
    assert min(spec for spec, _, _ in ours) > strongest, (ours, theirs)
    numbers = [rule for rule in cell_selectors(CSS, "text-align") if rule[2] == "right"]
    assert numbers and all(f".{NUMBER_CLASS}" in selector for _, selector, _ in numbers)
    assert "!important" not in CSS


def test_every_table_sits_in_a_scrolling_box() -> None:
    from pyenvlab.render import _table

    assert (_table.SCROLL_CLASS, _table.NUMBER_CLASS) == (SCROLL_CLASS, NUMBER_CLASS)
    out = html_table(["a", "b"], [["1", "x"]], numbers=(0,))
    assert out.startswith(f'<div class="{SCROLL_CLASS}"><table class="pyenvlab">')
    assert out.endswith("</table></div>")
    assert '<td class="num">1</td><td>x</td>' in out
    assert re.search(rf"\.{SCROLL_CLASS}\{{[^}}]*overflow-x:auto", CSS)
    for record in (fx.json_trace(), where_candidates(), path_report(), startup_trace()):
        html = render.html(record)
        assert html.count("<table") == html.count(f'<div class="{SCROLL_CLASS}"><table'), type(record)


def output_page(fragment: str, width: int) -> str:
    """``fragment`` as JupyterLab 4 shows an HTML output: in its output-area structure, under
    its own stylesheet, in a notebook ``width`` pixels wide."""
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<style>{jupyterlab_css()}</style></head><body>"
        f"<div class='jp-OutputArea' style='width:{width}px'><div class='jp-OutputArea-child'>"
        "<div class='jp-OutputArea-output jp-RenderedHTMLCommon jp-RenderedHTML' data-mime-type='text/html'>"
        f"{fragment}</div></div></div></body></html>"
    )


#: problems of the tables and graphs in a page (also usable on a real JupyterLab page): a cell
#: not left-aligned (other than a number column's), a table or picture box reaching past its
#: output's right edge, wide content in a box that does not scroll
LAYOUT_PROBLEMS = """() => {
  const problems = [];
  for (const cell of document.querySelectorAll('table.pyenvlab td, table.pyenvlab th')) {
    const align = getComputedStyle(cell).textAlign;
    const wanted = cell.classList.contains('num') ? 'right' : 'left';
    if (align !== wanted && align !== 'start') problems.push(`${cell.tagName} ${cell.textContent}: ${align}`);
  }
  for (const box of document.querySelectorAll('.pyenvlab-scroll, .pyenvlab-graph')) {
    const r = box.getBoundingClientRect();
    const output = (box.closest('.jp-OutputArea-output') || document.body).getBoundingClientRect();
    if (r.right > output.right + 1) problems.push(`box reaches ${r.right} > ${output.right}`);
    const scrolls = ['auto', 'scroll'].includes(getComputedStyle(box).overflowX);
    if (box.scrollWidth > box.clientWidth + 1 && !scrolls) problems.push('wide content is clipped');
  }
  return problems;
}"""


@pytest.mark.browser
def test_tables_are_left_aligned_and_scroll_in_jupyterlabs_css(chromium: Any, tmp_path: Path) -> None:
    fragments = [f"<style>{CSS}</style>" + render.html(r) for r in (fx.json_trace(), where_candidates())]
    page_file = tmp_path / "output.html"
    page_file.write_text(output_page("".join(fragments), 480), encoding="utf-8")
    context = chromium.new_context(viewport={"width": 600, "height": 800})
    try:
        page = context.new_page()
        page.goto(page_file.as_uri())
        assert page.evaluate("document.querySelectorAll('table.pyenvlab td').length") > 20
        assert page.evaluate(LAYOUT_PROBLEMS) == []
        # the wide where table scrolls inside its own box, within the output
        widths = page.evaluate(
            "() => [...document.querySelectorAll('.pyenvlab-scroll')]"
            ".map(b => [b.scrollWidth, b.clientWidth])"
        )
        assert any(scroll > client for scroll, client in widths), widths
    finally:
        context.close()


def wide_trace() -> Any:
    """A trace whose graph is much wider than a notebook output (a chain of 50 imports drawn
    over ~9,500 px; a real ``import IPython`` draws ~2,500 px)."""
    return fx.chain_trace(50)


@needs_dot
def test_a_wide_graph_keeps_a_legible_scale_in_html() -> None:
    pytest.importorskip("graphviz")
    fig = display.figure(wide_trace())
    width = page_zoom.svg_width_px(fig.svg)
    assert width is not None and width > page_zoom.NOTEBOOK_FIT_PX
    html = display.figure_html(fig)
    match = re.search(r'<img [^>]*style="min-width:(\d+)px"', html)
    assert match, html[:300]
    assert int(match.group(1)) == round(width * page_zoom.MIN_SCALE)
    small = display.figure(fx.json_trace())
    assert "min-width" not in display.figure_html(small)


@needs_dot
def test_a_wide_graph_is_shown_unshrunk_in_a_notebook() -> None:
    pytest.importorskip("graphviz")
    tables, (graph, metadata) = display.shown_outputs(wide_trace())
    assert "image/svg+xml" not in graph, "JupyterLab would shrink the SVG to the output's width"
    assert graph["image/png"][:8] == b"\x89PNG\r\n\x1a\n"
    assert metadata == {"image/png": {"unconfined": True}}
    small = display.shown_outputs(fx.json_trace())
    assert "image/svg+xml" in small[1][0] and small[1][1] == {}
    assert display.outputs(wide_trace()) == [tables[0], graph]
