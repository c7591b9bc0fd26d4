"""Copying environments for real: export, recreate offline in a new venv, diff, and a venv copied
to another directory (what breaks, and the check that finds why)."""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from pyenvlab.anatomy import EnvDiff, EnvExport, check_relocatable, diff, export, recreate
from pyenvlab.anatomy.envcopy import read_export
from pyenvlab.errors import PyenvlabError
from pyenvlab.render import anatomy_views

# interpreters asked about their environment run without our PYTHONPATH (if any)
CLEAN = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}


def make_wheel(
    directory: Path, name: str, version: str, requires: list[str] = (), script: bool = False
) -> Path:
    """Build a pure-Python wheel by hand (no build backend, no network): module ``name`` with
    ``VERSION`` and ``main()``, and a console script ``name-hello`` when ``script``."""
    info = f"{name}-{version}.dist-info"
    files = {
        f"{name}.py": f"VERSION = {version!r}\ndef main():\n    import sys\n    print(sys.prefix)\n",
        f"{info}/METADATA": "\n".join(
            [
                "Metadata-Version: 2.1",
                f"Name: {name}",
                f"Version: {version}",
                *[f"Requires-Dist: {r}" for r in requires],
            ]
        )
        + "\n",
        f"{info}/WHEEL": (
            "Wheel-Version: 1.0\nGenerator: pyenvlab-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        ),
    }
    if script:
        files[f"{info}/entry_points.txt"] = f"[console_scripts]\n{name}-hello = {name}:main\n"
    record = []
    for path, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(text.encode())}")
    record.append(f"{info}/RECORD,,")
    wheel = directory / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, text in files.items():
            archive.writestr(path, text)
        archive.writestr(f"{info}/RECORD", "\n".join(record) + "\n")
    return wheel


def pip_install(python: Path, wheels: Path, *names: str) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--no-index",
            "--find-links",
            str(wheels),
            "--disable-pip-version-check",
            "-q",
            *names,
        ],
        check=True,
    )


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("wheels")
    make_wheel(directory, "alpha", "1.0", script=True)
    make_wheel(directory, "alpha", "1.1", script=True)
    make_wheel(directory, "beta", "2.0", ["alpha>=1.0"])
    return directory


@pytest.fixture(scope="module")
def venv_a(tmp_path_factory: pytest.TempPathFactory, wheels: Path) -> Path:
    """A venv (no pip) holding alpha 1.0 and beta 2.0, installed offline from local wheels."""
    root = tmp_path_factory.mktemp("envs") / "a"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root)], check=True)
    pip_install(root / "bin" / "python", wheels, "alpha==1.0", "beta==2.0")
    return root


def test_export_of_a_venv_pins_what_it_holds(venv_a: Path, tmp_path: Path):
    exported = export(python=str(venv_a / "bin" / "python"), env=CLEAN)
    assert [(p.name, p.version) for p in exported.packages] == [("alpha", "1.0"), ("beta", "2.0")]
    assert exported.packages[0].installer == "pip"
    assert (
        exported.python
        == subprocess.run(
            [str(venv_a / "bin" / "python"), "-c", "import platform; print(platform.python_version())"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    assert "alpha==1.0\nbeta==2.0\n" in exported.requirements()
    yml = exported.environment_yml("demo")
    assert "  - pip:\n    - alpha==1.0\n    - beta==2.0\n" in yml
    assert f"  - python={'.'.join(exported.python.split('.')[:2])}\n" in yml
    # all three file forms read back to the same pins
    saved = exported.save(tmp_path / "env.json")
    (tmp_path / "requirements.txt").write_text(exported.requirements())
    (tmp_path / "environment.yml").write_text(yml)
    for name in ("env.json", "requirements.txt", "environment.yml"):
        again = read_export(tmp_path / name)
        assert [(p.name, p.version) for p in again.packages] == [("alpha", "1.0"), ("beta", "2.0")], name
    assert EnvExport.load(saved) == exported


def test_export_of_this_interpreter_matches_importlib_metadata():
    exported = export()
    pins = {p.name: p.version for p in exported.packages}
    assert pins["pytest"] == __import__("importlib.metadata").metadata.version("pytest")
    assert len(pins) > 5


def test_recreate_offline_then_diff(venv_a: Path, wheels: Path, tmp_path: Path):
    exported = export(python=str(venv_a / "bin" / "python"), env=CLEAN)
    new_python = recreate(exported, tmp_path / "b", find_links=[wheels])
    assert (tmp_path / "b" / "pyvenv.cfg").is_file()
    same = diff(venv_a, new_python, env=CLEAN)
    assert same.entries == ()
    assert same.same == 2
    # the recreated environment works: beta's import of its code runs from the new venv
    out = subprocess.run(
        [str(new_python), "-c", "import alpha, sys; print(alpha.VERSION, alpha.__file__)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.startswith("1.0 " + str(tmp_path / "b"))

    # upgrade alpha in the copy: diff names it; an export file on the other side works too
    pip_install(new_python, wheels, "alpha==1.1")
    changed = diff(venv_a / "bin" / "python", tmp_path / "b", env=CLEAN)
    assert [(e.name, e.left, e.right, e.change) for e in changed.entries] == [
        ("alpha", "1.0", "1.1", "changed")
    ]
    requirements = tmp_path / "req.txt"
    requirements.write_text("alpha==1.0\ngamma==3\n")
    against_file = diff(requirements, new_python, env=CLEAN)
    assert {(e.name, e.change) for e in against_file.entries} == {
        ("alpha", "changed"),
        ("beta", "added"),
        ("gamma", "removed"),
    }
    assert EnvDiff.from_json(changed.to_json()) == changed
    text = anatomy_views.text(against_file, width=100, color=False)
    assert "gamma" in text
    assert "1 added, 1 removed, 1 changed" in text


def test_recreate_reports_pip_failure_offline(tmp_path: Path, wheels: Path):
    wanted = EnvExport(
        python="3",
        executable="x",
        platform="y",
        packages=(__import__("pyenvlab.anatomy").anatomy.ExportedPackage("nosuchthing", "9.9"),),
    )
    with pytest.raises(PyenvlabError, match="pip could not recreate"):
        recreate(wanted, tmp_path / "c", find_links=[wheels])


def test_copied_venv_breaks_and_the_check_finds_why(venv_a: Path, tmp_path: Path):
    # a venv of its own (the module-scoped one stays intact), with a console script
    original = tmp_path / "orig"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(original)], check=True)
    wheels = tmp_path / "w"
    wheels.mkdir()
    make_wheel(wheels, "alpha", "1.0", script=True)
    pip_install(original / "bin" / "python", wheels, "alpha")
    copy = tmp_path / "copy"
    shutil.copytree(original, copy, symlinks=True)

    # the copy's interpreter relocates (pyvenv.cfg is found next to it) ...
    prefix = subprocess.run(
        [str(copy / "bin" / "python"), "-c", "import sys; print(sys.prefix)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert prefix == str(copy)
    # ... but its script still runs the ORIGINAL venv's interpreter, through its shebang
    script = copy / "bin" / "alpha-hello"
    assert script.read_text().splitlines()[0] == f"#!{original}/bin/python"
    ran = subprocess.run([str(script)], capture_output=True, text=True, check=True).stdout.strip()
    assert ran == str(original)
    # and once the original is gone, the copied script cannot start at all
    shutil.rmtree(original)
    with pytest.raises(FileNotFoundError):
        subprocess.run([str(script)], capture_output=True, check=False)

    report = check_relocatable(copy)
    assert report.recorded_at == str(original)
    assert not report.relocatable
    kinds = {(i.file, i.kind) for i in report.issues}
    assert ("bin/alpha-hello", "shebang") in kinds
    assert ("bin/activate", "activate") in kinds
    if sys.version_info >= (3, 11):  # pyvenv.cfg records the creating command since 3.11
        assert ("pyvenv.cfg", "pyvenv.cfg") in kinds
    text = anatomy_views.text(report, width=120, color=False)
    assert "alpha-hello" in text
    assert "hard-coded" in text


def test_relocation_check_rejects_a_non_venv(tmp_path: Path):
    with pytest.raises(PyenvlabError, match="not a virtual environment"):
        check_relocatable(tmp_path)


def test_diff_rejects_unknown_side(tmp_path: Path):
    with pytest.raises(PyenvlabError, match="neither an interpreter"):
        diff(tmp_path / "nope", tmp_path / "nope2")


def test_diff_between_two_interpreters_of_this_machine(pyenv_interpreter: str):
    result = diff(sys.executable, pyenv_interpreter)
    if result.left_python == result.right_python:
        pytest.skip("the same interpreter as this one")
    assert result.right_python.startswith(Path(pyenv_interpreter).name.removeprefix("python"))
    # the right-hand versions are what that interpreter's own importlib.metadata reports
    theirs = [e for e in result.entries if e.right][:5]
    code = "import sys, importlib.metadata as m; print(' '.join(m.version(n) for n in sys.argv[1:]))"
    out = subprocess.run(
        [pyenv_interpreter, "-c", code, *[e.name for e in theirs]], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == [e.right for e in theirs]


def test_relocation_check_on_every_interpreter(pyenv_interpreter: str, tmp_path: Path):
    original = tmp_path / "made-here"
    subprocess.run([pyenv_interpreter, "-m", "venv", "--without-pip", str(original)], check=True)
    copy = tmp_path / "copied-there"
    shutil.copytree(original, copy, symlinks=True)
    prefix = subprocess.run(
        [str(copy / "bin" / "python"), "-c", "import sys; print(sys.prefix)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert prefix == str(copy)  # the interpreter itself relocates ...
    report = check_relocatable(copy)
    assert report.recorded_at == str(original)  # ... but activate still names the original
    assert any(i.kind == "activate" and i.file == "bin/activate" for i in report.issues)
    activated = subprocess.run(
        ["bash", "-c", f". {copy}/bin/activate && echo $VIRTUAL_ENV"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert activated == str(original)
