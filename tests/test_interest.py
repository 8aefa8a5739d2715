"""Late-interest methods, with the catalogue's worked examples computed by hand."""

from datetime import date
from decimal import Decimal

from termline.domain.mechanisms.interest.late_interest import (
    completed_months,
    interest_on_chunks,
    started_months,
)
from termline.domain.policy.schema import InterestRule
from termline.domain.rates.table import builtin_rates


def test_started_months_counts_a_part_month_as_a_month() -> None:
    """ClientCom 5.3 catalogue example: due 15 Mar, paid 20 May = 2 months + 5 days = 3."""
    assert started_months(date(2025, 3, 15), date(2025, 5, 20)) == 3
    assert started_months(date(2025, 3, 15), date(2025, 5, 15)) == 2
    assert started_months(date(2025, 3, 15), date(2025, 3, 15)) == 0


def test_completed_months() -> None:
    assert completed_months(date(2025, 1, 9), date(2025, 4, 8)) == 2
    assert completed_months(date(2025, 1, 9), date(2025, 4, 9)) == 3


def test_clientcom_two_percent_per_started_month_on_500_is_30() -> None:
    """ClientCom 5.3: EUR 500, due 15 Mar, paid 20 May: 500 x 2 % x 3 = EUR 30.00."""
    rule = InterestRule(clause="5.3", method="monthly_started", rate="2")
    got = interest_on_chunks(rule, builtin_rates(), date(2025, 3, 1), date(2025, 3, 15),
                             [(date(2025, 5, 20), Decimal("500"))])
    assert got.amount == Decimal("30.00")


def test_smartweb_compound_monthly_three_months_on_1000() -> None:
    """SmartWeb 4.2 catalogue example: EUR 1,000, 3 full months: 1000 x (1.015^3 - 1) = 45.68."""
    rule = InterestRule(clause="4.2", method="monthly_compound", rate="1.5")
    got = interest_on_chunks(rule, builtin_rates(), date(2025, 1, 1), date(2025, 1, 9),
                             [(date(2025, 4, 9), Decimal("1000"))])
    assert got.amount == Decimal("45.68")


def test_belgian_statutory_interest_from_invoice_date_or_due_date() -> None:
    """Smartconnect 8.5: EUR 1,000, invoice 1 Jan 2025, due 31 Jan, paid 2 Mar 2025, 2025 H1 rate
    11.5 %: from the invoice date 60 days = 1000 x 0.115 x 60/365 = 18.90; from the due date
    30 days = 9.45."""
    table = builtin_rates()
    from_invoice = InterestRule(clause="8.5", method="statutory", jurisdiction="BE",
                                accrues_from="invoice_date")
    from_due = InterestRule(clause="8.5", method="statutory", jurisdiction="BE")
    chunk = [(date(2025, 3, 2), Decimal("1000"))]
    assert interest_on_chunks(from_invoice, table, date(2025, 1, 1), date(2025, 1, 31),
                              chunk).amount == Decimal("18.90")
    assert interest_on_chunks(from_due, table, date(2025, 1, 1), date(2025, 1, 31),
                              chunk).amount == Decimal("9.45")


def test_statutory_interest_splits_at_the_half_year_rate_change() -> None:
    """BE: 1000 unpaid from due 30 Jun 2025 (H1 11.5 %) to 10 Jul (H2 10.5 %):
    1 day at 11.5 % (30 Jun -> 1 Jul) + 9 days at 10.5 % = 0.3151 + 2.5890 = 2.90."""
    rule = InterestRule(clause="8.5", method="statutory", jurisdiction="BE")
    got = interest_on_chunks(rule, builtin_rates(), date(2025, 6, 1), date(2025, 6, 30),
                             [(date(2025, 7, 10), Decimal("1000"))])
    assert got.amount == Decimal("2.90")


def test_dutch_statutory_interest_compounds_after_each_full_year() -> None:
    """NL art. 6:119a: 1000 due 1 Jan 2025, paid 1 Jan 2027 (rates 11.15 / 10.15 / 10.15 %).
    Year 1: 181 d x 11.15 % + 184 d x 10.15 % = 55.2904 + 51.1671 = 106.4575, added to the
    principal on 1 Jan 2026. Year 2 on 1106.4575 at 10.15 % (2026 H1, carried into H2):
    1106.4575 x 0.1015 x 365/365 = 112.3054. Total 218.7629 -> 218.76."""
    rule = InterestRule(clause="6.8", method="statutory", jurisdiction="NL", compounding="annual")
    got = interest_on_chunks(rule, builtin_rates(), date(2024, 12, 1), date(2025, 1, 1),
                             [(date(2027, 1, 1), Decimal("1000"))])
    assert got.amount == Decimal("218.76")
    assert got.provisional  # 2026 H2 is carried forward from 2026 H1


def test_a_chunk_paid_on_time_bears_no_interest() -> None:
    rule = InterestRule(clause="8.5", method="statutory", jurisdiction="BE",
                        accrues_from="invoice_date")
    got = interest_on_chunks(rule, builtin_rates(), date(2025, 1, 1), date(2025, 1, 31),
                             [(date(2025, 1, 31), Decimal("1000"))])
    assert got.amount == Decimal("0")
