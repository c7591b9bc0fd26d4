"""The magics of ``%load_ext pyenvlab`` in a real IPython ``InteractiveShell``.

Every magic is run through the shell (``run_cell``), as a notebook would: the tests check the
object it returns (and its display bundle), and that bad options give one ``UsageError`` line
without a traceback.
"""

from __future__ import annotations

import builtins
import os
import sys
import textwrap
from pathlib import Path

import pytest

pytest.importorskip("IPython")

from IPython.core.interactiveshell import InteractiveShell

import pyenvlab.jupyter
from pyenvlab.jupyter.namespace import NamespaceDiff
from pyenvlab.jupyter.records import TraceView


@pytest.fixture
def ip():
    """A shell with pyenvlab loaded; unloaded (and checked) afterwards."""
    shell = InteractiveShell.instance()
    shell.reset(new_session=False)  # a clean user namespace for each test
    shell.run_line_magic("load_ext", "pyenvlab")
    yield shell
    shell.run_line_magic("unload_ext", "pyenvlab")
    assert "trace_imports" not in shell.magics_manager.magics["cell"]


def run(shell: InteractiveShell, source: str):
    """Run a cell and return its result (the last expression's value is ``result.result``)."""
    return shell.run_cell(textwrap.dedent(source), store_history=True)


def usage_error(shell: InteractiveShell, capsys: pytest.CaptureFixture[str], source: str) -> str:
    """Run a cell that must fail with a UsageError; return the one line shown."""
    result = shell.run_cell(source)
    out = capsys.readouterr()
    assert type(result.error_in_exec).__name__ == "UsageError", result.error_in_exec
    shown = (out.out + out.err).strip()
    assert "Traceback" not in shown
    lines = [line for line in shown.splitlines() if line.strip()]
    assert len(lines) == 1, shown
    assert lines[0].startswith("UsageError: ")
    return lines[0]


# -- extension ------------------------------------------------------------------------------


def test_load_registers_every_magic(ip: InteractiveShell) -> None:
    magics = ip.magics_manager.magics
    for name in ("where", "syspath", "startup", "deps", "abi", "doctor"):
        assert name in magics["line"], name
    for name in ("trace_imports", "namespace"):
        assert name in magics["cell"], name


def test_loading_twice_is_harmless(ip: InteractiveShell, capsys: pytest.CaptureFixture[str]) -> None:
    before = ip.magics_manager.magics["cell"]["trace_imports"]
    pyenvlab.jupyter.load(ip)  # the extension API directly: IPython would not even call it
    assert ip.magics_manager.magics["cell"]["trace_imports"] is before
    ip.run_line_magic("load_ext", "pyenvlab")
    assert "already loaded" in capsys.readouterr().out
    result = run(ip, "%where json")
    assert result.success


def test_unload_removes_magics_and_restores_import_state(capsys: pytest.CaptureFixture[str]) -> None:
    shell = InteractiveShell.instance()
    state = pyenvlab.jupyter.import_state()
    original_import = builtins.__import__
    shell.run_line_magic("load_ext", "pyenvlab")
    registration = pyenvlab.jupyter._loaded[id(shell)][0]
    # a tracer a magic left running (as after an interrupt at the wrong moment)
    from pyenvlab import trace

    tracer = trace()
    tracer.start()
    registration.tracers.running.append(tracer)
    assert builtins.__import__ is not original_import
    assert len(sys.meta_path) == len(state["sys.meta_path"]) + 1
    shell.run_line_magic("unload_ext", "pyenvlab")
    assert pyenvlab.jupyter.import_state() == state
    assert builtins.__import__ is original_import
    for kind, names in (("cell", ["trace_imports", "namespace"]), ("line", ["where", "doctor"])):
        for name in names:
            assert name not in shell.magics_manager.magics[kind]
    capsys.readouterr()
    result = shell.run_cell("%where json")
    assert result.error_in_exec is not None  # the magic is gone
    out = capsys.readouterr()
    assert "`%where` not found" in out.out + out.err
    # unloading again is harmless, loading again works
    assert pyenvlab.jupyter.unload(shell) == []
    shell.run_line_magic("load_ext", "pyenvlab")
    assert "where" in shell.magics_manager.magics["line"]
    shell.run_line_magic("unload_ext", "pyenvlab")


def test_reload_ext_keeps_one_set_of_magics(ip: InteractiveShell) -> None:
    from pyenvlab.jupyter.magics import MAGICS

    ip.run_line_magic("reload_ext", "pyenvlab")
    for cls in MAGICS:
        instances = [m for m in ip.magics_manager.registry.values() if type(m) is cls]
        assert len(instances) == 1, cls
        for kind, names in cls.magics.items():
            for name in names:
                assert ip.magics_manager.magics[kind][name].__self__ is instances[0]
    assert run(ip, "%where json").result.winner is not None


def test_import_pyenvlab_jupyter_is_light() -> None:
    import subprocess

    code = "import sys, pyenvlab; pyenvlab.load_ipython_extension; print('IPython' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# -- %%trace_imports ------------------------------------------------------------------------


def test_trace_imports_in_kernel_shows_cache_hits(ip: InteractiveShell) -> None:
    result = run(ip, "%%trace_imports\nimport json\nimport json.decoder\nvalue = json.dumps([1])\n")
    view = result.result
    assert isinstance(view, TraceView)
    assert view.where == "kernel"
    assert ip.user_ns["value"] == "[1]"  # the cell really ran in the user namespace
    cached = {s.name for s in view.trace.statements if s.cached}
    assert {"json", "json.decoder"} <= cached
    bundle = view._repr_mimebundle_()
    assert "cache hits" in bundle["text/plain"]
    assert "--fresh" in bundle["text/plain"]
    assert "text/html" in bundle


def test_trace_imports_in_kernel_records_a_real_load(ip: InteractiveShell, tmp_path: Path) -> None:
    (tmp_path / "pyenvlab_magic_demo.py").write_text("import colorsys\n")
    sys.path.insert(0, str(tmp_path))
    try:
        view = run(ip, "%%trace_imports --no-times\nimport pyenvlab_magic_demo\n").result
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("pyenvlab_magic_demo", None)
    record = view.trace.module("pyenvlab_magic_demo")
    assert record.hit is not None and record.hit.entry == str(tmp_path)
    assert view.options.given() == {"times": False}


def test_trace_imports_fresh_shows_real_probes(ip: InteractiveShell) -> None:
    view = run(ip, "%%trace_imports --fresh --module json --max-probes 3\nimport json\n").result
    assert view.where == "fresh"
    record = view.trace.module("json")
    assert record.searched and record.hit is not None
    assert view.options.given() == {"module": "json", "max_probes": 3}
    assert "fresh interpreter" in view._repr_mimebundle_(include=["text/plain"])["text/plain"]
    graph = pyenvlab.render.dot(view)
    assert "json" in graph.source


def test_trace_imports_fresh_path_and_python(ip: InteractiveShell, tmp_path: Path) -> None:
    (tmp_path / "json.py").write_text("SHADOW = True\n")
    line = f"%%trace_imports --fresh --python {sys.executable} --path {tmp_path} --candidates"
    line += f" --json {tmp_path}/t.json"
    view = run(ip, f"{line}\nimport json\n").result
    assert view.trace.module("json").origin == str(tmp_path / "json.py")
    assert view.trace.candidates
    from pyenvlab.model import Trace

    assert Trace.load(tmp_path / "t.json") == view.trace


def test_the_magic_line_expands_variables_like_every_magic(ip: InteractiveShell, tmp_path: Path) -> None:
    """Notebook 13 runs ``%%trace_imports --fresh --path {WORK}``: ``{WORK}`` is the variable."""
    (tmp_path / "pyenvlab_expanded.py").write_text("")
    ip.user_ns["WORK"] = str(tmp_path)
    view = run(ip, "%%trace_imports --fresh --path {WORK} --no-times\nimport pyenvlab_expanded\n").result
    assert view.trace.sys_path[1] == str(tmp_path)
    assert view.trace.module("pyenvlab_expanded").error is None


def test_trace_imports_fresh_in_a_browser_traces_here_with_the_cells_modules_forgotten(
    ip: InteractiveShell, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In Pyodide (the lite site) no process starts: ``--fresh`` is the in-process stand-in,
    and the view says so. The shadowing json.py wins as it would in a fresh interpreter."""
    from pyenvlab.jupyter import magics

    (tmp_path / "json.py").write_text("SHADOW = True\n")
    monkeypatch.setattr(magics, "_in_browser", lambda: True)
    monkeypatch.setattr("pyenvlab.tracing.trace_import", lambda *a, **k: pytest.fail("a process started"))
    import json

    view = run(ip, f"%%trace_imports --fresh --path {tmp_path}\nimport json\n").result
    assert view.where == "browser"
    assert view.trace.module("json").origin == str(tmp_path / "json.py")
    assert sys.modules["json"] is json and not hasattr(json, "SHADOW")
    assert "a browser cannot start another" in view._repr_mimebundle_(include=["text/plain"])["text/plain"]


def test_trace_imports_view_options_reach_the_graph(ip: InteractiveShell) -> None:
    view = run(
        ip,
        "%%trace_imports --fresh --collapse none --cached none --rankdir TB --no-times --depth 2"
        " --max-nodes 10 --filter email --all --view tree\nimport email.mime.text\n",
    ).result
    assert view.options.given() == {
        "view": "tree",
        "collapse": "none",
        "depth": 2,
        "filter": "email",
        "max_nodes": 10,
        "cached": False,
        "times": False,
        "show_all": True,
        "rankdir": "TB",
    }
    source = pyenvlab.render.dot(view).source
    assert "rankdir=TB" in source
    assert "email.mime.text" in source


def test_trace_imports_keeps_the_trace_when_the_cell_raises(
    ip: InteractiveShell, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run(ip, "%%trace_imports\nimport json\nraise ValueError('boom')\n")
    shown = capsys.readouterr()
    assert "ValueError" in shown.out + shown.err  # shown as IPython shows errors
    view = result.result
    assert view.raised == "ValueError: boom"
    assert "raised ValueError: boom" in view._repr_mimebundle_()["text/plain"]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("%%trace_imports --bogus\nimport json", "unrecognized arguments: --bogus"),
        ("%%trace_imports --cached maybe\nimport json", "--cached"),
        ("%%trace_imports --collapse tiny\nimport json", "invalid choice"),
        ("%%trace_imports --path /tmp\nimport json", "--path needs --fresh"),
        ("%%trace_imports --fresh --python /no/such/python\nimport json", "/no/such/python"),
        ("%%trace_imports --module xml\nimport json", "did not load it"),
        ("%%trace_imports\nimport json(", "syntax error (line 1"),
        ("%where --bogus json", "unrecognized arguments"),
        ("%where 'not a name'", "not a module name"),
        ("%where", "the following arguments are required: name"),
        ("%deps requests --bogus", "unrecognized arguments"),
        ("%deps", "required: distribution"),
        ("%deps no-such-distribution-xyz", "no-such-distribution-xyz"),
        ("%abi /no/such/file.so", "/no/such/file.so"),
        ("%doctor --bogus", "unrecognized arguments"),
        ("%startup /no/such/python", "/no/such/python"),
        ("%syspath --python /no/such/python", "/no/such/python"),
        ("%%namespace --bogus\nx = 1", "unrecognized arguments"),
    ],
)
def test_bad_input_is_one_clear_line(
    ip: InteractiveShell, capsys: pytest.CaptureFixture[str], cell: str, expected: str
) -> None:
    line = usage_error(ip, capsys, cell)
    assert expected in line


def test_cell_magic_used_as_line_magic_is_one_line(
    ip: InteractiveShell, capsys: pytest.CaptureFixture[str]
) -> None:
    line = usage_error(ip, capsys, "%trace_imports")
    assert "cell magic `%%trace_imports` exists" in line


# -- %where ---------------------------------------------------------------------------------


def test_where_lists_providers_and_the_winner(ip: InteractiveShell, tmp_path: Path) -> None:
    (tmp_path / "json.py").write_text("")
    found = run(ip, f"%where json --path {tmp_path}").result
    assert found.name == "json"
    assert found.winner.origin == str(tmp_path / "json.py")
    assert [c.wins for c in found] == [True, False]
    assert "json" in found._repr_mimebundle_(include=["text/plain"])["text/plain"]
    plain = run(ip, "%where json").result
    assert plain.winner.kind == "package"


# -- %%namespace ----------------------------------------------------------------------------


def test_namespace_by_kind(ip: InteractiveShell) -> None:
    run(ip, "kept = 1\nold = 2\ngone = 3\n")
    diff = run(
        ip,
        """\
        %%namespace
        import os
        import os as operating_system
        from os import path
        old = 'new'
        del gone
        x = [1, 2]
        def f(): pass
        class C: pass
        """,
    ).result
    assert isinstance(diff, NamespaceDiff)
    kinds = {c.name: c.kind for c in diff.added}
    assert kinds == {
        "os": "module",
        "operating_system": "module",
        "path": "module",
        "x": "variable",
        "f": "function",
        "C": "class",
    }
    assert [(c.name, c.value, c.before) for c in diff.changed] == [("old", "'new'", "2")]
    assert [c.name for c in diff.removed] == ["gone"]
    assert "kept" not in diff.names
    shared = {s.module: set(s.names) for s in diff.shared}
    assert shared["os"] >= {"os", "operating_system"}
    assert {"path", "os.path"} <= shared[os_path_name()]
    assert all(s.in_sys_modules for s in diff.shared)
    assert not any(name.startswith("_") for name in diff.names)  # IPython's _, _i, _1... hidden
    bundle = diff._repr_mimebundle_()
    assert "os, operating_system" in bundle["text/plain"]
    assert "<module 'os'" in bundle["text/plain"]
    assert "Module namespaces are shared objects" in bundle["text/html"]
    assert NamespaceDiff.from_json(diff.to_json()) == diff


def os_path_name() -> str:
    import os

    return os.path.__name__


def test_namespace_shows_attributes_set_on_shared_modules(ip: InteractiveShell, tmp_path: Path) -> None:
    """The tutorial's appendix: mymod sets an attribute on os; `os` in the notebook sees it."""
    (tmp_path / "pyenvlab_mymod.py").write_text("import os\nos.also_set_by_mymod = 'hello'\n")
    sys.path.insert(0, str(tmp_path))
    try:
        run(ip, "import os\n")
        diff = run(ip, "%%namespace\nimport pyenvlab_mymod\n").result
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("pyenvlab_mymod", None)
        import os

        vars(os).pop("also_set_by_mymod", None)
    assert [c.name for c in diff.added] == ["pyenvlab_mymod"]
    assert [(c.name, c.value) for c in diff.module_attributes] == [("os.also_set_by_mymod", "'hello'")]
    shared = {s.module: set(s.names) for s in diff.shared}
    assert shared["os"] == {"os", "pyenvlab_mymod.os"}
    assert "os.also_set_by_mymod" in diff._repr_mimebundle_(include=["text/plain"])["text/plain"]


def test_namespace_of_an_empty_change(ip: InteractiveShell) -> None:
    diff = run(ip, "%%namespace\n1 + 1\n").result
    assert diff.empty
    assert "did not change" in diff._repr_mimebundle_(include=["text/plain"])["text/plain"]


# -- %syspath, %startup, %deps, %abi, %doctor --------------------------------------------------


def test_syspath_has_provenance(ip: InteractiveShell, tmp_path: Path) -> None:
    report = run(ip, f"%syspath -s --json {tmp_path}/p.json").result
    assert type(report).__name__ == "PathReport"
    assert report.entries and all(e.source for e in report.entries)
    assert (tmp_path / "p.json").is_file()
    assert "text/html" in report._repr_mimebundle_(include=["text/html"])


def test_startup_of_this_interpreter(ip: InteractiveShell, monkeypatch: pytest.MonkeyPatch) -> None:
    trace = run(ip, f"%startup {sys.executable} -I").result
    assert type(trace).__name__ == "StartupTrace"
    assert trace.probes
    # started by a bare name, as a shell does: this interpreter's own name, found on PATH
    # ("python" of a venv or pyenv; a stock Debian has only python3, so no `python` is assumed)
    bindir, name = os.path.split(sys.executable)
    monkeypatch.setenv("PATH", os.pathsep.join([bindir, os.environ.get("PATH", "")]))
    by_name = run(ip, f"%startup --argv0 {name}").result
    assert by_name.argv0 == name
    assert by_name.sys_path


def test_deps_and_abi(ip: InteractiveShell) -> None:
    graph = run(ip, "%deps ipywidgets").result
    assert type(graph).__name__ == "DepGraph"
    assert graph.edges
    assert run(ip, "%deps --reverse traitlets").result.edges
    report = run(ip, "%abi _json").result
    assert type(report).__name__ == "AbiReport"
    assert "text/plain" in report._repr_mimebundle_(include=["text/plain"])


def test_doctor(ip: InteractiveShell, tmp_path: Path) -> None:
    import importlib

    try:  # the doctor submodule shares the function's name: the magic must find the function
        importlib.import_module("pyenvlab.interpreter.doctor")
    except ImportError:
        pass
    report = run(ip, f"%doctor --no-trace --json {tmp_path}/d.json").result
    assert type(report).__name__ == "DoctorReport"
    assert (tmp_path / "d.json").is_file()


# -- explorers from magics ------------------------------------------------------------------


def test_explore_options_return_explorers(ip: InteractiveShell, tmp_path: Path) -> None:
    from pyenvlab.jupyter import explorers

    stepper = run(ip, "%%trace_imports --fresh --explore --module json\nimport json\n").result
    assert isinstance(stepper, explorers.ProbeStepper)
    assert stepper.current.record.name == "json"
    ns = run(ip, "%%namespace --explore\nimport os\n").result
    assert isinstance(ns, explorers.NamespaceExplorer)
    assert ns.names() == ["os"]
    (tmp_path / "pyenvlab_labmod.py").write_text("")
    lab = run(ip, f"%syspath --lab pyenvlab_labmod --entry {tmp_path}").result
    assert isinstance(lab, explorers.SysPathLab)
    assert lab.winner == str(tmp_path / "pyenvlab_labmod.py")
    assert isinstance(run(ip, "%startup --explore").result, explorers.StartupExplorer)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("%%trace_imports --explore\nimport json", "--fresh"),  # in-kernel: nothing searched
        ("%syspath --lab 'not a name'", "not a module name"),
        ("%syspath --entry /tmp", "--entry needs --lab"),
    ],
)
def test_bad_explore_input_is_one_line(
    ip: InteractiveShell, capsys: pytest.CaptureFixture[str], cell: str, expected: str
) -> None:
    assert expected in usage_error(ip, capsys, cell)


# -- cells run through IPython itself -----------------------------------------------------------


def displayed(shell: InteractiveShell, source: str) -> tuple[list[object], object]:
    """The values the display hook showed while ``source`` ran, and the cell's result."""
    shown: list[object] = []
    hook = shell.displayhook
    original = hook.write_format_data

    def write(format_dict, md_dict=None):
        shown.append(format_dict.get("text/plain"))
        return original(format_dict, md_dict)

    hook.write_format_data = write
    try:
        result = run(shell, source)
    finally:
        hook.write_format_data = original
    return shown, result


@pytest.mark.parametrize("magic", ["%%trace_imports", "%%namespace"])
def test_the_cells_last_expression_is_displayed(ip: InteractiveShell, magic: str) -> None:
    shown, result = displayed(ip, f"{magic}\nimport json\njson.dumps({{'shown': 1}})\n")
    assert result.success
    assert shown == ["'{\"shown\": 1}'"]  # the cell's value, as without the magic...
    assert type(result.result).__name__ in ("TraceView", "NamespaceDiff")  # ...then the record
    quiet, _ = displayed(ip, f"{magic}\n41 + 1;\n")  # a trailing semicolon still silences it
    assert "42" not in quiet


def test_top_level_await_works_in_the_traced_cell(ip: InteractiveShell, tmp_path: Path) -> None:
    (tmp_path / "pyenvlab_async_demo.py").write_text("VALUE = 7\n")
    sys.path.insert(0, str(tmp_path))
    try:
        cell = (
            "%%trace_imports --no-times\nimport asyncio\nawait asyncio.sleep(0)\n"
            "import pyenvlab_async_demo\nawaited = await asyncio.sleep(0, pyenvlab_async_demo.VALUE)\n"
        )
        view = run(ip, cell).result
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("pyenvlab_async_demo", None)
    assert ip.user_ns["awaited"] == 7
    assert view.trace.module("pyenvlab_async_demo").hit.entry == str(tmp_path)
    diff = run(ip, "%%namespace\nimport asyncio\nslept = await asyncio.sleep(0, 'yes')\n").result
    assert [c.name for c in diff.added] == ["slept"]


def test_the_trace_holds_the_cell_and_nothing_of_ipython(ip: InteractiveShell) -> None:
    view = run(ip, "%%trace_imports\nfrom __future__ import annotations\nimport json\nvalue = 1\n").result
    importers = {s.importer for s in view.trace.statements}
    assert importers == {"__main__"}, importers  # no IPython module imported anything meanwhile
    assert "_pyenvlab_cell_" not in ip.user_ns
    diff = run(ip, "%%namespace\nimport json as pyenvlab_json\n").result
    assert diff.names == ("pyenvlab_json",)  # the helper the wrapped cell calls is never seen


def test_an_interrupt_fails_the_cell_once(ip: InteractiveShell, capsys: pytest.CaptureFixture[str]) -> None:
    result = run(ip, "%%namespace\nraise KeyboardInterrupt\n")
    assert isinstance(result.error_in_exec, KeyboardInterrupt)
    shown = capsys.readouterr()
    assert (shown.out + shown.err).count("Traceback (most recent call last)") == 1


def test_a_cell_that_parses_but_does_not_compile(
    ip: InteractiveShell, capsys: pytest.CaptureFixture[str]
) -> None:
    result = ip.run_cell("%%trace_imports\nimport json\nreturn 1\n")
    assert type(result.error_in_exec).__name__ == "UsageError"
    assert "nothing ran" in str(result.error_in_exec)
    assert "outside function" in capsys.readouterr().out  # IPython said why


def test_interrupt_inside_trace_imports_stops_the_tracer(ip: InteractiveShell) -> None:
    original = builtins.__import__
    result = run(ip, "%%trace_imports\nraise KeyboardInterrupt\n")
    assert isinstance(result.error_in_exec, KeyboardInterrupt)
    assert builtins.__import__ is original
    assert not pyenvlab.jupyter._loaded[id(ip)][0].tracers.running
    assert run(ip, "%%trace_imports\nimport json\n").result.trace.statements  # still works


def test_explorers_module_does_not_import_ipywidgets() -> None:
    import subprocess

    code = (
        "import sys, pyenvlab.jupyter.explorers, pyenvlab.jupyter.namespace;"
        "print('ipywidgets' in sys.modules, 'IPython' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
