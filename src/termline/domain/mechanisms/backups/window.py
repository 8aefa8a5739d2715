"""Which backups exist and may be restored on a given day, and when the last copy is purged.

Pure date arithmetic. A contract is backed up every ``cadence`` days from its first day through
its last; the backup of a day is taken at the end of that day, so on day D the most recent
backup is of day D-1 at the latest. A backup of day X is kept ``retention``: on day D it can be
restored when X >= D - retention (month arithmetic clamps to the month end).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from mypy_extensions import mypyc_attr

from termline.domain.mechanisms.backups.rules import BackupTier
from termline.domain.values.calendar import Calendar
from termline.domain.values.duration import Duration, Unit


def cadence_days(cadence: Duration | None) -> int:
    """Days between two backups (one a day when the terms state no cadence)."""
    if cadence is None:
        return 1
    return cadence.number * (7 if cadence.unit is Unit.WEEKS else 1)


def latest_backup(first: date, day: date, every: int) -> date | None:
    """The most recent backup completed before `day` (None before the first one)."""
    last = day - timedelta(days=1)
    if last < first:
        return None
    return last - timedelta(days=(last - first).days % every)


@mypyc_attr(native_class=False)
@dataclass(frozen=True, slots=True)
class RestoreCheck:
    """The backup a restore request resolves to, or why it cannot be restored."""

    backup: date | None
    reason: str | None = None
    restorable_from: date | None = None


def in_tier(tier: BackupTier, backup: date) -> bool:
    if tier.every == "weekly":
        return backup.weekday() == 6
    if tier.every == "monthly":
        return (backup + timedelta(days=1)).day == 1
    return True


def kept_by_tiers(calendar: Calendar, tiers: Sequence[BackupTier], day: date, backup: date
                  ) -> bool:
    """Whether one of the tiers the backup belongs to still keeps it on `day`."""
    return any(in_tier(t, backup) and backup >= calendar.add(day, t.keep, sign=-1)
               for t in tiers)


def tier_expiry(calendar: Calendar, tiers: Sequence[BackupTier], last_day: date) -> date | None:
    """The day the last copy kept by any tier expires, no backup being taken after
    `last_day`."""
    expiries = []
    for tier in tiers:
        member = last_day
        while not in_tier(tier, member):
            member -= timedelta(days=1)
        expiries.append(calendar.add(member, tier.keep))
    return max(expiries) if expiries else None


def check_restore(calendar: Calendar, first: date, day: date, requested: date | None,
                  every: int, retention: Duration | None,
                  tiers: Sequence[BackupTier] = ()) -> RestoreCheck:
    """Resolve a restore request made on `day` for the backup of `requested` (None: the latest).

    `first` is the contract's first day (the first backup is of that day).
    """
    if tiers:
        oldest = min(calendar.add(day, t.keep, sign=-1) for t in tiers)
        if (requested is not None and max(oldest, first) <= requested < day
                and not kept_by_tiers(calendar, tiers, day, requested)):
            kept = "; ".join(f"{t.name}: from {max(calendar.add(day, t.keep, sign=-1), first)}"
                             for t in tiers)
            return RestoreCheck(None, f"the backup of {requested} is no longer kept ({kept})",
                                max(oldest, first))
    elif retention is not None:
        oldest = calendar.add(day, retention, sign=-1)
    else:
        oldest = first
    window_from = max(oldest, first)
    latest = latest_backup(first, day, every)
    if latest is None:
        return RestoreCheck(None, "no backup taken yet: the first is made at the end of "
                            f"{first}", window_from)
    if requested is None:
        requested = latest
    if requested >= day:
        return RestoreCheck(None, f"no backup of {requested} yet: the latest is of {latest}",
                            window_from)
    if requested < first:
        return RestoreCheck(None, f"no backup of {requested}: the contract started {first}",
                            window_from)
    if requested < oldest:
        return RestoreCheck(None, f"the backup of {requested} is no longer kept: backups can be "
                            f"restored from {window_from}", window_from)
    if (requested - first).days % every:
        return RestoreCheck(None, f"no backup was taken on {requested} (one every {every} days "
                            f"from {first})", window_from)
    return RestoreCheck(requested, None, window_from)


def purge_date(calendar: Calendar, last_day: date, retention: Duration | None,
               latest: Duration | None, tiers: Sequence[BackupTier] = ()) -> date | None:
    """The day the last backup copy must be gone: the backup of the contract's last day expires
    `retention` later (with tiers: the last copy any tier keeps), and never later than `latest`
    after the last day."""
    dates = []
    if retention is not None:
        dates.append(calendar.add(last_day, retention))
    expiry = tier_expiry(calendar, tiers, last_day)
    if expiry is not None:
        dates.append(expiry)
    if latest is not None:
        dates.append(calendar.add(last_day, latest))
    return min(dates) if dates else None
