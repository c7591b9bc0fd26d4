"""Run CPython's own import test suites in this interpreter, optionally under pyenvlab.trace().

    TARGET regrtest_driver.py REPO MODE JUNIT.xml SUMMARY.json     (MODE: plain | traced)

regrtest runs in-process (``runpy.run_module("test", alter_sys=True)``), so in ``traced`` mode the
recorder is installed before regrtest starts and removed after it ends: every test of the suites
runs under it. SUMMARY.json says whether the trace of the whole run could be read and
round-tripped through JSON. The per-test comparison is tests/test_recorder_fingerprint.py's job.
"""

import json
import runpy
import sys

SUITES = [
    "test_importlib",
    "test_import",
    "test_zipimport",
    "test_pkgutil",
    "test_runpy",
    "test_site",
    "test_module",
    "test_zipimport_support",
    "test_modulefinder",
]


def main():
    repo, mode, junit, summary_path = sys.argv[1:5]
    sys.path.insert(0, repo)
    summary = {}
    tracer = None
    if mode == "traced":
        import pyenvlab

        tracer = pyenvlab.trace()
        tracer.start()
    sys.argv = ["-m test", *SUITES, "--junit-xml", junit]
    try:
        runpy.run_module("test", run_name="__main__", alter_sys=True)
    except SystemExit as exc:
        summary["exit"] = exc.code if isinstance(exc.code, int) else str(exc.code)
    finally:
        if tracer is not None:
            tracer.stop()
    if tracer is not None:
        try:
            trace = tracer.trace
            again = type(trace).from_json(trace.to_json())
            summary.update(
                modules=len(trace.modules),
                statements=len(trace.statements),
                errors=list(trace.errors),
                round_trip=again == trace,
            )
        except Exception as exc:  # reported, then asserted on by the test
            summary["unreadable"] = f"{type(exc).__name__}: {exc}"
    with open(summary_path, "w", encoding="utf-8") as stream:
        json.dump(summary, stream)


if __name__ == "__main__":
    main()
