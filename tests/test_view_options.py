"""One set of view options for an import trace's graph: ``render.dot``, the magic and the CLI.

The options are declared once (:mod:`pyenvlab.render.view_options`); these tests check that the
three ways of giving them agree, and that a saved trace folds the standard library by the
traced interpreter's names, not the renderer's.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from pyenvlab import render
from pyenvlab.cli import build_parser, main
from pyenvlab.model import ModuleRecord, Trace
from pyenvlab.render import trace_views
from pyenvlab.render.trace_views import Group
from pyenvlab.render.view_options import FLAGS, ViewOptions

try:
    from tests import render_fixtures as fx
except ImportError:
    import render_fixtures as fx  # type: ignore[no-redef]

LINE = ["--collapse", "package", "--no-times", "--cached", "all", "--max-nodes", "9", "--rankdir", "TB"]
EXPECTED = ViewOptions(collapse="package", times=False, cached=True, max_nodes=9, rankdir="TB")


def test_every_option_with_a_flag_is_an_option() -> None:
    names = {f.name for f in dataclasses.fields(ViewOptions)}
    assert {flag.name for flag in FLAGS} <= names
    assert names - {flag.name for flag in FLAGS} == {"unreached"}  # API only, as before


def test_the_command_line_reads_the_same_options() -> None:
    from pyenvlab.cli.common import view_options

    for command in (["trace", "json"], ["report", "json"]):
        args = build_parser().parse_args([*command, *LINE])
        assert view_options(args) == EXPECTED
        assert args.module == "json"  # the trace's own MODULE is not the graph's --module


def test_the_magic_reads_the_same_options() -> None:
    pytest.importorskip("IPython")
    from IPython.core.magic_arguments import parse_argstring

    from pyenvlab.jupyter.magics import TraceMagics

    args = parse_argstring(TraceMagics.trace_imports, " ".join(LINE))
    assert ViewOptions.from_args(args) == EXPECTED
    help_text = TraceMagics.trace_imports.__doc__
    assert all(flag.flag in help_text for flag in FLAGS)


def test_render_dot_takes_the_options_by_name() -> None:
    trace = fx.big_trace(200)
    assert (
        render.dot(trace, **EXPECTED.given()).source
        == render.dot(trace, collapse="package", times=False, cached=True, max_nodes=9, rankdir="TB").source
    )
    assert "rankdir=TB" in render.dot(trace, **EXPECTED.given()).source
    with pytest.raises(TypeError, match=r"unknown view option.*colour"):
        render.dot(trace, colour=True)
    with pytest.raises(TypeError, match=r"unknown view option.*colour"):
        render.dot(trace.modules[0], colour=True)  # a record's scan takes the same options


def test_options_merge_and_stay_frozen() -> None:
    merged = ViewOptions.of(EXPECTED, module="json", collapse=["package", "stdlib"])
    assert merged.scan and merged.collapse == ("package", "stdlib") and merged.max_nodes == 9
    with pytest.raises(dataclasses.FrozenInstanceError):
        merged.depth = 3  # type: ignore[misc]
    with pytest.raises(ValueError, match="unknown view 'sideways'"):
        ViewOptions(view="sideways")


def test_the_trace_command_writes_the_graph(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    saved = fx.json_trace().save(tmp_path / "t.json")
    out = tmp_path / "t.gv"
    assert main(["trace", "--load", str(saved), "--dot", str(out), "--collapse", "stdlib", "--no-times"]) == 0
    assert (
        out.read_text(encoding="utf-8") == render.dot(fx.json_trace(), collapse="stdlib", times=False).source
    )
    assert main(["trace", "--load", str(saved), "--dot", str(out), "--module", "json.decoder"]) == 0
    assert out.read_text(encoding="utf-8") == render.dot(fx.json_trace(), module="json.decoder").source
    capsys.readouterr()
    assert main(["trace", "--load", str(saved), "--dot", str(out), "--module", "nope"]) == 2
    assert "--module nope: the trace did not load it" in capsys.readouterr().err
    assert main(["trace", "--load", str(saved), "--dot", str(tmp_path / "no" / "t.gv")]) == 2
    assert "cannot write" in capsys.readouterr().err


def test_the_report_draws_with_the_options(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no `dot`: the page shows each graph's source
    saved = fx.json_trace().save(tmp_path / "t.json")
    out = tmp_path / "t.html"
    assert (
        main(
            [
                "report",
                "--load",
                str(saved),
                "-o",
                str(out),
                "--module",
                "json.decoder",
                "--collapse",
                "stdlib",
            ]
        )
        == 0
    )
    page = out.read_text(encoding="utf-8")
    assert "How json.decoder was found" in page
    assert "standard library" in page
    assert not list(tmp_path.glob(".t.html.*"))  # written atomically: no temporary file left


def _mystery_trace(stdlib_names: tuple[str, ...]) -> Trace:
    """A trace of two modules; which of them is standard library depends on ``stdlib_names``."""
    modules = (
        ModuleRecord("json", "/lib/json/__init__.py", "PathFinder", search_locations=("/lib/json",)),
        ModuleRecord("zzstdlibonlythere", "/lib/zzstdlibonlythere.py", "PathFinder"),
    )
    return Trace(
        python="3.X",
        executable="python",
        sys_path=("/lib",),
        modules=modules,
        statements=(),
        stdlib_names=stdlib_names,
    )


def test_a_saved_trace_folds_the_traced_interpreters_standard_library() -> None:
    trace = _mystery_trace(("zzstdlibonlythere", "sys"))
    keys = trace_views.group_modules(Trace.from_json(trace.to_json()), collapse="stdlib")
    assert keys == {"json": Group.module("json"), "zzstdlibonlythere": Group("stdlib")}
    assert trace_views.stdlib_names(trace) == frozenset({"zzstdlibonlythere", "sys"})


def test_an_old_trace_falls_back_to_the_renderers_standard_library() -> None:
    keys = trace_views.group_modules(_mystery_trace(()), collapse="stdlib")
    assert keys == {"json": Group("stdlib"), "zzstdlibonlythere": Group.module("zzstdlibonlythere")}
