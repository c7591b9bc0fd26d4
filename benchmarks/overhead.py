"""How much does recording cost? Traced vs untraced imports, side by side, in one run.

Each measurement is a fresh interpreter (``-I -S``: no site, no .pth side effects) that imports
pyenvlab first in every mode, then times one block of imports with ``perf_counter``:

- ``untraced``: the imports alone;
- ``traced``: the whole ``with pyenvlab.trace():`` block (hook install, imports, uninstall),
  recording every statement, load, path-entry visit, stat and listdir;
- ``traced+cand``: the same with ``candidates=True``;
- ``-X importtime`` and ``-v`` (stderr to /dev/null): CPython's own tracing, for scale.

Modes are interleaved run by run and the median of ``--runs`` (>= 21) is reported, so machine
noise hits every mode alike. Then the cost per ``sys.path`` entry per top-level import, with
0/10/100/1000 empty directories in front of ``sys.path``, traced and untraced.

    python benchmarks/overhead.py [--runs 21] [--python PATH] [--quick]

Prints ratios; never asserts (machines are noisy). Target: traced/untraced <= 1.05.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORKLOAD = (
    "import asyncio, email.mime.text, http.client, xml.dom.minidom, json, decimal, "
    "logging.handlers, unittest, argparse, sqlite3"
)

SCRIPT = r"""
import sys, time
sys.path.insert(0, {root!r})
extra = {extra!r}
sys.path[1:1] = extra
import pyenvlab
trace = pyenvlab.trace  # resolve the lazy attribute (imports pyenvlab.tracing) in every mode
mode = {mode!r}
code = compile({workload!r}, "<workload>", "exec")
if mode.startswith("traced"):
    start = time.perf_counter()
    with trace(candidates=mode == "traced+cand") as t:
        exec(code, {{}})
    elapsed = time.perf_counter() - start
    searches = sum(1 for m in t.modules if "." not in m.name and m.searched)
else:
    start = time.perf_counter()
    exec(code, {{}})
    elapsed = time.perf_counter() - start
    searches = -1
print(elapsed, searches)
"""


def run_once(python: str, mode: str, extra: list[str]) -> tuple[float, int]:
    flags = ["-I", "-S"]
    if mode == "importtime":
        flags += ["-X", "importtime"]
    elif mode == "verbose":
        flags += ["-v"]
    script = SCRIPT.format(root=str(ROOT), extra=extra, mode=mode, workload=WORKLOAD)
    out = subprocess.run(
        [python, *flags, "-c", script],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        check=True,
        cwd=tempfile.gettempdir(),
    ).stdout.split()
    return float(out[0]), int(out[1])


def measure(python: str, modes: list[str], runs: int, extra: list[str]) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {mode: [] for mode in modes}
    for _ in range(runs):
        for mode in modes:
            times[mode].append(run_once(python, mode, extra)[0])
    return times


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=21, help="runs per mode (median reported; default 21)")
    parser.add_argument("--python", default=sys.executable, help="interpreter to measure (default: this one)")
    parser.add_argument(
        "--quick", action="store_true", help="fewer runs and only N=0/100 for the per-entry part"
    )
    args = parser.parse_args()
    runs = 5 if args.quick else max(args.runs, 21)
    version = subprocess.run(
        [args.python, "-c", "import sys; print(sys.version.split()[0])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    print(f"Python {version} ({args.python}), {runs} runs per mode, median, fresh process each")
    print(f"workload: {WORKLOAD}\n")

    modes = ["untraced", "traced", "traced+cand", "importtime", "verbose"]
    times = measure(args.python, modes, runs, [])
    base = statistics.median(times["untraced"])
    print(f"{'mode':<14}{'median ms':>10}{'ratio':>8}")
    for mode in modes:
        median = statistics.median(times[mode])
        print(f"{mode:<14}{median * 1000:>10.1f}{median / base:>8.3f}")
    traced_ratio = statistics.median(times["traced"]) / base
    verdict = "meets" if traced_ratio <= 1.05 else "misses"
    print(f"\ntraced/untraced = {traced_ratio:.3f} ({verdict} the 1.05 target)\n")

    counts = [0, 100] if args.quick else [0, 10, 100, 1000]
    per_runs = 3 if args.quick else 11
    _, searches = run_once(args.python, "traced", [])
    print(f"cost per sys.path entry per top-level import ({searches} top-level searches in the workload)")
    with tempfile.TemporaryDirectory() as tmp:
        medians: dict[str, dict[int, float]] = {"untraced": {}, "traced": {}}
        for n in counts:
            extra = []
            for i in range(n):
                directory = Path(tmp, f"empty{i}")
                directory.mkdir(exist_ok=True)
                extra.append(str(directory))
            result = measure(args.python, ["untraced", "traced"], per_runs, extra)
            for mode, by_count in medians.items():
                by_count[n] = statistics.median(result[mode])
        print(f"{'N':>6}{'untraced ms':>13}{'traced ms':>11}{'ratio':>8}")
        for n in counts:
            u, t = medians["untraced"][n], medians["traced"][n]
            print(f"{n:>6}{u * 1000:>13.1f}{t * 1000:>11.1f}{t / u:>8.3f}")
        for mode, by_count in medians.items():
            xs = counts
            ys = [by_count[n] for n in xs]
            mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
            slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sum(
                (x - mean_x) ** 2 for x in xs
            )
            print(f"{mode:<9} {slope / max(searches, 1) * 1e6:6.2f} µs per entry per top-level import")


if __name__ == "__main__":
    main()
