"""Every workshop notebook, run in JupyterLab in a real browser (headless Chromium).

For each notebook: run every cell, then check through JupyterLab's own model and DOM that no
cell failed or wrote to stderr, that every graph shows as an image of real size, and leave a
screenshot in ``test-artifacts/browser/``. The explorer widgets are driven by clicks and keys
before the notebook's last cell (which removes the notebook's temporary files) runs.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import pytest

from tests.browser import NotebookPage, iter_notebooks, text_of

pytestmark = pytest.mark.browser

IMAGE_TYPES = ("image/svg+xml", "image/png")
#: a graph drawn by Graphviz is never smaller than this (a broken image is 0 x 0 or 16 x 16)
MIN_SIDE = 40


# -- widget interactions, run before the notebook's last cell ---------------------------------


def _marked_probe(widget) -> str:
    """The probe the stepper marks with ▶ in its highlighted row ('' when none)."""
    rows = widget.locator("tr.current")
    if rows.count() == 0:
        return ""
    text = text_of(rows.first)
    return text.split("▶", 1)[1].split(",")[0].strip() if "▶" in text else ""


def _drive_probe_stepper(page: NotebookPage) -> None:
    cell = page.cell(page.cell_index("ProbeStepper(t"))
    widget = cell.locator(".widget-vbox").first
    note = widget.locator(".pyenvlab-note").first
    note.wait_for()
    steps = re.fullmatch(r"step 1 of (\d+)", text_of(note))
    assert steps, text_of(note)
    count = int(steps.group(1))
    assert count >= 5, "the shadowed json import takes several probes"
    assert widget.locator("tr.current").count() == 0, "step 1 is before the first entry"
    next_button = widget.get_by_role("button", name="next \u25b6")

    marked = []
    for step in range(2, 5):  # entry 1 gets its finder, then its first two probes
        next_button.click()
        assert page.wait_for_change(note, f"step {step - 1} of {count}") == f"step {step} of {count}"
        assert widget.locator("tr.current").count() == 1, "one entry is highlighted"
        marked.append(_marked_probe(widget))
    assert marked[0] == "", "getting the finder is not a probe"
    assert marked[1] and marked[2] and marked[1] != marked[2], f"the marked probe moves: {marked}"

    widget.locator(".widget-slider .noUi-handle").first.focus()
    for _ in range(count - 4):  # the slider's keyboard: to the last step
        page.page.keyboard.press("ArrowRight")
    page.wait_for_text(note, f"step {count} of {count}")
    assert "found in the 2nd" in text_of(widget.locator(".pyenvlab-step"))
    assert next_button.is_disabled()

    widget.get_by_role("button", name="\u25c0 back").click()
    assert page.wait_for_change(note, f"step {count} of {count}") == f"step {count - 1} of {count}"
    graph = widget.locator(".pyenvlab-graph img").first
    assert graph.evaluate("img => img.complete && img.naturalWidth") >= MIN_SIDE
    page.screenshot_of(widget, "probe-stepper")


def _drive_sys_path_lab(page: NotebookPage) -> None:
    cell = page.cell(page.cell_index("SysPathLab("))
    widget = cell.locator(".widget-vbox").first
    summary = widget.locator(".pyenvlab-summary").first
    summary.wait_for()
    before = text_of(summary)
    assert re.search(r"uses \S+/shadow/json\.py;", before), before

    entries = widget.locator(".widget-select select")
    entries.select_option(index=0)  # the shadow directory
    widget.get_by_role("button", name="\u25bc down").click()
    moved = page.wait_for_change(summary, before)
    assert re.search(r"uses \S+/other/json/__init__\.py;", moved), moved
    assert re.search(r"shadowed: \S+/shadow/json\.py", moved), moved
    options = entries.locator("option").all_inner_texts()
    assert [o.split()[1:] for o in options] == [["[x]", o.split()[-1]] for o in options]
    assert options[0].endswith("/other") and options[1].endswith("/shadow"), options

    for index in (0, 1):  # switch both off: the standard library's json is back
        entries.select_option(index=index)
        current = text_of(summary)
        widget.get_by_role("button", name="on/off").click()
        current = page.wait_for_change(summary, current)
    assert "shadowed" not in current and re.search(r"uses \S+/json/__init__\.py\.$", current), current
    assert "/other/" not in current and "/shadow/" not in current
    page.screenshot_of(widget, "sys-path-lab")


def _drive_startup_explorer(page: NotebookPage) -> None:
    cell = page.cell(page.cell_index("StartupExplorer()"))
    widget = cell.locator(".widget-vbox").first
    choice = widget.locator(".widget-dropdown select")
    choice.wait_for()
    view = widget.locator(".widget-html-content").first
    labels = choice.locator("option").all_inner_texts()
    assert len(labels) >= 1
    first = text_of(view)
    assert first.startswith("Startup of "), first[:200]
    others = [label for label in labels[1:] if re.search(r"3\.1\d", label)]
    if not others:  # one interpreter on this machine: nothing to switch to (the rest still runs)
        page.screenshot_of(widget, "startup-explorer")
        return
    choice.select_option(label=others[0])
    shown = page.wait_for_change(view, first)
    version = re.search(r"3\.1\d", others[0]).group(0)  # type: ignore[union-attr]
    assert f"Python {version}" in shown, shown[:400]
    page.screenshot_of(widget, "startup-explorer")


def _drive_namespace_explorer(page: NotebookPage) -> None:
    cell = page.cell(page.cell_index("%%namespace --explore"))
    widget = cell.locator(".widget-vbox").first
    names = widget.locator(".widget-select select")
    names.wait_for()
    detail = widget.locator(".pyenvlab-step").first
    assert names.locator("option").all_inner_texts() == ["posixpath", "p", "answer", "double"]
    assert text_of(detail).startswith("posixpath (module, added)")

    widget.get_by_role("button", name="function").click()  # a kind: only its names remain
    page.wait_for_text(detail, "double (function, added): <function double>")
    assert names.locator("option").all_inner_texts() == ["double"]

    widget.get_by_role("button", name="module").click()
    before = page.wait_for_change(detail, "double (function, added): <function double>")
    assert names.locator("option").all_inner_texts() == ["posixpath", "p"]
    names.select_option("p")  # the other name of the same module object
    shown = page.wait_for_change(detail, before)
    assert shown.startswith("p (module, added): <module 'posixpath'"), shown
    others = shown.partition("; the same module object as ")[2].split(", ")
    assert {"posixpath", "ospath"} <= set(others), shown  # ospath: bound by the cell above
    page.screenshot_of(widget, "namespace-explorer")


INTERACTIONS: dict[str, Callable[[NotebookPage], None]] = {
    "01-namespaces.ipynb": _drive_namespace_explorer,
    "04-module-location.ipynb": lambda page: (_drive_probe_stepper(page), _drive_sys_path_lab(page)),
    "10-landmark-search.ipynb": _drive_startup_explorer,
}


# -- the test ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [p.name for p in iter_notebooks()])
def test_notebook_runs_in_jupyterlab(name: str, lab, chromium) -> None:
    page = NotebookPage(chromium, lab, name).open()
    try:
        cells = page.cells()
        code = [i for i, c in enumerate(cells) if c["type"] == "code"]
        assert page.run_all_above(code[-1]) == "true", page.errors()
        INTERACTIONS.get(name, lambda _page: None)(page)
        assert page.run_cell(code[-1]) == "true", page.errors()

        assert page.unexecuted() == []
        assert page.errors() == []
        cells = page.cells()
        rendered = page.rendered()
        assert len(rendered) == len(cells)
        pictures = 0
        for index, (cell, outputs) in enumerate(zip(cells, rendered, strict=True)):
            for output, shown in zip(cell["outputs"], outputs, strict=True):
                data = output.get("data", {})
                for image in shown.images:  # every image loaded (no broken data: URI)
                    assert image["complete"] and min(image["natural"]) > 0, (index, image)
                if not any(mime in data for mime in IMAGE_TYPES):
                    continue
                pictures += 1
                # run live, the output is trusted: JupyterLab picks the SVG
                assert shown.mime == "image/svg+xml", (index, shown.mime)
                (image,) = shown.images
                assert min(image["natural"]) >= MIN_SIDE, (index, image)
                assert min(image["shown"]) >= MIN_SIDE, (index, image)
        if any("render.dot(" in c["source"] or "%trace_imports" in c["source"] for c in cells):
            assert pictures, "this notebook draws graphs: none showed"
        page.screenshot(name.removesuffix(".ipynb"))
        assert page.dialogs == []
    finally:
        page.close()


def test_closing_a_notebook_stops_its_kernel(lab, chromium) -> None:
    """Each notebook page shuts its kernel down on close: no kernel piles up during the run
    (and the lab fixture checks at the end that no process the server started survives)."""
    before = set(lab.kernel_pids())
    page = NotebookPage(chromium, lab, "00-index.ipynb").open()
    try:
        started = set(lab.kernel_pids()) - before
        assert len(started) == 1, started
    finally:
        page.close()
    deadline = time.monotonic() + 30
    while started & set(lab.kernel_pids()) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not started & set(lab.kernel_pids()), "the kernel outlived its notebook page"
