"""Hostile path and module names, rendered and opened in Chromium: nothing runs, all is text.

Paths and module names are user-controlled strings. Here they are script payloads, and they
get into a *real* trace: directories named like HTML tags on PYTHONPATH, modules whose file
names are payloads (``importlib.import_module`` accepts any string), a failed import of a
``<script>`` name, a virtual environment in a payload-named directory, a variable holding a
payload. Each payload calls ``alert``/``confirm``/``prompt`` when it runs, which Playwright sees
as a dialog. The standalone HTML reports and a notebook showing every pyenvlab view of these
records (run live in JupyterLab, so its HTML output is trusted and *not* sanitised by
JupyterLab) must show each payload as text and run none of them.
"""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import nbformat
import pytest

import pyenvlab
from tests.browser import NotebookPage, artifacts_dir, text_of

pytestmark = pytest.mark.browser

#: directories (on PYTHONPATH: no ":" there)
DIR_FIRST = "<svg onload=alert(1)>"
DIR_HIT = "<img src=x onerror=alert(2)>"
#: modules (file names in DIR_HIT; no "." or "/": import_module would read a package path)
MODULES = ['"><svg onload=confirm(3)>', "javascript:alert(4)", "<iframe src=javascript:prompt(5)>"]
#: a name no finder can find (a "/" in it): a failed import
MISSING = "<script>alert(6)</script>"
#: a virtual environment's directory
VENV = "<img src=x onerror=alert(7)> venv"
#: a value in a namespace
VALUE = "<img src=x onerror=alert(8)>"

PAYLOADS = [DIR_FIRST, DIR_HIT, *MODULES, MISSING]

CODE = f"""\
import importlib
for name in {MODULES!r}:
    importlib.import_module(name)
try:
    importlib.import_module({MISSING!r})
except ImportError:
    pass
"""

#: what must never be in the page: a live event handler or a script URL from our output
_LIVE_MARKUP = """(scope) => {
  const root = scope ? document.querySelector(scope) : document;
  const bad = [];
  for (const el of root.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase(), value = attr.value.trim().toLowerCase();
      if (name.startsWith('on')) bad.push(`${el.tagName} ${name}=${attr.value}`);
      if ((name === 'href' || name === 'src' || name.endsWith(':href')) && value.startsWith('javascript:'))
        bad.push(`${el.tagName} ${name}=${attr.value}`);
    }
    if (['SCRIPT', 'IFRAME', 'OBJECT', 'EMBED'].includes(el.tagName) && scope) bad.push(el.tagName);
  }
  return bad;
}"""


@pytest.fixture(scope="module")
def hostile(lab) -> dict[str, Any]:
    """A real trace (and startup trace) full of payloads, built where the lab's kernel can
    read it: {"trace": Trace, "startup": StartupTrace, "path": [...], "hit": dir, "base": dir}."""
    base = lab.root / "hostile"
    first, hit = base / DIR_FIRST, base / DIR_HIT
    first.mkdir(parents=True)
    hit.mkdir()
    for name in MODULES:
        (hit / f"{name}.py").write_text("VALUE = 1\n")
    (hit / "evil.py").write_text("VALUE = 1\n")  # where() takes only identifiers
    trace = pyenvlab.trace_import(CODE, cwd=base, path=[first, hit], candidates=True)
    loaded = {m.name: m for m in trace.modules}
    for name in MODULES:  # the payloads really were imported from their payload paths
        assert loaded[name].origin == str(hit / f"{name}.py"), loaded.get(name)
    assert loaded[MISSING].error is not None and "ModuleNotFoundError" in loaded[MISSING].error
    trace.save(base / "hostile.trace.json")

    venv = base / VENV
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    startup = pyenvlab.startup(venv / "bin" / "python")
    assert any(VENV in entry.path for entry in startup.sys_path), startup.sys_path
    startup.save(base / "hostile.startup.json")
    return {"trace": trace, "startup": startup, "path": [str(first), str(hit)], "hit": hit, "base": base}


def _check_page(page: Any, dialogs: list[str], *, scope: str | None, payloads: list[str]) -> str:
    """No dialog opened, no live handler or script URL in ``scope``; return the page's text."""
    page.wait_for_timeout(1000)  # onerror/onload fire as soon as an element is inserted
    assert dialogs == [], f"a payload ran: {dialogs}"
    assert page.evaluate(_LIVE_MARKUP, scope) == []
    text = page.inner_text(scope or "body")
    missing = [p for p in payloads if p not in text]
    assert not missing, f"payloads not shown as text: {missing}"
    return text


@pytest.mark.parametrize("kind", ["trace", "module", "where", "startup"])
def test_reports_show_payloads_as_text(hostile: dict[str, Any], chromium, kind: str) -> None:
    trace = hostile["trace"]
    record, payloads = {
        "trace": (trace, PAYLOADS),
        "module": (trace.module(MODULES[0]), [DIR_FIRST, DIR_HIT, MODULES[0]]),
        "where": (pyenvlab.where("evil", path=hostile["path"]), [DIR_HIT]),
        "startup": (hostile["startup"], [VENV]),
    }[kind]
    report = hostile["base"] / f"report-{kind}.html"
    if kind == "trace":  # through the command line, with a payload for a title
        subprocess.run(
            [sys.executable, "-m", "pyenvlab", "report", "--title", MISSING, "-o", str(report),
             "--load", str(hostile["base"] / "hostile.trace.json")],
            check=True, capture_output=True,
        )  # fmt: skip
    else:
        pyenvlab.render.report(record, report)
    context = chromium.new_context(java_script_enabled=True)
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        page.goto(report.as_uri())
        _check_page(page, dialogs, scope=None, payloads=payloads)
        assert page.evaluate("document.scripts.length") == 0, "reports carry no scripts"
        csp = page.locator('meta[http-equiv="Content-Security-Policy"]').get_attribute("content")
        assert "default-src 'none'" in csp and "script" not in csp, "and a policy that allows none"
        assert page.locator("svg").count() >= 1, "the graph is inline SVG"
        if kind == "trace":
            assert MISSING in page.title(), "the title is text too"
            assert page.locator("svg.pyenvlab-chart").count() >= 1, "the import-time chart, escaped"
        page.screenshot(path=str(artifacts_dir() / f"hostile-report-{kind}.png"), full_page=True)
    finally:
        context.close()


def _hostile_notebook(hostile: dict[str, Any]) -> nbformat.NotebookNode:
    base = hostile["base"]
    cells = [
        "import pyenvlab\n"
        "from pyenvlab.jupyter.explorers import ProbeStepper, SysPathLab\n"
        f"BASE = {str(base)!r}\n"
        "t = pyenvlab.Trace.load(BASE + '/hostile.trace.json')\n"
        "s = pyenvlab.StartupTrace.load(BASE + '/hostile.startup.json')",
        "t",
        f"t.module({MODULES[0]!r})",
        f"t.module({MISSING!r})",
        "pyenvlab.render.dot(t)",
        f"pyenvlab.where('evil', path={hostile['path']!r})",
        f"ProbeStepper(t, module={MODULES[2]!r})",
        f"SysPathLab('evil', {hostile['path']!r}, fresh=False)",
        "s",
        "%load_ext pyenvlab",
        f"%%namespace\nhostile_value = {VALUE!r}",
    ]
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return notebook


def test_notebook_outputs_show_payloads_as_text(hostile: dict[str, Any], lab, chromium) -> None:
    name = "hostile.ipynb"
    nbformat.write(_hostile_notebook(hostile), lab.root / name)
    page = NotebookPage(chromium, lab, name).open()
    try:
        assert page.run_all() == "true", page.errors()
        assert page.errors() == []
        # the explorers render their widgets (live HTML views) before we look
        page.page.locator(".jp-OutputArea .widget-vbox .pyenvlab-summary").first.wait_for()
        text = _check_page(
            page.page, page.dialogs, scope=".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook",
            payloads=[*PAYLOADS, VENV, VALUE],
        )  # fmt: skip
        assert text.count(DIR_HIT) >= 5, "tables, explorers and the sys.path lab all name it"
        # the stepper still steps, its payload-named rows re-rendered each time
        stepper = page.cell(page.cell_index("ProbeStepper(")).locator(".widget-vbox").first
        note = stepper.locator(".pyenvlab-note").first
        before = text_of(note)
        stepper.get_by_role("button", name="next \u25b6").click()
        assert page.wait_for_change(note, before).startswith("step 2 of")
        notebook = ".jp-NotebookPanel:not(.lm-mod-hidden)"
        _check_page(page.page, page.dialogs, scope=notebook, payloads=[DIR_HIT])
        page.screenshot("hostile-notebook")
        rendered = page.rendered()
        assert any(o.mime == "image/svg+xml" for cell in rendered for o in cell), "graphs still drawn"
    finally:
        page.close()
