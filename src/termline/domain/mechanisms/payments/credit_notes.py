"""A credit note for (part of) an invoice the engine issued: the books go down by its total.

The credit note mirrors the invoice: the whole invoice is credited at the invoice's own total
and VAT; a part (`net`, excl. VAT) carries the VAT the supply bears for this customer on the
day, as an SLA credit does (`billing.run.credit_total`). Its total settles the invoice like a
payment naming it, under the reference `credit-note <ref>` (the store records it as an
allocation, so the documents' open amounts stay the engine's), but it is not a payment of
principal: it bears no interest and charges none. What exceeds the invoice's open amount (it
was paid already) is the customer's credit.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from termline.domain.engine.actions import Action, action
from termline.domain.engine.state import Context, ContractState, Item
from termline.domain.mechanisms.billing.run import credit_total
from termline.domain.values.money import ZERO
from termline.domain.values.records import replace

SETTLED_AS = "credit-note "


def credit_invoice(state: ContractState, ctx: Context, day: date, invoice: Item,
                   net: Decimal | None, reason: str, clauses: tuple[str, ...]
                   ) -> tuple[ContractState, list[Action]]:
    """Credit `net` of `invoice` (None: all of it) on `day`; returns the `invoice_credited`
    action and what it settled."""
    if net is None or net == invoice.net:
        net, total = invoice.net, invoice.amount
    else:
        total = credit_total(ctx, day, net)
    cid = ctx.contract.id
    out = [action(day, "invoice_credited", cid, clauses, currency=ctx.currency,
                  ref=invoice.ref, amount=net, vat=total - net, total=total, reason=reason)]
    part = min(total, max(invoice.open, ZERO))
    if part > ZERO:
        settled = replace(invoice, paid=invoice.paid + part)
        if settled.open == ZERO:
            settled = replace(settled, settled_on=day)
        state = replace(state, items=tuple(settled if it.ref == invoice.ref else it
                                           for it in state.items))
        out.append(action(day, "payment_applied", cid, ctx.policy.payment.clause,
                          currency=ctx.currency, ref=invoice.ref, amount=part,
                          reference=f"{SETTLED_AS}{invoice.ref}"))
    left = total - part
    if left > ZERO:
        state = replace(state, credit=state.credit + left)
        out.append(action(day, "credit_recorded", cid, ctx.policy.payment.clause,
                          currency=ctx.currency, amount=left, balance=state.credit))
    return state, out
