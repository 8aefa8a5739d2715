"""The `support:` section of a policy: support hours, response targets, defect remedies."""

from __future__ import annotations

from datetime import time
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema, model_validator

from termline.domain.values.rule import Dur, Rule, Strict


def _clock(value: Any) -> time:
    """A wall-clock time written "HH:MM" (quoted: YAML 1.1 reads 20:00 as the number 1200)."""
    if isinstance(value, time):
        return value
    if not isinstance(value, str):
        raise ValueError(f"write times as quoted text \"HH:MM\", got {value!r}")
    try:
        hours, minutes = value.strip().split(":")
        return time(int(hours), int(minutes))
    except ValueError as exc:
        raise ValueError(f"not a time \"HH:MM\": {value!r}") from exc


def _zone(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"a time zone is an IANA name such as Europe/Brussels, got {value!r}")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {value!r}") from exc
    return value


Clock = Annotated[time, BeforeValidator(_clock), PlainSerializer(lambda t: t.strftime("%H:%M")),
                  WithJsonSchema({"type": "string", "pattern": r"^\d{1,2}:\d{2}$",
                                  "description": "A wall-clock time, HH:MM."})]
Zone = Annotated[str, BeforeValidator(_zone)]


class HoursRule(Rule):
    """Opening hours on the pack's business days (its `calendar` and `closed_days`)."""

    timezone: Zone
    """The time zone of the support hours."""
    opens: Clock
    """Opening time, HH:MM."""
    closes: Clock
    """Closing time, HH:MM."""

    @model_validator(mode="after")
    def _ordered(self) -> HoursRule:
        if self.closes <= self.opens:
            raise ValueError("support hours must close after they open")
        return self


class ResponseTarget(Rule):
    """A first-response target, counted in business time from the ticket's receipt.

    ``business_hours``: that many hours inside the support hours; ``business_days``: that many
    whole business days, one business day being the length of the daily opening window.
    """

    business_hours: int | None = None
    business_days: int | None = None

    @model_validator(mode="after")
    def _one(self) -> ResponseTarget:
        if (self.business_hours is None) == (self.business_days is None):
            raise ValueError("a response target gives business_hours or business_days")
        return self


class Responses(Strict):
    """First-response targets per ticket category (events carry `category: error|question`)."""

    error: ResponseTarget | None = None
    question: ResponseTarget | None = None

    def for_category(self, category: str) -> ResponseTarget | None:
        return self.error if category == "error" else self.question


class DefectRefund(Rule):
    """Reimbursement of the subscription fee for each day a remedy takes beyond the deadline."""

    material_only: bool = True
    """Only material defects are refunded."""


class DefectTerminationRight(Rule):
    """The customer may terminate once a (material) defect stays unremedied this long."""

    after: Dur
    """How long after the notice an unremedied defect opens the right."""
    material_only: bool = True
    """Only material defects open the right."""


class DefectRule(Rule):
    remedy_within: Dur
    """How long after the defect notice the remedy is due."""
    refund: DefectRefund | None = None
    termination_right: DefectTerminationRight | None = None


class SupportRule(Rule):
    """Parameters of the support mechanism, each citing its clause."""

    hours: HoursRule | None = None
    responses: Responses = Responses()
    defects: DefectRule | None = None
    """Remedy of reported defects, refunds and rights (section DefectRule)."""
    trial_exempt: Rule | None = None
    """The clause exempting trials from support obligations."""

    @model_validator(mode="after")
    def _hours_for_targets(self) -> SupportRule:
        if self.hours is None and (self.responses.error or self.responses.question):
            raise ValueError("response targets are counted in support hours: give `hours`")
        return self
