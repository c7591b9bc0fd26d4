"""How a record shows itself in IPython: its tables, then its graph, as two outputs.

Records display through the :class:`~pyenvlab._records.Displayable` mixin: ``_repr_mimebundle_``
(one bundle, for any front end) and, in IPython, ``_ipython_display_``, which calls
:func:`ipython_display`. The bundles are built by :func:`pyenvlab.render.display.outputs`
(renderers know no IPython); this module only hands them to IPython, which is imported here,
when something is displayed, and nowhere else outside :mod:`pyenvlab.jupyter`.
"""

from __future__ import annotations

__all__ = ["ipython_display"]


def ipython_display(obj: object) -> None:
    """Show ``obj`` in IPython as two outputs: the tables, then the graph (SVG and PNG), so the
    graph shows in trusted notebooks (SVG) and untrusted ones (PNG) alike."""
    from IPython.display import display

    from pyenvlab.render.display import shown_outputs

    for bundle, metadata in shown_outputs(obj):
        if metadata:
            display(bundle, raw=True, metadata=metadata)
        else:
            display(bundle, raw=True)
