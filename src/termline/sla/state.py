"""Per-contract state of the sla mechanism (immutable, replaced by each step)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SlaState:
    """Nothing yet: the mechanism adds its fields here."""
