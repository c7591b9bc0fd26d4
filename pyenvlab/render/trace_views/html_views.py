"""HTML of import traces: the same tables as the terminal view, as an escaped fragment.

Every cell goes through :func:`~pyenvlab.render._table.html_table` (escaped unless it is
``Markup`` built here); row classes carry the colour vocabulary (``hit``, ``miss``...) that
:data:`~pyenvlab.render._table.CSS` styles; PEP 810 lazy imports have their own: ``lazy`` (a
load at the first use of a lazy import), ``lazy-pending`` (never used) and ``lazy-bound``
(a lazy import that had nothing to load).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pyenvlab.model import ModuleRecord, Trace
from pyenvlab.render._escape import html_text
from pyenvlab.render._table import Markup, html_table
from pyenvlab.render.trace_views.queries import cache_hits, scan_targets
from pyenvlab.render.trace_views.wording import (
    LAZY_HEADERS,
    LAZY_LEGEND,
    LAZY_LOAD_LEGEND,
    LAZY_TITLE,
    MODULE_HEADERS,
    SCAN_HEADERS,
    candidate_rows,
    candidates_story,
    code_lines,
    entry_text,
    importers_text,
    interpreter_facts,
    lazy_rows,
    module_rows,
    probes_words,
    scan_rows,
    scan_story,
    summary,
)

__all__ = ["LAZY_CLASSES", "html"]

#: row classes of the lazy-imports table by status (see :func:`~.queries.lazy_imports`)
LAZY_CLASSES = {"reified": "lazy", "failed": "lazy error", "pending": "lazy-pending"}


def html(obj: Any) -> str:
    """An escaped HTML fragment (tables, no scripts) for a Trace, a ModuleRecord or Candidates."""
    if isinstance(obj, Trace):
        return _trace_html(obj)
    if isinstance(obj, ModuleRecord):
        return _scan_html(obj, ())
    if isinstance(obj, list):
        rows = candidate_rows(obj)
        story = (
            f'<div class="pyenvlab-view"><p class="pyenvlab-summary">{html_text(candidates_story(obj))}</p>'
        )
        if not rows:  # nothing found: the sentence says it, an empty table would not
            return story + "</div>"
        return (
            story
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
    modules = module_rows(trace)
    hits = cache_hits(trace.statements)
    head = html_text(f"Python {trace.python} ({trace.executable})")
    if trace.code:
        head += ": " + _code_html(trace.code)
    parts = [f'<p class="pyenvlab-note">{head}</p>']
    facts = interpreter_facts(trace)
    if facts:
        parts.append(f'<p class="pyenvlab-note">{html_text(facts)}</p>')
    parts.append(f'<p class="pyenvlab-summary"><b>{html_text(summary(trace))}</b></p>')
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
    if modules:
        parts.append(
            html_table(
                MODULE_HEADERS,
                [
                    [
                        r[0],
                        Markup("&nbsp;" * (len(r[1]) - len(r[1].lstrip(" "))) + html_text(r[1].lstrip(" "))),
                        *r[2:],
                    ]
                    for r, _ in modules
                ],
                row_classes=[k for _, k in modules],
                caption="Modules loaded, in load order (indented under the module that imported them)",
                numbers=(5,),
            )
        )
        if any("lazy" in k.split() for _, k in modules):
            parts.append(f'<p class="pyenvlab-note">{html_text(LAZY_LOAD_LEGEND)}</p>')
    lazy = lazy_rows(trace)
    if lazy:
        parts.append(
            html_table(
                LAZY_HEADERS,
                [r for r, _ in lazy],
                row_classes=[LAZY_CLASSES.get(status, "lazy-bound") for _, status in lazy],
                caption=LAZY_TITLE,
            )
        )
        parts.append(f'<p class="pyenvlab-note">{html_text(LAZY_LEGEND)}</p>')
    if hits:
        parts.append(
            html_table(
                ["module", "times", "imported again by"],
                [[name, f"\u00d7{total}", importers_text(imp, limit=8)] for name, total, imp in hits],
                caption="Cache hits (already in sys.modules: nothing searched, nothing executed)",
                numbers=(1,),
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


#: lines of the traced code shown in the HTML title before "… (N more lines)"
CODE_LINES = 12


def _code_html(code: str) -> str:
    """The traced code for the title: one ``<code>`` (whatever the code, so user text never
    changes the page's structure), each line escaped, real line breaks between them (the CSS
    keeps them: ``white-space: pre-wrap``); several lines start on a line of their own."""
    lines = code_lines(code)
    shown = [html_text(line) for line in lines[:CODE_LINES]]
    if len(lines) > CODE_LINES:
        shown.append(html_text(f"\u2026 ({len(lines) - CODE_LINES} more lines)"))
    if len(shown) == 1:
        shown = [html_text(lines[0].strip(" \t"))]
    body = ("\n" if len(shown) > 1 else "") + "\n".join(shown)
    return f'<code class="pyenvlab-code">{body}</code>'
