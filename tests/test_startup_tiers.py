"""The startup tracer's parts: the tiers behind one interface, provenance, the site stage."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from pyenvlab.errors import InterpreterError
from pyenvlab.interpreter import startup, tiers
from pyenvlab.interpreter.provenance import path_entries
from pyenvlab.interpreter.site_stage import pth_files, pth_notes, site_steps


def _start(tmp_path: Path, **changes) -> tiers.Start:
    fields = {
        "target": sys.executable,
        "argv0": sys.executable,
        "flags": (),
        "environ": {"PATH": "/usr/bin:/bin"},
        "workdir": str(tmp_path),
        "version": (3, 9, 18),  # no getpath code object before 3.11
        "tmpdir": tmp_path,
        "before": {"base_prefix": sys.base_prefix, "prefix": sys.base_prefix, "path": []},
    }
    return tiers.Start(**{**fields, **changes})


def test_every_tier_answers_with_a_search(tmp_path: Path) -> None:
    for method in ("getpath", "strace", "model"):
        trace = startup(sys.executable, cwd=tmp_path, method=method)  # type: ignore[arg-type]
        if trace.method != method:  # pragma: no cover - a tier this machine lacks
            pytest.skip(f"no {method} tier here")
        assert trace.probes and trace.comparisons[0].stage == "getpath"
        # the check that settled the prefix is this interpreter's own os.py, found by the walk up
        # from the executable (pyenv) or, where the walk finds nothing, at the configured PREFIX
        # (a venv whose home holds only a link to Debian's /usr/bin/python3)
        landmark = trace.probe_for("prefix")
        assert landmark is not None, method
        assert landmark.result is True
        assert os.path.realpath(landmark.path) == os.path.realpath(os.__file__), method
        assert trace.comparisons[0].agree, trace.comparisons[0]


def test_the_model_falls_back_to_the_configured_prefix_when_the_walk_finds_nothing(tmp_path: Path) -> None:
    home = tmp_path / "linkdir"  # like /tmp/bin holding python3 -> /usr/bin/python3
    home.mkdir()
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text(f"home = {home}\n")
    prefix = tmp_path / "usr"
    (prefix / "lib/python3.9/lib-dynload").mkdir(parents=True)
    (prefix / "lib/python3.9/os.py").write_text("")
    start = _start(
        tmp_path,
        argv0=str(venv / "bin/python"),
        before={"base_prefix": str(prefix), "prefix": str(venv), "path": []},
        getpath_data={"constants": {"PREFIX": str(prefix), "EXEC_PREFIX": str(prefix)}},
    )
    found = tiers.search(start, "model")
    decided = {p.decided: p for p in found.probes if p.decided}
    assert decided["prefix"].path == str(prefix / "lib/python3.9/os.py")
    assert decided["exec_prefix"].path == str(prefix / "lib/python3.9/lib-dynload")
    walked = [p.path for p in found.probes if p.purpose == "stdlib landmark"]
    assert walked[:-1] == [str(d / "lib/python3.9/os.py") for d in (home, *home.parents) if str(d) != "/"]
    assert found.comparisons[0].traced == str(prefix) and found.comparisons[0].agree
    without = tiers.search(_start(tmp_path, argv0=start.argv0, before=start.before), "model")
    assert not any(p.decided == "prefix" for p in without.probes)  # no build constants: not modelled


def test_the_model_tier_runs_when_nothing_else_can(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tiers.shutil, "which", lambda name: None)  # no strace
    found = tiers.search(_start(tmp_path))
    assert found.method == "model"
    assert found.notes[0].startswith("MODEL: no real trace")
    with pytest.raises(InterpreterError, match="needs the strace program"):
        tiers.search(_start(tmp_path), "strace")
    with pytest.raises(InterpreterError, match="has no getpath code object"):
        tiers.search(_start(tmp_path, version=(3, 12, 1)), "getpath")
    newer = tiers.search(_start(tmp_path, version=(3, 12, 1)))
    assert newer.notes[0].startswith("the getpath code object is not available here")


def test_the_strace_tier_settles_prefix_at_the_last_landmark() -> None:
    from pyenvlab.interpreter.records import StartupProbe

    probes = [
        StartupProbe("stat", "/a/lib/python3.9/os.py", True, None, "stdlib landmark"),
        StartupProbe("stat", "/b/lib/python3.9/os.py", True, None, "stdlib landmark"),
        StartupProbe("stat", "/b/lib/python3.9/lib-dynload", True, None, "lib-dynload landmark"),
    ]
    settled = tiers._settle(probes, [p.path for p in probes[:2]])
    assert [p.decided for p in settled] == [None, "prefix", "exec_prefix"]
    assert [p.decided for p in probes] == [None, None, None]  # the tier's input is left alone


def test_provenance_of_each_entry(tmp_path: Path) -> None:
    before = {
        "path": ["/pp", "/usr/lib/python312.zip", "/usr/lib/python3.12", "/usr/lib/python3.12/lib-dynload"],
        "stdlib_dir": "/usr/lib/python3.12",
    }
    final = [*before["path"], "/site", "/from-pth"]
    entries = path_entries(
        final,
        before,
        flags=(),
        environ={},
        workdir=str(tmp_path),
        script="s.py",
        origins={"/from-pth": ".pth x.pth:1"},
    )
    assert [(e.path, e.source) for e in entries] == [
        (str(tmp_path.resolve()), "script directory"),
        ("/pp", "PYTHONPATH"),
        ("/usr/lib/python312.zip", "stdlib zip"),
        ("/usr/lib/python3.12", "stdlib"),
        ("/usr/lib/python3.12/lib-dynload", "lib-dynload"),
        ("/site", "site"),
        ("/from-pth", ".pth x.pth:1"),
    ]
    safe = path_entries([], before, flags=(), environ={"PYTHONSAFEPATH": "1"}, workdir=str(tmp_path))
    assert safe == []  # no '' first with PYTHONSAFEPATH (unless -E ignores it)
    ignored = path_entries([], before, flags=("-E",), environ={"PYTHONSAFEPATH": "1"}, workdir=str(tmp_path))
    assert [e.path for e in ignored] == [""]


def test_the_site_stage_reads_what_the_probe_recorded() -> None:
    data = {
        "pth_files": [
            {"path": "/sp/.hidden.pth", "sitedir": "/sp", "lines": []},
        ],
        "events": [
            {
                "function": "addsitedir",
                "args": ["/sp"],
                "depth": 0,
                "added": ["/sp"],
                "skipped_pth": [".h.pth"],
            },
            {"function": "addpackage", "args": ["/sp", "zz.pth"], "depth": 1, "result": ["a", "b"]},
        ],
    }
    files = pth_files(data)
    assert files[0].occurrence == 1
    assert pth_notes(files, data) == [
        "site did not process /sp/.h.pth: since 3.13 (and security releases from 2024), "
        "site skips .pth files whose names start with '.'"
    ]
    steps = site_steps(data)
    assert [(s.function, s.depth, s.result) for s in steps] == [
        ("addsitedir", 0, None),
        ("addpackage", 1, "a, b"),
    ]
