"""Payments: allocation, credit, late interest at settlement, restoring suspended access."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from termline.domain.engine.actions import Action, action
from termline.domain.engine.state import Context, ContractState, Item, Receipt
from termline.domain.mechanisms.billing.run import add_item
from termline.domain.mechanisms.interest.late_interest import bearing, interest_on_chunks
from termline.domain.mechanisms.payments.allocation import allocate
from termline.domain.values.money import ZERO
from termline.domain.values.records import replace


def receive_payment(state: ContractState, ctx: Context, day: date, amount: Decimal,
                    reference: str | None, named: str | None = None
                    ) -> tuple[ContractState, list[Action]]:
    clauses = ctx.policy.payment.clause
    before = {it.ref: it.settled_on for it in state.items}
    items, applied, left = allocate(state.items, amount, day, named,
                                    ctx.policy.payment.allocation)
    state = replace(state, items=items, credit=state.credit + left)
    if reference is not None:
        state = replace(state, receipts=(*state.receipts, Receipt(reference, day, applied, left)))
    out = [action(day, "payment_applied", ctx.contract.id, clauses, currency=ctx.currency,
                  ref=ref, amount=part, **({"reference": reference} if reference else {}))
           for ref, part in applied]
    if left > ZERO:
        out.append(action(day, "credit_recorded", ctx.contract.id, clauses,
                          currency=ctx.currency, amount=left, balance=state.credit))
    for it in state.items:
        if it.kind == "invoice" and it.settled_on is not None and before.get(it.ref) is None:
            state, acts = charge_interest(state, ctx, day, it)
            out += acts
    state, acts = restore_if_cleared(state, ctx, day)
    return state, out + acts


def interest_due(state: ContractState, ctx: Context, invoice: Item) -> bool:
    rule = ctx.policy.interest
    if rule.method == "none" or invoice.on_hold:  # a disputed invoice bears none while held
        return False
    needed = rule.requires_step
    return needed is None or state.step_date(invoice.ref, needed) is not None


def charge_interest(state: ContractState, ctx: Context, day: date, invoice: Item
                    ) -> tuple[ContractState, list[Action]]:
    """At settlement of a late invoice, charge the interest its principal bore."""
    if not interest_due(state, ctx, invoice):
        return state, []
    rule = ctx.policy.interest
    accrual = interest_on_chunks(rule, ctx.rates, invoice.issued, invoice.due,
                                 bearing(rule, invoice.amount, invoice.vat,
                                         invoice.principal_payments))
    if accrual.amount <= ZERO:
        return state, []
    ref = f"{invoice.ref}-INT"
    item = Item(ref=ref, kind="interest", issued=day, due=day, amount=accrual.amount,
                seq=state.seq, invoice=invoice.ref)
    act = action(day, "interest_charged", ctx.contract.id, rule.clause, currency=ctx.currency,
                 ref=ref, invoice=invoice.ref, amount=accrual.amount,
                 **({"provisional_rate": True} if accrual.provisional else {}))
    state, paid = add_item(state, ctx, day, item)
    return state, [act, *paid]


def _cleared(state: ContractState, ctx: Context, ref: str) -> bool:
    invoice = state.item(ref)
    if invoice.on_hold:  # disputed: no suspension arises from it while it is held
        return True
    if invoice.open > ZERO:
        return False
    if ctx.policy.dunning.restore_on == "principal_paid":
        return True
    return all(it.open <= ZERO for it in state.items if it.invoice == ref and it.kind == "fee")


def restore_if_cleared(state: ContractState, ctx: Context, day: date
                       ) -> tuple[ContractState, list[Action]]:
    if state.access != "suspended" or not state.suspended_for:
        return state, []
    if not all(_cleared(state, ctx, ref) for ref in state.suspended_for):
        return state, []
    if ctx.policy.dunning.restore_on == "everything_due_paid" and any(
            it.open > ZERO and it.due <= day and not it.on_hold for it in state.items):
        return state, []
    if state.privacy.access_held:  # a force majeure still holds access (privacy mechanism)
        return replace(state, suspended_for=()), []
    state = replace(state, access="full", suspended_for=())
    clauses = ctx.policy.dunning.restore_clause or ctx.policy.dunning.clause
    return state, [action(day, "access_restored", ctx.contract.id, clauses)]


def record_payment_failure(state: ContractState, ctx: Context, day: date,
                           reference: str | None) -> tuple[ContractState, list[Action]]:
    state = replace(state, payment_failures=(*state.payment_failures, day))
    clauses = tuple(dict.fromkeys(
        c for s in ctx.policy.dunning.steps if s.requires == "payment_failed" for c in s.clause
    )) or ctx.policy.payment.clause
    return state, [action(day, "payment_failed", ctx.contract.id, clauses,
                          **({"reference": reference} if reference else {}))]
