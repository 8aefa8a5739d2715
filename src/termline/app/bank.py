"""`termline bank import|unmatched`: a CAMT.053 statement's credits matched to open invoices and
stored as `payment` events, all in one transaction.

The open items are the documents' totals including VAT, so a matched credit becomes a payment
of its full amount that names the invoice it matched (`invoice`: the engine's item): the
engine pays that item first, then the rest by the pack's rule (`payment.allocation`), and an
overpayment stays as credit.
Each matched credit becomes a payment event of the invoice's contract, dated the booking day,
whose `reference` is the bank's entry reference: two equal credits on one day are two payments,
and an entry imported again is recognised (`bank_entries`, unique per tenant and reference)
and applies nothing.

Each line that pays a document gets a `bank_matches` row (line, document, gross amount, how it
was matched, the payment event), so a line can be split over documents by hand (`assign`) and
a returned direct debit finds the payment it reverses (`app.sepa_collection.returns`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from termline.adapters.bank.camt import Credit, Returned
from termline.adapters.bank.matching import OpenInvoice, match
from termline.adapters.documents.model import Document
from termline.adapters.documents.references import structured
from termline.adapters.sql.document_store import DocumentStore, StoredDocument
from termline.adapters.sql.sql_rows import connection
from termline.adapters.sql.store_records import BankEntry, BankMatch
from termline.app.documents import Lookups, build, open_net, profile_of
from termline.app.intake import event_key, tenant
from termline.app.ports import Store, UnitOfWork, UowFactory
from termline.domain.contract.model import Payment
from termline.domain.errors import ConcurrentWrite, InputError
from termline.domain.values.money import fmt


@dataclass(frozen=True, slots=True)
class _Candidate:
    invoice: OpenInvoice
    stored: StoredDocument
    doc: Document
    open_net: Any


def _candidates(repo: Store, tenant_id: int, tenant_name: str | None
                ) -> list[_Candidate]:
    profile = profile_of(repo, tenant_name)
    docs = DocumentStore(connection(repo))
    out = []
    lookups = Lookups(bulk=docs.bulk(tenant_id))
    assert lookups.bulk is not None
    for stored in docs.documents(tenant_id):
        if stored.kind != "invoice" or \
                lookups.bulk.latest.get((stored.contract_id, stored.source_ref)) != stored.number:
            continue
        doc = build(repo, stored, profile, lookups)
        remaining = open_net(repo, stored, lookups)
        # the reference as printed on the document (the OGM's digits for a Belgian seller)
        printed = structured(doc.payment.reference) or doc.payment.reference
        out.append(_Candidate(OpenInvoice(stored.number, printed,
                                          stored.contract_ref, doc.buyer.name,
                                          remaining, stored.currency),
                              stored, doc, remaining))
    return out


# how a match is named in `bank import --json` (issue 17)
BY = {"structured_reference": "reference", "end_to_end_id": "reference",
      "invoice_number": "number", "amount_and_name": "amount"}


def import_statement(uow_factory: UowFactory, credits: list[Credit], tenant_name: str | None,
                     attempts: int = 3, returned: list[Returned] | None = None
                     ) -> dict[str, Any]:
    """Import in one transaction. Two imports of one statement at once: the second waits on
    the first's entry rows (unique per tenant and reference), fails on them, and is retried:
    it then finds them imported. `returned`: the statement's returned direct debits
    (`bank.camt.returns`), stored like `sepa returns` in the same transaction."""
    for attempt in range(attempts):
        try:
            return _import(uow_factory(), credits, tenant_name, returned or [])
        except ConcurrentWrite:
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


def _pay(uow: UnitOfWork, owner_id: int, cand: _Candidate, amount: Decimal, day: Any,
         reference: str, contracts: dict[str, Any]) -> int | None:
    """A payment event of `amount` (VAT included, as the engine's open items are) naming the
    candidate's invoice, or None when nothing can be applied."""
    stored_contract = contracts[cand.stored.contract_ref]
    if amount <= 0 or day < stored_contract.contract.start:
        return None
    event = Payment(type="payment", date=day, contract=cand.stored.contract_ref, amount=amount,
                    reference=reference, invoice=cand.stored.source_ref)
    event_id = uow.repo.add_event(owner_id, stored_contract.id, event,
                                  event_key(event, None, 0))
    if event_id is not None:
        uow.repo.note_event(owner_id, stored_contract.id, event.date)
    return event_id


def _import(uow: UnitOfWork, credits: list[Credit], tenant_name: str | None,
            returned: list[Returned]) -> dict[str, Any]:
    from termline.app.sepa_collection import store_returns

    report: dict[str, Any] = {"entries": len(credits), "matched": 0, "unmatched": 0,
                              "already_imported": 0, "returned": 0, "lines": []}
    with uow:
        owner = tenant(uow.repo, tenant_name)
        candidates = _candidates(uow.repo, owner.id, tenant_name)
        by_number = {c.invoice.number: c for c in candidates}
        contracts = {c.contract.id: c for c in uow.repo.contracts(owner.id)}
        seen: set[str] = set()
        for credit in credits:
            if credit.entry_ref in seen or uow.bank.bank_entry_known(owner.id,
                                                                     credit.entry_ref):
                report["already_imported"] += 1
                continue
            seen.add(credit.entry_ref)
            found = match(credit, [c.invoice for c in candidates])
            event_id = None
            if found is not None:
                event_id = _pay(uow, owner.id, by_number[found.invoice.number], credit.amount,
                                credit.booked, credit.entry_ref, contracts)
            entry_id = uow.bank.add_bank_entry(BankEntry(
                tenant_id=owner.id, entry_ref=credit.entry_ref, booked=credit.booked,
                amount=credit.amount, currency=credit.currency, debtor=credit.debtor,
                structured_ref=credit.structured_ref, text=credit.text,
                status="matched" if event_id is not None else "unmatched",
                document_number=found.invoice.number if event_id is not None and found
                else None, event_id=event_id))
            matched_to = []
            if event_id is not None and found is not None:
                uow.bank.add_bank_match(BankMatch(
                    tenant_id=owner.id, entry_id=entry_id, document_number=found.invoice.number,
                    amount=credit.amount, by=BY[found.by], event_id=event_id))
                matched_to = [found.invoice.number]
            report["matched" if event_id is not None else "unmatched"] += 1
            report["lines"].append({
                "entry": credit.entry_ref, "amount": fmt(credit.amount),
                "matched_to": matched_to,
                "by": BY[found.by] if matched_to and found is not None else None})
        outcomes = store_returns(uow, owner, returned, "statement", strict=False)
        report["returned"] = outcomes.count("stored")
        for ret, outcome in zip(returned, outcomes, strict=True):
            if outcome != "already":  # listed unless it was stored by an earlier import
                report["lines"].append({
                    "entry": ret.entry_ref, "amount": fmt(-ret.amount),
                    "matched_to": [ret.end_to_end] if outcome == "stored" else [],
                    "by": "return"})
        uow.commit()
    return report


def assign(uow: UnitOfWork, entry_ref: str, number: str, amount: Decimal | None,
           tenant_name: str | None) -> dict[str, Any]:
    """Apply (part of) an unmatched bank credit to invoice `number` by hand: a payment event of
    the invoice's contract, referenced `ENTRY_REF>NUMBER`. The line leaves `bank unmatched`
    once all of it is assigned."""
    with uow:
        owner = tenant(uow.repo, tenant_name)
        entry = uow.bank.bank_entry(owner.id, entry_ref)
        if entry is None:
            raise InputError(f"no imported bank line {entry_ref!r}", field="ENTRY_REF")
        if entry.status != "unmatched":
            raise InputError(f"bank line {entry_ref} is already matched "
                             f"(to {entry.document_number})", field="ENTRY_REF")
        left = entry.amount - uow.bank.bank_assigned(entry.id)
        amount = left if amount is None else amount
        if amount <= 0 or amount > left:
            raise InputError(f"amount {fmt(amount)} is not between 0.01 and the "
                             f"{fmt(left)} still unassigned on {entry_ref}", field="--amount")
        cand = next((c for c in _candidates(uow.repo, owner.id, tenant_name)
                     if c.invoice.number == number), None)
        if cand is None:
            raise InputError(f"no open invoice {number!r}", field="INVOICE_NUMBER")
        if cand.invoice.currency != entry.currency:
            raise InputError(f"invoice {number} is in {cand.invoice.currency}, the bank line "
                             f"in {entry.currency}", field="INVOICE_NUMBER")
        contracts = {c.contract.id: c for c in uow.repo.contracts(owner.id)}
        event_id = _pay(uow, owner.id, cand, amount, entry.booked, f"{entry_ref}>{number}",
                        contracts)
        if event_id is None:
            raise InputError(f"bank line {entry_ref} was already assigned to {number}, or is "
                             "dated before its contract starts", field="INVOICE_NUMBER")
        uow.bank.add_bank_match(BankMatch(tenant_id=owner.id, entry_id=entry.id,
                                          document_number=number, amount=amount, by="manual",
                                          event_id=event_id))
        remaining = left - amount
        if remaining == 0:
            uow.bank.set_bank_entry_matched(entry.id, number, event_id)
        uow.commit()
    return {"entry": entry_ref, "amount": fmt(amount), "matched_to": [number], "by": "manual",
            "unassigned": fmt(remaining)}


def unmatched(uow: UnitOfWork, tenant_name: str | None) -> list[dict[str, Any]]:
    with uow:
        owner = tenant(uow.repo, tenant_name)
        return [{**dataclasses.asdict(row), "booked": row.booked.isoformat(),
                 "amount": fmt(row.amount), "open": fmt(row.open)}
                for row in uow.bank.unmatched(owner.id)]


