"""Money going back: a returned direct debit, and a refund of the customer's credit.

A returned direct debit (or any payment given back by the bank) undoes exactly what that
payment did: each item it paid is open again by the amount it received from it, so the terms'
dunning, interest and suspension act on it as if it had never been paid; the part it left as
credit is taken back from the credit, and where that credit has since paid later items, from
those items, newest first (the money that paid them was never there).

Only payments with a reference can be returned: the engine keeps a `Receipt` of each (its
allocations), and the `payment_returned` event names the reference.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from termline.domain.engine.actions import Action, action
from termline.domain.engine.state import Context, ContractState, Item, Receipt
from termline.domain.values.money import ZERO
from termline.domain.values.records import replace


def _unpay(it: Item, amount: Decimal, paid_on: date | None) -> Item:
    payments = list(it.principal_payments)
    if it.kind == "invoice":
        # take back the principal payment this money made (the one of its day and amount,
        # else the latest ones), so interest runs again over it
        exact = next((i for i, (d, part) in enumerate(payments)
                      if d == paid_on and part == amount), None)
        if exact is not None:
            del payments[exact]
        else:
            left = amount
            while left > ZERO and payments:
                d, part = payments.pop()
                if part > left:
                    payments.append((d, part - left))
                left -= min(part, left)
    new = replace(it, paid=it.paid - amount, principal_payments=tuple(payments))
    return replace(new, settled_on=None) if new.open > ZERO else new


def return_payment(state: ContractState, ctx: Context, day: date, reference: str,
                   reason: str | None) -> tuple[ContractState, list[Action]]:
    clauses = ctx.policy.payment.clause
    index = next((i for i in range(len(state.receipts) - 1, -1, -1)
                  if state.receipts[i].reference == reference
                  and state.receipts[i].returned is None), None)
    if index is None:
        return state, [action(day, "event_refused", ctx.contract.id, clauses,
                              event="payment_returned",
                              reason=f"no payment {reference} to return")]
    receipt: Receipt = state.receipts[index]
    items = {it.ref: it for it in state.items}
    out: list[Action] = []
    for ref, part in receipt.applied:
        take = min(part, items[ref].paid)
        if take <= ZERO:
            continue
        items[ref] = _unpay(items[ref], take, receipt.day)
        out.append(action(day, "payment_reversed", ctx.contract.id, clauses,
                          currency=ctx.currency, ref=ref, amount=take, reference=reference))
    from_credit = min(max(state.credit, ZERO), receipt.credit)
    short = receipt.credit - from_credit
    for it in sorted(state.items, key=lambda i: (i.issued, i.seq), reverse=True):
        if short <= ZERO:
            break
        take = min(items[it.ref].paid, short)
        if take <= ZERO:
            continue
        items[it.ref] = _unpay(items[it.ref], take, None)
        short -= take
        out.append(action(day, "payment_reversed", ctx.contract.id, clauses,
                          currency=ctx.currency, ref=it.ref, amount=take, reference=reference,
                          source="credit"))
    total = sum((part for _, part in receipt.applied), ZERO) + receipt.credit
    receipts = list(state.receipts)
    receipts[index] = replace(receipt, returned=day)
    state = replace(state, items=tuple(items[it.ref] for it in state.items),
                    credit=state.credit - from_credit, receipts=tuple(receipts))
    out.insert(0, action(day, "payment_returned", ctx.contract.id, clauses,
                         currency=ctx.currency, reference=reference, amount=total,
                         reason=reason or None))
    return state, out


def refund_credit(state: ContractState, ctx: Context, day: date, amount: Decimal,
                  reference: str | None) -> tuple[ContractState, list[Action]]:
    """Pay back `amount` of the customer's credit balance; refused above the credit held."""
    clauses = ctx.policy.payment.clause
    if amount > state.credit:
        return state, [action(day, "event_refused", ctx.contract.id, clauses,
                              event="credit_refund",
                              reason=f"refund of {amount} exceeds the credit of "
                                     f"{state.credit}")]
    state = replace(state, credit=state.credit - amount)
    return state, [action(day, "credit_refunded", ctx.contract.id, clauses,
                          currency=ctx.currency, amount=amount, balance=state.credit,
                          **({"reference": reference} if reference else {}))]
