"""Run every workshop notebook for real and store the outputs nbval compares.

    python scripts/refresh_notebook_outputs.py [NOTEBOOK ...]

Each notebook is executed top to bottom in a fresh kernel (nbclient). The outputs of cells
marked ``# NBVAL_CHECK_OUTPUT`` are kept, so that ``pytest --nbval-lax`` has something real to
compare against; all other outputs (graphs, widgets, machine-specific tables) are dropped to
keep the notebooks small and their diffs readable. Never edit stored outputs by hand: rerun this.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
MARK = "NBVAL_CHECK_OUTPUT"


def refresh(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        if MARK not in cell.source:
            cell.outputs = []
            cell.execution_count = None
    nbformat.write(notebook, path)
    print(f"refreshed {path.name}")


def main(argv: list[str]) -> None:
    paths = [Path(a) for a in argv] or sorted(NOTEBOOKS.glob("*.ipynb"))
    for path in paths:
        refresh(path)


if __name__ == "__main__":
    main(sys.argv[1:])
