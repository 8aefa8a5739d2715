"""A generic JSON codec for the engine's frozen dataclasses, driven by their type hints.

Every mechanism keeps its own sub-state inside `ContractState`; the store must follow them
without a hand-written field list. `encode` walks any value whose type is built from frozen
dataclasses, tuples (variadic or fixed), `X | None` and other unions, `Literal`, enums,
frozensets, `dict[str, V]`, `Decimal`, `date`, `datetime`, `str`, `int`, `bool` and `None`;
`decode(T, data)` rebuilds it from the type alone. Fields equal to their default are left out,
so a state written before a mechanism added a field still loads (the field takes its default).
Unions other than `X | None` are tagged (`[type name, value]`) because the JSON alone would
be ambiguous (a date and a string, a Decimal and a string).
"""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any, Literal, TypeVar, Union, get_args, get_origin, get_type_hints

T = TypeVar("T")
_MISSING = dataclasses.MISSING


class CodecError(TypeError):
    """A value or a JSON document does not fit the type the codec was asked to use."""


@cache
def _fields(cls: type) -> tuple[tuple[str, Any, Any], ...]:
    """(name, type hint, default) of every init field of a dataclass, hints resolved."""
    hints = get_type_hints(cls)
    out = []
    for f in dataclasses.fields(cls):
        if not f.init:
            continue
        if f.default is not _MISSING:
            default: Any = f.default
        elif f.default_factory is not _MISSING:
            default = f.default_factory()
        else:
            default = _MISSING
        out.append((f.name, hints[f.name], default))
    return tuple(out)


def _union_args(tp: Any) -> tuple[Any, ...] | None:
    origin = get_origin(tp)
    if origin is Union or origin is types.UnionType:
        return get_args(tp)
    return None


def _tag(tp: Any) -> str:
    origin = get_origin(tp) or tp
    return getattr(origin, "__name__", str(origin))


def _matches(value: Any, tp: Any) -> bool:
    origin = get_origin(tp)
    if origin is Literal:
        return value in get_args(tp)
    if origin is not None:
        return isinstance(value, origin)
    if tp is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if tp is date:
        return isinstance(value, date) and not isinstance(value, datetime)
    return isinstance(value, tp)


def encode(value: Any, tp: Any = None) -> Any:
    """The JSON-ready form of `value` read as type `tp` (default: the value's own class)."""
    if tp is None:
        tp = type(value)
    if tp is Any:
        raise CodecError("fields typed Any cannot be stored: give them a concrete type")
    union = _union_args(tp)
    if union is not None:
        if value is None and type(None) in union:
            return None
        options = [a for a in union if a is not type(None)]
        if len(options) == 1:
            return encode(value, options[0])
        for option in options:
            if _matches(value, option):
                return [_tag(option), encode(value, option)]
        raise CodecError(f"{value!r} fits none of {tp}")
    origin = get_origin(tp)
    if origin is Literal:
        return value.value if isinstance(value, enum.Enum) else value
    if origin is tuple:
        args = get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return [encode(v, args[0]) for v in value]
        if len(args) != len(value):
            raise CodecError(f"{value!r} does not have the {len(args)} items of {tp}")
        return [encode(v, a) for v, a in zip(value, args, strict=True)]
    if origin is frozenset:
        (arg,) = get_args(tp)
        return sorted((encode(v, arg) for v in value), key=repr)
    if origin is dict:
        key_tp, val_tp = get_args(tp)
        if key_tp is not str:
            return [[encode(k, key_tp), encode(v, val_tp)] for k, v in value.items()]
        return {k: encode(v, val_tp) for k, v in value.items()}
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        if not isinstance(value, tp):
            raise CodecError(f"{value!r} is not a {tp.__name__}")
        out: dict[str, Any] = {}
        for name, hint, default in _fields(tp):
            current = getattr(value, name)
            if default is not _MISSING and current == default:
                continue
            out[name] = encode(current, hint)
        return out
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return value.value
    if tp is Decimal:
        return str(value)
    if tp is datetime:
        return value.isoformat()
    if tp is date:
        return value.isoformat()
    if tp in (str, int, bool, type(None)):
        if not _matches(value, tp):
            raise CodecError(f"{value!r} is not a {tp.__name__}")
        return value
    raise CodecError(f"the store cannot encode type {tp!r}")


def decode(tp: type[T] | Any, data: Any) -> T:
    """Rebuild a value of type `tp` from `encode`'s output."""
    return typing.cast(T, _decode(tp, data))


def _decode(tp: Any, data: Any) -> Any:
    union = _union_args(tp)
    if union is not None:
        if data is None and type(None) in union:
            return None
        options = [a for a in union if a is not type(None)]
        if len(options) == 1:
            return _decode(options[0], data)
        if not (isinstance(data, list) and len(data) == 2):
            raise CodecError(f"a tagged union value [type, value] is expected for {tp}")
        for option in options:
            if _tag(option) == data[0]:
                return _decode(option, data[1])
        raise CodecError(f"{data[0]!r} is none of {tp}")
    origin = get_origin(tp)
    if origin is Literal:
        if data not in get_args(tp):
            raise CodecError(f"{data!r} is not one of {get_args(tp)}")
        return data
    if origin is tuple:
        args = get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_decode(args[0], v) for v in data)
        return tuple(_decode(a, v) for a, v in zip(args, data, strict=True))
    if origin is frozenset:
        return frozenset(_decode(get_args(tp)[0], v) for v in data)
    if origin is dict:
        key_tp, val_tp = get_args(tp)
        if key_tp is not str:
            return {_decode(key_tp, k): _decode(val_tp, v) for k, v in data}
        return {k: _decode(val_tp, v) for k, v in data.items()}
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        if not isinstance(data, dict):
            raise CodecError(f"{tp.__name__} is stored as an object, got {data!r}")
        known = {name: hint for name, hint, _ in _fields(tp)}
        unknown = set(data) - set(known)
        if unknown:
            raise CodecError(f"{tp.__name__} has no field(s) {', '.join(sorted(unknown))}")
        return tp(**{name: _decode(known[name], v) for name, v in data.items()})
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return tp(data)
    if tp is Decimal:
        return Decimal(data)
    if tp is datetime:
        return datetime.fromisoformat(data)
    if tp is date:
        return date.fromisoformat(data)
    if tp in (str, int, bool):
        if not _matches(data, tp):
            raise CodecError(f"{data!r} is not a {tp.__name__}")
        return data
    if tp is type(None):
        return None
    raise CodecError(f"the store cannot decode type {tp!r}")
