"""Graphs show in JupyterLab whether a notebook is trusted or not.

A notebook whose outputs were made elsewhere (run by nbclient, committed to git, opened on
Binder) is *untrusted*: JupyterLab will not show its SVG and falls back to the next mime type
it may show. pyenvlab puts a PNG next to every SVG, so the graph is still there. After
``jupyter trust`` the same outputs show as SVG.
"""

from __future__ import annotations

import shutil

import nbformat
import pytest
from nbclient import NotebookClient

from tests.browser import NOTEBOOKS, NotebookPage, artifacts_dir

pytestmark = pytest.mark.browser

#: a workshop notebook with every kind of graph output: record displays, render.dot, widgets
NOTEBOOK = "04-module-location.ipynb"

_TRUSTED = """() => {
  const cells = window.jupyterapp.shell.currentWidget.content.model.cells;
  const out = [];
  for (let i = 0; i < cells.length; i++) {
    const c = cells.get(i);
    if (c.type === 'code' && c.outputs.length) out.push(c.trusted);
  }
  return out;
}"""


def _graph_outputs(page: NotebookPage) -> list[tuple[int, object]]:
    """(cell index, rendered output) for every output whose data holds a picture."""
    found = []
    for index, (cell, shown) in enumerate(zip(page.cells(), page.rendered(), strict=True)):
        for output, rendered in zip(cell["outputs"], shown, strict=True):
            if any(m in output.get("data", {}) for m in ("image/svg+xml", "image/png")):
                found.append((index, rendered))
    return found


@pytest.fixture(scope="module")
def executed(lab) -> str:
    """The notebook run by nbclient (as an instructor would hand it out), saved unsigned
    next to the lab's notebooks: untrusted."""
    source = nbformat.read(NOTEBOOKS / NOTEBOOK, as_version=4)
    run_dir = lab.home / "nbclient"
    run_dir.mkdir(exist_ok=True)
    client = NotebookClient(
        source, km=lab.kernel_manager(), timeout=600, resources={"metadata": {"path": str(run_dir)}}
    )
    client.execute()
    name = f"executed-{NOTEBOOK}"
    nbformat.write(source, lab.root / name)
    shutil.rmtree(run_dir, ignore_errors=True)
    return name


def _check_pictures(page: NotebookPage, mime: str) -> int:
    graphs = _graph_outputs(page)
    assert len(graphs) >= 3, "where(), the module record and render.dot draw graphs"
    for index, rendered in graphs:
        assert rendered.mime == mime, (index, rendered.mime, rendered.text[:200])
        (image,) = rendered.images
        assert image["complete"] and min(image["natural"]) >= 40, (index, image)
        assert min(image["shown"]) >= 40, (index, image)
    text = " ".join(o.text for cell in page.rendered() for o in cell)
    assert "object at 0x" not in text and "graphviz.graphs" not in text
    return len(graphs)


def test_untrusted_notebook_shows_graphs_as_png(lab, chromium, executed: str) -> None:
    page = NotebookPage(chromium, lab, executed).open()
    try:
        trusted = page.page.evaluate(_TRUSTED)
        assert trusted and not any(trusted), "outputs made by nbclient are untrusted"
        assert page.unexecuted() == []  # nothing was run here: the outputs are nbclient's
        _check_pictures(page, "image/png")
        page.screenshot("trust-untrusted")
    finally:
        page.close()


def test_trusted_notebook_shows_graphs_as_svg(lab, chromium, executed: str) -> None:
    trusted_name = f"trusted-{NOTEBOOK}"
    shutil.copy2(lab.root / executed, lab.root / trusted_name)
    lab.trust(lab.root / trusted_name)
    page = NotebookPage(chromium, lab, trusted_name).open()
    try:
        trusted = page.page.evaluate(_TRUSTED)
        assert trusted and all(trusted)
        _check_pictures(page, "image/svg+xml")
        page.screenshot("trust-trusted")
        assert (artifacts_dir() / "trust-trusted.png").stat().st_size > 10_000
    finally:
        page.close()
