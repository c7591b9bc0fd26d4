"""The README's quick start as a new user meets it: two commands, the second the one CI runs
(``.ci/run``), both working where ``python3`` is the only Python (a stock Debian 12 has no
``python``); the first is run here for real, in a fresh copy of the checkout."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def quick_start() -> tuple[str, list[str]]:
    """The README's quick start section and the commands of its code block."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Quick start\n", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```bash\n(.*?)```", section, re.DOTALL)
    assert block, "the quick start has a bash code block"
    return section, [line for line in block.group(1).splitlines() if line.strip()]


def test_the_quick_start_is_two_commands_and_ci_runs_the_second() -> None:
    section, commands = quick_start()
    assert len(commands) == 2, commands
    assert commands[0].startswith("bash scripts/bootstrap ") and "pyenvlab report" in commands[0]
    assert commands[1].startswith("bash scripts/bootstrap --dev ") and "-m pytest" in commands[1]
    ci = [line for line in (REPO / ".ci" / "run").read_text().splitlines() if line and line[0] not in "#"]
    assert ci[-1] == commands[1], "CI runs exactly the README's test command"
    for command in commands:  # no `python` looked up on PATH: the bootstrap's environment runs
        assert not re.search(r"(^|[\s;&|])python3?\s", command), command
    assert "virtual environment" in section and ".venv/bin/activate" in section


def _base_python() -> str:
    """The ``python3`` of the simulated fresh machine: Debian's own where present (on Debian 12,
    /usr/bin/python3 3.11 with its ensurepip, as a new user has it), else this one's base."""
    debian = Path("/usr/bin/python3")
    if debian.is_file():
        check = [str(debian), "-c", "import sys; print(sys.version_info >= (3, 10))"]
        if subprocess.run(check, capture_output=True, text=True, check=False).stdout.strip() == "True":
            return str(debian)
    return getattr(sys, "_base_executable", sys.executable)


@pytest.mark.slow
def test_the_first_quick_start_command_where_python3_is_the_only_python(tmp_path: Path) -> None:
    """``bash scripts/bootstrap && .venv/bin/python -m pyenvlab report`` in a fresh copy of the
    checkout, with a PATH on which there is ``python3`` and no ``python``: it makes ``.venv``,
    installs this pyenvlab into it and writes the report."""
    checkout = tmp_path / "checkout"
    listed = subprocess.run(
        ["git", "-C", str(REPO), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    for name in filter(None, listed.decode().split("\0")):
        source = REPO / name
        if source.is_file():
            (checkout / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, checkout / name)

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    base = _base_python()
    (bin_dir / "python3").symlink_to(base)
    # the machine's tools (bash, dot, git, apt-get...), without any directory holding a `python`
    system = [
        d
        for d in os.environ.get("PATH", os.defpath).split(os.pathsep)
        if d and not Path(d, "python").exists()
    ]
    env = {
        k: v for k, v in os.environ.items() if k not in {"PYTHON", "VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME"}
    }
    env["PATH"] = os.pathsep.join([str(bin_dir), *system])
    assert shutil.which("python", path=env["PATH"]) is None

    _, commands = quick_start()
    result = subprocess.run(
        ["bash", "-c", commands[0]], cwd=checkout, env=env, capture_output=True, text=True,
        timeout=900, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert "import json" in result.stdout and "found here" in result.stdout, result.stdout[-2000:]
    report = checkout / "pyenvlab-report.html"
    assert report.read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html"), report

    venv_python = checkout / ".venv" / "bin" / "python"
    config = (checkout / ".venv" / "pyvenv.cfg").read_text()
    assert f"executable = {os.path.realpath(base)}" in config.splitlines(), config
    where = subprocess.run(
        [str(venv_python), "-c", "import pyenvlab; print(pyenvlab.__file__)"],
        cwd=tmp_path, capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    assert Path(where) == checkout / "pyenvlab" / "__init__.py", "the checkout's pyenvlab, editable"
