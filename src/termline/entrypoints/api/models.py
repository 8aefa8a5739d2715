"""Request and response bodies of the API (unknown fields are refused everywhere)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from termline.adapters.notify.kinds import published
from termline.domain.contract import bounds
from termline.domain.contract.model import Contract, Customer, Day, Event

MetadataKey = Annotated[str, StringConstraints(min_length=1, max_length=40,
                                               pattern=r"^[A-Za-z0-9_.-]+$")]
MetadataValue = Annotated[str, StringConstraints(max_length=500, pattern=r"^[^\x00]*$")]
# a caller's own labels: at most 50 keys of 40 characters, values of 500 (issue 18)
Metadata = Annotated[dict[MetadataKey, MetadataValue], Field(max_length=50), WithJsonSchema({
    "type": "object", "maxProperties": 50,
    "propertyNames": {"type": "string", "minLength": 1, "maxLength": 40,
                      "pattern": r"^[A-Za-z0-9_.-]+$"},
    "additionalProperties": {"type": "string", "maxLength": 500, "pattern": r"^[^\x00]*$"}})]
# What the OpenAPI states is what `bounds` accepts: an http(s) URL with a host name and a
# port that exists, no credentials, no spaces; an address email-validator takes.
PORT = r"(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3})"
URL_PATTERN = rf"^[Hh][Tt][Tt][Pp][Ss]?://[A-Za-z0-9.-]*[A-Za-z0-9](:{PORT})?([/?#][!-~]*)?$"
LABEL = r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
EMAIL_PATTERN = (rf"^[A-Za-z0-9_%+-]{{1,32}}(\.[A-Za-z0-9_%+-]{{1,16}}){{0,2}}@({LABEL}\.){{1,3}}"
                 r"[A-Za-z]{2,24}$")
WebURL = Annotated[str, StringConstraints(min_length=1, max_length=2000, pattern=URL_PATTERN),
                   AfterValidator(bounds.web_url)]
Email = Annotated[str, StringConstraints(min_length=6, max_length=320, pattern=EMAIL_PATTERN),
                  AfterValidator(bounds.email),
                  WithJsonSchema({"type": "string", "format": "email", "minLength": 6,
                                  "maxLength": 320, "pattern": EMAIL_PATTERN})]
Language = Literal["en", "nl", "fr", "da", "de"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CustomerIn(Customer):
    language: Language = "en"


class ContractIn(Contract):
    """The scenario file's contract, plus the pack it runs under, the customer's language and
    a metadata string map."""
    customer: CustomerIn
    policy: str = Field(min_length=1, description="A built-in pack name.")
    metadata: Metadata = Field(default_factory=dict)

    def contract(self) -> Contract:
        # the language stays in the contract (as `contract add` and the imports keep it) and
        # is also stored beside it (`contract_info.language`)
        return Contract.model_validate(self.model_dump(exclude={"metadata"}))


class ContractOut(BaseModel):
    id: str
    policy: str
    customer: dict[str, Any]
    start: date
    currency: str
    lines: list[dict[str, Any]]
    trial_days: int | None = None
    billing_period: Any = None
    overrides: dict[str, Any]
    metadata: dict[str, str]
    # where it stands, as of its last run day (`service.book.contract`)
    status: str | None = None
    access: str | None = None
    as_of: date | None = None
    balance: dict[str, str] | None = None
    next_deadline: dict[str, Any] | None = None
    problem: str | None = None


class ContractList(BaseModel):
    data: list[ContractOut]
    has_more: bool


class MetadataPatch(Strict):
    metadata: Metadata


class EntitlementOut(BaseModel):
    access: Literal["full", "suspended", "export_only", "none"]
    since: date | None
    clauses: list[str]


class EventAccepted(BaseModel):
    status: Literal["stored", "duplicate"]
    event: dict[str, Any]


class BulkAccepted(BaseModel):
    stored: int
    duplicates: int


class ActionList(BaseModel):
    data: list[dict[str, Any]]
    has_more: bool


class RunIn(Strict):
    until: date


class RunOut(BaseModel):
    until: date
    contracts: int
    days: int
    actions: int
    corrections: int
    conflicts: int


def _kind(value: str) -> str:
    if value != "*" and value not in published():
        raise ValueError("not an action kind of the published list")
    return value


class _PublishedKinds:
    """The OpenAPI's enum of the kinds an endpoint may subscribe to, read from the published
    list when the document is written (after `bootstrap()` installed the mechanisms), not when
    this module is imported: a kind a mechanism adds is in the enum as `_kind` takes it."""

    def __get_pydantic_json_schema__(self, core_schema: CoreSchema,
                                     handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        return {"type": "string", "enum": ["*", *published()]}


EventKind = Annotated[str, AfterValidator(_kind), _PublishedKinds()]


class EndpointIn(Strict):
    url: str = Field(min_length=1, max_length=2000,
                     description="https, to a host that resolves to public addresses only")
    events: list[EventKind] = Field(min_length=1, max_length=100)
    description: str | None = Field(default=None, max_length=500)


class EndpointOut(BaseModel):
    id: str
    url: str
    events: list[str]
    enabled: bool
    created_at: str
    disabled_at: str | None = None
    secret: str | None = None


class EndpointList(BaseModel):
    data: list[EndpointOut]
    has_more: bool


class Attempt(BaseModel):
    at: str
    status_code: int | None
    latency_ms: int
    response: str


class DeliveryOut(BaseModel):
    id: str
    endpoint: str
    type: str
    status: Literal["pending", "delivered", "failed"]
    attempts: list[Attempt]
    created_at: str
    next_attempt_at: str | None
    delivered_at: str | None


class DeliveryList(BaseModel):
    data: list[DeliveryOut]
    has_more: bool


class Health(BaseModel):
    status: Literal["ok"]
    database: str
    revision: str | None


class TenantOut(BaseModel):
    name: str
    timezone: str
    terms_url: str | None
    renewal_reminder_days: int
    notice_email: str | None


class TenantPatch(Strict):
    terms_url: WebURL | None = Field(default=None, description="http(s), normalised")
    renewal_reminder_days: int | None = Field(default=None, ge=1, le=365)
    notice_email: Email | None = None


class SimulateIn(Strict):
    """Either a `scenario` (the scenario file as JSON), or a stored `contract` with
    hypothetical `events` added to its stored ones, run to `until` (required then)."""
    scenario: dict[str, Any] | None = None
    contract: Annotated[str, StringConstraints(min_length=1, max_length=100,
                                               pattern=bounds.ID_PATTERN)] | None = None
    events: list[Event] = Field(default_factory=list, max_length=1000)
    until: Day | None = None

    @model_validator(mode="after")
    def _one_shape(self) -> SimulateIn:
        if (self.scenario is None) == (self.contract is None):
            raise ValueError("give either a scenario or a contract's id")
        if self.contract is not None and self.until is None:
            raise ValueError("until is required with a contract")
        if self.scenario is not None and self.events:
            raise ValueError("events go with a contract; a scenario has its own")
        return self


class CustomerOut(BaseModel):
    id: str
    name: str
    country: str | None
    email: str | None
    contracts: list[str]
    metadata: dict[str, str]


class CustomerList(BaseModel):
    data: list[CustomerOut]
    has_more: bool


class InvoiceLineOut(BaseModel):
    item: str
    quantity: str
    unit_price: str
    amount: str


class InvoiceLinks(BaseModel):
    pdf: str
    xml: str


Amount = Annotated[str, StringConstraints(pattern=r"^-?[0-9]+\.[0-9]{2}$")]


class InvoiceOut(BaseModel):
    """A numbered document. Amounts are text in the currency's decimals; `open` is what the
    customer still owes of it, VAT included (0.00 for a credit note, a credited or replaced
    invoice)."""
    number: str = Field(description="The legal number of its series, e.g. SW2027-000001.")
    ref: str = Field(description="The engine's item (what payments and events name).")
    contract: str
    kind: Literal["invoice", "credit_note", "fee", "interest"]
    reason: str = Field(description="subscription, usage, ..., correction, sla_credit, ...")
    issued: date
    due: date
    period_start: date | None
    period_end: date | None
    currency: str
    net: Amount
    vat: Amount
    total: Amount
    open: Amount
    status: Literal["open", "paid", "credited", "replaced", "credit_note"]
    credit_note_for: str | None = Field(description="The number of the document it credits.")
    lines: list[InvoiceLineOut]
    links: InvoiceLinks


class InvoiceList(BaseModel):
    data: list[InvoiceOut]
    has_more: bool


class EmailOut(BaseModel):
    id: str
    kind: str
    contract: str | None
    to: str
    subject: str
    status: Literal["pending", "sent", "failed", "not_sent"]
    attempts: int
    created_at: str
    sent_at: str | None
    last_error: str | None


class EmailList(BaseModel):
    data: list[EmailOut]
    has_more: bool
