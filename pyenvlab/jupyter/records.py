"""Displayable results of the magics that are not records of their own.

A :class:`TraceView` is a :class:`~pyenvlab.model.Trace` plus the view options given to
``%%trace_imports`` (``--view scan --module json``...): it displays the trace drawn with those
options. Both display like every record (the :class:`~pyenvlab._records.Displayable` mixin); their
views are in :mod:`pyenvlab.render.jupyter_views`, which each class names in ``_pyenvlab_views_``
(the renderers may not import this layer to look them up).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyenvlab._records import Displayable
from pyenvlab.jupyter.namespace import NamespaceDiff
from pyenvlab.model import ModuleRecord, Trace
from pyenvlab.render.view_options import ViewOptions

__all__ = ["NamespaceDiff", "ProbeStep", "Step", "TraceView", "steps"]


class TraceView(Displayable):
    """An import trace to display with particular view options.

    ``where`` is ``"kernel"`` (traced in this process: modules the kernel already holds are
    cache hits), ``"fresh"`` (traced in a new interpreter: the real search) or ``"browser"``
    (``--fresh`` in Pyodide: traced in this process with the cell's modules forgotten). ``options`` are
    the graph's :class:`~pyenvlab.render.view_options.ViewOptions`. ``raised`` is
    the exception the cell ended with (``"ExcType: message"``), if any.
    """

    def __init__(
        self,
        trace: Trace,
        *,
        where: str = "kernel",
        options: ViewOptions | Mapping[str, Any] | None = None,
        raised: str | None = None,
    ) -> None:
        self.trace = trace
        self.where = where
        self.options = ViewOptions.of(options)
        self.raised = raised if raised is not None else getattr(trace, "raised", None)

    def save(self, path: str | Path) -> Path:
        """Save the trace (JSON, readable by ``Trace.load``)."""
        return self.trace.save(path)

    def __repr__(self) -> str:
        return f"<TraceView of {len(self.trace.modules)} module loads ({self.where})>"

    @staticmethod
    def _pyenvlab_views_() -> Any:
        """The views that draw this record (see :func:`pyenvlab.render.views_for`)."""
        from pyenvlab.render import jupyter_views

        return jupyter_views.TRACE_VIEW


@dataclass(frozen=True)
class Step:
    """One step of an import's search, in the order it happened.

    ``kind`` is ``start``, ``visit`` (the search reaches a path entry), ``probe`` (a filesystem
    check there), ``verdict`` (the entry's answer), ``load`` (a probe while loading) or
    ``end``. ``visit`` indexes ``record.searched``; ``probe`` indexes ``record.probes``.
    """

    kind: str
    visit: int | None = None
    probe: int | None = None


def steps(record: ModuleRecord) -> tuple[Step, ...]:
    """The steps of ``record``'s search: each visited entry, its probes in order, its verdict."""
    out = [Step("start")]
    for v, visit in enumerate(record.searched):
        out.append(Step("visit", visit=v))
        for p, probe in enumerate(record.probes):
            if probe.entry == visit.entry:
                out.append(Step("probe", visit=v, probe=p))
        out.append(Step("verdict", visit=v))
    for p, probe in enumerate(record.probes):
        if probe.entry is None:
            out.append(Step("load", probe=p))
    out.append(Step("end"))
    return tuple(out)


class ProbeStep(Displayable):
    """One moment of an import's search: ``record`` at step ``index`` of :func:`steps`.

    Displays itself (the scan table and graph with the current entry and probe highlighted, and
    a sentence saying what the import system is doing); the probe stepper shows one of these.
    """

    def __init__(self, record: ModuleRecord, sys_path: tuple[str, ...] = (), index: int = 0) -> None:
        self.record = record
        self.sys_path = tuple(sys_path)
        self.steps = steps(record)
        self.index = max(0, min(index, len(self.steps) - 1))

    @property
    def step(self) -> Step:
        """The current step."""
        return self.steps[self.index]

    def at(self, index: int) -> ProbeStep:
        """The same search at another step."""
        return ProbeStep(self.record, self.sys_path, index)

    def __repr__(self) -> str:
        return f"<ProbeStep {self.record.name} {self.index + 1}/{len(self.steps)}>"

    @staticmethod
    def _pyenvlab_views_() -> Any:
        """The views that draw this record (see :func:`pyenvlab.render.views_for`)."""
        from pyenvlab.render import jupyter_views

        return jupyter_views.PROBE_STEP
