"""The view options of an import trace's graph: one frozen object, read by everything that draws.

``pyenvlab.render.dot(trace, **options)``, the ``%%trace_imports`` magic and the ``trace`` and
``report`` commands take the same options. Their values live in :class:`ViewOptions`, their
command-line spelling once in :data:`FLAGS`: :func:`add_arguments` puts them on an
:mod:`argparse` parser (the magics' parsers are argparse parsers too) and
:meth:`ViewOptions.from_args` reads them back.

Example:
    >>> ViewOptions.of({"collapse": "package"}, times=False).given()
    {'collapse': 'package', 'times': False}
    >>> ViewOptions.of(colour=True)
    Traceback (most recent call last):
    ...
    TypeError: unknown view option(s) for a Trace: colour
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["FLAGS", "Flag", "ViewOptions", "add_arguments", "cached_value"]

VIEWS = ("tree", "scan")
COLLAPSE_MODES = ("auto", "none", "package", "stdlib")


@dataclass(frozen=True)
class ViewOptions:
    """How to draw an import trace.

    ``view``: ``"tree"`` (default) or ``"scan"``.
    ``module``: a module name; shows the scan of that import (implies ``view="scan"``). With
    ``view="scan"`` and no module, the first top-level import.
    ``collapse``: ``"auto"`` (default: keep at most ``max_nodes`` nodes), ``"none"``,
    ``"package"`` (one node per top-level package), ``"stdlib"`` (one node for the whole
    standard library), or several of these.
    ``depth``: fold modules nested deeper than this into their ancestor.
    ``filter``: a module-name prefix (``"email"``) or a predicate ``ModuleRecord -> bool``:
    show matching modules and the chain of importers leading to them, fold the rest.
    ``max_nodes``: the node budget for ``collapse="auto"`` (default 60).
    ``cached``: cache hits as dashed edges: ``"auto"`` (default: the 15 most frequent arrows,
    all with ``show_all``), ``True`` (all), ``False`` (none) or a number of arrows.
    ``times``: show load times (default ``True``; ``False`` for byte-stable output).
    ``show_all``: ``True`` draws every module (same as ``collapse="none"``).
    ``rankdir``: Graphviz layout direction of the tree, ``"LR"`` (default) or ``"TB"``.
    ``max_probes``: probes listed per entry in a scan (default 8).
    ``unreached``: show the ``sys.path`` entries after the hit in a scan (default ``True``).
    """

    view: str | None = None
    module: str | None = None
    collapse: str | tuple[str, ...] = "auto"
    depth: int | None = None
    filter: str | Callable[[Any], bool] | None = None
    max_nodes: int = 60
    cached: bool | int | str = "auto"
    times: bool = True
    show_all: bool = False
    rankdir: str = "LR"
    max_probes: int = 8
    unreached: bool = True

    def __post_init__(self) -> None:
        if self.view not in (None, *VIEWS):
            msg = f"unknown view {self.view!r}: use 'tree' or 'scan'"
            raise ValueError(msg)
        if not isinstance(self.collapse, str):
            object.__setattr__(self, "collapse", tuple(self.collapse))

    @classmethod
    def of(cls, options: ViewOptions | Mapping[str, Any] | None = None, /, **given: Any) -> ViewOptions:
        """Options from another ``ViewOptions`` or a mapping of names, with ``given`` on top.

        Raises:
            TypeError: naming every option that does not exist.
            ValueError: for a view other than ``"tree"`` or ``"scan"``.
        """
        base = options.given() if isinstance(options, ViewOptions) else dict(options or {})
        merged = {**base, **given}
        unknown = sorted(set(merged) - {f.name for f in dataclasses.fields(cls)})
        if unknown:
            msg = f"unknown view option(s) for a Trace: {', '.join(unknown)}"
            raise TypeError(msg)
        return cls(**merged)

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> ViewOptions:
        """The options given on a command line parsed with :func:`add_arguments`."""
        given = {}
        for flag in FLAGS:
            value = getattr(args, flag.dest, None)
            if value is not None:
                given[flag.name] = value
        return cls(**given)

    def given(self) -> dict[str, Any]:
        """The options that differ from the defaults, by name."""
        return {
            f.name: getattr(self, f.name)
            for f in dataclasses.fields(self)
            if getattr(self, f.name) != f.default
        }

    @property
    def scan(self) -> bool:
        """Whether these options draw the scan of one import rather than the import tree."""
        return self.module is not None or self.view == "scan"


def cached_value(text: str) -> bool | int | str:
    """``--cached WHICH``: ``auto``, ``all`` (``True``), ``none`` (``False``) or a number."""
    lowered = text.lower()
    if lowered in ("auto", "all", "none"):
        return {"auto": "auto", "all": True, "none": False}[lowered]
    try:
        return int(text)
    except ValueError:
        msg = f"expected auto, all, none or a number, got {text!r}"
        raise argparse.ArgumentTypeError(msg) from None


@dataclass(frozen=True)
class Flag:
    """The command-line form of one option: ``--max-nodes N`` sets ``max_nodes``.

    ``switch`` marks a flag without a value that sets the option to that constant (``--all``
    sets ``show_all=True``, ``--no-times`` sets ``times=False``).
    """

    name: str
    flag: str
    help: str
    metavar: str | None = None
    type: Callable[[str], Any] | None = None
    choices: tuple[str, ...] | None = None
    switch: bool | None = None

    @property
    def dest(self) -> str:
        """The attribute of the parsed arguments (prefixed: ``trace --module`` is taken)."""
        return f"view_{self.name}"

    def argparse_kwargs(self) -> dict[str, Any]:
        """Keyword arguments of ``ArgumentParser.add_argument`` (and IPython's ``@argument``)."""
        kwargs: dict[str, Any] = {"dest": self.dest, "help": self.help, "default": None}
        if self.switch is not None:
            return {**kwargs, "action": "store_const", "const": self.switch}
        extra = {"metavar": self.metavar, "type": self.type, "choices": self.choices}
        return {**kwargs, **{k: v for k, v in extra.items() if v is not None}}


#: every option that has a command-line form, in the order ``--help`` lists them
FLAGS: tuple[Flag, ...] = (
    Flag("view", "--view", "graph: the import tree (default) or the scan of one import", choices=VIEWS),
    Flag("module", "--module", "graph the scan of this import (implies --view scan)", metavar="NAME"),
    Flag("collapse", "--collapse", "how to fold the tree (default auto)", choices=COLLAPSE_MODES),
    Flag("depth", "--depth", "fold modules nested deeper than N", metavar="N", type=int),
    Flag("filter", "--filter", "show modules starting with PREFIX and their importers", metavar="PREFIX"),
    Flag("max_nodes", "--max-nodes", "node budget of --collapse auto (default 60)", metavar="N", type=int),
    Flag(
        "cached",
        "--cached",
        "cache-hit arrows: auto, all, none or a number",
        metavar="WHICH",
        type=cached_value,
    ),
    Flag("times", "--no-times", "leave load times out of the graph", switch=False),
    Flag("show_all", "--all", "draw every module", switch=True),
    Flag("rankdir", "--rankdir", "graph direction", choices=("LR", "TB")),
    Flag(
        "max_probes", "--max-probes", "probes listed per entry in a scan (default 8)", metavar="N", type=int
    ),
)


def add_arguments(parser: argparse.ArgumentParser | Any) -> None:
    """Add every flag of :data:`FLAGS` to ``parser`` (an argument parser or group)."""
    for flag in FLAGS:
        parser.add_argument(flag.flag, **flag.argparse_kwargs())
