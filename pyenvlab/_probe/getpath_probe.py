"""Re-run this interpreter's own prefix search (getpath) with recording hooks.

Run by the *target* interpreter as a file, never imported by pyenvlab::

    target -I -S getpath_probe.py OUT.json SPEC.json

SPEC.json describes the simulated command line: ``argv0`` (what the shell passes as argv[0]),
``use_environment`` (false for -E/-I) and ``platlibdir``; ``config`` holds the ``PyConfig``
fields an embedding application sets before the search (Pyodide sets ``home`` and
``stdlib_dir``), absent for a plain ``python`` command. The working directory and the
environment of this process are those of the simulated command (the caller sets them); ``-I``
only protects this probe itself from PYTHONHOME/PYTHONPATH, getpath reads them from ``ENV_*``.

Since 3.11 ``Modules/getpath.py`` is frozen into the interpreter. Its code object comes from
``_testinternalcapi.get_getpath_codeobject()`` or the exported C function
``_Py_Get_Getpath_CodeObject`` (ctypes). We exec it in one dict pre-filled the way
``Modules/getpath.c`` does, with helper functions that copy the C helpers' semantics and record
every question asked of the filesystem. The result (and every probe) is written as JSON to
OUT.json; nothing is printed. stdlib only; Python 3.9 syntax.
"""

import json
import os
import stat
import sys

# The probe's own directory must not stay importable (it is sys.path[0] for a script).
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if p and os.path.abspath(p) != _HERE]

SEP = "/"
PROBES = []
WARNINGS = []


def _record(check, path, result, detail=None):
    PROBES.append({"check": check, "path": path, "result": bool(result), "detail": detail})


def _stat_mode(path):
    try:
        return os.stat(path).st_mode
    except (OSError, ValueError):
        return None


# -- the C helpers of Modules/getpath.c, with their exact (non os.path) semantics -------------


def gp_isfile(path):
    mode = _stat_mode(path)
    result = mode is not None and stat.S_ISREG(mode)
    _record("isfile", path, result)
    return result


def gp_isdir(path):
    mode = _stat_mode(path)
    result = mode is not None and stat.S_ISDIR(mode)
    _record("isdir", path, result)
    return result


def gp_isxfile(path):
    mode = _stat_mode(path)
    result = mode is not None and stat.S_ISREG(mode) and bool(mode & 0o111)
    _record("isxfile", path, result)
    return result


def gp_readlines(path):
    try:
        with open(path, "rb") as handle:
            data = handle.read(32 * 1024)
    except OSError as exc:
        _record("readlines", path, False, type(exc).__name__)
        raise
    text = data.decode("utf-8", "surrogateescape")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    lines = [line[:-1] if line.endswith("\r") else line for line in lines]
    _record("readlines", path, True, "\n".join(lines))
    return lines


def gp_realpath(path):
    # C: readlink() on the path until it is not a link; only the last component is resolved.
    current = path
    for _ in range(40):
        try:
            target = os.readlink(current)
        except (OSError, ValueError):
            _record("realpath", path, True, current)
            return current
        _record("readlink", current, True, target)
        if target.startswith(SEP):
            current = target
        else:
            head = current.rpartition(SEP)[0] if SEP in current else ""
            current = os.path.normpath(gp_joinpath(head, target) if head else target)
    _record("realpath", path, False, "too many symbolic links")
    raise OSError("maximum number of symbolic links reached")


def gp_abspath(path):
    norm = os.path.normpath(path) if path else path
    if norm in ("", "."):
        return os.getcwd()
    if norm.startswith(SEP):
        return norm
    return os.getcwd() + SEP + norm


def gp_basename(path):
    return path.rpartition(SEP)[2]


def gp_dirname(path):
    """Everything before the last separator, "" when there is none, as the C helper does
    (``os.path.dirname`` keeps the root instead):

    >>> gp_dirname("/usr/bin/python3"), gp_dirname("/usr"), gp_dirname("python3")
    ('/usr/bin', '', '')
    >>> os.path.dirname("/usr")
    '/'
    """
    head, sep, _ = path.rpartition(SEP)
    return head if sep else ""


def gp_hassuffix(path, suffix):
    return path.endswith(suffix)


def gp_isabs(path):
    return path.startswith(SEP)


def gp_joinpath(*parts):
    """Join like the C helper: ``None`` is skipped, an absolute part starts over.

    >>> gp_joinpath("/usr", "lib", None, "python3.12"), gp_joinpath("/usr/", "/opt", "x")
    ('/usr/lib/python3.12', '/opt/x')
    """
    result = ""
    for part in parts:
        if part is None:
            continue
        if not isinstance(part, str):
            raise TypeError("all arguments to joinpath() must be str or None")
        if part.startswith(SEP) or not result:
            result = part
        elif part:
            result = result + part if result.endswith(SEP) else result + SEP + part
    return result


def gp_warn(message):
    WARNINGS.append(message)


# -- acquiring the code object ---------------------------------------------------------------


def get_code():
    errors = []
    try:
        import _testinternalcapi

        return _testinternalcapi.get_getpath_codeobject(), "_testinternalcapi", errors
    except Exception as exc:
        errors.append(f"_testinternalcapi: {type(exc).__name__}: {exc}")
    try:
        import ctypes

        func = ctypes.pythonapi._Py_Get_Getpath_CodeObject
        func.restype = ctypes.py_object
        func.argtypes = []
        return func(), "ctypes", errors
    except Exception as exc:
        errors.append(f"ctypes: {type(exc).__name__}: {exc}")
    return None, None, errors


def build_constants():
    import sysconfig

    try:
        name = sysconfig._get_sysconfigdata_name()
        build = __import__(name).build_time_vars
    except Exception:
        build = sysconfig.get_config_vars()

    def macro(*keys):
        for key in keys:
            value = build.get(key)
            if value is not None:
                return value or None
        return None

    return {
        "PREFIX": macro("prefix", "PREFIX"),
        "EXEC_PREFIX": macro("exec_prefix", "EXEC_PREFIX"),
        "PYTHONPATH": macro("PYTHONPATH"),
        "VPATH": macro("VPATH"),
        "PLATLIBDIR": macro("PLATLIBDIR") or "lib",
        "PYDEBUGEXT": None,
        "PYWINVER": None,
        "EXE_SUFFIX": None,
        "VERSION_MAJOR": sys.version_info[0],
        "VERSION_MINOR": sys.version_info[1],
        "ABI_THREAD": "t" if build.get("Py_GIL_DISABLED") else "",
        "os_name": "darwin" if sys.platform == "darwin" else "posix",
        "WITH_NEXT_FRAMEWORK": int(bool(build.get("WITH_NEXT_FRAMEWORK") or 0)),
    }


def main(argv):
    out_path, spec_path = argv[1], argv[2]
    with open(spec_path, encoding="utf-8") as handle:
        spec = json.load(handle)
    result = {
        "python": ".".join(str(v) for v in sys.version_info[:3]),
        "source": None,
        "errors": [],
        "probes": PROBES,
        "warnings": WARNINGS,
        "constants": {},
        "config": None,
        "state": {},
    }
    code, source, errors = get_code()
    result["errors"] = errors
    result["source"] = source
    constants = build_constants()  # also without the code: the model tier falls back to PREFIX
    result["constants"] = {k: v for k, v in constants.items() if not k.startswith("VERSION")}
    if code is not None:
        use_env = bool(spec.get("use_environment", True))
        environ = os.environ
        argv0 = spec["argv0"]
        config = {
            "program_name": None,
            "home": None,
            "executable": None,
            "base_executable": None,
            "prefix": None,
            "exec_prefix": None,
            "base_prefix": None,
            "base_exec_prefix": None,
            "pythonpath_env": environ.get("PYTHONPATH") or None if use_env else None,
            "use_environment": int(use_env),
            "isolated": int(bool(spec.get("isolated"))),
            "site_import": 1,
            "module_search_paths": [],
            "module_search_paths_set": 0,
            "stdlib_dir": None,
            "platstdlib_dir": None,
            "platlibdir": (environ.get("PYTHONPLATLIBDIR") if use_env else None) or constants["PLATLIBDIR"],
            "orig_argv": [argv0],
            "argv": [""],
            "_is_python_build": 0,
        }
        for key, value in (spec.get("config") or {}).items():  # set by an embedding application
            if key in config:
                config[key] = value
        namespace = dict(constants)
        namespace.update(
            {
                "config": config,
                "abspath": gp_abspath,
                "basename": gp_basename,
                "dirname": gp_dirname,
                "hassuffix": gp_hassuffix,
                "isabs": gp_isabs,
                "isdir": gp_isdir,
                "isfile": gp_isfile,
                "isxfile": gp_isxfile,
                "joinpath": gp_joinpath,
                "readlines": gp_readlines,
                "realpath": gp_realpath,
                "warn": gp_warn,
                "ENV_PATH": environ.get("PATH"),
                "ENV_PYTHONHOME": environ.get("PYTHONHOME"),
                "ENV_PYTHONEXECUTABLE": environ.get("PYTHONEXECUTABLE"),
                "ENV___PYVENV_LAUNCHER__": environ.get("__PYVENV_LAUNCHER__"),
                "real_executable": None,
                "executable_dir": None,
                "py_setpath": None,
                "library": None,
                "winreg": None,
            }
        )
        try:
            exec(code, namespace, namespace)  # one dict: generator expressions need it (3.12+)
        except BaseException as exc:
            result["errors"].append(f"getpath raised {type(exc).__name__}: {exc}")
        result["config"] = {k: v for k, v in config.items() if isinstance(v, (str, int, list, type(None)))}
        state = {}
        for key in ("executable_dir", "real_executable", "venv_prefix", "home", "build_prefix", "pth_dir"):
            value = namespace.get(key)
            if value is None or isinstance(value, str):
                state[key] = value
        result["state"] = state
    with open(out_path, "w", encoding="utf-8") as handle:
        json.dump(result, handle)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
