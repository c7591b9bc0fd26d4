"""Every magic in a real Jupyter kernel: nbclient runs a notebook written here from code.

The kernel is this interpreter (a kernelspec made in tmp_path), so it sees this pyenvlab. The
test checks what a front end receives: the mime types of each cell's result, no error output,
and that ``%unload_ext`` put the import machinery back.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

WIDGET = "application/vnd.jupyter.widget-view+json"
RECORD = {"text/plain", "text/html"}

CELLS: list[tuple[str, set[str]]] = [
    ("%load_ext pyenvlab\nimport builtins\nbefore = builtins.__import__", set()),
    ("%%trace_imports\nimport json", RECORD),
    ("%%trace_imports --fresh --module json --no-times\nimport json", RECORD),
    ("%where json", RECORD),
    ("%syspath -s", RECORD),
    ("%startup", RECORD),
    ("%%namespace\nimport os\nimport os as also_os\nx = 1", RECORD),
    ("%deps ipywidgets", RECORD),
    ("%abi _json", RECORD),
    ("%doctor --no-trace", RECORD),
    ("%%trace_imports --fresh --explore\nimport json", RECORD | {WIDGET}),
    ("%%namespace --explore\ny = 2", RECORD | {WIDGET}),
    ("%syspath --lab json --entry .", RECORD | {WIDGET}),
    ("%unload_ext pyenvlab\nprint(builtins.__import__ is before, builtins.__import__.__name__)", set()),
]


@pytest.fixture
def kernel_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A kernelspec that runs this interpreter (not whatever `python` is on PATH)."""
    spec = tmp_path / "jupyter" / "kernels" / "pyenvlab-test"
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(
        json.dumps({"argv": argv, "display_name": "test", "language": "python"})
    )
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    return "pyenvlab-test"


def test_every_magic_in_a_real_kernel(tmp_path: Path, kernel_name: str) -> None:
    from pyenvlab.render._graph import dot_available

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source, _ in CELLS]
    client = nbclient.NotebookClient(
        nb, kernel_name=kernel_name, timeout=120, resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()
    graphs = dot_available()
    for (source, expected), cell in zip(CELLS, nb.cells, strict=True):
        errors = [o for o in cell.outputs if o.output_type == "error"]
        assert not errors, (source, errors)
        stderr = "".join(o.text for o in cell.outputs if o.output_type == "stream" and o.name == "stderr")
        assert "Traceback" not in stderr, (source, stderr)
        # a record shows as its tables, then its graph (two display_data); an explorer as one
        # execute_result carrying the widget view and the static fallback
        results = [o for o in cell.outputs if o.output_type in ("execute_result", "display_data")]
        if not expected:
            assert not results, source
            continue
        assert results, (source, cell.outputs)
        mimes = set().union(*(o.data for o in results))
        assert expected <= mimes, (source, mimes)
        for output in results:
            assert "0x" not in output.data["text/plain"], source  # a stable repr, no addresses
        if graphs and source.startswith(("%%trace_imports --fresh --module", "%where", "%%namespace\n")):
            assert {"image/svg+xml", "image/png"} <= mimes, (source, mimes)
    last = "".join(o.text for o in nb.cells[-1].outputs if o.output_type == "stream")
    assert last.strip() == "True __import__"
    # nbclient stores widget state: the explorers' models are in the notebook metadata
    state = nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {})
    assert state.get("state"), "widget state was not saved"
