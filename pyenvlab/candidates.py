"""``which -a`` for Python modules: the candidates along the path that could provide a name.

This module is ``pyenvlab.candidates`` (not ``pyenvlab.where``) so that importing it never
hides the public function :func:`pyenvlab.where`.


``where("json")`` asks each ``sys.path`` entry's real path-entry finder (the one in
``sys.path_importer_cache``, or one made by ``sys.path_hooks`` *without* caching it) whether it
has ``json``, in path order, after the meta-path finders that come before ``PathFinder``
(built-in and frozen modules win over any file). It never imports the module, never creates
cache entries, and never asks a finder that would execute code.

Which candidate wins follows PathFinder's rule: the first entry with a module or a regular
package wins; namespace portions found before it are dropped; when only portions exist, they
all win together, as one namespace package.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from importlib.machinery import BuiltinImporter, FrozenImporter

from pyenvlab._records import Displayable, replace
from pyenvlab.errors import PyenvlabError
from pyenvlab.model import Candidate, module_kind

__all__ = ["Candidates", "where"]


class Candidates(Displayable, list):  # type: ignore[type-arg]
    """The answer of :func:`where`: a list of :class:`~pyenvlab.model.Candidate` in path order.

    It displays itself in Jupyter as a table (``which -a`` style), like every record (the
    :class:`~pyenvlab._records.Displayable` mixin), and has :attr:`winner`.
    """

    def __init__(self, name: str, items: Iterable[Candidate] = (), *, searched: Iterable[str] = ()) -> None:
        super().__init__(items)
        self.name = name
        #: the search-path entries that were looked through (what "not found" refers to)
        self.searched = tuple(searched)

    @property
    def winner(self) -> Candidate | None:
        """The candidate an import would use (the first portion, for a namespace package)."""
        for candidate in self:
            if candidate.wins:
                return candidate
        return None

    @property
    def shadowed(self) -> list[Candidate]:
        """Candidates that exist but lose to an earlier one."""
        return [c for c in self if not c.wins]


def _finder_for(entry: str) -> object | None:
    """The path-entry finder for ``entry``, without touching ``sys.path_importer_cache``."""
    key = entry
    if entry == "":
        try:
            key = os.getcwd()
        except FileNotFoundError:
            return None
    if key in sys.path_importer_cache:
        return sys.path_importer_cache[key]
    for hook in sys.path_hooks:
        try:
            return hook(key)
        except ImportError:
            continue
    return None


def _candidate(name: str, entry: str, spec: object, finder: object) -> Candidate:
    origin = getattr(spec, "origin", None)
    locations = getattr(spec, "submodule_search_locations", None)
    loader = getattr(spec, "loader", None)
    loader_name = None
    if loader is not None:
        loader_name = loader.__name__ if isinstance(loader, type) else type(loader).__name__
    if loader is None and locations is not None:
        origin = None
    kind = module_kind(origin, tuple(locations) if locations is not None else None, loader_name)
    finder_name = finder.__name__ if isinstance(finder, type) else type(finder).__name__
    return Candidate(name=name, entry=entry, origin=origin, kind=kind, wins=False, finder=finder_name)


def _search(name: str, entries: Iterable[str]) -> list[tuple[Candidate, object]]:
    found = []
    for entry in entries:
        if not isinstance(entry, str):
            continue
        finder = _finder_for(entry)
        find_spec = getattr(finder, "find_spec", None)
        if find_spec is None:
            continue
        try:
            spec = find_spec(name)
        except (ImportError, OSError, ValueError):
            continue
        if spec is not None:
            found.append((_candidate(name, entry, spec, finder), spec))
    return found


def _choose(found: list[tuple[Candidate, object]]) -> list[tuple[Candidate, object]]:
    """Mark the winner(s) by PathFinder's rule."""
    for index, (_, spec) in enumerate(found):
        if getattr(spec, "loader", None) is not None:
            return [(replace(c, wins=i == index), s) for i, (c, s) in enumerate(found)]
    return [(replace(c, wins=c.kind == "namespace"), s) for c, s in found]


def _where(name: str, entries: list[str]) -> list[tuple[Candidate, object]]:
    parent, _, _tail = name.rpartition(".")
    if parent:
        locations: list[str] = []
        for candidate, spec in _where(parent, entries):
            if candidate.wins:
                locations.extend(getattr(spec, "submodule_search_locations", None) or [])
        return _choose(_search(name, locations))
    for importer in (BuiltinImporter, FrozenImporter):
        spec = importer.find_spec(name)
        if spec is not None:
            first = Candidate(
                name=name,
                entry=f"<{importer.__name__}>",
                origin=spec.origin,
                kind="builtin" if importer is BuiltinImporter else "frozen",
                wins=True,
                finder=importer.__name__,
            )
            return [(first, spec), *_search(name, entries)]
    return _choose(_search(name, entries))


def where(name: str, *, path: Iterable[str] | None = None) -> Candidates:
    """Every place that could provide module ``name``, in the order the import system looks.

    Args:
        name: a module name; for a dotted name, the parent package that would win is found
            first and the last part is searched in its ``__path__`` (all portions of a
            namespace parent).
        path: the entries to search, default ``sys.path``.

    Returns:
        :class:`Candidates`, where exactly one candidate (or every namespace portion) wins.
        A built-in or frozen module wins over any file of the same name.

    Raises:
        PyenvlabError: if ``name`` is not a module name.

    Example:
        >>> where("json").winner.kind
        'package'
    """
    if not isinstance(name, str) or not name or any(not part.isidentifier() for part in name.split(".")):
        msg = f"not a module name: {name!r}"
        raise PyenvlabError(msg)
    entries = list(sys.path if path is None else path)
    return Candidates(name, (candidate for candidate, _spec in _where(name, entries)), searched=entries)
