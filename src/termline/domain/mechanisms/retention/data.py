"""When data may or must be deleted after a contract ends."""

from __future__ import annotations

from datetime import date, timedelta

from termline.domain.policy.schema import DataDeletion, RetentionRule
from termline.domain.values.calendar import Calendar


def deletion_date(rule: RetentionRule, calendar: Calendar, terminated: date) -> date:
    """The day the scheduled deletion happens: the earliest the clause permits, plus any delay."""
    deletion = rule.deletion
    day = calendar.add(terminated, deletion.after)
    if deletion.lapsed:
        day += timedelta(days=1)
    day = calendar.add(day, deletion.delay)
    latest = latest_deletion_date(rule, calendar, terminated)
    return min(day, latest) if latest is not None else day


def latest_deletion_date(rule: RetentionRule, calendar: Calendar, terminated: date
                         ) -> date | None:
    latest = rule.deletion.latest
    return calendar.add(terminated, latest) if latest is not None else None


def export_until(rule: RetentionRule, calendar: Calendar, terminated: date) -> date | None:
    if rule.export_window is None:
        return None
    return calendar.add(terminated, rule.export_window)


def early_deletion_date(rule: RetentionRule, calendar: Calendar, terminated: date) -> date | None:
    early = rule.early_deletion
    if early is None or not early.enabled:
        return None
    return calendar.add(calendar.add(terminated, early.after), early.delay)


def scheduled_deletions(rule: RetentionRule, calendar: Calendar, terminated: date
                        ) -> list[tuple[DataDeletion, date]]:
    """The day of each further deletion schedule (`retention.deletions`) that is switched on."""
    out = []
    for schedule in rule.deletions:
        if not schedule.enabled:
            continue
        day = calendar.add(terminated, schedule.after)
        if schedule.lapsed:
            day += timedelta(days=1)
        out.append((schedule, calendar.add(day, schedule.delay)))
    return out
