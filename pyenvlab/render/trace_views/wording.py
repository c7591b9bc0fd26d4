r"""The words of the import-trace views: outcome names, probe phrases, one-sentence stories, rows.

Everything here turns records into strings (no terminal, HTML or DOT markup yet): the text,
HTML and DOT views share these words, so a scan reads the same in a terminal, a notebook table
and a graph. Escaping happens where the strings meet a format (the table helpers, the label
helpers).

Example:
    >>> from pyenvlab.model import Probe
    >>> probe_groups([Probe("/lib/json/__init__.abi3.so", "isfile", False, "/lib"),
    ...               Probe("/lib/json/__init__.so", "isfile", False, "/lib")], "/lib")
    ['isfile\xa0json/__init__.{abi3.so,so}\xa0✗']
    >>> seconds_text(0.0042), ordinal(22), plural(1, "entry", "entries")
    ('4.20\xa0ms', '22nd', '1 entry')
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from pyenvlab.model import Candidate, ModuleRecord, Probe, Statement, Trace
from pyenvlab.render._escape import term
from pyenvlab.render.trace_views.queries import (
    WEBASSEMBLY_PLATFORMS,
    depths,
    foreign_finders,
    lazy_imports,
    probes_at,
    total_seconds,
)

__all__ = [
    "KIND_WORDS",
    "LAZY_HEADERS",
    "LAZY_LEGEND",
    "LAZY_LOAD_LEGEND",
    "LAZY_TITLE",
    "MODULE_HEADERS",
    "OP_WORDS",
    "OUTCOME_STYLE",
    "OUTCOME_WORDS",
    "PROBE_LEGEND",
    "SCAN_HEADERS",
    "EntryIndex",
    "candidate_rows",
    "candidates_story",
    "code_line",
    "code_lines",
    "entry_text",
    "fill",
    "importers_text",
    "interpreter_facts",
    "lazy_rows",
    "lazy_statement_text",
    "lazy_summary",
    "module_rows",
    "ordinal",
    "plural",
    "probe_groups",
    "probe_words",
    "probes_words",
    "relative",
    "scan_rows",
    "scan_story",
    "seconds_text",
    "summary",
    "where_found",
]

OUTCOME_WORDS = {
    "hit": "found here",
    "miss": "not here",
    "namespace": "namespace portion",
    "no-finder": "absent",  # no path-entry finder: nothing there to import from (a missing zip)
    "error": "finder raised an error",
}
OUTCOME_STYLE = {
    "hit": ("green", "bold"),
    "miss": ("dim",),
    "namespace": ("blue",),
    "error": ("red",),
    "no-finder": ("dim",),
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


class EntryIndex:
    """``sys.path`` entries by text, to find the longest one a path lies under without trying
    every entry for every module (a trace may have thousands of each)."""

    def __init__(self, sys_path: Sequence[str]) -> None:
        self.position: dict[str, int] = {}
        for index, entry in enumerate(sys_path, 1):
            if entry:
                self.position.setdefault(entry, index)
        self.lengths = {len(entry) for entry in self.position}

    def longest(self, path: str) -> tuple[int, str] | None:
        """``(n, entry)``: the longest entry that ``path`` is, or lies under (``n`` counts from
        1), as :func:`relative` sees it; ``None`` when there is none."""
        found = None
        if len(path) in self.lengths and path in self.position and path != ".":
            found = path
        if found is None:
            for cut in range(len(path) - 1, 0, -1):
                if path[cut] not in "/\\":
                    continue
                for size in (cut + 1, cut):  # the entry with its trailing separator, or without
                    if size in self.lengths:
                        entry = path[:size]
                        if entry in self.position:
                            found = entry
                            break
                if found is not None:
                    break
        return None if found is None else (self.position[found], found)


def where_found(
    record: ModuleRecord, sys_path: Sequence[str] = (), *, index: EntryIndex | None = None
) -> str:
    """Where a module came from, in a few words: ``[4] json/decoder.py`` (the file relative to
    the 4th ``sys.path`` entry) when its origin lies under a ``sys_path`` entry.

    ``index`` is an :class:`EntryIndex` of ``sys_path``, made once for the many modules of a
    trace (made here when not given)."""
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
        best = (index or EntryIndex(sys_path)).longest(origin)
        if best is not None:
            return f"[{best[0]}] {relative(origin, best[1])}"
    hit = record.hit
    if origin:
        return origin
    return hit.entry if hit is not None else "?"


def summary(trace: Trace) -> str:
    """One line: modules loaded, entries visited (by all the searches: a scan table shows one
    search), probes, cache hits, errors, total time."""
    loaded = len(trace.modules)
    failed = sum(1 for m in trace.modules if m.error is not None)
    visits = sum(len(m.searched) for m in trace.modules)
    probes = sum(len(m.probes) for m in trace.modules)
    hits = sum(st.count for st in trace.statements if st.cached)
    parts = [plural(loaded - failed, "module") + " loaded"]
    if failed:
        parts.append(f"{failed} failed")
    searches = sum(1 for m in trace.modules if m.searched)
    parts += [
        plural(visits, "search-path entry", "search-path entries")
        + " visited by "
        + plural(searches, "search", "searches"),
        plural(probes, "probe"),
        plural(hits, "cache hit"),
    ]
    lazy = lazy_summary(trace)
    if lazy:
        parts.append(lazy)
    seconds = total_seconds(trace)
    if seconds:
        parts.append(seconds_text(seconds) + " in total")
    return ", ".join(parts)


def entry_text(entry: str) -> str:
    """A search-path entry for display: the empty entry is the working directory."""
    return entry if entry else "'' (working directory)"


def scan_story(record: ModuleRecord, sys_path: Sequence[str] = ()) -> str:
    """What happened when ``record`` was searched, in one plain sentence (and, for the load of a
    PEP 810 lazy import, when it happened)."""
    story = _scan_story(record, sys_path)
    if record.lazy:
        where = f" ({record.first_use})" if record.first_use else ""
        story = story.rstrip(".") + f"; loaded at the first use of a lazy import{where}"
    return story


def _scan_story(record: ModuleRecord, sys_path: Sequence[str]) -> str:
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
        whole = "." not in name and len(sys_path) >= len(visits)
        searched = (
            f"{len(visits)} of {len(sys_path)} entries" if whole else plural(len(visits), "entry", "entries")
        )
        kind = KIND_WORDS.get(record.kind, record.kind)
        return f"{name} ({kind}): searched {searched} of {where}; found in the {ordinal(index)}: {hit.entry}"
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


class _Wrapper(textwrap.TextWrapper):
    """``textwrap`` in linear time: a word longer than a line is cut into lines at once.

    ``TextWrapper`` cuts one line off a long word per line it fills, copying the rest each time:
    quadratic in the word's length (a 1 MB path took a second, 4 MB eleven). Here the first
    cut is textwrap's own (it fills the current line); the rest is split into whole lines in
    one go, which is what textwrap would go on to do line by line, with one difference: a line
    cut from a long word that holds only no-break spaces is kept, where textwrap drops it as
    trailing whitespace (losing those characters).
    """

    def _handle_long_word(
        self, reversed_chunks: list[str], cur_line: list[str], cur_len: int, width: int
    ) -> None:
        super()._handle_long_word(reversed_chunks, cur_line, cur_len, width)
        size = self.width - len(self.subsequent_indent)  # every later line's width
        if not (self.break_long_words and reversed_chunks) or size < 1:
            return
        rest = reversed_chunks[-1]
        if len(rest) <= size or not rest.strip():  # (a line drops leading whitespace whole)
            return
        reversed_chunks.pop()
        reversed_chunks.extend(rest[i : i + size] for i in reversed(range(0, len(rest), size)))


def fill(line: str, width: int) -> str:
    """One line of prose escaped for the terminal and wrapped to ``width`` (continuations indented)."""
    wrapper = _Wrapper(
        width=width,
        subsequent_indent="  ",
        break_on_hyphens=False,
        replace_whitespace=False,
        drop_whitespace=True,
    )
    return wrapper.fill(term(line)) or term(line)


def code_lines(code: str) -> list[str]:
    """The traced code's lines as a title shows them: blank lines and trailing spaces dropped,
    the indentation of the whole kept relative (a cell's source ends with a newline; that
    newline is no part of the code)."""
    # only "\n" ends a line (str.splitlines also splits at \x1c-\x1e, \x85, \u2028: user text
    # that must stay visible in its line), and only spaces and tabs are stripped
    lines = [line.rstrip(" \t\r") for line in code.split("\n")]
    lines = [line for line in lines if line]
    indent = min((len(line) - len(line.lstrip(" \t")) for line in lines), default=0)
    return [line[indent:] for line in lines]  # (textwrap.dedent's regex costs 6x on a 4x line)


def code_line(code: str, size: int = 60) -> str:
    """The traced code on one line: its lines joined with ``"; "`` (each stripped; a space
    after a line ending with ``:``), cut at ``size`` characters.

    >>> code_line("import mymod\\nimport os\\n")
    'import mymod; import os'
    >>> code_line("try:\\n    import a\\nexcept ImportError:\\n    pass")
    'try: import a; except ImportError: pass'
    """
    text = ""
    for line in code_lines(code):
        text += ("" if not text else " " if text.endswith(":") else "; ") + line.strip(" \t")
    return text if len(text) <= size else text[: size - 1] + "\u2026"


def module_rows(trace: Trace) -> list[tuple[list[str], str]]:
    """Rows ``([#, module, kind, finder, loaded from, time], class)`` of the modules table, each
    module indented under its importer; the class is ``error`` or the module's kind, followed
    by `` lazy`` for a load that reified a PEP 810 lazy import (whose name is marked ``(lazy)``)."""
    levels = depths(trace.modules)
    entries = EntryIndex(trace.sys_path)
    rows = []
    for index, record in enumerate(trace.modules, 1):
        indent = "  " * min(levels.get(record.name, 0), MAX_INDENT)
        name = record.name + (" (reload)" if record.reloaded else "") + (" (lazy)" if record.lazy else "")
        rows.append(
            (
                [
                    str(index),
                    indent + name,
                    KIND_WORDS.get(record.kind, record.kind),
                    record.finder or "-",
                    where_found(record, trace.sys_path, index=entries),
                    seconds_text(record.seconds),
                ],
                ("error" if record.error else record.kind) + (" lazy" if record.lazy else ""),
            )
        )
    return rows


def importers_text(importers: Sequence[tuple[str | None, int]], limit: int = 3) -> str:
    """Who imported a module again: ``json.scanner \u00d72, json.decoder, +3 more``."""
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
        searched = tuple(getattr(candidates, "searched", ()))
        where = "along the path"
        if searched:
            shown = ", ".join(entry_text(e) for e in searched[:3]) + (", ..." if len(searched) > 3 else "")
            entries = plural(len(searched), "search-path entry", "search-path entries")
            where = f"in the {entries} looked at ({shown})"
        return f"{name}: no provider found {where}: `import {name}` would raise ModuleNotFoundError"
    name = candidates[0].name
    winners = [c for c in candidates if c.wins]
    if len(candidates) == 1:
        return f"{name}: 1 provider along the path"
    if winners and all(c.kind == "namespace" for c in winners) and len(winners) > 1:
        return f"{name}: a namespace package made of {len(winners)} portions"
    shadowed = len(candidates) - len(winners)
    first = winners[0].entry if winners else "?"
    return f"{name}: {len(candidates)} providers; the import uses {first}, {shadowed} shadowed"


# -- PEP 810 lazy imports and the interpreter ----------------------------------------------------

LAZY_TITLE = "Lazy imports (PEP 810): the statement binds the name; the module loads at its first use"
LAZY_HEADERS = ["lazy import", "in", "what happened"]
LAZY_LEGEND = (
    "lazy import: nothing is searched or run when the statement runs; loaded on first use = "
    "searched and run at that line; pending = never used by the end of the trace, so never "
    "searched, never run"
)
LAZY_LOAD_LEGEND = (
    "(lazy): loaded at the first use of a lazy import, not where its statement ran "
    "(where: the lazy imports below)"
)


def lazy_statement_text(statement: Statement) -> str:
    """A lazy import as the program wrote it: ``lazy import a.b``, ``lazy from a import b, c``."""
    if statement.fromlist:
        return f"lazy from {statement.name} import {', '.join(statement.fromlist)}"
    return f"lazy import {statement.name}"


def _lazy_outcome(status: str, load: ModuleRecord | None) -> str:
    where = f" at {load.first_use}" if load is not None and load.first_use else ""
    if status == "reified":
        return f"loaded on first use{where}"
    if status == "failed" and load is not None:
        return f"first use{where} failed: {load.error}"
    if status == "pending":
        return "pending: never used, so never searched, never run"
    if status == "cached":
        return "already in sys.modules when bound: its first use loads nothing"
    if status == "loaded" and load is not None:
        by = load.imported_by or "<top level>"
        return f"loaded earlier by an ordinary import (imported by {by})"
    return "bound (no load of it was recorded)"


def lazy_rows(trace: Trace) -> list[tuple[list[str], str]]:
    """Rows ``([lazy import, in, what happened], status)`` of the lazy-imports table, one per
    lazy import in the order the statements ran (statuses: :func:`~.queries.lazy_imports`)."""
    return [
        ([lazy_statement_text(st), st.importer or "<top level>", _lazy_outcome(status, load)], status)
        for st, status, load in lazy_imports(trace)
    ]


def lazy_summary(trace: Trace) -> str:
    """``3 lazy imports (1 pending)`` for the summary line, or ``""`` when there were none."""
    found = lazy_imports(trace)
    if not found:
        return ""
    pending = sum(1 for _, status, _ in found if status == "pending")
    return plural(len(found), "lazy import") + (f" ({pending} pending)" if pending else "")


def interpreter_facts(trace: Trace) -> str | None:
    """What is unusual about the traced interpreter, from the trace's own facts, in one line:
    CPython compiled to WebAssembly (``sys.platform`` ``emscripten`` in Pyodide) and the
    meta-path finders there that CPython does not install itself; ``None`` for a native one."""
    if trace.platform not in WEBASSEMBLY_PLATFORMS:
        return None
    line = f"CPython compiled to WebAssembly (sys.platform {trace.platform!r})"
    foreign = foreign_finders(trace)
    if foreign:
        verb = "are" if len(foreign) > 1 else "is"
        line += f"; sys.meta_path: {', '.join(trace.meta_path)} ({', '.join(foreign)} {verb} not CPython's)"
    elif trace.meta_path:
        line += f"; sys.meta_path: {', '.join(trace.meta_path)}"
    return line
