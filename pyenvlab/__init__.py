"""pyenvlab: watch Python's import system work.

pyenvlab records what the *real* import machinery does and shows it::

    >>> import pyenvlab
    >>> with pyenvlab.trace() as t:
    ...     import colorsys                                         # doctest: +SKIP
    >>> t.module("colorsys").hit.entry                              # doctest: +SKIP
    '/usr/lib/python3.12'

The public API (design contract):

- :func:`trace` records imports in this process (a context manager yielding a :class:`Trace`);
- :func:`trace_import` records them in a fresh interpreter (this one, a venv's, another
  version's) and returns the :class:`Trace`;
- :func:`where` lists every place along the path that provides a module, like ``which -a``;
- :func:`startup` shows how an interpreter found its prefix and built ``sys.path``;
- :func:`deps` and :func:`abi` inspect installed distributions and compiled extensions;
- :mod:`pyenvlab.render` turns any record into text, HTML, a Graphviz graph or a report.

``import pyenvlab`` imports nothing but this file: every name is loaded on first use, so the
tool does not fill ``sys.modules`` with the modules whose imports it is meant to show.
"""

TYPE_CHECKING = False
if TYPE_CHECKING:  # the type checker sees the real names; at run time they load lazily
    from typing import Any

    from pyenvlab import render
    from pyenvlab._version import __version__ as __version__
    from pyenvlab.anatomy import abi, deps
    from pyenvlab.candidates import where
    from pyenvlab.errors import InterpreterError, PyenvlabError, TraceFormatError
    from pyenvlab.interpreter import StartupTrace, startup
    from pyenvlab.model import Candidate, ModuleRecord, Probe, Statement, Trace, Visit
    from pyenvlab.tracing import trace, trace_import


# public name -> module that defines it
_LAZY = {
    "trace": "pyenvlab.tracing",
    "trace_import": "pyenvlab.tracing",
    "where": "pyenvlab.candidates",
    "startup": "pyenvlab.interpreter",
    "StartupTrace": "pyenvlab.interpreter",
    "deps": "pyenvlab.anatomy",
    "abi": "pyenvlab.anatomy",
    "Trace": "pyenvlab.model",
    "ModuleRecord": "pyenvlab.model",
    "Visit": "pyenvlab.model",
    "Probe": "pyenvlab.model",
    "Statement": "pyenvlab.model",
    "Candidate": "pyenvlab.model",
    "PyenvlabError": "pyenvlab.errors",
    "TraceFormatError": "pyenvlab.errors",
    "InterpreterError": "pyenvlab.errors",
}

__all__ = [
    "Candidate",
    "InterpreterError",
    "ModuleRecord",
    "Probe",
    "PyenvlabError",
    "StartupTrace",
    "Statement",
    "Trace",
    "TraceFormatError",
    "Visit",
    "abi",
    "deps",
    "load_ipython_extension",
    "render",
    "startup",
    "trace",
    "trace_import",
    "unload_ipython_extension",
    "where",
]


def __getattr__(name: str) -> "Any":
    # __import__ rather than importlib.import_module: `importlib` itself is not loaded in a
    # fresh interpreter, and `pyenvlab.trace` must not load it (see tracing.py).
    if name == "render":
        return __import__("pyenvlab.render", fromlist=["render"])
    if name == "__version__":
        return __import__("pyenvlab._version", fromlist=["__version__"]).__version__
    module = _LAZY.get(name)
    if module is None:
        msg = f"module 'pyenvlab' has no attribute {name!r}"
        raise AttributeError(msg)
    value = getattr(__import__(module, fromlist=[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])


def load_ipython_extension(ipython: "Any") -> None:
    """``%load_ext pyenvlab``: register the magics (loading twice is harmless)."""
    from pyenvlab.jupyter import load

    load(ipython)


def unload_ipython_extension(ipython: "Any") -> None:
    """``%unload_ext pyenvlab``: remove the magics and restore all import state."""
    from pyenvlab.jupyter import unload

    unload(ipython)
