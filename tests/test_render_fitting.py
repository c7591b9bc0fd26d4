"""Terminal tables at 80 columns keep what matters (issue 14).

Paths keep their end (the file name and the last directories) and lose their start; prose
columns fold at spaces before any path is cut, and never lose a word. Each view is rendered at
width 80 from records with real-looking long paths (a pyenv interpreter's stdlib and
site-packages), and every line must fit (display width) while every path's file name shows
whole, as a complete component: ``…/python3.11/os.py``, never ``/r…__.py``.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

import pytest

from pyenvlab import render
from pyenvlab.candidates import Candidates
from pyenvlab.interpreter.records import (
    PathEntry,
    PathReport,
    PthFile,
    PthLine,
    SiteStep,
    StartupProbe,
    StartupTrace,
)
from pyenvlab.model import Candidate, Trace
from pyenvlab.render._table import display_width, text_table
from tests import render_fixtures as fx

WIDTH = 80
BASE = "/root/.pyenv/versions/3.11.7"
STDLIB = f"{BASE}/lib/python3.11"
SITE = f"{STDLIB}/site-packages"
VENV = "/root/projects/workshop-2026/.venv"
VENV_SITE = f"{VENV}/lib/python3.11/site-packages"


def assert_fits(out: str, width: int = WIDTH) -> None:
    too_wide = [line for line in out.splitlines() if display_width(line) > width]
    assert not too_wide, "\n".join(too_wide)


def assert_names_whole(out: str, paths: list[str]) -> None:
    """Each path's file name appears as a whole component (after ``/``, ``…`` or a space, and
    followed by the end of the cell)."""
    for path in paths:
        name = PurePosixPath(path).name
        pattern = re.compile(rf"(^|[/\u2026 ]){re.escape(name)}($| )", re.MULTILINE)
        assert pattern.search(out), f"{name} (of {path}) is not shown whole:\n{out}"


def where_candidates() -> Candidates:
    return Candidates(
        "requests",
        [
            Candidate(
                "requests", VENV_SITE, f"{VENV_SITE}/requests/__init__.py", "package", True, "FileFinder"
            ),
            Candidate("requests", SITE, f"{SITE}/requests/__init__.py", "package", False, "FileFinder"),
            Candidate(
                "requests",
                f"{STDLIB}/lib-dynload",
                f"{STDLIB}/lib-dynload/requests.py",
                "module",
                False,
                "FileFinder",
            ),
        ],
    )


def test_where_keeps_the_file_names_at_80_columns() -> None:
    out = render.text(where_candidates(), width=WIDTH, color=False)
    assert_fits(out)
    assert_names_whole(out, [f"{VENV_SITE}/requests/__init__.py", f"{STDLIB}/lib-dynload/requests.py"])
    assert "site-packages" in out  # the entries keep their end too
    assert "/r\u2026" not in out  # (it was "/r…__.py")


def path_report() -> PathReport:
    return PathReport(
        python="3.11.7",
        executable=f"{VENV}/bin/python",
        entries=(
            PathEntry("", "current directory ('' for python -c and the REPL)", True),
            PathEntry(f"{BASE}/lib/python311.zip", "stdlib zip", False),
            PathEntry(STDLIB, "stdlib", True),
            PathEntry(f"{STDLIB}/lib-dynload", "lib-dynload", True),
            PathEntry(VENV_SITE, "site-packages (venv)", True),
            PathEntry(f"{VENV}/src/workshop_helpers", ".pth __editable__.workshop_helpers-0.1.pth:1", True),
        ),
    )


def test_path_keeps_the_file_names_at_80_columns() -> None:
    report = path_report()
    out = render.text(report, width=WIDTH, color=False)
    assert_fits(out)
    assert_names_whole(out, [e.path for e in report.entries if e.path])
    assert "python311.zip" in out  # (it was "/r…ython311.zip")
    # the prose column folds at spaces: every word whole
    words = "current directory ('' for python -c and the REPL)"
    assert set(words.split()) <= set(out.split())


def startup_trace() -> StartupTrace:
    probes = (
        StartupProbe("readlines", f"{VENV}/pyvenv.cfg", True, None, "pyvenv.cfg", "venv"),
        StartupProbe("isfile", f"{BASE}/lib/python311.zip", False, None, "stdlib zip"),
        StartupProbe("isfile", f"{STDLIB}/os.py", True, None, "stdlib landmark", "prefix"),
        StartupProbe("isdir", f"{STDLIB}/lib-dynload", True, None, "lib-dynload landmark", "exec_prefix"),
    )
    pth = f"{VENV_SITE}/__editable__.workshop_helpers-0.1.pth"
    steps = (
        SiteStep("venv", (VENV,), 0),
        SiteStep("addsitepackages", (VENV,), 1, added=(VENV_SITE,)),
        SiteStep("getsitepackages", (VENV,), 2, result=f"['{VENV_SITE}']"),
        SiteStep("addsitedir", (VENV_SITE,), 2, added=(VENV_SITE,)),
        SiteStep("addpackage", (VENV_SITE, "__editable__.workshop_helpers-0.1.pth"), 3),
        SiteStep("addpackage", (VENV_SITE, "distutils-precedence.pth"), 3),
    )
    return StartupTrace(
        python="3.11.7",
        interpreter=f"{VENV}/bin/python",
        argv0=f"{VENV}/bin/python",
        command=(f"{VENV}/bin/python",),
        cwd="/root/projects/workshop-2026",
        method="getpath",
        probes=probes,
        prefix=VENV,
        exec_prefix=VENV,
        base_prefix=BASE,
        base_exec_prefix=BASE,
        executable=f"{VENV}/bin/python",
        venv=f"{VENV}/pyvenv.cfg",
        sys_path=path_report().entries,
        pth_files=(
            PthFile(pth, VENV_SITE, 1, (PthLine(1, f"{VENV}/src/workshop_helpers", "path", "added"),)),
        ),
        site_steps=steps,
        verified=True,
        code_source="_testinternalcapi",
    )


def test_startup_keeps_file_names_and_whole_words_at_80_columns() -> None:
    trace = startup_trace()
    out = render.text(trace, width=WIDTH, color=False)
    assert_fits(out)
    assert_names_whole(out, [p.path for p in trace.probes] + [e.path for e in trace.sys_path if e.path])
    words = "nothing added (see the .pth files below)"  # (it was "not… below)")
    assert set(words.split()) <= set(out.split())
    assert "returned" in out.split()  # (it was "ret…ackages")
    assert "\u2026ackages" not in out


def site_packages_trace() -> Trace:
    entries = ("", f"{BASE}/lib/python311.zip", STDLIB, f"{STDLIB}/lib-dynload", VENV_SITE)
    modules = (
        fx.module(
            "requests",
            entries,
            VENV_SITE,
            "requests/__init__.py",
            by=None,
            seconds=0.02,
            start=0.0,
            package=True,
        ),
        fx.module(
            "requests.adapters",
            (f"{VENV_SITE}/requests",),
            f"{VENV_SITE}/requests",
            "adapters.py",
            by="requests",
            seconds=0.01,
            start=0.001,
        ),
        fx.module(
            "charset_normalizer",
            entries,
            VENV_SITE,
            "charset_normalizer/__init__.py",
            by="requests",
            seconds=0.005,
            start=0.002,
            package=True,
        ),
    )
    return Trace(
        modules=modules,
        statements=(),
        sys_path=entries,
        python="3.11.7",
        executable=f"{VENV}/bin/python",
        code="import requests",
    )


def test_trace_tables_keep_file_names_at_80_columns() -> None:
    trace = site_packages_trace()
    out = render.text(trace, width=WIDTH, color=False)
    assert_fits(out)
    assert_names_whole(out, [f"{VENV_SITE}/requests/adapters.py", VENV_SITE, f"{BASE}/lib/python311.zip"])
    # a probe is folded after a "/", never inside the file name (it was "__init__.p" / "y ✓")
    assert re.search("(^|[/ ])__init__\\.py\u00a0\u2713", out, re.MULTILINE), out


@pytest.mark.parametrize("width", [40, 60, 80, 100])
def test_no_table_line_is_wider_than_asked(width: int) -> None:
    rows = [[str(i), f"{SITE}/pkg{i}/module_{i}.py", "a sentence of several words " * 3] for i in range(5)]
    out = text_table(["#", "path", "why"], rows, width=width)
    assert_fits(out, width)
    assert_names_whole(out, [r[1] for r in rows])
    assert all(word in out.split() for word in ("sentence", "several", "words"))


def test_prose_between_tables_folds_at_spaces() -> None:
    from pyenvlab.render._table import fit_lines

    line = f"  prefix = {BASE}: the first landmark found was {STDLIB}/os.py."
    out = fit_lines(line, WIDTH)
    assert_fits(out)
    assert " ".join(out.split()) == line.strip()
