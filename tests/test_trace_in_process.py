"""pyenvlab.trace() in this process: threads, reload, nesting, restoring state, recorder faults."""

from __future__ import annotations

import builtins
import importlib
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

import pyenvlab
from pyenvlab._probe import recorder


@pytest.fixture
def on_path(tmp_path: Path) -> Iterator[Path]:
    """``tmp_path`` first on sys.path; modules loaded from it are forgotten afterwards."""
    root = str(tmp_path)
    sys.path.insert(0, root)
    before = set(sys.modules)
    try:
        yield tmp_path
    finally:
        sys.path.remove(root)
        sys.path_importer_cache.pop(root, None)
        for name in set(sys.modules) - before:
            origin = getattr(getattr(sys.modules[name], "__spec__", None), "origin", None) or ""
            if origin.startswith(root) or name.startswith("pel_"):
                del sys.modules[name]


def make_modules(root: Path, count: int, prefix: str = "pel_mod") -> list[str]:
    names = []
    for i in range(count):
        name = f"{prefix}{i}"
        (root / f"{name}.py").write_text(f"import colorsys\nVALUE = {i}\n")
        names.append(name)
    return names


def test_cache_hits_are_counted_per_importer(on_path: Path) -> None:
    (on_path / "pel_once.py").write_text("print_count = 0\n")
    with pyenvlab.trace() as t:
        for _ in range(1000):
            import pel_once  # noqa: F401
    assert [m.name for m in t.modules] == ["pel_once"]
    statements = [s for s in t.statements if s.name == "pel_once"]
    assert [(s.cached, s.count) for s in statements] == [(False, 1), (True, 999)]
    assert len(t.statements) < 10  # 999 hits stored once, not 999 times


def test_reload_is_recorded_as_a_second_load(on_path: Path) -> None:
    (on_path / "pel_reload.py").write_text("X = 1\n")
    import pel_reload

    with pyenvlab.trace() as t:
        importlib.reload(pel_reload)
    record = t.module("pel_reload")
    assert record.reloaded
    assert record.origin == str(on_path / "pel_reload.py")
    assert record.hit is not None and record.hit.entry == str(on_path)
    assert record.seconds > 0


def test_threads_import_concurrently_and_loads_keep_their_thread(on_path: Path) -> None:
    groups = [make_modules(on_path, 25, prefix=f"pel_t{t}_") for t in range(8)]
    barrier = threading.Barrier(8)

    def work(names: list[str]) -> None:
        barrier.wait()
        for name in names:
            importlib.import_module(name)

    threads = [
        threading.Thread(target=work, args=(names,), name=f"importer-{i}") for i, names in enumerate(groups)
    ]
    with pyenvlab.trace() as t:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    by_name = {m.name: m for m in t.modules}
    for i, names in enumerate(groups):
        for name in names:
            assert by_name[name].thread == f"importer-{i}"
            assert by_name[name].origin == str(on_path / f"{name}.py")
            assert by_name[name].hit is not None
    assert not t.errors


def test_nested_traces_each_see_their_own_imports(on_path: Path) -> None:
    make_modules(on_path, 3, prefix="pel_n")
    with pyenvlab.trace() as outer:
        import pel_n0

        with pyenvlab.trace() as inner:
            import pel_n0  # noqa: F401
            import pel_n1  # noqa: F401
        import pel_n2  # noqa: F401
    assert [m.name for m in outer.modules if m.name.startswith("pel_n")] == ["pel_n0", "pel_n1", "pel_n2"]
    assert [m.name for m in inner.modules if m.name.startswith("pel_n")] == ["pel_n1"]
    assert [(s.name, s.cached) for s in inner.statements if s.name == "pel_n0"] == [("pel_n0", True)]
    outer_hits = [s for s in outer.statements if s.name == "pel_n0" and s.cached]
    assert sum(s.count for s in outer_hits) == 1


def test_start_in_one_thread_stop_in_another(on_path: Path) -> None:
    make_modules(on_path, 1, prefix="pel_x")
    tracer = pyenvlab.trace()
    tracer.start()
    import pel_x0  # noqa: F401

    stopper = threading.Thread(target=tracer.stop)
    stopper.start()
    stopper.join()
    assert recorder._installed is None  # the last tracer stopped: hooks removed
    assert [m.name for m in tracer.trace.modules] == ["pel_x0"]


@pytest.mark.parametrize("exception", [RuntimeError("boom"), KeyboardInterrupt()])
def test_state_is_restored_after_an_exception_in_the_block(on_path: Path, exception: BaseException) -> None:
    original_import = builtins.__import__
    original_meta = list(sys.meta_path)
    with pytest.raises(type(exception)), pyenvlab.trace():
        raise exception
    assert builtins.__import__ is original_import
    assert sys.meta_path == original_meta
    assert recorder._installed is None


def test_reading_a_trace_while_it_records_is_a_clear_error() -> None:
    with pyenvlab.trace() as t, pytest.raises(RuntimeError, match="still recording"):
        _ = t.modules


def test_a_fault_inside_the_recorder_does_not_change_the_import(
    on_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (on_path / "pel_fault.py").write_text("from colorsys import rgb_to_hsv\n")

    def broken(*args: object) -> str:
        raise ZeroDivisionError("recorder bug")

    monkeypatch.setattr(recorder, "_resolve_relative", broken)
    with pyenvlab.trace() as t:
        from pel_fault import rgb_to_hsv  # noqa: F401

        from . import conftest  # noqa: F401  (a relative import: goes through _resolve_relative)
    assert "pel_fault" in sys.modules
    assert any("recorder bug" in error for error in t.errors)
    assert t.module("pel_fault").error is None


def test_a_finder_inserted_ahead_of_the_recorder_still_works(on_path: Path) -> None:
    class Ahead:
        def find_spec(self, name: str, path: object, target: object = None) -> object:
            if name == "pel_ahead":
                return importlib.util.spec_from_loader(name, loader=None, origin="ahead")
            return None

    finder = Ahead()
    with pyenvlab.trace() as t:
        sys.meta_path.insert(0, finder)
        try:
            (on_path / "pel_behind.py").write_text("")
            import pel_behind  # noqa: F401
        finally:
            sys.meta_path.remove(finder)
    assert t.module("pel_behind").finder == "PathFinder"


def test_importlib_util_find_spec_is_not_recorded_as_a_load() -> None:
    with pyenvlab.trace() as t:
        spec = importlib.util.find_spec("colorsys")
    assert spec is not None
    assert "colorsys" not in [m.name for m in t.modules]


def test_import_pyenvlab_loads_no_third_party_module() -> None:
    code = (
        "import sys; before = set(sys.modules); import pyenvlab; "
        "from pyenvlab import trace, where, Trace; "
        "new = sorted(set(sys.modules) - before); print(new)"
    )
    out = subprocess.run(
        [sys.executable, "-I", "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parents[1],
    )
    new = eval(out.stdout)
    heavy = [
        n
        for n in new
        if n.split(".")[0] in {"graphviz", "ipywidgets", "IPython", "numpy", "packaging", "jupyter_client"}
    ]
    assert heavy == []
    assert all(n.split(".")[0] in sys.stdlib_module_names or n.startswith("pyenvlab") for n in new), new
    bare = subprocess.run(
        [
            sys.executable,
            "-I",
            "-c",
            "import sys; b = set(sys.modules); import pyenvlab; print(sorted(set(sys.modules) - b))",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parents[1],
    )
    assert eval(bare.stdout) == ["pyenvlab"]


def test_a_fault_while_opening_a_load_falls_back_to_a_plain_import(
    on_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (on_path / "pel_fault2.py").write_text("VALUE = 7\n")

    def broken(*args: object) -> str:
        raise LookupError("frame walk bug")

    monkeypatch.setattr(recorder, "_frame_module", broken)
    with pyenvlab.trace() as t:
        import pel_fault2
    assert pel_fault2.VALUE == 7
    assert any("frame walk bug" in error for error in t.errors)
    assert "pel_fault2" not in [m.name for m in t.modules]  # not recorded, but imported as usual


FAULT_POINTS = [
    "get_ident",
    "_getframe",
    "perf_counter",
    "_frame_module",
    "_thread_name",
    "_resolve_relative",
    "_capture_error",
    "_snapshot_spec",
    "_snapshot_locations",
    "_is_package",
    "_raise_slots",
    "_stacks",
]


def _write_fault_modules(root: Path, tag: str) -> None:
    (root / f"pel_{tag}_pkg").mkdir()
    (root / f"pel_{tag}_pkg" / "__init__.py").write_text("from . import inner\nfrom .inner import VALUE\n")
    (root / f"pel_{tag}_pkg" / "inner.py").write_text("import colorsys\nVALUE = 3\n")
    (root / f"pel_{tag}_boom.py").write_text("raise ValueError('boom')\n")


def _exercise(tag: str) -> dict[str, object]:
    outcome: dict[str, object] = {}
    pkg = importlib.import_module(f"pel_{tag}_pkg")
    outcome["value"] = pkg.VALUE
    try:
        importlib.import_module(f"pel_{tag}_boom")
    except ValueError as exc:
        outcome["boom"] = str(exc)
    try:
        importlib.import_module(f"pel_{tag}_missing")
    except ModuleNotFoundError as exc:
        outcome["missing"] = exc.name
    outcome["reloaded"] = importlib.reload(pkg).VALUE
    return outcome


@pytest.mark.parametrize("point", FAULT_POINTS)
def test_exceptions_injected_into_the_hooks_change_no_import(
    on_path: Path, monkeypatch: pytest.MonkeyPatch, point: str
) -> None:
    """Every helper the hooks call, made to raise: imports behave exactly as untraced."""
    _write_fault_modules(on_path, "ok")
    expected = _exercise("ok")
    for name in [n for n in sys.modules if n.startswith("pel_ok")]:
        del sys.modules[name]

    class Broken(dict):
        def get(self, *args: object) -> object:
            raise RuntimeError("injected")

        def __contains__(self, key: object) -> bool:
            raise RuntimeError("injected")

    def fail(*args: object, **kwargs: object) -> object:
        raise RuntimeError("injected")

    tracer = pyenvlab.trace(candidates=True)
    t = tracer.start()
    try:
        monkeypatch.setattr(recorder, point, Broken() if point == "_stacks" else fail)
        got = _exercise("ok")
    finally:
        monkeypatch.undo()
        tracer.stop()
    assert got == expected
    assert any("injected" in e for e in t.errors)
    assert recorder._installed is None


@pytest.mark.parametrize("point", ["get_ident", "perf_counter", "_frame_module"])
def test_keyboard_interrupt_inside_a_hook_leaves_nothing_behind(
    on_path: Path, monkeypatch: pytest.MonkeyPatch, point: str
) -> None:
    """Ctrl-C inside the recorder propagates (as anywhere else) and leaves no trace behind:
    hooks removed, no half-imported module, and the next import works normally."""
    _write_fault_modules(on_path, "ki")

    def interrupt(*args: object, **kwargs: object) -> object:
        raise KeyboardInterrupt

    tracer = pyenvlab.trace()
    tracer.start()
    try:
        monkeypatch.setattr(recorder, point, interrupt)
        with pytest.raises(KeyboardInterrupt):
            importlib.import_module("pel_ki_pkg")
    finally:
        monkeypatch.undo()
        tracer.stop()
    assert recorder._installed is None
    assert builtins.__import__ is builtins.__dict__["__import__"]
    assert not recorder._stacks.get(threading.get_ident())
    assert "pel_ki_pkg" not in sys.modules
    assert _exercise("ki")["value"] == 3


def test_a_recursion_limit_set_by_imported_code_is_kept(on_path: Path) -> None:
    """The hooks give their frames' recursion slots back while an import runs; a limit the
    imported code sets itself is the program's, and stays, exactly as untraced."""
    original = sys.getrecursionlimit()
    (on_path / "pel_limit_outer.py").write_text("import pel_limit_inner\n")
    (on_path / "pel_limit_inner.py").write_text("import sys\nsys.setrecursionlimit(4321)\n")
    try:
        with pyenvlab.trace():
            import pel_limit_outer  # noqa: F401
        assert sys.getrecursionlimit() == 4321
    finally:
        sys.setrecursionlimit(original)


def test_concurrent_imports_leave_the_recursion_limit_as_found(on_path: Path) -> None:
    groups = [make_modules(on_path, 20, prefix=f"pel_rl{t}_") for t in range(6)]
    barrier = threading.Barrier(6)
    limit = sys.getrecursionlimit()

    def work(names: list[str]) -> None:
        barrier.wait()
        for name in names:
            exec(f"import {name}", {"__name__": "pel_worker"})  # statements, through __import__

    threads = [threading.Thread(target=work, args=(names,)) for names in groups]
    with pyenvlab.trace() as t:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sys.getrecursionlimit() == limit
    assert len([m for m in t.modules if m.name.startswith("pel_rl")]) == 120
