"""Per-contract state of the backups mechanism (immutable, replaced by each step)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class BackupState:
    """Nothing yet: the mechanism adds its fields here."""
