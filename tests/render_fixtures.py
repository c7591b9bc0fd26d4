"""Hand-built traces for the renderer tests and goldens (no tracer needed, fully deterministic).

``json_trace()`` looks like ``python -m pyenvlab trace json`` on a Python 3.12 whose sys.path has
two add-on directories and a project directory in front of the standard library;
``namespace_trace()`` an import of a namespace package split over two directories and a failed
import; ``lazy_trace()`` PEP 810 lazy imports in CPython 3.15 under Pyodide (loaded on first use,
never used, already loaded, failed on first use; the zip stdlib and Pyodide's meta-path finders),
shaped like a real one; ``hostile_trace()`` uses hostile names (markup, quotes, backslash
escapes, newlines, ANSI escapes, bidi overrides, non-ASCII) everywhere a name or path can appear
(``hostile_lazy_trace()`` in every lazy-import field); ``big_trace(n)`` is a synthetic trace of
``n`` modules in nested packages, ``chain_trace(n)`` one ``n`` imports deep, ``flat_trace(n)`` one
of ``n`` top-level imports along a long ``sys.path``, and ``long_string_trace(n)`` one whose every
name and path is ``n`` characters without a space.
"""

from __future__ import annotations

from pyenvlab.candidates import Candidates
from pyenvlab.model import Candidate, ModuleRecord, Probe, Statement, Trace, Visit

STDLIB = "/usr/lib/python3.12"
DYNLOAD = "/usr/lib/python3.12/lib-dynload"
SYS_PATH = (
    "/home/ada/project",
    "/opt/addons/one",
    "/opt/addons/two",
    "/usr/lib/python312.zip",
    STDLIB,
    DYNLOAD,
    "/home/ada/venv/lib/python3.12/site-packages",
)

HOSTILE = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "quo\"te's",
    "a&b&amp;",
    "back\\N\\l\\G\\\\",
    "new\nline\r\ttab",
    "ansi\x1b[31mred\x1b[0m",
    "bidi\u202eevil\u2066",
    "caf\u00e9 \u6f22\u5b57 \U0001f40d",
)


def search(
    name: str,
    entries: tuple[str, ...],
    hit: str | None,
    file: str,
    *,
    package: bool = False,
    zip_entries: tuple[str, ...] = (),
) -> tuple[tuple[Visit, ...], tuple[Probe, ...]]:
    """Visits and probes of a FileFinder search for ``name`` along ``entries`` up to ``hit``."""
    visits, probes = [], []
    tail = name.rpartition(".")[2]
    for entry in entries:
        if entry in zip_entries:
            visits.append(Visit(entry, None, "no-finder", created=False))
            probes.append(Probe(entry, "stat", False, entry))
            continue
        outcome = "hit" if entry == hit else "miss"
        visits.append(Visit(entry, "FileFinder", outcome))
        probes.append(Probe(entry, "stat", True, entry))
        if outcome == "hit":
            if package:
                probes.append(Probe(f"{entry}/{tail}", "isdir", True, entry))
                probes.append(Probe(f"{entry}/{tail}/__init__.py", "isfile", True, entry))
            else:
                probes.append(Probe(f"{entry}/{file}", "isfile", True, entry))
            break
    return tuple(visits), tuple(probes)


def module(
    name: str,
    entries: tuple[str, ...],
    hit: str,
    file: str,
    *,
    by: str | None,
    seconds: float,
    start: float,
    package: bool = False,
    loader: str = "SourceFileLoader",
    zip_entries: tuple[str, ...] = (),
) -> ModuleRecord:
    visits, probes = search(name, entries, hit, file, package=package, zip_entries=zip_entries)
    origin = f"{hit}/{file}"
    return ModuleRecord(
        name=name,
        origin=origin,
        finder="PathFinder",
        searched=visits,
        probes=probes,
        imported_by=by,
        seconds=seconds,
        loader=loader,
        start=start,
        search_locations=(f"{hit}/{name.rpartition('.')[2]}",) if package else None,
    )


def json_trace() -> Trace:
    """``import json`` with a project dir and two add-on dirs in front of the stdlib."""
    zips = ("/usr/lib/python312.zip",)
    jdir = (f"{STDLIB}/json",)
    modules = (
        module(
            "json",
            SYS_PATH,
            STDLIB,
            "json/__init__.py",
            by=None,
            seconds=0.00412,
            start=0.0,
            package=True,
            zip_entries=zips,
        ),
        module("json.decoder", jdir, jdir[0], "decoder.py", by="json", seconds=0.00301, start=0.0003),
        module("json.scanner", jdir, jdir[0], "scanner.py", by="json.decoder", seconds=0.00095, start=0.0004),
        ModuleRecord(
            "_json",
            f"{DYNLOAD}/_json.cpython-312-x86_64-linux-gnu.so",
            "PathFinder",
            searched=search(
                "_json", SYS_PATH, DYNLOAD, "_json.cpython-312-x86_64-linux-gnu.so", zip_entries=zips
            )[0],
            probes=search(
                "_json", SYS_PATH, DYNLOAD, "_json.cpython-312-x86_64-linux-gnu.so", zip_entries=zips
            )[1],
            imported_by="json.scanner",
            seconds=0.00031,
            loader="ExtensionFileLoader",
            start=0.0005,
        ),
        module("json.encoder", jdir, jdir[0], "encoder.py", by="json", seconds=0.00052, start=0.0034),
        ModuleRecord(
            "_string",
            "built-in",
            "BuiltinImporter",
            imported_by="json.encoder",
            seconds=0.00002,
            loader="BuiltinImporter",
            start=0.0036,
        ),
    )
    statements = (
        Statement("json", None, cached=False),
        Statement("json.decoder", "json", cached=False),
        Statement("re", "json.decoder", cached=True, count=1),
        Statement("json.scanner", "json.decoder", cached=False),
        Statement("re", "json.scanner", cached=True, count=2),
        Statement("_json", "json.scanner", cached=False),
        Statement("json.scanner", "json.decoder", cached=True, count=1),
        Statement("json.encoder", "json", cached=False),
        Statement("re", "json.encoder", cached=True, count=1),
        Statement("_string", "json.encoder", cached=False),
        Statement("json.decoder", "json", cached=True, count=3, fromlist=("JSONDecodeError",)),
    )
    return Trace(
        python="3.12.1",
        executable="/usr/bin/python3.12",
        sys_path=SYS_PATH,
        modules=modules,
        statements=statements,
        code="import json",
        seconds=0.0051,
    )


def namespace_trace() -> Trace:
    """``import nsdemo.part; import missing_mod``: a namespace package with two portions, a frozen
    module and a failed import."""
    a, b = "/home/ada/project", "/opt/addons/one"
    path = (a, b, STDLIB)
    ns = ModuleRecord(
        "nsdemo",
        None,
        "PathFinder",
        searched=(
            Visit(a, "FileFinder", "namespace", created=True),
            Visit(b, "FileFinder", "namespace"),
            Visit(STDLIB, "FileFinder", "miss"),
        ),
        probes=(
            Probe(a, "listdir", True, a),
            Probe(f"{a}/nsdemo", "isdir", True, a),
            Probe(f"{a}/nsdemo/__init__.py", "isfile", False, a),
            Probe(f"{b}/nsdemo", "isdir", True, b),
            Probe(f"{b}/nsdemo/__init__.py", "isfile", False, b),
            Probe(f"{STDLIB}/nsdemo", "isdir", False, STDLIB),
            Probe(f"{STDLIB}/nsdemo.py", "candidate", False, STDLIB),
        ),
        seconds=0.0004,
        loader="NamespaceLoader",
        search_locations=(f"{a}/nsdemo", f"{b}/nsdemo"),
    )
    part = ModuleRecord(
        "nsdemo.part",
        f"{b}/nsdemo/part.py",
        "PathFinder",
        searched=(
            Visit(f"{a}/nsdemo", "FileFinder", "miss", created=True),
            Visit(f"{b}/nsdemo", "FileFinder", "hit", created=True),
        ),
        probes=(
            Probe(f"{b}/nsdemo/part.py", "isfile", True, f"{b}/nsdemo"),
            Probe(f"{b}/nsdemo/__pycache__/part.cpython-312.pyc", "stat", False, None),
        ),
        imported_by=None,
        seconds=0.0009,
        loader="SourceFileLoader",
        start=0.0005,
    )
    frozen = ModuleRecord(
        "codecs",
        "frozen",
        "FrozenImporter",
        imported_by="nsdemo.part",
        seconds=0.00005,
        loader="FrozenImporter",
        start=0.0008,
    )
    missing = ModuleRecord(
        "missing_mod",
        None,
        None,
        searched=tuple(Visit(e, "FileFinder", "miss") for e in path),
        probes=tuple(Probe(e, "stat", True, e) for e in path),
        error="ModuleNotFoundError: No module named 'missing_mod'",
        seconds=0.0002,
        start=0.0015,
    )
    statements = (
        Statement("nsdemo.part", None, cached=False),
        Statement("codecs", "nsdemo.part", False),
        Statement("missing_mod", None, cached=False),
        Statement("codecs", None, True, 2),
    )
    return Trace(
        python="3.12.1",
        executable="/usr/bin/python3.12",
        sys_path=path,
        modules=(ns, part, frozen, missing),
        statements=statements,
        code="import nsdemo.part\ntry:\n    import missing_mod\nexcept ImportError:\n    pass",
        seconds=0.0021,
    )


PYODIDE_PATH = (
    "",
    "/work/lazy",
    "/lib/python315.zip",
    "/lib/python3.15/lib-dynload",
    "/lib/python3.15/site-packages",
)
LAZY_CODE = """\
lazy import lz_used
lazy from lz_pkg import sub
lazy import lz_never
lazy import json
lazy import nosuch_mod
value = lz_used.VALUE + sub.X + len(json.dumps(1))
try:
    nosuch_mod.x
except ImportError:
    pass"""


def lazy_trace() -> Trace:
    """``LAZY_CODE`` in Pyodide 3.15 (as a real trace of it records it): ``lz_used`` and
    ``lz_pkg`` are loaded at their first use (line 6), ``lz_never`` is never used, ``json`` was
    already loaded by Pyodide's runtime, ``nosuch_mod`` fails at its first use (line 8);
    ``lz_used``'s own ``import colorsys`` is an ordinary one, served by the zip stdlib."""
    work, zipped = PYODIDE_PATH[1], PYODIDE_PATH[2]
    home = Probe("/home/pyodide", "stat", True, "")

    def at_work(name: str, file: str, *, start: float, seconds: float, package: bool = False) -> ModuleRecord:
        probes = [home, Probe(work, "stat", True, work)]
        if package:
            probes.append(Probe(f"{work}/{name}/__init__.py", "isfile", True, work))
        else:
            probes.append(Probe(f"{work}/{file}", "isfile", True, work))
        return ModuleRecord(
            name,
            f"{work}/{file}",
            "PathFinder",
            searched=(Visit("", "FileFinder", "miss"), Visit(work, "FileFinder", "hit")),
            probes=tuple(probes),
            imported_by="__main__",
            seconds=seconds,
            loader="SourceFileLoader",
            search_locations=(f"{work}/{name}",) if package else None,
            start=start,
            lazy=True,
            first_use="<string>:6",
        )

    modules = (
        at_work("lz_used", "lz_used.py", start=0.0016, seconds=0.0103),
        ModuleRecord(
            "colorsys",
            f"{zipped}/colorsys.py",
            "PathFinder",
            searched=(
                Visit("", "FileFinder", "miss"),
                Visit(work, "FileFinder", "miss"),
                Visit(zipped, "zipimporter", "hit"),
            ),
            probes=(home, Probe(work, "stat", True, work)),
            imported_by="lz_used",
            seconds=0.0082,
            loader="zipimporter",
            start=0.0037,
        ),
        at_work("lz_pkg", "lz_pkg/__init__.py", start=0.0121, seconds=0.0012, package=True),
        ModuleRecord(
            "lz_pkg.sub",
            f"{work}/lz_pkg/sub.py",
            "PathFinder",
            searched=(Visit(f"{work}/lz_pkg", "FileFinder", "hit", created=True),),
            probes=(Probe(f"{work}/lz_pkg/sub.py", "isfile", True, f"{work}/lz_pkg"),),
            imported_by="__main__",
            seconds=0.0016,
            loader="SourceFileLoader",
            start=0.0133,
        ),
        ModuleRecord(
            "nosuch_mod",
            None,
            None,
            searched=tuple(
                Visit(e, "zipimporter" if e == zipped else "FileFinder", "miss") for e in PYODIDE_PATH
            ),
            probes=(home, Probe(work, "stat", True, work)),
            imported_by="__main__",
            error="ModuleNotFoundError: No module named 'nosuch_mod'",
            seconds=0.0004,
            start=0.0154,
            lazy=True,
            first_use="<string>:8",
        ),
    )
    statements = (
        Statement("lz_used", "__main__", cached=False, lazy=True),
        Statement("lz_pkg", "__main__", cached=False, fromlist=("sub",), lazy=True),
        Statement("lz_never", "__main__", cached=False, lazy=True),
        Statement("json", "__main__", cached=True, lazy=True),
        Statement("nosuch_mod", "__main__", cached=False, lazy=True),
        Statement("_io", "importlib._bootstrap", cached=True, count=6),
        Statement("colorsys", "lz_used", cached=False),
        Statement("_io", "zipimport", cached=True, count=2),
    )
    return Trace(
        python="3.15.0",
        executable="/opt/pyenvlab/pyodide/runner.mjs",
        sys_path=PYODIDE_PATH,
        modules=modules,
        statements=statements,
        code=LAZY_CODE,
        seconds=0.016,
        lazy_pending=("lz_never",),
        platform="emscripten",
        meta_path=("BuiltinImporter", "FrozenImporter", "PathFinder", "JsFinder", "WindowsToLinuxPathFinder"),
    )


def hostile_lazy_trace() -> Trace:
    """Hostile names in every lazy field: statements, first uses, pending names, the
    interpreter's platform and meta-path finders."""
    path = tuple(f"/tmp/{h}" for h in HOSTILE)
    modules = tuple(
        ModuleRecord(
            name,
            f"{path[i]}/{name}.py",
            "PathFinder",
            searched=(Visit(path[i], name, "hit"),),
            imported_by=HOSTILE[0] if i else None,
            error=name if i % 4 == 3 else None,
            seconds=0.001,
            start=0.001 * i,
            lazy=True,
            first_use=f"{name}:{i}",
        )
        for i, name in enumerate(HOSTILE[:5])
    )
    statements = tuple(
        Statement(h, HOSTILE[0] if i else None, cached=i == 6, fromlist=(h,) if i % 2 else (), lazy=True)
        for i, h in enumerate(HOSTILE)
    )
    return Trace(
        python="3.15.0 " + HOSTILE[7],
        executable=HOSTILE[1],
        sys_path=path,
        modules=modules,
        statements=statements,
        code="lazy import " + HOSTILE[0],
        seconds=0.01,
        lazy_pending=HOSTILE[5:],
        platform="emscripten",
        meta_path=("PathFinder", *HOSTILE),
    )


def hostile_trace() -> Trace:
    """Every name and path is hostile; the importer chain nests them."""
    root = "/tmp/" + HOSTILE[0]
    path = tuple(f"/tmp/{h}" for h in HOSTILE)
    modules = []
    previous = None
    for index, name in enumerate(HOSTILE):
        entry = path[index]
        modules.append(
            ModuleRecord(
                name,
                f"{entry}/{name}.py",
                "PathFinder",
                searched=(*(Visit(e, name, "miss") for e in path[:index]), Visit(entry, name, "hit")),
                probes=(
                    Probe(f"{entry}/{name}.py", "isfile", True, entry),
                    Probe(f"{root}/{name}", "stat", False, None),
                ),
                imported_by=previous,
                error=name if index % 3 == 2 else None,
                seconds=0.001 * (index + 1),
                loader=name,
                start=0.001 * index,
            )
        )
        previous = name
    statements = tuple(Statement(h, HOSTILE[0], cached=True, count=2) for h in HOSTILE[1:])
    return Trace(
        python="3.12.1 " + HOSTILE[5],
        executable=HOSTILE[1],
        sys_path=path,
        modules=tuple(modules),
        statements=statements,
        errors=HOSTILE,
        code=HOSTILE[0] + "\n" + HOSTILE[6],
        seconds=0.05,
    )


def hostile_candidates() -> Candidates:
    return Candidates(
        HOSTILE[0],
        (Candidate(h, f"/tmp/{h}", f"/tmp/{h}/{h}.py", "module", i == 0, h) for i, h in enumerate(HOSTILE)),
    )


def json_candidates() -> Candidates:
    return Candidates(
        "json",
        [
            Candidate("json", "/home/ada/project", "/home/ada/project/json.py", "module", True, "FileFinder"),
            Candidate("json", STDLIB, f"{STDLIB}/json/__init__.py", "package", False, "FileFinder"),
        ],
    )


def big_trace(n: int = 1000) -> Trace:
    """``n`` modules: 40 top-level packages, each importing submodules nested 4 deep, plus cache
    hits between them (synthetic; shaped like a large real trace)."""
    modules = []
    statements = []
    per = max(n // 40, 1)
    t = 0.0
    for p in range(40):
        pkg = f"pkg{p:02d}"
        names = [pkg]
        modules.append(
            ModuleRecord(
                pkg,
                f"/site/{pkg}/__init__.py",
                "PathFinder",
                searched=(Visit("/site", "FileFinder", "hit"),),
                probes=(Probe(f"/site/{pkg}", "isdir", True, "/site"),),
                imported_by=None,
                seconds=0.0001 * per,
                start=t,
                search_locations=(f"/site/{pkg}",),
            )
        )
        for i in range(1, per):
            parent = names[(i - 1) // 3]
            name = f"{pkg}.m{i:03d}"
            names.append(name)
            t += 0.00001
            modules.append(
                ModuleRecord(
                    name,
                    f"/site/{pkg}/m{i:03d}.py",
                    "PathFinder",
                    searched=(Visit(f"/site/{pkg}", "FileFinder", "hit"),),
                    imported_by=parent,
                    seconds=0.00005,
                    start=t,
                )
            )
            statements.append(Statement(name, parent, cached=False))
            if i % 5 == 0:
                statements.append(Statement(names[0], name, cached=True, count=i % 7 + 1))
        if p:
            statements.append(Statement(f"pkg{p - 1:02d}", pkg, cached=True, count=1))
    modules = modules[:n]
    return Trace(
        python="3.12.1",
        executable="/usr/bin/python3.12",
        sys_path=("/site",),
        modules=tuple(modules),
        statements=tuple(statements),
        code="import everything",
        seconds=0.0001 * n,
    )


def chain_trace(n: int) -> Trace:
    """``n`` modules, each imported by the one before: an import tree ``n`` levels deep."""
    mods = tuple(
        ModuleRecord(
            f"m{i}",
            f"/s/m{i}.py",
            "PathFinder",
            searched=(Visit("/s", "FileFinder", "hit"),),
            probes=(Probe(f"/s/m{i}.py", "isfile", True, "/s"),),
            imported_by=f"m{i - 1}" if i else None,
            seconds=1e-5,
        )
        for i in range(n)
    )
    return Trace(
        python="3.12.1", executable="/p", sys_path=("/s",), modules=mods, statements=(), code="import m0"
    )


def flat_trace(n: int) -> Trace:
    """``n`` top-level imports, each searched along ``n // 10`` entries, with cache hits."""
    path = tuple(f"/e{j}" for j in range(max(n // 10, 1)))
    mods = tuple(
        ModuleRecord(
            f"m{i}",
            f"{path[i % len(path)]}/m{i}.py",
            "PathFinder",
            searched=(Visit(path[i % len(path)], "FileFinder", "hit"),),
            imported_by=None,
            seconds=1e-5,
        )
        for i in range(n)
    )
    hits = tuple(Statement(f"m{i % 50}", f"m{i}", cached=True) for i in range(n))
    return Trace(
        python="3.12.1", executable="/p", sys_path=path, modules=mods, statements=hits, code="import m0"
    )


def long_string_trace(n: int) -> Trace:
    """One module whose name, path, probe, error and the traced code's exception are ``n``
    characters without a space (nothing to break a line at)."""
    word = "A" * n
    entry = "/" + word
    record = ModuleRecord(
        "m",
        f"{entry}/m.py",
        "PathFinder",
        searched=(Visit(entry, "FileFinder", "hit"),),
        probes=(
            Probe(f"{entry}/{word}.py", "isfile", False, entry),
            Probe(f"{entry}/m.py", "isfile", True, entry),
        ),
        error="ValueError: " + word,
    )
    return Trace(
        python="3.12.1",
        executable=entry,
        sys_path=(entry,),
        modules=(record,),
        statements=(),
        code="raise ValueError(" + word + ")",
        raised="ValueError: " + word,
    )


def normalise(trace: Trace, prefix: str, *, cwd: str | None = None) -> Trace:
    """A real trace made machine-independent for goldens: the interpreter ``prefix`` becomes
    ``/PREFIX``, ``cwd`` becomes ``/CWD``, the version ``3.X``, and every time a fixed value."""
    import json

    from pyenvlab._records import replace

    text = trace.to_json()
    text = text.replace(json.dumps(prefix)[1:-1], "/PREFIX")
    if cwd:
        text = text.replace(json.dumps(cwd)[1:-1], "/CWD")
    out = Trace.from_json(text)
    modules = tuple(
        replace(m, seconds=0.001 * (len(out.modules) - i), start=0.001 * i) for i, m in enumerate(out.modules)
    )
    return replace(out, modules=modules, seconds=0.01, python="3.X", executable="/PREFIX/bin/python")


def golden_cases() -> dict[str, str]:
    """Every golden render: file name -> text. ``tests/golden/regenerate.py`` writes them."""
    from pathlib import Path

    from pyenvlab import render

    real = Trace.load(Path(__file__).parent / "golden" / "json_real.trace.json")
    json_t, ns_t, lazy_t = json_trace(), namespace_trace(), lazy_trace()
    cases = {
        "json.txt": render.text(json_t, width=100, color=False),
        "json.80.txt": render.text(json_t, width=80, color=False),
        "json.html": render.html(json_t),
        "json.tree.dot": render.dot(json_t).source,
        "json.scan.dot": render.dot(json_t, module="json").source,
        "json.stdlib.dot": render.dot(json_t, collapse="stdlib").source,
        "json.module.txt": render.text(json_t.module("json"), width=100, color=False),
        "namespace.txt": render.text(ns_t, width=100, color=False),
        "namespace.html": render.html(ns_t),
        "namespace.tree.dot": render.dot(ns_t).source,
        "namespace.scan.dot": render.dot(ns_t, module="nsdemo").source,
        "missing.scan.dot": render.dot(ns_t, module="missing_mod").source,
        "big.tree.dot": render.dot(big_trace(1000)).source,
        "candidates.txt": render.text(json_candidates(), width=100, color=False),
        "candidates.html": render.html(json_candidates()),
        "candidates.dot": render.dot(json_candidates()).source,
        "lazy.txt": render.text(lazy_t, width=100, color=False),
        "lazy.html": render.html(lazy_t),
        "lazy.tree.dot": render.dot(lazy_t).source,
        "lazy.scan.dot": render.dot(lazy_t, module="lz_used").source,
        "real.txt": render.text(real, width=100, color=False),
        "real.tree.dot": render.dot(real).source,
        "real.scan.dot": render.dot(real, view="scan").source,
    }
    return {name: value if value.endswith("\n") else value + "\n" for name, value in cases.items()}
