"""The load tree of a trace: which load ran inside which, as time nests (what ``-X importtime``
prints and what an icicle chart draws).

``imported_by`` says whose *code* asked for a module; the load tree says inside whose *load* it
ran. They differ for parent packages: ``import email.mime.text`` loads ``email`` and
``email.mime`` inside the load of ``email.mime.text`` (their ``imported_by`` is the importing
code's module). Time only adds up along the load tree: a load's ``seconds`` is its
``self_seconds`` plus the ``seconds`` of its children there, so charts and ``-X importtime``
logs use this tree. Loads on other threads are roots of their own.

Example:
    >>> from pyenvlab.model import ModuleRecord
    >>> mods = (ModuleRecord("a", None, None, start=0.0, seconds=0.010),
    ...         ModuleRecord("b", None, None, imported_by="a", start=0.002, seconds=0.004),
    ...         ModuleRecord("c", None, None, start=0.003, seconds=0.001))
    >>> [(n.record.name, n.depth, [c.record.name for c in n.children]) for n in walk(load_tree(mods))]
    [('a', 0, ['b']), ('b', 1, ['c']), ('c', 2, [])]
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from pyenvlab.model import ModuleRecord

__all__ = ["LoadNode", "load_parents", "load_tree", "walk"]


class LoadNode:
    """One load in the tree: its record, its index in ``trace.modules``, its depth, its
    children (in the order they began) and the number of loads below it."""

    __slots__ = ("children", "depth", "index", "parent", "record", "size")

    def __init__(self, record: ModuleRecord, index: int, parent: LoadNode | None) -> None:
        self.record = record
        self.index = index
        self.parent = parent
        self.depth = 0 if parent is None else parent.depth + 1
        self.children: list[LoadNode] = []
        self.size = 1

    def __repr__(self) -> str:
        return f"LoadNode({self.record.name!r}, depth={self.depth}, children={len(self.children)})"


def load_parents(modules: Sequence[ModuleRecord]) -> list[int | None]:
    """For each load, the index of the load it ran inside (same thread, starts and ends within
    it, nearest first), or ``None`` for a root. Linear after one sort."""
    parents: list[int | None] = [None] * len(modules)
    stacks: dict[str, list[int]] = {}
    order = sorted(range(len(modules)), key=lambda i: (modules[i].start, -modules[i].seconds, i))
    for index in order:
        record = modules[index]
        stack = stacks.setdefault(record.thread, [])
        end = record.start + record.seconds
        while stack and modules[stack[-1]].start + modules[stack[-1]].seconds < end - 1e-12:
            stack.pop()
        if stack:
            parents[index] = stack[-1]
        stack.append(index)
    return parents


def load_tree(modules: Sequence[ModuleRecord]) -> list[LoadNode]:
    """The roots of the load tree, in the order they began; every node knows its children."""
    parents = load_parents(modules)
    nodes: list[LoadNode | None] = [None] * len(modules)
    order = sorted(range(len(modules)), key=lambda i: (modules[i].start, -modules[i].seconds, i))
    roots: list[LoadNode] = []
    for index in order:  # a parent begins before its children
        parent_index = parents[index]
        parent = nodes[parent_index] if parent_index is not None else None
        node = LoadNode(modules[index], index, parent)
        nodes[index] = node
        (parent.children if parent is not None else roots).append(node)
    for index in reversed(order):  # children before parents: sizes add up
        node = nodes[index]
        if node is not None and node.parent is not None:
            node.parent.size += node.size
    return roots


def walk(roots: Sequence[LoadNode]) -> Iterator[LoadNode]:
    """Every node, each before its children (depth first, in the order they began)."""
    stack = list(reversed(roots))
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(node.children))
