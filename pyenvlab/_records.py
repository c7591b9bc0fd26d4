"""Frozen dataclasses <-> plain JSON data, with validation that names the bad field.

Every record pyenvlab produces (an import trace, a startup trace, a dependency graph...) is a
frozen dataclass whose fields are annotated with a small vocabulary of types:

``str``, ``int``, ``float``, ``bool``, ``None``, unions of these (``str | None``),
``tuple[X, ...]``, ``dict[str, X]``, ``Literal[...]`` and other record dataclasses.

:func:`to_data` turns a record into JSON-ready data (tuples become lists); :func:`from_data`
does the reverse and checks every value against its annotation, raising
:class:`~pyenvlab.errors.TraceFormatError` with the location of the first bad value. Nothing is
ever evaluated or unpickled: the input is only compared against the annotations.

Top-level records ("documents") subclass :class:`Document`, which adds a ``format`` name and a
``version`` number to the JSON, ``to_json``/``from_json``, ``save``/``load`` and the Jupyter
display hook (delegated to :mod:`pyenvlab.render`, imported only when something is displayed).
"""

from __future__ import annotations

import dataclasses
import types
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from pyenvlab.errors import TraceFormatError

if TYPE_CHECKING:
    from pathlib import Path

# json, math, typing and pathlib are imported inside the functions that use them: records are
# created during in-process traces, where every module pyenvlab loads is one the user's code
# would otherwise have loaded itself.

__all__ = ["Document", "from_data", "to_data"]

R = TypeVar("R")
D = TypeVar("D", bound="Document")

_hints_cache: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    hints = _hints_cache.get(cls)
    if hints is None:
        import typing

        hints = typing.get_type_hints(cls)
        _hints_cache[cls] = hints
    return hints


def to_data(obj: Any) -> Any:
    """Return ``obj`` as JSON-ready data: dicts, lists, str, int, float, bool and None."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_data(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, (tuple, list)):
        return [to_data(item) for item in obj]
    if isinstance(obj, dict):
        return {key: to_data(value) for key, value in obj.items()}
    return obj


def from_data(cls: type[R], data: Any, where: str = "$") -> R:
    """Build the record ``cls`` from JSON data, validating every field.

    Raises:
        TraceFormatError: naming the first field whose value does not fit its annotation,
            a missing field, or a field the format does not have.
    """
    return _convert(cls, data, where)


def _type_name(tp: Any) -> str:
    if tp is type(None):
        return "null"
    if isinstance(tp, type):
        return {"str": "a string", "int": "an integer", "float": "a number", "bool": "true/false"}.get(
            tp.__name__, tp.__name__
        )
    return str(tp).replace("typing.", "")


def _describe(value: Any) -> str:
    import json

    text = json.dumps(value) if not isinstance(value, (dict, list)) else type(value).__name__
    return text if len(text) <= 60 else text[:57] + "..."


def _convert(tp: Any, value: Any, where: str) -> Any:
    import math
    import typing
    from typing import Literal, Union

    origin = typing.get_origin(tp)
    if tp is Any:
        return value
    if tp is type(None):
        if value is None:
            return None
        raise TraceFormatError(f"expected null, got {_describe(value)}", where)
    if tp is str:
        if isinstance(value, str):
            return value
        raise TraceFormatError(f"expected a string, got {_describe(value)}", where)
    if tp is bool:
        if isinstance(value, bool):
            return value
        raise TraceFormatError(f"expected true or false, got {_describe(value)}", where)
    if tp is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise TraceFormatError(f"expected an integer, got {_describe(value)}", where)
    if tp is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
            return float(value)
        raise TraceFormatError(f"expected a finite number, got {_describe(value)}", where)
    if origin is Literal:
        allowed = typing.get_args(tp)
        if isinstance(value, str) and value in allowed:
            return value
        choices = ", ".join(repr(a) for a in allowed)
        raise TraceFormatError(f"expected one of {choices}, got {_describe(value)}", where)
    if origin in (Union, types.UnionType):
        args = typing.get_args(tp)
        if value is None and type(None) in args:
            return None
        errors = []
        for arg in args:
            if arg is type(None):
                continue
            try:
                return _convert(arg, value, where)
            except TraceFormatError as exc:
                errors.append(exc)
        if len(errors) == 1:
            raise errors[0]
        names = " or ".join(_type_name(a) for a in args)
        raise TraceFormatError(f"expected {names}, got {_describe(value)}", where)
    if origin is tuple:
        if not isinstance(value, list):
            raise TraceFormatError(f"expected a list, got {_describe(value)}", where)
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_convert(args[0], item, f"{where}[{i}]") for i, item in enumerate(value))
        if len(args) != len(value):
            raise TraceFormatError(f"expected a list of {len(args)} items, got {len(value)}", where)
        return tuple(
            _convert(a, item, f"{where}[{i}]") for i, (a, item) in enumerate(zip(args, value, strict=True))
        )
    if origin is dict:
        if not isinstance(value, dict):
            raise TraceFormatError(f"expected an object, got {_describe(value)}", where)
        _, value_type = typing.get_args(tp)
        return {str(k): _convert(value_type, v, f"{where}.{k}") for k, v in value.items()}
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return _convert_record(tp, value, where)
    msg = f"pyenvlab bug: unsupported annotation {tp!r} at {where}"
    raise TypeError(msg)


def _convert_record(cls: type[R], value: Any, where: str) -> R:
    if not isinstance(value, dict):
        raise TraceFormatError(f"expected an object ({cls.__name__}), got {_describe(value)}", where)
    hints = _hints(cls)
    kwargs = {}
    names = set()
    for field in dataclasses.fields(cls):  # type: ignore[arg-type]
        if not field.init:
            continue
        names.add(field.name)
        if field.name not in value:
            if field.default is not dataclasses.MISSING or field.default_factory is not dataclasses.MISSING:
                continue
            raise TraceFormatError(f"missing field {field.name!r} ({cls.__name__})", where)
        kwargs[field.name] = _convert(hints[field.name], value[field.name], f"{where}.{field.name}")
    unknown = sorted(set(value) - names)
    if unknown:
        raise TraceFormatError(f"unexpected field {unknown[0]!r} in {cls.__name__}", where)
    try:
        return cls(**kwargs)
    except (TypeError, ValueError) as exc:  # a __post_init__ check
        raise TraceFormatError(str(exc), where) from None


def _reject_constant(name: str) -> Any:
    msg = f"{name} is not allowed in a trace document"
    raise ValueError(msg)


class Displayable:
    """Mixin for records that show themselves in Jupyter (tables, then the graph).

    The records hold no rendering code: both methods hand the record to
    :mod:`pyenvlab.render`, which is imported only when something is displayed.
    """

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        from pyenvlab import render  # renderers load only when displayed

        return render.mimebundle(self, include=include, exclude=exclude)

    def _ipython_display_(self) -> None:
        """In IPython: the tables, then the graph as SVG+PNG (shows in untrusted notebooks too)."""
        from pyenvlab.render import display

        display.ipython_display(self)


class Document(Displayable):
    """Mixin for top-level records: a versioned JSON document and a Jupyter display.

    Subclasses are frozen dataclasses that set ``FORMAT`` (e.g. ``"pyenvlab.trace"``) and
    ``VERSION``. The JSON form is ``{"format": FORMAT, "version": VERSION, <fields>...}``.
    """

    FORMAT: ClassVar[str]
    VERSION: ClassVar[int] = 1

    def to_data(self) -> dict[str, Any]:
        """Return the document as JSON-ready data, with its format and version."""
        return {"format": self.FORMAT, "version": self.VERSION, **to_data(self)}

    def to_json(self, *, indent: int | None = None) -> str:
        """Serialise to JSON text (``Trace.from_json(t.to_json()) == t``)."""
        import json

        return json.dumps(self.to_data(), indent=indent, ensure_ascii=False, allow_nan=False)

    @classmethod
    def from_data(cls: type[D], data: Any) -> D:
        """Build from JSON data, checking the format name, the version and every field."""
        if not isinstance(data, dict):
            raise TraceFormatError(f"expected a JSON object, got {_describe(data)}")
        fmt = data.get("format")
        if fmt != cls.FORMAT:
            raise TraceFormatError(f"expected format {cls.FORMAT!r}, got {_describe(fmt)}", "$.format")
        version = data.get("version")
        if not isinstance(version, int) or isinstance(version, bool):
            raise TraceFormatError(f"expected an integer version, got {_describe(version)}", "$.version")
        if version > cls.VERSION or version < 1:
            raise TraceFormatError(
                f"version {version} is not supported (this pyenvlab reads {cls.FORMAT} 1 to {cls.VERSION})",
                "$.version",
            )
        body = {k: v for k, v in data.items() if k not in ("format", "version")}
        return from_data(cls, body)

    @classmethod
    def from_json(cls: type[D], text: str | bytes) -> D:
        """Parse JSON text written by :meth:`to_json`.

        Raises:
            TraceFormatError: for text that is not JSON, or JSON that is not this format.
        """
        import json

        try:
            data = json.loads(text, parse_constant=_reject_constant)
        except (ValueError, RecursionError) as exc:
            reason = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc) or type(exc).__name__
            where = f"line {exc.lineno} column {exc.colno}" if isinstance(exc, json.JSONDecodeError) else "$"
            raise TraceFormatError(f"not valid JSON: {reason}", where) from None
        except TypeError:
            raise TraceFormatError(f"expected JSON text, got {type(text).__name__}") from None
        try:
            return cls.from_data(data)
        except RecursionError:
            raise TraceFormatError("the document is nested too deeply") from None

    def save(self, path: str | Path) -> Path:
        """Write the JSON document to ``path`` (UTF-8) and return the path."""
        from pathlib import Path

        target = Path(path)
        target.write_text(self.to_json(indent=1) + "\n", encoding="utf-8")
        return target

    @classmethod
    def load(cls: type[D], path: str | Path) -> D:
        """Read a document written by :meth:`save`."""
        from pathlib import Path

        return cls.from_json(Path(path).read_text(encoding="utf-8"))
