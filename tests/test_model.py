"""The trace model: JSON round trips, and validation that names the bad field."""

from __future__ import annotations

import json
import sys

import pytest

import pyenvlab
from pyenvlab.model import Candidate, ModuleRecord, Probe, Statement, Trace, Visit, module_kind


def sample() -> Trace:
    return Trace(
        python="3.12.1",
        executable="/usr/bin/python3",
        sys_path=("", "/lib/python3.12"),
        modules=(
            ModuleRecord(
                name="json",
                origin="/lib/python3.12/json/__init__.py",
                finder="PathFinder",
                searched=(
                    Visit("", "FileFinder", "miss"),
                    Visit("/lib/python3.12", "FileFinder", "hit", created=True),
                ),
                probes=(Probe("/lib/python3.12/json/__init__.py", "isfile", True, "/lib/python3.12"),),
                imported_by="__main__",
                seconds=0.001,
                search_locations=("/lib/python3.12/json",),
            ),
        ),
        statements=(
            Statement("json", "__main__", cached=False),
            Statement("sys", "json", cached=True, count=3),
        ),
    )


def test_round_trip_is_exact() -> None:
    t = sample()
    text = t.to_json()
    data = json.loads(text)
    assert data["format"] == "pyenvlab.trace" and data["version"] == 2
    assert Trace.from_json(text) == t


def test_version_1_documents_still_load() -> None:
    data = json.loads(sample().to_json())
    data["version"] = 1
    del data["stdlib_names"]
    old = Trace.from_json(json.dumps(data))
    assert old.stdlib_names == () and old.modules == sample().modules


def test_a_trace_carries_the_traced_interpreters_stdlib_names() -> None:
    with pyenvlab.trace() as t:
        pass
    assert set(t.stdlib_names) == set(sys.stdlib_module_names)


def test_a_real_trace_round_trips() -> None:
    t = pyenvlab.trace_import("import email.mime.text", candidates=True)
    assert Trace.from_json(t.to_json()) == t
    assert len(t.modules) > 10


def test_save_and_load(tmp_path) -> None:
    t = sample()
    path = t.save(tmp_path / "t.json")
    assert Trace.load(path) == t


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda d: d.pop("modules"), "$"),
        (lambda d: d.update(format="other"), "$.format"),
        (lambda d: d.update(version=99), "$.version"),
        (lambda d: d.update(version="1"), "$.version"),
        (lambda d: d.update(python=3), "$.python"),
        (lambda d: d["modules"][0].update(origin=5), "$.modules[0].origin"),
        (
            lambda d: d["modules"][0]["searched"][1].update(outcome="maybe"),
            "$.modules[0].searched[1].outcome",
        ),
        (lambda d: d["modules"][0]["probes"][0].update(found="yes"), "$.modules[0].probes[0].found"),
        (lambda d: d["modules"][0].update(seconds=True), "$.modules[0].seconds"),
        (lambda d: d["statements"][1].update(count=1.5), "$.statements[1].count"),
        (lambda d: d["modules"][0].update(extra=1), "$.modules[0]"),
        (lambda d: d.update(modules={}), "$.modules"),
        (lambda d: d["modules"].append("x"), "$.modules[1]"),
    ],
)
def test_bad_documents_name_the_offending_field(mutate, field: str) -> None:
    data = json.loads(sample().to_json())
    mutate(data)
    with pytest.raises(pyenvlab.TraceFormatError) as info:
        Trace.from_json(json.dumps(data))
    assert info.value.field == field


@pytest.mark.parametrize(
    "text", ["", "{", "[1, 2]", "null", '{"format": "pyenvlab.trace"', "NaN", "\x00", "[" * 100000]
)
def test_not_json_or_truncated(text: str) -> None:
    with pytest.raises(pyenvlab.TraceFormatError):
        Trace.from_json(text)


def test_truncated_real_trace() -> None:
    text = sample().to_json()
    for cut in range(0, len(text), 7):
        with pytest.raises(pyenvlab.TraceFormatError):
            Trace.from_json(text[:cut])


def test_module_kinds() -> None:
    assert module_kind("built-in", None) == "builtin"
    assert module_kind("frozen", None) == "frozen"
    assert module_kind(None, ("/a/ns",)) == "namespace"
    assert module_kind("/a/p/__init__.py", ("/a/p",)) == "package"
    assert module_kind("/a/m.cpython-312-x86_64-linux-gnu.so", None, "ExtensionFileLoader") == "extension"
    assert module_kind("/a/m.py", None, "SourceFileLoader") == "module"


def test_candidate_is_a_record() -> None:
    c = Candidate("json", "/lib", "/lib/json/__init__.py", "package", wins=True)
    assert c.wins and c.kind == "package"


def _outermost(modules: tuple) -> list:
    """Loads not nested in time inside another load of the same thread."""
    out = []
    for m in modules:
        inside = any(
            o is not m
            and o.thread == m.thread
            and o.start <= m.start
            and m.start + m.seconds <= o.start + o.seconds
            and (o.start, -o.seconds) < (m.start, -m.seconds)
            for o in modules
        )
        if not inside:
            out.append(m)
    return out


def test_self_seconds_add_up_to_the_outermost_loads() -> None:
    t = pyenvlab.trace_import("import email.mime.text, json, decimal, xml.dom.minidom")
    assert all(0.0 <= m.self_seconds <= m.seconds for m in t.modules)
    total_self = sum(m.self_seconds for m in t.modules)
    total_outer = sum(m.seconds for m in _outermost(t.modules))
    assert abs(total_self - total_outer) <= 1e-9 * len(t.modules) + 1e-12
    assert any(m.self_seconds < m.seconds for m in t.modules)  # some load did nest others


def test_traces_saved_without_self_seconds_get_them_derived() -> None:
    t = pyenvlab.trace_import("import email.mime.text, json")
    data = json.loads(t.to_json())
    for module in data["modules"]:
        del module["self_seconds"]
    data["version"] = 1
    del data["stdlib_names"]
    old = Trace.from_json(json.dumps(data))
    assert [m.name for m in old.modules] == [m.name for m in t.modules]
    for derived, exact in zip(old.modules, t.modules, strict=True):
        assert abs(derived.self_seconds - exact.self_seconds) <= 1e-9, derived.name
