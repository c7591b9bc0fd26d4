"""Views of import traces: :class:`~pyenvlab.model.Trace`, :class:`~pyenvlab.model.ModuleRecord`
and ``Candidates`` (what :func:`pyenvlab.where` returns).

Three renderers, pure functions over the records (nothing here imports or searches anything):

- :func:`text`: terminal tables (what ``python -m pyenvlab trace`` prints);
- :func:`html`: the same tables as an escaped HTML fragment;
- :func:`dot`: a ``graphviz.Digraph``: the *import tree* of a trace (collapsed so a
  1000-module trace stays readable) or the *scan* of one import (each search-path entry in order,
  the probes made there, the hit).

The package is built like a small pipeline: :mod:`.queries` asks the records questions,
:mod:`.grouping` folds the tree into typed :class:`~.grouping.Group` nodes, :mod:`.wording`
turns records into words and rows, and :mod:`.text_views`, :mod:`.html_views` and
:mod:`.dot_views` lay those out for one format each. The names below are the ones other views
(the probe stepper, reports) use.

Vocabulary shown to the reader (the same colours everywhere): *hit* (green: the entry that
provided the module), *miss* (grey: searched in vain), *namespace* (blue: a namespace-package
portion), *error* (red), *cache hit* (dashed: the module was already in ``sys.modules``, so
nothing was searched or executed), *frozen* / *built-in* (served by the interpreter itself, no
file searched).

Example:
    >>> from pyenvlab.model import ModuleRecord, Trace, Visit
    >>> rec = ModuleRecord("colorsys", "/lib/colorsys.py", "PathFinder",
    ...                    searched=(Visit("/work", "FileFinder", "miss"),
    ...                              Visit("/lib", "FileFinder", "hit")))
    >>> t = Trace(python="3.12.1", executable="python", sys_path=("/work", "/lib"),
    ...           modules=(rec,), statements=())
    >>> print(text(t, width=100).splitlines()[1])
    1 module loaded, 2 search-path entries visited by 1 search, 0 probes, 0 cache hits
"""

from __future__ import annotations

from pyenvlab.render._table import CSS
from pyenvlab.render.trace_views.dot_views import dot
from pyenvlab.render.trace_views.grouping import Group, group_modules
from pyenvlab.render.trace_views.html_views import html
from pyenvlab.render.trace_views.queries import (
    cache_hits,
    depths,
    is_stdlib,
    probes_at,
    scan_targets,
    stdlib_names,
    top_level,
    total_seconds,
)
from pyenvlab.render.trace_views.text_views import text
from pyenvlab.render.trace_views.wording import (
    KIND_WORDS,
    OUTCOME_WORDS,
    SCAN_HEADERS,
    entry_text,
    fill,
    probe_groups,
    probe_words,
    probes_words,
    scan_rows,
    scan_story,
    seconds_text,
    summary,
    where_found,
)

__all__ = [
    "CSS",
    "KIND_WORDS",
    "OUTCOME_WORDS",
    "SCAN_HEADERS",
    "Group",
    "cache_hits",
    "depths",
    "dot",
    "entry_text",
    "fill",
    "group_modules",
    "html",
    "is_stdlib",
    "probe_groups",
    "probe_words",
    "probes_at",
    "probes_words",
    "scan_rows",
    "scan_story",
    "scan_targets",
    "seconds_text",
    "stdlib_names",
    "summary",
    "text",
    "top_level",
    "total_seconds",
    "where_found",
]
