"""The states of the mechanisms installed through the registry, kept on the contract state.

A built-in mechanism's state is a typed field of `ContractState` (`state.support`); a mechanism
added through the registry brings a frozen dataclass with a default, kept in
`ContractState.extensions` under the mechanism's name and read and replaced through
`ContractState.extension(Kind)` and `ContractState.with_extension(value)`. A state at its
default is not kept: a contract the mechanism never touched stores nothing for it, and a state
stored before the mechanism was installed reads back with its default.

The store's codec (`adapters/sql/codec.py`) encodes the states by name and decodes each with
the kind installed under that name (`kinds()`): `__open_kinds__` is what it asks.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import TypeVar, cast

T = TypeVar("T")

_kinds: Mapping[str, type] = MappingProxyType({})
_defaults: Mapping[type, tuple[str, object]] = MappingProxyType({})


def install_kinds(defaults: Mapping[str, object]) -> None:
    """Set the installed mechanisms' states: mechanism name -> its default state."""
    global _kinds, _defaults
    by_kind = {type(default): (name, default) for name, default in defaults.items()}
    if len(by_kind) != len(defaults):
        raise ValueError("two mechanisms share a state class: each keeps its own")
    _kinds = MappingProxyType({name: type(default) for name, default in defaults.items()})
    _defaults = MappingProxyType(by_kind)


def kinds() -> Mapping[str, type]:
    """The installed state kinds, mechanism name -> class."""
    return _kinds


def slot_of(kind: type[T]) -> tuple[str, T]:
    """The mechanism name a state kind is kept under, and its default."""
    found = _defaults.get(kind)
    if found is None:
        raise LookupError(f"no installed mechanism keeps its state as {kind.__name__}: is it "
                          "in termline.domain.registry.MECHANISMS?")
    return cast(tuple[str, T], found)


class ExtensionStates:
    """The non-default states of the installed mechanisms, by mechanism name (immutable)."""

    __slots__ = ("_by_name",)
    _by_name: dict[str, object]

    def __init__(self, by_name: Mapping[str, object] | None = None) -> None:
        object.__setattr__(self, "_by_name", dict(sorted((by_name or {}).items())))

    @staticmethod
    def __open_kinds__() -> Mapping[str, type]:
        return kinds()

    def get(self, name: str) -> object:
        return self._by_name.get(name)

    def items(self) -> Iterator[tuple[str, object]]:
        return iter(self._by_name.items())

    def replaced(self, name: str, value: object, default: object) -> ExtensionStates:
        """These states with `name`'s replaced (dropped when `value` is its default)."""
        by_name = dict(self._by_name)
        if value == default:
            by_name.pop(name, None)
        else:
            by_name[name] = value
        return ExtensionStates(by_name)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("ExtensionStates is immutable")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ExtensionStates) and self._by_name == other._by_name

    def __hash__(self) -> int:
        return hash(tuple(self._by_name.items()))

    def __bool__(self) -> bool:
        return bool(self._by_name)

    def __repr__(self) -> str:
        return f"ExtensionStates({self._by_name!r})"

    def __reduce__(self) -> tuple[type[ExtensionStates], tuple[dict[str, object]]]:
        return (ExtensionStates, (self._by_name,))


NO_STATES = ExtensionStates()
