"""A real conda environment made offline: a local channel built on the fly (gcc, rattler.index)
with two build variants of a package shipping a shared library, solved and installed by
py-rattler, then read back from conda-meta and run."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from pyenvlab.anatomy import CondaEnv, abi, conda_env
from pyenvlab.anatomy.conda import build_demo_channel, create_env
from pyenvlab.errors import PyenvlabError
from pyenvlab.render import anatomy_views

rattler = pytest.importorskip("rattler", reason="needs py-rattler")
pytestmark = pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc")


@pytest.fixture(scope="module")
def channel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo_channel(tmp_path_factory.mktemp("channel"))


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("rattler-cache")


def test_channel_holds_two_build_variants(channel: Path):
    (subdir,) = [d for d in channel.glob("*/repodata.json") if d.parent.name != "noarch"]
    repodata = json.loads(subdir.read_text())
    builds = sorted((r["name"], r["build"]) for r in repodata["packages"].values())
    assert builds == [("demo-cli", "0"), ("libdemo", "debug_0"), ("libdemo", "fast_1")]


def test_solver_picks_the_variant_and_the_program_runs(channel: Path, cache: Path, tmp_path: Path):
    fast = create_env(tmp_path / "fast", ["demo-cli"], [channel], cache_dir=cache)
    debug = create_env(tmp_path / "debug", ["demo-cli", "libdemo * debug*"], [channel], cache_dir=cache)
    assert [(p.name, p.build) for p in fast.packages] == [("demo-cli", "0"), ("libdemo", "fast_1")]
    assert [(p.name, p.build) for p in debug.packages] == [("demo-cli", "0"), ("libdemo", "debug_0")]

    # the installed program finds the prefix's own libdemo.so through RUNPATH=$ORIGIN/../lib
    for env, variant in ((fast, "fast"), (debug, "debug")):
        out = subprocess.run(
            [str(Path(env.prefix) / "bin" / "demo-cli")],
            capture_output=True,
            text=True,
            check=True,
            env={"PATH": "/usr/bin:/bin"},
        ).stdout
        assert out == f"{variant} 42\n"
    lib = [
        hashlib.sha256((Path(e.prefix) / "lib" / "libdemo.so").read_bytes()).hexdigest()
        for e in (fast, debug)
    ]
    assert lib[0] != lib[1]

    libdemo = fast.package("libdemo")
    assert libdemo.shared_libraries == ("lib/libdemo.so",)
    assert fast.owner("bin/demo-cli").name == "demo-cli"
    assert fast.package("demo-cli").depends == ("libdemo 1.0.*",)
    assert libdemo.channel.endswith(channel.name)

    # and abi, without running it, resolves libdemo.so the same way
    report = abi(Path(fast.prefix) / "bin" / "demo-cli")
    needed = next(x for x in report.libraries if x.name == "libdemo.so")
    assert needed.how == "runpath"
    assert needed.path == str(Path(fast.prefix) / "bin" / ".." / "lib" / "libdemo.so")
    assert report.loads_here


def test_unsolvable_spec_is_a_clear_error(channel: Path, cache: Path, tmp_path: Path):
    with pytest.raises(PyenvlabError, match="cannot solve"):
        create_env(tmp_path / "none", ["libdemo >=2"], [channel], cache_dir=cache)


def test_reads_conda_forge_style_records(tmp_path: Path):
    meta = tmp_path / "conda-meta"
    meta.mkdir()
    record = {
        "name": "cuda-cudart",
        "version": "12.4.127",
        "build": "he02047a_2",
        "build_number": 2,
        "channel": "https://conda.anaconda.org/conda-forge/linux-64",
        "subdir": "linux-64",
        "depends": ["__glibc >=2.17,<3.0.a0", "libgcc-ng >=12"],
        "files": ["lib/libcudart.so.12", "lib/libcudart.so.12.4.127", "include/cuda_runtime.h"],
        "requested_spec": "cuda-cudart",
    }
    (meta / "cuda-cudart-12.4.127-he02047a_2.json").write_text(json.dumps(record))
    (meta / "history").write_text(
        "==> 2024-05-01 10:00:00 <==\n# cmd: conda install cuda-cudart\n+conda-forge::x\n"
    )
    env = conda_env(tmp_path)
    (package,) = env.packages
    assert package.channel == "conda-forge"
    assert package.shared_libraries == ("lib/libcudart.so.12", "lib/libcudart.so.12.4.127")
    assert package.requested
    assert env.history == ("==> 2024-05-01 10:00:00 <==", "# cmd: conda install cuda-cudart")
    assert CondaEnv.from_json(env.to_json()) == env
    text = anatomy_views.text(env, width=120, color=False)
    assert "cuda-cudart" in text
    assert "libcudart.so.12" in text
    assert "cuda-cudart" in anatomy_views.html(env)


def test_not_a_conda_prefix(tmp_path: Path):
    with pytest.raises(PyenvlabError, match="not a conda environment"):
        conda_env(tmp_path)
    (tmp_path / "conda-meta").mkdir()
    (tmp_path / "conda-meta" / "bad.json").write_text("{}")
    with pytest.raises(PyenvlabError, match="not a conda package record"):
        conda_env(tmp_path)


def test_create_env_works_inside_a_running_event_loop(tmp_path: Path) -> None:
    """A Jupyter kernel runs an asyncio loop; creating an environment there must still work."""
    import asyncio

    from pyenvlab.anatomy.conda import build_demo_channel, create_env

    channel = build_demo_channel(tmp_path / "channel")

    async def inside_a_loop() -> CondaEnv:
        return create_env(tmp_path / "env", ["libdemo"], [channel], cache_dir=tmp_path / "cache")

    env = asyncio.run(inside_a_loop())
    assert [p.name for p in env.packages] == ["libdemo"]
