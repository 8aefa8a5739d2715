"""Per-contract state of the privacy mechanism (immutable, replaced by each step)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class ForceMajeure:
    """A force-majeure situation: its start, its end once known, and whether the termination
    right it gives has been opened."""

    start: date
    end: date | None = None
    right_opened: bool = False


@dataclass(frozen=True, slots=True)
class PrivacyState:
    """Accepted audit dates and the force-majeure situations of the contract."""

    audits: tuple[date, ...] = ()
    force_majeure: tuple[ForceMajeure, ...] = ()
