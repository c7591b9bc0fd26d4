"""How long the renderers take, compared with the import they describe.

    python benchmarks/render.py                 # trace the workloads now, then render
    python benchmarks/render.py --load A.json   # render saved traces instead
    python benchmarks/render.py --save DIR      # also save the traces (JSON) to DIR

Three workloads are traced in a fresh interpreter (``pyenvlab.trace_import``): the 10-package
workload of design §3, an import of every standard-library module, and a big trace (every
stdlib module plus the large packages the dev extras install: IPython, JupyterLab's server,
Sphinx..., 1,000+ modules). Each is rendered to text, HTML, DOT (the default, collapsed import
tree, and the scan of the first import), SVG (needs Graphviz's ``dot``), the import-time chart
(SVG icicle, its zoom into the heaviest load, the terminal top 15), the report's import-time
section (chart, zooms, the cost table in three orders), the notebook explorer's view and the
whole standalone report; the table shows the best of ``--repeat`` runs and its ratio to
``trace.seconds``, the time the traced imports themselves took. Target: the default views
(text, HTML, DOT source) render in less time than the import (ratio < 1).

Then the scaling tables (skip them with ``--no-scaling``): synthetic traces built in memory
(``tests/render_fixtures.py``) of 5,000 to 40,000 modules, wide (40 packages, submodules nested
a few levels) and deep (a chain of imports as long as the trace), and one module whose names
and paths are 1 to 4 MB without a space. Each row gives the time per module (or per MB) and
the ratio to the row before: linear rendering keeps the first near constant and the second
near the size ratio (x2). Before issue 15, the tree DOT took 0.4 / 1.5 / 6.2 / 28.8 s for 5k /
10k / 20k / 40k modules and the text of a 1 / 2 / 4 MB string 1.0 / 5.5 / 11.3 s.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

WORKLOAD = (
    "import asyncio, email.mime.text, http.client, xml.dom.minidom, json, decimal, "
    "logging.handlers, unittest, argparse, sqlite3"
)

#: stdlib modules whose import has visible side effects (a browser, printing) or needs a display
SKIP = {
    "antigravity",
    "this",
    "__hello__",
    "__phello__",
    "idlelib",
    "turtle",
    "turtledemo",
    "tkinter",
    "_tkinter",
    "__main__",
}


#: large third-party packages of the dev extras, for the big-trace workload
BIG = ("IPython", "jupyter_server", "nbconvert", "sphinx", "ipywidgets", "graphviz", "nbformat", "pytest")


def big_workload() -> str:
    """Every stdlib module, then the big packages of :data:`BIG` (failures caught)."""
    return (
        every_stdlib_module()
        + "\n"
        + "\n".join(f"try:\n    import {n}\nexcept BaseException:\n    pass" for n in BIG)
    )


def every_stdlib_module() -> str:
    """Code importing every top-level stdlib module (failures are caught: some are platform-only)."""
    names = sorted(n for n in sys.stdlib_module_names if n not in SKIP)
    return "\n".join(f"try:\n    import {n}\nexcept BaseException:\n    pass" for n in names)


def best(fn: Callable[[], object], repeat: int) -> float:
    """The fastest of ``repeat`` runs of ``fn``, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def bench(label: str, trace: object, repeat: int) -> None:
    """Print one table of render times for ``trace``."""
    from pyenvlab import render
    from pyenvlab.render.trace_views import top_level

    base = trace.seconds or 1e-9  # type: ignore[attr-defined]
    first = top_level(trace)  # type: ignore[arg-type]
    cases: list[tuple[str, Callable[[], object]]] = [
        ("text", lambda: render.text(trace, width=120, color=False)),
        ("html", lambda: render.html(trace)),
        ("dot: import tree (default)", lambda: render.dot(trace).source),
    ]
    if first:
        target = first[0].name
        cases.append((f"dot: scan of {target}", lambda: render.dot(trace, module=target).source))
    if shutil.which("dot"):
        tree = render.dot(trace)
        cases.append(("svg: import tree (runs dot)", lambda: tree.pipe(format="svg", quiet=True)))
        if first:
            scan = render.dot(trace, module=first[0].name)
            cases.append(("svg: scan (runs dot)", lambda: scan.pipe(format="svg", quiet=True)))
        bundle = trace._repr_mimebundle_  # type: ignore[attr-defined]
        cases.append(("mimebundle (text+html+svg+png)", bundle))
    else:
        print("(Graphviz `dot` not found: SVG rows skipped)")
    cases.extend(_chart_cases(trace))
    modules = len(trace.modules)  # type: ignore[attr-defined]
    print(f"\n{label}: {modules} modules, imports took {base * 1000:.1f} ms (trace.seconds)")
    print(f"  {'view':34} {'time':>10} {'ratio':>7}")
    for name, fn in cases:
        seconds = best(fn, repeat)
        print(f"  {name:34} {seconds * 1000:8.2f} ms {seconds / base:7.2f}")


def _chart_cases(trace: object) -> list[tuple[str, Callable[[], object]]]:
    """The import-time chart and the big-trace views (none of them needs Graphviz)."""
    import tempfile

    from pyenvlab import render
    from pyenvlab.render import chart_report
    from pyenvlab.render.trace_views import chart

    cases: list[tuple[str, Callable[[], object]]] = [
        ("chart: svg (icicle)", lambda: chart.svg(trace)),  # type: ignore[arg-type]
        ("chart: text (top 15 by self)", lambda: chart.text(trace, width=80)),  # type: ignore[arg-type]
    ]
    heavy = chart.heavy_subtrees(trace, limit=1)  # type: ignore[arg-type]
    if heavy:
        name = heavy[0].record.name
        cases.append((f"chart: zoom into {name[:20]}", lambda: chart.svg(trace, root=name)))  # type: ignore[arg-type]
    cases.append(("report: import-time section", lambda: chart_report.sections(trace)))  # type: ignore[arg-type]
    try:
        from pyenvlab.jupyter.explorers import ImportTimeExplorer

        cases.append(("explorer: import-time view", lambda: ImportTimeExplorer(trace)._view_html()))
    except ImportError:
        pass
    out = Path(tempfile.mkdtemp()) / "report.html"
    cases.append(("report: whole page (runs dot)", lambda: render.report(trace, out)))
    return cases


def scaling(repeat: int) -> None:
    """Render synthetic traces of growing size; print time per unit and the growth per row."""
    from pyenvlab import render
    from pyenvlab.render import standalone
    from tests.render_fixtures import big_trace, chain_trace, long_string_trace

    views: list[tuple[str, Callable[[object], object]]] = [
        ("text", lambda t: render.text(t, width=120, color=False)),
        ("html", render.html),
        ("dot: import tree", lambda t: render.dot(t).source),
        ("dot: every module", lambda t: render.dot(t, collapse="none").source),
        ("report page (no SVG)", lambda t: standalone.page(t, graphs=[])),
    ]
    shapes = (
        ("wide", big_trace, (5000, 10000, 20000, 40000), "module"),
        ("deep", chain_trace, (5000, 10000, 20000, 40000), "module"),
        ("long string", long_string_trace, (2**20, 2**21, 2**22), "MB"),
    )
    for label, make, sizes, unit in shapes:
        print(f"\n{label} traces: time, per {unit}, and x the previous size's time")
        print(f"  {'view':24}" + "".join(f"{_size(n, unit):>28}" for n in sizes))
        traces = [make(n) for n in sizes]
        for name, view in views:
            cells, before = [], None
            for n, trace in zip(sizes, traces, strict=True):
                seconds = best(lambda trace=trace, view=view: view(trace), repeat)
                per = seconds / (n / 2**20 if unit == "MB" else n)
                growth = f"x{seconds / before:.1f}" if before else ""
                per_text = f"{per * 1000:.1f} ms/MB" if unit == "MB" else f"{per * 1e6:.1f} us"
                cells.append(f"{seconds * 1000:9.1f} ms {per_text:>11} {growth:>5}")
                before = seconds
            print(f"  {name:24}" + "".join(f"{c:>28}" for c in cells))


def _size(n: int, unit: str) -> str:
    return f"{n // 2**20} MB" if unit == "MB" else f"{n:,} modules"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--load", metavar="FILE", action="append", default=[], help="a saved trace (repeatable)"
    )
    parser.add_argument("--save", metavar="DIR", help="save the traces made here as JSON to DIR")
    parser.add_argument("--repeat", type=int, default=5, help="runs per view (the best counts)")
    parser.add_argument(
        "--no-scaling", action="store_true", help="skip the synthetic traces of 5k-40k modules"
    )
    parser.add_argument("--only-scaling", action="store_true", help="only the synthetic traces (no tracing)")
    args = parser.parse_args()
    if args.only_scaling:
        scaling(max(1, min(args.repeat, 3)))
        return 0

    import pyenvlab

    if args.load:
        traces = [(path, pyenvlab.Trace.load(path)) for path in args.load]
    else:
        traces = []
        workloads = (
            ("10-package workload", WORKLOAD),
            ("every stdlib module", every_stdlib_module()),
            ("big trace (stdlib + dev extras)", big_workload()),
        )
        for label, code in workloads:
            traces.append((label, pyenvlab.trace_import(code)))
            if args.save:
                slug = label.split()[0].replace("-", "")
                traces[-1][1].save(Path(args.save) / f"bench-{slug}.trace.json")
    print(f"Python {sys.version.split()[0]}, pyenvlab {pyenvlab.__version__}")
    for label, trace in traces:
        bench(label, trace, args.repeat)
    if not args.no_scaling:
        scaling(max(1, min(args.repeat, 3)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
