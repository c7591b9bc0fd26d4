"""What do the magics cost? ``%%trace_imports`` against the same cell without it.

Two ratios, each the median of many runs with the two sides interleaved run by run (so machine
noise hits both alike), in a real IPython ``InteractiveShell`` with pyenvlab loaded:

1. in-kernel: a cell that imports nothing new (every import is a ``sys.modules`` cache hit)
   run with ``%%trace_imports`` vs plainly (both through ``shell.run_cell``, display off);
   also with the result's display bundle built (text and HTML tables plus the graph), which
   is what a notebook user waits for;
2. ``--fresh``: ``%%trace_imports --fresh`` vs a bare ``python -c`` start of the same code.

    python benchmarks/magics.py [--runs 201] [--fresh-runs 21]

Prints numbers; never asserts (machines are noisy).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CELL = "import os, sys, json, re\nfrom collections import OrderedDict\ntotal = sum(range(2000))\n"
FRESH_CODE = "import json, email.mime.text"


def _time(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def interleaved(runs: int, **actions: Callable[[], object]) -> dict[str, float]:
    """Median seconds of each action, run alternately ``runs`` times (after one warm-up)."""
    for action in actions.values():
        action()
    samples: dict[str, list[float]] = {name: [] for name in actions}
    for _ in range(runs):
        for name, action in actions.items():
            samples[name].append(_time(action))
    return {name: statistics.median(values) for name, values in samples.items()}


def main(argv: list[str] | None = None) -> int:
    """Run both measurements and print the medians and ratios."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=201, help="in-kernel runs per side (default 201)")
    parser.add_argument("--fresh-runs", type=int, default=21, help="--fresh runs per side (default 21)")
    args = parser.parse_args(argv)

    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "pyenvlab")
    shell.run_cell(CELL)  # everything the cell imports is now loaded

    def plain() -> object:
        return shell.run_cell(CELL, store_history=False, silent=True)

    def traced() -> object:
        return shell.run_cell("%%trace_imports\n" + CELL, store_history=False, silent=True)

    def traced_shown() -> object:
        view = shell.run_cell_magic("trace_imports", "", CELL)
        return view._repr_mimebundle_(include=("text/plain", "text/html"))

    kernel = interleaved(args.runs, plain=plain, traced=traced)
    shown = interleaved(max(args.runs // 10, 11), plain=plain, traced_shown=traced_shown)
    print(f"in-kernel cell that imports nothing new ({args.runs} interleaved runs, medians):")
    print(f"  plain cell             {kernel['plain'] * 1e3:8.3f} ms")
    added = (kernel["traced"] - kernel["plain"]) * 1e3
    ratio = kernel["traced"] / kernel["plain"]
    print(
        f"  %%trace_imports        {kernel['traced'] * 1e3:8.3f} ms   ratio {ratio:.2f}   (+{added:.3f} ms)"
    )
    print(
        f"  + display bundle       {shown['traced_shown'] * 1e3:8.3f} ms   ratio "
        f"{shown['traced_shown'] / shown['plain']:.2f}   (text + HTML tables + graph)"
    )

    def bare() -> object:
        return subprocess.run([sys.executable, "-c", FRESH_CODE], check=True, capture_output=True)

    def fresh() -> object:
        return shell.run_cell_magic("trace_imports", "--fresh", FRESH_CODE)

    fresh_times = interleaved(args.fresh_runs, bare=bare, fresh=fresh)
    print(f"\n--fresh vs a bare `python -c {FRESH_CODE!r}` ({args.fresh_runs} interleaved runs, medians):")
    print(f"  python -c              {fresh_times['bare'] * 1e3:8.1f} ms")
    print(
        f"  %%trace_imports --fresh {fresh_times['fresh'] * 1e3:7.1f} ms   "
        f"ratio {fresh_times['fresh'] / fresh_times['bare']:.2f}"
    )
    shell.run_line_magic("unload_ext", "pyenvlab")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
