"""The layering of ``docs``' design, checked from the imports themselves.

Every module of the package is parsed (nothing is imported) and every import in it is
collected: ``import x``, ``from x import y`` (relative ones resolved), at module level *and*
inside functions and classes, plus ``importlib.import_module("x")`` and ``__import__("x")``
calls with a literal name. The rules:

1. the probes (``pyenvlab/_probe/``) run inside any interpreter: they import only the standard
   library, and nothing from pyenvlab;
2. the renderers (``pyenvlab/render/``) import neither IPython, ipywidgets nor the Jupyter layer;
3. the core (everything outside ``pyenvlab/jupyter/``) never imports the Jupyter layer. The one
   exception is the pair of IPython extension hooks in ``pyenvlab/__init__.py``
   (``%load_ext pyenvlab`` looks them up on the top-level package, and they only hand over to
   :mod:`pyenvlab.jupyter`);
4. the renderers take nothing from the top-level package's namespace (its public names load
   lazily, through the rest of the package): ``from pyenvlab import x`` only for a submodule.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "pyenvlab"
#: the standard library, plus CPython's internal test-support extension that the getpath probe
#: uses to reach the frozen getpath code (it ships with the interpreter but is not listed in
#: ``sys.stdlib_module_names``, which leaves test modules out)
STDLIB = frozenset(sys.stdlib_module_names) | {"_testinternalcapi"}
FRONT_ENDS = ("IPython", "ipywidgets", "ipykernel", "pyenvlab.jupyter")
#: (module, enclosing function) pairs allowed to import the Jupyter layer (see rule 3)
EXTENSION_HOOKS = {
    ("pyenvlab", "load_ipython_extension"),
    ("pyenvlab", "unload_ipython_extension"),
}


@dataclass(frozen=True)
class Import:
    """One import found in a module: the absolute module name, where, and in which function."""

    module: str
    line: int
    function: str | None
    #: ``from package import name``: ``module`` is ``package.name``, a submodule or an attribute
    attribute: bool = False

    def within(self, name: str) -> bool:
        """Whether this imports ``name`` or one of its submodules."""
        return self.module == name or self.module.startswith(name + ".")


def module_name(path: Path) -> str:
    """``pyenvlab/render/display.py`` -> ``pyenvlab.render.display`` (packages without ``__init__``)."""
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(source: str, name: str, *, is_package: bool = False) -> list[Import]:
    """Every import in ``source`` (the module ``name``), wherever it is in the module."""
    package = name if is_package else name.rpartition(".")[0]
    found: list[Import] = []

    def visit(node: ast.AST, function: str | None) -> None:
        for child in ast.iter_child_nodes(node):
            inner = function
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                inner = child.name if function is None else function
            if isinstance(child, ast.Import):
                found.extend(Import(alias.name, child.lineno, function) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = package.split(".")
                    anchor = anchor[: len(anchor) - (child.level - 1)]
                    base = ".".join([*anchor, base] if base else anchor)
                found.append(Import(base, child.lineno, function))
                # ``from pyenvlab import jupyter`` imports the submodule pyenvlab.jupyter
                found.extend(
                    Import(f"{base}.{alias.name}", child.lineno, function, attribute=True)
                    for alias in child.names
                )
            elif isinstance(child, ast.Call) and _imports_by_name(child):
                found.append(Import(child.args[0].value, child.lineno, function))  # type: ignore[attr-defined]
            visit(child, inner)

    visit(ast.parse(source), None)
    return found


def _imports_by_name(call: ast.Call) -> bool:
    func = call.func
    named = (isinstance(func, ast.Attribute) and func.attr == "import_module") or (
        isinstance(func, ast.Name) and func.id in ("import_module", "__import__")
    )
    return (
        named
        and bool(call.args)
        and isinstance(call.args[0], ast.Constant)
        and isinstance(call.args[0].value, str)
    )


def package_imports() -> dict[Path, list[Import]]:
    """Every module of the package and its imports."""
    modules = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        modules[path] = imports_of(source, module_name(path), is_package=path.name == "__init__.py")
    return modules


def _where(path: Path, imp: Import) -> str:
    inside = f" (in {imp.function}())" if imp.function else ""
    return f"{path.relative_to(PACKAGE.parent)}:{imp.line} imports {imp.module}{inside}"


def probe_violations(modules: dict[Path, list[Import]]) -> list[str]:
    """Rule 1: probes import the standard library only."""
    return [
        _where(path, imp)
        for path, imports in modules.items()
        if "_probe" in path.relative_to(PACKAGE).parts
        for imp in imports
        if imp.module.split(".")[0] not in STDLIB or imp.within("pyenvlab")
    ]


def render_violations(modules: dict[Path, list[Import]]) -> list[str]:
    """Rule 2: renderers know no front end."""
    return [
        _where(path, imp)
        for path, imports in modules.items()
        if path.relative_to(PACKAGE).parts[0] == "render"
        for imp in imports
        if any(imp.within(name) for name in FRONT_ENDS)
    ]


def core_violations(modules: dict[Path, list[Import]]) -> list[str]:
    """Rule 3: the core never imports the Jupyter layer (but for the extension hooks)."""
    return [
        _where(path, imp)
        for path, imports in modules.items()
        if path.relative_to(PACKAGE).parts[0] != "jupyter"
        for imp in imports
        if imp.within("pyenvlab.jupyter") and (module_name(path), imp.function) not in EXTENSION_HOOKS
    ]


def top_level_name_violations(modules: dict[Path, list[Import]]) -> list[str]:
    """Rule 4: renderers import submodules of ``pyenvlab``, not its (lazy) attributes."""
    return [
        _where(path, imp)
        for path, imports in modules.items()
        if path.relative_to(PACKAGE).parts[0] == "render"
        for imp in imports
        if imp.attribute and imp.module.rpartition(".")[0] == "pyenvlab" and not _is_submodule(imp.module)
    ]


def _is_submodule(name: str) -> bool:
    path = PACKAGE.parent.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


# -- the rules ---------------------------------------------------------------------------------


def test_probes_import_only_the_standard_library() -> None:
    modules = package_imports()
    assert any("_probe" in path.parts for path in modules)
    assert probe_violations(modules) == []


def test_renderers_import_no_front_end() -> None:
    assert render_violations(package_imports()) == []


def test_the_core_never_imports_the_jupyter_layer() -> None:
    assert core_violations(package_imports()) == []


def test_renderers_take_nothing_from_the_top_level_namespace() -> None:
    assert top_level_name_violations(package_imports()) == []


# -- the checker itself ------------------------------------------------------------------------


def test_imports_are_found_everywhere_in_a_module() -> None:
    source = """
import os, json.decoder as d
from . import sibling
from ..jupyter.magics import PyenvlabMagics
class C:
    def method(self):
        from IPython.display import display
def outer():
    def inner():
        import importlib
        importlib.import_module("ipywidgets")
    __import__("graphviz")
"""
    found = {(i.module, i.function) for i in imports_of(source, "pyenvlab.render.display")}
    assert {
        ("os", None),
        ("json.decoder", None),
        ("pyenvlab.render", None),
        ("pyenvlab.render.sibling", None),
        ("pyenvlab.jupyter.magics", None),
        ("IPython.display", "method"),
        ("importlib", "outer"),
        ("ipywidgets", "outer"),
        ("graphviz", "outer"),
    } <= found


def test_relative_imports_of_a_package_resolve_from_the_package() -> None:
    found = {
        i.module
        for i in imports_of("from . import text\nfrom .. import model\n", "pyenvlab.render", is_package=True)
    }
    assert {"pyenvlab.render", "pyenvlab.render.text", "pyenvlab", "pyenvlab.model"} <= found


@pytest.mark.parametrize(
    ("relative", "source", "rule"),
    [
        ("_probe/bad.py", "def f():\n    import packaging\n", probe_violations),
        ("_probe/bad.py", "from pyenvlab.model import Trace\n", probe_violations),
        ("render/bad.py", "def show():\n    from IPython.display import display\n", render_violations),
        ("render/bad.py", "from pyenvlab import jupyter\n", render_violations),
        ("render/bad.py", "def f():\n    from pyenvlab import __version__\n", top_level_name_violations),
        (
            "anatomy/bad.py",
            "def f():\n    from pyenvlab.jupyter.magics import PyenvlabMagics\n",
            core_violations,
        ),
        ("__init__.py", "def load_ipython_extension(ip):\n    from pyenvlab.jupyter import load\n", None),
    ],
)
def test_each_rule_catches_its_violation(relative: str, source: str, rule) -> None:
    path = PACKAGE / relative
    name = module_name(path)
    modules = {path: imports_of(source, name, is_package=path.name == "__init__.py")}
    assert (
        top_level_name_violations({PACKAGE / "render/ok.py": imports_of("from pyenvlab import model\n", "x")})
        == []
    )
    rules = (probe_violations, render_violations, core_violations, top_level_name_violations)
    if rule is None:  # the extension hooks are the one allowed exception
        assert all(check(modules) == [] for check in rules)
    else:
        assert rule(modules), source
