"""Run All checks for the workshop notebooks, folded into nbval's one run of each notebook.

``pytest`` collects ``notebooks/*.ipynb`` through nbval (``--nbval-lax --nbval-current-env`` in
pyproject.toml): every notebook runs top to bottom in one fresh kernel of the interpreter
running the tests, as JupyterLab's Run All does. nbval fails a cell only on an error output;
this hook also fails it on what :func:`tests.notebook_checks.cell_problems` finds in the
outputs the cell just produced (printed tracebacks, unexpanded ``{NAME}``, terminal escapes, a
trace whose own code failed), and on a cell that produced outputs but is committed without
them (scripts/refresh_notebook_outputs.py stores every output), so no notebook runs twice.
"""

from __future__ import annotations

from collections.abc import Generator

import pytest


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    result = yield
    outputs = getattr(item, "test_outputs", None)
    notebook = getattr(getattr(item, "parent", None), "nb", None)
    if type(item).__name__ == "IPyNbCell" and outputs is not None and notebook is not None:
        from tests.notebook_checks import cell_problems, stored_problems

        cells = notebook.cells
        index = next(i for i, cell in enumerate(cells) if cell is item.cell)
        problems = cell_problems(cells, index, outputs) + stored_problems(item.cell, outputs)
        if problems:
            item.raise_cell_error("Run All shows a broken cell", "\n".join(f"- {p}" for p in problems))
    return result
