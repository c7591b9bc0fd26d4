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
            if sitedir.startswith(sys.prefix + os.sep):
                return "site-packages (venv)"
            if sitedir.startswith(sys.base_prefix + os.sep):
                return "site-packages (base)"
        return "site-packages"
    return "addsitedir (%s)" % (names[-2] if len(names) > 1 else "called directly")


def _skipped_pth(sitedir, processed):
    """.pth files in ``sitedir`` that site did not process (3.13+ skips names starting with '.')."""
    try:
        names = [n for n in os.listdir(sitedir) if n.endswith(".pth")]
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


def instrument(site):
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


CURRENT = []


def audit(event, args):
    if event != "exec" or not CURRENT:
        return
    try:
        frame = sys._getframe(1)
    except ValueError:
        return
    if frame.f_code.co_name == "addpackage":
        line = frame.f_locals.get("line")
        CURRENT[-1].setdefault("executed", []).append(line.rstrip("\n") if isinstance(line, str) else None)


def main(argv):
    out_path = argv[1]
    if "--truth" in argv[2:]:
        truth(out_path)
        return 0
    before = snapshot()
    sys.addaudithook(audit)
    import site  # with -S this only defines site's functions

    instrument(site)
    error = None
    if not sys.flags.no_site:
        error = "site already ran: start the probe with -S"
    else:
        try:
            site.main()
        except BaseException as exc:
            error = f"site.main() raised {type(exc).__name__}: {exc}"
    after = snapshot()
    data = {
        "python": ".".join(str(v) for v in sys.version_info[:3]),
        "flags": flags(),
        "before": before,
        "after": after,
        "error": error,
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
