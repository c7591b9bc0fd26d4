"""Views of import traces: :class:`~pyenvlab.model.Trace`, :class:`~pyenvlab.model.ModuleRecord`
and ``Candidates`` (what :func:`pyenvlab.where` returns).

Three renderers, pure functions over the records (nothing here imports or searches anything):

- :func:`text`: terminal tables (what ``python -m pyenvlab trace`` prints);
- :func:`html`: the same tables as an escaped HTML fragment;
- :func:`dot`: a ``graphviz.Digraph``: the *import tree* of a trace (collapsed so a
  1000-module trace stays readable) or the *scan* of one import (each search-path entry in order,
  the probes made there, the hit).

Vocabulary shown to the reader (the same colours everywhere): *hit* (green: the entry that
provided the module), *miss* (grey: searched in vain), *namespace* (blue: a namespace-package
portion), *error* (red), *cache hit* (dashed: the module was already in ``sys.modules``, so
nothing was searched or executed), *frozen* / *built-in* (served by the interpreter itself, no
file searched).

Example:
    >>> from pyenvlab.model import ModuleRecord, Trace, Visit
    >>> rec = ModuleRecord("colorsys", "/lib/colorsys.py", "PathFinder",
    ...                    searched=(Visit("/work", "FileFinder", "miss"),
    ...                              Visit("/lib", "FileFinder", "hit")))
    >>> t = Trace(python="3.12.1", executable="python", sys_path=("/work", "/lib"),
    ...           modules=(rec,), statements=())
    >>> print(text(t, width=80).splitlines()[1])
    1 module loaded, 2 search-path entries visited, 0 probes, 0 cache hits
"""

from __future__ import annotations

import sys
import textwrap
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pyenvlab.model import Candidate, ModuleRecord, Probe, Statement, Trace
from pyenvlab.render._escape import html_text, term
from pyenvlab.render._table import CSS, Markup, Style, html_table, terminal_width, text_table, use_color

__all__ = ["CSS", "dot", "group_modules", "html", "text"]

# ---------------------------------------------------------------------------------------------
# shared wording
# ---------------------------------------------------------------------------------------------

OUTCOME_WORDS = {
    "hit": "found here",
    "miss": "not here",
    "namespace": "namespace portion",
    "no-finder": "no finder",
    "error": "finder raised an error",
}
OUTCOME_STYLE = {
    "hit": ("green", "bold"),
    "miss": ("dim",),
    "namespace": ("blue",),
    "error": ("red",),
    "no-finder": ("yellow",),
}
KIND_WORDS = {
    "module": "module",
    "package": "package",
    "namespace": "namespace pkg",
    "extension": "extension",
    "builtin": "built-in",
    "frozen": "frozen",
}
OP_WORDS = {"stat": "stat", "listdir": "listdir", "isfile": "isfile", "isdir": "isdir", "candidate": "lookup"}
MAX_INDENT = 8
MAX_CACHE_ROWS = 15
MAX_SCANS = 3
CACHED_EDGES = 15
STAGGER = 8


def seconds_text(seconds: float) -> str:
    """Seconds as a short stable string: ``0.42 ms``, ``12.3 ms``, ``1.52 s`` (a no-break space
    before the unit, so wrapped prose keeps number and unit together)."""
    ms = seconds * 1000
    if ms < 10:
        return f"{ms:.2f}\u00a0ms"
    if ms < 1000:
        return f"{ms:.1f}\u00a0ms"
    return f"{seconds:.2f}\u00a0s"


def ordinal(n: int) -> str:
    """``1st``, ``2nd``, ``3rd``, ``4th``, ``11th``, ``22nd``..."""
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    return f"{n}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th') }"


def plural(n: int, word: str, words: str | None = None) -> str:
    """``1 module``, ``2 modules``."""
    return f"{n} {word if n == 1 else (words or word + 's')}"


def relative(path: str, entry: str | None) -> str:
    """``path`` relative to the search-path ``entry`` it was probed at (``.`` for the entry)."""
    if not entry:
        return path
    if path == entry:
        return "."
    for sep in ("/", "\\"):
        prefix = entry if entry.endswith(sep) else entry + sep
        if path.startswith(prefix):
            return path[len(prefix) :]
    return path


def probes_at(record: ModuleRecord, entry: str) -> list[Probe]:
    """The probes ``record``'s search made while visiting ``entry``."""
    return [p for p in record.probes if p.entry == entry]


def probe_words(probe: Probe, entry: str | None) -> str:
    """One probe in a few words: ``isfile json/__init__.py ✓``."""
    mark = "\u2713" if probe.found else "\u2717"
    # no-break spaces keep "op path mark" together when a table wraps the cell
    return f"{OP_WORDS.get(probe.op, probe.op)}\u00a0{relative(probe.path, entry)}\u00a0{mark}"


def probe_groups(probes: Sequence[Probe], entry: str | None) -> list[str]:
    """Probes in words, consecutive tries of one file name with several suffixes folded into
    one: ``isfile json/__init__.{cpython-311-x86_64-linux-gnu.so,abi3.so,so} ✗``."""
    out: list[str] = []
    index = 0
    while index < len(probes):
        probe = probes[index]
        stem, _, suffix = relative(probe.path, entry).partition(".")
        run = [suffix]
        end = index + 1
        while suffix and end < len(probes):
            other = probes[end]
            other_stem, _, other_suffix = relative(other.path, entry).partition(".")
            if (other.op, other.found, other_stem) != (probe.op, probe.found, stem) or not other_suffix:
                break
            run.append(other_suffix)
            end += 1
        if len(run) > 1:
            mark = "\u2713" if probe.found else "\u2717"
            op = OP_WORDS.get(probe.op, probe.op)
            out.append(f"{op}\u00a0{stem}.{{{','.join(run)}}}\u00a0{mark}")
        else:
            out.append(probe_words(probe, entry))
        index = end
    return out


def probes_words(probes: Sequence[Probe], entry: str | None, limit: int = 6) -> str:
    """Several probes in one cell (similar tries folded, see :func:`probe_groups`), the first
    ``limit`` spelled out."""
    if not probes:
        return ""
    groups = probe_groups(probes, entry)
    shown = groups[:limit]
    if len(groups) > limit:
        shown.append(f"+{len(groups) - limit} more")
    return ", ".join(shown)


def where_found(record: ModuleRecord, sys_path: Sequence[str] = ()) -> str:
    """Where a module came from, in a few words: ``[4] json/decoder.py`` (the file relative to
    the 4th ``sys.path`` entry) when its origin lies under a ``sys_path`` entry."""
    if record.error is not None:
        return "FAILED: " + record.error
    kind = record.kind
    if kind == "builtin":
        return "(compiled in)"
    if kind == "frozen":
        return "(frozen in binary)"
    if kind == "namespace":
        portions = record.search_locations or ()
        return f"(namespace: {plural(len(portions), 'portion')})"
    origin = record.origin
    if origin and sys_path:
        best = max(
            ((i, e) for i, e in enumerate(sys_path, 1) if e and relative(origin, e) != origin),
            key=lambda item: len(item[1]),
            default=None,
        )
        if best is not None:
            return f"[{best[0]}] {relative(origin, best[1])}"
    hit = record.hit
    if origin:
        return origin
    return hit.entry if hit is not None else "?"


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


def total_seconds(trace: Trace) -> float:
    """The traced code's time: ``trace.seconds`` or, if unknown, the top-level loads' sum."""
    if trace.seconds:
        return trace.seconds
    return sum(m.seconds for m in top_level(trace))


def summary(trace: Trace) -> str:
    """One line: modules loaded, entries visited, probes, cache hits, errors, total time."""
    loaded = len(trace.modules)
    failed = sum(1 for m in trace.modules if m.error is not None)
    visits = sum(len(m.searched) for m in trace.modules)
    probes = sum(len(m.probes) for m in trace.modules)
    hits = sum(st.count for st in trace.statements if st.cached)
    parts = [plural(loaded - failed, "module") + " loaded"]
    if failed:
        parts.append(f"{failed} failed")
    parts += [
        plural(visits, "search-path entry", "search-path entries") + " visited",
        plural(probes, "probe"),
        plural(hits, "cache hit"),
    ]
    seconds = total_seconds(trace)
    if seconds:
        parts.append(seconds_text(seconds) + " in total")
    return ", ".join(parts)


def top_level(trace: Trace) -> list[ModuleRecord]:
    """The loads the traced code started itself: imported by nobody, or by a module the trace did
    not load (``__main__``, or anything imported before the trace began)."""
    names = {m.name for m in trace.modules}
    return [
        m for m in trace.modules if (m.imported_by is None or m.imported_by not in names) and not m.reloaded
    ]


def scan_targets(trace: Trace) -> list[ModuleRecord]:
    """The loads whose scan the text view spells out: the top-level imports of a small trace."""
    top = top_level(trace)
    return top if 0 < len(top) <= MAX_SCANS else []


def entry_text(entry: str) -> str:
    """A search-path entry for display: the empty entry is the working directory."""
    return entry if entry else "'' (working directory)"


def scan_story(record: ModuleRecord, sys_path: Sequence[str] = ()) -> str:
    """What happened when ``record`` was searched, in one plain sentence."""
    name = record.name
    visits = record.searched
    where = "sys.path" if "." not in name else "the parent package's __path__"
    if record.kind == "builtin" and record.error is None:
        return f"{name} is built into the interpreter: BuiltinImporter answered, no file was searched."
    if record.kind == "frozen" and record.error is None:
        return f"{name} is frozen into the interpreter: FrozenImporter answered, no file was searched."
    if record.error is not None:
        return (
            f"importing {name} failed after searching {plural(len(visits), 'entry', 'entries')} "
            f"of {where}: {record.error}"
        )
    hit = record.hit
    if record.kind == "namespace":
        portions = [v for v in visits if v.outcome == "namespace"]
        return (
            f"{name} is a namespace package (no __init__.py): {where} was searched to the end, "
            f"{plural(len(portions), 'portion')} found."
        )
    if hit is not None:
        index = visits.index(hit) + 1
        total = f" of {len(sys_path)}" if "." not in name and len(sys_path) >= len(visits) else ""
        kind = KIND_WORDS.get(record.kind, record.kind)
        return (
            f"{name} ({kind}): searched {len(visits)}{total} entries of {where}; "
            f"found in the {ordinal(index)}: {hit.entry}"
        )
    finder = record.finder or "a finder"
    return f"{name} was provided by {finder} (origin: {record.origin})."


def scan_rows(record: ModuleRecord, sys_path: Sequence[str] = ()) -> list[tuple[list[str], str]]:
    """Rows ``([#, entry, finder, result, probes], outcome)`` of the scan table of one import.

    Entries of ``sys.path`` after the hit, which the search never reached, are appended with
    the outcome ``unreached`` (top-level modules only, when the visits follow ``sys_path``).
    """
    rows: list[tuple[list[str], str]] = []
    for index, visit in enumerate(record.searched, 1):
        finder = visit.finder or "-"
        if visit.created:
            finder += " (new)"
        result = OUTCOME_WORDS.get(visit.outcome, visit.outcome)
        rows.append(
            (
                [
                    str(index),
                    entry_text(visit.entry),
                    finder,
                    result,
                    probes_words(probes_at(record, visit.entry), visit.entry),
                ],
                visit.outcome,
            )
        )
    visited = [v.entry for v in record.searched]
    if "." not in record.name and visited and list(sys_path[: len(visited)]) == visited:
        for index, entry in enumerate(sys_path[len(visited) :], len(visited) + 1):
            rows.append(([str(index), entry_text(entry), "", "not reached", ""], "unreached"))
    return rows


SCAN_HEADERS = ["#", "search-path entry", "finder", "result", "probes there"]
MODULE_HEADERS = ["#", "module", "kind", "finder", "loaded from", "time"]
PROBE_LEGEND = (
    "probes: stat/isdir/isfile = a system call (\u2713 exists, \u2717 missing), . = the entry "
    "itself; listdir = the directory listed once and cached; lookup = a name looked up in "
    "that cached listing"
)


def fill(line: str, width: int) -> str:
    """One line of prose escaped for the terminal and wrapped to ``width`` (continuations indented)."""
    return textwrap.fill(
        term(line),
        width=width,
        subsequent_indent="  ",
        break_on_hyphens=False,
        replace_whitespace=False,
        drop_whitespace=True,
    ) or term(line)


def code_line(code: str, size: int = 60) -> str:
    """The traced code on one line: its first line, cut at ``size`` characters."""
    lines = code.strip().splitlines() or [""]
    first = lines[0] if len(lines[0]) <= size else lines[0][: size - 1] + "\u2026"
    return first + (f" \u2026 ({len(lines)} lines)" if len(lines) > 1 else "")


def _trace_tables(trace: Trace) -> dict[str, Any]:
    """The rows every tabular view of a trace shares."""
    levels = depths(trace.modules)
    modules = []
    for index, record in enumerate(trace.modules, 1):
        indent = "  " * min(levels.get(record.name, 0), MAX_INDENT)
        name = record.name + (" (reload)" if record.reloaded else "")
        modules.append(
            (
                [
                    str(index),
                    indent + name,
                    KIND_WORDS.get(record.kind, record.kind),
                    record.finder or "-",
                    where_found(record, trace.sys_path),
                    seconds_text(record.seconds),
                ],
                "error" if record.error else record.kind,
            )
        )
    return {"modules": modules, "hits": cache_hits(trace.statements)}


# ---------------------------------------------------------------------------------------------
# text
# ---------------------------------------------------------------------------------------------


def text(obj: Any, *, width: int | None = None, color: bool | None = None) -> str:
    """A terminal rendering of a Trace, a ModuleRecord or Candidates.

    Args:
        obj: the record.
        width: columns available (default: the terminal's width, 80 when not a terminal).
        color: ANSI colours (default: only when standard output is a terminal).
    """
    width = terminal_width(width)
    colored = use_color(color)
    if isinstance(obj, Trace):
        return _trace_text(obj, width, colored)
    if isinstance(obj, ModuleRecord):
        return _scan_text(obj, (), width, colored)
    if isinstance(obj, list):
        return _candidates_text(obj, width, colored)
    msg = f"trace_views cannot render a {type(obj).__name__}"
    raise TypeError(msg)


def _scan_text(
    record: ModuleRecord, sys_path: Sequence[str], width: int, colored: bool, *, legend: bool = True
) -> str:
    style = Style(colored)
    out = [style(fill(scan_story(record, sys_path), width), "bold")]
    rows = scan_rows(record, sys_path)
    if rows:
        styles = [OUTCOME_STYLE.get(o, ("dim",) if o == "unreached" else ()) for _, o in rows]
        out.append(
            text_table(
                SCAN_HEADERS,
                [r for r, _ in rows],
                width=width,
                shrink=(1, 4),
                wrap=(4,),
                styles=styles,
                color=colored,
            )
        )
        if legend and any(r[4] for r, _ in rows):
            out.append(textwrap.fill(PROBE_LEGEND, width=width, subsequent_indent="  "))
    loading = [p for p in record.probes if p.entry is None]
    if loading:
        out.append(fill(f"while loading: {probes_words(loading, None, limit=4)}", width))
    if record.kind == "namespace" and record.search_locations:
        out.append(fill("portions: " + ", ".join(record.search_locations), width))
    return "\n".join(out)


def _trace_text(trace: Trace, width: int, colored: bool) -> str:
    style = Style(colored)
    head = f"Python {trace.python} ({trace.executable})"
    if trace.code:
        head += f": {code_line(trace.code)}"
    out = [fill(head, width), style(fill(summary(trace), width), "bold")]
    if not trace.modules:
        out.append("no modules were loaded (everything imported was already in sys.modules)")
    tables = _trace_tables(trace)
    targets = scan_targets(trace)
    top = top_level(trace)
    if len(top) > MAX_SCANS:
        out.append(
            fill(
                f"{len(top)} top-level imports: to see how one of them searched sys.path, run "
                "`python -m pyenvlab trace NAME` or render trace.module(NAME).",
                width,
            )
        )
    for index, record in enumerate(targets, 1):
        out.append("")
        out.append(_scan_text(record, trace.sys_path, width, colored, legend=index == len(targets)))
    if trace.modules:
        out.append("")
        if trace.sys_path:
            out.append(style("sys.path when the trace began ([n] below):", "bold"))
            out += [fill(f"  [{i}] {entry_text(e)}", width) for i, e in enumerate(trace.sys_path, 1)]
            out.append("")
        out.append(
            style("Modules loaded, in load order (indented under the module that imported them):", "bold")
        )
        styles = [
            ("red",) if k == "error" else ("dim",) if k in ("frozen", "builtin") else ()
            for _, k in tables["modules"]
        ]
        out.append(
            text_table(
                MODULE_HEADERS,
                [r for r, _ in tables["modules"]],
                width=width,
                shrink=4,
                styles=styles,
                color=colored,
            )
        )
    hits = tables["hits"]
    if hits:
        out.append("")
        out.append(style("Cache hits (already in sys.modules: nothing searched, nothing executed):", "bold"))
        rows = [
            [name, f"\u00d7{total}", _importers_text(importers)]
            for name, total, importers in hits[:MAX_CACHE_ROWS]
        ]
        out.append(
            text_table(["module", "times", "imported again by"], rows, width=width, shrink=2, color=colored)
        )
        if len(hits) > MAX_CACHE_ROWS:
            rest = sum(total for _, total, _ in hits[MAX_CACHE_ROWS:])
            out.append(f"... and {plural(len(hits) - MAX_CACHE_ROWS, 'more module')} ({rest} hits)")
    if trace.raised:
        out.append("")
        out.append(style(fill(f"The traced code raised {trace.raised}", width), "bold", "red"))
    errors = [m for m in trace.modules if m.error is not None]
    if errors or trace.errors:
        out.append("")
        out.append(
            style(
                fill(
                    "Failed imports (the importing code may have caught them: optional imports "
                    "fail normally):"
                    if errors
                    else "Errors:",
                    width,
                ),
                "bold",
                "red",
            )
        )
        out += [
            fill(
                f"  {m.name}" + (f" (imported by {m.imported_by})" if m.imported_by else "") + f": {m.error}",
                width,
            )
            for m in errors
        ]
        out += [fill(f"  recorder: {e}", width) for e in trace.errors]
    return "\n".join(out)


def _importers_text(importers: Sequence[tuple[str | None, int]], limit: int = 3) -> str:
    parts = [
        f"{name or '<top level>'}" + (f" \u00d7{count}" if count > 1 else "")
        for name, count in importers[:limit]
    ]
    if len(importers) > limit:
        parts.append(f"+{len(importers) - limit} more")
    return ", ".join(parts)


def candidate_rows(candidates: Sequence[Candidate]) -> list[tuple[list[str], str]]:
    """Rows ``([#, entry, kind, origin, finder, verdict], class)`` of a ``which -a`` table."""
    rows = []
    for index, cand in enumerate(candidates, 1):
        verdict = "wins" if cand.wins else "shadowed"
        klass = "hit" if cand.wins else "miss"
        if cand.kind == "namespace":
            klass = "namespace" if cand.wins else "miss"
            verdict = "namespace portion" + ("" if cand.wins else " (shadowed)")
        rows.append(
            (
                [
                    str(index),
                    cand.entry,
                    KIND_WORDS.get(cand.kind, cand.kind),
                    cand.origin or "-",
                    cand.finder or "-",
                    verdict,
                ],
                klass,
            )
        )
    return rows


def candidates_story(candidates: Sequence[Candidate]) -> str:
    """One sentence about who provides a module."""
    if not candidates:
        name = getattr(candidates, "name", None) or "this module"
        return f"{name}: no provider found along the path: `import {name}` would raise ModuleNotFoundError"
    name = candidates[0].name
    winners = [c for c in candidates if c.wins]
    if len(candidates) == 1:
        return f"{name}: 1 provider along the path"
    if winners and all(c.kind == "namespace" for c in winners) and len(winners) > 1:
        return f"{name}: a namespace package made of {len(winners)} portions"
    shadowed = len(candidates) - len(winners)
    first = winners[0].entry if winners else "?"
    return f"{name}: {len(candidates)} providers; the import uses {first}, {shadowed} shadowed"


def _candidates_text(candidates: Sequence[Candidate], width: int, colored: bool) -> str:
    style = Style(colored)
    out = [style(fill(candidates_story(candidates), width), "bold")]
    rows = candidate_rows(candidates)
    if rows:
        styles = [OUTCOME_STYLE.get(k, ()) for _, k in rows]
        out.append(
            text_table(
                ["#", "entry", "kind", "origin", "finder", "verdict"],
                [r for r, _ in rows],
                width=width,
                shrink=3,
                styles=styles,
                color=colored,
            )
        )
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------
# html
# ---------------------------------------------------------------------------------------------


def html(obj: Any) -> str:
    """An escaped HTML fragment (tables, no scripts) for a Trace, a ModuleRecord or Candidates."""
    if isinstance(obj, Trace):
        return _trace_html(obj)
    if isinstance(obj, ModuleRecord):
        return _scan_html(obj, ())
    if isinstance(obj, list):
        rows = candidate_rows(obj)
        return (
            f'<div class="pyenvlab-view"><p class="pyenvlab-summary">{html_text(candidates_story(obj))}'
            "</p>"
            + html_table(
                ["#", "entry", "kind", "origin", "finder", "verdict"],
                [r for r, _ in rows],
                row_classes=[k for _, k in rows],
            )
            + "</div>"
        )
    msg = f"trace_views cannot render a {type(obj).__name__}"
    raise TypeError(msg)


def _scan_html(record: ModuleRecord, sys_path: Sequence[str]) -> str:
    rows = scan_rows(record, sys_path)
    parts = [f'<p class="pyenvlab-summary">{html_text(scan_story(record, sys_path))}</p>']
    if rows:
        parts.append(
            html_table(
                SCAN_HEADERS,
                [r for r, _ in rows],
                row_classes=[o for _, o in rows],
                caption=f"How {record.name} was found",
            )
        )
    loading = [p for p in record.probes if p.entry is None]
    if loading:
        parts.append(f'<p class="pyenvlab-note">while loading: {html_text(probes_words(loading, None))}</p>')
    if record.kind == "namespace" and record.search_locations:
        parts.append(
            f'<p class="pyenvlab-note">portions: {html_text(", ".join(record.search_locations))}</p>'
        )
    return '<div class="pyenvlab-view">' + "".join(parts) + "</div>"


def _trace_html(trace: Trace) -> str:
    tables = _trace_tables(trace)
    head = f"Python {trace.python} ({trace.executable})" + (f": {trace.code}" if trace.code else "")
    parts = [
        f'<p class="pyenvlab-note">{html_text(head)}</p>',
        f'<p class="pyenvlab-summary"><b>{html_text(summary(trace))}</b></p>',
    ]
    for record in scan_targets(trace):
        parts.append(_scan_html(record, trace.sys_path))
    if trace.sys_path:
        parts.append(
            html_table(
                ["[n]", "sys.path entry"],
                [[f"[{i}]", entry_text(e)] for i, e in enumerate(trace.sys_path, 1)],
                caption="sys.path when the trace began ([n] in the table below)",
            )
        )
    if tables["modules"]:
        parts.append(
            html_table(
                MODULE_HEADERS,
                [
                    [
                        r[0],
                        Markup("&nbsp;" * (len(r[1]) - len(r[1].lstrip(" "))) + html_text(r[1].lstrip(" "))),
                        *r[2:],
                    ]
                    for r, _ in tables["modules"]
                ],
                row_classes=[k for _, k in tables["modules"]],
                caption="Modules loaded, in load order (indented under the module that imported them)",
            )
        )
    if tables["hits"]:
        parts.append(
            html_table(
                ["module", "times", "imported again by"],
                [
                    [name, f"\u00d7{total}", _importers_text(imp, limit=8)]
                    for name, total, imp in tables["hits"]
                ],
                caption="Cache hits (already in sys.modules: nothing searched, nothing executed)",
            )
        )
    errors = [m for m in trace.modules if m.error is not None]
    if errors or trace.errors:
        rows = [[m.name, m.imported_by or "", m.error] for m in errors]
        rows += [["(recorder)", "", e] for e in trace.errors]
        parts.append(
            html_table(
                ["module", "imported by", "error"],
                rows,
                row_classes=["error"] * len(rows),
                caption="Failed imports (the importing code may have caught them)",
            )
        )
    return '<div class="pyenvlab-view">' + "".join(parts) + "</div>"


# ---------------------------------------------------------------------------------------------
# dot: collapsing (view filters as processors over the module list)
# ---------------------------------------------------------------------------------------------


@dataclass
class Node:
    """A node of the import-tree graph: one module, or several collapsed into one."""

    key: str
    members: list[ModuleRecord] = field(default_factory=list)
    why: str = ""  # "", "package", "stdlib", "depth", "filter", "rest"

    @property
    def first(self) -> ModuleRecord:
        return self.members[0]


def stdlib_names() -> frozenset[str]:
    """Top-level standard-library module names (of the Python running the renderer)."""
    return frozenset(getattr(sys, "stdlib_module_names", ())) | frozenset(sys.builtin_module_names)


def is_stdlib(record: ModuleRecord, names: frozenset[str] | None = None) -> bool:
    """Whether ``record`` is a standard-library module: a stdlib top-level name not loaded from a
    site-packages directory (so a shadowing ``json.py`` in the project is not stdlib)."""
    names = stdlib_names() if names is None else names
    if record.name.split(".", 1)[0] not in names:
        return False
    origin = (record.origin or "").replace("\\", "/")
    return "site-packages" not in origin and "dist-packages" not in origin


def group_modules(
    trace: Trace,
    *,
    collapse: str | Sequence[str] = "auto",
    depth: int | None = None,
    filter: str | Callable[[ModuleRecord], bool] | None = None,
    max_nodes: int = 60,
) -> dict[str, str]:
    """Map each loaded module's name to the graph node that shows it.

    The processors run in this order (each only folds, never hides, so counts stay right):

    - ``filter``: keep modules matching (a name prefix such as ``"email"``, or a predicate),
      plus the modules that imported them; the rest fold into their nearest kept importer
      (or into one "other modules" node).
    - ``collapse`` (one or several of ``"package"``, ``"stdlib"``, ``"none"``, ``"auto"``):
      ``package`` folds submodules into their top-level package; ``stdlib`` folds all standard
      library modules into one node; ``auto`` (default) does nothing while the graph has at most
      ``max_nodes`` nodes, then folds packages, then cuts depth, then folds the smallest
      top-level subtrees into one "other modules" node until ``max_nodes`` is met. Every mode
      but ``none`` ends with the ``auto`` step, so no view exceeds ``max_nodes``.
    - ``depth``: modules nested deeper than ``depth`` fold into their ancestor at that depth.

    Returns:
        name -> node key. Keys are module names, ``"pkg.*"`` for a folded package,
        ``"<stdlib>"``, ``"<other>"``, or ``"name/…"`` for a subtree folded under ``name``.
    """
    modes = {collapse} if isinstance(collapse, str) else set(collapse)
    if "none" not in modes:
        modes.add("auto")  # every collapsed view still keeps to the node budget
    modules = list(trace.modules)
    names = {m.name for m in modules}
    parent = {
        m.name: (m.imported_by if m.imported_by in names and m.imported_by != m.name else None)
        for m in reversed(modules)
    }
    levels = depths(modules)
    key = {m.name: m.name for m in modules}

    def ancestors(name: str) -> list[str]:
        chain, seen = [], set()
        while name in parent and parent[name] is not None and name not in seen:
            seen.add(name)
            name = parent[name]  # type: ignore[assignment]
            chain.append(name)
        return chain

    if filter is not None:
        match = (
            filter if callable(filter) else (lambda m, p=filter: m.name == p or m.name.startswith(p + "."))
        )
        keep = {m.name for m in modules if match(m)}
        for name in list(keep):
            keep.update(ancestors(name))
        for m in modules:
            if m.name not in keep:
                up = next((a for a in ancestors(m.name) if a in keep), None)
                key[m.name] = f"{up}/\u2026" if up else "<other>"

    def fold_packages() -> None:
        for m in modules:
            top = m.name.split(".", 1)[0]
            if "." in m.name and key[m.name] == m.name:
                key[m.name] = f"{top}.*"
        for m in modules:  # the package itself joins its folded submodules
            if key[m.name] == m.name and f"{m.name}.*" in key.values():
                key[m.name] = f"{m.name}.*"

    if "package" in modes:
        fold_packages()
    if "stdlib" in modes:
        std = stdlib_names()
        for m in modules:
            if is_stdlib(m, std):
                key[m.name] = "<stdlib>"

    def fold_depth(limit: int) -> None:
        for m in modules:
            if levels.get(m.name, 0) > limit and not key[m.name].startswith("<"):
                chain = [m.name, *ancestors(m.name)]
                anchor = next((a for a in chain if levels.get(a, 0) == limit), chain[-1])
                folded = key[anchor].endswith(("/\u2026", ".*"))
                key[m.name] = key[anchor] if folded else f"{key[anchor]}/\u2026"
        for m in modules:  # the anchor joins the nodes folded beneath it
            if f"{key[m.name]}/\u2026" in key.values() and not key[m.name].endswith(("/\u2026", ".*")):
                key[m.name] = f"{key[m.name]}/\u2026"

    if depth is not None:
        fold_depth(max(depth, 0))

    def count() -> int:
        return len(set(key.values()))

    if "auto" in modes and count() > max_nodes:
        fold_packages()
        limit = max(levels.values(), default=0)
        while count() > max_nodes and limit > 1:
            limit -= 1
            fold_depth(limit)
        if count() > max_nodes:
            sizes: Counter[str] = Counter(key.values())
            seconds: dict[str, float] = defaultdict(float)
            for m in modules:
                seconds[key[m.name]] += m.seconds if parent.get(m.name) is None else 0.0
            ranked = sorted(sizes, key=lambda k: (-sizes[k], -seconds[k], k))
            keep_keys = set(ranked[: max(max_nodes - 1, 1)])
            for m in modules:
                if key[m.name] not in keep_keys:
                    key[m.name] = "<other>"
    return key


# ---------------------------------------------------------------------------------------------
# dot
# ---------------------------------------------------------------------------------------------

TREE_CAPTION = (
    "Solid arrow: A imported B and B was loaded (searched, executed) for the first time.",
    "Dashed arrow: B was already in sys.modules (cache hit, xN = how often); nothing was searched.",
    "Lavender: frozen into the interpreter; khaki: built in; orange: extension; red: failed.",
    "Times include nested imports. Grouped nodes fold several modules (see view options).",
)
SCAN_CAPTION = (
    "Each box is a search-path entry, in the order the finder visited them (top to bottom).",
    "Green: the entry that provided the module; grey: searched in vain; blue: namespace portion;",
    "red: error; dotted: entries never reached. Inside: the filesystem probes made there.",
)


def dot(obj: Any, **view_options: Any) -> Any:
    """A ``graphviz.Digraph`` of a Trace (import tree or scan), a ModuleRecord (its scan) or
    Candidates (each provider along the path).

    View options for a Trace:

    ``view``: ``"tree"`` (default) or ``"scan"``.
    ``module``: a module name; shows the scan of that import (implies ``view="scan"``). With
    ``view="scan"`` and no module, the first top-level import.
    ``collapse``: ``"auto"`` (default: keep at most ``max_nodes`` nodes), ``"none"``,
    ``"package"`` (one node per top-level package), ``"stdlib"`` (one node for the whole
    standard library), or a list of these.
    ``depth``: fold modules nested deeper than this into their ancestor.
    ``filter``: a module-name prefix (``"email"``) or a predicate ``ModuleRecord -> bool``:
    show matching modules and the chain of importers leading to them, fold the rest.
    ``max_nodes``: the node budget for ``collapse="auto"`` (default 60).
    ``cached``: cache hits as dashed edges: ``"auto"`` (default: the 15 most frequent arrows,
    all with ``show_all``), ``True`` (all), ``False`` (none) or a number of arrows.
    ``times``: show load times (default ``True``; ``False`` for byte-stable output).
    ``show_all``: ``True`` draws every module (same as ``collapse="none"``).
    ``rankdir``: Graphviz layout direction, ``"LR"`` (default for the tree) or ``"TB"``.

    View options for a scan (``module=...`` or a ModuleRecord): ``max_probes`` (probes listed
    per entry, default 8), ``unreached`` (show sys.path entries after the hit, default ``True``).
    """
    if isinstance(obj, ModuleRecord):
        return _scan_dot(obj, (), **_pick(view_options, ("max_probes", "unreached")))
    if isinstance(obj, list):
        return _candidates_dot(obj)
    if not isinstance(obj, Trace):
        msg = f"trace_views cannot render a {type(obj).__name__}"
        raise TypeError(msg)
    options = dict(view_options)
    view = options.pop("view", None)
    module = options.pop("module", None)
    unknown = set(options) - {
        "collapse",
        "depth",
        "filter",
        "max_nodes",
        "cached",
        "times",
        "show_all",
        "rankdir",
        "max_probes",
        "unreached",
    }
    if unknown:
        msg = f"unknown view option(s) for a Trace: {', '.join(sorted(unknown))}"
        raise TypeError(msg)
    if module is not None or view == "scan":
        if module is None:
            top = top_level(obj)
            if not top:
                msg = "this trace loaded no module: nothing to scan"
                raise ValueError(msg)
            record = top[0]
        else:
            record = obj.module(module)
        return _scan_dot(record, obj.sys_path, **_pick(options, ("max_probes", "unreached")))
    if view not in (None, "tree"):
        msg = f"unknown view {view!r}: use 'tree' or 'scan'"
        raise ValueError(msg)
    return _tree_dot(
        obj,
        **_pick(
            options, ("collapse", "depth", "filter", "max_nodes", "cached", "times", "show_all", "rankdir")
        ),
    )


def _pick(options: dict[str, Any], names: Sequence[str]) -> dict[str, Any]:
    return {k: v for k, v in options.items() if k in names}


def _kind_fill(record: ModuleRecord) -> str:
    from pyenvlab.render._graph import COLORS

    if record.error is not None:
        return COLORS["error"]
    return COLORS.get(record.kind, COLORS["module"])


def _tree_dot(
    trace: Trace,
    *,
    collapse: str | Sequence[str] = "auto",
    depth: int | None = None,
    filter: str | Callable[[ModuleRecord], bool] | None = None,
    max_nodes: int = 60,
    cached: bool | int | str = "auto",
    times: bool = True,
    show_all: bool = False,
    rankdir: str = "LR",
) -> Any:
    from pyenvlab.render import _graph

    if show_all:
        collapse = "none"
    key = group_modules(trace, collapse=collapse, depth=depth, filter=filter, max_nodes=max_nodes)
    nodes: dict[str, Node] = {}
    for record in trace.modules:
        k = key[record.name]
        nodes.setdefault(k, Node(k, why=_why(k))).members.append(record)
    graph = _graph.digraph("imports", caption=TREE_CAPTION, rankdir=rankdir)
    ids = _graph.Ids("m")
    root = ids("<code>")
    code = trace.code or "traced code"
    graph.node(
        root,
        _graph.lines(
            _graph.shorten(code, 50),
            summary(trace) if times else plural(len(trace.modules), "module") + " loaded",
        ),
        shape="note",
        fillcolor=_graph.COLORS["code"],
    )
    for k, node in nodes.items():
        graph.node(ids(k), **_tree_node_attrs(node, times))
    edges: Counter[tuple[str, str]] = Counter()
    for record in trace.modules:
        src = key.get(record.imported_by) if record.imported_by is not None else None
        src_id = ids(src) if src is not None else root
        dst_id = ids(key[record.name])
        if src_id != dst_id:
            edges[(src_id, dst_id)] += 1
    fanout: Counter[str] = Counter(src for src, _ in edges)
    seen: Counter[str] = Counter()
    for (src_id, dst_id), n in edges.items():
        attrs = {}
        if fanout[src_id] > STAGGER and rankdir == "LR":  # a wide fan-out: stagger it in 3 columns
            attrs["minlen"] = str(1 + seen[src_id] % 3)
            seen[src_id] += 1
        graph.edge(src_id, dst_id, label=f"{n} loads" if n > 1 else None, **attrs)
    if show_all and cached == "auto":
        cached = True
    if cached is not False:
        hits: Counter[tuple[str, str]] = Counter()
        for st in trace.statements:
            if not st.cached:
                continue
            if st.name not in key:
                continue  # a cache hit on a module loaded before the trace began
            src_id = ids(key[st.importer]) if st.importer in key else root
            dst_id = ids(key[st.name])
            if src_id != dst_id:
                hits[(src_id, dst_id)] += st.count
        limit = len(hits) if cached is True else CACHED_EDGES if cached == "auto" else int(cached)
        drawn = dict(hits.most_common(limit)) if limit < len(hits) else hits
        for (src_id, dst_id), n in hits.items():  # in first-seen order, so the output is stable
            if (src_id, dst_id) in drawn:
                graph.edge(
                    src_id,
                    dst_id,
                    label=f"\u00d7{n}",
                    style="dashed",
                    color="#888888",
                    fontcolor="#666666",
                    constraint="false",
                )
        if len(drawn) < len(hits):
            hidden = sum(n for edge, n in hits.items() if edge not in drawn)
            note = (
                f"Only the {len(drawn)} most frequent cache-hit arrows are drawn ({hidden} cache hits "
                f"on {len(hits) - len(drawn)} more arrows are not; cached=True draws all)."
            )
            graph.attr("graph", label=_graph.lines_left(*TREE_CAPTION, note))
    return graph


def _why(key: str) -> str:
    if key == "<stdlib>":
        return "stdlib"
    if key == "<other>":
        return "rest"
    if key.endswith(".*"):
        return "package"
    if key.endswith("/\u2026"):
        return "depth"
    return ""


def _tree_node_attrs(node: Node, times: bool) -> dict[str, Any]:
    from pyenvlab.render import _graph

    first = node.first
    n = len(node.members)
    if node.why == "" and n == 1:
        kind = KIND_WORDS.get(first.kind, first.kind)
        second = kind + (f", {seconds_text(first.seconds)}" if times else "")
        if first.error is not None:
            second = "FAILED: " + _graph.shorten(first.error, 50)
        attrs: dict[str, Any] = {"label": _graph.lines(first.name, second), "fillcolor": _kind_fill(first)}
        if first.kind in ("frozen", "builtin"):
            attrs["style"] = "filled"
        if first.kind == "namespace":
            attrs["color"] = _graph.COLORS["namespace_line"]
        if first.error is not None:
            attrs["color"] = _graph.COLORS["error_line"]
        return attrs
    names = {m.name for m in node.members}
    roots = [m for m in node.members if m.imported_by not in names]
    seconds = sum(m.seconds for m in roots)
    failed = sum(1 for m in node.members if m.error is not None)
    if node.why == "stdlib":
        title = "standard library"
    elif node.why == "rest":
        title = "other modules"
    elif node.why == "package":
        title = node.key
    elif node.why == "depth":
        title = node.key[: -len("/\u2026")] + " and what it imported"
    else:  # one module loaded several times (a reload, or a failed import tried again)
        title = f"{node.key} (loaded {n} times)"
    detail = plural(n, "module") + (f", {seconds_text(seconds)}" if times else "")
    if failed:
        detail += f", {failed} failed"
    return {
        "label": _graph.lines(title, detail),
        "shape": "box3d",
        "style": "filled",
        "fillcolor": _graph.COLORS["error"] if failed else _graph.COLORS["group"],
    }


def _scan_dot(
    record: ModuleRecord, sys_path: Sequence[str], *, max_probes: int = 8, unreached: bool = True
) -> Any:
    from pyenvlab.render import _graph
    from pyenvlab.render._graph import COLORS, cell

    graph = _graph.digraph(
        "scan",
        caption=(scan_story(record, sys_path), *SCAN_CAPTION),
        rankdir="TB",
        nodesep="0.25",
        ranksep="0.3",
    )
    ids = _graph.Ids("e")
    target = ids("<module>")
    kind = KIND_WORDS.get(record.kind, record.kind)
    fill = COLORS["error"] if record.error else COLORS.get(record.kind, COLORS["hit"])
    if record.error is None and record.kind in ("module", "package", "extension"):
        fill = COLORS["hit"]
    graph.node(
        target,
        _graph.lines(
            f"import {record.name}",
            kind if record.error is None else "FAILED",
            _graph.shorten(record.origin or record.error or "", 70),
        ),
        shape="box",
        style="rounded,filled,bold",
        fillcolor=fill,
    )
    start = ids("<start>")
    finder = record.finder or "?"
    searched = "sys.path" if "." not in record.name else "__path__"
    graph.node(start, _graph.lines(f"{finder} searches", searched), shape="plaintext", style="")
    previous = start
    rows = scan_rows(record, sys_path if unreached else ())
    for index, (row, outcome) in enumerate(rows):
        raw = [v.entry for v in record.searched] + list(sys_path[len(record.searched) :])
        entry = raw[index] if index < len(raw) else row[1]
        node_id = ids(("entry", index))
        probes = probes_at(record, entry) if outcome != "unreached" else []
        fill_key = {"hit": "hit", "namespace": "namespace", "error": "error"}.get(outcome, "miss")
        line = {
            "hit": COLORS["hit_line"],
            "namespace": COLORS["namespace_line"],
            "error": COLORS["error_line"],
        }.get(outcome, COLORS["miss_line"])
        text_color = COLORS["dim_text"] if outcome in ("miss", "unreached") else COLORS["text"]
        title = row[0] + ". " + _graph.shorten(row[1], 70)
        body = [
            '<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2">',
            _left(cell(title, bold=outcome == "hit", color=text_color)),
            _left(cell(_finder_result(row, outcome), color=text_color, size=9)),
        ]
        groups = probe_groups(probes, entry)
        body += [_left(cell("  " + g, color=text_color, size=9)) for g in groups[:max_probes]]
        if len(groups) > max_probes:
            body.append(_left(cell(f"  +{len(groups) - max_probes} more probes", size=9)))
        body.append("</TABLE>")
        style = "rounded,filled,dotted" if outcome in ("unreached", "no-finder") else "rounded,filled"
        if outcome == "hit":
            style += ",bold"
        graph.node(
            node_id,
            _graph.html_label("".join(body)),
            shape="box",
            style=style,
            fillcolor=COLORS["miss"] if outcome == "unreached" else COLORS[fill_key],
            color=line,
        )
        edge_style = "dotted" if outcome == "unreached" else "solid"
        graph.edge(previous, node_id, style=edge_style, color=COLORS["miss_line"])
        if outcome == "hit":
            graph.edge(
                node_id,
                target,
                label="found",
                color=COLORS["hit_line"],
                penwidth="2",
                fontcolor=COLORS["hit_line"],
            )
        elif outcome == "namespace":
            graph.edge(
                node_id,
                target,
                label="portion",
                style="dashed",
                color=COLORS["namespace_line"],
                fontcolor=COLORS["namespace_line"],
            )
        previous = node_id
    if not rows:
        graph.edge(start, target, label=record.finder or "")
    elif record.kind == "namespace":
        graph.edge(previous, target, style="invis")
    elif record.error is not None:
        graph.edge(previous, target, label="nothing found", color=COLORS["error_line"])
    return graph


def _left(content: str) -> str:
    """One left-aligned row of an HTML-like label table (``content`` already escaped)."""
    return f'<TR><TD ALIGN="LEFT">{content}</TD></TR>'


def _finder_result(row: Sequence[str], outcome: str) -> str:
    if outcome == "unreached":
        return "not reached"
    if outcome == "no-finder":
        return "no path-entry finder: skipped"
    return f"{row[2]}: {row[3]}"


def _candidates_dot(candidates: Sequence[Candidate]) -> Any:
    from pyenvlab.render import _graph
    from pyenvlab.render._graph import COLORS

    graph = _graph.digraph(
        "where",
        caption=(candidates_story(candidates), "Green: the provider the import uses; grey: shadowed."),
        rankdir="TB",
    )
    ids = _graph.Ids("c")
    previous = None
    for index, (row, klass) in enumerate(candidate_rows(candidates)):
        node = ids(index)
        graph.node(
            node,
            _graph.lines(f"{row[0]}. {_graph.shorten(row[1], 70)}", f"{row[2]}: {row[5]}"),
            fillcolor=COLORS.get(klass, COLORS["miss"]),
            style="rounded,filled,bold" if klass == "hit" else "rounded,filled",
        )
        if previous is not None:
            graph.edge(previous, node, color=COLORS["miss_line"])
        previous = node
    return graph
