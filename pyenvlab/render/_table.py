"""Tables for terminals and HTML, shared by every views module.

Cells are plain user text; the helpers escape them. A cell that is already safe HTML is wrapped
in :class:`Markup` (for badges and links built by a renderer, never for user text).

Example:
    >>> print(text_table(["entry", "outcome"], [["/usr/lib", "miss"], ["/opt/x", "hit"]], width=40))
    entry     outcome
    --------  -------
    /usr/lib  miss
    /opt/x    hit
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Sequence

from pyenvlab.render._escape import html_text, term

__all__ = ["Markup", "Style", "html_table", "terminal_width", "text_table", "use_color"]

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
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


class Style:
    """Applies ANSI styles when colour is on, and nothing otherwise."""

    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, text: str, *styles: str) -> str:
        if not self.color or not styles:
            return text
        codes = ";".join(ANSI[s] for s in styles)
        return f"\x1b[{codes}m{text}\x1b[0m"


def _fit(cell: str, size: int) -> str:
    if len(cell) <= size:
        return cell
    if size <= 1:
        return cell[:size]
    keep = size - 1
    head = keep // 3
    return cell[:head] + "\u2026" + cell[len(cell) - (keep - head) :]


def text_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    width: int | None = None,
    shrink: int | None = None,
    styles: Sequence[Sequence[str]] | None = None,
    color: bool = False,
) -> str:
    """Align ``rows`` under ``headers`` in at most ``width`` columns.

    Cells are escaped for the terminal. When the table is too wide, the column ``shrink``
    (default: the widest) is shortened with an ellipsis in the middle, which keeps both the
    start and the file name of a long path visible. ``styles`` gives ANSI style names per row.
    """
    width = terminal_width(width)
    cells = [[term(c) if c is not None else "" for c in row] for row in rows]
    heads = [term(h) for h in headers]
    sizes = [max([len(heads[i])] + [len(r[i]) for r in cells]) for i in range(len(heads))]
    total = sum(sizes) + 2 * (len(sizes) - 1)
    if total > width and sizes:
        col = shrink if shrink is not None else sizes.index(max(sizes))
        sizes[col] = max(len(heads[col]), sizes[col] - (total - width), 8)
    style = Style(color)
    out = []
    line = "  ".join(_fit(h, s).ljust(s) for h, s in zip(heads, sizes)).rstrip()
    out.append(style(line, "bold"))
    out.append("  ".join("-" * s for s in sizes))
    for index, row in enumerate(cells):
        line = "  ".join(_fit(c, s).ljust(s) for c, s in zip(row, sizes)).rstrip()
        row_styles = styles[index] if styles and index < len(styles) else ()
        out.append(style(line, *row_styles))
    return "\n".join(out)


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
