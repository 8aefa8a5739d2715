"""When a SEPA direct debit can be collected: TARGET2 business days, the CORE scheme's lead
time and the debtor's pre-notification.

* Collection dates are TARGET2 business days (SEPA Core rulebook 4.3, AT-11): not a Saturday,
  Sunday, 1 January, Good Friday, Easter Monday, 1 May, 25 or 26 December (the ECB's TARGET
  closing days, the `holidays` package's XECB calendar). A due date on a closing day is
  collected on the next business day.
* The collection must reach the debtor's bank at least one TARGET2 business day before the
  collection date (D-1 for first, recurrent and one-off debits since November 2016): a file
  for D is created no later than the business day before D.
* The creditor pre-notifies the debtor of the amount and date at least 14 calendar days before
  the collection unless agreed otherwise (rulebook PT-04.03); an invoice issued fewer days
  before its due date is collected that many days after it was issued.

Pure: the caller gives today.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays

LEAD_BUSINESS_DAYS = 1  # SEPA Core D-1
PRENOTIFICATION_DAYS = 14  # SEPA Core rulebook default


@lru_cache(maxsize=64)
def _closed(year: int) -> frozenset[date]:
    return frozenset(holidays.financial_holidays("XECB", years=year))


def is_business_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _closed(day.year)


def on_or_after(day: date) -> date:
    """The first TARGET2 business day on or after `day`."""
    while not is_business_day(day):
        day += timedelta(days=1)
    return day


def business_days_before(day: date, n: int) -> date:
    while n:
        day -= timedelta(days=1)
        if is_business_day(day):
            n -= 1
    return day


def collection_date(due: date, issued: date, prenotice_days: int = PRENOTIFICATION_DAYS
                    ) -> date:
    """The day an invoice is collected: its due date, but not before the pre-notification has
    run (issued + days), moved to a business day."""
    return on_or_after(max(due, issued + timedelta(days=prenotice_days)))


def submission_deadline(collection: date, lead: int = LEAD_BUSINESS_DAYS) -> date:
    """The last day a file collecting on `collection` can be created and sent."""
    return business_days_before(collection, lead)


def earliest_collection(today: date, lead: int = LEAD_BUSINESS_DAYS) -> date:
    """The first collection date a file created today can still ask for."""
    day = on_or_after(today + timedelta(days=1))
    while submission_deadline(day, lead) < today:
        day = on_or_after(day + timedelta(days=1))
    return day
