"""Money is a Decimal with a currency; floats are refused at the door."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

ZERO = Decimal("0")
CENT = Decimal("0.01")


def D(value: str | int | Decimal) -> Decimal:
    """Build a Decimal from text or an int; a float would carry binary noise into money."""
    if isinstance(value, (bool, float)):
        raise TypeError(f"money must not come from {type(value).__name__}: {value!r}")
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value).replace(" ", ""))
    except InvalidOperation as exc:
        raise ValueError(f"not a decimal number: {value!r}") from exc


def round_money(amount: Decimal) -> Decimal:
    """Round to the cent, half away from zero, as invoices and statements print it."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def fmt(amount: Decimal) -> str:
    """Two-decimal text form used in every output."""
    return str(round_money(amount))
