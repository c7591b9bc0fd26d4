"""where(): every provider along the path, compared with what importing really picks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import pyenvlab


def real_origin(name: str, path: list[Path], cwd: Path) -> str:
    code = f"import {name}; s = {name}.__spec__; print(s.origin if s.origin else list({name}.__path__))"
    env = {"PYTHONPATH": ":".join(map(str, path)), "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, "-I" if not path else "-s", "-c", code],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        check=True,
    ).stdout.strip()


def test_shadowed_stdlib_module(tmp_path: Path) -> None:
    shadow = tmp_path / "lib"
    shadow.mkdir()
    (shadow / "colorsys.py").write_text("")
    found = pyenvlab.where("colorsys", path=[str(shadow), *sys.path])
    assert [c.wins for c in found] == [True, False]
    assert found.winner.origin == str(shadow / "colorsys.py") == real_origin("colorsys", [shadow], tmp_path)
    assert found.shadowed[0].kind == "module" and "python3" in found.shadowed[0].entry


def test_builtin_and_frozen_win_over_files(tmp_path: Path) -> None:
    (tmp_path / "sys.py").write_text("")
    found = pyenvlab.where("sys", path=[str(tmp_path)])
    assert found[0].kind == "builtin" and found[0].wins
    assert [c.wins for c in found[1:]] == [False]


def test_namespace_portions_win_together_but_lose_to_a_regular_package(tmp_path: Path) -> None:
    a, b, c = (tmp_path / x for x in "abc")
    (a / "nsw").mkdir(parents=True)
    (b / "nsw").mkdir(parents=True)
    found = pyenvlab.where("nsw", path=[str(a), str(b)])
    assert [(x.kind, x.wins) for x in found] == [("namespace", True), ("namespace", True)]
    (c / "nsw").mkdir(parents=True)
    (c / "nsw" / "__init__.py").write_text("")
    found = pyenvlab.where("nsw", path=[str(a), str(b), str(c)])
    assert [(x.kind, x.wins) for x in found] == [
        ("namespace", False),
        ("namespace", False),
        ("package", True),
    ]
    assert found.winner.origin == real_origin("nsw", [a, b, c], tmp_path)


def test_dotted_name_searches_the_winning_parent(tmp_path: Path) -> None:
    found = pyenvlab.where("xml.dom.minidom")
    import xml.dom.minidom

    assert found.winner.origin == xml.dom.minidom.__file__
    (tmp_path / "json.py").write_text("")
    assert list(pyenvlab.where("json.decoder", path=[str(tmp_path), *sys.path])) == []


def test_where_does_not_touch_import_state(tmp_path: Path) -> None:
    before_cache = dict(sys.path_importer_cache)
    before_modules = set(sys.modules)
    pyenvlab.where("definitely_not_there", path=[str(tmp_path / "x"), str(tmp_path)])
    assert dict(sys.path_importer_cache) == before_cache
    assert set(sys.modules) == before_modules


@pytest.mark.parametrize("bad", ["", "a..b", "1abc", "a-b", None])
def test_bad_names(bad: object) -> None:
    with pytest.raises(pyenvlab.PyenvlabError, match="not a module name"):
        pyenvlab.where(bad)  # type: ignore[arg-type]


def test_importing_the_module_does_not_hide_the_function() -> None:
    import pyenvlab.candidates

    assert callable(pyenvlab.where)
    assert callable(pyenvlab.startup)
    assert pyenvlab.where("json").winner is not None
