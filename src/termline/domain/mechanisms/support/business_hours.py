"""Business hours: opening hours on the business days of a calendar, in a time zone.

The hours are local wall-clock times (e.g. 08:00-16:00 Europe/Vilnius); a day's window is
converted to real instants, so a window on a daylight-saving day is still as long as its wall
clock says and nothing is lost or doubled across the change. Durations of business time are
real elapsed time inside the windows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from termline.domain.values.calendar import Calendar

_MAX_DAYS = 3660  # ten years of search: a calendar with no business day at all is an error


@dataclass(frozen=True, slots=True)
class BusinessHours:
    """Open from `opens` to `closes` (local time in `tz`) on the business days of `calendar`."""

    tz: ZoneInfo
    opens: time
    closes: time
    calendar: Calendar

    def __post_init__(self) -> None:
        if self.closes <= self.opens:
            raise ValueError(f"business hours must close after they open: {self.opens}-"
                             f"{self.closes}")

    @property
    def day_length(self) -> timedelta:
        """The wall-clock length of one business day's window (what "one business day" is)."""
        return (datetime.combine(date(2000, 1, 3), self.closes)
                - datetime.combine(date(2000, 1, 3), self.opens))

    def window(self, day: date) -> tuple[datetime, datetime] | None:
        """The day's opening window as UTC instants, or None when `day` is not a business day."""
        if not self.calendar.is_business_day(day):
            return None
        start = datetime.combine(day, self.opens, self.tz).astimezone(UTC)
        end = datetime.combine(day, self.closes, self.tz).astimezone(UTC)
        return start, end

    def _days_from(self, moment: datetime) -> list[date]:
        first = moment.astimezone(self.tz).date()
        return [first + timedelta(days=i) for i in range(_MAX_DAYS)]

    def clock_start(self, moment: datetime) -> datetime:
        """The first business instant at or after `moment` (itself when inside the hours)."""
        return self.add(moment, timedelta(0))

    def add(self, moment: datetime, amount: timedelta) -> datetime:
        """`moment` plus `amount` of business time, in the hours' time zone.

        A zero amount gives the moment the clock starts: `moment` itself inside the hours,
        otherwise the next opening. The result can be a closing time (an amount that uses up a
        window exactly ends at its close, not at the next opening).
        """
        if moment.tzinfo is None:
            raise ValueError("business-hours arithmetic needs timezone-aware timestamps")
        if amount < timedelta(0):
            raise ValueError("business time is added forwards only")
        now = moment.astimezone(UTC)
        remaining = amount
        for day in self._days_from(moment):
            found = self.window(day)
            if found is None:
                continue
            start, end = found
            if now >= end:
                continue
            now = max(now, start)
            available = end - now
            if remaining <= available:
                return (now + remaining).astimezone(self.tz)
            remaining -= available
            now = end
        raise ValueError("no business day within ten years: check the calendar")

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        """Business time between two instants (zero when `end` is not after `start`)."""
        a, b = start.astimezone(UTC), end.astimezone(UTC)
        if b <= a:
            return timedelta(0)
        total = timedelta(0)
        day = a.astimezone(self.tz).date()
        last = b.astimezone(self.tz).date()
        while day <= last:
            found = self.window(day)
            if found is not None:
                lo, hi = max(found[0], a), min(found[1], b)
                if hi > lo:
                    total += hi - lo
            day += timedelta(days=1)
        return total
