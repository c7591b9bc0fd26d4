"""Tables for terminals and HTML, shared by every views module.

Cells are plain user text; the helpers escape them. A cell that is already safe HTML is wrapped
in :class:`Markup` (for badges and links built by a renderer, never for user text).

Why this module and not rich (decided for issue 17, measured on this machine with rich 15.0):

- **Escaping.** A path or module name can hold ANSI escapes, bidi overrides, newlines. Rich
  writes them to the terminal as they are (a cell ``x\\x1b[31mred\\u202eevil`` recolours the
  terminal and reverses the text after it); every cell here goes through
  :func:`~pyenvlab.render._escape.term`, which makes them visible. With rich we would escape
  every cell ourselves anyway.
- **Cutting paths.** Rich shortens a cell at its end (``/usr/lib/python…``); the scan table needs
  the start *and* the file name of a long path, so cells are cut in the middle, and several
  columns share the cut in proportion to their widths, or wrap at ``", "`` (the probes).
- **Weight.** ``import rich.console, rich.table`` took 94 ms and 82 modules here (rich brings
  markdown-it-py, mdurl and pygments); this module and what it needs take 22 ms and 19 modules,
  pyenvlab included. The tables are plain aligned text that copies cleanly into a terminal
  transcript, and the goldens pin them byte for byte.

So the layout stays ours (about 200 lines, tested in ``tests/test_render_helpers.py`` and by
the goldens); rich stays a fine choice for a front end that wants boxes and colours.

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
    "Markup",
    "Style",
    "display_width",
    "html_table",
    "terminal_width",
    "text_table",
    "use_color",
]

_ASCII_RUNS = re.compile("[\x00-\x7f]+")

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


#: CSS for the HTML fragments of every views module (inlined by reports and notebook displays).
#: Row classes: hit (green), miss (grey), namespace (blue), error / no-finder (red), unreached
#: (faint), frozen, builtin, lazy (purple, dotted edge: loaded at the first use of a PEP 810 lazy
#: import), lazy-pending (purple italics, dashed edge: never used), lazy-bound (grey);
#: ``pyenvlab-summary`` / ``pyenvlab-note`` paragraphs; ``pyenvlab-graph``.
CSS = """
.pyenvlab{border-collapse:collapse;font:12px/1.35 system-ui,sans-serif;margin:.4em 0 1em}
.pyenvlab caption{text-align:left;font-weight:600;padding:.2em 0}
.pyenvlab th,.pyenvlab td{border-bottom:1px solid #ddd;padding:2px 8px;text-align:left;vertical-align:top}
.pyenvlab td{font-family:ui-monospace,Menlo,Consolas,monospace}
.pyenvlab tr.hit td{background:#c8f0c8;font-weight:600}
.pyenvlab tr.miss td{color:#777}
.pyenvlab tr.namespace td{background:#cfe3ff}
.pyenvlab tr.error td,.pyenvlab tr.no-finder td{background:#ffd0d0}
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


def text_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    width: int | None = None,
    shrink: int | Sequence[int] | None = None,
    styles: Sequence[Sequence[str]] | None = None,
    color: bool = False,
    wrap: Sequence[int] = (),
) -> str:
    """Align ``rows`` under ``headers`` in at most ``width`` columns.

    Cells are escaped for the terminal. When the table is too wide, the column ``shrink``
    (default: the widest; or several columns, sharing the cut in proportion to their widths)
    is shortened with an ellipsis in the middle, which keeps both the start and the file name
    of a long path visible. Columns listed in ``wrap`` are folded onto continuation lines (at
    ``", "`` or spaces) instead of being cut. ``styles`` gives ANSI style names per row.
    """
    width = terminal_width(width)
    cells = [[term(c) if c is not None else "" for c in row] for row in rows]
    heads = [term(h) for h in headers]
    sizes = [max([display_width(heads[i])] + [display_width(r[i]) for r in cells]) for i in range(len(heads))]
    _fit_widths(sizes, heads, width, shrink, wrap)
    style = Style(color)
    out = [style("  ".join(_pad(_fit(h, s), s) for h, s in zip(heads, sizes, strict=False)).rstrip(), "bold")]
    out.append("  ".join("-" * s for s in sizes))
    for index, row in enumerate(cells):
        row_styles = styles[index] if styles and index < len(styles) else ()
        out += [style(line, *row_styles) for line in _row_lines(row, sizes, wrap)]
    return "\n".join(out)


def _fit_widths(
    sizes: list[int],
    heads: Sequence[str],
    width: int,
    shrink: int | Sequence[int] | None,
    wrap: Sequence[int],
) -> None:
    """Narrow the columns ``shrink`` (default: the widest) until the table fits ``width``:
    wrapped columns first (wrapping loses nothing), then the others, then all of them again."""
    excess = sum(sizes) + 2 * (len(sizes) - 1) - width
    if excess <= 0 or not sizes:
        return
    if shrink is None:
        cols = [sizes.index(max(sizes))]
    else:
        cols = [shrink] if isinstance(shrink, int) else list(shrink)
    folded = [c for c in cols if c in wrap]
    others = [c for c in cols if c not in wrap]
    for group, floor in ((folded, max(24, width // 3)), (others, 8), (cols, 8)):
        if group and excess > 0:
            before = sum(sizes)
            _shrink(sizes, heads, group, excess, floor=floor)
            excess -= before - sum(sizes)


def _row_lines(row: Sequence[str], sizes: Sequence[int], wrap: Sequence[int]) -> list[str]:
    """The terminal lines of one row: each cell cut to its column, or folded when it wraps."""
    parts = [
        _wrap(c, s) if i in wrap else [_fit(c, s)] for i, (c, s) in enumerate(zip(row, sizes, strict=False))
    ]
    lines = []
    for n in range(max(len(p) for p in parts) if parts else 1):
        pieces = (_pad(p[n] if n < len(p) else "", s) for p, s in zip(parts, sizes, strict=False))
        lines.append("  ".join(pieces).rstrip())
    return lines


def _shrink(sizes: list[int], heads: Sequence[str], cols: Sequence[int], excess: int, floor: int = 8) -> None:
    """Take ``excess`` columns away from ``cols``, in proportion to their widths (min ``floor``)."""
    floors = {c: min(sizes[c], max(display_width(heads[c]), floor)) for c in cols}
    while excess > 0:
        spare = {c: sizes[c] - floors[c] for c in cols if sizes[c] > floors[c]}
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


def _wrap(cell: str, size: int) -> list[str]:
    """``cell`` folded to lines of at most ``size`` characters, breaking after ``", "`` or a space.

    One pass over the cell (a position moves along it, the width still to place is kept up to
    date), so a cell of a million characters costs what it takes to read it.
    """
    lines: list[str] = []
    start, end = 0, len(cell)
    left = display_width(cell)  # columns from `start` to the end
    while left > size:
        room = _fitting(cell, start, size)
        cut = cell.rfind(", ", start, start + room) - start
        cut = cut + 2 if cut > 0 else cell.rfind(" ", start, start + room + 1) - start + 1
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
) -> str:
    """An HTML ``<table>``; every cell is escaped unless it is :class:`Markup`."""

    def cell(value: object) -> str:
        if value is None:
            return ""
        return value if isinstance(value, Markup) else html_text(value)

    parts = [f'<table class="{html_text(table_class)}">']
    if caption:
        parts.append(f"<caption>{cell(caption)}</caption>")
    parts.append("<thead><tr>" + "".join(f"<th>{cell(h)}</th>" for h in headers) + "</tr></thead><tbody>")
    for index, row in enumerate(rows):
        klass = row_classes[index] if row_classes and index < len(row_classes) else ""
        attr = f' class="{html_text(klass)}"' if klass else ""
        parts.append(f"<tr{attr}>" + "".join(f"<td>{cell(c)}</td>" for c in row) + "</tr>")
    parts.append("</tbody></table>")
    return "".join(parts)
