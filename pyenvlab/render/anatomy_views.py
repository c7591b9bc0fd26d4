"""Views of environment-anatomy records: dependency graphs, ABI reports, conda environments,
exports, diffs and relocation checks.

Pure functions of the records (see :mod:`pyenvlab.anatomy.records`); every name and path goes
through :mod:`pyenvlab.render._escape` (directly or through the table helpers).
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable
from typing import Any

from pyenvlab.anatomy.records import AbiReport, CondaEnv, DepGraph, EnvDiff, EnvExport, RelocationReport
from pyenvlab.render import _graph
from pyenvlab.render._escape import dot_label, html_text, term
from pyenvlab.render._table import Markup, Style, html_table, terminal_width, text_table, use_color
from pyenvlab.render.trace_views.wording import plural

__all__ = ["abi_explanation", "abi_problem", "dot", "html", "text"]


def _kind(obj: object) -> type:
    """The record class whose views draw ``obj`` (a key of the tables at the end)."""
    for cls in type(obj).__mro__:
        if cls in _TEXT:
            return cls
    msg = f"anatomy_views cannot render a {type(obj).__name__}"
    raise TypeError(msg)


def text(obj: Any, *, width: int | None = None, color: bool | None = None) -> str:
    """A terminal rendering of a DepGraph, AbiReport, CondaEnv, EnvExport, EnvDiff or RelocationReport."""
    return _TEXT[_kind(obj)](obj, terminal_width(width), Style(use_color(color)))


def html(obj: Any) -> str:
    """An escaped HTML fragment of the record."""
    return '<div class="pyenvlab">' + _HTML[_kind(obj)](obj) + "</div>"


def dot(obj: Any, **view_options: Any) -> Any:
    """A ``graphviz.Digraph``: the requirement graph (missing edges dashed, conflicts red), the
    libraries an ABI report resolves, or a conda environment's package dependencies.

    Raises:
        NotImplementedError: for exports, diffs and relocation reports, which are tables only.
    """
    kind = _kind(obj)
    if kind not in _DOT:
        msg = f"a {kind.__name__} has no graph view; use text() or html()"
        raise NotImplementedError(msg)
    import graphviz  # only when a graph is drawn

    graph = _graph.new_digraph(
        type(obj).__name__,
        graph_attr={"rankdir": view_options.get("rankdir", "LR"), "fontname": "Helvetica"},
        node_attr={"shape": "box", "style": "rounded", "fontname": "Helvetica", "fontsize": "10"},
        edge_attr={"fontname": "Helvetica", "fontsize": "9"},
    )
    _DOT[kind](obj, graph, graphviz)
    return graph


def _label(graphviz: Any, value: object) -> Any:
    """A plain DOT label; each ``\\n`` in ``value`` becomes a line break, the rest is escaped."""
    return graphviz.nohtml("\\n".join(dot_label(part) for part in str(value).split("\n")))


# --------------------------------------------------------------------------- DepGraph

_STATUS = {"ok": "", "missing": "MISSING", "conflict": "CONFLICT"}


def _edge_note(edge: Any) -> str:
    if edge.status == "missing":
        return "[MISSING]"
    if edge.status == "conflict":
        return f"[installed {edge.installed}: CONFLICT]"
    return f"[{edge.installed}]"


def _deps_text(graph: Any, width: int, style: Style) -> str:
    head = f"{graph.root} {graph.root_version}"
    if graph.extras:
        head = f"{graph.root}[{','.join(graph.extras)}] {graph.root_version}"
    lines = [style(term(head), "bold") + f"  (markers evaluated for Python {term(graph.python)})"]
    lines.append("who needs it (reverse view):" if graph.reverse else "requires:")
    printed: set[str] = set()

    def walk(name: str, prefix: str, stack: tuple[str, ...]) -> None:
        edges = graph.parents(name) if graph.reverse else graph.children(name)
        for index, edge in enumerate(edges):
            last = index == len(edges) - 1
            other = edge.parent if graph.reverse else edge.child
            branch = "└── " if last else "├── "
            if graph.reverse:
                label = (
                    f"{edge.parent} {graph.versions.get(edge.parent, '') if graph.versions else ''}".strip()
                )
                label += f"  needs {edge.spec}"
            else:
                label = f"{edge.spec}  {_edge_note(edge)}"
            if edge.extra:
                label += f"  (extra {edge.extra})"
            note = ""
            if other in stack:
                note = "  (cycle)"
            elif other in printed and (graph.parents(other) if graph.reverse else graph.children(other)):
                note = "  (see above)"
            colour = (
                ("red",) if edge.status == "conflict" else ("yellow",) if edge.status == "missing" else ()
            )
            lines.append(prefix + branch + style(term(label), *colour) + note)
            if not note and other not in printed:
                printed.add(other)
                walk(other, prefix + ("    " if last else "│   "), (*stack, other))

    walk(graph.root, "", (graph.root,))
    if not graph.edges:
        lines.append("  (nothing)" if not graph.reverse else "  (nothing installed needs it)")
    summary = (
        f"{plural(len(graph.nodes), 'distribution')}, {plural(len(graph.edges), 'requirement')}: "
        f"{len(graph.missing)} missing, {len(graph.conflicts)} conflicting, "
        f"{plural(len(graph.cycles), 'cycle')}"
    )
    lines += ["", summary]
    for cycle in graph.cycles:
        lines.append("cycle: " + term(" -> ".join(cycle)))
    if graph.skipped:
        lines.append("not followed here:")
        lines += [
            f"  {term(s.parent)}: {term(s.spec.split(';')[0])}  ({term(s.reason)})" for s in graph.skipped
        ]
    return "\n".join(line[: width + 40] if len(line) > width + 40 else line for line in lines)


def _deps_html(graph: Any) -> str:
    rows = [
        [e.parent, e.child, e.spec, e.installed or "", Markup(_badge(e.status)), e.extra or ""]
        for e in graph.edges
    ]
    title = f"{graph.root} {graph.root_version}" + (" (reverse: who needs it)" if graph.reverse else "")
    from pyenvlab.render.deps_tree import TREE_LIMIT, tree_html

    big = len(graph.edges) > TREE_LIMIT  # a tree to unfold first, the flat table folded after it
    out = html_table(
        ["requires", "required", "requirement", "installed", "status", "extra"],
        rows,
        caption=title,
        row_classes=[e.status for e in graph.edges],
    )
    if graph.cycles:
        out += "<p>cycles: " + "; ".join(html_text(" → ".join(c)) for c in graph.cycles) + "</p>"
    if graph.skipped:
        out += html_table(
            ["distribution", "requirement not followed here", "why"],
            [[s.parent, s.spec, s.reason] for s in graph.skipped],
        )
    if big:
        summary = f"All {len(graph.edges)} requirements as a table"
        return tree_html(graph) + f"<details><summary>{html_text(summary)}</summary>{out}</details>"
    return out


def _badge(status: str) -> str:
    colours = {"ok": "#2a7", "missing": "#c80", "conflict": "#c33", "not found": "#c33"}
    return f'<span style="color:{colours.get(status, "#555")}">{html_text(status)}</span>'


def _deps_dot(graph: Any, digraph: Any, graphviz: Any) -> None:
    versions = graph.versions or {}
    for name in graph.nodes:
        label = f"{name}\n{versions.get(name, 'not installed')}"
        attrs = {"style": "rounded,bold"} if name == graph.root else {}
        if name not in versions:
            attrs = {"style": "rounded,dashed", "color": "orange"}
        digraph.node(name, _label(graphviz, label), **attrs)
    for edge in graph.edges:
        attrs = {"label": _label(graphviz, edge.spec.split(";")[0])}
        if edge.status == "missing":
            attrs.update(style="dashed", color="orange")
        elif edge.status == "conflict":
            attrs.update(color="red", fontcolor="red", penwidth="2")
            attrs["label"] = _label(graphviz, f"{edge.spec.split(';')[0]}\n{edge.installed} installed")
        if edge.extra:
            attrs["label"] = _label(graphviz, f"{edge.spec.split(';')[0]} [{edge.extra}]")
        digraph.edge(edge.parent, edge.child, **attrs)


# --------------------------------------------------------------------------- AbiReport


def _short(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def _abi_text(report: Any, width: int, style: Style) -> str:
    verdict = (
        style("loads here", "green") if report.loads_here else style("will NOT load here", "red", "bold")
    )
    lines = [
        style(term(f"{report.target}"), "bold")
        + f"  ({report.kind}, {plural(len(report.files), 'ELF file')}): {verdict}",
        f"glibc required: {report.glibc_required or '-'}   this system: {report.glibc_here or '-'}"
        + (f"   libstdc++ required: GLIBCXX_{report.glibcxx_required}" if report.glibcxx_required else ""),
        "",
    ]
    for table in (_versions_table, _libraries_table, _tags_table):
        shown = table(report, width, style)
        if shown:
            lines += [shown, ""]
    lines += textwrap.wrap(term(abi_explanation(report)), width=width, break_on_hyphens=False)
    return "\n".join(lines)


def _versions_table(report: Any, width: int, style: Style) -> str | None:
    """Each symbol version each file needs, newest first, with the symbols needing it (red:
    this system does not provide it)."""
    several = len(report.files) > 1
    too_new = {(s.file, s.library, s.version) for s in report.too_new}
    missing = {(lib.needed_by, lib.name, v) for lib in report.libraries for v in lib.missing_versions}
    rows: list[list[str]] = []
    styles: list[tuple[str, ...]] = []
    for file in report.files:
        for library, versions in file.version_needs.items():
            for version in sorted(versions, key=_version_key, reverse=True):
                names = sorted(
                    {s.symbol for s in file.symbols if s.library == library and s.version == version}
                )
                shown = ", ".join(names[:6]) + (f" +{len(names) - 6}" if len(names) > 6 else "")
                row = [library, version, shown or "(no symbol: the file as a whole)"]
                rows.append([_short(file.path), *row] if several else row)
                key = (file.path, library, version)
                styles.append(("red",) if key in too_new or key in missing else ())
    if not rows:
        return None
    heads = ["library", "version", "symbols needing it"]
    return text_table(
        ["file", *heads] if several else heads,
        rows,
        width=width,
        shrink=len(heads) if several else 2,
        styles=styles,
        color=style.color,
    )


def _libraries_table(report: Any, width: int, style: Style) -> str | None:
    """Each needed library and how the loader would find it (red: not found, or too old)."""
    if not report.libraries:
        return None
    several = len(report.files) > 1
    rows = [[lib.name, lib.how, lib.path or "-"] for lib in report.libraries]
    if several:
        rows = [[_short(lib.needed_by), *row] for lib, row in zip(report.libraries, rows, strict=True)]
    styles = [("red",) if lib.path is None or lib.missing_versions else () for lib in report.libraries]
    heads = ["needs", "found by", "path"]
    return text_table(
        ["file", *heads] if several else heads,
        rows,
        width=width,
        shrink=3 if several else 2,
        styles=styles,
        color=style.color,
    )


def _tags_table(report: Any, width: int, style: Style) -> str | None:
    """Each wheel tag (and extension suffix) and whether this interpreter accepts it."""
    if not report.tags:
        return None
    rows = [[t.tag, "yes" if t.supported else "no", t.reason] for t in report.tags]
    return text_table(["tag", "accepted", "why"], rows, width=width, shrink=2, color=style.color)


def _version_key(version: str) -> tuple[int, ...]:
    digits = version.rsplit("_", 1)[-1]
    try:
        return tuple(int(p) for p in digits.split("."))
    except ValueError:
        return (0,)


def _abi_html(report: Any) -> str:
    verdict = _badge("ok") if report.loads_here else _badge("not found").replace("not found", "will not load")
    parts = [
        f"<p><b>{html_text(report.target)}</b> ({html_text(report.kind)}): {verdict}<br>"
        f"glibc required: {html_text(report.glibc_required or '-')}, this system: "
        f"{html_text(report.glibc_here or '-')}</p>"
    ]
    rows = [
        [_short(s.file), s.library, s.version, s.symbol, "weak" if s.weak else ""]
        for f in report.files
        for s in f.symbols
        if s.version.startswith(("GLIBC_2", "GLIBCXX_"))
    ]
    rows.sort(key=lambda r: _version_key(r[2]), reverse=True)
    parts.append(html_table(["file", "library", "version", "symbol", ""], rows, caption="versioned symbols"))
    parts.append(
        html_table(
            ["file", "needs", "found by", "path", "missing versions"],
            [
                [_short(x.needed_by), x.name, x.how, x.path or "", ", ".join(x.missing_versions)]
                for x in report.libraries
            ],
            caption="needed libraries",
        )
    )
    if report.tags:
        parts.append(
            html_table(["tag", "accepted", "why"], [[t.tag, str(t.supported), t.reason] for t in report.tags])
        )
    parts.append(f"<p>{html_text(abi_explanation(report))}</p>")
    return "".join(parts)


def _abi_dot(report: Any, digraph: Any, graphviz: Any) -> None:
    ids: dict[str, str] = {}

    def node(key: str, label: str, **attrs: str) -> str:
        if key not in ids:
            ids[key] = f"n{len(ids)}"
            digraph.node(ids[key], _label(graphviz, label), **attrs)
        return ids[key]

    for file in report.files:
        node(file.path, f"{_short(file.path)}\nglibc {file.glibc_required or '-'}", style="rounded,bold")
    for lib in report.libraries:
        bad = lib.path is None or bool(lib.missing_versions)
        target = node(
            lib.path or f"missing:{lib.name}",
            f"{lib.name}\n{lib.path or 'not found'}",
            **({"color": "red"} if bad else {}),
        )
        label = lib.how
        for version in lib.missing_versions:
            names = sorted(
                {s.symbol for s in report.too_new if s.library == lib.name and s.version == version}
            )
            shown = ", ".join(names[:4]) + (" ..." if len(names) > 4 else "")
            label += f"\nlacks {version}" + (f" ({shown})" if shown else "")
        digraph.edge(
            node(lib.needed_by, _short(lib.needed_by)),
            target,
            label=_label(graphviz, label),
            **({"color": "red", "fontcolor": "red"} if bad else {}),
        )


_GLIBC = re.compile(r"^GLIBC_(\d+(?:\.\d+)+)$")
_MANYLINUX = re.compile(r"^manylinux_(\d+)_(\d+)_(.+)$")


def abi_explanation(report: Any) -> str:
    """An ABI report in a few plain sentences: which glibc (and libstdc++) it needs and because
    of which symbols, a wheel tag that promises less than the symbols need, how many needed
    libraries resolve, and the verdict with every problem (:func:`abi_problem`)."""
    if not report.files:
        return f"{report.target} has no ELF files to inspect."
    parts = [_glibc_sentence(report)]
    if report.glibcxx_required:
        parts.append(f"It needs libstdc++ with GLIBCXX_{report.glibcxx_required}.")
    parts += _tag_sentences(report)
    found = sum(1 for lib in report.libraries if lib.path)
    parts.append(
        f"This system has glibc {report.glibc_here or 'unknown (not a glibc system)'}; "
        f"{found} of {len(report.libraries)} needed libraries resolve without running the file."
    )
    if report.loads_here:
        parts.append("Verdict: it loads here.")
    else:
        reasons = "; ".join(abi_problem(problem, report) for problem in report.problems)
        parts.append("Verdict: it will NOT load here: " + reasons + ".")
    return " ".join(parts)


def _glibc_sentence(report: Any) -> str:
    glibc = report.glibc_required
    if not glibc:
        return f"{report.target} asks for no versioned glibc symbols."
    names = sorted({s.symbol for s in report.symbols})
    if not names:
        noun = "its compiled file" if len(report.files) == 1 else f"its {len(report.files)} compiled files"
        return f"{report.target} needs glibc {glibc} or newer: {noun} require GLIBC_{glibc}."
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    verb = "needs" if len(names) == 1 else "need"
    return f"{report.target} needs glibc {glibc} or newer: {shown} {verb} GLIBC_{glibc}."


def _tag_sentences(report: Any) -> list[str]:
    """Wheel tags whose manylinux level is older than the glibc the symbols need."""
    if not report.glibc_required:
        return []
    needed = tuple(int(p) for p in report.glibc_required.split("."))[:2]
    sentences = []
    for tag in report.tags:
        match = next(filter(None, map(_MANYLINUX.match, tag.tag.split("-")[-1].split("."))), None)
        if match and needed > (int(match.group(1)), int(match.group(2))):
            sentences.append(
                f"Its tag {tag.tag} promises glibc {match.group(1)}.{match.group(2)}, but the symbols need "
                f"{report.glibc_required}: the tag is wrong (auditwheel would refuse it)."
            )
    return sentences


def abi_problem(problem: Any, report: Any) -> str:
    """One reason the component will not load, as a clause of the verdict."""
    file = _short(problem.file) if problem.file else ""
    if problem.kind == "machine":
        return f"{file} is built for {problem.detail}, this machine is {problem.here}"
    if problem.kind == "missing-version":
        text = (
            f"{file} needs version {', '.join(problem.versions)} of {problem.library}, but "
            f"{problem.path} does not define it"
        )
        if problem.versions and _GLIBC.match(problem.versions[0]):
            text += f" (this system has glibc {report.glibc_here})"
        return text
    if problem.kind == "not-found":
        searched = ", ".join(problem.searched) or "nothing"
        return f"{file} needs {problem.library}, which the loader would not find (searched {searched})"
    reason = next((t.reason for t in report.tags if t.tag == problem.tag), "")
    if problem.kind == "suffix":
        return f"the file name ends in {problem.tag}, but {reason}"
    if problem.kind == "wheel-tags":
        return f"no wheel tag is accepted here ({problem.tag}: {reason})"
    return problem.detail or problem.kind  # "unreadable" (the reader's message) and "text"


# --------------------------------------------------------------------------- conda


def _conda_text(env: Any, width: int, style: Style) -> str:
    rows = [
        [
            p.name,
            p.version,
            p.build,
            p.channel,
            str(len(p.files)),
            ", ".join(_short(s) for s in p.shared_libraries[:3]),
        ]
        for p in env.packages
    ]
    out = [
        style(term(f"conda environment {env.prefix}"), "bold")
        + f"  ({plural(len(env.packages), 'package')})",
        "",
    ]
    out.append(
        text_table(
            ["name", "version", "build", "channel", "files", "shared libraries"],
            rows,
            width=width,
            color=style.color,
        )
    )
    return "\n".join(out)


def _conda_html(env: Any) -> str:
    rows = [
        [p.name, p.version, p.build, p.channel, str(len(p.files)), ", ".join(p.shared_libraries)]
        for p in env.packages
    ]
    return html_table(
        ["name", "version", "build", "channel", "files", "shared libraries"],
        rows,
        caption=f"conda environment {env.prefix}",
    )


def _conda_dot(env: Any, digraph: Any, graphviz: Any) -> None:
    names = {p.name for p in env.packages}
    for p in env.packages:
        digraph.node(f"p:{p.name}", _label(graphviz, f"{p.name} {p.version}\n{p.build}"))
    for p in env.packages:
        for dep in p.depends:
            child = dep.split()[0]
            if child in names:
                digraph.edge(f"p:{p.name}", f"p:{child}", label=_label(graphviz, dep[len(child) :].strip()))


# --------------------------------------------------------------------------- export, diff, relocation


def _export_text(exp: Any, width: int, style: Style) -> str:
    head = (
        style(term(f"environment of {exp.executable}"), "bold")
        + f"  (Python {term(exp.python)}, {plural(len(exp.packages), 'distribution')}"
        + (f"; a venv made by {term(exp.made_by)})" if exp.made_by else ")")
    )
    rows = [[p.name, p.version, p.installer or "", p.source or ""] for p in exp.packages]
    return (
        head
        + "\n\n"
        + text_table(["name", "version", "installer", "source"], rows, width=width, color=style.color)
    )


def _export_html(exp: Any) -> str:
    rows = [[p.name, p.version, p.installer or "", p.source or ""] for p in exp.packages]
    return html_table(
        ["name", "version", "installer", "source"],
        rows,
        caption=f"{exp.executable} (Python {exp.python}"
        + (f"; a venv made by {exp.made_by})" if exp.made_by else ")"),
    )


def _diff_text(diff: Any, width: int, style: Style) -> str:
    head = [
        style("environment diff", "bold"),
        f"  left:  {term(diff.left)} (Python {term(diff.left_python)})",
        f"  right: {term(diff.right)} (Python {term(diff.right_python)})",
        "",
    ]
    if not diff.entries:
        return "\n".join([*head, f"identical ({diff.same} distributions)"])
    colour = {"added": ("green",), "removed": ("red",), "changed": ("yellow",)}
    rows = [[e.change, e.name, e.left or "-", e.right or "-"] for e in diff.entries]
    table = text_table(
        ["change", "name", "left", "right"],
        rows,
        width=width,
        styles=[colour[e.change] for e in diff.entries],
        color=style.color,
    )
    counts = {k: sum(1 for e in diff.entries if e.change == k) for k in ("added", "removed", "changed")}
    tail = (
        f"{counts['added']} added, {counts['removed']} removed, {counts['changed']} changed, "
        f"{diff.same} the same"
    )
    return "\n".join([*head, table, "", tail])


def _diff_html(diff: Any) -> str:
    rows = [[e.change, e.name, e.left or "", e.right or ""] for e in diff.entries]
    return html_table(
        ["change", "name", "left", "right"],
        rows,
        caption=f"{diff.left} → {diff.right}",
        row_classes=[e.change for e in diff.entries],
    )


def _relocation_text(report: Any, width: int, style: Style) -> str:
    if report.relocatable:
        return f"{term(report.venv)}: no file points at {term(report.recorded_at)}"
    head = style(term(f"{report.venv}"), "bold") + (
        f": {plural(len(report.issues), 'hard-coded path')} to {term(report.recorded_at)}; "
        "a copy of this venv still runs the original's files, or nothing at all"
    )
    rows = [[i.kind, f"{i.file}:{i.line}", i.text] for i in report.issues]
    return (
        head + "\n\n" + text_table(["kind", "where", "text"], rows, width=width, shrink=2, color=style.color)
    )


def _relocation_html(report: Any) -> str:
    rows = [[i.kind, f"{i.file}:{i.line}", i.text] for i in report.issues]
    return html_table(
        ["kind", "where", "text"], rows, caption=f"{report.venv} (made at {report.recorded_at})"
    )


_TEXT: dict[type, Callable[[Any, int, Style], str]] = {
    DepGraph: _deps_text,
    AbiReport: _abi_text,
    CondaEnv: _conda_text,
    EnvExport: _export_text,
    EnvDiff: _diff_text,
    RelocationReport: _relocation_text,
}
_HTML: dict[type, Callable[[Any], str]] = {
    DepGraph: _deps_html,
    AbiReport: _abi_html,
    CondaEnv: _conda_html,
    EnvExport: _export_html,
    EnvDiff: _diff_html,
    RelocationReport: _relocation_html,
}
_DOT: dict[type, Callable[[Any, Any, Any], None]] = {
    DepGraph: _deps_dot,
    AbiReport: _abi_dot,
    CondaEnv: _conda_dot,
}
