"""The exceptions pyenvlab raises on purpose.

Every error we raise for bad input derives from :class:`PyenvlabError`, so the CLI and the
Jupyter magics can turn it into one readable line instead of a traceback.
"""

__all__ = ["InterpreterError", "InterpreterTimeout", "PyenvlabError", "TraceFormatError"]


class PyenvlabError(Exception):
    """Base class of the errors pyenvlab raises for input it cannot use."""


class TraceFormatError(PyenvlabError, ValueError):
    """A trace document is not valid JSON or does not follow the trace format.

    ``field`` is a JSON-path-like location of the offending value (``$.modules[3].origin``).
    """

    def __init__(self, message: str, field: str = "$") -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.reason = message


class InterpreterError(PyenvlabError):
    """A target interpreter is missing, unusable, or failed while being traced."""


class InterpreterTimeout(InterpreterError):
    """A target interpreter did not finish within ``timeout=`` (``--timeout``); it and every
    process it started have been killed."""
