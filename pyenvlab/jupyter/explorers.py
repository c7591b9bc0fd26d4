"""ipywidgets explorers: play with the import system instead of reading about it.

- :class:`ProbeStepper`: step (or play) through one import's search, probe by probe; the table
  and the graph highlight the current entry and probe, and a sentence says what happens.
- :class:`SysPathLab`: edit a list of directories like PYTHONPATH (reorder, switch off, add),
  re-resolve a module in a fresh interpreter, and see which file wins and which are shadowed.
- :class:`StartupExplorer`: pick an interpreter found on this machine (this one, venvs below
  the working directory, pyenv versions, conda environments) and see its startup trace.
- :class:`NamespaceExplorer`: browse a ``%%namespace`` result by kind and name.
- :class:`ImportTimeExplorer`: the import-time chart of a trace with the cost table sorted by
  self time, cumulative time or probes, filtered by name, zoomed into one load's subtree.

Each explorer has a ``widget`` (built on first use; ipywidgets is imported then, never by
``import pyenvlab``) and displays itself with a ``_repr_mimebundle_`` that carries the widget
view *and* a static ``text/html``/``text/plain`` view: JupyterLab 4 and Notebook 7 show the
live widget; nbconvert, docs and untrusted notebooks without widget state show the static view.
All drawing is done by :mod:`pyenvlab.render`; the explorers only wire records to widgets.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from typing import Any

from pyenvlab.errors import PyenvlabError
from pyenvlab.jupyter.records import ProbeStep

__all__ = [
    "ImportTimeExplorer",
    "NamespaceExplorer",
    "ProbeStepper",
    "StartupExplorer",
    "SysPathLab",
    "explore",
]

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def _bundle_html(obj: Any) -> str:
    """The static HTML of a record, with its graph (display bundle's text/html)."""
    from pyenvlab import render

    return render.mimebundle(obj, include=("text/html",))["text/html"]


def _note(text: str) -> str:
    from pyenvlab.render._escape import html_text

    return f'<p class="pyenvlab-note">{html_text(text)}</p>'


class _Explorer:
    """Shared display logic: a lazily built widget plus a static fallback view."""

    _widget: Any = None

    @property
    def widget(self) -> Any:
        """The ipywidgets widget (built on first access)."""
        if self._widget is None:
            self._widget = self._build()
        return self._widget

    def _build(self) -> Any:  # pragma: no cover - every explorer overrides it
        raise NotImplementedError

    def static_html(self) -> str:
        """The view shown where no widget front end runs."""
        raise NotImplementedError

    def static_text(self) -> str:
        """A stable text/plain repr."""
        raise NotImplementedError

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        bundle: dict[str, Any] = {"text/plain": self.static_text(), "text/html": self.static_html()}
        try:
            widget_bundle = self.widget._repr_mimebundle_()
        except ImportError:  # ipywidgets missing: the static view is all there is
            widget_bundle = None
        if widget_bundle and WIDGET_MIME in widget_bundle:
            bundle[WIDGET_MIME] = widget_bundle[WIDGET_MIME]
        return {
            k: v
            for k, v in bundle.items()
            if (include is None or k in include) and (exclude is None or k not in exclude)
        }


# ---------------------------------------------------------------------------------------------
# probe stepper


class ProbeStepper(_Explorer):
    """Step through one import's search, probe by probe.

    Args:
        trace: a :class:`~pyenvlab.model.Trace` (e.g. from ``%%trace_imports --fresh`` or
            :func:`pyenvlab.trace_import`), a ``TraceView``, or a ``ModuleRecord``.
        module: which import to step through (default: the first module the trace searched for).

    Drive it with :meth:`next`, :meth:`back` and :meth:`go`, or with the widget's buttons,
    slider and play button; :attr:`current` is the :class:`~pyenvlab.jupyter.records.ProbeStep`
    shown.
    """

    def __init__(self, trace: Any, module: str | None = None) -> None:
        from pyenvlab.model import ModuleRecord

        trace = getattr(trace, "trace", trace)  # a TraceView
        if isinstance(trace, ModuleRecord):
            record, sys_path = trace, ()
        else:
            if module is None:
                searched = [m for m in trace.modules if m.searched]
                if not searched:
                    msg = "this trace searched no path: trace with --fresh to see real probes"
                    raise PyenvlabError(msg)
                record = searched[0]
            else:
                try:
                    record = trace.module(module)
                except KeyError:
                    msg = f"{module} was not loaded in this trace"
                    raise PyenvlabError(msg) from None
            sys_path = tuple(trace.sys_path)
        self.current = ProbeStep(record, sys_path, 0)

    @property
    def index(self) -> int:
        """The current step (0-based)."""
        return self.current.index

    @property
    def count(self) -> int:
        """The number of steps."""
        return len(self.current.steps)

    def go(self, index: int) -> ProbeStep:
        """Show step ``index`` (clamped to the steps that exist)."""
        self.current = self.current.at(index)
        if self._widget is not None:
            self._sync()
        return self.current

    def next(self) -> ProbeStep:
        """One step forward."""
        return self.go(self.index + 1)

    def back(self) -> ProbeStep:
        """One step back."""
        return self.go(self.index - 1)

    def static_text(self) -> str:
        from pyenvlab import render

        return render.text(self.current.at(self.count - 1), width=100, color=False)

    def static_html(self) -> str:
        return _note(f"Probe stepper ({self.count} steps); without a live kernel, the last step:") + (
            _bundle_html(self.current.at(self.count - 1))
        )

    def _build(self) -> Any:
        import ipywidgets as w

        # the slider counts from 1, as the "step N of M" line does
        self._play = w.Play(
            value=self.index + 1, min=1, max=self.count, step=1, interval=900, description="play"
        )
        self._slider = w.IntSlider(
            value=self.index + 1, min=1, max=self.count, description="step", readout=True
        )
        w.jslink((self._play, "value"), (self._slider, "value"))
        self._prev = w.Button(description="\u25c0 back", layout=w.Layout(width="auto"))
        self._next = w.Button(description="next \u25b6", layout=w.Layout(width="auto"))
        self._view = w.HTML()
        self._slider.observe(lambda change: self.go(change["new"] - 1), "value")
        self._prev.on_click(lambda _button: self.back())
        self._next.on_click(lambda _button: self.next())
        box = w.VBox([w.HBox([self._play, self._prev, self._slider, self._next]), self._view])
        self._widget = box
        self._sync()
        return box

    def _sync(self) -> None:
        if self._slider.value != self.index + 1:
            self._slider.value = self.index + 1  # observe() calls go() again: same index, no loop
        self._prev.disabled = self.index == 0
        self._next.disabled = self.index == self.count - 1
        self._view.value = _bundle_html(self.current)


# ---------------------------------------------------------------------------------------------
# sys.path lab


class SysPathLab(_Explorer):
    """Edit a PYTHONPATH-like list of directories and see which file provides ``module``.

    Args:
        module: the module to resolve (e.g. ``"mymod"`` or ``"json"``).
        entries: the directories, in order (default: the current PYTHONPATH).
        fresh: resolve in a fresh interpreter with the enabled entries as PYTHONPATH (real
            probes, like running ``PYTHONPATH=... python -c "import MODULE"``); with
            ``False``, ask :func:`pyenvlab.where` in this process (instant, nothing imported).
        python: the interpreter for fresh resolution (default: this one).
        cwd: working directory of the fresh interpreter (default: the current one).

    The entries are ``(path, enabled)`` pairs; :meth:`move`, :meth:`toggle`, :meth:`add` and
    :meth:`remove` change them and :meth:`resolve` answers again (the widget does both).
    """

    def __init__(
        self,
        module: str,
        entries: Iterable[str | os.PathLike[str]] | None = None,
        *,
        fresh: bool = True,
        python: str | None = None,
        cwd: str | os.PathLike[str] | None = None,
    ) -> None:
        if entries is None:
            entries = [e for e in os.environ.get("PYTHONPATH", "").split(os.pathsep) if e]
        self.module = module
        self.entries: list[tuple[str, bool]] = [(os.fspath(e), True) for e in entries]
        self.fresh = fresh
        self.python = python
        self.cwd = os.fspath(cwd) if cwd is not None else os.getcwd()
        self.result: Any = None
        self.trace: Any = None
        self.error: str | None = None
        self.resolve()

    # -- editing ---------------------------------------------------------------------------
    @property
    def path(self) -> list[str]:
        """The enabled entries, in order: what PYTHONPATH would be."""
        return [entry for entry, on in self.entries if on]

    def move(self, index: int, offset: int) -> Any:
        """Move entry ``index`` by ``offset`` places (-1: up, 1: down) and resolve again."""
        target = max(0, min(len(self.entries) - 1, index + offset))
        item = self.entries.pop(index)
        self.entries.insert(target, item)
        return self._changed(target)

    def toggle(self, index: int) -> Any:
        """Switch entry ``index`` off (or on again) and resolve again."""
        entry, on = self.entries[index]
        self.entries[index] = (entry, not on)
        return self._changed(index)

    def add(self, entry: str | os.PathLike[str], index: int = 0) -> Any:
        """Insert a directory (at the front by default) and resolve again."""
        self.entries.insert(index, (os.fspath(entry), True))
        return self._changed(index)

    def remove(self, index: int) -> Any:
        """Remove entry ``index`` and resolve again."""
        del self.entries[index]
        return self._changed(min(index, len(self.entries) - 1))

    def _changed(self, selected: int) -> Any:
        result = self.resolve()
        if self._widget is not None:
            self._sync(selected)
        return result

    # -- resolving -------------------------------------------------------------------------
    def resolve(self) -> Any:
        """Resolve :attr:`module` with the enabled entries in front of the path.

        Returns the ``Candidates`` (every provider, the winner first to
        win); in fresh mode :attr:`trace` also holds the fresh interpreter's trace.
        """
        from pyenvlab import trace_import, where

        self.error = None
        self.trace = None
        try:
            if self.fresh:
                env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
                self.trace = trace_import(
                    self.module, python=self.python, env=env, cwd=self.cwd, path=self.path
                )
                base = [p or self.cwd for p in self.trace.sys_path]
                self.result = where(self.module, path=base)
            else:
                self.result = where(self.module, path=[*self.path, *sys.path])
        except PyenvlabError as exc:
            self.error = str(exc)
            self.result = None
        return self.result

    @property
    def winner(self) -> str | None:
        """The file (origin) the import uses, or None."""
        if self.trace is not None:
            try:
                record = self.trace.module(self.module)
            except KeyError:
                record = None
            if record is not None and record.error is None:
                return record.origin
        winner = self.result.winner if self.result is not None else None
        return winner.origin if winner is not None else None

    @property
    def shadowed(self) -> list[str]:
        """Files that provide the module too but lose."""
        if self.result is None:
            return []
        return [c.origin or c.entry for c in self.result.shadowed]

    # -- views -----------------------------------------------------------------------------
    def summary(self) -> str:
        """One sentence: which file wins, which are shadowed."""
        if self.error:
            return f"{self.module}: {self.error}"
        winner = self.winner
        if winner is None:
            return f"import {self.module} fails: no entry provides it."
        text = f"import {self.module} uses {winner}"
        shadowed = [s for s in self.shadowed if s != winner]
        if shadowed:
            text += f"; shadowed: {', '.join(shadowed)}"
        return text + "."

    def _entries_text(self) -> list[str]:
        return [f"{i + 1}. {'[x]' if on else '[ ]'} {entry}" for i, (entry, on) in enumerate(self.entries)]

    def static_text(self) -> str:
        lines = [
            f"sys.path lab for {self.module} (PYTHONPATH entries):",
            *self._entries_text(),
            self.summary(),
        ]
        return "\n".join(lines)

    def _result_html(self) -> str:
        from pyenvlab.render._escape import html_text

        parts = [f'<p class="pyenvlab-summary"><b>{html_text(self.summary())}</b></p>']
        if self.result is not None:
            parts.append(_bundle_html(self.result))
        if self.trace is not None:
            try:
                record = self.trace.module(self.module)
            except KeyError:
                record = None
            if record is not None:
                from pyenvlab import render

                parts.append(render.html(record))
        return "".join(parts)

    def static_html(self) -> str:
        from pyenvlab.render._table import html_table

        rows = [[str(i + 1), "on" if on else "off", entry] for i, (entry, on) in enumerate(self.entries)]
        table = html_table(["#", "", "PYTHONPATH entry"], rows, caption="Entries (front of sys.path)")
        return table + self._result_html()

    def _build(self) -> Any:
        import ipywidgets as w

        self._list = w.Select(
            options=[],
            rows=6,
            description="PYTHONPATH",
            layout=w.Layout(width="60%"),
            style={"description_width": "initial"},  # wider than the default 80 px: "PYTHONP…"
        )
        buttons = {
            "up": w.Button(description="\u25b2 up", layout=w.Layout(width="auto")),
            "down": w.Button(description="\u25bc down", layout=w.Layout(width="auto")),
            "toggle": w.Button(description="on/off", layout=w.Layout(width="auto")),
            "remove": w.Button(description="remove", layout=w.Layout(width="auto")),
        }
        self._buttons = buttons
        self._new = w.Text(placeholder="/path/to/dir", description="add")
        self._add = add = w.Button(description="add", layout=w.Layout(width="auto"))
        self._module = w.Text(value=self.module, description="module")
        self._fresh = w.Checkbox(value=self.fresh, description="fresh interpreter")
        self._output = w.HTML()

        def selected() -> int | None:
            return self._list.index

        def on(name: str, action: Any) -> None:
            def handler(_button: Any) -> None:
                index = selected()
                if index is not None:
                    action(index)

            buttons[name].on_click(handler)

        on("up", lambda i: self.move(i, -1))
        on("down", lambda i: self.move(i, 1))
        on("toggle", self.toggle)
        on("remove", self.remove)
        add.on_click(lambda _b: self.add(self._new.value) if self._new.value.strip() else None)

        def module_changed(change: dict[str, Any]) -> None:
            self.module = change["new"].strip() or self.module
            self._changed(selected() or 0)

        def fresh_changed(change: dict[str, Any]) -> None:
            self.fresh = bool(change["new"])
            self._changed(selected() or 0)

        self._module.observe(module_changed, "value")
        self._fresh.observe(fresh_changed, "value")
        box = w.VBox(
            [
                w.HBox([self._module, self._fresh]),
                w.HBox([self._list, w.VBox(list(buttons.values()))]),
                w.HBox([self._new, add]),
                self._output,
            ]
        )
        self._widget = box
        self._sync(0)
        return box

    def _sync(self, selected: int | None) -> None:
        self._list.options = self._entries_text()
        if self.entries and selected is not None and selected >= 0:
            self._list.index = selected
        self._output.value = self._result_html()


# ---------------------------------------------------------------------------------------------
# startup explorer


class StartupExplorer(_Explorer):
    """Pick an interpreter and see how it starts: its landmark walk and sys.path build-up.

    Args:
        interpreters: label -> executable (default: every interpreter
            :func:`pyenvlab.interpreter.discovery.discover_interpreters` finds).
    """

    def __init__(self, interpreters: dict[str, str] | None = None) -> None:
        if interpreters is None:
            from pyenvlab.interpreter.discovery import discover_interpreters

            interpreters = discover_interpreters(this="this kernel")
        self.interpreters = dict(interpreters)
        self.selected = next(iter(self.interpreters))
        self._traces: dict[str, Any] = {}
        self.error: str | None = None

    def select(self, label: str) -> Any:
        """Trace the start of the interpreter ``label`` (cached) and show it."""
        if label not in self.interpreters:
            msg = f"unknown interpreter {label!r}"
            raise PyenvlabError(msg)
        self.selected = label
        trace = self.trace
        if self._widget is not None:
            self._sync()
        return trace

    @property
    def trace(self) -> Any:
        """The startup trace of the selected interpreter (None when it could not be traced)."""
        from pyenvlab import startup

        label = self.selected
        if label not in self._traces:
            try:
                self._traces[label] = startup(self.interpreters[label])
                self.error = None
            except Exception as exc:  # shown in the explorer: a widget callback must not raise
                self._traces[label] = None
                self.error = str(exc) if isinstance(exc, PyenvlabError) else f"{type(exc).__name__}: {exc}"
        return self._traces[label]

    def static_text(self) -> str:
        lines = ["startup explorer: interpreters found:"]
        lines += [f"  {label}: {exe}" for label, exe in self.interpreters.items()]
        return "\n".join(lines)

    def _trace_html(self) -> str:
        trace = self.trace
        if trace is None:
            return _note(f"{self.selected}: {self.error}")
        return _bundle_html(trace)

    def static_html(self) -> str:
        from pyenvlab.render._table import html_table

        rows = [[label, exe] for label, exe in self.interpreters.items()]
        return (
            html_table(["interpreter", "executable"], rows, caption="Interpreters found") + self._trace_html()
        )

    def _build(self) -> Any:
        import ipywidgets as w

        self._choice = w.Dropdown(
            options=list(self.interpreters),
            value=self.selected,
            description="python",
            layout=w.Layout(width="60%"),
        )
        self._view = w.HTML()
        self._choice.observe(lambda change: self.select(change["new"]), "value")
        self._widget = w.VBox([self._choice, self._view])
        self._sync()
        return self._widget

    def _sync(self) -> None:
        if self._choice.value != self.selected:
            self._choice.value = self.selected
        self._view.value = self._trace_html()


# ---------------------------------------------------------------------------------------------
# namespace explorer


class NamespaceExplorer(_Explorer):
    """Browse a ``%%namespace`` result: pick a kind, then a name, and see its object and the
    other names that point at the same module object."""

    KINDS = ("all", "variable", "function", "class", "module")

    def __init__(self, diff: Any) -> None:
        self.diff = diff
        self.kind = "all"
        self.name: str | None = None
        names = self.names()
        self.name = names[0] if names else None

    def _changes(self) -> list[Any]:
        return [*self.diff.added, *self.diff.changed, *self.diff.removed, *self.diff.module_attributes]

    def names(self) -> list[str]:
        """Names of the selected kind."""
        return [c.name for c in self._changes() if self.kind in ("all", c.kind)]

    def choose(self, kind: str | None = None, name: str | None = None) -> str:
        """Select a kind and/or a name; returns the details shown (plain text)."""
        if kind is not None:
            if kind not in self.KINDS:
                msg = f"kind must be one of {', '.join(self.KINDS)}"
                raise PyenvlabError(msg)
            self.kind = kind
            names = self.names()
            self.name = names[0] if names else None
        if name is not None:
            self.name = name
        if self._widget is not None:
            self._sync()
        return self.details()

    def details(self) -> str:
        """The selected name: what happened, its object, and names sharing its module object."""
        change = next((c for c in self._changes() if c.name == self.name), None)
        if change is None:
            return "no name selected"
        what = (
            "added"
            if change in self.diff.added
            else "rebound"
            if change in self.diff.changed
            else "removed"
            if change in self.diff.removed
            else "set on a module"
        )
        text = f"{change.name} ({change.kind}, {what}): {change.value}"
        if change.before:
            text += f" (was {change.before})"
        for shared in self.diff.shared:
            if change.name in shared.names:
                others = [n for n in shared.names if n != change.name]
                text += f"; the same module object as {', '.join(others)}"
        return text

    def static_text(self) -> str:
        from pyenvlab import render

        return render.text(self.diff, width=100, color=False)

    def static_html(self) -> str:
        return _bundle_html(self.diff)

    def _build(self) -> Any:
        import ipywidgets as w

        self._kinds = w.ToggleButtons(options=list(self.KINDS), value=self.kind, description="kind")
        self._names = w.Select(options=self.names(), rows=8, description="name")
        self._detail = w.HTML()
        self._kinds.observe(lambda change: self.choose(kind=change["new"]), "value")
        self._names.observe(lambda change: change["new"] and self.choose(name=change["new"]), "value")
        self._widget = w.VBox([self._kinds, w.HBox([self._names, self._detail]), w.HTML(self.static_html())])
        self._sync()
        return self._widget

    def _sync(self) -> None:
        from pyenvlab.render._escape import html_text

        names = self.names()
        if list(self._names.options) != names:
            self._names.options = names
        if self.name in names and self._names.value != self.name:
            self._names.value = self.name
        if self._kinds.value != self.kind:
            self._kinds.value = self.kind
        self._detail.value = f'<p class="pyenvlab-step">{html_text(self.details())}</p>'


# ---------------------------------------------------------------------------------------------
# import time


class ImportTimeExplorer(_Explorer):
    """The import-time chart of a trace, with its cost table sorted, filtered and zoomed.

    Args:
        trace: a :class:`~pyenvlab.model.Trace` (or a ``TraceView``), e.g. from
            :func:`pyenvlab.trace_import` or ``Trace.from_importtime``.
        order: ``"self"`` (default), ``"cumulative"`` or ``"probes"``.
        top: rows of the table.

    :meth:`sort`, :meth:`zoom` (into the load of one module, ``None`` for the whole trace) and
    :meth:`search` (a substring of module names) change the view, as the widget's controls do.
    Big traces stay readable: the chart never shrinks its text, and zooming redraws one subtree
    at full width.
    """

    def __init__(self, trace: Any, *, order: str = "self", top: int = 20) -> None:
        from pyenvlab.render.trace_views.chart import ORDERS, heavy_subtrees

        self.trace = getattr(trace, "trace", trace)
        if order not in ORDERS:
            msg = f"unknown order {order!r}: use one of {', '.join(ORDERS)}"
            raise PyenvlabError(msg)
        self.order = order
        self.top = top
        self.root: str | None = None
        self.query = ""
        self.zooms = [n.record.name for n in heavy_subtrees(self.trace, limit=12, min_loads=3)]

    def sort(self, order: str) -> str:
        """Sort the table by ``order``; return the table as text."""
        from pyenvlab.render.trace_views.chart import ORDERS

        if order not in ORDERS:
            msg = f"unknown order {order!r}: use one of {', '.join(ORDERS)}"
            raise PyenvlabError(msg)
        self.order = order
        return self._changed()

    def zoom(self, module: str | None) -> str:
        """Draw only the load of ``module`` and what ran inside it (``None``: everything)."""
        if module is not None and module not in {m.name for m in self.trace.modules}:
            msg = f"{module} was not loaded in this trace"
            raise PyenvlabError(msg)
        self.root = module
        return self._changed()

    def search(self, text: str) -> str:
        """List only modules whose name contains ``text`` (empty: all)."""
        self.query = text
        return self._changed()

    def rows(self) -> list[Any]:
        """The :class:`~pyenvlab.render.trace_views.chart.Cost` rows shown, in order."""
        from pyenvlab.render.trace_views.chart import costs, ordered
        from pyenvlab.render.trace_views.load_tree import load_tree, walk

        shown = costs(self.trace)
        if self.root is not None:
            node = next(n for n in walk(load_tree(self.trace.modules)) if n.record.name == self.root)
            inside = {n.index for n in walk([node])}
            shown = [c for c in shown if c.position in inside]
        if self.query:
            shown = [c for c in shown if self.query.lower() in c.name.lower()]
        return ordered(shown, self.order)[: self.top]

    def table_text(self) -> str:
        """The table of :meth:`rows` as terminal text."""
        from pyenvlab.render._table import text_table
        from pyenvlab.render.trace_views.wording import seconds_text

        return text_table(
            ["module", "self", "cumulative", "entries", "probes", "cache hits made"],
            [
                [c.label, seconds_text(c.self), seconds_text(c.cumulative), str(c.entries), str(c.probes),
                 str(c.cache_hits)]
                for c in self.rows()
            ],
            width=100,
            color=False,
        )  # fmt: skip

    def _changed(self) -> str:
        if self._widget is not None:
            self._sync()
        return self.table_text()

    def _view_html(self) -> str:
        from pyenvlab.render._table import CSS, html_table
        from pyenvlab.render.trace_views.chart import ORDERS, svg
        from pyenvlab.render.trace_views.wording import seconds_text

        where = f"inside the load of {self.root}" if self.root else "the whole trace"
        rows = self.rows()
        table = html_table(
            ["module", "self", "cumulative", "entries", "probes", "cache hits made"],
            [
                [c.label, seconds_text(c.self), seconds_text(c.cumulative), str(c.entries), str(c.probes),
                 str(c.cache_hits)]
                for c in rows
            ],
            row_classes=["error" if c.error else "" for c in rows],
            caption=f"Sorted by {ORDERS[self.order]}: {where}"
            + (f", names containing {self.query!r}" if self.query else ""),
        )  # fmt: skip
        chart = svg(self.trace, root=self.root)
        return f'<style>{CSS}</style><div style="overflow:auto;max-height:70vh">{chart}</div>' + table

    def static_text(self) -> str:
        from pyenvlab.render.trace_views.chart import text

        return text(self.trace, top=self.top, order=self.order, width=100)

    def static_html(self) -> str:
        import base64

        from pyenvlab.render.trace_views.chart import svg

        data = base64.b64encode(svg(self.trace, root=self.root).encode("utf-8")).decode("ascii")
        return _note("Import-time explorer; without a live kernel, the chart and the table:") + (
            f'<img alt="import-time chart" src="data:image/svg+xml;base64,{data}">'
            + f"<pre>{_escape_block(self.static_text())}</pre>"
        )

    def _build(self) -> Any:
        import ipywidgets as w

        from pyenvlab.render.trace_views.chart import ORDERS

        self._order = w.ToggleButtons(
            options=[(words, key) for key, words in ORDERS.items()], value=self.order, description="sort by"
        )
        if self.root is not None and self.root not in self.zooms:
            self.zooms.append(self.root)
        self._zoom = w.Dropdown(
            options=[("the whole trace", "")] + [(name, name) for name in self.zooms],
            value=self.root or "",
            description="zoom into",
        )
        self._search = w.Text(value=self.query, description="name has", continuous_update=False)
        self._view = w.HTML()
        self._order.observe(lambda change: self.sort(change["new"]), "value")
        self._zoom.observe(lambda change: self.zoom(change["new"] or None), "value")
        self._search.observe(lambda change: self.search(change["new"]), "value")
        box = w.VBox([w.HBox([self._order]), w.HBox([self._zoom, self._search]), self._view])
        self._widget = box
        self._sync()
        return box

    def _sync(self) -> None:
        if self._order.value != self.order:
            self._order.value = self.order
        if self.root is not None and self.root not in self.zooms:
            self.zooms.append(self.root)
            self._zoom.options = [("the whole trace", "")] + [(name, name) for name in self.zooms]
        if (self._zoom.value or None) != self.root:
            self._zoom.value = self.root or ""
        if self._search.value != self.query:
            self._search.value = self.query
        self._view.value = self._view_html()


def _escape_block(text: str) -> str:
    from pyenvlab.render.display import html_text_block

    return html_text_block(text)


def explore(obj: Any, **options: Any) -> _Explorer:
    """The explorer for ``obj``: a trace (probe stepper) or a ``%%namespace`` result."""
    if type(obj).__name__ == "NamespaceDiff":
        return NamespaceExplorer(obj)
    return ProbeStepper(obj, **options)
