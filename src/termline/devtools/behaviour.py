"""Simulated customers: how a customer reacts to what termline sends (demo and benchmarks).

A responder maps an action to the customer's later events: an on-time payer pays each invoice
five days after it is issued, a late payer 25 days after the due date (fees with it), a
never-payer's direct debit bounces on the due date. Pure: no clock, no randomness.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from termline.domain.contract.model import EventBase, Payment, PaymentFailed
from termline.domain.engine.actions import Action
from termline.domain.values.money import ZERO

BEHAVIOURS = ("on_time", "late", "never")


def customer_responder(behaviours: dict[str, str]
                       ) -> Callable[[Action], Iterable[EventBase]]:
    """A customer's reaction to what termline sends: pay on time, late, or never."""
    due: dict[str, date] = {}

    def respond(act: Action) -> Iterable[EventBase]:
        who = behaviours.get(act.contract)
        if who is None:
            return ()
        if who == "never":
            # The never-payer's direct debit bounces on the due date (ClientCom 5.2 reacts).
            if act.kind == "invoice_issued":
                due_date = act.get("due_date")
                assert isinstance(due_date, date)
                return (PaymentFailed(type="payment_failed", date=due_date,
                                      contract=act.contract, reference=str(act.get("ref"))),)
            return ()
        if act.kind == "invoice_issued":
            ref = str(act.get("ref"))
            due_date = act.get("due_date")
            assert isinstance(due_date, date)
            due[ref] = due_date
            amount = act.get("total")  # what the invoice asks: its total including VAT
            pay_on = act.date + timedelta(days=5) if who != "late" else due_date + timedelta(25)
            return (_payment(act.contract, pay_on, amount),)
        if who == "late" and act.kind in ("reminder_sent", "collection_costs_charged"):
            fee = act.get("fee") if act.kind == "reminder_sent" else act.get("amount")
            if isinstance(fee, Decimal) and fee > ZERO:
                pay_on = max(due[str(act.get("ref"))] + timedelta(25), act.date + timedelta(1))
                return (_payment(act.contract, pay_on, fee),)
        if act.kind == "interest_charged":
            return (_payment(act.contract, act.date + timedelta(days=5), act.get("amount")),)
        return ()

    return respond


def _payment(contract: str, day: date, amount: Any) -> Payment:
    return Payment(type="payment", date=day, contract=contract, amount=amount)
