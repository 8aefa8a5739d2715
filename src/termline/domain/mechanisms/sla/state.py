"""Per-contract state of the sla mechanism (immutable, replaced by each step)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from termline.domain.values.record_build import assigned


@dataclass(frozen=True, slots=True)
class Incident:
    """An unavailability as counted: from `counted_from` (start or report) to `end`, UTC."""

    counted_from: datetime
    end: datetime
    claimed_in_time: bool


@dataclass(frozen=True, slots=True)
class Maintenance:
    start: datetime
    end: datetime
    compliant: bool


@assigned
@dataclass(frozen=True, slots=True)
class SlaState:
    incidents: tuple[Incident, ...] = ()
    maintenance: tuple[Maintenance, ...] = ()
    in_service: bool = False
    measured: tuple[str, ...] = ()
    credited: tuple[tuple[str, Decimal], ...] = ()
