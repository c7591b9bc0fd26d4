"""Standard output and standard error of the command line, whatever they are connected to.

A command prints through ``print()`` as usual; while it runs, :func:`guarded` puts a
:class:`Stream` in front of ``sys.stdout`` that turns every way writing can fail into one
:class:`OutputError` (a :class:`~pyenvlab.errors.PyenvlabError`, so the command ends with one
line and exit status 2):

- standard output closed (``>&-``: ``sys.stdout`` is ``None``);
- a full disk or ``/dev/full`` (``ENOSPC``, often only when the buffer is flushed at the end);
- an encoding that cannot show a character (``LANG=C`` without UTF-8 mode, ``PYTHONIOENCODING=ascii``):
  the character is written as a backslash escape instead.

A closed pipe (``| head``) is not an error: the command stops quietly. Afterwards the stream
is pointed at ``/dev/null``, so the interpreter's own flush at exit cannot fail again.
:func:`say` writes one line to standard error the same way (escaped, never raising).
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from collections.abc import Iterator
from typing import Any, TextIO

from pyenvlab.errors import PyenvlabError

__all__ = ["OutputError", "Stream", "guarded", "print_json", "say"]


class OutputError(PyenvlabError):
    """Standard output cannot be written (closed, full, failing)."""


class Stream:
    """A text stream in front of ``sys.stdout`` (``None`` when it is closed)."""

    def __init__(self, inner: TextIO | None) -> None:
        self.inner = inner

    def write(self, text: str) -> int:
        inner = self._open()
        try:
            return inner.write(text)
        except UnicodeEncodeError:
            encoding = getattr(inner, "encoding", None) or "ascii"
            return inner.write(text.encode(encoding, "backslashreplace").decode(encoding))
        except OSError as exc:
            raise _failed(exc) from None

    def flush(self) -> None:
        if self.inner is None:
            return
        try:
            self.inner.flush()
        except OSError as exc:
            raise _failed(exc) from None

    def isatty(self) -> bool:
        try:
            return self.inner is not None and self.inner.isatty()
        except (OSError, ValueError):
            return False

    def _open(self) -> TextIO:
        if self.inner is None:
            raise OutputError("cannot write the output: standard output is closed")
        return self.inner

    def __getattr__(self, name: str) -> Any:  # encoding, fileno, buffer...
        return getattr(self._open(), name)


def _failed(exc: OSError) -> OSError | OutputError:
    if isinstance(exc, BrokenPipeError) or exc.errno == errno.EPIPE:
        return BrokenPipeError(errno.EPIPE, "broken pipe")
    return OutputError(f"cannot write the output: {exc.strerror or exc}")


@contextlib.contextmanager
def guarded() -> Iterator[Stream]:
    """Run the body with ``sys.stdout`` behind a :class:`Stream`; flush it at the end (so a
    full disk is noticed inside the body) and silence the real stream if writing failed."""
    real = sys.stdout
    stream = Stream(real)
    sys.stdout = stream  # type: ignore[assignment]
    try:
        yield stream
        stream.flush()
    except (OutputError, BrokenPipeError):
        _silence(real)
        raise
    finally:
        if sys.stdout is stream:
            sys.stdout = real


def _silence(stream: TextIO | None) -> None:
    """Point a failed standard output at /dev/null: the interpreter flushes it again at exit,
    and a second failure there would print a traceback-like warning."""
    if stream is None:
        return
    try:
        fd = stream.fileno()
    except (OSError, ValueError, AttributeError):
        return
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
    except OSError:
        return
    try:
        os.dup2(devnull, fd)
    except OSError:
        pass
    finally:
        os.close(devnull)


def say(line: str) -> None:
    """Write ``line`` to standard error as one line (control characters escaped); never raise."""
    from pyenvlab.render._escape import term

    stream = sys.stderr
    if stream is None:
        return
    text = term(line) + "\n"
    try:
        try:
            stream.write(text)
        except UnicodeEncodeError:
            encoding = getattr(stream, "encoding", None) or "ascii"
            stream.write(text.encode(encoding, "backslashreplace").decode(encoding))
        stream.flush()
    except (OSError, ValueError):
        pass


def print_json(text: str) -> None:
    """Print JSON text; on a standard output that cannot encode all of it (not UTF-8), with
    every non-ASCII character as a JSON ``\\u`` escape, so it stays valid JSON."""
    encoding = (getattr(sys.stdout, "encoding", None) or "utf-8").lower().replace("_", "-")
    if not text.isascii() and encoding not in ("utf-8", "utf8"):
        import re

        def escape(match: re.Match[str]) -> str:
            code = ord(match.group())
            if code > 0xFFFF:
                code -= 0x10000
                return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
            return f"\\u{code:04x}"

        text = re.sub("[^\x00-\x7f]", escape, text)
    print(text)
