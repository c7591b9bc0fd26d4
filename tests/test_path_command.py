"""``python -m pyenvlab path`` and ``startup``: the commands a newcomer types."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from pyenvlab.interpreter import PathReport, StartupTrace


def run(args, *, cwd: Path, env=None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pyenvlab", *args],
        cwd=cwd,
        env=dict(os.environ if env is None else env),
        capture_output=True,
        text=True,
        check=False,
    )


def test_path_lists_every_entry_with_its_source(tmp_path: Path) -> None:
    missing = tmp_path / "missing"
    env = dict(os.environ, PYTHONPATH=str(missing), COLUMNS="200")
    done = run(["path", "--width", "200", "--json", str(tmp_path / "p.json")], cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    report = PathReport.load(tmp_path / "p.json")
    real = json.loads(
        subprocess.run(
            [sys.executable, "-c", "import sys, json; print(json.dumps(sys.path))"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    assert [e.path for e in report.entries] == real
    entry = next(e for e in report.entries if e.path == str(missing))
    assert entry.source == "PYTHONPATH"
    assert not entry.exists
    row = next(line for line in done.stdout.splitlines() if str(missing) in line)
    assert row.split()[-2:] == ["PYTHONPATH", "no"]
    assert "stdlib" in done.stdout
    assert "lib-dynload" in done.stdout


def test_path_of_another_interpreter_and_errors(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    done = run(["path", "--python", str(venv / "bin" / "python"), "--width", "200"], cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "site-packages (venv)" in done.stdout
    bad = run(["path", "--python", str(tmp_path / "nope")], cwd=tmp_path)
    assert bad.returncode == 2
    assert bad.stderr.count("\n") == 1
    assert "does not exist" in bad.stderr


def test_startup_command_prints_the_walk_and_saves_json(tmp_path: Path) -> None:
    done = run(["startup", "-s", "--width", "200", "--json", str(tmp_path / "t.json")], cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    trace = StartupTrace.load(tmp_path / "t.json")
    assert trace.verified
    assert trace.command[1:] == ("-s",)
    assert "1. Prefix search" in done.stdout
    assert "<- prefix" in done.stdout
    assert "4. sys.path" in done.stdout
    assert "verified" in done.stdout


def test_startup_command_with_a_random_py_in_cwd(tmp_path: Path) -> None:
    (tmp_path / "random.py").write_text("raise SystemExit('shadowed')\n")
    done = run(["startup", "--width", "120"], cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "shadowed" not in done.stdout + done.stderr
