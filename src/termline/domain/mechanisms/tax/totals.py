"""Document totals per EN 16931: line nets, VAT per category on the category total (BR-CO-17).

VAT is never rounded per line: each category's taxable amount is the sum of its line nets and
its VAT is that sum times the rate, rounded once to the cent (Belgian RD of 8 July 2025 as
corrected; EN 16931 BR-CO-17). Totals are sums of rounded amounts and are not rounded again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from mypy_extensions import mypyc_attr

from termline.domain.mechanisms.tax.categories import VatCategory
from termline.domain.values.money import ZERO, round_money
from termline.domain.values.record_build import assigned


@mypyc_attr(native_class=False)  # compiled: a plain Python record, as `Action`
@assigned
@dataclass(frozen=True, slots=True)
class Subtotal:
    category: VatCategory
    taxable: Decimal  # BT-116
    tax: Decimal  # BT-117


@mypyc_attr(native_class=False)  # compiled: a plain Python record, as `Action`
@assigned
@dataclass(frozen=True, slots=True)
class Totals:
    line_total: Decimal  # BT-106
    tax_exclusive: Decimal  # BT-109 (no document allowances or charges)
    tax: Decimal  # BT-110
    tax_inclusive: Decimal  # BT-112
    prepaid: Decimal  # BT-113
    payable: Decimal  # BT-115
    subtotals: tuple[Subtotal, ...]


def totals(lines: Sequence[tuple[Decimal, VatCategory]], prepaid: Decimal = ZERO) -> Totals:
    """`lines`: each line's net amount (already to the cent) and its category."""
    by_category: dict[tuple[str, Decimal], tuple[VatCategory, Decimal]] = {}
    for net, cat in lines:
        if net != round_money(net):
            raise ValueError(f"line net amount {net} is not rounded to the cent")
        key = (cat.code, cat.percent)
        _, sum_ = by_category.get(key, (cat, ZERO))
        by_category[key] = (cat, sum_ + net)
    subtotals = tuple(Subtotal(cat, taxable, round_money(taxable * cat.percent / 100))
                      for cat, taxable in by_category.values())
    line_total = sum((net for net, _ in lines), ZERO)
    tax = sum((s.tax for s in subtotals), ZERO)
    return Totals(line_total, line_total, tax, line_total + tax, prepaid,
                  line_total + tax - prepaid, subtotals)
