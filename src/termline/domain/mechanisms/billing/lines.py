"""An invoice line: what was billed, how many, at what unit price."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from termline.domain.values.record_build import assigned


@assigned
@dataclass(frozen=True, slots=True)
class InvoiceLine:
    item: str
    quantity: int | Decimal  # metered usage may be fractional (e.g. GB of storage)
    unit_price: Decimal
    amount: Decimal

    def __reduce__(self) -> tuple[type[InvoiceLine], tuple[object, ...]]:
        # sent between processes (service.pipeline): a slotted dataclass's own pickling calls
        # dataclasses.fields() for every object, which cost as much as the step itself
        return (self.__class__, (self.item, self.quantity, self.unit_price, self.amount))
