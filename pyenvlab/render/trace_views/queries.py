"""Questions the views ask of an import trace: facts computed from the records, no wording.

Example:
    >>> from pyenvlab.model import ModuleRecord, Trace
    >>> t = Trace(python="3.12.1", executable="python", sys_path=(), statements=(),
    ...           modules=(ModuleRecord("json", None, "PathFinder"),
    ...                    ModuleRecord("json.decoder", None, "PathFinder", imported_by="json")))
    >>> depths(t.modules), [m.name for m in top_level(t)]
    ({'json': 0, 'json.decoder': 1}, ['json'])
"""

from __future__ import annotations

import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

from pyenvlab.model import ModuleRecord, Probe, Statement, Trace

__all__ = [
    "CPYTHON_FINDERS",
    "LAZY_STATUSES",
    "MAX_SCANS",
    "WEBASSEMBLY_PLATFORMS",
    "cache_hits",
    "depths",
    "foreign_finders",
    "is_stdlib",
    "lazy_imports",
    "probes_at",
    "scan_targets",
    "stdlib_names",
    "top_level",
    "total_seconds",
]

#: the text view spells out the scan of each top-level import of a trace with at most this many
MAX_SCANS = 3

#: the meta-path finders CPython itself installs (WindowsRegistryFinder on Windows only)
CPYTHON_FINDERS = frozenset({"BuiltinImporter", "FrozenImporter", "PathFinder", "WindowsRegistryFinder"})

#: values of ``sys.platform`` of CPython compiled to WebAssembly (Pyodide is ``emscripten``)
WEBASSEMBLY_PLATFORMS = frozenset({"emscripten", "wasi"})

#: what became of a PEP 810 lazy import, as :func:`lazy_imports` says it
LAZY_STATUSES = ("reified", "failed", "pending", "cached", "loaded", "bound")


def probes_at(record: ModuleRecord, entry: str) -> list[Probe]:
    """The probes ``record``'s search made while visiting ``entry``."""
    return [p for p in record.probes if p.entry == entry]


def depths(modules: Sequence[ModuleRecord]) -> dict[str, int]:
    """Nesting depth of each loaded module: 0 at top level, importer's depth + 1 below it."""
    out: dict[str, int] = {}
    for record in modules:
        if record.name in out:
            continue
        parent = record.imported_by
        out[record.name] = out[parent] + 1 if parent is not None and parent in out else 0
    return out


def cache_hits(statements: Iterable[Statement]) -> list[tuple[str, int, list[tuple[str | None, int]]]]:
    """Cache-hit statements aggregated by module: ``(name, total, [(importer, count)...])``,
    most frequent first."""
    totals: Counter[str] = Counter()
    importers: dict[str, Counter[str | None]] = defaultdict(Counter)
    for st in statements:
        if st.cached:
            totals[st.name] += st.count
            importers[st.name][st.importer] += st.count
    return [
        (name, total, importers[name].most_common())
        for name, total in sorted(totals.items(), key=lambda item: (-item[1], item[0]))
    ]


def top_level(trace: Trace) -> list[ModuleRecord]:
    """The loads the traced code started itself: imported by nobody, or by a module the trace did
    not load (``__main__``, or anything imported before the trace began)."""
    names = {m.name for m in trace.modules}
    return [
        m for m in trace.modules if (m.imported_by is None or m.imported_by not in names) and not m.reloaded
    ]


def total_seconds(trace: Trace) -> float:
    """The traced code's time: ``trace.seconds`` or, if unknown, the top-level loads' sum."""
    if trace.seconds:
        return trace.seconds
    return sum(m.seconds for m in top_level(trace))


def scan_targets(trace: Trace) -> list[ModuleRecord]:
    """The loads whose scan the text view spells out: the top-level imports of a small trace."""
    top = top_level(trace)
    return top if 0 < len(top) <= MAX_SCANS else []


def stdlib_names(trace: Trace | None = None) -> frozenset[str]:
    """Top-level standard-library module names of the interpreter that made ``trace``.

    A trace carries them (``Trace.stdlib_names``, the traced interpreter's
    ``sys.stdlib_module_names``), so a saved trace folds the same modules into "standard
    library" wherever it is rendered. Only a trace without them (format version 1, written
    before they were recorded) or no trace at all falls back to the names of the interpreter
    running the renderer, which may differ from the traced one.
    """
    recorded = getattr(trace, "stdlib_names", ())
    if recorded:
        return frozenset(recorded)
    return frozenset(getattr(sys, "stdlib_module_names", ())) | frozenset(sys.builtin_module_names)


def is_stdlib(record: ModuleRecord, names: frozenset[str] | None = None) -> bool:
    """Whether ``record`` is a standard-library module: a stdlib top-level name not loaded from a
    site-packages directory (so a shadowing ``json.py`` in the project is not stdlib)."""
    names = stdlib_names() if names is None else names
    if record.name.split(".", 1)[0] not in names:
        return False
    origin = (record.origin or "").replace("\\", "/")
    return "site-packages" not in origin and "dist-packages" not in origin


def lazy_imports(trace: Trace) -> list[tuple[Statement, str, ModuleRecord | None]]:
    """Every PEP 810 lazy import of ``trace``, in the order the statements ran, with what became
    of it: ``(statement, status, load)``.

    ``status`` is one of :data:`LAZY_STATUSES`: ``reified`` (its first use loaded the module:
    ``load`` is that load, with ``first_use``), ``failed`` (the same, but the load failed),
    ``pending`` (never used by the end of the trace: never searched, never run), ``cached``
    (the module was already in ``sys.modules`` when the name was bound: its first use loads
    nothing), ``loaded`` (an ordinary import loaded the module first: ``load``), ``bound``
    (none of these was recorded). A name in ``Trace.lazy_pending`` without a recorded
    statement gets one (importer ``None``), so nothing pending goes unshown.
    """
    pending = set(trace.lazy_pending)
    lazy_loads: dict[tuple[str | None, str], ModuleRecord] = {}
    first_lazy: dict[str, ModuleRecord] = {}
    first_load: dict[str, ModuleRecord] = {}
    for record in trace.modules:
        if record.lazy:
            lazy_loads.setdefault((record.imported_by, record.name), record)
            first_lazy.setdefault(record.name, record)
        if not record.reloaded:
            first_load.setdefault(record.name, record)
    statements = [st for st in trace.statements if st.lazy]
    bound = {st.name for st in statements}
    statements += [
        Statement(name, None, False, lazy=True) for name in trace.lazy_pending if name not in bound
    ]
    out: list[tuple[Statement, str, ModuleRecord | None]] = []
    claimed: set[int] = set()
    for st in statements:
        load = lazy_loads.get((st.importer, st.name))
        if load is None and st.name not in pending:
            candidate = first_lazy.get(st.name)
            load = candidate if candidate is not None and id(candidate) not in claimed else None
        if load is not None:
            claimed.add(id(load))
            out.append((st, "failed" if load.error is not None else "reified", load))
        elif st.name in pending:
            out.append((st, "pending", None))
        elif st.cached:
            out.append((st, "cached", None))
        elif st.name in first_load:
            out.append((st, "loaded", first_load[st.name]))
        else:
            out.append((st, "bound", None))
    return out


def foreign_finders(trace: Trace) -> list[str]:
    """The classes on the traced interpreter's ``sys.meta_path`` (when the trace began) that
    CPython does not install itself: Pyodide's ``JsFinder``, setuptools' editable finders..."""
    return [name for name in trace.meta_path if name not in CPYTHON_FINDERS]
