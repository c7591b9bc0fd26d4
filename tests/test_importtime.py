"""`python -X importtime` logs in and out: Trace.from_importtime, render.importtime, the CLI.

Real logs come from every pyenv CPython 3.10-3.13 present; 3.14's ``-X importtime=2`` lines are
not produced by any native interpreter here (3.14 runs only in Pyodide, where there is no
``-X``), so those are tested on the form CPython prints (gh-102567).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import pyenvlab
from pyenvlab.errors import TraceFormatError
from pyenvlab.importtime import looks_like_importtime
from pyenvlab.model import derive_self_seconds
from pyenvlab.render.trace_views.load_tree import load_parents
from tests.test_cli_trace import cli

CODE = "import json, email.mime.text, sys; print(' '.join(sorted(sys.modules)))"

#: a -X importtime=2 log: cache hits at the level of the loads their importer would start
LOG2 = """\
import time: self [us] | cumulative | imported package
import time: cached    | cached     |   _io
import time: cached    | cached     |   os
import time: cached    | cached     |   enum
import time: cached    | cached     |     _io
import time: cached    | cached     |     re
import time:       151 |        151 |     _wmi
import time:     18290 |      18440 |   platform
import time:       372 |        372 |   _uuid
import time:     10955 |      29766 | uuid
"""


def real_log(python: str, tmp_path: Path) -> tuple[str, set[str]]:
    """The stderr of ``python -X importtime -I -S -c CODE`` (no site: no sandbox .pth) and the
    modules it ended with."""
    result = subprocess.run(
        [python, "-X", "importtime", "-I", "-S", "-c", CODE],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=True,
    )
    return result.stderr, set(result.stdout.split())


def test_real_logs_read_exactly_and_write_back_byte_for_byte(pyenv_interpreter: str, tmp_path: Path) -> None:
    log, loaded = real_log(pyenv_interpreter, tmp_path)
    trace = pyenvlab.Trace.from_importtime(log)
    lines = log.splitlines()[1:]
    assert len(trace.modules) == len(lines) > 30
    names = {m.name for m in trace.modules}
    assert {"json", "email.mime.text", "encodings"} <= names <= loaded  # every line a load
    # each line's numbers, exactly, and its parent is the next line with less indentation
    by_name = {m.name: m for m in trace.modules}
    for index, line in enumerate(lines):
        own, cum, rest = line.removeprefix("import time:").split("|")
        record = by_name[rest.strip()]
        assert (record.self_seconds, record.seconds) == (int(own) / 1e6, int(cum) / 1e6)
        depth = (len(rest) - len(rest.lstrip(" ")) - 1) // 2
        parent = next(
            (
                later.split("|")[2].strip()
                for later in lines[index + 1 :]
                if (len(later.split("|")[2]) - len(later.split("|")[2].lstrip(" ")) - 1) // 2 < depth
            ),
            None,
        )
        assert record.imported_by == parent, line
    # the first-load order puts every importer before what it imported
    order = {m.name: i for i, m in enumerate(trace.modules)}
    assert all(order[m.imported_by] < order[m.name] for m in trace.modules if m.imported_by)
    # the laid-out start times nest the loads as the log does
    derived = derive_self_seconds(trace.modules)
    for record, own in zip(trace.modules, derived, strict=True):
        children = sum(m.seconds for m in trace.modules if m.imported_by == record.name)
        assert own == pytest.approx(max(record.seconds - children, 0.0), abs=1e-9)
    assert pyenvlab.render.importtime(trace) == log
    # and a trace read from a log survives the JSON format
    assert pyenvlab.Trace.from_json(trace.to_json()) == trace


def test_importtime2_cache_hits_become_statements_of_the_enclosing_load() -> None:
    trace = pyenvlab.Trace.from_importtime(LOG2)
    assert [m.name for m in trace.modules] == ["uuid", "platform", "_wmi", "_uuid"]
    assert trace.module("_wmi").imported_by == "platform"
    assert [(s.name, s.importer, s.cached) for s in trace.statements] == [
        ("_io", "uuid", True),
        ("os", "uuid", True),
        ("enum", "uuid", True),
        ("_io", "platform", True),
        ("re", "platform", True),
    ]
    assert trace.seconds == pytest.approx(0.029766)
    assert pyenvlab.render.importtime(trace, cached=True) == LOG2
    plain = pyenvlab.render.importtime(trace)
    assert "cached" not in plain and plain.count("\n") == 5


def test_a_recorded_trace_opens_as_a_log(tmp_path: Path) -> None:
    trace = pyenvlab.trace_import("import json, email.mime.text, decimal", cwd=tmp_path)
    log = pyenvlab.render.importtime(trace, cached=True)
    back = pyenvlab.Trace.from_importtime(log)
    ours = [m for m in trace.modules if not m.reloaded]
    assert sorted(m.name for m in back.modules) == sorted(m.name for m in ours)
    loaded = {m.name for m in ours}
    # nested as the loads ran: `email` inside the load of `email.mime.text`, as CPython prints it
    parents = load_parents(trace.modules)
    ran_inside = {
        m.name: trace.modules[p].name if p is not None else None
        for m, p in zip(trace.modules, parents, strict=True)
    }
    assert back.module("email.mime").imported_by == ran_inside["email.mime"] == "email.mime.text"
    assert back.module("email").imported_by == ran_inside["email"] == "email.mime"
    assert trace.module("email").imported_by == "__main__"
    for theirs in back.modules:
        mine = trace.module(theirs.name)
        assert theirs.imported_by == ran_inside[mine.name]
        assert theirs.seconds == pytest.approx(mine.seconds, abs=1e-6)
        assert theirs.self_seconds == pytest.approx(mine.self_seconds, abs=1e-6)

    def hits(t: pyenvlab.Trace) -> list[tuple[str, str | None]]:
        return sorted(
            (
                (s.name, s.importer if s.importer in loaded else None)
                for s in t.statements
                if s.cached
                for _ in range(s.count)
            ),
            key=str,
        )

    assert hits(back) == hits(trace) and hits(trace)
    assert pyenvlab.render.importtime(back, cached=True) == log


def test_names_stay_on_one_line() -> None:
    trace = pyenvlab.Trace.from_importtime(LOG2)
    hostile = pyenvlab.model.ModuleRecord("evil\nimport time:     1 |      1 | x", None, None, seconds=1e-6)
    from pyenvlab._records import replace

    log = pyenvlab.render.importtime(replace(trace, modules=(*trace.modules, hostile)))
    assert log.count("\n") == 6 and "evil\\nimport" in log
    assert len(pyenvlab.Trace.from_importtime(log).modules) == 5


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("", "line 1"),
        ("hello\n", "line 1"),
        (
            "import time: self [us] | cumulative | imported package\nTraceback (most recent call last):\n",
            "line 2",
        ),
        ("import time:        12 |  x | json\n", "line 1"),
        ("import time:        12 |         10 | json\n", "line 1"),  # self > cumulative
        ("import time:         1 |          1 |  json\n", "line 1"),  # odd indentation
        ("import time: cached    |         10 | json\n", "line 1"),
        (
            "import time:         1 |          1 |     deep\nimport time:         2 |          2 | top\n",
            "line 2",
        ),
        ("import time:         1 |          1 |   orphan\n", "end"),
        ('{"format": "pyenvlab.trace"}', "line 1"),
    ],
)
def test_anything_else_raises_one_line_naming_where(text: str, where: str) -> None:
    with pytest.raises(TraceFormatError) as info:
        pyenvlab.Trace.from_importtime(text)
    message = str(info.value)
    assert message.startswith(where + ":") and "\n" not in message


def test_sniffing() -> None:
    assert looks_like_importtime("\n" + LOG2)
    assert not looks_like_importtime('{"format": "pyenvlab.trace"}')
    assert not looks_like_importtime("")


def test_cli_loads_logs_and_writes_them(tmp_path: Path) -> None:
    log, _ = real_log(sys.executable, tmp_path)
    (tmp_path / "prod.log").write_text(log)
    shown = cli("trace", "--load", str(tmp_path / "prod.log"), "--width", "80")
    assert shown.returncode == 0, shown.stderr
    assert "email.mime.text" in shown.stdout and "a python -X importtime log" in shown.stdout
    out = tmp_path / "json.log"
    written = cli("trace", "json", "--importtime", str(out), "--importtime-cached", cwd=tmp_path)
    assert written.returncode == 0, written.stderr
    back = pyenvlab.Trace.from_importtime(out.read_text())
    assert "json" in back.loaded and any(s.cached for s in back.statements)
    # a report from a log, and bad logs as one line with status 2
    report = cli("report", "--load", str(tmp_path / "prod.log"), "-o", str(tmp_path / "r.html"))
    assert report.returncode == 0, report.stderr
    (tmp_path / "bad.log").write_text("import time: self [us] | cumulative | imported package\noops\n")
    bad = cli("trace", "--load", str(tmp_path / "bad.log"))
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "line 2" in bad.stderr
    missing = cli("trace", "json", "--importtime", str(tmp_path / "no" / "dir.log"), cwd=tmp_path)
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1 and "cannot write" in missing.stderr
    assert json.loads(pyenvlab.Trace.from_importtime(log).to_json())["format"] == "pyenvlab.trace"
