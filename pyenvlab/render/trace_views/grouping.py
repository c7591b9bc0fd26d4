"""Folding an import tree to a readable size: processors over typed groups.

The tree view draws one node per :class:`Group`. A group is one module, or several folded
together: a top-level package with its submodules, the standard library, a module with what it
imported (a *subtree*), or "other modules" (what did not fit the node budget). Each processor
folds modules into groups and never hides one, so every module is drawn somewhere and counts
stay right; :func:`group_modules` runs them in order.

Example:
    >>> from pyenvlab.model import ModuleRecord, Trace
    >>> mods = (ModuleRecord("email", None, "PathFinder"),
    ...         ModuleRecord("email.parser", None, "PathFinder", imported_by="email"))
    >>> t = Trace(python="3.12.1", executable="python", sys_path=(), modules=mods, statements=())
    >>> group_modules(t, collapse="package")["email.parser"]
    Group(kind='package', name='email', anchor=None)
    >>> print(group_modules(t, collapse="none", depth=0)["email.parser"])
    email/…
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from pyenvlab.model import ModuleRecord, Trace
from pyenvlab.render.trace_views.queries import depths, is_stdlib, stdlib_names

__all__ = ["Group", "GroupKind", "group_modules", "members"]

GroupKind = Literal["module", "package", "stdlib", "other", "subtree"]


@dataclass(frozen=True)
class Group:
    """A node of the import tree and what it holds.

    ``kind`` is ``module`` (the module ``name``, drawn alone; a module loaded twice is one
    group), ``package`` (the top-level package ``name`` and its submodules), ``stdlib`` (the
    standard library), ``other`` (what did not fit the node budget) or ``subtree`` (the group
    ``anchor`` and every module imported beneath it).
    """

    kind: GroupKind
    name: str = ""
    anchor: Group | None = None

    @classmethod
    def module(cls, name: str) -> Group:
        """One module."""
        return cls("module", name)

    @classmethod
    def package(cls, name: str) -> Group:
        """A top-level package and its submodules."""
        return cls("package", name)

    @classmethod
    def subtree(cls, anchor: Group) -> Group:
        """``anchor`` and what it imported."""
        return cls("subtree", anchor=anchor)

    @property
    def folds_others(self) -> bool:
        """Whether modules beneath this group's own fold into it (a package or a subtree)."""
        return self.kind in ("package", "subtree")

    @property
    def catch_all(self) -> bool:
        """Whether this group gathers modules by a rule rather than by the tree (the standard
        library, "other modules", or what either of them imported): depth does not refold it."""
        if self.kind == "subtree" and self.anchor is not None:
            return self.anchor.catch_all
        return self.kind in ("stdlib", "other")

    @property
    def title(self) -> str:
        """What the graph calls this group (``email.*``: the package email and its submodules)."""
        if self.kind == "package":
            return f"{self.name}.*"
        if self.kind == "stdlib":
            return "standard library"
        if self.kind == "other":
            return "other modules"
        if self.kind == "subtree" and self.anchor is not None:
            return f"{self.anchor.title} and what it imported"
        return self.name

    def __str__(self) -> str:
        """A short form for reading (never parsed): ``json``, ``email.*``, ``<stdlib>``,
        ``<other>``, ``json/…``."""
        if self.kind == "package":
            return f"{self.name}.*"
        if self.kind in ("stdlib", "other"):
            return f"<{self.kind}>"
        if self.kind == "subtree":
            return f"{self.anchor}/\u2026"
        return self.name


STDLIB = Group("stdlib")
OTHER = Group("other")


class Grouping:
    """The modules of a trace, the group each is drawn in, and the import tree between them."""

    def __init__(self, trace: Trace) -> None:
        self.trace = trace
        self.modules = list(trace.modules)
        names = {m.name for m in self.modules}
        self.parent = {
            m.name: (m.imported_by if m.imported_by in names and m.imported_by != m.name else None)
            for m in reversed(self.modules)
        }
        self.levels = depths(self.modules)
        self.key = {m.name: Group.module(m.name) for m in self.modules}
        #: each name once, in first-load order (a reloaded module is one entry)
        self.names = list(dict.fromkeys(m.name for m in self.modules))

    def ancestors(self, name: str) -> list[str]:
        """The importers of ``name``, nearest first (a loop in the records ends the chain)."""
        chain, seen = [], set()
        parent = self.parent.get(name)
        while parent is not None and name not in seen:
            seen.add(name)
            chain.append(parent)
            name, parent = parent, self.parent.get(parent)
        return chain

    def anchors(self, limit: int) -> dict[str, str]:
        """The ancestor at depth ``limit`` of each module nested deeper, in one pass.

        A module's depth is its importer's plus one, and its importer was loaded before it
        (:func:`~.queries.depths`), so the importers of a deep module step up one level at a
        time: its ancestor at ``limit`` is its importer's (or the importer itself).
        """
        levels, parent = self.levels, self.parent
        out: dict[str, str] = {}
        for name in self.names:
            level = levels.get(name, 0)
            if level == limit + 1:
                out[name] = parent[name]  # type: ignore[assignment]
            elif level > limit + 1:
                out[name] = out[parent[name]]  # type: ignore[index]
        return out

    def count(self) -> int:
        """The number of nodes the graph would draw now."""
        return len(set(self.key.values()))


def _into(group: Group) -> Group:
    """The group a module folded beneath ``group``'s module joins: the group itself when it
    folds others (a package, a subtree), else the subtree of it."""
    return group if group.folds_others else Group.subtree(group)


def _canonical(group: Group) -> Group:
    """``group`` with a subtree taken back to its anchor (they count as one node at least)."""
    return group.anchor if group.kind == "subtree" and group.anchor is not None else group


# -- the processors, in the order group_modules runs them ------------------------------------


def keep_matching(grouping: Grouping, match: str | Callable[[ModuleRecord], bool]) -> None:
    """Keep the modules ``match`` accepts (a name prefix, or a predicate) and their importers;
    fold every other module into its nearest kept importer, or into "other modules"."""

    def by_prefix(record: ModuleRecord) -> bool:
        return record.name == match or record.name.startswith(f"{match}.")

    accepts = match if callable(match) else by_prefix
    parent = grouping.parent
    keep = {m.name for m in grouping.modules if accepts(m)}
    closed: set[str] = set()  # names whose importers are all kept already
    for name in list(keep):
        walk = name
        while walk is not None and walk not in closed:
            closed.add(walk)
            keep.add(walk)
            walk = parent.get(walk)
    nearest: dict[str, str | None] = {}  # name -> its nearest kept importer (None: none)
    for m in grouping.modules:
        if m.name in keep:
            continue
        if m.name not in nearest:  # walk up to a kept importer or a known answer, once
            path, walk, found = [], m.name, None
            seen: set[str] = set()
            while walk not in seen:
                seen.add(walk)
                path.append(walk)
                up = parent.get(walk)
                if up is None:
                    break
                if up in keep or up in nearest:
                    found = up if up in keep else nearest[up]
                    break
                walk = up
            for step in path:
                nearest[step] = found
        found = nearest[m.name]
        grouping.key[m.name] = Group.subtree(Group.module(found)) if found else OTHER


def fold_packages(grouping: Grouping) -> None:
    """One node per top-level package: its submodules, and the package itself, fold into it."""
    key = grouping.key
    for m in grouping.modules:
        if "." in m.name and key[m.name] == Group.module(m.name):
            key[m.name] = Group.package(m.name.split(".", 1)[0])
    packages = set(key.values())
    for m in grouping.modules:
        if key[m.name] == Group.module(m.name) and Group.package(m.name) in packages:
            key[m.name] = Group.package(m.name)


def fold_stdlib(grouping: Grouping, names: frozenset[str]) -> None:
    """One node for every standard-library module (see :func:`~.queries.is_stdlib`)."""
    for m in grouping.modules:
        if is_stdlib(m, names):
            grouping.key[m.name] = STDLIB


def fold_depth(grouping: Grouping, limit: int) -> None:
    """Modules nested deeper than ``limit`` fold into their ancestor at depth ``limit``."""
    key, levels = grouping.key, grouping.levels
    anchors = grouping.anchors(limit)
    for name in grouping.names:
        if levels.get(name, 0) > limit and not key[name].catch_all:
            key[name] = _into(key[anchors[name]])
    _join_anchors(key)


def _join_anchors(key: dict[str, Group]) -> None:
    """A module whose own node has a subtree node beneath it joins that subtree node."""
    subtrees = set(key.values())
    for name, group in key.items():
        if not group.folds_others and Group.subtree(group) in subtrees:
            key[name] = Group.subtree(group)


class _DepthCuts:
    """What :func:`fit_budget`'s depth cuts leave, for any final depth, in linear time.

    The budget folds depth level by level: ``fold_depth(limit)`` for ``limit = D-1, D-2, ...``
    (``D`` the deepest level) until the graph fits. Run literally that is quadratic in the
    depth (a chain of 40,000 imports is 40,000 levels). The state after the cuts down to ``K``
    has a closed form, computed here from the keys before the first cut (``key0``):

    - a module deeper than ``K`` whose group is not a catch-all one ends in the group its
      nearest catch-all ancestor at depth ``K`` or below it folds into (the cut at that depth
      froze it there), else in the group of its ancestor at depth ``K``;
    - a module whose own node is not folding (a module, the standard library, "other") joins
      the subtree node of its group if that node appeared at some cut: the standard library's
      or "other"'s when a module froze into it, a module's at depth ``K`` when a module beneath
      it was folded into it, or one made by ``keep_matching`` before the cuts.

    ``tests/test_render_scaling.py`` checks this against the literal loop on random traces.
    """

    def __init__(self, grouping: Grouping) -> None:
        self.grouping = grouping
        self.key0 = dict(grouping.key)
        levels, parent, key0 = grouping.levels, grouping.parent, self.key0
        self.deepest = max(levels.values(), default=0)
        #: nearest ancestor at depth >= 1 whose group is a catch-all one
        self.catcher: dict[str, str | None] = {}
        for name in grouping.names:
            up = parent.get(name)
            if levels.get(name, 0) >= 1 and up is not None:
                self.catcher[name] = (
                    up if levels.get(up, 0) >= 1 and key0[up].catch_all else self.catcher.get(up)
                )
        #: subtree nodes that exist before any cut (keep_matching, an explicit depth)
        self.premade = {
            (g.anchor, levels.get(name, 0)) for name, g in key0.items() if g.kind == "subtree" and g.anchor
        }
        first_level: dict[Group, int] = {}
        for name in grouping.names:
            group = _canonical(key0[name])
            level = levels.get(name, 0)
            if level < first_level.get(group, level + 1):
                first_level[group] = level
        per_level = Counter(first_level.values())
        self.floor = [0] * (self.deepest + 1)  # floor[K]: distinct nodes at depth <= K at least
        total = 0
        for level in range(self.deepest + 1):
            total += per_level.get(level, 0)
            self.floor[level] = total

    def at(self, limit: int) -> dict[str, Group]:
        """The keys after the cuts ``D-1 .. limit``."""
        grouping, key0 = self.grouping, self.key0
        levels = grouping.levels
        anchors = grouping.anchors(limit)
        key = dict(key0)
        fed: set[str] = set()  # modules at depth `limit` that a deeper module folded into
        frozen: set[Group] = set()  # catch-all groups a deeper module froze into
        for name in grouping.names:
            if levels.get(name, 0) <= limit or key0[name].catch_all:
                continue
            catcher = self.catcher.get(name)
            if catcher is not None and levels.get(catcher, 0) >= limit:
                key[name] = _into(key0[catcher])
                frozen.add(_canonical(key0[catcher]))
            else:
                anchor = anchors[name]
                key[name] = _into(key0[anchor])
                fed.add(anchor)
        for name, group in key0.items():
            if group.folds_others or key[name] is not group:
                continue
            level = levels.get(name, 0)
            if group.catch_all:
                joined = group in frozen or any(anchor == group for anchor, _ in self.premade)
            else:
                joined = (level == limit and name in fed) or any(
                    anchor == group and made < self.deepest for anchor, made in self.premade
                )
            if joined:
                key[name] = Group.subtree(group)
        return key


def fit_budget(grouping: Grouping, max_nodes: int) -> None:
    """At most ``max_nodes`` nodes: fold packages, then cut depth level by level, then fold the
    smallest groups (fewest modules, then least time) into "other modules"."""
    if grouping.count() <= max_nodes:
        return
    fold_packages(grouping)
    cuts = _DepthCuts(grouping)
    limit = cuts.deepest
    while grouping.count() > max_nodes and limit > 1:
        limit -= 1
        # a cut that still leaves more nodes than the budget above it cannot be the last one
        while limit > 1 and cuts.floor[limit] > max_nodes:
            limit -= 1
        grouping.key.update(cuts.at(limit))
    if grouping.count() <= max_nodes:
        return
    key = grouping.key
    sizes: Counter[Group] = Counter(key.values())
    seconds: dict[Group, float] = defaultdict(float)
    for m in grouping.modules:
        seconds[key[m.name]] += m.seconds if grouping.parent.get(m.name) is None else 0.0
    ranked = sorted(sizes, key=lambda g: (-sizes[g], -seconds[g], str(g)))
    kept = set(ranked[: max(max_nodes - 1, 1)])
    for m in grouping.modules:
        if key[m.name] not in kept:
            key[m.name] = OTHER


def group_modules(
    trace: Trace,
    *,
    collapse: str | Sequence[str] = "auto",
    depth: int | None = None,
    filter: str | Callable[[ModuleRecord], bool] | None = None,
    max_nodes: int = 60,
) -> dict[str, Group]:
    """Map each loaded module's name to the :class:`Group` that shows it.

    The processors run in this order (each only folds, never hides, so counts stay right):

    - ``filter``: :func:`keep_matching`;
    - ``collapse`` (one or several of ``"package"``, ``"stdlib"``, ``"none"``, ``"auto"``):
      ``package`` is :func:`fold_packages`, ``stdlib`` :func:`fold_stdlib` (with the traced
      interpreter's standard-library names); every mode but ``none`` ends with the ``auto``
      step, :func:`fit_budget`, so no view exceeds ``max_nodes``;
    - ``depth``: :func:`fold_depth`, before the budget.
    """
    modes = {collapse} if isinstance(collapse, str) else set(collapse)
    if "none" not in modes:
        modes.add("auto")  # every collapsed view still keeps to the node budget
    grouping = Grouping(trace)
    if filter is not None:
        keep_matching(grouping, filter)
    if "package" in modes:
        fold_packages(grouping)
    if "stdlib" in modes:
        fold_stdlib(grouping, stdlib_names(trace))
    if depth is not None:
        fold_depth(grouping, max(depth, 0))
    if "auto" in modes:
        fit_budget(grouping, max_nodes)
    return grouping.key


def members(trace: Trace, key: dict[str, Group]) -> dict[Group, list[ModuleRecord]]:
    """The loads each group holds, groups in the order their first module was loaded."""
    out: dict[Group, list[ModuleRecord]] = {}
    for record in trace.modules:
        out.setdefault(key[record.name], []).append(record)
    return out
