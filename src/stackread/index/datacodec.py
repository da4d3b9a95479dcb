"""stackread's own dataclasses to JSON and back, for the cache: data in, data out, nothing runs.

What a stored value may be is never read from the stored bytes: the caller names the type it
expects (`decode(Trace, data)`), and the decoder follows that type's field annotations down,
building only the dataclasses, enums, lists, tuples and dicts they name from what `json.loads`
gives (dicts, lists, strings, numbers). Anything else in the bytes (another shape, a wrong type,
an unknown enum value, a serialised Python object) is a `DecodeError`, which the cache takes for a miss.

A dataclass is stored as the list of its fields in order (no names: half the size, and faster to
read back); the envelope carries a fingerprint of every field name and type reachable from the
root, so a value written for another layout is refused rather than read into the wrong fields.
Object identity is not kept: two fields holding the same object come back as two equal objects.
"""

from __future__ import annotations

import builtins
import dataclasses
import enum
import functools
import hashlib
import json
import operator
import re
import sys
import types
import typing
from typing import Any, Callable

__all__ = ["DecodeError", "decode", "encode"]

FORMAT = 1  # of the envelope: {"format", "type", "schema", "data"}

_Codec = Callable[[Any], Any]
_PLAIN = (str, int, float, bool, type(None))


class DecodeError(ValueError):
    """The bytes are not a value of the expected type as this code writes it."""


def encode(value: Any) -> bytes:
    """value (an instance of one of stackread's dataclasses) as JSON bytes."""
    cls = type(value)
    data = _codecs(cls)[0](value)
    envelope = {"format": FORMAT, "type": cls.__qualname__, "schema": _schema(cls), "data": data}
    return json.dumps(envelope, separators=(",", ":"), ensure_ascii=False, check_circular=False).encode()


def decode(cls: type, payload: bytes) -> Any:
    """The instance of cls that `encode` wrote as payload; DecodeError for anything else."""
    try:
        envelope = json.loads(payload)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        raise DecodeError(f"not JSON: {exc}") from None
    if not (type(envelope) is dict and envelope.get("format") == FORMAT and envelope.get("type") == cls.__qualname__
            and envelope.get("schema") == _schema(cls) and "data" in envelope):
        raise DecodeError(f"not a stored {cls.__qualname__} of this layout")
    try:
        return _codecs(cls)[1](envelope["data"])
    except (TypeError, ValueError, RecursionError) as exc:  # a constructor or an enum refusing a value
        raise DecodeError(f"malformed {cls.__qualname__}: {exc}") from None


# -- one (encoder, decoder) pair per type, built once from the annotations ------------------------

_CODECS: dict[Any, tuple[_Codec, _Codec]] = {}


def _codecs(tp: Any) -> tuple[_Codec, _Codec]:
    if tp not in _CODECS:
        _CODECS[tp] = _build(tp)
    return _CODECS[tp]


def _build(tp: Any) -> tuple[_Codec, _Codec]:
    if tp is Any:
        return _identity, _plain_json
    if tp in _PLAIN:
        return _identity, _checker(tp)
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (types.UnionType, typing.Union):
        return _union(tp, args)
    if origin is list and len(args) == 1:
        item = _lazy(args[0])
        return (lambda v: [item[0](x) for x in v]), (lambda v: [item[1](x) for x in _of(list, v)])
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        item = _lazy(args[0])
        return (lambda v: [item[0](x) for x in v]), (lambda v: tuple([item[1](x) for x in _of(list, v)]))
    if origin is tuple and args and Ellipsis not in args:  # tuple[str, int]: one codec per position
        items = [_lazy(a) for a in args]

        def decode_fixed(v: Any) -> tuple:
            if type(v) is not list or len(v) != len(items):
                raise DecodeError(f"expected a list of {len(items)}")
            return tuple([item[1](x) for item, x in zip(items, v)])

        return (lambda v: [item[0](x) for item, x in zip(items, v)]), decode_fixed
    if origin is frozenset and len(args) == 1:
        item = _lazy(args[0])
        return ((lambda v: sorted([item[0](x) for x in v], key=repr)),
                (lambda v: frozenset([item[1](x) for x in _of(list, v)])))
    if origin is dict and len(args) == 2 and args[0] is str:
        item = _lazy(args[1])
        return ((lambda v: {k: item[0](x) for k, x in v.items()}),
                (lambda v: {k: item[1](x) for k, x in _of(dict, v).items()}))
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return (lambda v: v.value), tp  # Severity("bogus") raises ValueError: a DecodeError
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return _dataclass(tp)
    raise TypeError(f"datacodec cannot store {tp!r}")  # a programming error, found by the first test


def _lazy(tp: Any) -> list[_Codec]:
    """tp's codecs, looked up on first use: a dataclass may hold a list of itself (Step.children)."""
    cell: list[_Codec] = []

    def encode_item(v: Any) -> Any:
        cell[:] = _codecs(tp)
        return cell[0](v)

    def decode_item(v: Any) -> Any:
        cell[:] = _codecs(tp)
        return cell[1](v)

    cell[:] = [encode_item, decode_item]
    return cell


def _dataclass(cls: type) -> tuple[_Codec, _Codec]:
    hints = _field_types(cls)
    names = [f.name for f in dataclasses.fields(cls) if f.init]
    fields = [(name, _lazy(hints[name])) for name in names]
    count = len(fields)

    def encode_value(value: Any) -> list:
        return [codec[0](getattr(value, name)) for name, codec in fields]

    def decode_value(data: Any) -> Any:
        if type(data) is not list or len(data) != count:
            raise DecodeError(f"a {cls.__qualname__} is a list of {count} fields")
        return cls(*[codec[1](item) for (_name, codec), item in zip(fields, data)])

    return encode_value, decode_value


def _union(tp: Any, args: tuple) -> tuple[_Codec, _Codec]:
    """`X | None` for any X; otherwise only plain JSON types, which JSON itself tells apart."""
    others = [a for a in args if a is not type(None)]
    if len(others) == 1 and len(args) == 2:
        inner = _lazy(others[0])
        return ((lambda v: None if v is None else inner[0](v)),
                (lambda v: None if v is None else inner[1](v)))
    if all(a in _PLAIN for a in args):
        return _identity, _checker(*args)
    raise TypeError(f"datacodec cannot tell the members of {tp!r} apart")


def _checker(*allowed: type) -> _Codec:
    exact = set(allowed) | ({int} if float in allowed else set())  # JSON may write 1.0 as 1

    def check(value: Any) -> Any:
        if type(value) not in exact:
            raise DecodeError(f"expected {' | '.join(t.__name__ for t in allowed)}, found {type(value).__name__}")
        return value

    return check


def _of(kind: type, value: Any) -> Any:
    if type(value) is not kind:
        raise DecodeError(f"expected a {kind.__name__}, found {type(value).__name__}")
    return value


def _identity(value: Any) -> Any:
    return value


def _plain_json(value: Any) -> Any:
    """An `Any` field (trace settings): json.loads only ever makes plain values; kept as read."""
    return value


# -- the layout fingerprint ------------------------------------------------------------------------

_SCHEMAS: dict[type, str] = {}


def _schema(cls: type) -> str:
    """A digest of every field name and annotation reachable from cls: another layout, another digest."""
    if cls not in _SCHEMAS:
        seen: list[str] = []
        todo, done = [cls], set()
        while todo:
            tp = todo.pop()
            if tp in done:
                continue
            done.add(tp)
            if isinstance(tp, type) and dataclasses.is_dataclass(tp):
                hints = _field_types(tp)
                fields = [(f.name, hints[f.name]) for f in dataclasses.fields(tp) if f.init]
                seen.append(f"{tp.__module__}.{tp.__qualname__}(" + ",".join(f"{n}:{t!r}" for n, t in fields) + ")")
                todo += [t for _n, t in fields]
            elif isinstance(tp, type) and issubclass(tp, enum.Enum):
                seen.append(f"{tp.__qualname__}{sorted(m.value for m in tp)!r}")
            else:
                todo += list(typing.get_args(tp))
        _SCHEMAS[cls] = hashlib.sha1("\n".join(sorted(seen)).encode()).hexdigest()[:16]
    return _SCHEMAS[cls]


# -- the annotations, read without compiling them ------------------------------------------------

_TOKEN = re.compile(r"\s*(\.\.\.|[A-Za-z_][\w.]*|[][,|]|'[^']*'|\"[^\"]*\")")


@functools.cache
def _field_types(cls: type) -> dict[str, Any]:
    """{field: type} of a dataclass whose annotations are strings (`from __future__ import
    annotations`). typing.get_type_hints compiles each string, which made reading one flow back
    10 ms slower than the read itself; these few forms are parsed directly instead."""
    fields = dataclasses.fields(cls)
    if not all(isinstance(f.type, str) for f in fields):
        return typing.get_type_hints(cls)  # evaluated annotations, maybe with forward references
    namespace = {**vars(builtins), "Any": Any, **vars(sys.modules[cls.__module__])}
    try:
        return {f.name: _parse_type(f.type, namespace) for f in fields}
    except (KeyError, ValueError, TypeError, IndexError):
        return typing.get_type_hints(cls)  # a form the parser does not know: the slow, general way


def _parse_type(text: str, namespace: dict[str, Any]) -> Any:
    tokens = _TOKEN.findall(text)
    if "".join(tokens) != text.replace(" ", ""):
        raise ValueError(text)
    position = 0

    def union() -> Any:
        nonlocal position
        members = [atom()]
        while position < len(tokens) and tokens[position] == "|":
            position += 1
            members.append(atom())
        return functools.reduce(operator.or_, members)

    def atom() -> Any:
        nonlocal position
        token = tokens[position]
        position += 1
        if token == "...":
            return Ellipsis
        if token[0] in "'\"":
            return _parse_type(token[1:-1], namespace)
        value = namespace[token.split(".")[0]]
        for part in token.split(".")[1:]:
            value = getattr(value, part)
        if value is None:
            value = type(None)
        if position < len(tokens) and tokens[position] == "[":
            position += 1
            args = [union()]
            while tokens[position] == ",":
                position += 1
                args.append(union())
            if tokens[position] != "]":
                raise ValueError(text)
            position += 1
            value = value[tuple(args)] if len(args) > 1 else value[args[0]]
        return value

    result = union()
    if position != len(tokens):
        raise ValueError(text)
    return result
