"""The startup views on native CPython 3.10-3.13 venvs: ``site`` sets the venv's prefix there.

The counterpart of the 3.14/3.15 views tests in ``tests/test_pyodide_startup.py`` (where getpath
does it, gh-126985): each pyenv interpreter present makes a real venv, its real start is
traced, and what the views say is checked against the record's own facts.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pyenvlab
from pyenvlab import render


def test_a_native_venv_start_is_explained_as_site_setting_the_prefix(
    pyenv_interpreter: str, tmp_path: Path
) -> None:
    venv = tmp_path / "venv"
    subprocess.run([pyenv_interpreter, "-m", "venv", "--without-pip", str(venv)], check=True)
    trace = pyenvlab.startup(str(venv / "bin" / "python"), cwd=tmp_path)
    assert trace.verified, trace.disagreements
    assert trace.prefix_set_by == "site" and trace.prefix == str(venv)
    base, lines = trace.base_prefix, trace.explanation
    version = ".".join(trace.python.split(".")[:2])
    assert lines[-1] == f"site found pyvenv.cfg and set sys.prefix = {venv} (the venv)."
    assert f"prefix = {base}: the first landmark found was {base}/lib/python{version}/os.py." in lines
    if trace.probe_for("venv") is not None:  # the getpath tier (3.11+) records the pyvenv.cfg read
        assert lines[0] == f"{venv}/pyvenv.cfg says home = {base}/bin: the search continues from there."
        assert (trace.getpath or {}).get("home") is None
    assert not any("getpath read" in line or "PyConfig.home" in line for line in lines)
    text = render.text(trace, width=200, color=False)
    assert f"3. .pth files: {len(trace.pth_files)} processed" in text
    assert "Result (after site)" in text
    source = render.dot(trace).source
    assert f"site: sys.prefix = {venv} (venv)" in source and "getpath: sys.prefix" not in source
    assert f"base_prefix = {base}" in source
