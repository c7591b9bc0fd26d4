"""The import-trace records: what the import system did, as plain immutable data.

A :class:`Trace` holds the modules that were loaded (:class:`ModuleRecord`, in first-load order)
and the import statements that ran (:class:`Statement`, including ``sys.modules`` cache hits).
Each load keeps the ``sys.path`` (or parent ``__path__``) entries its search visited
(:class:`Visit`) and the filesystem probes it made (:class:`Probe`). :func:`pyenvlab.where`
answers with :class:`Candidate` records.

These classes hold data only: no rendering, no import machinery. A trace can be saved with
:meth:`Trace.to_json`, loaded with :meth:`Trace.from_json` anywhere, and re-rendered without
importing anything again. The JSON format is described in ``docs/trace-format.md``.

Example:
    >>> from pyenvlab.model import Trace
    >>> t = Trace.from_json('{"format": "pyenvlab.trace", "version": 1, "python": "3.12.1",'
    ...     ' "executable": "/usr/bin/python3", "sys_path": [], "modules": [], "statements": []}')
    >>> t.python, len(t.modules)
    ('3.12.1', 0)
"""

from pyenvlab._records import Displayable, Document, Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, Literal

    Outcome = Literal["hit", "miss", "namespace", "no-finder", "error"]
    ProbeOp = Literal["stat", "listdir", "isfile", "isdir", "candidate"]
    Kind = Literal["module", "package", "namespace", "extension", "builtin", "frozen"]
else:  # the same choices, as text the record reader parses (no typing import at run time)
    Outcome = 'Literal["hit", "miss", "namespace", "no-finder", "error"]'
    ProbeOp = 'Literal["stat", "listdir", "isfile", "isdir", "candidate"]'
    Kind = 'Literal["module", "package", "namespace", "extension", "builtin", "frozen"]'

__all__ = [
    "Candidate",
    "ModuleRecord",
    "Probe",
    "Statement",
    "Trace",
    "Visit",
    "module_kind",
]

EXTENSION_SUFFIXES = (".so", ".pyd", ".dylib")


class Probe(Record):
    """One filesystem check the import system made.

    ``op`` is ``stat`` (a plain ``stat()``, e.g. a directory's mtime or a source file's size),
    ``isfile``/``isdir`` (a ``stat()`` asked "is this a file/directory?"), ``listdir`` (a
    directory listing, which FileFinder caches), or ``candidate`` (a file name looked up in that
    cached listing: no system call, recorded only with ``trace(candidates=True)``).
    ``entry`` is the search-path entry being visited when the probe happened, or ``None`` for
    probes made while loading (after the search ended).
    """

    path: str
    op: ProbeOp
    found: bool
    entry: str | None = None


class Visit(Record):
    """One ``sys.path`` (or parent ``__path__``) entry visited by a PathFinder search.

    ``finder`` is the class name of the path-entry finder for the entry (``FileFinder``,
    ``zipimporter``, ...) or ``None`` when no path hook accepts the entry. ``created`` is true
    when the finder was made during this search (the entry was not yet in
    ``sys.path_importer_cache``). ``via`` is the meta-path finder whose search made the visit:
    ``PathFinder`` almost always, but some finders (pytest's assertion rewriter, editable
    installs) search the path themselves before PathFinder does.
    """

    entry: str
    finder: str | None
    outcome: Outcome
    created: bool = False
    via: str | None = "PathFinder"


class ModuleRecord(Record, Displayable):
    """One module load (or failed load, or ``importlib.reload``), in the order it began.

    Fields follow ``importlib``'s vocabulary: ``origin`` and ``loader`` come from the module's
    spec (``origin`` is ``"built-in"`` or ``"frozen"`` for those kinds, ``None`` for namespace
    packages); ``search_locations`` is the spec's ``submodule_search_locations`` (a package's
    ``__path__``). ``finder`` is the meta-path finder that answered (``PathFinder``,
    ``BuiltinImporter``, ``FrozenImporter``, or a third-party finder's class name).
    ``imported_by`` is the module whose execution triggered this load (``None`` at top level).
    ``error`` is ``"ExcType: message"`` when the import failed. ``seconds`` is the time spent
    in the load including nested loads, ``self_seconds`` the same minus the loads nested in it
    (``0 <= self_seconds <= seconds``; the self times of all loads add up to the ``seconds`` of
    the top-level ones; in traces saved without it, it is derived from how the loads nest in
    time); ``start`` is when it began, in seconds since the trace began. ``lazy`` is true for a
    load that reified a PEP 810 ``lazy import`` on first use (Python 3.15+), and ``first_use``
    says where that use was (``"file:line"``).
    """

    name: str
    origin: str | None
    finder: str | None
    searched: tuple[Visit, ...] = ()
    probes: tuple[Probe, ...] = ()
    imported_by: str | None = None
    error: str | None = None
    seconds: float = 0.0
    loader: str | None = None
    search_locations: tuple[str, ...] | None = None
    start: float = 0.0
    thread: str = "MainThread"
    reloaded: bool = False
    self_seconds: float = 0.0
    lazy: bool = False
    first_use: str | None = None

    @property
    def kind(self) -> "Kind":
        """What kind of importable unit this is (see :func:`module_kind`)."""
        return module_kind(self.origin, self.search_locations, self.loader)

    @property
    def hit(self) -> "Visit | None":
        """The visit that found the module, if a path entry found it."""
        for visit in self.searched:
            if visit.outcome == "hit":
                return visit
        return None


class Statement(Record):
    """An import statement (or ``importlib.import_module`` call) as it ran.

    ``name`` is the absolute module name (relative imports resolved). ``cached`` is true when
    the module was already in ``sys.modules``: nothing was searched or executed. Repeated cache
    hits from one ``importer`` for one name are counted in ``count`` instead of stored again.
    ``lazy`` is true for a PEP 810 ``lazy import`` (Python 3.15+): the name was bound to a lazy
    object, and nothing was searched or executed until first use.
    """

    name: str
    importer: str | None
    cached: bool
    count: int = 1
    fromlist: tuple[str, ...] = ()
    level: int = 0
    lazy: bool = False


class Candidate(Record, Displayable):
    """A place along the search path that could provide a module (see :func:`pyenvlab.where`).

    ``wins`` is true for the candidate the import system would use; for a namespace package
    every portion wins together. ``entry`` is the ``sys.path``/``__path__`` entry, or the
    meta-path finder (``<BuiltinImporter>``) for modules that do not come from a path.
    """

    name: str
    entry: str
    origin: str | None
    kind: Kind
    wins: bool
    finder: str | None = None


def module_kind(
    origin: str | None, search_locations: "tuple[str, ...] | None", loader: str | None = None
) -> "Kind":
    """Classify a module from its spec's ``origin``, ``submodule_search_locations`` and loader."""
    if origin == "built-in":
        return "builtin"
    if origin == "frozen" or loader == "FrozenImporter":
        return "frozen"
    if search_locations is not None:
        return "namespace" if origin is None else "package"
    if origin is not None and (loader == "ExtensionFileLoader" or origin.endswith(EXTENSION_SUFFIXES)):
        return "extension"
    return "module"


class Trace(Record, Document):
    """Everything the import system did while a trace was recording.

    ``modules`` are the loads in the order they began; ``statements`` the import statements in
    the order they first ran. ``sys_path`` is ``sys.path`` when the trace began; ``python`` and
    ``executable`` say which interpreter ran the code; ``code`` is what
    :func:`pyenvlab.trace_import` ran (``None`` for an in-process trace) and ``raised`` the
    exception it ended with, if any (``"ExcType: message"``). ``stdlib_names`` is the traced
    interpreter's ``sys.stdlib_module_names`` (so a saved trace renders the same anywhere;
    empty in traces of format version 1); ``lazy_pending`` the modules a ``lazy import`` bound
    that were still not loaded when the trace ended (``sys.lazy_modules``, 3.15+).
    ``platform`` is the traced interpreter's ``sys.platform`` (``"emscripten"`` in Pyodide) and
    ``meta_path`` the class names of its ``sys.meta_path`` when the trace began (Pyodide adds
    its own finders; empty in older files). ``errors``
    lists anything that went wrong inside the recorder itself (the imports are never affected).

    A trace made by :func:`pyenvlab.trace` is filled in when its ``with`` block ends; its
    records are built on first access, so recording stays cheap.
    """

    FORMAT = "pyenvlab.trace"
    VERSION = 2
    __extra_slots__ = ("_build",)

    python: str
    executable: str
    sys_path: tuple[str, ...]
    modules: tuple[ModuleRecord, ...]
    statements: tuple[Statement, ...]
    errors: tuple[str, ...] = ()
    candidates: bool = False
    code: str | None = None
    seconds: float = 0.0
    raised: str | None = None
    stdlib_names: tuple[str, ...] = ()
    lazy_pending: tuple[str, ...] = ()
    platform: str = ""
    meta_path: tuple[str, ...] = ()

    # -- lazy construction from a recorder -------------------------------------------------
    @classmethod
    def _pending(cls, build: "Callable[[], Trace | None]") -> "Trace":
        """A trace whose fields come from ``build()`` the first time one is read.

        ``build`` returns the finished trace, or ``None`` while still recording.
        """
        self = object.__new__(cls)
        _BUILD.__set__(self, build)
        return self

    def __getattr__(self, name: str) -> "Any":
        try:
            build = _BUILD.__get__(self)
        except AttributeError:
            raise AttributeError(name) from None
        if build is None or name not in _TRACE_FIELDS:
            raise AttributeError(name)
        built = build()
        if built is None:
            msg = "this trace is still recording: read it after the `with pyenvlab.trace()` block"
            raise RuntimeError(msg)
        for field_name in _TRACE_FIELDS:
            _SLOTS[field_name].__set__(self, getattr(built, field_name))
        _BUILD.__set__(self, None)
        return getattr(self, name)

    @classmethod
    def from_data(cls, data: "Any") -> "Trace":
        """Build from JSON data; modules saved without ``self_seconds`` get it derived."""
        trace = super().from_data(data)
        modules = data.get("modules") if isinstance(data, dict) else None
        if (
            trace.modules
            and isinstance(modules, list)
            and any(isinstance(m, dict) and "self_seconds" not in m for m in modules)
        ):
            from pyenvlab._records import replace

            own = derive_self_seconds(trace.modules)
            trace = replace(
                trace,
                modules=tuple(replace(m, self_seconds=s) for m, s in zip(trace.modules, own, strict=True)),
            )
        return trace

    @classmethod
    def from_importtime(
        cls, text: str, *, python: str = "unknown", executable: str = "a python -X importtime log"
    ) -> "Trace":
        """Read the stderr of ``python -X importtime`` (3.7+, and 3.14's ``-X importtime=2``)
        into a trace with exact ``self_seconds``/``seconds`` and ``imported_by`` (see
        :mod:`pyenvlab.importtime`).

        Raises:
            TraceFormatError: naming the first line that is not of the format.
        """
        from pyenvlab.importtime import parse

        return parse(text, python=python, executable=executable)

    # -- conveniences ----------------------------------------------------------------------
    def module(self, name: str) -> "ModuleRecord":
        """The first load of ``name`` in this trace.

        Raises:
            KeyError: if ``name`` was not loaded while the trace recorded.
        """
        for record in self.modules:
            if record.name == name:
                return record
        raise KeyError(name)

    @property
    def loaded(self) -> "tuple[str, ...]":
        """Names of the modules loaded successfully, in load order."""
        return tuple(m.name for m in self.modules if m.error is None)


_TRACE_FIELDS = tuple(f.name for f in Trace.__record_fields__)
_SLOTS = {name: Trace.__dict__[name] for name in _TRACE_FIELDS}
_BUILD = Trace.__dict__["_build"]


class RecordFactory:
    """Builds a recording straight into records (see :class:`pyenvlab._probe.recorder.Builder`).

    The recorder's builder makes JSON-ready dicts by default, for traces written by other
    interpreters; in this process it calls these methods instead, so reading an in-process trace
    costs one object per record and no validation (the data never left this process).
    """

    def probe(self, path: str, op: "ProbeOp", found: bool, entry: str | None) -> "Probe":
        return Probe(path, op, found, entry)

    def visit(
        self, entry: str, finder: str | None, outcome: "Outcome", created: bool, via: str | None
    ) -> "Visit":
        return Visit(entry, finder, outcome, created, via)

    def statement(
        self,
        name: str,
        importer: str | None,
        *,
        cached: bool,
        count: int,
        fromlist: "tuple[str, ...]",
        level: int,
        lazy: bool = False,
    ) -> "Statement":
        return Statement(name, importer, cached, count, fromlist, level, lazy)

    def module(self, fields: "dict[str, Any]") -> "ModuleRecord":
        fields["searched"] = tuple(fields["searched"])
        fields["probes"] = tuple(fields["probes"])
        locations = fields["search_locations"]
        if locations is not None:
            fields["search_locations"] = tuple(locations)
        return ModuleRecord(**fields)

    def trace(
        self, meta: "dict[str, Any]", modules: "list[ModuleRecord]", statements: "list[Statement]"
    ) -> "Trace":
        meta = dict(meta)
        for name in ("sys_path", "errors", "stdlib_names", "lazy_pending", "meta_path"):
            meta[name] = tuple(meta.get(name, ()))
        return Trace(modules=tuple(modules), statements=tuple(statements), **meta)


def derive_self_seconds(modules: "tuple[ModuleRecord, ...]") -> "list[float]":
    """Self time of each load, from how the loads nest in time on each thread.

    For traces saved without ``self_seconds`` (format versions 1 and 2): a load's nested loads
    are the ones that start and end inside it on the same thread, nearest first.

    Example:
        >>> outer = ModuleRecord("a", None, None, start=0.0, seconds=0.010)
        >>> inner = ModuleRecord("b", None, None, start=0.002, seconds=0.004)
        >>> [round(s, 3) for s in derive_self_seconds((outer, inner))]
        [0.006, 0.004]
    """
    nested = [0.0] * len(modules)
    by_thread: dict[str, list[int]] = {}
    for index in sorted(range(len(modules)), key=lambda i: (modules[i].start, -modules[i].seconds)):
        record = modules[index]
        stack = by_thread.setdefault(record.thread, [])
        end = record.start + record.seconds
        while stack and modules[stack[-1]].start + modules[stack[-1]].seconds < end - 1e-12:
            stack.pop()
        if stack:
            nested[stack[-1]] += record.seconds
        stack.append(index)
    return [min(max(m.seconds - n, 0.0), m.seconds) for m, n in zip(modules, nested, strict=True)]
