"""Per-contract state of the usage mechanism (immutable, replaced by each step)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class UsageState:
    """Nothing yet: the mechanism adds its fields here."""
