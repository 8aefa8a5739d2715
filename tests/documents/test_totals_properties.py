"""Invariants of EN 16931 totals and payment references, for any lines (hypothesis)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from termline.adapters.documents.references import ogm, ogm_digits, structured
from termline.domain.mechanisms.tax.categories import REVERSE_CHARGE, VatCategory
from termline.domain.mechanisms.tax.totals import totals

CATEGORIES = [VatCategory("S", Decimal("21")), VatCategory("S", Decimal("6")),
              VatCategory("S", Decimal("25")), VatCategory("AE", Decimal("0"), *REVERSE_CHARGE)]
amounts = st.integers(min_value=-10**7, max_value=10**7).map(lambda c: Decimal(c) / 100)


@given(st.lists(st.tuples(amounts, st.sampled_from(CATEGORIES)), min_size=1, max_size=12))
def test_totals_satisfy_the_br_co_rules(lines: list[tuple[Decimal, VatCategory]]) -> None:
    """BR-CO-10 (line total = sum of lines), BR-CO-14 (VAT = sum of categories), BR-CO-15
    (inclusive = exclusive + VAT), BR-CO-17 (category VAT = taxable x rate, to the cent), and
    rounding per category never differs from the exact VAT by more than half a cent each."""
    tot = totals(lines)
    assert tot.line_total == sum((n for n, _ in lines), Decimal(0))
    assert sum((s.taxable for s in tot.subtotals), Decimal(0)) == tot.tax_exclusive
    assert tot.tax == sum((s.tax for s in tot.subtotals), Decimal(0))
    assert tot.tax_inclusive == tot.tax_exclusive + tot.tax == tot.payable
    exact = sum((n * c.percent / 100 for n, c in lines), Decimal(0))
    assert abs(tot.tax - exact) <= Decimal("0.005") * len(tot.subtotals)
    for sub in tot.subtotals:
        assert sub.tax == (sub.taxable * sub.category.percent / 100).quantize(Decimal("0.01"),
                                                                             "ROUND_HALF_UP")


@given(st.integers(min_value=1, max_value=999_999), st.integers(min_value=2000, max_value=2099))
def test_every_invoice_number_has_a_valid_ogm_found_back(n: int, year: int) -> None:
    number = f"SC{year}-{n:06d}"
    digits = ogm_digits(number)
    assert len(digits) == 12
    assert int(digits[10:]) == (int(digits[:10]) % 97 or 97)
    assert structured(ogm(number)) == digits
