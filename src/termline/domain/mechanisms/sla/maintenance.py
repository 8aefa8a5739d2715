"""Maintenance against its preferred window: pure interval arithmetic in local wall time."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from termline.domain.mechanisms.sla.availability import Interval, clip, total
from termline.domain.mechanisms.sla.rules import MaintenanceWindow
from termline.domain.mechanisms.support.business_hours import BusinessHours
from termline.domain.values.calendar import Calendar


def _at(day: date, clock: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, clock, tz).astimezone(UTC)


def outside_intervals(window: MaintenanceWindow, calendar: Calendar, first: date, last: date
                      ) -> list[Interval]:
    """The times between local dates `first` and `last` that are NOT in the preferred window."""
    tz = ZoneInfo(window.timezone)
    out: list[Interval] = []
    day = first
    while day <= last:
        if window.kind == "outside_business_hours":
            found = BusinessHours(tz, window.starts, window.ends, calendar).window(day)
            if found is not None:
                out.append(found)
        elif window.ends < window.starts:  # wraps past midnight: 20:00-06:00
            out.append((_at(day, window.ends, tz), _at(day, window.starts, tz)))
        else:  # e.g. 01:00-05:00 the same night
            out.append((_at(day, time(0), tz), _at(day, window.starts, tz)))
            out.append((_at(day, window.ends, tz), _at(day + timedelta(days=1), time(0), tz)))
        day += timedelta(days=1)
    return out


def within_window(start: datetime, end: datetime, window: MaintenanceWindow,
                  calendar: Calendar) -> bool:
    """Whether the whole maintenance [start, end) lies inside the preferred window."""
    tz = ZoneInfo(window.timezone)
    first = start.astimezone(tz).date() - timedelta(days=1)
    last = end.astimezone(tz).date() + timedelta(days=1)
    span = (start.astimezone(UTC), end.astimezone(UTC))
    return total(clip(outside_intervals(window, calendar, first, last), span)) == timedelta(0)
