"""The folding processors of ``pyenvlab.render.trace_views.grouping`` as they were before they
were made linear (issue 15), kept verbatim as the reference the linear ones must agree with
(``tests/test_render_scaling.py``). Quadratic or worse in the depth of the import tree: for
small traces only."""

# ruff: noqa
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence

from pyenvlab.model import ModuleRecord, Trace
from pyenvlab.render.trace_views.grouping import OTHER, STDLIB, Group
from pyenvlab.render.trace_views.queries import depths, is_stdlib, stdlib_names


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

    def ancestors(self, name: str) -> list[str]:
        """The importers of ``name``, nearest first (a loop in the records ends the chain)."""
        chain, seen = [], set()
        parent = self.parent.get(name)
        while parent is not None and name not in seen:
            seen.add(name)
            chain.append(parent)
            name, parent = parent, self.parent.get(parent)
        return chain

    def count(self) -> int:
        """The number of nodes the graph would draw now."""
        return len(set(self.key.values()))


# -- the processors, in the order group_modules runs them ------------------------------------


def keep_matching(grouping: Grouping, match: str | Callable[[ModuleRecord], bool]) -> None:
    """Keep the modules ``match`` accepts (a name prefix, or a predicate) and their importers;
    fold every other module into its nearest kept importer, or into "other modules"."""

    def by_prefix(record: ModuleRecord) -> bool:
        return record.name == match or record.name.startswith(f"{match}.")

    accepts = match if callable(match) else by_prefix
    keep = {m.name for m in grouping.modules if accepts(m)}
    for name in list(keep):
        keep.update(grouping.ancestors(name))
    for m in grouping.modules:
        if m.name not in keep:
            up = next((a for a in grouping.ancestors(m.name) if a in keep), None)
            grouping.key[m.name] = Group.subtree(Group.module(up)) if up else OTHER


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
    for m in grouping.modules:
        if levels.get(m.name, 0) > limit and not key[m.name].catch_all:
            chain = [m.name, *grouping.ancestors(m.name)]
            anchor = next((a for a in chain if levels.get(a, 0) == limit), chain[-1])
            group = key[anchor]
            key[m.name] = group if group.folds_others else Group.subtree(group)
    subtrees = set(key.values())
    for m in grouping.modules:  # the anchor joins the nodes folded beneath it
        group = key[m.name]
        if not group.folds_others and Group.subtree(group) in subtrees:
            key[m.name] = Group.subtree(group)


def fit_budget(grouping: Grouping, max_nodes: int) -> None:
    """At most ``max_nodes`` nodes: fold packages, then cut depth level by level, then fold the
    smallest groups (fewest modules, then least time) into "other modules"."""
    if grouping.count() <= max_nodes:
        return
    fold_packages(grouping)
    limit = max(grouping.levels.values(), default=0)
    while grouping.count() > max_nodes and limit > 1:
        limit -= 1
        fold_depth(grouping, limit)
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
