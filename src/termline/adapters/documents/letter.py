"""The dunning letter: a PDF for each reminder step, in the customer's language, stating what is
due per item (incl. VAT, from the invoice records), the reminder fee, the clause the reminder is
sent under, the deadline (the day the terms' next step applies) and the seller.

Pure: the store gathers a `Letter` when the reminder is stored (`store.outbox`), so the letter
says what was due that day whenever it is rendered; `render` makes the PDF (Jinja2 +
WeasyPrint, like the invoice), every word from the message catalogue
(`termline.adapters.catalogue`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency
from jinja2 import Environment, PackageLoader, select_autoescape

from termline.adapters.catalogue import LOCALES, language_of, text
from termline.domain.values.money import ZERO

# What an open item is, in the catalogue's words.
KIND_MESSAGES = {"invoice": "Invoice", "fee": "Reminder fee", "interest": "Late-payment interest"}


@dataclass(frozen=True, slots=True)
class DueLine:
    """One open item on the day of a reminder: its legal number (the engine's ref where the
    tenant has no numbered documents), and the invoice record's total and open amount, both
    including VAT."""

    document: str
    kind: str  # invoice | fee | interest
    issued: date
    due: date
    total: Decimal
    open: Decimal

    def to_json(self) -> dict[str, str]:
        return {"document": self.document, "kind": self.kind, "issued": self.issued.isoformat(),
                "due": self.due.isoformat(), "total": f"{self.total:.2f}",
                "open": f"{self.open:.2f}"}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DueLine:
        return cls(str(data["document"]), str(data["kind"]), date.fromisoformat(data["issued"]),
                   date.fromisoformat(data["due"]), Decimal(data["total"]),
                   Decimal(data["open"]))


@dataclass(frozen=True, slots=True)
class Letter:
    language: str
    date: dt.date
    number: int  # the reminder's number for this invoice: 1, 2, ...
    contract: str
    invoice: str  # the reminded invoice's number
    currency: str
    lines: tuple[DueLine, ...]
    fee: Decimal  # this reminder's fee (0: none)
    clauses: tuple[str, ...]
    deadline: dt.date | None  # the day the terms' next step applies; None: no further step
    next_clauses: tuple[str, ...]
    seller: dict[str, str]  # legal_name, street, postal_code, city, country, vat_number, iban...
    buyer: dict[str, str]  # name, street, postal_code, city, country
    reference: str  # the payment reference of the reminded invoice
    terms_url: str | None = None

    @property
    def total_due(self) -> Decimal:
        return sum((ln.open for ln in self.lines), ZERO)

    def to_json(self) -> dict[str, Any]:
        return {"language": self.language, "date": self.date.isoformat(), "number": self.number,
                "contract": self.contract, "invoice": self.invoice, "currency": self.currency,
                "lines": [ln.to_json() for ln in self.lines], "fee": f"{self.fee:.2f}",
                "clauses": list(self.clauses),
                "deadline": self.deadline.isoformat() if self.deadline else None,
                "next_clauses": list(self.next_clauses), "seller": self.seller,
                "buyer": self.buyer, "reference": self.reference, "terms_url": self.terms_url}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Letter:
        return cls(str(data["language"]), date.fromisoformat(data["date"]), int(data["number"]),
                   str(data["contract"]), str(data["invoice"]), str(data["currency"]),
                   tuple(DueLine.from_json(x) for x in data["lines"]), Decimal(data["fee"]),
                   tuple(data["clauses"]),
                   date.fromisoformat(data["deadline"]) if data.get("deadline") else None,
                   tuple(data.get("next_clauses") or ()), dict(data["seller"]),
                   dict(data["buyer"]), str(data["reference"]), data.get("terms_url"))

    @property
    def filename(self) -> str:
        return f"{self.invoice}-reminder-{self.number}.pdf"


def address_lines(party: dict[str, str], language: str) -> list[str]:
    """Street, postal code and city, and the country's name in the language."""
    lines = [party[k] for k in ("street",) if party.get(k)]
    town = " ".join(p for p in (party.get("postal_code"), party.get("city")) if p)
    if town:
        lines.append(town)
    country = party.get("country")
    if country:
        lines.append(Locale.parse(LOCALES[language_of(language)]).territories.get(country,
                                                                                   country))
    return lines


@lru_cache(maxsize=1)
def _env() -> Environment:
    return Environment(loader=PackageLoader("termline.adapters.documents", "templates"),
                       autoescape=select_autoescape(["html"]))


def words(letter: Letter) -> dict[str, Any]:
    """Every sentence and figure of the letter, in its language."""
    lang = language_of(letter.language)
    locale = LOCALES[lang]

    def money(value: Decimal) -> str:
        return str(format_currency(value, letter.currency, locale=locale))

    def day(value: date) -> str:
        return str(format_date(value, format="long", locale=locale))

    def short(value: date) -> str:
        return str(format_date(value, format="medium", locale=locale))

    clauses = ", ".join(letter.clauses)
    total = money(letter.total_due)
    if letter.deadline is not None and letter.next_clauses:
        pay = text(lang, "Please pay {amount} before {deadline}; from that day the next step "
                         "under clause {clauses} applies.", amount=total,
                   deadline=day(letter.deadline), clauses=", ".join(letter.next_clauses))
    else:
        pay = text(lang, "Please pay {amount} without delay.", amount=total)
    return {
        "lang": lang, "title": text(lang, "Payment reminder"),
        "subtitle": text(lang, "Reminder {number}", number=letter.number),
        "date_label": text(lang, "Date"), "date": day(letter.date),
        "contract_label": text(lang, "Contract"), "terms_label": text(lang, "Terms"),
        "seller_lines": address_lines(letter.seller, lang),
        "buyer_lines": address_lines(letter.buyer, lang),
        "vat_label": text(lang, "VAT"),
        "dear": text(lang, "Dear {customer},", customer=letter.buyer.get("name", "")),
        "intro": text(lang, "According to our records, the following amounts under contract "
                            "{contract} are unpaid on {date}:", contract=letter.contract,
                      date=day(letter.date)),
        "head": [text(lang, "Document"), text(lang, "Description"), text(lang, "Issue date"),
                 text(lang, "Due date"), text(lang, "Amount incl. VAT"), text(lang, "Open")],
        "rows": [[ln.document, text(lang, KIND_MESSAGES.get(ln.kind, "Invoice")),
                  short(ln.issued), short(ln.due), money(ln.total), money(ln.open)]
                 for ln in letter.lines],
        "total_label": text(lang, "Total due"), "total": total,
        "clause": text(lang, "This reminder is sent under clause {clauses} of our terms.",
                       clauses=clauses),
        "fee": text(lang, "A reminder fee of {fee} is charged (clause {clauses}); it is "
                          "included above.", fee=money(letter.fee), clauses=clauses)
        if letter.fee > ZERO else None,
        "pay": pay,
        "pay_to_label": text(lang, "Pay to"),
        "reference_label": text(lang, "Structured communication")
        if letter.reference.startswith("+++") else text(lang, "Payment reference"),
        "disregard": text(lang, "If you have paid in the meantime, please disregard this "
                                "letter."),
        "regards": text(lang, "Kind regards,"),
    }


def html(letter: Letter) -> str:
    return _env().get_template("letter.html").render(letter=letter, w=words(letter))


def render(letter: Letter) -> bytes:
    from weasyprint import HTML

    pdf = HTML(string=html(letter)).write_pdf()
    assert isinstance(pdf, bytes)
    return pdf
