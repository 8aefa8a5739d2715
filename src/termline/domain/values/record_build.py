"""Frozen records built faster than by their dataclass `__init__`: the same objects.

A frozen dataclass's generated `__init__` sets each field through
`object.__setattr__(self, name, value)`: for `ContractState` (32 fields) or `Item` (19) that
is most of building one, and the daily step, the copy behind `records.replace` and the state
codec build them for every contract day. Where that `__init__` only assigns (the dataclass's
own, no `__post_init__`, every field an init field, none keyword-only), the same object is
built faster: a slotted record through each slot's own descriptor, one with an instance
dictionary through `object.__setattr__` taken once rather than looked up per field (the same
fields in the same order, so equality, hashing, pickling and `vars()` are unchanged).
Assigning to a field afterwards still raises `FrozenInstanceError`: only the class's
`__setattr__` refuses, and neither way goes through it.

`plan` is the one decision "its `__init__` only assigns" (the state codec and `record_copy`
ask it); `assigned` installs the faster `__init__` on such a record, with the signature and
defaults of the one it replaces. This module stays pure Python (it writes the new `__init__`
as source text, as `dataclasses` does).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from types import MemberDescriptorType
from typing import Any, NamedTuple, TypeVar

C = TypeVar("C", bound=type)


class Field(NamedTuple):
    name: str
    default: object
    """The default value, or `dataclasses.MISSING`."""
    factory: Callable[[], object] | None
    set: Callable[[object, object], None] | None
    """The slot's own setter (slotted records), else None."""


class Plan(NamedTuple):
    """How a record whose `__init__` only assigns is built field by field."""

    fields: tuple[Field, ...]
    names: tuple[str, ...]
    known: frozenset[str]
    required: frozenset[str]
    """The fields without a default."""
    slotted: bool
    """Its fields live in slots; else in its instance dictionary."""


_PLANS: dict[type, Plan | None] = {}
_FAST: dict[type, bool] = {}
_INIT_NAME = "__init__"


def _own_init(cls: type) -> bool:
    """Whether `cls.__init__` is the one `dataclasses` wrote (or `assigned` wrote instead)."""
    init = cls.__dict__.get(_INIT_NAME)
    code = getattr(init, "__code__", None)
    # both are made from text, so their code has no file; a class's own one is kept instead
    return code is not None and code.co_filename == "<string>"


def plan(cls: type) -> Plan | None:
    """How to build a `cls` without its `__init__`, if that `__init__` only assigns; else None
    (such a record is built through its constructor)."""
    if cls in _PLANS:
        return _PLANS[cls]
    found = _plan(cls)
    _PLANS[cls] = found
    return found


def _plan(cls: type) -> Plan | None:
    params = getattr(cls, "__dataclass_params__", None)
    if params is None or not params.init or hasattr(cls, "__post_init__") \
            or not _own_init(cls):
        return None
    slotted = cls.__dictoffset__ == 0
    fields: list[Field] = []
    required = []
    for f in dataclasses.fields(cls):
        if not f.init or f.kw_only:
            return None
        setter = None
        if slotted:
            slot = next((vars(k)[f.name] for k in cls.__mro__ if f.name in vars(k)), None)
            if not isinstance(slot, MemberDescriptorType):
                return None
            setter = slot.__set__
        factory = None if f.default_factory is dataclasses.MISSING else f.default_factory
        fields.append(Field(f.name, f.default, factory, setter))
        if f.default is dataclasses.MISSING and factory is None:
            required.append(f.name)
    names = tuple(f.name for f in fields)
    return Plan(tuple(fields), names, frozenset(names), frozenset(required), slotted)


def assigned(cls: C) -> C:
    """Give the frozen record `cls` an `__init__` that builds the same object faster, when its
    own only assigns (see the module's docstring); otherwise leave it as it is."""
    found = plan(cls)
    original = cls.__dict__.get(_INIT_NAME)
    if found is None or original is None:
        return cls
    init = _fast_init(cls, found)
    # the very signature of the one replaced: the same parameters and default objects
    if init.__defaults__ != original.__defaults__ \
            or any(a is not b for a, b in zip(init.__defaults__ or (),
                                                original.__defaults__ or (), strict=True)) \
            or init.__code__.co_varnames[:init.__code__.co_argcount] \
            != original.__code__.co_varnames[:original.__code__.co_argcount]:
        return cls
    init.__qualname__ = original.__qualname__
    init.__module__ = original.__module__
    init.__doc__ = original.__doc__
    init.__annotations__ = dict(original.__annotations__)
    setattr(cls, _INIT_NAME, init)
    _FAST[cls] = True
    return cls


def fast(cls: type) -> bool:
    """Whether `assigned` gave `cls` its faster `__init__`."""
    return _FAST.get(cls, False)


def _fast_init(cls: type, found: Plan) -> Any:
    """The text of the new `__init__`, compiled, as `dataclasses` builds its own."""
    factory_marker: object = dataclasses._HAS_DEFAULT_FACTORY  # type: ignore[attr-defined]
    env: dict[str, object] = {"__marker": factory_marker, "__set": object.__setattr__}
    params = ["self"]
    body = []
    for i, f in enumerate(found.fields):
        value = f.name
        if f.factory is not None:
            env[f"__factory_{i}"] = f.factory
            params.append(f"{f.name}=__marker")
            value = f"__factory_{i}() if {f.name} is __marker else {f.name}"
        elif f.default is not dataclasses.MISSING:
            env[f"__default_{i}"] = f.default
            params.append(f"{f.name}=__default_{i}")
        else:
            params.append(f.name)
        if found.slotted:
            env[f"__set_{i}"] = f.set
            body.append(f"    __set_{i}(self, {value})")
        else:
            # still `object.__setattr__`, now without looking it up for each field: writing
            # `self.__dict__` instead would be faster still, but would make the instance keep a
            # dictionary, and the interpreter reads such an instance's attributes several
            # times slower than those it keeps inline (13 against 80 ns here)
            body.append(f"    __set(self, {f.name!r}, {value})")
    names = ", ".join(env)
    text = (f"def __make({names}):\n"
            f"  def __init__({', '.join(params)}):\n"
            + "\n".join("  " + line for line in body or ["    pass"]) + "\n"
            "  return __init__\n")
    scope: dict[str, Any] = {}
    exec(text, {}, scope)
    return scope["__make"](*env.values())
