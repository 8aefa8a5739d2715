"""Per-contract state of the pricing mechanism (immutable, replaced by each step)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from termline.domain.values.record_build import assigned


@dataclass(frozen=True, slots=True)
class PendingChange:
    """A price or terms change accepted for this contract, waiting for its effective date.

    Price changes (announced or by indexation) carry `item` and `new_price`; indexation adds
    the index details shown on `price_changed`. `objected` marks a terms change the customer
    objected to where the old terms stay in force.
    """

    ref: str
    kind: Literal["price", "terms"]
    announced: date
    effective: date
    clauses: tuple[str, ...]
    item: str | None = None
    new_price: Decimal | None = None
    summary: str | None = None
    objection_until: date | None = None
    objected: bool = False
    index: str | None = None
    index_month: str | None = None
    index_value: str | None = None
    base_month: str | None = None
    base_value: str | None = None
    factor: str | None = None


@dataclass(frozen=True, slots=True)
class PriceBase:
    """The reference of an item's indexation: price P_ref and the month of its base index."""

    item: str
    price: Decimal
    month: str


@assigned
@dataclass(frozen=True, slots=True)
class PricingState:
    """Unit prices in force now, where they differ from the contract's price list."""

    prices: tuple[tuple[str, Decimal], ...] = ()
    pending: tuple[PendingChange, ...] = ()
    increases: tuple[tuple[str, date], ...] = ()
    bases: tuple[PriceBase, ...] = ()
    indexed_until: date | None = None
    announcements: int = 0
    migration_announced: date | None = None
    migration_declined: date | None = None
    # the clauses of the change that set each item's price in force (cited by its invoices)
    price_clauses: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def clauses_at(self, day: date | None) -> dict[str, tuple[str, ...]]:
        """For each item whose price a change set, by `day`, the clauses of that change."""
        clauses = dict(self.price_clauses)
        if day is None:
            return clauses
        for change in sorted(self.pending, key=lambda c: c.effective):
            if change.kind == "price" and change.effective <= day and change.item is not None:
                clauses[change.item] = change.clauses
        return clauses

    def prices_at(self, day: date | None) -> dict[str, Decimal]:
        """Prices in force on `day`, counting pending price changes effective by then."""
        prices = dict(self.prices)
        if day is None:
            return prices
        for change in sorted(self.pending, key=lambda c: c.effective):
            if (change.kind == "price" and change.effective <= day and change.item is not None
                    and change.new_price is not None):
                prices[change.item] = change.new_price
        return prices
