"""SQL for numbered documents and their stored files (migration 0006); the imported bank lines
are `bank_repository`'s."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, and_, insert, select

from termline.adapters.sql import tables as t
from termline.domain.values.money import ZERO


@dataclass(frozen=True, slots=True)
class StoredDocument:
    id: int
    tenant_id: int
    contract_id: int
    contract_ref: str
    number: str
    kind: str
    reason: str
    issued: date
    due: date
    action_key: str
    source_ref: str
    amount: Decimal
    currency: str
    credit_note_for: str | None
    payment_reference: str
    # kept where documents and allocations are written (`kept.keep_documents`)
    open_amount: Decimal  # what is still open, VAT included (0 unless status is open)
    status: str  # open | paid | credited | replaced | credit_note


@dataclass(frozen=True)
class Bulk:
    """What building a tenant's documents reads, in a few queries instead of a few per document."""

    lines: dict[tuple[int, str], list[tuple[str, Decimal, Decimal, Decimal]]]
    periods: dict[tuple[int, str], tuple[date, date] | None]
    latest: dict[tuple[int, str], str]
    corrected: set[str]  # invoice numbers a correction credit note cancels
    issued: dict[str, date]  # each document number's issue date (BT-26 of what refers to it)


class DocumentStore:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def bulk(self, tenant_id: int) -> Bulk:
        ln, d, i = t.invoice_lines.c, t.documents.c, t.invoices.c
        lines: dict[tuple[int, str], list[tuple[str, Decimal, Decimal, Decimal]]] = {}
        for r in self.conn.execute(
                select(ln.contract_id, ln.invoice_key, ln.item, ln.quantity, ln.unit_price,
                       ln.amount).join(t.invoices, and_(i.contract_id == ln.contract_id,
                                                        i.action_key == ln.invoice_key))
                .where(i.tenant_id == tenant_id).order_by(ln.contract_id, ln.invoice_key,
                                                          ln.position)):
            lines.setdefault((int(r.contract_id), str(r.invoice_key)), []).append(
                (r.item, r.quantity, r.unit_price, r.amount))
        periods = {(int(p.contract_id), str(p.action_key)):
                   (p.period_start, p.period_end)
                   if p.period_start is not None and p.period_end is not None else None
                   for p in self.conn.execute(select(i.contract_id, i.action_key,
                                                     i.period_start, i.period_end)
                                              .where(i.tenant_id == tenant_id))}
        latest, issued = {}, {}
        for n in self.conn.execute(select(d.contract_id, d.source_ref, d.number, d.issued)
                                   .where(d.tenant_id == tenant_id, d.kind == "invoice")
                                   .order_by(d.id)):
            latest[(int(n.contract_id), str(n.source_ref))] = str(n.number)
            issued[str(n.number)] = n.issued
        corrected = set(self.conn.execute(select(d.credit_note_for).where(
            d.tenant_id == tenant_id, d.reason == "correction")).scalars())
        return Bulk(lines, periods, latest, {str(n) for n in corrected}, issued)

    def _select(self) -> Any:
        d, c = t.documents.c, t.contracts.c
        return select(d.id, d.tenant_id, d.contract_id, c.ref.label("contract_ref"), d.number,
                      d.kind, d.reason, d.issued, d.due, d.action_key, d.source_ref, d.amount,
                      d.currency, d.credit_note_for, d.payment_reference, d.open_amount,
                      d.status).join(
            t.contracts, c.id == d.contract_id).order_by(d.issued, d.id)

    def documents(self, tenant_id: int, contract_ref: str | None = None
                  ) -> list[StoredDocument]:
        query = self._select().where(t.documents.c.tenant_id == tenant_id)
        if contract_ref is not None:
            query = query.where(t.contracts.c.ref == contract_ref)
        return [StoredDocument(**r._mapping) for r in self.conn.execute(query)]

    def document(self, tenant_id: int, number: str) -> StoredDocument | None:
        row = self.conn.execute(self._select().where(
            t.documents.c.tenant_id == tenant_id, t.documents.c.number == number)).first()
        return None if row is None else StoredDocument(**row._mapping)

    def lock(self, tenant_id: int, number: str) -> StoredDocument | None:
        """`document`, its row locked until the transaction ends (PostgreSQL: FOR UPDATE), so
        two credit notes for one document are decided one after the other."""
        row = self.conn.execute(self._select().where(
            t.documents.c.tenant_id == tenant_id, t.documents.c.number == number)
            .with_for_update(of=t.documents)).first()
        return None if row is None else StoredDocument(**row._mapping)

    def credit_notes_for(self, tenant_id: int, number: str) -> list[StoredDocument]:
        query = self._select().where(t.documents.c.tenant_id == tenant_id,
                                     t.documents.c.kind == "credit_note",
                                     t.documents.c.credit_note_for == number)
        return [StoredDocument(**r._mapping) for r in self.conn.execute(query)]

    def credited_by_hand(self, contract_id: int, number: str) -> Decimal:
        """What the credit-note events (`invoice_credited`) of document `number` credit, run
        or not yet run."""
        e = t.events.c
        total = ZERO
        for payload in self.conn.execute(select(e.payload).where(
                e.contract_id == contract_id, e.type == "invoice_credited")).scalars():
            data = json.loads(payload)
            if data.get("document") == number:
                total += Decimal(str(data["amount"]))
        return total

    def by_payment_reference(self, tenant_id: int, reference: str) -> StoredDocument | None:
        row = self.conn.execute(self._select().where(
            t.documents.c.tenant_id == tenant_id, t.documents.c.kind == "invoice",
            t.documents.c.payment_reference == reference)).first()
        return None if row is None else StoredDocument(**row._mapping)

    def issued_on(self, tenant_id: int, number: str) -> date | None:
        d = t.documents.c
        found = self.conn.execute(select(d.issued).where(
            d.tenant_id == tenant_id, d.number == number)).scalar()
        return found if isinstance(found, date) else None

    def action_text(self, contract_id: int, natural_key: str, name: str) -> str | None:
        """A text field of the stored action behind a document (a credit note's reason)."""
        a = t.actions.c
        body = self.conn.execute(select(a.body).where(
            a.contract_id == contract_id, a.natural_key == natural_key)).scalar()
        value = None if body is None else json.loads(body).get(name)
        return None if value is None else str(value)

    def invoice_lines(self, contract_id: int, action_key: str
                      ) -> list[tuple[str, Decimal, Decimal, Decimal]]:
        ln = t.invoice_lines.c
        return [(r.item, r.quantity, r.unit_price, r.amount) for r in self.conn.execute(
            select(ln.item, ln.quantity, ln.unit_price, ln.amount).where(
                ln.contract_id == contract_id, ln.invoice_key == action_key)
            .order_by(ln.position))]

    def invoice_period(self, contract_id: int, action_key: str
                       ) -> tuple[date, date] | None:
        i = t.invoices.c
        row = self.conn.execute(select(i.period_start, i.period_end).where(
            i.contract_id == contract_id, i.action_key == action_key)).first()
        if row is None or row.period_start is None or row.period_end is None:
            return None
        return row.period_start, row.period_end

    def is_corrected(self, tenant_id: int, number: str) -> bool:
        """A correction credit note cancels this invoice."""
        d = t.documents.c
        return self.conn.execute(select(d.id).where(
            d.tenant_id == tenant_id, d.reason == "correction",
            d.credit_note_for == number)).first() is not None

    def latest_number(self, contract_id: int, source_ref: str) -> str | None:
        d = t.documents.c
        return self.conn.execute(select(d.number).where(
            d.contract_id == contract_id, d.kind == "invoice", d.source_ref == source_ref)
            .order_by(d.id.desc()).limit(1)).scalar()

    # --- files, stored once by content ---------------------------------------------------
    def file(self, document_id: int, fmt: str) -> bytes | None:
        f, b = t.document_files.c, t.blobs.c
        found = self.conn.execute(select(b.content).join(t.document_files, f.sha256 == b.sha256)
                                  .where(f.document_id == document_id, f.format == fmt)).scalar()
        return None if found is None else bytes(found)

    def add_file(self, document_id: int, fmt: str, media_type: str, content: bytes) -> str:
        key = hashlib.sha256(content).hexdigest()
        b = t.blobs.c
        if self.conn.execute(select(b.sha256).where(b.sha256 == key)).first() is None:
            self.conn.execute(insert(t.blobs).values(sha256=key, media_type=media_type,
                                                     content=content))
        self.conn.execute(insert(t.document_files).values(document_id=document_id, format=fmt,
                                                          sha256=key))
        return key
