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
    "MAX_SCANS",
    "cache_hits",
    "depths",
    "is_stdlib",
    "probes_at",
    "scan_targets",
    "stdlib_names",
    "top_level",
    "total_seconds",
]

#: the text view spells out the scan of each top-level import of a trace with at most this many
MAX_SCANS = 3


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
