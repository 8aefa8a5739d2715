"""The double-entry journal (pure): each document and each movement of money as balanced
lines, debit = credit per document.

* An invoice: the customer's account (400) debited with the total; the revenue account of
  each VAT category credited with its taxable amount (700 sales, 743 fees, 751 interest) and
  VAT payable (451) with the VAT. A credit note: the same lines the other way round.
* A payment: the bank (550) debited, the customer credited. A returned payment: the
  customer debited again, the bank credited. A refund of credit: the customer debited, the
  bank credited.

Each line keeps its VAT code (the category and rate, `S21`, `AE`, `O`...) so the VAT return
(`journal.vat_return`) is read from the same lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from termline.adapters.documents.model import Document
from termline.adapters.journal.chart import Chart
from termline.domain.mechanisms.tax.categories import VatCategory
from termline.domain.values.money import ZERO, fmt

Kind = Literal["invoice", "credit_note", "payment", "return", "refund"]
Role = Literal["customer", "revenue", "vat", "bank"]


@dataclass(frozen=True, slots=True)
class Entry:
    date: date
    document: str
    kind: Kind
    account: str
    role: Role
    debit: Decimal
    credit: Decimal
    vat_code: str | None
    customer: str
    customer_vat: str | None = None
    customer_country: str | None = None
    revenue: Literal["sales", "fees", "interest"] | None = None

    def to_json(self) -> dict[str, Any]:
        return {"date": self.date.isoformat(), "document": self.document, "kind": self.kind,
                "account": self.account, "debit": fmt(self.debit),
                "credit": fmt(self.credit), "vat_code": self.vat_code or "",
                "customer": self.customer, "customer_vat": self.customer_vat or ""}


def vat_code(category: VatCategory) -> str:
    if category.code == "S":
        return f"S{category.percent.normalize():f}"
    return category.code


def _revenue(doc: Document) -> Literal["sales", "fees", "interest"]:
    if doc.invoice_kind == "interest" or doc.source.endswith("-INT"):
        return "interest"
    if doc.invoice_kind == "fee":
        return "fees"
    return "sales"


def document_entries(doc: Document, customer: str, chart: Chart) -> list[Entry]:
    """The balanced lines of an invoice or credit note."""
    kind: Kind = "invoice" if doc.kind == "invoice" else "credit_note"
    sign = 1 if kind == "invoice" else -1
    revenue = _revenue(doc)
    account = {"sales": chart.sales, "fees": chart.fees, "interest": chart.interest}[revenue]
    common = {"date": doc.issued, "document": doc.number, "kind": kind, "customer": customer,
              "customer_vat": doc.buyer.vat_number, "customer_country": doc.buyer.country}

    tot = doc.totals
    out = [Entry(account=chart.customers, role="customer",
                 debit=tot.tax_inclusive if sign > 0 else ZERO,
                 credit=ZERO if sign > 0 else tot.tax_inclusive, vat_code=None,
                 **common)]  # type: ignore[arg-type]
    for sub in tot.subtotals:
        code = vat_code(sub.category)
        out.append(Entry(account=account, role="revenue",
                         debit=ZERO if sign > 0 else sub.taxable,
                         credit=sub.taxable if sign > 0 else ZERO, vat_code=code,
                         revenue=revenue, **common))  # type: ignore[arg-type]
        if sub.tax != ZERO:
            out.append(Entry(account=chart.vat_due, role="vat",
                             debit=ZERO if sign > 0 else sub.tax,
                             credit=sub.tax if sign > 0 else ZERO, vat_code=code,
                             **common))  # type: ignore[arg-type]
    return out


def money_entries(day: date, reference: str, kind: Kind, amount: Decimal, customer: str,
                  chart: Chart) -> list[Entry]:
    """A payment in (kind payment), or money going back out (return, refund)."""
    common = {"date": day, "document": reference, "kind": kind, "customer": customer,
              "vat_code": None}
    into_bank = kind == "payment"
    return [Entry(account=chart.bank, role="bank", debit=amount if into_bank else ZERO,
                  credit=ZERO if into_bank else amount, **common),  # type: ignore[arg-type]
            Entry(account=chart.customers, role="customer",
                  debit=ZERO if into_bank else amount, credit=amount if into_bank else ZERO,
                  **common)]  # type: ignore[arg-type]
