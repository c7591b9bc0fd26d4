"""`python -m pyenvlab trace` and `where`: readable output, one-line errors, exit status 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import pyenvlab

ROOT = Path(__file__).resolve().parents[1]


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "COLUMNS": "120"}
    return subprocess.run(
        [sys.executable, "-m", "pyenvlab", *args],
        capture_output=True,
        text=True,
        cwd=cwd or ROOT,
        env=env,
        check=False,
    )


def test_trace_prints_the_scan_and_saves_json(tmp_path: Path) -> None:
    out = tmp_path / "t.json"
    result = cli("trace", "colorsys", "--json", str(out), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    saved = pyenvlab.Trace.load(out)
    record = saved.module("colorsys")
    assert record.hit is not None
    # the table names each visited entry and the hit
    for visit in record.searched:
        shown = "''" if visit.entry == "" else Path(visit.entry).name
        assert shown in result.stdout
    assert "colorsys" in result.stdout
    assert result.stderr == ""


def test_trace_code_with_candidates_and_load(tmp_path: Path) -> None:
    out = tmp_path / "t.json"
    result = cli("trace", "-c", "import email.mime.text", "--candidates", "--json", str(out), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    data = json.loads(out.read_text())
    assert data["candidates"] is True
    assert any(p["op"] == "candidate" for m in data["modules"] for p in m["probes"])
    again = cli("trace", "--load", str(out))
    assert again.returncode == 0
    assert "email.mime.text" in again.stdout


def test_trace_in_another_interpreter(pyenv_interpreter: str, tmp_path: Path) -> None:
    out = tmp_path / "t.json"
    result = cli("trace", "json", "--python", pyenv_interpreter, "--json", str(out), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert pyenvlab.Trace.load(out).executable.startswith(str(Path(pyenv_interpreter).parent.parent))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["trace", "json", "--python", "/no/such/python"], "interpreter not found: /no/such/python"),
        (
            ["trace", "json", "--python", "no-such-python-xyz"],
            "no interpreter called 'no-such-python-xyz' on PATH",
        ),
        (["trace", "json", "--bogus"], "unrecognized arguments: --bogus"),
        (["trace"], "one of the arguments"),
        (["trace", "--load", "/no/such/file.json"], "cannot read /no/such/file.json"),
        (["where", "a..b"], "not a module name"),
        (["nosuchcommand"], "invalid choice"),
    ],
)
def test_bad_input_is_one_line_and_status_2(args: list[str], message: str) -> None:
    result = cli(*args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("content", ["{", '{"format": "pyenvlab.trace", "version": 7}', "[]", "\udcff"])
def test_unreadable_json_file(tmp_path: Path, content: str) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(content.encode("utf-8", "surrogateescape"))
    result = cli("trace", "--load", str(bad))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_where_lists_the_shadowed_module(tmp_path: Path) -> None:
    (tmp_path / "json.py").write_text("")
    result = cli("where", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout
    assert str(tmp_path) in lines or "json.py" in lines
    assert "shadowed" in lines.lower() or "loses" in lines.lower()
    missing = cli("where", "no_such_module_xyz", cwd=tmp_path)
    assert missing.returncode == 1


def test_help_lists_every_command() -> None:
    result = cli("--help")
    assert result.returncode == 0
    for name in ("trace", "where"):
        assert name in result.stdout
    sub = cli("trace", "--help")
    assert "--candidates" in sub.stdout and "examples:" in sub.stdout


def test_a_shadowing_module_in_the_cwd_does_not_break_pyenvlab(tmp_path: Path) -> None:
    for name in ("random", "json", "re", "subprocess", "tempfile", "dataclasses", "typing", "argparse"):
        (tmp_path / f"{name}.py").write_text(
            "raise SystemExit('shadow module imported by pyenvlab itself')\n"
        )
    (tmp_path / "email").mkdir()
    (tmp_path / "email" / "__init__.py").write_text("raise SystemExit('shadow email imported')\n")
    result = cli("trace", "colorsys", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "colorsys" in result.stdout


def test_report_with_no_arguments_is_the_quick_start(tmp_path: Path) -> None:
    """The README's first command: a table on screen and pyenvlab-report.html on disk."""
    result = cli("report", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "import json" in result.stdout
    assert "wrote pyenvlab-report.html" in result.stdout
    page = (tmp_path / "pyenvlab-report.html").read_text(encoding="utf-8")
    assert page.lstrip().lower().startswith("<!doctype html")
    assert "json" in page
    assert "<script" not in page.lower()
