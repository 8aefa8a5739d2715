"""The PDF a person reads: Jinja2 HTML rendered by WeasyPrint, in the customer's language with
Babel's numbers, dates and currencies, and an EPC QR code (SEPA credit transfer) to pay it."""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal
from jinja2 import Environment, PackageLoader, select_autoescape

from termline.adapters.catalogue import LOCALES, text
from termline.adapters.documents.labels import LABELS
from termline.adapters.documents.model import Document
from termline.adapters.documents.references import epc_payload, epc_qr
from termline.adapters.documents.ubl import ubl_line_values


@lru_cache(maxsize=1)
def _env() -> Environment:
    return Environment(loader=PackageLoader("termline.adapters.documents", "templates"),
                       autoescape=select_autoescape(["html"]))


def qr_payload(doc: Document) -> str | None:
    """The EPC QR text for an invoice payable by credit transfer in euro, else None."""
    if doc.kind != "invoice" or doc.payment.mandate or doc.currency != "EUR" \
            or doc.totals.payable <= 0:
        return None
    return epc_payload(doc.seller.name, doc.payment.iban, doc.totals.payable,
                       doc.payment.reference, doc.payment.bic)


def html(doc: Document, logo: str | None = None) -> str:
    lang = doc.language if doc.language in LABELS else "en"
    locale = LOCALES[lang]
    labels = LABELS[lang]

    def money(value: Decimal) -> str:
        return str(format_currency(value, doc.currency, locale=locale))

    def price(value: Decimal) -> str:  # unit prices may go below the cent (per GB)
        return str(format_currency(value.normalize(), doc.currency, locale=locale,
                                   decimal_quantization=False))

    def day(value: Any) -> str:
        return str(format_date(value, format="medium", locale=locale))

    def rate(cat: Any) -> str:
        return f"{cat.code} {format_decimal(cat.percent, locale=locale)} %"

    lines = []
    for ln in doc.lines:
        qty, unit = ubl_line_values(ln)
        lines.append({"name": ln.name, "quantity": format_decimal(qty, locale=locale),
                      "price": price(unit), "net": money(ln.net),
                      "category": rate(ln.category)})
    tot = doc.totals
    subtotals = [{"label": rate(s.category),
                  "taxable": money(s.taxable), "tax": money(s.tax),
                  "reason": text(lang, s.category.exemption_reason)
                  if s.category.exemption_reason else None} for s in tot.subtotals]
    payload = qr_payload(doc)
    qr = epc_qr(payload).png_data_uri(scale=4, border=0) if payload else None
    logo_uri = None
    if logo and Path(logo).is_file():
        data = base64.b64encode(Path(logo).read_bytes()).decode("ascii")
        mime = "image/svg+xml" if logo.endswith(".svg") else "image/png"
        logo_uri = f"data:{mime};base64,{data}"
    return _env().get_template("invoice.html").render(
        doc=doc, t=labels, lang=lang, title=labels[doc.kind], issued=day(doc.issued),
        due=day(doc.due), period=f"{day(doc.period[0])} – {day(doc.period[1])}"
        if doc.period else None, lines=lines, subtotals=subtotals,
        net=money(tot.tax_exclusive), vat=money(tot.tax), total=money(tot.payable), qr=qr,
        logo=logo_uri, reference_label=labels["structured"]
        if doc.payment.reference.startswith("+++") else labels["reference"],
        collection=day(doc.payment.collection) if doc.payment.collection else None,
        note=text(lang, doc.note, **dict(doc.note_values)) if doc.note else None,
        concerns=_concerns(doc, lang, day))


def _concerns(doc: Document, lang: str, day: Callable[[date], str]) -> str | None:
    """The line naming the invoice this document arises from (BT-25/BT-26 on the UBL)."""
    if doc.preceding is None:
        return None
    number, issued = doc.preceding
    if issued is None:
        return f"{LABELS[lang]['credits']} {number}"
    return text(lang, "Concerns invoice {number} of {date}", number=number, date=day(issued))


def render(doc: Document, logo: str | None = None) -> bytes:
    from weasyprint import HTML

    pdf = HTML(string=html(doc, logo)).write_pdf()
    assert isinstance(pdf, bytes)
    return pdf
