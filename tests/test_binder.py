"""binder/ is what repo2docker (Binder) builds the workshop image from: validate it for real."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_repo2docker_accepts_the_binder_directory() -> None:
    """`jupyter-repo2docker --no-build --debug --no-run .` prints the Dockerfile it would build,
    without a Docker daemon: our files must all be in it."""
    # this interpreter's repo2docker (part of the dev extra), not a `jupyter-repo2docker` on PATH
    result = subprocess.run(
        [sys.executable, "-m", "repo2docker", "--no-build", "--debug", "--no-run", "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-2000:]
    assert "python=3.11" in output  # runtime.txt
    assert "apt-get install --yes --no-install-recommends graphviz" in output  # apt.txt
    assert 'pip install --no-cache-dir -r "binder/requirements.txt"' in output
    assert "./binder/postBuild" in output


def test_postbuild_trusts_the_notebooks() -> None:
    post_build = ROOT / "binder" / "postBuild"
    assert post_build.stat().st_mode & 0o111
    assert "jupyter trust notebooks/*.ipynb" in post_build.read_text()
    assert (ROOT / "binder" / "requirements.txt").read_text().split() == ["-e", ".[workshop]"]
