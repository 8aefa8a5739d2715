"""Metered use: measuring periods, use per period, overage above the allowance, warnings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, Decimal
from typing import TYPE_CHECKING

from mypy_extensions import mypyc_attr

from termline.domain.values.money import ZERO, round_money
from termline.domain.values.periods import month_end

if TYPE_CHECKING:  # the rules import the policy schema, which imports them back
    from termline.domain.mechanisms.usage.rules import MeterRule

HUNDRED = Decimal(100)


def measuring_period(meter: MeterRule, day: date) -> tuple[date, date]:
    """The measuring period containing `day` (a calendar month)."""
    return day.replace(day=1), month_end(day)


def record(meter: MeterRule, used: Decimal, quantity: Decimal) -> Decimal:
    """Use of the period after one more event: the highest reading, or the running total."""
    return max(used, quantity) if meter.measure == "peak" else used + quantity


def level(meter: MeterRule, used: Decimal, quantity: Decimal) -> Decimal:
    """What a warning compares: the reading itself (peak meters) or the period's total."""
    return quantity if meter.measure == "peak" else used


@mypyc_attr(native_class=False)
@dataclass(frozen=True, slots=True)
class Overage:
    used: Decimal
    included: Decimal
    over: Decimal
    unit_price: Decimal
    amount: Decimal
    blocks: Decimal | None = None
    """The started blocks billed, for a meter priced per block."""


def overage(used: Decimal, included: Decimal, unit_price: Decimal,
            block: Decimal | None = None) -> Overage:
    """Use above the allowance at the unit price, rounded to the cent half-up; with a `block`
    the use above it is counted in started blocks ("EUR 5 per started 100 lines": 250 lines
    over are 3 blocks) and the unit price is the price of a block."""
    over = max(used - included, ZERO)
    if block is not None:
        started = (over / block).to_integral_value(rounding=ROUND_CEILING)
        return Overage(used, included, over, unit_price, round_money(started * unit_price),
                       started)
    return Overage(used, included, over, unit_price, round_money(over * unit_price))


def warning_threshold(meter: MeterRule, included: Decimal) -> Decimal | None:
    if meter.warn_at_percent is None:
        return None
    return included * meter.warn_at_percent / HUNDRED


def quantity_value(value: Decimal) -> str:
    """A quantity for an action: plain decimal text without trailing zeros (not money)."""
    text = format(value.normalize(), "f")
    return text
