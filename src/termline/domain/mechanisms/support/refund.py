"""Reimbursement of the subscription fee per day a defect remedy runs late: pure arithmetic."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from termline.domain.values.money import ZERO, round_money

Period = tuple[date, date, Decimal]  # first day, last day, subscription fee of the period


def late_days(deadline: date, remedied: date) -> list[date]:
    """The days after the remedy deadline up to and including the remedy day."""
    return [deadline + timedelta(days=i) for i in range(1, (remedied - deadline).days + 1)]


def daily_refund(days: Sequence[date], periods: Sequence[Period]) -> Decimal:
    """Each day's share of the fee of the billing period containing it (fee / days in the
    period), summed and rounded to the cent once. Days outside every billed period earn
    nothing (nothing was paid for them)."""
    total = ZERO
    for day in days:
        for first, last, fee in periods:
            if first <= day <= last:
                total += fee / Decimal((last - first).days + 1)
                break
    return round_money(total)
