"""Billing periods and invoice amounts: pure functions of the contract, its policy and dates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from termline.domain.contract.model import Line
from termline.domain.engine.state import InvoiceLine
from termline.domain.policy.schema import Policy
from termline.domain.values.duration import Duration
from termline.domain.values.money import round_money
from termline.domain.values.periods import next_month_start, period


def billing_anchor(policy: Policy, paid_start: date) -> date:
    if policy.billing.alignment == "next_month_start":
        return next_month_start(paid_start)
    return paid_start


def billing_period(policy: Policy, anchor: date, index: int) -> tuple[date, date]:
    return period(anchor, policy.billing.period, index)


def issue_date(policy: Policy, period_start: date, paid_start: date) -> date:
    lead = policy.billing.invoice_lead
    return max(lead.add_to(period_start, -1), paid_start)


def months_in(length: Duration) -> int:
    if length.months == 0:
        raise ValueError(f"billing periods are counted in months or years, not {length}")
    return length.months


def line_factor(line: Line, period_months: int) -> Decimal:
    if line.per == "month":
        return Decimal(period_months)
    if line.per == "year":
        return Decimal(period_months) / Decimal(12)
    return Decimal(1)


def period_lines(lines: tuple[Line, ...], quantities: dict[str, int],
                 period_months: int) -> tuple[InvoiceLine, ...]:
    out = []
    for line in lines:
        qty = quantities[line.item]
        if qty == 0:
            continue
        amount = round_money(line.unit_price * qty * line_factor(line, period_months))
        out.append(InvoiceLine(line.item, qty, line.unit_price, amount))
    return tuple(out)


def prorated_line(line: Line, quantity: int, period_months: int, start: date, end: date,
                  from_day: date, until: date) -> InvoiceLine:
    """`quantity` more units of `line` from `from_day` to `until` in the period [start, end]."""
    days_total = Decimal((end - start).days + 1)
    days_used = Decimal((until - from_day).days + 1)
    full = line.unit_price * quantity * line_factor(line, period_months)
    return InvoiceLine(line.item, quantity, line.unit_price, round_money(full * days_used
                                                                        / days_total))
