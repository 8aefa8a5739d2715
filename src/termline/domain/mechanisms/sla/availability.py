"""Availability per measuring window and the credit it earns: pure interval arithmetic.

A window is a calendar month or year of the provider's local dates; its length is the real
time between its local midnights, so a month with a daylight-saving change has 60 minutes
fewer or more. Unavailability is the union of the counted incident intervals inside the
window, less the excluded (maintenance) intervals; overlapping incidents count once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Literal
from zoneinfo import ZoneInfo

from mypy_extensions import mypyc_attr

from termline.domain.values.money import ZERO, round_money
from termline.domain.values.record_build import assigned

Interval = tuple[datetime, datetime]
WindowKind = Literal["calendar_month", "calendar_year"]
HUNDRED = Decimal(100)


@mypyc_attr(native_class=False)
@assigned
@dataclass(frozen=True, slots=True)
class Window:
    label: str
    first: date
    last: date

    def span(self, tz: ZoneInfo) -> Interval:
        """The window as UTC instants: local midnight of `first` to local midnight after `last`."""
        start = datetime.combine(self.first, time(0), tz).astimezone(UTC)
        end = datetime.combine(self.last + timedelta(days=1), time(0), tz).astimezone(UTC)
        return start, end


def window_containing(day: date, kind: WindowKind) -> Window:
    if kind == "calendar_year":
        return Window(f"{day.year}", date(day.year, 1, 1), date(day.year, 12, 31))
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return Window(f"{day.year}-{day.month:02d}", first, following - timedelta(days=1))


def seconds(span: timedelta) -> Decimal:
    """Exact seconds of a timedelta (no float)."""
    return Decimal(span.days * 86400 + span.seconds) + Decimal(span.microseconds) / 10**6


def minutes_text(span: timedelta) -> str:
    """Minutes to the hundredth, without trailing zeros: "150", "0.5"."""
    text = f"{(seconds(span) / 60).quantize(Decimal('0.01')):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    out: list[Interval] = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def subtract(intervals: Iterable[Interval], holes: Iterable[Interval]) -> list[Interval]:
    """`intervals` less every part that lies in one of `holes`."""
    pieces = merge(intervals)
    for h_start, h_end in merge(holes):
        cut: list[Interval] = []
        for start, end in pieces:
            if h_end <= start or h_start >= end:
                cut.append((start, end))
                continue
            if start < h_start:
                cut.append((start, h_start))
            if h_end < end:
                cut.append((h_end, end))
        pieces = cut
    return pieces


def clip(intervals: Iterable[Interval], span: Interval) -> list[Interval]:
    lo, hi = span
    return [(max(s, lo), min(e, hi)) for s, e in intervals if e > lo and s < hi]


def total(intervals: Iterable[Interval]) -> timedelta:
    return sum((e - s for s, e in merge(intervals)), timedelta(0))


@mypyc_attr(native_class=False)
@dataclass(frozen=True, slots=True)
class Measurement:
    window: Window
    length: timedelta
    unavailable: timedelta

    @property
    def percent(self) -> Decimal:
        """Exact availability in percent."""
        length = seconds(self.length)
        return (length - seconds(self.unavailable)) * HUNDRED / length

    def shown(self) -> str:
        """Percent with three decimals, rounded down so a miss never shows as the target."""
        return str(self.percent.quantize(Decimal("0.001"), rounding=ROUND_DOWN))

    @property
    def unavailable_minutes(self) -> str:
        return minutes_text(self.unavailable)


def measure(window: Window, tz: ZoneInfo, unavailable: Iterable[Interval],
            excluded: Iterable[Interval] = ()) -> Measurement:
    span = window.span(tz)
    counted = clip(subtract(unavailable, excluded), span)
    return Measurement(window, span[1] - span[0], total(counted))


def credit_amount(fee: Decimal, measurement: Measurement, claimed: timedelta, target: Decimal,
                  proportion: Literal["unavailable_share", "shortfall"]) -> Decimal:
    """The credit on `fee` for a window below `target` (percent), rounded to the cent.

    `claimed` is the unavailability the customer reported in time (never more than the
    measured unavailability); a window at or above target earns nothing.
    """
    if measurement.percent >= target or fee <= ZERO:
        return ZERO
    length = seconds(measurement.length)
    share = min(seconds(claimed), seconds(measurement.unavailable)) / length
    if proportion == "shortfall":
        share = max(ZERO, target / HUNDRED - (1 - share))
    return round_money(fee * share)
