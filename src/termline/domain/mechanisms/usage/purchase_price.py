"""The amount of a one-off purchase priced per unit (hours of consultancy, for instance)."""

from __future__ import annotations

from decimal import Decimal

from termline.domain.values.money import round_money


def per_unit_amount(quantity: Decimal, unit_price: Decimal) -> Decimal:
    """quantity x unit price, rounded to the cent half-up like every invoice line."""
    return round_money(quantity * unit_price)
