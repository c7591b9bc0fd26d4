"""The import-time chart: an icicle of the load tree (width = time), its terminal fallback, and
the cost table in three orders.

Each load is a bar, as wide as its cumulative time, under the load it ran inside (the load tree
of :mod:`.load_tree`); its children are packed from its left edge in the order they began, so
the part of a bar that nothing hangs under is its *self* time, and it is drawn darker. Marks:
an orange strip along the top of a bar for its search cost (``sys.path`` entries visited and
filesystem probes; the stronger the more probes), a dashed underline when the module's code
hit the ``sys.modules`` cache (the same "dashed = cache hit" as the graphs), a red outline for
a failed import and a dotted one for a load that reified a PEP 810 ``lazy import``. Every bar
carries a tooltip with the numbers. Loads narrower than a pixel are drawn together as one grey
bar per run of siblings ("N small loads"), so a 1,000-module trace stays a readable picture of
fixed size (text 11 px, never scaled down: the report scrolls it); :func:`svg` with ``root=``
draws one subtree at full width (the report's drill-down, the explorer's zoom).

We draw the SVG ourselves rather than through Graphviz: an icicle is rectangles at computed
positions, which Graphviz does not lay out, and the chart must work where there is no ``dot``
program (the JupyterLite site). Output is deterministic (fixed number formats, colours from a
CRC of the top-level package name) and every name is escaped.

Example:
    >>> from pyenvlab.model import ModuleRecord, Trace
    >>> t = Trace(python="3.12", executable="python", sys_path=(), statements=(), modules=(
    ...     ModuleRecord("app", None, None, start=0.0, seconds=0.010, self_seconds=0.004),
    ...     ModuleRecord("big", None, None, imported_by="app", start=0.001, seconds=0.006,
    ...                  self_seconds=0.006)))
    >>> print(text(t, width=80))
    Import time: 10.0 ms in 2 loads.
    By self time (a load minus the loads inside it):
        self   cumulative  entries  probes  module
     6.00 ms      6.00 ms        0       0  ██████████████  big
     4.00 ms      10.0 ms        0       0  █████████▍      app
    >>> "<svg" in svg(t) and 'width="960"' in svg(t)
    True
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

from pyenvlab.model import ModuleRecord, Trace
from pyenvlab.render._escape import html_text, term
from pyenvlab.render._table import Style, display_width, terminal_width
from pyenvlab.render.trace_views.load_tree import LoadNode, load_tree, walk
from pyenvlab.render.trace_views.wording import plural, seconds_text

__all__ = [
    "ORDERS",
    "Cost",
    "ImportTimeChart",
    "costs",
    "heavy_subtrees",
    "ordered",
    "svg",
    "text",
]

#: the orders of the cost table: key -> (column heading, description)
ORDERS = {
    "self": "self time",
    "cumulative": "cumulative time",
    "probes": "probes",
}
WIDTH = 960
ROW = 20
FONT = 11
#: average advance of one character of the 11 px monospace label font
CHAR_PX = 6.7
MAX_DEPTH = 30
AXIS = 26
LEGEND = 22


class Cost:
    """What one load cost: times, search cost and cache hits, for the table and the marks."""

    __slots__ = ("cache_hits", "cumulative", "entries", "error", "lazy", "name", "position", "probes", "self")

    def __init__(self, record: ModuleRecord, position: int, cache_hits: int) -> None:
        self.name = record.name
        self.position = position
        self.self = record.self_seconds
        self.cumulative = record.seconds
        self.entries = len(record.searched)
        self.probes = len(record.probes)
        self.cache_hits = cache_hits
        self.lazy = record.lazy
        self.error = record.error

    def key(self, order: str) -> tuple[float, int]:
        value = {"self": self.self, "cumulative": self.cumulative, "probes": self.probes}[order]
        return (-value, self.position)

    @property
    def label(self) -> str:
        """The name with its marks: ``(lazy)``, ``(failed)``."""
        marks = (" (lazy)" if self.lazy else "") + (" (failed)" if self.error else "")
        return self.name + marks


def _hits_by_importer(trace: Trace) -> dict[str | None, int]:
    hits: dict[str | None, int] = {}
    for st in trace.statements:
        if st.cached:
            hits[st.importer] = hits.get(st.importer, 0) + st.count
    return hits


def costs(trace: Trace) -> list[Cost]:
    """One :class:`Cost` per load, in load order (cache hits counted for the first load of a
    name: the module whose code made them)."""
    hits = _hits_by_importer(trace)
    seen: set[str] = set()
    out = []
    for position, record in enumerate(trace.modules):
        first = record.name not in seen
        seen.add(record.name)
        out.append(Cost(record, position, hits.get(record.name, 0) if first else 0))
    return out


def ordered(rows: Sequence[Cost], order: str) -> list[Cost]:
    """``rows`` most costly first by ``order`` (``self``, ``cumulative`` or ``probes``), ties in
    load order."""
    if order not in ORDERS:
        msg = f"unknown order {order!r}: use one of {', '.join(ORDERS)}"
        raise ValueError(msg)
    return sorted(rows, key=lambda c: c.key(order))


# ---------------------------------------------------------------------------------------------
# terminal


_EIGHTHS = " \u258f\u258e\u258d\u258c\u258b\u258a\u2589"


def _bar(fraction: float, cells: int) -> str:
    eighths = round(max(0.0, min(fraction, 1.0)) * cells * 8)
    full, part = divmod(eighths, 8)
    return "\u2588" * full + (_EIGHTHS[part] if part else "")


def text(
    trace: Trace, *, top: int = 15, order: str = "self", width: int | None = None, color: bool | None = False
) -> str:
    """The chart for a terminal: the ``top`` loads by ``order`` with bars, readable at 80
    columns (names cut with ``…`` to fit ``width``)."""
    width = terminal_width(width)
    style = Style(bool(color))
    rows = costs(trace)
    total = _total(trace)
    head = (
        f"Import time: {seconds_text(total)} in {plural(len(rows), 'load')}. "
        f"By {ORDERS[order]}"
        + (" (a load minus the loads inside it)" if order == "self" else "")
        + (f", the {top} highest" if len(rows) > top else "")
        + ":"
    ).replace("\u00a0", " ")
    if not rows:
        return "Import time: no modules were loaded."
    shown = ordered(rows, order)[:top]
    numbers = ["self", "cumulative", "entries", "probes"]
    widths = [8, 11, 7, 6]
    fixed = sum(widths) + 2 * len(widths)
    cells = max(4, min(20, (width - fixed - 12) // 2))
    name_room = max(8, width - fixed - cells - 2)
    peak = max((_value(c, order) for c in shown), default=0.0) or 1.0
    lines = [
        _wrap(head, width, at=". By "),
        style("".join(h.rjust(w) + "  " for h, w in zip(numbers, widths, strict=True)) + "module", "bold"),
    ]
    for cost in shown:
        values = [
            seconds_text(cost.self).replace("\u00a0", " "),
            seconds_text(cost.cumulative).replace("\u00a0", " "),
            str(cost.entries),
            str(cost.probes),
        ]
        bar = _bar(_value(cost, order) / peak, cells)
        name = _cut(term(cost.label), name_room)
        lines.append(
            "".join(v.rjust(w) + "  " for v, w in zip(values, widths, strict=True))
            + style(bar.ljust(cells), "cyan")
            + "  "
            + name
        )
    return "\n".join(line.rstrip() for line in lines)


def _value(cost: Cost, order: str) -> float:
    return {"self": cost.self, "cumulative": cost.cumulative, "probes": float(cost.probes)}[order]


def _total(trace: Trace) -> float:
    roots = load_tree(trace.modules)
    return sum(node.record.seconds for node in roots)


def _wrap(line: str, width: int, *, at: str) -> str:
    """``line`` wrapped to ``width``, breaking first after ``at`` when it does not fit."""
    import textwrap

    if len(line) > width and at in line:
        first, rest = line.split(at, 1)
        return _wrap(first + ".", width, at="\0") + "\n" + _wrap("By " + rest, width, at="\0")
    return "\n".join(textwrap.wrap(line, width, break_on_hyphens=False)) or line


def _cut(name: str, room: int) -> str:
    if display_width(name) <= room:
        return name
    out = ""
    for char in name:
        if display_width(out + char) > room - 1:
            break
        out += char
    return out + "\u2026"


# ---------------------------------------------------------------------------------------------
# SVG


def _hue(name: str) -> int:
    return zlib.crc32(name.split(".", 1)[0].encode("utf-8", "surrogatepass")) % 360


def _ms(seconds: float) -> str:
    return seconds_text(seconds).replace("\u00a0", " ")


class _Bar:
    __slots__ = ("count", "depth", "node", "seconds", "width", "x")

    def __init__(
        self, node: LoadNode | None, x: float, width: float, *, depth: int, seconds: float, count: int = 1
    ) -> None:
        self.node = node
        self.x = x
        self.width = width
        self.depth = depth
        self.seconds = seconds
        self.count = count


def _small_bar(small: list[LoadNode], x: float, scale: float, depth: int) -> _Bar:
    seconds = sum(n.record.seconds for n in small)
    count = sum(n.size for n in small)
    return _Bar(None, x, seconds * scale, depth=depth, seconds=seconds, count=count)


def _layout(roots: Sequence[LoadNode], x0: float, scale: float, max_depth: int) -> list[_Bar]:
    """Bars of the icicle: each node at its parent's left edge plus its earlier siblings' time;
    runs of siblings narrower than a pixel become one grey bar."""
    bars: list[_Bar] = []
    stack: list[tuple[Sequence[LoadNode], float, int]] = [(roots, x0, 0)]
    while stack:
        nodes, x, depth = stack.pop()
        small: list[LoadNode] = []
        small_x = x
        for node in nodes:
            width = node.record.seconds * scale
            if width < 1.0:
                if not small:
                    small_x = x
                small.append(node)
            else:
                if small:
                    bars.append(_small_bar(small, small_x, scale, depth))
                    small = []
                bars.append(_Bar(node, x, width, depth=depth, seconds=node.record.seconds))
                if node.children and depth + 1 < max_depth:
                    stack.append((node.children, x, depth + 1))
            x += width
        if small:
            bars.append(_small_bar(small, small_x, scale, depth))
    bars.sort(key=lambda b: (b.depth, b.x))
    return bars


def svg(
    trace: Trace,
    *,
    root: str | None = None,
    width: int = WIDTH,
    max_depth: int = MAX_DEPTH,
    title: str | None = None,
) -> str:
    """The icicle chart of ``trace`` as an SVG document (a string, no XML prolog).

    ``root`` draws only the subtree of the first load of that module, at full width; ``width``
    is in pixels (the chart is drawn at that size, never scaled down); loads deeper than
    ``max_depth`` rows are left to the drill-down.

    Raises:
        KeyError: if ``root`` is not a load of ``trace``.
    """
    roots = load_tree(trace.modules)
    if root is not None:
        found = next((n for n in walk(roots) if n.record.name == root), None)
        if found is None:
            raise KeyError(root)
        roots = [found]
    hits = _hits_by_importer(trace)
    total = sum(n.record.seconds for n in roots)
    inner = width - 2
    scale = inner / total if total > 0 else 0.0
    bars = _layout(roots, 1.0, scale, max_depth) if scale else []
    depth = max((b.depth for b in bars), default=-1) + 1
    height = AXIS + max(depth, 1) * ROW + LEGEND + 4
    peak_probes = max((len(b.node.record.probes) for b in bars if b.node is not None), default=0)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="pyenvlab-chart" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'font-family="ui-monospace,Menlo,Consolas,monospace" font-size="{FONT}">',
        f"<title>{html_text(title or _chart_title(trace, root, total, len(bars)))}</title>",
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#fff"/>',
    ]
    out.extend(_axis(total, width))
    for bar in bars:
        out.append(_bar_svg(bar, hits, peak_probes))
    if not bars:
        out.append(f'<text x="8" y="{AXIS + 14}" fill="#555">no loads to draw</text>')
    out.extend(_legend(height - LEGEND + 4))
    out.append("</svg>")
    return "\n".join(out)


def _chart_title(trace: Trace, root: str | None, total: float, bars: int) -> str:
    what = f"the load of {root}" if root else "import time"
    return f"pyenvlab chart: {what}, {_ms(total)}, {plural(len(trace.modules), 'load')} in the trace"


def _axis(total: float, width: int) -> list[str]:
    parts = [f'<line x1="1" y1="{AXIS - 6}" x2="{width - 1}" y2="{AXIS - 6}" stroke="#999"/>']
    if total <= 0:
        return parts
    step = _nice_step(total / 8)
    tick = 0.0
    while tick <= total * 1.0001:
        x = 1 + (width - 2) * tick / total
        anchor = "start" if tick == 0 else ("end" if x > width - 40 else "middle")
        parts.append(f'<line x1="{x:.1f}" y1="{AXIS - 10}" x2="{x:.1f}" y2="{AXIS - 6}" stroke="#999"/>')
        label = html_text(_ms(tick))
        parts.append(f'<text x="{x:.1f}" y="{AXIS - 13}" text-anchor="{anchor}" fill="#555">{label}</text>')
        tick += step
    return parts


def _nice_step(raw: float) -> float:
    import math

    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def _bar_svg(bar: _Bar, hits: dict[str | None, int], peak_probes: int) -> str:
    y = AXIS + bar.depth * ROW
    h = ROW - 2
    x, w = bar.x, max(bar.width - 1, 0.5)
    if bar.node is None:
        tip = f"{bar.count} small loads, {_ms(bar.seconds)} together"
        return (
            f'<g class="small"><title>{html_text(tip)}</title>'
            f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{h}" fill="#d9d9d9"/></g>'
        )
    record = bar.node.record
    hue = _hue(record.name)
    own = min(record.self_seconds, record.seconds)
    self_w = w * (own / record.seconds) if record.seconds > 0 else w
    probes = len(record.probes)
    cached = hits.get(record.name, 0) if record.name else 0
    tip = _tooltip(record, cached)
    parts = [f'<g class="load"><title>{tip}</title>']
    stroke = ""
    if record.error:
        stroke = ' stroke="#c92a2a" stroke-width="1.5"'
    elif record.lazy:
        stroke = ' stroke="#5f3dc4" stroke-width="1.2" stroke-dasharray="1 2"'
    parts.append(
        f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{h}" fill="hsl({hue},55%,80%)"{stroke}/>'
    )
    if self_w >= 0.5:
        parts.append(
            f'<rect x="{x + w - self_w:.1f}" y="{y}" width="{self_w:.1f}" height="{h}" '
            f'fill="hsl({hue},50%,62%)"/>'
        )
    if probes and peak_probes:
        strength = 0.25 + 0.75 * probes / peak_probes
        parts.append(
            f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="3" fill="#e8590c" '
            f'fill-opacity="{strength:.2f}"/>'
        )
    if cached:
        parts.append(
            f'<line x1="{x:.1f}" y1="{y + h - 1}" x2="{x + w:.1f}" y2="{y + h - 1}" '
            'stroke="#666" stroke-dasharray="3 2"/>'
        )
    label = _label(record, w)
    if label:
        parts.append(f'<text x="{x + 3:.1f}" y="{y + 13}" fill="#111">{html_text(label)}</text>')
    parts.append("</g>")
    return "".join(parts)


def _tooltip(record: ModuleRecord, cached: int) -> str:
    """The escaped text of a bar's tooltip, one fact a line."""
    lines = [
        record.name + (" (lazy import)" if record.lazy else "") + (" (reload)" if record.reloaded else ""),
        f"cumulative {_ms(record.seconds)}, self {_ms(record.self_seconds)}",
        f"searched {plural(len(record.searched), 'entry', 'entries')}, {plural(len(record.probes), 'probe')}"
        + (f", found by {record.finder}" if record.finder else ""),
    ]
    if cached:
        lines.append(f"its code hit the sys.modules cache {plural(cached, 'time')}")
    if record.error:
        lines.append(f"failed: {record.error}")
    return "\n".join(html_text(line) for line in lines)  # each line escaped, the newlines kept


def _label(record: ModuleRecord, width: float) -> str:
    room = int((width - 6) / CHAR_PX)
    if room < 3:
        return ""
    name = term(record.name)
    timed = f"{name} {_ms(record.seconds)}"
    if len(timed) <= room:
        return timed
    if len(name) <= room:
        return name
    return name[: room - 1] + "\u2026"


def _legend(y: int) -> list[str]:
    items = [
        ('<rect x="{x}" y="{y}" width="14" height="10" fill="hsl(210,55%,80%)"/>', "cumulative"),
        ('<rect x="{x}" y="{y}" width="14" height="10" fill="hsl(210,50%,62%)"/>', "self time"),
        ('<rect x="{x}" y="{y}" width="14" height="3" fill="#e8590c"/>', "search cost (probes)"),
        (
            '<line x1="{x}" y1="{y2}" x2="{x14}" y2="{y2}" stroke="#666" stroke-dasharray="3 2"/>',
            "made cache hits",
        ),
        ('<rect x="{x}" y="{y}" width="14" height="10" fill="none" stroke="#c92a2a"/>', "failed"),
        (
            '<rect x="{x}" y="{y}" width="14" height="10" fill="none" stroke="#5f3dc4" '
            'stroke-dasharray="1 2"/>',
            "lazy",
        ),
        ('<rect x="{x}" y="{y}" width="14" height="10" fill="#d9d9d9"/>', "loads under 1 px"),
    ]
    parts = []
    x = 4
    for shape, words in items:
        parts.append(shape.format(x=x, y=y, y2=y + 9, x14=x + 14))
        parts.append(f'<text x="{x + 18}" y="{y + 9}" fill="#555">{words}</text>')
        x += 24 + int(len(words) * CHAR_PX)
    return parts


def heavy_subtrees(trace: Trace, *, limit: int = 6, min_loads: int = 8) -> list[LoadNode]:
    """The loads worth zooming into: at least ``min_loads`` loads below them, most time first,
    skipping one that is the whole chart (a single root covering everything)."""
    roots = load_tree(trace.modules)
    total = sum(n.record.seconds for n in roots)
    candidates = [
        n
        for n in walk(roots)
        if n.size > min_loads and not (n.parent is None and len(roots) == 1 and n.record.seconds >= total)
    ]
    candidates.sort(key=lambda n: (-n.record.seconds, n.index))
    chosen: list[LoadNode] = []
    for node in candidates:
        if len(chosen) >= limit:
            break
        chosen.append(node)
    return chosen


class ImportTimeChart:
    """The import-time chart of a trace as a displayable object (``pyenvlab.render.chart``).

    In Jupyter it shows as SVG (trusted notebooks) with the terminal chart as ``text/plain``
    (untrusted ones, nbval, consoles); ``svg`` and ``text`` hold both.
    """

    def __init__(self, trace: Trace, *, root: str | None = None, top: int = 15, order: str = "self") -> None:
        self.trace = trace
        self.root = root
        self.top = top
        self.order = order
        self.svg = svg(trace, root=root)
        self.text = text(trace, top=top, order=order, width=80)

    def __repr__(self) -> str:
        return self.text

    def _repr_mimebundle_(self, include: object = None, exclude: object = None) -> dict[str, str]:
        bundle = {"text/plain": self.text, "image/svg+xml": self.svg}
        keep = None if include is None else set(include)  # type: ignore[call-overload]
        drop = set(exclude or ())  # type: ignore[call-overload]
        return {k: v for k, v in bundle.items() if (keep is None or k in keep) and k not in drop}
