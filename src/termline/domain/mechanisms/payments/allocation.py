"""Allocation of money to open items.

First the item the payment names (its structured reference, its legal number or the
end-to-end id of the collection, resolved to the engine's item before the engine sees it): a
partial payment of a named item stays on it. Then the policy's rule for the rest
(`payment.allocation`, each pack's reading in docs/readings.md):

* ``oldest_first``: the oldest invoice first (issue date, then the order of issue), a fee or
  interest charge counted with the invoice it arises from; within one invoice its costs, then
  its interest, then its principal (NL art. 6:44 BW; BE Civil Code art. 5.207, interest
  before principal).
* ``principal_first``: every open invoice's principal, oldest first, then costs, then interest.

What is left over is the customer's credit, applied to the next item issued.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from termline.domain.engine.state import Item
from termline.domain.values.money import ZERO
from termline.domain.values.records import replace

_RANK = {"fee": 0, "interest": 1, "invoice": 2}


def _order(items: Sequence[Item], rule: str) -> list[Item]:
    by_ref = {it.ref: it for it in items}

    def origin(it: Item) -> tuple[date, int]:
        parent = by_ref.get(it.invoice) if it.invoice else None
        base = parent or it
        return base.issued, base.seq

    if rule == "principal_first":
        return sorted(items, key=lambda i: (i.kind != "invoice", _RANK[i.kind], i.issued,
                                            i.seq))
    return sorted(items, key=lambda i: (*origin(i), _RANK[i.kind], i.issued, i.seq))


def _pay(it: Item, part: Decimal, day: date) -> Item:
    new = replace(it, paid=it.paid + part)
    if it.kind == "invoice":
        new = replace(new, principal_payments=(*it.principal_payments, (day, part)))
    if new.open == ZERO:
        new = replace(new, settled_on=day)
    return new


def allocate(items: tuple[Item, ...], amount: Decimal, day: date, named: str | None = None,
             rule: str = "oldest_first"
             ) -> tuple[tuple[Item, ...], tuple[tuple[str, Decimal], ...], Decimal]:
    """Apply `amount` on `day`; returns (items, [(ref, applied)], left over)."""
    remaining = amount
    applied: list[tuple[str, Decimal]] = []
    updated = {it.ref: it for it in items}
    first = [updated[named]] if named in updated else []
    for it in first + _order([i for i in items if i.ref != named], rule):
        if remaining <= ZERO:
            break
        if it.open <= ZERO or (it.on_hold and it.ref != named):
            continue
        part = min(it.open, remaining)
        remaining -= part
        updated[it.ref] = _pay(it, part, day)
        applied.append((it.ref, part))
    return tuple(updated[it.ref] for it in items), tuple(applied), remaining
