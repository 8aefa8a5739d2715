"""Allocation of money to open items, oldest first (issue date, then the order of issue)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from termline.domain.engine.state import Item
from termline.domain.values.money import ZERO
from termline.domain.values.records import replace


def allocate(items: tuple[Item, ...], amount: Decimal, day: date
             ) -> tuple[tuple[Item, ...], tuple[tuple[str, Decimal], ...], Decimal]:
    """Apply `amount` on `day`; returns (items, [(ref, applied)], left over)."""
    remaining = amount
    applied: list[tuple[str, Decimal]] = []
    updated = {it.ref: it for it in items}
    for it in sorted(items, key=lambda i: (i.issued, i.seq)):
        if remaining <= ZERO:
            break
        if it.open <= ZERO:
            continue
        part = min(it.open, remaining)
        remaining -= part
        new = replace(it, paid=it.paid + part)
        if it.kind == "invoice":
            new = replace(new, principal_payments=(*it.principal_payments, (day, part)))
        if new.open == ZERO:
            new = replace(new, settled_on=day)
        updated[it.ref] = new
        applied.append((it.ref, part))
    return tuple(updated[it.ref] for it in items), tuple(applied), remaining
