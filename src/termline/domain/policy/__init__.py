"""Policies: the T&Cs as validated data. Built-in packs live in ``packs/``."""

from termline.domain.policy.policy_file import (
    BUILTIN_PACKS,
    apply_overrides,
    load_pack,
    load_policy_file,
    resolve_policy,
)
from termline.domain.policy.schema import Policy

__all__ = [
    "BUILTIN_PACKS", "Policy", "apply_overrides", "load_pack", "load_policy_file", "resolve_policy",
]
