"""Per-contract state of the usage mechanism (immutable, replaced by each step)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from termline.domain.mechanisms.billing.lines import InvoiceLine
from termline.domain.values.record_build import assigned


@dataclass(frozen=True, slots=True)
class OpenPeriod:
    """A meter's measuring period with use recorded so far (peak reading or running total)."""

    meter: str
    start: date
    end: date
    used: Decimal


@assigned
@dataclass(frozen=True, slots=True)
class UsageState:
    """Charges waiting for the next subscription invoice (usage above allowances and the like)."""

    pending: tuple[InvoiceLine, ...] = ()
    open_periods: tuple[OpenPeriod, ...] = ()
    warned: tuple[str, ...] = ()  # meters whose last reading was at or above the warning level
