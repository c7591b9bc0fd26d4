"""The startup tracer against the real interpreters: every scenario of issue 3, item 3.

Each test builds its situation for real (venvs, a PYTHONHOME layout, .pth files) in a temp dir,
traces it with ``pyenvlab.startup`` and compares the result with the values the interpreter
itself reports in an independent plain subprocess (``python -c``), not only with the tracer's
own verdict.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import pyenvlab
from pyenvlab.errors import InterpreterError
from pyenvlab.interpreter import StartupTrace, startup
from tests.conftest import pyenv_python

VERSION = f"{sys.version_info[0]}.{sys.version_info[1]}"
REAL = (
    "import sys, json; json.dump({'prefix': sys.prefix, 'exec_prefix': sys.exec_prefix,"
    " 'base_prefix': sys.base_prefix, 'base_exec_prefix': sys.base_exec_prefix,"
    " 'executable': sys.executable, 'path': sys.path}, open(sys.argv[1], 'w'))"
)


#: The interpreter these scenarios start: the base installation even when the tests run in a
#: venv (a venv's python would add its own pyvenv.cfg hop and disable the user site).
BASE_PYTHON = os.path.realpath(getattr(sys, "_base_executable", sys.executable))


def real_values(
    tmp: Path, executable: str, argv0: str | None = None, *, env=None, cwd=None, flags=()
) -> dict:
    """What the interpreter itself says, from a plain ``argv0 [flags] -c ...`` start."""
    out = tmp / f"real-{len(list(tmp.glob('real-*')))}.json"
    subprocess.run(
        [argv0 or executable, *flags, "-c", REAL, str(out)],
        executable=executable,
        env=dict(os.environ if env is None else env),
        cwd=cwd or tmp,
        check=True,
        capture_output=True,
    )
    return json.loads(out.read_text())


def assert_matches(trace: StartupTrace, real: dict) -> None:
    """The traced final values are the interpreter's own, and sys.path matches entry for entry."""
    assert trace.verified, trace.disagreements
    for key in ("prefix", "exec_prefix", "base_prefix", "base_exec_prefix", "executable"):
        assert getattr(trace, key) == real[key], key
    assert [e.path for e in trace.sys_path] == real["path"]
    for entry in trace.sys_path:
        assert entry.exists == os.path.exists(entry.path or trace.cwd)


def landmark(prefix: str, version: str = VERSION) -> str:
    return f"{prefix}/lib/python{version}/os.py"


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("startup")


@pytest.fixture(scope="module")
def venv(work: Path) -> Path:
    """A venv (symlinks) with a .pth holding a path line, an import line, a missing dir."""
    path = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True)
    site = path / "lib" / f"python{VERSION}" / "site-packages"
    (work / "extra").mkdir()
    (site / "zz.pth").write_text(
        f"# a demo .pth\n{work / 'extra'}\n\nimport os; open(os.environ['PTH_MARK'], 'a').write('x')\n"
        f"{work / 'missing'}\n"
    )
    return path


@pytest.fixture
def mark_env(tmp_path: Path) -> dict:
    return dict(os.environ, PTH_MARK=str(tmp_path / "mark"))


def test_this_interpreter(tmp_path: Path) -> None:
    trace = startup(BASE_PYTHON, cwd=tmp_path)
    assert trace.method == "getpath"
    assert trace.code_source in ("_testinternalcapi", "ctypes")
    assert_matches(trace, real_values(tmp_path, BASE_PYTHON))
    decisive = trace.probe_for("prefix")
    assert decisive is not None
    assert decisive.path == landmark(sys.base_prefix)
    assert decisive.check == "isfile"
    assert decisive.result
    # the walk goes upward from the executable's directory: bin/ is checked before the prefix
    landmarks = [p.path for p in trace.probes if p.purpose == "stdlib landmark"]
    assert landmarks[0] == landmark(os.path.dirname(BASE_PYTHON))
    assert trace.sys_path[0].source.startswith("current directory")
    assert {e.source for e in trace.sys_path[1:4]} == {"stdlib zip", "stdlib", "lib-dynload"}
    assert trace.venv is None
    assert trace.prefix_set_by is None


def test_json_round_trip_and_public_name(tmp_path: Path) -> None:
    trace = pyenvlab.startup(cwd=tmp_path)
    assert isinstance(trace, pyenvlab.StartupTrace)
    assert StartupTrace.from_json(trace.to_json()) == trace
    saved = trace.save(tmp_path / "t.json")
    assert StartupTrace.load(saved) == trace


def test_venv_by_absolute_path(venv: Path, tmp_path: Path, mark_env: dict) -> None:
    python = str(venv / "bin" / "python")
    trace = startup(python, env=mark_env, cwd=tmp_path)
    assert_matches(trace, real_values(tmp_path, python, env=mark_env))
    assert trace.prefix == str(venv)
    assert trace.base_prefix == sys.base_prefix
    assert trace.venv == str(venv / "pyvenv.cfg")
    hop = trace.probe_for("venv")
    assert hop is not None
    assert hop.check == "readlines"
    assert "home" in (hop.detail or "")
    assert trace.getpath is not None
    assert trace.getpath["prefix"] == sys.base_prefix  # getpath alone: still the base
    assert trace.prefix_set_by == "site"  # up to 3.13 (3.14+: getpath, tests/test_pyodide_startup.py)
    sources = {e.path: e.source for e in trace.sys_path}
    assert sources[str(venv / "lib" / f"python{VERSION}" / "site-packages")] == "site-packages (venv)"


def test_venv_pth_path_and_import_lines(venv: Path, tmp_path: Path, mark_env: dict) -> None:
    python = str(venv / "bin" / "python")
    trace = startup(python, env=mark_env, cwd=tmp_path)
    zz = [p for p in trace.pth_files if p.path.endswith("zz.pth")]
    sources = {e.path: e.source for e in trace.sys_path}
    assert sources[str(venv.parent / "extra")] == ".pth zz.pth:2"
    first = zz[0]
    outcomes = [(line.kind, line.outcome) for line in first.lines]
    assert outcomes == [
        ("comment", "skipped: comment"),
        ("path", "added"),
        ("blank", "skipped: blank"),
        ("import", "executed"),
        ("path", "skipped: missing"),
    ]
    # a real plain start runs the import line as many times as the trace says it ran
    Path(mark_env["PTH_MARK"]).unlink(missing_ok=True)
    real_values(tmp_path, python, env=mark_env)
    runs = len(Path(mark_env["PTH_MARK"]).read_text())
    assert len(zz) == runs
    if sys.version_info[:2] in ((3, 11), (3, 12), (3, 13)):
        assert runs == 2  # gh-75723: venv .pth files are processed twice, shown not deduped
        assert [p.occurrence for p in zz] == [1, 2]
        assert zz[1].lines[1].outcome == "skipped: already on sys.path"
        assert any("twice" in note for note in trace.notes)


def test_venv_via_path(venv: Path, tmp_path: Path, mark_env: dict) -> None:
    env = dict(mark_env, PATH=f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}")
    trace = startup(argv0="python", env=env, cwd=tmp_path)
    assert_matches(trace, real_values(tmp_path, str(venv / "bin" / "python"), "python", env=env))
    found = trace.probe_for("executable")
    assert found is not None
    assert found.path == str(venv / "bin" / "python")
    assert found.check == "isxfile"
    assert trace.prefix == str(venv)


def test_venv_copies(work: Path, tmp_path: Path) -> None:
    path = work / "copies"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", "--copies", str(path)], check=True)
    python = path / "bin" / "python"
    assert not python.is_symlink()
    trace = startup(str(python), cwd=tmp_path)
    assert_matches(trace, real_values(tmp_path, str(python)))
    assert trace.prefix == str(path)
    # the copied binary is not a link: nothing to resolve (a symlinked venv resolves it)
    assert not [p for p in trace.probes if p.check == "readlink" and p.path == str(python)]


def test_system_site_packages(work: Path, tmp_path: Path) -> None:
    path = work / "system-site"
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", "--system-site-packages", str(path)], check=True
    )
    python = str(path / "bin" / "python")
    trace = startup(python, cwd=tmp_path, flags=["-s"])
    assert_matches(trace, real_values(tmp_path, python, flags=["-s"]))
    sources = [e.source for e in trace.sys_path]
    assert sources.index("site-packages (venv)") < sources.index("site-packages (base)")


def test_pythonhome_prefix_layout(work: Path, tmp_path: Path) -> None:
    home = work / "home"
    (home / "lib").mkdir(parents=True)
    (home / "lib" / f"python{VERSION}").symlink_to(Path(sys.base_prefix, "lib", f"python{VERSION}"))
    env = dict(os.environ, PYTHONHOME=str(home))
    trace = startup(BASE_PYTHON, env=env, cwd=tmp_path, flags=["-s"])
    assert_matches(trace, real_values(tmp_path, BASE_PYTHON, env=env, flags=["-s"]))
    assert trace.prefix == str(home)
    assert trace.probe_for("prefix") is None  # PYTHONHOME is believed without a landmark check
    assert not [p for p in trace.probes if p.purpose == "stdlib landmark"]
    assert any("PYTHONHOME" in line for line in trace.explanation)


def test_bogus_pythonhome_is_a_readable_error(tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONHOME=str(tmp_path / "nothing"))
    with pytest.raises(InterpreterError, match="encodings"):
        startup(env=env, cwd=tmp_path)


def test_pythonpath_relative_empty_and_missing(work: Path, tmp_path: Path) -> None:
    (tmp_path / "rel" / "dir").mkdir(parents=True)
    extra = work / "extra"
    env = dict(os.environ, PYTHONPATH=f"{extra}:rel/dir::{tmp_path / 'missing'}")
    trace = startup(env=env, cwd=tmp_path, flags=["-s"])
    assert_matches(trace, real_values(tmp_path, sys.executable, env=env, flags=["-s"]))
    from_env = [e for e in trace.sys_path if e.source == "PYTHONPATH"]
    expected = [str(extra), str(tmp_path / "rel" / "dir"), str(tmp_path), str(tmp_path / "missing")]
    assert [e.path for e in from_env] == expected
    assert [e.exists for e in from_env] == [True, True, True, False]


@pytest.mark.parametrize("flag", ["-E", "-I"])
def test_ignore_environment_and_isolated(flag: str, work: Path, tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(work / "extra"))
    trace = startup(env=env, cwd=tmp_path, flags=[flag])
    assert_matches(trace, real_values(tmp_path, sys.executable, env=env, flags=[flag]))
    assert "PYTHONPATH" not in {e.source for e in trace.sys_path}
    assert trace.command == (sys.executable, flag)
    if flag == "-I":
        assert trace.enable_user_site is False
        assert not any(e.source.startswith(("current directory", "script")) for e in trace.sys_path)


def test_no_site_flag_skips_the_site_stage(tmp_path: Path) -> None:
    trace = startup(cwd=tmp_path, flags=["-S"])
    assert not trace.site_ran
    assert trace.pth_files == ()
    assert_matches(trace, real_values(tmp_path, sys.executable, flags=["-S"]))


def test_pyenv_interpreters(pyenv_interpreter: str, tmp_path: Path) -> None:
    trace = startup(pyenv_interpreter, cwd=tmp_path, flags=["-s"])
    real = real_values(tmp_path, pyenv_interpreter, flags=["-s"])
    assert_matches(trace, real)
    version = trace.python.rsplit(".", 1)[0]
    if tuple(int(x) for x in version.split(".")) >= (3, 11):
        assert trace.method == "getpath"
    else:
        assert trace.method == "strace"  # 3.10: getpath was C; strace of a real start
    decisive = trace.probe_for("prefix")
    assert decisive is not None
    assert decisive.path == landmark(real["base_prefix"], version)


def test_pyenv_310_strace_tier_shows_syscalls(tmp_path: Path) -> None:
    python = pyenv_python("3.10")
    if python is None:
        pytest.skip("no pyenv CPython 3.10")
    trace = startup(python, cwd=tmp_path, flags=["-s"])
    assert trace.method == "strace"
    assert trace.getpath is None
    assert {p.check for p in trace.probes} <= {"stat", "open", "readlink", "access"}
    assert any(c.field == "last os.py found" and c.agree for c in trace.comparisons)


def test_missing_and_non_python_interpreters(tmp_path: Path) -> None:
    with pytest.raises(InterpreterError, match="does not exist"):
        startup(str(tmp_path / "nope" / "python"))
    with pytest.raises(InterpreterError, match="on PATH"):
        startup("no-such-python-anywhere")
    fake = tmp_path / "fake"
    fake.write_text("#!/bin/sh\necho hello\n")
    fake.chmod(0o755)
    with pytest.raises(InterpreterError, match="not a Python interpreter"):
        startup(str(fake))
    with pytest.raises(InterpreterError, match="unsupported interpreter option"):
        startup(flags=["-X"])


# -- the getpath tier against strace: the same checks, one for one ----------------------------

SYSCALL = {"isfile": "stat", "isdir": "stat", "isxfile": "stat", "readlines": "open", "readlink": "readlink"}


def as_syscalls(trace: StartupTrace) -> list[tuple[str, str]]:
    """The system calls the recorded getpath checks make (realpath ends with a failing readlink)."""
    calls = []
    for probe in trace.probes:
        if probe.check == "realpath":
            calls.append(("readlink", probe.detail or ""))
        else:
            calls.append((SYSCALL[probe.check], probe.path))
    return calls


@pytest.mark.skipif(shutil.which("strace") is None, reason="strace is not installed")
@pytest.mark.parametrize("scenario", ["base", "venv", "venv via PATH", "3.12", "3.13"])
def test_getpath_probes_equal_the_real_syscalls(scenario: str, venv: Path, tmp_path: Path) -> None:
    kwargs: dict = {"cwd": tmp_path, "flags": ["-s"]}
    if scenario == "venv":
        kwargs["python"] = str(venv / "bin" / "python")
    elif scenario == "venv via PATH":
        kwargs.update(
            argv0="python", env=dict(os.environ, PATH=f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}")
        )
    elif scenario in ("3.12", "3.13"):
        kwargs["python"] = pyenv_python(scenario)
        if kwargs["python"] is None:
            pytest.skip(f"no pyenv CPython {scenario}")
    hooked = startup(**kwargs)
    traced = startup(**kwargs, method="strace")
    assert hooked.method == "getpath"
    assert traced.method == "strace"
    assert hooked.verified
    assert traced.verified
    calls = as_syscalls(hooked)
    real = [(p.check, p.path) for p in traced.probes]
    assert real[: len(calls)] == calls
    assert {p.purpose for p in traced.probes[len(calls) :]} <= {"import system"}


def test_model_tier_is_labelled_and_checked(venv: Path, tmp_path: Path) -> None:
    trace = startup(str(venv / "bin" / "python"), cwd=tmp_path, method="model", flags=["-s"])
    assert trace.method == "model"
    assert all(p.detail and p.detail.startswith("model:") for p in trace.probes)
    assert any(note.startswith("MODEL") for note in trace.notes)
    model = next(c for c in trace.comparisons if c.field == "sys.base_prefix (model)")
    assert model.traced == model.real == sys.base_prefix
    assert trace.probe_for("venv") is not None


def test_getpath_tier_refused_where_it_does_not_exist(tmp_path: Path) -> None:
    python = pyenv_python("3.10")
    if python is None:
        pytest.skip("no pyenv CPython 3.10")
    with pytest.raises(InterpreterError, match="no getpath code object"):
        startup(python, cwd=tmp_path, method="getpath")


def test_hidden_pth_file_handling_matches_the_interpreter(pyenv_interpreter: str, tmp_path: Path) -> None:
    """Dot-file .pth: skipped by 3.13 (and by security releases since 2024), read by older micros."""
    venv = tmp_path / "venv"
    subprocess.run([pyenv_interpreter, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = next((venv / "lib").glob("python*/site-packages"))
    target = tmp_path / "from-hidden"
    target.mkdir()
    (site / ".hidden.pth").write_text(f"{target}\n")
    python = str(venv / "bin" / "python")
    trace = startup(python, cwd=tmp_path, flags=["-s"])
    real = real_values(tmp_path, python, flags=["-s"])
    assert_matches(trace, real)
    processed = any(p.path.endswith(".hidden.pth") for p in trace.pth_files)
    assert processed == (str(target) in real["path"])
    assert processed != any(".hidden.pth" in note for note in trace.notes)


def test_user_site_with_a_pth_file(tmp_path: Path) -> None:
    (tmp_path / "extra").mkdir()
    userbase = tmp_path / "userbase"
    user_site = userbase / "lib" / f"python{VERSION}" / "site-packages"
    user_site.mkdir(parents=True)
    (user_site / "u.pth").write_text(f"{tmp_path / 'extra'}\n")
    env = dict(os.environ, PYTHONUSERBASE=str(userbase))
    trace = startup(BASE_PYTHON, env=env, cwd=tmp_path)
    assert_matches(trace, real_values(tmp_path, BASE_PYTHON, env=env))
    sources = {e.path: e.source for e in trace.sys_path}
    assert sources[str(user_site)] == "user site"
    assert sources[str(tmp_path / "extra")] == ".pth u.pth:1"
    assert trace.user_site == str(user_site)
    assert trace.enable_user_site is True
    steps = [s.function for s in trace.site_steps]
    assert steps.index("addusersitepackages") < steps.index("addsitepackages")


def test_script_directory_and_relative_argv0(venv: Path, tmp_path: Path) -> None:
    app = tmp_path / "app"
    app.mkdir()
    script = app / "main.py"
    script.write_text("import sys, json; print(json.dumps(sys.path))\n")
    trace = startup(argv0="bin/python", cwd=venv, script=script, flags=["-s"])
    real = json.loads(
        subprocess.run(
            ["bin/python", "-s", str(script)],
            executable=str(venv / "bin" / "python"),
            cwd=venv,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    assert [e.path for e in trace.sys_path] == real
    assert trace.sys_path[0].source == "script directory"
    assert trace.prefix == str(venv)  # a relative argv0 is made absolute against the cwd
    assert trace.verified


def test_a_strace_that_cannot_trace_is_said(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """When strace records nothing (ptrace forbidden in a container, say), the trace says why
    instead of quietly showing an empty, unverified walk."""
    fake = tmp_path / "bin" / "strace"
    fake.parent.mkdir()
    fake.write_text(
        "#!/bin/sh\necho 'strace: ptrace(PTRACE_TRACEME, ...): Operation not permitted' >&2\nexit 1\n"
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    trace = startup(sys.executable, cwd=tmp_path, method="strace")
    assert trace.method == "strace"
    assert trace.probes == ()
    assert not trace.verified
    assert any(
        note.startswith("strace recorded no file checks (exit status 1:")
        and "Operation not permitted" in note
        for note in trace.notes
    ), trace.notes


@pytest.mark.parametrize("pid", [7, 613, 4242, 31337, 1234567])
def test_strace_lines_parse_whatever_the_pid_width(pid: int, tmp_path: Path) -> None:
    """``strace -f`` pads pids to five columns: a pid of three digits is followed by three
    spaces. The parser once dropped every line of a process with a short pid (pids wrap at
    32768 on many machines), and the strace tier came back empty, seemingly at random."""
    from pyenvlab.interpreter.tiers import _strace_probes

    prefix = f"{pid:<5d} "
    lines = [
        'execve("/usr/bin/bash", ["bash"], 0x7ffc /* 3 vars */) = 0',
        'execve("/opt/py/bin/python", ["python", "-S"], 0x55d5 /* 3 vars */) = 0',
        'readlink("/opt/py/bin/python", 0x7ffd, 4096) = -1 EINVAL (Invalid argument)',
        'newfstatat(AT_FDCWD, "/opt/py/lib/python3.9/os.py", {st_mode=S_IFREG|0644}, 0) = 0',
    ]
    log = "".join(prefix + line + "\n" for line in lines)
    fake = tmp_path / "strace"
    fake.write_text(f'#!/bin/sh\nwhile [ "$1" != "-o" ]; do shift; done\ncat > "$2" <<\'EOF\'\n{log}EOF\n')
    fake.chmod(0o755)
    probes, problem = _strace_probes(
        strace=str(fake), target="/opt/py/bin/python", argv0="python", flags=(),
        environ=dict(os.environ), workdir=str(tmp_path), tmpdir=tmp_path,
    )  # fmt: skip
    assert problem is None
    assert [(p.check, p.path, p.result) for p in probes] == [
        ("readlink", "/opt/py/bin/python", False),
        ("stat", "/opt/py/lib/python3.9/os.py", True),
    ]
