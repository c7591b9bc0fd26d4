"""The Jupyter layer: ``%load_ext pyenvlab`` magics and ipywidgets explorers.

Thin glue over :mod:`pyenvlab.tracing`, :func:`pyenvlab.where`, the startup and anatomy APIs and
:mod:`pyenvlab.render`: every magic returns a record (or a :class:`~pyenvlab.jupyter.records.TraceView`)
that displays itself. IPython and ipywidgets are imported only when the extension loads or an
explorer is built.

``load(ipython)`` registers the magics (twice is harmless); ``unload(ipython)`` stops any
tracer a magic left running, removes the magics, and checks that ``builtins.__import__``,
``sys.meta_path``, ``sys.path_hooks`` and the importlib internals are what they were.
"""

from __future__ import annotations

import warnings
from typing import Any

__all__ = ["import_state", "load", "unload"]

#: id(shell) -> (its magics, :class:`pyenvlab.jupyter.magics.Registration`; import state when the
#: extension was loaded)
_loaded: dict[int, tuple[Any, dict[str, object]]] = {}


def import_state() -> dict[str, object]:
    """Everything an import tracer may patch: compare two of these to prove nothing changed.

    The recorder's own table (:data:`pyenvlab._probe.recorder.PATCH_POINTS`), so what
    ``%unload_ext`` checks is exactly what the recorder touches.
    """
    from pyenvlab._probe.recorder import import_state as recorder_state

    return recorder_state()


def load(ipython: Any) -> None:
    """Register pyenvlab's magics in ``ipython`` (an ``InteractiveShell``). Idempotent."""
    if id(ipython) in _loaded:
        return
    from pyenvlab.jupyter.magics import register

    _loaded[id(ipython)] = (register(ipython), import_state())


def unload(ipython: Any) -> list[str]:
    """Remove the magics from ``ipython`` and restore the import state pyenvlab touched.

    Returns the names of import-state items that still differ from when the extension was
    loaded (empty when everything is back; a warning names them otherwise, e.g. when another
    tool patched ``builtins.__import__`` in between).
    """
    entry = _loaded.pop(id(ipython), None)
    if entry is None:
        return []
    registration, before = entry
    registration.remove()  # stops any tracer a magic left running
    after = import_state()
    changed = [key for key in before if before[key] != after[key]]
    if changed:
        warnings.warn(
            f"pyenvlab unloaded, but these differ from when it was loaded: {', '.join(changed)}",
            RuntimeWarning,
            stacklevel=2,
        )
    return changed
