"""Hypothesis fuzzing: hostile path and module names through every renderer, and CLI arguments.

The fixed hostile names live in tests/test_render_trace.py; here hypothesis invents them
(control characters, markup, quotes, backslashes, any Unicode) and checks that every output
stays well-formed: terminal text without control characters, HTML whose only elements are
pyenvlab's own, DOT that Graphviz parses into an SVG that XML parses.
"""

from __future__ import annotations

import contextlib
import io
import shutil
import subprocess
import unicodedata
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import pyenvlab
from pyenvlab.cli import build_parser, main
from pyenvlab.model import ModuleRecord, Probe, Statement, Trace, Visit

names = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",))
    | st.sampled_from(list("<>&\"'\\\n\t\x1b\x00/;="))
    # undecodable bytes of a file name, 8-bit CSI, zero-width and bidi characters, soft hyphen
    | st.sampled_from(list("\udcff\udc9b\udc80\x9b\u200b\u200d\u2060\ufeff\u061c\u00ad\u202e")),
    min_size=1,
    max_size=24,
)

#: what must never reach a terminal as it is (newline aside, which ends a line of our own)
UNSHOWABLE = ("Cc", "Cf", "Cs", "Zl", "Zp")


def make_trace(parts: list[str]) -> Trace:
    entries = tuple(f"/tmp/{p}" for p in parts)
    modules = []
    for index, name in enumerate(parts):
        entry = entries[index]
        modules.append(
            ModuleRecord(
                name,
                f"{entry}/{name}.py",
                "PathFinder",
                searched=(
                    *(Visit(e, "FileFinder", "miss") for e in entries[:index]),
                    Visit(entry, "FileFinder", "hit"),
                ),
                probes=(Probe(f"{entry}/{name}.py", "isfile", True, entry),),
                imported_by=parts[index - 1] if index else "__main__",
                error=name if index == 2 else None,
                seconds=0.001,
            )
        )
    return Trace(
        python="3.12.1",
        executable=parts[0],
        sys_path=entries,
        modules=tuple(modules),
        statements=tuple(Statement(p, parts[0], cached=True, count=3) for p in parts),
        code=parts[0],
    )


class Elements(HTMLParser):
    """Collects element names and attribute names."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.attributes: set[str] = set()
        self.count = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.count += 1
        self.tags.add(tag)
        self.attributes.update(name for name, _ in attrs)


def elements(html: str) -> Elements:
    parser = Elements()
    parser.feed(html)
    parser.close()
    return parser


BENIGN = elements(pyenvlab.render.html(make_trace(["alpha", "beta", "gamma"])))


def same_shape(parts: list[str]) -> list[str]:
    """Benign names with the structure of ``parts``: each dot-separated piece replaced by a
    plain identifier, the same piece by the same one. A dotted name is a submodule (searched in
    its parent's ``__path__``, without the rest of ``sys.path`` as "not reached" rows), so
    ``'0.x'`` has another shape than ``'name0'``: replacing it by an undotted name (as this test
    once did) compares with a trace of another shape."""
    pieces: dict[str, str] = {}
    return [".".join(pieces.setdefault(p, f"n{len(pieces)}") for p in part.split(".")) for part in parts]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@example(parts=[".", "0", "00"])  # a submodule of "": the shape the old comparison got wrong
@example(parts=["a", "a.b", "\udcff\u200b", "x\u202e.y"])  # surrogates and format characters
@given(st.lists(names, min_size=3, max_size=4, unique=True))
def test_text_and_html_stay_well_formed(parts: list[str]) -> None:
    trace = make_trace(parts)
    text = pyenvlab.render.text(trace, width=100, color=False)
    shown = [c for c in text if c != "\n" and unicodedata.category(c) in UNSHOWABLE]
    assert not shown, f"control or format characters reached the terminal: {shown!r}"
    html = pyenvlab.render.html(trace)
    html.encode("utf-8")  # no lone surrogate: the page can be written and served
    found = elements(html)
    benign = elements(pyenvlab.render.html(make_trace(same_shape(parts))))
    assert found.count == benign.count, "user text added or removed elements"
    assert found.tags <= BENIGN.tags, f"user text became markup: {found.tags - BENIGN.tags}"
    assert found.attributes <= BENIGN.attributes
    assert not any(a.startswith("on") for a in found.attributes)


@pytest.mark.exe
@pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz's dot")
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(names, min_size=3, max_size=3, unique=True))
def test_dot_renders_to_svg_that_parses(parts: list[str]) -> None:
    trace = make_trace(parts)
    for graph in (pyenvlab.render.dot(trace), pyenvlab.render.dot(trace, module=parts[1])):
        done = subprocess.run(["dot", "-Tsvg"], input=graph.source.encode(), capture_output=True, check=False)
        assert done.returncode == 0, done.stderr.decode(errors="replace")
        root = ET.fromstring(done.stdout)
        assert root.tag.endswith("svg")
        assert not any(el.tag.endswith("script") for el in root.iter())


VOCABULARY = [
    "where",
    "trace",
    "report",
    "startup",
    "path",
    "doctor",
    "deps",
    "abi",
    "env",
    "--help",
    "-c",
    "--python",
    "--path",
    "--json",
    "--load",
    "--width",
    "--color",
    "--no-color",
    "--candidates",
    "--bogus",
    "-o",
    "json",
    "",
    "-",
    "--",
    "\x00",
    "é",
    "a..b",
    "-1",
    "999999",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(VOCABULARY) | st.text(max_size=6), max_size=5))
def test_cli_parser_only_ever_exits_cleanly(argv: list[str]) -> None:
    """Any argument list: argparse either parses it or exits with status 0 (help) or 2."""
    parser = build_parser()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        try:
            parser.parse_args(argv)
        except SystemExit as exc:
            assert exc.code in (0, 2)  # noqa: PT017 - parsing may also succeed


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=30))
def test_where_command_with_any_name(name: str) -> None:
    """`where` with any text: a table (0/1) or one line of error (2), never a traceback."""
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        try:
            status = main(["where", "--", name])
        except SystemExit as exc:
            status = exc.code
    assert status in (0, 1, 2)
    assert "Traceback" not in err.getvalue()
