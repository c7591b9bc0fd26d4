"""Notebook 08's pip demos show plain text with the pip a venv starts with and with the newest pip.

The notebook runs pip through :mod:`pyenvlab.demo_envs`. In a Jupyter kernel ipykernel sets
``FORCE_COLOR=1`` (and ``CLICOLOR=1``, ``TERM=xterm-color``); pip 25+ then draws its install
progress bar with terminal escapes, and ``print(result.stdout.strip().splitlines()[-1])`` showed
``\\x1b[?25h\\r\\x1b[1A\\x1b[2KSuccessfully installed ...``. The machine's CI has an older pip, so
nbval alone never saw it: here the same calls run with two pips side by side, the one
``python -m venv`` installs (ensurepip: what ``scripts/bootstrap``'s venv gets) and the newest
one the configured indexes offer (PyPI when it is reachable, else the local indexes).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pyenvlab import demo_envs

#: what ipykernel puts into a kernel's environment (ipykernel/zmqshell.py, init_environment)
KERNEL_ENVIRONMENT = {"FORCE_COLOR": "1", "CLICOLOR": "1", "TERM": "xterm-color"}


def _pip_version(python: Path) -> str:
    done = subprocess.run(
        [str(python), "-m", "pip", "--version"], capture_output=True, text=True, check=True, timeout=120
    )
    return done.stdout.split()[1]


@pytest.fixture(scope="module")
def newest_wheels(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The newest pip and setuptools wheels the configured indexes offer (``pip download``).

    setuptools too: the sdist cell builds with ``--no-build-isolation``, and the setuptools 65
    that ensurepip puts into a 3.11 venv cannot (it has no ``bdist_wheel`` without ``wheel``).
    """
    dest = tmp_path_factory.mktemp("wheels")
    argv = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:", "-d", str(dest)]
    done = subprocess.run(
        [*argv, "pip", "setuptools"], check=False, capture_output=True, text=True, timeout=300
    )
    wheels = {name: sorted(dest.glob(f"{name}-*.whl")) for name in ("pip", "setuptools")}
    if done.returncode != 0 or not all(wheels.values()):
        pytest.skip(f"no pip and setuptools wheels from the configured indexes: {done.stderr.strip()[-200:]}")
    return {name: found[0] for name, found in wheels.items()}


def _install(python: Path, wheel: Path) -> None:
    argv = [
        str(python),
        "-m",
        "pip",
        "install",
        "-q",
        "--no-index",
        "--disable-pip-version-check",
        str(wheel),
    ]
    subprocess.run(argv, check=True, capture_output=True, timeout=300)


@pytest.fixture(scope="module", params=["venv's own pip", "newest pip"])
def pip_python(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, newest_wheels: dict[str, Path]
) -> Path:
    """A fresh venv's python, with the pip ``python -m venv`` gives, or upgraded to the newest."""
    venv = demo_envs.make_venv(tmp_path_factory.mktemp("pipvenv") / "venv", with_pip=True)
    python = venv / "bin" / "python"
    own = _pip_version(python)
    _install(python, newest_wheels["setuptools"])
    if request.param == "newest pip":
        _install(python, newest_wheels["pip"])
        assert _pip_version(python) == newest_wheels["pip"].name.split("-")[1]
    else:
        assert _pip_version(python) == own
    return python


def test_notebook_08s_pip_demos_show_plain_text(
    pip_python: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cells 3-10 of notebook 08, as a kernel runs them: every line pip prints is plain text
    and the lines the notebook shows are pip's "Successfully installed" lines."""
    for name, value in KERNEL_ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    helper = demo_envs.write_project(tmp_path / "src" / "helperlib", "helperlib", "1.2")
    mylib = demo_envs.write_project(
        tmp_path / "src" / "mylib", "mylib", "2.0", requires=["helperlib>=1.0,<2"]
    )
    wheels = tmp_path / "wheels"
    for project in (helper, mylib):
        demo_envs.build_wheel(project, wheels)
    prefix = tmp_path / "my_python_env"

    result = demo_envs.pip_install_prefix(prefix, ["mylib"], wheels, python=pip_python)
    shown = [result.stdout, result.stderr]
    assert result.stdout.strip().splitlines()[-1] == "Successfully installed helperlib-1.2 mylib-2.0"

    downloaded = demo_envs.pip_download(["mylib"], tmp_path / "downloads", wheels, python=pip_python)
    assert sorted(p.name for p in downloaded) == [
        "helperlib-1.2-py3-none-any.whl",
        "mylib-2.0-py3-none-any.whl",
    ]

    tool = demo_envs.write_project(
        tmp_path / "src" / "pymutt", "PyMuTT", "1.0.0", requires=["helperlib>=1.0"]
    )
    sdist = demo_envs.build_sdist(tool, tmp_path / "sdists")
    result = demo_envs.pip_install_prefix(prefix, [str(sdist)], wheels, python=pip_python)
    shown += [result.stdout, result.stderr]
    assert result.stdout.strip().splitlines()[-1] == "Successfully installed PyMuTT-1.0.0 helperlib-1.2"

    escaped = [text for text in shown if "\x1b" in text]
    assert not escaped, f"pip {_pip_version(pip_python)} wrote terminal escapes: {escaped}"
