"""The liability cap for one event: a pure function of the rule, the claim and the contract's money.

Inputs are plain values: the payments counted for the contract (date, amount counted), the
fees per month of the price list in force and the length of the current term. The result
carries the cap (``None`` when the terms leave it uncapped), the clauses it rests on and every
step of the arithmetic as text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from termline.domain.values.calendar import Calendar
from termline.domain.values.duration import add_months
from termline.domain.values.money import ZERO, fmt, round_money

if TYPE_CHECKING:  # the rules import the policy schema, which imports them back
    from termline.domain.mechanisms.liability.rules import (
        FeesBasis,
        LedgerBasis,
        LiabilityRule,
        PaidBasis,
    )

ClaimKind = Literal["general", "injury", "intent", "gross_negligence", "data_protection"]


@dataclass(frozen=True, slots=True)
class Claim:
    """The event the liability arises from, as the customer or the provider describes it."""

    event: date
    kind: ClaimKind = "general"
    discovered: date | None = None
    reported: date | None = None
    insurance_payout: Decimal | None = None
    excess: Decimal = ZERO
    paid_out: Decimal = ZERO  # liability already paid under this contract
    payouts: tuple[tuple[date, Decimal], ...] = ()  # earlier payouts with their days (resets)


@dataclass(frozen=True, slots=True)
class ContractMoney:
    """What the basis is computed from."""

    payments: Sequence[tuple[date, Decimal]] = ()  # (day paid, amount counted), cash basis
    monthly_fees: Decimal = ZERO
    term_months: int | None = None
    start: date | None = None  # the contract's start: its contract years
    # subscription fees invoiced: (invoice date, period start, amount of the price-list lines)
    invoiced: Sequence[tuple[date, date, Decimal]] = ()


@dataclass(frozen=True)
class CapResult:
    cap: Decimal | None
    currency: str
    clauses: tuple[str, ...]
    explanation: tuple[str, ...]
    conditions: tuple[str, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        return {"cap": None if self.cap is None else fmt(self.cap), "currency": self.currency,
                "clauses": list(self.clauses), "explanation": list(self.explanation),
                "conditions": list(self.conditions)}


class _Steps:
    def __init__(self, currency: str) -> None:
        self.currency = currency
        self.clauses: list[str] = []
        self.lines: list[str] = []

    def money(self, amount: Decimal) -> str:
        return f"{fmt(amount)} {self.currency}"

    def add(self, clauses: tuple[str, ...], text: str) -> None:
        self.clauses += [c for c in clauses if c not in self.clauses]
        self.lines.append(f"{', '.join(clauses)}: {text}")


def paid_in_window(basis: PaidBasis, calendar: Calendar, event: date,
                   payments: Sequence[tuple[date, Decimal]]) -> tuple[date, Decimal, int]:
    """Sum of the payments in [event - window, event): the window's first day, sum, count."""
    first = calendar.add(event, basis.window, sign=-1)
    inside = [amount for day, amount in payments if first <= day < event]
    return first, sum(inside, ZERO), len(inside)


def fees_for(basis: FeesBasis, monthly_fees: Decimal, term_months: int | None) -> tuple[
        int, Decimal]:
    """Months counted and the fees for them, rounded to the cent."""
    months = basis.period.months
    if months == 0:
        raise ValueError(f"fees are counted for months or years, not {basis.period}")
    if basis.limit_to_term and term_months is not None:
        months = min(months, term_months)
    return months, round_money(monthly_fees * months)


def liability_cap(rule: LiabilityRule, currency: str, calendar: Calendar, claim: Claim,
                  money: ContractMoney) -> CapResult:
    steps = _Steps(currency)
    conditions: list[str] = []
    reporting = rule.reporting
    if reporting is not None:
        if claim.discovered is None:
            conditions.append(f"{', '.join(reporting.clause)}: compensation only if the damage "
                              f"is reported in writing within {reporting.within} of discovery")
        else:
            deadline = calendar.add(claim.discovered, reporting.within)
            if claim.reported is not None and claim.reported > deadline:
                steps.add(reporting.clause,
                          f"damage discovered {claim.discovered}, reported {claim.reported}, "
                          f"after the deadline {deadline} (discovery + {reporting.within}): "
                          "no right to compensation")
                return CapResult(ZERO, currency, tuple(steps.clauses), tuple(steps.lines))
            if claim.reported is None:
                conditions.append(f"{', '.join(reporting.clause)}: report the damage in writing "
                                  f"by {deadline} (discovered {claim.discovered} + "
                                  f"{reporting.within})")
            else:
                steps.add(reporting.clause,
                          f"damage discovered {claim.discovered}, reported {claim.reported}, "
                          f"within the deadline {deadline}")
    unlimited = rule.unlimited
    if unlimited is not None and claim.kind in unlimited.kinds:
        steps.add(unlimited.clause, f"{claim.kind.replace('_', ' ')}: liability without a cap")
        return CapResult(None, currency, tuple(steps.clauses), tuple(steps.lines),
                         tuple(conditions))
    if claim.kind == "injury" and rule.injury is not None:
        cap = rule.injury.amount
        steps.add(rule.injury.clause, f"death, physical injury or damage to property: "
                  f"cap {steps.money(cap)}, in place of the general cap")
        if rule.injury.aggregate:
            cap = _deduct(steps, rule.injury.clause, cap,
                          paid_before(claim, rule.injury.reset, money.start))
        return CapResult(cap, currency, tuple(steps.clauses), tuple(steps.lines),
                         tuple(conditions))
    if claim.kind != "general":
        steps.add(rule.clause, f"the terms set no separate cap for "
                  f"{claim.kind.replace('_', ' ')}: the general cap applies")
    if (rule.insurance is not None and claim.insurance_payout is not None
            and claim.insurance_payout > ZERO):
        cap = claim.insurance_payout + claim.excess
        steps.add(rule.insurance.clause, f"insurer's payout {steps.money(claim.insurance_payout)}"
                  f" + provider's excess {steps.money(claim.excess)} = {steps.money(cap)}")
    else:
        if rule.insurance is not None:
            steps.add(rule.insurance.clause, "no payment under the provider's insurance for this "
                      "event (none given): the fallback cap applies")
        cap = _basis(rule, steps, calendar, claim, money)
        minimum = rule.minimum
        if minimum is not None and cap < minimum.amount:
            steps.add(minimum.clause, f"max({steps.money(cap)}, minimum "
                      f"{steps.money(minimum.amount)}) = {steps.money(minimum.amount)}")
            cap = minimum.amount
        if rule.basis.aggregate:
            cap = _deduct(steps, rule.basis.clause, cap,
                          paid_before(claim, rule.basis.reset, money.start))
    maximum = rule.maximum
    if maximum is not None:
        if cap > maximum.amount:
            steps.add(maximum.clause, f"min({steps.money(cap)}, maximum "
                      f"{steps.money(maximum.amount)}) = {steps.money(maximum.amount)}")
            cap = maximum.amount
        else:
            steps.add(maximum.clause, f"below the maximum of {steps.money(maximum.amount)}")
        if maximum.aggregate:
            remaining = _deduct(steps, maximum.clause, maximum.amount,
                                paid_before(claim, maximum.reset, money.start))
            if remaining < cap:
                steps.add(maximum.clause, f"min({steps.money(cap)}, {steps.money(remaining)}) = "
                          f"{steps.money(remaining)}")
                cap = remaining
    steps.lines.append(f"cap: {steps.money(cap)}")
    return CapResult(cap, currency, tuple(steps.clauses), tuple(steps.lines), tuple(conditions))


def period_start(reset: str, event: date, start: date | None) -> date | None:
    """The first day of the calendar or contract year of `event` (None: no reset)."""
    if reset == "calendar_year":
        return date(event.year, 1, 1)
    if reset == "contract_year" and start is not None:
        years = event.year - start.year
        while years > 0 and add_months(start, 12 * years) > event:
            years -= 1
        return add_months(start, 12 * max(years, 0))
    return None


def paid_before(claim: Claim, reset: str, start: date | None) -> Decimal:
    """Liability already paid out that counts against an aggregate limit: `paid_out`, and
    the dated payouts of the same calendar or contract year as the event (all without a
    reset)."""
    first = period_start(reset, claim.event, start)
    dated = sum((amount for day, amount in claim.payouts
                 if day <= claim.event and (first is None or day >= first)), ZERO)
    return claim.paid_out + dated


def _deduct(steps: _Steps, clauses: tuple[str, ...], limit: Decimal, paid_out: Decimal
            ) -> Decimal:
    if paid_out <= ZERO:
        steps.add(clauses, f"limit for all claims of the contract together: "
                  f"{steps.money(limit)} (no liability paid out so far)")
        return limit
    left = max(limit - paid_out, ZERO)
    steps.add(clauses, f"limit for all claims together {steps.money(limit)} - already paid "
              f"{steps.money(paid_out)} = {steps.money(left)}")
    return left


def _basis(rule: LiabilityRule, steps: _Steps, calendar: Calendar, claim: Claim,
           money: ContractMoney) -> Decimal:
    total = _basis_amount(rule, steps, calendar, claim, money)
    percent = rule.basis.percent
    if percent == 100:
        return total
    part = round_money(total * percent / 100)
    steps.add(rule.basis.clause, f"{percent:f} % of {steps.money(total)} = {steps.money(part)}")
    return part


def _basis_amount(rule: LiabilityRule, steps: _Steps, calendar: Calendar, claim: Claim,
                  money: ContractMoney) -> Decimal:
    basis = rule.basis
    if basis.kind == "paid_in_window":
        first, total, count = paid_in_window(basis, calendar, claim.event, money.payments)
        what = "licence fees" if basis.counts == "licence_fees" else "payments (excl. VAT)"
        steps.add(basis.clause, f"{what} received {first} .. {claim.event - timedelta(days=1)} "
                  f"({basis.window} before the event of {claim.event}): {count} payment(s), "
                  f"{steps.money(total)}")
        return total
    if basis.kind == "fees_payable" or basis.kind == "contract_year_fees":
        return ledger_fees(basis, steps, calendar, claim.event, money)
    months, total = fees_for(basis, money.monthly_fees, money.term_months)
    limited = (" (the term is shorter)" if basis.limit_to_term and money.term_months is not None
               and months < basis.period.months else "")
    steps.add(basis.clause, f"fees of the price list in force on {claim.event}: "
              f"{steps.money(money.monthly_fees)} per month x {months} months{limited} = "
              f"{steps.money(total)}")
    return total


def ledger_fees(basis: LedgerBasis, steps: _Steps, calendar: Calendar, event: date,
                money: ContractMoney) -> Decimal:
    """The fees of the ledger's invoices: invoiced in a window before the event, or for the
    periods starting in the event's contract year."""
    if basis.kind == "fees_payable":
        assert basis.window is not None
        first = calendar.add(event, basis.window, sign=-1)
        inside = [amount for issued, _, amount in money.invoiced if first <= issued <= event]
        total = sum(inside, ZERO)
        steps.add(basis.clause, f"fees invoiced {first} .. {event} ({basis.window} before the "
                  f"event), paid or not: {len(inside)} invoice(s), {steps.money(total)}")
        return total
    year = period_start("contract_year", event, money.start) or event
    end = add_months(year, 12)
    inside = [amount for _, start, amount in money.invoiced if year <= start < end]
    total = sum(inside, ZERO)
    steps.add(basis.clause, f"fees of the contract year {year} .. {end - timedelta(days=1)} "
              f"(from the invoices of its periods): {len(inside)} invoice(s), "
              f"{steps.money(total)}")
    return total
