"""Renderings of the startup records: readable, escaped, and drawn from the record alone."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pyenvlab import render
from pyenvlab.interpreter import (
    Comparison,
    DoctorReport,
    Finding,
    PathEntry,
    PathReport,
    StartupProbe,
    StartupTrace,
    VenvFile,
    VenvReport,
    startup,
)

EVIL = "/tmp/<script>alert(1)</script>\x1b[31m\nx"


@pytest.fixture(scope="module")
def venv_trace(tmp_path_factory: pytest.TempPathFactory) -> StartupTrace:
    root = tmp_path_factory.mktemp("views")
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = next((venv / "lib").glob("python*/site-packages"))
    (site / "demo.pth").write_text(f"{root}\nimport sys\n")
    return startup(str(venv / "bin" / "python"), cwd=root)


def test_text_shows_the_walk_the_hop_and_the_verdict(venv_trace: StartupTrace) -> None:
    out = render.text(venv_trace, width=200, color=False)
    assert "verified: every traced value equals the interpreter's own" in out
    prefix_probe = venv_trace.probe_for("prefix")
    assert prefix_probe is not None
    line = next(row for row in out.splitlines() if prefix_probe.path in row and "<- prefix" in row)
    assert "isfile" in line
    assert "yes" in line
    assert "pyvenv.cfg" in out
    assert "<- venv" in out
    assert "demo.pth" in out
    assert "processed again: #2" in out or sys.version_info < (3, 11)
    assert ".pth demo.pth:1" in out
    assert "\x1b[" not in out  # colour off


def test_html_is_an_escaped_fragment(venv_trace: StartupTrace) -> None:
    out = render.html(venv_trace)
    assert out.startswith('<div class="pyenvlab">')
    assert "<script" not in out
    assert "prefix search" in out


def test_dot_graph_of_the_landmark_walk(venv_trace: StartupTrace) -> None:
    pytest.importorskip("graphviz")
    graph = render.dot(venv_trace)
    source = graph.source
    assert "settles prefix" in source
    assert "settles exec_prefix" in source
    assert source.count(" -> ") >= len(venv_trace.probes)
    # landmark checks are grouped by the directory walked, upward from the home directory
    home = str(Path(sys.base_prefix) / "bin")
    assert f"walk step: {home}" in source
    assert f"pyvenv.cfg hop: home = {home}" in source
    only = render.dot(venv_trace, purposes=("stdlib landmark",)).source
    assert "resolve symlink" not in only
    assert "settles venv" in only  # the settling checks always stay


def _evil_trace(method: str = "getpath") -> StartupTrace:
    probe = StartupProbe("isfile", EVIL, True, None, "stdlib landmark", "prefix")
    return StartupTrace(
        python="3.11.7",
        interpreter=EVIL,
        argv0=EVIL,
        command=(EVIL,),
        cwd=EVIL,
        method=method,  # type: ignore[arg-type]
        probes=(probe,),
        prefix=EVIL,
        exec_prefix=EVIL,
        base_prefix=EVIL,
        base_exec_prefix=EVIL,
        executable=EVIL,
        venv=None,
        sys_path=(PathEntry(EVIL, "PYTHONPATH", False),),
        pth_files=(),
        site_steps=(),
        verified=False,
        comparisons=(Comparison("site", "sys.prefix", EVIL, "/usr", False),),
    )


def test_user_text_is_escaped_everywhere() -> None:
    trace = _evil_trace()
    out = render.text(trace, width=300, color=False)
    assert "\x1b[31m" not in out
    assert "NOT verified" in out
    html = render.html(trace)
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    pytest.importorskip("graphviz")
    source = render.dot(trace).source
    assert "\x1b" not in source
    assert "\nx" not in source  # the newline in the path is shown escaped, not as a line break


def test_model_tier_is_labelled() -> None:
    out = render.text(_evil_trace("model"), width=200, color=False)
    assert "MODEL" in out


def test_path_doctor_and_venv_reports_render() -> None:
    path = PathReport(
        python="3.12.1", executable="/x/python", entries=(PathEntry("", "current directory", True),)
    )
    assert "current directory" in render.text(path, width=100)
    doctor = DoctorReport(
        "3.12.1", "/x/python", "/w", (Finding("shadowing", "error", "bad", "rename it", "/w/x.py"),)
    )
    text = render.text(doctor, width=100, color=False)
    assert "[error] shadowing: bad" in text
    assert "fix: rename it" in text
    assert "rename it" in render.html(doctor)
    venv = VenvReport(
        "/v",
        "/base",
        {"home": "/base/bin"},
        (VenvFile("python", "symlink", "/base/bin/python", True),),
        40,
        4000,
    )
    text = render.text(venv, width=100, color=False)
    assert "40 KiB" in text
    assert "1.0 %" in text
    assert render.dot(venv).source.count("->") == 2 if _has_graphviz() else True


def _has_graphviz() -> bool:
    try:
        import graphviz  # noqa: F401
    except ImportError:
        return False
    return True


def test_mimebundle_text_is_stable(venv_trace: StartupTrace, tmp_path: Path) -> None:
    # the same trace loaded from JSON renders identically
    again = StartupTrace.from_json(venv_trace.to_json())
    assert render.text(again, width=120, color=False) == render.text(venv_trace, width=120, color=False)


@pytest.mark.exe
def test_dot_renders_with_graphviz(venv_trace: StartupTrace, tmp_path: Path) -> None:
    import shutil

    graphviz = pytest.importorskip("graphviz")
    if shutil.which("dot") is None:
        pytest.skip("the Graphviz dot program is not installed")
    svg = render.dot(venv_trace).pipe(format="svg").decode()
    assert svg.lstrip().startswith(("<?xml", "<svg"))
    assert "settles prefix" in svg
    del graphviz


# -- the explanation is the views', from facts the trace keeps --------------------------------


def test_the_explanation_is_written_from_the_records_facts(venv_trace: StartupTrace) -> None:
    import dataclasses

    from pyenvlab.render import startup_views

    assert venv_trace.prefix_set_by == "site" and venv_trace.pythonhome is None
    lines = startup_views.startup_explanation(venv_trace)
    assert venv_trace.explanation == lines
    assert lines[-1] == f"site found pyvenv.cfg and set sys.prefix = {venv_trace.prefix} (the venv)."
    data = venv_trace.to_data()
    assert data["version"] == 2 and "explanation" not in data
    # the sentence on who set the prefix comes from one function, keyed on the recorded stage
    outside = dataclasses.replace(venv_trace, prefix_set_by=None)
    assert startup_views.venv_prefix_sentence(outside) is None
    assert not any("set sys.prefix" in line for line in outside.explanation)
    pytest.importorskip("graphviz")
    assert "site: sys.prefix" in render.dot(venv_trace).source
    assert "site: sys.prefix" not in render.dot(outside).source


def test_pythonhome_is_a_fact_of_the_trace(tmp_path: Path) -> None:
    import os

    env = {**os.environ, "PYTHONHOME": sys.base_prefix}
    trace = startup(sys.executable, env=env, cwd=tmp_path)
    assert trace.pythonhome == sys.base_prefix
    assert f"PYTHONHOME={sys.base_prefix} sets prefix directly: no landmark is checked." in trace.explanation
    assert startup(sys.executable, env=env, cwd=tmp_path, flags=("-E",)).pythonhome is None


def test_a_version_1_trace_still_loads_and_reads_the_same(venv_trace: StartupTrace, tmp_path: Path) -> None:
    import os

    home = startup(sys.executable, env={**os.environ, "PYTHONHOME": sys.base_prefix}, cwd=tmp_path)
    for trace in (venv_trace, home):
        old = trace.to_data()
        old["version"] = 1
        old["explanation"] = list(trace.explanation)  # version 1 stored the sentences...
        del old["pythonhome"], old["prefix_set_by"]  # ...not the facts behind them
        loaded = StartupTrace.from_data(old)
        assert loaded == trace
        assert render.text(loaded, width=200, color=False) == render.text(trace, width=200, color=False)
