"""pyenvlab.abi against real ELF files: this interpreter's extensions, objdump, the real loader,
and the tutorial's "version `GLIBC_2.x' not found" failure reproduced for real."""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

import pyenvlab
from pyenvlab.anatomy import AbiReport, abi
from pyenvlab.anatomy.compiled import glibc_version
from pyenvlab.anatomy.elf import ElfError, is_elf, read_elf, rewrite_version_need
from pyenvlab.errors import PyenvlabError
from pyenvlab.render import anatomy_views
from tests.stdlib_extensions import extension_file, extension_module, newest_glibc_need

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or glibc_version() is None,
    reason="ELF/glibc tests need Linux with glibc",
)

# the base interpreter's extension modules (also from inside a venv, where sysconfig names the venv)
LIB_DYNLOAD = next(
    (Path(p) for p in sys.path if p.endswith("lib-dynload")), Path(os.__file__).parent / "lib-dynload"
)
EXT_SUFFIX = sysconfig.get_config_var("EXT_SUFFIX")
needs_gcc = pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc")
# the stdlib extension these tests read: math on pyenv builds, _decimal where math is built in (Debian)
EXT = extension_module()
needs_objdump = pytest.mark.skipif(shutil.which("objdump") is None, reason="needs objdump (binutils)")


def objdump_versions(path: str) -> set[tuple[str, str]]:
    """(symbol, version) of every undefined versioned dynamic symbol, as objdump -T lists them."""
    out = subprocess.run(["objdump", "-T", path], capture_output=True, text=True, check=True).stdout
    found = set()
    for line in out.splitlines():
        if "*UND*" not in line:
            continue
        tokens = line.split("*UND*", 1)[1].split()
        if len(tokens) == 3 and tokens[1] != "Base":  # size, version, name ("Base": unversioned)
            found.add((tokens[2], tokens[1].strip("()")))
    return found


def extension_files() -> list[str]:
    files = sorted(glob.glob(str(LIB_DYNLOAD / "*.so")))
    try:
        import rattler  # py-rattler: a big Rust extension from a manylinux wheel
    except ImportError:
        return files
    files += [str(p) for p in Path(rattler.__file__).parent.glob("*.so")]
    return files


@needs_objdump
def test_symbol_versions_match_objdump_for_every_extension_here():
    files = extension_files()
    assert len(files) > 20
    total = 0
    for path in files:
        ours = {(s.symbol, s.version) for s in read_elf(path).symbols}
        assert ours == objdump_versions(path), path
        total += len(ours)
    assert total > 100


def test_the_newest_glibc_version_an_extension_needs_and_the_symbols_that_need_it():
    report = pyenvlab.abi(EXT)
    (file,) = report.files
    library, newest = newest_glibc_need(file.path)
    assert file.glibc_required == newest.removeprefix("GLIBC_")
    names = {s.symbol for s in report.symbols}
    assert names
    if EXT == "math" and newest == "GLIBC_2.29":  # the tutorial's example (pyenv builds)
        assert names & {"exp2", "log2", "exp", "log", "pow"}  # libm's 2.29 versions of these
    assert all(s.version == newest and s.library == library for s in report.symbols)
    if shutil.which("objdump"):
        assert names == {sym for sym, ver in objdump_versions(file.path) if ver == newest}
    assert report.loads_here
    lib = next(lib for lib in report.libraries if lib.name == library)
    assert lib.path is not None
    assert os.path.realpath(lib.path) in _maps_of_a_python_that_imported(EXT)
    assert sorted(names)[0] in report.explanation


def _maps_of_a_python_that_imported(module: str, env: dict[str, str] | None = None) -> str:
    code = f"import {module}; print(open('/proc/self/maps').read())"
    out = subprocess.run(
        [sys.executable, "-I", "-c", code], capture_output=True, text=True, env=env, check=True
    )
    return "\n".join(os.path.realpath(p) for p in re.findall(r"(/\S+\.so[.\d]*)", out.stdout))


def _patchable_extension() -> tuple[str, str]:
    """A lib-dynload extension not imported at startup, and a GLIBC version it requires whose name
    has room for "GLIBC_2.99"."""
    for path in sorted(LIB_DYNLOAD.glob("*.so")):
        name = path.name.split(".")[0]
        if name in sys.builtin_module_names or name in ("math", "_struct", "_posixsubprocess", "select"):
            continue
        needs = [v for vs in read_elf(path).version_needs.values() for v in vs if v.startswith("GLIBC_2")]
        fitting = [v for v in needs if len(v) >= len("GLIBC_2.99")]
        if fitting:
            return str(path), max(fitting, key=lambda v: tuple(int(p) for p in v[6:].split(".")))
    pytest.skip("no extension module with a patchable GLIBC requirement")
    raise AssertionError  # unreachable


def test_reproduce_glibc_too_new_failure_and_predict_it(tmp_path: Path):
    source, version = _patchable_extension()
    module = Path(source).name.split(".")[0]
    copy = tmp_path / Path(source).name
    shutil.copy2(source, copy)
    importer = f"import sys; sys.path.insert(0, {str(tmp_path)!r}); import {module}; print({module}.__file__)"

    # the unmodified copy imports (from tmp_path, ahead of lib-dynload) and abi agrees
    ok = subprocess.run([sys.executable, "-I", "-c", importer], capture_output=True, text=True, check=False)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.strip() == str(copy)
    assert abi(copy).loads_here

    # now make it require GLIBC_2.99, as a wheel built on a newer system would
    rewrite_version_need(copy, version, "GLIBC_2.99")
    failed = subprocess.run(
        [sys.executable, "-I", "-c", importer], capture_output=True, text=True, check=False
    )
    assert failed.returncode != 0
    assert "ImportError" in failed.stderr
    assert f"version `GLIBC_2.99' not found (required by {copy})" in failed.stderr

    report = abi(copy)
    assert report.loads_here is False
    assert report.glibc_required == "2.99"
    assert report.too_new, "abi names the symbols that need the missing version"
    assert all(s.version == "GLIBC_2.99" for s in report.too_new)
    assert {s.symbol for s in report.too_new} == {
        s.symbol for s in read_elf(source).symbols if s.version == version
    }
    assert "GLIBC_2.99" in report.explanation
    assert "will NOT load" in report.explanation
    if shutil.which("objdump"):  # objdump agrees with the patched file
        assert {(s.symbol, s.version) for s in read_elf(copy).symbols} == objdump_versions(str(copy))


def test_the_check_returns_problems_as_data_and_the_view_words_them(tmp_path: Path):
    from pyenvlab.anatomy.compiled import make_too_new_copy
    from pyenvlab.anatomy.records import AbiProblem

    copy = make_too_new_copy(EXT, tmp_path)
    library, _ = newest_glibc_need(str(copy), min_length=len("GLIBC_2.99"))  # the rewritten need
    report = abi(copy)
    [problem] = report.problems
    assert problem.kind == "missing-version" and problem.file == str(copy)
    assert problem.versions == ("GLIBC_2.99",) and problem.library == library
    sentence = anatomy_views.abi_problem(problem, report)
    assert sentence == (
        f"{copy.name} needs version GLIBC_2.99 of {problem.library}, but {problem.path} does not define it"
        f" (this system has glibc {report.glibc_here})"
    )
    assert report.explanation == anatomy_views.abi_explanation(report)
    assert report.explanation.endswith(f"Verdict: it will NOT load here: {sentence}.")
    assert "explanation" not in report.to_data()  # the sentences are the views', not the record's
    assert report.to_data()["version"] == 2
    others = (
        AbiProblem("machine", file="/x/a.so", detail="aarch64", here="x86_64"),
        AbiProblem(
            "not-found", file="/x/a.so", library="libq.so.1", searched=("/opt/lib", "/etc/ld.so.cache")
        ),
        AbiProblem("unreadable", file="/x/b.so", detail="/x/b.so: not an ELF file"),
    )
    words = [anatomy_views.abi_problem(p, report) for p in others]
    assert words == [
        "a.so is built for aarch64, this machine is x86_64",
        "a.so needs libq.so.1, which the loader would not find (searched /opt/lib, /etc/ld.so.cache)",
        "/x/b.so: not an ELF file",
    ]


def test_a_report_saved_as_version_1_still_loads_and_reads_the_same(tmp_path: Path):
    from pyenvlab.anatomy.compiled import make_too_new_copy

    for report in (abi(EXT), abi(make_too_new_copy(EXT, tmp_path))):
        old = report.to_data()
        old["version"] = 1
        del old["problems"]
        old["explanation"] = report.explanation  # version 1 stored the sentences
        loaded = AbiReport.from_data(old)
        assert loaded.explanation == report.explanation
        assert anatomy_views.text(loaded, width=100, color=False) == anatomy_views.text(
            report, width=100, color=False
        )
        assert AbiReport.from_json(loaded.to_json()) == loaded


def test_rewrite_refuses_what_does_not_fit(tmp_path: Path):
    source, version = _patchable_extension()
    copy = tmp_path / "x.so"
    shutil.copy2(source, copy)
    original = copy.read_bytes()
    rewrite_version_need(copy, version, version)  # same name, hash recomputed: not one byte differs
    assert copy.read_bytes() == original
    with pytest.raises(ElfError, match="longer"):
        rewrite_version_need(copy, version, "GLIBC_2.999999")
    with pytest.raises(ElfError, match="does not require"):
        rewrite_version_need(copy, "GLIBC_1.0", "GLIBC_1.1")


# --------------------------------------------------------------------------- built with gcc


def _compile(source: str, out: Path, *args: str, lang: str = "c") -> Path:
    src = out.with_suffix(".cpp" if lang == "c++" else ".c")
    src.write_text(source)
    compiler = "g++" if lang == "c++" else "gcc"
    subprocess.run([compiler, "-shared", "-fPIC", "-O1", "-o", str(out), str(src), *args], check=True)
    return out


GETRANDOM = "#include <sys/random.h>\nint demo(void){ char b[4]; return (int)getrandom(b, 4, 0); }\n"


def _wheel(tmp_path: Path, platform_tag: str) -> Path:
    from packaging.tags import interpreter_name, interpreter_version

    interp = f"{interpreter_name()}{interpreter_version()}"
    so = _compile(GETRANDOM, tmp_path / f"demo{EXT_SUFFIX}")
    wheel = tmp_path / f"demo-1.0-{interp}-{interp}-{platform_tag}.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.write(so, f"demo/_core{EXT_SUFFIX}")
        archive.writestr(
            "demo-1.0.dist-info/WHEEL", f"Wheel-Version: 1.0\nTag: {interp}-{interp}-{platform_tag}\n"
        )
    return wheel


@needs_gcc
def test_wheel_whose_tag_understates_its_glibc(tmp_path: Path):
    import platform

    wheel = _wheel(tmp_path, f"manylinux_2_17_{platform.machine()}")
    report = abi(wheel)
    assert report.kind == "wheel"
    assert report.glibc_required == "2.25"
    assert [s.symbol for s in report.symbols] == ["getrandom"]
    assert report.tags[0].supported
    assert report.loads_here
    assert "promises glibc 2.17" in report.explanation
    assert report.files[0].path == f"{wheel.name}!/demo/_core{EXT_SUFFIX}"


@needs_gcc
def test_wheel_for_a_newer_glibc_is_rejected_by_its_tag(tmp_path: Path):
    import platform

    report = abi(_wheel(tmp_path, f"manylinux_2_99_{platform.machine()}"))
    assert not report.tags[0].supported
    assert f"needs glibc 2.99, this system has {glibc_version()}" in report.tags[0].reason
    assert report.loads_here is False


@needs_gcc
def test_library_resolution_follows_the_loaders_order(tmp_path: Path):
    for place in ("bundled", "elsewhere"):
        (tmp_path / place).mkdir()
        _compile(f'const char *where(void){{ return "{place}"; }}\n', tmp_path / place / "libwhere.so")
    runpath = _compile(
        "const char *where(void); const char *ask(void){ return where(); }\n",
        tmp_path / "ext_runpath.so",
        "-L",
        str(tmp_path / "bundled"),
        "-lwhere",
        "-Wl,-rpath,$ORIGIN/bundled",
        "-Wl,--enable-new-dtags",
    )
    rpath = _compile(
        "const char *where(void); const char *ask(void){ return where(); }\n",
        tmp_path / "ext_rpath.so",
        "-L",
        str(tmp_path / "bundled"),
        "-lwhere",
        "-Wl,-rpath,$ORIGIN/bundled",
        "-Wl,--disable-new-dtags",
    )
    other = {"LD_LIBRARY_PATH": str(tmp_path / "elsewhere")}

    def resolved(path: Path, environ: dict[str, str]) -> tuple[str, str | None]:
        lib = next(x for x in abi(path, environ=environ).libraries if x.name == "libwhere.so")
        return lib.how, lib.path and Path(lib.path).parent.name

    def loader(path: Path, environ: dict[str, str]) -> str:  # ask the real loader (ctypes in a child)
        code = (
            f"import ctypes; lib = ctypes.CDLL({str(path)!r}); lib.ask.restype = ctypes.c_char_p; "
            "print(lib.ask().decode())"
        )
        env = (
            {**os.environ, **environ}
            if environ
            else {k: v for k, v in os.environ.items() if k != "LD_LIBRARY_PATH"}
        )
        return subprocess.run(
            [sys.executable, "-I", "-c", code], capture_output=True, text=True, env=env, check=True
        ).stdout.strip()

    # RUNPATH alone; LD_LIBRARY_PATH wins over RUNPATH; but DT_RPATH wins over LD_LIBRARY_PATH
    assert resolved(runpath, {}) == ("runpath", "bundled")
    assert loader(runpath, {}) == "bundled"
    assert resolved(runpath, other) == ("LD_LIBRARY_PATH", "elsewhere")
    assert loader(runpath, other) == "elsewhere"
    assert resolved(rpath, other) == ("rpath", "bundled")
    assert loader(rpath, other) == "bundled"

    shutil.rmtree(tmp_path / "bundled")
    report = abi(runpath, environ={})
    missing = next(x for x in report.libraries if x.name == "libwhere.so")
    assert missing.how == "not found"
    assert str(tmp_path / "bundled") in missing.searched
    assert report.loads_here is False
    assert "libwhere.so" in report.explanation


@pytest.mark.skipif(shutil.which("g++") is None, reason="needs g++")
def test_libstdcxx_requirement(tmp_path: Path):
    so = _compile(
        "#include <string>\nstd::string hello(){ return std::string(40, 'x'); }\n",
        tmp_path / "libhello.so",
        lang="c++",
    )
    report = abi(so)
    assert report.glibcxx_required is not None
    cxx = {(s.symbol, s.version) for s in report.files[0].symbols if s.version.startswith("GLIBCXX_")}
    assert cxx
    if shutil.which("objdump"):
        assert cxx <= objdump_versions(str(so))
    assert any(lib.name == "libstdc++.so.6" and lib.path for lib in report.libraries)


def test_distribution_and_bad_targets(tmp_path: Path):
    pytest.importorskip("rattler", reason="needs py-rattler, an installed wheel with a compiled part")
    report = abi("py-rattler")
    assert report.kind == "distribution"
    assert any(t.tag.startswith("cp3") and "manylinux" in t.tag for t in report.tags)
    assert any(t.supported for t in report.tags)
    with pytest.raises(PyenvlabError, match="pure Python"):
        abi("json")
    with pytest.raises(PyenvlabError, match="compiled into the interpreter"):
        abi("sys")
    with pytest.raises(PyenvlabError, match="not an importable module"):
        abi("no_such_module_xyz")
    text_file = tmp_path / "notes.so"
    text_file.write_text("hello")
    with pytest.raises(PyenvlabError, match="not an ELF file"):
        abi(text_file)


def test_json_round_trip_and_views():
    report = abi(EXT)
    library, _ = newest_glibc_need(report.files[0].path)  # libm.so.6 for math
    assert AbiReport.from_json(report.to_json()) == report
    text = anatomy_views.text(report, width=120, color=False)
    assert library in text
    assert "loads here" in text
    assert library in anatomy_views.html(report)
    assert library in anatomy_views.dot(report).source


@needs_objdump
def test_symbol_versions_match_objdump_for_every_installed_extension():
    """Every .so in site-packages (numpy, scipy... if installed), every pyenv lib-dynload."""
    site = Path(sysconfig.get_path("platlib"))
    files = sorted(str(p) for p in site.rglob("*.so") if p.is_file() and is_elf(p))
    files += sorted(glob.glob(str(Path.home() / ".pyenv/versions/3.1*/lib/python3.1*/lib-dynload/*.so")))
    if len(files) < 10:
        pytest.skip("few extension files here")
    mismatched = [
        p for p in files if {(s.symbol, s.version) for s in read_elf(p).symbols} != objdump_versions(p)
    ]
    assert mismatched == []


def test_make_too_new_copy_for_a_module_name(tmp_path: Path):
    from pyenvlab.anatomy.compiled import make_too_new_copy

    module = "cmath" if extension_file("cmath") else EXT  # cmath is built in on Debian
    copy = make_too_new_copy(module, tmp_path)
    report = abi(copy)
    assert not report.loads_here
    assert report.glibc_required == "2.99"
    code = f"import sys; sys.path.insert(0, {str(tmp_path)!r}); import {module}"
    failed = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True, check=False)
    assert "version `GLIBC_2.99' not found" in failed.stderr
    with pytest.raises(PyenvlabError, match="one extension file"):
        make_too_new_copy("json", tmp_path)
