"""What the store hands out and takes in: plain immutable records around the engine's own
objects. Kept apart from the repository so that the projection (which the repository calls)
and the service layer can name them without importing the repository."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from termline.adapters.sql.jsontext import dumps, loads
from termline.adapters.sql.ledger_keys import digest as digest  # re-exported: the stores key by it
from termline.domain.contract.event_kinds import event_adapter
from termline.domain.contract.model import Contract, Customer, EventBase
from termline.domain.engine.actions import Action
from termline.domain.engine.state import ContractState
from termline.domain.values.record_build import assigned


@dataclass(frozen=True)
class Tenant:
    id: int
    name: str
    timezone: str
    settings: dict[str, Any]


@assigned
@dataclass(frozen=True)
class StoredContract:
    """A contract as stored. `source` is its validated contract, or its stored document,
    validated when `contract` is first asked for: the pipelined run's writer stores what a
    step process computed from a document that process validated, and needs the contract
    itself only to write to a customer who has an e-mail address (`store.outbox`); validating
    every document a second time was 8 % of its work on a billing day."""

    id: int
    tenant_id: int
    source: Contract | str
    policy_version_id: int

    @property
    def contract(self) -> Contract:
        source = self.source
        if isinstance(source, str):
            source = contract_document(source)
            object.__setattr__(self, "source", source)  # validated once
        return source

    @property
    def mailable(self) -> bool:
        """Whether the customer has an e-mail address, read from a stored document without
        validating it: it validated when stored, and validation never empties an address."""
        source = self.source
        if isinstance(source, str):
            return bool(loads(source)["customer"].get("email"))
        return bool(source.customer.email)


@assigned
@dataclass(frozen=True)
class RunState:
    contract_id: int
    state: ContractState
    cursor: date
    next_due: date
    recompute_from: date | None
    action_count: int
    problem: dict[str, Any] | None = None  # why the run set the contract aside


@dataclass(frozen=True)
class Unreadable:
    """A stored event the current model refuses (stored by an older version, or by hand):
    the run sets its contract aside with `problem` instead of failing the whole batch."""

    date: date
    problem: str


@dataclass(frozen=True)
class StoredEvent:
    id: int
    event: EventBase | Unreadable  # the validated event, or why it is not


@dataclass(frozen=True)
class LoggedEvent:
    """An event of the log as an operator lists it: its id, identity and whether voided."""

    id: int
    contract: str | None  # the contract's ref; None for a broadcast event
    natural_key: str
    payload: dict[str, Any]
    void_reason: str | None


@dataclass(frozen=True)
class StoredAction:
    natural_key: str
    seq: int
    date: date
    kind: str
    body: dict[str, Any]


@assigned
@dataclass(frozen=True)
class NewAction:
    action: Action
    natural_key: str
    cause_date: date
    cause_events: tuple[int, ...]
    body: str | None = None  # the action's JSON, when already written (keyed_bodies)


@assigned
@dataclass(frozen=True)
class RunDay:
    """One contract day a run stores: the state after it and the actions it appends."""

    contract: StoredContract
    first_seq: int
    state: ContractState
    items: Sequence[NewAction]


@dataclass(frozen=True)
class DueRun:
    """A due contract's run row and document as stored, not decoded: what a step in another
    process needs (`service.pipeline`), and what shows whether the row moved meanwhile."""

    contract_id: int
    tenant_id: int
    policy_version_id: int
    start: date
    document: str
    state: str
    cursor: date
    next_due: date
    recompute_from: date | None
    action_count: int
    # what the console's kept rows hold for it (`kept.keep`), as read with the row: they
    # change only with its mark, so they hold while the mark does
    currency: str
    status: str
    access: str

    def mark(self) -> tuple[date, date, date | None, int]:
        return self.cursor, self.next_due, self.recompute_from, self.action_count


def field_value(act: Action, key: str) -> Any:
    """An action's field as `dict(act.fields).get(key)` gives it (the last of that key, or
    None), without building the dict: the row builders ask for one or two fields of each
    action."""
    for name, value in reversed(act.fields):
        if name == key:
            return value
    return None


RawEvent = tuple[int, date, str]  # id, date, payload as stored


NEVER = date(9999, 12, 31)  # next_due of a contract nothing can happen to without an event


def stored_event(event_id: int, day: date, payload: str) -> StoredEvent:
    try:
        return StoredEvent(event_id, event_adapter().validate_json(payload))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        return StoredEvent(event_id, Unreadable(day, f"{where}: {first['msg']}" if where
                                                else first["msg"]))


def claimable(until: date) -> date:
    """The last next_due a run to `until` claims: NEVER marks a contract nothing can happen to
    without an event (or one set aside), never due, even on a run to 9999-12-31."""
    return min(until, NEVER - timedelta(days=1))


def stored_contract(contract_id: int, row: Any) -> StoredContract:
    """A contract as a row of `contracts` (or a join holding its columns) stores it."""
    return stored_contract_of(contract_id, row.tenant_id, row.document, row.policy_version_id)


def stored_contract_of(contract_id: int, tenant_id: int, document: str, policy_version_id: int
                       ) -> StoredContract:
    """A contract as stored, from its columns."""
    return StoredContract(contract_id, tenant_id, contract_document(document), policy_version_id)


# The contracts decoded so far in this process, by their stored text: a run claims each due
# contract again on each of its acting days (a year of 100,000 contracts: about ten times
# each), and validating the document again was most of a claim's own work. Keyed by the whole
# text, so a document stored with any other content is validated anew (and a text that does
# not validate is never kept); a validated `Contract` is frozen and depends on nothing but its
# text. Bounded: past DOCUMENTS_KEPT (about 3.4 kB each) new texts are validated and not kept.
DOCUMENTS_KEPT = 100_000
_documents: dict[str, Contract] = {}


def contract_document(document: str) -> Contract:
    """The validated contract of a stored document."""
    found = _documents.get(document)
    if found is None:
        found = Contract.model_validate_json(document)
        if len(_documents) < DOCUMENTS_KEPT:
            _documents[document] = found
    return found


def customer_key(customer: Customer) -> str:
    """The customer's identity in its tenant: name, country and e-mail."""
    return digest(dumps([customer.name, customer.country, customer.email]))


@dataclass(frozen=True)
class BankEntry:
    """An imported bank line (a credit of a statement): `status` matched or unmatched, with
    the document and the payment event it was matched to at import."""

    tenant_id: int
    entry_ref: str
    booked: date
    amount: Decimal
    currency: str
    debtor: str | None
    structured_ref: str | None
    text: str | None
    status: str
    document_number: str | None = None
    event_id: int | None = None
    id: int = 0  # given by the store


@dataclass(frozen=True)
class BankMatch:
    """What a bank line paid: an amount of one document, by reference, number, amount or by
    hand, as one payment event."""

    tenant_id: int
    entry_id: int
    document_number: str
    amount: Decimal
    by: str
    event_id: int


@dataclass(frozen=True)
class UnmatchedEntry:
    entry_ref: str
    booked: date
    amount: Decimal
    currency: str
    debtor: str | None
    structured_ref: str | None
    text: str | None
    open: Decimal  # the amount not yet assigned to a document


@dataclass(frozen=True)
class BankPayment:
    """A bank line's payment of a document, with its event's payload as stored."""

    entry_ref: str
    booked: date
    amount: Decimal
    by: str
    event_id: int
    payload: str


@dataclass(frozen=True)
class NewEmail:
    """An e-mail for the outbox, as `notify.derive` writes one: sent once by its `msg_id`,
    however often it is written."""

    tenant_id: int
    contract_id: int | None
    msg_id: str
    kind: str
    to_addr: str
    subject: str
    body: str
    status: str = "pending"
    attempts: int = 0
    from_addr: str | None = None  # the tenant's sender; None: the operator's
    attachments: str | None = None  # JSON: what to attach
