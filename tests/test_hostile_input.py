"""Hostile input at the command line and the API (issue 15): one clear line, bounded time,
nothing lost, nothing run. Each test is one finding of the issue, numbered as there; the
rendering-cost finding (5) is tests/test_render_scaling.py, the terminal escaping of finding 7
also tests/test_fuzz.py.
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import os
import signal
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

import pyenvlab
from pyenvlab import render
from pyenvlab.cli import main
from pyenvlab.errors import InterpreterTimeout, PyenvlabError, TraceFormatError
from pyenvlab.model import Trace
from pyenvlab.render._escape import term

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
#: a directory whose name is not UTF-8 (bytes 0xff 0xfe), as Python spells it
RAW = b"x\xff\xfe"


@functools.cache
def plain_python() -> str:
    """A venv interpreter (made once, removed at exit) that sees pyenvlab's dependencies but
    runs no ``.pth`` file of this machine's site-packages.

    The machine's own site-packages hold ``.pth`` files that import modules (certifi, coverage,
    ``_distutils_hack``) while ``site`` runs, so with a ``random.py`` on ``PYTHONPATH`` that
    interpreter dies before pyenvlab starts. The commands are tested as a user meets them:
    from a venv, with ``PYTHONPATH`` leaking into it."""
    import atexit
    import shutil
    import sysconfig
    import tempfile

    home = tempfile.mkdtemp(prefix="pyenvlab-plain-")
    atexit.register(shutil.rmtree, home, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", home], check=True)
    python = os.path.join(home, "bin", "python")
    purelib = subprocess.run(
        [python, "-I", "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # path lines only: the directories of our dependencies go on sys.path, their .pth files do not run
    found = {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}
    Path(purelib, "pyenvlab-deps.pth").write_text("".join(f"{d}\n" for d in sorted(found)))
    return python


def cli(
    *args: str,
    cwd: Path,
    env: dict[str, str] | None = None,
    pythonpath: tuple[str, ...] = (),
    stdout: object = subprocess.PIPE,
    timeout: float = 120,
) -> subprocess.CompletedProcess[bytes]:
    """``python -m pyenvlab ARGS`` in a clean environment; the test fails if it takes longer
    than ``timeout`` (a command that waits for a hanging interpreter)."""
    environment = {
        "PATH": f"{BIN}:/usr/bin:/bin",
        "COLUMNS": "100",
        "PYTHONPATH": os.pathsep.join((*pythonpath, str(ROOT))),
    }
    environment.update(env or {})
    return subprocess.run(
        [plain_python(), "-m", "pyenvlab", *args],
        cwd=cwd,
        env=environment,
        stdout=stdout,
        stderr=subprocess.PIPE,
        timeout=timeout,
        check=False,
    )


def one_line_error(done: subprocess.CompletedProcess[bytes], command: str) -> str:
    """The command failed with status 2 and exactly one line on stderr, no traceback."""
    err = done.stderr.decode("utf-8", "replace")
    assert done.returncode == 2, err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith(f"python -m pyenvlab {command}"), err
    return err


def survivors(pids: list[int], *, grace: float = 10.0) -> list[int]:
    """The processes of ``pids`` still running ``grace`` seconds from now at the latest.

    SIGKILL is delivered asynchronously: on a busy machine a killed process can still be
    seen running for a moment after ``killpg`` returned, so a process counts as surviving only
    if it outlives the grace period (it never ends by itself: the fakes sleep for 600 s)."""
    import time

    end = time.monotonic() + grace
    running = [pid for pid in pids if alive(pid)]
    while running and time.monotonic() < end:
        time.sleep(0.05)
        running = [pid for pid in running if alive(pid)]
    return running


def alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (a zombie waiting to be reaped does not count)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state not in ("Z", "X")


# -- 1. non-UTF-8 paths ------------------------------------------------------------------------


@pytest.fixture
def raw_dir(tmp_path: Path) -> str:
    """A directory ``x\\xff\\xfe`` holding ``hmod.py``; its name as Python spells it."""
    folder = os.fsencode(tmp_path) + b"/" + RAW
    os.mkdir(folder)
    with open(folder + b"/hmod.py", "w") as stream:
        stream.write("VALUE = 1\n")
    return os.fsdecode(folder)


LOCALES = {
    "strict UTF-8 (a real UTF-8 locale)": {"PYTHONIOENCODING": "utf-8"},
    "LANG=C": {"LANG": "C", "LC_ALL": "C"},
    "ASCII": {"PYTHONIOENCODING": "ascii"},
}


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize(
    "args",
    [
        ("trace", "hmod"),
        ("trace", "json"),
        ("report", "hmod", "-o", "x.html"),
        ("where", "hmod"),
        ("path",),
        ("startup",),
        ("doctor", "--no-trace"),
    ],
    ids=" ".join,
)
def test_non_utf8_paths_are_shown_escaped(
    raw_dir: str, tmp_path: Path, args: tuple[str, ...], locale: str
) -> None:
    done = cli(*args, cwd=tmp_path, env=LOCALES[locale], pythonpath=(raw_dir,))
    err = done.stderr.decode("utf-8", "replace")
    assert done.returncode in (0, 1), err
    assert "Traceback" not in err
    assert b"\xff" not in done.stdout  # never the raw byte (nor 8-bit controls) on the terminal
    shown = done.stdout + (tmp_path / "x.html").read_bytes() if args[0] == "report" else done.stdout
    assert b"x\\xff\\xfe" in shown


def test_non_utf8_paths_round_trip_through_json_and_load(raw_dir: str, tmp_path: Path) -> None:
    env = LOCALES["strict UTF-8 (a real UTF-8 locale)"]
    done = cli("trace", "hmod", "--json", "t.json", cwd=tmp_path, env=env, pythonpath=(raw_dir,))
    assert done.returncode == 0, done.stderr
    saved = Trace.load(tmp_path / "t.json")
    assert raw_dir in saved.sys_path
    assert saved.module("hmod").origin == raw_dir + "/hmod.py"
    again = cli("trace", "--load", "t.json", "--json", "t2.json", cwd=tmp_path, env=env)
    assert again.returncode == 0, again.stderr
    assert Trace.load(tmp_path / "t2.json") == saved
    report = cli("report", "--load", "t.json", "-o", "r.html", cwd=tmp_path, env=env)
    assert report.returncode == 0, report.stderr
    assert "x\\xff\\xfe" in (tmp_path / "r.html").read_text(encoding="utf-8")


def test_non_utf8_paths_through_the_api(raw_dir: str, tmp_path: Path) -> None:
    trace = pyenvlab.trace_import("hmod", path=[raw_dir], cwd=tmp_path)
    assert trace.module("hmod").hit.entry == raw_dir
    text = trace.to_json()
    text.encode("utf-8")  # the JSON is UTF-8-encodable: surrogates are \udcff escapes
    assert "\\udcff\\udcfe" in text
    assert Trace.from_json(text) == trace
    assert Trace.load(trace.save(tmp_path / "t.json")) == trace
    render.report(trace, tmp_path / "r.html")
    assert "x\\xff\\xfe" in (tmp_path / "r.html").read_text(encoding="utf-8")
    found = pyenvlab.where("hmod", path=[raw_dir])
    bundle = render.mimebundle(found)
    for kind, value in bundle.items():
        if isinstance(value, str):
            value.encode("utf-8")
            assert "\udcff" not in value, kind
    assert "x\\xff\\xfe" in bundle["text/plain"]
    assert "x\\xff\\xfe" in bundle["text/html"]
    assert "x\\\\xff\\\\xfe" in render.dot(found).source  # a backslash doubled in DOT: shown as one
    if "image/svg+xml" in bundle:
        assert "x\\xff\\xfe" in bundle["image/svg+xml"]


def test_lone_surrogates_everywhere_round_trip(tmp_path: Path) -> None:
    """Any string survives JSON: surrogateescape bytes, and high and low surrogates alone."""
    odd = ("/x\udcff", "/\udc80\udc9b", "\ud800", "a\udfffb", "é\udcfe漢")
    trace = Trace(python="3.12.1", executable=odd[0], sys_path=odd, modules=(), statements=(), code=odd[3])
    assert Trace.from_json(trace.to_json()) == trace
    assert Trace.load(trace.save(tmp_path / "t.json")) == trace


# -- 2. MODULE never runs as code -------------------------------------------------------------


@pytest.mark.parametrize("command", ["trace", "report"])
def test_module_argument_is_never_run_as_code(tmp_path: Path, command: str) -> None:
    done = cli(command, "__import__('os').system('touch pwned')", cwd=tmp_path)
    err = one_line_error(done, command)
    assert "is not a module name" in err and "-c CODE" in err
    assert not (tmp_path / "pwned").exists()
    with_c = cli(command, "-c", "import colorsys", cwd=tmp_path)  # code goes through -c
    assert with_c.returncode == 0, with_c.stderr


@pytest.mark.parametrize("name", ["json", "xml.dom.minidom", "_private", "é"])
def test_module_names_are_still_accepted(tmp_path: Path, name: str) -> None:
    from pyenvlab.cli.common import module_name

    assert module_name(name) == name


# -- 3. hanging interpreters: --timeout, one line, no process left ----------------------------


def fake_python(folder: Path, name: str, body: str) -> Path:
    """A ``#!/bin/sh`` script standing in for an interpreter; it appends pids to ``pids``."""
    script = folder / name
    script.write_text("#!/bin/sh\n" + body.replace("PIDS", str(folder / "pids")))
    script.chmod(0o755)
    return script


def recorded_pids(folder: Path) -> list[int]:
    path = folder / "pids"
    return [int(line) for line in path.read_text().split()] if path.exists() else []


#: the interpreter hangs; its child would outlive it if only the direct child were killed
HANG = "sleep 600 &\necho $! >> PIDS\necho $$ >> PIDS\nexec sleep 600\n"
#: the interpreter exits at once, but its child keeps stdout and stderr open
LEAK = "sleep 600 &\necho $! >> PIDS\nexit 0\n"

COMMANDS_WITH_TARGETS = [
    ("trace", "json", "--python"),
    ("report", "json", "-o", "r.html", "--python"),
    ("startup", "--python"),
    ("path", "--python"),
    ("deps", "pytest", "--python"),
    ("env", "export", "--python"),
    ("env", "diff", "requirements.txt", "--timeout", "2"),
]


@pytest.mark.parametrize("args", COMMANDS_WITH_TARGETS, ids=lambda a: " ".join(a[:2]))
def test_a_hanging_interpreter_is_stopped_with_everything_it_started(tmp_path: Path, args) -> None:
    hang = fake_python(tmp_path, "hang", HANG)
    if args[:2] == ("env", "diff"):
        (tmp_path / "requirements.txt").write_text("alpha==1.0\n")
        argv = ["env", "diff", str(hang), *args[2:]]
    else:
        argv = [*args, str(hang), "--timeout", "2"]
    done = cli(*argv, cwd=tmp_path, timeout=90)
    err = one_line_error(done, args[0])
    assert "did not finish within 2 s" in err
    pids = recorded_pids(tmp_path)
    assert len(pids) >= 2
    assert not survivors(pids), "a process of the target survived"


@pytest.mark.parametrize("args", COMMANDS_WITH_TARGETS[:6], ids=lambda a: " ".join(a[:2]))
def test_a_child_holding_stdout_open_does_not_make_us_wait(tmp_path: Path, args) -> None:
    leak = fake_python(tmp_path, "leak", LEAK)
    done = cli(*args, str(leak), cwd=tmp_path, timeout=90)  # the old code waited 300 s here
    one_line_error(done, args[0])
    pids = recorded_pids(tmp_path)
    assert pids
    assert not survivors(pids), "the target's child survived"


def test_doctor_stops_a_hanging_interpreter_it_asks(tmp_path: Path) -> None:
    """doctor compares the `pip` on PATH with `python`: a pip whose interpreter hangs."""
    fakebin = tmp_path / "bin"
    fakebin.mkdir()
    fake_python(fakebin, "python3-hang", HANG)
    pip = fakebin / "pip"
    pip.write_text(f"#!{fakebin / 'python3-hang'}\nimport pip\n")
    pip.chmod(0o755)
    (fakebin / "python").symlink_to(sys.executable)
    env = {"PATH": f"{fakebin}:/usr/bin:/bin"}
    done = cli("doctor", "--no-trace", "--timeout", "2", cwd=tmp_path, env=env, timeout=90)
    assert "did not finish within 2 s" in one_line_error(done, "doctor")
    assert not survivors(recorded_pids(fakebin))


def test_timeouts_through_the_api(tmp_path: Path) -> None:
    hang = fake_python(tmp_path, "hang", HANG)
    with pytest.raises(InterpreterTimeout, match="did not finish within 1 s"):
        pyenvlab.trace_import("json", python=hang, timeout=1)
    with pytest.raises(InterpreterTimeout):
        pyenvlab.startup(hang, timeout=1)
    from pyenvlab.anatomy import deps
    from pyenvlab.interpreter import path_report

    with pytest.raises(InterpreterTimeout):
        path_report(hang, timeout=1)
    with pytest.raises(InterpreterTimeout):
        deps("pytest", python=str(hang), timeout=1)
    assert not survivors(recorded_pids(tmp_path))
    with pytest.raises(PyenvlabError, match="positive number of seconds"):
        pyenvlab.trace_import("json", timeout=0)


def test_timeout_option_is_documented_and_checked(tmp_path: Path) -> None:
    for command in ("trace", "report", "startup", "path", "doctor", "deps"):
        shown = cli(command, "--help", cwd=tmp_path).stdout.decode()
        assert "--timeout SECONDS" in shown and "(default: 120)" in shown, command
    for action in ("export", "diff", "recreate"):
        assert "--timeout SECONDS" in cli("env", action, "--help", cwd=tmp_path).stdout.decode()
    bad = cli("trace", "json", "--timeout", "-3", cwd=tmp_path)
    assert "positive number of seconds" in one_line_error(bad, "trace")


def test_recreate_that_times_out_leaves_no_venv(tmp_path: Path) -> None:
    (tmp_path / "req.txt").write_text("alpha==1.0\n")
    hang = fake_python(tmp_path, "hang", HANG)
    done = cli(
        "env", "recreate", "req.txt", "nv", "--python", str(hang), "--timeout", "2", cwd=tmp_path, timeout=90
    )
    assert "did not finish within 2 s" in one_line_error(done, "env")
    assert not (tmp_path / "nv").exists()


# -- 4. --load reads regular files of bounded size only -------------------------------------------


@pytest.mark.parametrize("source", ["/dev/zero", "/dev/urandom", "fifo", "directory"])
def test_load_refuses_what_is_not_a_regular_file(tmp_path: Path, source: str) -> None:
    if source == "fifo":
        os.mkfifo(tmp_path / "fifo")  # nobody writes: reading would block forever
    if source == "directory":
        (tmp_path / "directory").mkdir()
    done = cli("trace", "--load", source, cwd=tmp_path, timeout=60)
    assert "not a regular file" in one_line_error(done, "trace")


def test_load_refuses_a_file_larger_than_the_limit(tmp_path: Path) -> None:
    from pyenvlab._files import MAX_READ_BYTES

    big = tmp_path / "big.json"
    with open(big, "wb") as stream:
        stream.truncate(MAX_READ_BYTES + 1)  # sparse: costs no disk
    done = cli("report", "--load", str(big), cwd=tmp_path, timeout=60)
    assert "larger than the 512 MiB" in one_line_error(done, "report")
    (tmp_path / "small.json").write_text(
        Trace(python="3", executable="p", sys_path=(), modules=(), statements=()).to_json()
    )
    with pytest.raises(OSError, match="larger than"):
        Trace.load(tmp_path / "small.json", limit=10)
    (tmp_path / "binary.json").write_bytes(b"\xff\xfe{}")
    with pytest.raises(TraceFormatError, match="not UTF-8"):
        Trace.load(tmp_path / "binary.json")


# -- 6. escapes in package metadata --------------------------------------------------------------


def test_escape_sequences_in_metadata_are_not_exported_raw(tmp_path: Path) -> None:
    site = tmp_path / "site"
    info = site / "evil-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: evil\nVersion: 1.0\x1b[2J\x1b]0;PWNVER\x07\n"
    )
    for fmt in ("requirements", "yml", "text", "html"):
        done = cli("env", "export", "--format", fmt, cwd=tmp_path, pythonpath=(str(site),))
        assert done.returncode == 0, done.stderr
        assert b"\x1b" not in done.stdout and b"\x07" not in done.stdout, fmt
        assert b"evil" in done.stdout and b"\\x1b[2J" in done.stdout, fmt


# -- 7. terminal escaping: every control and format character ------------------------------------


def test_every_control_and_format_character_is_escaped() -> None:
    hidden = [
        chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) in ("Cc", "Cf", "Cs", "Zl", "Zp")
    ]
    left = [f"U+{ord(c):04X}" for c in hidden if c in term(f"a{c}b")]
    assert not left, f"shown as they are: {left}"
    named = {
        "\u061c": "\\u061c",
        "\u200b": "\\u200b",
        "\u200d": "\\u200d",
        "\u2060": "\\u2060",
        "\ufeff": "\\ufeff",
        "\u00ad": "\\xad",
        "\udc9b": "\\x9b",  # byte 0x9b (8-bit CSI) of a non-UTF-8 name
        "\U000e0041": "\\U000e0041",
    }
    for char, shown in named.items():
        assert term(f"a{char}b") == f"a{shown}b"
    assert term("caf\u00e9 \u6f22\u5b57 \U0001f40d") == "caf\u00e9 \u6f22\u5b57 \U0001f40d"  # printable stays


# -- 8. output errors are one line ------------------------------------------------------------------


@pytest.mark.parametrize("command", ["startup", "path", "doctor"])
@pytest.mark.parametrize("target", ["/nonexistent/x.json", "/dev/full", "/proc/pyenvlab.json", "."])
def test_unwritable_json_is_one_line(tmp_path: Path, command: str, target: str) -> None:
    args = (command, "--no-trace") if command == "doctor" else (command,)
    done = cli(*args, "--json", target, cwd=tmp_path)
    assert "cannot write" in one_line_error(done, command)


def test_closed_or_full_stdout_is_one_line(tmp_path: Path) -> None:
    closed = subprocess.run(
        [sys.executable, "-m", "pyenvlab", "trace", "colorsys"],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
        stdin=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        pass_fds=(),
        close_fds=True,
        preexec_fn=lambda: os.close(1),
        check=False,
    )
    assert "standard output is closed" in one_line_error(closed, "trace")
    with open("/dev/full", "wb") as full:
        done = cli("trace", "colorsys", cwd=tmp_path, stdout=full)
    assert "No space left on device" in one_line_error(done, "trace")


def test_broken_pipe_is_quiet(tmp_path: Path) -> None:
    head = subprocess.run(
        f"{sys.executable} -m pyenvlab trace -c 'import email.mime.text' | head -c 10",
        shell=True,
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "COLUMNS": "200"},
        capture_output=True,
        check=False,
    )
    assert b"Traceback" not in head.stderr and b"Exception ignored" not in head.stderr, head.stderr


# -- 9. atomic writes; symbolic links ------------------------------------------------------------------


def test_a_failed_write_keeps_the_existing_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    saved = tmp_path / "t.json"
    Trace(python="3", executable="p", sys_path=(), modules=(), statements=()).save(saved)
    precious = tmp_path / "precious.json"
    precious.write_text("precious\n")

    def full_disk(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        status = main(["trace", "--load", str(saved), "--json", str(precious)])
    assert status == 2
    assert (
        err.getvalue().strip()
        == f"python -m pyenvlab trace: error: cannot write {precious}: No space left on device"
    )
    assert precious.read_text() == "precious\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["precious.json", "t.json"]  # no temporary file left


def test_symbolic_links_are_replaced_not_written_through(tmp_path: Path) -> None:
    saved = tmp_path / "t.json"
    Trace(python="3", executable="p", sys_path=(), modules=(), statements=()).save(saved)
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("not yours\n")
    (tmp_path / "out.json").symlink_to(elsewhere)
    done = cli("trace", "--load", "t.json", "--json", "out.json", "--dot", "out.json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert elsewhere.read_text() == "not yours\n"
    assert not (tmp_path / "out.json").is_symlink()
    (tmp_path / "stream.json").symlink_to("/proc/self/fd/1")  # what /dev/stdout is
    done = cli("trace", "--load", "t.json", "--json", "stream.json", cwd=tmp_path)
    assert "a stream of this process" in one_line_error(done, "trace")
    assert (tmp_path / "stream.json").is_symlink()


# -- 10. doctor, env, option errors, old interpreters ----------------------------------------------------


def shadows(folder: Path) -> None:
    (folder / "random.py").write_text("raise SystemExit('the shadowing random.py ran')\n")
    (folder / "email").mkdir()
    (folder / "email" / "__init__.py").write_text("raise SystemExit('the shadowing email ran')\n")


def test_doctor_survives_random_and_email_on_pythonpath(tmp_path: Path) -> None:
    shadow = tmp_path / "shadow"
    shadow.mkdir()
    shadows(shadow)
    done = cli("doctor", "--no-trace", "--json", "d.json", cwd=tmp_path, pythonpath=(str(shadow),))
    assert done.returncode == 1, done.stderr
    assert b"Traceback" not in done.stderr and b"shadowing random.py ran" not in done.stderr
    found = {
        Path(f["path"]).name: f
        for f in json.loads((tmp_path / "d.json").read_text())["findings"]
        if f["rule"] == "shadowing"
    }
    assert (
        "from PYTHONPATH" in found["random.py"]["message"] and "from PYTHONPATH" in found["email"]["message"]
    )


@pytest.mark.skipif(
    not (BIN / "pyenvlab").exists(), reason="the pyenvlab console script is not installed here"
)
def test_the_console_script_reports_what_python_m_reports(tmp_path: Path) -> None:
    shadows(tmp_path)
    env = {"PATH": f"{BIN}:/usr/bin:/bin", "PYTHONPATH": str(ROOT), "COLUMNS": "200"}
    script = subprocess.run(
        [str(BIN / "pyenvlab"), "doctor", "--no-trace"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    # the same interpreter as the script's, as python -m
    module = subprocess.run(
        [sys.executable, "-m", "pyenvlab", "doctor", "--no-trace"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        check=False,
    )
    assert script.returncode == module.returncode == 1, script.stderr
    for name in ("random.py", "email"):
        assert f"{tmp_path / name} (from the script directory or working directory)" in script.stdout
    assert (
        script.stdout.split("\n", 1)[1] == module.stdout.decode().split("\n", 1)[1]
    )  # line 1 names the executable


@pytest.mark.parametrize("content", ["hello world\n", "\x00\x01binary\xff", "name: x\nchannels: []\n", ""])
def test_env_diff_and_recreate_refuse_garbage(tmp_path: Path, content: str) -> None:
    (tmp_path / "garbage.txt").write_bytes(content.encode("utf-8", "surrogateescape"))
    (tmp_path / "export.txt").write_text("alpha==1.0\n")
    err = one_line_error(cli("env", "diff", "garbage.txt", "export.txt", cwd=tmp_path), "env")
    assert "garbage.txt" in err
    one_line_error(cli("env", "recreate", "garbage.txt", "nv2", cwd=tmp_path), "env")
    assert not (tmp_path / "nv2").exists()


def test_unknown_options_name_the_option_and_the_sub_commands_help(tmp_path: Path) -> None:
    for argv, command in (
        (("trace", "--bogus", "json"), "trace"),
        (("where", "--bogus"), "where"),
        (("env", "export", "--bogus"), "env export"),
        (("report", "json", "--bogus=1"), "report"),
    ):
        err = one_line_error(cli(*argv, cwd=tmp_path), argv[0])
        assert "unrecognized arguments: --bogus" in err, err
        assert err.rstrip().endswith(f"(see python -m pyenvlab {command} --help)"), err


def pyenv(version: str) -> str | None:
    for top in ("/root/.pyenv/versions", str(Path.home() / ".pyenv" / "versions")):
        found = sorted(Path(top).glob(f"{version}.*/bin/python{version.split('.', maxsplit=1)[0]}"))
        if found:
            return str(found[-1])
    return None


@pytest.mark.parametrize("version", ["2.7", "3.6", "3.7"])
def test_old_interpreters_get_a_sentence(tmp_path: Path, version: str) -> None:
    python = pyenv(version)
    if python is None:
        pytest.skip(f"no pyenv Python {version} here")
    err = one_line_error(cli("trace", "json", "--python", python, cwd=tmp_path), "trace")
    assert f"pyenvlab traces CPython 3.10 and newer; this is {version}" in err
    err = one_line_error(cli("startup", "--python", python, cwd=tmp_path), "startup")
    assert f"pyenvlab traces the startup of CPython 3.8 and newer; this is {version}" in err


@pytest.mark.parametrize("command", ["trace", "startup"])
def test_ctrl_c_stops_the_target_too(tmp_path: Path, command: str) -> None:
    """Ctrl-C while a target runs: its whole group is killed too, the command says so."""
    hang = fake_python(tmp_path, "hang", HANG)
    argv = [command, "json"] if command == "trace" else [command]
    process = subprocess.Popen(
        [sys.executable, "-m", "pyenvlab", *argv, "--python", str(hang)],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    for _ in range(400):
        if len(recorded_pids(tmp_path)) >= 2:
            break
        subprocess.run(["sleep", "0.05"], check=False)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130
    assert err.decode().strip() == f"python -m pyenvlab {command}: interrupted"
    assert not survivors(recorded_pids(tmp_path))
