"""Durations as the T&Cs write them: "3 months", "30 days", "2 weeks", "1 business day".

Adding months follows python-dateutil's relativedelta: the day of month is kept and clamped to
the month's last day (31 January + 1 month = 28 or 29 February). Business days need a calendar
and are added by :func:`termline.domain.values.calendar.add_business_days`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache

from dateutil.relativedelta import relativedelta
from mypy_extensions import mypyc_attr

from termline.domain.values.record_build import assigned


class Unit(StrEnum):
    DAYS = "days"
    BUSINESS_DAYS = "business_days"
    WEEKS = "weeks"
    MONTHS = "months"
    YEARS = "years"


_ALIASES = {
    "day": Unit.DAYS, "days": Unit.DAYS,
    "business day": Unit.BUSINESS_DAYS, "business days": Unit.BUSINESS_DAYS,
    "workday": Unit.BUSINESS_DAYS, "workdays": Unit.BUSINESS_DAYS,
    "working day": Unit.BUSINESS_DAYS, "working days": Unit.BUSINESS_DAYS,
    "week": Unit.WEEKS, "weeks": Unit.WEEKS,
    "month": Unit.MONTHS, "months": Unit.MONTHS,
    "year": Unit.YEARS, "years": Unit.YEARS,
}
_PATTERN = re.compile(r"^\s*(\d+)\s+([a-z ]+?)\s*$")


@mypyc_attr(native_class=False)
@assigned
@dataclass(frozen=True, slots=True)
class Duration:
    number: int
    unit: Unit

    @classmethod
    def parse(cls, text: str) -> Duration:
        match = _PATTERN.match(text.lower()) if isinstance(text, str) else None
        if not match or match.group(2) not in _ALIASES:
            raise ValueError(
                f"not a duration: {text!r} (write e.g. '30 days', '2 weeks', '3 months', "
                "'1 year', '1 business day')"
            )
        return cls(int(match.group(1)), _ALIASES[match.group(2)])

    @property
    def months(self) -> int:
        """Whole months in a month- or year-based duration (0 otherwise)."""
        if self.unit is Unit.MONTHS:
            return self.number
        if self.unit is Unit.YEARS:
            return 12 * self.number
        return 0

    def is_calendar(self) -> bool:
        return self.unit is not Unit.BUSINESS_DAYS

    def add_to(self, day: date, sign: int = 1) -> date:
        """Calendar arithmetic; business days must go through a Calendar."""
        n = sign * self.number
        if self.unit is Unit.DAYS:
            return day + timedelta(days=n)
        if self.unit is Unit.WEEKS:
            return day + timedelta(weeks=n)
        if self.unit in (Unit.MONTHS, Unit.YEARS):
            return add_months(day, sign * self.months)
        raise ValueError("business days need a calendar: use Calendar.add")

    def __str__(self) -> str:
        unit = self.unit.value.replace("_", " ")
        return f"{self.number} {unit[:-1] if self.number == 1 else unit}"


@lru_cache(maxsize=1 << 16)
def add_months(day: date, months: int) -> date:
    """`day` plus whole months, clamped to the month end (31 Jan + 1 = 28/29 Feb).

    Cached: period boundaries are asked for every simulated day and repeat endlessly.
    """
    return day + relativedelta(months=months)
