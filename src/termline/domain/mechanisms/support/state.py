"""Per-contract state of the support mechanism (immutable, replaced by each step)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from termline.domain.values.record_build import assigned


@dataclass(frozen=True, slots=True)
class Ticket:
    ticket: str
    category: str
    opened_at: datetime
    due_at: datetime | None
    clauses: tuple[str, ...]
    breached: bool = False


@dataclass(frozen=True, slots=True)
class Defect:
    defect: str
    reported: date
    material: bool
    right_opened: bool = False


@assigned
@dataclass(frozen=True, slots=True)
class SupportState:
    tickets: tuple[Ticket, ...] = ()
    defects: tuple[Defect, ...] = ()
