"""Lock files: ``env export --format pylock`` writes a PEP 751 ``pylock.toml`` that uv installs
from, and ``env diff`` reads ``pylock.toml`` and ``uv.lock`` (written here by the real uv);
garbage and unsupported files are one line and exit status 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.pylock import Pylock

from pyenvlab import demo_envs
from pyenvlab.anatomy import envcopy, lockfiles
from pyenvlab.anatomy.lockfiles import LockedPackage, read_lock, toml_string, write_pylock
from pyenvlab.errors import PyenvlabError

# reading lock files needs tomllib (3.11+); what pyenvlab says without it is tested below
tomllib = pytest.importorskip("tomllib")
CLEAN = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}


def uv(*args: str, cwd: Path, cache: Path) -> subprocess.CompletedProcess:
    from uv import find_uv_bin

    env = dict(CLEAN, UV_CACHE_DIR=str(cache), UV_NO_CONFIG="1", UV_PYTHON_DOWNLOADS="never", NO_COLOR="1")
    done = subprocess.run(
        [find_uv_bin(), *args], cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return done


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pyenvlab", *args],
        cwd=cwd,
        env=CLEAN,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Wheels; a uv project locked by ``uv lock`` and exported by ``uv export --format
    pylock.toml``; a uv venv synced from it."""
    root = tmp_path_factory.mktemp("locks")
    cache, wheels = root / "cache", root / "wheels"
    demo_envs.build_wheel(demo_envs.write_project(root / "src" / "helperlib", "helperlib", "1.2"), wheels)
    demo_envs.build_wheel(
        demo_envs.write_project(root / "src" / "mylib", "mylib", "2.0", requires=["helperlib>=1.0"]), wheels
    )
    app = root / "app"
    app.mkdir()
    (app / "pyproject.toml").write_text(
        '[project]\nname = "myapp"\nversion = "0.1"\nrequires-python = ">=3.10"\n'
        'dependencies = ["mylib>=2"]\n'
    )
    offline = ["--offline", "--no-index", "--find-links", str(wheels), "--python", sys.executable]
    uv("lock", *offline, cwd=app, cache=cache)
    uv("export", *offline, "--format", "pylock.toml", "-o", "pylock.toml", cwd=app, cache=cache)
    uv("sync", *offline, cwd=app, cache=cache)
    return {"root": root, "cache": cache, "wheels": wheels, "app": app, "venv": app / ".venv"}


def test_uvs_own_locks_read_as_what_they_pin(project: dict[str, Path]) -> None:
    for name in ("uv.lock", "pylock.toml"):
        locked = envcopy.read_export(project["app"] / name)
        # the virtual project root (no build system) is never installed, so not locked as a package
        assert [(p.name, p.version) for p in locked.packages] == [("helperlib", "1.2"), ("mylib", "2.0")]
        assert locked.python == "requires >=3.10"


def test_env_diff_of_a_synced_venv_and_its_locks_is_identical(project: dict[str, Path]) -> None:
    for name in ("uv.lock", "pylock.toml"):
        done = cli("env", "diff", str(project["venv"]), str(project["app"] / name), cwd=project["root"])
        assert done.returncode == 0, done.stderr
        assert "identical (2 distributions)" in done.stdout


def test_a_changed_lock_shows_as_a_difference(project: dict[str, Path], tmp_path: Path) -> None:
    text = (project["app"] / "uv.lock").read_text()
    changed = tmp_path / "uv.lock"
    changed.write_text(text.replace('version = "1.2"', 'version = "1.3"'))
    result = envcopy.diff(project["venv"], changed, env=CLEAN)
    assert [(e.name, e.left, e.right, e.change) for e in result.entries] == [
        ("helperlib", "1.2", "1.3", "changed")
    ]


def test_exported_pylock_is_valid_and_uv_installs_it_offline(
    project: dict[str, Path], tmp_path: Path
) -> None:
    done = cli(
        "env", "export", "--python", str(project["venv"] / "bin" / "python"), "--format", "pylock",
        "--find-links", str(project["wheels"]), cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    lock_file = tmp_path / "pylock.toml"
    lock_file.write_text(done.stdout)
    lock = Pylock.from_dict(tomllib.loads(done.stdout))  # the PyPA's reader of PEP 751
    assert lock.created_by == "pyenvlab"
    assert {p.name: str(p.version) for p in lock.packages} == {"helperlib": "1.2", "mylib": "2.0"}
    wheel = next(p for p in lock.packages if p.name == "mylib").wheels[0]
    assert Path(wheel.path) == project["wheels"] / "mylib-2.0-py3-none-any.whl"
    import hashlib

    assert wheel.hashes == {"sha256": hashlib.sha256(Path(wheel.path).read_bytes()).hexdigest()}
    # a real installer reproduces the environment from it, offline
    uv("venv", "--offline", "--python", sys.executable, "again", cwd=tmp_path, cache=project["cache"])
    uv("pip", "install", "--offline", "--python", str(tmp_path / "again" / "bin" / "python"), "-r",
       str(lock_file), cwd=tmp_path, cache=project["cache"])  # fmt: skip
    result = envcopy.diff(project["venv"], tmp_path / "again", env=CLEAN)
    assert not result.entries and result.same == 2
    # and it reads back as the environment it came from
    assert (
        envcopy.read_export(lock_file).python
        == f"{sys.version_info[0]}.{sys.version_info[1]}.{sys.version_info[2]}"
    )
    assert not envcopy.diff(lock_file, project["venv"], env=CLEAN).entries


def test_a_package_without_a_file_is_refused_by_name(project: dict[str, Path], tmp_path: Path) -> None:
    done = cli(
        "env",
        "export",
        "--python",
        str(project["venv"] / "bin" / "python"),
        "--format",
        "pylock",
        cwd=tmp_path,
    )
    assert done.returncode == 2 and not done.stdout
    (line,) = done.stderr.strip().splitlines()
    assert "no file with a hash for helperlib 1.2, mylib 2.0" in line and "--find-links" in line


def test_direct_url_sources_become_directory_vcs_and_archive_tables(tmp_path: Path) -> None:
    archive = tmp_path / "x-1.0.tar.gz"
    packages = [
        LockedPackage(
            "Editable-One", "0.1", {"url": f"file://{tmp_path}/src", "dir_info": {"editable": True}}
        ),
        LockedPackage(
            "gitpkg",
            "3.0",
            {"url": "https://example.invalid/r.git", "vcs_info": {"vcs": "git", "commit_id": "ab12"}},
        ),
        LockedPackage("x", "1.0", {"url": archive.as_uri(), "archive_info": {"hash": "sha256=00ff"}}),
    ]
    text = write_pylock(packages, comment="a\nb", python="3.11.7", platform="Linux-x86_64")
    assert text.startswith("# a\n# b\n")
    lock = Pylock.from_dict(tomllib.loads(text))
    by_name = {p.name: p for p in lock.packages}
    assert (
        by_name["editable-one"].directory.path == f"{tmp_path}/src"
        and by_name["editable-one"].directory.editable
    )
    assert by_name["editable-one"].version is None  # PEP 751: a source tree pins no version
    assert by_name["gitpkg"].vcs.commit_id == "ab12" and by_name["gitpkg"].vcs.type == "git"
    assert by_name["x"].archive.hashes == {"sha256": "00ff"} and str(by_name["x"].version) == "1.0"
    lock_file = tmp_path / "pylock.toml"
    lock_file.write_text(text)
    read = read_lock(lock_file, text)
    assert read.platform == "Linux-x86_64" and read.python == "3.11.7"
    assert {p.name: p.version for p in read.packages}["editable-one"] == lockfiles.UNPINNED


def test_paths_with_quotes_and_control_characters_survive_the_toml(tmp_path: Path) -> None:
    odd = tmp_path / 'we"ird\\dir\tname\x7f'
    odd.mkdir()
    wheel = demo_envs.build_wheel(demo_envs.write_project(tmp_path / "src", "mylib", "2.0"), odd)
    text = write_pylock([LockedPackage("mylib", "2.0")], find_links=[odd])
    (package,) = Pylock.from_dict(tomllib.loads(text)).packages
    assert package.wheels[0].path == str(wheel)
    assert toml_string("\ud800") == '"\ufffd"'  # an undecodable byte of a file name
    assert tomllib.loads(f"v = {toml_string(chr(0) + chr(27) + 'é')}")["v"] == "\x00\x1bé"


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("pylock.toml", "lock-version = [", "not valid TOML"),
        ("uv.lock", "\x00garbage", "not valid TOML"),
        ("pyproject.toml", '[project]\nname = "x"\n', "neither a pylock.toml"),
        (
            "pylock.toml",
            'lock-version = "1.0"\ncreated-by = "x"\n[[packages]]\nname = "A"\n',
            "not normalized",
        ),
        (
            "pylock.toml",
            'lock-version = "1.0"\ncreated-by = "x"\n[[packages]]\nname = "a"\n',
            "Exactly one of",
        ),
        ("pylock.toml", 'lock-version = "2.0"\ncreated-by = "x"\npackages = []\n', "not supported"),
        ("pylock.toml", 'lock-version = "1.0"\ncreated-by = 3\npackages = []\n', "not a valid pylock.toml"),
        ("uv.lock", 'version = 2\n[[package]]\nname = "a"\n', "uv.lock version 2 is not supported"),
        ("uv.lock", "version = 1\npackage = 3\n", "not a valid uv.lock"),
        ("uv.lock", 'version = 1\n[[package]]\nversion = "1"\n', "has no name"),
        ("uv.lock", 'version = 1\n[[package]]\nname = "a"\nversion = 1\n', "not a string"),
        ("bad.lock", b"\xff\xfe\x00", "not UTF-8"),
    ],
)
def test_garbage_and_unsupported_locks_are_one_line_and_exit_2(
    name: str, content: str | bytes, says: str, tmp_path: Path
) -> None:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(PyenvlabError, match=says):
        envcopy.read_export(path)
    done = cli("env", "diff", str(path), str(path), cwd=tmp_path)
    assert done.returncode == 2 and not done.stdout
    (line,) = done.stderr.strip().splitlines()
    assert says in line and "Traceback" not in done.stderr


def test_without_tomllib_reading_says_it_needs_python_311(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Python 3.10 has no tomllib: reading a lock says so instead of failing on an import."""
    monkeypatch.setitem(sys.modules, "tomllib", None)  # `import tomllib` raises ImportError
    path = tmp_path / "uv.lock"
    path.write_text("version = 1\n")
    with pytest.raises(
        PyenvlabError, match=r"needs Python 3\.11 or newer \(the standard library's tomllib\)"
    ):
        envcopy.read_export(path)
