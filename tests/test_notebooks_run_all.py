"""Run All, as an attendee meets it: the checks nbval's lax mode does not make, and the cleanup.

The checks themselves run inside nbval's single run of every notebook (the repository's
``conftest.py`` calls :func:`tests.notebook_checks.cell_problems` for each cell nbval executes).
Here: that those checks catch what they must (with outputs the real renderers produce), that
the hook really fails a notebook that shows them, that nbval runs every cell of every notebook
in a kernel of this interpreter, and that after Run All the explorers still have their
working directory.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.notebook_checks import cell_problems

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def _code(source: str, tags: list[str] | None = None) -> dict:
    return {"cell_type": "code", "source": source, "metadata": {"tags": tags or []}, "outputs": []}


def _markdown(source: str) -> dict:
    return {"cell_type": "markdown", "source": source, "metadata": {}}


def _stream(text: str, name: str = "stdout") -> dict:
    return {"output_type": "stream", "name": name, "text": text}


def _shown(obj: object) -> dict:
    """The display_data a kernel sends for ``obj`` (its own mimebundle)."""
    return {"output_type": "display_data", "data": obj._repr_mimebundle_(), "metadata": {}}


# -- what the checks catch ----------------------------------------------------------------


def test_a_clean_cell_has_no_problems() -> None:
    cells = [_code("WORK = 1\nprint(WORK)")]
    assert cell_problems(cells, 0, [_stream("1\n")]) == []


def test_pip_26s_cursor_movements_are_caught() -> None:
    """What notebook 08 showed with pip 26 in a kernel (FORCE_COLOR=1)."""
    shown = "Installing collected packages: a\n\x1b[?25h\r\x1b[1A\x1b[2KSuccessfully installed a-1\n"
    (problem,) = cell_problems([_code("print(result.stdout)")], 0, [_stream(shown)])
    assert "raw terminal escape" in problem


def test_an_escape_in_rich_output_is_caught_too() -> None:
    out = {"output_type": "execute_result", "data": {"text/plain": "\x1b[31mred\x1b[0m"}, "metadata": {}}
    assert cell_problems([_code("x")], 0, [out])


def test_an_unexpanded_variable_is_caught() -> None:
    """Notebook 13 searched ``notebooks/{WORK}`` while the magic did not expand its line."""
    cells = [_code("WORK = Path('/tmp/w')"), _code("%%trace_imports --fresh --path {WORK}\nimport mymod")]
    (problem,) = cell_problems(cells, 1, [_stream("sys.path: /repo/notebooks/{WORK}\n")])
    assert problem == "stdout shows unexpanded {WORK}"


def test_braces_that_are_no_variable_of_the_notebook_are_fine() -> None:
    cells = [_code("print({'a': 1}, '{name}')")]
    assert cell_problems(cells, 0, [_stream("{'a': 1} {name}\n")]) == []


def test_a_printed_traceback_is_caught() -> None:
    shown = 'Traceback (most recent call last):\n  File "x.py", line 1\nValueError: no\n'
    (problem,) = cell_problems([_code("run()")], 0, [_stream(shown, "stderr")])
    assert problem == "stderr shows a printed traceback"


def test_an_error_is_caught_unless_tagged_and_explained() -> None:
    error = {"output_type": "error", "ename": "AttributeError", "evalue": "no attribute", "traceback": []}
    plain = [_code("os.also_set_by_my_mod")]
    assert cell_problems(plain, 0, [error]) == ["error output AttributeError: no attribute"]

    tagged = [_code("os.also_set_by_my_mod", ["raises-exception"])]
    (problem,) = cell_problems(tagged, 0, [error])
    assert "neither its comments nor the markdown next to it name" in problem

    said = [_markdown("As written, the slide's code raises `AttributeError`:"), tagged[0]]
    assert cell_problems(said, 1, [error]) == []
    commented = [_code("# the typo raises AttributeError\nos.also_set_by_my_mod", ["raises-exception"])]
    assert cell_problems(commented, 0, [error]) == []


def test_a_tag_on_a_cell_that_no_longer_fails_is_stale() -> None:
    cells = [_markdown("This raises `KeyError`."), _code("d = {}", ["raises-exception"])]
    (problem,) = cell_problems(cells, 1, [])
    assert "nothing failed" in problem


def test_a_trace_whose_own_module_failed_is_caught(tmp_path: Path) -> None:
    """A real trace, as the renderers show it: the demo's module was not found."""
    import pyenvlab

    trace = pyenvlab.trace_import("import pyenvlab_demo_module_that_is_not_there", cwd=tmp_path)
    problems = cell_problems([_code("%%trace_imports --fresh")], 0, [_shown(trace)])
    assert problems and all("a trace whose own code failed" in p for p in problems), problems
    assert "ModuleNotFoundError" in problems[0]


def test_a_trace_with_a_librarys_optional_import_failing_is_fine(tmp_path: Path) -> None:
    """``subprocess`` tries ``msvcrt`` and ``_winapi`` on every platform: normal, not the demo's."""
    import pyenvlab

    trace = pyenvlab.trace_import("import subprocess", cwd=tmp_path)
    assert any(m.error for m in trace.modules)  # the premise: the trace shows failed imports
    assert cell_problems([_code("t = trace_import('import subprocess')\nt")], 0, [_shown(trace)]) == []


# -- the hook, in nbval's run -------------------------------------------------------------


def _stored(cell: dict, *outputs: dict) -> dict:
    """``cell`` as a run left it in the file: numbered, with its outputs."""
    return {**cell, "execution_count": 1, "outputs": list(outputs)}


ZERO = {"output_type": "error", "ename": "ZeroDivisionError", "evalue": "division by zero", "traceback": []}
BAD_NOTEBOOK = [
    _stored(
        _code("WORK = 'w'\nprint('\\x1b[1A\\x1b[2KSuccessfully installed')"),
        _stream("Successfully installed\n"),
    ),
    _stored(_code("print('searched {WORK}')"), _stream("searched w\n")),
    _stored(
        _code("import traceback\ntry:\n    1 / 0\nexcept ZeroDivisionError:\n    traceback.print_exc()"),
        _stream("x", "stderr"),
    ),
    _stored(_code("print('fine')"), _stream("fine\n")),
    _markdown("The slide's version raises `ZeroDivisionError`:"),
    _stored(_code("1 / 0", ["raises-exception"]), ZERO),
    _code("print('committed without its output')"),
]


def test_the_hook_fails_the_cells_nbval_lets_through(tmp_path: Path) -> None:
    """A notebook with four broken cells, run by pytest as the suite runs the workshop."""
    notebook = {
        "cells": [
            {**c, "id": f"c{i}"}
            | ({"execution_count": None} if "execution_count" not in c and c["cell_type"] == "code" else {})
            for i, c in enumerate(BAD_NOTEBOOK)
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (tmp_path / "bad.ipynb").write_text(json.dumps(notebook))
    (tmp_path / "conftest.py").write_text((ROOT / "conftest.py").read_text())
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    argv = [
        sys.executable,
        "-m",
        "pytest",
        "-p",
        "no:cacheprovider",
        "-rA",
        "--nbval-lax",
        "--nbval-current-env",
    ]
    done = subprocess.run(
        [*argv, "-c", os.devnull, "--rootdir", str(tmp_path), "bad.ipynb"],
        check=False,
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    outcome = {}
    for line in done.stdout.splitlines():
        word, _, rest = line.partition(" ")
        if word in ("PASSED", "FAILED") and "::Cell " in rest:
            outcome[int(rest.split("::Cell ")[1].split()[0])] = word
    expected = {0: "FAILED", 1: "FAILED", 2: "FAILED", 3: "PASSED", 4: "PASSED", 5: "FAILED"}
    assert outcome == expected, done.stdout[-3000:]
    assert "raw terminal escape" in done.stdout
    assert "unexpanded {WORK}" in done.stdout
    assert "printed traceback" in done.stdout
    assert "committed without it" in done.stdout


# -- what nbval runs ----------------------------------------------------------------------


def test_the_suite_runs_every_notebook_in_a_kernel_of_this_interpreter() -> None:
    """pytest collects notebooks/ through nbval, with the kernel of the running interpreter
    (--nbval-current-env: ipykernel's spec of sys.executable, not whatever `python` is on PATH)."""
    import tomllib

    options = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    assert "notebooks" in options["testpaths"]
    assert {"--nbval-lax", "--nbval-current-env"} <= set(options["addopts"].split())
    from nbval.kernel import CURRENT_ENV_KERNEL_NAME, NbvalKernelspecManager

    spec = NbvalKernelspecManager().get_kernel_spec(CURRENT_ENV_KERNEL_NAME)
    assert spec.argv[0] == sys.executable


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_cell_is_skipped(path: Path) -> None:
    """Run All runs every cell, so nbval must too."""
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] == "code":
            assert "NBVAL_SKIP" not in "".join(cell["source"]), path.name
            assert "nbval-skip" not in cell["metadata"].get("tags", []), path.name


# -- after Run All the working directory is still there -----------------------------------


@pytest.fixture
def kernel_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A kernelspec that runs this interpreter (not whatever `python` is on PATH)."""
    spec = tmp_path / "jupyter" / "kernels" / "pyenvlab-runall"
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "t", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    return "pyenvlab-runall"


AFTER_RUN_ALL = """\
print(WORK)
lab.toggle(0)  # what the lab's checkbox does: resolve again, in a fresh interpreter run in WORK
print(lab.summary())
print(trace_import("import json", cwd=WORK, path=[shadow]).module("json").origin)
"""


def test_the_explorers_still_answer_after_run_all(kernel_name: str) -> None:
    """Notebook 04 top to bottom, then what an attendee does next: the sys.path lab's entries
    switched, a trace in WORK. Its directory is gone only once the kernel shut down."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    path = ROOT / "notebooks" / "04-module-location.ipynb"
    notebook = nbformat.read(path, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(AFTER_RUN_ALL))
    client = nbclient.NotebookClient(
        notebook, kernel_name=kernel_name, timeout=300, resources={"metadata": {"path": str(path.parent)}}
    )
    client.execute()
    shown = "".join(o.get("text", "") for o in notebook.cells[-1].outputs if o.output_type == "stream")
    work, summary, origin = shown.splitlines()
    assert "working directory not found" not in shown
    assert summary.startswith("import json uses ") and "/other/json/__init__.py" in summary, summary
    assert origin == str(Path(work) / "shadow" / "json.py")
    assert not Path(work).exists(), "the working directory outlived the kernel"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_cell_removes_the_working_directory(path: Path) -> None:
    """Run All runs every cell: a cleanup cell would pull WORK from under the explorers."""
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] == "code":
            assert "rmtree(WORK" not in "".join(cell["source"]), path.name
