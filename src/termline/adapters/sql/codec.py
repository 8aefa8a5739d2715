"""A generic JSON codec for the engine's frozen dataclasses, driven by their type hints.

Every mechanism keeps its own sub-state inside `ContractState`; the store must follow them
without a hand-written field list. `encode` walks any value whose type is built from frozen
dataclasses, tuples (variadic or fixed), `X | None` and other unions, `Literal`, enums,
frozensets, `dict[str, V]`, `Decimal`, `date`, `datetime`, `str`, `int`, `bool` and `None`;
`decode(T, data)` rebuilds it from the type alone. Fields equal to their default are left out,
so a state written before a mechanism added a field still loads (the field takes its default).
Unions other than `X | None` are tagged (`[type name, value]`) because the JSON alone would
be ambiguous (a date and a string, a Decimal and a string). A class with `__open_kinds__`
(the states of the mechanisms installed through the registry, `engine/extension_states.py`)
is an object of values by name, each encoded as the kind installed under its name.

The persistent run decodes, steps and re-encodes a state for every contract day it stores, so
the type hints are read once per type: `_encoder(tp)` and `_decoder(tp)` compile a closure per
hint (a dataclass's closes over its fields' compiled codecs) and cache it. A hint the codec
cannot handle compiles to a closure that raises, so the error comes, as before, only when a
value of that type is actually met (a field typed `Any` left at its default still encodes).

Most of a state comes back from its day unchanged: a year-old contract carries a dozen settled
invoices, each decoded and encoded again on every day it is due. A caller that decodes a state
and later encodes its successor may pass the same `Reuse` map to both: `decode` notes each
record it builds with the JSON it was built from, and `encode` gives that JSON back for a
record that is still the very object decoded (records are immutable; identity, not equality,
so a hit is always the record's own source). The text of an unchanged record is then the text
it was read from: the same bytes for what this codec wrote.
"""

from __future__ import annotations

import dataclasses
import enum
import operator
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any, Literal, Protocol, TypeVar, Union, get_args, get_origin, get_type_hints

from mypy_extensions import mypyc_attr

from termline.domain.values.record_build import plan

T = TypeVar("T")
_MISSING = dataclasses.MISSING
_NONE = type(None)

Codec = Callable[[Any], Any]
Reuse = dict[int, tuple[object, object]]
"""The records a `decode` built, by `id`, each with the JSON it was built from."""

# the `Reuse` of the `decode` or `encode` under way, if its caller passed one: a context
# variable, so that another thread's codec (the service's requests beside its scheduler's run)
# neither notes its records in it nor finds them there
_REUSE: ContextVar[Reuse | None] = ContextVar("termline_codec_reuse", default=None)
# read once a record: the bound method, called without looking `get` up each time
_reuse_now: Callable[[], Reuse | None] = _REUSE.get


@mypyc_attr(native_class=False)  # mypyc: no native subclass of this builtin
class CodecError(TypeError):
    """A value or a JSON document does not fit the type the codec was asked to use."""


def encode(value: Any, tp: Any = None, reuse: Reuse | None = None) -> Any:
    """The JSON-ready form of `value` read as type `tp` (default: the value's own class);
    a record that `reuse` holds as decoded gives back the JSON it was decoded from, which the
    caller must not change."""
    hint: Any = type(value) if tp is None else tp
    if not reuse:  # nothing noted, nothing to find: a fresh state's day costs nothing more
        return _encoder(hint)(value)
    return _reusing(reuse, _encoder(hint), value)


def decode(tp: type[T] | Any, data: Any, reuse: Reuse | None = None) -> T:
    """Rebuild a value of type `tp` from `encode`'s output; each record built is noted in
    `reuse` with its part of `data`, which the caller must not change."""
    hint: Any = tp
    if reuse is None or not data:  # an empty object builds nothing worth noting
        return typing.cast(T, _decoder(hint)(data))
    return typing.cast(T, _reusing(reuse, _decoder(hint), data))


def _reusing(reuse: Reuse, codec: Codec, value: object) -> object:
    token = _REUSE.set(reuse)
    try:
        return codec(value)
    finally:
        _REUSE.reset(token)


# -- reading the hints ------------------------------------------------------------------------


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


def _is_dataclass_type(tp: Any) -> bool:
    return dataclasses.is_dataclass(tp) and isinstance(tp, type)


def _tag(tp: Any) -> str:
    origin = get_origin(tp) or tp
    return getattr(origin, "__name__", str(origin))


def _matcher(tp: Any) -> Callable[[Any], bool]:
    """Whether a value belongs to the union member `tp` (bool is no int, datetime no date)."""
    origin = get_origin(tp)
    if origin is Literal:
        allowed = get_args(tp)
        return lambda value: value in allowed
    if origin is not None:
        return lambda value: isinstance(value, origin)
    if tp is int:
        return lambda value: isinstance(value, int) and not isinstance(value, bool)
    if tp is date:
        return lambda value: isinstance(value, date) and not isinstance(value, datetime)
    return lambda value: isinstance(value, tp)


def _raises(message: str) -> Codec:
    def fail(_: Any) -> Any:
        raise CodecError(message)

    return fail


# -- encoding ---------------------------------------------------------------------------------


@cache
def _encoder(tp: Any) -> Codec:
    """The compiled encoder of hint `tp`; the checks run in the order they always have."""
    if tp is None:
        # A bare `None` inside a builtin generic (`tuple[None, int]`) stays unresolved by
        # typing; as an argument it has always meant "the value's own class".
        return lambda value: encode(value)
    if tp is Any:
        return _raises("fields typed Any cannot be stored: give them a concrete type")
    union = _union_args(tp)
    if union is not None:
        return _union_encoder(tp, union)
    origin = get_origin(tp)
    if origin is Literal:
        return _literal_encoder
    if origin is tuple:
        return _tuple_encoder(tp)
    if origin is frozenset:
        return _frozenset_encoder(tp)
    if origin is dict:
        return _dict_encoder(*get_args(tp))
    if _is_dataclass_type(tp):
        return _dataclass_encoder(tp)
    if hasattr(tp, "__open_kinds__"):
        return _open_encoder(tp)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return _enum_encoder
    if tp is Decimal:
        return str
    if tp is datetime or tp is date:
        return _isoformat
    if tp in (str, int, bool, _NONE):
        return _checked(tp)
    return _raises(f"the store cannot encode type {tp!r}")


def _literal_encoder(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value


def _enum_encoder(value: Any) -> Any:
    return value.value


def _isoformat(value: Any) -> Any:
    return value.isoformat()


def _checked(tp: type) -> Codec:
    """The value itself once it is a `tp` (str, int, bool or None; bool is no int): the
    encoder and the decoder of the plain JSON types."""
    name = tp.__name__
    if tp is int:

        def check_int(value: Any) -> Any:
            if value.__class__ is int or (isinstance(value, int) and not isinstance(value, bool)):
                return value
            raise CodecError(f"{value!r} is not a {name}")

        return check_int

    def check(value: Any) -> Any:
        if isinstance(value, tp):
            return value
        raise CodecError(f"{value!r} is not a {name}")

    return check


def _union_encoder(tp: Any, union: tuple[Any, ...]) -> Codec:
    nullable = _NONE in union
    options = [a for a in union if a is not _NONE]
    if len(options) == 1:
        if options[0] is date or options[0] is datetime:
            # The commonest field of all (`date | None`), worth one call less.
            return lambda value: None if value is None else value.isoformat()
        encode_option = _encoder(options[0])
        return lambda value: None if value is None else encode_option(value)
    tagged = tuple((_matcher(a), _tag(a), _encoder(a)) for a in options)

    def encode_tagged(value: Any) -> Any:
        if value is None and nullable:
            return None
        for matches, tag, encode_option in tagged:
            if matches(value):
                return [tag, encode_option(value)]
        raise CodecError(f"{value!r} fits none of {tp}")

    return encode_tagged


def _tuple_encoder(tp: Any) -> Codec:
    args = get_args(tp)
    if len(args) == 2 and args[1] is Ellipsis:
        encode_item = _encoder(args[0])
        return lambda value: [encode_item(v) for v in value]
    encoders = tuple(_encoder(a) for a in args)
    size = len(args)

    def encode_fixed(value: Any) -> Any:
        if len(value) != size:
            raise CodecError(f"{value!r} does not have the {size} items of {tp}")
        return [e(v) for v, e in zip(value, encoders, strict=True)]

    return encode_fixed


def _frozenset_encoder(tp: Any) -> Codec:
    (arg,) = get_args(tp)
    encode_item = _encoder(arg)
    # Sorted so that equal sets always store the same text.
    return lambda value: sorted((encode_item(v) for v in value), key=repr)


def _dict_encoder(key_tp: Any, val_tp: Any) -> Codec:
    encode_value = _encoder(val_tp)
    if key_tp is not str:
        encode_key = _encoder(key_tp)
        return lambda value: [[encode_key(k), encode_value(v)] for k, v in value.items()]
    return lambda value: {k: encode_value(v) for k, v in value.items()}


class _Named(Protocol):
    """A value of a class with `__open_kinds__`: values by name."""

    def items(self) -> Iterable[tuple[str, object]]: ...


def _open_encoder(tp: type) -> Codec:
    # the class's hook, which `type` does not declare
    kinds_of: Callable[[], Mapping[str, type]] = getattr(tp, "__open_kinds__")  # noqa: B009

    def encode_open(value: _Named) -> dict[str, object]:
        kinds = kinds_of()
        out: dict[str, object] = {}
        for name, item in value.items():
            kind = kinds.get(name)
            if kind is None:
                raise CodecError(f"no installed kind {name!r} of {tp.__name__}")
            out[name] = _encoder(kind)(item)
        return out

    return encode_open


def _reader(names: list[str]) -> Callable[[Any], tuple[Any, ...]]:
    """Reads all the named attributes in one C call (`attrgetter` of one name returns the bare
    value, of none cannot be built)."""
    if len(names) > 1:
        return operator.attrgetter(*names)
    if names:
        getter = operator.attrgetter(names[0])
        return lambda value: (getter(value),)
    return lambda value: ()


def _dataclass_encoder(cls: type) -> Codec:
    name = cls.__name__
    # The fields' codecs are compiled on first use, not here, so that a dataclass that refers
    # to itself compiles (its own encoder is cached by then).
    plan: list[tuple[str, Any, Codec]] = []
    read: Callable[[Any], tuple[Any, ...]] = tuple
    compiled = False

    def encode_dataclass(value: Any) -> Any:
        nonlocal compiled, read
        if not isinstance(value, cls):
            raise CodecError(f"{value!r} is not a {name}")
        reuse = _reuse_now()
        if reuse is not None:
            decoded = reuse.get(id(value))
            if decoded is not None and decoded[0] is value:
                return decoded[1]
        if not compiled:
            fields = _fields(cls)
            plan[:] = [(f, d, _encoder(h)) for f, h, d in fields]
            read = _reader([f for f, _, _ in fields])
            compiled = True
        out: dict[str, Any] = {}
        for (field, default, encode_field), current in zip(plan, read(value), strict=True):
            # `is` first: most fields at their default hold the very default object (None,
            # (), an interned literal); `==` decides for the rest (a copied empty sub-state).
            if default is not _MISSING and (current is default or current == default):
                continue
            out[field] = encode_field(current)
        return out

    return encode_dataclass


# -- decoding ---------------------------------------------------------------------------------


@cache
def _decoder(tp: Any) -> Codec:
    """The compiled decoder of hint `tp`; the checks run in the order they always have."""
    union = _union_args(tp)
    if union is not None:
        return _union_decoder(tp, union)
    origin = get_origin(tp)
    if origin is Literal:
        return _literal_decoder(get_args(tp))
    if origin is tuple:
        return _tuple_decoder(get_args(tp))
    if origin is frozenset:
        decode_item = _decoder(get_args(tp)[0])
        return lambda data: frozenset([decode_item(v) for v in data])
    if origin is dict:
        return _dict_decoder(*get_args(tp))
    if _is_dataclass_type(tp):
        return _dataclass_decoder(tp)
    if hasattr(tp, "__open_kinds__"):
        return _open_decoder(tp)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return typing.cast(Codec, tp)
    if tp is Decimal:
        return Decimal
    if tp is datetime:
        return datetime.fromisoformat
    if tp is date:
        return date.fromisoformat
    if tp in (str, int, bool):
        return _checked(tp)
    if tp is _NONE:
        return lambda data: None
    return _raises(f"the store cannot decode type {tp!r}")


def _literal_decoder(allowed: tuple[Any, ...]) -> Codec:
    def decode_literal(data: Any) -> Any:
        if data not in allowed:
            raise CodecError(f"{data!r} is not one of {allowed}")
        return data

    return decode_literal


def _union_decoder(tp: Any, union: tuple[Any, ...]) -> Codec:
    nullable = _NONE in union
    options = [a for a in union if a is not _NONE]
    if len(options) == 1:
        decode_option = _decoder(options[0])
        return lambda data: None if data is None else decode_option(data)
    by_tag: dict[str, Codec] = {}
    for option in options:
        by_tag.setdefault(_tag(option), _decoder(option))

    def decode_tagged(data: Any) -> Any:
        if data is None and nullable:
            return None
        if not (isinstance(data, list) and len(data) == 2):
            raise CodecError(f"a tagged union value [type, value] is expected for {tp}")
        tag = data[0]
        decode_option = by_tag.get(tag) if isinstance(tag, str) else None
        if decode_option is None:
            raise CodecError(f"{tag!r} is none of {tp}")
        return decode_option(data[1])

    return decode_tagged


def _tuple_decoder(args: tuple[Any, ...]) -> Codec:
    if len(args) == 2 and args[1] is Ellipsis:
        decode_item = _decoder(args[0])
        return lambda data: tuple([decode_item(v) for v in data])
    decoders = tuple(_decoder(a) for a in args)
    return lambda data: tuple([d(v) for d, v in zip(decoders, data, strict=True)])


def _dict_decoder(key_tp: Any, val_tp: Any) -> Codec:
    decode_value = _decoder(val_tp)
    if key_tp is not str:
        decode_key = _decoder(key_tp)
        return lambda data: {decode_key(k): decode_value(v) for k, v in data}
    return lambda data: {k: decode_value(v) for k, v in data.items()}


def _open_decoder(tp: type) -> Codec:
    # the class's hook, which `type` does not declare
    kinds_of: Callable[[], Mapping[str, type]] = getattr(tp, "__open_kinds__")  # noqa: B009
    build: Callable[[dict[str, object]], object] = tp

    def decode_open(data: object) -> object:
        if not isinstance(data, dict):
            raise CodecError(f"{tp.__name__} is stored as an object, got {data!r}")
        kinds = kinds_of()
        unknown = sorted(set(data) - set(kinds))
        if unknown:
            raise CodecError(f"{tp.__name__} holds {', '.join(unknown)}, which no installed "
                             "mechanism keeps (is it in termline.domain.registry.MECHANISMS?)")
        return build({name: _decoder(kinds[name])(v) for name, v in data.items()})

    return decode_open


Setter = Callable[[object, object], None]
Fill = list[tuple[str, object, Callable[[], object] | None, Setter | None]]


def _dataclass_decoder(cls: type) -> Codec:
    name = cls.__name__
    # Compiled on first use for the same reason as the encoder's plan.
    decoders: dict[str, Codec] = {}
    known: frozenset[str] = frozenset()
    fill: Fill = []
    required: frozenset[str] = frozenset()
    direct = False
    slotted = False
    compiled = False

    def decode_dataclass(data: Any) -> Any:
        nonlocal known, required, direct, slotted, compiled
        if not isinstance(data, dict):
            raise CodecError(f"{name} is stored as an object, got {data!r}")
        if not compiled:
            decoders.update((f, _decoder(h)) for f, h, _ in _fields(cls))
            known = frozenset(decoders)
            build = plan(cls)
            if build is not None:
                fill[:] = [(f.name, f.default, f.factory, f.set) for f in build.fields]
                required, slotted, direct = build.required, build.slotted, True
            compiled = True
        if not known.issuperset(data):
            unknown = set(data) - known
            raise CodecError(f"{name} has no field(s) {', '.join(sorted(unknown))}")
        values = {f: decoders[f](v) for f, v in data.items()}
        if not direct or not required.issubset(values):
            built = cls(**values)  # a missing field raises as the constructor always did
            noted = _reuse_now()
            if noted is not None:
                noted[id(built)] = (built, data)
            return built
        # A record whose `__init__` only assigns (`record_build.plan`) is built without it:
        # the same object, its fields set in their order (almost half of decoding a state
        # was the frozen `__init__`'s `object.__setattr__` per field).
        new: object = object.__new__(cls)
        if not slotted:
            # the instance dictionary filled in one go, in field order as `__init__` fills it
            new.__dict__.update({
                field: values[field] if field in values
                else default if factory is None else factory()
                for field, default, factory, _ in fill})
        else:
            for field, default, factory, setter in fill:
                assert setter is not None
                setter(new, values[field] if field in values
                       else default if factory is None else factory())
        noted = _reuse_now()
        if noted is not None:
            noted[id(new)] = (new, data)
        return new

    return decode_dataclass
