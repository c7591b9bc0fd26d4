"""Views of the Jupyter layer's results: ``%%namespace`` (:class:`NamespaceDiff`) and
``%%trace_imports`` (:class:`TraceView`, a trace plus view options).

Pure functions over the records, like every views module: ``text``, ``html`` and ``dot``.
A NamespaceDiff's graph draws *names pointing at objects*: the tutorial's picture in which
``os`` and ``mymod.os`` are two arrows to one module object.
"""

from __future__ import annotations

from typing import Any

from pyenvlab.render._escape import html_text
from pyenvlab.render._table import Markup, Style, html_table, terminal_width, text_table, use_color

__all__ = ["dot", "html", "kernel_note", "namespace_story", "step_sentence", "text"]

KIND_ORDER = ("variable", "function", "class", "module")
MAX_SHARED_IN_STORY = 5
KERNEL_NOTE = (
    "Traced in this kernel: it already holds hundreds of modules, so most imports are cache hits "
    "(nothing searched). Use --fresh to see the real search in a new interpreter."
)
FRESH_NOTE = "Traced in a fresh interpreter, as `python -c` would run the cell."


def _is_trace_view(obj: Any) -> bool:
    return type(obj).__name__ == "TraceView"


def kernel_note(view: Any) -> str:
    """One sentence on where the trace was made (and what that means), plus any error."""
    note = KERNEL_NOTE if view.where == "kernel" else FRESH_NOTE
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
            parts.append(f"{len(names)} {kind}{'s' if len(names) > 1 else ''}")
    story = "The cell added " + (", ".join(parts) if parts else "no names")
    if diff.changed:
        story += f", rebound {len(diff.changed)}"
    if diff.removed:
        story += f", removed {len(diff.removed)}"
    if diff.module_attributes:
        story += f", and set {len(diff.module_attributes)} attribute(s) on module objects"
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


def text(obj: Any, *, width: int | None = None, color: bool | None = None) -> str:
    """Terminal text of a NamespaceDiff, a TraceView or a ProbeStep."""
    if type(obj).__name__ == "ProbeStep":
        return _step_text(obj, width=width, color=color)
    if _is_trace_view(obj):
        from pyenvlab.render import trace_views

        return kernel_note(obj) + "\n" + trace_views.text(obj.trace, width=width, color=color)
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


def html(obj: Any) -> str:
    """An escaped HTML fragment of a NamespaceDiff, a TraceView or a ProbeStep."""
    if type(obj).__name__ == "ProbeStep":
        return _step_html(obj)
    if _is_trace_view(obj):
        from pyenvlab.render import trace_views

        return f'<p class="pyenvlab-note">{html_text(kernel_note(obj))}</p>' + trace_views.html(obj.trace)
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


def dot(obj: Any, **view_options: Any) -> Any:
    """A TraceView: the trace drawn with its view options (plus any given here).
    A NamespaceDiff: names (left) pointing at their objects (right); one node per module object,
    so names sharing a module meet at one node. A ProbeStep: the visited entries in order, the
    current one highlighted, with the probes made there so far."""
    if type(obj).__name__ == "ProbeStep":
        return _step_dot(obj)
    if _is_trace_view(obj):
        from pyenvlab.render import trace_views

        return trace_views.dot(obj.trace, **{**obj.options, **view_options})
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
    from pyenvlab.render.trace_views import OUTCOME_WORDS, scan_story

    record, step = view.record, view.step
    total = len(record.searched)
    if step.kind == "start":
        if not total:
            return f"import {record.name}: " + scan_story(record, view.sys_path)
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
        verdict = OUTCOME_WORDS.get(visit.outcome, visit.outcome)
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
    return scan_story(record, view.sys_path)


def _step_rows(view: Any) -> tuple[list[list[str]], list[str]]:
    from pyenvlab.render.trace_views import OUTCOME_WORDS, probe_words

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
                words = probe_words(record.probes[s.probe], visit.entry)
                probes.append(("\u25b6 " + words) if s is step else words)
        finished = any(s.kind == "verdict" for s in shown)
        result = OUTCOME_WORDS.get(visit.outcome, visit.outcome) if finished else "searching\u2026"
        rows.append([str(v + 1), _entry(visit.entry), visit.finder or "-", result, ", ".join(probes)])
        classes.append("current" if step.visit == v else (visit.outcome if finished else ""))
    return rows, classes


def _step_text(view: Any, *, width: int | None, color: bool | None) -> str:
    from pyenvlab.render.trace_views import SCAN_HEADERS, fill

    width = terminal_width(width)
    style = Style(use_color(color))
    out = [f"step {view.index + 1} of {len(view.steps)}", style(fill(step_sentence(view), width), "bold")]
    rows, classes = _step_rows(view)
    if rows:
        styles = [
            ("yellow", "bold") if k == "current" else ("dim",) if k == "future" else () for k in classes
        ]
        out.append(
            text_table(SCAN_HEADERS, rows, width=width, shrink=(1, 4), styles=styles, color=style.color)
        )
    return "\n".join(out)


def _step_html(view: Any) -> str:
    from pyenvlab.render.trace_views import SCAN_HEADERS

    rows, classes = _step_rows(view)
    parts = [
        f"<style>{STEP_CSS}</style>",
        f'<p class="pyenvlab-note">step {view.index + 1} of {len(view.steps)}</p>',
        f'<p class="pyenvlab-step">{html_text(step_sentence(view))}</p>',
    ]
    if rows:
        parts.append(
            html_table(SCAN_HEADERS, rows, row_classes=classes, caption=f"How {view.record.name} is found")
        )
    return "".join(parts)


def _step_dot(view: Any) -> Any:
    from pyenvlab.render import _graph
    from pyenvlab.render._graph import COLORS
    from pyenvlab.render.trace_views import probe_words

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
            _graph.lines(probe_words(probe, record.searched[step.visit].entry)),
            shape="note",
            fillcolor="#fff8e1",
            style="filled",
        )
        graph.edge(ids(step.visit), "probe", style="dashed", arrowhead="none")
    return graph
