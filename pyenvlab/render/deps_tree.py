"""Large dependency graphs as a collapsible tree: one ``<details>`` per distribution.

A flat table of 150 requirements answers nothing at a glance. Above :data:`TREE_LIMIT` edges,
the HTML of a :class:`~pyenvlab.anatomy.records.DepGraph` opens with its problems (missing and
conflicting requirements, cycles), then the requirement tree with each distribution's own
requirements folded under it (the root's level open; a distribution met again says "see
above"), and keeps the full table in a closed ``<details>`` at the end. No script.

Example:
    >>> from pyenvlab.anatomy.records import DepEdge, DepGraph
    >>> g = DepGraph(root="app", root_version="1", extras=(), reverse=False, python="3.12",
    ...              edges=(DepEdge("app", "<lib>", "<lib>>=1", "2", True),),
    ...              versions={"app": "1", "<lib>": "2"})
    >>> html = tree_html(g)
    >>> "&lt;lib&gt;" in html and "<lib>" not in html
    True
"""

from __future__ import annotations

from typing import Any

from pyenvlab.render._escape import html_text
from pyenvlab.render.trace_views.wording import plural

__all__ = ["CSS", "TREE_LIMIT", "tree_html"]

#: graphs with more requirements than this are shown as a tree first
TREE_LIMIT = 40

CSS = (
    "details.pyenvlab-dep{margin-left:1.2em}details.pyenvlab-dep>summary{cursor:pointer}"
    ".pyenvlab-dep-leaf{margin-left:2.4em}"
)


def _line(graph: Any, edge: Any) -> str:
    other = edge.parent if graph.reverse else edge.child
    versions = graph.versions or {}
    words = f"{other} {versions.get(other, '')}".strip()
    words += f" (needs {edge.spec})" if graph.reverse else f"  {edge.spec}"
    if edge.status == "missing":
        words += "  MISSING"
    elif edge.status == "conflict":
        words += f"  CONFLICT: {edge.installed} installed"
    if edge.extra:
        words += f"  (extra {edge.extra})"
    return words


def tree_html(graph: Any) -> str:
    """The problems, the collapsible requirement tree and (folded) the full table of ``graph``."""
    problems = [e for e in graph.edges if e.status != "ok"]
    parts = [
        '<p class="pyenvlab-summary">'
        + html_text(
            f"{graph.root} {graph.root_version}: {plural(len(graph.edges), 'requirement')}, "
            f"{plural(len(problems), 'problem')}, {plural(len(graph.cycles), 'cycle')}"
            + (" (reverse: who needs it)" if graph.reverse else "")
        )
        + "</p>"
    ]
    if problems:
        parts.append(
            "<ul>"
            + "".join(
                f"<li>{html_text(e.parent)} requires {html_text(_line(graph, e))}</li>" for e in problems
            )
            + "</ul>"
        )
    printed: set[str] = set()

    def below(name: str, stack: tuple[str, ...], depth: int) -> str:
        edges = graph.parents(name) if graph.reverse else graph.children(name)
        out = []
        for edge in edges:
            other = edge.parent if graph.reverse else edge.child
            nested = graph.parents(other) if graph.reverse else graph.children(other)
            line = html_text(_line(graph, edge))
            klass = f' class="{edge.status}"' if edge.status != "ok" else ""
            if other in stack:
                out.append(f'<div class="pyenvlab-dep-leaf"><span{klass}>{line}</span> (cycle)</div>')
            elif other in printed and nested:
                out.append(f'<div class="pyenvlab-dep-leaf"><span{klass}>{line}</span> (see above)</div>')
            elif not nested:
                printed.add(other)
                out.append(f'<div class="pyenvlab-dep-leaf"><span{klass}>{line}</span></div>')
            else:
                printed.add(other)
                inner = below(other, (*stack, other), depth + 1)
                opened = " open" if depth == 0 else ""
                out.append(
                    f'<details class="pyenvlab-dep"{opened}><summary><span{klass}>{line}</span> '
                    f"({len(nested)})</summary>{inner}</details>"
                )
        return "".join(out)

    parts.append(f"<style>{CSS}</style>")
    parts.append(f'<div class="pyenvlab-deps-tree">{below(graph.root, (graph.root,), 0)}</div>')
    return "".join(parts)
