"""The version of pyenvlab, in a module of its own.

``pyproject.toml`` reads it from here (``[tool.setuptools.dynamic]``), and code that needs the
version (the footer of a report) imports it from here rather than from the top-level package,
whose attributes load lazily.
"""

__version__ = "0.1.0"
