"""The tracer against CPython 3.14 and 3.15 (Pyodide), over every stdlib module name.

The same standard as tests/test_differential.py, checked by the same ``_check_name``, with the
same three arms per name from tests/differential_driver.py (``arm``): ``importlib.util.find_spec``
(ground truth), ``import name`` under the recorder, ``import name`` without it. Each arm runs in
a fresh interpreter of its own.

A fresh ``loadPyodide()`` costs 2-3 s, so the arms use the runner's ``fresh="reset"``: one
start loads the driver and the recorder's source (as the native driver's parent does before
forking), its memory is copied, and the copy is written back before every arm (a fork, in
effect); what lives outside that memory is checked after every arm (an instance that changed
it is replaced by a new start, which loads them again). That this gives the interpreter a new
start gives is not assumed, it is tested:

- every arm records the import state it began with (``sys.modules``, ``sys.path``, the meta-path
  and path hooks, ``sys.path_importer_cache`` with each FileFinder's cached listing, the working
  directory, the environment and flags), which must equal that of a real new ``loadPyodide()``;
- a sample trace covering zip, built-in, frozen, package and failed loads, made after a reset,
  equals the same trace made in a new ``loadPyodide()``, probe for probe.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import PYODIDE_VERSIONS, pyodide_or_skip
from tests.test_differential import SKIP, _check_name

pytestmark = pytest.mark.slow

DRIVER = Path(__file__).with_name("differential_driver.py")
HOME = "/pyenvlab"
RECORDER_INSIDE = f"{HOME}/recorder.py"
DRIVER_INSIDE = f"{HOME}/differential_driver.py"
OUT = f"{HOME}/out.json"

#: the import state an arm begins with; uses only sys and os (loaded in every start)
STATE = """\
def _pyenvlab_state():
    import os, sys
    caches = []
    for key, finder in sorted(sys.path_importer_cache.items(), key=lambda item: str(item[0])):
        listing = getattr(finder, "_path_cache", None)
        caches.append((
            key, type(finder).__name__, getattr(finder, "_path_mtime", None) not in (None, -1),
            sorted(listing) if isinstance(listing, (set, frozenset)) else None,
        ))
    return repr((
        sorted(k for k in sys.modules if isinstance(k, str)), sys.path,
        [type(f).__qualname__ if not isinstance(f, type) else f.__qualname__ for f in sys.meta_path],
        [getattr(h, "__qualname__", type(h).__qualname__) for h in sys.path_hooks], caches,
        os.getcwd(), sorted(os.environ.items()), tuple(sys.flags),
    ))
"""

# Run once in the start every arm comes from, as the native driver's parent does before it
# forks: the driver and the recorder's source loaded (as module objects in no sys.modules
# entry, held by __main__), the recorder not installed.
PARENT = """\
def _pyenvlab_parent():
    import sys
    driver = type(sys)("pyenvlab_differential_driver")
    driver.__file__ = {driver!r}
    with open({driver!r}, encoding="utf-8") as stream:
        exec(compile(stream.read(), {driver!r}, "exec"), driver.__dict__)
    return driver, driver._load_recorder({recorder!r})


_pyenvlab_loaded = _pyenvlab_parent()
del _pyenvlab_parent
"""

ARM = (
    STATE
    + """
def _pyenvlab_arm():
    state = _pyenvlab_state()
    driver, recorder = _pyenvlab_loaded
    try:
        result = driver.arm({kind!r}, {name!r}, recorder)
    except BaseException as exc:
        result = {{"driver_error": type(exc).__name__ + ": " + str(exc)}}
    result["state"] = state
    with open({out!r}, "w", encoding="ascii") as stream:
        stream.write(recorder.dumps(result))


_pyenvlab_arm()
"""
)

NAMES = (
    STATE
    + """
def _pyenvlab_names():
    import sys
    state = _pyenvlab_state()
    names = sorted(sys.stdlib_module_names)
    with open({out!r}, "w", encoding="utf-8") as stream:
        stream.write(repr((state, names)))


_pyenvlab_names()
"""
)

#: one trace touching zip, built-in, frozen, package, submodule and failed loads
SAMPLE_CODE = (
    "try:\n    import nonexistent_xyz\nexcept ImportError:\n    pass\n"
    "import colorsys, email.mime.text, decimal, zoneinfo, tomllib, unittest, xml.dom.minidom,"
    " _testinternalcapi"
)


def _sample_run():
    from pyenvlab.pyodide.runner import Run
    from pyenvlab.pyodide.tracing import boot_code, recorder_source

    argv = [RECORDER_INSIDE, f"{HOME}/sample.json", "--code", SAMPLE_CODE]
    return Run(
        boot_code(argv, path=RECORDER_INSIDE),
        files=((RECORDER_INSIDE, recorder_source()),),
        results=(f"{HOME}/sample.json",),
    )


def _differential(spec: str) -> dict:
    """All the runs for one version: a fresh-start reference job, then the arms with resets."""
    import ast

    from pyenvlab.pyodide.releases import release_for
    from pyenvlab.pyodide.runner import Run, run
    from pyenvlab.pyodide.tracing import recorder_source

    release = release_for(spec)
    names_run = Run(NAMES.format(out=f"{HOME}/names.txt"), results=(f"{HOME}/names.txt",))
    reference = run(release, [names_run, _sample_run()], fresh="load", quiet=True, timeout=600)
    assert all(r.ok for r in reference), [r.error for r in reference]
    state, names = ast.literal_eval(reference[0].files[f"{HOME}/names.txt"])
    names = [n for n in names if n not in SKIP]
    parent = Run(
        PARENT.format(driver=DRIVER_INSIDE, recorder=RECORDER_INSIDE),
        files=((RECORDER_INSIDE, recorder_source()), (DRIVER_INSIDE, DRIVER.read_text(encoding="utf-8"))),
    )
    arms = [
        Run(ARM.format(kind=kind, name=name, out=OUT), results=(OUT,))
        for name in names
        for kind in ("spec", "traced", "plain")
    ]
    results = run(release, [_sample_run(), *arms], fresh="reset", setup=parent, quiet=True, timeout=1500)
    per_name: dict[str, dict] = {}
    for index, name in enumerate(names):
        per_name[name] = {}
        for offset, kind in enumerate(("spec", "traced", "plain")):
            result = results[1 + 3 * index + offset]
            text = result.files.get(OUT)
            per_name[name][kind] = json.loads(text) if text else {"driver_error": result.error}
    return {
        "names": names,
        "state": state,
        "results": per_name,
        "sample_fresh": reference[1].files[f"{HOME}/sample.json"],
        "sample_reset": results[0].files[f"{HOME}/sample.json"],
        "resets": [r.reset for r in results],
        "seconds": sum(r.seconds for r in reference) + sum(r.seconds for r in results),
    }


@pytest.fixture(scope="module")
def pyodide_results() -> dict[str, dict]:
    """The differential on every pinned Pyodide version, the versions side by side."""
    specs = [pyodide_or_skip(version) for version in PYODIDE_VERSIONS]
    with ThreadPoolExecutor(max_workers=len(specs)) as pool:
        return dict(zip(specs, pool.map(_differential, specs), strict=True))


def test_every_arm_began_in_a_fresh_interpreter(pyodide_results: dict) -> None:
    """Each arm's starting import state equals that of a new loadPyodide() (nothing assumed)."""
    for spec, data in pyodide_results.items():
        differing = [
            f"{name} {kind}"
            for name, arms in data["results"].items()
            for kind, arm in arms.items()
            if arm.get("state") != data["state"]
        ]
        assert not differing, f"{spec}: {len(differing)} arms began elsewhere: {differing[:10]}"
        assert data["resets"].count("reset") > len(data["resets"]) // 2, f"{spec}: mostly new starts"


def test_a_reset_interpreter_traces_like_a_new_one(pyodide_results: dict) -> None:
    """The sample trace after a reset equals the one in a new loadPyodide(), probe for probe."""

    def comparable(text: str) -> dict:
        """The trace without its clock readings (every field named start or ...seconds)."""
        data = json.loads(text)
        for record in [data, *data["modules"]]:
            for key in record:
                if key == "start" or key.endswith("seconds"):
                    record[key] = 0
        return data

    for spec, data in pyodide_results.items():
        fresh, reset = comparable(data["sample_fresh"]), comparable(data["sample_reset"])
        assert len(fresh["modules"]) > 20 and fresh["raised"] is None, spec
        kinds = {m["finder"] for m in fresh["modules"]}
        assert {"PathFinder", "BuiltinImporter"} <= kinds, (spec, kinds)
        assert any(m["error"] for m in fresh["modules"]), "the failed load is part of the sample"
        assert reset == fresh, spec


def test_tracer_agrees_with_cpython_in_pyodide_on_every_name(pyodide_results: dict) -> None:
    """Every stdlib name on 3.14 and 3.15: the trace agrees with find_spec and changes nothing."""
    report = []
    for spec, data in pyodide_results.items():
        version = spec.partition(":")[2]
        for name in data["names"]:
            for problem in _check_name(name, data["results"][name], version):
                report.append(f"{spec} {name}: {problem}")
    assert not report, "\n".join(report[:40]) + f"\n... {len(report)} problems"


def test_the_pyodide_differential_covers_real_work(pyodide_results: dict) -> None:
    """Guard against a vacuous pass: names load for real (many from the zip) or are cache hits."""
    for spec, data in pyodide_results.items():
        results = data["results"]
        assert len(data["names"]) > 250, spec
        loaded = [
            n
            for n in data["names"]
            if any(m["name"] == n and m["error"] is None for m in results[n]["traced"]["trace"]["modules"])
        ]
        # Pyodide's own runtime has ~190 modules loaded before any code runs: those names are
        # cache hits (checked as such by _check_name), the others load for real
        assert len(loaded) > 120, f"{spec}: only {len(loaded)} names loaded"
        preloaded = [n for n in data["names"] if results[n]["traced"]["preloaded"]]
        assert len(preloaded) > 100, f"{spec}: only {len(preloaded)} names already loaded"
        zip_hits = sum(
            1
            for n in data["names"]
            for m in results[n]["traced"]["trace"]["modules"]
            if any(v["outcome"] == "hit" and v["finder"] == "zipimporter" for v in m["searched"])
        )
        assert zip_hits > 100, f"{spec}: only {zip_hits} loads from the stdlib zip"
        missing = [n for n in data["names"] if not results[n]["spec"].get("found")]
        assert 0 < len(missing) < 80, (spec, missing)
