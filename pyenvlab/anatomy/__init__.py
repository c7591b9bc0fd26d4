"""Environment anatomy: what an installed distribution needs, what its compiled parts need from
the system, what a conda environment holds, and how environments are exported and copied.

- :func:`deps` builds the requirement graph of an installed distribution (:class:`DepGraph`);
- :func:`abi` reads the ELF files of a module, extension, distribution or wheel (:class:`AbiReport`);
- :func:`conda_env` reads a conda prefix's ``conda-meta`` (:class:`CondaEnv`);
- :func:`export`, :func:`diff`, :func:`recreate` and :func:`check_relocatable` copy environments.

Heavy work happens inside the functions; importing this package reads no environment.
"""

from __future__ import annotations

from pyenvlab.anatomy.compiled import abi
from pyenvlab.anatomy.conda import conda_env
from pyenvlab.anatomy.dependencies import deps
from pyenvlab.anatomy.envcopy import check_relocatable, diff, export, recreate
from pyenvlab.anatomy.records import (
    AbiFile,
    AbiProblem,
    AbiReport,
    CondaEnv,
    CondaPackage,
    DepEdge,
    DepGraph,
    DiffEntry,
    EnvDiff,
    EnvExport,
    ExportedPackage,
    LibraryResolution,
    RelocationIssue,
    RelocationReport,
    SkippedRequirement,
    SymbolNeed,
    TagCheck,
)

__all__ = [
    "AbiFile",
    "AbiProblem",
    "AbiReport",
    "CondaEnv",
    "CondaPackage",
    "DepEdge",
    "DepGraph",
    "DiffEntry",
    "EnvDiff",
    "EnvExport",
    "ExportedPackage",
    "LibraryResolution",
    "RelocationIssue",
    "RelocationReport",
    "SkippedRequirement",
    "SymbolNeed",
    "TagCheck",
    "abi",
    "check_relocatable",
    "conda_env",
    "deps",
    "diff",
    "export",
    "recreate",
]
