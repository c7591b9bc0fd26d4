"""Tables for terminals and HTML, shared by every views module.

Cells are plain user text; the helpers escape them. A cell that is already safe HTML is wrapped
in :class:`Markup` (for badges and links built by a renderer, never for user text).

Why this module and not rich (decided for issue 17, measured on this machine with rich 15.0):

- **Escaping.** A path or module name can hold ANSI escapes, bidi overrides, newlines. Rich
  writes them to the terminal as they are (a cell ``x\\x1b[31mred\\u202eevil`` recolours the
  terminal and reverses the text after it); every cell here goes through
  :func:`~pyenvlab.render._escape.term`, which makes them visible. With rich we would escape
  every cell ourselves anyway.
- **Cutting paths.** Rich shortens a cell at its end (``/usr/lib/python…``), which loses the
  part of a path that matters. Here columns are paths, prose or other (given, or recognised
  from the cells): when a table is too wide, prose folds at spaces first, then a path loses its
  start and keeps its file name and last directories (``/usr/…3.12/site-packages``), and only
  then are other columns cut in the middle; several columns share a cut in proportion to their
  widths (issue 14).
- **Weight.** ``import rich.console, rich.table`` took 94 ms and 82 modules here (rich brings
  markdown-it-py, mdurl and pygments); this module and what it needs take 22 ms and 19 modules,
  pyenvlab included. The tables are plain aligned text that copies cleanly into a terminal
  transcript, and the goldens pin them byte for byte.

So the layout stays ours (about 400 lines, tested in ``tests/test_render_helpers.py``,
``tests/test_render_fitting.py`` and by the goldens); rich stays a fine choice for a front end
that wants boxes and colours.

Example:
    >>> print(text_table(["entry", "outcome"], [["/usr/lib", "miss"], ["/opt/x", "hit"]], width=40))
    entry     outcome
    --------  -------
    /usr/lib  miss
    /opt/x    hit
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import unicodedata
from collections.abc import Sequence

from pyenvlab.render._escape import html_text, term

__all__ = [
    "CSS",
    "NUMBER_CLASS",
    "SCROLL_CLASS",
    "Markup",
    "Style",
    "display_width",
    "fit_lines",
    "html_table",
    "terminal_width",
    "text_table",
    "use_color",
]

_ASCII_RUNS = re.compile("[\x00-\x7f]+")
_WINDOWS_PATH = re.compile(r"(^|[\s\[(])([A-Za-z]:\\|\\\\[^\\])")

ANSI = {
    "bold": "1",
    "dim": "2",
    "red": "31",
    "green": "32",
    "yellow": "33",
    "blue": "34",
    "magenta": "35",
    "cyan": "36",
}


#: the class of the box around every table (and graph) of ours: it scrolls sideways when its
#: content is wider than the output, and it lifts our rules above a host's (see :data:`CSS`)
SCROLL_CLASS = "pyenvlab-scroll"
#: the class of the table cells that are right-aligned on purpose (numbers); every other cell
#: is left-aligned whatever the host's stylesheet
NUMBER_CLASS = "num"

#: CSS for the HTML fragments of every views module (inlined by reports and notebook displays).
#:
#: Host stylesheets win ties and more: JupyterLab 4 (``share/jupyter/lab/static``, the
#: rendermime CSS) right-aligns the cells of every rendered table with
#: ``:not(.jp-RenderedMarkdown).jp-RenderedHTMLCommon td`` (specificity 0,2,1), and sets
#: ``table-layout: fixed``, centring margins, padding and borders with ``.jp-RenderedHTMLCommon
#: table|td|th`` (0,1,1). So the table rules here are written as ``.pyenvlab-scroll
#: table.pyenvlab td`` (0,2,2) and ``.pyenvlab-scroll table.pyenvlab`` (0,2,1): more specific,
#: no ``!important``. Every table of ours sits in a ``div.pyenvlab-scroll`` that scrolls
#: sideways instead of being cut at the output's right edge (graphs in ``div.pyenvlab-graph``
#: do the same). Cells of class ``num`` are right-aligned (numbers), every other cell left.
#: Cells do not wrap (paths, names, "not here" stay on one line and the box scrolls), except
#: those of the last column, where the prose is (probes, what site did, errors).
#:
#: Row classes: hit (green), miss (grey), namespace (blue), error (red), no-finder / absent
#: (grey: an entry with nothing to import from, such as the missing ``python3X.zip``),
#: unreached (faint), frozen, builtin, lazy (purple, dotted edge: loaded at the first use of a
#: PEP 810 lazy import), lazy-pending (purple italics, dashed edge: never used), lazy-bound
#: (grey); ``pyenvlab-summary`` / ``pyenvlab-note`` paragraphs; ``pyenvlab-graph``.
CSS = """
div.pyenvlab{font:12px/1.35 system-ui,sans-serif}
.pyenvlab-scroll{overflow-x:auto;max-width:100%;margin:.4em 0 1em}
.pyenvlab-scroll table.pyenvlab{border-collapse:collapse;font:12px/1.35 system-ui,sans-serif;margin:0;
table-layout:auto;width:auto;border:none;color:inherit}
.pyenvlab-scroll table.pyenvlab caption{text-align:left;font-weight:600;padding:.2em 0}
.pyenvlab-scroll table.pyenvlab th,.pyenvlab-scroll table.pyenvlab td{border:none;
border-bottom:1px solid #ddd;padding:2px 8px;text-align:left;vertical-align:top;white-space:nowrap;
line-height:1.35}
.pyenvlab-scroll table.pyenvlab td:last-child{white-space:normal;min-width:16em}
.pyenvlab-scroll table.pyenvlab td{font-family:ui-monospace,Menlo,Consolas,monospace}
.pyenvlab-scroll table.pyenvlab th.num,.pyenvlab-scroll table.pyenvlab td.num{text-align:right}
.pyenvlab tr.hit td{background:#c8f0c8;font-weight:600}
.pyenvlab tr.miss td{color:#777}
.pyenvlab tr.namespace td{background:#cfe3ff}
.pyenvlab tr.error td{background:#ffd0d0}
.pyenvlab tr.no-finder td{color:#777;font-style:italic}
.pyenvlab tr.unreached td{color:#aaa;font-style:italic}
.pyenvlab tr.frozen td{background:#f4efff}
.pyenvlab tr.builtin td{background:#fffbe0}
.pyenvlab tr.lazy td{background:#f3f0ff;color:#3b2a8a}
.pyenvlab tr.lazy td:first-child{border-left:3px dotted #5f3dc4}
.pyenvlab tr.lazy.error td{background:#ffd0d0;color:inherit}
.pyenvlab tr.lazy-pending td{color:#5f3dc4;font-style:italic}
.pyenvlab tr.lazy-pending td:first-child{border-left:3px dashed #5f3dc4}
.pyenvlab tr.lazy-bound td{color:#555}
.pyenvlab-summary{font:13px/1.4 system-ui,sans-serif;margin:.3em 0}
.pyenvlab-note{font:12px/1.4 system-ui,sans-serif;color:#555}
.pyenvlab-note code.pyenvlab-code{white-space:pre-wrap}
.pyenvlab-graph{overflow-x:auto;max-width:100%}
.pyenvlab-graph img,.pyenvlab-graph svg{max-width:100%;height:auto}
.pyenvlab-dot{font:11px/1.3 ui-monospace,monospace;background:#f7f7f7;padding:.5em;overflow:auto;
max-height:30em}
"""


class Markup(str):
    """A string that is already safe HTML (built by pyenvlab, not taken from user input)."""

    __slots__ = ()


def terminal_width(width: int | None = None) -> int:
    """``width`` if given, else the terminal's width (80 when output is not a terminal)."""
    if width:
        return max(width, 20)
    return max(shutil.get_terminal_size((80, 24)).columns, 20)


def use_color(color: bool | None = None) -> bool:
    """Whether to colour terminal output: ``color`` if given, else only on a TTY without NO_COLOR."""
    if color is not None:
        return color
    try:
        tty = sys.stdout is not None and sys.stdout.isatty()
    except (AttributeError, OSError, ValueError):  # closed, detached, or no stream at all
        tty = False
    return tty and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


class Style:
    """Applies ANSI styles when colour is on, and nothing otherwise."""

    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, text: str, *styles: str) -> str:
        if not self.color or not styles:
            return text
        codes = ";".join(ANSI[s] for s in styles)
        return f"\x1b[{codes}m{text}\x1b[0m"


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: wide (CJK, emoji) characters count 2, combining 0."""
    if text.isascii():
        return len(text)
    others = _ASCII_RUNS.sub("", text)  # only the non-ASCII characters need a look-up
    return len(text) - len(others) + sum(_char_width(c) for c in others)


def _char_width(char: str) -> int:
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def _take(text: str, size: int, *, from_end: bool = False) -> str:
    """The longest head (or tail) of ``text`` at most ``size`` columns wide."""
    out, used = [], 0
    for char in reversed(text) if from_end else text:
        width = _char_width(char)
        if used + width > size:
            break
        out.append(char)
        used += width
    return "".join(reversed(out)) if from_end else "".join(out)


def _fitting(text: str, start: int, size: int) -> int:
    """How many characters of ``text`` from ``start`` fit in ``size`` columns."""
    head = text[start : start + size + 1]  # one more: a combining character there still fits
    if head.isascii():
        return min(len(head), size)
    used = 0
    for index in range(start, len(text)):
        used += _char_width(text[index])
        if used > size:
            return index - start
    return len(text) - start


def _pad(cell: str, size: int) -> str:
    return cell + " " * max(size - display_width(cell), 0)


def _fit(cell: str, size: int) -> str:
    if display_width(cell) <= size:
        return cell
    if size <= 1:
        return _take(cell, size)
    keep = size - 1
    head = keep // 3
    return _take(cell, head) + "\u2026" + _take(cell, keep - head, from_end=True)


def fit_lines(text: str, width: int) -> str:
    """``text`` with every line wider than ``width`` folded at spaces (continuations indented two
    more than the line), so prose between tables fits a terminal too. Tables made by
    :func:`text_table` already fit and are left alone; a styled (ANSI) line is kept as it is.

    >>> print(fit_lines("  prefix = /usr: the first landmark found was /usr/lib/os.py", 30))
      prefix = /usr: the first
        landmark found was
        /usr/lib/os.py
    """
    out = []
    for line in text.split("\n"):
        if display_width(line) <= width or "\x1b" in line:
            out.append(line)
            continue
        body = line.lstrip(" ")
        indent = " " * (len(line) - len(body))
        room = max(width - len(indent), 12)
        pieces = _wrap(body, room, commas=False, hyphens=False)
        out.append(indent + pieces[0])
        out += [f"{indent}  {piece}" for piece in _rewrap(pieces[1:], room - 2)]
    return "\n".join(out)


def _rewrap(pieces: Sequence[str], size: int) -> list[str]:
    """Continuation lines (two columns narrower than the first) folded again to ``size``."""
    rest = " ".join(pieces)
    return _wrap(rest, max(size, 10), commas=False, hyphens=False) if rest else []


def text_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    width: int | None = None,
    shrink: int | Sequence[int] | None = None,
    styles: Sequence[Sequence[str]] | None = None,
    color: bool = False,
    wrap: Sequence[int] = (),
    paths: Sequence[int] | None = None,
    prose: Sequence[int] | None = None,
) -> str:
    """Align ``rows`` under ``headers`` in at most ``width`` columns (display width).

    Cells are escaped for the terminal. When the table is too wide, columns give way in this
    order, each down to a floor: the ``wrap`` columns and the prose columns are folded onto
    continuation lines (at ``", "``, spaces, then after a ``/``; a word of prose is never cut),
    then the path columns are shortened from the start (``…/python3.11/os.py``: the file name
    and the last directories stay; a column narrower than a file name folds that path), then
    the columns ``shrink`` (default: the widest), then the other columns (cut in the middle).
    ``paths`` and ``prose`` name those columns; by default they are recognised from the cells
    (a path is one word with a ``/`` or ``\\``; prose is three words or more). ``styles`` gives
    ANSI style names per row.
    """
    width = terminal_width(width)
    cells = [[term(c) if c is not None else "" for c in row] for row in rows]
    heads = [term(h) for h in headers]
    sizes = [max([display_width(heads[i])] + [display_width(r[i]) for r in cells]) for i in range(len(heads))]
    kinds = _column_kinds(cells, len(heads), wrap, paths, prose)
    _fit_widths(sizes, heads, cells, kinds, width=width, shrink=shrink)
    style = Style(color)
    out = [style("  ".join(_pad(_fit(h, s), s) for h, s in zip(heads, sizes, strict=False)).rstrip(), "bold")]
    out.append("  ".join("-" * s for s in sizes))
    for index, row in enumerate(cells):
        row_styles = styles[index] if styles and index < len(styles) else ()
        out += [style(line, *row_styles) for line in _row_lines(row, sizes, kinds)]
    return "\n".join(out)


#: column kinds of :func:`text_table`: folded (explicit ``wrap``), prose, path, other
WRAP, PROSE, PATH, OTHER = "wrap", "prose", "path", "other"


def _column_kinds(
    cells: Sequence[Sequence[str]],
    count: int,
    wrap: Sequence[int],
    paths: Sequence[int] | None,
    prose: Sequence[int] | None,
) -> list[str]:
    """The kind of each column: given, or recognised from its cells (one pass over them)."""
    kinds = [OTHER] * count
    if paths is None or prose is None:
        votes = [[0, 0] for _ in range(count)]  # [path-like cells, prose-like cells]
        for row in cells:
            for index, cell in enumerate(row[:count]):
                if " " not in cell.strip():
                    if _has_separator(cell):
                        votes[index][0] += 1
                elif _is_prose(cell):
                    votes[index][1] += 1
                elif _has_separator(cell):
                    votes[index][0] += 1  # "[3] json/decoder.py", "'' (working directory)"
        if paths is None:
            paths = [i for i, (p, w) in enumerate(votes) if p and p >= w]
        if prose is None:
            prose = [i for i, (p, w) in enumerate(votes) if w and w > p]
    for index in paths:
        if index < count:
            kinds[index] = PATH
    for index in prose:
        if index < count:
            kinds[index] = PROSE
    for index in wrap:
        if index < count:
            kinds[index] = WRAP
    return kinds


def _is_prose(cell: str) -> bool:
    """Three words or more, most of the cell not one path (``/usr/lib (made by venv)`` is a path)."""
    words = cell.split()
    if len(words) < 3:
        return False
    longest = max(words, key=len)
    return not (_has_separator(longest) and 2 * len(longest) >= len(cell))


def _has_separator(cell: str) -> bool:
    """A ``/``, or a Windows path (``C:\\...``, ``\\\\server``): a lone backslash is more often an
    escape made visible (``\\x1b``) than a separator."""
    return "/" in cell or _WINDOWS_PATH.search(cell) is not None


def _fit_widths(
    sizes: list[int],
    heads: Sequence[str],
    cells: Sequence[Sequence[str]],
    kinds: Sequence[str],
    *,
    width: int,
    shrink: int | Sequence[int] | None,
) -> None:
    """Narrow the columns until the table fits ``width``, losing as little as possible: folded
    and prose columns first (folding loses nothing), then paths down to their file names, then
    the other columns, then everything."""
    excess = sum(sizes) + 2 * (len(sizes) - 1) - width
    if excess <= 0 or not sizes:
        return
    folding = [c for c, k in enumerate(kinds) if k in (WRAP, PROSE)]
    path_cols = [c for c, k in enumerate(kinds) if k == PATH]
    if shrink is None:
        chosen = [sizes.index(max(sizes))]
    else:
        chosen = [shrink] if isinstance(shrink, int) else list(shrink)
    others = [c for c, k in enumerate(kinds) if k == OTHER]
    names = _name_widths(cells, path_cols)
    steps: list[tuple[list[int], dict[int, int]]] = [
        ([c for c in folding if kinds[c] == WRAP], dict.fromkeys(folding, max(24, width // 3))),
        ([c for c in folding if kinds[c] == PROSE], dict.fromkeys(folding, max(16, width // 4))),
        (path_cols, {c: max(12, min(sizes[c], width // 4), names[c] + 1) for c in path_cols}),
        (folding, dict.fromkeys(folding, 12)),
        (path_cols, dict.fromkeys(path_cols, 12)),  # a path narrower than its file name wraps
        (chosen, dict.fromkeys(chosen, 8)),
        (others, dict.fromkeys(others, 8)),
        (list(range(len(sizes))), dict.fromkeys(range(len(sizes)), 1)),
    ]
    for group, floors in steps:
        if group and excess > 0:
            before = sum(sizes)
            _shrink(sizes, heads, group, excess, floors)
            excess -= before - sum(sizes)


def _name_widths(cells: Sequence[Sequence[str]], cols: Sequence[int]) -> dict[int, int]:
    """The widest file name (last path component) in each of ``cols``."""
    widest = dict.fromkeys(cols, 0)
    for row in cells:
        for c in cols:
            if c < len(row):
                cut = _name_start(row[c])
                if cut:
                    widest[c] = max(widest[c], display_width(row[c][cut:]))
    return widest


def _row_lines(row: Sequence[str], sizes: Sequence[int], kinds: Sequence[str]) -> list[str]:
    """The terminal lines of one row: each cell cut to its column, or folded when it wraps."""
    parts = [_cell_lines(c, s, kinds[i]) for i, (c, s) in enumerate(zip(row, sizes, strict=False))]
    lines = []
    for n in range(max(len(p) for p in parts) if parts else 1):
        pieces = (_pad(p[n] if n < len(p) else "", s) for p, s in zip(parts, sizes, strict=False))
        lines.append("  ".join(pieces).rstrip())
    return lines


def _cell_lines(cell: str, size: int, kind: str) -> list[str]:
    if kind == WRAP:
        return _wrap(cell, size)
    if kind == PROSE:
        return _wrap(cell, size, commas=False, hyphens=False)
    if kind == PATH:
        if display_width(cell) <= size:
            return [cell]
        if display_width(cell[_name_start(cell) :]) < size:
            return [_fit_path(cell, size)]
        return _wrap(cell, size, path=True)  # the file name alone is too wide: fold it
    return [_fit(cell, size)]


def _name_start(cell: str) -> int:
    """Where the file name (the last component) of a path starts: 0 when there is no separator."""
    return max(cell.rfind("/"), cell.rfind("\\")) + 1


def _fit_path(cell: str, size: int) -> str:
    """A path in ``size`` columns: its end kept (file name and last directories), the start
    replaced by an ellipsis; the first directory is kept too when there is room for it."""
    if display_width(cell) <= size:
        return cell
    if size <= 1:
        return _take(cell, size, from_end=True)
    keep = size - 1
    name = display_width(cell[_name_start(cell) :])
    head = ""
    first = min((i for i in (cell.find("/", 1), cell.find("\\", 1)) if i > 0), default=-1)
    if 0 < first + 1 <= keep // 4 and keep - (first + 1) >= name + 1:
        head = _take(cell, first + 1)
    return head + "\u2026" + _take(cell, keep - display_width(head), from_end=True)


def _shrink(
    sizes: list[int], heads: Sequence[str], cols: Sequence[int], excess: int, floors: dict[int, int]
) -> None:
    """Take ``excess`` columns away from ``cols``, in proportion to their widths, none below
    its floor (nor below its header, unless the floor is 1: the last resort)."""
    lowest = {}
    for c in cols:
        floor = floors.get(c, 8)
        lowest[c] = min(sizes[c], floor if floor <= 1 else max(display_width(heads[c]), floor))
    while excess > 0:
        spare = {c: sizes[c] - lowest[c] for c in cols if sizes[c] > lowest[c]}
        if not spare:
            return
        room = sum(spare.values())
        cut_total = min(excess, room)
        for c, extra in spare.items():
            cut = min(extra, max(1, cut_total * extra // room))
            sizes[c] -= cut
            excess -= cut
            if excess <= 0:
                return


def _wrap(
    cell: str, size: int, *, commas: bool = True, path: bool = False, hyphens: bool = True
) -> list[str]:
    """``cell`` folded to lines of at most ``size`` columns, breaking after ``", "`` (unless not
    ``commas``) or a space; a word longer than a line breaks after a ``/``, ``,`` or ``-`` (not
    at a hyphen with ``hyphens=False``), else after a ``.``, ``_`` or ``-``, and only a word
    without any of them is cut. A ``path`` breaks after its last space, separator or hyphen.

    One pass over the cell (a position moves along it, the width still to place is kept up to
    date), so a cell of a million characters costs what it takes to read it.
    """
    lines: list[str] = []
    start, end = 0, len(cell)
    left = display_width(cell)  # columns from `start` to the end
    while left > size:
        room = _fitting(cell, start, size)
        if path:  # the last space, separator or hyphen: "[6] _json.cpython-312-" "x86_64-linux-gnu.so"
            cut = max(cell.rfind(mark, start, start + room) for mark in " /\\-") - start + 1
        else:
            cut = cell.rfind(", ", start, start + room) - start if commas else -1
            cut = cut + 2 if cut > 0 else cell.rfind(" ", start, start + room + 1) - start + 1
        for marks in ("/,-" if hyphens else "/,", "._-"):  # a word too long for a line
            if cut <= 0:
                cut = max(cell.rfind(mark, start, start + room) for mark in marks) - start + 1
        if cut <= 0:
            cut = max(room, 1)
        lines.append(cell[start : start + cut].rstrip())
        taken = start + cut
        while taken < end and cell[taken] == " ":
            taken += 1
        left -= display_width(cell[start:taken])
        start = taken
    lines.append(cell[start:])
    return lines


def html_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    caption: str | None = None,
    row_classes: Sequence[str] | None = None,
    table_class: str = "pyenvlab",
    numbers: Sequence[int] = (),
) -> str:
    """An HTML ``<table>`` in a ``div.pyenvlab-scroll`` (it scrolls sideways when wider than
    the page or output); every cell is escaped unless it is :class:`Markup`. Cells are
    left-aligned, those of the columns ``numbers`` right-aligned (class ``num``).

    >>> html_table(["n", "path"], [[3, "/usr/<lib>"]], numbers=(0,))  # doctest: +NORMALIZE_WHITESPACE
    '<div class="pyenvlab-scroll"><table class="pyenvlab"><thead><tr><th class="num">n</th><th>path</th>\
</tr></thead><tbody><tr><td class="num">3</td><td>/usr/&lt;lib&gt;</td></tr></tbody></table></div>'
    """

    def cell(value: object) -> str:
        if value is None:
            return ""
        return value if isinstance(value, Markup) else html_text(value)

    opening = [f'<td class="{NUMBER_CLASS}">' if i in numbers else "<td>" for i in range(len(headers))]
    parts = [f'<div class="{SCROLL_CLASS}"><table class="{html_text(table_class)}">']
    if caption:
        parts.append(f"<caption>{cell(caption)}</caption>")
    heads = "".join(
        (f'<th class="{NUMBER_CLASS}">' if i in numbers else "<th>") + f"{cell(h)}</th>"
        for i, h in enumerate(headers)
    )
    parts.append(f"<thead><tr>{heads}</tr></thead><tbody>")
    for index, row in enumerate(rows):
        klass = row_classes[index] if row_classes and index < len(row_classes) else ""
        attr = f' class="{html_text(klass)}"' if klass else ""
        tds = "".join(
            (opening[i] if i < len(opening) else "<td>") + f"{cell(c)}</td>" for i, c in enumerate(row)
        )
        parts.append(f"<tr{attr}>{tds}</tr>")
    parts.append("</tbody></table></div>")
    return "".join(parts)
