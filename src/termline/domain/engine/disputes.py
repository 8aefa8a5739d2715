"""Disputed invoices: on hold inside the terms' window, until the provider decides.

A dispute received within `payment.dispute_window` (counted from `payment.dispute_from`) puts
the invoice on hold: no dunning step (reminder, fee, notice, suspension, termination), no
statutory compensation and no interest arises from it while it is held; the contract's other
items go on as before. `dispute_resolved` ends the hold:

* upheld: a credit note for the amount upheld (default the whole invoice) settles it
  (payments/credit_notes.py); a part not upheld stays open and dunning resumes on it;
* rejected: dunning resumes from the day of the decision: every step date of the invoice is
  counted from the terms' anchor or from that day, whichever is later (dunning/ladder.py).
  Interest is charged as the terms say when the invoice is settled: a dispute does not move
  the due date (docs/readings.md, SmartTrackers 6.6).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from termline.domain.engine.actions import Action, action, refusal
from termline.domain.engine.state import Context, ContractState, Item
from termline.domain.mechanisms.payments.allocation import allocate
from termline.domain.mechanisms.payments.credit_notes import credit_invoice
from termline.domain.mechanisms.payments.run import charge_interest, restore_if_cleared
from termline.domain.values.money import ZERO
from termline.domain.values.records import replace

DISPUTED = "invoice_disputed"
RESOLVED = "dispute_resolved"


def _invoice(state: ContractState, ref: str) -> Item | None:
    return next((it for it in state.items if it.ref == ref and it.kind == "invoice"), None)


def _put(state: ContractState, item: Item) -> ContractState:
    return replace(state, items=tuple(item if it.ref == item.ref else it for it in state.items))


def dispute(state: ContractState, ctx: Context, day: date, ref: str
            ) -> tuple[ContractState, list[Action]]:
    """A written dispute counts only inside the pack's window; afterwards the invoice stands."""
    payment = ctx.policy.payment
    cid = ctx.contract.id
    invoice = _invoice(state, ref)
    if invoice is None:
        return state, refusal(day, cid, payment.clause, DISPUTED, f"no invoice {ref}")
    if payment.dispute_window is None:
        return state, refusal(day, cid, payment.clause, DISPUTED,
                              "the terms set no dispute window")
    start = (invoice.period_end or invoice.issued if payment.dispute_from == "service_date"
             else invoice.issued)
    window_end = ctx.calendar.add(start, payment.dispute_window)
    if day > window_end:
        return state, refusal(day, cid, payment.clause, DISPUTED,
                              f"deemed accepted: the dispute window ended {window_end}")
    if invoice.on_hold:
        return state, refusal(day, cid, payment.clause, DISPUTED,
                              f"invoice {ref} is already disputed and on hold")
    if invoice.resumed is not None:  # decided once: a second credit would count it twice
        return state, refusal(day, cid, payment.clause, DISPUTED,
                              f"the dispute of invoice {ref} was decided on {invoice.resumed}")
    state = _put(state, replace(invoice, on_hold=True, held_from=day))
    out = [action(day, "invoice_dispute_received", cid, payment.clause, ref=ref,
                  window_until=window_end, on_hold=True)]
    # a suspension for this invoice alone no longer stands while it is held
    state, acts = restore_if_cleared(state, ctx, day)
    return state, out + acts


def resolve(state: ContractState, ctx: Context, day: date, ref: str, outcome: str,
            amount: Decimal | None) -> tuple[ContractState, list[Action]]:
    """The provider's decision on the dispute of invoice `ref`: `upheld` (`amount` excl. VAT,
    None: all of it) or `rejected`."""
    payment = ctx.policy.payment
    cid = ctx.contract.id
    invoice = _invoice(state, ref)
    if invoice is None:
        return state, refusal(day, cid, payment.clause, RESOLVED, f"no invoice {ref}")
    if not invoice.on_hold:
        return state, refusal(day, cid, payment.clause, RESOLVED,
                              f"invoice {ref} is not on hold: no dispute to resolve")
    if outcome == "upheld" and amount is not None and amount > invoice.net:
        return state, refusal(day, cid, payment.clause, RESOLVED,
                              f"{amount} upheld exceeds the invoice's {invoice.net} excl. VAT")
    released = replace(invoice, on_hold=False, resumed=day)
    state = _put(state, released)
    if outcome == "rejected":
        out = [action(day, "dispute_rejected", cid, payment.clause, ref=invoice.ref,
                      resumes=day)]
        if released.settled_on is not None:  # paid while held: the terms' interest, now
            state, acts = charge_interest(state, ctx, day, released)
            return state, out + acts
        state, acts = _pay_from_credit(state, ctx, day, invoice.ref)
        return state, out + acts
    out = [action(day, "dispute_upheld", cid, payment.clause, currency=ctx.currency,
                  ref=invoice.ref, amount=amount)]
    state, acts = credit_invoice(state, ctx, day, released, amount, "dispute_upheld",
                                 payment.clause)
    out += acts
    if state.item(invoice.ref).open <= ZERO:
        state, acts = restore_if_cleared(state, ctx, day)
        return state, out + acts
    state, acts = _pay_from_credit(state, ctx, day, invoice.ref)
    return state, out + acts


def _pay_from_credit(state: ContractState, ctx: Context, day: date, ref: str
                     ) -> tuple[ContractState, list[Action]]:
    """The customer's credit (money that named nothing while the invoice was held) pays what
    is left of it once the hold ends, before dunning resumes. The state does not know when
    that money came, so settling by it charges no interest: the provider held it."""
    if state.credit <= ZERO:
        return state, []
    items, applied, left = allocate(state.items, state.credit, day, ref,
                                    ctx.policy.payment.allocation)
    state = replace(state, items=items, credit=left)
    out = [action(day, "payment_applied", ctx.contract.id, ctx.policy.payment.clause,
                  currency=ctx.currency, ref=it, amount=part, source="credit")
           for it, part in applied]
    if state.item(ref).settled_on == day:
        state, acts = restore_if_cleared(state, ctx, day)
        out += acts
    return state, out
