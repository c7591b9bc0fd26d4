"""A 1,200-load trace's report in Chromium: legible at 100 % zoom, drill-down and the fit switch
work without script, and the page's Content-Security-Policy blocks nothing it needs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import pyenvlab
from tests.browser import artifacts_dir
from tests.test_chart import big_trace

pytestmark = pytest.mark.browser

#: the smallest rendered text (CSS pixels, at 100 % zoom) of every label in the chart and graphs
_SMALLEST_TEXT = """(selector) => {
  let smallest = 1e9, count = 0;
  for (const el of document.querySelectorAll(selector)) {
    if (!el.textContent.trim() || el.getBoundingClientRect().width === 0) continue;
    // the font size in the SVG's user units times the scale from user units to CSS pixels
    smallest = Math.min(smallest, parseFloat(getComputedStyle(el).fontSize) * el.getScreenCTM().a);
    count++;
  }
  return [smallest, count];
}"""


def _open(chromium: Any, path: Path) -> tuple[Any, Any, list[str]]:
    context = chromium.new_context(java_script_enabled=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.goto(path.as_uri())
    return context, page, console


def test_big_trace_report_stays_legible_and_drills_down(chromium: Any, tmp_path: Path) -> None:
    trace = big_trace(1200)
    report = pyenvlab.render.report(trace, tmp_path / "big.html")
    context, page, console = _open(chromium, report)
    try:
        assert page.evaluate("document.scripts.length") == 0
        csp = page.locator('meta[http-equiv="Content-Security-Policy"]')
        assert csp.count() == 1 and "default-src 'none'" in csp.get_attribute("content")
        smallest, labels = page.evaluate(_SMALLEST_TEXT, "svg.pyenvlab-chart text")
        assert labels > 50 and smallest >= 9, (smallest, labels)
        chart = page.locator("svg.pyenvlab-chart").first
        assert chart.bounding_box()["width"] == pytest.approx(960, abs=1), "drawn at its real size"
        # drill-down: a zoom opens and shows its own full-width chart
        zoom = page.locator("details.pyenvlab-zoom").first
        assert not zoom.locator("svg").is_visible()
        zoom.locator("summary").click()
        assert zoom.locator("svg").is_visible()
        assert zoom.locator("svg").bounding_box()["width"] == pytest.approx(960, abs=1)
        # the cost table's orders: self open, the others a click away
        orders = page.locator("details.pyenvlab-order")
        assert orders.count() == 3 and orders.nth(0).locator("table").is_visible()
        orders.nth(2).locator("summary").click()
        assert orders.nth(2).locator("table").is_visible()
        graph_smallest, graph_labels = page.evaluate(_SMALLEST_TEXT, "div.pyenvlab-graph svg text")
        assert graph_labels > 20 and graph_smallest >= 9, (graph_smallest, graph_labels)
        page.screenshot(path=str(artifacts_dir() / "bigtrace-report.png"), full_page=False)
        chart.scroll_into_view_if_needed()
        page.screenshot(path=str(artifacts_dir() / "bigtrace-chart.png"))
        # the fit switch shrinks a wide graph to the page and back, with CSS alone
        switch = page.locator("input.pyenvlab-fit")
        if switch.count():
            graph = page.locator("div.pyenvlab-graph svg").first
            wide = graph.bounding_box()["width"]
            switch.first.check()
            assert graph.bounding_box()["width"] < wide
        assert not [m for m in console if "Content Security Policy" in m], console
    finally:
        context.close()


def test_import_ipython_report(chromium: Any, tmp_path: Path) -> None:
    """The issue's example: `import IPython` (~140 modules) no longer shrinks its graph."""
    pytest.importorskip("IPython")
    trace = pyenvlab.trace_import("import IPython", cwd=tmp_path)
    report = pyenvlab.render.report(trace, tmp_path / "ipython.html")
    context, page, console = _open(chromium, report)
    try:
        graph_smallest, graph_labels = page.evaluate(_SMALLEST_TEXT, "div.pyenvlab-graph svg text")
        assert graph_labels > 20 and graph_smallest >= 9, (graph_smallest, graph_labels)
        smallest, labels = page.evaluate(_SMALLEST_TEXT, "svg.pyenvlab-chart text")
        assert labels > 10 and smallest >= 9, (smallest, labels)
        page.locator("svg.pyenvlab-chart").first.scroll_into_view_if_needed()
        page.screenshot(path=str(artifacts_dir() / "ipython-report-chart.png"))
        assert not [m for m in console if "Content Security Policy" in m], console
    finally:
        context.close()
