"""Which Pyodide release gives which CPython, and how an interpreter spec names one.

An interpreter spec ``"pyodide:3.14"`` means "CPython 3.14 compiled to WebAssembly, as the npm
package of the pinned Pyodide release ships it, run under this machine's Node.js". The table
pins exact npm versions, so a trace made today and one made next year run the same
interpreter.

Example:
    >>> release_for("pyodide:3.15").python
    '3.15.0rc1'
    >>> is_pyodide_spec("python3.13"), is_pyodide_spec("pyodide:3.14")
    (False, True)
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from pyenvlab._interpreters import PYODIDE_PREFIX, is_pyodide
from pyenvlab.errors import InterpreterError

__all__ = ["PREFIX", "RELEASES", "Release", "is_pyodide_spec", "release_for"]

#: what starts a Pyodide interpreter spec
PREFIX = PYODIDE_PREFIX


@dataclass(frozen=True)
class Release:
    """One pinned Pyodide release: the CPython it carries and its npm package."""

    version: str  # "3.14": the X.Y of the spec
    python: str  # the exact CPython version inside, as sys.version_info says
    npm: str  # the exact npm spec, "pyodide@314.0.8"

    @property
    def spec(self) -> str:
        """The interpreter spec that names this release, ``"pyodide:3.14"``."""
        return PREFIX + self.version

    @property
    def stdlib_zip(self) -> str:
        """The standard library inside: one zip file, ``/lib/python314.zip``."""
        return "/lib/python{}.zip".format(self.version.replace(".", ""))

    @property
    def embedder_config(self) -> dict[str, str]:
        """The ``PyConfig`` fields Pyodide's C ``main`` sets before the prefix search runs.

        ``home = "/"`` (as PYTHONHOME would: ``pyvenv.cfg``'s ``home`` key is then ignored) and
        ``stdlib_dir`` = the zip. Replaying getpath from these reproduces the real start field
        for field (tests/test_pyodide_startup.py checks it against each release).
        """
        return {"home": "/", "stdlib_dir": self.stdlib_zip}


#: X.Y -> the pinned release (checked on this machine: sys.version_info inside each)
RELEASES: dict[str, Release] = {
    "3.14": Release("3.14", "3.14.2", "pyodide@314.0.8"),
    "3.15": Release("3.15", "3.15.0rc1", "pyodide@315.0.0-alpha.2"),
}


def is_pyodide_spec(python: object) -> bool:
    """True when ``python`` names a Pyodide interpreter (``"pyodide:X.Y"``), known or not."""
    return is_pyodide(python)


def release_for(python: str | os.PathLike[str]) -> Release:
    """The pinned release an interpreter spec names.

    Raises:
        InterpreterError: in one line, listing the known versions, for an unknown one.
    """
    text = os.fspath(python)
    version = text[len(PREFIX) :] if text.startswith(PREFIX) else text
    release = RELEASES.get(version.strip())
    if release is None:
        known = ", ".join(r.spec for r in RELEASES.values())
        msg = f"unknown Pyodide interpreter {text!r}: pyenvlab knows {known}"
        raise InterpreterError(msg)
    return release
