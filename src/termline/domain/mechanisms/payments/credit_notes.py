"""Credit notes in the engine: part or all of a document's total taken back.

Two ways, one action (`invoice_credited`) and one settlement reference (`credit-note <name>`,
which the store records as an allocation of source `credit_note`):

- **The engine's own** (`credit_invoice`): a dispute upheld (engine/disputes.py) or an invoice
  issued ahead for a period after the contract's end (engine/lifecycle.py). The whole invoice is
  credited at its own total and VAT; a part (`net`, excl. VAT) carries the VAT the supply bears
  for this customer on the day, as an SLA credit does (`billing.run.credit_total`). Its total
  settles the invoice like a payment naming it, under `credit-note <ref>`, but it is not a
  payment of principal: it bears no interest. What exceeds the invoice's open amount (it was
  paid already) is the customer's credit.
- **By hand** (`credit_by_hand`: the `invoice_credited` event, `termline invoice credit`): the
  credited amount (VAT included) was never owed, so it is not a payment: it lowers the item's
  open amount (`Item.credited`) without bearing late interest (an invoice's interest runs on the
  principal paid late, `principal_payments`, and on what is still open). What exceeds the
  item's open amount is the customer's money again and is applied as a payment's rest is: to
  the other open items by the pack's rule (`payment.allocation`), then kept as credit. Refused
  when the item is unknown or the amount exceeds what is still creditable (the document's total
  less the credit notes already made for it by hand): the store checks this before it records
  the event, counting every credit note of the document (`app.credit_notes`), the engine again
  for a log written by other means.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from termline.domain.contract.model import InvoiceCredited
from termline.domain.engine.actions import Action, action, refusal
from termline.domain.engine.state import Context, ContractState, Item, Receipt
from termline.domain.mechanisms.billing.run import credit_total
from termline.domain.mechanisms.payments.allocation import allocate
from termline.domain.mechanisms.payments.run import charge_interest, restore_if_cleared
from termline.domain.values.money import ZERO
from termline.domain.values.records import replace

PREFIX = "credit-note "  # the reference of the money a credit note settles (projection)



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
                          reference=f"{PREFIX}{invoice.ref}"))
    left = total - part
    if left > ZERO:
        state = replace(state, credit=state.credit + left)
        out.append(action(day, "credit_recorded", cid, ctx.policy.payment.clause,
                          currency=ctx.currency, amount=left, balance=state.credit))
    return state, out



def credited_before(state: ContractState, document: str) -> Decimal:
    """What earlier credit notes of `document` took back."""
    reference = PREFIX + document
    return sum((sum((part for _, part in r.applied), ZERO) + r.credit
                for r in state.receipts if r.reference == reference), ZERO)


def credit_by_hand(state: ContractState, ctx: Context, day: date, event: InvoiceCredited
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
