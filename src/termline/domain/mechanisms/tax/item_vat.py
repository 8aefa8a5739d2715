"""The VAT of an item the engine issues, decided once, on its issue day.

The receivable is the document: an invoice's open item is its total including VAT, so the
engine decides the category and the VAT when it issues the item, from the same inputs the
document is built from (the seller's country, the customer's country and VAT number, the rate
in force on the issue day: `tax.categories.category`). One customer's document has one
category, so its VAT is the sum of the line nets times the rate, rounded once (EN 16931
BR-CO-17, as `tax.totals` computes it for the document).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from mypy_extensions import mypyc_attr

from termline.domain.contract.model import Customer
from termline.domain.mechanisms.tax.categories import Supply, VatCategory, category
from termline.domain.mechanisms.tax.totals import totals
from termline.domain.values.money import ZERO
from termline.domain.values.record_build import assigned


@mypyc_attr(native_class=False)  # compiled: a plain Python record, as `Action`
@assigned
@dataclass(frozen=True, slots=True)
class ItemVat:
    category: VatCategory
    net: Decimal
    vat: Decimal

    @property
    def gross(self) -> Decimal:
        return self.net + self.vat

    @property
    def label(self) -> str:
        """The category as the item keeps it: code and rate, e.g. "S 21" or "O 0"."""
        return f"{self.category.code} {self.category.percent.normalize():f}"


def item_vat(seller_country: str, customer: Customer, day: date, nets: Iterable[Decimal],
             supply: Supply = "service") -> ItemVat:
    """The category and VAT of a document whose lines have the net amounts `nets`."""
    cat = category(seller_country, customer.country, customer.vat_number, day, supply)
    found = totals([(net, cat) for net in nets])
    return ItemVat(cat, found.tax_exclusive, found.tax if found.subtotals else ZERO)
