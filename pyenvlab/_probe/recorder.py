"""The import recorder: watches the real import machinery and writes down what it does.

This file must run inside *any* CPython 3.10+ without pyenvlab installed, so it imports only
modules that every interpreter has loaded before running a script (``sys``, ``builtins``,
``_thread``, ``time`` and the frozen importlib). It is used two ways:

- imported as ``pyenvlab._probe.recorder`` by :func:`pyenvlab.trace` (in this process);
- run as a script by a target interpreter for :func:`pyenvlab.trace_import`::

      TARGET recorder.py OUT.json --code "import json" [--candidates] [--modules-out FILE]

How it watches (design §3, research/internals.md). Eight reversible hooks, each calling the
original exactly once and re-raising its exceptions unchanged:

1. ``builtins.__import__``: every import statement, including ``sys.modules`` cache hits
   (repeated hits of one name from one importer are counted, not stored again);
2. ``importlib._bootstrap._find_and_load``: every load, its nesting, time and failure (this is
   also where ``importlib.import_module`` arrives);
3. ``_bootstrap._find_spec`` plus a delegating finder at ``sys.meta_path[0]``: which meta-path
   finder answered, and the spec it returned (``importlib.util.find_spec`` passes untouched);
4. ``_bootstrap._exec``: the execution half of ``importlib.reload``;
5. ``PathFinder._path_importer_cache``: each path entry visited, in order, and its finder;
6. ``_bootstrap_external._path_stat``: every ``stat()`` the path machinery makes (``isfile`` and
   ``isdir`` questions are told apart by their caller);
7. ``FileFinder._fill_cache``: every directory listing;
8. with ``candidates=True``, the listing sets themselves: each file name looked up in them.

Hooks append cheap tuples to one list; records are built only when someone reads the trace.
Hook code objects are relabelled ``<frozen importlib._bootstrap>`` so that tracebacks and
``warnings`` stack levels look exactly as without the recorder. No hook imports anything or
takes a lock.
"""

import builtins
import sys
from _thread import allocate_lock, get_ident
from time import perf_counter

__all__ = ["Session", "build"]

_bootstrap = sys.modules["_frozen_importlib"]
_external = sys.modules["_frozen_importlib_external"]
_zipimport = sys.modules.get("zipimport")
_getframe = sys._getframe
_LEGACY_FINDERS = sys.version_info < (3, 12)

#: The filename given to hook code: CPython trims such frames from import tracebacks and the
#: warnings machinery skips them, as it does for importlib's own frames.
HOOK_FILENAME = "<frozen importlib._bootstrap>"
_INTERNAL_MODULES = frozenset(
    {
        "importlib._bootstrap",
        "importlib._bootstrap_external",
        "_frozen_importlib",
        "_frozen_importlib_external",
    }
)
_MISSING = object()
_UNSET = object()
_ERROR = object()

# Event kinds. A load is itself a list (mutable: its end time and result arrive later):
LOAD, VISIT, FOUND, STAT, LISTDIR, CAND, STMT = range(7)
# load list layout
(L_KIND, L_NAME, L_PARENT, L_IMPORTER, L_TID, L_T0, L_T1, L_ERR, L_FINDER, L_ASKING, L_RELOAD, L_THREAD) = (
    range(12)
)

_MODE_CODE = _external._path_is_mode_type.__code__
_ISFILE_CODE = _external._path_isfile.__code__
_ISDIR_CODE = _external._path_isdir.__code__
_GCD_CODE = _bootstrap._gcd_import.__code__


class _Miss(Exception):
    """Raised by the delegating finder when no finder after it found the module."""


# --------------------------------------------------------------------------------------------
# Shared recording state. Hooks read these module globals at call time.

_events: list = []
_stacks: dict = {}  # thread id -> list of open loads (innermost last)
_seen: dict = {}  # (importer, name) -> cache-hit count, for the current generation
_generations: list = []  # archived _seen dicts; a session sums the ones it spans
_errors: list = []
_state_lock = allocate_lock()  # taken only by start/stop, never inside a hook
_installed = None  # the active _Install, or None
_sessions = 0


def _describe_exception(exc: BaseException) -> str:
    try:
        message = str(exc)
    except Exception:
        message = "<unprintable>"
    name = type(exc).__name__
    return f"{name}: {message}" if message else name


def _close(record, stack):
    """End an open load: its end time, and off this thread's stack (whatever happened)."""
    try:
        record[L_T1] = perf_counter()
    except Exception:
        record[L_T1] = record[L_T0]
    if stack and stack[-1] is record:
        stack.pop()
    elif record in stack:
        stack.remove(record)


def _fault(where, what, exc):
    """Note a fault inside the recorder; never raises (the import must go on untouched)."""
    try:
        _errors.append(f"{where} {what!r}: {_describe_exception(exc)}")
    except Exception:
        _errors.append(f"{where}: a fault inside the recorder")


def _frame_module(frame, own_codes):
    """Name of the module running ``frame``, skipping importlib's and the recorder's frames."""
    while frame is not None:
        if frame.f_code not in own_codes:
            name = frame.f_globals.get("__name__")
            if name not in _INTERNAL_MODULES and name != "importlib":
                return name
        frame = frame.f_back
    return None


def _thread_name(tid):
    # threading may be absent, or half-imported (this load may be part of importing it)
    active = getattr(sys.modules.get("threading"), "_active", None)
    thread = active.get(tid) if active is not None else None
    if thread is not None:
        return thread.name
    return "MainThread" if tid == _main_tid else f"Thread-{tid}"


_main_tid = get_ident()


def _resolve(name, globals_, level):
    """The absolute name an import statement asks for (like importlib, without its warnings)."""
    if not level:
        return name
    package = globals_.get("__package__")
    if package is None:
        spec = globals_.get("__spec__")
        if spec is not None:
            package = spec.parent
        else:
            package = globals_["__name__"]
            if "__path__" not in globals_:
                package = package.rpartition(".")[0]
    bits = package.rsplit(".", level - 1)
    base = bits[0]
    return f"{base}.{name}" if name else base


# --------------------------------------------------------------------------------------------
# Installing and removing the hooks


class _Install:
    """One installation of the hooks: the originals, the hooks, and an on/off switch.

    Each installation builds fresh hook closures bound to the originals it replaced, so a
    hook left in place (because another tool wrapped it after us) keeps calling *its* original
    and passes through once switched off; it can never recurse into a later installation.
    """

    def __init__(self) -> None:
        self.on = [True]
        self.candidates = [False]
        self.patches: list = []  # (owner, attribute, original, hook)
        self.finder = None
        self.listing_type = None
        self.own_codes: set = set()
        self.candidates_sessions = 0

    # -- lifecycle ---------------------------------------------------------------------
    def install(self) -> None:
        hooks = _make_hooks(self)
        for owner, attribute, hook in hooks:
            original = owner.__dict__[attribute] if isinstance(owner, type) else getattr(owner, attribute)
            self.patches.append((owner, attribute, original, hook))
        for owner, attribute, _original, hook in self.patches:
            setattr(owner, attribute, hook)
        sys.meta_path.insert(0, self.finder)

    def uninstall(self) -> None:
        self.on[0] = False
        for owner, attribute, original, hook in reversed(self.patches):
            current = (
                owner.__dict__.get(attribute) if isinstance(owner, type) else getattr(owner, attribute, None)
            )
            if current is hook:
                setattr(owner, attribute, original)
            # else: someone wrapped on top of us; our hook stays in their chain, switched off.
        for index, finder in enumerate(sys.meta_path):
            if finder is self.finder:
                del sys.meta_path[index]
                break
        self.set_candidates(on=False)

    def set_candidates(self, *, on: bool) -> None:
        """Turn candidate recording on or off for every FileFinder's cached listing."""
        self.candidates[0] = on
        listing = self.listing_type
        for finder in list(sys.path_importer_cache.values()):
            cache = getattr(finder, "_path_cache", None)
            if not isinstance(cache, set):
                continue
            if on and type(cache) is set:
                finder._path_cache = listing(cache, finder.path)
            elif not on and type(cache) is listing:
                finder._path_cache = set(cache)


def _relabel(function, own_codes):
    code = function.__code__
    if HOOK_FILENAME and code.co_filename != HOOK_FILENAME:
        code = code.replace(co_filename=HOOK_FILENAME)
        function.__code__ = code
    own_codes.add(code)
    return function


def _make_hooks(install: _Install):
    on = install.on
    candidates_on = install.candidates
    own_codes = install.own_codes
    events_append = None  # looked up per call via the module global (sessions swap the list)

    orig_import = builtins.__import__
    orig_find_and_load = _bootstrap._find_and_load
    orig_find_spec = _bootstrap._find_spec
    orig_exec = _bootstrap._exec
    orig_stat = _external._path_stat
    orig_pic = _external.PathFinder.__dict__["_path_importer_cache"].__func__
    orig_fill = _external.FileFinder.__dict__["_fill_cache"]
    find_spec_legacy = getattr(_bootstrap, "_find_spec_legacy", None)
    modules = sys.modules
    pending_reloads: dict = {}
    del events_append

    def __import__(name, globals=None, locals=None, fromlist=(), level=0):
        if on[0]:
            try:
                importer = globals.get("__name__") if globals else None
                absolute = _resolve(name, globals, level) if level else name
                if importer in _INTERNAL_MODULES:
                    # C code importing through __import__ runs with importlib's frame on top.
                    # From an extension module's init, the importer is that module (the open
                    # load); otherwise it is the import system itself (io.open_code's _io).
                    if _getframe(1).f_code.co_name == "_call_with_frames_removed":
                        stack = _stacks.get(get_ident())
                        importer = stack[-1][L_NAME] if stack else importer
                    else:
                        importer = "importlib._bootstrap"
                if absolute in modules:
                    key = (importer, absolute)
                    seen = _seen
                    count = seen.get(key)
                    if count is None:
                        seen[key] = 1
                        _events.append((STMT, importer, absolute, True, fromlist, level))
                    else:
                        seen[key] = count + 1
                else:
                    _events.append((STMT, importer, absolute, False, fromlist, level))
            except Exception as exc:
                _errors.append(f"statement {name!r}: {_describe_exception(exc)}")
        return orig_import(name, globals, locals, fromlist, level)

    def _find_and_load(name, import_):
        if not on[0]:
            return orig_find_and_load(name, import_)
        try:
            record = _open_load(name)
        except Exception as exc:
            _fault("load", name, exc)
            record = None
        if record is None:
            return orig_find_and_load(name, import_)
        stack = _stacks[record[L_TID]]
        try:
            return orig_find_and_load(name, import_)
        except BaseException as exc:
            record[L_ERR] = _describe_exception(exc)
            raise
        finally:
            _close(record, stack)

    def _open_load(name):
        """Start recording a load of ``name`` (None: nothing to record, e.g. a cache hit)."""
        caller = _getframe(2)
        via_import_module = (
            caller.f_code is _GCD_CODE
            and caller.f_back is not None
            and caller.f_back.f_code.co_name == "import_module"
        )
        if name in modules:
            if via_import_module:  # importlib.import_module of a loaded module: a cache hit
                importer = _frame_module(caller.f_back.f_back, own_codes)
                key = (importer, name)
                seen = _seen
                count = seen.get(key)
                if count is None:
                    seen[key] = 1
                    _events.append((STMT, importer, name, True, (), 0))
                else:
                    seen[key] = count + 1
            return None
        tid = get_ident()
        stack = _stacks.get(tid)
        if stack is None:
            stack = _stacks.setdefault(tid, [])
        parent = stack[-1] if stack else None
        importer = None
        if via_import_module:
            importer = _frame_module(caller.f_back.f_back, own_codes)
            _events.append((STMT, importer, name, False, (), 0))
        elif parent is None:
            importer = _frame_module(caller, own_codes)
        # the name is looked up per load: idents of finished threads are reused
        thread = _thread_name(tid)
        record = [LOAD, name, parent, importer, tid, perf_counter(), None, None, None, None, False, thread]
        _events.append(record)
        stack.append(record)
        return record

    def _find_spec(name, path, target=None):
        if not on[0]:
            return orig_find_spec(name, path, target)
        try:
            record, pushed = _open_find(name, target)
        except Exception as exc:
            _fault("find", name, exc)
            record, pushed = None, False
        if record is None:  # a find that is not part of a load: watch nothing
            try:
                return orig_find_spec(name, path, target)
            except _Miss:
                return None
        stack = _stacks[record[L_TID]]
        try:
            spec = orig_find_spec(name, path, target)
        except _Miss:
            spec = None
        except BaseException as exc:
            described = _describe_exception(exc)
            _events.append((FOUND, record, None, described))
            if pushed:
                record[L_ERR] = described
            raise
        finally:
            if pushed:
                _close(record, stack)
        if spec is None:
            _events.append((FOUND, record, None, None))
            return None
        try:
            loader = spec.loader
            locations = spec.submodule_search_locations
            if locations is not None:
                locations = tuple(getattr(locations, "_path", locations))
            loader_name = None
            if loader is not None:
                loader_name = loader.__name__ if isinstance(loader, type) else type(loader).__name__
            _events.append((FOUND, record, (spec.origin, loader_name, locations), None))
        except Exception as exc:
            _fault("spec", name, exc)
        return spec

    def _open_find(name, target):
        """The open load this find belongs to, opening one for importlib.reload()."""
        tid = get_ident()
        stack = _stacks.get(tid)
        record = stack[-1] if stack else None
        if record is not None and record[L_NAME] == name and record[L_FINDER] is None:
            return record, False
        if target is None:
            return None, False
        # importlib.reload(): find now, execute later in _exec
        if stack is None:
            stack = _stacks.setdefault(tid, [])
        importer = _frame_module(_getframe(2), own_codes)
        thread = _thread_name(tid)
        record = [LOAD, name, record, importer, tid, perf_counter(), None, None, None, None, True, thread]
        _events.append(record)
        stack.append(record)
        pending_reloads[tid] = record
        return record, True

    def _exec(spec, module):
        if not on[0]:
            return orig_exec(spec, module)
        try:
            tid = get_ident()
            record = pending_reloads.pop(tid, None)
            if record is not None and record[L_NAME] != getattr(spec, "name", None):
                record = None
            if record is not None:
                stack = _stacks.setdefault(tid, [])
                stack.append(record)
        except Exception as exc:
            _fault("reload", getattr(spec, "name", "?"), exc)
            record = None
        if record is None:
            return orig_exec(spec, module)
        try:
            return orig_exec(spec, module)
        except BaseException as exc:
            record[L_ERR] = _describe_exception(exc)
            raise
        finally:
            _close(record, stack)

    class PyenvlabRecorder:
        """Meta-path finder that asks the finders after it, to learn which one answered.

        It acts only for finds made by the recorder's ``_find_spec`` hook; for any other
        caller (``importlib.util.find_spec``, pkgutil...) it returns None at once. It asks the
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
            if record is not None:
                record[L_ASKING] = None
            raise _Miss

        def __repr__(self) -> str:
            return "<pyenvlab import recorder>"

    def _path_importer_cache(cls, path):
        event = None
        if on[0]:
            try:
                stack = _stacks.get(get_ident())
                if stack:
                    record = stack[-1]
                    created = path != "" and path not in sys.path_importer_cache
                    event = [VISIT, record, path, _UNSET, created, record[L_ASKING]]
                    _events.append(event)
            except Exception as exc:
                _fault("path entry", path, exc)
                event = None
        if event is None:
            return orig_pic(cls, path)
        try:
            finder = orig_pic(cls, path)
        except BaseException:
            event[3] = _ERROR
            raise
        event[3] = finder
        return finder

    def _path_stat(path):
        record = None
        if on[0]:
            try:
                stack = _stacks.get(get_ident())
                if stack:
                    record = stack[-1]
                    frame = _getframe(1)
                    code = frame.f_code
                    if code is _MODE_CODE:
                        code = frame.f_back.f_code
            except Exception as exc:
                _fault("stat", path, exc)
                record = None
        if record is None:
            return orig_stat(path)
        try:
            result = orig_stat(path)
        except OSError:
            _events.append((STAT, record, path, False, code))
            raise
        _events.append((STAT, record, path, True, code))
        return result

    def _fill_cache(self):
        orig_fill(self)
        if on[0]:
            try:
                if candidates_on[0] and type(self._path_cache) is set:
                    self._path_cache = Listing(self._path_cache, self.path)
                stack = _stacks.get(get_ident())
                if stack:
                    _events.append((LISTDIR, stack[-1], self.path, len(self._path_cache)))
            except Exception as exc:
                _fault("listdir", self.path, exc)

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
                        _events.append((CAND, stack[-1], self.directory, item, found))
                except Exception as exc:
                    _fault("candidate", item, exc)
            return found

    for function in (
        __import__,
        _find_and_load,
        _open_load,
        _find_spec,
        _open_find,
        _exec,
        _path_importer_cache,
        _path_stat,
        _fill_cache,
    ):
        _relabel(function, own_codes)
    _relabel(PyenvlabRecorder.find_spec, own_codes)
    _relabel(Listing.__contains__, own_codes)
    find_spec_code = _find_spec.__code__

    install.finder = PyenvlabRecorder()
    install.listing_type = Listing
    return [
        (builtins, "__import__", __import__),
        (_bootstrap, "_find_and_load", _find_and_load),
        (_bootstrap, "_find_spec", _find_spec),
        (_bootstrap, "_exec", _exec),
        (_external, "_path_stat", _path_stat),
        (_external.PathFinder, "_path_importer_cache", classmethod(_path_importer_cache)),
        (_external.FileFinder, "_fill_cache", _fill_cache),
    ]


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
            self.sys_path = tuple(p for p in sys.path if isinstance(p, str))
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

    def build(self, raised=None):
        """The trace as JSON-ready data (format ``pyenvlab.trace``), or None while running."""
        if not self.finished:
            return None
        if self._data is None:
            self._data = build(
                self.events,
                self.generations,
                t0=self.t0,
                candidates=self.candidates,
                meta={
                    "python": ".".join(str(part) for part in sys.version_info[:3]),
                    "executable": sys.executable or "",
                    "sys_path": list(self.sys_path),
                    "stdlib_names": sorted(getattr(sys, "stdlib_module_names", ())),
                    "errors": list(self.errors),
                    "candidates": self.candidates,
                    "code": self.code,
                    "seconds": self.t1 - self.t0,
                },
            )
            self.events = self.generations = None
        return self._data


# --------------------------------------------------------------------------------------------
# Building records from events (pure: runs after recording, outside any hook)


def _finder_name(finder):
    if finder is None or finder is _UNSET:
        return None
    if finder is _ERROR:
        return None
    return finder.__name__ if isinstance(finder, type) else type(finder).__name__


def _probe_op(code):
    if code is _ISFILE_CODE:
        return "isfile"
    if code is _ISDIR_CODE:
        return "isdir"
    return "stat"


def _is_portion(visit, tail, locations):
    entry = visit["entry"]
    for probe in visit["probes"]:
        if probe["op"] == "isdir" and probe["found"] and probe["path"].rsplit("/", 1)[-1] == tail:
            return True
    if locations and visit["finder"] != "FileFinder":
        prefix = entry.rstrip("/") + "/"
        return any(loc.startswith(prefix) for loc in locations)
    return False


def build(events, generations, *, t0, candidates, meta):
    """Turn raw events into the JSON data of a trace (see docs/trace-format.md)."""
    loads = {}  # id(load list) -> state dict
    order = []
    statements = []
    statement_index = {}
    for position, event in enumerate(events):
        kind = event[0]
        if kind == LOAD:
            state = {
                "load": event,
                "visits": [],
                "probes": [],
                "entry": None,
                "found": False,
                "spec": None,
                "find_error": None,
                "began": position,
                "found_at": len(events),
            }
            loads[id(event)] = state
            order.append(state)
        elif kind == STMT:
            _, importer, name, cached, fromlist, level = event
            try:
                fromlist = tuple(str(item) for item in fromlist) if fromlist else ()
            except TypeError:
                fromlist = ()
            if cached:
                key = (importer, name)
                existing = statement_index.get(key)
                if existing is not None:
                    continue
                count = sum(g.get(key, 0) for g in generations) or 1
                statement = {
                    "name": name,
                    "importer": importer,
                    "cached": True,
                    "count": count,
                    "fromlist": list(fromlist),
                    "level": level,
                }
                statement_index[key] = statement
            else:
                statement = {
                    "name": name,
                    "importer": importer,
                    "cached": False,
                    "count": 1,
                    "fromlist": list(fromlist),
                    "level": level,
                }
            statements.append(statement)
        else:
            state = loads.get(id(event[1]))
            if state is None:  # belongs to a load that began before this trace
                continue
            if kind == VISIT:
                visit = {
                    "entry": event[2],
                    "finder": _finder_name(event[3]),
                    "raw_finder": event[3],
                    "created": bool(event[4]),
                    "asking": event[5],
                    "probes": [],
                }
                state["visits"].append(visit)
                state["entry"] = visit
            elif kind == FOUND:
                state["found"] = True
                state["found_at"] = position
                state["spec"] = event[2]
                state["find_error"] = event[3]
                state["entry"] = None
            elif kind == STAT:
                probe = {"path": event[2], "op": _probe_op(event[4]), "found": event[3]}
                _attach(state, probe)
            elif kind == LISTDIR:
                _attach(state, {"path": event[2], "op": "listdir", "found": event[3] > 0})
            elif kind == CAND and candidates:
                directory = event[2]
                path = f"{directory}/{event[3]}" if directory else str(event[3])
                _attach(state, {"path": path, "op": "candidate", "found": event[4]})

    kept = {}
    for state in order:
        load = state["load"]
        if not state["found"] and load[L_ERR] is None and not load[L_RELOAD] and not state["visits"]:
            continue  # satisfied from sys.modules after all (another thread, or a parent import)
        kept[id(load)] = state

    def imported_by(load):
        parent = load[L_PARENT]
        began = kept[id(load)]["began"] if id(load) in kept else 0
        while parent is not None:
            state = kept.get(id(parent))
            if state is not None:
                if parent[L_NAME].startswith(load[L_NAME] + ".") and began < state["found_at"]:
                    # a parent package, imported on the way to its submodule: same importer
                    return imported_by(parent)
                return parent[L_NAME]
            parent = parent[L_PARENT]
        return load[L_IMPORTER]

    modules = []
    for state in order:
        load = state["load"]
        if id(load) not in kept:
            continue
        spec = state["spec"]
        origin = loader = locations = None
        if spec is not None:
            origin, loader, locations = spec
        answering = load[L_FINDER]
        tail = load[L_NAME].rpartition(".")[2]
        visits = []
        last_of_answer = None
        for visit in state["visits"]:
            if visit["asking"] is answering and answering is not None:
                last_of_answer = visit
        for visit in state["visits"]:
            raw = visit["raw_finder"]
            if raw is _ERROR:
                outcome = "error"
            elif raw is None or raw is _UNSET:
                outcome = "no-finder"
            elif visit is last_of_answer and spec is not None and loader is not None:
                outcome = "hit"
            elif visit is state["visits"][-1] and state["find_error"] is not None:
                outcome = "error"
            elif _is_portion(visit, tail, locations):
                outcome = "namespace"
            else:
                outcome = "miss"
            asking = visit["asking"]
            via = _finder_name(asking) if asking is not None else None
            item = {
                "entry": visit["entry"],
                "finder": visit["finder"],
                "outcome": outcome,
                "created": visit["created"],
            }
            if via != "PathFinder":
                item["via"] = via
            visits.append(item)
        error = load[L_ERR]
        if error is None and state["find_error"] is not None:
            error = state["find_error"]
        end = load[L_T1] if load[L_T1] is not None else load[L_T0]
        modules.append(
            {
                "name": load[L_NAME],
                "origin": origin,
                "finder": _finder_name(answering)
                if answering is not None
                else (None if spec is None else "(a finder ahead of the recorder)"),
                "searched": visits,
                "probes": state["probes"],
                "imported_by": imported_by(load),
                "error": error,
                "seconds": max(end - load[L_T0], 0.0),
                "loader": loader,
                "search_locations": list(locations) if locations is not None else None,
                "start": max(load[L_T0] - t0, 0.0),
                "thread": load[L_THREAD],
                "reloaded": load[L_RELOAD],
            }
        )
    return {"format": "pyenvlab.trace", "version": 2, **meta, "modules": modules, "statements": statements}


def _attach(state, probe):
    visit = state["entry"]
    if visit is not None:
        probe["entry"] = visit["entry"]
        visit["probes"].append(probe)
    else:
        probe["entry"] = None
    state["probes"].append(probe)


# --------------------------------------------------------------------------------------------
# Script mode: run by a target interpreter for pyenvlab.trace_import()

_JSON_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _json_string(text):
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
    """
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return _json_string(value)
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, dict):
        return "{" + ", ".join(_json_string(str(k)) + ": " + dumps(v) for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(dumps(item) for item in value) + "]"
    return _json_string(str(value))


def _main(argv):
    usage = "usage: recorder.py OUT.json --code CODE [--candidates] [--no-record] [--modules-out FILE]"
    if len(argv) < 4 or argv[2] != "--code":
        sys.stderr.write(usage + "\n")
        return 2
    out, code = argv[1], argv[3]
    options = argv[4:]
    candidates = "--candidates" in options
    record = "--no-record" not in options
    modules_out = options[options.index("--modules-out") + 1] if "--modules-out" in options else None

    # Look like `python -c CODE`: that puts '' first on sys.path where a script puts its dir.
    here = __file__.rpartition("/")[0]
    if sys.path and sys.path[0] == here:
        sys.path[0] = ""
    sys.argv[:] = ["-c"]
    main_module = type(sys)("__main__")
    main_module.__builtins__ = builtins
    sys.modules["__main__"] = main_module
    compiled = compile(code, "<string>", "exec")
    session = Session(candidates=candidates, code=code)
    raised = None
    if record:
        session.start()
    try:
        exec(compiled, main_module.__dict__)
    except BaseException as exc:
        raised = _describe_exception(exc)
    finally:
        if record:
            session.stop()
    loaded = sorted(name for name in sys.modules if isinstance(name, str))
    if record:
        data = session.build()
        data["raised"] = raised
        with open(out, "w", encoding="ascii") as stream:
            stream.write(dumps(data))
    if modules_out:
        with open(modules_out, "w", encoding="ascii") as stream:
            stream.write(dumps(loaded))
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv))
