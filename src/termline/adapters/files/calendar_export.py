"""Deadlines as an iCalendar file (RFC 5545), so a finance or procurement team gets them in its
calendar: one all-day event per deadline.

Pure: rows in, bytes out. The same rows and `stamp` give the same bytes, and a deadline keeps
its UID across exports (derived from tenant, contract, kind and date), so a calendar that
re-imports the file updates its events instead of doubling them.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from icalendar import Calendar, Event

PRODID = "-//termline//deadlines//EN"
# Fixed, so that UIDs stay the same from one release to the next.
_UID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:termline:deadlines")

_TITLES = {
    "notice_deadline": "Last day to give notice",
    "next_invoice": "Next invoice",
    "next_dunning_step": "Next dunning step",
    "trial_end": "Trial ends",
    "data_deletion": "Data deletion",
}
# Fields every row has, or that the summary already says; the rest go to the description.
_SHOWN = frozenset({"tenant", "customer", "contract", "kind", "date", "clauses"})


def uid(tenant: str, contract: str, kind: str, day: str) -> str:
    # JSON keeps the parts apart whatever characters the names contain.
    name = json.dumps([tenant, contract, kind, day], ensure_ascii=False)
    return f"{uuid.uuid5(_UID_NAMESPACE, name)}@termline"


def summary(row: Mapping[str, Any]) -> str:
    kind, contract = str(row["kind"]), str(row["contract"])
    if kind == "term_end":
        title = "Term ends (renews)" if row.get("renews") == "true" else "Contract ends"
    elif kind == "next_dunning_step" and "step" in row:
        title = f"Next dunning step ({row['step']})"
    else:
        title = _TITLES.get(kind, kind.replace("_", " ").capitalize())
    customer = row.get("customer")
    return f"{title} — {customer} ({contract})" if customer else f"{title} — {contract}"


def description(row: Mapping[str, Any]) -> str:
    clauses = ", ".join(str(c) for c in row.get("clauses", ()))
    lines = [f"Clauses: {clauses}" if clauses else "Clauses: none",
             f"Contract: {row['contract']}"]
    if row.get("customer"):
        lines.append(f"Customer: {row['customer']}")
    if row.get("tenant"):
        lines.append(f"Tenant: {row['tenant']}")
    lines.append(f"Kind: {row['kind']}")
    lines += [f"{k}: {v}" for k, v in row.items() if k not in _SHOWN]
    return "\n".join(lines)


def calendar_bytes(rows: Iterable[Mapping[str, Any]], stamp: date) -> bytes:
    """An RFC 5545 calendar with one all-day VEVENT per deadline row.

    `stamp` (the day the deadlines were computed for) gives every DTSTAMP, at 00:00 UTC: the
    output depends on the rows alone, never on the clock. Rows without `tenant` (a scenario
    file) get UIDs from an empty tenant name.
    """
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "termline deadlines")
    dtstamp = datetime.combine(stamp, time(0, 0), tzinfo=UTC)
    for row in rows:
        day = date.fromisoformat(str(row["date"]))
        event = Event()
        event.add("uid", uid(str(row.get("tenant", "")), str(row["contract"]),
                             str(row["kind"]), day.isoformat()))
        event.add("dtstamp", dtstamp)
        event.add("dtstart", day)  # a date: VALUE=DATE, an all-day event
        event.add("dtend", day + timedelta(days=1))  # exclusive end, one day
        event.add("summary", summary(row))
        event.add("description", description(row))
        event.add("transp", "TRANSPARENT")  # a deadline does not block the day
        cal.add_component(event)
    data: bytes = cal.to_ical()  # typed Any by icalendar
    return data
