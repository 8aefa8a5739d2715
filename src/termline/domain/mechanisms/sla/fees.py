"""The subscription fee attributable to a calendar month (the base of an SLA credit)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from termline.domain.contract.model import Line
from termline.domain.values.money import ZERO


def monthly_fee(lines: tuple[Line, ...], quantities: dict[str, int], period_months: int
                ) -> Decimal:
    """The monthly equivalent of the price list, unrounded: per-year lines / 12, per-period
    lines / the billing period's months."""
    fee = ZERO
    for line in lines:
        qty = quantities.get(line.item, 0)
        if line.per == "month":
            fee += line.unit_price * qty
        elif line.per == "year":
            fee += line.unit_price * qty / 12
        else:
            fee += line.unit_price * qty / max(period_months, 1)
    return fee


def fee_for_month(monthly: Decimal, first: date, last: date, billed_from: date | None,
                  billed_until: date | None) -> Decimal:
    """`monthly` pro rata for the days of [first, last] inside the billed span."""
    if billed_from is None:
        return ZERO
    lo = max(first, billed_from)
    hi = min(last, billed_until) if billed_until is not None else last
    if hi < lo:
        return ZERO
    days = Decimal((hi - lo).days + 1)
    return monthly * days / Decimal((last - first + timedelta(days=1)).days)
