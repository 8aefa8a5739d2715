"""The fast copy behind `records.replace`: a frozen record with some fields changed, without
`dataclasses.replace`'s overhead.

The daily step builds a new `ContractState` (some thirty fields) several times per contract
day; `dataclasses.replace` re-runs `__init__` with every field as a keyword, which dominated
the step's profile. Records whose `__init__` only assigns (`record_build.plan`, the one place
that decides it) are copied field by field instead: the same value. Others go through
`dataclasses.replace`.

Call it as `termline.domain.values.records.replace`, where mypy checks each call's field names
and value types; here every change is `Any`.
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

from termline.domain.values.record_build import plan

T = TypeVar("T")


def replace(obj: T, /, **changes: Any) -> T:
    cls: type[Any] = type(obj)
    found = plan(cls)
    if found is None:
        return dataclasses.replace(obj, **changes)  # type: ignore[type-var]
    if not found.known.issuperset(changes):
        unknown = sorted(set(changes) - found.known)
        raise TypeError(f"{cls.__name__} has no field(s) {', '.join(unknown)}")
    new: T = object.__new__(cls)
    if not found.slotted:  # copy the instance dictionary in one go
        fields = new.__dict__
        fields.update(obj.__dict__)
        fields.update(changes)
        return new
    for field in found.fields:
        name = field.name
        setter = field.set
        assert setter is not None
        setter(new, changes[name] if name in changes else getattr(obj, name))
    return new
