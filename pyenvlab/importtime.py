"""``python -X importtime`` logs, read into a :class:`~pyenvlab.model.Trace` and written back.

CPython (3.7+) prints one line on stderr for each module it finished loading, children before
their parent, nested by two spaces of indentation per level, after one header line::

    import time: self [us] | cumulative | imported package
    import time:        52 |         52 |     _codecs
    import time:       364 |        416 |   codecs
    import time:      8042 |       8892 | encodings

``self`` is the load's time minus the loads nested in it, ``cumulative`` includes them, both in
microseconds (each rounded up from nanoseconds on its own, so a parent's ``self`` may differ by a
microsecond or two from ``cumulative`` minus its children's). With ``-X importtime=2`` (3.14+)
an import of a module already in ``sys.modules`` prints a line too, at the level of the loads
the importer would have started::

    import time: cached    | cached     |   _io

:func:`parse` reads such a log into a trace whose modules carry those numbers exactly
(``self_seconds``, ``seconds``), ``imported_by`` from the nesting, and, for the cached lines,
cache-hit :class:`~pyenvlab.model.Statement` records of the enclosing load (``None`` at top
level). The log does not say where a module came from, so ``origin`` and ``finder`` are
``None`` and nothing was searched; the log has no start times either, so ``start`` is laid out
from the nesting (each load begins where its previous sibling ended, its first child where it
began): the views draw the tree correctly, and ``derive_self_seconds`` agrees with the log.
:func:`write` prints a trace in the same format (``-X importtime``, or ``=2`` with
``cached=True``), so pyenvlab traces open in tools made for those logs (tuna,
importtime-waterfall) and production logs open in pyenvlab.

We parse it ourselves: the format is one fixed line shape, and the tools that read it (tuna,
importtime-waterfall) are applications, not libraries with a parser to call.

Example:
    >>> log = '''import time: self [us] | cumulative | imported package
    ... import time: cached    | cached     |     _io
    ... import time:        52 |         52 |     _codecs
    ... import time:       364 |        416 |   codecs
    ... import time:      8042 |       8892 | encodings'''
    >>> t = parse(log)
    >>> [(m.name, m.imported_by, m.self_seconds, m.seconds) for m in t.modules]
    ... # doctest: +NORMALIZE_WHITESPACE
    [('encodings', None, 0.008042, 0.008892), ('codecs', 'encodings', 0.000364, 0.000416),
     ('_codecs', 'codecs', 5.2e-05, 5.2e-05)]
    >>> [(s.name, s.importer, s.cached) for s in t.statements]
    [('_io', 'codecs', True)]
    >>> print(write(t, cached=True))
    import time: self [us] | cumulative | imported package
    import time: cached    | cached     |     _io
    import time:        52 |         52 |     _codecs
    import time:       364 |        416 |   codecs
    import time:      8042 |       8892 | encodings
    <BLANKLINE>
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from pyenvlab.errors import TraceFormatError

if TYPE_CHECKING:
    from pyenvlab.model import ModuleRecord, Statement, Trace

__all__ = ["HEADER", "PREFIX", "looks_like_importtime", "parse", "write"]

PREFIX = "import time:"
HEADER = "import time: self [us] | cumulative | imported package"

_LINE = re.compile(
    r"import time:\s*(?:(?P<self>\d+)|(?P<cached>cached))\s*\|"
    r"\s*(?:(?P<cum>\d+)|(?P<cached2>cached))\s*\| (?P<indent> *)(?P<name>\S.*)"
)
_HEADER = re.compile(r"import time:\s*self \[us\]\s*\|\s*cumulative\s*\|\s*imported package\s*")


def looks_like_importtime(text: str) -> bool:
    """Whether ``text`` looks like a ``-X importtime`` log rather than a JSON trace: its first
    non-blank line starts with ``import time:``."""
    for line in text.splitlines():
        if line.strip():
            return line.lstrip().startswith(PREFIX)
    return False


class _Load:
    """A load being assembled: its numbers and its children, in the order they finished."""

    __slots__ = ("children", "cum_us", "hits", "name", "self_us")

    def __init__(self, name: str, self_us: int, cum_us: int) -> None:
        self.name = name
        self.self_us = self_us
        self.cum_us = cum_us
        self.children: list[_Load] = []
        self.hits: list[str] = []


#: what a trace read from a log says about its interpreter (the log does not name it)
UNKNOWN_PYTHON = "unknown"
UNKNOWN_EXECUTABLE = "a python -X importtime log"


def parse(text: str, *, python: str = UNKNOWN_PYTHON, executable: str = UNKNOWN_EXECUTABLE) -> Trace:
    """Read the stderr of ``python -X importtime`` (or ``-X importtime=2``) into a trace.

    ``python`` and ``executable`` say which interpreter wrote the log (the log itself does not).
    Blank lines are allowed; anything else that is not a header or an import-time line raises.

    Raises:
        TraceFormatError: naming the first line that is not of the format, or if there is no
            import-time line at all.
    """
    from pyenvlab.model import Trace

    # pending[level]: loads (and cached names) finished at that level, waiting for their parent
    pending: list[list[_Load | str]] = [[]]
    seen = False
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip("\r\n")
        if not line.strip():
            continue
        if _HEADER.fullmatch(line.strip()):
            seen = True
            continue
        match = _LINE.fullmatch(line.rstrip())
        if match is None or (match["cached"] is None) != (match["cached2"] is None):
            raise TraceFormatError(_bad(line), f"line {number}")
        seen = True
        indent = len(match["indent"])
        if indent % 2:
            raise TraceFormatError(f"odd indentation ({indent} spaces): {_cut(line)}", f"line {number}")
        level = indent // 2
        while len(pending) <= level + 1:
            pending.append([])
        name = match["name"].rstrip()
        if match["cached"] is not None:
            pending[level].append(name)
            continue
        load = _Load(name, int(match["self"]), int(match["cum"]))
        if load.self_us > load.cum_us:
            msg = f"self time {load.self_us} us exceeds cumulative {load.cum_us} us: {_cut(line)}"
            raise TraceFormatError(msg, f"line {number}")
        if any(pending[deeper] for deeper in range(level + 2, len(pending))):
            msg = f"a load two or more levels deeper is still open above: {_cut(line)}"
            raise TraceFormatError(msg, f"line {number}")
        for item in pending[level + 1]:
            if isinstance(item, str):
                load.hits.append(item)
            else:
                load.children.append(item)
        pending[level + 1] = []
        pending[level].append(load)
    if not seen:
        raise TraceFormatError("no `import time:` lines: not a `python -X importtime` log", "line 1")
    if any(pending[level] for level in range(1, len(pending))):
        raise TraceFormatError("the log ends inside a load (its own line is missing)", "end")
    modules: list[ModuleRecord] = []
    statements: list[Statement] = []
    _flatten(pending[0], None, 0.0, modules, statements)
    total = sum(item.cum_us for item in pending[0] if isinstance(item, _Load)) / 1e6
    return Trace(
        python=python,
        executable=executable,
        sys_path=(),
        modules=tuple(modules),
        statements=tuple(statements),
        seconds=total,
    )


def _flatten(
    items: list[_Load | str],
    parent: str | None,
    start: float,
    modules: list[ModuleRecord],
    statements: list[Statement],
) -> None:
    """Append the loads of ``items`` in the order they began (a parent before its children)."""
    from pyenvlab.model import ModuleRecord, Statement

    at = start
    for item in items:
        if isinstance(item, str):
            statements.append(Statement(item, parent, cached=True))
            continue
        modules.append(
            ModuleRecord(
                item.name,
                None,
                None,
                imported_by=parent,
                seconds=item.cum_us / 1e6,
                self_seconds=item.self_us / 1e6,
                start=at,
            )
        )
        _flatten([*item.hits, *item.children], item.name, at, modules, statements)
        at += item.cum_us / 1e6


def _bad(line: str) -> str:
    if not line.lstrip().startswith(PREFIX):
        return f"not an `import time:` line: {_cut(line)}"
    return f"not of the form `import time: SELF | CUMULATIVE | NAME`: {_cut(line)}"


def _cut(line: str, size: int = 80) -> str:
    from pyenvlab.render._escape import term

    shown = term(line)
    return repr(shown if len(shown) <= size else shown[: size - 1] + "\u2026")


def write(trace: Trace, *, cached: bool = False) -> str:
    """``trace`` in the format of ``python -X importtime``: the header, then each load after the
    loads nested in it, indented two spaces per level, times in microseconds.

    Loads nest as they ran, inside one another (the load tree of
    :mod:`pyenvlab.render.trace_views.load_tree`: a parent package loads inside the load of
    its submodule, as CPython prints it). With ``cached=True`` the cache hits (statements that
    found the module in ``sys.modules``) are written as ``-X importtime=2`` does, as ``cached``
    lines at the level of the importer's nested loads, before them (a trace records how often,
    not when: each hit is written as many times as it counted); hits from code the trace did
    not load (``__main__``) are at top level. Reloads are left out (``-X importtime`` does not
    time them), the loads inside them kept. Names are written as recorded, with control
    characters made visible, so every line stays one line.
    """
    from pyenvlab.render._escape import term
    from pyenvlab.render.trace_views.load_tree import LoadNode, load_tree

    names = {m.name for m in trace.modules}
    hits: dict[str | None, list[str]] = {}
    if cached:
        for st in trace.statements:
            if st.cached:
                importer = st.importer if st.importer in names else None
                hits.setdefault(importer, []).extend([st.name] * st.count)
    lines = [HEADER]

    def cache_lines(importer: str | None, level: int) -> None:
        pad = "  " * level
        for name in hits.pop(importer, ()):
            lines.append(f"{PREFIX} {'cached':<9} | {'cached':<10} | {pad}{term(name)}")

    def emit(nodes: list[LoadNode], level: int) -> None:
        for node in nodes:
            record = node.record
            if record.reloaded:
                emit(node.children, level)
                continue
            cache_lines(record.name, level + 1)
            emit(node.children, level + 1)
            cum = round(record.seconds * 1e6)
            own = min(round(record.self_seconds * 1e6), cum)
            lines.append(f"{PREFIX} {own:9d} | {cum:10d} | {'  ' * level}{term(record.name)}")

    cache_lines(None, 0)
    emit(load_tree(trace.modules), 0)
    return "\n".join(lines) + "\n"
