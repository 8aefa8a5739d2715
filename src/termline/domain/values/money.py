"""Money is a Decimal with a currency; floats are refused at the door."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from termline.domain.errors import CurrencyMismatch

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


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            raise TypeError(f"Money.amount must be Decimal, got {type(self.amount).__name__}")

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise CurrencyMismatch(f"{self.currency} and {other.currency} cannot be combined")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def rounded(self) -> Money:
        return Money(round_money(self.amount), self.currency)

    def __str__(self) -> str:
        return f"{fmt(self.amount)} {self.currency}"
