"""`termline sepa collect|returns`: the direct debits due on a day for contracts paying by
mandate (a pain.008 file), and failed collections turned into `payment_failed` events."""

from __future__ import annotations

from datetime import date

from termline.adapters.bank.pain008 import Collection, Creditor, Return, pain008
from termline.adapters.documents.model import gross_of
from termline.adapters.sql.document_store import DocumentStore
from termline.adapters.sql.sql_rows import connection
from termline.app.documents import Lookups, build, open_net, profile_of
from termline.app.intake import event_key, tenant
from termline.app.ports import UnitOfWork
from termline.domain.contract.model import PaymentFailed
from termline.domain.errors import InputError, TermlineError


def collect(uow: UnitOfWork, on: date, tenant_name: str | None) -> bytes:
    """The pain.008 of every open invoice due on `on` whose contract has a mandate. The first
    collection of a contract is FRST, later ones RCUR."""
    with uow:
        owner = tenant(uow.repo, tenant_name)
        profile = profile_of(uow.repo, tenant_name)
        if profile.creditor_id is None or profile.bic is None:
            raise TermlineError(f"tenant {owner.name!r}: the profile needs creditor_id and bic "
                                "to collect direct debits")
        contracts = {c.contract.id: c.contract for c in uow.repo.contracts(owner.id)}
        docs = DocumentStore(connection(uow.repo))
        collections = []
        lookups = Lookups()
        earlier: set[str] = set()
        for stored in docs.documents(owner.id):
            contract = contracts[stored.contract_ref]
            if stored.kind != "invoice" or contract.mandate is None:
                continue
            if stored.due < on:
                earlier.add(stored.contract_ref)
                continue
            if stored.due != on:
                continue
            remaining = open_net(uow.repo, stored)
            if remaining <= 0:
                continue
            doc = build(uow.repo, stored, profile, lookups)
            mandate = contract.mandate
            collections.append(Collection(
                end_to_end=stored.number, debtor=contract.customer.name, iban=mandate.iban,
                bic=mandate.bic, amount=gross_of(remaining, doc), mandate_id=mandate.id,
                mandate_signed=mandate.signed,
                sequence="RCUR" if stored.contract_ref in earlier else "FRST",
                remittance=f"{stored.number} {doc.payment.reference}"))
            earlier.add(stored.contract_ref)
        creditor = Creditor(profile.legal_name, profile.iban, profile.bic, profile.creditor_id)
    return pain008(creditor, on, collections)


def returns(uow: UnitOfWork, found: list[Return], tenant_name: str | None, source: str
            ) -> tuple[int, int]:
    """A `payment_failed` event for each returned collection (its invoice's contract, the day
    of the return, reference = the invoice number @ the day: a collection returned again later
    is another failure, the same return read twice is one): (added, already stored)."""
    added = dup = 0
    with uow:
        owner = tenant(uow.repo, tenant_name)
        docs = DocumentStore(connection(uow.repo))
        contracts = {c.contract.id: c for c in uow.repo.contracts(owner.id)}
        for ret in found:
            stored = docs.document(owner.id, ret.end_to_end)
            if stored is None:
                raise InputError(f"no invoice {ret.end_to_end!r} for a returned collection",
                                 source=source, field="end_to_end_id")
            sc = contracts[stored.contract_ref]
            event = PaymentFailed(type="payment_failed", date=ret.day,
                                  contract=stored.contract_ref,
                                  reference=f"{ret.end_to_end}@{ret.day.isoformat()}")
            key = event_key(event, None, 0)
            if uow.repo.add_event(owner.id, sc.id, event, key) is None:
                dup += 1
                continue
            uow.repo.note_event(owner.id, sc.id, ret.day)
            added += 1
        uow.commit()
    return added, dup
