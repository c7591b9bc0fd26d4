"""Views of PEP 810 lazy imports and of CPython in WebAssembly: text, HTML and DOT.

A lazy import is shown three ways, each with its own style and a legend that appears only when
the trace has one: the *statement* (bound, nothing searched or run), the *load* at its first
use (where that use was), and the lazy import still *pending* at the end. Goldens of the
hand-built ``lazy_trace()`` are in ``tests/golden/lazy.*``; the last tests render a real trace
made in Pyodide 3.15.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from pyenvlab import render
from pyenvlab._records import replace
from pyenvlab.model import ModuleRecord, Statement, Trace
from pyenvlab.render import trace_views
from pyenvlab.render._table import CSS
from pyenvlab.render.trace_views import dot_views, queries, wording
from tests import render_fixtures as fx
from tests.conftest import pyodide_or_skip
from tests.test_render_trace import CONTROL, assert_safe_html

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` is not installed")
MAGENTA, DIM_MAGENTA = "\x1b[35m", "\x1b[35;2m"


def _statuses(trace: Trace) -> dict[str, str]:
    return {st.name: status for st, status, _ in queries.lazy_imports(trace)}


# -- what became of each lazy import -----------------------------------------------------------


def test_each_lazy_import_has_a_status() -> None:
    assert _statuses(fx.lazy_trace()) == {
        "lz_used": "reified",
        "lz_pkg": "reified",
        "lz_never": "pending",
        "json": "cached",
        "nosuch_mod": "failed",
    }
    loads = {st.name: load for st, _, load in queries.lazy_imports(fx.lazy_trace())}
    assert loads["lz_used"].first_use == "<string>:6" and loads["lz_never"] is None


def test_a_lazy_import_loaded_first_by_an_ordinary_one_and_pending_names_without_a_statement() -> None:
    trace = Trace(
        python="3.15.0",
        executable="python",
        sys_path=(),
        modules=(ModuleRecord("colorsys", "/lib/colorsys.py", "PathFinder", imported_by="app"),),
        statements=(
            Statement("colorsys", "__main__", False, lazy=True),
            Statement("colorsys", "app", False),
            Statement("nothing", "__main__", False, lazy=True),
        ),
        lazy_pending=("orphan",),
    )
    found = queries.lazy_imports(trace)
    assert [(st.name, st.importer, status) for st, status, _ in found] == [
        ("colorsys", "__main__", "loaded"),
        ("nothing", "__main__", "bound"),
        ("orphan", None, "pending"),  # in lazy_pending with no recorded statement: still shown
    ]
    rows = {r[0]: r[2] for r, _ in wording.lazy_rows(trace)}
    assert rows["lazy import colorsys"] == "loaded earlier by an ordinary import (imported by app)"
    assert rows["lazy import orphan"] == "pending: never used, so never searched, never run"


def test_the_load_of_the_importer_that_used_it_wins_over_the_one_still_pending() -> None:
    """Two modules lazily import x; one uses it (its load), the other never does (pending)."""
    trace = Trace(
        python="3.15.0",
        executable="python",
        sys_path=(),
        modules=(ModuleRecord("x", "/x.py", "PathFinder", imported_by="b", lazy=True, first_use="b.py:3"),),
        statements=(Statement("x", "a", False, lazy=True), Statement("x", "b", False, lazy=True)),
        lazy_pending=("x",),
    )
    assert [(st.importer, status) for st, status, _ in queries.lazy_imports(trace)] == [
        ("a", "pending"),
        ("b", "reified"),
    ]


# -- text --------------------------------------------------------------------------------------


def test_text_shows_statements_loads_with_first_use_and_pending() -> None:
    out = render.text(fx.lazy_trace(), width=100, color=False)
    assert trace_views.summary(fx.lazy_trace()).endswith("5 lazy imports (1 pending), 16.0\u00a0ms in total")
    assert "(1 pending)" in out
    assert re.search(r"^1  lz_used \(lazy\) +module +PathFinder +\[2\] lz_used\.py", out, re.MULTILINE)
    assert re.search(r"^2    colorsys +module", out, re.MULTILINE)  # its own import is an ordinary one
    assert out.count(wording.LAZY_LOAD_LEGEND[:40]) == 1
    section = out[out.index(wording.LAZY_TITLE) :]
    assert re.search(r"^lazy import lz_used +__main__ +loaded on first use at <string>:6$", section, re.M)
    assert re.search(
        r"^lazy from lz_pkg import sub +__main__ +loaded on first use at <string>:6$", section, re.M
    )
    assert re.search(r"^lazy import lz_never +__main__ +pending: never used", section, re.M)
    assert re.search(
        r"^lazy import nosuch_mod +__main__ +first use at <string>:8 failed: ModuleNotFound", section, re.M
    )
    assert "lazy import: nothing is searched or run when the statement runs" in section


def test_text_colours_each_kind_of_lazy_import_its_own_way() -> None:
    out = render.text(fx.lazy_trace(), width=100, color=True)
    assert MAGENTA + "1  lz_used (lazy)" in out  # the load at first use
    assert MAGENTA + "lazy import lz_used " in out
    assert DIM_MAGENTA + "lazy import lz_never " in out  # pending
    assert "\x1b[31mlazy import nosuch_mod " in out  # its first use failed
    assert re.sub(r"\x1b\[[0-9;]*m", "", out) == render.text(fx.lazy_trace(), width=100, color=False)


@pytest.mark.parametrize("width", [80, 100, 140])
def test_lazy_text_fits_the_width(width: int) -> None:
    out = render.text(fx.lazy_trace(), width=width, color=False)
    assert not [line for line in out.splitlines() if len(line) > width]


def test_no_lazy_words_in_a_trace_without_lazy_imports() -> None:
    for trace in (fx.json_trace(), fx.namespace_trace()):
        out = render.text(trace, width=100) + render.html(trace) + render.dot(trace).source
        assert "lazy" not in out.lower() and "WebAssembly" not in out


def test_a_module_record_of_a_lazy_load_says_when_it_was_loaded() -> None:
    out = render.text(fx.lazy_trace().module("lz_used"), width=200, color=False)
    assert out.splitlines()[0].endswith("loaded at the first use of a lazy import (<string>:6)")


def test_many_lazy_imports_are_cut_in_the_terminal_and_all_listed_in_html() -> None:
    """lazy_imports="all" makes every import statement of a program lazy."""
    statements = tuple(Statement(f"m{i:02d}", "__main__", False, lazy=True) for i in range(40))
    trace = replace(
        fx.lazy_trace(), statements=statements, lazy_pending=tuple(f"m{i:02d}" for i in range(40))
    )
    out = render.text(trace, width=100, color=False)
    assert out.count("pending: never used") == 15
    assert "... and 25 more lazy imports (25 pending)" in out
    assert render.html(trace).count('<tr class="lazy-pending">') == 40


# -- html --------------------------------------------------------------------------------------


def test_html_rows_carry_the_lazy_classes_and_css_styles_them() -> None:
    out = render.html(fx.lazy_trace())
    assert '<tr class="module lazy"><td>1</td><td>lz_used (lazy)</td>' in out
    assert '<tr class="lazy"><td>lazy import lz_used</td><td>__main__</td>' in out
    assert '<tr class="lazy-pending"><td>lazy import lz_never</td>' in out
    assert '<tr class="lazy-bound"><td>lazy import json</td>' in out
    assert '<tr class="lazy error"><td>lazy import nosuch_mod</td>' in out
    assert "&lt;string&gt;:6" in out  # escaped like every user string
    assert out.count('class="pyenvlab-note">lazy import: nothing is searched') == 1
    for klass in ("tr.lazy td", "tr.lazy-pending td", "tr.lazy-bound td"):
        assert f".pyenvlab {klass}" in CSS


# -- dot ---------------------------------------------------------------------------------------


def _node(source: str, name: str) -> str:
    (line,) = [
        line for line in source.splitlines() if re.match(rf'\s*m\d+ \[label="{re.escape(name)}\\n', line)
    ]
    return line


def test_tree_draws_loads_at_first_use_dotted_and_pending_dashed_with_a_legend() -> None:
    source = render.dot(fx.lazy_trace()).source
    used = _node(source, "lz_used")
    assert "lazy: first use <string>:6" in used and "dotted" in used and dot_views.LAZY_COLOR in used
    never = _node(source, "lz_never")
    assert "pending: never searched, never run" in never and "dashed" in never
    node_id = never.split()[0]
    assert re.search(rf'm0 -> {node_id} \[label="lazy import" .*style=dashed', source)
    assert re.search(r"m0 -> m1 \[label=lazy .*style=dotted", source)
    assert "m1 -> m2\n" in source  # lz_used's own import of colorsys: an ordinary arrow
    assert dot_views.LAZY_CAPTION[0] in source
    assert dot_views.LAZY_CAPTION[0] not in render.dot(fx.json_trace()).source


def test_the_legend_survives_the_cache_hit_note() -> None:
    trace = fx.lazy_trace()
    hits = (Statement("colorsys", "lz_pkg", True), Statement("lz_used", "lz_pkg.sub", True))
    source = render.dot(replace(trace, statements=trace.statements + hits), cached=1).source
    label = [line for line in source.splitlines() if "graph [label=" in line][-1]
    assert "Only the 1 most frequent cache-hit arrows are drawn" in label
    assert dot_views.LAZY_CAPTION[1] in label


def test_many_pending_lazy_imports_fold_into_one_node() -> None:
    pending = tuple(f"p{i:02d}" for i in range(dot_views.PENDING_NODES + 1))
    statements = tuple(Statement(name, "__main__", False, lazy=True) for name in pending)
    trace = replace(fx.lazy_trace(), statements=statements, lazy_pending=pending)
    source = render.dot(trace).source
    assert _pending_nodes(source) == 1
    assert f"{len(pending)} lazy imports never used" in source
    assert re.search(rf'-> m\d+ \[label="{len(pending)} lazy imports"', source)
    few = replace(trace, statements=statements[:-1], lazy_pending=pending[:-1])
    assert _pending_nodes(render.dot(few).source) == dot_views.PENDING_NODES


def _pending_nodes(source: str) -> int:
    return len(re.findall(r"^\s*m\d+ \[label=.*pending: never searched, never run", source, re.M))


def test_grouped_nodes_count_their_lazy_loads_and_a_filter_keeps_matching_pending() -> None:
    source = render.dot(fx.lazy_trace(), collapse="package", max_nodes=2).source
    assert re.search(r"\d+ modules, [^\"]*, \d+ lazy", source)
    filtered = render.dot(fx.lazy_trace(), filter="lz_never").source
    assert "lz_never\\nlazy import, never used" in filtered
    other = render.dot(fx.lazy_trace(), filter="lz_used").source
    assert "lz_never" not in other.split("shape=note]", 1)[1]  # (the root label shows the code)


def test_the_scan_of_a_lazy_load_says_so() -> None:
    source = render.dot(fx.lazy_trace(), module="lz_pkg").source
    assert "loaded at the first use of a lazy import (<string>:6)" in source


@pytest.mark.exe
@needs_dot
def test_lazy_tree_renders_with_dot() -> None:
    svg = render.dot(fx.lazy_trace()).pipe(format="svg").decode()
    assert 'stroke-dasharray="1,5"' in svg  # dotted
    assert "lazy import, never used" in svg and "&lt;string&gt;:6" in svg


# -- the interpreter ---------------------------------------------------------------------------


def test_webassembly_and_the_finders_cpython_does_not_install() -> None:
    trace = fx.lazy_trace()
    line = (
        "CPython compiled to WebAssembly (sys.platform 'emscripten'); sys.meta_path: BuiltinImporter, "
        "FrozenImporter, PathFinder, JsFinder, WindowsToLinuxPathFinder (JsFinder, "
        "WindowsToLinuxPathFinder are not CPython's)"
    )
    assert wording.interpreter_facts(trace) == line
    assert line in render.text(trace, width=400, color=False).splitlines()[1]
    assert f'<p class="pyenvlab-note">{line.replace(chr(39), "&#x27;")}</p>' in render.html(trace)
    one = replace(trace, meta_path=("BuiltinImporter", "PathFinder", "JsFinder"))
    assert wording.interpreter_facts(one).endswith("(JsFinder is not CPython's)")
    bare = replace(trace, meta_path=())
    assert wording.interpreter_facts(bare) == "CPython compiled to WebAssembly (sys.platform 'emscripten')"
    # a native interpreter: nothing to say (the platform and finders are the facts, not the version)
    native = replace(
        trace, platform="linux", python="3.15.0", meta_path=("DistutilsMetaFinder", "PathFinder")
    )
    assert wording.interpreter_facts(native) is None
    assert "WebAssembly" not in render.text(native) and "WebAssembly" not in render.html(native)


# -- hostile names -----------------------------------------------------------------------------


def test_hostile_lazy_names_in_text() -> None:
    for color in (False, True):
        out = render.text(fx.hostile_lazy_trace(), width=100, color=color)
        plain = re.sub(r"\x1b\[[0-9;]*m", "", out) if color else out
        assert not CONTROL.search(plain)
    out = render.text(fx.hostile_lazy_trace(), width=300, color=False)
    assert "lazy import <script>alert(1)</script>" in out
    assert "\\x1b[31m" in out


def test_hostile_lazy_names_in_html() -> None:
    parsed = assert_safe_html(render.html(fx.hostile_lazy_trace()))
    text = "".join(parsed.text)
    assert "<img src=x onerror=alert(1)>" in text and "lazy import <script>alert(1)</script>" in text


@pytest.mark.parametrize("options", [{}, {"show_all": True}, {"module": fx.HOSTILE[1]}])
def test_hostile_lazy_names_in_dot(options: dict) -> None:
    source = render.dot(fx.hostile_lazy_trace(), **options).source
    for line in source.splitlines():
        assert not re.match(r"\s*<", line)
    assert {m.group(1) for m in re.finditer(r"\\(.)", source)} <= {"\\", '"', "n", "l"}
    assert "\x1b" not in source


@pytest.mark.exe
@needs_dot
def test_hostile_lazy_names_render_literally_in_svg() -> None:
    from tests.test_render_trace import _svg_texts

    texts = _svg_texts(render.dot(fx.hostile_lazy_trace()).pipe(format="svg"))
    assert "new\\nline\\r\\ttab" in texts  # a pending name, its control characters visible
    assert "back\\N\\l\\G\\\\:4" in texts  # a first use, backslashes not expanded


# -- a real lazy trace, made in Pyodide 3.15 ---------------------------------------------------


def test_a_real_lazy_trace_draws_pending_and_loaded_on_first_use(tmp_path: Path) -> None:
    import pyenvlab

    py315 = pyodide_or_skip("3.15")
    (tmp_path / "lz_used.py").write_text("VALUE = 1\n")
    (tmp_path / "lz_never.py").write_text("raise SystemExit('never')\n")
    code = "lazy import lz_used\nlazy import lz_never\nvalue = lz_used.VALUE\n"
    trace = pyenvlab.trace_import(code, python=py315, path=[tmp_path])
    assert _statuses(trace) == {"lz_used": "reified", "lz_never": "pending"}
    out = render.text(trace, width=120, color=False)
    assert re.search(r"^lazy import lz_used +__main__ +loaded on first use at <string>:3$", out, re.M)
    assert re.search(r"^lazy import lz_never +__main__ +pending: never used", out, re.M)
    assert "CPython compiled to WebAssembly (sys.platform 'emscripten')" in out
    assert "JsFinder" in "\n".join(out.splitlines()[1:4])  # the facts, after the code's line(s)
    source = render.dot(trace).source
    assert "lazy: first use <string>:3" in source and "lz_never\\nlazy import, never used" in source
    html = render.html(trace)
    assert '<tr class="lazy-pending"><td>lazy import lz_never</td>' in html
    assert "2 lazy imports (1 pending)" in trace_views.summary(trace)
