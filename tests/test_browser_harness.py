"""The browser tests' JupyterLab harness itself: ports, processes and interpreters."""

from __future__ import annotations

import json
import os
import socket
import sys
import urllib.request
from pathlib import Path

import nbformat
import pytest

import pyenvlab
from tests.browser import LabServer, NotebookPage, PortTaken

pytestmark = pytest.mark.browser


def test_a_taken_port_is_never_driven_by_mistake(tmp_path: Path) -> None:
    """With the chosen port taken, the server refuses it (port_retries=0) and the harness
    starts again on a fresh port; with no retries left it says the port was taken."""
    root = tmp_path / "notebooks"
    root.mkdir()
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        taken = blocker.getsockname()[1]

        server = LabServer(root, tmp_path / "once")
        server.port, server.url = taken, f"http://127.0.0.1:{taken}"
        with pytest.raises(PortTaken, match=str(taken)):
            server.start(attempts=1)

        server = LabServer(root, tmp_path / "twice")
        server.port, server.url = taken, f"http://127.0.0.1:{taken}"
        server.start()
        try:
            assert server.port != taken
            pids = server.kernel_pids()
            assert pids == []  # no notebook open: no kernel
            process = server.process
            assert process is not None
        finally:
            killed = server.stop()
    assert killed == []
    assert process.poll() is not None


def test_server_and_kernels_are_the_interpreter_running_the_tests(tmp_path: Path, chromium) -> None:
    """With other programs first on PATH (as when the tests run as ``VENV/bin/python -m pytest``
    without activating the venv), JupyterLab and its kernels still are this interpreter with
    this checkout's pyenvlab: the decoys below must never run."""
    decoys = tmp_path / "decoys"
    decoys.mkdir()
    for name in ("python", "python3", "jupyter", "jupyter-lab", "ipython"):
        decoy = decoys / name
        decoy.write_text(f"#!/bin/sh\necho 'decoy {name} ran' >&2\nexit 3\n")
        decoy.chmod(0o755)
    root = tmp_path / "notebooks"
    root.mkdir()
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, root / "which.ipynb")

    server = LabServer(root, tmp_path / "home")
    server.env["PATH"] = f"{decoys}{os.pathsep}{server.env.get('PATH', os.defpath)}"
    server.start()
    try:
        assert server.process is not None
        command = Path(f"/proc/{server.process.pid}/cmdline").read_bytes().split(b"\0")
        assert command[:3] == [os.fsencode(sys.executable), b"-m", b"jupyterlab"], command

        with urllib.request.urlopen(f"{server.url}/api/kernelspecs", timeout=10) as answer:
            specs = json.load(answer)
        assert specs["default"] == "python3"
        assert specs["kernelspecs"]["python3"]["spec"]["argv"][0] == sys.executable

        page = NotebookPage(chromium, server, "which.ipynb").open()
        try:
            shown = page.execute("import sys, pyenvlab\nprint(sys.executable)\nprint(pyenvlab.__file__)")
        finally:
            page.close()
        assert shown.splitlines() == [sys.executable, pyenvlab.__file__], shown
    finally:
        killed = server.stop()
    assert killed == []
    assert "decoy" not in server.log.read_text(errors="replace")
