"""Running a target interpreter with a time limit, leaving no process behind.

Every command that runs another interpreter (``trace_import``, ``startup``, the doctor's
checks) goes through :func:`run_bounded`:

- the child starts in a session of its own, so it and everything it starts form one process
  group;
- its output goes to temporary files, not pipes: a grandchild that keeps a pipe open cannot make
  us wait after the interpreter itself has exited;
- when the time is up, or as soon as the interpreter has exited, the whole group is killed, so
  no process outlives the call;
- failures are :class:`~pyenvlab.errors.InterpreterError` with one readable line.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

__all__ = ["DEFAULT_TIMEOUT", "Completed", "run_bounded"]

#: Seconds a target interpreter may run before pyenvlab stops it (``timeout=`` / ``--timeout``).
DEFAULT_TIMEOUT = 120.0


class Completed:
    """What a bounded run produced: the exit status and the (decoded) output."""

    __slots__ = ("returncode", "stderr", "stdout")

    def __init__(self, returncode: int, stdout: str, stderr: str) -> None:
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr


def run_bounded(
    command: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: str | os.PathLike[str] | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
    what: str | None = None,
) -> Completed:
    """Run ``command`` to completion within ``timeout`` seconds (``None``: no limit).

    Raises:
        InterpreterError: the program cannot be started, or did not finish in time (then it
            and every process it started have been killed).
    """
    import signal
    import subprocess
    import tempfile

    from pyenvlab.errors import InterpreterError

    name = what or os.fspath(command[0])
    if timeout is not None and not timeout > 0:
        msg = f"the timeout must be a positive number of seconds, got {timeout!r}"
        raise InterpreterError(msg)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        try:
            process = subprocess.Popen(
                list(command),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                env=None if env is None else dict(env),
                cwd=cwd,
                start_new_session=True,
            )
        except OSError as exc:
            msg = f"cannot run {name}: {exc.strerror or exc}"
            raise InterpreterError(msg) from None
        try:
            returncode = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(process.pid, signal.SIGKILL)
            process.wait()
            msg = f"{name} did not finish within {timeout:g} s; pyenvlab stopped it and what it started"
            raise InterpreterError(msg) from None
        except BaseException:  # KeyboardInterrupt: stop the child too
            _kill_group(process.pid, signal.SIGKILL)
            process.wait()
            raise
        _kill_group(process.pid, signal.SIGKILL)  # background children of the target, if any
        out.seek(0)
        err.seek(0)
        return Completed(
            returncode,
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
        )


def _kill_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass
