"""Pyodide as a target interpreter: specs, the runner, trace_import, the CLI and the magics.

CPython 3.14 and 3.15 run here as Pyodide (CPython in WebAssembly) under Node.js; the tests
skip with the reason when Node/npm are missing (and fail in CI, where bootstrap installs them).
The differential over every stdlib name is tests/test_pyodide_differential.py; the startup
tracer's tests are tests/test_pyodide_startup.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import pyenvlab
from pyenvlab._interpreters import resolve_interpreter
from pyenvlab.errors import InterpreterError
from tests.conftest import pyodide_or_skip

ROOT = Path(__file__).resolve().parent.parent


def _one_line(exc: BaseException) -> str:
    text = str(exc)
    assert "\n" not in text and "Traceback" not in text, text
    return text


# -- specs and missing pieces: no Node needed ----------------------------------------------


@pytest.mark.parametrize("spec", ["pyodide:2.7", "pyodide:3.13", "pyodide:", "pyodide:latest"])
def test_an_unknown_pyodide_version_is_one_line_listing_the_known_ones(spec: str) -> None:
    for call in (
        lambda: pyenvlab.trace_import("json", python=spec),
        lambda: pyenvlab.startup(spec),
        lambda: resolve_interpreter(spec),
    ):
        with pytest.raises(InterpreterError) as info:
            call()
        message = _one_line(info.value)
        assert repr(spec) in message and "pyodide:3.14, pyodide:3.15" in message


def test_a_pyodide_spec_has_no_executable() -> None:
    with pytest.raises(InterpreterError, match="no executable here"):
        resolve_interpreter("pyodide:3.14")


def test_without_node_and_npm_one_line_says_what_to_install(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("PYENVLAB_CACHE", str(tmp_path / "cache"))  # nothing installed
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(InterpreterError) as info:
        pyenvlab.trace_import("json", python="pyodide:3.14")
    message = _one_line(info.value)
    assert message.startswith("pyodide:3.14 ") and "apt-get install nodejs npm" in message


def test_installed_but_without_node_one_line(monkeypatch, tmp_path: Path) -> None:
    pyodide_or_skip("3.14")  # installed in the cache
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(InterpreterError) as info:
        pyenvlab.startup("pyodide:3.14")
    assert "pyodide:3.14 runs under Node.js, which is not installed" in _one_line(info.value)


def test_the_cli_and_the_magics_say_so_in_one_line() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pyenvlab", "trace", "json", "--python", "pyodide:9.9"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "pyodide:3.14, pyodide:3.15" in lines[0]


# -- the runner ----------------------------------------------------------------------------


def test_reset_gives_each_run_a_fresh_interpreter_and_drops_a_changed_one() -> None:
    """Memory written back: an import is gone; a file written outside /pyenvlab drops the start."""
    from pyenvlab.pyodide.releases import release_for
    from pyenvlab.pyodide.runner import Run, run

    spec = pyodide_or_skip("3.15")
    probe = (
        "open('/pyenvlab/out.txt', 'w').write(repr(('colorsys' in sys.modules, os.path.exists('/tmp/leak'))))"
    )
    code = "import os, sys\n" + probe
    results = run(
        release_for(spec),
        [
            Run("import colorsys"),
            Run(code, results=("/pyenvlab/out.txt",)),
            Run("open('/tmp/leak', 'w').write('x')"),
            Run(code, results=("/pyenvlab/out.txt",)),
        ],
        fresh="reset",
    )
    assert [r.ok for r in results] == [True] * 4, [r.error for r in results]
    assert results[1].files["/pyenvlab/out.txt"] == "(False, False)"  # the import did not survive
    assert results[0].reset == "reset" and results[1].reset == "reset"
    assert results[2].reset == "dropped: the files changed"
    assert results[3].files["/pyenvlab/out.txt"] == "(False, False)"  # a new start: no leak


def _runner_processes() -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if b"runner.mjs" in cmdline and str(ROOT).encode() in cmdline:
                found.add(int(entry.name))
    return found


def test_a_timeout_kills_the_node_process_group_and_says_so() -> None:
    from pyenvlab.pyodide.releases import release_for
    from pyenvlab.pyodide.runner import Run, run

    spec = pyodide_or_skip("3.14")
    before = _runner_processes()
    with pytest.raises(InterpreterError) as info:
        run(release_for(spec), [Run("while True: pass")], timeout=1)
    message = _one_line(info.value)
    assert message == "pyodide:3.14 did not finish within 1 s: its Node process group was killed"
    assert _runner_processes() - before == set()


# -- trace_import ----------------------------------------------------------------------------


@pytest.fixture(params=["3.14", "3.15"])
def traced(request: pytest.FixtureRequest, tmp_path: Path):
    """One trace per version: a host path entry, a host cwd, the zip stdlib, no subprocesses."""
    spec = pyodide_or_skip(request.param)
    lib, work = tmp_path / "lib", tmp_path / "work"
    lib.mkdir()
    work.mkdir()
    (lib / "hostmod.py").write_text("VALUE = 1\n")
    (work / "cwdmod.py").write_text("VALUE = 2\n")
    code = (
        'print(\'{"format": "not a trace"}\')\n'  # stdout is the traced code's, never the trace
        "import hostmod, cwdmod, colorsys, json\n"
        "import subprocess\nsubprocess.run(['ls'])\n"
    )
    return request.param, lib, work, pyenvlab.trace_import(code, python=spec, path=[lib], cwd=work)


def test_trace_import_in_pyodide_shows_what_is_emscripten_about_it(traced) -> None:
    version, lib, _, trace = traced
    zip_path = f"/lib/python{version.replace('.', '')}.zip"
    assert trace.python.startswith(version + ".")
    assert trace.sys_path[:3] == ("", str(lib), zip_path)
    colorsys = trace.module("colorsys")
    assert colorsys.origin == f"{zip_path}/colorsys.py"
    assert (colorsys.hit.entry, colorsys.hit.finder) == (zip_path, "zipimporter")
    assert not [p for p in colorsys.probes if p.entry == zip_path]  # a zip member: no system call
    cached = {s.name for s in trace.statements if s.cached}
    assert "json" in cached  # loaded by Pyodide's runtime before any code ran
    assert trace.raised == "OSError: [Errno 138] emscripten does not support processes."


def test_trace_import_in_pyodide_sees_host_path_entries_and_cwd(traced) -> None:
    _, lib, work, trace = traced
    hostmod, cwdmod = trace.module("hostmod"), trace.module("cwdmod")
    assert hostmod.origin == str(lib / "hostmod.py") and hostmod.hit.entry == str(lib)
    assert any(p.path == str(lib / "hostmod.py") and p.found for p in hostmod.probes)
    assert cwdmod.origin == str(work / "cwdmod.py") and cwdmod.hit.entry == ""


def test_lazy_imports_mode_is_set_before_the_traced_code(tmp_path: Path) -> None:
    """3.15: sys.set_lazy_imports('all') before the recorder; 3.14 has no such feature."""
    from pyenvlab.pyodide.tracing import trace_import

    spec = pyodide_or_skip("3.15")
    pending = trace_import("import colorsys", python=spec, lazy_imports="all")
    assert pending.raised is None and "colorsys" not in pending.loaded  # bound, never used
    used = trace_import("import colorsys\ncolorsys.rgb_to_hsv(0, 0, 0)", python=spec, lazy_imports="all")
    assert used.raised is None and "colorsys" in used.loaded  # loaded on first use
    with pytest.raises(InterpreterError, match="cannot start with lazy imports switched on"):
        trace_import("pass", python=spec, env={"PYTHON_LAZY_IMPORTS": "all"})
    with pytest.raises(InterpreterError, match=r"has no lazy imports \(PEP 810\)"):
        trace_import("pass", python=pyodide_or_skip("3.14"), lazy_imports="all")


# -- the command line and the magics -------------------------------------------------------


def test_cli_trace_and_startup_accept_pyodide(tmp_path: Path) -> None:
    spec = pyodide_or_skip("3.15")
    env = {**os.environ, "COLUMNS": "140"}
    done = subprocess.run(
        [sys.executable, "-m", "pyenvlab", "trace", "colorsys", "--python", spec, "--json", "t.json"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Python 3.15.0") and "/lib/python315.zip" in done.stdout
    assert pyenvlab.Trace.load(tmp_path / "t.json").module("colorsys").hit.finder == "zipimporter"
    done = subprocess.run(
        [sys.executable, "-m", "pyenvlab", "startup", "--python", spec],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr  # 0: the trace is verified
    assert "verified" in done.stdout and "WebAssembly" in done.stdout


def test_magics_accept_pyodide(tmp_path: Path, monkeypatch) -> None:
    pytest.importorskip("IPython")
    from IPython.core.interactiveshell import InteractiveShell

    spec = pyodide_or_skip("3.14")
    monkeypatch.chdir(tmp_path)
    shell = InteractiveShell.instance()
    shell.reset(new_session=False)
    shell.run_line_magic("load_ext", "pyenvlab")
    try:
        view = shell.run_cell(f"%%trace_imports --python {spec}\nimport colorsys\n").result
        assert (
            view.trace.python.startswith("3.14.")
            and view.trace.module("colorsys").hit.finder == "zipimporter"
        )
        trace = shell.run_cell(f"%startup {spec}").result
        assert type(trace).__name__ == "StartupTrace" and trace.verified
        assert trace.interpreter == spec
    finally:
        shell.run_line_magic("unload_ext", "pyenvlab")


def test_pyodide_command_lists_and_refuses_unknown_versions(tmp_path: Path) -> None:
    env = {**os.environ, "PYENVLAB_CACHE": str(tmp_path)}  # an empty cache: nothing installed
    done = subprocess.run(
        [sys.executable, "-m", "pyenvlab", "pyodide", "list"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert done.stdout.splitlines() == [
        "pyodide:3.14: CPython 3.14.2 from pyodide@314.0.8, not installed",
        "pyodide:3.15: CPython 3.15.0rc1 from pyodide@315.0.0-alpha.2, not installed",
    ]
    done = subprocess.run(
        [sys.executable, "-m", "pyenvlab", "pyodide", "install", "2.7"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1
    assert "unknown Pyodide interpreter 'pyodide:2.7'" in done.stderr
