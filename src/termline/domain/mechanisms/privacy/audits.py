"""When a requested audit may take place: lead time, once per interval, business days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from mypy_extensions import mypyc_attr

from termline.domain.mechanisms.privacy.rules import AuditRule
from termline.domain.values.calendar import Calendar


@mypyc_attr(native_class=False)
@dataclass(frozen=True, slots=True)
class AuditCheck:
    audit_date: date | None
    reason: str | None = None


def check_audit(rule: AuditRule, calendar: Calendar, submitted: date, proposed: date | None,
                previous: date | None) -> AuditCheck:
    """Accept the audit on `proposed` (or on the earliest allowed date) or say why not."""
    earliest = calendar.add(submitted, rule.plan_lead)
    next_allowed = calendar.add(previous, rule.interval) if previous is not None else None
    if proposed is None:
        day = max(earliest, next_allowed) if next_allowed is not None else earliest
        while rule.business_days_only and not calendar.is_business_day(day):
            day += timedelta(days=1)
        return AuditCheck(day)
    if proposed < earliest:
        return AuditCheck(None, f"the audit plan must come {rule.plan_lead} before the audit "
                          f"date: {proposed} is too early, the earliest is {earliest}")
    if next_allowed is not None and proposed < next_allowed:
        return AuditCheck(None, f"one audit per {rule.interval}: the previous audit was on "
                          f"{previous}, the next may be on {next_allowed} at the earliest")
    if rule.business_days_only and not calendar.is_business_day(proposed):
        return AuditCheck(None, f"{proposed} is not a business day: audits take place during "
                          "regular business hours")
    return AuditCheck(proposed)
