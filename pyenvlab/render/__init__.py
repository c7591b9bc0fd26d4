"""Renderers: pure functions from pyenvlab's records to text, HTML, Graphviz and reports.

Nothing here touches the import system: a renderer reads a record and returns a string (or a
``graphviz.Digraph``). Each record kind has a *views* module in this package with the same three
functions, ``text(obj, *, width, color)``, ``html(obj)`` and ``dot(obj, **view_options)``; the
functions below find the right module for an object by its class name.

Example:
    >>> from pyenvlab.model import Trace
    >>> t = Trace(python="3.12.1", executable="python", sys_path=(), modules=(), statements=())
    >>> "no modules" in text(t)
    True
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType
from typing import Any

__all__ = ["dot", "html", "mimebundle", "report", "text"]

#: record class name -> views module (relative to this package)
VIEWS: dict[str, str] = {
    "Trace": "trace_views",
    "ModuleRecord": "trace_views",
    "Candidates": "trace_views",
    "StartupTrace": "startup_views",
    "PathReport": "startup_views",
    "DoctorReport": "startup_views",
    "VenvReport": "startup_views",
    "DepGraph": "anatomy_views",
    "AbiReport": "anatomy_views",
    "CondaEnv": "anatomy_views",
    "EnvExport": "anatomy_views",
    "EnvDiff": "anatomy_views",
    "RelocationReport": "anatomy_views",
    "NamespaceDiff": "jupyter_views",
    "TraceView": "jupyter_views",
    "ProbeStep": "jupyter_views",
}


def views_for(obj: object) -> ModuleType:
    """The views module that renders ``obj``.

    Raises:
        TypeError: if pyenvlab has no renderer for this kind of object.
    """
    for cls in type(obj).__mro__:
        module = VIEWS.get(cls.__name__)
        if module is not None:
            return importlib.import_module(f"{__name__}.{module}")
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
    notebooks too; ``.source`` is the DOT text, ``.pipe(format=...)`` renders it.
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
