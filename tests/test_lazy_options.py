"""``--lazy-imports MODE`` of ``python -m pyenvlab trace`` / ``report`` and ``%%trace_imports``.

The option is PEP 810's global mode (``-X lazy_imports=MODE``) handed to ``trace_import``: on
CPython 3.15 (Pyodide) ``all`` makes plain ``import`` statements lazy, so a module imported but
never used is never run; an interpreter without lazy imports is one clear line, never a
traceback, and so is the option combined with a saved trace.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import pyenvlab
from tests.conftest import pyodide_or_skip

ROOT = Path(__file__).resolve().parents[1]
CODE = "import lz_used\nimport lz_never\nvalue = lz_used.VALUE\n"


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "120"}
    return subprocess.run(
        [sys.executable, "-m", "pyenvlab", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        check=False,
    )


def modules(root: Path) -> Path:
    root.mkdir(exist_ok=True)
    (root / "lz_used.py").write_text("VALUE = 1\n")
    (root / "lz_never.py").write_text("raise SystemExit('lz_never must never run')\n")
    return root


def one_line_error(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 2 and done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    return lines[0]


# -- the command line ---------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["trace", "report"])
def test_an_interpreter_without_lazy_imports_is_one_line(command: str, tmp_path: Path) -> None:
    """This interpreter (3.10-3.13 here) has no sys.set_lazy_imports: said, not crashed."""
    if hasattr(sys, "set_lazy_imports"):
        pytest.skip("this interpreter has lazy imports")
    line = one_line_error(cli(command, "-c", "import json", "--lazy-imports", "all", cwd=tmp_path))
    assert f"Python {sys.version.split()[0]} has no lazy imports (PEP 810" in line
    assert not (tmp_path / "pyenvlab-report.html").exists()


def test_a_mode_that_does_not_exist_and_a_loaded_trace_are_one_line(tmp_path: Path) -> None:
    line = one_line_error(cli("trace", "json", "--lazy-imports", "sometimes", cwd=tmp_path))
    assert "--lazy-imports" in line and "'all'" in line
    saved = tmp_path / "t.json"
    assert cli("trace", "colorsys", "--json", str(saved), cwd=tmp_path).returncode == 0
    line = one_line_error(cli("trace", "--load", str(saved), "--lazy-imports", "all", cwd=tmp_path))
    assert "--lazy-imports applies to code traced now" in line


def test_trace_and_report_pass_the_mode_to_the_traced_interpreter(tmp_path: Path) -> None:
    spec = pyodide_or_skip("3.15")
    work = modules(tmp_path / "work")
    common = ["-c", CODE, "--python", spec, "--path", str(work)]
    done = cli("trace", *common, "--lazy-imports", "all", "--json", "t.json", "--width", "120", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    data = json.loads((tmp_path / "t.json").read_text())
    assert data["raised"] is None and data["lazy_pending"] == ["lz_never"]  # bound, never run
    assert "lazy import lz_never" in done.stdout and "pending: never used" in done.stdout
    assert "loaded on first use at <string>:3" in done.stdout
    page = tmp_path / "lazy.html"
    done = cli("report", *common, "--lazy-imports", "all", "-o", str(page), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert '<tr class="lazy-pending"><td>lazy import lz_never</td>' in page.read_text(encoding="utf-8")
    # the same code in the normal mode runs lz_never (and so ends with its SystemExit)
    done = cli("trace", *common, "--lazy-imports", "normal", "--json", "n.json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    normal = pyenvlab.Trace.load(tmp_path / "n.json")
    assert normal.raised == "SystemExit: lz_never must never run" and normal.lazy_pending == ()


def test_pyodide_314_has_no_lazy_imports_one_line(tmp_path: Path) -> None:
    spec = pyodide_or_skip("3.14")
    line = one_line_error(cli("trace", "-c", "pass", "--python", spec, "--lazy-imports", "all", cwd=tmp_path))
    assert line.startswith("python -m pyenvlab trace: error: pyodide:3.14 ")
    assert "has no lazy imports (PEP 810)" in line


# -- the magic ----------------------------------------------------------------------------------


@pytest.fixture
def ip():
    pytest.importorskip("IPython")
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    shell.reset(new_session=False)
    shell.run_line_magic("load_ext", "pyenvlab")
    yield shell
    shell.run_line_magic("unload_ext", "pyenvlab")


def _usage_error(shell, capsys: pytest.CaptureFixture[str], source: str) -> str:
    result = shell.run_cell(source)
    assert result.result is None
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    (line,) = [line for line in (captured.out + captured.err).splitlines() if line.startswith("UsageError")]
    return line


def test_the_magic_passes_the_mode_and_implies_fresh(ip, tmp_path: Path, monkeypatch) -> None:
    spec = pyodide_or_skip("3.15")
    work = modules(tmp_path)
    monkeypatch.chdir(tmp_path)
    view = ip.run_cell(f"%%trace_imports --python {spec} --path {work} --lazy-imports all\n{CODE}").result
    assert view.where == "fresh" and view.trace.lazy_pending == ("lz_never",)
    assert "lazy import lz_never" in view._repr_mimebundle_(include=["text/plain"])["text/plain"]


def test_the_magic_says_in_one_line_when_the_interpreter_has_none(
    ip, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch
) -> None:
    if hasattr(sys, "set_lazy_imports"):
        pytest.skip("this interpreter has lazy imports")
    monkeypatch.chdir(tmp_path)
    line = _usage_error(ip, capsys, "%%trace_imports --lazy-imports all\nimport json\n")
    assert "has no lazy imports (PEP 810" in line  # --lazy-imports implies --fresh: no kernel trace
    line = _usage_error(ip, capsys, "%%trace_imports --lazy-imports often\nimport json\n")
    assert "--lazy-imports" in line and "invalid choice" in line
