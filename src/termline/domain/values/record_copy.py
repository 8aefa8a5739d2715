"""The fast copy behind `records.replace`: a frozen record with some fields changed, without
`dataclasses.replace`'s overhead.

The daily step builds a new `ContractState` (some thirty fields) several times per contract
day; `dataclasses.replace` re-runs `__init__` with every field as a keyword, which dominated
the step's profile. Records without `__post_init__` or init-less fields are copied field by
field instead: the same value, since their `__init__` only assigns. Others go through
`dataclasses.replace`.

Call it as `termline.domain.values.records.replace`, where mypy checks each call's field names
and value types; here every change is `Any`.
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

T = TypeVar("T")
_set = object.__setattr__


_PLAIN: dict[type[Any], tuple[tuple[str, ...], frozenset[str]] | None] = {}


def _plain_fields(cls: type[Any]) -> tuple[tuple[str, ...], frozenset[str]] | None:
    """The field names of a record that `__init__` only assigns, else None."""
    if cls in _PLAIN:
        return _PLAIN[cls]
    fields = dataclasses.fields(cls)
    found = None
    if not hasattr(cls, "__post_init__") and all(f.init for f in fields):
        names = tuple(f.name for f in fields)
        found = names, frozenset(names)
    _PLAIN[cls] = found
    return found


def replace(obj: T, /, **changes: Any) -> T:
    cls: type[Any] = type(obj)
    plain = _plain_fields(cls)
    if plain is None:
        return dataclasses.replace(obj, **changes)  # type: ignore[type-var]
    names, known = plain
    if not known.issuperset(changes):
        unknown = sorted(set(changes) - known)
        raise TypeError(f"{cls.__name__} has no field(s) {', '.join(unknown)}")
    new: T = object.__new__(cls)
    if hasattr(obj, "__dict__"):  # no slots: copy the instance dictionary in one go
        fields = new.__dict__
        fields.update(obj.__dict__)
        fields.update(changes)
        return new
    for name in names:
        _set(new, name, changes[name] if name in changes else getattr(obj, name))
    return new
