"""Terminal text of import traces: what ``python -m pyenvlab trace`` prints.

A trace reads top to bottom as: the interpreter and the code (and what is unusual about the
interpreter, such as CPython in WebAssembly), one summary line, the scan of each top-level
import (for small traces), ``sys.path``, the modules loaded (indented under their importer), the
PEP 810 lazy imports (when there are any), the cache hits, and what failed. Each part is one
function returning its lines.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence
from itertools import zip_longest
from typing import Any

from pyenvlab.model import Candidate, ModuleRecord, Trace
from pyenvlab.render._escape import term
from pyenvlab.render._table import Style, display_width, terminal_width, text_table, use_color
from pyenvlab.render.trace_views.queries import MAX_SCANS, cache_hits, scan_targets, top_level
from pyenvlab.render.trace_views.wording import (
    LAZY_HEADERS,
    LAZY_LEGEND,
    LAZY_LOAD_LEGEND,
    LAZY_TITLE,
    MODULE_HEADERS,
    OUTCOME_STYLE,
    PROBE_LEGEND,
    SCAN_HEADERS,
    candidate_rows,
    candidates_story,
    code_line,
    entry_text,
    fill,
    importers_text,
    interpreter_facts,
    lazy_rows,
    module_rows,
    plural,
    probes_words,
    relative,
    scan_rows,
    scan_story,
    summary,
)

__all__ = ["text"]

#: cache hits listed before "... and N more modules"
MAX_CACHE_ROWS = 15
#: lazy imports listed before "... and N more lazy imports" (``lazy_imports="all"`` makes many)
MAX_LAZY_ROWS = 15
#: terminal styles of the lazy imports: loaded on first use, its failure, never used
LAZY_STYLE = {"reified": ("magenta",), "failed": ("red",), "pending": ("magenta", "dim")}


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
                paths=(1,),
                prose=(3,),
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
    sections = (_head, _scans, _modules, _lazy, _cache_hits, _raised, _failures)
    return "\n".join(line for section in sections for line in section(trace, width, style))


def _head(trace: Trace, width: int, style: Style) -> list[str]:
    """The interpreter and the code, the summary, and what to do with a trace of many imports."""
    head = f"Python {trace.python} ({trace.executable})"
    if trace.code:
        head += f": {code_line(trace.code)}"
    out = [fill(head, width)]
    facts = interpreter_facts(trace)
    if facts:
        out.append(fill(facts, width))
    out.append(style(fill(summary(trace), width), "bold"))
    if not trace.modules:
        out.append("no modules were loaded (everything imported was already in sys.modules)")
    top = top_level(trace)
    if len(top) > MAX_SCANS:
        out.append(
            fill(
                f"{len(top)} top-level imports: to see how one of them searched sys.path, run "
                "`python -m pyenvlab trace NAME` or render trace.module(NAME).",
                width,
            )
        )
    return out


def _scans(trace: Trace, width: int, style: Style) -> list[str]:
    """The scan of each top-level import of a small trace (the probe legend after the last)."""
    targets = scan_targets(trace)
    out = []
    for index, record in enumerate(targets, 1):
        out.append("")
        out.append(_scan_text(record, trace.sys_path, width, style.color, legend=index == len(targets)))
    return out


def _modules(trace: Trace, width: int, style: Style) -> list[str]:
    """``sys.path`` numbered (the table refers to entries as ``[n]``), then the modules table."""
    if not trace.modules:
        return []
    out = [""]
    if trace.sys_path:
        out.append(style("sys.path when the trace began ([n] below):", "bold"))
        out += [fill(f"  [{i}] {entry_text(e)}", width) for i, e in enumerate(trace.sys_path, 1)]
        out.append("")
    out.append(style("Modules loaded, in load order (indented under the module that imported them):", "bold"))
    rows = module_rows(trace)
    styles = [_module_style(k.split()) for _, k in rows]
    out.append(
        text_table(
            MODULE_HEADERS,
            [r for r, _ in rows],
            width=width,
            shrink=4,
            styles=styles,
            color=style.color,
            paths=(4,),
            prose=(),
        )
    )
    if any("lazy" in k.split() for _, k in rows):
        out.append(textwrap.fill(LAZY_LOAD_LEGEND, width=width, subsequent_indent="  "))
    return out


def _module_style(classes: list[str]) -> tuple[str, ...]:
    if "error" in classes:
        return ("red",)
    if "lazy" in classes:
        return ("magenta",)
    return ("dim",) if classes[0] in ("frozen", "builtin") else ()


def _lazy(trace: Trace, width: int, style: Style) -> list[str]:
    """The PEP 810 lazy imports, each with what became of it (none: no section)."""
    rows = lazy_rows(trace)
    if not rows:
        return []
    shown = rows[:MAX_LAZY_ROWS]
    out = ["", style(fill(LAZY_TITLE + ":", width), "bold")]
    out.append(
        text_table(
            LAZY_HEADERS,
            [r for r, _ in shown],
            width=width,
            shrink=(0, 2),
            wrap=(2,),
            styles=[LAZY_STYLE.get(status, ()) for _, status in shown],
            color=style.color,
        )
    )
    if len(rows) > MAX_LAZY_ROWS:
        rest = rows[MAX_LAZY_ROWS:]
        pending = sum(1 for _, status in rest if status == "pending")
        out.append(f"... and {plural(len(rest), 'more lazy import')} ({pending} pending)")
    out.append(textwrap.fill(LAZY_LEGEND, width=width, subsequent_indent="  "))
    return out


def _cache_hits(trace: Trace, width: int, style: Style) -> list[str]:
    """The most frequent cache hits, and how many more there were."""
    hits = cache_hits(trace.statements)
    if not hits:
        return []
    out = ["", style("Cache hits (already in sys.modules: nothing searched, nothing executed):", "bold")]
    rows = [
        [name, f"\u00d7{total}", importers_text(importers)]
        for name, total, importers in hits[:MAX_CACHE_ROWS]
    ]
    out.append(
        text_table(["module", "times", "imported again by"], rows, width=width, shrink=2, color=style.color)
    )
    if len(hits) > MAX_CACHE_ROWS:
        rest = sum(total for _, total, _ in hits[MAX_CACHE_ROWS:])
        out.append(f"... and {plural(len(hits) - MAX_CACHE_ROWS, 'more module')} ({rest} hits)")
    return out


def _raised(trace: Trace, width: int, style: Style) -> list[str]:
    """The exception the traced code ended with."""
    if not trace.raised:
        return []
    return ["", style(fill(f"The traced code raised {trace.raised}", width), "bold", "red")]


def _failures(trace: Trace, width: int, style: Style) -> list[str]:
    """Failed imports (often caught: optional imports fail normally) and recorder errors."""
    errors = [m for m in trace.modules if m.error is not None]
    if not (errors or trace.errors):
        return []
    title = (
        "Failed imports (the importing code may have caught them: optional imports fail normally):"
        if errors
        else "Errors:"
    )
    out = ["", style(fill(title, width), "bold", "red")]
    for m in errors:
        importer = f" (imported by {m.imported_by})" if m.imported_by else ""
        out.append(fill(f"  {m.name}{importer}: {m.error}", width))
    out += [fill(f"  recorder: {e}", width) for e in trace.errors]
    return out


def _candidates_text(candidates: Sequence[Candidate], width: int, colored: bool) -> str:
    style = Style(colored)
    out = [style(fill(candidates_story(candidates), width), "bold")]
    rows = candidate_rows(candidates)
    if rows:
        styles = [OUTCOME_STYLE.get(k, ()) for _, k in rows]
        origin = "origin"
        if _natural_width(r for r, _ in rows) > width:  # each origin under its entry: say it once
            origin = "origin (in entry)"
            rows = [([*r[:3], relative(r[3], r[1]), *r[4:]], k) for r, k in rows]
        out.append(
            text_table(
                ["#", "entry", "kind", origin, "finder", "verdict"],
                [r for r, _ in rows],
                width=width,
                shrink=3,
                paths=(1, 3),
                prose=(5,),
                styles=styles,
                color=colored,
            )
        )
    return "\n".join(out)


def _natural_width(rows: Iterable[Sequence[str]]) -> int:
    """The width of a table of ``rows`` (two spaces between columns) if nothing were cut."""
    sizes: list[int] = []
    for row in rows:
        cells = [display_width(term(c)) for c in row]
        sizes = [max(a, b) for a, b in zip_longest(sizes, cells, fillvalue=0)]
    return sum(sizes) + 2 * max(len(sizes) - 1, 0)
