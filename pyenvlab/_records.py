"""Immutable records <-> plain JSON data, with validation that names the bad field.

Every record pyenvlab produces (an import trace, a startup trace, a dependency graph...) is an
immutable class whose fields are annotated with a small vocabulary of types:

``str``, ``int``, ``float``, ``bool``, ``None``, ``Any``, unions of these (``str | None``),
``tuple[X, ...]``, ``tuple[X, Y]``, ``dict[str, X]``, ``Literal[...]`` and other records.

The import-trace records subclass :class:`Record`. We wrote it instead of using
``dataclasses``: an in-process trace must not load modules the traced program did not ask for,
and ``dataclasses`` imports ``inspect`` (``ast``, ``dis``, ``tokenize``...), 24 ms and 17
modules. A record is a class with ``__slots__`` (one slot per field: about half the memory of
a dataclass instance), a generated ``__init__``, ``__eq__``, ``__hash__`` and ``__repr__``, and
no way to assign a field after construction. Records of other kinds may still be frozen
dataclasses: every function here accepts both.

:func:`to_data` turns a record into JSON-ready data (tuples become lists); :func:`from_data`
does the reverse and checks every value against its annotation, raising
:class:`~pyenvlab.errors.TraceFormatError` with the location of the first bad value. Nothing is
ever evaluated or unpickled: annotations are parsed by a small reader of the vocabulary above,
and the input is only compared against them.

Top-level records ("documents") subclass :class:`Document`, which adds a ``format`` name and a
``version`` number to the JSON, ``to_json``/``from_json``, ``save``/``load`` and the Jupyter
display hook (delegated to :mod:`pyenvlab.render`, imported only when something is displayed).

Example:
    >>> class Point(Record):
    ...     x: int
    ...     y: int = 0
    >>> p = Point(1)
    >>> p, p == Point(1, 0), to_data(p)
    (Point(x=1, y=0), True, {'x': 1, 'y': 0})
    >>> from_data(Point, {"x": "one"})
    Traceback (most recent call last):
    ...
    pyenvlab.errors.TraceFormatError: $.x: expected an integer, got "one"
"""

import sys

from pyenvlab._probe.recorder import Opaque
from pyenvlab.errors import TraceFormatError

# Only type checkers read typing and pathlib here: records are created during in-process traces,
# where every module pyenvlab loads is one the traced program would otherwise have loaded itself
# (json and dataclasses, too, are imported inside the functions that need them).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any, ClassVar, TypeVar

    R = TypeVar("R")
    D = TypeVar("D", bound="Document")

__all__ = ["Displayable", "Document", "Field", "Record", "fields", "from_data", "replace", "to_data"]

_MISSING: "Any" = object()


class Field:
    """One field of a record: its name, its annotation (text) and its default."""

    __slots__ = ("annotation", "default", "name")

    def __init__(self, name: str, annotation: str, default: "Any" = _MISSING) -> None:
        self.name = name
        self.annotation = annotation
        self.default = default

    @property
    def required(self) -> bool:
        return self.default is _MISSING

    def __repr__(self) -> str:
        return f"Field({self.name!r}, {self.annotation!r})"


class FrozenRecordError(AttributeError):
    """Raised on an attempt to assign or delete a field of a record."""


class _RecordType(type):
    """Makes record classes: one slot per annotated field, generated methods."""

    def __new__(
        mcs, name: str, bases: "tuple[type, ...]", namespace: "dict[str, Any]", **kwargs: "Any"
    ) -> type:
        inherited: list[Field] = []
        for base in bases:
            inherited.extend(getattr(base, "__record_fields__", ()))
        own = []
        annotations = namespace.get("__annotations__")
        if annotations is None:  # 3.14+: annotations are evaluated lazily (PEP 649)
            annotate = namespace.get("__annotate_func__") or namespace.get("__annotate__")
            annotations = annotate(1) if callable(annotate) else {}
        for field_name, annotation in annotations.items():
            if isinstance(annotation, str):
                text = annotation
            elif isinstance(annotation, type) and getattr(annotation, "__origin__", None) is None:
                text = annotation.__name__  # (on 3.10 tuple[X, ...] passes for a type too)
            else:  # tuple[X, ...], X | None: their text names classes by module path
                text = str(annotation)
            text = text.strip()
            if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
                text = text[1:-1]
            if text.startswith(("ClassVar", "typing.ClassVar")):
                continue
            own.append(Field(field_name, text, namespace.pop(field_name, _MISSING)))
        all_fields = tuple(inherited + own)
        seen_default = False
        for field in all_fields:
            if field.required and seen_default:
                msg = f"{name}: field {field.name!r} without a default follows one with a default"
                raise TypeError(msg)
            seen_default = seen_default or not field.required
        namespace["__slots__"] = tuple(f.name for f in own) + tuple(namespace.pop("__extra_slots__", ()))
        namespace["__record_fields__"] = all_fields
        namespace["__match_args__"] = tuple(f.name for f in all_fields)
        cls = super().__new__(mcs, name, bases, namespace, **kwargs)
        if all_fields or "__init__" not in namespace:
            _generate_methods(cls, all_fields, namespace)
        return cls


def _generate_methods(cls: type, all_fields: "tuple[Field, ...]", namespace: "dict[str, Any]") -> None:
    names = [f.name for f in all_fields]
    env: dict[str, Any] = {"_MISSING": _MISSING}
    params = []
    body = []
    for index, field in enumerate(all_fields):
        if field.required:
            params.append(field.name)
        else:
            env[f"_d{index}"] = field.default
            params.append(f"{field.name}=_d{index}")
        env[f"_s{index}"] = _slot_setter(cls, field.name)
        body.append(f"    _s{index}(self, {field.name})")
    if "__init__" not in namespace:
        source = f"def __init__(self, {', '.join(params)}):\n" + ("\n".join(body) or "    pass") + "\n"
        exec(source, env)  # generated from field names, as dataclasses does
        init = env["__init__"]
        init.__qualname__ = f"{cls.__qualname__}.__init__"
        cls.__init__ = init  # type: ignore[misc]
    values = "(" + "".join(f"self.{n}, " for n in names) + ")"
    others = "(" + "".join(f"other.{n}, " for n in names) + ")"
    source = (
        "def __eq__(self, other):\n"
        "    if other.__class__ is not self.__class__:\n"
        "        return NotImplemented\n"
        f"    return {values} == {others}\n"
        "def __hash__(self):\n"
        f"    return hash({values})\n"
        "def _values(self):\n"
        f"    return {values}\n"
    )
    exec(source, env)
    for method in ("__eq__", "__hash__", "_values"):
        if method not in namespace:
            function = env[method]
            function.__qualname__ = f"{cls.__qualname__}.{method}"
            setattr(cls, method, function)


def _slot_setter(cls: type, name: str) -> "Any":
    for klass in cls.__mro__:
        descriptor = klass.__dict__.get(name)
        if descriptor is not None and hasattr(descriptor, "__set__"):
            return descriptor.__set__
    msg = f"pyenvlab bug: no slot for field {name!r} of {cls.__name__}"
    raise TypeError(msg)


class Record(metaclass=_RecordType):
    """Base class of immutable records (see the module docstring)."""

    __slots__ = ()
    __record_fields__: "ClassVar[tuple[Field, ...]]" = ()

    def __setattr__(self, name: str, value: "Any") -> None:
        msg = f"cannot assign to field {name!r}: {type(self).__name__} records are immutable"
        raise FrozenRecordError(msg)

    def __delattr__(self, name: str) -> None:
        msg = f"cannot delete field {name!r}: {type(self).__name__} records are immutable"
        raise FrozenRecordError(msg)

    def __repr__(self) -> str:
        parts = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in self.__record_fields__)
        return f"{type(self).__name__}({parts})"

    def __reduce__(self) -> "tuple[Any, ...]":
        return (_rebuild, (type(self), tuple(getattr(self, f.name) for f in self.__record_fields__)))

    def __copy__(self) -> "Any":
        return self

    def __replace__(self, **changes: "Any") -> "Any":
        """``copy.replace(record, field=value)`` (3.13+): a copy with some fields changed."""
        return replace(self, **changes)

    def __deepcopy__(self, memo: "Any") -> "Any":
        return self


def _rebuild(cls: "type[R]", values: "tuple[Any, ...]") -> "R":
    return cls(*values)


def _is_dataclass(obj: "Any") -> bool:
    return hasattr(type(obj) if not isinstance(obj, type) else obj, "__dataclass_fields__")


def fields(record: "Any") -> "tuple[Field, ...]":
    """The fields of a record class or instance (dataclasses too), in declaration order."""
    cls = record if isinstance(record, type) else type(record)
    own = getattr(cls, "__record_fields__", None)
    if own is not None:
        return own
    if _is_dataclass(cls):
        import dataclasses

        result = []
        for f in dataclasses.fields(cls):
            if not f.init:
                continue
            if f.default is not dataclasses.MISSING:
                default = f.default
            elif f.default_factory is not dataclasses.MISSING:
                default = f.default_factory()
            else:
                default = _MISSING
            annotation = f.type if isinstance(f.type, str) else getattr(f.type, "__name__", str(f.type))
            result.append(Field(f.name, annotation, default))
        return tuple(result)
    msg = f"{cls.__name__} is not a record"
    raise TypeError(msg)


def replace(record: "R", /, **changes: "Any") -> "R":
    """A copy of ``record`` with some fields changed (like ``dataclasses.replace``)."""
    if _is_dataclass(record):
        import dataclasses

        return dataclasses.replace(record, **changes)  # type: ignore[type-var]
    values = {f.name: getattr(record, f.name) for f in fields(record)}
    unknown = sorted(set(changes) - set(values))
    if unknown:
        msg = f"{type(record).__name__} has no field {unknown[0]!r}"
        raise TypeError(msg)
    values.update(changes)
    return type(record)(**values)


# --------------------------------------------------------------------------------------------
# Records -> data


def to_data(obj: "Any") -> "Any":
    """Return ``obj`` as JSON-ready data: dicts, lists, str, int, float, bool and None."""
    record_fields = getattr(type(obj), "__record_fields__", None)
    if record_fields is not None and not isinstance(obj, type):
        return {f.name: to_data(getattr(obj, f.name)) for f in record_fields}
    kind = type(obj)
    if kind is str or kind is int or kind is float or kind is bool or obj is None:
        return obj
    if kind is Opaque:
        return {"opaque": obj.type_name, "repr": str(obj)}
    if isinstance(obj, (tuple, list)):
        return [to_data(item) for item in obj]
    if isinstance(obj, dict):
        return {key: to_data(value) for key, value in obj.items()}
    if _is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_data(getattr(obj, f.name)) for f in fields(obj)}
    return obj


# --------------------------------------------------------------------------------------------
# Annotations, read without evaluating them


class _Spec:
    """A parsed annotation: ``kind`` plus what it needs (choices, members, a record class)."""

    __slots__ = ("args", "kind")

    def __init__(self, kind: str, args: "Any" = None) -> None:
        self.kind = kind
        self.args = args


_SIMPLE = {
    "str": "str",
    "int": "int",
    "float": "float",
    "bool": "bool",
    "None": "none",
    "Any": "any",
    "object": "any",
}


def _tokens(text: str) -> "list[str]":
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char.isspace():
            i += 1
        elif char in "[],|":
            out.append(char)
            i += 1
        elif char in "'\"":
            end = text.index(char, i + 1)
            out.append(text[i : end + 1])
            i = end + 1
        elif text.startswith("...", i):
            out.append("...")
            i += 3
        else:
            start = i
            while i < len(text) and (text[i].isalnum() or text[i] in "_."):
                i += 1
            if start == i:
                msg = f"cannot read the annotation {text!r}"
                raise TypeError(msg)
            out.append(text[start:i])
    return out


class _AnnotationReader:
    def __init__(self, text: str, scope: "dict[str, Any]") -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.position = 0
        self.scope = scope

    def read(self) -> "_Spec":
        spec = self.union()
        if self.position != len(self.tokens):
            self.fail()
        return spec

    def fail(self) -> "Any":
        msg = f"pyenvlab bug: unsupported annotation {self.text!r}"
        raise TypeError(msg)

    def peek(self) -> str | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        token = self.peek()
        if token is None or (expected is not None and token != expected):
            self.fail()
        self.position += 1
        return token  # type: ignore[return-value]

    def union(self) -> "_Spec":
        members = [self.primary()]
        while self.peek() == "|":
            self.take("|")
            members.append(self.primary())
        return members[0] if len(members) == 1 else _Spec("union", tuple(members))

    def primary(self) -> "_Spec":
        name = self.take()
        short = name.rsplit(".", 1)[-1]
        if self.peek() != "[":
            if short in _SIMPLE:
                return _Spec(_SIMPLE[short])
            return self.resolve(name)
        self.take("[")
        if short == "Literal":
            choices = []
            while True:
                token = self.take()
                if token[0] not in "'\"":
                    self.fail()
                choices.append(token[1:-1])
                if self.peek() != ",":
                    break
                self.take(",")
            self.take("]")
            return _Spec("literal", frozenset(choices))
        args = [self.union()]
        ellipsis = False
        while self.peek() == ",":
            self.take(",")
            if self.peek() == "...":
                self.take("...")
                ellipsis = True
            else:
                args.append(self.union())
        self.take("]")
        if short == "tuple":
            return _Spec("tuple", args[0]) if ellipsis else _Spec("fixed", tuple(args))
        if short == "dict" and len(args) == 2:
            return _Spec("dict", args[1])
        if short == "Optional" and len(args) == 1:
            return _Spec("union", (args[0], _Spec("none")))
        return self.fail()

    def resolve(self, name: str) -> "_Spec":
        # str(tuple[pyenvlab.model.Visit, ...]) spells a class by its module path
        value = self.scope.get(name, self.scope.get(name.rsplit(".", 1)[-1]))
        if isinstance(value, str):  # a type alias spelled as text (see pyenvlab.model)
            return _AnnotationReader(value, self.scope).read()
        if isinstance(value, type) and (
            getattr(value, "__record_fields__", None) is not None or _is_dataclass(value)
        ):
            return _Spec("record", value)
        if value is not None and "typing" in sys.modules:  # a typing alias (Literal[...]) from a module
            import typing

            if typing.get_origin(value) is typing.Literal:
                return _Spec("literal", frozenset(typing.get_args(value)))
        return self.fail()


_spec_cache: "dict[tuple[type, str], _Spec]" = {}


def _field_spec(cls: type, field: "Field") -> "_Spec":
    key = (cls, field.name)
    spec = _spec_cache.get(key)
    if spec is None:
        scope: dict[str, Any] = {}
        for klass in reversed(cls.__mro__):
            module = sys.modules.get(klass.__module__)
            if module is not None:
                scope.update(vars(module))
        spec = _AnnotationReader(field.annotation, scope).read()
        _spec_cache[key] = spec
    return spec


# --------------------------------------------------------------------------------------------
# Data -> records, validated


class _Bad(Exception):
    """A value that does not fit; ``path`` grows as the error travels up to the document."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        self.path: list[str] = []


def from_data(cls: "type[R]", data: "Any", where: str = "$") -> "R":
    """Build the record ``cls`` from JSON data, validating every field.

    Raises:
        TraceFormatError: naming the first field whose value does not fit its annotation,
            a missing field, or a field the format does not have.
    """
    try:
        return _record(cls, data)
    except _Bad as bad:
        raise TraceFormatError(bad.message, where + "".join(reversed(bad.path))) from None


def _describe(value: "Any") -> str:
    import json

    if isinstance(value, (dict, list)):
        return type(value).__name__
    try:
        text = json.dumps(value)
    except (TypeError, ValueError):
        text = type(value).__name__
    return text if len(text) <= 60 else text[:57] + "..."


_EXPECTED = {
    "str": "a string",
    "int": "an integer",
    "float": "a number",
    "bool": "true/false",
    "none": "null",
}


def _name_of(spec: "_Spec") -> str:
    if spec.kind == "record":
        return spec.args.__name__
    if spec.kind == "literal":
        return "one of " + ", ".join(repr(c) for c in sorted(spec.args))
    return _EXPECTED.get(spec.kind, spec.kind)


def _convert(spec: "_Spec", value: "Any") -> "Any":
    kind = spec.kind
    if kind == "str":
        if type(value) is str:
            return value
        if isinstance(value, str):
            return str.__str__(value)
        if type(value) is dict and len(value) == 2 and "opaque" in value and "repr" in value:
            type_name, text = value["opaque"], value["repr"]
            if type(type_name) is str and type(text) is str:
                return Opaque(text, type_name)
        raise _Bad(f"expected a string, got {_describe(value)}")
    if kind == "bool":
        if value is True or value is False:
            return value
        raise _Bad(f"expected true or false, got {_describe(value)}")
    if kind == "int":
        if type(value) is int:
            return value
        raise _Bad(f"expected an integer, got {_describe(value)}")
    if kind == "float":
        kind_of = type(value)
        if kind_of is float or kind_of is int:
            number = float(value)
            if number - number == 0.0:  # finite: inf - inf and nan - nan are nan
                return number
        raise _Bad(f"expected a finite number, got {_describe(value)}")
    if kind == "none":
        if value is None:
            return None
        raise _Bad(f"expected null, got {_describe(value)}")
    if kind == "tuple":
        if type(value) is not list:
            raise _Bad(f"expected a list, got {_describe(value)}")
        item = spec.args
        if item.kind == "record":
            record_cls = item.args
            out = []
            for index, element in enumerate(value):
                try:
                    out.append(_record(record_cls, element))
                except _Bad as bad:
                    bad.path.append(f"[{index}]")
                    raise
            return tuple(out)
        return tuple(_item(item, element, index) for index, element in enumerate(value))
    if kind == "literal":
        if type(value) is str and value in spec.args:
            return value
        raise _Bad(f"expected {_name_of(spec)}, got {_describe(value)}")
    if kind == "union":
        if value is None and any(m.kind == "none" for m in spec.args):
            return None
        errors = []
        for member in spec.args:
            if member.kind == "none":
                continue
            try:
                return _convert(member, value)
            except _Bad as bad:
                errors.append(bad)
        if len(errors) == 1:
            raise errors[0]
        names = " or ".join(_name_of(m) for m in spec.args)
        raise _Bad(f"expected {names}, got {_describe(value)}")
    if kind == "record":
        return _record(spec.args, value)
    if kind == "fixed":
        if type(value) is not list:
            raise _Bad(f"expected a list, got {_describe(value)}")
        if len(value) != len(spec.args):
            raise _Bad(f"expected a list of {len(spec.args)} items, got {len(value)}")
        return tuple(
            _item(member, element, index)
            for index, (member, element) in enumerate(zip(spec.args, value, strict=True))
        )
    if kind == "dict":
        if type(value) is not dict:
            raise _Bad(f"expected an object, got {_describe(value)}")
        out_dict = {}
        for key, element in value.items():
            try:
                out_dict[str(key)] = _convert(spec.args, element)
            except _Bad as bad:
                bad.path.append(f".{key}")
                raise
        return out_dict
    return value  # any


def _item(spec: "_Spec", value: "Any", index: int) -> "Any":
    try:
        return _convert(spec, value)
    except _Bad as bad:
        bad.path.append(f"[{index}]")
        raise


_plans: "dict[type, tuple[tuple[Field, _Spec], ...]]" = {}


def _plan(cls: type) -> "tuple[tuple[Field, _Spec], ...]":
    plan = _plans.get(cls)
    if plan is None:
        plan = tuple((field, _field_spec(cls, field)) for field in fields(cls))
        _plans[cls] = plan
    return plan


def _record(cls: "type[R]", value: "Any") -> "R":
    if type(value) is not dict:
        raise _Bad(f"expected an object ({cls.__name__}), got {_describe(value)}")
    kwargs = {}
    for field, spec in _plan(cls):
        name = field.name
        if name in value:
            try:
                kwargs[name] = _convert(spec, value[name])
            except _Bad as bad:
                bad.path.append(f".{name}")
                raise
        elif field.required:
            raise _Bad(f"missing field {name!r} ({cls.__name__})")
    if len(kwargs) != len(value):
        known = {field.name for field, _ in _plan(cls)}
        unknown = sorted(str(key) for key in value if key not in known)
        if unknown:
            raise _Bad(f"unexpected field {unknown[0]!r} in {cls.__name__}")
    try:
        return cls(**kwargs)
    except (TypeError, ValueError) as exc:  # a __post_init__ check
        raise _Bad(str(exc)) from None


def _reject_constant(name: str) -> "Any":
    msg = f"{name} is not allowed in a trace document"
    raise ValueError(msg)


# --------------------------------------------------------------------------------------------
# Display and documents


class Displayable:
    """Mixin for records that show themselves in Jupyter (tables, then the graph).

    The records hold no rendering code: both methods hand the record to
    :mod:`pyenvlab.render`, which is imported only when something is displayed.
    """

    __slots__ = ()

    def _repr_mimebundle_(self, include: "Any" = None, exclude: "Any" = None) -> "dict[str, Any]":
        from pyenvlab import render  # renderers load only when displayed

        return render.mimebundle(self, include=include, exclude=exclude)

    def _ipython_display_(self) -> None:
        """In IPython: the tables, then the graph as SVG+PNG (shows in untrusted notebooks too)."""
        from pyenvlab._display import ipython_display

        ipython_display(self)


class Document(Displayable):
    """Mixin for top-level records: a versioned JSON document and a Jupyter display.

    Subclasses are records (or frozen dataclasses) that set ``FORMAT`` (e.g.
    ``"pyenvlab.trace"``) and ``VERSION``. The JSON form is
    ``{"format": FORMAT, "version": VERSION, <fields>...}``.
    """

    __slots__ = ()
    FORMAT: "ClassVar[str]"
    VERSION: "ClassVar[int]" = 1

    def to_data(self) -> "dict[str, Any]":
        """Return the document as JSON-ready data, with its format and version."""
        return {"format": self.FORMAT, "version": self.VERSION, **to_data(self)}

    def to_json(self, *, indent: "int | None" = None) -> str:
        """Serialise to JSON text (``Trace.from_json(t.to_json()) == t``).

        Non-ASCII text is written as it is, except lone surrogates (the undecodable bytes of a
        file name, ``"x\\udcff"``), which become ``\\udcff`` escapes: the text always encodes
        to UTF-8 and reads back to the same strings.
        """
        import json

        text = json.dumps(self.to_data(), indent=indent, ensure_ascii=False, allow_nan=False)
        if text.isascii():
            return text
        import re  # (only strings hold a surrogate, and only a JSON escape stands for one)

        return re.sub("[\ud800-\udfff]", lambda match: f"\\u{ord(match.group()):04x}", text)

    @classmethod
    def from_data(cls: "type[D]", data: "Any") -> "D":
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
    def from_json(cls: "type[D]", text: "str | bytes") -> "D":
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

    def save(self, path: "str | Path") -> "Path":
        """Write the JSON document to ``path`` (UTF-8, atomically) and return the path.

        The text goes to a temporary file in the same directory that replaces ``path`` only
        once complete, so a failure never leaves a truncated file behind.
        """
        from pyenvlab._files import write_text

        return write_text(path, self.to_json(indent=1) + "\n")

    @classmethod
    def load(cls: "type[D]", path: "str | Path", *, limit: "int | None" = None) -> "D":
        """Read a document written by :meth:`save`.

        Only a regular file of at most ``limit`` bytes is read (default:
        :data:`pyenvlab._files.MAX_READ_BYTES`, 512 MiB); a FIFO or a device is refused at once.

        Raises:
            OSError: the file cannot be read, is not a regular file, or is too large.
            TraceFormatError: the file is not UTF-8 JSON text of this format.
        """
        from pyenvlab._files import MAX_READ_BYTES, read_bytes

        data = read_bytes(path, limit=MAX_READ_BYTES if limit is None else limit)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            where = f"byte 0x{data[exc.start]:02x} at offset {exc.start}"
            raise TraceFormatError(f"not UTF-8 text ({where})") from None
        return cls.from_json(text)
