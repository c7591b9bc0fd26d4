"""Reading and writing the files users name: bounded reads, atomic writes.

Writing (:func:`write_text`, used for every output file: JSON, reports, DOT, exports): a reader
sees the old file or the whole new one, never half, and a failure never truncates or removes an
existing file. Text goes to a temporary file in the target's directory (so the final rename
stays on one file system), is flushed to disk, and then replaces the target with
``os.replace``. If the target is a symbolic link, the link itself is replaced by the new file:
we never write through a link into a file somewhere else (the file it pointed to is left as it
was). A target that is, or links to, something other than a regular file (a directory,
``/dev/null``, ``/dev/stdout``, a FIFO) is refused: renaming over it would replace a device or a
link other programs rely on.

Reading (:func:`read_bytes`, used for ``--load`` and ``Document.load``): only regular files, at
most :data:`MAX_READ_BYTES`; a FIFO, ``/dev/zero`` or a terminal is refused at once instead of
blocking or filling memory.

Example:
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> write_text(folder / "out.json", '{"ok": true}\\n').read_text()
    '{"ok": true}\\n'
    >>> read_bytes(folder / "out.json")
    b'{"ok": true}\\n'
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["MAX_READ_BYTES", "read_bytes", "write_text"]

#: The largest file :func:`read_bytes` reads (512 MiB: a trace of about 150,000 modules).
MAX_READ_BYTES = 512 * 2**20


def write_text(path: str | os.PathLike[str], text: str | bytes, *, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically and return the path.

    Raises:
        OSError: when the directory cannot be written, or ``path`` exists and is not a regular
            file or a symbolic link (the existing file is untouched).
        UnicodeEncodeError: when ``text`` cannot be encoded (the existing file is untouched).
    """
    import tempfile
    from pathlib import Path

    target = Path(path)
    data = text.encode(encoding) if isinstance(text, str) else text
    _check_target(target)
    directory = target.parent
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        mode = 0o666 & ~_umask()
        if target.exists() and not target.is_symlink():
            mode = target.stat().st_mode & 0o7777
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
    return target


def _check_target(target: Path) -> None:
    """Refuse to replace anything but a regular file, a dangling link or a link to a regular
    file. A link that leads into ``/proc`` (``/dev/stdout`` is ``/proc/self/fd/1``) stands for
    a stream of this process, whatever it happens to be: it is refused too."""
    import errno
    import stat

    path = os.fspath(target)
    for _ in range(40):  # hops of a chain of links (the kernel's own limit)
        try:
            mode = os.lstat(path).st_mode
        except FileNotFoundError:
            return  # nothing there, or a dangling link (replaced)
        except NotADirectoryError:
            raise OSError(errno.ENOTDIR, "a part of the path is not a directory") from None
        if stat.S_ISREG(mode):
            return
        if not stat.S_ISLNK(mode):
            through = "a symbolic link to " if path != os.fspath(target) else ""
            raise OSError(errno.EEXIST, f"it is {through}{_kind(mode)}, not a regular file")
        path = os.path.join(os.path.dirname(path), os.readlink(path))
        if os.path.realpath(os.path.dirname(path)).startswith("/proc/"):
            msg = "it is a symbolic link to a stream of this process (like /dev/stdout), not a file"
            raise OSError(errno.EEXIST, msg)
    raise OSError(errno.ELOOP, "too many levels of symbolic links")


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def read_bytes(path: str | os.PathLike[str], *, limit: int = MAX_READ_BYTES) -> bytes:
    """The content of the regular file ``path``, which must not exceed ``limit`` bytes.

    The file is opened without blocking and checked before anything is read, so a FIFO, a
    device or a directory is refused at once.

    Raises:
        OSError: the file cannot be opened, is not a regular file (``strerror`` says what it
            is), or is larger than ``limit`` (``errno.EFBIG``).
    """
    import errno
    import stat

    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    try:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode):
            raise OSError(errno.EINVAL, f"it is {_kind(status.st_mode)}, not a regular file")
        too_big = OSError(errno.EFBIG, f"it is larger than the {_size(limit)} pyenvlab reads")
        if status.st_size > limit:
            raise too_big
        chunks = []
        size = 0
        while True:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:  # (it grew while being read)
                raise too_big
        return b"".join(chunks)
    finally:
        os.close(fd)


def _kind(mode: int) -> str:
    import stat

    for test, name in (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def _size(limit: int) -> str:
    if limit >= 2**20 and limit % 2**20 == 0:
        return f"{limit // 2**20} MiB"
    return f"{limit} bytes"
