"""The deps, abi and env commands: output formats, exit statuses, one-line errors."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pyenvlab.anatomy import AbiReport, DepGraph, EnvExport
from pyenvlab.cli import main
from tests.stdlib_extensions import extension_module


def _sibling(name: str):
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"_anatomy_{name}", Path(__file__).with_name(f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_dist = _sibling("test_deps").make_dist
make_wheel = _sibling("test_envcopy").make_wheel
pip_install = _sibling("test_envcopy").pip_install
_patchable_extension = _sibling("test_abi")._patchable_extension


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_deps_text_json_and_check(capsys: pytest.CaptureFixture[str], tmp_path: Path):
    status, out, _ = run(capsys, "deps", "pytest")
    assert status == 0
    assert "pluggy" in out
    status, out, _ = run(capsys, "deps", "packaging", "--reverse", "--format", "json")
    graph = DepGraph.from_json(out)
    assert graph.reverse
    assert "pytest" in {e.parent for e in graph.edges}
    make_dist(tmp_path, "app", "1.0", ["ghost"])
    assert run(capsys, "deps", "app", "--path", str(tmp_path), "--check")[0] == 1
    status, out, _ = run(capsys, "deps", "app", "--path", str(tmp_path), "--format", "dot")
    assert status == 0
    assert "ghost" in out
    assert out.startswith("digraph")


def test_abi_formats_and_check(capsys: pytest.CaptureFixture[str]):
    module = extension_module()  # math, or an extension file where math is built in (Debian)
    status, out, _ = run(capsys, "abi", module, "--format", "json")
    assert status == 0
    assert AbiReport.from_json(out).target == module
    status, out, _ = run(capsys, "abi", module, "--check")
    assert status == 0
    assert "loads here" in out
    status, out, _ = run(capsys, "abi", module, "--format", "html")
    assert "<table" in out


def test_env_export_diff_relocatable_recreate(capsys: pytest.CaptureFixture[str], tmp_path: Path):
    status, out, _ = run(capsys, "env", "export")
    assert status == 0
    assert any(line.startswith("pytest==") for line in out.splitlines())
    status, out, _ = run(capsys, "env", "export", "--format", "yml", "--name", "demo")
    assert out.startswith("name: demo\n")
    status, out, _ = run(capsys, "env", "export", "--format", "json")
    assert EnvExport.from_json(out).packages

    (tmp_path / "a.txt").write_text("alpha==1.0\n")
    (tmp_path / "b.txt").write_text("alpha==1.1\n")
    status, out, _ = run(
        capsys, "env", "diff", str(tmp_path / "a.txt"), str(tmp_path / "b.txt"), "--format", "json"
    )
    assert status == 0
    assert json.loads(out)["entries"] == [{"name": "alpha", "left": "1.0", "right": "1.1"}]

    wheels = tmp_path / "wheels"
    wheels.mkdir()
    make_wheel(wheels, "alpha", "1.0", script=True)
    status, out, _ = run(
        capsys,
        "env",
        "recreate",
        str(tmp_path / "a.txt"),
        str(tmp_path / "venv"),
        "--find-links",
        str(wheels),
    )
    assert status == 0
    assert out.strip() == f"created {tmp_path / 'venv' / 'bin' / 'python'}"
    status, out, _ = run(capsys, "env", "relocatable", str(tmp_path / "venv"))
    assert status == 1  # its script's shebang names the venv's absolute path
    assert "alpha-hello" in out
    assert "shebang" in out


def test_bad_input_is_one_line_and_status_2(tmp_path: Path):
    for argv in (
        ["deps", "no-such-dist-xyz"],
        ["abi", "no_such_module_xyz"],
        ["env", "relocatable", str(tmp_path)],
        ["env", "diff", str(tmp_path / "x"), str(tmp_path / "y")],
    ):
        done = subprocess.run(
            [sys.executable, "-m", "pyenvlab", *argv], capture_output=True, text=True, check=False
        )
        assert done.returncode == 2, argv
        assert "Traceback" not in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr
        assert done.stderr.startswith(f"python -m pyenvlab {argv[0]}: error:")


def test_command_modules_import_nothing_heavy():
    # -S: no site (no .pth side effects, no site-packages); pyenvlab comes from the cwd
    code = (
        "import sys, pyenvlab.cli.deps_command, pyenvlab.cli.abi_command, pyenvlab.cli.env_command; "
        "heavy = ('pyenvlab.anatomy', 'packaging', 'graphviz', 'rattler'); "
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-S", "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parent.parent,
    ).stdout
    assert out.strip() == "[]"


@pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc")
def test_abi_check_fails_for_a_copy_needing_glibc_2_99(capsys: pytest.CaptureFixture[str], tmp_path: Path):
    from pyenvlab.anatomy.elf import rewrite_version_need

    source, version = _patchable_extension()
    copy = tmp_path / Path(source).name
    shutil.copy2(source, copy)
    rewrite_version_need(copy, version, "GLIBC_2.99")
    status, out, _ = run(capsys, "abi", str(copy), "--check", "--format", "text")
    assert status == 1
    assert "GLIBC_2.99" in out
    assert "will NOT load" in out


def test_pip_install_helper_is_offline(tmp_path: Path):
    # the helpers shared with test_envcopy never reach an index: a missing wheel fails fast
    venv = tmp_path / "v"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    with pytest.raises(subprocess.CalledProcessError):
        pip_install(venv / "bin" / "python", tmp_path, "definitely-not-here")


def test_env_conda(capsys: pytest.CaptureFixture[str], tmp_path: Path):
    (tmp_path / "conda-meta").mkdir()
    record = {
        "name": "openssl",
        "version": "3.3.1",
        "build": "h4bc722e_2",
        "build_number": 2,
        "channel": "https://conda.anaconda.org/conda-forge/linux-64",
        "subdir": "linux-64",
        "depends": ["ca-certificates"],
        "files": ["lib/libssl.so.3", "lib/libcrypto.so.3", "bin/openssl"],
    }
    (tmp_path / "conda-meta" / "openssl-3.3.1-h4bc722e_2.json").write_text(json.dumps(record))
    status, out, _ = run(capsys, "env", "conda", str(tmp_path))
    assert status == 0
    assert "openssl" in out
    assert "conda-forge" in out
    assert "libssl.so.3" in out
    assert run(capsys, "env", "conda", str(tmp_path / "nothing"))[0] == 2
