"""Views of the Jupyter layer's results: ``%%namespace`` (a ``NamespaceDiff``), ``%%trace_imports``
(a ``TraceView``: a trace plus view options) and the probe stepper (a ``ProbeStep``).

Pure functions over the records, like every views module. This package must not import the
Jupyter layer, so the records name their views themselves (``_pyenvlab_views_``, see
:func:`pyenvlab.render.views_for`): :data:`NAMESPACE_DIFF`, :data:`TRACE_VIEW` and
:data:`PROBE_STEP` each hold the ``text``, ``html`` and ``dot`` of one kind.
A NamespaceDiff's graph draws *names pointing at objects*: the tutorial's picture in which
``os`` and ``mymod.os`` are two arrows to one module object.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pyenvlab.render import trace_views
from pyenvlab.render._escape import html_text
from pyenvlab.render._table import Markup, Style, html_table, terminal_width, text_table, use_color
from pyenvlab.render.trace_views.wording import plural

__all__ = [
    "NAMESPACE_DIFF",
    "PROBE_STEP",
    "TRACE_VIEW",
    "ViewSet",
    "kernel_note",
    "namespace_story",
    "step_sentence",
]


class ViewSet:
    """The ``text``, ``html`` and ``dot`` of one kind of record (a :class:`pyenvlab.render.Views`)."""

    def __init__(self, text: Callable[..., str], html: Callable[[Any], str], dot: Callable[..., Any]) -> None:
        self.text = text
        self.html = html
        self.dot = dot


KIND_ORDER = ("variable", "function", "class", "module")
MAX_SHARED_IN_STORY = 5
KERNEL_NOTE = (
    "Traced in this kernel: it already holds hundreds of modules, so most imports are cache hits "
    "(nothing searched). Use --fresh to see the real search in a new interpreter."
)
FRESH_NOTE = "Traced in a fresh interpreter, as `python -c` would run the cell."
BROWSER_NOTE = (
    "Traced as a fresh interpreter would run the cell, in this one: a browser cannot start "
    "another, so the modules the cell imports were taken out of sys.modules while it ran."
)
NOTES = {"kernel": KERNEL_NOTE, "fresh": FRESH_NOTE, "browser": BROWSER_NOTE}


def kernel_note(view: Any) -> str:
    """One sentence on where the trace was made (and what that means), plus any error."""
    note = NOTES.get(view.where, FRESH_NOTE)
    if view.raised:
        note += f" The cell raised {view.raised}."
    return note


def namespace_story(diff: Any) -> str:
    """One sentence summing up a NamespaceDiff."""
    if diff.empty:
        return "The cell did not change the namespace."
    parts = []
    for kind in KIND_ORDER:
        names = [c.name for c in diff.added if c.kind == kind]
        if names:
            parts.append(plural(len(names), kind))
    story = "The cell added " + (", ".join(parts) if parts else "no names")
    if diff.changed:
        story += f", rebound {len(diff.changed)}"
    if diff.removed:
        story += f", removed {len(diff.removed)}"
    if diff.module_attributes:
        story += f", and set {plural(len(diff.module_attributes), 'attribute')} on module objects"
    story += "."
    for shared in diff.shared[:MAX_SHARED_IN_STORY]:
        names = list(shared.names[:MAX_SHARED_IN_STORY])
        if len(shared.names) > MAX_SHARED_IN_STORY:
            names.append("\u2026")
        story += f" {', '.join(names)}: one module object ({shared.module})."
    return story


def _rows(diff: Any) -> list[tuple[list[str], str]]:
    rows: list[tuple[list[str], str]] = []
    for change in diff.added:
        rows.append(([change.name, change.kind, "added", change.value], "hit"))
    for change in diff.changed:
        rows.append(
            ([change.name, change.kind, "rebound", f"{change.value} (was {change.before})"], "namespace")
        )
    for change in diff.removed:
        rows.append(([change.name, change.kind, "removed", change.value], "miss"))
    for change in diff.module_attributes:
        verb = "set on module" if change.before is None else "rebound on module"
        rows.append(([change.name, change.kind, verb, change.value], "namespace"))
    return rows


HEADERS = ["name", "kind", "what happened", "object"]


def _namespace_text(obj: Any, *, width: int | None = None, color: bool | None = None) -> str:
    """Terminal text of a NamespaceDiff."""
    width = terminal_width(width)
    style = Style(use_color(color))
    out = [style(namespace_story(obj), "bold")]
    rows = _rows(obj)
    if rows:
        styles = [{"hit": ("green",), "miss": ("dim",), "namespace": ("blue",)}[k] for _, k in rows]
        out.append(
            text_table(HEADERS, [r for r, _ in rows], width=width, shrink=3, styles=styles, color=style.color)
        )
    for shared in obj.shared:
        cache = "the object in sys.modules" if shared.in_sys_modules else "not the sys.modules entry"
        out.append(f"same module object {shared.module} ({cache}): {', '.join(shared.names)}")
    return "\n".join(out)


def _namespace_html(obj: Any) -> str:
    """An escaped HTML fragment of a NamespaceDiff."""
    parts = [f'<div class="pyenvlab-view"><p class="pyenvlab-summary">{html_text(namespace_story(obj))}</p>']
    rows = _rows(obj)
    if rows:
        parts.append(
            html_table(HEADERS, [r for r, _ in rows], row_classes=[k for _, k in rows], caption="Names")
        )
    if obj.shared:
        shared_rows = [
            [
                s.module,
                Markup("<br>".join(html_text(n) for n in s.names)),
                "yes" if s.in_sys_modules else "no",
            ]
            for s in obj.shared
        ]
        parts.append(
            html_table(
                ["module object", "names pointing at it", "is sys.modules entry"],
                shared_rows,
                caption="Module namespaces are shared objects",
            )
        )
    parts.append("</div>")
    return "".join(parts)


def _namespace_dot(obj: Any, **view_options: Any) -> Any:
    """Names (left) pointing at their objects (right); one node per module object, so names
    sharing a module meet at one node. No view options."""
    from pyenvlab.render import _graph
    from pyenvlab.render._graph import COLORS

    changes = [*obj.added, *obj.changed, *obj.module_attributes]
    if not changes:
        return None
    graph = _graph.digraph(
        "namespace",
        caption=("Names (left) point at objects (right): a module is one object, whatever its names.",),
        rankdir="LR",
    )
    names = _graph.Ids("n")
    objects = _graph.Ids("o")
    for change in changes:
        graph.node(names(change.name), _graph.label(change.name), fillcolor=COLORS["hit"])
        key = ("module", change.module) if change.kind == "module" and change.module else ("obj", change.name)
        graph.node(
            objects(key),
            _graph.lines(change.kind, _graph.shorten(change.value, 50)),
            fillcolor=COLORS["namespace"] if change.kind == "module" else COLORS["miss"],
            shape="box",
        )
        graph.edge(names(change.name), objects(key))
    for shared in obj.shared:
        key = ("module", shared.module)
        for name in shared.names:
            if name not in {c.name for c in changes}:
                graph.node(names(name), _graph.label(name), fillcolor=COLORS["miss"])
                graph.node(objects(key), _graph.lines("module", shared.module), fillcolor=COLORS["namespace"])
                graph.edge(names(name), objects(key))
    return graph


NAMESPACE_DIFF = ViewSet(_namespace_text, _namespace_html, _namespace_dot)


# ---------------------------------------------------------------------------------------------
# %%trace_imports: a trace with the view options given on the magic's line


def _trace_view_text(view: Any, *, width: int | None = None, color: bool | None = None) -> str:
    return kernel_note(view) + "\n" + trace_views.text(view.trace, width=width, color=color)


def _trace_view_html(view: Any) -> str:
    return f'<p class="pyenvlab-note">{html_text(kernel_note(view))}</p>' + trace_views.html(view.trace)


def _trace_view_dot(view: Any, **view_options: Any) -> Any:
    """The trace drawn with the view's options, and any given here on top."""
    return trace_views.dot(view.trace, **{**view.options.given(), **view_options})


TRACE_VIEW = ViewSet(_trace_view_text, _trace_view_html, _trace_view_dot)


# ---------------------------------------------------------------------------------------------
# the probe stepper: one moment of an import's search
# ---------------------------------------------------------------------------------------------

STEP_CSS = (
    ".pyenvlab tr.current td{background:#ffe8a3;outline:2px solid #d97706;font-weight:600}"
    ".pyenvlab tr.future td{color:#aaa}"
    ".pyenvlab-step{font:14px/1.4 system-ui,sans-serif;margin:.4em 0;padding:.4em .6em;"
    "background:#fff8e1;border-left:4px solid #d97706}"
)
OP_SENTENCE = {
    "stat": "calls stat() on {path} (does it exist? when did it change?)",
    "isdir": "asks whether {path} is a directory",
    "isfile": "asks whether {path} is a file",
    "listdir": "lists the directory {path} once and caches the listing",
    "candidate": "looks {path} up in the cached listing (no system call)",
}


def _entry(entry: str) -> str:
    return entry if entry else "'' (the working directory)"


def step_sentence(view: Any) -> str:
    """What the import system is doing at this step, in one or two plain sentences."""
    record, step = view.record, view.step
    total = len(record.searched)
    if step.kind == "start":
        if not total:
            return f"import {record.name}: " + trace_views.scan_story(record, view.sys_path)
        where = "sys.path" if "." not in record.name else "the parent package's __path__"
        return (
            f"import {record.name}: it is not in sys.modules, so the meta-path finders are asked; "
            f"PathFinder walks {where} entry by entry ({total} visited)."
        )
    if step.kind in ("visit", "probe", "verdict"):
        visit = record.searched[step.visit]
        head = f"Entry {step.visit + 1} of {total}, {_entry(visit.entry)}: "
        if step.kind == "visit":
            finder = visit.finder or "no finder"
            made = (
                " (made now by sys.path_hooks)" if visit.created else " (cached in sys.path_importer_cache)"
            )
            return head + f"PathFinder gets its path-entry finder, {finder}{made if visit.finder else ''}."
        if step.kind == "probe":
            probe = record.probes[step.probe]
            found = "yes" if probe.found else "no"
            what = OP_SENTENCE.get(probe.op, "checks {path}").format(path=probe.path)
            return head + f"{visit.finder or 'the finder'} {what}: {found}."
        verdict = trace_views.OUTCOME_WORDS.get(visit.outcome, visit.outcome)
        if visit.outcome == "hit":
            return head + f"{verdict}: {record.origin}. The search stops; the module is loaded from there."
        if visit.outcome == "namespace":
            return (
                head
                + "a directory without __init__.py: remembered as a namespace portion; the search goes on."
            )
        return head + f"{verdict}. On to the next entry."
    if step.kind == "load":
        probe = record.probes[step.probe]
        what = OP_SENTENCE.get(probe.op, "checks {path}").format(path=probe.path)
        return f"Loading {record.name}: the loader {what}: {'yes' if probe.found else 'no'}."
    return trace_views.scan_story(record, view.sys_path)


def _step_rows(view: Any) -> tuple[list[list[str]], list[str]]:
    record, step = view.record, view.step
    done = view.steps[: view.index + 1]
    rows, classes = [], []
    for v, visit in enumerate(record.searched):
        shown = [s for s in done if s.visit == v]
        if not shown:
            rows.append([str(v + 1), _entry(visit.entry), visit.finder or "-", "not yet", ""])
            classes.append("future")
            continue
        probes = []
        for s in shown:
            if s.probe is not None:
                words = trace_views.probe_words(record.probes[s.probe], visit.entry)
                probes.append(("\u25b6 " + words) if s is step else words)
        finished = any(s.kind == "verdict" for s in shown)
        result = (
            trace_views.OUTCOME_WORDS.get(visit.outcome, visit.outcome) if finished else "searching\u2026"
        )
        rows.append([str(v + 1), _entry(visit.entry), visit.finder or "-", result, ", ".join(probes)])
        classes.append("current" if step.visit == v else (visit.outcome if finished else ""))
    return rows, classes


def _step_text(view: Any, *, width: int | None = None, color: bool | None = None) -> str:
    width = terminal_width(width)
    style = Style(use_color(color))
    out = [
        f"step {view.index + 1} of {len(view.steps)}",
        style(trace_views.fill(step_sentence(view), width), "bold"),
    ]
    rows, classes = _step_rows(view)
    if rows:
        styles = [
            ("yellow", "bold") if k == "current" else ("dim",) if k == "future" else () for k in classes
        ]
        out.append(
            text_table(
                trace_views.SCAN_HEADERS, rows, width=width, shrink=(1, 4), styles=styles, color=style.color
            )
        )
    return "\n".join(out)


def _step_html(view: Any) -> str:
    rows, classes = _step_rows(view)
    parts = [
        f"<style>{STEP_CSS}</style>",
        f'<p class="pyenvlab-note">step {view.index + 1} of {len(view.steps)}</p>',
        f'<p class="pyenvlab-step">{html_text(step_sentence(view))}</p>',
    ]
    if rows:
        parts.append(
            html_table(
                trace_views.SCAN_HEADERS,
                rows,
                row_classes=classes,
                caption=f"How {view.record.name} is found",
            )
        )
    return "".join(parts)


def _step_dot(view: Any, **view_options: Any) -> Any:
    """The visited entries in order, the current one highlighted, with the probe made now
    (no view options)."""
    from pyenvlab.render import _graph
    from pyenvlab.render._graph import COLORS

    record, step = view.record, view.step
    if not record.searched:
        return None
    graph = _graph.digraph(
        "step", caption=(f"import {record.name}: step {view.index + 1} of {len(view.steps)}",)
    )
    ids = _graph.Ids("e")
    done = view.steps[: view.index + 1]
    previous = None
    for v, visit in enumerate(record.searched):
        reached = any(s.visit == v for s in done)
        finished = any(s.visit == v and s.kind == "verdict" for s in done)
        attrs = {"fillcolor": COLORS["module"], "style": "rounded,dashed", "fontcolor": "#999999"}
        if reached:
            fill = COLORS.get(visit.outcome, COLORS["miss"]) if finished else "#ffffff"
            attrs = {"fillcolor": fill, "style": "rounded,filled"}
        if step.visit == v:
            attrs.update(fillcolor="#ffe8a3", penwidth="3", color="#d97706", style="rounded,filled,bold")
        graph.node(ids(v), _graph.lines(f"{v + 1}. {_graph.shorten(_entry(visit.entry), 60)}"), **attrs)
        if previous is not None:
            graph.edge(previous, ids(v), color=COLORS["miss_line"])
        previous = ids(v)
    if step.probe is not None and step.visit is not None:
        probe = record.probes[step.probe]
        graph.node(
            "probe",
            _graph.lines(trace_views.probe_words(probe, record.searched[step.visit].entry)),
            shape="note",
            fillcolor="#fff8e1",
            style="filled",
        )
        graph.edge(ids(step.visit), "probe", style="dashed", arrowhead="none")
    return graph


PROBE_STEP = ViewSet(_step_text, _step_html, _step_dot)
