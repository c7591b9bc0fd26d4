"""Where each ``sys.path`` entry of a start came from: the script directory or ``''``,
``PYTHONPATH``, the standard library, ``site``, or a line of a ``.pth`` file.

The search (getpath) builds the first part of ``sys.path``; a real ``-S`` start shows it
(``before``). Every entry there is classified by its position around the stdlib zip and by its
name; every entry added later was added by ``site``, which the site probe recorded line by line
(``origins``: ``".pth zz.pth:1"``, ``"site-packages"``...).

Example:
    >>> before = {"path": ["/src", "/usr/lib/python312.zip", "/usr/lib/python3.12",
    ...                    "/usr/lib/python3.12/lib-dynload"], "stdlib_dir": "/usr/lib/python3.12"}
    >>> [e.source for e in path_entries(before["path"], before, flags=("-I",), environ={}, workdir="/")]
    ['PYTHONPATH', 'stdlib zip', 'stdlib', 'lib-dynload']
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

from pyenvlab.interpreter.records import PathEntry

__all__ = ["path_entries"]


def path_entries(
    final: Sequence[str],
    before: Mapping[str, Any],
    *,
    flags: Sequence[str],
    environ: Mapping[str, str],
    workdir: str,
    script: str | None = None,
    origins: Mapping[str, str] | None = None,
) -> list[PathEntry]:
    """The entries of ``final`` (the ``sys.path`` of the start), each with its source and whether
    it exists, after the entry the command itself puts first (unless ``-I``, ``-P`` or
    ``PYTHONSAFEPATH`` leave it out)."""
    entries = []
    first = _command_entry(flags, environ, workdir, script)
    if first is not None:
        entries.append(first)
    base = list(before.get("path") or ())
    stdlib = before.get("stdlib_dir")
    zip_index = next((i for i, p in enumerate(base) if p.endswith(".zip")), None)
    for path in final:
        if path in base:
            source = _search_source(path, base.index(path), stdlib, zip_index)
        else:
            source = (origins or {}).get(path, "site")
        entries.append(PathEntry(path, source, os.path.exists(path)))
    return entries


def _command_entry(
    flags: Sequence[str], environ: Mapping[str, str], workdir: str, script: str | None
) -> PathEntry | None:
    """``sys.path[0]``: the script's directory, or ``''`` for ``python -c`` and the REPL."""
    if "-I" in flags or "-P" in flags or (environ.get("PYTHONSAFEPATH") and "-E" not in flags):
        return None
    if script:
        first = os.path.dirname(os.path.realpath(os.path.join(workdir, script)))
        return PathEntry(first, "script directory", os.path.isdir(first))
    return PathEntry("", "current directory ('' for python -c and the REPL)", os.path.isdir(workdir))


def _search_source(path: str, position: int, stdlib: str | None, zip_index: int | None) -> str:
    """The source of an entry the search put on ``sys.path`` (at ``position`` there)."""
    if zip_index is not None and position < zip_index:
        return "PYTHONPATH"
    if path.endswith(".zip"):
        return "stdlib zip"
    if path.endswith("lib-dynload"):
        return "lib-dynload"
    if path == stdlib or (stdlib is None and zip_index is not None and position == zip_index + 1):
        return "stdlib"
    return "interpreter"
