"""``python -m pyenvlab lite OUTDIR``: what it builds, what it refuses, what it never leaves.

The site itself comes from the ``lite_site`` fixture (conftest.py: the real command, once per
session); its browser side is tests/test_lite_site.py. Here: the folder's contents, bad input
(one line, exit status 2, nothing changed), atomic replacement, the cache, the pins.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from pyenvlab import cli
from pyenvlab.lite import pins, pyodide_dist
from pyenvlab.lite import site as lite_site_module
from pyenvlab.lite.pyodide_dist import LiteBuildError

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


def _run_cli(capsys, *args: str) -> tuple[int, str, str]:
    status = cli.main(["lite", *args])
    out, err = capsys.readouterr()
    return status, out, err


def _one_line_error(err: str) -> str:
    lines = [line for line in err.splitlines() if not line.startswith("lite: ")]
    assert len(lines) == 1, err
    assert lines[0].startswith("python -m pyenvlab lite: error: "), lines[0]
    assert "Traceback" not in err
    return lines[0]


def _no_leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if ".building-" in p.name or ".probe-" in p.name]


# -- the built site ----------------------------------------------------------------------------


def test_the_command_says_how_big_the_site_is_and_how_to_serve_it(lite_site) -> None:
    out = lite_site.stdout
    assert f"python -m http.server -d {lite_site.path} 8000" in out
    size = float(out.split(" MB in ")[0].rsplit(None, 1)[-1])
    files = int(out.split(" MB in ")[1].split()[0])
    real = sum(p.stat().st_size for p in lite_site.path.rglob("*") if p.is_file())
    assert abs(size - real / 1e6) < 0.1 and files == sum(1 for p in lite_site.path.rglob("*") if p.is_file())
    assert 20 < size < 80  # JupyterLab ~20 MB, Pyodide ~13 MB, wheels ~5 MB
    assert _no_leftovers(lite_site.path.parent) == []


def test_the_site_holds_what_the_kernel_needs_and_nothing_remote(lite_site) -> None:
    root = lite_site.path
    config = json.loads((root / "jupyter-lite.json").read_text())["jupyter-config-data"]
    kernel = config["litePluginSettings"]["@jupyterlite/pyodide-kernel-extension:kernel"]
    assert kernel["pyodideUrl"] == "./static/pyodide/pyodide.mjs"
    assert kernel["disablePyPIFallback"] is True
    assert kernel["loadPyodideOptions"]["packages"] == list(lite_site_module.PRELOADED)
    assert all(url.startswith("./") for url in kernel["pipliteUrls"])
    names = sorted(e["name"] for e in config["federated_extensions"])  # exactly these two
    assert names == ["@jupyter-widgets/jupyterlab-manager", "@jupyterlite/pyodide-kernel-extension"]
    assert config["settingsOverrides"]["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"

    pyodide = root / "static" / "pyodide"
    lock = json.loads((pyodide / "pyodide-lock.json").read_text())
    assert lock["info"]["python"] == pins.PYODIDE_PYTHON
    keys = {pyodide_dist.canonical(key) for key in lock["packages"]}
    for key, entry in lock["packages"].items():  # every package is there, with the lock's hash
        wheel = pyodide / entry["file_name"]
        assert wheel.is_file(), key
        assert pyodide_dist._sha256(wheel) == entry["sha256"], key
        for dependency in entry["depends"]:  # Pyodide compares names normalised
            assert pyodide_dist.canonical(dependency) in keys, (key, dependency)
    assert set(lite_site_module.PRELOADED) <= set(lock["packages"])
    assert lock["packages"]["pyenvlab"]["depends"] == ["graphviz", "ipywidgets", "packaging"]
    assert lock["packages"]["ipywidgets"]["depends"] == ["comm", "ipython", "traitlets"]

    with zipfile.ZipFile(pyodide / lock["packages"]["pyenvlab"]["file_name"]) as archive:
        inside = set(archive.namelist())
        info = json.loads(archive.read("pyenvlab/lite/site.json"))
        bundle = archive.read("pyenvlab/render/wasm/graphviz.mjs")
        licence = archive.read("pyenvlab/render/wasm/LICENSE-hpcc-js-wasm.txt").decode()
    assert "pyenvlab/lite/inbrowser.py" in inside and "pyenvlab/render/_wasm_graphviz.py" in inside
    assert b"Graphviz" in bundle and len(bundle) > 500_000
    assert "Apache License" in licence
    assert info["binder"] is None and info["pyodide"] == pins.PYODIDE
    assert info["browser_notebooks"] == lite_site_module.browser_notebooks(NOTEBOOKS)
    assert sorted(p.name for p in (root / "files").glob("*.ipynb")) == [p.name for p in NOTEBOOKS]
    assert not list(root.rglob("*.map")), "source maps are left out (--no-sourcemaps)"


def test_the_bundle_stays_out_of_git() -> None:
    ignored = (REPO / ".gitignore").read_text().splitlines()
    assert "/pyenvlab/render/wasm/" in ignored and "/pyenvlab/lite/site.json" in ignored
    assert not (REPO / "pyenvlab" / "render" / "wasm").exists()


# -- bad input: one line, exit status 2, nothing changed -------------------------------------


def test_an_outdir_that_is_a_file_is_refused(tmp_path, capsys) -> None:
    target = tmp_path / "site"
    target.write_text("mine")
    status, out, err = _run_cli(capsys, str(target))
    assert status == 2 and out == ""
    assert "exists and is not a folder" in _one_line_error(err)
    assert target.read_text() == "mine"


def test_a_folder_that_is_not_a_site_is_never_replaced(tmp_path, capsys) -> None:
    target = tmp_path / "notes"
    target.mkdir()
    (target / "thesis.tex").write_text("years of work")
    status, _, err = _run_cli(capsys, str(target))
    assert status == 2 and "not empty and not a JupyterLite site" in _one_line_error(err)
    assert [p.name for p in target.iterdir()] == ["thesis.tex"]


def test_an_unwritable_place_is_refused(capsys) -> None:
    status, _, err = _run_cli(capsys, "/proc/1/pyenvlab-site")  # not even root may write there
    assert status == 2 and "cannot write in /proc/1" in _one_line_error(err)


def test_a_bad_binder_address_is_refused(tmp_path, capsys) -> None:
    status, _, err = _run_cli(capsys, str(tmp_path / "site"), "--binder", "mybinder.org/v2/gh/o/r")
    assert status == 2 and "--binder wants an http(s) address" in _one_line_error(err)


def test_missing_build_tools_are_named_with_the_extra(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.setitem(__import__("sys").modules, "jupyterlite_core", None)  # as if not installed
    status, _, err = _run_cli(capsys, str(tmp_path / "site"))
    line = _one_line_error(err)
    assert status == 2 and "jupyterlite_core" in line and "pip install 'pyenvlab[lite]'" in line
    assert list(tmp_path.iterdir()) == []


def test_without_npm_and_an_empty_cache_one_line_says_what_to_install(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("PYENVLAB_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    status, _, err = _run_cli(capsys, str(tmp_path / "site"))
    assert status == 2 and "apt-get install nodejs npm" in _one_line_error(err)
    assert not (tmp_path / "site").exists() and _no_leftovers(tmp_path) == []  # no site, no half site


# -- atomic output ---------------------------------------------------------------------------


def _fake_site(folder: Path, marker: str) -> None:
    folder.mkdir()
    (folder / "jupyter-lite.json").write_text("{}")
    (folder / marker).write_text(marker)


def test_a_failing_build_leaves_the_previous_site_whole(lite_site, tmp_path, capsys, monkeypatch) -> None:
    target = tmp_path / "site"
    _fake_site(target, "old-marker")
    real_run = lite_site_module._run

    def failing(command, *, what, cwd, timeout=900):
        if what == "jupyter lite build":
            (cwd.parent / "site").mkdir()  # half a site in the temporary folder
            (cwd.parent / "site" / "index.html").write_text("half")
            raise LiteBuildError("jupyter lite build failed: simulated")
        return real_run(command, what=what, cwd=cwd, timeout=timeout)

    monkeypatch.setattr(lite_site_module, "_run", failing)
    status, _, err = _run_cli(capsys, str(target))
    assert status == 2 and "simulated" in _one_line_error(err)
    assert sorted(p.name for p in target.iterdir()) == ["jupyter-lite.json", "old-marker"]
    assert _no_leftovers(tmp_path) == []


def test_a_rebuild_replaces_the_old_site_whole(lite_site, tmp_path, capsys, monkeypatch) -> None:
    """The new site is renamed into place; nothing of the old one survives (the lite build
    itself is replaced by a copy of the session's site, to keep this test fast)."""
    target = tmp_path / "site"
    _fake_site(target, "old-marker")
    real_run = lite_site_module._run

    def copying(command, *, what, cwd, timeout=900):
        if what == "jupyter lite build":
            shutil.copytree(lite_site.path, cwd.parent / "site")
            return None
        return real_run(command, what=what, cwd=cwd, timeout=timeout)

    monkeypatch.setattr(lite_site_module, "_run", copying)
    status, out, _ = _run_cli(
        capsys, str(target), "--binder", "https://mybinder.org/v2/gh/o/r/HEAD", "--quiet"
    )
    assert status == 0 and "built the workshop" in out
    assert not (target / "old-marker").exists() and (target / "static" / "pyodide" / "pyodide.mjs").is_file()
    lock = json.loads((target / "static" / "pyodide" / "pyodide-lock.json").read_text())
    with zipfile.ZipFile(
        target / "static" / "pyodide" / lock["packages"]["pyenvlab"]["file_name"]
    ) as archive:
        assert (
            json.loads(archive.read("pyenvlab/lite/site.json"))["binder"]
            == "https://mybinder.org/v2/gh/o/r/HEAD"
        )
    assert _no_leftovers(tmp_path) == []


# -- the cache and the pins ------------------------------------------------------------------


def test_a_second_build_finds_pyodide_in_the_cache_without_npm_or_pip(
    lite_site, monkeypatch, tmp_path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    archive = pyodide_dist.prepare(log=lambda line: pytest.fail(f"prepared again: {line}"))
    assert archive == pyodide_dist.archive_path() and archive.is_file()


def test_the_pins_match_the_pinned_pyodide(lite_site) -> None:
    from pyenvlab import _npm

    core_lock = json.loads((_npm.package_dir(pins.PYODIDE) / "pyodide-lock.json").read_text())
    assert core_lock["info"]["python"] == pins.PYODIDE_PYTHON
    wheels = {w.name: _npm.cache_root() / "pypi" / "unused.whl" for w in pins.KERNEL_WHEELS}
    closure = pyodide_dist._closure(core_lock["packages"], pins.KERNEL_PACKAGES)
    pinned = {w.name: w.version for w in pins.KERNEL_WHEELS}
    for key in closure:
        assert pinned.get(pyodide_dist.canonical(key)) == core_lock["packages"][key]["version"], key
    changed = {**core_lock, "packages": {**core_lock["packages"]}}
    changed["packages"]["jedi"] = {**changed["packages"]["jedi"], "version": "0.0.1"}
    with pytest.raises(LiteBuildError, match=r"jedi is 0\.0\.1 in pyodide-lock\.json, 0\.19\.2 in the pins"):
        pyodide_dist.kernel_lock(changed, wheels)


def test_a_wheel_whose_hash_differs_is_not_taken(tmp_path) -> None:
    six = next(w for w in pins.KERNEL_WHEELS if w.name == "six")
    (tmp_path / f"six-{six.version}-py2.py3-none-any.whl").write_bytes(b"not the wheel")
    assert pyodide_dist._wheel_file(tmp_path, six) is None


def test_pip_refuses_a_download_with_another_hash(tmp_path) -> None:
    wrong = pins.Wheel("six", "1.17.0", "0" * 64)
    with pytest.raises(LiteBuildError, match="pip could not download") as info:
        pyodide_dist.ensure_wheels([wrong], tmp_path, log=lambda _line: None)
    assert "\n" not in str(info.value)
    assert list(tmp_path.glob("*.whl")) == []


def test_lock_entries_follow_requirements_as_pyodide_sees_them(tmp_path) -> None:
    wheel = tmp_path / "demo_pkg-1.0-py3-none-any.whl"
    metadata = "\n".join([
        "Metadata-Version: 2.1", "Name: demo-pkg", "Version: 1.0",
        "Requires-Dist: comm>=0.1",
        "Requires-Dist: pywin32; sys_platform == 'win32'",
        "Requires-Dist: traitlets; python_version >= '3.12'",
        "Requires-Dist: pytest; extra == 'test'",
        "Requires-Dist: jupyterlab_widgets~=3.0",
    ]) + "\n"  # fmt: skip
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("demo_pkg/__init__.py", "")
        archive.writestr("demo_single.py", "")
        archive.writestr("demo_pkg-1.0.dist-info/METADATA", metadata)
    entry = pyodide_dist.lock_entry(wheel, {"comm", "traitlets", "pytest", "pywin32"})
    assert entry["depends"] == ["comm", "traitlets"]  # not win32, not the test extra, not absent ones
    assert entry["imports"] == ["demo_pkg", "demo_single"]
    assert entry["name"] == "demo-pkg" and entry["sha256"] == pyodide_dist._sha256(wheel)
