"""The import-time part of a trace's standalone report: the chart, zooms into its heaviest
loads, and the cost table in three precomputed orders. Plain HTML and inline SVG: no script.

Drill-down works without script: each heavy subtree has its own chart at full width inside a
``<details>`` element, and the table comes sorted by self time, cumulative time and probes,
each order its own ``<details>`` (the first one open). The chart is drawn at its real size (text
11 px) and scrolls inside its box instead of shrinking to the page.

Example:
    >>> from pyenvlab.model import ModuleRecord, Trace
    >>> t = Trace(python="3.12", executable="python", sys_path=(), statements=(),
    ...           modules=(ModuleRecord("<b>", None, None, seconds=0.001, self_seconds=0.001),))
    >>> html = "".join(sections(t))
    >>> "&lt;b&gt;" in html and "<b>" not in html
    True
"""

from __future__ import annotations

from pyenvlab.model import Trace
from pyenvlab.render._escape import html_text
from pyenvlab.render._table import html_table
from pyenvlab.render.trace_views.chart import ORDERS, costs, heavy_subtrees, ordered, svg
from pyenvlab.render.trace_views.wording import seconds_text

__all__ = ["CSS", "TABLE_ROWS", "cost_tables", "sections"]

#: rows in each ordering of the cost table (all loads are in the report's module table)
TABLE_ROWS = 100

CSS = """
.pyenvlab-chart-box{overflow:auto;max-height:80vh;border:1px solid #eee;margin:.5em 0}
div.pyenvlab-chart-box svg{max-width:none;height:auto;display:block}
details.pyenvlab-zoom>summary,details.pyenvlab-order>summary{cursor:pointer;font-weight:600;margin:.3em 0}
"""

EXPLAIN = (
    "Each bar is one load, as wide as its time, under the load it ran inside; the darker part "
    "is its self time (the load minus the loads inside it). An orange strip on top marks the "
    "search cost (the more probes, the stronger), a dashed underline a module whose code hit "
    "the sys.modules cache. Hover over a bar for its numbers."
)


def sections(trace: Trace) -> list[str]:
    """HTML blocks of the import-time section of ``trace``'s report (empty without loads)."""
    if not trace.modules:
        return []
    parts = [
        "<h2>Import time</h2>",
        f'<p class="pyenvlab-note">{html_text(EXPLAIN)}</p>',
        f'<div class="pyenvlab-chart-box">{svg(trace)}</div>',
    ]
    zooms = heavy_subtrees(trace)
    if zooms:
        parts.append('<p class="pyenvlab-note">Zoom into the heaviest loads (each drawn at full width):</p>')
        for node in zooms:
            record = node.record
            summary = (
                f"{record.name}: {seconds_text(record.seconds)}, "
                f"{node.size - 1} loads inside (self {seconds_text(record.self_seconds)})"
            )
            parts.append(
                f'<details class="pyenvlab-zoom"><summary>{html_text(summary)}</summary>'
                f'<div class="pyenvlab-chart-box">{svg(trace, root=record.name)}</div></details>'
            )
    parts.append(cost_tables(trace))
    return parts


def cost_tables(trace: Trace, *, rows: int = TABLE_ROWS) -> str:
    """The loads by self time, cumulative time and probes: one ``<details>`` per order, each a
    table of the ``rows`` most costly loads."""
    all_costs = costs(trace)
    total = sum(c.self for c in all_costs) or 1.0
    blocks = []
    for index, (order, words) in enumerate(ORDERS.items()):
        shown = ordered(all_costs, order)[:rows]
        more = f", the {len(shown)} highest of {len(all_costs)}" if len(all_costs) > len(shown) else ""
        table = html_table(
            ["#", "module", "self", "cumulative", "self share", "entries", "probes", "cache hits made"],
            [
                [
                    str(c.position + 1),
                    c.label,
                    seconds_text(c.self),
                    seconds_text(c.cumulative),
                    f"{100 * c.self / total:.1f}\u00a0%",
                    str(c.entries),
                    str(c.probes),
                    str(c.cache_hits),
                ]
                for c in shown
            ],
            row_classes=["error" if c.error else "" for c in shown],
        )
        opened = " open" if index == 0 else ""
        blocks.append(
            f'<details class="pyenvlab-order"{opened}><summary>'
            f"{html_text(f'Sorted by {words}{more}')}</summary>{table}</details>"
        )
    return "<h3>What each load cost</h3>" + "".join(blocks)
