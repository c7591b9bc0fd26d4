"""The shared render helpers: table layout (width, wrapping, wide characters), escaping, graphs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pyenvlab.render import _graph
from pyenvlab.render._escape import dot_html, dot_label, term
from pyenvlab.render._table import display_width, text_table

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` is not installed")


def test_text_table_shortens_a_path_from_its_start() -> None:
    # (it was cut in the middle, "/usr…e-packages", losing the part that matters: issue 14)
    out = text_table(["entry", "outcome"], [["/usr/lib/python3.12/site-packages", "miss"]], width=24)
    assert out.splitlines()[2] == "…/site-packages  miss"
    out = text_table(["entry", "outcome"], [["/usr/lib/python3.12/site-packages", "miss"]], width=33)
    assert out.splitlines()[2] == "/usr/…3.12/site-packages  miss"


def test_text_table_wraps_columns_instead_of_cutting_them() -> None:
    rows = [["1", "stat . \u2713, isdir json \u2713, isfile json/__init__.py \u2713"]]
    out = text_table(["#", "probes"], rows, width=30, shrink=1, wrap=(1,))
    assert out.splitlines()[2:] == [
        "1  stat . \u2713, isdir json \u2713,",
        "   isfile json/__init__.py \u2713",
    ]


def test_text_table_shares_the_cut_between_columns() -> None:
    rows = [["a" * 40, "b" * 40]]
    out = text_table(["x", "y"], rows, width=42, shrink=(0, 1))
    first, second = out.splitlines()[2].split("  ")
    assert len(first) == len(second) == 20


def test_text_table_aligns_wide_characters() -> None:
    out = text_table(["name", "n"], [["\u6f22\u5b57", "1"], ["ab", "2"]], width=40)
    lines = out.splitlines()
    assert display_width(lines[2]) == display_width(lines[3]) == len(lines[1])
    cut = text_table(["name"], [["\u6f22" * 30]], width=20).splitlines()[2]
    assert display_width(cut) <= 20


def test_term_makes_controls_visible() -> None:
    assert term("a\x1b[31m\u202eb\n") == "a\\x1b[31m\\u202eb\\n"


def test_dot_html_doubles_backslashes() -> None:
    # Graphviz expands \N, \G in HTML-like labels too: C:\New would show the node name
    assert dot_html("C:\\New <b>") == "C:\\\\New &lt;b&gt;"
    assert dot_label('C:\\New "q"') == 'C:\\\\New \\"q\\"'


def test_graph_label_is_never_html() -> None:
    pytest.importorskip("graphviz")
    graph = _graph.digraph("g")
    graph.node("n0", _graph.label("<stdin>"))
    assert 'n0 [label="<stdin>"]' in graph.source


@pytest.mark.exe
@needs_dot
def test_pipe_renders_and_survives_a_missing_dot(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    graph = _graph.digraph("g", caption=["legend <b> & \\N"])
    graph.node("n0", _graph.label("C:\\New"))
    svg = _graph.pipe(graph, "svg")
    assert svg is not None
    assert b"C:\\New" in svg
    assert b"legend &lt;b&gt; &amp; \\N" in svg
    monkeypatch.setenv("PATH", str(tmp_path))
    assert _graph.pipe(graph, "svg") is None
    assert not _graph.dot_available()
