"""The browser tests' JupyterLab harness itself: ports and processes."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tests.browser import LabServer, PortTaken

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
