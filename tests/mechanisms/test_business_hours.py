"""Business-hours arithmetic (domain/mechanisms/support/business_hours.py): weekends, holidays,
DST, closed days.

Expected instants are worked out by hand from the calendars: Belgian public holidays 2027
include Easter Monday 29 March; Lithuanian ones include 24-26 December and 1 January, and the
SuperOffice pack adds 24 and 31 December as closed days (6 ¶1). Brussels leaves CET (+01:00)
for CEST (+02:00) on Sunday 28 March 2027.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from termline.domain.mechanisms.support.business_hours import BusinessHours
from termline.domain.values.calendar import Calendar

BRUSSELS = BusinessHours(ZoneInfo("Europe/Brussels"), time(9), time(17), Calendar("BE"))
VILNIUS = BusinessHours(ZoneInfo("Europe/Vilnius"), time(8), time(16),
                        Calendar("LT", ((12, 24), (12, 31))))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_ten_business_hours_spill_into_the_next_day() -> None:
    """Monday 10:00 + 10 h: 7 h to 17:00 Monday, 3 h from 09:00 Tuesday -> Tuesday 12:00."""
    due = BRUSSELS.add(at("2027-03-01T10:00:00+01:00"), timedelta(hours=10))
    assert due.isoformat() == "2027-03-02T12:00:00+01:00"


def test_the_weekend_is_skipped_and_a_full_window_ends_at_the_close() -> None:
    """Friday 15:00 + 10 h: 2 h Friday, Saturday and Sunday closed, 8 h Monday = 17:00 Monday
    (the amount uses the window up exactly: the result is the close, not Tuesday 09:00)."""
    due = BRUSSELS.add(at("2027-03-05T15:00:00+01:00"), timedelta(hours=10))
    assert due.isoformat() == "2027-03-08T17:00:00+01:00"


def test_dst_change_and_a_public_holiday() -> None:
    """Friday 26 March 14:00 CET + 10 h: 3 h Friday; the clocks go forward on Sunday 28 March;
    Monday 29 March is Easter Monday (BE holiday); 7 h Tuesday from 09:00 CEST -> 16:00+02:00.
    Elapsed business time from Friday 16:00 CET to Tuesday 10:00 CEST is 1 h + 1 h = 2 h."""
    due = BRUSSELS.add(at("2027-03-26T14:00:00+01:00"), timedelta(hours=10))
    assert due.isoformat() == "2027-03-30T16:00:00+02:00"
    assert BRUSSELS.elapsed(at("2027-03-26T16:00:00+01:00"),
                            at("2027-03-30T10:00:00+02:00")) == timedelta(hours=2)


def test_a_timestamp_in_another_offset_is_converted_first() -> None:
    """08:30 UTC on Monday 1 March is 09:30 in Brussels: 7.5 h on Monday + 2.5 h Tuesday."""
    due = BRUSSELS.add(at("2027-03-01T08:30:00+00:00"), timedelta(hours=10))
    assert due.isoformat() == "2027-03-02T11:30:00+01:00"


def test_the_clock_starts_at_the_next_opening_outside_the_hours() -> None:
    """Saturday 11:00 -> Monday 09:00; Monday 18:30 (after the close) -> Tuesday 09:00;
    Tuesday 12:00 (inside) -> itself."""
    assert BRUSSELS.clock_start(at("2027-03-06T11:00:00+01:00")).isoformat() == (
        "2027-03-08T09:00:00+01:00")
    assert BRUSSELS.clock_start(at("2027-03-08T18:30:00+01:00")).isoformat() == (
        "2027-03-09T09:00:00+01:00")
    assert BRUSSELS.clock_start(at("2027-03-09T12:00:00+01:00")).isoformat() == (
        "2027-03-09T12:00:00+01:00")


def test_christmas_eve_and_new_years_eve_are_closed_in_vilnius() -> None:
    """SuperOffice 6 ¶1 hours, 08:00-16:00 Vilnius (+02:00 in winter).

    Thursday 23 Dec 15:00 + 8 h: 1 h Thursday; Friday 24 Dec closed (Christmas Eve); 25-26 Dec
    weekend and holidays; 7 h Monday 27 Dec from 08:00 -> 15:00. Thursday 30 Dec 16:30 is after
    the close; Friday 31 Dec closed (New Year's Eve); 1 Jan holiday and weekend -> the clock
    starts Monday 3 January 2028 08:00.
    """
    due = VILNIUS.add(at("2027-12-23T15:00:00+02:00"), VILNIUS.day_length)
    assert due.isoformat() == "2027-12-27T15:00:00+02:00"
    assert VILNIUS.clock_start(at("2027-12-30T16:30:00+02:00")).isoformat() == (
        "2028-01-03T08:00:00+02:00")


def test_one_business_day_is_the_length_of_the_window() -> None:
    assert BRUSSELS.day_length == timedelta(hours=8)
    assert VILNIUS.day_length == timedelta(hours=8)


def test_elapsed_counts_only_business_time() -> None:
    """Monday 16:00 to Tuesday 10:00 in Brussels: 1 h Monday + 1 h Tuesday."""
    assert BRUSSELS.elapsed(at("2027-03-01T16:00:00+01:00"),
                            at("2027-03-02T10:00:00+01:00")) == timedelta(hours=2)
    assert BRUSSELS.elapsed(at("2027-03-02T10:00:00+01:00"),
                            at("2027-03-01T16:00:00+01:00")) == timedelta(0)


def test_naive_timestamps_and_negative_amounts_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        BRUSSELS.add(datetime.fromisoformat("2027-03-01T10:00:00"), timedelta(hours=1))
    with pytest.raises(ValueError, match="forwards"):
        BRUSSELS.add(at("2027-03-01T10:00:00+01:00"), timedelta(hours=-1))
    with pytest.raises(ValueError, match="close after"):
        BusinessHours(ZoneInfo("Europe/Brussels"), time(17), time(9), Calendar("BE"))
