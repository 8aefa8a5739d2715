"""An invoice line: what was billed, how many, at what unit price."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class InvoiceLine:
    item: str
    quantity: int | Decimal  # metered usage may be fractional (e.g. GB of storage)
    unit_price: Decimal
    amount: Decimal
