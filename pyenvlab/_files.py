"""Writing output files atomically: a reader sees the old file or the whole new one, never half,
and a failure never truncates or removes an existing file.

Text goes to a temporary file in the target's directory (so the final rename stays on one file
system), is flushed to disk, and then replaces the target with ``os.replace``. If the target
is a symbolic link, the link itself is replaced by the new file: we never write through a link
into a file somewhere else.

Example:
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> write_text(folder / "out.json", '{"ok": true}\\n').read_text()
    '{"ok": true}\\n'
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["write_text"]


def write_text(path: str | os.PathLike[str], text: str | bytes, *, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically and return the path.

    Raises:
        OSError: when the directory cannot be written (the existing file is untouched).
        UnicodeEncodeError: when ``text`` cannot be encoded (the existing file is untouched).
    """
    import tempfile
    from pathlib import Path

    target = Path(path)
    data = text.encode(encoding) if isinstance(text, str) else text
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


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
