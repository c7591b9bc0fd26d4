"""``startup(python="pyodide:3.14")``: how CPython in WebAssembly finds its prefix and builds sys.path.

The same three runs as for a native interpreter (:mod:`pyenvlab.interpreter.tracer`), each in
a fresh Pyodide started with the traced options, the probes unmodified:

1. the **search**: ``getpath_probe.py`` replays the interpreter's own frozen getpath code
   (``_testinternalcapi.get_getpath_codeobject()``) from the ``PyConfig`` Pyodide's C ``main``
   fills in (``home = "/"``, ``stdlib_dir`` = the zip: see ``Release.embedder_config``);
2. the **site stage**: a ``-S`` start runs the real ``site.main()`` with recording;
3. the **ground truth**: a plain start records its own ``sys.*``.

What is meaningful here and what is not, said in the trace's notes rather than hidden:

- ``argv0`` is Pyodide's ``sys.executable`` (its ``thisProgram``). A host path given as
  ``argv0`` is shown inside with the directories around it (its ``bin/``'s parent, and that of
  every symlink target), so a venv or prefix layout built on the host is what the real start
  and the replay both see: since 3.14 getpath itself sets ``sys.prefix`` from ``pyvenv.cfg``
  (gh-126985), and Pyodide's ``home = "/"`` makes getpath ignore ``pyvenv.cfg``'s ``home``;
- Pyodide's JavaScript loader inserts ``''`` at ``sys.path[0]`` after every start, whatever
  the options (``-I``, ``-P``): it is left out of the comparisons (like a script's directory
  natively, it is added after site ran) and shown as the loader's entry;
- only the ``getpath`` method exists (no processes to strace, no model needed), and a script
  start (``script=``) does not exist (the loader's ``''`` is always first).
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pyenvlab.errors import InterpreterError
from pyenvlab.pyodide.releases import Release, release_for
from pyenvlab.pyodide.runner import RUNNER_SCRIPT, Run, run
from pyenvlab.pyodide.tracing import PROBE_HOME

__all__ = ["replay_getpath", "replay_getpaths", "replay_startup", "startup"]

PROBES = Path(__file__).resolve().parent.parent / "_probe"
FLAGS = ("-E", "-I", "-s", "-S", "-P")
HOME_INSIDE = "/home/pyodide"

# The loader's '' goes (a real start's site ran before Pyodide's JavaScript inserted it),
# then the probe file runs as a module whose main() is called (PyRun_SimpleString would end
# the interpreter on the SystemExit of a script's sys.exit()).
_BOOT = """\
def _pyenvlab_boot():
    import sys
{drop}    path = {path!r}
    with open(path, encoding="utf-8") as stream:
        source = stream.read()
    namespace = {{"__name__": {module!r}, "__file__": path}}
    exec(compile(source, path, "exec"), namespace)
    namespace["main"]({argv!r})
{after}

_pyenvlab_boot()
"""

_DROP_LOADER_ENTRY = """\
    modules_at_start = len(sys.modules)
    loader_entry = sys.path[0] if sys.path else None
    if loader_entry == "":
        del sys.path[0]
"""

# The site stage runs site.main() in a -S start, after Pyodide's runtime loaded: what that
# runtime added which did not exist when a real start's site ran is set aside meanwhile (the
# loader's '' above, and the JavaScript objects registered as modules, js and pyodide_js,
# which site's abs_paths() cannot even put in a set), and put back afterwards.
_SET_ASIDE_JS_MODULES = """\
    set_aside = {name: m for name, m in sys.modules.items() if not isinstance(m, type(sys))}
    for name in set_aside:
        del sys.modules[name]
"""
_PUT_BACK = """\
    sys.modules.update(set_aside)
    if loader_entry == "":
        sys.path.insert(0, "")
"""

# After the plain start's own record: what is Emscripten about it, read from the interpreter.
_FACTS = """\
    import os
    facts = {{
        "loader_entry": loader_entry,
        "platform": sys.platform,
        "meta_path": [f.__name__ if isinstance(f, type) else type(f).__name__ for f in sys.meta_path],
        "fork": None,
        "modules": modules_at_start,
        "environ": dict(os.environ),
        "cwd": os.getcwd(),
        "exists": {{p: os.path.exists(p or ".") for p in ["", *sys.path]}},
    }}
    try:  # the feature test for subprocesses: run it (Emscripten's os.fork exists and fails)
        pid = os.fork()
    except OSError as exc:
        facts["fork"] = "os.fork() raised OSError: " + str(exc)
    else:
        if pid == 0:
            os._exit(0)
        os.waitpid(pid, 0)
    try:
        import _testinternalcapi

        config = _testinternalcapi.get_configs()["config"]
        facts["config"] = {{k: config.get(k) for k in ("home", "stdlib_dir", "module_search_paths")}}
    except Exception as exc:
        facts["config"] = {{"error": type(exc).__name__ + ": " + str(exc)}}
    with open({out!r}, "w", encoding="utf-8") as stream:
        stream.write(repr(facts))
"""


def _boot(probe: str, argv: list[str], *, drop: bool, after: str = "", aside: bool = False) -> str:
    return _BOOT.format(
        drop=(_DROP_LOADER_ENTRY if drop else "") + (_SET_ASIDE_JS_MODULES if aside else ""),
        path=f"{PROBE_HOME}/{probe}",
        module="pyenvlab_" + probe.removesuffix(".py"),
        argv=argv,
        after=after,
    )


def _probe_file(name: str) -> tuple[str, str]:
    return (f"{PROBE_HOME}/{name}", (PROBES / name).read_text(encoding="utf-8"))


def _visible(argv0: str | None, cwd: str | None) -> list[str]:
    """Host directories to show inside: around ``argv0`` and its symlink chain, and ``cwd``."""
    from pyenvlab.pyodide.tracing import _outermost

    directories: list[str] = []
    if argv0 is not None and os.path.isabs(argv0) and os.path.lexists(argv0):
        current, seen = argv0, set()
        while current not in seen:
            seen.add(current)
            parent = os.path.dirname(os.path.dirname(current))  # bin/'s parent: the layout
            directories.append(parent if parent != "/" else os.path.dirname(current))
            if not os.path.islink(current):
                break
            target = os.readlink(current)
            current = os.path.normpath(os.path.join(os.path.dirname(current), target))
    if cwd is not None:
        directories.append(cwd)
    return _outermost([d for d in directories if d and d != "/" and os.path.isdir(d)])


def replay_getpath(
    python: str,
    argv0: str,
    *,
    env: Mapping[str, str] | None = None,
    flags: Sequence[str] = (),
    embedded: bool = True,
    mounts: Sequence[str] = (),
    timeout: float | None = 300,
) -> dict[str, Any]:
    """Run the target's own getpath code inside Pyodide for the command ``argv0`` (the probe's JSON).

    Args:
        embedded: start from the ``PyConfig`` Pyodide's ``main`` fills in (``home``,
            ``stdlib_dir``), as the real start does; ``False`` replays getpath as a plain
            ``python`` command of that CPython version would run it (nothing preset), which
            is how a native 3.14/3.15 would compute its prefix for the same layout.
        mounts: host directories to show inside (default: those around ``argv0``).

    Returns:
        ``getpath_probe.py``'s result: ``config`` (prefix, base_prefix, module_search_paths...),
        ``state`` (venv_prefix, home...), every ``probes`` check, ``warnings``, ``errors``.
    """
    (result,) = replay_getpaths(
        python, [argv0], env=env, flags=flags, embedded=embedded, mounts=mounts, timeout=timeout
    )
    return result


def replay_getpaths(
    python: str,
    commands: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    flags: Sequence[str] = (),
    embedded: bool = True,
    mounts: Sequence[str] = (),
    timeout: float | None = 300,
) -> list[dict[str, Any]]:
    """:func:`replay_getpath` for several ``argv0`` values, in one Pyodide start (reset between)."""
    from pyenvlab.pyodide.tracing import _outermost

    release = release_for(python)
    use_env = "-E" not in flags and "-I" not in flags
    out = f"{PROBE_HOME}/getpath.json"
    argv = [f"{PROBE_HOME}/getpath_probe.py", out, f"{PROBE_HOME}/spec.json"]
    runs = []
    for argv0 in commands:
        spec: dict[str, Any] = {"argv0": argv0, "use_environment": use_env, "isolated": "-I" in flags}
        if embedded:
            spec["config"] = release.embedder_config
        files = (_probe_file("getpath_probe.py"), (f"{PROBE_HOME}/spec.json", json.dumps(spec)))
        runs.append(Run(_boot("getpath_probe.py", argv, drop=False), files=files, results=(out,)))
    shown = list(mounts) or _outermost([d for argv0 in commands for d in _visible(argv0, None)])
    results = run(
        release,
        runs,
        args=["-I", "-S"],
        env=env,
        executable=commands[0] if len(commands) == 1 else None,
        mounts=shown,
        fresh="reset",
        timeout=timeout,
    )
    replays = []
    for argv0, result in zip(commands, results, strict=True):
        text = result.files.get(out)
        if text is None:
            msg = (
                f"{release.spec}: the getpath probe wrote nothing for {argv0}: {result.error or 'no output'}"
            )
            raise InterpreterError(msg)
        replays.append(json.loads(text))
    return replays


def replay_startup(
    python: str,
    argv0: str | os.PathLike[str],
    *,
    env: Mapping[str, str] | None = None,
    flags: Sequence[str] = (),
    mounts: Sequence[str] = (),
    timeout: float | None = 300,
):
    """The prefix search a *native* CPython of ``python``'s version makes for the command
    ``argv0``, as a :class:`~pyenvlab.interpreter.records.StartupTrace` the startup views draw.

    ``python`` (``"pyodide:3.14"``) only supplies that version's own frozen getpath code:
    :func:`replay_getpath` runs it with ``embedded=False``, as a plain ``python`` command of
    that version would (no Pyodide ``home``), on the layout around ``argv0`` (a host venv or
    prefix install, shown inside at the same paths). Nothing else starts: ``site`` does not
    run and there is no interpreter of that layout to compare with, so the trace has no
    comparisons, is not ``verified``, and says so in its notes. ``prefix_set_by`` is
    ``"getpath"`` when the search alone already moved ``sys.prefix`` to a venv (CPython 3.14+,
    gh-126985).

    Raises:
        InterpreterError: one line: unknown version, Node/npm missing, the probe failed.
    """
    import dataclasses
    import re
    import tempfile

    from pyenvlab.interpreter import tiers, tracer

    release = release_for(python)
    flags = tuple(flags)
    argv0 = os.fspath(argv0)
    data = replay_getpath(
        release.spec, argv0, env=env, flags=flags, embedded=False, mounts=mounts, timeout=timeout
    )
    config = data.get("config") or {}
    searched = {
        "prefix": config.get("prefix"),
        "exec_prefix": config.get("exec_prefix"),
        "base_prefix": config.get("base_prefix"),
        "base_exec_prefix": config.get("base_exec_prefix"),
        "executable": config.get("executable"),
        "_base_executable": config.get("base_executable"),
        "stdlib_dir": config.get("stdlib_dir"),
        "path": list(config.get("module_search_paths") or ()),
    }
    start = tiers.Start(
        target=release.spec,
        argv0=argv0,
        flags=flags,
        environ=dict(env or {}),
        workdir=HOME_INSIDE,
        version=tuple(int(x) for x in re.findall(r"\d+", release.python)[:3]),
        tmpdir=Path(tempfile.gettempdir()),
        before=searched,
        getpath_data=data,
    )
    tier = tiers.GetpathTier()
    reason = tier.unavailable(start)
    if reason is not None:
        raise InterpreterError(reason)
    found = tier.run(start)
    notes = [
        f"a replay: CPython {release.python}'s own getpath code (from {release.spec}) run as a plain "
        f"`python` command of that version would run it, for {argv0}; no interpreter started, site did "
        "not run, and there is nothing to verify the result against",
        *found.notes,
    ]
    trace = tracer._assemble(start, found, site_data=None, truth=searched, script=None, notes=notes)
    return dataclasses.replace(trace, python=release.python, comparisons=(), verified=False, real=None)


def startup(
    python: str,
    *,
    env: Mapping[str, str] | None = None,
    cwd: str | os.PathLike[str] | None = None,
    argv0: str | None = None,
    flags: Sequence[str] = (),
    script: str | os.PathLike[str] | None = None,
    method: str | None = None,
    timeout: float | None = 300,
):
    """Trace how the Pyodide interpreter ``python`` starts (see the module docstring).

    Args follow :func:`pyenvlab.interpreter.startup`; ``env`` is the interpreter's environment
    (default: Pyodide's own), ``cwd`` a host directory shown inside and used as the working
    directory (default: Pyodide's empty ``/home/pyodide``).

    Raises:
        InterpreterError: one line: unknown version, Node/npm missing, an option that has no
            meaning in Pyodide, or a probe that failed.
    """
    release = release_for(python)
    if method not in (None, "getpath"):
        msg = (
            f"{release.spec} is traced by replaying its own getpath code only "
            f"(no {method}: there is no process to strace, and no model is needed)"
        )
        raise InterpreterError(msg)
    if script is not None:
        msg = f"{release.spec} has no script start: Pyodide's loader always puts '' first on sys.path"
        raise InterpreterError(msg)
    flags = tuple(flags)
    for flag in flags:
        if flag not in FLAGS:
            msg = f"unsupported interpreter option {flag!r} (startup() accepts {', '.join(FLAGS)})"
            raise InterpreterError(msg)
    inside_cwd = None
    if cwd is not None:
        inside_cwd = os.path.abspath(os.fspath(cwd))
        if not os.path.isdir(inside_cwd):
            msg = f"working directory {inside_cwd} does not exist"
            raise InterpreterError(msg)
    shown_argv0 = argv0 if argv0 is not None else str(RUNNER_SCRIPT)
    mounts = _visible(argv0, inside_cwd)
    common = {"env": env, "executable": shown_argv0, "mounts": mounts, "cwd": inside_cwd, "timeout": timeout}
    truth_out, site_out, facts_out = (
        f"{PROBE_HOME}/truth.json",
        f"{PROBE_HOME}/site.json",
        f"{PROBE_HOME}/facts.txt",
    )
    site_file = _probe_file("site_probe.py")
    truth_argv = [site_file[0], truth_out, "--truth"]
    jobs: dict[str, Any] = {
        "truth": lambda: run(
            release,
            [
                Run(
                    _boot("site_probe.py", truth_argv, drop=True, after=_FACTS.format(out=facts_out)),
                    files=(site_file,),
                    results=(truth_out, facts_out),
                )
            ],
            args=list(flags),
            **common,
        ),
        "getpath": lambda: replay_getpath(
            release.spec, shown_argv0, env=env, flags=flags, mounts=mounts or (), timeout=timeout
        ),
    }
    if "-S" not in flags:
        jobs["site"] = lambda: run(
            release,
            [
                Run(
                    _boot("site_probe.py", [site_file[0], site_out], drop=True, aside=True, after=_PUT_BACK),
                    files=(site_file,),
                    results=(site_out,),
                )
            ],
            args=[*flags, "-S"],
            **common,
        )
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        futures = {name: pool.submit(job) for name, job in jobs.items()}
        done = {name: future.result() for name, future in futures.items()}
    (truth_result,) = done["truth"]
    if truth_result.files.get(truth_out) is None or truth_result.files.get(facts_out) is None:
        msg = f"{release.spec}: the start could not be recorded: {truth_result.error or 'no error output'}"
        raise InterpreterError(msg)
    truth = json.loads(truth_result.files[truth_out])
    import ast

    facts = ast.literal_eval(truth_result.files[facts_out])
    site_data = None
    if "site" in done:
        (site_result,) = done["site"]
        if site_result.files.get(site_out) is None:
            msg = f"{release.spec}: the site probe failed: {site_result.error or 'no error output'}"
            raise InterpreterError(msg)
        site_data = json.loads(site_result.files[site_out])
    return _assemble(
        release, done["getpath"], truth, site_data, facts, argv0=shown_argv0, flags=flags, mounts=mounts
    )


def _assemble(
    release: Release,
    gp_data: dict[str, Any],
    truth: dict[str, Any],
    site_data: dict[str, Any] | None,
    facts: dict[str, Any],
    *,
    argv0: str,
    flags: tuple[str, ...],
    mounts: list[str],
):
    """The StartupTrace, assembled by the native tracer's own code, then Pyodide's facts added."""
    import tempfile

    from pyenvlab.interpreter import tiers, tracer
    from pyenvlab.interpreter.records import PathEntry

    start = tiers.Start(
        target=release.spec,
        argv0=argv0,
        flags=flags,
        environ=facts["environ"],
        workdir=facts["cwd"],
        version=tuple(int(x) for x in truth["python"].split(".")),
        tmpdir=Path(tempfile.gettempdir()),  # only the strace tier writes there: unused
        before=(site_data or {}).get("before") or truth,
        getpath_data=gp_data,
    )
    tier = tiers.GetpathTier()
    reason = tier.unavailable(start)
    if reason is not None:
        raise InterpreterError(reason)
    found = tier.run(start)
    notes = [*found.notes, *_facts_notes(release, facts, mounts, flags, site_ran=site_data is not None)]
    trace = tracer._assemble(start, found, site_data=site_data, truth=truth, script=None, notes=notes)
    # existence inside Pyodide's file system, not the host's; the loader's '' first, always
    exists = facts.get("exists") or {}
    entries = [
        dataclasses.replace(e, exists=bool(exists.get(e.path, e.exists)))
        for e in trace.sys_path
        if e.path != "" or facts.get("loader_entry") != ""
    ]
    if facts.get("loader_entry") == "":
        entries.insert(0, PathEntry("", "Pyodide's loader, after startup ('' = the working directory)", True))
    return dataclasses.replace(trace, sys_path=tuple(entries))


def _facts_notes(
    release: Release, facts: dict[str, Any], mounts: list[str], flags: tuple[str, ...], *, site_ran: bool
) -> list[str]:
    """Plain sentences on what is Emscripten about this start, from the interpreter itself."""
    notes = [
        f"{release.spec}: CPython {release.python} compiled to WebAssembly (sys.platform "
        f"{facts['platform']!r}), npm package {release.npm}, run under Node.js; its file system is in memory"
        + (f"; host directories shown inside: {', '.join(mounts)}" if mounts else "")
    ]
    config = facts.get("config") or {}
    if config.get("home") == "/":
        notes.append(
            f"Pyodide's C main sets PyConfig.home = '/' and stdlib_dir = {config.get('stdlib_dir')!r} before "
            "the search: as with PYTHONHOME, getpath finds no landmark and ignores pyvenv.cfg's home key"
        )
    zips = [p for p in config.get("module_search_paths") or () if str(p).endswith(".zip")]
    if zips:
        notes.append(
            f"the standard library is one zip file, {zips[0]}: every stdlib import is a zipimporter hit"
        )
    own = [
        name
        for name in facts.get("meta_path") or ()
        if name not in ("BuiltinImporter", "FrozenImporter", "PathFinder")
    ]
    if own:
        notes.append(f"sys.meta_path also holds Pyodide's own finders after PathFinder: {', '.join(own)}")
    if facts.get("loader_entry") == "":
        extra = " (even with -I)" if "-I" in flags or "-P" in flags else ""
        notes.append(f"Pyodide's JavaScript loader inserts '' at sys.path[0] after startup{extra}")
    notes.append(
        f"{facts.get('modules')} modules are loaded when the first code runs (site's and Pyodide's runtime)"
    )
    if facts.get("fork"):
        notes.append(f"there are no subprocesses: {facts['fork']}")
    if site_ran:
        notes.append(
            "the site stage ran site.main() in a -S start after Pyodide's runtime had loaded; the loader's "
            "'' and the JavaScript objects registered as modules (js, pyodide_js) were set aside meanwhile, "
            "as they do not exist yet when a real start's site runs"
        )
    return notes
