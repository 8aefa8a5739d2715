"""A credit note by hand (`invoice_credited`, `termline invoice credit`): part or all of a
document's total taken back.

The credited amount was never owed, so it is not a payment: it lowers the item's open amount
(`Item.credited`) without bearing late interest (an invoice's interest runs on the principal
paid late, `principal_payments`, and on what is still open). What exceeds the item's open amount
(it was paid already) is the customer's money again and is applied as a payment's rest is: to
the other open items by the pack's rule (`payment.allocation`), then kept as credit. Refused
when the item is unknown or the amount exceeds what is still creditable (the document's total
less the credit notes already made for it): the store checks this before it records the event
(`app.credit_notes`), the engine again for a log written by other means.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from termline.domain.contract.model import InvoiceCredited
from termline.domain.engine.actions import Action, action, refusal
from termline.domain.engine.state import Context, ContractState, Receipt
from termline.domain.mechanisms.payments.allocation import allocate
from termline.domain.mechanisms.payments.run import charge_interest, restore_if_cleared
from termline.domain.values.money import ZERO
from termline.domain.values.records import replace

PREFIX = "credit-note "  # the reference of the money a credit note settles (projection)


def credited_before(state: ContractState, document: str) -> Decimal:
    """What earlier credit notes of `document` took back."""
    reference = PREFIX + document
    return sum((sum((part for _, part in r.applied), ZERO) + r.credit
                for r in state.receipts if r.reference == reference), ZERO)


def credit_invoice(state: ContractState, ctx: Context, day: date, event: InvoiceCredited
                   ) -> tuple[ContractState, list[Action]]:
    clauses = ctx.policy.payment.clause
    cid = ctx.contract.id
    try:
        item = state.item(event.invoice)
    except KeyError:
        return state, refusal(day, cid, clauses, event.type,
                              f"no item {event.invoice} ({event.document}) to credit")
    amount: Decimal = event.amount
    creditable = item.amount - credited_before(state, event.document)
    if amount > creditable:
        return state, refusal(day, cid, clauses, event.type,
                              f"credit of {amount} exceeds the {creditable} still creditable "
                              f"on {event.document}")
    reference = PREFIX + event.document
    part = min(amount, max(item.open, ZERO))
    out = [action(day, "invoice_credited", cid, clauses, currency=ctx.currency,
                  ref=item.ref, document=event.document, amount=amount, total=amount,
                  reason=event.reason)]  # `total`: VAT included, as liability counts it
    newly_settled = False
    if part > ZERO:
        credited = replace(item, credited=item.credited + part)
        if credited.open == ZERO and credited.settled_on is None:
            credited = replace(credited, settled_on=day)
            newly_settled = item.kind == "invoice"
        state = replace(state, items=tuple(credited if it.ref == item.ref else it
                                           for it in state.items))
        out.append(action(day, "payment_applied", cid, clauses, currency=ctx.currency,
                          ref=item.ref, amount=part, reference=reference))
    items, applied, left = allocate(state.items, amount - part, day, None,
                                    ctx.policy.payment.allocation)
    state = replace(state, items=items, credit=state.credit + left)
    own = ((item.ref, part),) if part > ZERO else ()
    state = replace(state, receipts=(*state.receipts,
                                     Receipt(reference, day, (*own, *applied), left)))
    out += [action(day, "payment_applied", cid, clauses, currency=ctx.currency, ref=ref,
                   amount=value, reference=reference) for ref, value in applied]
    if left > ZERO:
        out.append(action(day, "credit_recorded", cid, clauses, currency=ctx.currency,
                          amount=left, balance=state.credit))
    if newly_settled:  # the interest the principal paid late bore (payments.run)
        state, acts = charge_interest(state, ctx, day, state.item(item.ref))
        out += acts
    state, acts = restore_if_cleared(state, ctx, day)
    return state, out + acts
