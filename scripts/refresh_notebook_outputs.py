"""Run every workshop notebook for real and store all its outputs.

    python scripts/refresh_notebook_outputs.py [NOTEBOOK ...]

Each notebook is executed top to bottom in a fresh kernel of this interpreter (nbclient), as
JupyterLab's Run All does, and saved with every output it produced: an attendee who opens a
notebook on GitHub sees the tables, graphs and explorers' static views of a real run. ``pytest
--nbval-lax`` compares only the cells marked ``# NBVAL_CHECK_OUTPUT``; the other outputs
(graphs, widgets, machine-specific tables) are what this machine showed. Only the execution
timestamps nbclient adds to each cell's metadata are dropped, so a re-run changes no line that
did not change. Never edit stored outputs by hand: rerun this.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from jupyter_client import KernelManager
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
KERNEL = "pyenvlab-this-interpreter"


class ThisInterpreter(KernelSpecManager):
    """Kernel specs with one more: ipykernel in this interpreter (sys.executable), whatever
    ``python`` is first on PATH or whichever ``python3`` kernel is installed."""

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        if kernel_name == KERNEL:
            from ipykernel.kernelspec import RESOURCES, get_kernel_dict

            return KernelSpec(resource_dir=RESOURCES, **get_kernel_dict())
        return super().get_kernel_spec(kernel_name)


def refresh(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    kernelspec = dict(notebook.metadata.get("kernelspec", {}))  # what JupyterLab opens it with
    kernel = KernelManager(kernel_name=KERNEL, kernel_spec_manager=ThisInterpreter())
    client = NotebookClient(
        notebook, km=kernel, timeout=600, resources={"metadata": {"path": str(path.parent)}}
    )
    client.execute()
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
    if kernelspec:
        notebook.metadata["kernelspec"] = kernelspec
    nbformat.write(notebook, path)
    print(f"refreshed {path.name}")


def main(argv: list[str]) -> None:
    paths = [Path(a) for a in argv] or sorted(NOTEBOOKS.glob("*.ipynb"))
    for path in paths:
        refresh(path)


if __name__ == "__main__":
    main(sys.argv[1:])
