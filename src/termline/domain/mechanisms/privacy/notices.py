"""Whether an announcement came early enough: the last day it could be given, and the verdict."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from mypy_extensions import mypyc_attr

from termline.domain.values.calendar import Calendar
from termline.domain.values.duration import Duration


@mypyc_attr(native_class=False)
@dataclass(frozen=True, slots=True)
class NoticeCheck:
    announce_by: date
    late: bool


def check_notice(calendar: Calendar, announced: date, effective: date, notice: Duration
                 ) -> NoticeCheck:
    """A change effective on `effective` needs `notice`: announced on or before effective −
    notice (on the pack's calendar) is in time, later is too late."""
    announce_by = calendar.add(effective, notice, sign=-1)
    return NoticeCheck(announce_by, announced > announce_by)
