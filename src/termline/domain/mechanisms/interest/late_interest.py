"""Late-payment interest, one pure function per method the seeds use.

Each principal chunk bears interest from the accrual start to the day it was paid; a chunk paid
on or before the due date bears none ("in the event of late payment"). Days are counted as
`end - start` (the start day is not counted, the payment day is), on an actual/365 basis.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import pairwise

from mypy_extensions import mypyc_attr

from termline.domain.policy.schema import InterestRule
from termline.domain.rates.table import RateTable
from termline.domain.values.duration import add_months
from termline.domain.values.money import ZERO, round_money

HUNDRED = Decimal(100)
YEAR_DAYS = Decimal(365)


@mypyc_attr(native_class=False)
@dataclass(frozen=True, slots=True)
class Accrual:
    amount: Decimal
    provisional: bool = False


def started_months(start: date, end: date) -> int:
    """Months or part-months from `start` to `end` (15 Mar to 20 May: 3; to 15 May: 2)."""
    if end <= start:
        return 0
    k = 1
    while add_months(start, k) < end:
        k += 1
    return k


def completed_months(start: date, end: date) -> int:
    """Whole months elapsed from `start` to `end` (1 Mar to 31 May: 2; to 1 Jun: 3)."""
    k = 0
    while add_months(start, k + 1) <= end:
        k += 1
    return k


def _statutory(rule: InterestRule, table: RateTable, amount: Decimal, start: date,
               end: date) -> Accrual:
    assert rule.jurisdiction is not None
    country = rule.jurisdiction
    table = with_policy_rates(table, rule)
    principal = amount
    accrued = ZERO
    total = ZERO
    provisional = False
    changes = _half_years(start, end)
    year = 1
    anniversaries = []
    if rule.compounding == "annual":
        while add_months(start, 12 * year) < end:
            anniversaries.append(add_months(start, 12 * year))
            year += 1
    cuts = sorted({start, end, *changes, *anniversaries})
    for seg_start, seg_end in pairwise(cuts):
        period, carried = table.rate_on(country, seg_start)
        provisional |= carried
        days = Decimal((seg_end - seg_start).days)
        accrued += principal * period.rate / HUNDRED * days / YEAR_DAYS
        if seg_end in anniversaries:
            principal += accrued
            total += accrued
            accrued = ZERO
    return Accrual(total + accrued, provisional)


# merged tables by the table they extend (kept with it: an id is only unique while it lives)
_MERGED: dict[tuple[int, str, tuple[tuple[date, Decimal], ...]], tuple[RateTable, RateTable]] = {}


def with_policy_rates(table: RateTable, rule: InterestRule) -> RateTable:
    """The table with the policy's own dated rates for its jurisdiction (interest.rates)."""
    if not rule.rates or rule.jurisdiction is None:
        return table
    rows = tuple(sorted(rule.rates.items()))
    key = (id(table), rule.jurisdiction, rows)
    found = _MERGED.get(key)
    if found is None or found[0] is not table:
        merged = table.merged({rule.jurisdiction: {d.isoformat(): str(r) for d, r in rows}},
                              "policy interest.rates")
        if len(_MERGED) >= 64:
            _MERGED.clear()
        found = _MERGED[key] = (table, merged)
    return found[1]


def _half_years(start: date, end: date) -> list[date]:
    """1 January and 1 July strictly between start and end: statutory rates change there."""
    out = []
    for year in range(start.year, end.year + 1):
        for month in (1, 7):
            day = date(year, month, 1)
            if start < day < end:
                out.append(day)
    return out


def accrue(rule: InterestRule, table: RateTable, amount: Decimal, start: date, due: date,
           end: date) -> Accrual:
    """Interest on `amount` that accrues from `start` and was (or is) unpaid until `end`."""
    if rule.method == "none" or end <= due or amount <= ZERO:
        return Accrual(ZERO)
    if rule.method == "statutory":
        return _statutory(rule, table, amount, start, end)
    assert rule.rate is not None
    monthly = rule.rate / HUNDRED
    if rule.method == "monthly_started":
        return Accrual(amount * monthly * started_months(start, end))
    n = completed_months(start, end)
    return Accrual(amount * ((1 + monthly) ** n - 1))


def accrual_start(rule: InterestRule, invoice_date: date, due: date) -> date:
    return invoice_date if rule.accrues_from == "invoice_date" else due


def interest_on_chunks(rule: InterestRule, table: RateTable, invoice_date: date, due: date,
                       chunks: Iterable[tuple[date, Decimal]]) -> Accrual:
    """Total interest on principal chunks, each `(day it stopped accruing, amount)`, rounded."""
    start = accrual_start(rule, invoice_date, due)
    total = ZERO
    provisional = False
    for end, amount in chunks:
        part = accrue(rule, table, amount, start, due, end)
        total += part.amount
        provisional |= part.provisional
    return Accrual(round_money(total), provisional)


def bearing(rule: InterestRule, amount: Decimal, vat: Decimal,
            chunks: Iterable[tuple[date, Decimal]]) -> tuple[tuple[date, Decimal], ...]:
    """The chunks of an item's total that bear interest: all of each (``base: gross``), or
    each chunk's share without VAT (``base: net``)."""
    if rule.base == "gross" or vat == ZERO or amount == ZERO:
        return tuple(chunks)
    return tuple((day, part * (amount - vat) / amount) for day, part in chunks)
