"""Contracts and events as the scenario file (and later the store) gives them."""

from __future__ import annotations

from datetime import date, datetime
from datetime import date as date_  # a name the protocol's `date` does not hide
from decimal import Decimal
from typing import Annotated, Any, Literal, Protocol

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from termline.domain.contract import bounds
from termline.domain.policy.schema import Dec, Dur
from termline.domain.values.identifiers import (
    check_company_id,
    check_iban,
    check_peppol_id,
    check_vat,
)

# Every amount stays far below what the store's NUMERIC(19,4) holds (10^15), so that sums over
# a contract's life, interest and fees still fit; no real subscription comes near it.
MAX_AMOUNT = Decimal("1E13")
MAX_QUANTITY = 1_000_000
MAX_TEXT = 1000  # free text kept in the event log
MAX_TRIAL_DAYS = 3660  # ten years: a longer trial is a typo


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("a timestamp needs an offset, e.g. 2027-03-01T09:30:00+01:00")
    return value


def _bounded(decimals: int) -> Any:
    def check(value: Decimal) -> Decimal:
        if not value.is_finite():
            raise ValueError(f"{value} is not a finite number")
        if abs(value) >= MAX_AMOUNT:
            raise ValueError(f"{value} is out of range (at most {MAX_AMOUNT:,.0f})")
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and -exponent > decimals:
            raise ValueError(f"{value} has more than {decimals} decimals")
        return value
    return AfterValidator(check)


def _decimal_schema(decimals: int, positive: bool = False) -> WithJsonSchema:
    """What the OpenAPI states of an exact decimal is what the validators take: quoted
    digits with at most `decimals` decimals below MAX_AMOUNT (or a JSON integer), and for a
    positive one no sign and a digit other than 0."""
    text: dict[str, object] = {"type": "string",
                            "pattern": rf"^{'' if positive else '-?'}[0-9]{{1,13}}"
                                       rf"(\.[0-9]{{1,{decimals}}})?$"}
    if positive:
        text["allOf"] = [{"pattern": "[1-9]"}]
    top = int(MAX_AMOUNT) - 1
    return WithJsonSchema({"anyOf": [text, {"type": "integer", "minimum": 1 if positive else -top,
                                            "maximum": top}],
                           "description": f"An exact decimal, quoted, at most {decimals} "
                                          "decimals (\"14.00\"): floats lose cents."})


# a sum of money (its currency's cents are checked against the policy: `scenario.checks`)
Amount = Annotated[Dec, BeforeValidator(bounds.ascii_amount), _bounded(4), _decimal_schema(4)]
# a price per unit may go below the cent (0.0125 per GB), as far as the store keeps it
UnitPrice = Annotated[Dec, BeforeValidator(bounds.ascii_amount), _bounded(4),
                      _decimal_schema(4)]
Quantity = Annotated[Dec, BeforeValidator(bounds.ascii_amount), _bounded(6),
                     _decimal_schema(6)]
PositiveAmount = Annotated[Amount, _decimal_schema(4, positive=True)]  # with Field(gt=0)
# a calendar day: ISO text or a date, 1900-01-01 to 2199-12-31 (`scenario.bounds`)
Day = Annotated[date, BeforeValidator(bounds.iso_day), AfterValidator(bounds.day_in_range),
                WithJsonSchema({"type": "string", "format": "date",
                                "pattern": bounds.DAY_PATTERN})]



def _country(value: Any) -> Any:
    return value.upper() if isinstance(value, str) else value


def _storable(data: Any, path: str = "") -> Any:
    """NUL bytes cannot be stored (PostgreSQL refuses them in text) and no field of an input
    needs more than MAX_TEXT characters: both are refused with the field named."""
    if isinstance(data, str):
        if "\x00" in data:
            raise ValueError("contains a NUL byte")
        if len(data) > MAX_TEXT:
            raise ValueError(f"{path or 'text'} is longer than {MAX_TEXT} characters")
    elif isinstance(data, dict):
        for key, value in data.items():
            _storable(key, path)
            _storable(value, f"{path}.{key}" if path else str(key))
    elif isinstance(data, (list, tuple)):
        for i, value in enumerate(data):
            _storable(value, f"{path}.{i}" if path else str(i))
    return data


# text as the store keeps it: no NUL byte (PostgreSQL refuses them), at most MAX_TEXT long;
# identifiers in columns of 200 characters
Text = Annotated[str, AfterValidator(_storable)]
Ident = Annotated[str, StringConstraints(min_length=1, max_length=200), AfterValidator(_storable)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Address(Strict):
    street: Text | None = None
    city: Text | None = None
    postal_code: Text | None = None


class Customer(Strict):
    """The buyer. VAT and enterprise numbers and Peppol ids are checked (python-stdnum)."""

    name: Annotated[str, StringConstraints(min_length=1, max_length=400),
                    AfterValidator(_storable)]
    country: Annotated[str, BeforeValidator(_country),
                       StringConstraints(pattern=r"^[A-Z]{2}$"),
                       AfterValidator(bounds.country)] | None = None
    email: Annotated[str, StringConstraints(max_length=320), AfterValidator(_storable),
                     AfterValidator(bounds.email)] | None = None
    vat_number: Text | None = None
    company_id: Text | None = None
    peppol_id: Text | None = None
    language: Literal["en", "nl", "fr", "da", "de"] | None = None
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
    signed: Day
    iban: Text
    bic: Text | None = None

    @field_validator("iban")
    @classmethod
    def _iban(cls, value: str) -> str:
        return check_iban(value)


class Line(Strict):
    item: Ident
    unit_price: PositiveAmount = Field(gt=Decimal("0"))
    per: Literal["month", "year", "period"] = "month"
    quantity: int = Field(default=1, ge=0, le=MAX_QUANTITY)


class Contract(Strict):
    # invoice numbers and references are built on it and kept in columns of 200
    id: Annotated[str, StringConstraints(min_length=1, max_length=100,
                                         pattern=bounds.ID_PATTERN),
                  AfterValidator(_storable)]
    customer: Customer
    start: Day
    policy: Text | None = None
    trial_days: int | None = Field(default=None, ge=1, le=MAX_TRIAL_DAYS)
    billing_period: Dur | None = None
    overrides: Annotated[dict[str, Any], AfterValidator(_storable)] = Field(default_factory=dict)
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
        total = sum((ln.unit_price * ln.quantity * (12 if ln.per == "month" else 1)
                     for ln in lines), Decimal(0))
        if total >= MAX_AMOUNT:
            raise ValueError(f"the lines come to {total:,.2f} a year, out of range "
                             f"(at most {MAX_AMOUNT:,.0f})")
        return lines


# a contract's id, or "*" (every contract of the provider) where an event allows it
ContractRef = Annotated[str, StringConstraints(
    min_length=1, max_length=100, pattern=r"^(\*|[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*)$")]


class EventBase(Strict):
    """What every event has, whatever its kind: the one static type of an event wherever the
    code reads only these fields (each kind narrows it with `isinstance`)."""

    date: Day
    contract: ContractRef
    # the event's identity as its sender knows it (a bank's entry reference, an API's
    # idempotency key): the store keeps one event per reference (`service.intake`)
    reference: Ident | None = None
    # each kind's one-value literal (`Payment.type` is "payment"), the union's discriminator;
    # declared last here so that a kind's fields keep their order (date, contract, reference,
    # type, then its own) in the dumps the sort key and the store read
    type: str


class Payment(EventBase):
    type: Literal["payment"]
    amount: PositiveAmount = Field(gt=Decimal("0"))
    # the item the payer names: the engine's ref of the invoice (the store resolves a legal
    # number or a structured reference to it at intake); paid first (payment.allocation)
    invoice: Ident | None = None
    # the end-to-end id of the collection that paid it (SEPA: the invoice's legal number)
    end_to_end_id: Ident | None = None


class PaymentFailed(EventBase):
    type: Literal["payment_failed"]


class PaymentReturned(EventBase):
    """A collected direct debit given back by the debtor's bank (pain.002, a CAMT return, the
    bank's CSV): the payment whose `reference` is `payment` is undone."""

    type: Literal["payment_returned"]
    payment: Ident
    reason: Text | None = None


class CreditRefund(EventBase):
    """Part of the customer's credit balance paid back (`sepa refund`: a credit transfer)."""

    type: Literal["credit_refund"]
    amount: PositiveAmount = Field(gt=Decimal("0"))


class TerminationNotice(EventBase):
    type: Literal["termination_notice"]
    by: Literal["customer", "provider"]


class ProviderTermination(EventBase):
    type: Literal["provider_termination"]
    reason: Text = Field(min_length=1)


class SeatChange(EventBase):
    type: Literal["seat_change"]
    item: Ident
    quantity: int = Field(ge=0, le=MAX_QUANTITY)


class TrialConverted(EventBase):
    type: Literal["trial_converted"]


class DataInstruction(EventBase):
    type: Literal["data_instruction"]
    instruction: Literal["delete", "export"]


class BroadcastBase(EventBase):
    """An event for one contract, or for every contract of the provider (`contract: "*"`).

    Where the issue gives only timestamps, `date` (the provider's local date the engine handles
    the event on) defaults to the date of the event's main timestamp in its own offset.
    """

    contract: ContractRef = "*"

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


class PriceChangeAnnounced(BroadcastBase):
    type: Literal["price_change_announced"]
    item: Ident
    new_unit_price: PositiveAmount = Field(gt=Decimal("0"))
    effective: Day
    exceptional: bool = False  # a second increase within a year (SmartTrackers 6.4)


class TermsChangeAnnounced(BroadcastBase):
    type: Literal["terms_change_announced"]
    effective: Day
    summary: Text


class MigrationAnnounced(EventBase):
    type: Literal["migration_announced"]
    costs: Amount = Field(ge=Decimal("0"))
    migration_date: Day | None = None


class MigrationDeclined(EventBase):
    type: Literal["migration_declined"]


class Objection(EventBase):
    type: Literal["objection"]


class Usage(EventBase):
    type: Literal["usage"]
    meter: Ident
    quantity: Quantity = Field(ge=Decimal("0"))


class Purchase(EventBase):
    type: Literal["purchase"]
    item: Ident
    amount: PositiveAmount = Field(gt=Decimal("0"))
    quantity: Quantity | None = Field(default=None, gt=Decimal("0"))  # units, e.g. hours
    accepted: bool | None = None  # the customer accepted the quote before delivery


class Incident(BroadcastBase):
    type: Literal["incident"]
    start: Stamp
    end: Stamp
    reported_at: Stamp


class MaintenanceAnnounced(BroadcastBase):
    type: Literal["maintenance_announced"]
    start: Stamp
    end: Stamp
    announced_at: Stamp | None = None
    class_: Literal["standard", "emergency", "critical"] = Field(alias="class")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class TicketOpened(EventBase):
    type: Literal["ticket_opened"]
    ticket: Ident
    at: Stamp
    category: Literal["error", "question"] = "error"


class TicketAnswered(EventBase):
    type: Literal["ticket_answered"]
    ticket: Ident
    at: Stamp


class DefectReported(EventBase):
    type: Literal["defect_reported"]
    defect: Ident
    material: bool = True


class DefectRemedied(EventBase):
    type: Literal["defect_remedied"]
    defect: Ident


class RestoreRequested(EventBase):
    type: Literal["restore_requested"]
    backup_date: Day | None = None


class ExportRequested(EventBase):
    type: Literal["export_requested"]


class SubprocessorChangeAnnounced(BroadcastBase):
    type: Literal["subprocessor_change_announced"]
    effective: Day | None = None
    name: Text | None = None
    intra_group: bool = False  # a company of the provider's own group (SmartTrackers DPA 6.2)
    eu_eea: bool = True  # located in the EU/EEA; False needs a transfer ground (DPA 6.3)


class AssignmentAnnounced(BroadcastBase):
    type: Literal["assignment_announced"]
    effective: Day
    assignee: Text | None = None


class AuditRequested(EventBase):
    type: Literal["audit_requested"]
    audit_date: Day | None = None


class ForceMajeure(BroadcastBase):
    type: Literal["force_majeure"]
    start: Day
    end: Day | None = None


class InvoiceDisputed(EventBase):
    type: Literal["invoice_disputed"]
    ref: Ident


class DisputeResolved(EventBase):
    """The provider's decision on a dispute of invoice `ref` (the engine's ref or, in the
    store, its legal number or structured reference): `upheld` credits `amount` (excl. VAT;
    default the whole invoice), `rejected` lets dunning resume from the event's day."""

    type: Literal["dispute_resolved"]
    ref: Ident
    outcome: Literal["upheld", "rejected"]
    amount: Amount | None = Field(default=None, gt=Decimal("0"))


class ListPriceChanged(BroadcastBase):
    """The provider's list price of `item` from `effective` (default: the event's date), for
    one contract or for every contract of the provider (`contract: "*"`: the provider's own
    price list, "the official price in force at that time", SuperOffice 11.1)."""

    type: Literal["list_price_changed"]
    item: Ident
    price: PositiveAmount = Field(gt=Decimal("0"))
    effective: date | None = None


class InvoiceCredited(EventBase):
    """A credit note by hand (`termline invoice credit`): `amount` (VAT included, as the open
    item is) of the document `document` (its legal number), whose item is `invoice` (the
    engine's ref), is credited for `reason`. It settles that item first, as a payment naming
    it does; what exceeds its open amount is the customer's credit (issue 17)."""

    type: Literal["invoice_credited"]
    invoice: Ident
    document: Ident
    amount: Amount = Field(gt=Decimal("0"))
    reason: Text = Field(min_length=1)


class ReminderSent(EventBase):
    """A reminder the provider sent by hand for invoice `ref`: it counts as the ladder's
    reminder `step` (default: the invoice's next reminder step not yet taken), satisfies the
    steps that wait for it and starts the dates counted from it."""

    type: Literal["reminder_sent"]
    ref: Ident
    step: Ident | None = None


Event = Annotated[
    Payment | PaymentFailed | PaymentReturned | CreditRefund | TerminationNotice
    | ProviderTermination | SeatChange
    | TrialConverted | DataInstruction | InvoiceDisputed | DisputeResolved
    | PriceChangeAnnounced
    | TermsChangeAnnounced | MigrationAnnounced | MigrationDeclined | Objection | Usage
    | Purchase | Incident | MaintenanceAnnounced
    | TicketOpened | TicketAnswered | DefectReported | DefectRemedied | RestoreRequested
    | ExportRequested | SubprocessorChangeAnnounced | AuditRequested | ForceMajeure
    | AssignmentAnnounced | ReminderSent | ListPriceChanged | InvoiceCredited,
    Field(discriminator="type"),
]

EVENT_TYPES = (
    "payment", "payment_failed", "payment_returned", "credit_refund", "trial_converted",
    "seat_change",
    "termination_notice", "provider_termination", "data_instruction", "invoice_disputed",
    "dispute_resolved",
    "price_change_announced", "terms_change_announced", "migration_announced",
    "migration_declined", "objection", "usage", "purchase",
    "incident", "maintenance_announced", "ticket_opened", "ticket_answered", "defect_reported",
    "defect_remedied", "restore_requested", "export_requested", "subprocessor_change_announced",
    "audit_requested", "force_majeure", "assignment_announced", "reminder_sent",
    "list_price_changed", "invoice_credited",
)

BROADCAST = "*"


def event_sort_key(event: EventBase) -> tuple[date, str, int, str]:
    """Order of events within a day, independent of their order in the file; the events of
    a mechanism installed through the registry (`contract/event_kinds.py`) after the built-in
    ones."""
    kind = event.type
    rank = EVENT_TYPES.index(kind) if kind in EVENT_TYPES else len(EVENT_TYPES)
    return (event.date, event.contract, rank, event.model_dump_json())


# The events a contract takes on its start day when they are dated before it: the provider's
# price list (`list_price_changed`), in force when the contract starts. Every other event
# dated before a contract's start never reaches it (the checks refuse one that names it).
AT_START = frozenset({"list_price_changed"})


class Dated(Protocol):
    """What `received_on` reads of an event."""

    @property
    def date(self) -> date_: ...

    @property
    def type(self) -> str: ...


def received_on(event: Dated, start: date) -> date | None:
    """The day a contract that starts on `start` takes `event`, the same in every run (the
    daily fold, the sparse one, the store's): the event's date; the start day for a list
    price dated before it (the event keeps its date, and its `effective` date defaults to
    it); None for any other event dated before the start."""
    if event.date >= start:
        return event.date
    return start if event.type in AT_START else None


def taken_after(day: date, kind: str, cursor: date, start: date) -> bool:
    """Whether an event of `day` and type `kind` is still to come for a contract that starts
    on `start` and has run to `cursor` (the store's reads): it comes on its date, or on the
    start day for a list price dated before it (`received_on`)."""
    if day >= start:
        return day > cursor
    return kind in AT_START and start > cursor
