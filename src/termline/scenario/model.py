"""Contracts and events as the scenario file (and later the store) gives them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from termline.policy.schema import Dec, Dur


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Customer(Strict):
    name: str
    country: str | None = None
    email: str | None = None


class Line(Strict):
    item: str
    unit_price: Dec
    per: Literal["month", "year", "period"] = "month"
    quantity: int = Field(default=1, ge=0)


class Contract(Strict):
    id: str = Field(min_length=1)
    customer: Customer
    start: date
    policy: str | None = None
    trial_days: int | None = Field(default=None, ge=1)
    billing_period: Dur | None = None
    overrides: dict[str, Any] = Field(default_factory=dict)
    lines: tuple[Line, ...] = Field(min_length=1)

    @field_validator("lines")
    @classmethod
    def _unique_items(cls, lines: tuple[Line, ...]) -> tuple[Line, ...]:
        seen: set[str] = set()
        for line in lines:
            if line.item in seen:
                raise ValueError(f"item {line.item!r} appears twice")
            seen.add(line.item)
        return lines


class _Event(Strict):
    date: date
    contract: str


class Payment(_Event):
    type: Literal["payment"]
    amount: Dec = Field(gt=Decimal("0"))
    reference: str | None = None


class PaymentFailed(_Event):
    type: Literal["payment_failed"]
    reference: str | None = None


class TerminationNotice(_Event):
    type: Literal["termination_notice"]
    by: Literal["customer", "provider"]


class ProviderTermination(_Event):
    type: Literal["provider_termination"]
    reason: str = Field(min_length=1)


class SeatChange(_Event):
    type: Literal["seat_change"]
    item: str
    quantity: int = Field(ge=0)


class TrialConverted(_Event):
    type: Literal["trial_converted"]


class DataInstruction(_Event):
    type: Literal["data_instruction"]
    instruction: Literal["delete", "export"]


class InvoiceDisputed(_Event):
    type: Literal["invoice_disputed"]
    ref: str = Field(min_length=1)


Event = Annotated[
    Payment | PaymentFailed | TerminationNotice | ProviderTermination | SeatChange
    | TrialConverted | DataInstruction | InvoiceDisputed,
    Field(discriminator="type"),
]

EVENT_TYPES = (
    "payment", "payment_failed", "trial_converted", "seat_change", "termination_notice",
    "provider_termination", "data_instruction", "invoice_disputed",
)


def event_sort_key(event: Any) -> tuple[Any, ...]:
    """Order of events within a day, independent of their order in the file."""
    return (event.date, event.contract, EVENT_TYPES.index(event.type),
            event.model_dump_json())
