"""Differential check driver: run by a *target* interpreter, stdlib only.

    TARGET differential_driver.py RECORDER_PY NAMES.json OUT.json

For every module name it forks three children from one clean parent (only the interpreter's
own startup modules plus the recorder's source are loaded; the recorder is not installed):

- ``spec``: ``importlib.util.find_spec(name)``, the ground truth, no recorder;
- ``traced``: ``import name`` under a recorder session; the built trace data;
- ``plain``: ``import name`` without the recorder.

Each child sends JSON back through a pipe: the import outcome and ``sorted(sys.modules)``. The
parent writes ``{name: {"spec": ..., "traced": ..., "plain": ...}}`` to OUT.json. Comparing
them is the test's job (tests/test_differential.py).
"""

import os
import sys

TIMEOUT = 60.0


def _load_recorder(path):
    module = type(sys)("pyenvlab_recorder_under_test")
    module.__file__ = path
    with open(path, encoding="utf-8") as stream:
        source = stream.read()
    exec(compile(source, path, "exec"), module.__dict__)
    return module


def arm(kind, name, recorder):
    """One arm of the check, in the interpreter it runs in: the JSON-ready result.

    Also run inside Pyodide, one fresh interpreter per arm (tests/test_pyodide_differential.py).
    """
    result = {}
    namespace = {"__name__": "__main__", "__builtins__": __builtins__}
    if kind == "spec":
        import importlib.util

        result["preloaded"] = name in sys.modules
        try:
            spec = importlib.util.find_spec(name)
        except BaseException as exc:
            result["error"] = type(exc).__name__
            spec = None
        if spec is not None:
            locations = spec.submodule_search_locations
            result["origin"] = spec.origin
            result["locations"] = None if locations is None else list(locations)
            result["found"] = True
        else:
            result["found"] = False
    else:
        session = recorder.Session() if kind == "traced" else None
        preloaded = name in sys.modules
        if session is not None:
            session.start()
        try:
            exec(f"import {name}", namespace)
            outcome = None
        except BaseException as exc:
            outcome = type(exc).__name__
        finally:
            if session is not None:
                session.stop()
        result["outcome"] = outcome
        result["preloaded"] = preloaded
        result["modules"] = sorted(k for k in sys.modules if isinstance(k, str))
        if session is not None:
            result["trace"] = session.build()
    return result


def _child(kind, name, recorder, write_fd):
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    try:
        payload = recorder.dumps(arm(kind, name, recorder)).encode()  # not json: import nothing more
    except BaseException as exc:
        payload = recorder.dumps({"driver_error": f"{type(exc).__name__}: {exc}"}).encode()
    view = memoryview(payload)
    while view:
        written = os.write(write_fd, view)
        view = view[written:]
    os.close(write_fd)
    os._exit(0)


def _run(kind, name, recorder):
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        _child(kind, name, recorder, write_fd)
    os.close(write_fd)
    chunks = []
    while True:
        chunk = os.read(read_fd, 1 << 16)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(read_fd)
    os.waitpid(pid, 0)
    return b"".join(chunks)


def main():
    recorder_path, names_path, out_path = sys.argv[1:4]
    if sys.path and sys.path[0] == os.path.dirname(os.path.abspath(__file__)):
        sys.path[0] = ""
    recorder = _load_recorder(recorder_path)
    with open(names_path, encoding="utf-8") as stream:
        names_text = stream.read()
    names = [n.strip().strip('"') for n in names_text.strip().strip("[]").split(",") if n.strip()]
    pieces = []
    for name in names:
        raw = {kind: _run(kind, name, recorder) for kind in ("spec", "traced", "plain")}
        arms = ", ".join(f'"{kind}": {payload.decode() or "null"}' for kind, payload in raw.items())
        pieces.append(f'"{name}": {{{arms}}}')
    with open(out_path, "w", encoding="utf-8") as stream:
        stream.write("{" + ",\n".join(pieces) + "}")


if __name__ == "__main__":
    main()
