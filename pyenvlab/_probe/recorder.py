"""The import recorder: watches the real import machinery and writes down what it does.

This file must run inside *any* CPython 3.10+ (Pyodide's included) without pyenvlab installed,
so it imports only modules every interpreter has loaded before running user code (``sys``,
``builtins``, ``_thread``, ``time`` and the frozen importlib). It is used two ways:

- imported as ``pyenvlab._probe.recorder`` by :func:`pyenvlab.trace` (in this process);
- executed from its source by a target interpreter for :func:`pyenvlab.trace_import`, as the
  code of ``python -c`` (see :data:`BOOTSTRAP`), so the child starts exactly as
  ``python -c CODE`` would and the recorder leaves no module in ``sys.modules``.

How it watches (design §3, research/internals.md). The hooks are listed in
:data:`PATCH_POINTS`, the one table the recorder, ``%unload_ext`` and the tests share:

1. ``builtins.__import__``: every import statement, including ``sys.modules`` cache hits
   (repeated hits of one name from one importer are counted, not stored again);
2. ``_bootstrap._ModuleLockManager`` (and 3.15's ``_HierarchicalLockManager``): a subclass
   whose ``__enter__``/``__exit__`` mark the start and end of every load, its nesting, time and
   failure, and the execution half of ``importlib.reload``;
3. ``_bootstrap._sanity_check``: every ``importlib.import_module`` call, cache hits included;
4. ``_bootstrap._find_spec`` plus a delegating finder at ``sys.meta_path[0]``: which meta-path
   finder answered, and the spec it returned (``importlib.util.find_spec`` passes untouched);
5. ``PathFinder._path_importer_cache``: each path entry visited, in order, and its finder;
6. ``_bootstrap_external._path_stat`` and ``_path_is_mode_type``: every ``stat()`` the path
   machinery makes, and whether it asked "is this a file/directory?";
7. ``FileFinder._fill_cache``: every directory listing;
8. with ``candidates=True``, the listing sets themselves: each file name looked up in them.

What a program can observe is unchanged (``docs/reliability.md`` has the proofs and the
measurements; ``tests/test_recorder_fingerprint.py`` and the CPython differential check them):

- *Frames.* No hook is on the stack while a module executes except the ``__import__`` hook of
  the statement that imports it. ``_path_stat`` and ``_path_is_mode_type`` are replaced by
  equivalent one-liners (CPython documents ``_path_stat`` as the place to override), so they add
  no frame at all; the lock-manager hooks return before the module runs. Every hook that calls
  through raises the recursion limit by its own frames for the duration of the call, so a chain
  of nested imports that works untraced works traced at any limit.
- *Tracebacks.* A hook that sees an exception pass removes its own frame from the traceback
  before re-raising it unchanged (3.11+; 3.10 re-raises from the thread's exception state, which
  no Python code can edit). Hook code is labelled ``<frozen importlib._bootstrap>``, so
  CPython's own trimming and the ``warnings`` stack-level logic treat it as importlib.
- *Arguments.* ``__import__`` is forwarded exactly as it was called (absent stays absent).
- *User code.* No hook calls user code: globals are read with ``dict.get``, exceptions are
  described from their type and plain arguments (anything else waits until the trace is read),
  and exotic path entries are stored as they are and described after recording stops.
- *Undoing.* A hook left behind in another tool's chain after recording ends passes through,
  and puts the original back as soon as it finds itself installed again.

Hooks append cheap tuples to one list; records are built only when someone reads the trace,
by :class:`Builder`, through a factory (JSON-ready dicts here, the model's records in pyenvlab).
No hook imports anything or takes a lock.
"""

import builtins
import sys
from _thread import allocate_lock, get_ident
from time import perf_counter

__all__ = ["BOOTSTRAP", "PATCH_POINTS", "Builder", "DataFactory", "Session", "build", "import_state"]

_bootstrap = sys.modules["_frozen_importlib"]
_external = sys.modules["_frozen_importlib_external"]
_getframe = sys._getframe
_getlimit = sys.getrecursionlimit
_setlimit = sys.setrecursionlimit
_ModuleSpec = _bootstrap.ModuleSpec
_ModuleType = type(sys)
_module_dict = _ModuleType.__dict__["__dict__"].__get__
_TRACEBACK = BaseException.__dict__["__traceback__"]
_ARGS = BaseException.__dict__["args"].__get__
_TYPE_NAME = type.__dict__["__name__"].__get__
_NamespacePath = getattr(_external, "_NamespacePath", None)
# PEP 810 lazy imports (3.15+): the statement consults the lazy-imports filter, which is where
# the recorder sees it (wrapping builtins.__lazy_import__ is impossible: it must be called from
# the module-level frame of the statement itself).
_set_lazy_filter = getattr(sys, "set_lazy_imports_filter", None)
_get_lazy_filter = getattr(sys, "get_lazy_imports_filter", None)

#: The filename given to hook code: CPython trims such frames from import tracebacks and the
#: warnings machinery skips them, as it does for importlib's own frames.
HOOK_FILENAME = "<frozen importlib._bootstrap>"
EXTERNAL_FILENAME = "<frozen importlib._bootstrap_external>"

#: Every attribute the recorder replaces while installed: (owner, attribute). Owners are module
#: names or ``module.Class``; rows whose attribute an interpreter lacks are skipped (3.15 adds
#: ``_HierarchicalLockManager`` and the lazy-imports filter functions). The recorder also puts
#: its finder first on ``sys.meta_path``, and with ``candidates=True`` swaps the cached listing
#: of every FileFinder.
PATCH_POINTS = (
    ("builtins", "__import__"),
    ("_frozen_importlib", "_ModuleLockManager"),
    ("_frozen_importlib", "_HierarchicalLockManager"),
    ("_frozen_importlib", "_sanity_check"),
    ("_frozen_importlib", "_find_spec"),
    ("_frozen_importlib_external", "_path_stat"),
    ("_frozen_importlib_external", "_path_is_mode_type"),
    ("_frozen_importlib_external.PathFinder", "_path_importer_cache"),
    ("_frozen_importlib_external.FileFinder", "_fill_cache"),
    ("sys", "set_lazy_imports_filter"),
    ("sys", "get_lazy_imports_filter"),
)

_INTERNAL_MODULES = frozenset(
    {
        "importlib._bootstrap",
        "importlib._bootstrap_external",
        "_frozen_importlib",
        "_frozen_importlib_external",
    }
)
_BOOTSTRAP_GLOBALS = _bootstrap.__dict__
_EXTERNAL_GLOBALS = _external.__dict__
_UNSET = object()
_ERROR = object()
_NO_GLOBALS = object()  # __import__ called without globals (not the same as globals=None)
_PLAIN = (str, int, float, bool, type(None))

# Event kinds. A load is itself a list (mutable: its end time and result arrive later); every
# other event is a tuple of strings, numbers and the load's id (L_ID): such tuples are not
# tracked by the garbage collector, and nothing in them keeps another object alive.
LOAD, VISIT, FOUND, STAT, LISTDIR, CAND, STMT, LAZY, VISITED = range(9)
# load list layout
(
    L_NAME,
    L_PARENT,
    L_IMPORTER,
    L_TID,
    L_T0,
    L_T1,
    L_ERR,
    L_FINDER,
    L_ASKING,
    L_RELOAD,
    L_THREAD,
    L_OWNER,
    L_LAZY,
    L_ID,
) = range(1, 15)

_FIND_AND_LOAD_CODE = _bootstrap._find_and_load.__code__
_EXEC_CODE = _bootstrap._exec.__code__
_GCD_CODE = _bootstrap._gcd_import.__code__
_ISFILE_MODE = 0o100000
_ISDIR_MODE = 0o040000


class _Miss(Exception):
    """Raised by the delegating finder when no finder after it found the module."""


# --------------------------------------------------------------------------------------------
# Shared recording state. Hooks read these module globals at call time.

_events: list = []
_stacks: dict = {}  # thread id -> list of open loads (innermost last)
_seen: dict = {}  # (importer, name) -> cache-hit count, for the current generation
_generations: list = []  # archived _seen dicts; a session sums the ones it spans
_errors: list = []
_pending_reloads: dict = {}  # thread id -> reload record between its find and its execution
_lazy_bound: dict = {}  # (importer, name) -> True: PEP 810 lazy imports bound, not yet used
_reifying: dict = {}  # thread id -> (name, "file:line") of a lazy import being used for the first time
_state_lock = allocate_lock()  # taken only by start/stop, never inside a hook
_installed = None  # the active _Install, or None
_sessions = 0
_main_tid = get_ident()


def _owner(path):
    """The object a PATCH_POINTS owner names (``None`` when this interpreter lacks it)."""
    module_name, _, class_name = path.partition(".")
    owner = builtins if module_name == "builtins" else sys.modules.get(module_name)
    if class_name:
        owner = getattr(owner, class_name, None)
    return owner


def _current(owner, attribute):
    return owner.__dict__.get(attribute, _UNSET)


def import_state():
    """Everything an import tracer may change, as a dict: compare two to prove nothing changed.

    The patch points of :data:`PATCH_POINTS`, ``sys.meta_path``, ``sys.path_hooks``, the type
    of every cached FileFinder listing and (3.15+) the lazy-imports filter. (Not the recursion
    limit: the hooks give slots back only while they run, and other libraries set it too;
    tests/test_trace_in_process.py checks that it is left as found.)
    """
    state = {}
    for owner_path, attribute in PATCH_POINTS:
        owner = _owner(owner_path)
        if owner is not None:
            state[f"{owner_path}.{attribute}"] = _current(owner, attribute)
    state["sys.meta_path"] = list(sys.meta_path)
    state["sys.path_hooks"] = list(sys.path_hooks)
    state["FileFinder listings"] = sorted({type(cache).__name__ for cache in _listings()})
    if _get_lazy_filter is not None:
        state["sys lazy imports filter"] = _get_lazy_filter()  # the real one, not the function
    return state


def _listings():
    for finder in list(sys.path_importer_cache.values()):
        cache = getattr(finder, "_path_cache", None) if type(finder) is _external.FileFinder else None
        if isinstance(cache, set):
            yield cache


# --------------------------------------------------------------------------------------------
# Helpers the hooks call. None of them runs user code.


def _capture_error(exc):
    """What to keep of an exception raised through a hook: its text if that is safe now.

    Formatting an exception calls its ``__str__``: fine for built-in exception types carrying
    plain arguments (C code over strings and numbers), but user code otherwise, which must not
    run inside an import. Then the type and arguments are kept and described after recording.
    """
    try:
        cls = type(exc)
        args = _ARGS(exc)
        for base in cls.__mro__:
            if "__str__" in base.__dict__:
                builtin_str = base.__module__ == "builtins"
                break
        else:
            builtin_str = False
        if builtin_str and all(_is_plain(arg) for arg in args):
            message = str(exc)
            name = _TYPE_NAME(cls)
            return f"{name}: {message}" if message else name
        return (cls, args)
    except Exception:
        return "(an exception pyenvlab could not describe)"


def _is_plain(value):
    kind = type(value)
    if kind is tuple:
        return all(type(item) in _PLAIN for item in value)
    return kind in _PLAIN


def _describe_captured(captured):
    """The ``"ExcType: message"`` text of a captured error (runs after recording stopped)."""
    if captured is None or type(captured) is str:
        return captured
    cls, args = captured
    name = _safe(lambda: _TYPE_NAME(cls), "Exception")
    if not args:
        return name
    text = _safe(lambda: str(args[0]) if len(args) == 1 else str(args), "<unprintable>")
    return f"{name}: {text}"


def _safe(function, fallback):
    try:
        return function()
    except Exception:
        return fallback


def _fault(where, what, exc):
    """Note a fault inside the recorder; never raises (the import must go on untouched).

    ``exc`` comes from the recorder's own bookkeeping, which calls no user code, so describing
    it runs none either.
    """
    try:
        detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        _errors.append(f"{where} {what!r}: {detail}" if type(what) is str else f"{where}: {detail}")
    except Exception:
        _errors.append(f"{where}: a fault inside the recorder")


def _class_name(obj):
    """The class name of ``obj`` (or its own name if it is a class), without running its code."""
    cls = type(obj)
    if type in cls.__mro__:
        return _TYPE_NAME(obj)
    return _TYPE_NAME(cls)


def _global_name(globals_):
    """``globals_['__name__']`` if that is a string, read as the import system would."""
    if type(globals_) is dict or dict in type(globals_).__mro__:
        name = dict.get(globals_, "__name__")
        if type(name) is str:
            return name
    return None


def _frame_module(frame, own_codes):
    """Name of the module running ``frame``, skipping importlib's and the recorder's frames."""
    while frame is not None:
        if frame.f_code not in own_codes:
            name = _global_name(frame.f_globals)
            if name not in _INTERNAL_MODULES and name != "importlib":
                return name
        frame = frame.f_back
    return None


def _thread_name(tid):
    if tid == _main_tid:
        return "MainThread"
    # threading may be absent, or half-imported (this load may be part of importing it)
    active = getattr(sys.modules.get("threading"), "_active", None)
    thread = dict.get(active, tid) if type(active) is dict else None
    if thread is not None:
        name = dict.get(object.__getattribute__(thread, "__dict__"), "_name")
        if type(name) is str:
            return name
    return f"Thread-{tid}"


def _resolve_relative(name, globals_, level):
    """The absolute name a relative import asks for, or None when it cannot be known safely.

    Reads ``__package__``, ``__spec__`` and ``__name__`` as the import system does, without its
    warnings and without calling anything a user defined (then the statement is kept relative).
    """
    if type(name) is not str or type(level) is not int or level < 1:
        return None
    if not (type(globals_) is dict or dict in type(globals_).__mro__):
        return None
    package = dict.get(globals_, "__package__")
    if package is None:
        spec = dict.get(globals_, "__spec__")
        if spec is not None:
            if type(spec) is not _ModuleSpec:
                return None
            package = spec.parent
        else:
            module_name = dict.get(globals_, "__name__")
            if type(module_name) is not str:
                return None
            package = (
                module_name if dict.__contains__(globals_, "__path__") else module_name.rpartition(".")[0]
            )
    if type(package) is not str or not package:
        return None
    bits = package.rsplit(".", level - 1)
    if len(bits) < level:
        return None  # beyond the top-level package: the import system raises
    return f"{bits[0]}.{name}" if name else bits[0]


def _import_arguments(args, kwargs):
    """(name, globals, fromlist, level) of a call to ``__import__``, or None if malformed."""
    names = ("name", "globals", "locals", "fromlist", "level")
    if len(args) > 5 or any(key not in names for key in kwargs):
        return None
    values = dict(zip(names, args, strict=False))
    for key, value in kwargs.items():
        if key in values:
            return None
        values[key] = value
    if "name" not in values:
        return None
    return values["name"], values.get("globals"), values.get("fromlist"), values.get("level", 0)


#: On 3.10 the builtin __import__ is a METH_VARARGS function: calling it goes through a counted
#: tp_call, one recursion slot (3.11's Argument Clinic version is a vectorcall, and nothing a
#: program can inspect tells the two apart, hence the version check). The hook pays it too, on
#: top of its frame; an import *statement* would not have (IMPORT_NAME calls the C import
#: directly), a direct ``__import__(...)`` call would. The opcode of IMPORT_NAME on 3.10:
_TP_CALL_IMPORT = 108 if sys.version_info < (3, 11) else None


def _import_slots_310(caller):
    """Recursion slots the __import__ hook takes on 3.10 (see _TP_CALL_IMPORT)."""
    code = caller.f_code.co_code
    lasti = caller.f_lasti
    return 2 if 0 <= lasti < len(code) and code[lasti] == _TP_CALL_IMPORT else 1


_finders: dict = {}  # id -> finder object, for the finders events name by id
_ERROR_ID = -1  # a path entry whose path hook raised


def _finder_id(finder):
    """A finder's id for events (the registry keeps it alive until the trace is read)."""
    key = id(finder)
    if key not in _finders:
        _finders[key] = finder
    return key


_ZERO = 0  # level of an absolute import (the small-int singleton: compared by identity)


def _first_hit(importer, name, fromlist, level):
    """The first cache hit of ``name`` from ``importer`` in this generation: count it, note it."""
    _seen[importer, name] = 1
    if type(fromlist) is not tuple:
        fromlist = tuple(fromlist) if type(fromlist) is list else ()
    _events.append((STMT, importer, name, True, fromlist, level))


def _is_package(module):
    """Whether importing names from ``module`` may import its submodules (it has ``__path__``)."""
    if type(module) is _ModuleType or _ModuleType in type(module).__mro__:
        return "__path__" in _module_dict(module)
    return True  # not a module: the import system asks it, and that may run code


def _fromlist(fromlist):
    if type(fromlist) is tuple:
        return fromlist
    return tuple(fromlist) if type(fromlist) is list else ()


def _statement(name, globals_, fromlist, level):
    """Record an import statement other than a plain absolute cache hit; True if a load (or
    a submodule import) may follow, so the caller gives back its recursion slot."""
    if type(name) is not str or type(level) is not int:
        return True  # the import system will refuse it
    if type(globals_) is dict and (globals_ is _BOOTSTRAP_GLOBALS or globals_ is _EXTERNAL_GLOBALS):
        importer = _importlib_importer(_getframe(2))  # the frame of the C code's caller
    else:
        importer = _global_name(globals_)
    absolute = _resolve_relative(name, globals_, level) if level else name
    if _lazy_bound and (importer, absolute) in _lazy_bound:
        # not a statement: the first use of a lazy import (PEP 810), whose load follows
        del _lazy_bound[importer, absolute]
        if absolute not in sys.modules:
            user = _getframe(2)
            _reifying[get_ident()] = (absolute, f"{user.f_code.co_filename}:{user.f_lineno}")
        return True
    if absolute is not None and absolute in sys.modules:
        key = (importer, absolute)
        count = _seen.get(key)
        if count is None:
            _first_hit(importer, absolute, fromlist, level)
        else:
            _seen[key] = count + 1
        if fromlist is None or (type(fromlist) is tuple and not fromlist):
            return False
        return _is_package(sys.modules.get(absolute))
    shown = absolute if absolute is not None else "." * level + name
    _events.append((STMT, importer, shown, False, _fromlist(fromlist), level))
    return True


def _importlib_importer(frame):
    """Who imports when C code imports through ``__import__`` with importlib's frame on top.

    From an extension module's init (run by ``_call_with_frames_removed``) it is that module,
    the open load; otherwise the import system itself (``io.open_code`` imports ``_io``).
    """
    if frame.f_code.co_name == "_call_with_frames_removed":
        stack = _stacks.get(get_ident())
        if stack:
            return stack[-1][L_NAME]
    return "importlib._bootstrap"


def _snapshot_spec(spec):
    """What the trace keeps of a found spec: (origin, loader class, locations), cheaply.

    For importlib's own ModuleSpec these are plain attributes; a finder's own spec type may
    compute them in code, so such a spec is kept whole and read after recording stops.
    """
    if spec is None:
        return None
    if type(spec) is not _ModuleSpec:
        return _Later(spec)
    loader = spec.loader
    if loader is not None:
        kind = type(loader)
        loader = _TYPE_NAME(loader if kind is type or type in kind.__mro__ else kind)
    return (spec.origin, loader, _snapshot_locations(spec.submodule_search_locations))


class _Later:
    """An object whose contents the recorder reads after recording stops (it may run code)."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value


def _snapshot_locations(locations):
    """A spec's ``submodule_search_locations`` as a tuple now (packages change their
    ``__path__`` later), or, for an iterable of unknown type, the object to read later."""
    if locations is None:
        return None
    kind = type(locations)
    if kind is list or kind is tuple:
        return tuple(locations)
    if kind is _NamespacePath:
        inner = locations.__dict__.get("_path")
        if type(inner) is list:
            return tuple(inner)
    return _Later(locations)


# The recursion limit is one number for the whole interpreter, while each thread has its own
# depth: the slots hooks give back are counted together (EXTRA) on top of the program's own
# limit (BASE), and the limit is always BASE + EXTRA. A limit the program sets meanwhile
# (EXPECTED no longer matches) becomes the new BASE, so it is what remains once the hooks
# return. The lock guards four integer updates and two C calls, never anything that could
# import; a hook that finds it taken (another thread, or a signal handler interrupting this
# one) simply gives nothing back for that call.
_limit_lock = allocate_lock()
_limit_state = [0, 0, 0]  # BASE, EXTRA, EXPECTED
_BASE, _EXTRA, _EXPECTED = range(3)


def _raise_slots(slots):
    """Give back ``slots`` recursion slots (the hook's frames); True if done (then lower them)."""
    if not _limit_lock.acquire(False):
        return False
    try:
        state = _limit_state
        current = _getlimit()
        if state[_EXTRA] == 0 or current != state[_EXPECTED]:  # the program's own limit
            state[_BASE] = current
        state[_EXTRA] += slots
        limit = state[_BASE] + state[_EXTRA]
        _setlimit(limit)
        state[_EXPECTED] = limit
        return True
    finally:
        _limit_lock.release()


def _lower_slots(slots):
    """Take back slots given by :func:`_raise_slots`.

    At the very recursion limit CPython refuses to lower it (the current depth would exceed
    it): it then stays where it is until the next change, or until recording stops.
    """
    with _limit_lock:
        state = _limit_state
        current = _getlimit()
        if current != state[_EXPECTED]:
            # the program set a limit of its own meanwhile: that is its limit, as untraced (the
            # slots still given back sit on top of it until their hooks return)
            state[_BASE] = current
        state[_EXTRA] -= slots
        limit = state[_BASE] + state[_EXTRA]
        try:
            _setlimit(limit)
            state[_EXPECTED] = limit
        except (RecursionError, ValueError):
            state[_EXPECTED] = current


def _settle_limit():
    """When recording stops: the program's own limit, whatever was still given back."""
    with _limit_lock:
        state = _limit_state
        if state[_EXTRA] == 0 and _getlimit() == state[_EXPECTED] != state[_BASE]:
            try:
                _setlimit(state[_BASE])
            except (RecursionError, ValueError):
                return
            state[_EXPECTED] = state[_BASE]


def _try_heal(owner, attribute, hook, original):
    try:
        _heal(owner, attribute, hook, original)
    except Exception as exc:
        _fault("unhook", attribute, exc)


def _heal(owner, attribute, hook, original):
    """A switched-off hook found installed again (another tool restored it): put back the original."""
    try:
        if owner.__dict__.get(attribute) is hook:
            setattr(owner, attribute, original)
    except Exception:
        pass


def _close(record, stack, error=None):
    """End an open load: its end time, and off this thread's stack (whatever happened)."""
    try:
        record[L_T1] = perf_counter()
    except Exception:
        record[L_T1] = record[L_T0]
    if error is not None and record[L_ERR] is None:
        record[L_ERR] = error
    if stack and stack[-1] is record:
        stack.pop()
    elif record in stack:
        stack.remove(record)


# --------------------------------------------------------------------------------------------
# Installing and removing the hooks


class _Install:
    """One installation of the hooks: the originals, the hooks, and an on/off switch.

    Each installation builds fresh hook closures bound to the originals it replaced, so a hook
    left in place (because another tool wrapped it after us) keeps calling *its* original and
    passes through once switched off; it can never recurse into a later installation.
    """

    def __init__(self) -> None:
        self.on = [True]
        self.candidates = [False]
        self.patches: list = []  # (owner, attribute, original, hook)
        self.finder = None
        self.listing_type = None
        self.own_codes: set = set()
        self.candidates_sessions = 0
        self.lazy_filter = None
        self.previous_lazy_filter = None

    def install(self) -> None:
        hooks = _make_hooks(self)
        for owner, attribute, hook in hooks:
            self.patches.append((owner, attribute, owner.__dict__[attribute], hook))
        for owner, attribute, _original, hook in self.patches:
            setattr(owner, attribute, hook)
        sys.meta_path.insert(0, self.finder)
        if _set_lazy_filter is not None and self.lazy_filter is not None:
            self.previous_lazy_filter = _get_lazy_filter()
            _set_lazy_filter(self.lazy_filter)

    def uninstall(self) -> None:
        self.on[0] = False
        for owner, attribute, original, hook in reversed(self.patches):
            if owner.__dict__.get(attribute) is hook:
                setattr(owner, attribute, original)
            # else: someone wrapped on top of us; our hook stays in their chain, switched off,
            # and puts the original back if it is ever installed again (see _heal).
        for index, finder in enumerate(sys.meta_path):
            if finder is self.finder:
                del sys.meta_path[index]
                break
        # (if the program set a filter of its own meanwhile, ours is no longer consulted anyway)
        lazy_filter = self.lazy_filter
        if _set_lazy_filter is not None and lazy_filter is not None and _get_lazy_filter() is lazy_filter:
            _set_lazy_filter(self.previous_lazy_filter)
        self.set_candidates(on=False)

    def set_candidates(self, *, on: bool) -> None:
        """Turn candidate recording on or off for every FileFinder's cached listing."""
        self.candidates[0] = on
        listing = self.listing_type
        for finder in list(sys.path_importer_cache.values()):
            cache = getattr(finder, "_path_cache", None) if type(finder) is _external.FileFinder else None
            if not isinstance(cache, set):
                continue
            if on and type(cache) is set:
                finder._path_cache = listing(cache, finder.path)
            elif not on and type(cache) is listing:
                finder._path_cache = set(cache)


def _relabel(function, own_codes, filename=HOOK_FILENAME):
    code = function.__code__
    if filename and code.co_filename != filename:
        code = code.replace(co_filename=filename)
        function.__code__ = code
    own_codes.add(code)
    return function


def _make_hooks(install: _Install):
    on = install.on
    candidates_on = install.candidates
    own_codes = install.own_codes
    modules = sys.modules
    bootstrap, external = _bootstrap, _external

    orig_import = builtins.__import__
    orig_sanity = bootstrap._sanity_check
    orig_find_spec = bootstrap._find_spec
    orig_pic = external.PathFinder.__dict__["_path_importer_cache"].__func__
    orig_fill = external.FileFinder.__dict__["_fill_cache"]
    orig_stat = external._path_stat
    find_spec_legacy = getattr(bootstrap, "_find_spec_legacy", None)
    stat = external._os.stat
    orig_set_filter, orig_get_filter = _set_lazy_filter, _get_lazy_filter

    # -- 1. statements ---------------------------------------------------------------------
    # The signature is the builtin's, except that an absent ``globals`` stays absent (the
    # builtin treats absent and None differently). The common case, a cache hit from module
    # code, costs a few identity checks and one counter; everything else goes to _statement.
    def __import__(name, globals=_NO_GLOBALS, locals=None, fromlist=None, level=0):
        nested = True
        if on[0]:
            try:
                if type(name) is str and level is _ZERO and type(globals) is dict and name in modules:
                    if globals is _EXTERNAL_GLOBALS or globals is _BOOTSTRAP_GLOBALS:
                        importer = _importlib_importer(_getframe(1))
                    else:
                        importer = globals.get("__name__")
                        if type(importer) is not str:
                            importer = None
                    # (no try/except KeyError: raising costs more than a look-up)
                    key = (importer, name)
                    if _lazy_bound and key in _lazy_bound:
                        del _lazy_bound[key]  # the first use of a lazy import: not a statement
                    else:
                        count = _seen.get(key)
                        if count is None:
                            _seen[key] = 1
                            names = fromlist if type(fromlist) is tuple else _fromlist(fromlist)
                            _events.append((STMT, importer, name, True, names, 0))
                        else:
                            _seen[key] = count + 1
                    if fromlist is None or (type(fromlist) is tuple and not fromlist):
                        nested = False
                    else:  # from-imports run Python code only for a package (_handle_fromlist)
                        module = modules.get(name)
                        if type(module) is _ModuleType:
                            nested = "__path__" in _module_dict(module)
                        else:
                            nested = _is_package(module)
                else:
                    nested = _statement(name, globals, fromlist, level)
            except Exception as exc:
                _fault("statement", name, exc)
        else:
            _try_heal(builtins, "__import__", __import__, orig_import)
        if not nested:  # a cache hit: nothing runs below this frame
            try:
                if globals is _NO_GLOBALS:
                    return orig_import(name, locals=locals, fromlist=fromlist, level=level)
                return orig_import(name, globals, locals, fromlist, level)
            except BaseException as exc:
                tb = _TRACEBACK.__get__(exc)
                if tb is not None and tb.tb_frame is _getframe():
                    _TRACEBACK.__set__(exc, tb.tb_next)
                raise
        # A load may follow, and nested imports in it: give back this frame's recursion slots.
        try:
            slots = 1 if _TP_CALL_IMPORT is None else _import_slots_310(_getframe(1))
            raised = _raise_slots(slots)
        except Exception as exc:
            _fault("recursion limit", None, exc)
            raised = False
        try:
            if globals is _NO_GLOBALS:
                return orig_import(name, locals=locals, fromlist=fromlist, level=level)
            return orig_import(name, globals, locals, fromlist, level)
        except BaseException as exc:
            tb = _TRACEBACK.__get__(exc)
            if tb is not None and tb.tb_frame is _getframe():
                _TRACEBACK.__set__(exc, tb.tb_next)
            raise
        finally:
            if raised:
                _lower_slots(slots)

    # -- 2. loads: the module lock manager -----------------------------------------------------
    def lock_manager(base):
        orig_enter = base.__enter__
        orig_exit = base.__exit__

        class RecordingLockManager(base):
            __doc__ = base.__doc__

            def __enter__(self):
                if on[0]:
                    try:
                        name = self._name
                        tid = get_ident()
                        stack = _stacks.get(tid)
                        if _pending_reloads and tid in _pending_reloads:
                            _continue_reload(self, name, tid)
                        elif name not in modules:  # else: loaded meanwhile (3.10 locks for those too)
                            if stack is None:
                                stack = _stacks.setdefault(tid, [])
                            if stack:
                                parent = stack[-1]
                                importer = None
                            else:
                                parent = None
                                importer = _frame_module(_getframe(1), own_codes)
                            record = [
                                LOAD,
                                name,
                                parent,
                                importer,
                                tid,
                                perf_counter(),
                                None,
                                None,
                                None,
                                None,
                                False,
                                "MainThread" if tid == _main_tid else _thread_name(tid),
                                self,
                                None,
                                0,
                            ]
                            record[L_ID] = id(record)
                            if _reifying:  # the first use of a PEP 810 lazy import
                                reified = _reifying.pop(tid, None)
                                if reified is not None and reified[0] == name:
                                    record[L_LAZY] = reified[1]
                            _events.append(record)
                            stack.append(record)
                    except Exception as exc:
                        _fault("load", None, exc)
                else:
                    _try_heal(bootstrap, base.__name__, RecordingLockManager, base)
                try:
                    return orig_enter(self)
                except BaseException as exc:  # e.g. a deadlock: __exit__ will not run
                    _end_load(self, exc)
                    tb = _TRACEBACK.__get__(exc)
                    if tb is not None and tb.tb_frame is _getframe():
                        _TRACEBACK.__set__(exc, tb.tb_next)
                    raise

            def __exit__(self, exc_type, exc, tb):
                try:
                    return orig_exit(self, exc_type, exc, tb)
                finally:
                    try:
                        stack = _stacks.get(get_ident())
                        if stack:
                            record = stack[-1]
                            if record[L_OWNER] is self:
                                record[L_OWNER] = None  # it holds the module lock: let it go
                                record[L_T1] = perf_counter()
                                if exc is not None and record[L_ERR] is None:
                                    record[L_ERR] = _capture_error(exc)
                                stack.pop()
                    except Exception as fault:
                        _fault("load end", None, fault)

        RecordingLockManager.__name__ = base.__name__
        RecordingLockManager.__qualname__ = base.__qualname__
        RecordingLockManager.__module__ = base.__module__
        _relabel(RecordingLockManager.__enter__, own_codes)
        _relabel(RecordingLockManager.__exit__, own_codes)
        return RecordingLockManager

    def _end_load(manager, exc):
        """End the load ``manager`` guards, if we recorded one; never raises."""
        try:
            stack = _stacks.get(get_ident())
            if stack and stack[-1][L_OWNER] is manager:
                record = stack[-1]
                record[L_OWNER] = None
                _close(record, stack, None if exc is None else _capture_error(exc))
        except Exception as fault:
            _fault("load", None, fault)

    def _continue_reload(manager, name, tid):
        """``importlib.reload()`` executes under the module lock after its find: reopen it."""
        record = _pending_reloads.pop(tid, None)
        if record is not None and record[L_NAME] == name and _getframe(2).f_code is _EXEC_CODE:
            record[L_OWNER] = manager
            _stacks.setdefault(tid, []).append(record)

    # -- 3. importlib.import_module ---------------------------------------------------------
    def _sanity_check(name, package, level):
        try:
            orig_sanity(name, package, level)
        except BaseException as exc:
            tb = _TRACEBACK.__get__(exc)
            if tb is not None and tb.tb_frame is _getframe():
                _TRACEBACK.__set__(exc, tb.tb_next)
            raise
        if not on[0]:
            _try_heal(bootstrap, "_sanity_check", _sanity_check, orig_sanity)
            return
        try:
            caller = _getframe(1)
            if caller.f_code is not _GCD_CODE:
                return
            absolute = name
            if level:
                absolute = _safe(lambda: bootstrap._resolve_name(name, package, level), None)
                if absolute is None:
                    return
            importer = _frame_module(caller.f_back, own_codes)
            if absolute in modules:
                key = (importer, absolute)
                count = _seen.get(key)
                if count is None:
                    _first_hit(importer, absolute, (), 0)
                else:
                    _seen[key] = count + 1
            else:
                _events.append((STMT, importer, absolute, False, (), 0))
        except Exception as exc:
            _fault("import_module", name, exc)

    # -- 4. which meta-path finder answered ---------------------------------------------------
    def _find_spec(name, path, target=None):
        record = None
        pushed = False
        if on[0]:
            try:
                stack = _stacks.get(get_ident())
                if stack:
                    top = stack[-1]
                    if top[L_NAME] == name and top[L_FINDER] is None:
                        record = top
                if record is None and target is not None:
                    record = _open_reload(name)
                    pushed = record is not None
            except Exception as exc:
                _fault("find", name, exc)
        else:
            _try_heal(bootstrap, "_find_spec", _find_spec, orig_find_spec)
        try:  # this frame and the delegating finder's: give back their recursion slots
            raised = _raise_slots(2)
        except Exception as exc:
            _fault("recursion limit", None, exc)
            raised = False
        try:
            spec = orig_find_spec(name, path, target)
        except _Miss:
            spec = None
        except BaseException as exc:
            if record is not None:
                try:
                    described = _capture_error(exc)
                    _events.append((FOUND, record[L_ID], None, described))
                    if pushed:
                        record[L_ERR] = described
                except Exception as fault:
                    _fault("find", name, fault)
            tb = _TRACEBACK.__get__(exc)
            if tb is not None and tb.tb_frame is _getframe():
                _TRACEBACK.__set__(exc, tb.tb_next)
            raise
        finally:
            if raised:
                _lower_slots(2)
            if pushed:
                try:
                    _close(record, _stacks.get(record[L_TID]) or [])
                except Exception as fault:
                    _fault("find", name, fault)
        if record is not None:
            try:
                _events.append((FOUND, record[L_ID], _snapshot_spec(spec), None))
            except Exception as exc:
                _fault("spec", name, exc)
        return spec

    def _open_reload(name):
        """Open the record of an ``importlib.reload()``: find now, execute later (see above)."""
        tid = get_ident()
        stack = _stacks.setdefault(tid, [])
        parent = stack[-1] if stack else None
        importer = _frame_module(_getframe(2), own_codes)
        record = [
            LOAD,
            name,
            parent,
            importer,
            tid,
            perf_counter(),
            None,
            None,
            None,
            None,
            True,
            _thread_name(tid),
            None,
            None,
            0,
        ]
        record[L_ID] = id(record)
        _events.append(record)
        stack.append(record)
        _pending_reloads[tid] = record
        return record

    class PyenvlabRecorder:
        """Meta-path finder that asks the finders after it, to learn which one answered.

        It acts only for finds made by the recorder's ``_find_spec`` hook; for any other caller
        (``importlib.util.find_spec``, pkgutil...) it returns None at once. It asks the
        remaining finders exactly as ``_find_spec`` would (the import lock is already held),
        then raises a private exception on a miss so that ``_find_spec`` does not ask them a
        second time.
        """

        def find_spec(self, name, path, target=None):
            try:
                if not on[0] or _getframe(2).f_code is not find_spec_code:
                    return None
                stack = _stacks.get(get_ident())
                record = stack[-1] if stack and stack[-1][L_NAME] == name else None
            except Exception as exc:
                _fault("finder", name, exc)
                return None
            try:
                after_self = False
                for finder in sys.meta_path:
                    if not after_self:
                        after_self = finder is self
                        continue
                    if record is not None:
                        record[L_ASKING] = finder
                    try:
                        find = finder.find_spec
                    except AttributeError:
                        if find_spec_legacy is None:
                            continue
                        spec = find_spec_legacy(finder, name, path)
                    else:
                        spec = find(name, path, target)
                    if spec is not None:
                        if record is not None:
                            record[L_FINDER] = finder
                            record[L_ASKING] = None
                        return spec
            except BaseException as exc:
                tb = _TRACEBACK.__get__(exc)
                if tb is not None and tb.tb_frame is _getframe():
                    _TRACEBACK.__set__(exc, tb.tb_next)
                raise
            if record is not None:
                record[L_ASKING] = None
            raise _Miss

        def __repr__(self) -> str:
            return "<pyenvlab import recorder>"

    # -- 5. path entries ---------------------------------------------------------------------
    def _path_importer_cache(cls, path):
        load_id = None
        created = False
        if on[0]:
            try:
                created = path != "" and path not in sys.path_importer_cache
                stack = _stacks.get(get_ident())
                if stack:
                    record = stack[-1]
                    load_id = record[L_ID]
                    asking = record[L_ASKING]
                    asking_id = _finder_id(asking) if asking is not None else 0
                    _events.append((VISIT, load_id, path, created, asking_id))
            except Exception as exc:
                _fault("path entry", path, exc)
                load_id = None
        else:
            _try_heal(external.PathFinder, "_path_importer_cache", hooked_pic, classmethod(orig_pic))
        # a new entry runs sys.path_hooks, the deepest point of a search: give back our frame
        raised = False
        if created:
            try:
                raised = _raise_slots(1)
            except Exception as exc:
                _fault("recursion limit", None, exc)
        try:
            finder = orig_pic(cls, path)
        except BaseException as exc:
            if load_id is not None:
                _events.append((VISITED, load_id, _ERROR_ID))
            tb = _TRACEBACK.__get__(exc)
            if tb is not None and tb.tb_frame is _getframe():
                _TRACEBACK.__set__(exc, tb.tb_next)
            raise
        finally:
            if raised:
                _lower_slots(1)
        if load_id is not None:
            try:
                _events.append((VISITED, load_id, 0 if finder is None else _finder_id(finder)))
            except Exception as exc:
                _fault("path entry", path, exc)
        return finder

    # -- 6. stat: equivalent one-liners, no extra frame ---------------------------------------
    def _path_stat(path):
        if on[0]:
            try:
                stack = _stacks.get(get_ident())
            except Exception as exc:
                _fault("stat", path, exc)
                stack = None
            if stack:
                try:
                    result = stat(path)
                except OSError:
                    _events.append((STAT, stack[-1][L_ID], path, False, "stat"))
                    raise
                _events.append((STAT, stack[-1][L_ID], path, True, "stat"))
                return result
        return stat(path)

    def _path_is_mode_type(path, mode):
        record = None
        if on[0]:
            try:
                stack = _stacks.get(get_ident())
                if stack:
                    record = stack[-1]
            except Exception as exc:
                _fault("stat", path, exc)
        try:
            stat_info = stat(path)
        except OSError:
            if record is not None:
                _events.append(
                    (STAT, record[L_ID], path, False, "isfile" if mode == _ISFILE_MODE else "isdir")
                )
            return False
        if record is not None:
            _events.append((STAT, record[L_ID], path, True, "isfile" if mode == _ISFILE_MODE else "isdir"))
        return (stat_info.st_mode & 0o170000) == mode

    # -- 7. and 8. directory listings ---------------------------------------------------------
    def _fill_cache(self):
        orig_fill(self)
        if on[0]:
            try:
                if candidates_on[0] and type(self._path_cache) is set:
                    self._path_cache = Listing(self._path_cache, self.path)
                stack = _stacks.get(get_ident())
                if stack:
                    _events.append((LISTDIR, stack[-1][L_ID], self.path, len(self._path_cache)))
            except Exception as exc:
                _fault("listdir", self.path, exc)
        else:
            _try_heal(external.FileFinder, "_fill_cache", _fill_cache, orig_fill)

    class Listing(set):
        """A FileFinder's cached directory listing that records each name looked up in it."""

        __slots__ = ("directory",)

        def __init__(self, items, directory) -> None:
            set.__init__(self, items)
            self.directory = directory

        def __contains__(self, item):
            found = set.__contains__(self, item)
            if on[0] and candidates_on[0]:
                try:
                    stack = _stacks.get(get_ident())
                    if stack:
                        _events.append((CAND, stack[-1][L_ID], self.directory, item, found))
                except Exception as exc:
                    _fault("candidate", item, exc)
            return found

    # -- 9. PEP 810 lazy imports (3.15+) --------------------------------------------------------
    def lazy_filter(importer, name, fromlist):
        """Consulted for every *potentially lazy* import statement: note it, then decide as the
        program's own filter (if any) would."""
        previous = install.previous_lazy_filter
        try:
            keep = True if previous is None else previous(importer, name, fromlist)
        except BaseException as exc:
            tb = _TRACEBACK.__get__(exc)
            if tb is not None and tb.tb_frame is _getframe():
                _TRACEBACK.__set__(exc, tb.tb_next)
            raise
        if on[0]:
            try:
                importer_name = importer if type(importer) is str else None
                if type(name) is not str:
                    pass
                elif keep:
                    user = _getframe(1)
                    where = f"{user.f_code.co_filename}:{user.f_lineno}"
                    _lazy_bound[importer_name, name] = True
                    _events.append((LAZY, importer_name, name, _fromlist(fromlist), name in modules, where))
                elif name in modules:  # made eager: CPython imports it without __import__
                    key = (importer_name, name)
                    count = _seen.get(key)
                    if count is None:
                        _first_hit(importer_name, name, fromlist, 0)
                    else:
                        _seen[key] = count + 1
                else:
                    _events.append((STMT, importer_name, name, False, _fromlist(fromlist), 0))
            except Exception as exc:
                _fault("lazy import", name, exc)
        return keep

    def set_lazy_imports_filter(filter):
        """``sys.set_lazy_imports_filter`` while recording: the program's filter becomes the
        one ours consults, and ``get_lazy_imports_filter`` returns it, as untraced."""
        if not on[0]:
            _try_heal(sys, "set_lazy_imports_filter", set_lazy_imports_filter, orig_set_filter)
            return orig_set_filter(filter)
        orig_set_filter(filter)  # CPython checks it (a callable or None) and raises as untraced
        install.previous_lazy_filter = filter
        return orig_set_filter(lazy_filter)

    def get_lazy_imports_filter():
        current = orig_get_filter()
        if current is lazy_filter:
            return install.previous_lazy_filter
        if not on[0]:
            _try_heal(sys, "get_lazy_imports_filter", get_lazy_imports_filter, orig_get_filter)
        return current

    for function in (
        set_lazy_imports_filter,
        get_lazy_imports_filter,
        lazy_filter,
        __import__,
        _end_load,
        _continue_reload,
        _sanity_check,
        _find_spec,
        _open_reload,
        _path_importer_cache,
        _fill_cache,
        PyenvlabRecorder.find_spec,
        Listing.__contains__,
    ):
        _relabel(function, own_codes)
    find_spec_code = _find_spec.__code__

    hooks = [
        (builtins, "__import__", __import__),
        (bootstrap, "_ModuleLockManager", lock_manager(bootstrap._ModuleLockManager)),
    ]
    hierarchical = bootstrap.__dict__.get("_HierarchicalLockManager")
    if isinstance(hierarchical, type):
        hooks.append((bootstrap, "_HierarchicalLockManager", lock_manager(hierarchical)))
    hooked_pic = classmethod(_path_importer_cache)
    hooks += [
        (bootstrap, "_sanity_check", _sanity_check),
        (bootstrap, "_find_spec", _find_spec),
        (external.PathFinder, "_path_importer_cache", hooked_pic),
        (external.FileFinder, "_fill_cache", _fill_cache),
    ]
    # The stat one-liners are replaced only where they are the one-liners we know (they have
    # been since 3.3); anything else keeps CPython's and is watched through _path_stat alone.
    if _is_plain_stat(orig_stat) and _is_plain_mode_type(external.__dict__.get("_path_is_mode_type")):
        _relabel(_path_stat, own_codes, EXTERNAL_FILENAME)
        _relabel(_path_is_mode_type, own_codes, EXTERNAL_FILENAME)
        hooks += [
            (external, "_path_stat", _path_stat),
            (external, "_path_is_mode_type", _path_is_mode_type),
        ]
    install.finder = PyenvlabRecorder()
    install.listing_type = Listing
    install.lazy_filter = None
    if _set_lazy_filter is not None:
        install.lazy_filter = lazy_filter
        hooks += [
            (sys, "set_lazy_imports_filter", set_lazy_imports_filter),
            (sys, "get_lazy_imports_filter", get_lazy_imports_filter),
        ]
    return hooks


def _is_plain_stat(function):
    code = getattr(function, "__code__", None)
    return code is not None and code.co_argcount == 1 and code.co_names == ("_os", "stat")


def _is_plain_mode_type(function):
    code = getattr(function, "__code__", None)
    return (
        code is not None and code.co_argcount == 2 and code.co_names == ("_path_stat", "OSError", "st_mode")
    )


# --------------------------------------------------------------------------------------------
# Sessions: what pyenvlab.trace() starts and stops. Sessions may nest and overlap (and may be
# stopped from another thread); the hooks are installed while at least one is running.


def _rotate_generation() -> int:
    global _seen
    _generations.append(_seen)
    _seen = {}
    return len(_generations)


class Session:
    """One recording: ``start()``, imports happen, ``stop()``, then ``build()`` the trace data."""

    def __init__(self, *, candidates: bool = False, code=None) -> None:
        self.candidates = candidates
        self.code = code
        self.running = False
        self.finished = False
        self._data = None
        self.events = self.generations = None
        self.still_lazy = set()
        self.finders = {}

    def start(self) -> None:
        global _installed, _sessions
        t0 = perf_counter()
        with _state_lock:
            if self.running or self.finished:
                msg = "a trace can be started only once"
                raise RuntimeError(msg)
            if _installed is None:
                install = _Install()
                try:
                    install.install()
                except BaseException:
                    install.uninstall()
                    raise
                _installed = install
            _sessions += 1
            if self.candidates:
                _installed.candidates_sessions += 1
                _installed.set_candidates(on=True)
            self.sys_path = list(sys.path)
            self.meta_path = [
                _safe(lambda finder=finder: _class_name(finder), "?")
                for finder in sys.meta_path
                if finder is not _installed.finder
            ]
            self.first_event = len(_events)
            self.first_generation = _rotate_generation()
            self.first_error = len(_errors)
            self.running = True
            self.t0 = t0

    def stop(self) -> None:
        """Stop recording; the last session to stop removes the hooks (whatever happens)."""
        global _installed, _sessions, _events, _generations, _errors
        try:
            t1 = perf_counter()
        except Exception:
            t1 = self.t0 if self.running else 0.0
        with _state_lock:
            if not self.running:
                return
            self.running = False
            self.finished = True
            _sessions -= 1
            install = _installed
            try:
                self.t1 = t1
                self.events = _events[self.first_event :]
                last_generation = _rotate_generation()
                self.generations = _generations[self.first_generation : last_generation]
                self.errors = _errors[self.first_error :]
                self.still_lazy = set(_lazy_bound)  # lazy imports not used by the end
                self.finders = dict(_finders)
                if self.candidates and install is not None:
                    install.candidates_sessions -= 1
                    if install.candidates_sessions == 0:
                        install.set_candidates(on=False)
            finally:
                if _sessions == 0 and install is not None:
                    install.uninstall()
                    _installed = None
                    _events = []
                    _generations = []
                    _errors = []
                    _stacks.clear()
                    _pending_reloads.clear()
                    _reifying.clear()
                    _lazy_bound.clear()
                    _finders.clear()
                    _settle_limit()

    def meta(self):
        """The trace's fields other than its modules and statements."""
        return {
            "python": ".".join(str(part) for part in sys.version_info[:3]),
            "executable": sys.executable or "",
            "sys_path": [_text(entry) for entry in self.sys_path],
            "platform": sys.platform,
            "meta_path": list(self.meta_path),
            "stdlib_names": sorted(getattr(sys, "stdlib_module_names", ())),
            "errors": list(self.errors),
            "candidates": self.candidates,
            "code": self.code,
            "seconds": self.t1 - self.t0,
            "lazy_pending": sorted(
                {
                    event[2]
                    for event in self.events
                    if event[0] == LAZY and (event[1], event[2]) in self.still_lazy
                }
            ),
        }

    def build(self, raised=None, factory=None):
        """The trace built by ``factory`` (default: JSON-ready data), or None while running."""
        if not self.finished:
            return None
        if self._data is None:
            self._data = build(
                self.events,
                self.generations,
                t0=self.t0,
                candidates=self.candidates,
                meta=self.meta(),
                factory=factory,
                finders=self.finders,
            )
            self.events = self.generations = None
            self.finders = {}
        return self._data


# --------------------------------------------------------------------------------------------
# Building records from events (pure: runs after recording, outside any hook)


class Opaque(str):
    """A path entry that is not a string (``42``, ``b'/lib'``, an object): shown by its repr."""

    __slots__ = ("type_name",)

    def __new__(cls, text, type_name):
        self = str.__new__(cls, text)
        self.type_name = type_name
        return self

    def __eq__(self, other):
        return type(other) is Opaque and str.__eq__(self, other) and self.type_name == other.type_name

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return str.__hash__(self)

    def __repr__(self):
        return f"Opaque({str.__repr__(self)}, {self.type_name!r})"

    def __reduce__(self):
        return (Opaque, (str(self), self.type_name))


def _text(value):
    """``value`` as a string: itself if it is one, else an :class:`Opaque` of its repr."""
    if type(value) is str or value is None:
        return value
    if isinstance(value, str):
        return "".join((value,))
    return Opaque(
        _safe(lambda: repr(value), "<unrepresentable>"), _safe(lambda: _class_name(value), "object")
    )


class DataFactory:
    """Makes the JSON-ready data of a trace (``docs/trace-format.md``); pyenvlab's model
    passes a factory that makes its records instead, with the same methods."""

    def probe(self, path, op, found, entry):
        return {"path": path, "op": op, "found": found, "entry": entry}

    def visit(self, entry, finder, outcome, created, via):
        item = {"entry": entry, "finder": finder, "outcome": outcome, "created": created}
        if via != "PathFinder":
            item["via"] = via
        return item

    def statement(self, name, importer, *, cached, count, fromlist, level, lazy):
        item = {
            "name": name,
            "importer": importer,
            "cached": cached,
            "count": count,
            "fromlist": list(fromlist),
            "level": level,
        }
        if lazy:
            item["lazy"] = True
        return item

    def module(self, fields):
        return fields

    def trace(self, meta, modules, statements):
        return {
            "format": "pyenvlab.trace",
            "version": 2,
            **meta,
            "modules": modules,
            "statements": statements,
        }


def _finder_name(finder):
    if finder is None or finder is _UNSET or finder is _ERROR:
        return None
    return _safe(lambda: _class_name(finder), None)


class _LoadState:
    __slots__ = ("began", "entry", "find_error", "found", "found_at", "load", "probes", "spec", "visits")

    def __init__(self, load, began, end):
        self.load = load
        self.visits = []
        self.probes = []
        self.entry = None
        self.found = False
        self.spec = None
        self.find_error = None
        self.began = began
        self.found_at = end


class Builder:
    """Turns the raw events of one recording into records, one method per event kind."""

    def __init__(self, generations, *, t0, candidates, factory=None, finders=None):
        self.generations = generations
        self.t0 = t0
        self.candidates = candidates
        self.factory = factory or DataFactory()
        self.loads = {}  # id(load list) -> _LoadState
        self.order = []
        self.statements = []
        self.statement_index = {}
        self.position = 0
        self.end = 0
        self.finders = finders or {}  # id -> finder object (events name finders by id)
        self.finder_names = {}  # id(finder) -> its class name

    def feed(self, events):
        self.end = len(events)
        handlers = (
            self.on_load,
            self.on_visit,
            self.on_found,
            self.on_stat,
            self.on_listdir,
            self.on_candidate,
            self.on_statement,
            self.on_lazy,
            self.on_visited,
        )
        loads = self.loads
        for position, event in enumerate(events):
            self.position = position
            kind = event[0]
            if kind in (LOAD, STMT, LAZY):
                handlers[kind](event)
            else:
                state = loads.get(event[1])
                if state is not None:  # None: it belongs to a load that began before this trace
                    handlers[kind](event, state)

    # -- one method per event kind ------------------------------------------------------------
    def on_load(self, event):
        state = _LoadState(event, self.position, self.end)
        self.loads[event[L_ID]] = state
        self.order.append(state)

    def on_statement(self, event):
        _, importer, name, cached, fromlist, level = event
        for item in fromlist:
            if type(item) is not str:
                fromlist = tuple(_text(item) for item in fromlist)
                break
        if cached:
            key = (importer, name)
            if key in self.statement_index:
                return
            count = sum(g.get(key, 0) for g in self.generations) or 1
            self.statement_index[key] = True
        else:
            count = 1
        self.statements.append(
            self.factory.statement(
                name, importer, cached=cached, count=count, fromlist=fromlist, level=level, lazy=False
            )
        )

    def on_lazy(self, event):
        """A PEP 810 lazy import statement: bound, nothing searched or run (yet)."""
        _, importer, name, fromlist, cached, _where = event
        self.statements.append(
            self.factory.statement(
                name, importer, cached=cached, count=1, fromlist=fromlist, level=0, lazy=True
            )
        )

    def on_visit(self, event, state):
        visit = {
            "entry": _text(event[2]),
            "raw_finder": _UNSET,
            "created": bool(event[3]),
            "asking": event[4],
            "probes": [],
        }
        state.visits.append(visit)
        state.entry = visit

    def on_visited(self, event, state):
        """The finder a path entry gave (the event after its VISIT, on the same load)."""
        if state.visits:
            finder_id = event[2]
            if finder_id == _ERROR_ID:
                state.visits[-1]["raw_finder"] = _ERROR
            elif finder_id == 0:
                state.visits[-1]["raw_finder"] = None
            else:
                state.visits[-1]["raw_finder"] = self.finders.get(finder_id, _UNSET)

    def on_found(self, event, state):
        state.found = True
        state.found_at = self.position
        state.spec = event[2]
        state.find_error = _describe_captured(event[3])
        state.entry = None

    def on_stat(self, event, state):
        self._attach(state, _text(event[2]), event[4], event[3])

    def on_listdir(self, event, state):
        self._attach(state, _text(event[2]), "listdir", event[3] > 0)

    def on_candidate(self, event, state):
        if self.candidates:
            directory = _text(event[2])
            path = f"{directory}/{_text(event[3])}" if directory else _text(event[3])
            self._attach(state, path, "candidate", event[4])

    def _attach(self, state, path, op, found):
        visit = state.entry
        if visit is not None:
            visit["probes"].append((path, op, found))
        state.probes.append((path, op, found, None if visit is None else visit["entry"]))

    # -- the records --------------------------------------------------------------------------
    def finish(self, meta):
        kept = {}
        for state in self.order:
            load = state.load
            if not state.found and load[L_ERR] is None and not load[L_RELOAD] and not state.visits:
                continue  # satisfied from sys.modules after all (another thread, or a parent import)
            kept[id(load)] = state
        self.nested = nested = {}  # id(load) -> seconds spent in the loads nested in it
        for state in self.order:
            load = state.load
            parent = load[L_PARENT]
            if parent is not None:
                nested[id(parent)] = nested.get(id(parent), 0.0) + _duration(load)
        modules = [self._module(state, kept) for state in self.order if id(state.load) in kept]
        return self.factory.trace(meta, modules, self.statements)

    def _imported_by(self, load, kept):
        parent = load[L_PARENT]
        began = kept[id(load)].began if id(load) in kept else 0
        while parent is not None:
            state = kept.get(id(parent))
            if state is not None:
                if parent[L_NAME].startswith(load[L_NAME] + ".") and began < state.found_at:
                    # a parent package, imported on the way to its submodule: same importer
                    return self._imported_by(parent, kept)
                return parent[L_NAME]
            parent = parent[L_PARENT]
        return load[L_IMPORTER]

    def _spec(self, spec):
        """(origin, loader class name, locations) of a snapshot made by ``_snapshot_spec``."""
        if spec is None:
            return None, None, None
        if type(spec) is _Later:
            other = spec.value
            loader = _safe(lambda: other.loader, None)
            spec = (
                _safe(lambda: other.origin, None),
                None if loader is None else _safe(lambda: _class_name(loader), None),
                _snapshot_locations(_safe(lambda: other.submodule_search_locations, None)),
            )
        origin, loader_name, locations = spec  # (the loader's class name, from _snapshot_spec)
        if type(locations) is _Later:
            iterable = locations.value
            locations = tuple(_safe(lambda: list(iterable), []))
        if locations is not None:
            locations = tuple(_text(item) for item in locations)
        return _text(origin), loader_name, locations

    def _finder(self, finder):
        """The class name of a finder, once per finder object."""
        names = self.finder_names
        name = names.get(id(finder), _UNSET)
        if name is _UNSET:
            name = names[id(finder)] = _finder_name(finder)
        return name

    def _module(self, state, kept):
        make = self.factory
        finder_name = self._finder
        load = state.load
        origin, loader, locations = self._spec(state.spec)
        answering = load[L_FINDER]
        tail = load[L_NAME].rpartition(".")[2]
        last_of_answer = None
        answering_id = id(answering) if answering is not None else None
        for visit in state.visits:
            if visit["asking"] == answering_id:
                last_of_answer = visit
        visits = []
        last = state.visits[-1] if state.visits else None
        for visit in state.visits:
            raw = visit["raw_finder"]
            if raw is _ERROR:
                outcome = "error"
            elif raw is None or raw is _UNSET:
                outcome = "no-finder"
            elif visit is last_of_answer and state.spec is not None and loader is not None:
                outcome = "hit"
            elif visit is last and state.find_error is not None:
                outcome = "error"
            elif _is_portion(visit, tail, locations, finder_name(raw)):
                outcome = "namespace"
            else:
                outcome = "miss"
            asking = visit["asking"]
            via = finder_name(self.finders.get(asking)) if asking else None
            visits.append(make.visit(visit["entry"], finder_name(raw), outcome, visit["created"], via))
        error = _describe_captured(load[L_ERR])
        if error is None and state.find_error is not None:
            error = state.find_error
        seconds = _duration(load)
        if answering is not None:
            finder = finder_name(answering)
        else:
            finder = None if state.spec is None else "(a finder ahead of the recorder)"
        return make.module(
            {
                "name": load[L_NAME],
                "origin": origin,
                "finder": finder,
                "searched": visits,
                "probes": [make.probe(*probe) for probe in state.probes],
                "imported_by": self._imported_by(load, kept),
                "error": error,
                "seconds": seconds,
                "loader": loader,
                "search_locations": list(locations) if locations is not None else None,
                "start": max(load[L_T0] - self.t0, 0.0),
                "thread": load[L_THREAD],
                "reloaded": load[L_RELOAD],
                "self_seconds": min(max(seconds - self.nested.get(id(load), 0.0), 0.0), seconds),
                **({"lazy": True, "first_use": load[L_LAZY]} if load[L_LAZY] is not None else {}),
            }
        )


def _duration(load):
    end = load[L_T1] if load[L_T1] is not None else load[L_T0]
    return max(end - load[L_T0], 0.0)


def _is_portion(visit, tail, locations, finder):
    entry = visit["entry"]
    for path, op, found in visit["probes"]:
        if op == "isdir" and found and path.rsplit("/", 1)[-1] == tail:
            return True
    if locations and finder != "FileFinder":
        prefix = entry.rstrip("/") + "/"
        return any(location.startswith(prefix) for location in locations)
    return False


def build(events, generations, *, t0, candidates, meta, factory=None, finders=None):
    """Turn raw events into a trace (JSON-ready data unless ``factory`` says otherwise)."""
    builder = Builder(generations, t0=t0, candidates=candidates, factory=factory, finders=finders)
    builder.feed(events)
    return builder.finish(meta)


# --------------------------------------------------------------------------------------------
# Script mode: run by a target interpreter for pyenvlab.trace_import()

#: The ``python -c`` code that runs this file in a target interpreter::
#:
#:     TARGET -c BOOTSTRAP RECORDER.py CACHE_PREFIX OUT.json --code CODE [options]
#:
#: It binds no name in ``__main__`` by the time user code runs, adds no module to
#: ``sys.modules`` (``sys`` and ``marshal`` are loaded before any ``-c`` code runs), and keeps
#: this file's code object, compiled once per interpreter, in ``CACHE_PREFIX-<cache tag>.bin``.
BOOTSTRAP = """\
def _pyenvlab_bootstrap():
    import sys, marshal
    source, prefix = sys.argv[1], sys.argv[2]
    cached = f"{prefix}-{sys.implementation.cache_tag or 'untagged'}.bin"
    try:
        with open(cached, "rb") as stream:
            code = marshal.loads(stream.read())
    except Exception:
        with open(source, "rb") as stream:
            code = compile(stream.read(), source, "exec")
        try:
            sys.modules["_frozen_importlib_external"]._write_atomic(cached, marshal.dumps(code))
        except Exception:
            pass
    namespace = {"__name__": "__pyenvlab_recorder__", "__file__": source, "__builtins__": __builtins__}
    exec(code, namespace)
    return namespace["_main"](["recorder.py", *sys.argv[3:]])
raise SystemExit(_pyenvlab_bootstrap())
"""


def _main(argv):
    usage = (
        "usage: recorder.py OUT.json --code CODE [--candidates] [--no-record] [--modules-out FILE]"
        " [--lazy-imports MODE]"
    )
    if len(argv) < 4 or argv[2] != "--code":
        sys.stderr.write(usage + "\n")
        return 2
    out, code = argv[1], argv[3]
    options = argv[4:]
    candidates = "--candidates" in options
    record = "--no-record" not in options
    modules_out = options[options.index("--modules-out") + 1] if "--modules-out" in options else None
    lazy_mode = options[options.index("--lazy-imports") + 1] if "--lazy-imports" in options else None
    if lazy_mode is not None:
        set_lazy = getattr(sys, "set_lazy_imports", None)
        if set_lazy is None:
            sys.stderr.write(f"Python {sys.version.split()[0]} has no lazy imports (PEP 810, 3.15+)\n")
            return 2
        set_lazy(lazy_mode)  # as -X lazy_imports=MODE would, before any of the traced code

    # Look like `python -c CODE`: argv, __main__, and '' first on sys.path. Run as a script
    # (the older way), the script's directory is sys.path[0]: put '' back.
    here = __file__.rpartition("/")[0]
    if sys.path and sys.path[0] == here:
        sys.path[0] = ""
    sys.argv[:] = ["-c"]
    main_module = sys.modules.get("__main__")
    if main_module is None or getattr(main_module, "__name__", None) != "__main__":
        main_module = type(sys)("__main__")
        sys.modules["__main__"] = main_module
    namespace = main_module.__dict__
    namespace.pop("_pyenvlab_bootstrap", None)  # the -c code's one name, gone before user code
    namespace.setdefault("__builtins__", builtins)
    raised = None
    try:
        compiled = compile(code, "<string>", "exec")
    except SyntaxError as exc:  # the traced code's own error (`lazy import` before 3.15, say)
        compiled, raised = None, exc
    register = getattr(sys.modules.get("linecache"), "_register_code", None)
    if register is not None and compiled is not None:  # 3.13+: `python -c` keeps its source
        register(compiled, code, "<string>")
    session = Session(candidates=candidates, code=code)
    if record:
        session.start()
    try:
        if compiled is not None:
            exec(compiled, namespace)
    except BaseException as exc:
        raised = exc
    finally:
        if record:
            session.stop()
    loaded = sorted(name for name in sys.modules if isinstance(name, str))
    if record:
        data = session.build()
        data["raised"] = None if raised is None else _describe_captured(_capture_error(raised))
        _write(out, dumps(data))
    if modules_out:
        _write(modules_out, dumps(loaded))
    return 0


def _write(path, text):
    with open(path, "w", encoding="ascii") as stream:
        stream.write(text)


_JSON_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _json_string(text):
    if text.isascii() and text.isprintable() and '"' not in text and "\\" not in text:
        return f'"{text}"'
    out = ['"']
    for char in text:
        escaped = _JSON_ESCAPES.get(char)
        if escaped is not None:
            out.append(escaped)
        elif " " <= char <= "~":
            out.append(char)
        else:
            code = ord(char)
            if code > 0xFFFF:
                code -= 0x10000
                out.append(f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}")
            else:
                out.append(f"\\u{code:04x}")
    out.append('"')
    return "".join(out)


def dumps(value):
    """JSON text for plain data (ASCII only, so any path survives, surrogates included).

    The recorder writes its own JSON: importing ``json`` here would import whatever ``json``
    the traced program's sys.path provides, such as a ``json.py`` in the working directory.
    An :class:`Opaque` entry becomes ``{"opaque": TYPE, "repr": TEXT}``.
    """
    out = []
    _dump(value, out.append)
    return "".join(out)


def _dump(value, write):
    kind = type(value)
    if kind is str:
        write(_json_string(value))
    elif value is None:
        write("null")
    elif value is True:
        write("true")
    elif value is False:
        write("false")
    elif kind is int or kind is float:
        write(repr(value))
    elif kind is dict:
        write("{")
        first = True
        for key, item in value.items():
            if not first:
                write(", ")
            first = False
            write(_json_string(str(key)))
            write(": ")
            _dump(item, write)
        write("}")
    elif kind is list or kind is tuple:
        write("[")
        first = True
        for item in value:
            if not first:
                write(", ")
            first = False
            _dump(item, write)
        write("]")
    elif kind is Opaque:
        write('{"opaque": ' + _json_string(value.type_name) + ', "repr": ' + _json_string(str(value)) + "}")
    else:
        write(_json_string(str(value)))


if __name__ == "__main__":
    sys.exit(_main(sys.argv))
