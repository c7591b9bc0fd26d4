"""The explorers, built and driven programmatically (no browser): the widget callbacks run
exactly as a front end would trigger them (button clicks, slider and dropdown values)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

pytest.importorskip("ipywidgets")

import pyenvlab
from pyenvlab.errors import PyenvlabError
from pyenvlab.jupyter import explorers
from pyenvlab.jupyter.namespace import compare, snapshot
from pyenvlab.jupyter.records import ProbeStep, steps
from pyenvlab.model import ModuleRecord, Probe, Trace, Visit

WIDGET = "application/vnd.jupyter.widget-view+json"


def record() -> ModuleRecord:
    """A hand-made search: a miss with two probes, then a hit with one."""
    return ModuleRecord(
        "mymod",
        "/lib/mymod.py",
        "PathFinder",
        searched=(Visit("/work", "FileFinder", "miss"), Visit("/lib", "FileFinder", "hit")),
        probes=(
            Probe("/work", "stat", True, "/work"),
            Probe("/work", "listdir", True, "/work"),
            Probe("/lib", "listdir", True, "/lib"),
        ),
    )


def made_trace() -> Trace:
    return Trace(
        python="3.12.1", executable="python", sys_path=("/work", "/lib"), modules=(record(),), statements=()
    )


def test_steps_follow_the_search_in_order() -> None:
    kinds = [(s.kind, s.visit, s.probe) for s in steps(record())]
    assert kinds == [
        ("start", None, None),
        ("visit", 0, None),
        ("probe", 0, 0),
        ("probe", 0, 1),
        ("verdict", 0, None),
        ("visit", 1, None),
        ("probe", 1, 2),
        ("verdict", 1, None),
        ("end", None, None),
    ]


def test_stepper_highlights_the_current_probe() -> None:
    stepper = explorers.ProbeStepper(made_trace())
    widget = stepper.widget
    assert stepper.count == 9 and stepper.index == 0
    assert stepper._prev.disabled and not stepper._next.disabled
    stepper._next.click()  # visit /work
    stepper._next.click()  # stat /work
    assert stepper.index == 2 and stepper._slider.value == 3  # the slider counts from 1
    html = stepper._view.value
    assert '<tr class="current"><td>1</td><td>/work</td>' in html
    assert "\u25b6 stat" in html  # the current probe is marked
    assert "calls stat() on /work" in html
    stepper._slider.value = 7  # a front end dragging the slider to step 7: listdir /lib
    html = stepper._view.value
    assert stepper.index == 6
    assert '<tr class="current"><td>2</td><td>/lib</td>' in html
    assert "\u25b6 listdir" in html
    assert '<tr class="miss"><td>1</td>' in html  # /work finished: a miss
    graph = pyenvlab.render.dot(stepper.current)
    assert "#d97706" in graph.source  # the current entry is drawn highlighted
    stepper._prev.click()
    assert stepper.index == 5 and "\u25b6" not in stepper._view.value  # a visit step: no probe yet
    stepper.go(100)
    assert stepper.index == stepper.count - 1 and stepper._next.disabled
    assert (stepper._slider.min, stepper._slider.max, stepper._slider.value) == (1, 9, 9)
    assert isinstance(widget.children[1].value, str)


def test_stepper_over_a_fresh_trace() -> None:
    trace = pyenvlab.trace_import("json")
    stepper = explorers.ProbeStepper(trace, "json")
    searched = trace.module("json").searched
    hit_step = next(
        i
        for i, s in enumerate(stepper.current.steps)
        if s.kind == "verdict" and searched[s.visit].outcome == "hit"
    )
    stepper.go(hit_step)
    assert "found here" in pyenvlab.render.text(stepper.current)
    bundle = stepper._repr_mimebundle_()
    assert WIDGET in bundle
    assert "Probe stepper" in bundle["text/html"]  # the static view
    assert "json" in bundle["text/plain"] and "0x" not in bundle["text/plain"]


def test_stepper_refuses_a_trace_without_searches() -> None:
    with pytest.raises(PyenvlabError, match="--fresh"):
        explorers.ProbeStepper(Trace(python="3", executable="p", sys_path=(), modules=(), statements=()))
    with pytest.raises(PyenvlabError, match="not loaded"):
        explorers.ProbeStepper(made_trace(), "other")


def test_probe_step_record_displays() -> None:
    step = ProbeStep(record(), ("/work", "/lib"), 3)
    bundle = step._repr_mimebundle_()
    assert {"text/plain", "text/html"} <= set(bundle)
    assert "step 4 of 9" in bundle["text/plain"]


@pytest.fixture
def two_providers(tmp_path: Path) -> tuple[Path, Path]:
    first, second = tmp_path / "first", tmp_path / "second"
    for directory in (first, second):
        directory.mkdir()
        (directory / "pyenvlab_labmod.py").write_text(f"WHO = {directory.name!r}\n")
    return first, second


@pytest.mark.parametrize("fresh", [True, False])
def test_lab_reorder_changes_the_winner(two_providers: tuple[Path, Path], fresh: bool) -> None:
    first, second = two_providers
    lab = explorers.SysPathLab("pyenvlab_labmod", [first, second], fresh=fresh, cwd=first.parent)
    assert lab.winner == str(first / "pyenvlab_labmod.py")
    assert lab.shadowed == [str(second / "pyenvlab_labmod.py")]
    if fresh:
        record = lab.trace.module("pyenvlab_labmod")
        assert record.hit.entry == str(first)
    widget = lab.widget
    assert widget is lab.widget
    lab._list.index = 1  # select the second entry in the front end...
    lab._buttons["up"].click()  # ...and move it up
    assert lab.path == [str(second), str(first)]
    assert lab.winner == str(second / "pyenvlab_labmod.py")
    assert "uses " + str(second / "pyenvlab_labmod.py") in lab._output.value
    assert lab._list.options[0].endswith(str(second))
    lab.toggle(0)  # switch the winner's entry off: the other one wins again
    assert lab.path == [str(first)]
    assert lab.winner == str(first / "pyenvlab_labmod.py")
    assert lab.shadowed == []
    lab.remove(0)  # the switched-off entry
    assert lab.entries == [(str(first), True)]
    assert lab.winner == str(first / "pyenvlab_labmod.py")
    lab.remove(0)
    assert lab.winner is None
    assert "fails" in lab.summary()


def test_lab_add_entry_through_the_widget(two_providers: tuple[Path, Path]) -> None:
    first, second = two_providers
    lab = explorers.SysPathLab("pyenvlab_labmod", [second], fresh=False)
    assert lab.widget is not None
    lab._new.value = str(first)
    lab._add.click()
    assert lab.path == [str(first), str(second)]
    assert lab.winner == str(first / "pyenvlab_labmod.py")
    bundle = lab._repr_mimebundle_()
    assert WIDGET in bundle and "PYTHONPATH entry" in bundle["text/html"]
    assert "[x]" in bundle["text/plain"]


def test_lab_changing_the_module_in_the_widget(two_providers: tuple[Path, Path]) -> None:
    first, _second = two_providers
    lab = explorers.SysPathLab("pyenvlab_labmod", [first], fresh=False)
    assert lab.widget is not None
    lab._module.value = "json"
    assert lab.module == "json"
    assert lab.winner is not None and lab.winner.endswith(os.path.join("json", "__init__.py"))


def test_discover_interpreters(tmp_path: Path) -> None:
    venv = tmp_path / "proj" / ".venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\n")
    (venv / "bin" / "python").symlink_to(sys.executable)
    from pyenvlab.interpreter.discovery import discover_interpreters

    found = discover_interpreters(tmp_path)
    assert next(iter(found.values())) == sys.executable
    assert found[f"venv {os.path.join('proj', '.venv')}"] == str(venv / "bin" / "python")


def test_startup_explorer_switches_interpreter(tmp_path: Path) -> None:
    fake = tmp_path / "not-python"
    fake.write_text("#!/bin/sh\nexit 3\n")
    fake.chmod(0o755)
    explorer = explorers.StartupExplorer({"this": sys.executable, "broken": str(fake)})
    widget = explorer.widget
    assert explorer.trace is not None and explorer.trace.sys_path
    first = explorer._view.value
    assert "pyenvlab" in first and len(first) > 1000
    explorer._choice.value = "broken"  # a front end picking another interpreter
    assert explorer.selected == "broken"
    assert explorer.trace is None and explorer.error
    assert explorer._view.value != first
    explorer.select("this")
    assert explorer._view.value == first  # cached, same trace
    assert WIDGET in explorer._repr_mimebundle_()
    assert widget.children[0].value == "this"


def test_namespace_explorer() -> None:
    import os as os_module

    namespace: dict[str, object] = {"keep": 1}
    before = snapshot(namespace)
    namespace.update(os=os_module, o=os_module, x=2, f=test_namespace_explorer)
    diff = compare(before, snapshot(namespace))
    explorer = explorers.NamespaceExplorer(diff)
    assert explorer.widget is not None
    assert explorer.names() == ["os", "o", "x", "f"]
    explorer._kinds.value = "module"
    assert list(explorer._names.options) == ["os", "o"]
    explorer._names.value = "o"
    assert "the same module object as os" in explorer._detail.value
    explorer._kinds.value = "function"
    assert explorer.name == "f"
    assert "function" in explorer._detail.value
    assert WIDGET in explorer._repr_mimebundle_()
    with pytest.raises(PyenvlabError):
        explorer.choose(kind="nonsense")
