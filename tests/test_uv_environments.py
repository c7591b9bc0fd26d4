"""Environments made by uv, for real and offline: startup, doctor and env export recognise them.

uv comes from PyPI (the binary is inside its wheel; ``pyenvlab[workshop]`` installs it). Every
venv here is made by the real ``uv venv`` and filled by ``uv pip install --offline
--find-links`` from wheels built in the test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pyenvlab import demo_envs, render
from pyenvlab.anatomy import envcopy
from pyenvlab.interpreter import startup
from pyenvlab.interpreter.doctor import doctor
from pyenvlab.interpreter.venv_config import made_by, parse_pyvenv_cfg
from pyenvlab.render import startup_views

REPO = Path(__file__).resolve().parents[1]
# interpreters asked about their environment run without our PYTHONPATH (if any)
CLEAN = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}


def uv_binary() -> str:
    from uv import find_uv_bin  # the uv wheel from PyPI (pyenvlab[workshop])

    return find_uv_bin()


def uv(*args: str, cwd: Path, cache: Path) -> subprocess.CompletedProcess:
    env = dict(CLEAN, UV_CACHE_DIR=str(cache), UV_NO_CONFIG="1", UV_PYTHON_DOWNLOADS="never", NO_COLOR="1")
    done = subprocess.run(
        [uv_binary(), *args], cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return done


def uv_version() -> str:
    out = subprocess.run([uv_binary(), "--version"], capture_output=True, text=True, check=True).stdout
    return out.split()[1]  # "uv 0.13.9 (x86_64-unknown-linux-gnu)"


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Wheels, a uv venv with them installed, a relocatable uv venv, and a stdlib venv."""
    root = tmp_path_factory.mktemp("uv")
    cache, wheels = root / "cache", root / "wheels"
    demo_envs.build_wheel(demo_envs.write_project(root / "src" / "helperlib", "helperlib", "1.2"), wheels)
    demo_envs.build_wheel(
        demo_envs.write_project(root / "src" / "mylib", "mylib", "2.0", requires=["helperlib>=1.0"]), wheels
    )
    uv("venv", "--offline", "--python", sys.executable, "env", cwd=root, cache=cache)
    python = root / "env" / "bin" / "python"
    uv(
        "pip", "install", "--offline", "--no-index", "--find-links", str(wheels),
        "--python", str(python), "mylib", cwd=root, cache=cache,
    )  # fmt: skip
    uv("venv", "--offline", "--relocatable", "--python", sys.executable, "moving", cwd=root, cache=cache)
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root / "plain")], check=True)
    return {"root": root, "cache": cache, "wheels": wheels, "env": root / "env", "python": python}


def test_a_uv_venv_is_what_the_lesson_says(made: dict[str, Path]) -> None:
    """The facts the notebook teaches, checked on the real tool: ``uv =`` and ``version_info``
    in pyvenv.cfg, no pip, and INSTALLER = uv."""
    config = parse_pyvenv_cfg((made["env"] / "pyvenv.cfg").read_text())
    assert config["uv"] == uv_version()
    assert config["version_info"].startswith(f"{sys.version_info[0]}.{sys.version_info[1]}.")
    site = next((made["env"] / "lib").glob("python*/site-packages"))
    assert not list(site.glob("pip*"))
    assert (site / "mylib-2.0.dist-info" / "INSTALLER").read_text().strip() == "uv"


def test_startup_says_the_venv_was_made_by_uv(made: dict[str, Path]) -> None:
    trace = startup(str(made["python"]), env=CLEAN, cwd=made["root"])
    assert trace.verified
    assert trace.venv == str(made["env"] / "pyvenv.cfg")
    assert trace.venv_made_by == f"uv {uv_version()}"
    assert trace.venv_relocatable is False
    sentence = startup_views.venv_maker_sentence(trace)
    assert sentence in trace.explanation
    assert f"made by uv {uv_version()}" in sentence and "no pip" in sentence
    assert f"uv pip install --python {made['python']}" in sentence
    text = render.text(trace, width=250, color=False)
    assert f"{made['env'] / 'pyvenv.cfg'} (made by uv {uv_version()})" in text
    assert "made by uv" in render.html(trace)
    again = type(trace).from_json(trace.to_json())
    assert again.venv_made_by == trace.venv_made_by


def test_startup_of_a_relocatable_uv_venv_and_of_a_stdlib_venv(made: dict[str, Path]) -> None:
    moving = startup(str(made["root"] / "moving" / "bin" / "python"), env=CLEAN, cwd=made["root"])
    assert moving.venv_relocatable is True and moving.venv_made_by == f"uv {uv_version()}"
    assert "relocatable" in startup_views.venv_maker_sentence(moving)
    assert "(made by uv" in render.text(moving, width=250, color=False)
    assert "; relocatable)" in render.text(moving, width=250, color=False)
    plain = startup(str(made["root"] / "plain" / "bin" / "python"), env=CLEAN, cwd=made["root"])
    assert plain.venv_made_by == "venv" and plain.venv_relocatable is False
    outside = startup(sys.executable if sys.prefix == sys.base_prefix else sys._base_executable, env=CLEAN)
    assert outside.venv is None and outside.venv_made_by is None
    assert startup_views.venv_maker_sentence(outside) is None


def test_made_by_reads_each_tools_signature() -> None:
    assert made_by(parse_pyvenv_cfg("home = /x\nvirtualenv = 20.26.6\nversion_info = 3.12.1.final.0\n")) == (
        "virtualenv 20.26.6"
    )
    assert made_by(parse_pyvenv_cfg("Home = /x\nUV = 0.13.9\n")) == "uv 0.13.9"  # keys are case-blind
    assert made_by(parse_pyvenv_cfg("home = /x\ninclude-system-site-packages = false\n")) is None
    assert made_by(parse_pyvenv_cfg("not a pair\n= value\n")) is None


def test_doctor_of_a_uv_venv_says_it_has_no_pip_and_to_use_uv_pip(made: dict[str, Path]) -> None:
    report = doctor(python=str(made["python"]), env=CLEAN, cwd=str(made["root"]), trace_startup=False)
    assert report.executable == str(made["python"])
    (finding,) = [f for f in report.findings if f.rule == "no-pip"]
    assert finding.severity == "info"
    assert f"made by uv {uv_version()}" in finding.message
    assert f"uv pip install --python {made['python']}" in finding.fix
    assert "no-pip" in report.checked and "externally-managed" in report.checked


def test_doctor_of_a_venv_with_pip_says_nothing_about_pip(tmp_path: Path) -> None:
    """No false alarm: a venv with pip (pip's own files, as ensurepip puts them) has none."""
    venv = demo_envs.make_venv(tmp_path / "withpip", with_pip=True)
    report = doctor(python=str(venv / "bin" / "python"), env=CLEAN, cwd=str(tmp_path), trace_startup=False)
    assert not [f for f in report.findings if f.rule == "no-pip"]
    plain = demo_envs.make_venv(tmp_path / "nopip")
    report = doctor(python=str(plain / "bin" / "python"), env=CLEAN, cwd=str(tmp_path), trace_startup=False)
    (finding,) = [f for f in report.findings if f.rule == "no-pip"]
    assert "ensurepip" in finding.fix and "uv" not in finding.message


def test_doctor_command_examines_another_interpreter(made: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    done = subprocess.run(
        [sys.executable, "-m", "pyenvlab", "doctor", "--python", str(made["python"]), "--json", str(out)],
        cwd=made["root"],
        env=CLEAN,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "no pip in this environment: it was made by uv" in done.stdout
    assert json.loads(out.read_text())["executable"] == str(made["python"])
    missing = subprocess.run(
        [sys.executable, "-m", "pyenvlab", "doctor", "--python", str(tmp_path / "nothing")],
        env=CLEAN,
        capture_output=True,
        text=True,
        check=False,
    )
    assert missing.returncode == 2 and len(missing.stderr.strip().splitlines()) == 1, missing.stderr


def test_env_export_names_uv_as_installer_and_maker(made: dict[str, Path]) -> None:
    exported = envcopy.export(str(made["python"]), env=CLEAN)
    assert {p.name: p.installer for p in exported.packages} == {"helperlib": "uv", "mylib": "uv"}
    assert exported.made_by == f"uv {uv_version()}"
    assert exported.requirements().splitlines()[0].endswith(f"; a venv made by uv {uv_version()})")
    text = render.text(exported, width=120, color=False)
    assert f"a venv made by uv {uv_version()}" in text
    assert f"a venv made by uv {uv_version()}" in render.html(exported)
    assert type(exported).from_json(exported.to_json()) == exported


def test_uv_run_script_environment_is_recognised(made: dict[str, Path]) -> None:
    """``uv run --script`` (PEP 723 inline metadata) builds its venv in the cache's
    ``environments-v2``; pyenvlab sees it as a uv venv like any other."""
    script = made["root"] / "hello.py"
    script.write_text(
        '# /// script\n# dependencies = ["mylib>=2"]\n# ///\nimport sys, mylib\nprint(sys.executable)\n'
    )
    done = uv(
        "run", "--offline", "--no-index", "--find-links", str(made["wheels"]),
        "--python", sys.executable, "--script", str(script), cwd=made["root"], cache=made["cache"],
    )  # fmt: skip
    python = Path(done.stdout.strip())
    assert python.parent.parent.parent == made["cache"] / "environments-v2"
    trace = startup(str(python), env=CLEAN, cwd=made["root"])
    assert trace.venv_made_by == f"uv {uv_version()}"
    assert {p.name for p in envcopy.export(str(python), env=CLEAN).packages} == {"helperlib", "mylib"}
