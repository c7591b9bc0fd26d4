"""Trace what ``site`` does at startup, by running the real ``site.main()`` with recording.

Run by the *target* interpreter as a file, never imported by pyenvlab::

    target [-E|-I|-s ...] -S site_probe.py OUT.json            # the traced site stage
    target [-E|-I|-s ...]    site_probe.py OUT.json --truth    # a plain start: ground truth

With ``-S`` the interpreter started for real (its getpath ran), but ``site`` did not. We drop
our own directory from ``sys.path`` (at a real startup the script entry is added after site
ran), record ``sys.*`` as getpath left it, import the real ``site``, wrap its functions in its
own namespace (recording the ``sys.path`` entries each one added), watch ``exec`` of ``.pth``
import lines with an audit hook (never wrapping ``exec``: ``*-nspkg.pth`` lines read their
caller's frame), and call ``site.main()``. stderr output stays what site prints.

Where ``site`` batches its startup files (``site.StartupState``, PEP 829, CPython 3.15: every
``.pth`` and ``.start`` file of all site dirs is read first; then all paths are added, then the
``.pth`` import lines run, except those of a ``.pth`` whose same-named ``.start`` file exists,
then the ``.start`` entry points are called), the batch is watched instead of ``addpackage``:
the files ``site`` read (its ``_read_pthstart_file``), the methods of the batch, the import
lines it executed (the audit hook) and the errors it reported (``_print_error``). The feature is
detected, not the version.

The JSON goes to OUT.json; nothing is printed. stdlib only; Python 3.9 syntax. Nothing beyond
``os`` and ``sys`` (loaded at every startup anyway) is imported before ``site.main()`` ran.
"""

import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
_SCRIPT_ENTRY = sys.path[0] if sys.path else None
if sys.path and sys.path[0] and os.path.abspath(sys.path[0]) == _HERE:
    del sys.path[0]

SNAPSHOT_KEYS = ("prefix", "exec_prefix", "base_prefix", "base_exec_prefix", "executable", "_base_executable")


def snapshot():
    data = {key: getattr(sys, key, None) for key in SNAPSHOT_KEYS}
    data["path"] = list(sys.path)
    data["stdlib_dir"] = getattr(sys, "_stdlib_dir", None)
    return data


def flags():
    names = ("isolated", "ignore_environment", "no_user_site", "no_site", "safe_path")
    return {name: int(getattr(sys.flags, name, 0)) for name in names}


def write(out_path, data):
    import json  # only after site.main() ran: .pth lines see a normal sys.modules

    with open(out_path, "w", encoding="utf-8") as handle:
        json.dump(data, handle)


def truth(out_path):
    data = snapshot()
    import site

    data.update(
        {
            "python": ".".join(str(v) for v in sys.version_info[:3]),
            "flags": flags(),
            "enable_user_site": getattr(site, "ENABLE_USER_SITE", None),
            "user_site": getattr(site, "USER_SITE", None),
            "script_entry": _SCRIPT_ENTRY,
        }
    )
    write(out_path, data)


EVENTS = []
PTH = []
PRINTED = []
ORIGINS = {}
_STACK = []


def _text(value):
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, (list, tuple)):
        return [_text(v) for v in value]
    return repr(value)


def _site_source(site, sitedir):
    names = list(_STACK)
    if "addusersitepackages" in names:
        return "user site"
    if "addsitepackages" in names:
        if sys.prefix != sys.base_prefix:
            # rstrip: a prefix of "/" (Pyodide's base) must not become "//"
            if sitedir.startswith(sys.prefix.rstrip(os.sep) + os.sep):
                return "site-packages (venv)"
            if sitedir.startswith(sys.base_prefix.rstrip(os.sep) + os.sep):
                return "site-packages (base)"
        return "site-packages"
    return "addsitedir (%s)" % (names[-2] if len(names) > 1 else "called directly")


def _skipped_pth(sitedir, processed, suffixes=(".pth",)):
    """Startup files in ``sitedir`` site did not process (3.13+ skips names starting with '.')."""
    try:
        names = [n for n in os.listdir(sitedir) if n.endswith(suffixes)]
    except (OSError, TypeError):
        return []
    done = {record["name"] for record in processed}
    return sorted(n for n in names if n not in done)


def _label_lines(lines, sitedir, added, error_line, error):
    out = []
    for number, text in enumerate(lines, 1):
        if text.startswith("#"):
            kind, outcome, path = "comment", "skipped: comment", None
        elif text.strip() == "":
            kind, outcome, path = "blank", "skipped: blank", None
        elif text.startswith(("import ", "import\t")):
            kind, outcome, path = "import", "executed", None
        else:
            kind = "path"
            path = os.path.abspath(os.path.join(sitedir, text.rstrip()))
            if path in added:
                outcome = "added"
            elif not os.path.exists(path):
                outcome = "skipped: missing"
            else:
                outcome = "skipped: already on sys.path"
        if error_line is not None:
            if number == error_line:
                outcome = "error: %s" % (error or "see stderr")
            elif number > error_line:
                outcome = "not run: an earlier line failed"
        out.append({"number": number, "text": text, "kind": kind, "outcome": outcome, "path": path})
    return out


def instrument(site, batches=False):
    original = {}

    def wrap(name):
        func = getattr(site, name, None)
        if func is None or not callable(func):
            return
        original[name] = func

        def recorder(*args, **kwargs):
            before = list(sys.path)
            pth_count = len(PTH)
            event = {"function": name, "args": _text(list(args[:2])), "depth": len(_STACK)}
            if name == "addpackage":
                event["args"] = _text([args[0], args[1]])
            elif name == "_venv":  # its argument is the batch (a StartupState)
                event["args"] = []
            elif name in ("addsitedir", "addsitepackages", "venv", "addusersitepackages"):
                event["args"] = _text([a for a in args[:2] if not isinstance(a, set)])
            EVENTS.append(event)
            _STACK.append(name)
            try:
                if name == "addpackage":
                    result = traced_addpackage(func, args, kwargs, before)
                else:
                    result = func(*args, **kwargs)
            except BaseException as exc:
                event["error"] = f"{type(exc).__name__}: {exc}"
                raise
            finally:
                _STACK.pop()
                added = [p for p in sys.path if p not in before]
                event["added"] = added
                if name == "addsitedir":
                    for path in added:
                        if path not in ORIGINS:
                            ORIGINS[path] = _site_source(site, path)
                    event["skipped_pth"] = _skipped_pth(args[0] if args else "", PTH[pth_count:])
            if name in ("getsitepackages", "getusersitepackages", "check_enableusersite", "venv"):
                event["result"] = _text(result) if name != "venv" else None
            if name in ("execsitecustomize", "execusercustomize"):
                module = name[4:]
                event["result"] = f"{module} imported" if module in sys.modules else f"no {module} module"
            return result

        recorder.__name__ = name
        recorder.__qualname__ = name
        recorder.__doc__ = func.__doc__
        setattr(site, name, recorder)

    def traced_addpackage(func, args, kwargs, before):
        sitedir, name = args[0], args[1]
        fullname = os.path.join(sitedir, name)
        try:
            with open(fullname, "rb") as handle:
                raw = handle.read()
            try:
                content = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                content = raw.decode("latin-1")
            lines = content.splitlines()
        except OSError:
            lines = None
        modules_before = set(sys.modules)
        record = {"path": fullname, "sitedir": sitedir, "name": name, "error_line": None, "error": None}
        record["occurrence"] = 1 + sum(1 for r in PTH if r["path"] == fullname)
        PTH.append(record)
        CURRENT.append(record)
        try:
            return func(*args, **kwargs)
        finally:
            CURRENT.pop()
            added = [p for p in sys.path if p not in before]
            record["added"] = added
            record["imported"] = sorted(set(sys.modules) - modules_before)
            if lines is None:
                record["lines"] = []
                record["read"] = False
            else:
                record["read"] = True
                record["lines"] = _label_lines(lines, sitedir, added, record["error_line"], record["error"])
            path_lines = {
                line["path"]: line["number"] for line in record["lines"] if line["outcome"] == "added"
            }
            for path in added:
                if path in ORIGINS:
                    continue
                if path in path_lines:
                    ORIGINS[path] = f".pth {name}:{path_lines[path]}"
                else:
                    ORIGINS[path] = f".pth {name} (by an import line)"

    for name in (
        "venv",
        "_venv",
        "getsitepackages",
        "getusersitepackages",
        "check_enableusersite",
        "addusersitepackages",
        "addsitepackages",
        "addsitedir",
        "addpackage",
        "execsitecustomize",
        "execusercustomize",
    ):
        if not (batches and name == "addpackage"):  # a batch reads .pth files itself
            wrap(name)

    real_print = print

    def site_print(*args, **kwargs):
        text = " ".join(str(a) for a in args)
        PRINTED.append(text)
        if CURRENT:
            record = CURRENT[-1]
            if text.startswith("Error processing line "):
                try:
                    record["error_line"] = int(text.split()[3])
                except (IndexError, ValueError):
                    pass
            elif text.startswith("  ") and record["error_line"] is not None and not text.startswith("    "):
                stripped = text.strip()
                if stripped and not stripped.startswith(("Traceback", "File ", "^")):
                    record["error"] = stripped
        return real_print(*args, **kwargs)

    site.print = site_print
    return original


# -- PEP 829 batches (site.StartupState) --------------------------------------------------

STATES = []  # every StartupState seen, kept alive so that id() stays unique
EXECUTED = {}  # .pth file -> import lines exec'd from it by StartupState._exec_imports
REPORTED = []  # (message, "ExcType: message" or None) from site._print_error
SITEDIR_SOURCES = {}  # site dir -> where it came from, noted when a batch was given it
_PTH_PREFIX = ("import ", "import\t")


def _batch_of(frame):
    """The StartupState whose method is running ``frame`` (or one of its callers), or None."""
    while frame is not None:
        owner = frame.f_locals.get("self")
        if owner is not None and type(owner).__name__ == "StartupState":
            return owner
        frame = frame.f_back
    return None


def _report_for(filename, text):
    for message, exc in REPORTED:
        if filename in message and text in message:
            return message, exc
    return None


def _label_batch_lines(record, added, suppressed):
    """Outcome of every line of one file read by a batch, after the batch's process() ran."""
    out = []
    filename, sitedir = record["path"], record["sitedir"]
    executed = EXECUTED.get(filename, [])
    for number, text in enumerate(record["raw"] or [], 1):
        line = text.strip()
        path = None
        if not line:
            kind, outcome = "blank", "skipped: blank"
        elif line.startswith("#"):
            kind, outcome = "comment", "skipped: comment"
        elif record["kind"] == "start":
            kind = "entry point"
            reported = _report_for(filename, line)
            if not record["processed"]:
                outcome = "not run: the batch did not finish"
            elif reported is None:
                outcome = "called"
            elif "syntax" in reported[0].lower():
                outcome = f"error: not a pkg.mod:callable entry point ({reported[1] or reported[0]})"
            elif "resolv" in reported[0].lower():
                outcome = f"error: cannot resolve: {reported[1] or reported[0]}"
            else:
                outcome = f"error: {reported[1] or reported[0]}"
        elif line.startswith(_PTH_PREFIX):
            kind = "import"
            reported = _report_for(filename, line)
            if suppressed:
                outcome = f"skipped: {suppressed} turns off this file's import lines (PEP 829)"
            elif reported is not None:
                outcome = f"error: {reported[1] or reported[0]}"
            elif line in executed:
                outcome = "executed"
            else:
                outcome = "not run: the batch did not finish"
        else:
            kind = "path"
            path = os.path.abspath(os.path.join(sitedir, line))
            if path in added:
                outcome = "added"
            elif not os.path.exists(path):
                outcome = "skipped: missing"
            else:
                outcome = "skipped: already on sys.path"
        out.append({"number": number, "text": text, "kind": kind, "outcome": outcome, "path": path})
    return out


def instrument_batches(site):
    """Watch site.StartupState where this site has it (PEP 829); True when it does."""
    cls = getattr(site, "StartupState", None)
    reader = getattr(site, "_read_pthstart_file", None)
    if cls is None or reader is None or not callable(reader):
        return False

    def _read_pthstart_file(sitedir, name, suffix):
        lines, filename = reader(sitedir, name, suffix)
        try:
            state = _batch_of(sys._getframe(1))
            if state is not None and not any(s is state for s in STATES):
                STATES.append(state)
            record = {
                "path": filename,
                "sitedir": sitedir,
                "name": name,
                "kind": "start" if suffix == ".start" else "pth",
                "batch": id(state) if state is not None else None,
                "occurrence": 1 + sum(1 for r in PTH if r["path"] == filename),
                "raw": list(lines) if lines is not None else None,
                "read": lines is not None,
                "processed": False,
                "lines": [],
                "added": [],
                "imported": [],
                "error": None if lines is not None else "site could not read it",
            }
            PTH.append(record)
        except Exception:
            pass
        return lines, filename

    site._read_pthstart_file = _read_pthstart_file

    real_print_error = getattr(site, "_print_error", None)
    if callable(real_print_error):

        def _print_error(message, exc=None):
            detail = None
            if exc is not None:
                detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            REPORTED.append((str(message), detail))
            return real_print_error(message, exc)

        site._print_error = _print_error

    def method(name):
        original = cls.__dict__.get(name)
        if original is None or not callable(original):
            return

        def recorder(self, *args, **kwargs):
            before = list(sys.path)
            modules_before = set(sys.modules)
            event = {"function": "StartupState." + name, "args": _text(list(args[:1])), "depth": len(_STACK)}
            EVENTS.append(event)
            _STACK.append(name)
            if name == "addsitedir" and args:
                sitedir = site.makepath(args[0])[0] if hasattr(site, "makepath") else args[0]
                SITEDIR_SOURCES.setdefault(sitedir, _site_source(site, sitedir))
            try:
                result = original(self, *args, **kwargs)
            except BaseException as exc:
                event["error"] = f"{type(exc).__name__}: {exc}"
                raise
            finally:
                _STACK.pop()
                added = [p for p in sys.path if p not in before]
                event["added"] = added
                if name == "process":
                    _finish_batch(self, added, modules_before)
                elif name == "addsitedir" and args:
                    done = [r for r in PTH if r["sitedir"] == args[0]]
                    event["skipped_pth"] = _skipped_pth(args[0], done, (".pth", ".start"))
            return result

        recorder.__name__ = name
        recorder.__qualname__ = "StartupState." + name
        recorder.__doc__ = original.__doc__
        setattr(cls, name, recorder)

    for name in ("addsitedir", "addusersitepackages", "addsitepackages", "process"):
        method(name)
    return True


def _finish_batch(state, added, modules_before):
    """After a batch's process(): outcomes, origins and imports of every file it read."""
    _close_exec_window()
    records = [r for r in PTH if r["batch"] == id(state) and not r["processed"]]
    starts = {r["path"] for r in records if r["kind"] == "start"}
    new_modules = sorted(set(sys.modules) - modules_before)
    path_lines = {}
    for record in records:
        record["processed"] = True
    for record in records:
        suppressed = None
        if record["kind"] == "pth":
            twin = record["path"][: -len(".pth")] + ".start"
            if twin in starts:
                suppressed = os.path.basename(twin)
        record["lines"] = _label_batch_lines(record, added, suppressed)
        record["added"] = [line["path"] for line in record["lines"] if line["outcome"] == "added"]
        for line in record["lines"]:
            if line["outcome"] == "added":
                path_lines.setdefault(line["path"], f".{record['kind']} {record['name']}:{line['number']}")
        if record["kind"] == "start":
            wanted = set()
            for line in record["lines"]:
                if line["kind"] == "entry point":
                    module = line["text"].strip().partition(":")[0]
                    while module:
                        wanted.add(module)
                        module = module.rpartition(".")[0]
            record["imported"] = [m for m in new_modules if m in wanted]
        else:
            record["imported"] = list(record.get("exec_imported") or ())
        record.pop("raw", None)
    for path in added:
        if path in ORIGINS:
            continue
        if path in SITEDIR_SOURCES:
            ORIGINS[path] = SITEDIR_SOURCES[path]
        elif path in path_lines:
            ORIGINS[path] = path_lines[path]
        else:
            ORIGINS[path] = "site (by a .pth import line or a .start entry point)"


CURRENT = []
_EXEC_WINDOW = []  # [record of the .pth whose import line runs, sys.modules before it]


def _close_exec_window():
    if _EXEC_WINDOW:
        record, before = _EXEC_WINDOW
        record.setdefault("exec_imported", []).extend(sorted(set(sys.modules) - before))
        del _EXEC_WINDOW[:]


def audit(event, args):
    if event == "import" and _EXEC_WINDOW:
        # an import made by a .start entry point ends the window of the last import line
        frame = sys._getframe(1)
        while frame is not None:
            if frame.f_code.co_name == "_execute_start_entrypoints":
                _close_exec_window()
                break
            frame = frame.f_back
        return
    if event != "exec":
        return
    try:
        frame = sys._getframe(1)
    except ValueError:
        return
    name = frame.f_code.co_name
    if name == "addpackage" and CURRENT:
        line = frame.f_locals.get("line")
        CURRENT[-1].setdefault("executed", []).append(line.rstrip("\n") if isinstance(line, str) else None)
    elif name == "_exec_imports":  # a PEP 829 batch: one import line of one .pth file
        filename = frame.f_locals.get("filename")
        line = frame.f_locals.get("line")
        if isinstance(filename, str) and isinstance(line, str):
            EXECUTED.setdefault(filename, []).append(line)
            _close_exec_window()
            for record in reversed(PTH):
                if record["path"] == filename and record["kind"] == "pth":
                    _EXEC_WINDOW[:] = [record, set(sys.modules)]
                    break


def main(argv):
    out_path = argv[1]
    if "--truth" in argv[2:]:
        truth(out_path)
        return 0
    before = snapshot()
    sys.addaudithook(audit)
    import site  # with -S this only defines site's functions

    batches = instrument_batches(site)
    instrument(site, batches)
    error = None
    if not sys.flags.no_site:
        error = "site already ran: start the probe with -S"
    else:
        try:
            site.main()
        except BaseException as exc:
            error = f"site.main() raised {type(exc).__name__}: {exc}"
    _close_exec_window()
    for record in PTH:
        record.pop("raw", None)
        record.pop("exec_imported", None)
    after = snapshot()
    data = {
        "python": ".".join(str(v) for v in sys.version_info[:3]),
        "flags": flags(),
        "before": before,
        "after": after,
        "error": error,
        "batches": batches,
        "events": EVENTS,
        "pth_files": PTH,
        "origins": ORIGINS,
        "printed": PRINTED,
        "enable_user_site": getattr(site, "ENABLE_USER_SITE", None),
        "user_site": getattr(site, "USER_SITE", None),
        "user_base": getattr(site, "USER_BASE", None),
        "prefixes": list(getattr(site, "PREFIXES", []) or []),
        "script_entry": _SCRIPT_ENTRY,
    }
    write(out_path, data)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
