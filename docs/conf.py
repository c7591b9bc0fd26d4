"""Sphinx configuration: the workshop notebooks (executed), the API, the CLI, the guides.

The source directory is the repository root (so the notebooks in ``notebooks/`` are documents
with their own relative links); this directory holds the configuration and the guides. Build
offline with ``sphinx-build -W -b html -c docs . docs/_build/html`` (the test suite does).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

project = "pyenvlab"
author = "pyenvlab developers"
copyright = "2026, pyenvlab developers"

extensions = ["myst_nb", "sphinx.ext.autodoc", "sphinx.ext.napoleon"]
root_doc = "docs/index"
include_patterns = ["docs/*.md", "notebooks/*.ipynb"]
exclude_patterns = ["docs/_build", "**/.ipynb_checkpoints"]
myst_enable_extensions = ["colon_fence"]
myst_heading_anchors = 3

# The notebooks are the tutorial: run them for real at every build (offline, in a temp dir).
nb_execution_mode = "force"
nb_execution_timeout = 180
nb_execution_raise_on_error = True
nb_execution_show_tb = True

autodoc_member_order = "bysource"
autodoc_typehints = "description"
napoleon_google_docstring = True
napoleon_numpy_docstring = False

html_theme = "alabaster"
html_title = "pyenvlab"


def _write_cli_reference() -> None:
    """docs/cli.md from each command's --help, so the reference cannot drift from the code."""
    from pyenvlab.cli import COMMANDS

    parts = [
        "# Command-line reference\n",
        "Generated from `python -m pyenvlab COMMAND --help` when the docs are built.\n",
    ]
    for name in ["", *COMMANDS]:
        args = [sys.executable, "-m", "pyenvlab", *([name] if name else []), "--help"]
        text = subprocess.run(
            args, capture_output=True, text=True, check=True, env={"COLUMNS": "100", "PATH": "/usr/bin:/bin"}
        ).stdout
        title = f"`{name}`" if name else "`python -m pyenvlab`"
        parts.append(f"\n## {title}\n\n```text\n{text.rstrip()}\n```\n")
    (Path(__file__).parent / "cli.md").write_text("".join(parts), encoding="utf-8")


_write_cli_reference()
