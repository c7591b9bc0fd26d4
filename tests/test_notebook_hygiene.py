"""The workshop notebooks are honest: checked cells really compare, nothing is pasted by hand,
and what is committed is one real run (every cell's outputs; the repository's conftest.py also
fails a cell that produced outputs in nbval's run but is committed without them)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_checked_cells_have_a_marker_line_and_real_outputs(path: Path) -> None:
    """nbval only sees `# NBVAL_CHECK_OUTPUT` as a comment line of its own; a checked cell
    without stored outputs would compare nothing."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    checked = 0
    for cell in cells:
        source = "".join(cell["source"])
        if cell["cell_type"] != "code" or "NBVAL_CHECK_OUTPUT" not in source:
            continue
        checked += 1
        lines = [line.strip() for line in source.splitlines()]
        assert "# NBVAL_CHECK_OUTPUT" in lines, f"marker must be a line of its own:\n{source}"
        assert cell["outputs"], f"checked cell has no stored output to compare:\n{source}"
        assert cell["execution_count"] is not None
    assert checked >= 1, "every workshop notebook checks at least one deterministic output"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_code_cell_is_stored_as_one_run_left_it(path: Path) -> None:
    """An attendee who opens a notebook on GitHub sees a real run, not empty cells: every code
    cell was executed by one top-to-bottom run (scripts/refresh_notebook_outputs.py), so the
    execution counts are 1, 2, 3, ... in order, and the run's outputs are stored."""
    cells = [c for c in json.loads(path.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code"]
    assert [c["execution_count"] for c in cells] == list(range(1, len(cells) + 1))
    unchecked = [c for c in cells if "NBVAL_CHECK_OUTPUT" not in "".join(c["source"])]
    assert not unchecked or any(c["outputs"] for c in unchecked), "only the checked cells have outputs"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_the_stored_outputs_show_nothing_broken(path: Path) -> None:
    """What GitHub shows passes the same Run All checks as a live run (tests/notebook_checks.py)."""
    from tests.notebook_checks import cell_problems

    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    problems = [
        f"cell {i}: {problem}"
        for i, cell in enumerate(cells)
        if cell["cell_type"] == "code"
        for problem in cell_problems(cells, i, cell["outputs"])
    ]
    assert not problems, problems


def test_there_are_workshop_notebooks() -> None:
    assert len(NOTEBOOKS) >= 5
