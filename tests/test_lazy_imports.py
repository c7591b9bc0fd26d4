"""PEP 810 lazy imports, recorded for real in CPython 3.15 (Pyodide) and refused cleanly before.

A ``lazy import`` statement binds a lazy object: nothing is searched or run. The recorder sees
the statement through the lazy-imports filter (``Statement.lazy``), sees the load that happens
on first use (``ModuleRecord.lazy``, with ``first_use`` "file:line"), and lists what was never
used (``Trace.lazy_pending``). The feature is detected (``sys.set_lazy_imports_filter``), not
the version.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import pyenvlab
from pyenvlab.errors import InterpreterError
from pyenvlab.model import Trace
from tests.conftest import pyodide_or_skip

CODE = """\
lazy import lz_used
lazy from lz_pkg import sub
lazy import lz_never
import json
value = lz_used.VALUE + sub.X
"""


def _modules(tmp_path: Path) -> Path:
    (tmp_path / "lz_pkg").mkdir()
    (tmp_path / "lz_used.py").write_text("import colorsys\nVALUE = 1\n")
    (tmp_path / "lz_pkg" / "__init__.py").write_text("")
    (tmp_path / "lz_pkg" / "sub.py").write_text("X = 2\n")
    (tmp_path / "lz_never.py").write_text("raise SystemExit('lz_never must never run')\n")
    return tmp_path


@pytest.fixture
def py315() -> str:
    return pyodide_or_skip("3.15")


def _own(trace: Trace) -> dict[str, object]:
    return {s.name: s for s in trace.statements if s.importer == "__main__"}


def test_lazy_statements_bind_and_load_on_first_use(py315: str, tmp_path: Path) -> None:
    trace = pyenvlab.trace_import(CODE, python=py315, path=[_modules(tmp_path)])
    assert trace.raised is None
    statements = _own(trace)
    assert [(s.name, s.lazy) for s in statements.values()] == [
        ("lz_used", True),
        ("lz_pkg", True),
        ("lz_never", True),
        ("json", False),
    ]
    assert statements["lz_pkg"].fromlist == ("sub",)
    loads = {m.name: m for m in trace.modules}
    # used: loaded at first use, where the use was, and marked as the reification
    assert loads["lz_used"].lazy and loads["lz_used"].first_use == "<string>:5"
    assert loads["lz_pkg"].lazy and loads["lz_pkg"].first_use == "<string>:5"
    # what the lazily loaded module imports itself is an ordinary load
    assert not loads["colorsys"].lazy and loads["colorsys"].imported_by == "lz_used"
    # never used: never searched, never run, still pending at the end
    assert "lz_never" not in loads
    assert trace.lazy_pending == ("lz_never",)
    # eager statements are unchanged
    assert not statements["json"].lazy


def test_lazy_imports_all_makes_plain_statements_lazy(py315: str, tmp_path: Path) -> None:
    code = "import lz_used\nimport lz_never\nvalue = lz_used.VALUE\n"
    normal = pyenvlab.trace_import(code, python=py315, path=[_modules(tmp_path)], lazy_imports="normal")
    every = pyenvlab.trace_import(code, python=py315, path=[tmp_path], lazy_imports="all")
    assert normal.raised == "SystemExit: lz_never must never run"
    assert [s.lazy for s in _own(normal).values()] == [False, False]
    assert every.raised is None  # lz_never is bound but never used: it never runs
    assert [(s.name, s.lazy) for s in _own(every).values()] == [("lz_used", True), ("lz_never", True)]
    assert {m.name: m.lazy for m in every.modules}["lz_used"] is True
    # in "all" mode lz_used's own `import colorsys` is lazy too, and nothing uses it
    assert every.lazy_pending == ("colorsys", "lz_never")


def test_lazy_fields_survive_json(py315: str, tmp_path: Path) -> None:
    trace = pyenvlab.trace_import(CODE, python=py315, path=[_modules(tmp_path)])
    again = Trace.from_json(trace.to_json())
    assert again == trace
    data = json.loads(trace.to_json())
    assert data["lazy_pending"] == ["lz_never"]
    assert next(m for m in data["modules"] if m["name"] == "lz_used")["first_use"] == "<string>:5"


def test_the_programs_own_filter_still_decides(py315: str, tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "sys.set_lazy_imports_filter(lambda importer, name, fromlist: name != 'lz_used')\n"
        "lazy import lz_used\nlazy import lz_never\n"
        "assert 'lz_used' in sys.modules and 'lz_never' not in sys.modules\n"
    )
    code += "assert sys.get_lazy_imports_filter()('m', 'lz_used', None) is False\n"
    trace = pyenvlab.trace_import(code, python=py315, path=[_modules(tmp_path)])
    assert trace.raised is None  # the program sees its own filter, and it decided
    statements = _own(trace)
    assert statements["lz_never"].lazy and not statements["lz_used"].lazy
    assert trace.lazy_pending == ("lz_never",)


def test_before_315_a_lazy_import_is_the_traced_codes_syntax_error(tmp_path: Path) -> None:
    trace = pyenvlab.trace_import("lazy import colorsys\n", cwd=tmp_path)
    assert trace.raised is not None and trace.raised.startswith("SyntaxError")
    assert trace.modules == ()
    py314 = pyodide_or_skip("3.14")
    trace = pyenvlab.trace_import("lazy import colorsys\n", python=py314)
    assert trace.raised is not None and trace.raised.startswith("SyntaxError")


def test_the_lazy_mode_needs_an_interpreter_that_has_it() -> None:
    with pytest.raises(InterpreterError, match="has no lazy imports"):
        pyenvlab.trace_import("import json", lazy_imports="all")
    with pytest.raises(InterpreterError, match="lazy_imports must be"):
        pyenvlab.trace_import("import json", lazy_imports="sometimes")
