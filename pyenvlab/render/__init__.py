"""Renderers: pure functions from pyenvlab's records to text, HTML, Graphviz and reports.

Nothing here touches the import system: a renderer reads a record and returns a string (or a
``graphviz.Digraph``). Each family of records has *views* in this package, the same three
functions: ``text(obj, *, width, color)``, ``html(obj)`` and ``dot(obj, **view_options)``.
:func:`views_for` says which views draw which record, in plain code: the records of the core are
listed there by class; an object of another layer (the Jupyter layer's ``TraceView``...), which
this package must not import, names its own views with a ``_pyenvlab_views_()`` static method.

Example:
    >>> from pyenvlab.model import Trace
    >>> t = Trace(python="3.12.1", executable="python", sys_path=(), modules=(), statements=())
    >>> "no modules" in text(t)
    True
    >>> views_for(t).__name__
    'pyenvlab.render.trace_views'
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

__all__ = ["Views", "chart", "dot", "html", "importtime", "mimebundle", "report", "text", "views_for"]


class Views(Protocol):
    """What draws one kind of record: a views module of this package, or any object with these
    three functions (see :data:`pyenvlab.render.jupyter_views.TRACE_VIEW`)."""

    def text(self, obj: Any, *, width: int | None = None, color: bool | None = None) -> str:
        """Terminal text."""
        ...  # pragma: no cover - a protocol

    def html(self, obj: Any) -> str:
        """An escaped HTML fragment."""
        ...  # pragma: no cover - a protocol

    def dot(self, obj: Any, **view_options: Any) -> Any:
        """A ``graphviz.Digraph`` (or ``None``: no graph for this record)."""
        ...  # pragma: no cover - a protocol


def views_for(obj: object) -> Views:
    """The views that render ``obj``.

    Each record module is imported only when no earlier family matched, so drawing an import
    trace loads neither the startup nor the anatomy records.

    Raises:
        TypeError: if pyenvlab has no renderer for this kind of object.
    """
    declared = getattr(type(obj), "_pyenvlab_views_", None)
    if declared is not None:
        return declared()
    from pyenvlab.candidates import Candidates
    from pyenvlab.model import ModuleRecord, Trace

    if isinstance(obj, (Trace, ModuleRecord, Candidates)):
        from pyenvlab.render import trace_views

        return trace_views
    from pyenvlab.interpreter.records import DoctorReport, PathReport, StartupTrace, VenvReport

    if isinstance(obj, (StartupTrace, PathReport, DoctorReport, VenvReport)):
        from pyenvlab.render import startup_views

        return startup_views
    from pyenvlab.anatomy.records import AbiReport, CondaEnv, DepGraph, EnvDiff, EnvExport, RelocationReport

    if isinstance(obj, (DepGraph, AbiReport, CondaEnv, EnvExport, EnvDiff, RelocationReport)):
        from pyenvlab.render import anatomy_views

        return anatomy_views
    msg = f"pyenvlab cannot render a {type(obj).__name__} object"
    raise TypeError(msg)


def text(obj: object, *, width: int | None = None, color: bool | None = None) -> str:
    """A readable terminal rendering of ``obj``.

    ``width`` defaults to the terminal's width (80 when not a terminal); ``color`` defaults to
    whether standard output is a terminal. All user text is escaped for the terminal.
    """
    return views_for(obj).text(obj, width=width, color=color)


def html(obj: object) -> str:
    """An HTML fragment (tables, no scripts) with all user text escaped."""
    return views_for(obj).html(obj)


def dot(obj: object, **view_options: Any) -> Any:
    """A ``graphviz.Digraph`` of ``obj`` (the graphviz package is imported here, not before).

    The graph is a subclass that Jupyter shows as SVG and PNG, so it shows in untrusted
    notebooks too; ``.source`` is the DOT text, ``.pipe(format=...)`` renders it. The view
    options of an import trace are those of :class:`pyenvlab.render.view_options.ViewOptions`.
    """
    return views_for(obj).dot(obj, **view_options)


def mimebundle(obj: object, include: Any = None, exclude: Any = None) -> dict[str, Any]:
    """The Jupyter display bundle of ``obj``: text/plain and text/html, plus SVG and PNG of the
    default graph when Graphviz is installed."""
    from pyenvlab.render import display

    return display.mimebundle(obj, include=include, exclude=exclude)


def report(obj: object, path: str | Path) -> Path:
    """Write a self-contained HTML report of ``obj`` (inline SVG, no network) to ``path``."""
    from pyenvlab.render import standalone

    return standalone.write(obj, Path(path))


def chart(trace: Any, *, root: str | None = None, top: int = 15, order: str = "self") -> Any:
    """The import-time chart of ``trace``: an icicle of the load tree (width = time, self time
    darker, search cost and cache hits marked) that Jupyter shows as SVG, with the ``top``
    loads by ``order`` (``self``, ``cumulative``, ``probes``) as its text form; ``root`` zooms
    into one load. See :mod:`pyenvlab.render.trace_views.chart`."""
    from pyenvlab.render.trace_views.chart import ImportTimeChart

    return ImportTimeChart(trace, root=root, top=top, order=order)


def importtime(trace: Any, *, cached: bool = False) -> str:
    """``trace`` as ``python -X importtime`` prints it (``cached=True``: as ``-X importtime=2``,
    with a line per cache hit), for tools that read those logs (see :mod:`pyenvlab.importtime`)."""
    from pyenvlab.importtime import write

    return write(trace, cached=cached)
