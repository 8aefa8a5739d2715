"""Aged receivables: what a customer owes, by how long it is past its due date.

Principal (invoices) goes in the buckets of a finance team's aged-debt report; fees and
interest are shown apart, because the terms charge them on late principal and a customer
disputes them apart.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from mypy_extensions import mypyc_attr

from termline.domain.engine.state import Item
from termline.domain.values.money import ZERO

# (name, first day past due, last day past due); "current" is not yet due (or due today).
BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("current", -(10**6), 0), ("1-30", 1, 30), ("31-60", 31, 60), ("61-90", 61, 90),
    ("90+", 91, None))


def bucket(days_past_due: int) -> str:
    for name, first, last in BUCKETS:
        if days_past_due >= first and (last is None or days_past_due <= last):
            return name
    raise AssertionError(days_past_due)  # pragma: no cover: the buckets cover every int


@mypyc_attr(native_class=False)
@dataclass
class Aged:
    """Open principal by bucket, open fees, interest (charged and accrued)."""

    principal: dict[str, Decimal] = field(
        default_factory=lambda: {name: ZERO for name, _, _ in BUCKETS})
    fees: Decimal = ZERO
    interest: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return sum(self.principal.values(), ZERO) + self.fees + self.interest

    def add(self, other: Aged) -> None:
        for name, amount in other.principal.items():
            self.principal[name] += amount
        self.fees += other.fees
        self.interest += other.interest


def age(items: Iterable[Item], on: date, interest: Decimal = ZERO) -> Aged:
    """Age a contract's open invoices and fees on day `on`. `interest` is the contract's
    interest as `engine.simulate.balance` gives it: charged and still open, plus what runs on
    late principal that no invoice has charged yet (its interest items are counted there)."""
    aged = Aged(interest=interest)
    for item in items:
        if item.open <= ZERO:
            continue
        if item.kind == "invoice":
            aged.principal[bucket((on - item.due).days)] += item.open
        elif item.kind == "fee":
            aged.fees += item.open
    return aged
