"""Invoices as the service answers them: every numbered document (invoice, credit note, fee,
interest) under its legal number, with net, VAT, total and what is still open, all from the
same rows the run projected (the open item of an invoice is its total incl. VAT, issue 17).

With a seller profile the figures are those of the document itself (`documents.build`, as
`termline invoice list` and the PDF show them); without one, those of the projected invoice
row (net = total - VAT; a fee or interest charge carries no VAT: compensation, outside the
scope of VAT, docs/readings.md).
"""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import quote

from termline.adapters.documents.build import CHARGE_LABELS, charge_label
from termline.adapters.documents.parties import SellerProfile
from termline.adapters.documents.ubl import written_line
from termline.adapters.sql.document_store import DocumentStore, StoredDocument
from termline.adapters.sql.service_reads import ServiceReads
from termline.app import documents
from termline.app.answers import Json, NotFound, Page, reads
from termline.app.ports import Store, UnitOfWork
from termline.domain.values.money import ZERO, fmt, round_money

FORMATS = {"pdf": "application/pdf", "xml": "application/xml"}


def kind_of(stored: StoredDocument) -> str:
    """invoice, credit_note, fee or interest: what the document is to its reader."""
    if stored.kind == "credit_note":
        return "credit_note"
    return stored.reason if stored.reason in CHARGE_LABELS else "invoice"


def _figures(q: ServiceReads, stored: StoredDocument) -> tuple[Decimal, Decimal]:
    """(total incl. VAT, VAT) from the projected invoice row; a charge has no VAT."""
    row = q.invoice_vat(stored.contract_id, stored.action_key)
    if row is None or kind_of(stored) in CHARGE_LABELS:
        return stored.amount, ZERO
    return Decimal(row[0]), Decimal(row[1])


def _lines(docs: DocumentStore, stored: StoredDocument, net: Decimal) -> list[dict[str, str]]:
    rows = docs.invoice_lines(stored.contract_id, stored.action_key)
    if not rows or kind_of(stored) in CHARGE_LABELS:
        rows = [(charge_label(stored.reason, stored.source_ref), Decimal(1), net, net)]
    return [_line(item, *written_line(quantity, unit_price, round_money(amount)), amount)
            for item, quantity, unit_price, amount in rows]


def _line(item: str, quantity: Decimal, unit_price: Decimal, amount: Decimal
          ) -> dict[str, str]:
    """A line as the invoice's PDF and UBL write it (`written_line`): 1 x 600.00, not the
    contract's 100.00 a month billed for six."""
    return {"item": item, "quantity": format(quantity.normalize(), "f"),
            "unit_price": _price(unit_price), "amount": fmt(amount)}


def _price(unit_price: Decimal) -> str:
    """A unit price in the currency's decimals ("100.00"), with more only where it has them
    ("0.0125" per unit of usage): issue 18, numbers as text in the currency's decimals."""
    cents = fmt(unit_price)
    return cents if Decimal(cents) == unit_price else format(unit_price.normalize(), "f")


def links(number: str) -> dict[str, str]:
    path = f"/v1/invoices/{quote(number, safe='')}"
    return {"pdf": f"{path}.pdf", "xml": f"{path}.xml"}


def _profile(repo: Store, tenant_name: str) -> SellerProfile | None:
    try:
        return documents.profile_of(repo, tenant_name)
    except documents.NoProfile:
        return None


def answer(repo: Store, q: ServiceReads, stored: StoredDocument,
           profile: SellerProfile | None) -> Json:
    docs = DocumentStore(q.conn)
    if profile is not None:
        doc = documents.build(repo, stored, profile)
        net, vat, total = doc.net, doc.vat, doc.total
    else:
        total, vat = _figures(q, stored)
        net = total - vat
    remaining = documents.open_net(repo, stored)
    period = docs.invoice_period(stored.contract_id, stored.action_key)
    return {"number": stored.number, "ref": stored.source_ref, "contract": stored.contract_ref,
            "kind": kind_of(stored), "reason": stored.reason,
            "issued": stored.issued.isoformat(), "due": stored.due.isoformat(),
            "period_start": period[0].isoformat() if period else None,
            "period_end": period[1].isoformat() if period else None,
            "currency": stored.currency, "net": fmt(net), "vat": fmt(vat),
            "total": fmt(total), "open": fmt(remaining),
            # credit_note, credited (a correction credit note cancels it), replaced (a recompute
            # issued its content again under a new number), open or paid: kept with the document
            "status": stored.status,
            "credit_note_for": stored.credit_note_for, "lines": _lines(docs, stored, net),
            "links": links(stored.number)}


def page(uow: UnitOfWork, tenant_id: int, tenant_name: str, *, contract: str | None,
         after: str | None, limit: int) -> Page:
    """The tenant's documents by issue day then id."""
    with reads(uow, "invoice") as q:
        numbers, more = q.documents_page(tenant_id, contract=contract, after=after,
                                         limit=limit)
        docs = DocumentStore(q.conn)
        profile = _profile(uow.repo, tenant_name)
        out = []
        for n in numbers:
            stored = docs.document(tenant_id, str(n.number))
            assert stored is not None
            out.append(answer(uow.repo, q, stored, profile))
        return Page(out, more)


def invoice(uow: UnitOfWork, tenant_id: int, tenant_name: str, number: str) -> Json:
    with reads(uow) as q:
        stored = DocumentStore(q.conn).document(tenant_id, number)
        if stored is None:
            raise NotFound(f"no invoice {number!r}", field="number")
        return answer(uow.repo, q, stored, _profile(uow.repo, tenant_name))


def file(uow: UnitOfWork, tenant_name: str, number: str, fmt_: str) -> bytes:
    """The stored PDF or UBL of one of the tenant's documents (rendered and stored on first
    request); NotFound for a number the tenant does not have."""
    try:
        if fmt_ == "pdf":
            return documents.pdf(uow, tenant_name, number)
        return documents.ubl(uow, tenant_name, number)
    except documents.UnknownDocument:
        raise NotFound(f"no invoice {number!r}", field="number") from None

