"""The workshop notebooks are honest: checked cells really compare, nothing is pasted by hand."""

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
def test_unchecked_cells_store_no_outputs(path: Path) -> None:
    """Only outputs nbval compares are stored (scripts/refresh_notebook_outputs.py)."""
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] == "code" and "NBVAL_CHECK_OUTPUT" not in "".join(cell["source"]):
            assert cell["outputs"] == []


def test_there_are_workshop_notebooks() -> None:
    assert len(NOTEBOOKS) >= 5
