"""Graphs of import traces: the import tree, the scan of one import, the providers of a name.

Every function builds a ``graphviz.Digraph`` (text only: the ``dot`` program is not run here)
from the words of :mod:`.wording`, with labels escaped by :mod:`pyenvlab.render._graph` and node
identifiers that are never user text. How much of the tree is drawn is decided by the grouping
processors (:mod:`.grouping`) from the :class:`~pyenvlab.render.view_options.ViewOptions`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from pyenvlab.model import Candidate, ModuleRecord, Trace
from pyenvlab.render.trace_views.grouping import Group, group_modules, members
from pyenvlab.render.trace_views.queries import lazy_imports, probes_at, top_level
from pyenvlab.render.trace_views.wording import (
    KIND_WORDS,
    candidate_rows,
    candidates_story,
    code_lines,
    plural,
    probe_groups,
    scan_rows,
    scan_story,
    seconds_text,
    summary,
)
from pyenvlab.render.view_options import ViewOptions

__all__ = ["LAZY_CAPTION", "SCAN_CAPTION", "TREE_CAPTION", "dot"]

#: the most frequent cache-hit arrows drawn by ``cached="auto"``
CACHED_EDGES = 15
#: an importer with more first loads than this gets its arrows staggered in three columns
STAGGER = 8
#: pending lazy imports drawn one node each; more fold into one node
PENDING_NODES = 12
#: the colour of PEP 810 lazy imports (the import-time chart's too)
LAZY_COLOR = "#5f3dc4"
LAZY_FILL = "#f3f0ff"

TREE_CAPTION = (
    "Solid arrow: A imported B and B was loaded (searched, executed) for the first time.",
    "Dashed arrow: B was already in sys.modules (cache hit, xN = how often); nothing was searched.",
    "Lavender: frozen into the interpreter; khaki: built in; orange: extension; red: failed.",
    "Times include nested imports. Grouped nodes fold several modules (see view options).",
)
LAZY_CAPTION = (
    "Purple: PEP 810 lazy imports. Dotted: loaded at the first use of a lazy import (the box says where);",
    "dashed: a lazy import never used (pending: never searched, never run).",
)
SCAN_CAPTION = (
    "Each box is a search-path entry, in the order the finder visited them (top to bottom).",
    "Green: the entry that provided the module; grey: searched in vain; blue: namespace portion;",
    "red: error; dotted: entries never reached or absent. Inside: the filesystem probes made there.",
)


def dot(obj: Any, **view_options: Any) -> Any:
    """A ``graphviz.Digraph`` of a Trace (its import tree, or the scan of one import), a
    ModuleRecord (its scan) or Candidates (each provider along the path).

    ``view_options`` are those of :class:`~pyenvlab.render.view_options.ViewOptions` (a
    ModuleRecord uses ``max_probes`` and ``unreached``; Candidates none).

    Raises:
        TypeError: for an option that does not exist, or an object that is none of those.
        ValueError: for an unknown ``view``, or ``view="scan"`` of a trace that loaded nothing.
    """
    options = ViewOptions.of(view_options)
    if isinstance(obj, ModuleRecord):
        return _scan_dot(obj, (), options)
    if isinstance(obj, list):
        return _candidates_dot(obj)
    if not isinstance(obj, Trace):
        msg = f"trace_views cannot render a {type(obj).__name__}"
        raise TypeError(msg)
    if not options.scan:
        return _tree_dot(obj, options)
    if options.module is not None:
        return _scan_dot(obj.module(options.module), obj.sys_path, options)
    top = top_level(obj)
    if not top:
        msg = "this trace loaded no module: nothing to scan"
        raise ValueError(msg)
    return _scan_dot(top[0], obj.sys_path, options)


# -- the import tree ---------------------------------------------------------------------------


def _tree_dot(trace: Trace, options: ViewOptions) -> Any:
    from pyenvlab.render import _graph

    collapse = "none" if options.show_all else options.collapse
    key = group_modules(
        trace, collapse=collapse, depth=options.depth, filter=options.filter, max_nodes=options.max_nodes
    )
    lazy = lazy_imports(trace)
    caption = TREE_CAPTION + (LAZY_CAPTION if lazy else ())
    graph = _graph.digraph("imports", caption=caption, rankdir=options.rankdir)
    ids = _graph.Ids("m")
    root = ids("<code>")
    loaded = summary(trace) if options.times else plural(len(trace.modules), "module") + " loaded"
    graph.node(
        root,
        _graph.lines(*code_label(trace.code), loaded),
        shape="note",
        fillcolor=_graph.COLORS["code"],
    )
    for group, records in members(trace, key).items():
        attrs = _module_node(records[0], options.times) if _alone(group, records) else None
        graph.node(ids(group), **(attrs or _group_node(group, records, options.times)))
    _load_edges(graph, trace, key, ids, root, staggered=options.rankdir == "LR")
    pending = [st for st, status, _ in lazy if status == "pending"]
    if pending:
        _pending_nodes(graph, pending, key, ids, root, match=options.filter)
    cached = True if options.show_all and options.cached == "auto" else options.cached
    if cached is not False:
        _cache_edges(graph, trace, key, ids, root, cached=cached, caption=caption)
    return graph


def _alone(group: Group, records: Sequence[ModuleRecord]) -> bool:
    """Whether the group is one module loaded once (drawn as that module)."""
    return group.kind == "module" and len(records) == 1


def _kind_fill(record: ModuleRecord) -> str:
    from pyenvlab.render._graph import COLORS

    if record.error is not None:
        return COLORS["error"]
    return COLORS.get(record.kind, COLORS["module"])


def _module_node(record: ModuleRecord, times: bool) -> dict[str, Any]:
    """One module: its name, kind and time (or why it failed), coloured by kind."""
    from pyenvlab.render import _graph

    kind = KIND_WORDS.get(record.kind, record.kind)
    second = kind + (f", {seconds_text(record.seconds)}" if times else "")
    if record.error is not None:
        second = "FAILED: " + _graph.shorten(record.error, 50)
    label = [record.name, second]
    if record.lazy:
        label.append("lazy: first use " + _graph.shorten(record.first_use or "?", 50))
    attrs: dict[str, Any] = {"label": _graph.lines(*label), "fillcolor": _kind_fill(record)}
    if record.kind in ("frozen", "builtin"):
        attrs["style"] = "filled"
    if record.kind == "namespace":
        attrs["color"] = _graph.COLORS["namespace_line"]
    if record.lazy:
        attrs.update(color=LAZY_COLOR, penwidth="1.6", fontcolor=LAZY_COLOR)
        attrs["style"] = attrs.get("style", "rounded,filled") + ",dotted"
    if record.error is not None:
        attrs["color"] = _graph.COLORS["error_line"]
    return attrs


def _group_node(group: Group, records: Sequence[ModuleRecord], times: bool) -> dict[str, Any]:
    """Several modules in one node: what they are, how many, their time, how many failed."""
    from pyenvlab.render import _graph

    names = {m.name for m in records}
    seconds = sum(m.seconds for m in records if m.imported_by not in names)
    failed = sum(1 for m in records if m.error is not None)
    lazy = sum(1 for m in records if m.lazy)
    # a "module" group of several loads: one module loaded again (a reload, a failed import retried)
    title = f"{group.name} (loaded {plural(len(records), 'time')})" if group.kind == "module" else group.title
    detail = plural(len(records), "module") + (f", {seconds_text(seconds)}" if times else "")
    if failed:
        detail += f", {failed} failed"
    if lazy:
        detail += f", {lazy} lazy"
    return {
        "label": _graph.lines(title, detail),
        "shape": "box3d",
        "style": "filled",
        "fillcolor": _graph.COLORS["error"] if failed else _graph.COLORS["group"],
    }


def _load_edges(
    graph: Any, trace: Trace, key: dict[str, Group], ids: Any, root: str, *, staggered: bool
) -> None:
    """Solid arrows: importer -> module, for each first load (counted between groups); dotted
    purple ones for the loads at the first use of a PEP 810 lazy import."""
    edges: Counter[tuple[str, str, bool]] = Counter()
    for record in trace.modules:
        src = key.get(record.imported_by) if record.imported_by is not None else None
        src_id = ids(src) if src is not None else root
        dst_id = ids(key[record.name])
        if src_id != dst_id:
            edges[(src_id, dst_id, record.lazy)] += 1
    fanout: Counter[str] = Counter(src for src, _, _ in edges)
    seen: Counter[str] = Counter()
    for (src_id, dst_id, lazy), n in edges.items():
        attrs = {}
        if fanout[src_id] > STAGGER and staggered:  # a wide fan-out: stagger it in 3 columns
            attrs["minlen"] = str(1 + seen[src_id] % 3)
            seen[src_id] += 1
        if lazy:
            attrs.update(style="dotted", color=LAZY_COLOR, fontcolor=LAZY_COLOR, penwidth="1.6")
            graph.edge(src_id, dst_id, label=f"{n} lazy loads" if n > 1 else "lazy", **attrs)
        else:
            graph.edge(src_id, dst_id, label=f"{n} loads" if n > 1 else None, **attrs)


def _pending_nodes(
    graph: Any, pending: Sequence[Any], key: dict[str, Group], ids: Any, root: str, *, match: Any
) -> None:
    """Dashed purple boxes for the lazy imports never used (one node each, or one for all when
    there are many), a dashed purple arrow from each importer. With a name ``filter`` only the
    pending imports of that name, or made by a module kept whole, are drawn."""
    from pyenvlab.render import _graph

    def shown(st: Any) -> bool:
        if match is None:
            return True
        if isinstance(match, str) and (st.name == match or st.name.startswith(f"{match}.")):
            return True
        return st.importer in key and key[st.importer] == Group.module(st.importer)

    pending = [st for st in pending if shown(st)]
    if not pending:
        return
    attrs = {
        "style": "rounded,filled,dashed",
        "color": LAZY_COLOR,
        "fontcolor": LAZY_COLOR,
        "fillcolor": LAZY_FILL,
    }
    edges: Counter[tuple[str, str]] = Counter()
    folded = len(pending) > PENDING_NODES
    drawn: set[str] = set()
    for st in pending:
        dst_id = ids(("<pending>",) if folded else ("<pending>", st.importer, st.name))
        if dst_id not in drawn:
            drawn.add(dst_id)
            if folded:
                names = ", ".join(sorted({p.name for p in pending}))
                label = _graph.lines(
                    f"{len(pending)} lazy imports never used",
                    _graph.shorten(names, 60),
                    "pending: never searched, never run",
                )
            else:
                label = _graph.lines(st.name, "lazy import, never used", "pending: never searched, never run")
            graph.node(dst_id, label, **attrs)
        src_id = ids(key[st.importer]) if st.importer in key else root
        edges[(src_id, dst_id)] += 1
    for (src_id, dst_id), n in edges.items():
        graph.edge(
            src_id,
            dst_id,
            label=f"{n} lazy imports" if n > 1 else "lazy import",
            style="dashed",
            color=LAZY_COLOR,
            fontcolor=LAZY_COLOR,
        )


def _cache_edges(
    graph: Any,
    trace: Trace,
    key: dict[str, Group],
    ids: Any,
    root: str,
    *,
    cached: bool | int | str,
    caption: Sequence[str] = TREE_CAPTION,
) -> None:
    """Dashed arrows: importer -> module already in ``sys.modules`` (times N), the most frequent
    ``cached`` of them (all for ``True``), with a note on how many were left out."""
    from pyenvlab.render import _graph

    hits: Counter[tuple[str, str]] = Counter()
    for st in trace.statements:
        if not st.cached or st.name not in key:
            continue  # a first load, or a cache hit on a module loaded before the trace began
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
        graph.attr("graph", label=_graph.lines_left(*caption, note))


# -- the scan of one import --------------------------------------------------------------------


def _scan_dot(record: ModuleRecord, sys_path: Sequence[str], options: ViewOptions) -> Any:
    from pyenvlab.render import _graph
    from pyenvlab.render._graph import COLORS

    graph = _graph.digraph(
        "scan",
        caption=(scan_story(record, sys_path), *SCAN_CAPTION),
        rankdir="TB",
        nodesep="0.25",
        ranksep="0.3",
    )
    ids = _graph.Ids("e")
    target = ids("<module>")
    graph.node(target, **_target_node(record))
    start = ids("<start>")
    searched = "sys.path" if "." not in record.name else "__path__"
    graph.node(start, _graph.lines(f"{record.finder or '?'} searches", searched), shape="plaintext", style="")
    previous = start
    rows = scan_rows(record, sys_path if options.unreached else ())
    raw = [v.entry for v in record.searched] + list(sys_path[len(record.searched) :])
    for index, (row, outcome) in enumerate(rows):
        entry = raw[index] if index < len(raw) else row[1]
        node_id = ids(("entry", index))
        graph.node(node_id, **_entry_node(record, entry, row, outcome, options.max_probes))
        graph.edge(
            previous,
            node_id,
            style="dotted" if outcome == "unreached" else "solid",
            color=COLORS["miss_line"],
        )
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


def _target_node(record: ModuleRecord) -> dict[str, Any]:
    """The box of the module searched for: green when found, red when the import failed."""
    from pyenvlab.render import _graph
    from pyenvlab.render._graph import COLORS

    fill = COLORS["error"] if record.error else COLORS.get(record.kind, COLORS["hit"])
    if record.error is None and record.kind in ("module", "package", "extension"):
        fill = COLORS["hit"]
    label = _graph.lines(
        f"import {record.name}",
        KIND_WORDS.get(record.kind, record.kind) if record.error is None else "FAILED",
        _graph.shorten(record.origin or record.error or "", 70),
    )
    return {"label": label, "shape": "box", "style": "rounded,filled,bold", "fillcolor": fill}


_FILLS = {"hit": "hit", "namespace": "namespace", "error": "error"}
_LINES = {"hit": "hit_line", "namespace": "namespace_line", "error": "error_line"}


def _entry_node(
    record: ModuleRecord, entry: str, row: Sequence[str], outcome: str, max_probes: int
) -> dict[str, Any]:
    """One search-path entry of a scan: its number, finder and answer, and the probes there."""
    from pyenvlab.render import _graph
    from pyenvlab.render._graph import COLORS, cell

    probes = probes_at(record, entry) if outcome != "unreached" else []
    text_color = COLORS["dim_text"] if outcome in ("miss", "unreached") else COLORS["text"]
    body = [
        '<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2">',
        _left(cell(row[0] + ". " + _graph.shorten(row[1], 70), bold=outcome == "hit", color=text_color)),
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
    return {
        "label": _graph.html_label("".join(body)),
        "shape": "box",
        "style": style,
        "fillcolor": COLORS["miss"] if outcome == "unreached" else COLORS[_FILLS.get(outcome, "miss")],
        "color": COLORS[_LINES.get(outcome, "miss_line")],
    }


def _left(content: str) -> str:
    """One left-aligned row of an HTML-like label table (``content`` already escaped)."""
    return f'<TR><TD ALIGN="LEFT">{content}</TD></TR>'


def _finder_result(row: Sequence[str], outcome: str) -> str:
    if outcome == "unreached":
        return "not reached"
    if outcome == "no-finder":
        return "absent: no path-entry finder, skipped (normal for a missing entry)"
    return f"{row[2]}: {row[3]}"


# -- the providers of a name -------------------------------------------------------------------


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


#: lines of the traced code in the graph's root node before "… (N more lines)"
CODE_LINES = 6


def code_label(code: str | None) -> list[str]:
    """The lines of the traced code for the root node (each cut at 50 characters): a cell's
    source shows as its lines, not as one line with ``\\n`` in it."""
    from pyenvlab.render import _graph

    lines = [_graph.shorten(line, 50) for line in code_lines(code or "")] or ["traced code"]
    if len(lines) > CODE_LINES:
        lines = [*lines[:CODE_LINES], f"\u2026 ({len(lines) - CODE_LINES} more lines)"]
    return lines
