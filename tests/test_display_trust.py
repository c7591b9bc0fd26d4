"""In IPython a record shows as two outputs, so its graph survives untrusted notebooks.

JupyterLab prefers text/html over images, and in an untrusted notebook it sanitises HTML and
drops data: images. So the tables come as one output and the graph as another one that has
image/svg+xml (trusted) and image/png (untrusted) but no HTML.
"""

from __future__ import annotations

import shutil

import pytest
from IPython.utils.capture import capture_output

import pyenvlab
from tests.render_fixtures import json_trace as simple_trace


@pytest.fixture(autouse=True)
def _shell() -> None:
    """display() publishes through the running IPython shell; make sure there is one."""
    from IPython.core.interactiveshell import InteractiveShell

    InteractiveShell.instance()


@pytest.mark.exe
@pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz's dot")
def test_tables_then_a_picture_without_html() -> None:
    trace = simple_trace()
    with capture_output() as captured:
        trace._ipython_display_()
    tables, picture = captured.outputs
    assert "<table" in tables.data["text/html"]
    assert "data:image" not in tables.data["text/html"]
    assert tables.data["text/plain"] == pyenvlab.render.text(trace, width=100, color=False)
    assert set(picture.data) == {"text/plain", "image/svg+xml", "image/png"}
    assert picture.data["image/svg+xml"].lstrip().startswith(("<?xml", "<svg", "<!--"))
    assert picture.data["image/png"][:8] == b"\x89PNG\r\n\x1a\n"


def test_without_dot_the_tables_carry_the_dot_source(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    trace = simple_trace()
    with capture_output() as captured:
        trace._ipython_display_()
    assert len(captured.outputs) == 1
    html = captured.outputs[0].data["text/html"]
    assert "DOT source" in html
    assert "Graphviz" in html


def test_candidates_display_the_same_way() -> None:
    with capture_output() as captured:
        pyenvlab.where("json")._ipython_display_()
    assert "<table" in captured.outputs[0].data["text/html"]


@pytest.mark.exe
@pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz's dot")
@pytest.mark.parametrize(
    "make",
    [
        lambda: pyenvlab.render.dot(simple_trace()),
        lambda: pyenvlab.render.dot(simple_trace(), module="json"),
        lambda: pyenvlab.render.dot(pyenvlab.startup()),
        lambda: pyenvlab.render.dot(pyenvlab.deps("pyenvlab")),
    ],
    ids=["tree", "scan", "startup", "deps"],
)
def test_render_dot_shows_as_svg_and_png(make: object) -> None:
    """A bare graph (``render.dot``) shows in untrusted notebooks too: PNG next to the SVG,
    and a text/plain without a memory address, so nbval can compare it."""
    graph = make()  # type: ignore[operator]
    with capture_output() as captured:
        from IPython.display import display

        display(graph)
    (output,) = captured.outputs
    assert set(output.data) == {"text/plain", "image/svg+xml", "image/png"}
    assert output.data["image/png"][:8] == b"\x89PNG\r\n\x1a\n"
    assert output.data["text/plain"] == f"[graph: {graph.name}]"
    assert "0x" not in output.data["text/plain"]


def test_render_dot_without_dot_shows_the_source(monkeypatch: pytest.MonkeyPatch) -> None:
    graph = pyenvlab.render.dot(simple_trace())
    monkeypatch.setenv("PATH", "/nonexistent")
    bundle = graph._repr_mimebundle_()
    assert set(bundle) == {"text/plain", "text/html"}
    assert graph.source in bundle["text/plain"]
    assert "apt-get install graphviz" in bundle["text/plain"]
    assert "DOT source" in bundle["text/html"]
    assert graph._repr_mimebundle_(include=["image/png"]) == {}


@pytest.mark.exe
@pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz's dot")
def test_a_module_record_displays_its_scan() -> None:
    """``trace.module("json")`` in a notebook shows the scan table and graph, not a repr."""
    record = simple_trace().module("json")
    with capture_output() as captured:
        record._ipython_display_()
    tables, picture = captured.outputs
    assert tables.data["text/plain"] == pyenvlab.render.text(record, width=100, color=False)
    assert "<table" in tables.data["text/html"]
    assert "ModuleRecord(" not in tables.data["text/plain"]
    assert set(picture.data) == {"text/plain", "image/svg+xml", "image/png"}


def test_render_dot_text_only_does_not_draw() -> None:
    graph = pyenvlab.render.dot(simple_trace())
    assert graph._repr_mimebundle_(include=["text/plain"]) == {"text/plain": f"[graph: {graph.name}]"}
