"""Stress and fuzz: many threads under one trace; hostile JSON for Trace.from_json."""

from __future__ import annotations

import importlib
import json
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pyenvlab
from pyenvlab.model import Trace

THREADS = 16
PER_THREAD = 30


@pytest.fixture
def many_modules(tmp_path: Path) -> Iterator[list[list[str]]]:
    """16 groups of 30 modules; each imports a shared module and a private helper package."""
    root = str(tmp_path)
    groups = []
    (tmp_path / "pel_shared.py").write_text("import colorsys\n")
    for t in range(THREADS):
        package = tmp_path / f"pel_s{t}"
        package.mkdir()
        (package / "__init__.py").write_text("")
        (package / "helper.py").write_text("import pel_shared\n")
        names = []
        for i in range(PER_THREAD):
            (package / f"m{i}.py").write_text(f"from . import helper\nimport pel_shared\nN = {i}\n")
            names.append(f"pel_s{t}.m{i}")
        groups.append(names)
    sys.path.insert(0, root)
    try:
        yield groups
    finally:
        sys.path.remove(root)
        sys.path_importer_cache.pop(root, None)
        for name in [n for n in sys.modules if n.startswith("pel_s")]:
            del sys.modules[name]


def test_sixteen_threads_hundreds_of_modules(many_modules: list[list[str]]) -> None:
    barrier = threading.Barrier(THREADS)
    failures: list[BaseException] = []

    def work(names: list[str]) -> None:
        try:
            barrier.wait()
            for name in names:
                assert int(name.rsplit("m", 1)[1]) == importlib.import_module(name).N
        except BaseException as exc:
            failures.append(exc)

    threads = [
        threading.Thread(target=work, args=(g,), name=f"worker-{i}") for i, g in enumerate(many_modules)
    ]
    with pyenvlab.trace() as t:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "deadlock"
    assert not failures
    assert not t.errors
    loads = [m.name for m in t.modules if m.name.startswith("pel_s")]
    assert len(loads) == len(set(loads)), "a module recorded twice"
    expected = {n for g in many_modules for n in g} | {f"pel_s{i}" for i in range(THREADS)}
    expected |= {f"pel_s{i}.helper" for i in range(THREADS)} | {"pel_shared"}
    assert set(loads) == expected, "a load was lost"
    for i, group in enumerate(many_modules):
        for name in group:
            record = t.module(name)
            assert record.thread == f"worker-{i}"
            assert record.error is None
            assert record.hit is not None and record.hit.entry.endswith(f"pel_s{i}")
    shared_hits = sum(s.count for s in t.statements if s.name == "pel_shared" and s.cached)
    shared_first = [s for s in t.statements if s.name == "pel_shared" and not s.cached]
    # 30 modules + 1 helper per thread ask for pel_shared; all but the first asks are cache
    # hits, except that a thread may ask while another is still loading it (then it waits).
    assert shared_hits + len(shared_first) >= THREADS * (PER_THREAD + 1) - THREADS


def _valid_document() -> dict:
    return json.loads(
        Trace(
            python="3.12.1",
            executable="/usr/bin/python3",
            sys_path=("",),
            modules=(),
            statements=(),
        ).to_json()
    )


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=200))
def test_from_json_on_arbitrary_text_raises_only_trace_format_error(text: str) -> None:
    try:
        Trace.from_json(text)
    except pyenvlab.TraceFormatError:
        pass


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(["python", "executable", "sys_path", "modules", "statements", "errors", "seconds", "x"]),
    json_values,
)
def test_from_json_on_mutated_documents(field: str, value: object) -> None:
    document = _valid_document()
    document[field] = value
    try:
        trace = Trace.from_json(json.dumps(document))
    except pyenvlab.TraceFormatError as exc:
        assert exc.field.startswith("$")  # noqa: PT017 - either outcome is valid here
    else:
        assert Trace.from_json(trace.to_json()) == trace


module_records = st.fixed_dictionaries(
    {
        "name": st.text(min_size=1, max_size=10),
        "origin": st.none() | st.text(max_size=10),
        "finder": st.none() | st.text(max_size=10),
        "searched": st.lists(
            st.fixed_dictionaries(
                {
                    "entry": st.text(max_size=5),
                    "finder": st.none() | st.text(max_size=5),
                    "outcome": st.sampled_from(["hit", "miss", "bogus"]),
                }
            ),
            max_size=3,
        ),
    }
)


@settings(max_examples=200, deadline=None)
@given(st.lists(module_records, max_size=4))
def test_from_json_on_random_module_records(modules: list[dict]) -> None:
    document = _valid_document()
    document["modules"] = modules
    try:
        trace = Trace.from_json(json.dumps(document))
    except pyenvlab.TraceFormatError as exc:
        assert "bogus" in json.dumps(modules) or exc.field  # noqa: PT017
    else:
        assert all(v.outcome != "bogus" for m in trace.modules for v in m.searched)
