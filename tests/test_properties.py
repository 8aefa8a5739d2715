"""Invariants of the engine over generated contracts and event streams (hypothesis)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from termline.domain.contract.model import (
    Contract,
    DataInstruction,
    Payment,
    PaymentFailed,
    SeatChange,
    TerminationNotice,
)
from termline.domain.engine import simulate
from termline.domain.policy import BUILTIN_PACKS, apply_overrides
from termline.domain.values.money import ZERO, round_money

ITEM = "Plan"
SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@st.composite
def books(draw: Any) -> dict[str, Any]:
    pack = draw(st.sampled_from(BUILTIN_PACKS))
    start = date(2027, 1, 1) + timedelta(days=draw(st.integers(0, 365)))
    price = Decimal(draw(st.integers(100, 50_000))) / 100
    quantity = draw(st.integers(1, 20))
    contract = Contract.model_validate({
        "id": "c1", "customer": {"name": "Generated"}, "start": start,
        "lines": [{"item": ITEM, "unit_price": str(price), "per": "month", "quantity": quantity}],
    })
    horizon = draw(st.integers(30, 500))
    events: list[Any] = []
    for _ in range(draw(st.integers(0, 12))):
        day = start + timedelta(days=draw(st.integers(0, horizon)))
        kind = draw(st.sampled_from(["payment", "payment", "payment", "notice", "seats",
                                     "failed", "delete"]))
        if kind == "payment":
            cents = draw(st.integers(1, 2_000_000))
            events.append(Payment(type="payment", date=day, contract="c1",
                                  amount=Decimal(cents) / 100))
        elif kind == "notice":
            by = draw(st.sampled_from(["customer", "provider"]))
            events.append(TerminationNotice(type="termination_notice", date=day, contract="c1",
                                            by=by))
        elif kind == "seats":
            events.append(SeatChange(type="seat_change", date=day, contract="c1", item=ITEM,
                                     quantity=draw(st.integers(0, 25))))
        elif kind == "failed":
            events.append(PaymentFailed(type="payment_failed", date=day, contract="c1"))
        else:
            events.append(DataInstruction(type="data_instruction", date=day, contract="c1",
                                          instruction="delete"))
    return {"pack": pack, "contract": contract, "events": events,
            "until": start + timedelta(days=horizon), "seed": draw(st.integers(0, 2**32))}


def _run(book: dict[str, Any], events: list[Any] | None = None) -> Any:
    contract = book["contract"]
    policy = apply_overrides(book["pack"], {})
    return simulate([contract], {contract.id: policy},
                    book["events"] if events is None else events, book["until"])


@SETTINGS
@given(books())
def test_no_action_before_the_contract_starts(book: dict[str, Any]) -> None:
    result = _run(book)
    assert all(a.date >= book["contract"].start for a in result.actions)


@SETTINGS
@given(books())
def test_a_paid_invoice_is_never_reminded(book: dict[str, Any]) -> None:
    result = _run(book)
    # what is owed is the invoice's total including VAT (the open item)
    amounts = {a.get("ref"): a.get("total") for a in result.actions if a.kind == "invoice_issued"}
    for reminder in (a for a in result.actions if a.kind == "reminder_sent"):
        ref = reminder.get("ref")
        paid = sum((a.get("amount") for a in result.actions if a.kind == "payment_applied"
                    and a.get("ref") == ref and a.date <= reminder.date), ZERO)
        assert paid < amounts[ref], f"reminder for paid invoice {ref} on {reminder.date}"


@SETTINGS
@given(books())
def test_invoice_totals_equal_the_sum_of_their_lines(book: dict[str, Any]) -> None:
    result = _run(book)
    state = result.states["c1"]
    for item in state.items:
        if item.kind == "invoice":
            # the open item is the document's total: lines (net) + VAT on their sum, rounded
            # once (EN 16931 BR-CO-17); the category's rate is kept on the item ("S 21")
            net = sum((ln.amount for ln in item.lines), ZERO)
            assert item.net == net and item.amount == net + item.vat
            assert item.vat_category is not None
            percent = Decimal(item.vat_category.split()[1])
            assert item.vat == round_money(net * percent / 100)
            assert item.amount > ZERO


@SETTINGS
@given(books())
def test_money_is_neither_lost_nor_counted_twice(book: dict[str, Any]) -> None:
    """Every payment ends up applied to an item or held as credit, to the cent."""
    result = _run(book)
    received = sum((e.amount for e in book["events"] if e.type == "payment"), ZERO)
    state = result.states["c1"]
    paid_on_items = sum((it.paid for it in state.items), ZERO)
    assert paid_on_items + state.credit == received
    for item in state.items:
        assert ZERO <= item.paid <= item.amount


@SETTINGS
@given(books())
def test_simulation_is_deterministic_and_independent_of_event_order(book: dict[str, Any]) -> None:
    first = _run(book).to_json()
    shuffled = list(book["events"])
    random.Random(book["seed"]).shuffle(shuffled)
    assert _run(book, shuffled).to_json() == first
    assert _run(book).to_json() == first
