"""Index arithmetic: the Agoria-type revision formula and the index cap on increases."""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal

from termline.domain.values.money import CENT, round_money

FACTOR_PLACES = Decimal("0.000001")


def revision_factor(fixed_share: Decimal, new_index: Decimal, base_index: Decimal) -> Decimal:
    """fixed_share + (1 − fixed_share) × new / base, unrounded (Smartconnect 8.7: 0.2+0.8·S/S0)."""
    return fixed_share + (Decimal(1) - fixed_share) * new_index / base_index


def revised_price(reference: Decimal, fixed_share: Decimal, new_index: Decimal,
                  base_index: Decimal) -> Decimal:
    """The revised price, rounded to the cent half-up once, at the end."""
    return round_money(reference * revision_factor(fixed_share, new_index, base_index))


def within_cap(reference: Decimal, new_price: Decimal, new_index: Decimal,
               base_index: Decimal) -> bool:
    """True when new_price ≤ reference × new_index / base_index (exact, no rounding)."""
    return new_price * base_index <= reference * new_index


def cap_price(reference: Decimal, new_index: Decimal, base_index: Decimal) -> Decimal:
    """The highest price in cents that stays within the cap (rounded down, never above it)."""
    return (reference * new_index / base_index).quantize(CENT, rounding=ROUND_DOWN)


def show(value: Decimal) -> str:
    """An index value as text, as the series gives it (not money: no cent rounding)."""
    return format(value, "f")
