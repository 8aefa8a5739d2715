"""Durations, month arithmetic and business-day calendars (catalogue §0.1)."""

from datetime import date

import pytest

from termline.domain.engine.state import business_calendar
from termline.domain.values.calendar import Calendar
from termline.domain.values.duration import Duration, Unit, add_months
from termline.domain.values.periods import month_end, next_month_start, period


def test_duration_parses_the_way_terms_write_it() -> None:
    assert Duration.parse("3 months") == Duration(3, Unit.MONTHS)
    assert Duration.parse("1 business day") == Duration(1, Unit.BUSINESS_DAYS)
    assert Duration.parse("2 weeks").add_to(date(2027, 1, 1)) == date(2027, 1, 15)
    assert Duration.parse("1 year").months == 12


@pytest.mark.parametrize("text", ["3", "three months", "3 fortnights", "", "-1 days"])
def test_duration_rejects_what_it_cannot_read(text: str) -> None:
    with pytest.raises(ValueError, match="not a duration"):
        Duration.parse(text)


def test_month_arithmetic_clamps_to_the_month_end() -> None:
    """31 January + 1 month = 28 February (29 in a leap year), as documented."""
    assert add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)


def test_periods_count_from_the_anchor_so_clamping_does_not_drift() -> None:
    """Monthly periods from 31 Jan: Feb period ends 27 Feb, March period starts 28 Feb ends 30 Mar,
    April period starts 31 Mar (counted from the anchor, not from 28 Feb)."""
    length = Duration.parse("1 month")
    assert period(date(2027, 1, 31), length, 1) == (date(2027, 2, 28), date(2027, 3, 30))
    assert period(date(2027, 1, 31), length, 2) == (date(2027, 3, 31), date(2027, 4, 29))


def test_month_helpers() -> None:
    assert month_end(date(2028, 2, 10)) == date(2028, 2, 29)
    assert next_month_start(date(2025, 2, 10)) == date(2025, 3, 1)
    assert next_month_start(date(2025, 3, 1)) == date(2025, 3, 1)


def test_danish_business_days_skip_weekends_and_holidays() -> None:
    """DK 2027: Maundy Thursday 25 Mar, Good Friday 26 Mar, Easter Monday 29 Mar."""
    dk = Calendar("DK")
    assert dk.add_business_days(date(2027, 3, 24), 1) == date(2027, 3, 30)
    assert dk.add_business_days(date(2027, 3, 30), -1) == date(2027, 3, 24)
    assert not dk.is_business_day(date(2027, 12, 25))


def test_extra_closed_days_such_as_christmas_eve() -> None:
    """SuperOffice 6: support closed on 24 and 31 December besides national holidays."""
    lt = Calendar("LT", extra_closed=((12, 24), (12, 31)))
    assert not lt.is_business_day(date(2027, 12, 31))
    assert Calendar("LT").is_business_day(date(2027, 12, 31))


def test_a_policy_s_closed_days_make_one_calendar_shared_by_its_contexts() -> None:
    """SuperOffice 6 (support closed on 24 and 31 December): the policy's "MM-DD" closed days
    read as month-day pairs once; every contract day's context of the policy gets that one
    calendar, and another set of closed days another."""
    closed = business_calendar("LT", ("12-24", "12-31"))
    assert closed == Calendar("LT", extra_closed=((12, 24), (12, 31)))
    assert business_calendar("LT", ("12-24", "12-31")) is closed
    assert not closed.is_business_day(date(2027, 12, 31))  # a Friday, no holiday in Lithuania
    assert business_calendar("LT", ()).is_business_day(date(2027, 12, 31))
