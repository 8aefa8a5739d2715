"""Per-contract state of the pricing mechanism (immutable, replaced by each step)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class PricingState:
    """Unit prices in force now, where they differ from the contract's price list."""

    prices: tuple[tuple[str, Decimal], ...] = ()
