"""Per-contract state of the privacy mechanism (immutable, replaced by each step)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from termline.domain.values.record_build import assigned


@dataclass(frozen=True, slots=True)
class ForceMajeure:
    """A force-majeure situation: its start, its end once known (its last day), whether the
    termination right it gives has been opened and whether it holds the access suspended."""

    start: date
    end: date | None = None
    right_opened: bool = False
    access_suspended: bool = False


@assigned
@dataclass(frozen=True, slots=True)
class PrivacyState:
    """Accepted audit dates and the force-majeure situations of the contract."""

    audits: tuple[date, ...] = ()
    force_majeure: tuple[ForceMajeure, ...] = ()

    @property
    def access_held(self) -> bool:
        """Whether a force majeure holds the customer's access suspended."""
        return any(fm.access_suspended for fm in self.force_majeure)
