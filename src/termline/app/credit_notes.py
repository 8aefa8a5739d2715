"""`termline invoice credit NUMBER [--amount] --reason`: a credit note by hand (issue 17).

The document NUMBER (an invoice, a fee or an interest document of the tenant, by its legal
number) is credited in full or in part: AMOUNT is what the credit note takes back, VAT
included, as the open item counts it; without it, all that is still creditable. Still
creditable is the document's total less the credit notes already made for it (by hand, and
the SLA credits and defect refunds numbered for it). The credit note mirrors the document's
lines and VAT category (`documents.build.credit_lines`: a partial amount is spread so that net
and VAT add up to it exactly, or refused when no net to the cent does), is numbered in the
credit-note series and names the document by legal number and issue date (EN 16931 BT-25,
BT-26). It settles that item first; what the item no longer owes goes where a payment's rest
goes, and then is credit (`payments.credit_notes`).

The credit is an event (`invoice_credited`) dated `on` (default: the day the tenant's book is
run through), recorded once the checks pass; the book is then run through that day again, so
the credit note is numbered and the ledger, `invoice list` and `balance` show it at once.
Nothing is written when a check fails. The document's row is locked while the credit is
decided (PostgreSQL: SELECT ... FOR UPDATE), so of two credits at once for all that is
creditable, the second sees the first and is refused.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from termline.adapters.documents.build import credit_lines
from termline.adapters.documents.model import Document
from termline.adapters.sql.document_store import DocumentStore
from termline.adapters.sql.numbering import MANUAL_CREDIT
from termline.adapters.sql.sql_rows import connection
from termline.app.documents import UnknownDocument, build, profile_of
from termline.app.intake import event_key, tenant
from termline.app.ports import UowFactory
from termline.domain.contract.model import InvoiceCredited
from termline.domain.errors import InputError
from termline.domain.values.money import ZERO, fmt


def amount_of(text: str | None) -> Decimal | None:
    """The --amount as given: positive, to the cent."""
    if text is None:
        return None
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise InputError(f"{text!r} is not an amount (e.g. 120.50)", field="--amount") from None
    if not value.is_finite() or value <= 0:
        raise InputError(f"{text!r}: the amount credited must be positive", field="--amount")
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        raise InputError(f"{text!r}: an amount has at most two decimals", field="--amount")
    return value


def credit(uow_factory: UowFactory, tenant_name: str | None, number: str,
           amount: str | None, reason: str, on: date | None = None
           ) -> dict[str, str | None]:
    """Credit document `number`; the credit note as `invoice list` shows it."""
    from termline.app.run import run

    value = amount_of(amount)
    reason = reason.strip()
    if not reason:
        raise InputError("say why the document is credited", field="--reason")
    with uow_factory() as uow:
        owner = tenant(uow.repo, tenant_name)
        docs = DocumentStore(connection(uow.repo))
        found = docs.document(owner.id, number)
        if found is not None:
            # the contract's run row before the document's row, in the run's order (it stores
            # the state, then keeps its documents' open amounts: `kept.keep_documents`), so a
            # run of this contract and this credit wait for each other without a deadlock
            uow.repo.claim_ids([found.contract_id])
        stored = docs.lock(owner.id, number)
        if stored is None or stored.kind != "invoice":
            raise UnknownDocument(f"tenant {owner.name!r} has no invoice {number!r}",
                                  field="NUMBER")
        latest = docs.latest_number(stored.contract_id, stored.source_ref)
        if latest != number:
            raise InputError(f"{number} was replaced by {latest}: credit that one",
                             field="NUMBER")
        if docs.is_corrected(owner.id, number):
            raise InputError(f"{number} is cancelled by a correction credit note already",
                             field="NUMBER")
        profile = profile_of(uow.repo, tenant_name)
        doc = build(uow.repo, stored, profile)
        earlier = docs.credited_by_hand(stored.contract_id, number) + sum(
            (build(uow.repo, other, profile).total
             for other in docs.credit_notes_for(owner.id, number)
             if other.reason != MANUAL_CREDIT), ZERO)
        creditable = doc.total - earlier
        if creditable <= 0:
            raise InputError(f"{number} ({fmt(doc.total)}) is credited in full already",
                             field="NUMBER")
        value = creditable if value is None else value
        if value > creditable:
            raise InputError(f"{fmt(value)} exceeds the {fmt(creditable)} still creditable on "
                             f"{number} (total {fmt(doc.total)}, credited "
                             f"{fmt(earlier)})", field="--amount")
        if credit_lines(doc, value) is None:
            below, above = _nearest(doc, value, creditable)
            raise InputError(f"no net amount to the cent gives a total of {fmt(value)} with "
                             f"the VAT of {number} (its net times the rate, rounded once: "
                             f"EN 16931 BR-CO-17); the nearest totals are "
                             f"{below} and {above}", field="--amount")
        through = uow.repo.run_through(owner.id)
        day = on or through
        if day is None:
            raise InputError(f"the book of tenant {owner.name!r} was never run",
                             field="--on")
        if day < stored.issued:
            raise InputError(f"{day} is before {number} was issued ({stored.issued})",
                             field="--on")
        contract = uow.repo.contracts(owner.id, stored.contract_ref)[0]
        event = InvoiceCredited(type="invoice_credited", date=day,
                                contract=stored.contract_ref, invoice=stored.source_ref,
                                document=number, amount=value, reason=reason)
        uow.repo.add_event(owner.id, contract.id, event, event_key(event, None, 0))
        uow.repo.note_event(owner.id, contract.id, day)
        uow.commit()
    if through is not None:  # number it now: the book is run through that day again
        run(uow_factory, {owner.name: max(through, day)})
    with uow_factory() as uow:
        docs = DocumentStore(connection(uow.repo))
        made = [d for d in docs.credit_notes_for(owner.id, number)
                if d.reason == MANUAL_CREDIT and d.issued == day and d.amount == value]
        note = build(uow.repo, made[-1], profile_of(uow.repo, tenant_name)) if made else None
    return {"number": note.number if note else None, "credit_note_for": number,
            "contract": stored.contract_ref, "issued": day.isoformat(),
            "net": fmt(note.net) if note else None, "vat": fmt(note.vat) if note else None,
            "total": fmt(value), "currency": stored.currency, "reason": reason,
            "creditable": fmt(creditable - value)}


def _nearest(doc: Document, value: Decimal, creditable: Decimal) -> tuple[str, str]:
    """The creditable totals closest to `value` below and above it ("-" where none)."""
    cent = Decimal("0.01")
    below = next((v for v in (value - cent * i for i in range(1, 6))
                  if v > 0 and credit_lines(doc, v) is not None), None)
    above = next((v for v in (value + cent * i for i in range(1, 6))
                  if v <= creditable and credit_lines(doc, v) is not None), None)
    return (fmt(below) if below is not None else "-", fmt(above) if above is not None else "-")
