"""The in-process stand-ins the notebooks use in a browser tell the same story as a process.

Run here in CPython, side by side with the real thing: ``trace_import`` (in this interpreter,
the code's modules forgotten for the trace) against :func:`pyenvlab.trace_import` (a fresh
interpreter), ``run_python`` against ``subprocess.run([sys.executable, ...])``; and the
interpreter is left as it was.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import pyenvlab
from pyenvlab.lite import inbrowser

MYMOD = """\
import os

def add_something():
    os.also_set_by_mymod = 'Still the same'

os.set_by_mymod = 'See, I told you'
print('inside mymod: os.set_by_mymod = ' + os.set_by_mymod)
"""
TEST_PY = """\
import mymod
import os

print('in test.py: os.set_by_mymod = ' + os.set_by_mymod)
mymod.add_something()
print(os.also_set_by_my_mod)
"""


@pytest.fixture
def interpreter_state():
    """sys.modules, sys.path and the working directory before and after the test."""
    before = (dict(sys.modules), list(sys.path), os.getcwd(), list(sys.argv))
    yield before
    after = (dict(sys.modules), list(sys.path), os.getcwd(), list(sys.argv))
    new = sorted(set(after[0]) - set(before[0]))
    assert [m for m in new if not m.startswith("pyenvlab")] == []
    assert all(after[0][name] is module for name, module in before[0].items() if name in after[0])
    assert after[1:] == before[1:]


def _entries(trace, name: str, work: Path) -> list[str]:
    return [v.entry.replace(str(work), "$WORK") for v in trace.module(name).searched]


def test_a_shadowing_json_is_found_again_like_in_a_fresh_interpreter(
    tmp_path, interpreter_state, capsys
) -> None:
    import json as real_json

    shadow = tmp_path / "shadow"
    shadow.mkdir()
    (shadow / "json.py").write_text("WHO = 'shadow'\nprint('not the json you are looking for')\n")
    fresh = pyenvlab.trace_import("import json", cwd=tmp_path, path=[shadow])
    here = inbrowser.trace_import("import json", cwd=tmp_path, path=[shadow])
    for trace in (fresh, here):
        assert trace.module("json").origin == str(shadow / "json.py")
    assert _entries(here, "json", tmp_path) == _entries(fresh, "json", tmp_path) == ["", "$WORK/shadow"]
    assert sys.modules["json"] is real_json and not hasattr(real_json, "WHO")
    assert capsys.readouterr() == ("", "")  # the code's output is dropped, as from a process


def test_a_namespace_package_has_both_portions(tmp_path, interpreter_state) -> None:
    for part, module in [("a", "one"), ("b", "two")]:
        (tmp_path / part / "demo_ns").mkdir(parents=True)
        (tmp_path / part / "demo_ns" / f"{module}.py").write_text(f"WHO = {module!r}\n")
    code = "import demo_ns.one, demo_ns.two"
    path = [tmp_path / "a", tmp_path / "b"]
    fresh = pyenvlab.trace_import(code, cwd=tmp_path, path=path).module("demo_ns")
    here = inbrowser.trace_import(code, cwd=tmp_path, path=path).module("demo_ns")
    assert here.kind == fresh.kind == "namespace"
    assert list(here.search_locations) == list(fresh.search_locations)


def test_files_written_after_an_earlier_trace_are_seen(tmp_path, interpreter_state) -> None:
    """The directory listings a finder cached before the notebook wrote a module are not
    trusted: a fresh interpreter would list the directory anew."""
    inbrowser.trace_import("import colorsys", cwd=tmp_path)
    (tmp_path / "newmod.py").write_text("X = 1\n")
    trace = inbrowser.trace_import("import newmod", cwd=tmp_path)
    assert trace.module("newmod").origin == str(tmp_path / "newmod.py")


def test_the_startup_modules_stay_cache_hits(tmp_path, interpreter_state) -> None:
    (tmp_path / "mymod").mkdir()
    (tmp_path / "mymod" / "__init__.py").write_text("import os\n")
    fresh = pyenvlab.trace_import("import mymod, os", cwd=tmp_path)
    here = inbrowser.trace_import("import mymod, os", cwd=tmp_path)

    def story(trace):
        return [(s.importer, s.name, s.cached) for s in trace.statements if s.name in ("os", "mymod")]

    assert (
        story(here)
        == story(fresh)
        == [("__main__", "mymod", False), ("mymod", "os", True), ("__main__", "os", True)]
    )


def test_candidates_are_recorded(tmp_path, interpreter_state) -> None:
    record = inbrowser.trace_import("import colorsys", cwd=tmp_path, candidates=True).module("colorsys")
    tried = [Path(p.path).name for p in record.probes if p.op == "candidate" and p.entry == record.hit.entry]
    assert "colorsys.py" in tried


def test_an_exception_of_the_code_propagates_and_everything_is_restored(tmp_path, interpreter_state) -> None:
    (tmp_path / "broken.py").write_text("raise ValueError('no')\n")
    with pytest.raises(ValueError, match="no"):
        inbrowser.trace_import("import broken", cwd=tmp_path)


def test_run_python_tells_the_import_once_story_like_a_process(tmp_path, interpreter_state) -> None:
    (tmp_path / "mymod").mkdir()
    (tmp_path / "mymod" / "__init__.py").write_text(MYMOD)
    (tmp_path / "test.py").write_text(TEST_PY)
    env = dict(os.environ, PYTHONPATH=str(tmp_path))
    real = subprocess.run(
        [sys.executable, "test.py"], cwd=tmp_path, env=env, capture_output=True, text=True, check=False
    )
    here = inbrowser.run_python("test.py", cwd=tmp_path, env=env)
    assert here.returncode == real.returncode == 1
    assert here.stdout == real.stdout
    assert here.stderr.strip().splitlines()[-1] == real.stderr.strip().splitlines()[-1]
    assert "AttributeError: module 'os' has no attribute 'also_set_by_my_mod'" in here.stderr
    assert "inbrowser.py" not in here.stderr and "runpy" not in here.stderr  # the script's frames only
    (tmp_path / "test.py").write_text(TEST_PY.replace("also_set_by_my_mod", "also_set_by_mymod"))
    again = inbrowser.run_python("test.py", cwd=tmp_path, env=env)  # mymod runs again: it was forgotten
    assert again.returncode == 0
    assert again.stdout.splitlines() == [
        "inside mymod: os.set_by_mymod = See, I told you",
        "in test.py: os.set_by_mymod = See, I told you",
        "Still the same",
    ]


def test_run_python_dash_c_and_exit_status(tmp_path, interpreter_state) -> None:
    ran = inbrowser.run_python("-c", "import sys, colorsys; print(sys.argv); sys.exit(3)", cwd=tmp_path)
    assert ran.returncode == 3 and ran.stdout == "['-c']\n" and ran.stderr == ""
    with pytest.raises(ValueError, match="needs a script"):
        inbrowser.run_python()


def test_needs_processes_stops_with_a_message_and_no_traceback(monkeypatch) -> None:
    from pyenvlab import lite

    monkeypatch.setattr(
        lite,
        "site_info",
        lambda: {"binder": "https://mybinder.org/v2/gh/o/r/HEAD", "browser_notebooks": ["01-a.ipynb"]},
    )
    with pytest.raises(inbrowser.NeedsProcesses) as info:
        inbrowser.needs_processes("11-virtualenvs.ipynb", "creates virtual environments")
    lines = info.value._render_traceback_()  # what IPython shows instead of a traceback
    assert lines[0] == (
        "This notebook creates virtual environments: "
        "a browser cannot start processes, so it does not run here."
    )
    assert "https://mybinder.org/v2/gh/o/r/HEAD?labpath=notebooks/11-virtualenvs.ipynb" in lines[1]
    assert lines[2] == "These notebooks run in this browser: 01-a.ipynb."
    monkeypatch.setattr(lite, "site_info", lambda: {"binder": "https://hub.example/v2/gh/o/r/HEAD?x=1"})
    assert (
        inbrowser.binder_url("a.ipynb") == "https://hub.example/v2/gh/o/r/HEAD?x=1&labpath=notebooks/a.ipynb"
    )
    monkeypatch.setattr(lite, "site_info", dict)
    with pytest.raises(inbrowser.NeedsProcesses, match="ask your instructor for the link"):
        inbrowser.needs_processes("11-virtualenvs.ipynb", "creates virtual environments")


def test_site_info_is_empty_outside_a_site() -> None:
    from pyenvlab.lite import site_info

    assert site_info() == {}


def test_every_notebook_that_needs_processes_says_so_first(tmp_path) -> None:
    """The first code cell of every notebook the lite site cannot run calls needs_processes
    under Emscripten, before anything that would start a process."""
    from pyenvlab.lite.site import browser_notebooks

    notebooks = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
    runnable = browser_notebooks(notebooks)
    for path in notebooks:
        cells = json.loads(path.read_text())["cells"]
        sources = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
        if path.name in runnable:  # a fresh interpreter only through the stand-in's name
            assert "pyenvlab.trace_import(" not in "".join(sources), path.name
            assert "pyenvlab.startup(" not in "".join(sources), path.name
            continue
        assert f'needs_processes("{path.name}"' in sources[0], path.name
        assert 'if sys.platform == "emscripten":' in sources[0], path.name
