"""`termline journal` and `termline vat report`: the tenant's documents and money as the
double-entry journal (`journal.entries`), and the VAT return read from it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from termline.adapters.journal.chart import Chart
from termline.adapters.journal.entries import Entry, document_entries, money_entries
from termline.adapters.journal.vat_return import vat_report
from termline.adapters.sql import tables as t
from termline.adapters.sql.corrected import uncorrected
from termline.adapters.sql.document_store import DocumentStore
from termline.adapters.sql.reports import customer_names
from termline.adapters.sql.sql_rows import connection
from termline.app.documents import Lookups, build, profile_of
from termline.app.intake import tenant
from termline.app.ports import UnitOfWork


def entries(uow: UnitOfWork, tenant_name: str | None, start: date | None, end: date | None
            ) -> list[Entry]:
    """The journal from `start` to `end` (inclusive; None: open), in date order: every
    numbered document (the invoice list's), every payment received, returned or refunded."""
    with uow:
        owner = tenant(uow.repo, tenant_name)
        profile = profile_of(uow.repo, tenant_name)
        chart: Chart = profile.accounts
        names = customer_names(connection(uow.repo), owner.id)

        def within(day: date) -> bool:
            return (start is None or day >= start) and (end is None or day <= end)

        out: list[Entry] = []
        store = DocumentStore(connection(uow.repo))
        lookups = Lookups(bulk=store.bulk(owner.id))
        for stored in store.documents(owner.id):
            if not within(stored.issued):
                continue
            doc = build(uow.repo, stored, profile, lookups)
            out += document_entries(doc, names.get(stored.contract_ref, stored.contract_ref),
                                    chart)
        conn = connection(uow.repo)
        p, c, a = t.payments.c, t.contracts.c, t.allocations.c
        for row in conn.execute(select(p.date, p.amount, p.reference, p.event_id, c.ref)
                                .join(t.contracts, c.id == p.contract_id)
                                .where(p.tenant_id == owner.id)):
            if within(row.date):
                out += money_entries(row.date, row.reference or f"payment {row.event_id}",
                                     "payment", Decimal(row.amount),
                                     names.get(row.ref, row.ref), chart)
        returned: dict[tuple[date, str, str], Decimal] = {}
        for row in conn.execute(select(a.date, a.amount, p.reference, p.event_id, c.ref)
                                .join(t.payments, p.id == a.payment_id)
                                .join(t.contracts, c.id == a.contract_id)
                                .where(a.tenant_id == owner.id, a.source == "returned",
                                       uncorrected(t.allocations))):
            key = (row.date, row.reference or f"payment {row.event_id}", row.ref)
            returned[key] = returned.get(key, Decimal(0)) - Decimal(row.amount)
        for (day, reference, ref), amount in returned.items():
            if within(day):
                out += money_entries(day, f"{reference} returned", "return", amount,
                                     names.get(ref, ref), chart)
        ac = t.actions.c
        for act in conn.execute(select(ac.date, ac.amount, ac.natural_key, c.ref)
                                .join(t.contracts, c.id == ac.contract_id)
                                .where(ac.tenant_id == owner.id,
                                       ac.kind == "credit_refunded")):
            if within(act.date) and not _corrected(uow, act.ref, act.natural_key):
                out += money_entries(act.date, f"refund {act.ref} {act.date}", "refund",
                                     Decimal(act.amount), names.get(act.ref, act.ref), chart)
    return sorted(out, key=lambda e: (e.date, e.document, e.kind))


def _corrected(uow: UnitOfWork, contract_ref: str, natural_key: str) -> bool:
    ac, c = t.actions.c, t.contracts.c
    query = select(ac.id).join(t.contracts, c.id == ac.contract_id).where(
        c.ref == contract_ref, ac.natural_key == "correction|" + natural_key)
    return connection(uow.repo).execute(query).first() is not None


def journal(uow: UnitOfWork, tenant_name: str | None, start: date | None, end: date | None
            ) -> list[dict[str, Any]]:
    return [e.to_json() for e in entries(uow, tenant_name, start, end)]


def vat(uow: UnitOfWork, tenant_name: str | None, start: date, end: date) -> dict[str, Any]:
    return vat_report(entries(uow, tenant_name, start, end), start, end)
