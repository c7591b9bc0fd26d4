"""The startup-trace records: how an interpreter found its prefix and how ``site`` built sys.path.

A :class:`StartupTrace` holds the filesystem checks of the prefix search
(:class:`StartupProbe`, in the order the interpreter made them), the steps ``site`` took
(:class:`SiteStep`), every ``.pth`` file it read (:class:`PthFile`, line by line), the final
``sys.path`` with where each entry came from (:class:`PathEntry`), and the interpreter's own
values as ground truth (:class:`Comparison`). :class:`PathReport` is the ``sys.path`` of a
running process with provenance; :class:`DoctorReport` lists findings with their fixes;
:class:`VenvReport` describes a virtual environment's layout against its base.

These classes hold data only; :mod:`pyenvlab.render` draws them. Every document round-trips
through JSON (``StartupTrace.from_json(t.to_json()) == t``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from pyenvlab._records import Document

__all__ = [
    "Comparison",
    "DoctorReport",
    "Finding",
    "PathEntry",
    "PathReport",
    "PthFile",
    "PthLine",
    "SiteStep",
    "StartupProbe",
    "StartupTrace",
    "VenvFile",
    "VenvReport",
]

Method = Literal["getpath", "strace", "model"]
LineKind = Literal["comment", "blank", "import", "path", "entry point"]
Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class StartupProbe:
    """One question the prefix search asked the filesystem, in the order it was asked.

    ``check`` is the helper getpath called (``isfile``, ``isdir``, ``isxfile``, ``readlines``,
    ``realpath``, ``readlink``) or, in the strace tier, the system call (``stat``, ``open``,
    ``readlink``). ``result`` is its answer (the file exists, the file could be read, the link
    resolved). ``detail`` is what came back: the lines read, the link target, an error name.
    ``purpose`` says what the search was looking for (``"stdlib landmark"``, ``"pyvenv.cfg"``,
    ``"PATH lookup"``...). ``decided`` names the value this check settled (``"prefix"``,
    ``"exec_prefix"``, ``"venv"``, ``"executable"``) or is ``None``.
    """

    check: str
    path: str
    result: bool
    detail: str | None = None
    purpose: str = ""
    decided: str | None = None


@dataclass(frozen=True)
class PathEntry:
    """One ``sys.path`` entry and where it came from.

    ``source`` is e.g. ``"script directory"``, ``"PYTHONPATH"``, ``"stdlib zip"``, ``"stdlib"``,
    ``"lib-dynload"``, ``"site-packages"``, ``"site-packages (venv)"``, ``"user site"`` or
    ``".pth zz.pth:1"``. ``exists`` says whether the directory (or zip file) exists.
    """

    path: str
    source: str
    exists: bool


@dataclass(frozen=True)
class PthLine:
    """One line of a ``.pth`` (or ``.start``) file and what ``site`` did with it.

    ``outcome`` is ``"added"``, ``"executed"``, ``"skipped: comment"``, ``"skipped: blank"``,
    ``"skipped: missing"``, ``"skipped: already on sys.path"``, ``"error: ExcType: message"``
    or ``"not run: an earlier line failed"``. ``path`` is the absolute directory a path line
    names. In a ``.start`` file (PEP 829, CPython 3.15) a line is an ``"entry point"``
    (``pkg.mod:callable``) whose outcome is ``"called"`` or an ``"error: ..."``; an import line
    of a ``.pth`` whose same-named ``.start`` file exists is ``"skipped: NAME.start turns off
    this file's import lines (PEP 829)"``.
    """

    number: int
    text: str
    kind: LineKind
    outcome: str
    path: str | None = None


@dataclass(frozen=True)
class PthFile:
    """One processing of a ``.pth`` file by ``site.addpackage``.

    A file processed twice (every ``.pth`` of a 3.11-3.14 venv, CPython gh-75723; 3.15's
    batches read each file once) appears twice, with ``occurrence`` 1 and 2. ``added`` are the
    ``sys.path`` entries this processing added; ``imported`` the modules first imported while
    it ran (import lines, and ``traceback`` when site reported an error). A ``.start`` file
    (CPython 3.15, PEP 829) is recorded the same way: its lines are entry points and
    ``imported`` the modules they named.
    """

    path: str
    sitedir: str
    occurrence: int
    lines: tuple[PthLine, ...]
    added: tuple[str, ...] = ()
    imported: tuple[str, ...] = ()
    error: str | None = None


@dataclass(frozen=True)
class SiteStep:
    """One call of a ``site`` function during ``site.main()``, with its nesting depth.

    ``added`` are the ``sys.path`` entries that appeared during the call (nested calls
    included); ``result`` is a short text of what the function returned when that matters
    (the site-packages directories, the user site, whether sitecustomize was found).
    """

    function: str
    arguments: tuple[str, ...]
    depth: int
    added: tuple[str, ...] = ()
    result: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class Comparison:
    """A traced value next to the interpreter's own value for it.

    ``stage`` is ``"getpath"`` (the search alone, compared with a ``python -S`` start) or
    ``"site"`` (after site ran, compared with a plain start).
    """

    stage: Literal["getpath", "site"]
    field: str
    traced: str | None
    real: str | None
    agree: bool


@dataclass(frozen=True)
class StartupTrace(Document):
    """How one interpreter started: the prefix search, then ``site``, then the final sys.path.

    ``prefix``, ``exec_prefix``, ``base_prefix``, ``base_exec_prefix`` and ``executable`` are
    the final ``sys.*`` values after ``site`` ran, as traced. ``getpath`` keeps what the prefix
    search alone computed (``sys.prefix`` is still the base installation in a venv then) and
    ``real`` the interpreter's own values from a plain start: ``comparisons`` puts them side
    by side and ``verified`` is true only when every comparison agrees.

    ``method`` is ``"getpath"`` (the interpreter's own search code re-run with recording
    hooks, 3.11+), ``"strace"`` (the system calls of a real start, older interpreters) or
    ``"model"`` (pyenvlab's simplified description of the search: not what the interpreter
    did, shown only when neither real method is available). ``command`` is the simulated
    command line (``argv0`` and the interpreter options); ``cwd`` its working directory.
    ``pythonhome`` is ``PYTHONHOME`` as the start saw it (``None`` when unset or ignored);
    ``prefix_set_by`` the stage that made ``sys.prefix`` differ from ``sys.base_prefix``
    (``"site"``, or ``"getpath"`` since CPython 3.14, gh-126985; ``None`` outside a venv).
    ``venv_made_by`` is the tool that wrote the venv's ``pyvenv.cfg`` (``"uv 0.13.9"``,
    ``"virtualenv 20.26.6"``, ``"venv"``; ``None`` outside a venv or when it says nothing) and
    ``venv_relocatable`` whether it says ``relocatable = true`` (``uv venv --relocatable``).
    :attr:`explanation` says how prefix and ``sys.path`` were found, in a few sentences.

    Format version 2 keeps these facts instead of version 1's sentences; a version-1 file still
    loads and reads the same.
    """

    FORMAT = "pyenvlab.interpreter"
    VERSION = 2

    python: str
    interpreter: str
    argv0: str
    command: tuple[str, ...]
    cwd: str
    method: Method
    probes: tuple[StartupProbe, ...]
    prefix: str
    exec_prefix: str
    base_prefix: str
    base_exec_prefix: str
    executable: str
    venv: str | None
    sys_path: tuple[PathEntry, ...]
    pth_files: tuple[PthFile, ...]
    site_steps: tuple[SiteStep, ...]
    verified: bool
    comparisons: tuple[Comparison, ...] = ()
    getpath: dict[str, str | None] | None = None
    getpath_path: tuple[str, ...] = ()
    real: dict[str, str | None] | None = None
    real_path: tuple[str, ...] = ()
    code_source: str | None = None
    user_site: str | None = None
    enable_user_site: bool | None = None
    site_ran: bool = True
    warnings: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    pythonhome: str | None = None
    prefix_set_by: Literal["getpath", "site"] | None = None
    venv_made_by: str | None = None
    venv_relocatable: bool = False

    @property
    def explanation(self) -> tuple[str, ...]:
        """A few plain sentences on how prefix and sys.path were found (written by
        :func:`pyenvlab.render.startup_views.startup_explanation`)."""
        from pyenvlab.render.startup_views import startup_explanation

        return startup_explanation(self)

    @classmethod
    def from_data(cls, data: Any) -> StartupTrace:
        """Build from JSON data of format version 2, or of version 1 (upgraded)."""
        if isinstance(data, dict) and data.get("format") == cls.FORMAT and data.get("version") == 1:
            data = _startup_trace_v1(data)
        return super().from_data(data)

    def probe_for(self, decided: str) -> StartupProbe | None:
        """The check that settled ``decided`` (``"prefix"``, ``"exec_prefix"``, ...), if any."""
        for probe in self.probes:
            if probe.decided == decided:
                return probe
        return None

    @property
    def disagreements(self) -> tuple[Comparison, ...]:
        """The comparisons where the trace and the interpreter differ."""
        return tuple(c for c in self.comparisons if not c.agree)


#: the sentence of version 1's explanation that names PYTHONHOME
_V1_HOME = re.compile(r"^PYTHONHOME=(.*) sets prefix directly: no landmark is checked\.$")


def _startup_trace_v1(data: dict[str, Any]) -> dict[str, Any]:
    """Version 1 stored the explanation's sentences; version 2 the facts they need. PYTHONHOME
    is read back from its sentence; ``site`` set a venv's prefix (version 1 predates 3.14)."""
    upgraded = {**data, "version": 2}
    lines = upgraded.pop("explanation", None) or ()
    for line in lines if isinstance(lines, list) else ():
        match = _V1_HOME.match(line) if isinstance(line, str) else None
        if match:
            upgraded["pythonhome"] = match.group(1)
    if upgraded.get("prefix") != upgraded.get("base_prefix"):
        upgraded["prefix_set_by"] = "site"
    return upgraded


@dataclass(frozen=True)
class PathReport(Document):
    """``sys.path`` of an interpreter with the provenance and existence of every entry."""

    FORMAT = "pyenvlab.path"
    VERSION = 1

    python: str
    executable: str
    entries: tuple[PathEntry, ...]
    method: Method = "getpath"
    verified: bool = True


@dataclass(frozen=True)
class Finding:
    """One problem ``doctor`` found: what, where, and how to fix it."""

    rule: str
    severity: Severity
    message: str
    fix: str
    path: str | None = None


@dataclass(frozen=True)
class DoctorReport(Document):
    """The findings of ``python -m pyenvlab doctor`` for one interpreter and working directory."""

    FORMAT = "pyenvlab.doctor"
    VERSION = 1

    python: str
    executable: str
    cwd: str
    findings: tuple[Finding, ...]
    checked: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when no finding is an error or a warning."""
        return not any(f.severity in ("error", "warning") for f in self.findings)


@dataclass(frozen=True)
class VenvFile:
    """One entry of a venv's ``bin/`` (or ``Scripts/``) directory."""

    name: str
    kind: Literal["symlink", "file", "directory", "other"]
    target: str | None = None
    points_to_base: bool = False


@dataclass(frozen=True)
class VenvReport(Document):
    """A virtual environment's layout: ``pyvenv.cfg``, symlinks to the base, size against it.

    Sizes are in KiB of allocated disk blocks, like ``du -sk`` (a symlink counts as itself,
    not as the file it points to; hard links are counted once).
    """

    FORMAT = "pyenvlab.venv"
    VERSION = 1

    path: str
    base_prefix: str
    config: dict[str, str]
    files: tuple[VenvFile, ...]
    size_kib: int
    base_size_kib: int
    site_packages: tuple[str, ...] = ()
    include_system_site_packages: bool = False
