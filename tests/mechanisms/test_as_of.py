"""An earlier day's account rebuilt from the last state and the dated allocations
(`dunning/as_of.state_on`), as `receivables --on` shows it.

SmartTrackers 6.6 (a disputed invoice is held): invoice k0-0001 of 1 January, 3,025.00, due
31 January; disputed on 20 January; the dispute rejected on 15 February; 1,000.00 of it
credited by hand on 10 February (a credit note's settlement, stored as an allocation).
"""

from datetime import date
from decimal import Decimal

from termline.domain.engine.state import ContractState, Item
from termline.domain.mechanisms.dunning.as_of import state_on

LAST = Item(ref="k0-0001", kind="invoice", issued=date(2027, 1, 1), due=date(2027, 1, 31),
            amount=Decimal("3025.00"), seq=1, credited=Decimal("1000.00"),
            held_from=date(2027, 1, 20), resumed=date(2027, 2, 15))
ALLOCATED = {"k0-0001": [(date(2027, 2, 10), Decimal("1000.00"))]}


def _on(day: date) -> Item:
    return state_on(ContractState(items=(LAST,)), ALLOCATED, day).items[0]


def test_before_the_dispute_the_invoice_is_open_in_full_and_not_held() -> None:
    item = _on(date(2027, 1, 19))
    assert (item.open, item.on_hold, item.resumed) == (Decimal("3025.00"), False, None)


def test_while_disputed_it_is_held_and_the_later_credit_note_is_not_yet_counted() -> None:
    item = _on(date(2027, 2, 3))
    assert (item.open, item.on_hold, item.resumed) == (Decimal("3025.00"), True, None)


def test_after_the_credit_note_its_amount_counts_once() -> None:
    """3,025.00 - 1,000.00 = 2,025.00, not 1,025.00 (the allocation and the item's own
    credited amount are the same money)."""
    item = _on(date(2027, 2, 10))
    assert (item.open, item.on_hold) == (Decimal("2025.00"), True)


def test_after_the_rejection_the_hold_is_over_and_dunning_resumes_from_its_day() -> None:
    item = _on(date(2027, 2, 20))
    assert (item.open, item.on_hold, item.resumed) == (
        Decimal("2025.00"), False, date(2027, 2, 15))
