"""pyenvlab.deps: requirement graphs from real metadata (installed, and written into tmp dirs)."""

from __future__ import annotations

import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

import pyenvlab
from pyenvlab.anatomy import DepGraph, deps
from pyenvlab.errors import PyenvlabError
from pyenvlab.render import anatomy_views


def make_dist(site: Path, name: str, version: str, requires: list[str] = (), extras: list[str] = ()) -> None:
    """Write a minimal installed distribution (a .dist-info with METADATA) into ``site``."""
    info = site / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True)
    lines = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
    lines += [f"Provides-Extra: {e}" for e in extras]
    lines += [f"Requires-Dist: {r}" for r in requires]
    (info / "METADATA").write_text("\n".join(lines) + "\n")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """app needs lib>=2 (1.5 installed: conflict), ghost (missing), cyc-a (a cycle with cyc-b),
    and with the extra "fast" also speedup; top needs app."""
    make_dist(
        tmp_path,
        "app",
        "1.0",
        ["lib>=2", "ghost", "Cyc_A", 'speedup>=1; extra == "fast"', 'winonly; sys_platform == "win32"'],
        extras=["fast"],
    )
    make_dist(tmp_path, "lib", "1.5")
    make_dist(tmp_path, "cyc-a", "1.0", ["cyc-b"])
    make_dist(tmp_path, "cyc-b", "1.0", ["cyc-a>=1"])
    make_dist(tmp_path, "speedup", "3.0", ["lib"])
    make_dist(tmp_path, "top", "0.1", ["app"])
    return tmp_path


def test_real_installed_distribution_matches_importlib_metadata():
    graph = pyenvlab.deps("pytest")
    direct = {e.child: e for e in graph.children("pytest")}
    assert {"pluggy", "iniconfig", "packaging"} <= set(direct)
    for name, edge in direct.items():
        assert edge.installed == metadata.version(name)
        assert edge.satisfied
    if sys.version_info >= (3, 11):  # pytest needs tomli only before 3.11: the marker is false here
        assert any(s.spec.startswith("tomli") for s in graph.skipped)
        assert "tomli" not in direct


def test_missing_conflict_cycle_and_markers(site: Path):
    graph = deps("app", path=[str(site)])
    by_child = {e.child: e for e in graph.children("app")}
    assert by_child["lib"].status == "conflict"
    assert by_child["lib"].installed == "1.5"
    assert by_child["ghost"].status == "missing"
    assert by_child["ghost"].installed is None
    assert by_child["cyc-a"].spec == "Cyc_A"  # the requirement as written, the name normalised
    assert graph.cycles == (("cyc-a", "cyc-b", "cyc-a"),)
    assert "speedup" not in by_child  # extra not requested
    assert "winonly" not in by_child
    assert [(s.parent, s.reason) for s in graph.skipped] == [("app", 'marker false: sys_platform == "win32"')]
    assert {e.child for e in graph.missing} == {"ghost"}
    assert {e.child for e in graph.conflicts} == {"lib"}


def test_extras_and_marker_environment(site: Path):
    graph = deps("app[fast]", path=[str(site)])
    speedup = next(e for e in graph.edges if e.child == "speedup")
    assert speedup.extra == "fast"
    assert speedup.satisfied
    # speedup's own requirement on lib is followed too (lib is satisfied there, conflicting for app)
    assert {(e.parent, e.satisfied) for e in graph.parents("lib")} == {("app", False), ("speedup", True)}
    windows = deps("app", path=[str(site)], environment={"sys_platform": "win32"})
    assert any(e.child == "winonly" and e.status == "missing" for e in windows.edges)


def test_reverse_view_walks_up_transitively(site: Path):
    graph = deps("lib", reverse=True, path=[str(site)])
    assert graph.reverse
    assert {e.parent for e in graph.parents("lib")} == {"app", "speedup"}
    assert {e.parent for e in graph.parents("app")} == {"top"}


def test_another_interpreters_environment_and_markers(pyenv_interpreter: str, tmp_path: Path):
    venv = tmp_path / "venv"
    subprocess.run([pyenv_interpreter, "-m", "venv", "--without-pip", str(venv)], check=True)
    (site,) = venv.glob("lib/python*/site-packages")
    make_dist(site, "app", "1.0", ['oldonly; python_version < "3.11"', "lib"])
    make_dist(site, "lib", "2.0")
    graph = deps("app", python=str(venv / "bin" / "python"))
    version = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import platform; print(platform.python_version())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert graph.python == version
    old = tuple(int(p) for p in version.split(".")[:2]) < (3, 11)
    assert ("oldonly" in {e.child for e in graph.edges}) == old
    assert bool(graph.skipped) != old
    with pytest.raises(PyenvlabError, match="no installed distribution"):
        deps("app")  # not in this interpreter's environment


def test_invalid_requirement_and_unknown_extra(site: Path):
    make_dist(site, "broken", "1.0", ["lib", "not a valid requirement!!"])
    graph = deps("broken", path=[str(site)])
    assert [e.child for e in graph.edges] == ["lib"]
    assert graph.skipped[0].spec == "not a valid requirement!!"
    assert graph.skipped[0].reason.startswith("invalid requirement")
    with pytest.raises(PyenvlabError, match=r"app has no extra 'turbo' \(it provides: fast\)"):
        deps("app[turbo]", path=[str(site)])


def test_unknown_distribution_suggests_close_names(site: Path):
    with pytest.raises(PyenvlabError, match=r"did you mean .*cyc-a"):
        deps("cyc-c", path=[str(site)])
    with pytest.raises(PyenvlabError, match="not a distribution name"):
        deps("not a name!", path=[str(site)])


def test_json_round_trip_and_renderers(site: Path):
    graph = deps("app[fast]", path=[str(site)])
    assert DepGraph.from_json(graph.to_json()) == graph
    text = anatomy_views.text(graph, width=100, color=False)
    assert "ghost" in text
    assert "MISSING" in text
    assert "CONFLICT" in text
    assert "cycle" in text
    html = anatomy_views.html(graph)
    assert "ghost" in html
    assert "<script" not in html
    source = anatomy_views.dot(graph).source
    edge_lines = {line.split(" [")[0].strip(): line for line in source.splitlines() if "->" in line}
    assert "dashed" in edge_lines["app -> ghost"]  # a missing requirement: dashed
    assert "red" in edge_lines["app -> lib"]  # a conflicting one: red
    assert "red" not in edge_lines["speedup -> lib"]
