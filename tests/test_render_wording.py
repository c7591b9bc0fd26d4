"""Smaller wording and styling fixes of issue 14: plurals, what the header counts, the missing
``python3X.zip`` entry shown as absent (not an error), a name that is nowhere said in one line."""

from __future__ import annotations

import re

import pytest

from pyenvlab import render
from pyenvlab.candidates import Candidates
from pyenvlab.interpreter.site_stage import pth_notes
from pyenvlab.model import ModuleRecord, Visit
from pyenvlab.render._table import CSS
from pyenvlab.render.trace_views.wording import scan_story, summary
from tests import render_fixtures as fx

ZIP = "/usr/lib/python312.zip"


def test_one_entry_is_singular() -> None:
    sub = ModuleRecord(
        "json.decoder",
        "/lib/json/decoder.py",
        "PathFinder",
        searched=(Visit("/lib/json", "FileFinder", "hit"),),
    )
    story = scan_story(sub)
    assert "searched 1 entry of the parent package's __path__" in story, story
    assert "1 entries" not in story


def test_no_hard_coded_plurals_are_left_in_the_renderers() -> None:
    from pathlib import Path

    import pyenvlab

    root = Path(pyenvlab.__file__).parent
    pattern = re.compile(r"(?<![\w.])[a-z]+\(s\)|\{'s' if|\{\"s\" if")  # "file(s)", not "_short(s)"
    found = [
        f"{path.relative_to(root)}:{number}: {line.strip()}"
        for folder in ("render", "interpreter", "jupyter", "anatomy")
        for path in sorted((root / folder).rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line) and "view option(s)" not in line
    ]
    assert not found, "\n".join(found)


def test_a_note_about_one_pth_file_is_singular() -> None:
    from pyenvlab.interpreter.records import PthFile

    notes = pth_notes([PthFile("/sp/zz.pth", "/sp", 2, ())], None)
    assert notes[0].startswith("1 .pth file was processed twice"), notes


def test_the_header_says_what_its_count_counts() -> None:
    trace = fx.json_trace()
    visits = sum(len(m.searched) for m in trace.modules)
    searches = sum(1 for m in trace.modules if m.searched)
    assert f"{visits} search-path entries visited by {searches} searches" in summary(trace)
    # the scan table of json shows one of those searches: its own count is in its own sentence
    assert "json (package): searched 5 of 7 entries" in render.text(trace, width=100, color=False)


def test_the_missing_stdlib_zip_is_absent_not_an_error() -> None:
    trace = fx.json_trace()
    colored = render.text(trace, width=100, color=True)
    row = next(line for line in colored.splitlines() if ZIP in line)
    assert "absent" in row and "no finder" not in row
    assert "\x1b[31m" not in row and "\x1b[33m" not in row  # neither red nor yellow: dim
    assert "\x1b[2m" in row
    html = render.html(trace)
    assert re.search(rf'<tr class="no-finder"><td>4</td><td>{re.escape(ZIP)}</td>', html)
    rule = re.search(r"\.pyenvlab tr\.no-finder td\{([^}]*)\}", CSS)
    assert rule and "#ffd0d0" not in rule.group(1) and "background" not in rule.group(1)
    pytest.importorskip("graphviz")
    from pyenvlab.render._graph import COLORS

    scan = render.dot(trace, module="json").source
    node = next(line for line in scan.splitlines() if ZIP in line)
    assert "absent" in node and COLORS["error"] not in node and COLORS["error_line"] not in node


def test_a_name_found_nowhere_is_one_line_saying_where_it_looked() -> None:
    found = Candidates("nonexistent_xyz", searched=("/work", ZIP, "/usr/lib/python3.12"))
    text = render.text(found, width=200, color=False)
    assert text.count("\n") == 0
    assert "nonexistent_xyz: no provider found in the 3 search-path entries looked at" in text
    assert "/usr/lib/python3.12" in text and "ModuleNotFoundError" in text
    html = render.html(found)
    assert "<table" not in html, "an empty table says nothing"
    assert "3 search-path entries looked at" in html
    from pyenvlab import where

    assert where("nonexistent_xyz", path=["/nowhere"]).searched == ("/nowhere",)
