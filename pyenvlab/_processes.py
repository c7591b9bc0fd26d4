"""Running a target interpreter with a time limit, leaving no process behind.

Every place that runs another interpreter (``trace_import``, ``startup`` and its tiers, the
doctor's checks, ``deps``/``env`` with ``--python``, ``env recreate``, the demo environments)
goes through :func:`run_bounded`, or :func:`start_bounded` to run several side by side:

- the child starts in a session of its own, so it and everything it starts form one process
  group;
- its output goes to temporary files, not pipes: a grandchild that keeps a pipe open cannot make
  us wait after the interpreter itself has exited;
- when the time is up, or as soon as the interpreter has exited, the whole group is killed, so
  no process outlives the call;
- failures are :class:`~pyenvlab.errors.InterpreterError` with one readable line.

A call that runs several processes one after the other shares one :class:`Deadline` between
them, so ``timeout=`` bounds the whole call, not each step.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import IO

__all__ = [
    "DEFAULT_TIMEOUT",
    "Bounded",
    "Completed",
    "Deadline",
    "check_timeout",
    "run_bounded",
    "start_bounded",
]

#: Seconds a target interpreter may run before pyenvlab stops it (``timeout=`` / ``--timeout``).
DEFAULT_TIMEOUT = 120.0


class Completed:
    """What a bounded run produced: the exit status and the (decoded) output."""

    __slots__ = ("returncode", "stderr", "stdout")

    def __init__(self, returncode: int, stdout: str, stderr: str) -> None:
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr


def check_timeout(timeout: float | None) -> float | None:
    """``timeout`` if it is ``None`` or a positive number of seconds.

    Raises:
        InterpreterError: for zero, a negative number, NaN or something that is not a number.
    """
    from pyenvlab.errors import InterpreterError

    if timeout is None:
        return None
    try:
        valid = not isinstance(timeout, bool) and float(timeout) > 0
    except (TypeError, ValueError):
        valid = False
    if not valid:
        msg = f"the timeout must be a positive number of seconds, got {timeout!r}"
        raise InterpreterError(msg)
    return float(timeout)


class Deadline:
    """A point in time shared by the processes of one call (``None``: no limit).

    ``remaining()`` is what is left for the next process; once it is used up, the next
    :meth:`Bounded.wait` fails at once, naming the whole budget.
    """

    __slots__ = ("end", "timeout")

    def __init__(self, timeout: float | None = DEFAULT_TIMEOUT) -> None:
        import time

        self.timeout = check_timeout(timeout)
        self.end = None if self.timeout is None else time.monotonic() + self.timeout

    def remaining(self) -> float | None:
        """Seconds left (never negative), or ``None`` without a limit."""
        import time

        return None if self.end is None else max(self.end - time.monotonic(), 0.0)

    def timeout_left(self) -> float | None:
        """What is left, as the ``timeout=`` of a call that takes one.

        Raises:
            InterpreterTimeout: nothing is left.
        """
        from pyenvlab.errors import InterpreterTimeout

        left = self.remaining()
        if left is not None and left <= 0:
            msg = f"the {self.timeout:g} s given (--timeout) ran out before the next interpreter could start"
            raise InterpreterTimeout(msg)
        return left


class Bounded:
    """A target process started by :func:`start_bounded`; :meth:`wait` collects it."""

    def __init__(
        self,
        command: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        cwd: str | os.PathLike[str] | None = None,
        what: str | None = None,
        executable: str | None = None,
    ) -> None:
        import subprocess
        import tempfile

        from pyenvlab.errors import InterpreterError

        self.what = what or os.fspath(executable or command[0])
        # closed by wait() or kill(): the files outlive this constructor on purpose
        self._out: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115
        self._err: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115
        try:
            self.process = subprocess.Popen(
                [os.fspath(part) for part in command],
                executable=executable,
                stdin=subprocess.DEVNULL,
                stdout=self._out,
                stderr=self._err,
                env=None if env is None else dict(env),
                cwd=cwd,
                start_new_session=True,
            )
        except (OSError, ValueError) as exc:  # ValueError: a NUL byte in an argument
            self._close()
            detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            msg = f"cannot run {self.what}: {detail}"
            raise InterpreterError(msg) from None

    def wait(self, timeout: float | None = DEFAULT_TIMEOUT, *, budget: float | None = None) -> Completed:
        """Wait at most ``timeout`` seconds for the process, then kill its whole group.

        ``budget`` is the limit to name in the message when ``timeout`` is what is left of a
        :class:`Deadline` (default: ``timeout``).

        Raises:
            InterpreterTimeout: it did not finish in time (it and every process it started have
                been killed).
        """
        import signal
        import subprocess

        from pyenvlab.errors import InterpreterTimeout

        try:
            returncode = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            limit = timeout if budget is None else budget
            msg = f"{self.what} did not finish within {limit:g} s; pyenvlab stopped it and what it started"
            raise InterpreterTimeout(msg) from None
        except BaseException:  # KeyboardInterrupt: stop the child too
            self.kill()
            raise
        _kill_group(self.process.pid, signal.SIGKILL)  # background children of the target, if any
        try:
            return Completed(returncode, _tail(self._out), _tail(self._err))
        finally:
            self._close()

    def kill(self) -> None:
        """Kill the process and everything it started, and reap it."""
        import signal

        _kill_group(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self._close()

    def _close(self) -> None:
        self._out.close()
        self._err.close()


def start_bounded(
    command: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: str | os.PathLike[str] | None = None,
    what: str | None = None,
    executable: str | None = None,
) -> Bounded:
    """Start ``command`` in a process group of its own, its output going to temporary files.

    ``executable`` runs another program than ``command[0]``, which is then only its ``argv[0]``.

    Raises:
        InterpreterError: the program cannot be started.
    """
    return Bounded(command, env=env, cwd=cwd, what=what, executable=executable)


def run_bounded(
    command: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: str | os.PathLike[str] | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
    what: str | None = None,
    executable: str | None = None,
    deadline: Deadline | None = None,
) -> Completed:
    """Run ``command`` to completion within ``timeout`` seconds (``None``: no limit), or within
    what is left of ``deadline`` when one is given (``timeout`` is then ignored).

    Raises:
        InterpreterError: the program cannot be started, or did not finish in time (then it
            and every process it started have been killed).
    """
    if deadline is None:
        deadline = Deadline(timeout)
    process = start_bounded(command, env=env, cwd=cwd, what=what, executable=executable)
    return process.wait(deadline.remaining(), budget=deadline.timeout)


#: the most of a target's stdout or stderr that is kept (its end): a target that prints
#: gigabytes cannot fill pyenvlab's memory
MAX_OUTPUT = 4 * 2**20


def _tail(stream: IO[bytes]) -> str:
    size = stream.seek(0, os.SEEK_END)
    stream.seek(max(size - MAX_OUTPUT, 0))
    return stream.read().decode("utf-8", "replace")


def _kill_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass
