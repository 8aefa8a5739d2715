"""Runs of consecutive periods counted from one anchor, so month-end clamping never drifts.

Period i of length L from anchor A is [A + i*L, A + (i+1)*L - 1 day]; 31 January + 1 month is
28/29 February, and the next boundary is computed from A again (31 March), not from February.
"""

from __future__ import annotations

from datetime import date, timedelta

from termline.domain.values.duration import Duration, Unit, add_months


def shift(anchor: date, length: Duration, times: int) -> date:
    if length.unit in (Unit.MONTHS, Unit.YEARS):
        return add_months(anchor, length.months * times)
    if length.unit is Unit.WEEKS:
        return anchor + timedelta(weeks=length.number * times)
    if length.unit is Unit.DAYS:
        return anchor + timedelta(days=length.number * times)
    raise ValueError(f"a period cannot be counted in business days: {length}")


def period(anchor: date, length: Duration, index: int) -> tuple[date, date]:
    return shift(anchor, length, index), shift(anchor, length, index + 1) - timedelta(days=1)


def month_end(day: date) -> date:
    return add_months(day.replace(day=1), 1) - timedelta(days=1)


def next_month_start(day: date) -> date:
    return day if day.day == 1 else add_months(day.replace(day=1), 1)
