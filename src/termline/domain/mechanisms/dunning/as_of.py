"""What a contract's account looked like on an earlier day, from its items as the last run
left them and the dated allocations the store recorded (`allocations`, returns included as
negative rows, credit notes as the settlements they are): each item issued by then, paid by
what was allocated to it by then, on hold if a dispute held it then. Pure.

The items themselves never change after issue (only what is paid on them), so the last state
knows every item of an earlier day; what was paid on each comes from the allocations, not
from the state.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal

from termline.domain.engine.state import ContractState
from termline.domain.values.money import ZERO
from termline.domain.values.records import replace

Paid = Mapping[str, Sequence[tuple[date, Decimal]]]  # item ref -> (day, amount) allocations


def state_on(state: ContractState, paid: Paid, on: date) -> ContractState:
    """The account of `state` as of the end of day `on` (credit not reconstructed: zero)."""
    items = []
    for it in state.items:
        if it.issued > on:
            continue
        received = sum((amount for day, amount in paid.get(it.ref, ()) if day <= on), ZERO)
        payments = tuple(p for p in it.principal_payments if p[0] <= on)
        settled = it.settled_on if it.settled_on is not None and it.settled_on <= on \
            and received >= it.amount else None
        # the allocations hold the credit notes' settlements too (`credit-note …`): the
        # item's own `credited` is what they took back by the last run, not by `on`
        held = it.held_from is not None and it.held_from <= on and (
            it.resumed is None or it.resumed > on)
        resumed = it.resumed if it.resumed is not None and it.resumed <= on else None
        items.append(replace(it, paid=received, credited=ZERO, principal_payments=payments,
                             settled_on=settled, on_hold=held, resumed=resumed))
    return replace(state, items=tuple(items), credit=ZERO,
                   steps_done=tuple(s for s in state.steps_done if s[2] <= on))
