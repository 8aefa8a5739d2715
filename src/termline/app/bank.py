"""`termline bank import|unmatched`: a CAMT.053 statement's credits matched to open invoices and
stored as `payment` events, all in one transaction.

Each matched credit becomes a payment event of the invoice's contract, dated the booking day,
whose `reference` is the bank's entry reference: two equal credits on one day are two payments,
and an entry imported again is recognised (`bank_entries`, unique per tenant and reference)
and applies nothing. The engine counts invoices without VAT: the event's amount is the share
of the credit that is the invoice's net amount (the open net amount when the credit pays what
is open, else pro rata of the document's total); the engine then allocates it by the pack's
rule (oldest first), so partial and over-payments behave as for any payment.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError

from termline.adapters.bank.camt import Credit
from termline.adapters.bank.matching import OpenInvoice, match
from termline.adapters.documents.model import Document, gross_of, net_of
from termline.adapters.documents.references import structured
from termline.adapters.sql.document_store import DocumentStore, StoredDocument
from termline.adapters.sql.sql_rows import connection
from termline.app.documents import Lookups, build, open_net, profile_of
from termline.app.intake import event_key, tenant
from termline.app.ports import Store, UnitOfWork, UowFactory
from termline.domain.contract.model import Payment
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
                                          gross_of(remaining, doc), stored.currency),
                              stored, doc, remaining))
    return out


def import_statement(uow_factory: UowFactory, credits: list[Credit], tenant_name: str | None,
                     attempts: int = 3) -> dict[str, Any]:
    """Import in one transaction. Two imports of one statement at once: the second waits on
    the first's entry rows (unique per tenant and reference), fails on them, and is retried:
    it then finds them imported."""
    for attempt in range(attempts):
        try:
            return _import(uow_factory(), credits, tenant_name)
        except IntegrityError:
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


def _import(uow: UnitOfWork, credits: list[Credit], tenant_name: str | None
            ) -> dict[str, Any]:
    report = {"entries": len(credits), "matched": 0, "unmatched": 0, "already_imported": 0}
    with uow:
        owner = tenant(uow.repo, tenant_name)
        docs = DocumentStore(connection(uow.repo))
        candidates = _candidates(uow.repo, owner.id, tenant_name)
        by_number = {c.invoice.number: c for c in candidates}
        contracts = {c.contract.id: c for c in uow.repo.contracts(owner.id)}
        seen: set[str] = set()
        for credit in credits:
            if credit.entry_ref in seen or docs.bank_entry_known(owner.id, credit.entry_ref):
                report["already_imported"] += 1
                continue
            seen.add(credit.entry_ref)
            found = match(credit, [c.invoice for c in candidates])
            event_id = None
            if found is not None:
                cand = by_number[found.invoice.number]
                net = cand.open_net if credit.amount == cand.invoice.open \
                    else net_of(credit.amount, cand.doc)
                stored_contract = contracts[cand.stored.contract_ref]
                if net > 0 and credit.booked >= stored_contract.contract.start:
                    event = Payment(type="payment", date=credit.booked,
                                    contract=cand.stored.contract_ref, amount=net,
                                    reference=credit.entry_ref)
                    event_id = uow.repo.add_event(owner.id, stored_contract.id, event,
                                                  event_key(event, None, 0))
                    if event_id is not None:
                        uow.repo.note_event(owner.id, stored_contract.id, event.date)
            docs.add_bank_entry(
                tenant_id=owner.id, entry_ref=credit.entry_ref, booked=credit.booked,
                amount=credit.amount, currency=credit.currency, debtor=credit.debtor,
                structured_ref=credit.structured_ref, text=credit.text,
                status="matched" if event_id is not None else "unmatched",
                document_number=found.invoice.number if event_id is not None and found
                else None, event_id=event_id)
            report["matched" if event_id is not None else "unmatched"] += 1
        uow.commit()
    return report


def unmatched(uow: UnitOfWork, tenant_name: str | None) -> list[dict[str, Any]]:
    with uow:
        owner = tenant(uow.repo, tenant_name)
        return [{**row, "booked": row["booked"].isoformat(), "amount": fmt(row["amount"])}
                for row in DocumentStore(connection(uow.repo)).unmatched(owner.id)]


