"""How much does recording cost? Traced vs untraced imports, side by side, in one run.

Each measurement is a fresh interpreter (``-I -S``: no site, no .pth side effects) that imports
pyenvlab and its trace records first in every mode, then runs one block of imports:

- ``untraced``: the imports alone;
- ``traced``: the whole ``with pyenvlab.trace():`` block (hook install, imports, uninstall),
  recording every statement, load, path-entry visit, stat and listdir;
- ``traced+cand``: the same with ``candidates=True``;
- ``floor``: the same patch points with empty pass-through hooks: what any recorder built on
  these hooks costs before it records anything;
- ``-X importtime`` and ``-v`` (stderr to /dev/null): CPython's own tracing, for scale.

Two measures:

- wall time (``perf_counter`` around the block): modes interleaved run by run, the median of
  ``--runs`` (>= 21), so machine noise hits every mode alike;
- ``--instructions``: instructions executed, counted by valgrind's callgrind (the same count on
  every run, whatever else the machine does); the block's count is the process's minus a run
  that stops just before the block.

Then the cost per ``sys.path`` entry per top-level import, with 0/10/100/1000 empty directories
in front of ``sys.path``, traced and untraced, and the cost of reading the trace (building its
records) compared with the traced import, with its peak memory.

    python benchmarks/overhead.py [--runs 21] [--python PATH] [--quick] [--instructions]

Prints ratios; never asserts (machines are noisy). Targets: traced/untraced <= 1.02 (wall and
instructions), <= +5 % per sys.path entry, reading <= 0.5 x the traced import.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORKLOAD = (
    "import asyncio, email.mime.text, http.client, xml.dom.minidom, json, decimal, "
    "logging.handlers, unittest, argparse, sqlite3"
)

#: Pass-through hooks at the recorder's own patch points (recorder.PATCH_POINTS), swapped in
#: for its _make_hooks: the cost of the hooking alone.
FLOOR = r"""
def _floor_hooks(install):
    import builtins, sys
    from pyenvlab._probe import recorder as r
    b, e = r._bootstrap, r._external
    orig_import, orig_sanity, orig_find_spec = builtins.__import__, b._sanity_check, b._find_spec
    orig_pic = e.PathFinder.__dict__["_path_importer_cache"].__func__
    orig_fill = e.FileFinder.__dict__["_fill_cache"]
    stat = e._os.stat
    def __import__(name, globals=None, locals=None, fromlist=(), level=0):
        return orig_import(name, globals, locals, fromlist, level)
    def manager(base):
        enter, exit_ = base.__enter__, base.__exit__
        class M(base):
            def __enter__(self):
                return enter(self)
            def __exit__(self, t, v, tb):
                return exit_(self, t, v, tb)
        return M
    def _sanity_check(name, package, level):
        return orig_sanity(name, package, level)
    def _find_spec(name, path, target=None):
        return orig_find_spec(name, path, target)
    def _path_importer_cache(cls, path):
        return orig_pic(cls, path)
    def _fill_cache(self):
        return orig_fill(self)
    def _path_stat(path):
        return stat(path)
    def _path_is_mode_type(path, mode):
        try:
            info = stat(path)
        except OSError:
            return False
        return (info.st_mode & 0o170000) == mode
    class Finder:
        def find_spec(self, name, path, target=None):
            return None
    install.finder = Finder()
    install.listing_type = set
    hooks = [(builtins, "__import__", __import__), (b, "_ModuleLockManager", manager(b._ModuleLockManager))]
    if isinstance(b.__dict__.get("_HierarchicalLockManager"), type):
        hooks.append((b, "_HierarchicalLockManager", manager(b._HierarchicalLockManager)))
    return hooks + [
        (b, "_sanity_check", _sanity_check), (b, "_find_spec", _find_spec),
        (e.PathFinder, "_path_importer_cache", classmethod(_path_importer_cache)),
        (e.FileFinder, "_fill_cache", _fill_cache),
        (e, "_path_stat", _path_stat), (e, "_path_is_mode_type", _path_is_mode_type),
    ]
"""

SCRIPT = r"""
import sys, time
sys.path.insert(0, {root!r})
extra = {extra!r}
sys.path[1:1] = extra
import pyenvlab
import pyenvlab.model
trace = pyenvlab.trace  # resolve the lazy attribute (imports pyenvlab.tracing) in every mode
mode = {mode!r}
{floor}
if mode == "floor":
    from pyenvlab._probe import recorder
    recorder._make_hooks = _floor_hooks
code = compile({workload!r}, "<workload>", "exec")
if mode == "none":
    raise SystemExit(0)
if mode.startswith("traced") or mode == "floor":
    start = time.perf_counter()
    with trace(candidates=mode == "traced+cand") as t:
        exec(code, {{}})
    elapsed = time.perf_counter() - start
    searches = -1
    if mode != "floor" and {count_searches!r}:  # reads the trace: not part of the block
        searches = sum(1 for m in t.modules if "." not in m.name and m.searched)
else:
    start = time.perf_counter()
    exec(code, {{}})
    elapsed = time.perf_counter() - start
    searches = -1
print(elapsed, searches)
"""

READ = r"""
import sys, time, tracemalloc
sys.path.insert(0, {root!r})
sys.path.insert(0, {tree!r})
import pyenvlab, pyenvlab.model
from pyenvlab._probe import recorder
code = compile({code!r}, "<tree>", "exec")
tracer = pyenvlab.trace()
start = time.perf_counter()
with tracer as t:
    exec(code, {{}})
traced = time.perf_counter() - start
measure_memory = {memory!r}
if measure_memory:  # tracemalloc slows allocation down: time and memory come from separate runs
    tracemalloc.start()
start = time.perf_counter()
modules = len(t.modules)
read = time.perf_counter() - start
peak = tracemalloc.get_traced_memory()[1] if measure_memory else 0
print(traced, read, peak, modules)
"""


def _flags(mode: str) -> list[str]:
    flags = ["-I", "-S"]
    if mode == "importtime":
        flags += ["-X", "importtime"]
    elif mode == "verbose":
        flags += ["-v"]
    return flags


def _script(mode: str, extra: list[str], *, count_searches: bool = True) -> str:
    return SCRIPT.format(
        root=str(ROOT), extra=extra, mode=mode, workload=WORKLOAD, floor=FLOOR, count_searches=count_searches
    )


def run_once(python: str, mode: str, extra: list[str]) -> tuple[float, int]:
    out = subprocess.run(
        [python, *_flags(mode), "-c", _script(mode, extra)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        check=True,
        cwd=tempfile.gettempdir(),
    ).stdout.split()
    return float(out[0]), int(out[1])


def instructions(python: str, mode: str, extra: list[str]) -> int:
    """Instructions the whole process executed, counted by callgrind."""
    env = dict(os.environ, PYTHONHASHSEED="0")
    result = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            "--callgrind-out-file=/dev/null",
            python,
            *_flags(mode),
            "-c",
            _script(mode, extra, count_searches=False),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=True,
        cwd=tempfile.gettempdir(),
        env=env,
    )
    found = re.search(r"Collected : (\d+)", result.stderr)
    if not found:
        raise SystemExit(f"callgrind printed no count:\n{result.stderr[-500:]}")
    return int(found.group(1))


def measure(python: str, modes: list[str], runs: int, extra: list[str]) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {mode: [] for mode in modes}
    for _ in range(runs):
        for mode in modes:
            times[mode].append(run_once(python, mode, extra)[0])
    return times


def _empty_dirs(tmp: str, n: int) -> list[str]:
    extra = []
    for i in range(n):
        directory = Path(tmp, f"empty{i}")
        directory.mkdir(exist_ok=True)
        extra.append(str(directory))
    return extra


def _slope(xs: list[int], ys: list[float]) -> float:
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mean_x) ** 2 for x in xs
    )


def report_instructions(python: str, quick: bool) -> None:
    base = instructions(python, "none", [])
    counts = {mode: instructions(python, mode, []) - base for mode in ("untraced", "floor", "traced")}
    print("instructions of the block (callgrind, PYTHONHASHSEED=0; the same on every run)")
    print(f"{'mode':<14}{'instructions':>15}{'ratio':>8}")
    for mode, count in counts.items():
        print(f"{mode:<14}{count:>15,}{count / counts['untraced']:>8.3f}")
    ratio = counts["traced"] / counts["untraced"]
    verdict = "meets" if ratio <= 1.02 else "misses"
    print(f"\ntraced/untraced = {ratio:.4f} instructions ({verdict} the +2 % target)")
    if quick:
        return
    with tempfile.TemporaryDirectory() as tmp:
        extra = _empty_dirs(tmp, 100)
        per = {}
        for mode in ("untraced", "traced"):
            with_entries = instructions(python, mode, extra) - instructions(python, "none", extra)
            per[mode] = (with_entries - counts[mode]) / 100
        print(
            f"per sys.path entry: untraced {per['untraced']:,.0f}, traced {per['traced']:,.0f} instructions"
            f" ({per['traced'] / per['untraced'] - 1:+.1%}; target <= +5 %)\n"
        )


def report_reading(python: str, modules: int = 1000) -> None:
    """The cost of reading an in-process trace of a synthetic tree vs the traced import."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp, "tree")
        lines = []
        for p in range(modules // 10):
            package = root / f"pel_bench{p}"
            package.mkdir(parents=True)
            (package / "__init__.py").write_text("")
            for m in range(9):
                (package / f"m{m}.py").write_text("import os\nVALUE = 1\n")
                lines.append(f"import pel_bench{p}.m{m}")
        code = "\n".join(lines)
        subprocess.run([python, "-m", "compileall", "-q", str(root)], check=True)
        rows = []
        for run in range(6):
            script = READ.format(root=str(ROOT), tree=str(root), code=code, memory=run % 2 == 1)
            out = subprocess.run(
                [python, "-I", "-S", "-c", script], capture_output=True, text=True, check=True
            ).stdout.split()
            rows.append((float(out[0]), float(out[1]), int(out[2]), int(out[3])))
        timed = rows[0::2]
        traced = statistics.median(r[0] for r in timed)
        read = statistics.median(r[1] for r in timed)
        peak = statistics.median(r[2] for r in rows[1::2])
        count = rows[0][3]
        print(
            f"reading a trace of {count} loads: {read * 1000:.1f} ms vs the traced import"
            f" {traced * 1000:.1f} ms = {read / traced:.2f} x (target <= 0.5); peak memory while building"
            f" {peak / 1e6 / count * 1000:.2f} MB per 1,000 modules (target < 4)"
        )


def report_child(python: str, runs: int) -> None:
    """trace_import's child vs `python -c` of the same code: whole-process time, interleaved."""
    sys.path.insert(0, str(ROOT))
    from pyenvlab import tracing
    from pyenvlab._probe import recorder

    prefix = tracing._code_cache_prefix()
    with tempfile.TemporaryDirectory() as tmp:
        out = str(Path(tmp, "trace.json"))
        commands = {
            "python -c": [python, "-c", WORKLOAD],
            "child, recording off": [
                python,
                "-c",
                recorder.BOOTSTRAP,
                tracing.RECORDER_SCRIPT,
                prefix,
                out,
                "--code",
                WORKLOAD,
                "--no-record",
            ],
            "child, recording": [
                python,
                "-c",
                recorder.BOOTSTRAP,
                tracing.RECORDER_SCRIPT,
                prefix,
                out,
                "--code",
                WORKLOAD,
            ],
        }
        subprocess.run(commands["child, recording"], check=True)  # fills the compiled-recorder cache
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(runs):
            for name, command in commands.items():
                start = time.perf_counter()
                subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
                times[name].append(time.perf_counter() - start)
    base = statistics.median(times["python -c"])
    print(f"trace_import's child, whole process, median of {runs} (target <= 1.10 x python -c)")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"  {name:<22}{median * 1000:8.1f} ms {median / base:7.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=21, help="runs per mode (median reported; default 21)")
    parser.add_argument("--python", default=sys.executable, help="interpreter to measure (default: this one)")
    parser.add_argument(
        "--quick", action="store_true", help="fewer runs and only N=0/100 for the per-entry part"
    )
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="count instructions with valgrind (callgrind) instead of time",
    )
    args = parser.parse_args()
    version = subprocess.run(
        [args.python, "-c", "import sys; print(sys.version.split()[0])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    print(f"Python {version} ({args.python})")
    print(f"workload: {WORKLOAD}\n")
    # compiled once up front, so no mode pays for compiling pyenvlab (PYTHONDONTWRITEBYTECODE)
    subprocess.run([args.python, "-m", "compileall", "-q", str(ROOT / "pyenvlab")], check=True)
    if args.instructions:
        if shutil.which("valgrind") is None:
            raise SystemExit("--instructions needs valgrind (Debian: apt-get install valgrind)")
        report_instructions(args.python, args.quick)
        report_reading(args.python)
        return
    report_child(args.python, 5 if args.quick else 21)

    runs = 5 if args.quick else max(args.runs, 21)
    print(f"{runs} runs per mode, median, fresh process each\n")
    modes = ["untraced", "traced", "floor", "traced+cand", "importtime", "verbose"]
    times = measure(args.python, modes, runs, [])
    base = statistics.median(times["untraced"])
    print(f"{'mode':<14}{'median ms':>10}{'ratio':>8}")
    for mode in modes:
        median = statistics.median(times[mode])
        print(f"{mode:<14}{median * 1000:>10.1f}{median / base:>8.3f}")
    traced_ratio = statistics.median(times["traced"]) / base
    verdict = "meets" if traced_ratio <= 1.02 else "misses"
    print(f"\ntraced/untraced = {traced_ratio:.3f} ({verdict} the 1.02 target)\n")

    counts = [0, 100] if args.quick else [0, 10, 100, 1000]
    per_runs = 3 if args.quick else 11
    _, searches = run_once(args.python, "traced", [])
    print(f"cost per sys.path entry per top-level import ({searches} top-level searches in the workload)")
    with tempfile.TemporaryDirectory() as tmp:
        medians: dict[str, dict[int, float]] = {"untraced": {}, "traced": {}}
        for n in counts:
            result = measure(args.python, ["untraced", "traced"], per_runs, _empty_dirs(tmp, n))
            for mode, by_count in medians.items():
                by_count[n] = statistics.median(result[mode])
        print(f"{'N':>6}{'untraced ms':>13}{'traced ms':>11}{'ratio':>8}")
        for n in counts:
            u, t = medians["untraced"][n], medians["traced"][n]
            print(f"{n:>6}{u * 1000:>13.1f}{t * 1000:>11.1f}{t / u:>8.3f}")
        slopes = {}
        for mode, by_count in medians.items():
            slopes[mode] = _slope(counts, [by_count[n] for n in counts]) / max(searches, 1) * 1e6
            print(f"{mode:<9} {slopes[mode]:6.2f} µs per entry per top-level import")
        print(f"per entry: traced/untraced = {slopes['traced'] / slopes['untraced']:.3f} (target <= 1.05)\n")
    report_reading(args.python)


if __name__ == "__main__":
    main()
