"""Every example in the package's docstrings runs: here, and in every CPython 3.10-3.13 present.

:func:`test_examples` runs the doctests of each module in this interpreter (one test per module,
so ``python -m pytest`` collects them). :func:`test_examples_on_every_version` runs them again in
each pyenv interpreter, in a subprocess started with ``-I -B`` (no environment, no bytecode
written into the work tree): the package from this checkout, plus the two pure-Python runtime
dependencies (``packaging``, ``graphviz``) linked from this environment, so that every module but
the IPython-only ones imports there. The stdlib-only probes (``pyenvlab/_probe``) must import and
pass on every version; modules that need IPython or ipywidgets to import have no examples
(checked here), so nothing is left out.

``pyenvlab.__main__`` is not imported: it rewrites ``sys.path`` on import (by design, see its
docstring) and holds no examples.
"""

from __future__ import annotations

import doctest
import importlib
import importlib.util
import io
import json
import pkgutil
import subprocess
from pathlib import Path

import pytest

import pyenvlab

ROOT = Path(__file__).resolve().parent.parent
#: pure-Python runtime dependencies, put on the path of the other interpreters
LINKED = ("packaging", "graphviz")
#: modules whose import needs a front end that is not linked into the other interpreters
FRONT_END_MODULES = {"pyenvlab.jupyter.magics"}

DRIVER = r"""
import doctest, importlib, io, json, pkgutil, sys
root, linked, out = sys.argv[1:4]
sys.path[:0] = [root, linked]
import pyenvlab

report = {"python": "%d.%d" % sys.version_info[:2], "modules": {}, "unimportable": {}}
names = [m.name for m in pkgutil.walk_packages(pyenvlab.__path__, "pyenvlab.")]
for name in ["pyenvlab", *names]:
    if name == "pyenvlab.__main__":
        continue
    try:
        module = importlib.import_module(name)
    except ImportError as exc:
        report["unimportable"][name] = "%s: %s" % (type(exc).__name__, exc)
        continue
    text = io.StringIO()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for test in doctest.DocTestFinder(exclude_empty=True).find(module, name):
        runner.run(test, out=text.write)
    result = runner.summarize(verbose=False)
    # 3.13+ counts skipped examples as attempted too (TestResults.skipped): count what ran
    ran = result.attempted - getattr(result, "skipped", 0)
    report["modules"][name] = [ran, result.failed, text.getvalue()]
with open(out, "w", encoding="utf-8") as handle:
    json.dump(report, handle)
"""


def module_names() -> list[str]:
    """Every module of the package, ``pyenvlab`` itself first (``__main__`` left out)."""
    names = [m.name for m in pkgutil.walk_packages(pyenvlab.__path__, "pyenvlab.")]
    return ["pyenvlab", *(n for n in names if n != "pyenvlab.__main__")]


def run_examples(name: str) -> tuple[int, int, str]:
    """(examples tried, failed, the failure report) of module ``name``'s doctests."""
    module = importlib.import_module(name)
    report = io.StringIO()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for test in doctest.DocTestFinder(exclude_empty=True).find(module, name):
        runner.run(test, out=report.write)
    result = runner.summarize(verbose=False)
    ran = result.attempted - getattr(result, "skipped", 0)  # 3.13+ counts skipped ones as attempted
    return ran, result.failed, report.getvalue()


@pytest.mark.parametrize("name", module_names())
def test_examples(name: str) -> None:
    _tried, failed, report = run_examples(name)
    assert failed == 0, report


def test_modules_without_linked_front_ends_have_no_examples() -> None:
    for name in FRONT_END_MODULES:
        assert run_examples(name)[0] == 0, f"{name} has examples the other interpreters cannot run"


def test_the_package_has_examples_to_run() -> None:
    tried = {name: run_examples(name)[0] for name in module_names()}
    assert sum(tried.values()) >= 15
    assert tried["pyenvlab.render._table"] and tried["pyenvlab.model"]


def _linked_dependencies(directory: Path) -> Path:
    for name in LINKED:
        spec = importlib.util.find_spec(name)
        assert spec is not None and spec.submodule_search_locations, f"{name} is not installed here"
        (directory / name).symlink_to(next(iter(spec.submodule_search_locations)))
    return directory


def test_examples_on_every_version(pyenv_interpreter: str, tmp_path: Path) -> None:
    (tmp_path / "linked").mkdir()
    linked = _linked_dependencies(tmp_path / "linked")
    out = tmp_path / "doctests.json"
    subprocess.run(
        [pyenv_interpreter, "-I", "-B", "-c", DRIVER, str(ROOT), str(linked), str(out)],
        cwd=tmp_path,
        check=True,
        timeout=300,
    )
    report = json.loads(out.read_text(encoding="utf-8"))
    failures = {name: text for name, (_, failed, text) in report["modules"].items() if failed}
    assert not failures, f"Python {report['python']}:\n" + "\n".join(failures.values())
    assert set(report["unimportable"]) <= FRONT_END_MODULES, report["unimportable"]
    probes = [name for name in report["modules"] if name.startswith("pyenvlab._probe")]
    assert len(probes) >= 3
    assert set(report["modules"]) | set(report["unimportable"]) == set(module_names())
    tried_here = sum(run_examples(name)[0] for name in report["modules"])
    assert sum(tried for tried, _, _ in report["modules"].values()) == tried_here


def test_linked_dependencies_are_pure_python(tmp_path: Path) -> None:
    (tmp_path / "linked").mkdir()
    linked = _linked_dependencies(tmp_path / "linked")
    compiled = [p for p in linked.rglob("*") if p.suffix in (".so", ".pyd")]
    assert compiled == []
