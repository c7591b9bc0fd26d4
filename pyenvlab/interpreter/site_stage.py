"""The ``site`` stage of a start, from what the site probe recorded: the steps ``site`` took,
every ``.pth`` file it processed line by line, what that means, and the comparison with a
plain start.

Example:
    >>> data = {"pth_files": [{"path": "/sp/zz.pth", "sitedir": "/sp", "occurrence": 2,
    ...          "lines": [{"number": 1, "text": "import x", "kind": "import", "outcome": "executed"}]}]}
    >>> [note[:40] for note in pth_notes(pth_files(data), data)]
    ['1 .pth file was processed twice: site.ve']
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from pyenvlab.interpreter.records import Comparison, PthFile, PthLine, SiteStep
from pyenvlab.interpreter.tiers import FIELDS, compare

__all__ = ["pth_files", "pth_notes", "site_comparisons", "site_steps"]


def site_comparisons(after: Mapping[str, Any], truth: Mapping[str, Any]) -> list[Comparison]:
    """The traced ``site.main()`` against a plain start, value by value."""
    found = [compare("site", f"sys.{key}", after.get(key), truth.get(key)) for key in FIELDS]
    found.append(compare("site", "sys.path", "\n".join(after["path"]), "\n".join(truth["path"])))
    return found


def pth_files(site_data: Mapping[str, Any] | None) -> list[PthFile]:
    """Every processing of a ``.pth`` file, in order (a file processed twice appears twice)."""
    files = []
    for record in (site_data or {}).get("pth_files") or ():
        lines = tuple(
            PthLine(line["number"], line["text"], line["kind"], line["outcome"], line.get("path"))
            for line in record.get("lines") or ()
        )
        files.append(
            PthFile(
                record["path"],
                record["sitedir"],
                int(record.get("occurrence") or 1),
                lines,
                tuple(record.get("added") or ()),
                tuple(record.get("imported") or ()),
                record.get("error"),
            )
        )
    return files


def pth_notes(files: list[PthFile], site_data: Mapping[str, Any] | None) -> list[str]:
    """What to know about the ``.pth`` files: processed twice (3.11-3.13 venvs), or skipped."""
    notes = []
    twice = sorted({p.path for p in files if p.occurrence > 1})
    if twice:
        notes.append(
            ("1 .pth file was" if len(twice) == 1 else f"{len(twice)} .pth files were")
            + " processed twice: site.venv() and site.main() both add the "
            "venv's site-packages (CPython gh-75723); import lines ran twice, paths were added once"
        )
    skipped = sorted(
        {
            os.path.join(e["args"][0], name)
            for e in (site_data or {}).get("events") or ()
            if e.get("skipped_pth") and e.get("args")
            for name in e["skipped_pth"]
        }
    )
    for path in skipped:
        name = os.path.basename(path)
        if name.startswith(".") and name.endswith(".start"):
            notes.append(
                f"site did not process {path}: site skips .start files (PEP 829) whose names start "
                "with '.', as it skips such .pth files"
            )
        elif name.startswith("."):
            notes.append(
                f"site did not process {path}: since 3.13 (and security releases from 2024), "
                "site skips .pth files whose names start with '.'"
            )
        else:
            notes.append(f"site did not process {path}")
    return notes


def site_steps(site_data: Mapping[str, Any] | None) -> tuple[SiteStep, ...]:
    """Each call of a ``site`` function, with its nesting depth and what it added."""
    return tuple(
        SiteStep(
            e["function"],
            tuple(_short(a) for a in e.get("args") or ()),
            int(e.get("depth") or 0),
            tuple(e.get("added") or ()),
            None if e.get("result") is None else _short(e.get("result")),
            e.get("error"),
        )
        for e in (site_data or {}).get("events") or ()
    )


def _short(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_short(v) for v in value) if value else "[]"
    return "None" if value is None else str(value)
