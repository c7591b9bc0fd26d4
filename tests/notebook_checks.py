"""What a workshop cell must not show after Run All: the checks nbval's lax mode does not make.

``pytest --nbval-lax`` runs every notebook top to bottom in a fresh kernel of the interpreter
running the tests (``--nbval-current-env``), exactly as JupyterLab's Run All does, but it fails
only on an error output and compares only the cells marked ``# NBVAL_CHECK_OUTPUT``. An attendee
also sees what it lets through: a traceback printed by a subprocess or a logger, a ``{NAME}``
that was never expanded, raw terminal escapes (``\\x1b[1A\\x1b[2K`` from a newer pip), or a
trace whose own demo module failed to import (the red "Failed imports" table, a FAILED node).

:func:`cell_problems` is pure: it takes the notebook, a cell's index and the outputs that
cell produced in this run, and returns one line per problem. The repository's ``conftest.py``
calls it for every cell nbval executes, so the check costs no second run of the notebooks;
``tests/test_notebooks_run_all.py`` tests it, and that the hook really fails a bad notebook.

A cell may show an error on purpose (the tutorial's typo raising ``AttributeError``): it is
then tagged ``raises-exception`` and the cell's comments or the markdown next to it name the
exception it shows, so the reader is told why.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

TAG = "raises-exception"
ESCAPE = "\x1b"
TRACEBACK = "Traceback (most recent call last)"
#: how the renderers mark a failed trace in text/plain (render/trace_views/text_views.py)
FAILED_IMPORTS = "Failed imports (the importing code may have caught them"
RAISED = "The traced code raised "
#: a failed import made by the traced code itself, not by a library it imported (``subprocess``
#: trying ``msvcrt`` is normal): the text view lists it as "  NAME (imported by __main__): ..."
_OWN_FAILURE = re.compile(
    r"^  (\S+)(?: \(imported by (__main__|<string>)\))?: (\w+(?:Error|Exception|Exit))\b", re.M
)
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_ASSIGNED = re.compile(
    r"^\s*(?:for\s+|def\s+|class\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*(?:(?::[^=\n]+)?=[^=]|\bin\b|\()"
    r"|\bas\s+([A-Za-z_][A-Za-z0-9_]*)",
    re.M,
)


def _texts(output: Mapping[str, Any]) -> Iterable[str]:
    """Every piece of text an output shows (streams, text/* and JSON-free mime data)."""
    if output.get("output_type") == "stream":
        yield str(output.get("text", ""))
    for mime, value in (output.get("data") or {}).items():
        if mime.startswith("text/") or mime == "image/svg+xml":
            yield "".join(value) if isinstance(value, list) else str(value)


def _tags(cell: Mapping[str, Any]) -> list[str]:
    return list((cell.get("metadata") or {}).get("tags") or [])


def _source(cell: Mapping[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def notebook_names(cells: Sequence[Mapping[str, Any]]) -> set[str]:
    """Names a notebook binds in its code cells (``WORK = ...``, ``for d in``, ``def f(``, ``as x``):
    a ``{NAME}`` shown in an output is an unexpanded placeholder only when NAME is one of them.

    >>> sorted(notebook_names([{"cell_type": "code", "source": "WORK = 1\\nfor d in x:\\n    y: int = 2"}]))
    ['WORK', 'd', 'y']
    """
    names: set[str] = set()
    for cell in cells:
        if cell.get("cell_type") == "code":
            names.update(n for pair in _ASSIGNED.findall(_source(cell)) for n in pair if n)
    return names


def explanation_near(cells: Sequence[Mapping[str, Any]], index: int) -> str:
    """The cell's comment lines and the markdown cells right before and after it."""
    parts = [line for line in _source(cells[index]).splitlines() if line.lstrip().startswith("#")]
    for step in (-1, 1):
        near = index + step
        if 0 <= near < len(cells) and cells[near].get("cell_type") == "markdown":
            parts.append(_source(cells[near]))
    return "\n".join(parts)


def cell_problems(
    cells: Sequence[Mapping[str, Any]], index: int, outputs: Sequence[Mapping[str, Any]]
) -> list[str]:
    """What is wrong with the outputs of ``cells[index]`` in this run (empty: nothing).

    >>> code = {"cell_type": "code", "source": "print('ok')", "metadata": {}}
    >>> cell_problems([code], 0, [{"output_type": "stream", "name": "stdout", "text": "ok\\n"}])
    []
    >>> cell_problems([code], 0, [{"output_type": "stream", "name": "stdout", "text": "\\x1b[2Kok"}])
    ["stdout shows a raw terminal escape: '\\\\x1b[2Kok'"]
    """
    cell = cells[index]
    tagged = TAG in _tags(cell)
    explanation = explanation_near(cells, index) if tagged else ""
    names = notebook_names(cells)
    problems: list[str] = []
    shown_failures: list[str] = []
    for output in outputs:
        kind = output.get("output_type")
        where = str(output.get("name", kind))
        if kind == "error":
            ename = str(output.get("ename", ""))
            if not tagged:
                problems.append(f"error output {ename}: {output.get('evalue', '')}")
            else:
                shown_failures.append(ename)
            continue  # an error's traceback is IPython's, coloured on purpose
        for text in _texts(output):
            if ESCAPE in text:
                at = text.index(ESCAPE)
                problems.append(f"{where} shows a raw terminal escape: {text[max(0, at - 20) : at + 12]!r}")
            if TRACEBACK in text:
                (shown_failures if tagged else problems).append(f"{where} shows a printed traceback")
            unexpanded = sorted({n for n in _PLACEHOLDER.findall(text) if n in names})
            if unexpanded:
                problems.append(f"{where} shows unexpanded {', '.join('{' + n + '}' for n in unexpanded)}")
            if where in {"execute_result", "display_data"}:
                failed = _own_failures(text)
                if failed:
                    (shown_failures if tagged else problems).append(
                        f"a trace whose own code failed: {'; '.join(failed)}"
                    )
    if tagged and not _explained(explanation, shown_failures):
        problems.append(
            f"tagged {TAG!r} but neither its comments nor the markdown next to it name what it "
            f"shows ({', '.join(shown_failures) or 'nothing failed'})"
        )
    return problems


def _own_failures(text: str) -> list[str]:
    """The failures a trace's text view shows for the traced code itself."""
    found = []
    if RAISED in text:
        found.append(text[text.index(RAISED) :].splitlines()[0])
    if FAILED_IMPORTS in text:
        section = text[text.index(FAILED_IMPORTS) :]
        found += [f"{name}: {exc}" for name, importer, exc in _OWN_FAILURE.findall(section) if importer]
    return found


def _explained(explanation: str, failures: Sequence[str]) -> bool:
    """A tagged cell is explained when the text near it names each exception it shows."""
    if not failures:
        return False  # tagged, yet nothing failed: the tag (and its story) is stale
    words = set(re.findall(r"\w+", explanation))
    for failure in failures:
        names = set(re.findall(r"\b\w+(?:Error|Exception|Exit|Interrupt)\b", failure)) or {"traceback"}
        if not names & words and not ("traceback" in names and "traceback" in explanation.lower()):
            return False
    return True


def stored_problems(cell: Mapping[str, Any], outputs: Sequence[Mapping[str, Any]]) -> list[str]:
    """What is wrong with how ``cell`` is committed, given the outputs it produced in this run.

    >>> stored_problems({"outputs": []}, [{"output_type": "stream", "name": "stdout", "text": "x"}])
    ['produced output in this run but is committed without it: run scripts/refresh_notebook_outputs.py']
    """
    if outputs and not cell.get("outputs"):
        return [
            "produced output in this run but is committed without it: run scripts/refresh_notebook_outputs.py"
        ]
    return []
