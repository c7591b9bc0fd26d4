"""The demo environments are real: pip installs the locally built wheels, du agrees, venvs link."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from pyenvlab import demo_envs
from pyenvlab.errors import PyenvlabError
from pyenvlab.interpreter import VenvReport, startup

VERSION = f"{sys.version_info[0]}.{sys.version_info[1]}"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("demo")
    a = demo_envs.write_project(root / "src-a", "demo-a", "1.0")
    b = demo_envs.write_project(
        root / "src-b",
        "demo-b",
        "2.0",
        requires=["demo-a>=1"],
        modules={"__init__.py": "from demo_a import __version__ as A\n"},
    )
    wheels = root / "wheels"
    return {
        "root": root,
        "a": a,
        "wheel_a": demo_envs.build_wheel(a, wheels),
        "wheel_b": demo_envs.build_wheel(b, wheels),
        "wheels": wheels,
    }


def test_wheel_is_a_valid_zip_with_dist_info(built: dict[str, Path]) -> None:
    with zipfile.ZipFile(built["wheel_b"]) as archive:
        names = set(archive.namelist())
        metadata = archive.read("demo_b-2.0.dist-info/METADATA").decode()
    assert {"demo_b/__init__.py", "demo_b-2.0.dist-info/WHEEL", "demo_b-2.0.dist-info/RECORD"} <= names
    assert "Requires-Dist: demo-a>=1" in metadata


def test_prefix_install_and_import_through_pythonpath(built: dict[str, Path]) -> None:
    prefix = demo_envs.make_prefix(built["root"] / "prefix")
    site = prefix / "lib" / f"python{VERSION}" / "site-packages"
    assert (prefix / "bin").is_dir()
    assert site.is_dir()
    done = demo_envs.pip_install_prefix(prefix, ["demo-b"], built["wheels"])
    assert "--ignore-installed" in done.args
    assert "--no-index" in done.args
    assert (site / "demo_a" / "__init__.py").is_file()  # the dependency came from the local wheels
    assert (site / "demo_b-2.0.dist-info").is_dir()
    env = demo_envs.prefix_env(prefix)
    out = subprocess.run(
        [sys.executable, "-c", "import demo_b, sys; print(demo_b.A, demo_b.__file__)"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=built["root"],
    ).stdout.split()
    assert out == ["1.0", str(site / "demo_b" / "__init__.py")]
    # the startup tracer attributes that entry to PYTHONPATH
    trace = startup(env=env, cwd=built["root"], flags=["-s"])
    assert trace.verified
    assert any(e.path == str(site) and e.source == "PYTHONPATH" for e in trace.sys_path)


def test_pip_download_wheels_and_sdist(built: dict[str, Path]) -> None:
    saved = demo_envs.pip_download(["demo-b"], built["root"] / "dl", built["wheels"])
    assert sorted(p.name for p in saved) == ["demo_a-1.0-py3-none-any.whl", "demo_b-2.0-py3-none-any.whl"]
    sdist = demo_envs.build_sdist(built["a"], built["root"] / "sdists")
    # setuptools >= 69.3 normalises the file name (PEP 625): demo_a; older ones keep demo-a
    assert sdist.name in {"demo-a-1.0.tar.gz", "demo_a-1.0.tar.gz"}
    with tarfile.open(sdist) as archive:
        assert f"{sdist.name.removesuffix('.tar.gz')}/PKG-INFO" in archive.getnames()
    saved = demo_envs.pip_download(["demo-a"], built["root"] / "dl-sdist", sdist.parent)
    assert [p.name for p in saved] == [sdist.name]


def test_pip_failure_is_a_readable_error(built: dict[str, Path]) -> None:
    with pytest.raises(PyenvlabError, match="failed"):
        demo_envs.pip_install_prefix(built["root"] / "p2", ["no-such-dist"], built["wheels"])


def test_venv_report_matches_du_and_links(tmp_path: Path) -> None:
    venv = demo_envs.make_venv(tmp_path / "venv")
    report = demo_envs.venv_report(venv)
    assert report.config["home"] == str(Path(sys.base_prefix) / "bin")
    assert report.include_system_site_packages is False
    python = next(f for f in report.files if f.name == "python")
    assert python.kind == "symlink"
    assert python.points_to_base
    assert report.site_packages == (str(venv / "lib" / f"python{VERSION}" / "site-packages"),)
    du = shutil.which("du")
    if du:
        real = int(
            subprocess.run([du, "-sk", str(venv)], capture_output=True, text=True, check=True).stdout.split()[
                0
            ]
        )
        assert report.size_kib == real
    assert report.base_size_kib > 100 * report.size_kib
    assert VenvReport.from_json(report.to_json()) == report


def test_copies_venv_has_no_links_into_base(tmp_path: Path) -> None:
    venv = demo_envs.make_venv(tmp_path / "copies", copies=True, system_site_packages=True)
    report = demo_envs.venv_report(venv, measure_base=False)
    assert not any(f.points_to_base for f in report.files if f.name.startswith("python"))
    assert report.include_system_site_packages is True
    assert report.base_size_kib == 0


def test_not_a_venv(tmp_path: Path) -> None:
    with pytest.raises(PyenvlabError, match="not a virtual environment"):
        demo_envs.venv_report(tmp_path)
