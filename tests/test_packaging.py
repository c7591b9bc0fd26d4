"""pyproject.toml as setuptools reads it: the licence as an SPDX expression (PEP 639), with
no deprecation warning (the ``project.license`` table stops building after 2027-02-18)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement

tomllib = pytest.importorskip("tomllib", reason="reading pyproject.toml needs Python 3.11+")

REPO = Path(__file__).resolve().parent.parent


def test_the_license_is_an_spdx_expression_setuptools_reads_without_warning(tmp_path: Path) -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert project["project"]["license"] == "MIT"
    (setuptools,) = [
        Requirement(r) for r in project["build-system"]["requires"] if r.startswith("setuptools")
    ]
    # PEP 639 strings and license-files exist since setuptools 77.0.0: no older one may build
    assert "77.0.0" in setuptools.specifier and "76.9" not in setuptools.specifier, setuptools

    source = tmp_path / "src"
    (source / "pyenvlab").mkdir(parents=True)
    for name in ("pyproject.toml", "README.md", *project["project"]["license-files"]):
        shutil.copy2(REPO / name, source / name)
    shutil.copy2(REPO / "pyenvlab" / "_version.py", source / "pyenvlab" / "_version.py")
    (source / "pyenvlab" / "__init__.py").touch()
    code = (
        "import sys; from setuptools import build_meta; "
        "print(build_meta.prepare_metadata_for_build_wheel(sys.argv[1]))"
    )
    (tmp_path / "out").mkdir()
    result = subprocess.run(
        [sys.executable, "-W", "always", "-c", code, str(tmp_path / "out")],
        cwd=source, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Deprecat" not in result.stderr and "license" not in result.stderr.lower(), result.stderr
    dist_info = tmp_path / "out" / result.stdout.split()[-1]
    metadata = (dist_info / "METADATA").read_text().splitlines()
    assert "License-Expression: MIT" in metadata
    assert "License-File: LICENSE" in metadata
    assert not [line for line in metadata if line.startswith("License:")], "the deprecated field"
    assert "Permission is hereby granted" in (dist_info / "licenses" / "LICENSE").read_text()
