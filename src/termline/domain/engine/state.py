"""The state of one contract between two days: immutable, replaced by each step."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Literal, TypeVar, cast

from termline.domain.contract.model import Contract
from termline.domain.engine.extension_states import NO_STATES, ExtensionStates, slot_of
from termline.domain.mechanisms.backups.state import BackupState
from termline.domain.mechanisms.billing.lines import InvoiceLine
from termline.domain.mechanisms.pricing.series import IndexTable
from termline.domain.mechanisms.pricing.state import PricingState
from termline.domain.mechanisms.privacy.state import PrivacyState
from termline.domain.mechanisms.sla.state import SlaState
from termline.domain.mechanisms.support.state import SupportState
from termline.domain.mechanisms.usage.state import UsageState
from termline.domain.policy.schema import Policy
from termline.domain.rates.table import RateTable
from termline.domain.values.calendar import Calendar
from termline.domain.values.money import ZERO
from termline.domain.values.record_build import assigned
from termline.domain.values.records import replace

Status = Literal["pending", "trial", "active", "terminated"]
Access = Literal["none", "full", "suspended", "export_only"]
ItemKind = Literal["invoice", "fee", "interest"]
__all__ = ["Access", "Context", "ContractState", "InvoiceLine", "Item", "Notice", "Receipt",
           "Status"]


S = TypeVar("S")


@assigned
@dataclass(frozen=True, slots=True)
class Item:
    """An open item of the customer's account: invoice, fee or charged interest document.

    `amount` is the document's total including VAT, what the customer owes; `vat` is the VAT
    in it, decided when the engine issues the item (`tax.item_vat`), `vat_category` its
    EN 16931 category and rate ("S 21", "AE 0", "O 0"). Payments and credit notes settle it.
    """

    ref: str
    kind: ItemKind
    issued: date
    due: date
    amount: Decimal
    seq: int
    paid: Decimal = ZERO
    invoice: str | None = None
    period_start: date | None = None
    period_end: date | None = None
    lines: tuple[InvoiceLine, ...] = ()
    principal_payments: tuple[tuple[date, Decimal], ...] = ()
    settled_on: date | None = None
    vat: Decimal = ZERO
    vat_category: str | None = None
    credited: Decimal = ZERO
    on_hold: bool = False
    """Disputed within the terms' window and not yet resolved: no dunning step, fee, interest,
    suspension or termination arises from it (engine/disputes.py)."""
    resumed: date | None = None
    """The day a rejected dispute was resolved: the ladder counts no step date before it."""
    held_from: date | None = None
    """The day the dispute that put it on hold was received (kept once resolved): what was
    held on an earlier day is rebuilt from it (dunning/as_of.py)."""

    @property
    def open(self) -> Decimal:
        return self.amount - self.paid - self.credited

    @property
    def net(self) -> Decimal:
        return self.amount - self.vat

    def __reduce__(self) -> tuple[type[Item], tuple[object, ...]]:
        # sent between processes (service.pipeline): a slotted dataclass's own pickling calls
        # dataclasses.fields() for every object, which cost as much as the step itself
        return (self.__class__, tuple(getattr(self, f) for f in self.__slots__))


@assigned
@dataclass(frozen=True, slots=True)
class Receipt:
    """What a payment with a reference paid: the items and amounts, and what it left as credit
    (so a returned direct debit can undo exactly that; payment/returns.py)."""

    reference: str
    day: date
    applied: tuple[tuple[str, Decimal], ...]
    credit: Decimal = ZERO
    returned: date | None = None

    def __reduce__(self) -> tuple[type[Receipt], tuple[object, ...]]:
        # as Item: sent between processes without dataclasses.fields() per object
        return (self.__class__, tuple(getattr(self, f) for f in self.__slots__))


@assigned
@dataclass(frozen=True, slots=True)
class Notice:
    by: Literal["customer", "provider"]
    received: date
    effective: date
    clauses: tuple[str, ...]


# Each mechanism's state at its start, one object for every fresh state: the records are frozen,
# so sharing them is safe, and a fresh state (each contract's first day, each stored state
# decoded without them) no longer builds six records.
NO_PRICING, NO_USAGE, NO_SLA = PricingState(), UsageState(), SlaState()
NO_SUPPORT, NO_PRIVACY, NO_BACKUPS = SupportState(), PrivacyState(), BackupState()


@assigned
@dataclass(frozen=True)  # no slots: `core.records.replace` copies its __dict__ at once
class ContractState:
    status: Status = "pending"
    access: Access = "none"
    trial_end: date | None = None
    paid_start: date | None = None
    term_start: date | None = None
    term_end: date | None = None
    billing_anchor: date | None = None
    next_period_index: int = 0
    quantities: tuple[tuple[str, int], ...] = ()
    seat_reductions: tuple[tuple[date, str, int], ...] = ()
    # list prices announced by event (item, effective from, price), over the policy's price_list
    list_prices: tuple[tuple[str, date, Decimal], ...] = ()
    notice: Notice | None = None
    terminated_on: date | None = None
    termination_reason: str | None = None
    items: tuple[Item, ...] = ()
    steps_done: tuple[tuple[str, str, date], ...] = ()
    credit: Decimal = ZERO
    suspended_for: tuple[str, ...] = ()
    payment_failures: tuple[date, ...] = ()
    receipts: tuple[Receipt, ...] = ()
    delete_on: date | None = None
    delete_instructed: date | None = None
    data_deleted: bool = False
    seq: int = 0
    # the states of the mechanisms installed through the registry (engine/extension_states)
    extensions: ExtensionStates = NO_STATES
    pricing: PricingState = NO_PRICING
    usage: UsageState = NO_USAGE
    sla: SlaState = NO_SLA
    support: SupportState = NO_SUPPORT
    privacy: PrivacyState = NO_PRIVACY
    backups: BackupState = NO_BACKUPS

    def quantity(self, item: str) -> int:
        return dict(self.quantities)[item]

    def extension(self, kind: type[S]) -> S:
        """The state of the installed mechanism that keeps its state as `kind` (its default
        until the mechanism replaces it)."""
        name, default = slot_of(kind)
        found = self.extensions.get(name)
        return default if found is None else cast(S, found)

    def with_extension(self, value: object) -> ContractState:
        """This state with the installed mechanism's state replaced by `value` (of its kind)."""
        name, default = slot_of(type(value))
        return replace(self, extensions=self.extensions.replaced(name, value, default))

    def step_date(self, invoice: str, step: str) -> date | None:
        for ref, name, day in self.steps_done:
            if ref == invoice and name == step:
                return day
        return None

    def item(self, ref: str) -> Item:
        for it in self.items:
            if it.ref == ref:
                return it
        raise KeyError(ref)


@lru_cache(maxsize=256)
def business_calendar(country: str, closed_days: tuple[str, ...]) -> Calendar:
    """The business days of a policy (`calendar`, `closed_days` as "MM-DD"): one object per
    policy's pair, not one per contract day (a context is built for each)."""
    return Calendar(country, tuple((int(d[:2]), int(d[3:])) for d in closed_days))


@dataclass(frozen=True)
class Context:
    """What a step needs besides the state: the contract, its policy, calendars, rates and
    index series."""

    contract: Contract
    policy: Policy
    rates: RateTable
    indices: IndexTable = field(default_factory=IndexTable)
    seller_country: str | None = None
    """The seller's country for VAT (the store: the tenant profile's); default the country
    of the policy's governing law."""
    calendar: Calendar = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "calendar",
                           business_calendar(self.policy.calendar, self.policy.closed_days))

    @property
    def currency(self) -> str:
        return self.policy.currency

    @property
    def seller(self) -> str:
        return self.seller_country or self.policy.source.governing_law
