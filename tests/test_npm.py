"""The npm cache: pinned packages installed once, atomically, with one clear line when npm is absent."""

from __future__ import annotations

import shutil

import pytest

from pyenvlab import _npm


def test_package_dir_lives_under_the_cache_root(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("PYENVLAB_CACHE", str(tmp_path))
    assert _npm.package_dir("@hpcc-js/wasm-graphviz@1.29.2") == (
        tmp_path / "npm" / "@hpcc-js+wasm-graphviz@1.29.2" / "node_modules" / "@hpcc-js/wasm-graphviz"
    )
    with pytest.raises(ValueError, match="exact npm package spec"):
        _npm.package_dir("pyodide")


def test_xdg_cache_home_is_honoured(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("PYENVLAB_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert _npm.cache_root() == tmp_path / "pyenvlab"


def test_without_npm_one_line_says_what_to_install(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("PYENVLAB_CACHE", str(tmp_path))
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(_npm.NpmError) as info:
        _npm.ensure_package("is-number@7.0.0")
    message = str(info.value)
    assert "\n" not in message and "apt-get install nodejs npm" in message
    assert not (tmp_path / "npm").exists() or not any((tmp_path / "npm").iterdir())


@pytest.mark.skipif(shutil.which("npm") is None, reason="npm is not installed")
def test_install_once_then_offline(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("PYENVLAB_CACHE", str(tmp_path))
    path = _npm.ensure_package("is-number@7.0.0")
    assert (path / "package.json").is_file() and '"version": "7.0.0"' in (path / "package.json").read_text()
    leftovers = [p.name for p in (tmp_path / "npm").iterdir() if p.name.startswith(".install-")]
    assert leftovers == []
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # npm gone: the cached copy still answers
    assert _npm.ensure_package("is-number@7.0.0") == path


@pytest.mark.skipif(shutil.which("npm") is None, reason="npm is not installed")
def test_a_failed_install_leaves_nothing_behind(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("PYENVLAB_CACHE", str(tmp_path))
    with pytest.raises(_npm.NpmError, match="npm could not install"):
        _npm.ensure_package("is-number@0.0.0-does-not-exist")
    assert not _npm.package_dir("is-number@0.0.0-does-not-exist").exists()
    assert [p.name for p in (tmp_path / "npm").iterdir()] == []


@pytest.mark.skipif(shutil.which("npm") is None, reason="npm is not installed")
def test_a_scoped_package_lands_where_package_dir_says(tmp_path, monkeypatch) -> None:
    # "@scope/name": the install folder is the spec's own, not node_modules/@scope's parent
    monkeypatch.setenv("PYENVLAB_CACHE", str(tmp_path))
    spec = "@hpcc-js/wasm-graphviz@1.29.2"
    path = _npm.ensure_package(spec)
    assert path == _npm.package_dir(spec)
    assert '"version": "1.29.2"' in (path / "package.json").read_text()
    assert not (path.parent.parent / "node_modules").exists()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert _npm.ensure_package(spec) == path  # the second call finds it, without npm
