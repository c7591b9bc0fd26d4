"""Rendering cost is linear in the input (issue 15), and the linear folding agrees with the old one.

Each renderer renders a trace of N modules (or a string of N characters) and one four times
larger, in the same run; the larger may take at most ``RATIO`` times as long. A linear
renderer measures about 4, a quadratic one 16 (the cases here took 0.4 s / 1.5 s / 6.2 s /
28.8 s for 5k / 10k / 20k / 40k modules, or 1.0 s / 5.5 s / 11.3 s for 1 / 2 / 4 MB strings,
before they were fixed). Each time is the best of a few runs, so a busy machine makes a ratio
noisy but not systematically larger. Absolute times are in ``benchmarks/render.py``.

The depth folding of the import tree (``grouping.fit_budget``) was cubic in the depth; its
closed form is checked against the old loop (``tests/grouping_reference.py``) on random traces.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pyenvlab import render
from pyenvlab.model import ModuleRecord, Trace
from pyenvlab.render import standalone
from pyenvlab.render.trace_views import grouping
from tests import grouping_reference
from tests.render_fixtures import big_trace, chain_trace, flat_trace, long_string_trace

#: the most the 4x larger input may cost, as a multiple of the smaller one's time
RATIO = 5.5


def best(fn: Callable[[], object], runs: int = 5) -> float:
    """The fastest of ``runs`` calls, with the garbage collector paused (its passes grow with
    everything alive, a cost of the test's own big inputs, not of the renderer)."""
    times = []
    gc.collect()
    gc.disable()
    try:
        for _ in range(runs):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
    finally:
        gc.enable()
    return min(times)


def ratio(make: Callable[[int], object], view: Callable[[object], object], n: int) -> float:
    small, large = make(n), make(4 * n)
    view(small)  # warm up (imports, caches)
    return best(lambda: view(large)) / best(lambda: view(small))


def assert_linear(make: Callable[[int], object], view: Callable[[object], object], n: int) -> None:
    """The 4x input within RATIO x the time. A busy machine can slow one measurement: up to
    three are made, and the smallest ratio counts (a quadratic view measures ~16 every time)."""
    ratios = []
    for _ in range(3):
        ratios.append(ratio(make, view, n))
        if ratios[-1] <= RATIO:
            return
    shown = " / ".join(f"{r:.1f}x" for r in ratios)
    raise AssertionError(f"4x the input took {shown} the time (at most {RATIO}x allowed)")


VIEWS: dict[str, Callable[[object], object]] = {
    "text": lambda t: render.text(t, width=100, color=False),
    "html": render.html,
    "dot tree": lambda t: render.dot(t).source,
    "dot tree, every module": lambda t: render.dot(t, collapse="none").source,
    "dot tree, depth 2": lambda t: render.dot(t, depth=2).source,
    "dot tree, one package": lambda t: render.dot(t, filter="m1").source,
    "dot scan": lambda t: render.dot(t, view="scan").source,
    "report page": lambda t: standalone.page(t, graphs=[]),
}


@pytest.mark.parametrize("view", VIEWS, ids=str)
@pytest.mark.parametrize(
    ("shape", "n"), [(big_trace, 1000), (chain_trace, 500), (flat_trace, 1000)], ids=["wide", "deep", "flat"]
)
def test_views_cost_linear_time_in_the_number_of_modules(shape, n: int, view: str) -> None:
    assert_linear(shape, VIEWS[view], n)


@pytest.mark.parametrize("view", VIEWS, ids=str)
def test_views_cost_linear_time_in_the_length_of_a_string(view: str) -> None:
    assert_linear(long_string_trace, VIEWS[view], 100_000)


def test_json_round_trip_costs_linear_time() -> None:
    assert_linear(big_trace, lambda t: Trace.from_json(t.to_json()), 1000)


def test_the_deep_chain_is_still_folded_to_the_budget() -> None:
    key = grouping.group_modules(chain_trace(3000), max_nodes=60)
    assert len(set(key.values())) <= 60
    assert key["m0"] == grouping.Group.module("m0")  # the top of the chain is drawn as itself


# -- the linear folding is the old folding --------------------------------------------------------

NAMES = ["a", "a.x", "a.x.y", "a.z", "b", "b.q", "json", "json.decoder", "os", "re", "c", "d", "e", "f"]


@st.composite
def random_traces(draw: st.DrawFn) -> Trace:
    count = draw(st.integers(1, 24))
    names = [draw(st.sampled_from(NAMES) | st.builds("m{}".format, st.integers(0, 30))) for _ in range(count)]
    modules = []
    for index, name in enumerate(names):
        earlier = names[:index] or ["__main__"]
        importer = draw(
            st.none()
            | st.sampled_from(earlier)
            | st.sampled_from(earlier[-1:])  # deep chains are likely
            | st.sampled_from(earlier[-1:])
            | st.sampled_from(earlier[-1:])
            | st.sampled_from(names)  # a later module, or the module itself: loops
            | st.just("__main__")
        )
        site = draw(st.booleans())
        modules.append(
            ModuleRecord(
                name,
                f"/{'site-packages' if site else 'lib'}/{name}.py",
                "PathFinder",
                imported_by=importer,
                seconds=draw(st.sampled_from([0.0, 0.001, 0.002])),
                reloaded=draw(st.booleans()) and name in names[:index],
            )
        )
    return Trace(
        python="3.12.1",
        executable="/p",
        sys_path=(),
        modules=tuple(modules),
        statements=(),
        stdlib_names=("json", "os", "re"),
    )


def _tree(*edges: tuple[str, str | None]) -> Trace:
    """A trace loading each ``(name, importer)`` in order."""
    mods = tuple(ModuleRecord(name, f"/lib/{name}.py", "PathFinder", imported_by=by) for name, by in edges)
    return Trace(
        python="3.12.1", executable="/p", sys_path=(), modules=mods, statements=(), stdlib_names=("os",)
    )


#: a plain chain: the cut that leaves exactly the budget is the last one
CHAIN = _tree(*((f"m{i}", f"m{i - 1}" if i else None) for i in range(6)))
#: filter="a" folds e and f into "a and what it imported" before any cut, and a joins it then
FILTERED = _tree(("c", None), ("a", "c"), ("e", "a"), ("f", "e"))
#: os (standard library) in the middle of a chain: what it imported freezes into the stdlib's node
FROZEN = _tree(("c", None), ("d", "c"), ("os", "d"), ("g", "os"), ("h", "g"), ("i", "h"))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@example(CHAIN, "auto", None, None, 3)
@example(FILTERED, "auto", None, "a", 2)
@example(FROZEN, "stdlib", None, None, 3)
@example(FROZEN, "stdlib", 2, None, 2)
@given(
    random_traces(),
    st.sampled_from(["auto", "package", "stdlib", "none", ("package", "stdlib")]),
    st.none() | st.integers(0, 4),
    st.none() | st.sampled_from(["a", "json", "m3", "c"]),
    st.integers(1, 9),
)
def test_linear_folding_agrees_with_the_old_loop(trace: Trace, collapse, depth, filter, max_nodes) -> None:
    options = {"collapse": collapse, "depth": depth, "filter": filter, "max_nodes": max_nodes}
    assert grouping.group_modules(trace, **options) == grouping_reference.group_modules(trace, **options)
