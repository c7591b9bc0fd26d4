"""What does a fresh Pyodide interpreter cost? A new loadPyodide() against a memory reset, side by side.

The Pyodide differential (tests/test_pyodide_differential.py) needs three fresh interpreters
for each of ~300 stdlib names per version. Two ways to get one, timed in one run, with the
same work per run (``import NAME`` for a few names, alternating):

- ``load``: a new ``loadPyodide()`` per run (what ``trace_import`` does for one trace);
- ``reset``: one start, its memory written back before each run, the outside state checked
  after each run (the runner's ``fresh="reset"``).

Both modes run in one Node process each, one after the other; the per-run wall time is the
runner's own (``RunResult.seconds``: the interpreter's start plus the run). Reports medians
and the ratio; never asserts.

    python benchmarks/pyodide_fresh.py [--python pyodide:3.14] [--runs 9]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

NAMES = ("colorsys", "decimal", "email.mime.text", "xml.dom.minidom", "tomllib")


def main() -> int:
    from pyenvlab.pyodide.releases import release_for
    from pyenvlab.pyodide.runner import Run, run, unavailable

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", default="pyodide:3.14")
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    release = release_for(args.python)
    reason = unavailable(release)
    if reason:
        print(f"skipped: {reason}")
        return 0
    runs = [Run(f"import {NAMES[i % len(NAMES)]}") for i in range(args.runs)]
    medians = {}
    for mode in ("load", "reset"):
        results = run(release, runs, fresh=mode, quiet=True, timeout=1800)
        assert all(r.ok for r in results), [r.error for r in results]
        # the first reset run includes the one real start: report it apart
        seconds = [r.seconds for r in results[1:]] if mode == "reset" else [r.seconds for r in results]
        medians[mode] = statistics.median(seconds)
        extra = f" (first run, with the start: {results[0].seconds:.2f} s)" if mode == "reset" else ""
        print(f"{mode:6} median {medians[mode] * 1000:7.1f} ms per fresh interpreter{extra}")
    print(f"load / reset: x{medians['load'] / medians['reset']:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
