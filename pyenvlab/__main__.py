"""``python -m pyenvlab`` and the ``pyenvlab`` console script: the command line.

``python -m`` puts the working directory first on ``sys.path``, and ``PYTHONPATH`` comes before
the standard library: the very situations ``pyenvlab doctor`` diagnoses. A ``random.py`` or an
``email/`` there would shadow the standard library for pyenvlab itself (``tempfile`` imports
``random``). So before importing anything that is not already loaded, pyenvlab takes the
working directory off ``sys.path`` and moves the ``PYTHONPATH`` entries behind everything else
(pyenvlab itself, or what it needs, may be installed there). ``doctor`` still examines the
original list: the one ``python -m`` built, or for the console script the one ``python`` would
build here (the working directory instead of the script's directory).

This module imports nothing but ``os`` and ``sys``, which every interpreter has loaded before
it runs any code.
"""

import os
import sys

_original = tuple(sys.path)


def _shield(path: list[str]) -> list[str]:
    """``path`` without the working directory, the ``PYTHONPATH`` entries moved to its end."""
    cwd = os.getcwd() if os.path.isdir(".") else None

    def here(entry: str) -> bool:
        return entry in ("", ".") or (cwd is not None and os.path.abspath(entry) == cwd)

    pythonpath = set()
    if not sys.flags.ignore_environment:
        for entry in os.environ.get("PYTHONPATH", "").split(os.pathsep):
            if entry:
                pythonpath.add(os.path.abspath(entry))
    first = [p for p in path if not here(p) and os.path.abspath(p) not in pythonpath]
    last = [p for p in path if not here(p) and os.path.abspath(p) in pythonpath]
    return first + last


sys.path[:] = _shield(list(sys.path))

from pyenvlab import cli  # noqa: E402

cli.invocation_sys_path = _original


def console() -> int:
    """The ``pyenvlab`` console script: as ``python -m pyenvlab``, and ``doctor`` examines the
    ``sys.path`` that ``python`` started in this directory would have (the working directory
    first, not the script's directory)."""
    if _original and not (sys.flags.isolated or getattr(sys.flags, "safe_path", False)):
        cli.invocation_sys_path = (os.getcwd(), *_original[1:])
    return cli.main()


if __name__ == "__main__":
    sys.exit(cli.main())
