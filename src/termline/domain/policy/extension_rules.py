"""The policy sections of the mechanisms installed beyond the built-in ones.

A built-in mechanism's rules are a typed field of `Policy` (`policy.support`); a mechanism
added through the registry brings its rules as its own pydantic model, read from the policy's
section named after the mechanism. `termline.domain.engine.extension.install` (called by
`termline.domain.registry.bootstrap()`) sets them here; `Policy` validates each such section
with its model and refuses the key as unknown while no installed mechanism claims it.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from pydantic import BaseModel

_sections: Mapping[str, type[BaseModel]] = MappingProxyType({})


def install_sections(sections: Mapping[str, type[BaseModel]]) -> None:
    """Set the extra sections a policy may have: key -> the model of its rules."""
    global _sections
    models = list(sections.values())
    if len(models) != len(set(models)):
        raise ValueError("two mechanisms share a rules model: each names its own")
    _sections = MappingProxyType(dict(sections))


def sections() -> Mapping[str, type[BaseModel]]:
    """The installed extra sections, key -> model."""
    return _sections


def key_of(model: type[BaseModel]) -> str:
    """The policy key whose rules `model` reads."""
    for key, found in _sections.items():
        if found is model:
            return key
    raise LookupError(f"no installed mechanism reads its rules as {model.__name__}: "
                      "is it in termline.domain.registry.MECHANISMS?")
