"""What a cell did to the user namespace: the record behind ``%%namespace``.

The tutorial's first slides are about namespaces: assignment, ``def``, ``class``, ``import`` and
``from ... import`` all *add names*; a module is an object, and every name bound to it (``os``,
``mymod.os``, ``import os as o``) points at the **same** object, so an attribute set through one
name is seen through all (the "module namespaces are shared objects" appendix).

:func:`snapshot` takes a cheap picture of a namespace (name -> object identity, plus the
attribute names of every module bound in it); :func:`compare` turns two pictures into a
:class:`NamespaceDiff`, a plain record that renders itself (``pyenvlab.render.jupyter_views``).
Nothing here imports or searches anything.
"""

from __future__ import annotations

import re
import sys
import types
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from pyenvlab._records import Document

__all__ = ["NameChange", "NamespaceDiff", "SharedModule", "Snapshot", "compare", "kind_of", "snapshot"]

NameKind = Literal["variable", "function", "class", "module"]
KINDS: tuple[NameKind, ...] = ("variable", "function", "class", "module")

_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
#: IPython's own bookkeeping names (output history, input history, directory history...)
_IPYTHON_NAME = re.compile(r"^(_+|_i+|_i?\d+|_[ioed]h|In|Out|exit|quit|get_ipython)$")
#: attributes of a module looked at for "this attribute is a module too" (cheap bound)
MAX_MODULE_ATTRS = 2000


@dataclass(frozen=True)
class NameChange:
    """One name added, rebound or removed.

    ``kind`` is variable, function, class or module; ``type`` the class name of the object;
    ``value`` a short description (a literal's repr, ``<module 'os' from '...'>``...) without
    memory addresses; ``module`` the module's ``__name__`` for a module. ``before`` describes
    the previous object of a rebound (or removed) name.
    """

    name: str
    kind: NameKind
    type: str
    value: str
    module: str | None = None
    before: str | None = None


@dataclass(frozen=True)
class SharedModule:
    """Several names that point at one module object (``os``, ``mymod.os``, ``o``).

    ``module`` is the module's ``__name__``; ``names`` the names bound to it, in the user
    namespace and (dotted) as attributes of modules bound there; ``in_sys_modules`` whether
    ``sys.modules[module]`` is that very object (the import cache every import goes through).
    """

    module: str
    names: tuple[str, ...]
    in_sys_modules: bool = True


@dataclass(frozen=True)
class NamespaceDiff(Document):
    """What one cell added, rebound and removed in a namespace, by kind.

    ``module_attributes`` lists attributes the cell added to (or rebound on) module objects bound
    in the namespace, as dotted names (``os.also_set_by_mymod``): the tutorial's appendix.
    ``shared`` lists module objects reachable under more than one name, for modules the cell
    bound or changed. ``code`` is the cell's source.
    """

    FORMAT = "pyenvlab.namespace"
    VERSION = 1

    added: tuple[NameChange, ...] = ()
    changed: tuple[NameChange, ...] = ()
    removed: tuple[NameChange, ...] = ()
    module_attributes: tuple[NameChange, ...] = ()
    shared: tuple[SharedModule, ...] = ()
    code: str | None = field(default=None)

    @staticmethod
    def _pyenvlab_views_() -> Any:
        """The views that draw this record (see :func:`pyenvlab.render.views_for`)."""
        from pyenvlab.render import jupyter_views

        return jupyter_views.NAMESPACE_DIFF

    @property
    def names(self) -> tuple[str, ...]:
        """Every name the cell added or rebound, in order."""
        return tuple(c.name for c in (*self.added, *self.changed))

    @property
    def empty(self) -> bool:
        """True when the cell changed nothing visible."""
        return not (self.added or self.changed or self.removed or self.module_attributes)


def kind_of(value: object) -> NameKind:
    """variable, function, class or module: what the tutorial calls a name's kind."""
    if isinstance(value, types.ModuleType):
        return "module"
    if isinstance(value, type):
        return "class"
    if isinstance(value, (types.FunctionType, types.BuiltinFunctionType, types.MethodType)):
        return "function"
    return "variable"


def describe(value: object, size: int = 60) -> str:
    """A short, stable description of ``value`` (no memory addresses)."""
    if isinstance(value, types.ModuleType):
        origin = getattr(getattr(value, "__spec__", None), "origin", None) or getattr(value, "__file__", None)
        name = getattr(value, "__name__", "?")
        if origin in ("frozen", "built-in"):
            return f"<module {name!r} ({origin})>"
        return f"<module {name!r} from {origin!r}>" if origin else f"<module {name!r}>"
    if isinstance(value, type):
        return f"<class {value.__module__}.{value.__qualname__}>"
    if isinstance(value, (types.FunctionType, types.BuiltinFunctionType, types.MethodType)):
        return f"<function {getattr(value, '__qualname__', getattr(value, '__name__', '?'))}>"
    if isinstance(
        value, (int, float, complex, str, bytes, bool, type(None), tuple, list, dict, set, frozenset)
    ):
        try:
            text = repr(value)
        except Exception:
            text = f"<{type(value).__name__}>"
    else:
        text = f"<{type(value).__name__} object>"
    text = _ADDRESS.sub("", text)
    return text if len(text) <= size else text[: size - 1] + "\u2026"


def _change(name: str, value: object, before: object = None, *, has_before: bool = False) -> NameChange:
    module = getattr(value, "__name__", None) if isinstance(value, types.ModuleType) else None
    return NameChange(
        name=name,
        kind=kind_of(value),
        type=type(value).__name__,
        value=describe(value),
        module=module if isinstance(module, str) else None,
        before=describe(before) if has_before else None,
    )


@dataclass
class Snapshot:
    """A namespace at one moment: the objects (kept alive only until :func:`compare`) and, for
    every module bound in it, the ids of its attributes."""

    objects: dict[str, object]
    module_attrs: dict[int, dict[str, int]]


def _visible(name: str, hidden: Callable[[str], bool]) -> bool:
    return isinstance(name, str) and not hidden(name) and not _IPYTHON_NAME.match(name)


def snapshot(namespace: Mapping[str, Any], *, hidden: Iterable[str] = ()) -> Snapshot:
    """Remember which object every (non-hidden) name points at, and module attributes."""
    skip = set(hidden)
    objects = {k: v for k, v in list(namespace.items()) if _visible(k, skip.__contains__)}
    attrs: dict[int, dict[str, int]] = {}
    for value in objects.values():
        if isinstance(value, types.ModuleType) and id(value) not in attrs:
            attrs[id(value)] = {k: id(v) for k, v in list(vars(value).items())[:MAX_MODULE_ATTRS]}
    return Snapshot(objects, attrs)


def compare(before: Snapshot, after: Snapshot, *, code: str | None = None) -> NamespaceDiff:
    """The :class:`NamespaceDiff` between two snapshots of one namespace."""
    old, new = before.objects, after.objects
    added = tuple(_change(n, v) for n, v in new.items() if n not in old)
    changed = tuple(
        _change(n, v, old[n], has_before=True) for n, v in new.items() if n in old and old[n] is not v
    )
    removed = tuple(_change(n, v) for n, v in old.items() if n not in new)
    # attributes set on module objects that were already bound before the cell
    attributes = []
    seen: set[int] = set()
    for name, value in new.items():
        if (
            not isinstance(value, types.ModuleType)
            or id(value) in seen
            or id(value) not in before.module_attrs
        ):
            continue
        if old.get(name) is not value:
            continue
        seen.add(id(value))
        previous = before.module_attrs[id(value)]
        for attr, obj in list(vars(value).items())[:MAX_MODULE_ATTRS]:
            if attr.startswith("__") and attr.endswith("__"):
                continue
            if attr not in previous:
                attributes.append(_change(f"{name}.{attr}", obj))
            elif previous[attr] != id(obj):
                attributes.append(replace(_change(f"{name}.{attr}", obj), before="another object"))
    focus = {c.name for c in (*added, *changed)} | {c.name.partition(".")[0] for c in attributes}
    return NamespaceDiff(
        added=added,
        changed=changed,
        removed=removed,
        module_attributes=tuple(attributes),
        shared=_shared_modules(new, focus),
        code=code,
    )


def _shared_modules(namespace: Mapping[str, object], focus: set[str]) -> tuple[SharedModule, ...]:
    """Module objects reachable by several names, when one of those names is in ``focus``."""
    names: dict[int, list[str]] = {}
    modules: dict[int, types.ModuleType] = {}
    for name, value in namespace.items():
        if not isinstance(value, types.ModuleType):
            continue
        modules[id(value)] = value
        names.setdefault(id(value), []).append(name)
    for name, value in list(namespace.items()):
        if not isinstance(value, types.ModuleType):
            continue
        for attr, obj in list(vars(value).items())[:MAX_MODULE_ATTRS]:
            if isinstance(obj, types.ModuleType) and id(obj) in modules and not attr.startswith("__"):
                names[id(obj)].append(f"{name}.{attr}")
    out = []
    for ident, bound in names.items():
        if len(bound) < 2 or not any(n.partition(".")[0] in focus or n in focus for n in bound):
            continue
        module = modules[ident]
        module_name = getattr(module, "__name__", "?")
        module_name = module_name if isinstance(module_name, str) else "?"
        out.append(SharedModule(module_name, tuple(bound), sys.modules.get(module_name) is module))
    return tuple(out)
