"""Contracts and events as the scenario file (and later the store) gives them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from termline.core.identifiers import check_company_id, check_iban, check_peppol_id, check_vat
from termline.policy.schema import Dec, Dur


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("a timestamp needs an offset, e.g. 2027-03-01T09:30:00+01:00")
    return value


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Address(Strict):
    street: str | None = None
    city: str | None = None
    postal_code: str | None = None


class Customer(Strict):
    """The buyer. VAT and enterprise numbers and Peppol ids are checked (python-stdnum)."""

    name: str
    country: str | None = None
    email: str | None = None
    vat_number: str | None = None
    company_id: str | None = None
    peppol_id: str | None = None
    language: Literal["en", "nl", "fr", "da"] | None = None
    address: Address | None = None

    @field_validator("vat_number")
    @classmethod
    def _vat(cls, value: str | None) -> str | None:
        return None if value is None else check_vat(value)

    @field_validator("peppol_id")
    @classmethod
    def _peppol(cls, value: str | None) -> str | None:
        return None if value is None else check_peppol_id(value)

    @model_validator(mode="after")
    def _company(self) -> Customer:
        if self.company_id is not None:
            object.__setattr__(self, "company_id",
                               check_company_id(self.company_id, self.country))
        return self


class Mandate(Strict):
    """A SEPA direct-debit mandate the customer signed (pain.008 MndtId, DtOfSgntr)."""

    id: str = Field(min_length=1, max_length=35)
    signed: date
    iban: str
    bic: str | None = None

    @field_validator("iban")
    @classmethod
    def _iban(cls, value: str) -> str:
        return check_iban(value)


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
    mandate: Mandate | None = None

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


class _Broadcast(_Event):
    """An event for one contract, or for every contract of the provider (`contract: "*"`).

    Where the issue gives only timestamps, `date` (the provider's local date the engine handles
    the event on) defaults to the date of the event's main timestamp in its own offset.
    """

    contract: str = "*"

    @model_validator(mode="before")
    @classmethod
    def _default_date(cls, data: Any) -> Any:
        if isinstance(data, dict) and "date" not in data:
            # A maintenance announcement is handled on the day it is announced, not its start.
            for key in ("at", "reported_at", "announced_at", "start"):
                value = data.get(key)
                if value is not None:
                    stamp = value if isinstance(value, datetime) else datetime.fromisoformat(
                        str(value))
                    data = {**data, "date": stamp.date()}
                    break
        return data


Stamp = Annotated[datetime, AfterValidator(_aware)]


class PriceChangeAnnounced(_Broadcast):
    type: Literal["price_change_announced"]
    item: str
    new_unit_price: Dec = Field(gt=Decimal("0"))
    effective: date
    exceptional: bool = False  # a second increase within a year (SmartTrackers 6.4)


class TermsChangeAnnounced(_Broadcast):
    type: Literal["terms_change_announced"]
    effective: date
    summary: str


class MigrationAnnounced(_Event):
    type: Literal["migration_announced"]
    costs: Dec = Field(ge=Decimal("0"))
    migration_date: date | None = None


class MigrationDeclined(_Event):
    type: Literal["migration_declined"]


class Objection(_Event):
    type: Literal["objection"]


class Usage(_Event):
    type: Literal["usage"]
    meter: str
    quantity: Dec = Field(ge=Decimal("0"))


class Purchase(_Event):
    type: Literal["purchase"]
    item: str
    amount: Dec = Field(gt=Decimal("0"))
    quantity: Dec | None = Field(default=None, gt=Decimal("0"))  # units, e.g. hours of work
    accepted: bool | None = None  # the customer accepted the quote before delivery


class Incident(_Broadcast):
    type: Literal["incident"]
    start: Stamp
    end: Stamp
    reported_at: Stamp


class MaintenanceAnnounced(_Broadcast):
    type: Literal["maintenance_announced"]
    start: Stamp
    end: Stamp
    announced_at: Stamp | None = None
    class_: Literal["standard", "emergency", "critical"] = Field(alias="class")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class TicketOpened(_Event):
    type: Literal["ticket_opened"]
    ticket: str
    at: Stamp
    category: Literal["error", "question"] = "error"


class TicketAnswered(_Event):
    type: Literal["ticket_answered"]
    ticket: str
    at: Stamp


class DefectReported(_Event):
    type: Literal["defect_reported"]
    defect: str
    material: bool = True


class DefectRemedied(_Event):
    type: Literal["defect_remedied"]
    defect: str


class RestoreRequested(_Event):
    type: Literal["restore_requested"]
    backup_date: date | None = None


class ExportRequested(_Event):
    type: Literal["export_requested"]


class SubprocessorChangeAnnounced(_Broadcast):
    type: Literal["subprocessor_change_announced"]
    effective: date | None = None
    name: str | None = None
    intra_group: bool = False  # a company of the provider's own group (SmartTrackers DPA 6.2)
    eu_eea: bool = True  # located in the EU/EEA; False needs a transfer ground (DPA 6.3)


class AssignmentAnnounced(_Broadcast):
    type: Literal["assignment_announced"]
    effective: date
    assignee: str | None = None


class AuditRequested(_Event):
    type: Literal["audit_requested"]
    audit_date: date | None = None


class ForceMajeure(_Broadcast):
    type: Literal["force_majeure"]
    start: date
    end: date | None = None


class InvoiceDisputed(_Event):
    type: Literal["invoice_disputed"]
    ref: str = Field(min_length=1)


Event = Annotated[
    Payment | PaymentFailed | TerminationNotice | ProviderTermination | SeatChange
    | TrialConverted | DataInstruction | InvoiceDisputed | PriceChangeAnnounced
    | TermsChangeAnnounced | MigrationAnnounced | MigrationDeclined | Objection | Usage
    | Purchase | Incident | MaintenanceAnnounced
    | TicketOpened | TicketAnswered | DefectReported | DefectRemedied | RestoreRequested
    | ExportRequested | SubprocessorChangeAnnounced | AuditRequested | ForceMajeure
    | AssignmentAnnounced,
    Field(discriminator="type"),
]

EVENT_TYPES = (
    "payment", "payment_failed", "trial_converted", "seat_change", "termination_notice",
    "provider_termination", "data_instruction", "invoice_disputed",
    "price_change_announced", "terms_change_announced", "migration_announced",
    "migration_declined", "objection", "usage", "purchase",
    "incident", "maintenance_announced", "ticket_opened", "ticket_answered", "defect_reported",
    "defect_remedied", "restore_requested", "export_requested", "subprocessor_change_announced",
    "audit_requested", "force_majeure", "assignment_announced",
)

BROADCAST = "*"


def event_sort_key(event: Any) -> tuple[Any, ...]:
    """Order of events within a day, independent of their order in the file."""
    return (event.date, event.contract, EVENT_TYPES.index(event.type),
            event.model_dump_json())
