"""Imported bank lines and what each paid (`app.ports.BankEntries`): one line per (tenant,
entry reference), its matches to documents, the lines not (wholly) assigned yet."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from sqlalchemy import func, insert, select, update

from termline.adapters.sql import tables as t
from termline.adapters.sql.sql_rows import SqlRows
from termline.adapters.sql.store_records import BankEntry, BankMatch, BankPayment, UnmatchedEntry


class SqlBankEntries(SqlRows):
    def bank_entry_known(self, tenant_id: int, entry_ref: str) -> bool:
        e = t.bank_entries.c
        return self.conn.execute(select(e.id).where(
            e.tenant_id == tenant_id, e.entry_ref == entry_ref)).first() is not None

    def add_bank_entry(self, entry: BankEntry) -> int:
        values = dataclasses.asdict(entry)
        del values["id"]
        result = self.conn.execute(insert(t.bank_entries).values(**values)
                                   .returning(t.bank_entries.c.id))
        return int(result.scalar_one())

    def add_bank_match(self, match: BankMatch) -> None:
        self.conn.execute(insert(t.bank_matches).values(**dataclasses.asdict(match)))

    def bank_entry(self, tenant_id: int, entry_ref: str) -> BankEntry | None:
        e = t.bank_entries.c
        row = self.conn.execute(select(t.bank_entries).where(
            e.tenant_id == tenant_id, e.entry_ref == entry_ref).with_for_update()).first()
        if row is None:
            return None
        values = dict(row._mapping)
        return BankEntry(**{**values, "amount": Decimal(values["amount"])})

    def set_bank_entry_matched(self, entry_id: int, document_number: str, event_id: int
                               ) -> None:
        e = t.bank_entries.c
        self.conn.execute(update(t.bank_entries).where(e.id == entry_id).values(
            status="matched", document_number=document_number, event_id=event_id))

    def bank_assigned(self, entry_id: int) -> Decimal:
        m = t.bank_matches.c
        return Decimal(self.conn.execute(select(func.coalesce(func.sum(m.amount), 0)).where(
            m.entry_id == entry_id)).scalar_one())

    def bank_payments_of(self, tenant_id: int, number: str) -> list[BankPayment]:
        m, e, ev = t.bank_matches.c, t.bank_entries.c, t.events.c
        return [BankPayment(r.entry_ref, r.booked, Decimal(r.amount), r.by, int(r.event_id),
                            r.payload) for r in self.conn.execute(
            select(e.entry_ref, e.booked, m.amount, m.by, m.event_id, ev.payload)
            .join(t.bank_entries, e.id == m.entry_id).join(t.events, ev.id == m.event_id)
            .where(m.tenant_id == tenant_id, m.document_number == number)
            .order_by(e.booked, m.id))]

    def unmatched(self, tenant_id: int) -> list[UnmatchedEntry]:
        e, m = t.bank_entries.c, t.bank_matches.c
        assigned = select(func.coalesce(func.sum(m.amount), 0)).where(
            m.entry_id == e.id).scalar_subquery()
        return [UnmatchedEntry(r.entry_ref, r.booked, Decimal(r.amount), r.currency, r.debtor,
                               r.structured_ref, r.text, Decimal(r.open))
                for r in self.conn.execute(
            select(e.entry_ref, e.booked, e.amount, e.currency, e.debtor, e.structured_ref,
                   e.text, (e.amount - assigned).label("open"))
            .where(e.tenant_id == tenant_id, e.status == "unmatched")
            .order_by(e.booked, e.id))]
