"""Renderers of import traces: goldens, view options, display bundle, reports, the CLI command.

Goldens live in ``tests/golden`` (regenerate with ``python tests/golden/regenerate.py``).
Tests that run Graphviz's ``dot`` are marked ``exe`` and skipped only when ``dot`` is missing.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from pyenvlab import render
from pyenvlab._records import replace
from pyenvlab.model import ModuleRecord, Trace
from pyenvlab.render import display, standalone, trace_views
from pyenvlab.render.trace_views import Group

try:  # tests/ as a package, or tests/ itself on sys.path (rootdir conftest)
    from tests import render_fixtures as fx
except ImportError:
    import render_fixtures as fx  # type: ignore[no-redef]

GOLDEN = Path(__file__).parent / "golden"
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` is not installed")


def node_count(graph: object) -> int:
    """Nodes in a Digraph (statements ``id [label=...]`` that are not edges)."""
    return sum(1 for line in graph.body if re.match(r"\s*[a-z]\d+ \[", line))  # type: ignore[attr-defined]


# -- goldens -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(fx.golden_cases()))
def test_golden(name: str) -> None:
    expected = (GOLDEN / name).read_text(encoding="utf-8")
    assert fx.golden_cases()[name] == expected, f"{name} changed: run tests/golden/regenerate.py and review"


# -- text ----------------------------------------------------------------------------------------


def test_text_of_a_single_import_spells_out_the_scan() -> None:
    out = render.text(fx.json_trace(), width=100, color=False)
    lines = out.splitlines()
    assert " ".join(line.strip() for line in lines[1:3]) == (  # (the summary wraps at 100 columns)
        "6 modules loaded, 14 search-path entries visited by 5 searches, 20 probes, 8 cache hits, "
        "5.10\u00a0ms in total"
    )
    assert "json (package): searched 5 of 7 entries of sys.path; found in the 5th: /usr/lib/python3.12" in out
    scan = [line for line in lines if line.startswith(("5  /usr/lib/python3.12 ", "6  /usr/lib/python3.12"))]
    assert "found here" in scan[0]
    assert "not reached" in scan[1]
    assert "re            \u00d74     json.scanner \u00d72, json.decoder, json.encoder" in out


def test_text_nests_modules_under_their_importer_and_shows_where_they_came_from() -> None:
    out = render.text(fx.json_trace(), width=100, color=False)
    row = r"^3      json\.scanner +module +PathFinder +\[5\] json/scanner\.py +0\.95\u00a0ms$"
    assert re.search(row, out, re.MULTILINE)
    assert re.search(r"^6      _string +built-in +BuiltinImporter +\(compiled in\)", out, re.MULTILINE)


def test_text_of_failures_and_namespace_packages() -> None:
    out = render.text(fx.namespace_trace(), width=100, color=False)
    assert "nsdemo is a namespace package (no __init__.py)" in out
    assert "2 portions found" in out
    assert "importing missing_mod failed after searching 3 entries of sys.path" in out
    assert "missing_mod: ModuleNotFoundError: No module named 'missing_mod'" in out
    assert "(frozen in binary)" in out


@pytest.mark.parametrize("width", [80, 100, 140])
def test_text_fits_the_width(width: int) -> None:
    for trace in (fx.json_trace(), fx.namespace_trace()):
        out = render.text(trace, width=width, color=False)
        too_long = [line for line in out.splitlines() if len(line) > width]
        assert not too_long


def test_text_colour_only_when_asked() -> None:
    assert "\x1b[" not in render.text(fx.json_trace(), color=False)
    coloured = render.text(fx.json_trace(), color=True)
    assert "\x1b[32;1m" in coloured  # the hit is green and bold
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == render.text(fx.json_trace(), color=False)


def test_text_of_a_big_trace_summarises_cache_hits() -> None:
    out = render.text(fx.big_trace(1000), width=120, color=False)
    assert out.count("\n") > 1000  # one row per module
    assert re.search(r"^\.\.\. and \d+ more modules \(\d+ hits\)$", out, re.MULTILINE)


def test_text_of_an_empty_trace() -> None:
    empty = Trace(python="3.12.1", executable="python", sys_path=(), modules=(), statements=())
    assert "no modules were loaded" in render.text(empty)


def test_text_of_candidates_is_which_a() -> None:
    out = render.text(fx.json_candidates(), width=100, color=False)
    assert out.splitlines()[0] == "json: 2 providers; the import uses /home/ada/project, 1 shadowed"
    assert re.search(r"^1  /home/ada/project .* wins$", out, re.MULTILINE)
    assert re.search(r"^2  /usr/lib/python3\.12 .* shadowed$", out, re.MULTILINE)
    from pyenvlab.candidates import Candidates

    assert "nothing_here: no provider found" in render.text(Candidates("nothing_here"))


def test_text_of_a_module_record_is_its_scan() -> None:
    out = render.text(fx.json_trace().module("json"), width=100, color=False)
    assert out.startswith("json (package): searched 5 entries of sys.path; found in the 5th")


# -- html ----------------------------------------------------------------------------------------


def test_html_tables_mark_hit_miss_and_unreached_rows() -> None:
    out = render.html(fx.json_trace())
    assert '<tr class="hit"><td>5</td><td>/usr/lib/python3.12</td>' in out
    assert out.count('<tr class="miss">') == 3
    assert out.count('<tr class="unreached">') == 2
    assert "<caption>Cache hits" in out


# -- dot: the import tree and its view options ---------------------------------------------------


def test_tree_draws_first_loads_solid_and_cache_hits_dashed() -> None:
    source = render.dot(fx.json_trace()).source
    assert 'm1 [label="json\\npackage, 4.12\u00a0ms"' in source
    assert "m1 -> m2\n" in source  # json loaded json.decoder
    assert re.search(r'm1 -> m2 \[label="\u00d73" .*style=dashed', source)  # and found it cached 3 times
    assert 'fillcolor="#fff2b3" style=filled' in source  # _string: built-in


def test_tree_of_1000_modules_stays_readable() -> None:
    trace = fx.big_trace(1000)
    graph = render.dot(trace)
    assert node_count(graph) <= 61  # 60 + the node for the traced code
    keys = trace_views.group_modules(trace)
    assert set(keys) == {m.name for m in trace.modules}  # every module is shown somewhere
    assert node_count(render.dot(trace, max_nodes=20)) <= 21
    assert node_count(render.dot(trace, show_all=True)) == 1001


def test_collapse_package_depth_filter_and_stdlib() -> None:
    trace = fx.big_trace(200)
    keys = trace_views.group_modules(trace, collapse="package")
    assert {keys[m.name] for m in trace.modules if m.name.startswith("pkg03")} == {Group.package("pkg03")}
    keys = trace_views.group_modules(trace, collapse="none", depth=1)
    folded = Group.subtree(Group.module("pkg00.m001"))
    assert keys["pkg00.m001"] == folded  # depth 1 keeps the direct children...
    assert keys["pkg00.m004"] == folded  # ...and folds their descendants into them
    assert str(folded) == "pkg00.m001/\u2026" and folded.title == "pkg00.m001 and what it imported"
    keys = trace_views.group_modules(trace, collapse="none", filter="pkg02")
    shown = {k for k in keys.values() if k.kind != "other"}
    assert all((k.anchor or k).name.startswith("pkg02") for k in shown)
    assert keys["pkg05"] == Group("other")
    keys = trace_views.group_modules(fx.json_trace(), collapse="stdlib")
    assert set(keys.values()) == {Group("stdlib")}
    source = render.dot(fx.json_trace(), collapse="stdlib").source
    assert "standard library\\n6 modules" in source


def test_filter_accepts_a_predicate() -> None:
    trace = fx.json_trace()
    keys = trace_views.group_modules(trace, collapse="none", filter=lambda m: m.kind == "extension")
    assert keys["_json"] == Group.module("_json")
    assert keys["json.encoder"] == Group.subtree(Group.module("json"))


def test_unknown_view_options_are_rejected() -> None:
    with pytest.raises(TypeError, match="colour"):
        render.dot(fx.json_trace(), colour=True)
    with pytest.raises(ValueError, match="unknown view"):
        render.dot(fx.json_trace(), view="sideways")


# -- dot: the scan of one import -----------------------------------------------------------------


def test_scan_highlights_the_hit_and_dims_misses() -> None:
    source = render.dot(fx.json_trace(), module="json").source
    hit = r'e6 \[label=<.*5\. /usr/lib/python3\.12.*fillcolor="#c8f0c8" shape=box style="rounded,filled,bold"'
    assert re.search(hit, source)
    assert re.search(r"e6 -> e0 \[label=found", source)
    assert source.count('style="rounded,filled,dotted"') == 3  # the zip without finder + 2 unreached


def test_scan_of_a_namespace_package_marks_portions() -> None:
    source = render.dot(fx.namespace_trace(), module="nsdemo").source
    assert source.count("label=portion") == 2
    assert source.count('fillcolor="#cfe3ff"') >= 2


def test_scan_of_a_module_record() -> None:
    record = fx.json_trace().module("json.decoder")
    assert isinstance(record, ModuleRecord)
    source = render.dot(record).source
    assert "/usr/lib/python3.12/json" in source


# -- hostile names: every format -----------------------------------------------------------------


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += [name for name, _ in attrs]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def assert_safe_html(page: str) -> _Elements:
    parser = _Elements()
    parser.feed(page)
    parser.close()
    assert "script" not in parser.tags
    assert "img" not in parser.tags or all(a in ("alt", "src") for a in parser.attrs if a != "class")
    assert not [a for a in parser.attrs if a.lower().startswith("on")]
    return parser


HOSTILE_OBJECTS = [fx.hostile_trace, fx.hostile_candidates, lambda: fx.hostile_trace().modules[2]]
CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@pytest.mark.parametrize("make", HOSTILE_OBJECTS, ids=["trace", "candidates", "record"])
def test_hostile_names_in_text(make) -> None:
    for color in (False, True):
        out = render.text(make(), width=100, color=color)
        plain = re.sub(r"\x1b\[[0-9;]*m", "", out) if color else out
        assert not CONTROL.search(plain)
    out = render.text(make(), width=100, color=False)
    assert "<script>alert(1)</script>" in out  # shown, literally
    assert "\\x1b[31m" in out or isinstance(make(), ModuleRecord)


@pytest.mark.parametrize("make", HOSTILE_OBJECTS, ids=["trace", "candidates", "record"])
def test_hostile_names_in_html(make) -> None:
    parsed = assert_safe_html(render.html(make()))
    assert "<script>alert(1)</script>" in "".join(parsed.text)  # as text, not markup


@pytest.mark.parametrize(
    "options", [{}, {"module": fx.HOSTILE[4]}, {"collapse": "package"}, {"show_all": True}, {"view": "scan"}]
)
def test_hostile_names_in_dot_source(options: dict) -> None:
    source = render.dot(fx.hostile_trace(), **options).source
    # user text never becomes an identifier or an unquoted HTML-like label
    for line in source.splitlines():
        assert not re.match(r"\s*<", line)
    # every backslash from user text is doubled: the only escapes left are our line breaks
    escapes = {m.group(1) for m in re.finditer(r"\\(.)", source)}
    assert escapes <= {"\\", '"', "n", "l"}
    assert "\x1b" not in source


def _svg_texts(svg: bytes) -> str:
    import xml.etree.ElementTree as ET

    root = ET.fromstring(svg)
    return "\n".join("".join(el.itertext()) for el in root.iter("{http://www.w3.org/2000/svg}text"))


@pytest.mark.exe
@needs_dot
@pytest.mark.parametrize("options", [{}, {"module": fx.HOSTILE[4]}, {"view": "scan"}, {"show_all": True}])
def test_hostile_names_render_literally_in_svg(options: dict) -> None:
    graph = render.dot(fx.hostile_trace(), **options)
    texts = _svg_texts(graph.pipe(format="svg"))
    assert "<script>alert(1)</script>" in texts
    assert "back\\N\\l\\G\\\\" in texts  # backslash escapes not expanded
    assert "new\\nline" in texts
    assert_safe_html(graph.pipe(format="svg", encoding="utf-8").split("?>", 1)[-1])


@pytest.mark.exe
@needs_dot
def test_hostile_candidates_render_in_svg() -> None:
    texts = _svg_texts(render.dot(fx.hostile_candidates()).pipe(format="svg"))
    assert "quo\"te's" in "".join(texts.split("\n"))


# -- display bundle ------------------------------------------------------------------------------


@pytest.mark.exe
@needs_dot
def test_mimebundle_with_graphviz() -> None:
    bundle = fx.json_trace()._repr_mimebundle_()
    assert set(bundle) == {"text/plain", "text/html", "image/svg+xml", "image/png"}
    assert bundle["text/plain"] == render.text(fx.json_trace(), width=100, color=False)
    assert not re.search(r"0x[0-9a-f]{6,}", bundle["text/plain"])
    assert bundle["image/svg+xml"].lstrip().startswith("<?xml")
    assert bundle["image/png"][:8] == b"\x89PNG\r\n\x1a\n"
    assert 'src="data:image/svg+xml;base64,' in bundle["text/html"]
    assert_safe_html(bundle["text/html"])


def test_mimebundle_honours_include_and_exclude() -> None:
    trace = fx.json_trace()
    assert set(display.mimebundle(trace, include=["text/plain"])) == {"text/plain"}
    bundle = display.mimebundle(trace, exclude=["image/png", "image/svg+xml", "text/html"])
    assert set(bundle) == {"text/plain"}


def test_mimebundle_without_the_dot_program(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no `dot` anywhere
    bundle = fx.hostile_trace()._repr_mimebundle_()
    assert set(bundle) == {"text/plain", "text/html"}
    html = bundle["text/html"]
    assert "apt-get install graphviz" in html
    assert "conda install graphviz" in html
    assert "DOT source of the graph" in html
    parsed = assert_safe_html(html)
    assert "digraph imports {" in "".join(parsed.text)


def test_mimebundle_without_the_graphviz_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "graphviz", None)  # `import graphviz` raises ImportError
    bundle = fx.json_trace()._repr_mimebundle_()
    assert set(bundle) == {"text/plain", "text/html"}
    assert "pip install graphviz" in bundle["text/html"]


def test_mimebundle_of_candidates_and_records() -> None:
    bundle = display.mimebundle(fx.json_candidates(), include=["text/plain", "text/html"])
    assert bundle["text/plain"].startswith("json: 2 providers")
    bundle = display.mimebundle(fx.json_trace().module("json"), include=["text/plain"])
    assert bundle["text/plain"].startswith("json (package)")


def test_import_render_loads_no_graphviz_or_ipython() -> None:
    code = (
        "import sys, pyenvlab.render, pyenvlab.render.trace_views, pyenvlab.render.display, "
        "pyenvlab.render.standalone\n"
        "bad = [m for m in ('graphviz', 'IPython', 'ipywidgets') if m in sys.modules]\n"
        "assert not bad, bad"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)}
    subprocess.run([sys.executable, "-c", code], check=True, env=env)


# -- standalone report and the `report` command --------------------------------------------------


@pytest.mark.exe
@needs_dot
def test_report_is_self_contained(tmp_path: Path) -> None:
    path = render.report(fx.hostile_trace(), tmp_path / "r.html")
    page = path.read_text(encoding="utf-8")
    parsed = assert_safe_html(page)
    assert parsed.tags.count("svg") == 3  # the import tree, the scan and the import-time chart, inline
    assert "img" not in parsed.tags
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)  # nothing from the network
    assert "link" not in parsed.tags


def test_report_without_dot_shows_dot_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    page = standalone.page(fx.json_trace())
    # no Graphviz picture; the import-time chart is pyenvlab's own SVG and needs no `dot`
    assert (
        page.count("<svg") == 1 and '<svg xmlns="http://www.w3.org/2000/svg" class="pyenvlab-chart"' in page
    )
    assert page.count("DOT source of the graph") == 2
    assert "apt-get install graphviz" in page


def test_report_command_renders_a_saved_trace(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from pyenvlab.cli import main

    saved = fx.json_trace().save(tmp_path / "t.json")
    out = tmp_path / "t.html"
    assert main(["report", "--load", str(saved), "-o", str(out)]) == 0
    assert "wrote" in capsys.readouterr().out
    assert "json (package): searched 5 of 7 entries" in out.read_text(encoding="utf-8")
    assert main(["report", "--load", str(tmp_path / "missing.json"), "-o", str(out)]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_report_command_traces_a_module(tmp_path: Path) -> None:
    out = tmp_path / "colorsys.html"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)}
    result = subprocess.run(
        [sys.executable, "-m", "pyenvlab", "report", "colorsys", "-o", str(out)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    page = out.read_text(encoding="utf-8")
    assert "colorsys (module): searched" in page


def test_normalised_real_trace_round_trips() -> None:
    real = Trace.load(GOLDEN / "json_real.trace.json")
    assert real.python == "3.X"
    assert replace(real) == Trace.from_json(real.to_json())


def test_text_says_when_the_traced_code_raised() -> None:
    trace = replace(fx.namespace_trace(), raised="ModuleNotFoundError: No module named 'x'")
    out = render.text(trace, width=100, color=False)
    assert "The traced code raised ModuleNotFoundError: No module named 'x'" in out
    assert "raised" not in render.text(fx.json_trace(), width=100, color=False)


def test_similar_probes_are_folded() -> None:
    real = Trace.load(GOLDEN / "json_real.trace.json")
    hit = real.module("json").hit
    assert hit is not None
    words = trace_views.probe_groups(trace_views.probes_at(real.module("json"), hit.entry), hit.entry)
    assert "isfile\u00a0json/__init__.{cpython-311-x86_64-linux-gnu.so,abi3.so,so}\u00a0\u2717" in words
    assert words[-1] == "isfile\u00a0json/__init__.py\u00a0\u2713"


def test_views_reject_other_objects() -> None:
    for view in (trace_views.text, trace_views.html, trace_views.dot):
        with pytest.raises(TypeError):
            view(object())


def test_a_module_loaded_twice_is_one_node() -> None:
    trace = fx.json_trace()
    again = replace(trace.module("json.encoder"), reloaded=True)
    source = render.dot(replace(trace, modules=(*trace.modules, again))).source
    assert "json.encoder (loaded 2 times)" in source
