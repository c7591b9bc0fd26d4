"""CPython 3.14 and 3.15 startup, through Pyodide: their own getpath code against synthetic layouts.

Layouts are built on the host (a prefix install, a venv whose ``python`` symlinks to it with
``pyvenv.cfg`` ``home``, the same with ``include-system-site-packages = true``, a symlinked
``python`` without ``pyvenv.cfg``) and shown inside Pyodide at the same paths. Two kinds of
evidence:

- **replays** of the target's frozen getpath code (``_testinternalcapi``) as a plain ``python``
  command of that version would run it, next to native CPython 3.13's own getpath on the same
  kind of layout: since 3.14 getpath itself sets a venv's ``sys.prefix`` (gh-126985); 3.13's
  getpath leaves it at the base and ``site`` moves it;
- **real starts** of Pyodide from the venv (``startup(python="pyodide:X.Y", argv0=...)``),
  verified against the interpreter's own values, and the PEP 829 ``.start`` files of 3.15
  with effects observable on the host (marker files written by the entry point and the
  import lines).
"""

from __future__ import annotations

import json
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import PYODIDE_VERSIONS, pyenv_python, pyodide_or_skip

GETPATH_PROBE = Path(__file__).resolve().parent.parent / "pyenvlab" / "_probe" / "getpath_probe.py"
COMMANDS = ("prefix", "venv", "venv-system", "bare")


def build_layouts(root: Path, version: str) -> dict[str, str]:
    """The four layouts for CPython ``version`` under ``root``; the argv0 of each."""
    prefix = root / "prefix"
    exe = prefix / "bin" / f"python{version}"
    exe.parent.mkdir(parents=True)
    exe.write_text("#!/bin/sh\n# a stand-in: getpath only asks the file system about it\n")
    exe.chmod(0o755)
    stdlib = prefix / "lib" / f"python{version}"
    (stdlib / "lib-dynload").mkdir(parents=True)
    (stdlib / "os.py").write_text("")
    commands = {"prefix": str(exe)}
    for name, system in (("venv", "false"), ("venv-system", "true")):
        venv = root / name
        (venv / "bin").mkdir(parents=True)
        (venv / "bin" / "python").symlink_to(exe)
        (venv / "pyvenv.cfg").write_text(
            f"home = {prefix / 'bin'}\ninclude-system-site-packages = {system}\nversion = {version}.0\n"
        )
        commands[name] = str(venv / "bin" / "python")
    (root / "bare" / "bin").mkdir(parents=True)
    (root / "bare" / "bin" / "python").symlink_to(exe)
    commands["bare"] = str(root / "bare" / "bin" / "python")
    return commands


def add_startup_files(venv: Path, version: str) -> Path:
    """PEP 829 files in the venv's site-packages; their effects are marker files in ``venv``."""
    site = venv / "lib" / f"python{version}" / "site-packages"
    (site / "extra").mkdir(parents=True)
    (site / "other").mkdir()
    marks = venv / "marks"
    marks.mkdir()
    touch = "import os; open({!r}, 'w').close()"
    (site / "alpha.pth").write_text(
        f"extra\n{touch.format(str(marks / 'alpha-import'))}\n# a comment\nmissing\n"
    )
    (site / "alpha.start").write_text("# entry points, PEP 829\nalphamod:hello\n")
    (site / "alphamod.py").write_text(
        "import sys\n"
        "def hello():\n"
        f"    extra = {str(site / 'extra')!r}\n"
        f"    open({str(marks / 'alpha-called')!r}, 'w').write(repr(extra in sys.path))\n"
    )
    (site / "beta.pth").write_text(f"{touch.format(str(marks / 'beta-import'))}\nother\n")
    (site / "gamma.start").write_text("nosuchmodule:main\nnot an entry point\n")
    (site / ".hidden.start").write_text("alphamod:hello\n")
    return marks


def native_replay(python: str, argv0: str, tmp: Path) -> dict:
    """getpath_probe.py run by a native interpreter for the command ``argv0``."""
    spec, out = tmp / "spec.json", tmp / "getpath.json"
    spec.write_text(json.dumps({"argv0": argv0, "use_environment": True, "isolated": False}))
    subprocess.run([python, "-I", "-S", str(GETPATH_PROBE), str(out), str(spec)], check=True, cwd=tmp)
    return json.loads(out.read_text())


def _for_version(version: str, root: Path) -> dict:
    from pyenvlab.interpreter import startup
    from pyenvlab.pyodide.startup import replay_getpaths, replay_startup

    spec = f"pyodide:{version}"
    commands = build_layouts(root, version)
    marks = add_startup_files(root / "venv-system", version)
    replays = replay_getpaths(spec, [commands[c] for c in COMMANDS], embedded=False, mounts=[str(root)])
    embedded = replay_getpaths(spec, [commands["venv"]], mounts=[str(root)])
    real = startup(spec, argv0=commands["venv-system"])
    replayed = {name: replay_startup(spec, commands[name], mounts=[str(root)]) for name in ("venv", "prefix")}
    return {
        "root": root,
        "commands": commands,
        "replays": dict(zip(COMMANDS, replays, strict=True)),
        "embedded": embedded[0],
        "real": real,
        "replayed": replayed,
        "marks": {p.name: p.read_text() for p in marks.iterdir()},
    }


@pytest.fixture(scope="module")
def pyodide_startups(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """Replays and a real start for every pinned version, the versions side by side."""
    versions = [v for v in PYODIDE_VERSIONS if pyodide_or_skip(v)]
    roots = [tmp_path_factory.mktemp(f"layouts-{v}") for v in versions]
    with ThreadPoolExecutor(max_workers=len(versions)) as pool:
        return dict(zip(versions, pool.map(_for_version, versions, roots), strict=True))


@pytest.fixture(params=PYODIDE_VERSIONS)
def version(request: pytest.FixtureRequest) -> str:
    return request.param


def _config(replay: dict) -> dict:
    assert replay["source"] == "_testinternalcapi" and not replay["errors"], replay["errors"]
    return replay["config"]


def test_since_314_getpath_itself_sets_a_venvs_prefix(pyodide_startups: dict, version: str) -> None:
    data = pyodide_startups[version]
    root = data["root"]
    config, state = _config(data["replays"]["venv"]), data["replays"]["venv"]["state"]
    assert (config["prefix"], config["exec_prefix"]) == (str(root / "venv"),) * 2
    assert (config["base_prefix"], config["base_exec_prefix"]) == (str(root / "prefix"),) * 2
    assert state["venv_prefix"] == str(root / "venv")
    assert config["executable"] == data["commands"]["venv"]
    assert config["base_executable"] == data["commands"]["prefix"]
    assert config["module_search_paths"][1:] == [
        str(root / "prefix" / "lib" / f"python{version}"),
        str(root / "prefix" / "lib" / f"python{version}" / "lib-dynload"),
    ]
    cfg = [p for p in data["replays"]["venv"]["probes"] if p["path"].endswith("pyvenv.cfg") and p["result"]]
    assert cfg and cfg[0]["check"] == "readlines" and f"home = {root / 'prefix' / 'bin'}" in cfg[0]["detail"]


def test_313_getpath_leaves_a_venvs_prefix_to_site(tmp_path: Path) -> None:
    """The native contrast: 3.13's own getpath finds pyvenv.cfg but keeps prefix at the base."""
    python = pyenv_python("3.13")
    if python is None:
        pytest.skip("no pyenv CPython 3.13 on this machine")
    commands = build_layouts(tmp_path / "layouts", "3.13")
    replay = native_replay(python, commands["venv"], tmp_path)
    config, state = _config(replay), replay["state"]
    base = str(tmp_path / "layouts" / "prefix")
    assert (config["prefix"], config["base_prefix"]) == (base, base)
    assert state["venv_prefix"] == str(tmp_path / "layouts" / "venv")


def test_include_system_site_packages_is_not_getpaths_business(pyodide_startups: dict, version: str) -> None:
    data = pyodide_startups[version]
    plain, system = _config(data["replays"]["venv"]), _config(data["replays"]["venv-system"])
    assert system["prefix"] == str(data["root"] / "venv-system")
    assert system["base_prefix"] == plain["base_prefix"]
    assert system["module_search_paths"] == plain["module_search_paths"]


def test_without_pyvenv_cfg_the_symlink_leads_to_the_prefix(pyodide_startups: dict, version: str) -> None:
    data = pyodide_startups[version]
    replay = data["replays"]["bare"]
    config = _config(replay)
    prefix = str(data["root"] / "prefix")
    assert (config["prefix"], config["base_prefix"]) == (prefix, prefix)
    assert replay["state"]["venv_prefix"] is None
    assert replay["state"]["real_executable"] == data["commands"]["prefix"]
    assert any(p["check"] == "readlink" and p["path"] == data["commands"]["bare"] for p in replay["probes"])


def test_a_prefix_install_is_found_by_its_landmark(pyodide_startups: dict, version: str) -> None:
    data = pyodide_startups[version]
    replay = data["replays"]["prefix"]
    prefix = str(data["root"] / "prefix")
    assert _config(replay)["prefix"] == prefix
    landmark = f"{prefix}/lib/python{version}/os.py"
    assert any(p["path"] == landmark and p["result"] for p in replay["probes"])


def test_pyodides_own_config_ignores_the_venvs_home(pyodide_startups: dict, version: str) -> None:
    """Replayed as Pyodide starts (home='/'): prefix is still the venv, the base is '/'."""
    data = pyodide_startups[version]
    config = _config(data["embedded"])
    assert config["prefix"] == str(data["root"] / "venv")
    assert config["base_prefix"] == "/"
    assert config["stdlib_dir"] == f"/lib/python{version.replace('.', '')}.zip"


def test_a_real_pyodide_start_from_a_venv_is_verified(pyodide_startups: dict, version: str) -> None:
    data = pyodide_startups[version]
    trace, venv = data["real"], str(data["root"] / "venv-system")
    assert trace.verified, trace.disagreements
    assert trace.interpreter == f"pyodide:{version}" and trace.method == "getpath"
    assert (trace.prefix, trace.base_prefix) == (venv, "/")
    assert trace.getpath["prefix"] == venv  # the search alone already set it (gh-126985)
    assert trace.prefix_set_by == "getpath"
    assert trace.venv == venv + "/pyvenv.cfg"
    sources = {e.path: e.source for e in trace.sys_path}
    assert sources[""].startswith("Pyodide's loader")
    assert sources[f"{venv}/lib/python{version}/site-packages"] == "site-packages (venv)"
    # include-system-site-packages = true: the base's site-packages follows
    assert sources[f"/lib/python{version}/site-packages"] == "site-packages (base)"
    assert any("WebAssembly" in note for note in trace.notes)
    assert any("no subprocesses" in note for note in trace.notes)


def _lines(trace, name: str) -> dict[str, str]:
    """The lines of the first processing of ``name`` (3.14 venvs process each .pth twice)."""
    record = next(p for p in trace.pth_files if p.path.endswith("/" + name) and p.occurrence == 1)
    return {line.text: line.outcome for line in record.lines}


def test_315_start_files_run_after_every_path_and_turn_off_import_lines(pyodide_startups: dict) -> None:
    """PEP 829 on 3.15 for real: what site did, and what the trace says it did, agree."""
    data = pyodide_startups["3.15"]
    trace, marks = data["real"], data["marks"]
    assert _lines(trace, "alpha.start") == {
        "# entry points, PEP 829": "skipped: comment",
        "alphamod:hello": "called",
    }
    assert marks["alpha-called"] == "True"  # called, with every .pth path already on sys.path
    alpha = _lines(trace, "alpha.pth")
    assert alpha["extra"] == "added" and alpha["missing"] == "skipped: missing"
    (turned_off,) = [text for text in alpha if text.startswith("import")]
    assert alpha[turned_off] == "skipped: alpha.start turns off this file's import lines (PEP 829)"
    assert "alpha-import" not in marks  # really not run
    beta = _lines(trace, "beta.pth")
    assert [beta[text] for text in beta] == ["executed", "added"] and "beta-import" in marks
    gamma = _lines(trace, "gamma.start")
    assert gamma["nosuchmodule:main"].startswith("error: cannot resolve: ModuleNotFoundError")
    assert gamma["not an entry point"].startswith("error: not a pkg.mod:callable entry point")
    (start,) = [p for p in trace.pth_files if p.path.endswith("alpha.start")]
    assert start.imported == ("alphamod",)
    sources = {e.path: e.source for e in trace.sys_path}
    site = f"{data['root']}/venv-system/lib/python3.15/site-packages"
    assert sources[f"{site}/extra"] == ".pth alpha.pth:1" and sources[f"{site}/other"] == ".pth beta.pth:2"
    assert any(".hidden.start" in note for note in trace.notes)


def test_314_site_has_no_start_files(pyodide_startups: dict) -> None:
    """The feature, not the version: 3.14's site reads no .start file, so the import line runs."""
    data = pyodide_startups["3.14"]
    trace, marks = data["real"], data["marks"]
    assert not [p for p in trace.pth_files if p.path.endswith(".start")]
    alpha = _lines(trace, "alpha.pth")
    assert [alpha[text] for text in alpha if text.startswith("import")] == ["executed"]
    assert "alpha-import" in marks and "alpha-called" not in marks


# -- what the startup views say about these starts (keyed on the records' facts) ----------------


def test_the_views_say_getpath_set_the_venvs_prefix_and_home_came_first(
    pyodide_startups: dict, version: str
) -> None:
    """A real Pyodide start from a venv: getpath set sys.prefix (3.14+), Pyodide's PyConfig.home
    made getpath ignore pyvenv.cfg's home, and the base came from that home, not a landmark."""
    from pyenvlab import render

    data = pyodide_startups[version]
    trace, root = data["real"], data["root"]
    venv = str(root / "venv-system")
    lines = trace.explanation
    assert lines[0] == (
        f"{venv}/pyvenv.cfg says home = {root / 'prefix' / 'bin'}, but getpath ignores that key: "
        "PyConfig.home is set (/)."
    )
    assert lines[1] == "The venv was made by the standard library's `python -m venv`."
    assert lines[2] == (
        "base_prefix = /: taken from PyConfig.home, which the program embedding Python set before the "
        "search (as PYTHONHOME would): no landmark is checked."
    )
    assert lines[-1] == (
        f"getpath read {venv}/pyvenv.cfg and set sys.prefix = {venv} itself (CPython 3.14+, gh-126985); "
        "site only adds the venv's site-packages."
    )
    text = render.text(trace, width=200, color=False)
    assert "the search continues from there" not in text and "compiled-in PREFIX" not in text
    assert "site found pyvenv.cfg" not in text
    source = render.dot(trace).source
    assert f"getpath: sys.prefix = {venv} (venv)" in source and "site: sys.prefix" not in source
    assert "ignored: PyConfig.home = /" in source and "pyvenv.cfg hop" not in source


def test_a_replay_of_a_native_start_from_a_venv(pyodide_startups: dict, version: str) -> None:
    """replay_startup: what a native CPython 3.14/3.15 computes for the venv (no PyConfig.home):
    the search follows pyvenv.cfg's home, the landmark settles the base, getpath sets the venv."""
    from pyenvlab import render

    data = pyodide_startups[version]
    trace, root = data["replayed"]["venv"], data["root"]
    venv, base = str(root / "venv"), str(root / "prefix")
    assert (trace.prefix, trace.base_prefix, trace.prefix_set_by) == (venv, base, "getpath")
    assert trace.method == "getpath" and not trace.site_ran and not trace.verified and not trace.comparisons
    landmark = f"{base}/lib/python{version}/os.py"
    assert trace.probe_for("prefix").path == landmark  # the base's landmark settles it (not the venv)
    assert trace.explanation == (
        f"{venv}/pyvenv.cfg says home = {base}/bin: the search continues from there.",
        "The venv was made by the standard library's `python -m venv`.",
        f"base_prefix = {base}: the first landmark found was {landmark}.",
        f"base_exec_prefix = {base}: {base}/lib/python{version}/lib-dynload exists.",
        f"getpath read {venv}/pyvenv.cfg and set sys.prefix = {venv} itself (CPython 3.14+, gh-126985); "
        "site only adds the venv's site-packages.",
    )
    text = render.text(trace, width=200, color=False)
    assert "not verified: no start of the interpreter to compare with (see the notes)" in text
    assert "2. site: not run\n" in text and "Result (site did not run)" in text
    assert any(
        note.startswith(f"a replay: CPython {trace.python}'s own getpath code") for note in trace.notes
    )
    source = render.dot(trace).source
    assert f"base_prefix = {base}" in source and "not verified (nothing to compare with)" in source
    # the prefix install itself: no venv, the landmark settles prefix
    plain = data["replayed"]["prefix"]
    assert plain.prefix_set_by is None and plain.prefix == base
    assert plain.explanation[0] == f"prefix = {base}: the first landmark found was {landmark}."


def test_the_pth_heading_counts_start_files(pyodide_startups: dict, version: str) -> None:
    from pyenvlab import render

    trace = pyodide_startups[version]["real"]
    text = render.text(trace, width=200, color=False)
    starts = [p for p in trace.pth_files if p.path.endswith(".start")]
    total = len(trace.pth_files)
    if starts:  # 3.15's site reads .start files (PEP 829): the feature, not the version
        assert f"3. .pth and .start files: {total} processed ({len(starts)} .start files)" in text
        (hidden,) = [n for n in trace.notes if ".hidden.start" in n]
        assert hidden.endswith(
            "site skips .start files (PEP 829) whose names start with '.', as it skips such .pth files"
        )
    else:
        assert f"3. .pth files: {total} processed" in text
        assert version == "3.14"
