"""The documentation site builds offline with warnings as errors, notebooks executed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_docs_build_offline_with_warnings_as_errors(tmp_path: Path) -> None:
    out = tmp_path / "html"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-W",
            "--keep-going",
            "-b",
            "html",
            "-c",
            "docs",
            ".",
            str(out),
            "-q",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    warnings = [
        line for line in result.stderr.splitlines() if "WARNING" in line and "IPKernelApp" not in line
    ]
    assert result.returncode == 0, "\n".join(warnings) or result.stderr[-3000:]
    assert not warnings
    notebooks = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))
    built = sorted(p.stem for p in (out / "notebooks").glob("*.html"))
    assert built == notebooks
    # executed for real: the output of Appendix 1's corrected demo, and a drawn graph
    assert "Still the same" in (out / "notebooks" / "13-import-once.html").read_text(encoding="utf-8")
    assert "<img" in (out / "notebooks" / "04-module-location.html").read_text(encoding="utf-8")
    api = (out / "docs" / "api.html").read_text(encoding="utf-8")
    for name in ("trace_import", "where", "startup", "TraceFormatError", "deps", "abi"):
        assert name in api
    cli = (out / "docs" / "cli.html").read_text(encoding="utf-8")
    for command in ("trace", "where", "startup", "doctor", "report", "deps", "abi", "env"):
        assert f"python -m pyenvlab {command}" in cli
    assert (out / "docs" / "instructors.html").exists()
    assert (out / "docs" / "trace-format.html").exists()
