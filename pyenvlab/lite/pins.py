"""The exact packages a lite site is built from: npm packages by version, wheels by hash.

Pyodide's npm package holds the interpreter and its standard library but none of the packages
its lock file (``pyodide-lock.json``) lists. The JupyterLite kernel always loads ``micropip``,
``ipython``, ``jedi`` and ``packaging`` and their dependencies from that lock file: all of them
are pure-Python wheels that PyPI has at the lock file's versions. pyenvlab adds ``comm`` (the
kernel's widget channel), ``graphviz`` and ``ipywidgets``. Each wheel is pinned here by its
PyPI sha256, which pip checks (``--require-hashes``) when it downloads them.

A new Pyodide pin means new versions here: :func:`pyenvlab.lite.pyodide_dist.prepare` refuses
a lock file whose versions differ from these.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["GRAPHVIZ_WASM", "KERNEL_PACKAGES", "KERNEL_WHEELS", "PYODIDE", "PYODIDE_PYTHON", "Wheel"]

#: the Pyodide core (interpreter, standard library, lock file) on npm
PYODIDE = "pyodide@314.0.8"
#: the CPython version inside it
PYODIDE_PYTHON = "3.14.2"
#: Graphviz compiled to WebAssembly, one ES module (see pyenvlab.render._wasm_graphviz)
GRAPHVIZ_WASM = "@hpcc-js/wasm-graphviz@1.29.2"

#: what the JupyterLite kernel loads from the lock file on every start (with dependencies)
KERNEL_PACKAGES = ("micropip", "ipython", "jedi", "packaging")


class Wheel(NamedTuple):
    """One pure-Python wheel from PyPI: normalised name, exact version, sha256 of the file."""

    name: str
    version: str
    sha256: str

    def requirement(self) -> str:
        """The line of a pip requirements file that pins this wheel by hash."""
        return f"{self.name}=={self.version} --hash=sha256:{self.sha256}"


#: every wheel a site's kernel needs besides pyenvlab itself (PyPI sha256 of each file)
KERNEL_WHEELS = (
    Wheel("asttokens", "3.0.1", "15a3ebc0f43c2d0a50eeafea25e19046c68398e487b9f1f5b517f7c0f40f976a"),
    Wheel("comm", "0.2.3", "c615d91d75f7f04f095b30d1c1711babd43bdc6419c1be9886a85f2f4e489417"),
    Wheel("decorator", "5.2.1", "d316bb415a2d9e2d2b3abcc4084c6502fc09240e292cd76a76afc106a1c8e04a"),
    Wheel("executing", "2.2.1", "760643d3452b4d777d295bb167ccc74c64a81df23fb5e08eff250c425a4b2017"),
    Wheel("graphviz", "0.21", "54f33de9f4f911d7e84e4191749cac8cc5653f815b06738c54db9a15ab8b1e42"),
    Wheel("ipython", "9.12.0", "0f2701e8ee86e117e37f50563205d36feaa259d2e08d4a6bc6b6d74b18ce128d"),
    Wheel("ipywidgets", "8.1.9", "f2b8cbcaae10252b809fbe4d7470db75c09b769a32cbf816d20e5ca6d3c5a79d"),
    Wheel("jedi", "0.19.2", "a8ef22bde8490f57fe5c7681a3c83cb58874daf72b4784de3cce5b6ef6edb5b9"),
    Wheel("matplotlib-inline", "0.2.1", "d56ce5156ba6085e00a9d54fead6ed29a9c47e215cd1bba2e976ef39f5710a76"),
    Wheel("micropip", "0.11.1", "768de165adb8e66906039d8fec4127a57f522dfdf8e6fbff877a4616941ecfd3"),
    Wheel("packaging", "26.1", "5d9c0669c6285e491e0ced2eee587eaf67b670d94a19e94e3984a481aba6802f"),
    Wheel("parso", "0.8.6", "2c549f800b70a5c4952197248825584cb00f033b29c692671d3bf08bf380baff"),
    Wheel("prompt-toolkit", "3.0.52", "9aac639a3bbd33284347de5ad8d68ecc044b91a762dc39b7c21095fcd6a19955"),
    Wheel("pure-eval", "0.2.3", "1db8e35b67b3d218d818ae653e27f06c3aa420901fa7b081ca98cbedc874e0d0"),
    Wheel("pygments", "2.20.0", "81a9e26dd42fd28a23a2d169d86d7ac03b46e2f8b59ed4698fb4785f946d0176"),
    Wheel("six", "1.17.0", "4721f391ed90541fddacab5acf947aa0d3dc7d27b2e1e8eda2be8970586c3274"),
    Wheel("stack-data", "0.6.3", "d5558e0c25a4cb0853cddad3d77da9891a08cb85dd9f9f91b9f8cd66e511e695"),
    Wheel("traitlets", "5.14.3", "b74e89e397b1ed28cc831db7aea759ba6640cb3de13090ca145426688ff1ac4f"),
    Wheel("wcwidth", "0.6.0", "1a3a1e510b553315f8e146c54764f4fb6264ffad731b3d78088cdb1478ffbdad"),
)
