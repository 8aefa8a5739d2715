"""The `sla:` section of a policy: availability per measuring window, credits, maintenance."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema, model_validator

from termline.domain.mechanisms.support.rules import Clock, Zone
from termline.domain.values.rule import Dec, Dur, Rule, Strict

_LEAD = re.compile(r"^\s*(\d+)\s+(hour|hours|day|days|week|weeks)\s*$")


@dataclass(frozen=True, slots=True)
class Lead:
    """A notice lead time: hours are real hours, days and weeks are calendar days (wall clock)."""

    number: int
    unit: Literal["hours", "days"]

    @classmethod
    def parse(cls, text: Any) -> Lead:
        if isinstance(text, Lead):
            return text
        match = _LEAD.match(text.lower()) if isinstance(text, str) else None
        if match is None:
            raise ValueError(f"not a notice lead time: {text!r} (write '4 hours', '3 days' or "
                             "'4 weeks')")
        number, unit = int(match.group(1)), match.group(2)
        if unit.startswith("week"):
            return cls(7 * number, "days")
        return cls(number, "hours" if unit.startswith("hour") else "days")

    def before(self, moment: datetime) -> datetime:
        """The latest announcement time for something starting at `moment` (local aware time).

        Days go back on the wall clock of `moment`'s zone (4 weeks before 09:00 is 09:00), hours
        in real elapsed time.
        """
        if self.unit == "hours":
            return (moment.astimezone(UTC) - timedelta(hours=self.number)).astimezone(
                moment.tzinfo)
        return moment - timedelta(days=self.number)

    def __str__(self) -> str:
        if self.unit == "days" and self.number % 7 == 0:
            weeks = self.number // 7
            return f"{weeks} week{'s' if weeks != 1 else ''}"
        return f"{self.number} {self.unit[:-1] if self.number == 1 else self.unit}"


LeadTime = Annotated[Lead, BeforeValidator(Lead.parse), PlainSerializer(str), WithJsonSchema(
    {"type": "string", "pattern": r"^\s*\d+\s+(hour|hours|day|days|week|weeks)\s*$",
     "description": "A notice lead time: '4 hours', '3 days', '4 weeks'."})]


class SlaCredit(Rule):
    """A credit when a window's availability is below target.

    ``proportion``: ``unavailable_share`` credits the window's fee x unavailable minutes /
    minutes in the window; ``shortfall`` credits the fee x (target - availability) only.
    ``claim_within``: the customer's report must reach the provider within this time of the
    incident's start (its local date + the duration on the pack's calendar) for the incident to
    count towards a credit.
    """

    proportion: Literal["unavailable_share", "shortfall"] = "unavailable_share"
    claim_within: Dur | None = None


class AvailabilityRule(Rule):
    """Availability = (minutes in the window - unavailable minutes) / minutes in the window."""

    target: Dec
    """The availability target, in percent."""
    window: Literal["calendar_month", "calendar_year"]
    counted_from: Literal["start", "reported_at"] = "start"
    exclude_maintenance: Literal["none", "announced", "compliant"] = "none"
    credit: SlaCredit | None = None

    @model_validator(mode="after")
    def _sane(self) -> AvailabilityRule:
        if not 0 < self.target <= 100:
            raise ValueError("the availability target is a percentage between 0 and 100")
        if self.credit is not None and self.window != "calendar_month":
            raise ValueError("credits are computed on calendar-month windows only")
        return self


class MaintenanceWindow(Rule):
    """Where planned maintenance should fall (a preference: reported, never refused).

    ``daily``: every day from ``starts`` to ``ends`` local time (may wrap past midnight, e.g.
    20:00-06:00); ``outside_business_hours``: any time except ``starts``-``ends`` on the pack's
    business days (office hours).
    """

    kind: Literal["daily", "outside_business_hours"]
    timezone: Zone
    """The time zone of the window."""
    starts: Clock
    ends: Clock


class MaintenanceNotice(Strict):
    standard: LeadTime | None = None
    """Notice for standard maintenance."""
    emergency: LeadTime | None = None
    """Notice for emergency maintenance."""
    critical: LeadTime | None = None
    """Notice for critical maintenance."""

    def lead(self, klass: str) -> Lead | None:
        value: Lead | None = getattr(self, klass)
        return value


class MaintenanceRule(Rule):
    window: MaintenanceWindow | None = None
    notice: MaintenanceNotice | None = None
    """How long before maintenance it must be announced, per class (section MaintenanceNotice)."""


class SlaRule(Rule):
    """Parameters of the sla mechanism, each citing its clause."""

    availability: AvailabilityRule | None = None
    maintenance: MaintenanceRule | None = None
    """Maintenance windows and their notice (section MaintenanceRule)."""
    trial_exempt: Rule | None = None
    """The clause exempting trials from the service levels."""
