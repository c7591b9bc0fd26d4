"""Which stdlib extension module the ELF/glibc tests read, chosen from what this interpreter has.

A pyenv-built CPython ships ``math`` as ``lib-dynload/math.cpython-3XX-….so``; Debian's python3
compiles ``math`` and ``cmath`` into the interpreter (``sys.builtin_module_names``), so
``abi("math")`` rightly answers "compiled into the interpreter" there. The tests take the first of
these modules that really is a ``.so`` file here, so they check the same ELF reading on any build.
"""

from __future__ import annotations

import importlib.util

from pyenvlab.anatomy.elf import read_elf

# extension modules of the stdlib that link libm, in the order the tutorial's example prefers them
# (math first: on pyenv builds it needs GLIBC_2.29 for exp2/log2/pow)
CANDIDATES = ("math", "cmath", "_decimal", "audioop", "_statistics")


def extension_file(name: str) -> str | None:
    """The ``.so`` file module ``name`` is loaded from, or None (built in, pure Python, absent)."""
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    origin = spec.origin if spec is not None else None
    return origin if origin and origin.endswith(".so") else None


def extension_module() -> str:
    """The first of CANDIDATES that this interpreter loads from a ``.so`` file."""
    for name in CANDIDATES:
        if extension_file(name):
            return name
    raise AssertionError(f"none of {CANDIDATES} is an extension file in this interpreter")


def newest_glibc_need(path: str, *, min_length: int = 0) -> tuple[str, str]:
    """(library, version) of the newest ``GLIBC_2.x`` version ``path`` requires whose name has at
    least ``min_length`` characters, e.g. ("libm.so.6", "GLIBC_2.29") for pyenv's math,
    ("libc.so.6", "GLIBC_2.14") for Debian's _decimal."""

    def key(version: str) -> tuple[int, ...]:
        return tuple(int(part) for part in version[len("GLIBC_") :].split("."))

    needs = [
        (library, version)
        for library, versions in read_elf(path).version_needs.items()
        for version in versions
        if version.startswith("GLIBC_2") and len(version) >= min_length
    ]
    return max(needs, key=lambda need: key(need[1]))
