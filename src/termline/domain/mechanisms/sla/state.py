"""Per-contract state of the sla mechanism (immutable, replaced by each step)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
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
    # the service was owed on a day of the current measuring window (its close measures it)
    in_service: bool = False
    # the day `in_service` was set for ahead, by the end-of-day phase (`run.carry`): the state
    # the day before it ended with kept that day owed, if nothing is stepped on it; if it is
    # stepped, its own phase decides again. Kept once passed (the daily and the sparse run
    # end with the same state).
    carried: date | None = None
    measured: tuple[str, ...] = ()
    credited: tuple[tuple[str, Decimal], ...] = ()
