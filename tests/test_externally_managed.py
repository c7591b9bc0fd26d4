"""``doctor`` and PEP 668: an interpreter whose stdlib directory holds ``EXTERNALLY-MANAGED``.

A fake layout (a real interpreter started with ``PYTHONHOME`` on a copy of its stdlib made of
links, plus the marker) and, where the machine has one, Debian's own ``/usr/bin/python3``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from pyenvlab.interpreter.doctor import doctor

CLEAN = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
BASE_PYTHON = os.path.realpath(getattr(sys, "_base_executable", sys.executable))
MARKER_TEXT = """[externally-managed]
Error=This Python belongs to the workshop's fake distribution.
 Make a virtual environment: python -m venv .venv
"""
DEBIAN_PYTHON = "/usr/bin/python3"


def fake_home(root: Path, *, marker: bool) -> Path:
    """``root/lib/pythonX.Y``: every stdlib entry linked to the real one, an empty site-packages
    (no .pth of this machine runs), and the PEP 668 marker when ``marker``."""
    real = Path(sysconfig.get_path("stdlib", vars={"installed_base": sys.base_prefix}))
    stdlib = root / "lib" / real.name
    stdlib.mkdir(parents=True)
    for entry in real.iterdir():
        if entry.name not in ("site-packages", "EXTERNALLY-MANAGED"):
            (stdlib / entry.name).symlink_to(entry)
    (stdlib / "site-packages").mkdir()
    if marker:
        (stdlib / "EXTERNALLY-MANAGED").write_text(MARKER_TEXT)
    return root


def findings(report, rule: str):
    return [f for f in report.findings if f.rule == rule]


def test_an_externally_managed_interpreter_is_found_and_a_venv_is_the_way_on(tmp_path: Path) -> None:
    home = fake_home(tmp_path / "distro", marker=True)
    env = dict(CLEAN, PYTHONHOME=str(home))
    report = doctor(python=BASE_PYTHON, env=env, cwd=str(tmp_path), trace_startup=False)
    (finding,) = findings(report, "externally-managed")
    marker = str(home / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}" / "EXTERNALLY-MANAGED")
    assert finding.path == marker and finding.severity == "warning"
    assert "PEP 668" in finding.message and marker in finding.message
    # the distributor's own words, on one line
    assert "the distributor says: This Python belongs to the workshop's fake distribution." in finding.message
    assert (
        "-m venv .venv" in finding.fix and "pipx install" in finding.fix and "uv tool install" in finding.fix
    )
    assert not report.ok


def test_no_marker_no_finding(tmp_path: Path) -> None:
    home = fake_home(tmp_path / "plain", marker=False)
    report = doctor(python=BASE_PYTHON, env=dict(CLEAN, PYTHONHOME=str(home)), trace_startup=False)
    assert not findings(report, "externally-managed")
    assert "externally-managed" in report.checked


def test_the_command_line_says_it_and_exits_1(tmp_path: Path) -> None:
    import packaging

    import pyenvlab

    home = fake_home(tmp_path / "distro", marker=True)
    # PYTHONHOME hides the site-packages pyenvlab is installed in (unless the tests run in a
    # venv): the command line finds pyenvlab and packaging at the end of its sys.path instead
    found = sorted({str(Path(m.__file__).parent.parent) for m in (pyenvlab, packaging)})
    launch = f"import runpy, sys; sys.path += {found!r}; runpy.run_module('pyenvlab', run_name='__main__')"
    done = subprocess.run(
        [sys.executable, "-c", launch, "doctor", "--python", BASE_PYTHON, "--no-trace", "--width", "200"],
        env=dict(CLEAN, PYTHONHOME=str(home)),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    # PYTHONHOME reaches our own python too: it runs from the same layout, marker and all
    assert done.returncode == 1, done.stderr
    assert "[warning] externally-managed:" in done.stdout


@pytest.mark.skipif(
    not os.path.isfile(DEBIAN_PYTHON)
    or subprocess.run(
        [DEBIAN_PYTHON, "-I", "-c", "import sysconfig, os, sys; "
         "sys.exit(not os.path.isfile(os.path.join(sysconfig.get_path('stdlib'), 'EXTERNALLY-MANAGED')))"],
        check=False,
    ).returncode != 0,
    reason="no externally managed /usr/bin/python3 on this machine",
)  # fmt: skip
def test_debians_python3_is_externally_managed_and_its_venvs_are_not(tmp_path: Path) -> None:
    report = doctor(python=DEBIAN_PYTHON, env=CLEAN, cwd=str(tmp_path), trace_startup=False)
    (finding,) = findings(report, "externally-managed")
    assert finding.path.endswith("/EXTERNALLY-MANAGED") and finding.path.startswith("/usr/lib/python3")
    assert "apt install" in finding.message  # Debian's own text
    venv = tmp_path / "venv"
    subprocess.run([DEBIAN_PYTHON, "-m", "venv", "--without-pip", str(venv)], check=True)
    inside = doctor(python=str(venv / "bin" / "python"), env=CLEAN, cwd=str(tmp_path), trace_startup=False)
    assert not findings(inside, "externally-managed")  # PEP 668: a venv is exempt
