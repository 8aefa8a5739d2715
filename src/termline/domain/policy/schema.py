"""The policy format: every rule names the clause it comes from.

A pack is a YAML document validated by :class:`Policy`. Rules are grouped by mechanism
(term, termination, trial, billing, payment, seats, dunning, interest, retention). Each rule
carries ``clause`` (one clause number or a list) and optional ``notes`` that record the reading
chosen where the terms are ambiguous. Durations are written as the T&Cs write them ("3 months").
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, Literal, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SerializationInfo,
    SerializerFunctionWrapHandler,
    ValidationError,
    ValidatorFunctionWrapHandler,
    field_validator,
    model_serializer,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from termline.domain.mechanisms.backups.rules import BackupRule
from termline.domain.mechanisms.liability.rules import LiabilityRule
from termline.domain.mechanisms.pricing.rules import PricesRule
from termline.domain.mechanisms.privacy.rules import PrivacyRule
from termline.domain.mechanisms.sla.rules import SlaRule
from termline.domain.mechanisms.support.rules import SupportRule
from termline.domain.mechanisms.usage.rules import UsageRule
from termline.domain.policy.extension_rules import key_of, sections
from termline.domain.values.duration import Duration
from termline.domain.values.rule import (
    CalendarCode,
    Clauses,
    Currency,
    Dec,
    Dur,
    OptionalClauses,
    Right,
    Rule,
    Strict,
    TimeZone,
)

__all__ = ["Clauses", "Dec", "Dur", "Policy", "Right", "Rule", "Strict"]


class Source(Strict):
    file: str
    """The terms text the policy was written from."""
    provider: str
    """The provider's legal name."""
    product: str
    """The product or service the terms cover."""
    language: str
    """Language of the terms (ISO 639-1)."""
    governing_law: str
    """The governing law (country code)."""
    venue: str
    """The courts with jurisdiction."""
    version: str | None = None
    """The version or date of the terms, as the text gives it."""
    law_clause: Clauses
    """The clause choosing law and venue."""
    parts: dict[str, str] = Field(default_factory=dict)
    """Prefixes for the clauses of appendices whose numbering restarts: {"Appendix 1": DPA}
    makes its 6.4 the clause DPA-6.4."""


# --- term, renewal and notices -------------------------------------------------------------

class StartRule(Rule):
    anchor: Literal["ordering_date", "order_confirmation", "contract_date", "signature",
                    "acceptance"]


class TermRule(Rule):
    """The initial term and each renewal.

    ``renewal``: a duration, ``billing_period`` (each renewal lasts one billing period), or
    ``initial`` (each renewal lasts as long as the initial term, also when a contract overrides
    the initial term: the two cannot drift apart).
    """

    initial: Dur
    renewal: Dur | Literal["billing_period", "initial"] = Field(
        examples=["12 months", "billing_period", "initial"])
    initial_anchor: Literal["start", "first_billing_period"] = "start"


class NoticeRule(Rule):
    """When a termination notice takes effect.

    * ``term_end``: at the end of a term; the notice must arrive ``period`` before ``before``
      (inclusive). A late notice ends the following term (or the first one whose deadline it meets).
    * ``end_of_calendar_month``: at the end of the calendar month in which the notice was
      given, never before the end of the initial term.
    * ``fixed_period``: ``period`` after the notice date, not aligned to any term.
    """

    allowed: bool = True
    """Whether the party may terminate by notice at all."""
    effect: Literal["term_end", "end_of_calendar_month", "fixed_period"] = "term_end"
    period: Dur | None = None
    before: Literal["term_end", "next_term_start"] = "term_end"
    basis: Literal["sent", "received"] = "received"
    before_invoice_dispatch: bool = False
    """The notice must also arrive before the next period's invoice is dispatched."""
    non_terminable: Dur | None = None
    """A first stretch of the contract during which a notice cannot end it."""
    min_commitment_mode: Literal["end_of_first_term", "after_first_term"] = "end_of_first_term"
    period_by_billing: dict[str, Dur] = Field(default_factory=dict, examples=[
        '{1 month: 14 days, 12 months: 2 months}'])
    """The notice period for each billing period ("14 days for monthly, 2 months for yearly
    subscriptions"), keyed by the billing period as a duration; `period` serves the others."""

    @field_validator("period_by_billing")
    @classmethod
    def _billing_keys(cls, value: dict[str, Duration]) -> dict[str, Duration]:
        for key in value:
            Duration.parse(key)  # a key is a billing period: "1 month", "12 months"
        return value

    @model_validator(mode="after")
    def _period_needed(self) -> NoticeRule:
        if self.allowed and self.effect == "fixed_period" and self.period is None \
                and not self.period_by_billing:
            raise ValueError("effect 'fixed_period' needs a 'period'")
        return self

    def period_for(self, billing: Duration) -> Duration | None:
        """The notice period for a contract billed every `billing`."""
        for key, period in self.period_by_billing.items():
            parsed = Duration.parse(key)
            if parsed == billing or (parsed.months and parsed.months == billing.months):
                return period
        return self.period


class TerminationRules(Strict):
    """``no_refund`` cites the clause that keeps prepaid fees at termination; leave it out when
    the terms say nothing (nothing is refunded either way: the engine never refunds fees)."""

    customer: NoticeRule
    provider: NoticeRule
    no_refund: Rule | None = None


class ProviderTerminationRight(Right):
    """Immediate termination at the provider's discretion (event ``provider_termination``).

    Optional: without it the event is refused (the terms give the provider no such right).
    """

    clause: OptionalClauses = ()

    accelerate_to_term_end: bool = False
    """The fees up to the end of the current term become due at once."""
    reason: Literal["breach", "dissolution"] = "breach"

    @model_validator(mode="after")
    def _enabled_cites(self) -> ProviderTerminationRight:
        if self.enabled and not self.clause:
            raise ValueError("a provider termination right that is enabled cites its clause")
        return self


# --- trial -------------------------------------------------------------------------------

class TrialRule(Rule):
    """A free trial. Optional: without a ``trial:`` section no trial is offered and no clause
    needs citing."""

    clause: OptionalClauses = ()
    offered: bool = True
    """Whether the terms offer a free trial."""
    default_days: int | None = None
    """The trial's length in days when a contract does not give `trial_days`."""
    on_expiry: Literal["terminate_and_delete", "terminate"] = "terminate_and_delete"
    data_on_conversion: Literal["keep", "discard"] = "keep"

    @model_validator(mode="after")
    def _offered_cites(self) -> TrialRule:
        if self.offered and not self.clause:
            raise ValueError("a trial that is offered cites its clause")
        return self


# --- billing, payment, seats -----------------------------------------------------------

class BillingRule(Rule):
    period: Dur
    """The length of a billing period (months or years)."""
    in_advance: Literal[True] = True
    """Periods are invoiced in advance (the only mode so far)."""
    invoice_lead: Dur = Field(default_factory=lambda: Duration.parse("0 days"))
    """How long before its period an invoice is dated."""
    alignment: Literal["contract_start", "next_month_start"] = "contract_start"
    stub: Literal["free", "prorated"] = "free"


class PaymentRule(Rule):
    """The payment term, the allocation of payments, and the window to dispute an invoice.

    ``dispute_window`` is counted from ``dispute_from``: ``invoice_date`` (the day the invoice
    is issued) or ``service_date`` (the last day of the service the invoice charges: the end of
    its period, or its issue day when it has no period, as for a one-off charge). A dispute
    after the window is refused: the invoice is deemed accepted.
    """

    term: Dur
    """The payment term: the due date is the invoice date plus this."""
    dispute_window: Dur | None = None
    dispute_from: Literal["invoice_date", "service_date"] = Field(
        default="invoice_date", examples=["service_date"])
    allocation: Literal["oldest_first", "principal_first"] = "oldest_first"
    """Which open items a payment settles after the item it names (`payment.allocation`):
    ``oldest_first``, the oldest invoice first with its costs, then its interest, then its
    principal; ``principal_first``, all principal oldest first, then costs, then interest."""
    direct_debit_prenotice: int = Field(default=14, ge=1, le=14, examples=[5])
    """Days before a SEPA direct debit by which the debtor is told its date and amount (the
    SEPA Core rulebook's 14 calendar days unless the terms set less); a document issued later
    than that before its due date is collected that many days after its issue."""


class PriceListRule(Rule):
    """The provider's list price of each item, dated (each price in force from its date),
    where the terms refer to "the list price" (of the day) rather than the contract's price.
    An event `list_price_changed` (item, price, effective) changes it for the contracts it
    addresses; one dated before a contract's start is taken on its start day (the price list
    in force when it starts)."""

    items: dict[str, dict[date, Dec]] = Field(examples=[
        '{ERP Seat: {2027-01-01: "60.00", 2027-07-01: "65.00"}}'])


class SeatChangeRule(Rule):
    increase: Literal["prorata_to_period_end"] = "prorata_to_period_end"
    """How added users are billed: pro rata to the end of the invoiced period(s)."""
    price: Literal["contract", "list_price"] = Field(default="contract",
                                                     examples=["list_price"])
    """The unit price added users are billed at: the contract's, or the list price of the
    day of the change (`price_list`, "at the list price applicable at that time")."""
    decrease_notice: Dur | None = None
    """How long before a period's end a reduction must be notified to apply from the next period."""
    decrease_basis: Literal["sent", "received", "sent_and_received"] = "received"


# --- dunning ----------------------------------------------------------------------------

StepKind = Literal[
    "reminder", "default_notice", "payment_notice", "suspension", "breach_notice",
    "termination", "collection", "hand_over", "charge",
]


class DunningStep(Right):
    """One rung of the overdue ladder, run per unpaid invoice.

    The step happens on ``from`` + ``after`` (+ one day when ``lapsed``: the period must have
    run out completely, "within seven days" ends on day seven) + ``delay``. ``from`` is one
    anchor or a list of them (counted from the latest). ``requires_steps`` waits for earlier
    steps without moving the date: the step falls on the later of its own date and theirs
    ("21 days after the due date and after the third reminder", "after at least three
    reminders").

    Kinds: ``reminder`` (optional ``fee``), ``default_notice``, ``payment_notice``,
    ``suspension``, ``breach_notice`` (needs ``remedy``), ``termination``, ``collection``
    (collection costs: ``percent_of_principal``, optional ``minimum_fee``), ``hand_over`` (the
    claim goes to a collection agency; charges nothing), ``charge`` (a named one-off charge,
    ``charge_name``, with ``fee`` or ``percent_of_principal``, e.g. a fixed interest of 15 %;
    its item is referenced INVOICE-STEPNAME, so two charges on one invoice never share one).
    """

    name: str
    """The step's name, unique in the ladder; later steps refer to it."""
    kind: StepKind
    """What the step does (see the kinds above)."""
    after: Dur
    """The time from the anchor to the step."""
    from_: str | tuple[str, ...] = Field(alias="from", examples=["due_date", "previous_step",
                                                                "[due_date, reminder_2]"])
    """The anchor: invoice_date, due_date, previous_step or an earlier step's name; a list
    counts from the latest of them and waits until all have happened."""
    lapsed: bool = False
    """The period must run out completely: the step is on the day after."""
    fee: Dec | None = Field(default=None, ge=0)
    """A fixed amount the step charges (a reminder fee, a charge's amount)."""
    percent_of_principal: Dec | None = Field(default=None, ge=0)
    """A percentage of the invoice's unpaid principal the step charges (collection, charge)."""
    minimum_fee: Dec | None = Field(default=None, ge=0)
    """The least a percentage charge amounts to."""
    percent: Dec | None = Field(default=None, gt=0, examples=['"25"'])
    """A percentage the step charges of `of` (collection, charge): "25 % of the fees"."""
    of: Literal["principal", "invoice", "fees", "list_price"] = Field(default="principal",
                                                                      examples=["fees"])
    """What `percent` is taken of: the invoice's unpaid principal, its whole amount, its
    subscription fees (the lines of the contract's price list, not usage or purchases), or
    those fees at the list price (`list_price`: each line's quantity, for the share of a
    period it bills, at the list price in force the day the step acts, `price_list` changed
    by `list_price_changed` events; a line keeps its own price where no list price is
    known)."""
    remedy: Dur | None = None
    """The remedy period a breach notice gives."""
    requires: Literal["payment_failed"] | None = None
    """The step happens only after a failed payment (payment_failed event)."""
    requires_steps: tuple[str, ...] = Field(default=(), examples=["[reminder_1, reminder_2, "
                                                                  "reminder_3]"])
    """Earlier steps that must have happened first; the step then falls on the later of its
    own date and theirs."""
    requires_unpaid_periods: int | None = Field(default=None, ge=1, examples=[3])
    """The step waits, past its own date, until this many billing periods in a row are unpaid
    after their due date ("more than two consecutive periods unpaid": 3)."""
    charge_name: str | None = Field(default=None, examples=["fixed interest", "penalty"])
    """The name a `charge` step's amount carries in the ledger (charge_applied)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True,
                              use_attribute_docstrings=True)

    @property
    def anchors(self) -> tuple[str, ...]:
        return (self.from_,) if isinstance(self.from_, str) else self.from_


def ladder_problems(steps: Sequence[Mapping[str, Any]]) -> list[str]:
    """Every problem of the ladder as a whole (anchors, order, what each kind needs).

    Works on the steps as written (mappings), so that `policy check` reports these problems
    also when a step has a bad field and the model stops short of this check.
    """
    return [message for _, _, message in ladder_findings(steps)]


def ladder_findings(steps: Sequence[Mapping[str, Any]]) -> list[tuple[int, str, str]]:
    """The ladder's problems as (step index, field at fault, message)."""
    names: list[str] = []
    problems: list[tuple[int, str, str]] = []
    for index, step in enumerate(steps):
        name, kind = step.get("name"), step.get("kind")
        raw_from = step.get("from")
        anchors = (raw_from,) if isinstance(raw_from, str) else tuple(raw_from or ())

        def has(key: str, step: Mapping[str, Any] = step) -> bool:
            return step.get(key) is not None

        def problem(field: str, message: str, index: int = index, name: Any = name) -> None:
            problems.append((index, field, f"step '{name}': {message}"))

        if name in names:
            problem("name", "duplicate dunning step name")
        allowed = {"invoice_date", "due_date", "previous_step", *names}
        for anchor in anchors:
            if anchor not in allowed:
                hint = ""
                if isinstance(anchor, str):
                    close = difflib.get_close_matches(anchor, sorted(allowed), n=1)
                    hint = f" (did you mean {close[0]!r}?)" if close else ""
                problem("from", f"'from' must be one of {sorted(allowed)}, got {anchor!r}{hint}")
        if not anchors:
            problem("from", "'from' names at least one anchor")
        if "previous_step" in anchors and not names:
            problem("from", "the first step has no previous step")
        if "previous_step" in anchors and len(anchors) > 1:
            problem("from", "previous_step stands alone")
        if kind == "collection" and not (has("percent_of_principal") or has("percent")):
            problem("kind", "a collection step needs percent_of_principal")
        if has("percent") and has("percent_of_principal"):
            problem("percent", "percent_of_principal is percent with of: principal: give one")
        if has("percent") and kind not in ("collection", "charge"):
            problem("percent", "only a collection or a charge step charges a percent")
        if kind == "breach_notice" and not has("remedy"):
            problem("kind", "a breach notice needs a remedy period")
        for required in step.get("requires_steps") or ():
            if required not in names:
                problem("requires_steps", f"requires_steps names {required!r}, which is not an "
                        "earlier step")
        charged = [k for k in ("fee", "percent_of_principal", "percent", "minimum_fee")
                   if has(k)]
        if kind == "hand_over" and charged:
            problem(charged[0], "a hand-over step charges nothing")
        if kind == "charge":
            if not step.get("charge_name"):
                problem("kind", "a charge step needs a charge_name")
            if has("fee") == (has("percent_of_principal") or has("percent")):
                problem("fee" if has("fee") else "kind",
                        "a charge step has either a fee or a percent_of_principal")
        elif has("charge_name"):
            problem("charge_name", "charge_name only applies to kind: charge")
        if isinstance(name, str):
            names.append(name)
    return problems


class DunningRule(Rule):
    steps: tuple[DunningStep, ...] = ()
    restore_on: Literal["principal_paid", "principal_and_fees_paid", "everything_due_paid"] = \
        Field(default="principal_and_fees_paid", examples=["everything_due_paid"])
    """When suspended access comes back: the invoices' principal paid, their principal and
    dunning fees, or everything due on the contract (every invoice, fee, charge and interest
    whose due date has come: "until everything due is paid")."""
    restore_clause: Clauses | None = None
    """The clause that restores suspended access once paid."""

    @model_validator(mode="after")
    def _anchors_exist(self) -> DunningRule:
        problems = ladder_problems([s.model_dump(by_alias=True) for s in self.steps])
        if problems:
            raise ValueError("\n".join(problems))
        return self


class InterestRule(Rule):
    """Late-payment interest.

    * ``statutory``: the governing law's commercial rate from the shipped rate table, per annum,
      day count actual/365; ``compounding: annual`` adds interest to the principal each full year.
    * ``monthly_started``: ``rate`` per month or part of a month, simple.
    * ``monthly_compound``: ``rate`` per completed month, interest added to the principal monthly.
    """

    method: Literal["none", "statutory", "monthly_started", "monthly_compound"]
    rate: Dec | None = None
    jurisdiction: str | None = None
    """The country whose statutory commercial rate applies (method statutory)."""
    rates: dict[date, Dec] = Field(default_factory=dict, examples=[
        '{2026-01-01: "10.27", 2026-07-01: "10.27"}'])
    """Dated statutory rates (percent a year, each in force from its date) for a jurisdiction
    whose rates termline does not ship, or newer than those it ships (method statutory)."""
    compounding: Literal["none", "annual"] = "none"
    accrues_from: Literal["invoice_date", "due_date"] = "due_date"
    base: Literal["gross", "net"] = "gross"
    """What bears interest: ``gross``, the amount due including VAT (the sum the late-payment
    rules of BE, NL, DE and DK count on: the invoice's total); ``net``, without its VAT."""
    requires_step: str | None = None
    """Interest is charged only once this dunning step has happened (e.g. a default notice)."""

    @model_validator(mode="after")
    def _consistent(self) -> InterestRule:
        if self.method in ("monthly_started", "monthly_compound") and self.rate is None:
            raise ValueError(f"interest method {self.method!r} needs a monthly 'rate' (percent)")
        if self.method == "statutory" and not self.jurisdiction:
            raise ValueError("statutory interest needs a 'jurisdiction' (country code)")
        return self


class CompensationRight(Right):
    """Statutory fixed compensation for recovery costs on a late invoice (Late Payment
    Directive 2011/7/EU art. 6 as transposed: BE law of 2 August 2002 art. 6 and NL art. 6:96
    BW, EUR 40; DK renteloven § 9 a stk. 3, DKK 310; NO forsinkelsesrenteloven § 3a).

    ``amount`` (in the policy's currency) is charged once per invoice still unpaid after its
    due date, on the day after the due date, without a reminder, as a named charge of that
    invoice (reference ``INVOICE-COMP``). Without this section nothing is charged: a pack
    whose terms do not mention it leaves it out, and a contract may switch it on where the
    pack marks ``compensation`` overridable.
    """

    amount: Dec = Field(gt=0, examples=['"40.00"'])
    offset: Literal["none", "collection_costs"] = Field(default="none",
                                                        examples=["collection_costs"])
    """``collection_costs``: the lump sum is offset against the invoice's reminder fees and
    collection costs, not added to them (§ 288 (5) sentence 3 BGB: "ist auf einen geschuldeten
    Schadensersatz anzurechnen, soweit der Schaden in Kosten der Rechtsverfolgung begruendet
    ist"): the invoice bears the larger of the lump sum and those costs."""


# --- after termination ------------------------------------------------------------------

class DeletionRule(Right):
    """Scheduled deletion after termination, on the earliest day the clause permits.

    ``latest`` is the outer limit a clause sets (e.g. "at most one year after"), reported as
    ``delete_by`` so that a delay can never push the deletion past it.
    """

    after: Dur
    """The deletion delay after termination."""
    lapsed: bool = False
    """The delay must run out completely: deletion on the day after."""
    latest: Dur | None = None
    latest_clause: Clauses | None = None
    """The clause that sets `latest`."""


class DataDeletion(Right):
    """One more deletion schedule after termination, for a kind of data the terms delete on
    their own date ("personal data within 30 days", "the account's data after 3 months").

    Each happens ``after`` (+ a day when ``lapsed``) the termination, as ``data_deleted`` with
    ``data: name``, unless all data was deleted before (on instruction, early, or by the
    general ``deletion``, which deletes everything)."""

    name: str = Field(examples=["personal data"])
    """The data this schedule deletes, as the terms name it."""
    after: Dur
    """The delay after termination."""
    lapsed: bool = False
    """The delay must run out completely: deletion on the day after."""


class EarlyDeletionRule(Right):
    after: Dur
    """The delay after termination of the early deletion."""
    condition: Literal["overdue_balance"] = "overdue_balance"
    """When data may be deleted early: an overdue balance."""


class RetentionRule(Rule):
    access_after_termination: Literal["none", "export_only"] = "none"
    export_window: Dur | None = None
    """How long after termination the customer may still export its data."""
    deletion: DeletionRule
    deletions: tuple[DataDeletion, ...] = Field(default=(), examples=[
        '[{name: personal data, clause: "9.2", after: 30 days}]'])
    """More deletion schedules, one per kind of data the terms delete on its own date
    (section DataDeletion); `deletion` stays the one that deletes everything."""
    on_instruction: Rule | None = None
    """The clause for deleting or exporting data on the customer's instruction."""
    early_deletion: EarlyDeletionRule | None = None
    """Deletion before the usual date when a condition holds (section EarlyDeletionRule)."""
    export_lead: Dur | None = None
    """How long the provider has to deliver an export."""
    withhold_export_when_overdue: Right | None = None


# --- coverage ---------------------------------------------------------------------------

class CoverageEntry(Strict):
    clause: str
    title: str
    """What the clause is about, in a few words."""
    status: Literal["implemented", "later", "not_operational"]
    test: str | None = None
    """The evidence of an implemented clause: a test (file::name) or a scenario file that must
    run and cite the clause."""
    mechanism: str | None = None
    """The mechanism a clause left for later needs."""
    reason: str | None = None
    """Why a clause is not operational (or a remark on an implemented one)."""

    @model_validator(mode="after")
    def _evidence(self) -> CoverageEntry:
        if self.status == "implemented" and not self.test:
            raise ValueError(f"clause {self.clause}: an implemented clause names its test")
        if self.status == "later" and not self.mechanism:
            raise ValueError(f"clause {self.clause}: a 'later' clause names the mechanism")
        if self.status == "not_operational" and not self.reason:
            raise ValueError(f"clause {self.clause}: a non-operational clause gives a reason")
        return self


class ContractParameter(Strict):
    """A value the terms leave to each contract ("the term agreed in the order form"): the
    policy gives no value at ``path``; a contract that omits it is refused, naming ``path``
    and ``clause``. ``example`` only lets the policy itself be checked and shown."""

    path: str
    clause: Clauses
    example: str | int | bool
    notes: tuple[str, ...] = ()


class Policy(Strict):
    pack: str
    """The policy's name: a contract refers to a built-in pack by it, to a custom policy by its
    file path."""
    title: str
    """A human title: provider and product."""
    source: Source
    """Where the terms come from: file, provider, product, language, law."""
    currency: Currency = "EUR"
    """The currency of every amount of the policy and its contracts."""
    timezone: TimeZone
    """The provider's time zone: days, deadlines and timestamps are counted in it."""
    calendar: CalendarCode
    """The public holidays that make business days (with `closed_days`): a country (`BE`,
    `NL`) or a country and its region as python-holidays names it (`DE-BE`: Berlin, where
    8 March is a holiday)."""
    closed_days: tuple[str, ...] = ()
    """Extra days the provider is closed every year, written MM-DD (e.g. 12-24)."""
    overridable: tuple[str, ...] = ()
    """Dotted paths a contract may set in its `overrides` (a path covers everything below it)."""
    start: StartRule
    """What day a contract starts on (section StartRule)."""
    term: TermRule
    termination: TerminationRules
    provider_termination: ProviderTerminationRight = Field(
        default_factory=lambda: ProviderTerminationRight(enabled=False))
    trial: TrialRule = Field(default_factory=lambda: TrialRule(offered=False))
    billing: BillingRule
    """How and when subscription fees are invoiced (section BillingRule)."""
    payment: PaymentRule
    seats: SeatChangeRule
    """How changes in the number of users are billed (section SeatChangeRule)."""
    price_list: PriceListRule | None = Field(default=None, examples=[
        '{clause: "3.4", items: {ERP Seat: {2027-01-01: "60.00"}}}'])
    """The provider's dated list prices (section PriceListRule)."""
    dunning: DunningRule
    """The overdue ladder run per unpaid invoice (section DunningRule)."""
    interest: InterestRule
    compensation: CompensationRight | None = Field(default=None, examples=[
        '{clause: "4.4", amount: "40.00"}'])
    retention: RetentionRule
    """Data after termination: access, export and deletion (section RetentionRule)."""
    prices: PricesRule | None = None
    usage: UsageRule | None = None
    sla: SlaRule | None = None
    support: SupportRule | None = None
    privacy: PrivacyRule | None = None
    backups: BackupRule | None = None
    liability: LiabilityRule | None = None
    contract_parameters: tuple[ContractParameter, ...] = Field(default=(), examples=[
        '[{path: term.initial, clause: "2.1", example: 12 months}]'])
    """Values the terms leave to each contract, with no default (section ContractParameter)."""
    coverage: tuple[CoverageEntry, ...] = ()
    """One row per clause of the terms: implemented (with its test), later, or not operational
    (with a reason)."""

    @field_validator("closed_days")
    @classmethod
    def _month_days(cls, days: tuple[str, ...]) -> tuple[str, ...]:
        for day in days:
            month, _, dom = day.partition("-")
            if not (month.isdigit() and dom.isdigit() and 1 <= int(month) <= 12
                    and 1 <= int(dom) <= 31):
                raise ValueError(f"closed days are written MM-DD, got {day!r}")
        return days

    @model_validator(mode="after")
    def _fields_agree(self) -> Policy:
        """The rules that span sections (policy/diagnose.py: `policy check` places each on
        the line of its field)."""
        from termline.domain.policy.diagnose import cross_field

        found = cross_field({name: getattr(self, name) for name in type(self).model_fields})
        if found:
            raise ValueError("\n".join(f.message for f in found))
        return self

    def step(self, name: str) -> DunningStep:
        for step in self.dunning.steps:
            if step.name == name:
                return step
        raise KeyError(name)

    # The sections of the mechanisms installed through the registry (policy/extension_rules):
    # key -> its rules, validated by their own model; read with `extension(Model)`.
    _extensions: dict[str, BaseModel] = PrivateAttr(default_factory=dict)

    def extension(self, model: type[R]) -> R | None:
        """The policy's rules of an installed mechanism, None when the policy has no such
        section (the mechanism then does nothing, as a built-in one whose section is absent)."""
        found = self._extensions.get(key_of(model))
        assert found is None or isinstance(found, model)
        return found

    @model_validator(mode="wrap")
    @classmethod
    def _extension_sections(cls, data: object, handler: ValidatorFunctionWrapHandler
                            ) -> Policy:
        """The installed mechanisms' sections, each validated by its model; its errors are
        placed under its key like a built-in section's (`ext.days`), and reported together
        with the rest of the policy's. A key no installed mechanism claims stays unknown."""
        installed = sections()
        if not isinstance(data, dict) or not installed.keys() & data.keys():
            plain: Policy = handler(data)
            return plain
        own = {key: data[key] for key in installed if key in data}
        errors: list[InitErrorDetails] = []
        policy: Policy | None = None
        try:
            policy = handler({k: v for k, v in data.items() if k not in own})
        except ValidationError as exc:
            errors += _details(exc, ())
        parsed: dict[str, BaseModel] = {}
        for key, raw in own.items():
            try:
                parsed[key] = installed[key].model_validate(raw)
            except ValidationError as exc:
                errors += _details(exc, (key,))
        if errors:
            raise ValidationError.from_exception_data(cls.__name__, errors)
        assert policy is not None
        policy._extensions = parsed
        return policy

    @model_serializer(mode="wrap")
    def _with_extensions(self, handler: SerializerFunctionWrapHandler,
                         info: SerializationInfo) -> dict[str, object]:
        """The stored text keeps the installed mechanisms' sections under their keys."""
        out: dict[str, object] = handler(self)
        for key, rules in self._extensions.items():
            out[key] = rules.model_dump(mode=info.mode, by_alias=bool(info.by_alias))
        return out


R = TypeVar("R", bound=BaseModel)


def _details(exc: ValidationError, prefix: tuple[str, ...]) -> list[InitErrorDetails]:
    """A validation error's items, to be raised again (under `prefix`) as one error."""
    return [InitErrorDetails(type=PydanticCustomError(e["type"], e["msg"]),
                             loc=(*prefix, *e["loc"]), input=e["input"])
            for e in exc.errors()]

