"""Records of environment anatomy: dependency graphs, ABI reports, conda environments, exports.

Plain frozen dataclasses (see :mod:`pyenvlab._records`): no rendering, no inspection code. Each
top-level record is a :class:`~pyenvlab._records.Document` that saves to and loads from JSON and
displays itself in Jupyter through :mod:`pyenvlab.render`.

Example:
    >>> g = DepGraph(root="a", root_version="1.0", extras=(), reverse=False, python="3.11.7",
    ...     edges=(DepEdge("a", "b", "b>=2", "1.0", False),))
    >>> [e.status for e in g.conflicts]
    ['conflict']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from pyenvlab._records import Document

__all__ = [
    "AbiFile",
    "AbiProblem",
    "AbiReport",
    "CondaEnv",
    "CondaPackage",
    "DepEdge",
    "DepGraph",
    "DiffEntry",
    "EnvDiff",
    "EnvExport",
    "ExportedPackage",
    "LibraryResolution",
    "RelocationIssue",
    "RelocationReport",
    "SkippedRequirement",
    "SymbolNeed",
    "TagCheck",
]

# --------------------------------------------------------------------------- dependencies


@dataclass(frozen=True)
class DepEdge:
    """``parent`` requires ``child`` as ``spec`` (the requirement as written in the metadata).

    ``installed`` is the child's installed version (``None``: missing); ``satisfied`` says whether
    that version matches the specifier. ``extra`` names the parent's extra that pulled the edge
    in (``None`` for a plain requirement).
    """

    parent: str
    child: str
    spec: str
    installed: str | None
    satisfied: bool
    extra: str | None = None

    @property
    def status(self) -> Literal["ok", "missing", "conflict"]:
        """``ok``, ``missing`` (not installed) or ``conflict`` (installed, wrong version)."""
        if self.installed is None:
            return "missing"
        return "ok" if self.satisfied else "conflict"


@dataclass(frozen=True)
class SkippedRequirement:
    """A requirement not followed: its environment marker is false here (``reason`` is
    ``'marker false: python_version < "3.11"'``), or it is not a valid requirement at all."""

    parent: str
    spec: str
    reason: str


@dataclass(frozen=True)
class DepGraph(Document):
    """The requirement graph of an installed distribution, from its metadata.

    ``edges`` run from the requiring distribution to the required one (names normalised as in
    PEP 503). In a reverse graph (``reverse=True``) the edges lead *into* ``root``: they answer
    "who needs X", directly or through others. ``cycles`` lists each dependency cycle met once.
    """

    FORMAT: ClassVar[str] = "pyenvlab.deps"

    root: str
    root_version: str
    extras: tuple[str, ...]
    reverse: bool
    python: str
    edges: tuple[DepEdge, ...]
    skipped: tuple[SkippedRequirement, ...] = ()
    cycles: tuple[tuple[str, ...], ...] = ()
    versions: dict[str, str] | None = None

    @property
    def missing(self) -> tuple[DepEdge, ...]:
        """Edges whose requirement is not installed at all."""
        return tuple(e for e in self.edges if e.status == "missing")

    @property
    def conflicts(self) -> tuple[DepEdge, ...]:
        """Edges whose requirement is installed in a version that does not match."""
        return tuple(e for e in self.edges if e.status == "conflict")

    @property
    def nodes(self) -> tuple[str, ...]:
        """Every distribution in the graph, root first, then in order of appearance."""
        seen = dict.fromkeys([self.root])
        for edge in self.edges:
            seen.setdefault(edge.parent)
            seen.setdefault(edge.child)
        return tuple(seen)

    def children(self, name: str) -> tuple[DepEdge, ...]:
        """The requirements of ``name`` (edges out of it)."""
        return tuple(e for e in self.edges if e.parent == name)

    def parents(self, name: str) -> tuple[DepEdge, ...]:
        """Who requires ``name`` within this graph (edges into it)."""
        return tuple(e for e in self.edges if e.child == name)


# --------------------------------------------------------------------------- ABI


@dataclass(frozen=True)
class SymbolNeed:
    """One undefined symbol of ``file`` that must come with ``version`` from ``library``."""

    symbol: str
    version: str
    library: str
    weak: bool
    file: str


@dataclass(frozen=True)
class LibraryResolution:
    """How the dynamic loader would find a DT_NEEDED library (without running anything).

    ``how`` is the step that found it: ``rpath``, ``LD_LIBRARY_PATH``, ``runpath``, ``ld.so.cache``,
    ``default`` (the loader's trusted directories), ``path`` (the name holds a slash), ``loaded``
    (already in this process, e.g. libpython for the interpreter's own extensions) or
    ``not found``. ``searched`` lists the directories tried before, in order.
    """

    name: str
    needed_by: str
    path: str | None
    how: Literal[
        "rpath", "LD_LIBRARY_PATH", "runpath", "ld.so.cache", "default", "path", "loaded", "not found"
    ]
    searched: tuple[str, ...] = ()
    missing_versions: tuple[str, ...] = ()


@dataclass(frozen=True)
class AbiFile:
    """The dynamic-linking facts of one ELF file."""

    path: str
    machine: str
    needed: tuple[str, ...]
    rpath: tuple[str, ...]
    runpath: tuple[str, ...]
    version_needs: dict[str, tuple[str, ...]]
    symbols: tuple[SymbolNeed, ...]
    glibc_required: str | None
    glibcxx_required: str | None


@dataclass(frozen=True)
class TagCheck:
    """A wheel tag (or extension suffix) and whether this interpreter and platform accept it."""

    tag: str
    supported: bool
    reason: str


@dataclass(frozen=True)
class AbiProblem:
    """One reason a compiled component would not load here, as data (the views word it).

    ``kind`` is one of:

    - ``unreadable``: ``file`` is not an ELF file that can be read (``detail`` says why);
    - ``machine``: ``file`` is built for the machine ``detail``, this one is ``here``;
    - ``missing-version``: ``file`` needs ``versions`` of ``library``, which the library the
      loader would use (``path``) does not define;
    - ``not-found``: ``file`` needs ``library``, which the loader would not find (``searched``);
    - ``suffix``: the file name ends in ``tag``, an extension suffix this interpreter does not
      import (the :class:`TagCheck` of that suffix says why);
    - ``wheel-tags``: no wheel tag is accepted here (``tag`` is the first one);
    - ``text``: a problem as a sentence, from a report saved by an older pyenvlab.
    """

    kind: Literal["unreadable", "machine", "missing-version", "not-found", "suffix", "wheel-tags", "text"]
    file: str | None = None
    library: str | None = None
    versions: tuple[str, ...] = ()
    path: str | None = None
    searched: tuple[str, ...] = ()
    tag: str | None = None
    detail: str | None = None
    here: str | None = None


@dataclass(frozen=True)
class AbiReport(Document):
    """What a compiled component needs from the system, and whether it loads here.

    ``glibc_required`` is the highest ``GLIBC_x.y`` any file needs (``"2.29"``); ``symbols`` are
    the symbols that need exactly that version (the answer to "which symbol needs it"), and
    ``too_new`` every requirement that this system's libraries do not provide. ``problems``
    are the reasons it would not load here (none: ``loads_here``); :attr:`explanation` says
    all of it in plain words.

    Format version 2 stores the problems as data; a version-1 file (which stored the
    explanation as text instead) still loads, its problems kept as one ``text`` problem.
    """

    FORMAT: ClassVar[str] = "pyenvlab.abi"
    VERSION: ClassVar[int] = 2

    target: str
    kind: Literal["module", "file", "distribution", "wheel"]
    files: tuple[AbiFile, ...]
    glibc_required: str | None
    glibcxx_required: str | None
    glibc_here: str | None
    symbols: tuple[SymbolNeed, ...]
    too_new: tuple[SymbolNeed, ...]
    libraries: tuple[LibraryResolution, ...]
    tags: tuple[TagCheck, ...]
    loads_here: bool
    problems: tuple[AbiProblem, ...] = ()

    @property
    def explanation(self) -> str:
        """The report in a few plain sentences, ending with the verdict (written by
        :func:`pyenvlab.render.anatomy_views.abi_explanation`)."""
        from pyenvlab.render.anatomy_views import abi_explanation

        return abi_explanation(self)

    @classmethod
    def from_data(cls, data: Any) -> AbiReport:
        """Build from JSON data of format version 2, or of version 1 (upgraded)."""
        if isinstance(data, dict) and data.get("format") == cls.FORMAT and data.get("version") == 1:
            data = _abi_report_v1(data)
        return super().from_data(data)


#: how version 1 ended an explanation of a component that does not load
_V1_VERDICT = "Verdict: it will NOT load here: "


def _abi_report_v1(data: dict[str, Any]) -> dict[str, Any]:
    """Version 1 stored the explanation as text: keep its list of problems as one ``text``
    problem (the other sentences are written again from the data, word for word)."""
    upgraded = {**data, "version": 2}
    explanation = upgraded.pop("explanation", None)
    if isinstance(explanation, str) and _V1_VERDICT in explanation and explanation.endswith("."):
        reasons = explanation.split(_V1_VERDICT, 1)[1][:-1]
        upgraded["problems"] = [{"kind": "text", "detail": reasons}]
    return upgraded


# --------------------------------------------------------------------------- conda


@dataclass(frozen=True)
class CondaPackage:
    """One package record from ``conda-meta/<name>-<version>-<build>.json``."""

    name: str
    version: str
    build: str
    build_number: int
    channel: str
    subdir: str
    depends: tuple[str, ...]
    files: tuple[str, ...]
    shared_libraries: tuple[str, ...]
    requested: bool = False


@dataclass(frozen=True)
class CondaEnv(Document):
    """A conda environment as its ``conda-meta`` directory describes it."""

    FORMAT: ClassVar[str] = "pyenvlab.conda"

    prefix: str
    packages: tuple[CondaPackage, ...]
    history: tuple[str, ...] = ()

    def package(self, name: str) -> CondaPackage | None:
        """The package called ``name``, or ``None``."""
        return next((p for p in self.packages if p.name == name), None)

    def owner(self, relative_path: str) -> CondaPackage | None:
        """The package that put ``relative_path`` (relative to the prefix) there."""
        return next((p for p in self.packages if relative_path in p.files), None)


# --------------------------------------------------------------------------- export / diff


@dataclass(frozen=True)
class ExportedPackage:
    """A distribution pinned by an export: name, exact version, and where it came from."""

    name: str
    version: str
    installer: str | None = None
    source: str | None = None  # a direct URL (PEP 610) for editable or local installs


@dataclass(frozen=True)
class EnvExport(Document):
    """The pinned contents of an environment, as ``requirements.txt`` or ``environment.yml``.

    ``made_by`` is the tool that made the venv, as its ``pyvenv.cfg`` says (``"uv 0.13.9"``,
    ``"virtualenv 20.26.6"``, ``"venv"``; ``None`` outside a venv or for an export file).
    """

    FORMAT: ClassVar[str] = "pyenvlab.env-export"

    python: str
    executable: str
    platform: str
    packages: tuple[ExportedPackage, ...]
    made_by: str | None = None

    def requirements(self) -> str:
        """Pinned requirements (``name==version`` lines) that ``pip install -r`` accepts.

        Names and versions come from package metadata: control characters in them (an escape
        sequence in a ``Version:`` field) are written as visible escapes, never as they are.
        """
        from pyenvlab.render._escape import term

        made = f"; a venv made by {term(self.made_by)}" if self.made_by else ""
        lines = [
            f"# exported by pyenvlab from {term(self.executable)}"
            f" (Python {term(self.python)}, {term(self.platform)}{made})"
        ]
        lines += [f"{term(p.name)}=={term(p.version)}" for p in self.packages]
        return "\n".join(lines) + "\n"

    def environment_yml(self, name: str = "exported") -> str:
        """The export as a conda ``environment.yml``: python pinned, the rest under ``pip:``
        (escaped like :meth:`requirements`)."""
        from pyenvlab.render._escape import term

        major_minor = ".".join(term(self.python).split(".")[:2])
        lines = [
            f"name: {term(name)}",
            "channels:",
            "  - conda-forge",
            "dependencies:",
            f"  - python={major_minor}",
        ]
        if self.packages:
            pins = [f"    - {term(p.name)}=={term(p.version)}" for p in self.packages]
            lines += ["  - pip", "  - pip:", *pins]
        return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class DiffEntry:
    """One distribution that differs between two environments (``None``: absent on that side)."""

    name: str
    left: str | None
    right: str | None

    @property
    def change(self) -> Literal["added", "removed", "changed"]:
        """``added`` (only right), ``removed`` (only left) or ``changed`` (versions differ)."""
        if self.left is None:
            return "added"
        return "removed" if self.right is None else "changed"


@dataclass(frozen=True)
class EnvDiff(Document):
    """The differences between two environments (interpreters or export files)."""

    FORMAT: ClassVar[str] = "pyenvlab.env-diff"

    left: str
    right: str
    left_python: str
    right_python: str
    entries: tuple[DiffEntry, ...]
    same: int


@dataclass(frozen=True)
class RelocationIssue:
    """A file of a venv that holds an absolute path into the venv's original location."""

    file: str
    line: int
    text: str
    kind: Literal["shebang", "pyvenv.cfg", "activate", "symlink", "other"]


@dataclass(frozen=True)
class RelocationReport(Document):
    """Why a venv breaks when copied: every hard-coded path to where it was created."""

    FORMAT: ClassVar[str] = "pyenvlab.relocation"

    venv: str
    recorded_at: str
    issues: tuple[RelocationIssue, ...]

    @property
    def relocatable(self) -> bool:
        """True when nothing points back at ``recorded_at``."""
        return not self.issues
