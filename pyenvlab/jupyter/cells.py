"""Running the cell of a cell magic through IPython's own machinery.

:func:`run_cell` hands the cell to ``shell.run_cell``, so it runs exactly as the same cell
without the magic would: IPython syntax (``%magics``, ``!commands``), the last expression
displayed, top-level ``await``, tracebacks shown the way IPython shows them. An AST transformer
(registered for that one run, as pyinstrument's magic does) wraps the cell's statements so that
``around.start()`` runs just before the first of them and ``around.stop()`` just after the last,
whatever happens; the last expression is evaluated inside and displayed after:

.. code-block:: python

    try:
        _pyenvlab_cell_.enter()      # around.start()
        import json                  # the cell's statements...
        _pyenvlab_cell_.keep(json.dumps([1]))   # ...its last expression, evaluated here
    except (KeyboardInterrupt, SystemExit) as _pyenvlab_cell_stop_:
        _pyenvlab_cell_.stopped(_pyenvlab_cell_stop_)
    finally:
        _pyenvlab_cell_.exit()       # around.stop()
    _pyenvlab_cell_.value            # displayed by IPython, as the last expression would be

IPython runs each top-level statement of a cell as its own code object: ``enter()`` is inside
the ``try`` so that it is compiled with the cell's statements (if they do not compile, nothing
was started). An interrupt (or ``sys.exit``) is kept and re-raised by the magic after the run,
so the cell fails once, with one traceback, and the tracer has stopped. IPython itself
(compiling the cell, showing a traceback, the display hook) runs outside ``start()``/``stop()``,
so a trace shows the cell's imports only.
"""

from __future__ import annotations

import ast
import io
import tokenize
from dataclasses import dataclass
from typing import Any, Protocol

__all__ = ["CellRun", "check_syntax", "ends_with_semicolon", "run_cell"]

HELPER = "_pyenvlab_cell_"


class Around(Protocol):
    """What runs around the cell's statements (a :class:`pyenvlab.tracing.Tracer`)."""

    def start(self) -> Any: ...  # pragma: no cover - a protocol

    def stop(self) -> Any: ...  # pragma: no cover - a protocol


@dataclass
class CellRun:
    """How the cell ended: ``ran`` is false when IPython could not even start it (a statement
    that parses but does not compile, such as a ``return`` outside a function: IPython has
    shown why, and ``around`` was never started); ``raised`` is ``"ExcType: message"`` when the
    user's code failed (IPython has shown the traceback); ``stopped_by`` the KeyboardInterrupt
    or SystemExit that ended it (the magic re-raises it); ``value`` the last expression's value."""

    ran: bool = True
    raised: str | None = None
    stopped_by: BaseException | None = None
    value: Any = None


class _Helper:
    """The object the wrapped cell calls (in the user namespace only while the cell runs)."""

    def __init__(self, around: Around | None) -> None:
        self.around = around
        self.value: Any = None
        self.stopped_by: BaseException | None = None
        self.entered = False

    def enter(self) -> None:
        self.entered = True
        if self.around is not None:
            self.around.start()

    def exit(self) -> None:
        if self.around is not None:
            self.around.stop()

    def keep(self, value: Any) -> None:
        self.value = value

    def stopped(self, exc: BaseException) -> None:
        self.stopped_by = exc


def _call(method: str, *args: ast.expr) -> ast.stmt:
    call = ast.Call(ast.Attribute(ast.Name(HELPER, ast.Load()), method, ast.Load()), list(args), [])
    return ast.Expr(call)


class _WrapCell(ast.NodeTransformer):
    """Wraps the statements of the first module it sees (a cell the cell runs itself, through
    ``get_ipython().run_cell``, is left alone)."""

    def __init__(self, *, show_last: bool = True) -> None:
        self.done = False
        self.show_last = show_last

    def visit_Module(self, node: ast.Module) -> ast.Module:
        if self.done:
            return node
        self.done = True
        body = list(node.body)
        futures = 0  # ``from __future__`` imports must stay first
        while futures < len(body) and isinstance(body[futures], ast.ImportFrom):
            if body[futures].module != "__future__":  # type: ignore[attr-defined]
                break
            futures += 1
        head, body = body[:futures], body[futures:]
        tail: list[ast.stmt] = []
        if body and isinstance(body[-1], ast.Expr):
            body[-1] = ast.copy_location(_call("keep", body[-1].value), body[-1])
            if self.show_last:
                tail = [ast.Expr(ast.Attribute(ast.Name(HELPER, ast.Load()), "value", ast.Load()))]
        interrupts = ast.Tuple(
            [ast.Name("KeyboardInterrupt", ast.Load()), ast.Name("SystemExit", ast.Load())], ast.Load()
        )
        handler = ast.ExceptHandler(
            type=interrupts,
            name=f"{HELPER}stop_",
            body=[_call("stopped", ast.Name(f"{HELPER}stop_", ast.Load()))],
        )
        # enter() is compiled with the statements: if they do not compile, nothing starts
        wrapped = ast.Try(
            body=[_call("enter"), *body], handlers=[handler], orelse=[], finalbody=[_call("exit")]
        )
        node.body = [*head, wrapped, *tail]
        return ast.fix_missing_locations(node)


def ends_with_semicolon(source: str) -> bool:
    """Whether the last token of ``source`` is ``;`` (IPython then shows no value). IPython
    asks this of the cell in its history, which is the magic's line, not the cell it runs."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError):
        return False
    skipped = (tokenize.ENDMARKER, tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT)
    last = next((t for t in reversed(tokens) if t.type not in skipped), None)
    return last is not None and last.type == tokenize.OP and last.string == ";"


def check_syntax(shell: Any, cell: str) -> SyntaxError | None:
    """The syntax error of ``cell`` (after IPython's own transformations), if it has one."""
    try:
        source = shell.transform_cell(cell)
        compile(source, "<cell>", "exec", ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    except SyntaxError as exc:
        return exc
    return None


def run_cell(shell: Any, cell: str, *, around: Around | None = None) -> CellRun:
    """Run ``cell`` in ``shell``'s user namespace with ``around`` started just around it."""
    helper = _Helper(around)
    transformer = _WrapCell(show_last=not ends_with_semicolon(cell))
    shell.user_ns[HELPER] = helper
    shell.ast_transformers.append(transformer)
    # the cell this magic runs in fills its result when the magic returns: the nested run_cell
    # resets the display hook's reference to it, so put it back
    outer = getattr(shell.displayhook, "exec_result", None)
    try:
        result = shell.run_cell(cell, store_history=False)
    finally:
        shell.displayhook.exec_result = outer
        if transformer in shell.ast_transformers:
            shell.ast_transformers.remove(transformer)
        if shell.user_ns.get(HELPER) is helper:
            del shell.user_ns[HELPER]
        if helper.entered:
            helper.exit()  # already stopped, unless the cell never reached its finally clause
    error = result.error_in_exec if result is not None else None
    stopped_by = helper.stopped_by
    if stopped_by is None and error is not None and not isinstance(error, Exception):
        stopped_by = error  # an interrupt outside the wrapped statements
    raised = f"{type(error).__name__}: {error}" if isinstance(error, Exception) else None
    return CellRun(ran=helper.entered, raised=raised, stopped_by=stopped_by, value=helper.value)
