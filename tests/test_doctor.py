"""``python -m pyenvlab doctor``: every rule against a broken situation built for real.

Each test runs the real command in a subprocess (the way a user does), with the working
directory, environment and interpreter of the situation, and reads the findings from --json.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pyenvlab.interpreter import DoctorReport
from pyenvlab.interpreter.doctor import doctor

VERSION = f"{sys.version_info[0]}.{sys.version_info[1]}"
REPO = Path(__file__).resolve().parent.parent


#: the base installation's interpreter, also when the tests run in a venv
BASE_PYTHON = os.path.realpath(getattr(sys, "_base_executable", sys.executable))


def run_doctor(tmp_path: Path, *, python: str = sys.executable, cwd: Path | None = None, env=None, args=()):
    out = tmp_path / f"doctor-{len(list(tmp_path.glob('doctor-*')))}.json"
    done = subprocess.run(
        [python, *args, "-m", "pyenvlab", "doctor", "--json", str(out)],
        cwd=cwd or tmp_path,
        env=dict(os.environ if env is None else env),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr
    # site's own .pth error reports are indented; a traceback of pyenvlab itself is not
    assert not any(line.startswith("Traceback") for line in done.stderr.splitlines()), done.stderr
    return DoctorReport.load(out), done


def rules(report: DoctorReport, rule: str):
    return [f for f in report.findings if f.rule == rule]


def venv_seeing_us(path: Path) -> Path:
    """A venv that sees the pyenvlab under test and its dependencies: a ``.pth`` of path lines
    names this checkout and the site-packages of the interpreter running the tests.

    (``--system-site-packages`` would show the *base* installation's site-packages: when the
    tests run in a venv, as the quick start does, pyenvlab is not there, or an older copy is.)"""
    import sysconfig

    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True)
    lines = [str(REPO), sysconfig.get_path("purelib"), sysconfig.get_path("platlib")]
    site = path / "lib" / f"python{VERSION}" / "site-packages"
    (site / "pyenvlab-under-test.pth").write_text("".join(f"{line}\n" for line in dict.fromkeys(lines)))
    return path


@pytest.fixture(scope="module")
def site_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv that sees the pyenvlab under test."""
    return venv_seeing_us(tmp_path_factory.mktemp("doctor") / "venv")


def test_cwd_with_random_and_email_does_not_break_doctor(tmp_path: Path) -> None:
    (tmp_path / "random.py").write_text("raise SystemExit('the shadowing random.py ran')\n")
    (tmp_path / "email").mkdir()
    (tmp_path / "email" / "__init__.py").write_text("raise SystemExit('the shadowing email ran')\n")
    report, done = run_doctor(tmp_path)
    assert "shadowing" not in done.stderr
    found = {Path(f.path or "").name: f for f in rules(report, "shadowing")}
    assert found["random.py"].severity == "error"
    assert "standard library module 'random'" in found["random.py"].message
    assert found["email"].severity == "error"
    assert found["random.py"].fix.startswith("rename random.py")
    assert report.cwd == str(tmp_path)
    assert done.returncode == 1


def test_namespace_directory_does_not_shadow(tmp_path: Path) -> None:
    (tmp_path / "json").mkdir()  # no __init__.py: a namespace portion, the stdlib package still wins
    report, _ = run_doctor(tmp_path)
    assert not rules(report, "shadowing")


def test_pythonpath_module_shadows_an_installed_one(tmp_path: Path) -> None:
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "pytest.py").write_text("")
    report, _ = run_doctor(tmp_path, env=dict(os.environ, PYTHONPATH=str(extra)), args=("-s",))
    found = [f for f in rules(report, "shadowing") if f.path == str(extra / "pytest.py")]
    assert found
    assert "PYTHONPATH" in found[0].message
    assert "site-packages" in found[0].message


def test_missing_entry_on_pythonpath(tmp_path: Path) -> None:
    missing = tmp_path / "not-there"
    report, _ = run_doctor(tmp_path, env=dict(os.environ, PYTHONPATH=str(missing)))
    found = [f for f in rules(report, "missing-entry") if f.path == str(missing)]
    assert len(found) == 1
    assert found[0].severity == "warning"
    assert all(f.severity == "info" for f in rules(report, "missing-entry") if f.path.endswith(".zip"))


def test_pythonpath_leaking_into_a_venv(site_venv: Path, tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(tmp_path))
    report, _ = run_doctor(tmp_path, python=str(site_venv / "bin" / "python"), env=env)
    assert rules(report, "pythonpath-in-venv")
    clean, _ = run_doctor(
        tmp_path,
        python=str(site_venv / "bin" / "python"),
        env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
    )
    assert not rules(clean, "pythonpath-in-venv")


def test_failing_pth_line(tmp_path: Path) -> None:
    venv = venv_seeing_us(tmp_path / "venv")
    pth = venv / "lib" / f"python{VERSION}" / "site-packages" / "broken.pth"
    pth.write_text("# fine\nimport no_such_module_for_doctor\n")
    report, _ = run_doctor(tmp_path, python=str(venv / "bin" / "python"))
    found = rules(report, "pth-error")
    assert len(found) == 1  # processed twice on 3.11-3.13, reported once
    assert found[0].path == str(pth)
    assert "line 2" in found[0].message
    assert "No module named 'no_such_module_for_doctor'" in found[0].message


def test_user_site_ahead_of_a_conda_like_environment(tmp_path: Path) -> None:
    # run by the base interpreter: a venv's python would find its own pyvenv.cfg first
    # a prefix that is not a venv and has conda-meta/: a conda environment, as site sees one
    home = tmp_path / "conda-env"
    (home / "conda-meta").mkdir(parents=True)
    lib = home / "lib" / f"python{VERSION}"
    (lib / "site-packages").mkdir(parents=True)
    base_lib = Path(sys.base_prefix) / "lib" / f"python{VERSION}"
    for item in base_lib.iterdir():
        if item.name != "site-packages":
            (lib / item.name).symlink_to(item)
    (lib / "site-packages" / "pyenvlab-src.pth").write_text(f"{REPO}\n")
    userbase = tmp_path / "userbase"
    (userbase / "lib" / f"python{VERSION}" / "site-packages").mkdir(parents=True)
    env = dict(os.environ, PYTHONHOME=str(home), PYTHONUSERBASE=str(userbase))
    report, _ = run_doctor(tmp_path, env=env, python=BASE_PYTHON)
    found = rules(report, "user-site-first")
    assert len(found) == 1
    assert "conda environment" in found[0].message
    assert found[0].path == str(userbase / "lib" / f"python{VERSION}" / "site-packages")
    # with -s the user site is gone and so is the finding
    report, _ = run_doctor(tmp_path, env=env, args=("-s",), python=BASE_PYTHON)
    assert not rules(report, "user-site-first")


def test_pip_on_path_belongs_to_another_interpreter(site_venv: Path, tmp_path: Path) -> None:
    # `python` on PATH is the venv's; an older `pip` script ahead of it runs the base interpreter
    bindir = tmp_path / "bin"
    bindir.mkdir()
    pip = bindir / "pip"
    pip.write_text(
        f"#!{sys.executable}\nimport sys\nfrom pip._internal.cli.main import main\nsys.exit(main())\n"
    )
    pip.chmod(0o755)
    env = dict(os.environ, PATH=os.pathsep.join([str(bindir), str(site_venv / "bin"), os.environ["PATH"]]))
    report, _ = run_doctor(tmp_path, env=env)
    found = rules(report, "pip-mismatch")
    assert len(found) == 1
    assert str(site_venv) in found[0].message
    assert "python -m pip" in found[0].fix
    # a pip that runs the same interpreter as python: no finding
    pip.write_text(f"#!{site_venv / 'bin' / 'python'}\n")
    report, _ = run_doctor(tmp_path, env=env)
    assert not rules(report, "pip-mismatch")


def test_venv_whose_base_is_gone(tmp_path: Path) -> None:
    # a small base installation of our own: a copy of the interpreter binary and the stdlib
    base = tmp_path / "base"
    (base / "bin").mkdir(parents=True)
    (base / "lib").mkdir()
    exe = base / "bin" / f"python{VERSION}"
    shutil.copy2(os.path.realpath(sys.executable), exe)
    (base / "lib" / f"python{VERSION}").symlink_to(Path(sys.base_prefix) / "lib" / f"python{VERSION}")
    project = tmp_path / "project"
    project.mkdir()
    subprocess.run([str(exe), "-m", "venv", "--without-pip", str(project / ".venv")], check=True)
    assert (project / ".venv" / "pyvenv.cfg").read_text().count(str(base / "bin")) >= 1
    assert (
        subprocess.run([str(project / ".venv" / "bin" / "python"), "-c", "pass"], check=False).returncode == 0
    )
    shutil.rmtree(base)
    with pytest.raises(FileNotFoundError):  # really broken: its python is a dangling link
        subprocess.run([str(project / ".venv" / "bin" / "python"), "-c", "pass"], check=False)
    report, _ = run_doctor(tmp_path, cwd=project)
    found = rules(report, "venv-base-gone")
    assert len(found) == 1
    assert found[0].path == str(project / ".venv")
    assert "recreate" in found[0].fix


def test_doctor_function_in_process_is_pure_data(tmp_path: Path) -> None:
    (tmp_path / "random.py").write_text("")
    report = doctor(
        [str(tmp_path), *sys.path[1:]],
        env={"PATH": os.environ["PATH"]},
        cwd=str(tmp_path),
        trace_startup=False,
    )
    assert [f.path for f in rules(report, "shadowing")] == [str(tmp_path / "random.py")]
    assert DoctorReport.from_json(report.to_json()) == report
    assert "pth-error" not in report.checked


def test_isolated_mode_has_no_cwd_entry_to_blame(tmp_path: Path) -> None:
    (tmp_path / "random.py").write_text("raise SystemExit('the shadowing random.py ran')\n")
    report, _ = run_doctor(tmp_path, args=("-I",))
    assert not rules(report, "shadowing")
