"""Business days of a country: Monday to Friday less the public holidays of `holidays`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

import holidays
from mypy_extensions import mypyc_attr

from termline.domain.values.duration import Duration, Unit


@lru_cache(maxsize=64)
def _holidays(country: str, year: int) -> frozenset[date]:
    """The public holidays of a calendar code: a country (`DE`: the national ones) or a
    country and one of its subdivisions as `holidays` names them (`DE-BE`: Berlin's too)."""
    code, _, subdiv = country.partition("-")
    return frozenset(holidays.country_holidays(code, subdiv=subdiv or None, years=year).keys())


@mypyc_attr(native_class=False)
@dataclass(frozen=True, slots=True)
class Calendar:
    """A business-day calendar; `extra_closed` adds days such as 24 and 31 December."""

    country: str
    extra_closed: tuple[tuple[int, int], ...] = field(default=())

    def is_business_day(self, day: date) -> bool:
        if day.weekday() >= 5:
            return False
        if (day.month, day.day) in self.extra_closed:
            return False
        return day not in _holidays(self.country, day.year)

    def add_business_days(self, day: date, n: int) -> date:
        step = 1 if n >= 0 else -1
        remaining = abs(n)
        current = day
        while remaining:
            current += timedelta(days=step)
            if self.is_business_day(current):
                remaining -= 1
        return current

    def add(self, day: date, duration: Duration, sign: int = 1) -> date:
        if duration.unit is Unit.BUSINESS_DAYS:
            return self.add_business_days(day, sign * duration.number)
        return duration.add_to(day, sign)
