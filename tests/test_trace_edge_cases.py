"""Edge cases of the import system, each traced in a fresh interpreter of every pyenv version.

Every assertion compares the trace with what the interpreter itself reports (``__file__``,
``__path__``, the exception raised), never with a hand-written expectation of the path.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import pyenvlab


def write(root: Path, files: dict[str, str]) -> Path:
    """Create ``files`` (relative path -> source) under ``root``."""
    for relative, source in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(source, encoding="utf-8")
    return root


def truth(python: str, code: str, cwd: Path, path: list[Path] | None = None) -> object:
    """Run ``code`` untraced and return the repr it prints last (the interpreter's own answer)."""
    env = {"PATH": "/usr/bin:/bin"}
    if path:
        env["PYTHONPATH"] = ":".join(map(str, path))
    out = subprocess.run([python, "-c", code], capture_output=True, text=True, cwd=cwd, env=env, check=True)
    return ast.literal_eval(out.stdout.strip().splitlines()[-1])


def traced(python: str, code: str, cwd: Path, path: list[Path] | None = None, **kw: object) -> pyenvlab.Trace:
    return pyenvlab.trace_import(code, python=python, cwd=cwd, path=path, env={"PATH": "/usr/bin:/bin"}, **kw)


def test_shadowing_module_earlier_on_the_path(pyenv_interpreter: str, tmp_path: Path) -> None:
    """A json.py in the working directory wins over the stdlib package: the trace shows the hit
    at '' (the cwd) and the search stops there."""
    write(tmp_path, {"json.py": "SHADOW = True\n"})
    t = traced(pyenv_interpreter, "import json", tmp_path)
    real = truth(pyenv_interpreter, "import json, sys; print(repr(json.__file__))", tmp_path)
    record = t.module("json")
    assert record.origin == real == str(tmp_path / "json.py")
    assert [v.outcome for v in record.searched] == ["hit"]
    assert record.searched[0].entry == ""
    assert record.kind == "module"


def test_six_empty_pythonpath_dirs_are_scanned_before_the_stdlib(
    pyenv_interpreter: str, tmp_path: Path
) -> None:
    """The tutorial's PYTHONPATH cost: six add-on directories visited, in order, before the hit."""
    dirs = [tmp_path / f"addon{i}" for i in range(6)]
    for d in dirs:
        d.mkdir()
    t = traced(pyenv_interpreter, "import colorsys", tmp_path, path=dirs)
    record = t.module("colorsys")
    entries = [v.entry for v in record.searched]
    assert entries[1:7] == [str(d) for d in dirs]
    assert [v.outcome for v in record.searched[1:7]] == ["miss"] * 6
    for d in dirs:  # each empty dir was really looked at: stat for mtime, listed
        ops = {p.op for p in record.probes if p.entry == str(d)}
        assert "stat" in ops or "isdir" in ops
    assert record.searched[-1].outcome == "hit"
    assert record.origin == truth(
        pyenv_interpreter, "import colorsys, json; print(repr(colorsys.__file__))", tmp_path
    )


def test_namespace_package_split_over_two_entries(pyenv_interpreter: str, tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    write(a, {"nsdemo/one.py": "X = 1\n"})
    write(b, {"nsdemo/two.py": "Y = 2\n"})
    code = "import nsdemo.one, nsdemo.two"
    t = traced(pyenv_interpreter, code, tmp_path, path=[a, b])
    real = truth(
        pyenv_interpreter, "import json, nsdemo; print(repr(list(nsdemo.__path__)))", tmp_path, [a, b]
    )
    record = t.module("nsdemo")
    assert record.kind == "namespace"
    assert record.origin is None
    assert list(record.search_locations or ()) == real
    outcomes = {v.entry: v.outcome for v in record.searched}
    assert outcomes[str(a)] == outcomes[str(b)] == "namespace"
    assert "hit" not in outcomes.values()
    assert t.module("nsdemo.two").origin == str(b / "nsdemo" / "two.py")
    assert t.module("nsdemo.two").searched[-1].entry == str(b / "nsdemo")


def test_zip_archive_on_the_path(pyenv_interpreter: str, tmp_path: Path) -> None:
    archive = tmp_path / "bundle.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("zipdemo/__init__.py", "VALUE = 42\n")
    t = traced(pyenv_interpreter, "import zipdemo", tmp_path, path=[archive])
    record = t.module("zipdemo")
    real = truth(
        pyenv_interpreter, "import json, zipdemo; print(repr(zipdemo.__file__))", tmp_path, [archive]
    )
    assert record.origin == real
    hit = record.hit
    assert hit is not None and hit.entry == str(archive) and hit.finder == "zipimporter"
    assert record.loader == "zipimporter"


def test_extension_frozen_and_builtin_modules(pyenv_interpreter: str, tmp_path: Path) -> None:
    code = "import _json, sys, itertools, zipimport, json as _j; import array"
    t = traced(pyenv_interpreter, "import array, itertools", tmp_path)
    real = truth(
        pyenv_interpreter,
        "import array, json, sys; print(repr([array.__spec__.origin, sys.builtin_module_names]))",
        tmp_path,
    )
    array_origin, builtins_names = real
    record = t.module("array")
    assert record.origin == array_origin
    assert record.kind == ("builtin" if "array" in builtins_names else "extension")
    if "itertools" in builtins_names and "itertools" in {m.name for m in t.modules}:
        assert t.module("itertools").finder == "BuiltinImporter"
        assert t.module("itertools").searched == ()
    del code
    # frozen: on 3.11+ several stdlib modules are frozen into the binary; none are probed
    frozen = truth(
        pyenv_interpreter,
        "import _imp; names = ['abc', 'codecs', 'io', 'os', 'stat', 'posixpath', 'runpy', '__hello__']; "
        "print(repr(sorted(n for n in names if _imp.is_frozen(n))))",
        tmp_path,
    )
    hello = traced(pyenv_interpreter, "import __hello__", tmp_path)
    if "__hello__" in frozen:
        record = hello.module("__hello__")
        assert record.finder == "FrozenImporter"
        assert record.kind == "frozen"
        assert record.probes == ()


def test_relative_imports_and_from_pkg_import_sub(pyenv_interpreter: str, tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "relpkg/__init__.py": "from . import sub\nfrom .sub import helper\n",
            "relpkg/sub.py": "from . import other\ndef helper():\n    return 1\n",
            "relpkg/other.py": "",
            "relpkg/late.py": "",
        },
    )
    t = traced(pyenv_interpreter, "from relpkg import late", tmp_path)
    assert [m.name for m in t.modules] == ["relpkg", "relpkg.sub", "relpkg.other", "relpkg.late"]
    relative = [s for s in t.statements if s.level == 1]
    assert {(s.importer, s.name) for s in relative} == {
        ("relpkg", "relpkg"),  # from . import sub
        ("relpkg", "relpkg.sub"),  # from .sub import helper
        ("relpkg.sub", "relpkg"),  # from . import other
    }
    assert t.module("relpkg.sub").imported_by == "relpkg"
    assert t.module("relpkg.other").imported_by == "relpkg.sub"
    # `from relpkg import late`: the submodule in the from-list is loaded for the statement
    assert t.module("relpkg.late").imported_by == "__main__"
    assert t.module("relpkg.late").searched[0].entry == str(tmp_path / "relpkg")
    top = [s for s in t.statements if s.importer == "__main__"]
    assert top[0].name == "relpkg" and top[0].fromlist == ("late",)


def test_circular_import(pyenv_interpreter: str, tmp_path: Path) -> None:
    write(tmp_path, {"circ_a.py": "import circ_b\nA = 1\n", "circ_b.py": "import circ_a\nB = 2\n"})
    t = traced(pyenv_interpreter, "import circ_a", tmp_path)
    assert [m.name for m in t.modules] == ["circ_a", "circ_b"]
    back = [s for s in t.statements if s.importer == "circ_b" and s.name == "circ_a"]
    assert back and back[0].cached  # circ_a is already in sys.modules (half-initialised)
    assert t.module("circ_b").imported_by == "circ_a"


def test_import_module_and_cache_hits(pyenv_interpreter: str, tmp_path: Path) -> None:
    write(tmp_path, {"dyn_mod.py": ""})
    code = (
        "import importlib\n"
        "for _ in range(5):\n"
        "    importlib.import_module('dyn_mod')\n"
        "import dyn_mod\n"
        "import dyn_mod\n"
    )
    t = traced(pyenv_interpreter, code, tmp_path)
    assert [m.name for m in t.modules if m.name == "dyn_mod"] == ["dyn_mod"]
    statements = [s for s in t.statements if s.name == "dyn_mod"]
    first = [s for s in statements if not s.cached]
    hits = [s for s in statements if s.cached]
    assert len(first) == 1
    assert sum(s.count for s in hits) == 6  # 4 import_module hits + 2 import statements
    assert all(s.importer == "__main__" for s in statements)


def test_module_that_raises_and_missing_module(pyenv_interpreter: str, tmp_path: Path) -> None:
    write(tmp_path, {"boom.py": "raise ValueError('kaboom <&>')\n"})
    t = traced(
        pyenv_interpreter,
        "try:\n    import boom\nexcept ValueError:\n    pass\nimport no_such_module_xyz",
        tmp_path,
    )
    assert t.module("boom").error == "ValueError: kaboom <&>"
    missing = t.module("no_such_module_xyz")
    assert missing.error == "ModuleNotFoundError: No module named 'no_such_module_xyz'"
    assert missing.origin is None
    assert missing.searched and all(v.outcome in {"miss", "no-finder"} for v in missing.searched)
    assert [v.entry for v in missing.searched] == [e for e in t.sys_path if isinstance(e, str)]
    assert t.raised == "ModuleNotFoundError: No module named 'no_such_module_xyz'"


def test_third_party_meta_path_finder(pyenv_interpreter: str, tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "customfinder.py": (
                "import importlib.abc, importlib.util, sys\n"
                "class VirtualFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):\n"
                "    def find_spec(self, name, path, target=None):\n"
                "        if name == 'virtual_mod':\n"
                "            return importlib.util.spec_from_loader(name, self, origin='virtual:here')\n"
                "    def exec_module(self, module):\n"
                "        module.X = 1\n"
                "sys.meta_path.append(VirtualFinder())\n"
            )
        },
    )
    t = traced(pyenv_interpreter, "import customfinder, virtual_mod", tmp_path)
    record = t.module("virtual_mod")
    assert record.finder == "VirtualFinder"
    assert record.origin == "virtual:here"
    assert record.error is None
    # PathFinder was asked first and missed everywhere: its visits are real and shown as misses
    assert record.searched and all(v.outcome != "hit" for v in record.searched)


@pytest.mark.parametrize(
    "dirname",
    ["with space", "quote'and\"double", "lt<and&amp", "new\nline", "ünïcödé-目录", "back\\slash"],
)
def test_hostile_path_names(dirname: str, tmp_path: Path) -> None:
    root = tmp_path / dirname
    write(root, {"oddmod.py": "X = 1\n"})
    t = pyenvlab.trace_import("oddmod", cwd=tmp_path, path=[root])
    record = t.module("oddmod")
    assert record.origin == str(root / "oddmod.py")
    assert record.hit is not None and record.hit.entry == str(root)
    again = pyenvlab.Trace.from_json(t.to_json())
    assert again == t


def test_candidates_are_the_real_lookups(tmp_path: Path) -> None:
    """With candidates=True the trace lists each name FileFinder looked up in the listing,
    in its own order (extension suffixes first, then .py, .pyc)."""
    write(tmp_path, {"candmod.py": ""})
    t = pyenvlab.trace_import("candmod", cwd=tmp_path, candidates=True)
    record = t.module("candmod")
    names = [Path(p.path).name for p in record.probes if p.op == "candidate" and p.entry == ""]
    import importlib.machinery as m

    expected = ["candmod"] + ["candmod" + s for s in m.EXTENSION_SUFFIXES]
    assert names[: len(expected)] == expected
    assert "candmod.py" in names
    assert [p.found for p in record.probes if p.op == "candidate" and p.path.endswith("candmod.py")] == [True]


def test_trace_import_restores_sys_path_zero_like_python_c(tmp_path: Path) -> None:
    t = pyenvlab.trace_import("import sys; assert sys.path[0] == '', sys.path[0]", cwd=tmp_path)
    assert t.raised is None
    assert t.sys_path[0] == ""
    assert not any("_probe" in p for p in t.sys_path)


def test_trace_import_errors_are_clear(tmp_path: Path) -> None:
    with pytest.raises(pyenvlab.InterpreterError, match="interpreter not found"):
        pyenvlab.trace_import("json", python=tmp_path / "nope")
    with pytest.raises(pyenvlab.InterpreterError, match="not an executable"):
        pyenvlab.trace_import("json", python=tmp_path)
    with pytest.raises(pyenvlab.InterpreterError, match="working directory"):
        pyenvlab.trace_import("json", cwd=tmp_path / "missing")
    fake = tmp_path / "fakepython"
    fake.write_text("#!/bin/sh\necho broken >&2\nexit 3\n")
    fake.chmod(0o755)
    with pytest.raises(pyenvlab.InterpreterError, match=r"exit status 3\): broken"):
        pyenvlab.trace_import("json", python=fake)
    assert sys.executable
