"""What a program can observe of the import system, run once untraced and once traced.

    TARGET -I -S fingerprint_driver.py REPO WORKDIR MODE OUT.json      (MODE: plain | traced | unhooked)

``traced`` runs every probe inside ``pyenvlab.trace()``; ``unhooked`` first lets another tool wrap
``builtins.__import__`` during a trace, ends the trace, and lets the tool restore what it saw (the
recorder's switched-off hook) — after which everything must behave as untraced. The test
(tests/test_recorder_fingerprint.py) compares the JSON of the modes. Only the standard library
and pyenvlab are used; every probe writes its own fresh modules under WORKDIR.
"""

import builtins
import importlib
import json
import os
import sys
import traceback


def write(root, relative, text):
    path = os.path.join(root, relative)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as stream:
        stream.write(text)


def frames(exc):
    """The traceback as a user sees it: (file, function, line) of every frame."""
    here = os.path.abspath(__file__)
    return [
        (
            "<driver>" if os.path.abspath(f.filename) == here else f.filename,
            f.name,
            f.lineno if f.filename != here else 0,
        )
        for f in traceback.extract_tb(exc.__traceback__)
    ]


def outcome(call):
    try:
        result = call()
    except BaseException as exc:  # every outcome is data here
        return {"raised": type(exc).__name__, "message": str(exc), "frames": frames(exc)}
    return {"returned": getattr(result, "__name__", repr(result))}


# ---------------------------------------------------------------------------------------------
# probes


def probe_tracebacks(root):
    write(root, "fp_boom.py", "x = 1\nraise ValueError('boom')\n")
    write(root, "fp_syntax.py", "def broken(:\n")
    write(root, "fp_outer.py", "import fp_inner\n")
    write(root, "fp_inner.py", "raise KeyError('inner')\n")
    write(root, "fp_pkg/__init__.py", "")
    write(root, "fp_pkg/sub.py", "from . import nothing_here\n")
    write(root, "fp_missing_from.py", "from fp_pkg import absent_name\n")
    cases = {
        "missing": lambda: __import__("fp_does_not_exist"),
        "boom": lambda: __import__("fp_boom"),
        "syntax": lambda: __import__("fp_syntax"),
        "nested": lambda: __import__("fp_outer"),
        "relative-missing": lambda: __import__("fp_pkg.sub"),
        "from-missing": lambda: __import__("fp_missing_from"),
        "import_module-missing": lambda: importlib.import_module("fp_also_missing"),
        "import_module-boom": lambda: importlib.import_module("fp_boom"),
        "import_module-beyond": lambda: importlib.import_module("..x", "fp_pkg"),
    }
    results = {}
    for name, case in cases.items():
        sys.modules.pop("fp_boom", None)
        results[name] = outcome(case)
    # the statement form, from compiled code (IMPORT_NAME goes through builtins.__import__)
    statement = compile("import fp_still_missing\n", os.path.join(root, "stmt.py"), "exec")
    results["statement"] = outcome(lambda: exec(statement, {"__name__": "stmt"}))
    return results


class CountingDict(dict):
    """Module globals that count every method a caller uses on them (the builtin uses none)."""

    calls = 0

    def get(self, *args):
        CountingDict.calls += 1
        return dict.get(self, *args)

    def __getitem__(self, key):
        CountingDict.calls += 1
        return dict.__getitem__(self, key)

    def __contains__(self, key):
        CountingDict.calls += 1
        return dict.__contains__(self, key)


def probe_arguments(root):
    imp = builtins.__import__
    forms = {
        "relative without globals": lambda: imp("sys", level=1),
        "relative with globals=None": lambda: imp("sys", None, None, None, 1),
        "relative, empty globals": lambda: imp("sys", {}, None, None, 1),
        "relative, no package": lambda: imp("sys", {"__name__": "top"}, None, None, 1),
        "keywords": lambda: imp(name="json", fromlist=["dumps"], level=0),
        "positional": lambda: imp("os.path", {"__name__": "x"}, None, ["join"], 0),
        "negative level": lambda: imp("json", {}, None, None, -1),
        "level not an int": lambda: imp("json", {}, None, None, "0"),
        "name not a string": lambda: imp(42),
        "empty name": lambda: imp(""),
        "fromlist of non-strings": lambda: imp("fp_args", {}, None, [1], 0),
        "globals not a dict": lambda: imp("fp_args", [], None, None, 1),
    }
    results = {name: outcome(form) for name, form in forms.items()}
    write(root, "fp_args/__init__.py", "")
    write(root, "fp_args/ok.py", "VALUE = 1\n")
    CountingDict.calls = 0
    namespace = CountingDict(__name__="fp_args.child", __package__="fp_args", __builtins__=builtins)
    exec(
        compile("import json\nfrom . import ok\nfrom .ok import VALUE\n", "<dict subclass>", "exec"),
        namespace,
    )
    results["dict subclass: calls into it"] = CountingDict.calls
    return results


def probe_user_code(root):
    """The recorder runs no user code while an import is in progress."""
    counter = {"str": 0, "repr": 0, "eq": 0, "hash": 0, "iter": 0}
    builtins.fp_counter = counter
    write(
        root,
        "fp_loud.py",
        "import builtins\n"
        "class Loud(Exception):\n"
        "    def __str__(self):\n"
        "        builtins.fp_counter['str'] += 1\n"
        "        return 'loud'\n"
        "raise Loud('x')\n",
    )
    write(
        root,
        "fp_weird_path/__init__.py",
        "import builtins\n"
        "class Entry:\n"
        "    def __repr__(self):\n"
        "        builtins.fp_counter['repr'] += 1\n"
        "        return 'Entry()'\n"
        "    def __eq__(self, other):\n"
        "        builtins.fp_counter['eq'] += 1\n"
        "        return False\n"
        "    def __hash__(self):\n"
        "        builtins.fp_counter['hash'] += 1\n"
        "        return 1\n"
        "__path__ = [42, b'/nowhere', Entry()] + list(__path__)\n",
    )
    write(root, "fp_weird_path/inside.py", "VALUE = 5\n")
    result = {"loud": outcome(lambda: __import__("fp_loud"))}
    during = dict(counter)
    result["weird path"] = outcome(lambda: __import__("fp_weird_path.inside"))
    # a finder whose spec has exotic search locations (CPython's test_meta_path does this)
    import importlib.machinery

    class Loader:
        def create_module(self, spec):
            return None

        def exec_module(self, module):
            module.VALUE = 1

    class Finder:
        def find_spec(self, name, path, target=None):
            if name != "fp_exotic":
                return None
            spec = importlib.machinery.ModuleSpec(name, Loader(), is_package=True)
            spec.submodule_search_locations = [42, b"/nowhere", sys.modules["fp_weird_path"].__path__[2]]
            return spec

    finder = Finder()
    sys.meta_path.append(finder)
    sys.path.extend([43, b"/also-nowhere"])
    try:
        result["exotic locations"] = outcome(lambda: __import__("fp_exotic"))
        result["exotic entries on sys.path"] = outcome(lambda: __import__("fp_not_on_any_path"))
    finally:
        sys.meta_path.remove(finder)
        del sys.path[-2:]
    result["counter during imports"] = dict(counter)
    result["counter after loud"] = during
    return result


def chain(root, prefix, length):
    for i in range(length):
        body = f"import {prefix}{i + 1}\n" if i + 1 < length else "VALUE = 1\n"
        write(root, f"{prefix}{i}.py", body)


def probe_recursion(root):
    """The longest chain of nested imports that works at a small recursion limit."""
    best = 0
    old = sys.getrecursionlimit()
    for length in range(5, 80):
        prefix = f"fp_chain{length}_"
        folder = os.path.join(root, prefix)
        chain(folder, prefix, length)
        sys.path.insert(0, folder)
        sys.setrecursionlimit(260)
        try:
            __import__(f"{prefix}0")
            ok = True
        except RecursionError:
            ok = False
        finally:
            sys.setrecursionlimit(old)
            sys.path.remove(folder)
        for name in [n for n in sys.modules if n.startswith(prefix)]:
            del sys.modules[name]
        if not ok:
            break
        best = length
    # a 200-level package nest at the default limit
    parts = [f"p{i}" for i in range(200)]
    for depth in range(1, len(parts) + 1):
        write(os.path.join(root, "nest"), os.path.join(*parts[:depth], "__init__.py"), "")
    sys.path.insert(0, os.path.join(root, "nest"))
    nest = outcome(lambda: __import__(".".join(parts)))
    return {
        "longest chain at limit 260": best,
        "200-level package": nest,
        "limit after": sys.getrecursionlimit(),
    }


def probe_frames(root):
    """From a module's top level back to the frame that imported it."""
    write(
        root,
        "fp_depth.py",
        "import sys\n"
        "depth = 1\n"
        "while sys._getframe(depth).f_globals.get('__name__') != 'fp_depth_importer':\n"
        "    depth += 1\n",
    )
    namespace = {"__name__": "fp_depth_importer"}
    exec(compile("import fp_depth\n", "<importer>", "exec"), namespace)
    statement = sys.modules.pop("fp_depth").depth
    namespace["importlib"] = importlib
    exec(compile("importlib.import_module('fp_depth')\n", "<importer>", "exec"), namespace)
    via_import_module = sys.modules.pop("fp_depth").depth
    return {"statement": statement, "import_module": via_import_module}


PROBES = {
    "tracebacks": probe_tracebacks,
    "arguments": probe_arguments,
    "user code": probe_user_code,
    "recursion": probe_recursion,
    "frames": probe_frames,
}


def main():
    repo, workdir, mode, out = sys.argv[1:5]
    sys.path.insert(0, repo)
    sys.path.insert(0, workdir)
    import pyenvlab

    sys.path.extend([44, b"/bytes-entry-on-sys-path"])  # exotic entries, in every mode
    state_before = {"__import__": builtins.__import__, "meta_path": list(sys.meta_path)}
    results = {}
    tracer = None
    if mode == "traced":
        tracer = pyenvlab.trace()
        tracer.start()
    elif mode == "unhooked":
        original = builtins.__import__
        with pyenvlab.trace():
            seen = builtins.__import__  # the recorder's hook, which the other tool wraps

            def other_tool(*args, **kwargs):
                return seen(*args, **kwargs)

            builtins.__import__ = other_tool
        builtins.__import__ = seen  # the other tool ends after the trace: restores what it saw
        results["healed after one import"] = None
        __import__("json")
        results["healed after one import"] = builtins.__import__ is original
    try:
        for name, probe in PROBES.items():
            folder = os.path.join(workdir, name.replace(" ", "_"))
            os.makedirs(folder, exist_ok=True)
            sys.path.insert(0, folder)
            results[name] = probe(folder)
    finally:
        if tracer is not None:
            tracer.stop()
    if tracer is not None:
        trace = tracer.trace
        again = type(trace).from_json(trace.to_json())
        results["trace"] = {
            "readable": len(trace.modules) > 0,
            "round trip": again == trace,
            "opaque entries": sorted(
                {
                    loc.type_name
                    for m in trace.modules
                    for loc in (m.search_locations or ())
                    if type(loc) is not str
                }
            ),
            "opaque sys.path": sorted(
                {entry.type_name for entry in trace.sys_path if type(entry) is not str}
            ),
            "errors": list(trace.errors),
            "loud error": next((m.error for m in trace.modules if m.name == "fp_loud"), None),
        }
    results["state restored"] = (
        builtins.__import__ is state_before["__import__"] and sys.meta_path == state_before["meta_path"]
    )
    with open(out, "w", encoding="utf-8") as stream:
        json.dump(results, stream, indent=1, default=repr)


if __name__ == "__main__":
    main()
