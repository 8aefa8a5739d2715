"""The policy format: every rule names the clause it comes from.

A pack is a YAML document validated by :class:`Policy`. Rules are grouped by mechanism
(term, termination, trial, billing, payment, seats, dunning, interest, retention). Each rule
carries ``clause`` (one clause number or a list) and optional ``notes`` that record the reading
chosen where the seed is ambiguous. Durations are written as the T&Cs write them ("3 months").
"""

from __future__ import annotations

from typing import Literal

from pydantic import (
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from termline.backups.rules import BackupRule
from termline.core.duration import Duration
from termline.core.rule import Clauses, Dec, Dur, Right, Rule, Strict
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


# --- term, renewal and notices -------------------------------------------------------------

class StartRule(Rule):
    anchor: Literal["ordering_date", "order_confirmation", "contract_date", "signature",
                    "acceptance"]


class TermRule(Rule):
    initial: Dur
    renewal: Dur | Literal["billing_period"]
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
    customer: NoticeRule
    provider: NoticeRule
    no_refund: Rule


class ProviderTerminationRight(Right):
    """Immediate termination at the provider's discretion (event ``provider_termination``)."""

    accelerate_to_term_end: bool = False
    reason: Literal["breach", "dissolution"] = "breach"


# --- trial -------------------------------------------------------------------------------

class TrialRule(Rule):
    offered: bool = True
    default_days: int | None = None
    on_expiry: Literal["terminate_and_delete", "terminate"] = "terminate_and_delete"
    data_on_conversion: Literal["keep", "discard"] = "keep"


# --- billing, payment, seats -----------------------------------------------------------

class BillingRule(Rule):
    period: Dur
    in_advance: Literal[True] = True
    invoice_lead: Dur = Field(default_factory=lambda: Duration.parse("0 days"))
    alignment: Literal["contract_start", "next_month_start"] = "contract_start"
    stub: Literal["free", "prorated"] = "free"


class PaymentRule(Rule):
    term: Dur
    dispute_window: Dur | None = None
    allocation: Literal["oldest_first"] = "oldest_first"


class SeatChangeRule(Rule):
    increase: Literal["prorata_to_period_end"] = "prorata_to_period_end"
    decrease_notice: Dur | None = None
    decrease_basis: Literal["sent", "received", "sent_and_received"] = "received"


# --- dunning ----------------------------------------------------------------------------

StepKind = Literal[
    "reminder", "default_notice", "payment_notice", "suspension", "breach_notice",
    "termination", "collection",
]


class DunningStep(Right):
    """One rung of the overdue ladder, run per unpaid invoice.

    The step happens on ``from`` + ``after`` (+ one day when ``lapsed``: the period must have
    run out completely, "within seven days" ends on day seven) + ``delay``.
    """

    name: str
    kind: StepKind
    after: Dur
    from_: str = Field(alias="from")
    lapsed: bool = False
    fee: Dec | None = None
    percent_of_principal: Dec | None = None
    minimum_fee: Dec | None = None
    remedy: Dur | None = None
    requires: Literal["payment_failed"] | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class DunningRule(Rule):
    steps: tuple[DunningStep, ...] = ()
    restore_on: Literal["principal_paid", "principal_and_fees_paid"] = "principal_and_fees_paid"
    restore_clause: Clauses | None = None

    @model_validator(mode="after")
    def _anchors_exist(self) -> DunningRule:
        names: list[str] = []
        for step in self.steps:
            if step.name in names:
                raise ValueError(f"duplicate dunning step name {step.name!r}")
            allowed = {"invoice_date", "due_date", "previous_step", *names}
            if step.from_ not in allowed:
                raise ValueError(
                    f"step {step.name!r}: 'from' must be one of {sorted(allowed)}, "
                    f"got {step.from_!r}"
                )
            if step.from_ == "previous_step" and not names:
                raise ValueError(f"step {step.name!r}: the first step has no previous step")
            if step.kind == "collection" and step.percent_of_principal is None:
                raise ValueError(f"step {step.name!r}: a collection step needs "
                                 "percent_of_principal")
            if step.kind == "breach_notice" and step.remedy is None:
                raise ValueError(f"step {step.name!r}: a breach notice needs a remedy period")
            names.append(step.name)
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


class Policy(Strict):
    pack: str
    title: str
    source: Source
    currency: str = "EUR"
    timezone: str
    calendar: str
    closed_days: tuple[str, ...] = ()
    overridable: tuple[str, ...] = ()
    start: StartRule
    term: TermRule
    termination: TerminationRules
    provider_termination: ProviderTerminationRight
    trial: TrialRule
    billing: BillingRule
    payment: PaymentRule
    seats: SeatChangeRule
    dunning: DunningRule
    interest: InterestRule
    retention: RetentionRule
    prices: PricesRule | None = None
    usage: UsageRule | None = None
    sla: SlaRule | None = None
    support: SupportRule | None = None
    privacy: PrivacyRule | None = None
    backups: BackupRule | None = None
    liability: LiabilityRule | None = None
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

    def step(self, name: str) -> DunningStep:
        for step in self.dunning.steps:
            if step.name == name:
                return step
        raise KeyError(name)

