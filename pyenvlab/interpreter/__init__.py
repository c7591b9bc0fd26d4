"""How an interpreter starts: its prefix search, how ``site`` builds sys.path, and the doctor.

:func:`startup` runs the target interpreter's own prefix search (3.11+: the frozen
``getpath`` code object, re-run with recording hooks; older: ``strace`` of a real start) and
the real ``site.main()`` with recording, in subprocesses of that interpreter, and compares
everything with the interpreter's own ``sys.*`` values::

    >>> import pyenvlab
    >>> t = pyenvlab.startup()                                   # doctest: +SKIP
    >>> t.method, t.verified, t.probe_for("prefix").path          # doctest: +SKIP
    ('getpath', True, '/usr/lib/python3.12/os.py')
"""

from __future__ import annotations

from pyenvlab.interpreter.records import (
    Comparison,
    DoctorReport,
    Finding,
    PathEntry,
    PathReport,
    PthFile,
    PthLine,
    SiteStep,
    StartupProbe,
    StartupTrace,
    VenvFile,
    VenvReport,
)
from pyenvlab.interpreter.tracer import FLAGS, path_report, resolve_interpreter, startup

__all__ = [
    "FLAGS",
    "Comparison",
    "DoctorReport",
    "Finding",
    "PathEntry",
    "PathReport",
    "PthFile",
    "PthLine",
    "SiteStep",
    "StartupProbe",
    "StartupTrace",
    "VenvFile",
    "VenvReport",
    "path_report",
    "resolve_interpreter",
    "startup",
]
