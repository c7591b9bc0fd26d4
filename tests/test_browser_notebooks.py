"""Every workshop notebook, run in JupyterLab in a real browser (headless Chromium).

For each notebook: Run All, as an attendee does, then check through JupyterLab's own model and
DOM that no cell failed or wrote to stderr, that every graph shows as an image of real size,
then drive every explorer widget by clicks and keys and check that it still answers (Run All
also ran the notebook's last cell, which removes its temporary files), that every cell of our
tables is left-aligned as the browser computes it, that no output is cut at its right edge
(it fits or scrolls), and leave a screenshot in ``test-artifacts/browser/``.
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


# -- widget interactions, run after Run All --------------------------------------------------

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
#: what an explorer shows when what it works on is gone (#14: Run All removed it)
BROKEN = ("working directory not found", "No module named", "Traceback")


def _marked_probe(widget) -> str:
    """The probe the stepper marks with ▶ in its highlighted row ('' when none)."""
    rows = widget.locator("tr.current")
    if rows.count() == 0:
        return ""
    text = text_of(rows.first)
    return text.split("▶", 1)[1].split(",")[0].strip() if "▶" in text else ""


def _drive_probe_stepper(page: NotebookPage) -> int:
    at = page.cell_index("ProbeStepper(t")
    cell = page.cell(at)
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
    return at


def _drive_sys_path_lab(page: NotebookPage) -> int:
    at = page.cell_index("SysPathLab(")
    cell = page.cell(at)
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
    return at


def _drive_startup_explorer(page: NotebookPage) -> int:
    at = page.cell_index("StartupExplorer()")
    cell = page.cell(at)
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
        return at
    choice.select_option(label=others[0])
    shown = page.wait_for_change(view, first)
    version = re.search(r"3\.1\d", others[0]).group(0)  # type: ignore[union-attr]
    assert f"Python {version}" in shown, shown[:400]
    page.screenshot_of(widget, "startup-explorer")
    return at


def _drive_namespace_explorer(page: NotebookPage) -> int:
    at = page.cell_index("%%namespace --explore")
    cell = page.cell(at)
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
    return at


#: per notebook, the drivers of its explorers; each returns the index of the cell it operated
INTERACTIONS: dict[str, list[Callable[[NotebookPage], int]]] = {
    "01-namespaces.ipynb": [_drive_namespace_explorer],
    "04-module-location.ipynb": [_drive_probe_stepper, _drive_sys_path_lab],
    "10-landmark-search.ipynb": [_drive_startup_explorer],
}


def _operate_every_explorer(page: NotebookPage, cells: list[dict]) -> None:
    """Drive each explorer of the notebook; every widget output must have a driver."""
    widgets = {i for i, c in enumerate(cells) if any(WIDGET_MIME in o.get("data", {}) for o in c["outputs"])}
    operated = {drive(page) for drive in INTERACTIONS.get(page.name, [])}
    assert operated == widgets, f"explorers in cells {sorted(widgets)}, driven: {sorted(operated)}"
    for index in sorted(operated):
        shown = text_of(page.cell(index).locator(".jp-OutputArea"))
        assert not [b for b in BROKEN if b in shown], (index, shown[:600])


def _check_layout(page: NotebookPage, cells: list[dict]) -> None:
    """Our tables are left-aligned (JupyterLab's stylesheet right-aligns table cells) and no
    output is cut at its right edge: it fits its area, or the area scrolls."""
    layout = page.layout()
    if any(
        'class="pyenvlab"' in "".join(o.get("data", {}).get("text/html", ""))
        for c in cells
        for o in c["outputs"]
    ):
        assert layout["aligns"], "this notebook shows pyenvlab tables: none found in the page"
    # numbers (cells of class "num") are right-aligned on purpose; everything else reads left
    wrong = [a for a in layout["aligns"] if a["align"] != ("right" if a["num"] else "left")]
    assert not wrong, f"{len(wrong)} of {len(layout['aligns'])} table cells not left-aligned: {wrong[:5]}"
    assert layout["clipped"] == [], layout["clipped"][:5]


# -- the test ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [p.name for p in iter_notebooks()])
def test_notebook_runs_in_jupyterlab(name: str, lab, chromium) -> None:
    page = NotebookPage(chromium, lab, name).open()
    try:
        assert page.run_all() == "true", page.errors()  # Run All, the last cell included
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
                # run live, the output is trusted: JupyterLab picks the SVG; a graph too wide
                # to fit the notebook is sent as its PNG alone, at its own size (unconfined)
                if "image/svg+xml" in data:
                    assert shown.mime == "image/svg+xml", (index, shown.mime)
                else:
                    assert shown.mime == "image/png", (index, shown.mime)
                    assert output.get("metadata", {}).get("image/png", {}).get("unconfined"), index
                (image,) = shown.images
                assert min(image["natural"]) >= MIN_SIDE, (index, image)
                assert min(image["shown"]) >= MIN_SIDE, (index, image)
        if any("render.dot(" in c["source"] or "%trace_imports" in c["source"] for c in cells):
            assert pictures, "this notebook draws graphs: none showed"

        _check_layout(page, cells)
        _operate_every_explorer(page, cells)
        assert page.errors() == []  # the explorers' callbacks wrote nothing to stderr
        _check_layout(page, page.cells())  # the explorers' new views too
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
