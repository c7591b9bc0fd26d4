"""Views of the startup records: the prefix search, site, .pth files, sys.path, doctor, venvs.

``text`` gives a terminal report made of short sections, ``html`` the same as escaped tables,
``dot`` a graph of the landmark walk: every check in order (found in green, missed in grey),
the pyvenv.cfg hop, and the checks that settled ``prefix`` and ``exec_prefix``.
:func:`startup_explanation` writes the "In short" sentences from the trace's facts; the one on
who set a venv's ``sys.prefix`` is :func:`venv_prefix_sentence`, the one on the tool that made
it (uv, virtualenv, venv: ``pyvenv.cfg`` says) :func:`venv_maker_sentence`.
"""

from __future__ import annotations

from typing import Any

from pyenvlab.interpreter.records import DoctorReport, PathReport, StartupTrace, VenvReport
from pyenvlab.render import _graph
from pyenvlab.render._escape import dot_label, html_text, term
from pyenvlab.render._table import Markup, Style, fit_lines, html_table, terminal_width, text_table, use_color
from pyenvlab.render.trace_views.wording import plural

__all__ = ["dot", "html", "startup_explanation", "text", "venv_maker_sentence", "venv_prefix_sentence"]


def _unknown(obj: object) -> TypeError:
    return TypeError(f"startup_views cannot render a {type(obj).__name__}")


# -- text ------------------------------------------------------------------------------------


def text(obj: Any, *, width: int | None = None, color: bool | None = None) -> str:
    """A terminal rendering of a StartupTrace, PathReport, DoctorReport or VenvReport."""
    width = terminal_width(width)
    color = use_color(color)
    if isinstance(obj, StartupTrace):
        return fit_lines(_startup_text(obj, width, color), width)
    if isinstance(obj, PathReport):
        return fit_lines(_path_text(obj, width, color), width)
    if isinstance(obj, DoctorReport):
        return fit_lines(_doctor_text(obj, width, color), width)
    if isinstance(obj, VenvReport):
        return fit_lines(_venv_text(obj, width, color), width)
    raise _unknown(obj)


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _method_line(trace: Any) -> str:
    if trace.method == "getpath":
        how = f"the interpreter's own getpath code, re-run with recording hooks ({trace.code_source})"
    elif trace.method == "strace":
        how = "strace of a real start (system calls; this interpreter has no getpath code object)"
    else:
        how = "a MODEL of the search (no real trace possible here): the checks below are not recorded"
    return f"traced with {how}"


def _verdict(trace: Any) -> str:
    if trace.verified:
        return "verified: every traced value equals the interpreter's own"
    if not trace.comparisons:
        return "not verified: no start of the interpreter to compare with (see the notes)"
    bad = ", ".join(f"{c.stage} {c.field}" for c in trace.disagreements) or "nothing to compare"
    return f"NOT verified: the trace and the interpreter disagree on {bad}"


def _startup_text(trace: Any, width: int, color: bool) -> str:
    style = Style(color)
    sections = (
        _head_text,
        _search_text,
        _site_text,
        _pth_text,
        _path_text_section,
        _comparison_text,
        _notes_text,
    )
    return "\n".join(line for section in sections for line in section(trace, width, style))


def _head_text(trace: Any, width: int, style: Style) -> list[str]:
    """Which start, how it was traced, whether it agrees, and the explanation."""
    out = [
        style(term(f"Startup of {trace.interpreter} (Python {trace.python})"), "bold"),
        term(f"command: {' '.join(trace.command)}    cwd: {trace.cwd}"),
        term(_method_line(trace)),
        style(term(_verdict(trace)), "green" if trace.verified else "red"),
        "",
    ]
    explanation = startup_explanation(trace)
    if explanation:
        out.append(style("In short", "bold"))
        out.extend(term(f"  {line}") for line in explanation)
        out.append("")
    return out


def _search_text(trace: Any, width: int, style: Style) -> list[str]:
    """1. Every check of the prefix search in order (green: it settled a value), then the result."""
    out = [style(f"1. Prefix search: {plural(len(trace.probes), 'check')}, in order", "bold")]
    if trace.probes:
        rows, styles = [], []
        for index, probe in enumerate(trace.probes, 1):
            settles = f"<- {probe.decided}" if probe.decided else ""
            rows.append([index, probe.check, _probe_path(probe), _yes(probe.result), probe.purpose, settles])
            styles.append(("green", "bold") if probe.decided else (() if probe.result else ("dim",)))
        headers = ["#", "check", "path", "found", "looking for", "settles"]
        out.append(
            text_table(
                headers, rows, width=width, shrink=2, styles=styles, color=style.color, paths=(2,), prose=(4,)
            )
        )
    else:
        out.append("  (no checks recorded)")
    values = [
        ["prefix", trace.prefix],
        ["exec_prefix", trace.exec_prefix],
        ["base_prefix", trace.base_prefix],
        ["base_exec_prefix", trace.base_exec_prefix],
        ["executable", trace.executable],
        ["venv", _venv_row(trace)],
    ]
    return [
        *out,
        "",
        style("Result (after site)" if trace.site_ran else "Result (site did not run)", "bold"),
        text_table(["sys.*", "value"], values, width=width),
        "",
    ]


def _site_text(trace: Any, width: int, style: Style) -> list[str]:
    """2. The calls site made, nested, and what each added."""
    if not trace.site_ran:
        why = " (-S)" if "-S" in trace.command[1:] else ""
        return [style(f"2. site: not run{why}", "bold"), ""]
    rows = [
        ["  " * step.depth + step.function, _step_argument(step), _step_effect(step, own)]
        for step, own in zip(trace.site_steps, _own_added(trace.site_steps), strict=True)
    ]
    return [
        style(f"2. site: {plural(len(trace.site_steps), 'step')}", "bold"),
        text_table(["call", "on", "what it did"], rows, width=width, shrink=2, paths=(1,), prose=(2,)),
        term(f"user site: {trace.user_site} (enabled: {trace.enable_user_site})"),
        "",
    ]


def _pth_text(trace: Any, width: int, style: Style) -> list[str]:
    """3. Each processing of a .pth file (and of a PEP 829 .start file), line by line, and what
    its import lines (entry points) imported."""
    out = [style(_pth_heading(trace.pth_files), "bold")]
    for pth in trace.pth_files:
        again = f" (processed again: #{pth.occurrence})" if pth.occurrence > 1 else ""
        out.append(term(f"  {pth.path}{again}"))
        rows = [[line.number, line.text, line.outcome] for line in pth.lines]
        if rows:
            table = text_table(["line", "text", "what site did"], rows, width=width - 4, shrink=1)
            out.extend("    " + row for row in table.splitlines())
        if pth.imported:
            shown = ", ".join(pth.imported[:8]) + (" ..." if len(pth.imported) > 8 else "")
            out.append(term(f"    modules imported meanwhile: {shown}"))
    return [*out, ""]


def _pth_heading(files: Any) -> str:
    """``3. .pth files: 2 processed``, or with PEP 829 ``.start`` files among them
    ``3. .pth and .start files: 3 processed (1 .start file)``."""
    starts = sum(1 for f in files if f.path.endswith(".start"))
    if not starts:
        return f"3. .pth files: {len(files)} processed"
    return f"3. .pth and .start files: {len(files)} processed ({plural(starts, '.start file')})"


def _path_text_section(trace: Any, width: int, style: Style) -> list[str]:
    """4. The final sys.path with where each entry came from."""
    return [style("4. sys.path", "bold"), _entries_table(trace.sys_path, width, style.color), ""]


def _comparison_text(trace: Any, width: int, style: Style) -> list[str]:
    """5. Every traced value next to the interpreter's own (red: they differ)."""
    if not trace.comparisons:
        return [style("5. Traced vs the interpreter's own values", "bold"), "  (nothing to compare with)"]
    rows = [
        [c.stage, c.field, _one_line(c.real), "agree" if c.agree else f"DIFFERS: {_one_line(c.traced)}"]
        for c in trace.comparisons
    ]
    styles = [() if c.agree else ("red", "bold") for c in trace.comparisons]
    headers = ["stage", "field", "interpreter's own value", "trace"]
    return [
        style("5. Traced vs the interpreter's own values", "bold"),
        text_table(headers, rows, width=width, styles=styles, color=style.color),
    ]


def _notes_text(trace: Any, width: int, style: Style) -> list[str]:
    """getpath's warnings and the tracer's notes."""
    if not (trace.warnings or trace.notes):
        return []
    return [
        "",
        style("Notes", "bold"),
        *(term(f"  - getpath warning: {w}") for w in trace.warnings),
        *(term(f"  - {n}") for n in trace.notes),
    ]


def startup_explanation(trace: Any) -> tuple[str, ...]:
    """How prefix and ``sys.path`` were found, in a few plain sentences: the PATH lookup, the
    pyvenv.cfg hop, PYTHONHOME, the landmarks that settled ``prefix`` and ``exec_prefix``, who
    set a venv's ``sys.prefix``, and getpath's own warnings."""
    lines = []
    values = trace.getpath or {}
    # PyConfig.home as getpath saw it: PYTHONHOME, or set by the program embedding Python (Pyodide)
    home_config = values.get("home")
    exe_probe = trace.probe_for("executable")
    if exe_probe is not None:
        lines.append(f"argv[0] {trace.argv0!r} has no '/': found on PATH as {exe_probe.path}.")
    venv_probe = trace.probe_for("venv")
    if venv_probe is not None:
        home = _cfg_home(venv_probe.detail)
        if home_config:
            lines.append(
                f"{venv_probe.path} says home = {home}, but getpath ignores that key: "
                f"PyConfig.home is set ({home_config})."
            )
        else:
            lines.append(f"{venv_probe.path} says home = {home}: the search continues from there.")
    maker = venv_maker_sentence(trace)
    if maker:
        lines.append(maker)
    if trace.pythonhome:
        lines.append(f"PYTHONHOME={trace.pythonhome} sets prefix directly: no landmark is checked.")
    # the base installation the search found (getpath's own prefix is already the venv's since
    # 3.14, gh-126985: named by what the record says, not by the version)
    base = values.get("base_prefix") or values.get("prefix") or trace.base_prefix
    name = "prefix" if values.get("prefix", base) == base else "base_prefix"
    prefix_probe = trace.probe_for("prefix")
    if prefix_probe is not None:
        lines.append(f"{name} = {base}: the first landmark found was {prefix_probe.path}.")
    elif trace.method == "getpath" and not trace.pythonhome:
        if home_config:
            lines.append(
                f"{name} = {base}: taken from PyConfig.home, which the program embedding Python set "
                "before the search (as PYTHONHOME would): no landmark is checked."
            )
        else:
            lines.append(f"{name} = {base}: no landmark found, the compiled-in PREFIX was used.")
    exec_probe = trace.probe_for("exec_prefix")
    if exec_probe is not None:
        exec_base = values.get("base_exec_prefix") or values.get("exec_prefix") or trace.base_exec_prefix
        exec_name = "exec_prefix" if values.get("exec_prefix", exec_base) == exec_base else "base_exec_prefix"
        lines.append(f"{exec_name} = {exec_base}: {exec_probe.path} exists.")
    venv = venv_prefix_sentence(trace)
    if venv:
        lines.append(venv)
    lines += [f"getpath warned: {warning}" for warning in trace.warnings]
    return tuple(lines)


def venv_prefix_sentence(trace: Any, *, short: bool = False) -> str | None:
    """Who set ``sys.prefix`` to the venv (``None`` outside a venv): the one place that says it,
    in the explanation and (``short``) in the graph.

    It is keyed on ``trace.prefix_set_by``, the stage that did (a fact of the record, not the
    version): ``"site"`` on CPython up to 3.13, ``"getpath"`` from 3.14 on (gh-126985: getpath,
    not site, applies pyvenv.cfg; site then only adds the venv's site-packages).
    """
    if trace.prefix_set_by is None:
        return None
    if trace.prefix_set_by == "getpath":
        if short:
            return f"getpath: sys.prefix = {trace.prefix} (venv)"
        cfg = trace.venv or f"{trace.prefix}/pyvenv.cfg"
        return (
            f"getpath read {cfg} and set sys.prefix = {trace.prefix} itself (CPython 3.14+, "
            "gh-126985); site only adds the venv's site-packages."
        )
    if short:
        return f"site: sys.prefix = {trace.prefix} (venv)"
    return f"site found pyvenv.cfg and set sys.prefix = {trace.prefix} (the venv)."


def venv_maker_sentence(trace: Any) -> str | None:
    """Which tool made the venv, as its ``pyvenv.cfg`` says (``None`` when it does not say):
    a uv venv has no pip, and ``relocatable = true`` changes what a copy keeps."""
    maker = getattr(trace, "venv_made_by", None)
    if not maker:
        return None
    if maker == "venv":
        sentence = "The venv was made by the standard library's `python -m venv`."
    elif maker.startswith("uv"):
        sentence = (
            f"The venv was made by {maker} (its pyvenv.cfg says uv = {maker[3:]}), which puts no pip"
            f" into it: `python -m pip` fails there; `uv pip install --python {trace.executable} NAME`"
            " installs into it."
        )
    else:
        sentence = f"The venv was made by {maker} (its pyvenv.cfg says so)."
    if getattr(trace, "venv_relocatable", False):
        sentence += (
            " It is relocatable (relocatable = true): its scripts find the interpreter relative to"
            " themselves, so the directory can be moved."
        )
    return sentence


def _venv_row(trace: Any) -> str:
    """The ``venv`` row of the result table: the pyvenv.cfg, who made it, whether it moves."""
    if not trace.venv:
        return "-"
    facts = [f"made by {trace.venv_made_by}"] if getattr(trace, "venv_made_by", None) else []
    if getattr(trace, "venv_relocatable", False):
        facts.append("relocatable")
    return trace.venv + (f" ({'; '.join(facts)})" if facts else "")


def _probe_path(probe: Any) -> str:
    if probe.check in ("readlink", "realpath") and probe.detail and probe.detail != probe.path:
        return f"{probe.path} -> {probe.detail}"
    return probe.path


def _own_added(steps: Any) -> list[tuple[str, ...]]:
    """For each site step, the entries it added itself (not through a nested call)."""
    result = []
    for index, step in enumerate(steps):
        nested: set[str] = set()
        for later in steps[index + 1 :]:
            if later.depth <= step.depth:
                break
            if later.depth == step.depth + 1:
                nested.update(later.added)
        result.append(tuple(p for p in step.added if p not in nested))
    return result


def _step_argument(step: Any) -> str:
    if step.function == "addpackage" and len(step.arguments) > 1:
        return step.arguments[1]
    return step.arguments[0] if step.arguments else ""


def _step_effect(step: Any, own: tuple[str, ...]) -> str:
    parts = []
    if own:
        parts.append("added " + ", ".join(own))
    if step.result is not None:
        parts.append(step.result if step.function.startswith("exec") else f"returned {step.result}")
    elif step.function == "addpackage" and not own:
        parts.append("nothing added (see the .pth files below)")
    if step.error:
        parts.append(f"raised {step.error}")
    return "; ".join(parts)


def _one_line(value: str | None) -> str:
    if value is None:
        return "-"
    parts = value.split("\n")
    return parts[0] if len(parts) == 1 else f"{plural(len(parts), 'entry', 'entries')}: {parts[0]} ..."


def _entries_table(entries: Any, width: int, color: bool) -> str:
    rows = [[i, e.path if e.path else "''", e.source, _yes(e.exists)] for i, e in enumerate(entries)]
    styles = [() if e.exists else ("yellow",) for e in entries]
    return text_table(
        ["#", "entry", "came from", "exists"],
        rows,
        width=width,
        shrink=1,
        styles=styles,
        color=color,
        paths=(1,),
        prose=(2,),
    )


def _path_text(report: Any, width: int, color: bool) -> str:
    style = Style(color)
    verdict = "verified against the interpreter" if report.verified else "NOT verified"
    head = term(f"sys.path of {report.executable} (Python {report.python}), {verdict}")
    return "\n".join([style(head, "bold"), _entries_table(report.entries, width, color)])


def _doctor_text(report: Any, width: int, color: bool) -> str:
    style = Style(color)
    out = [
        style(term(f"pyenvlab doctor: {report.executable} (Python {report.python}) in {report.cwd}"), "bold")
    ]
    if not report.findings:
        out.append(style("No problems found.", "green"))
    colors = {"error": "red", "warning": "yellow", "info": "cyan"}
    for finding in report.findings:
        out.append(
            style(term(f"[{finding.severity}] {finding.rule}: {finding.message}"), colors[finding.severity])
        )
        out.append(term(f"    fix: {finding.fix}"))
    if report.checked:
        out.append("")
        out.append(term("checked: " + ", ".join(report.checked)))
    del width
    return "\n".join(out)


def _venv_text(report: Any, width: int, color: bool) -> str:
    style = Style(color)
    out = [
        style(term(f"Virtual environment {report.path}"), "bold"),
        term(f"base installation: {report.base_prefix}"),
    ]
    out.append(style("pyvenv.cfg", "bold"))
    out.append(text_table(["key", "value"], sorted(report.config.items()), width=width))
    out.append(style("bin/", "bold"))
    rows = [[f.name, f.kind, f.target or "", _yes(f.points_to_base)] for f in report.files]
    out.append(text_table(["name", "kind", "points to", "into the base"], rows, width=width, shrink=2))
    ratio = (100.0 * report.size_kib / report.base_size_kib) if report.base_size_kib else 0.0
    out.append(
        term(
            f"size: {report.size_kib} KiB, the base installation {report.base_size_kib} KiB ({ratio:.1f} %);"
            f" base site-packages visible: {_yes(report.include_system_site_packages)}"
        )
    )
    return "\n".join(out)


# -- html ------------------------------------------------------------------------------------


def _badge(ok: bool, good: str, bad: str) -> Markup:
    color = "#1a7f37" if ok else "#cf222e"
    return Markup(f'<span style="color:{color};font-weight:bold">{html_text(good if ok else bad)}</span>')


def html(obj: Any) -> str:
    """An HTML fragment (escaped tables) of a startup record."""
    if isinstance(obj, StartupTrace):
        return _startup_html(obj)
    if isinstance(obj, PathReport):
        head = f"<p><b>sys.path of {html_text(obj.executable)}</b> (Python {html_text(obj.python)})</p>"
        return f'<div class="pyenvlab">{head}{_entries_html(obj.entries)}</div>'
    if isinstance(obj, DoctorReport):
        rows = [[f.severity, f.rule, f.message, f.fix] for f in obj.findings]
        caption = f"doctor: {obj.executable} in {obj.cwd}" + ("" if rows else ": no problems found")
        return (
            '<div class="pyenvlab">'
            + html_table(["severity", "rule", "finding", "fix"], rows, caption=caption)
            + "</div>"
        )
    if isinstance(obj, VenvReport):
        parts = [
            html_table(["key", "value"], sorted(obj.config.items()), caption=f"pyvenv.cfg of {obj.path}")
        ]
        rows = [[f.name, f.kind, f.target or "", _yes(f.points_to_base)] for f in obj.files]
        parts.append(html_table(["name", "kind", "points to", "into the base"], rows, caption="bin/"))
        parts.append(
            f"<p>size {obj.size_kib} KiB; base {html_text(obj.base_prefix)} {obj.base_size_kib} KiB</p>"
        )
        return '<div class="pyenvlab">' + "".join(parts) + "</div>"
    raise _unknown(obj)


def _entries_html(entries: Any) -> str:
    rows = [[i, e.path or "''", e.source, _badge(e.exists, "yes", "missing")] for i, e in enumerate(entries)]
    return html_table(["#", "entry", "came from", "exists"], rows, caption="sys.path")


def _startup_html(trace: Any) -> str:
    parts = [
        f"<p><b>Startup of {html_text(trace.interpreter)}</b> (Python {html_text(trace.python)}),"
        f" {html_text(_method_line(trace))}. ",
        _badge(trace.verified, _verdict(trace), _verdict(trace)),
        "</p>",
    ]
    explanation = startup_explanation(trace)
    if explanation:
        parts.append("<ul>" + "".join(f"<li>{html_text(line)}</li>" for line in explanation) + "</ul>")
    rows = [
        [i, p.check, p.path, _badge(p.result, "yes", "no"), p.purpose, p.decided or ""]
        for i, p in enumerate(trace.probes, 1)
    ]
    parts.append(
        html_table(
            ["#", "check", "path", "found", "looking for", "settles"],
            rows,
            caption="prefix search",
            row_classes=["decided" if p.decided else "" for p in trace.probes],
        )
    )
    steps = [
        ["\u2003" * s.depth + s.function, _step_argument(s), _step_effect(s, own)]
        for s, own in zip(trace.site_steps, _own_added(trace.site_steps), strict=True)
    ]
    parts.append(html_table(["call", "on", "what it did"], steps, caption="site"))
    for pth in trace.pth_files:
        rows = [[line.number, line.text, line.outcome] for line in pth.lines]
        caption = pth.path + (f" (processed again: #{pth.occurrence})" if pth.occurrence > 1 else "")
        parts.append(html_table(["line", "text", "what site did"], rows, caption=caption))
    parts.append(_entries_html(trace.sys_path))
    rows = [
        [c.stage, c.field, c.traced or "-", c.real or "-", _badge(c.agree, "agree", "DIFFER")]
        for c in trace.comparisons
    ]
    parts.append(html_table(["stage", "field", "traced", "real", ""], rows, caption="traced vs real"))
    notes = [*(f"getpath warning: {w}" for w in trace.warnings), *trace.notes]
    if notes:
        parts.append("<ul>" + "".join(f"<li>{html_text(n)}</li>" for n in notes) + "</ul>")
    return '<div class="pyenvlab">' + "".join(parts) + "</div>"


# -- dot -------------------------------------------------------------------------------------


def dot(obj: Any, **view_options: Any) -> Any:
    """A ``graphviz.Digraph``: the landmark walk of a StartupTrace (``purposes=`` limits the
    checks shown, e.g. ``("stdlib landmark", "pyvenv.cfg")``), or sys.path for a PathReport."""
    import graphviz  # only when a graph is drawn

    graph = _graph.new_digraph(type(obj).__name__, graph_attr={"rankdir": "TB", "fontname": "Helvetica"})
    graph.attr("node", shape="box", style="rounded,filled", fontname="Helvetica", fontsize="10")
    if isinstance(obj, StartupTrace):
        _startup_dot(graph, obj, view_options.get("purposes"))
    elif isinstance(obj, PathReport):
        _chain(
            graph, [(f"{i}. {e.path or repr('')}\n{e.source}", e.exists) for i, e in enumerate(obj.entries)]
        )
    elif isinstance(obj, DoctorReport):
        _chain(graph, [(f"{f.severity}: {f.rule}\n{f.message}", f.severity == "info") for f in obj.findings])
    elif isinstance(obj, VenvReport):
        graph.node("venv", graphviz.nohtml(_label(obj.path)), fillcolor="#ddf4ff")
        graph.node("base", graphviz.nohtml(_label(obj.base_prefix)), fillcolor="#eeeeee")
        for index, f in enumerate(obj.files):
            if f.points_to_base:
                name = f"f{index}"
                graph.node(name, graphviz.nohtml(_label(f"bin/{f.name}")), fillcolor="#dafbe1")
                graph.edge("venv", name)
                graph.edge(name, "base", label=dot_label(f.kind), style="dashed")
    else:
        raise _unknown(obj)
    return graph


def _label(text: str) -> str:
    """A multi-line DOT label: each line escaped, joined with DOT's own line break."""
    return "\\n".join(dot_label(line) for line in text.split("\n"))


def _chain(graph: Any, items: list[tuple[str, bool]]) -> None:
    import graphviz

    previous = None
    for index, (label, ok) in enumerate(items):
        name = f"n{index}"
        graph.node(name, graphviz.nohtml(_label(label)), fillcolor="#dafbe1" if ok else "#fff8c5")
        if previous:
            graph.edge(previous, name)
        previous = name


_WALKED = ("stdlib landmark", "lib-dynload landmark", "stdlib zip")


def _walked_directory(probe: Any) -> str | None:
    """The directory a landmark check tests as a prefix candidate (``X`` in ``X/lib/...``)."""
    if probe.purpose not in _WALKED:
        return None
    head, sep, _ = probe.path.rpartition("/lib/")
    return head if sep else None


def _cfg_home(detail: str | None) -> str | None:
    """The ``home`` key of pyvenv.cfg's lines (``None`` without one)."""
    for line in (detail or "").splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip().lower() == "home":
            return value.strip()
    return None


def _home(detail: str | None) -> str:
    home = _cfg_home(detail)
    return "?" if home is None else home


def _hop(trace: Any, probe: Any) -> str:
    """The label of the step after pyvenv.cfg was read: the search continues from its home,
    unless PyConfig.home is set (PYTHONHOME, or the embedding program), which getpath keeps."""
    home = _home(probe.detail)
    if (trace.getpath or {}).get("home"):
        return f"pyvenv.cfg home = {home} ignored: PyConfig.home = {trace.getpath['home']}"
    return f"pyvenv.cfg hop: home = {home}"


def _startup_dot(graph: Any, trace: Any, purposes: Any) -> None:
    """The checks in order; landmark checks grouped by the directory walked (upward)."""
    import graphviz

    start = f"start\n{' '.join(trace.command)}\n(cwd {trace.cwd})"
    graph.node("start", graphviz.nohtml(_label(start)), shape="oval", fillcolor="#ddf4ff")
    graph.attr("edge", fontname="Helvetica", fontsize="9")
    previous = "start"
    hop = None
    cluster = None
    cluster_dir = None
    clusters = 0
    for index, probe in enumerate(trace.probes, 1):
        if purposes and probe.purpose not in purposes and not probe.decided:
            continue
        name = f"p{index}"
        mark = "found" if probe.result else "missing"
        label = f"{index}. {probe.check} ({probe.purpose})\n{_probe_path(probe)}\n{mark}"
        attrs = {"fillcolor": "#dafbe1" if probe.result else "#eeeeee"}
        if probe.decided:
            attrs.update(penwidth="3", color="#1a7f37")
            label += f"\n=> settles {probe.decided}"
        if trace.method == "model":
            attrs["style"] = "rounded,dashed"
        walked = _walked_directory(probe)
        if walked != cluster_dir:
            if cluster is not None:
                graph.subgraph(cluster)
            cluster, cluster_dir = None, walked
            if walked is not None:
                clusters += 1
                cluster = graphviz.Digraph(name=f"cluster_{clusters}")
                cluster.attr(
                    label=_label(f"walk step: {walked}"), style="dashed", fontname="Helvetica", fontsize="9"
                )
        (cluster or graph).node(name, graphviz.nohtml(_label(label)), **attrs)
        edge = {"style": "dashed", "label": _label(hop)} if hop else {}
        graph.edge(previous, name, **edge)
        hop = _hop(trace, probe) if probe.decided == "venv" else None
        previous = name
    if cluster is not None:
        graph.subgraph(cluster)
    base = "base_" if trace.prefix != trace.base_prefix else ""
    result = f"{base}prefix = {trace.base_prefix}\n{base}exec_prefix = {trace.base_exec_prefix}"
    venv = venv_prefix_sentence(trace, short=True)
    if venv:
        result += f"\n{venv}"
    if trace.verified:
        result += "\nverified against the interpreter"
    else:
        result += "\nNOT verified" if trace.comparisons else "\nnot verified (nothing to compare with)"
    graph.node("result", graphviz.nohtml(_label(result)), shape="note", fillcolor="#fff8c5")
    graph.edge(previous, "result")
