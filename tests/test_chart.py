"""The import-time chart (SVG icicle, terminal fallback, cost orders), the report's import-time
section, the explorer, big dependency graphs and the report's Content-Security-Policy."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import pyenvlab
from pyenvlab._records import replace
from pyenvlab.model import ModuleRecord, Probe, Statement, Trace, Visit
from pyenvlab.render import standalone
from pyenvlab.render._table import display_width
from pyenvlab.render.trace_views import chart
from tests import render_fixtures as fx

SVG = "{http://www.w3.org/2000/svg}"


def nested_trace() -> Trace:
    """app (10 ms: 3 ms self) runs lib (6 ms: 2 ms self, 4 probes) which runs leaf (4 ms);
    then tool (2 ms) at top level; app's code hits the cache twice."""
    return Trace(
        python="3.12",
        executable="python",
        sys_path=(),
        modules=(
            ModuleRecord("app", "/p/app.py", "PathFinder", start=0.0, seconds=0.010, self_seconds=0.004),
            ModuleRecord(
                "lib",
                "/p/lib.py",
                "PathFinder",
                searched=(Visit("/a", "FileFinder", "miss"), Visit("/p", "FileFinder", "hit")),
                probes=tuple(Probe(f"/p/{i}", "stat", True, "/p") for i in range(4)),
                imported_by="app",
                start=0.001,
                seconds=0.006,
                self_seconds=0.002,
            ),
            ModuleRecord(
                "leaf",
                None,
                "BuiltinImporter",
                imported_by="lib",
                start=0.002,
                seconds=0.004,
                self_seconds=0.004,
            ),
            ModuleRecord("tool", "/p/tool.py", "PathFinder", start=0.011, seconds=0.002, self_seconds=0.002),
        ),
        statements=(Statement("leaf", "app", cached=True, count=2),),
    )


def big_trace(n: int) -> Trace:
    """``n`` loads nested as a real program's are (40 packages, each a tree of submodules 3
    wide), through a synthetic ``-X importtime`` log: times add up along the load tree."""
    lines = ["import time: self [us] | cumulative | imported package"]
    per = n // 40

    def emit(pkg: str, index: int, depth: int) -> int:
        cum = 0
        for child in (3 * index + 1, 3 * index + 2, 3 * index + 3):
            if child < per:
                cum += emit(pkg, child, depth + 1)
        own = 40 + (index * 37) % 200
        name = pkg if index == 0 else f"{pkg}.m{index:03d}"
        lines.append(f"import time: {own:9d} | {own + cum:10d} | {'  ' * depth}{name}")
        return own + cum

    for p in range(40):
        emit(f"pkg{p:02d}", 0, 0)
    return Trace.from_importtime("\n".join(lines))


def bars(svg: str) -> dict[str, tuple[float, float, float]]:
    """name -> (x, y, width) of each load's main bar, read from the SVG."""
    root = ET.fromstring(svg)
    out = {}
    for group in root.iter(f"{SVG}g"):
        if group.get("class") != "load":
            continue
        name = group.find(f"{SVG}title").text.split("\n")[0]
        rect = group.find(f"{SVG}rect")
        out[name] = (float(rect.get("x")), float(rect.get("y")), float(rect.get("width")))
    return out


def test_width_is_time_children_inside_their_load_self_time_drawn() -> None:
    svg = chart.svg(nested_trace())
    drawn = bars(svg)
    total = 0.012  # app + tool
    scale = (chart.WIDTH - 2) / total
    for name, seconds in (("app", 0.010), ("lib", 0.006), ("leaf", 0.004), ("tool", 0.002)):
        assert drawn[name][2] == pytest.approx(seconds * scale - 1, abs=0.11), name
    assert drawn["lib"][0] == pytest.approx(drawn["app"][0]) and drawn["lib"][1] > drawn["app"][1]
    assert drawn["leaf"][1] > drawn["lib"][1] and drawn["tool"][1] == drawn["app"][1]
    assert drawn["tool"][0] == pytest.approx(1 + 0.010 * scale, abs=0.1)
    # app's self time: a darker rectangle at its right end, 4/10 of its width
    group = next(
        g for g in ET.fromstring(svg).iter(f"{SVG}g") if g.find(f"{SVG}title").text.startswith("app")
    )
    whole, own = group.findall(f"{SVG}rect")[:2]
    assert float(own.get("width")) == pytest.approx(0.4 * float(whole.get("width")), abs=0.11)
    assert float(own.get("x")) + float(own.get("width")) == pytest.approx(
        float(whole.get("x")) + float(whole.get("width")), abs=0.11
    )
    # search cost: lib's strip; cache hits: app's dashed underline; tooltips say the numbers
    lib = next(g for g in ET.fromstring(svg).iter(f"{SVG}g") if g.find(f"{SVG}title").text.startswith("lib"))
    assert any(r.get("fill") == "#e8590c" for r in lib.findall(f"{SVG}rect"))
    assert "searched 2 entries, 4 probes" in lib.find(f"{SVG}title").text
    assert group.find(f"{SVG}line") is not None and "cache 2 times" in group.find(f"{SVG}title").text
    assert all(int(t.get("font-size", chart.FONT)) >= 9 for t in ET.fromstring(svg).iter(f"{SVG}text"))


def test_lazy_and_failed_loads_have_their_own_marks() -> None:
    trace = nested_trace()
    lazy = replace(trace.modules[3], lazy=True)
    failed = replace(trace.modules[2], error="ImportError: no")
    svg = chart.svg(replace(trace, modules=(*trace.modules[:2], failed, lazy)))
    assert 'stroke-dasharray="1 2"/>' in svg.split("tool (lazy import)")[1].split("</g>")[0]
    assert 'stroke="#c92a2a"' in svg.split("failed: ImportError: no")[1].split("</g>")[0]


def test_deterministic_well_formed_and_escaped() -> None:
    trace = fx.hostile_trace()
    first, second = chart.svg(trace), chart.svg(trace)
    assert first == second
    ET.fromstring(first)  # well-formed XML whatever the names
    for name in fx.HOSTILE:
        assert name not in first or not re.search(r"[<>&\x00-\x1f]", name)
    assert "<script" not in first and "onerror=" not in first.replace("onerror=alert", "")
    assert "&lt;script&gt;" in first or "&lt;img" in first


def test_a_thousand_loads_stay_a_readable_picture_of_fixed_size() -> None:
    trace = big_trace(1500)
    svg = chart.svg(trace)
    root = ET.fromstring(svg)
    assert root.get("width") == str(chart.WIDTH) and float(root.get("height")) < 1000
    labels = [t for t in root.iter(f"{SVG}text") if t.text]
    assert all(int(t.get("font-size", chart.FONT)) >= 9 for t in labels)
    assert sum(1 for g in root.iter(f"{SVG}g") if g.get("class") == "small") > 0, "tiny loads grouped"
    assert len(svg) < 2_000_000
    # every label fits its bar
    for group in root.iter(f"{SVG}g"):
        label = group.find(f"{SVG}text")
        if label is not None and group.get("class") == "load":
            width = float(group.find(f"{SVG}rect").get("width"))
            assert len(label.text) * chart.CHAR_PX <= width, label.text
    # zooming draws one subtree at full width
    zoomed = bars(chart.svg(trace, root="pkg03"))
    assert zoomed["pkg03"][2] == pytest.approx(chart.WIDTH - 3, abs=0.2)
    assert all(name.startswith("pkg03") for name in zoomed)
    with pytest.raises(KeyError):
        chart.svg(trace, root="nope")


def test_terminal_chart_fits_80_columns_sorted_and_escaped() -> None:
    for trace in (nested_trace(), fx.hostile_trace(), fx.big_trace(300)):
        for order in chart.ORDERS:
            shown = chart.text(trace, order=order, width=80, top=10)
            assert all(display_width(line) <= 80 for line in shown.splitlines()), shown
            assert "\x1b" not in shown and "\u202e" not in shown

    def names(shown: str) -> list[str]:
        lines = shown.splitlines()
        start = next(i for i, line in enumerate(lines) if line.endswith("module")) + 1
        return [line.split()[-1] for line in lines[start:]]

    assert names(chart.text(nested_trace(), width=80)) == ["app", "leaf", "lib", "tool"]  # 4, 4, 2, 2 ms
    assert names(chart.text(nested_trace(), order="probes", width=80))[0] == "lib"
    assert names(chart.text(nested_trace(), order="cumulative", width=80, top=2)) == ["app", "lib"]
    coloured = chart.text(nested_trace(), width=80, color=True)
    assert "\x1b[36m" in coloured
    with pytest.raises(ValueError, match="unknown order"):
        chart.ordered(chart.costs(nested_trace()), "name")


def test_render_chart_displays_as_svg_with_the_text_as_plain() -> None:
    shown = pyenvlab.render.chart(nested_trace())
    bundle = shown._repr_mimebundle_()
    assert set(bundle) == {"text/plain", "image/svg+xml"}
    assert bundle["text/plain"] == chart.text(nested_trace(), width=80)
    assert shown._repr_mimebundle_(include=["text/plain"]) == {"text/plain": bundle["text/plain"]}


def test_report_has_the_chart_zooms_orders_and_a_strict_csp(tmp_path: Path) -> None:
    trace = big_trace(1200)
    page = standalone.page(trace)
    assert '<meta http-equiv="Content-Security-Policy"' in page and "default-src 'none'" in page
    assert "script-src" not in page and "<script" not in page
    assert "<h2>Import time</h2>" in page and 'class="pyenvlab-chart"' in page
    assert page.count('<details class="pyenvlab-order"') == 3
    assert page.count('<details class="pyenvlab-zoom">') == len(chart.heavy_subtrees(trace)) > 0
    # the orders are real orders
    self_table = page.split('<details class="pyenvlab-order" open>')[1].split("</details>")[0]
    assert "Sorted by self time, the 100 highest of 1200" in self_table
    probes = page.split("Sorted by probes")[1].split("</details>")[0]
    counts = [int(row.split("<td>")[7].split("<")[0]) for row in probes.split("<tr>")[2:]]
    assert counts == sorted(counts, reverse=True)
    # a page for a record other than a trace has no import-time part
    assert "Import time" not in standalone.page(pyenvlab.where("json"))


def test_wide_graphs_keep_their_size_with_a_fit_switch() -> None:
    from pyenvlab.render.page_zoom import zoomable

    wide = zoomable("<div>g</div>", '<svg width="2000pt" height="10pt">', "a")
    assert 'class="pyenvlab-fit"' in wide and wide.endswith("<div>g</div>")
    assert zoomable("<div>g</div>", '<svg width="400pt" height="10pt">', "a") == "<div>g</div>"
    assert "div.pyenvlab-graph svg{max-width:none" in standalone.PAGE_CSS


def test_explorer_sorts_zooms_and_searches() -> None:
    from pyenvlab.errors import PyenvlabError
    from pyenvlab.jupyter.explorers import ImportTimeExplorer

    explorer = ImportTimeExplorer(nested_trace())
    assert [c.name for c in explorer.rows()] == ["app", "leaf", "lib", "tool"]
    explorer.sort("probes")
    assert explorer.rows()[0].name == "lib"
    explorer.zoom("lib")
    assert {c.name for c in explorer.rows()} == {"lib", "leaf"}
    explorer.search("LEA")
    assert [c.name for c in explorer.rows()] == ["leaf"]
    with pytest.raises(PyenvlabError):
        explorer.zoom("nope")
    with pytest.raises(PyenvlabError):
        explorer.sort("name")
    pytest.importorskip("ipywidgets")
    widget = explorer.widget
    assert "<svg" in explorer._view.value and "lib" in explorer._view.value
    explorer._order.value = "cumulative"  # the controls drive the same state
    assert explorer.order == "cumulative"
    explorer._zoom.value = ""
    assert explorer.root is None
    bundle = explorer._repr_mimebundle_()
    assert (
        "application/vnd.jupyter.widget-view+json" in bundle and "data:image/svg+xml" in bundle["text/html"]
    )
    assert widget is explorer.widget


def test_big_dependency_graphs_unfold_as_a_tree() -> None:
    from pyenvlab.anatomy.records import DepEdge, DepGraph
    from pyenvlab.render.deps_tree import TREE_LIMIT

    def graph(n: int) -> DepGraph:
        edges = [DepEdge("root", f"d{i}", f"d{i}>=1", "2", True) for i in range(n // 2)]
        edges += [DepEdge(f"d{i}", f"e{i}<b>", f"e{i}<b>", None, False) for i in range(n - n // 2)]
        versions = {"root": "1", **{f"d{i}": "2" for i in range(n)}}
        return DepGraph(
            root="root", root_version="1", extras=(), reverse=False, python="3.12", edges=tuple(edges),
            versions=versions,
        )  # fmt: skip

    big = pyenvlab.render.html(graph(TREE_LIMIT + 20))
    assert big.count('<details class="pyenvlab-dep"') == (TREE_LIMIT + 20) // 2
    assert "MISSING" in big and "&lt;b&gt;" in big and "<b>" not in big
    assert "All 60 requirements as a table" in big
    small = pyenvlab.render.html(graph(10))
    assert "pyenvlab-dep" not in small
