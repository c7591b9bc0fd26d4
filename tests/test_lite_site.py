"""The workshop as a JupyterLite site, in a real browser, with nothing but a static file server.

The site is built once per session by the real command (``lite_site`` in conftest.py:
``python -m pyenvlab lite OUTDIR``) and served on 127.0.0.1 by a plain static file server, as
an instructor would (``python -m http.server -d OUTDIR``). Python is Pyodide, running in the
browser's worker. Each notebook opens in a browser context of its own whose proxy is a trap
(:class:`tests.browser.TrapProxy`): Chromium sends every request for another host there (from
the page, its workers and the site's service worker alike) and keeps loopback direct. So the
trap's list is every request that tried to leave the serving host, and it must stay empty;
every URL the context requested is recorded with Playwright as well.

The notebooks that run in a browser run to the end (Run All) without an error, draw their
graphs as SVG (Graphviz in WebAssembly), show trace tables (left-aligned, nothing cut at the
right), and afterwards their widgets answer clicks and keys; a notebook that needs processes
stops at its first cell with a pointer to Binder.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser import VIEWPORT, NotebookPage, StaticSite, TrapProxy, iter_notebooks, text_of
from tests.test_browser_notebooks import (
    IMAGE_TYPES,
    MIN_SIDE,
    _check_layout,
    _operate_every_explorer,
)

pytestmark = pytest.mark.browser


def _browser_notebooks() -> list[str]:
    from pyenvlab.lite.site import browser_notebooks

    return browser_notebooks(list(iter_notebooks()))


BROWSER_NOTEBOOKS = _browser_notebooks()
PROCESS_NOTEBOOKS = [p.name for p in iter_notebooks() if p.name not in BROWSER_NOTEBOOKS]


@pytest.fixture(scope="module")
def site(lite_site) -> Iterator[StaticSite]:
    server = StaticSite(lite_site.path)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def trap() -> Iterator[TrapProxy]:
    proxy = TrapProxy()
    yield proxy
    proxy.stop()


@pytest.fixture
def visits(chromium, trap) -> Iterator[tuple[Any, list[str]]]:
    """A browser context for one notebook, its proxy the trap, and every URL it requested.

    One per notebook: a context shared by several JupyterLite notebooks one after the other
    grew slower with each (kernel starts of 30 s became 115 s, measured side by side)."""
    # Playwright proxies loopback too unless told: the site's host stays direct
    context = chromium.new_context(
        viewport=VIEWPORT, proxy={"server": trap.url, "bypass": "127.0.0.1"}, service_workers="allow"
    )
    urls: list[str] = []
    context.on("request", lambda request: urls.append(request.url))
    yield context, urls
    context.close()


def _open(chromium, site: StaticSite, visits, name: str) -> NotebookPage:
    return NotebookPage(chromium, site, name, context=visits[0]).open()


def _check_requests(site: StaticSite, trap: TrapProxy, visits) -> None:
    """No request went anywhere but the serving host: the trap saw none, and every URL that
    Playwright recorded is on the site."""
    assert trap.requests == [], f"requests tried to leave the serving host: {trap.requests}"
    urls = visits[1]
    assert urls, "Playwright recorded no request at all"
    elsewhere = [url for url in urls if not url.startswith(site.url + "/")]
    assert elsewhere == [], elsewhere


def _shown(outputs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The outputs that show something (the Pyodide kernel also sends an empty execute_result
    after a display made by ``_ipython_display_``; JupyterLab draws nothing for it)."""
    return [o for o in outputs if o["output_type"] in ("stream", "error") or o.get("data")]


def test_in_process_notebooks_are_the_ones_the_issue_names() -> None:
    assert {"01-namespaces.ipynb", "02-modules-and-packages.ipynb", "04-module-location.ipynb",
            "13-import-once.ipynb"} <= set(BROWSER_NOTEBOOKS)  # fmt: skip
    assert len(PROCESS_NOTEBOOKS) >= 5


@pytest.mark.parametrize("name", BROWSER_NOTEBOOKS)
def test_notebook_runs_in_the_browser(name: str, site, trap, visits, chromium) -> None:
    page = _open(chromium, site, visits, name)
    try:
        assert page.run_all() == "true", page.errors()  # Run All, the last cell included
        assert page.unexecuted() == []
        assert page.errors() == []
        cells = page.cells()
        rendered = page.rendered()
        pictures = 0
        for index, (cell, outputs) in enumerate(zip(cells, rendered, strict=True)):
            for output, shown in zip(_shown(cell["outputs"]), outputs, strict=True):
                for image in shown.images:
                    assert image["complete"] and min(image["natural"]) > 0, (index, image)
                if not any(mime in output.get("data", {}) for mime in IMAGE_TYPES):
                    continue
                pictures += 1
                assert "image/png" not in output["data"]  # Graphviz in WebAssembly draws SVG only
                assert shown.mime == "image/svg+xml", (index, shown.mime)
                (image,) = shown.images
                assert min(image["natural"]) >= MIN_SIDE, (index, image)
        if any("render.dot(" in c["source"] or "%trace_imports" in c["source"] for c in cells):
            assert pictures, "this notebook draws graphs: none showed"
        if name == "04-module-location.ipynb":  # a trace table: the scan of the shadowed json
            table = page.cell(page.cell_index('t.module("json")')).locator("table.pyenvlab").first
            rows = table.locator("tr").all_inner_texts()
            assert any("shadow" in row and "found here" in row for row in rows), rows
            assert page.cell(page.cell_index("SysPathLab(")).locator(".jupyter-widgets").count() > 0
        _check_layout(page, cells)
        _operate_every_explorer(page, cells)  # after Run All, every explorer still answers
        assert page.errors() == []
        _check_layout(page, page.cells())
        page.screenshot(f"lite-{name.removesuffix('.ipynb')}")
        assert page.dialogs == []
        _check_requests(site, trap, visits)
    finally:
        page.close()


@pytest.mark.parametrize("name", PROCESS_NOTEBOOKS[-1:])
def test_a_notebook_that_needs_processes_says_so_and_stops(name: str, site, trap, visits, chromium) -> None:
    page = _open(chromium, site, visits, name)
    try:
        assert page.run_all() != "true"  # stopped on purpose, at the first code cell
        cells = page.cells()
        code = [i for i, c in enumerate(cells) if c["type"] == "code"]
        (error,) = [o for o in cells[code[0]]["outputs"] if o["output_type"] == "error"]
        message = re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(error["traceback"]))
        assert "a browser cannot start processes" in message and "Binder" in message, message
        assert "Traceback" not in message  # the message alone, not a traceback
        assert "These notebooks run in this browser" in message
        assert page.unexecuted() == code[1:]
        shown = text_of(page.cell(code[0]).locator(".jp-OutputArea-output").first)
        assert "a browser cannot start processes" in shown
        _check_requests(site, trap, visits)
    finally:
        page.close()
