"""Statutory rate look-up: the rate in force on a day, carried forward past the table's end.

A rate past the last published half-year is carried forward and marked provisional, so interest
keeps running, and the action shows which figure it used; supply newer rates to replace it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from termline.domain.errors import InputError, MissingRate


@dataclass(frozen=True, slots=True)
class RatePeriod:
    start: date
    rate: Decimal
    verified: bool
    source: str


@dataclass(frozen=True)
class RateTable:
    periods: dict[str, tuple[RatePeriod, ...]]

    def rate_on(self, country: str, day: date) -> tuple[RatePeriod, bool]:
        """The period in force on `day` and whether it is carried forward (provisional)."""
        periods = self.periods.get(country)
        if not periods:
            raise MissingRate(f"no statutory interest rates for {country!r}")
        current = None
        for period in periods:
            if period.start <= day:
                current = period
        if current is None:
            raise MissingRate(f"no statutory rate for {country} on {day} (table starts "
                              f"{periods[0].start})")
        half_year_end = date(current.start.year, 6, 30) if current.start.month <= 6 else date(
            current.start.year, 12, 31)
        return current, day > half_year_end

    def change_dates(self, country: str) -> tuple[date, ...]:
        return tuple(p.start for p in self.periods.get(country, ()))

    def merged(self, extra: dict[str, Any], source: str = "<rates>") -> RateTable:
        """This table plus rates from a scenario or file (`{country: {YYYY-MM-DD: rate}}`)."""
        if not extra:
            return self
        periods = {k: list(v) for k, v in self.periods.items()}
        for country, values in extra.items():
            if not isinstance(values, dict):
                raise InputError("rates are {country: {date: rate}}", source=source,
                                 field=f"statutory_rates.{country}")
            for day, rate in values.items():
                try:
                    start = date.fromisoformat(str(day))
                    value = Decimal(str(rate)) if not isinstance(rate, float) else None
                except ValueError:
                    value = None
                if value is None:
                    raise InputError(f"bad rate entry {day!r}: {rate!r} (quote the rate)",
                                     source=source, field=f"statutory_rates.{country}.{day}")
                rows = [p for p in periods.get(country, []) if p.start != start]
                rows.append(RatePeriod(start, value, True, source))
                periods[country] = sorted(rows, key=lambda p: p.start)
        return RateTable({k: tuple(v) for k, v in periods.items()})


@lru_cache(maxsize=1)
def builtin_rates() -> RateTable:
    text = resources.files("termline.domain.rates").joinpath("statutory.yaml").read_text("utf-8")
    raw = yaml.safe_load(text)
    periods = {
        str(country): tuple(
            RatePeriod(date.fromisoformat(str(row["from"])), Decimal(str(row["rate"])),
                       bool(row["verified"]), str(row["source"]))
            for row in body["periods"]
        )
        for country, body in raw.items()
    }
    return RateTable(periods)
