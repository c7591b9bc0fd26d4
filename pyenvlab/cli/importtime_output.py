"""``trace --importtime FILE``: write a trace as ``python -X importtime`` prints it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pyenvlab.errors import PyenvlabError

if TYPE_CHECKING:
    from pyenvlab.model import Trace

__all__ = ["write_importtime"]


def write_importtime(trace: Trace, path: str, *, cached: bool = False) -> None:
    """Write ``trace``'s loads to ``path`` in the ``-X importtime`` format (atomically)."""
    from pyenvlab import render
    from pyenvlab._files import write_text

    try:
        write_text(path, render.importtime(trace, cached=cached))
    except OSError as exc:
        msg = f"cannot write {path}: {exc.strerror or exc}"
        raise PyenvlabError(msg) from None
