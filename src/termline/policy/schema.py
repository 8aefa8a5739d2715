"""The policy format: every rule names the clause it comes from.

A pack is a YAML document validated by :class:`Policy`. Rules are grouped by mechanism
(term, termination, trial, billing, payment, seats, dunning, interest, retention). Each rule
carries ``clause`` (one clause number or a list) and optional ``notes`` that record the reading
chosen where the seed is ambiguous. Durations are written as the T&Cs write them ("3 months").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, Literal

from pydantic import (
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from termline.backups.rules import BackupRule
from termline.core.duration import Duration
from termline.core.rule import (
    CalendarCode,
    Clauses,
    Currency,
    Dec,
    Dur,
    Right,
    Rule,
    Strict,
    TimeZone,
)
from termline.liability.rules import LiabilityRule
from termline.pricing.rules import PricesRule
from termline.privacy.rules import PrivacyRule
from termline.sla.rules import SlaRule
from termline.support.rules import SupportRule
from termline.usage.rules import UsageRule

__all__ = ["Clauses", "Dec", "Dur", "Policy", "Right", "Rule", "Strict"]


class Source(Strict):
    file: str
    provider: str
    product: str
    language: str
    governing_law: str
    venue: str
    version: str | None = None
    law_clause: Clauses
    parts: dict[str, str] = Field(default_factory=dict)


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
    renewal: Dur | Literal["billing_period", "initial"]
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
    effect: Literal["term_end", "end_of_calendar_month", "fixed_period"] = "term_end"
    period: Dur | None = None
    before: Literal["term_end", "next_term_start"] = "term_end"
    basis: Literal["sent", "received"] = "received"
    before_invoice_dispatch: bool = False
    non_terminable: Dur | None = None
    min_commitment_mode: Literal["end_of_first_term", "after_first_term"] = "end_of_first_term"

    @model_validator(mode="after")
    def _period_needed(self) -> NoticeRule:
        if self.allowed and self.effect == "fixed_period" and self.period is None:
            raise ValueError("effect 'fixed_period' needs a 'period'")
        return self


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

    accelerate_to_term_end: bool = False
    reason: Literal["breach", "dissolution"] = "breach"


# --- trial -------------------------------------------------------------------------------

class TrialRule(Rule):
    """A free trial. Optional: without a ``trial:`` section no trial is offered and no clause
    needs citing."""

    clause: Clauses = ()
    offered: bool = True
    default_days: int | None = None
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
    in_advance: Literal[True] = True
    invoice_lead: Dur = Field(default_factory=lambda: Duration.parse("0 days"))
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
    dispute_window: Dur | None = None
    dispute_from: Literal["invoice_date", "service_date"] = "invoice_date"
    allocation: Literal["oldest_first"] = "oldest_first"


class SeatChangeRule(Rule):
    increase: Literal["prorata_to_period_end"] = "prorata_to_period_end"
    decrease_notice: Dur | None = None
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
    anchor or a list of them: the step counts from the **latest** of those dates ("21 days
    after the due date and after the third reminder") and waits until all have happened.
    ``requires_steps`` names earlier steps that must have happened first ("after at least
    three reminders") without moving the date.

    Kinds: ``reminder`` (optional ``fee``), ``default_notice``, ``payment_notice``,
    ``suspension``, ``breach_notice`` (needs ``remedy``), ``termination``, ``collection``
    (collection costs: ``percent_of_principal``, optional ``minimum_fee``), ``hand_over`` (the
    claim goes to a collection agency; charges nothing), ``charge`` (a named one-off charge,
    ``charge_name``, with ``fee`` or ``percent_of_principal``, e.g. a fixed interest of 15 %).
    """

    name: str
    kind: StepKind
    after: Dur
    from_: str | tuple[str, ...] = Field(alias="from")
    lapsed: bool = False
    fee: Dec | None = None
    percent_of_principal: Dec | None = None
    minimum_fee: Dec | None = None
    remedy: Dur | None = None
    requires: Literal["payment_failed"] | None = None
    requires_steps: tuple[str, ...] = ()
    charge_name: str | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @property
    def anchors(self) -> tuple[str, ...]:
        return (self.from_,) if isinstance(self.from_, str) else self.from_


def ladder_problems(steps: Sequence[Mapping[str, Any]]) -> list[str]:
    """Every problem of the ladder as a whole (anchors, order, what each kind needs).

    Works on the steps as written (mappings), so that `policy check` reports these problems
    also when a step has a bad field and the model stops short of this check.
    """
    names: list[str] = []
    problems: list[str] = []
    for step in steps:
        name, kind = step.get("name"), step.get("kind")
        raw_from = step.get("from")
        anchors = (raw_from,) if isinstance(raw_from, str) else tuple(raw_from or ())

        def has(key: str, step: Mapping[str, Any] = step) -> bool:
            return step.get(key) is not None

        if name in names:
            problems.append(f"step '{name}': duplicate dunning step name")
        allowed = {"invoice_date", "due_date", "previous_step", *names}
        for anchor in anchors:
            if anchor not in allowed:
                problems.append(f"step '{name}': 'from' must be one of {sorted(allowed)}, "
                                f"got {anchor!r}")
        if not anchors:
            problems.append(f"step '{name}': 'from' names at least one anchor")
        if "previous_step" in anchors and not names:
            problems.append(f"step '{name}': the first step has no previous step")
        if "previous_step" in anchors and len(anchors) > 1:
            problems.append(f"step '{name}': previous_step stands alone")
        if kind == "collection" and not has("percent_of_principal"):
            problems.append(f"step '{name}': a collection step needs percent_of_principal")
        if kind == "breach_notice" and not has("remedy"):
            problems.append(f"step '{name}': a breach notice needs a remedy period")
        for required in step.get("requires_steps") or ():
            if required not in names:
                problems.append(f"step '{name}': requires_steps names {required!r}, which is "
                                "not an earlier step")
        if kind == "hand_over" and any(has(k) for k in
                                       ("fee", "percent_of_principal", "minimum_fee")):
            problems.append(f"step '{name}': a hand-over step charges nothing")
        if kind == "charge":
            if not step.get("charge_name"):
                problems.append(f"step '{name}': a charge step needs a charge_name")
            if has("fee") == has("percent_of_principal"):
                problems.append(f"step '{name}': a charge step has either a fee or a "
                                "percent_of_principal")
        elif has("charge_name"):
            problems.append(f"step '{name}': charge_name only applies to kind: charge")
        if isinstance(name, str):
            names.append(name)
    return problems


class DunningRule(Rule):
    steps: tuple[DunningStep, ...] = ()
    restore_on: Literal["principal_paid", "principal_and_fees_paid"] = "principal_and_fees_paid"
    restore_clause: Clauses | None = None

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
    compounding: Literal["none", "annual"] = "none"
    accrues_from: Literal["invoice_date", "due_date"] = "due_date"
    requires_step: str | None = None

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


# --- after termination ------------------------------------------------------------------

class DeletionRule(Right):
    """Scheduled deletion after termination, on the earliest day the clause permits.

    ``latest`` is the outer limit a clause sets (e.g. "at most one year after"), reported as
    ``delete_by`` so that a delay can never push the deletion past it.
    """

    after: Dur
    lapsed: bool = False
    latest: Dur | None = None
    latest_clause: Clauses | None = None


class EarlyDeletionRule(Right):
    after: Dur
    condition: Literal["overdue_balance"] = "overdue_balance"


class RetentionRule(Rule):
    access_after_termination: Literal["none", "export_only"] = "none"
    export_window: Dur | None = None
    deletion: DeletionRule
    on_instruction: Rule | None = None
    early_deletion: EarlyDeletionRule | None = None
    export_lead: Dur | None = None
    withhold_export_when_overdue: Right | None = None


# --- coverage ---------------------------------------------------------------------------

class CoverageEntry(Strict):
    clause: str
    title: str
    status: Literal["implemented", "later", "not_operational"]
    test: str | None = None
    mechanism: str | None = None
    reason: str | None = None

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


def longer(a: Duration, b: Duration) -> bool:
    """Whether `a` is longer than `b` from any day (business days are not compared)."""
    if not (a.is_calendar() and b.is_calendar()):
        return False
    starts = (date(2001, 1, 31), date(2001, 3, 1), date(2004, 2, 29))
    return any(a.add_to(d) > b.add_to(d) for d in starts)


class Policy(Strict):
    pack: str
    title: str
    source: Source
    currency: Currency = "EUR"
    timezone: TimeZone
    calendar: CalendarCode
    closed_days: tuple[str, ...] = ()
    overridable: tuple[str, ...] = ()
    start: StartRule
    term: TermRule
    termination: TerminationRules
    provider_termination: ProviderTerminationRight = Field(
        default_factory=lambda: ProviderTerminationRight.model_construct(clause=(), enabled=False))
    trial: TrialRule = Field(default_factory=lambda: TrialRule(offered=False))
    billing: BillingRule
    payment: PaymentRule
    seats: SeatChangeRule
    dunning: DunningRule
    interest: InterestRule
    compensation: CompensationRight | None = None
    retention: RetentionRule
    prices: PricesRule | None = None
    usage: UsageRule | None = None
    sla: SlaRule | None = None
    support: SupportRule | None = None
    privacy: PrivacyRule | None = None
    backups: BackupRule | None = None
    liability: LiabilityRule | None = None
    contract_parameters: tuple[ContractParameter, ...] = ()
    coverage: tuple[CoverageEntry, ...] = ()

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
    def _billing_fits_the_term(self) -> Policy:
        """Each renewal lasts at least one billing period (an initial term may be shorter:
        the renewal then continues the period already invoiced)."""
        period, renewal = self.billing.period, self.term.renewal
        term = self.term.initial if renewal == "initial" else renewal
        if isinstance(term, Duration) and longer(period, term):
            raise ValueError(
                f"billing.period {period} is longer than the renewal term {term} (clause "
                f"{', '.join(self.term.clause)}): every period would outlast its term")
        return self

    def step(self, name: str) -> DunningStep:
        for step in self.dunning.steps:
            if step.name == name:
                return step
        raise KeyError(name)

