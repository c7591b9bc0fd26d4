"""The requirement graph of installed distributions, from their metadata.

Reads ``Requires-Dist`` through :mod:`importlib.metadata` and parses it with :mod:`packaging`
(no hand parsing): environment markers are evaluated for this interpreter, extras are followed
(``requests[socks]`` adds the requirements marked ``extra == "socks"``), each edge records the
installed version and whether it satisfies the specifier, and cycles are walked once.

Example:
    >>> g = deps("pytest")                                            # doctest: +SKIP
    >>> sorted({e.child for e in g.children("pytest")})              # doctest: +SKIP
    ['iniconfig', 'packaging', 'pluggy', 'pygments']
"""

from __future__ import annotations

import difflib
import json
import os
import platform
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from importlib import metadata
from typing import Any

from packaging.markers import default_environment
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from pyenvlab._processes import DEFAULT_TIMEOUT, run_bounded
from pyenvlab.anatomy.records import DepEdge, DepGraph, SkippedRequirement
from pyenvlab.errors import InterpreterError, PyenvlabError

__all__ = ["deps", "installed_distributions", "interpreter_facts"]

# Runs inside the target interpreter (any Python 3): its sys.path (without the script/cwd entry)
# and the PEP 508 marker variables, written as JSON to the file named by argv[1].
_FACTS = """
import json, os, platform, sys
impl = sys.implementation
v = impl.version
iver = "%d.%d.%d" % (v.major, v.minor, v.micro)
if v.releaselevel != "final":
    iver += v.releaselevel[0] + str(v.serial)
env = {
    "implementation_name": impl.name, "implementation_version": iver, "os_name": os.name,
    "platform_machine": platform.machine(), "platform_release": platform.release(),
    "platform_system": platform.system(), "platform_version": platform.version(),
    "python_full_version": platform.python_version(),
    "platform_python_implementation": platform.python_implementation(),
    "python_version": ".".join(platform.python_version_tuple()[:2]), "sys_platform": sys.platform,
}
path = [p for p in sys.path[1:] if p]
with open(sys.argv[1], "w") as out:
    json.dump({"path": path, "environment": env, "executable": sys.executable}, out)
"""


def interpreter_facts(
    python: str, *, env: Mapping[str, str] | None = None, timeout: float | None = DEFAULT_TIMEOUT
) -> dict[str, Any]:
    """``{"path": [...], "environment": {...}, "executable": ...}`` of another interpreter: its
    ``sys.path`` as it starts normally (without the current directory) and its marker variables.
    ``env`` is its whole environment (default: ours, so a ``PYTHONPATH`` set here counts).

    Raises:
        InterpreterError: if ``python`` cannot be run, fails, or does not finish within
            ``timeout`` seconds (``InterpreterTimeout``; it is killed).
    """
    from pyenvlab._interpreters import resolve_interpreter

    exe = resolve_interpreter(python, env=env)
    with tempfile.TemporaryDirectory(prefix="pyenvlab-") as tmp:
        out = os.path.join(tmp, "facts.json")
        proc = run_bounded([exe, "-c", _FACTS, out], env=env, cwd=tmp, timeout=timeout, what=python)
        if proc.returncode != 0 or not os.path.exists(out):
            from pyenvlab._interpreters import unsupported

            last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
            too_old = unsupported(exe, (3, 6), what="reads the environments of", env=env)
            raise InterpreterError(too_old or f"{python} failed (exit {proc.returncode}): {last}")
        try:
            with open(out, encoding="utf-8") as stream:
                return json.load(stream)
        except (OSError, ValueError) as exc:
            raise InterpreterError(f"{python} wrote facts pyenvlab cannot read: {exc}") from None


def installed_distributions(path: Sequence[str] | None = None) -> dict[str, metadata.Distribution]:
    """Normalised name -> distribution, the first one along ``path`` (default ``sys.path``) winning,
    as ``importlib.metadata.distribution`` would pick it."""
    found: dict[str, metadata.Distribution] = {}
    kwargs = {"path": list(path)} if path is not None else {}
    for dist in metadata.distributions(**kwargs):
        name = dist.metadata["Name"]
        if name:
            found.setdefault(canonicalize_name(name), dist)
    return found


def _satisfies(req: Requirement, version: str) -> bool:
    try:
        Version(version)
    except InvalidVersion:
        return not req.specifier  # a legacy version matches only "any version"
    return req.specifier.contains(version, prereleases=True)


def _requirements(
    dist: metadata.Distribution, owner: str
) -> tuple[list[Requirement], list[SkippedRequirement]]:
    """The parsed ``Requires-Dist`` lines, and the lines that are not valid requirements."""
    out, invalid = [], []
    for line in dist.requires or ():
        try:
            out.append(Requirement(line))
        except InvalidRequirement as exc:
            invalid.append(SkippedRequirement(owner, line, f"invalid requirement: {exc}"))
    return out, invalid


def _unknown(name: str, index: dict[str, metadata.Distribution]) -> PyenvlabError:
    close = difflib.get_close_matches(canonicalize_name(name), list(index), n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(close)}?" if close else f" ({len(index)} distributions are installed)"
    return PyenvlabError(f"no installed distribution named {name!r}{hint}")


def deps(
    distribution: str,
    *,
    reverse: bool = False,
    path: Sequence[str] | None = None,
    environment: dict[str, str] | None = None,
    python: str | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
) -> DepGraph:
    """The transitive requirement graph of an installed distribution.

    Args:
        distribution: a name, optionally with extras (``"requests[socks]"``).
        reverse: instead of what ``distribution`` needs, show who needs it (transitively).
        path: directories to look for distributions in (default: ``sys.path``).
        environment: marker variables overriding this interpreter's (e.g. ``{"sys_platform": "win32"}``).
        python: inspect the environment of another interpreter (a venv's ``bin/python``): its
            ``sys.path`` and marker variables are asked from it (the metadata is read from here).
        timeout: seconds ``python`` may take to answer (``None``: no limit).

    Raises:
        PyenvlabError: if the distribution is not installed (the message suggests close names).
        InterpreterError: if ``python`` cannot be run or does not answer in time.
    """
    try:
        root_req = Requirement(distribution)
    except InvalidRequirement:
        raise PyenvlabError(f"{distribution!r} is not a distribution name (like 'requests[socks]')") from None
    base_env: dict[str, str] = dict(default_environment())
    if python is not None:
        facts = interpreter_facts(python, timeout=timeout)
        base_env = facts["environment"]
        path = facts["path"] if path is None else path
    index = installed_distributions(path)
    root = canonicalize_name(root_req.name)
    if root not in index:
        raise _unknown(root_req.name, index)
    env: dict[str, str] = {**base_env, **(environment or {})}
    extras = tuple(sorted(canonicalize_name(e) for e in root_req.extras))
    provided = {canonicalize_name(e) for e in index[root].metadata.get_all("Provides-Extra") or ()}
    unknown = [e for e in extras if e not in provided]
    if unknown and not reverse:
        offer = ", ".join(sorted(provided)) or "none"
        raise PyenvlabError(f"{root} has no extra {unknown[0]!r} (it provides: {offer})")
    if reverse:
        edges, skipped, cycles = _reverse(root, index, env)
    else:
        edges, skipped, cycles = _forward(root, extras, index, env)
    versions = {
        name: index[name].version
        for name in {root, *(e.child for e in edges), *(e.parent for e in edges)}
        if name in index
    }
    return DepGraph(
        root=root,
        root_version=index[root].version,
        extras=extras,
        reverse=reverse,
        python=env.get("python_full_version", platform.python_version()),
        edges=tuple(edges),
        skipped=tuple(skipped),
        cycles=tuple(cycles),
        versions=dict(sorted(versions.items())),
    )


def _active(req: Requirement, extras: Iterable[str], env: dict[str, str]) -> tuple[bool, str | None]:
    """Whether ``req`` applies with these extras; and which extra activated it."""
    if req.marker is None:
        return True, None
    if req.marker.evaluate({**env, "extra": ""}):
        return True, None
    for extra in extras:
        if req.marker.evaluate({**env, "extra": extra}):
            return True, extra
    return False, None


def _forward(
    root: str, extras: tuple[str, ...], index: dict[str, metadata.Distribution], env: dict[str, str]
) -> tuple[list[DepEdge], list[SkippedRequirement], list[tuple[str, ...]]]:
    edges: list[DepEdge] = []
    skipped: list[SkippedRequirement] = []
    cycles: list[tuple[str, ...]] = []
    seen_edges: set[tuple[str, str, str]] = set()
    expanded: dict[str, set[str]] = {}  # name -> extras already expanded ("" = the base requirements)

    def visit(name: str, wanted: tuple[str, ...], stack: tuple[str, ...]) -> None:
        done = expanded.setdefault(name, set())
        new = [e for e in ("", *wanted) if e not in done]
        if not new:
            return
        done.update(new)
        requirements, invalid = _requirements(index[name], name)
        if "" in new:
            skipped.extend(invalid)
        for req in requirements:
            active, extra = _active(req, [e for e in new if e], env)
            if not active:
                if "" in new and req.marker is not None and "extra" not in str(req.marker):
                    skipped.append(SkippedRequirement(name, str(req), f"marker false: {req.marker}"))
                continue
            if extra is None and "" not in new:
                continue  # a base requirement, already recorded the first time
            child = canonicalize_name(req.name)
            key = (name, child, str(req))
            child_dist = index.get(child)
            if key not in seen_edges:
                seen_edges.add(key)
                installed = child_dist.version if child_dist is not None else None
                satisfied = installed is not None and _satisfies(req, installed)
                edges.append(DepEdge(name, child, str(req), installed, satisfied, extra))
            if child_dist is None:
                continue
            if child in stack:
                cycle = (*stack[stack.index(child) :], child)
                if cycle not in cycles:
                    cycles.append(cycle)
                continue
            visit(child, tuple(sorted(canonicalize_name(e) for e in req.extras)), (*stack, child))

    visit(root, extras, (root,))
    return edges, skipped, cycles


def _reverse(
    root: str, index: dict[str, metadata.Distribution], env: dict[str, str]
) -> tuple[list[DepEdge], list[SkippedRequirement], list[tuple[str, ...]]]:
    # every active requirement of every installed distribution, without its extras: an installed
    # distribution does not record which of its extras were asked for, and counting them all
    # would list every test and docs extra of the environment
    needed_by: dict[str, list[DepEdge]] = {}
    for name, dist in index.items():
        reqs, _invalid = _requirements(dist, name)
        for req in reqs:
            active, extra = _active(req, (), env)
            if not active:
                continue
            child = canonicalize_name(req.name)
            installed = index[child].version if child in index else None
            satisfied = installed is not None and _satisfies(req, installed)
            needed_by.setdefault(child, []).append(
                DepEdge(name, child, str(req), installed, satisfied, extra)
            )
    edges: list[DepEdge] = []
    cycles: list[tuple[str, ...]] = []
    done: set[str] = set()

    def visit(name: str, stack: tuple[str, ...]) -> None:
        if name in done:
            return
        done.add(name)
        for edge in sorted(needed_by.get(name, ()), key=lambda e: e.parent):
            edges.append(edge)
            if edge.parent in stack:
                cycle = (*stack[stack.index(edge.parent) :], edge.parent)
                if cycle not in cycles:
                    cycles.append(cycle)
                continue
            visit(edge.parent, (*stack, edge.parent))

    visit(root, (root,))
    return edges, [], cycles
