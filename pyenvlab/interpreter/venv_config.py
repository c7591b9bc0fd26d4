"""What a ``pyvenv.cfg`` says about the tool that made the environment.

Every tool writes ``home`` (the base interpreter's directory, which getpath reads) and
``include-system-site-packages``; the rest is the tool's signature:

- the standard library's ``python -m venv`` writes ``version`` (and, since 3.11,
  ``executable`` and ``command``);
- ``virtualenv`` writes ``virtualenv = X.Y.Z`` and ``version_info``;
- ``uv venv`` writes ``uv = X.Y.Z`` and ``version_info``, installs no pip, and with
  ``--relocatable`` adds ``relocatable = true`` (its scripts then find the interpreter relative
  to themselves, so the directory survives being moved).

The file is read with the same rule as CPython's getpath and ``site.venv()``: ``key = value``
lines, keys stripped and lowercased, the last of a repeated key winning, anything else ignored.
Stdlib-only: the doctor uses this inside any interpreter.

Example:
    >>> config = parse_pyvenv_cfg("home = /usr/bin\\nuv = 0.13.9\\nversion_info = 3.11.7\\n")
    >>> made_by(config), is_relocatable(config)
    ('uv 0.13.9', False)
    >>> made_by(parse_pyvenv_cfg("home = /usr/bin\\nversion = 3.11.7\\n"))
    'venv'
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["find_pyvenv_cfg", "is_relocatable", "made_by", "parse_pyvenv_cfg", "read_pyvenv_cfg"]


def parse_pyvenv_cfg(text: str) -> dict[str, str]:
    """The ``key = value`` pairs of a ``pyvenv.cfg`` text, keys lowercased; a repeated key
    keeps its last value, as getpath and ``site.venv()`` read it."""
    config: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip():
            config[key.strip().lower()] = value.strip()
    return config


def read_pyvenv_cfg(path: str | os.PathLike[str]) -> dict[str, str] | None:
    """The pairs of the ``pyvenv.cfg`` at ``path``, or ``None`` when it cannot be read."""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return parse_pyvenv_cfg(handle.read(1 << 20))
    except OSError:
        return None


def find_pyvenv_cfg(executable: str) -> str | None:
    """The ``pyvenv.cfg`` an interpreter at ``executable`` starts from, looked for where
    getpath looks: next to the executable, then one directory up (``venv/bin/python`` ->
    ``venv/pyvenv.cfg``). The path is not resolved, as getpath does not resolve it."""
    here = os.path.dirname(os.path.abspath(executable))
    for directory in (here, os.path.dirname(here)):
        candidate = os.path.join(directory, "pyvenv.cfg")
        if os.path.isfile(candidate):
            return candidate
    return None


def made_by(config: Mapping[str, str]) -> str | None:
    """The tool that wrote ``config``: ``"uv X.Y.Z"``, ``"virtualenv X.Y.Z"``, ``"venv"`` (the
    standard library) or ``None`` when it carries no signature."""
    keys = {key.lower(): value for key, value in config.items()}
    for tool in ("uv", "virtualenv"):
        if tool in keys:
            return f"{tool} {keys[tool]}".strip()
    if "version" in keys or "command" in keys:
        return "venv"
    return None


def is_relocatable(config: Mapping[str, str]) -> bool:
    """True when ``config`` says ``relocatable = true`` (``uv venv --relocatable``)."""
    keys = {key.lower(): value for key, value in config.items()}
    return keys.get("relocatable", "").strip().lower() == "true"
