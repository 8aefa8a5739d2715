"""An invoice or credit note as the customer receives it, built from what the engine issued.

Pure data: the store, the demo and tests build these from their own records. Amounts are the
engine's (VAT-exclusive) line amounts; VAT and totals follow EN 16931
(`termline.domain.mechanisms.tax.totals`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

from termline.domain.mechanisms.tax.categories import VatCategory
from termline.domain.mechanisms.tax.totals import Totals, totals
from termline.domain.values.money import ZERO

DocumentKind = Literal["invoice", "credit_note"]


class DocumentError(ValueError):
    """A document cannot be made legally complete (a party lacks a required identifier)."""


@dataclass(frozen=True, slots=True)
class Party:
    name: str
    country: str
    street: str | None = None
    city: str | None = None
    postal_code: str | None = None
    vat_number: str | None = None
    company_id: str | None = None
    company_scheme: str | None = None  # EAS code of company_id, e.g. 0208
    endpoint: tuple[str, str] | None = None  # (EAS scheme, identifier)
    email: str | None = None


@dataclass(frozen=True, slots=True)
class Line:
    name: str
    quantity: Decimal
    unit_price: Decimal
    net: Decimal  # rounded to the cent
    category: VatCategory
    period: tuple[date, date] | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Payment:
    """How to pay: credit transfer to the seller's account with a reference, or a mandate."""

    reference: str  # BT-83 remittance information (OGM or the invoice number)
    iban: str
    bic: str | None = None
    mandate: str | None = None  # SEPA mandate id: direct debit (UNCL4461 59)
    payer_iban: str | None = None
    collection: date | None = None  # the direct debit's date, pre-notified (bank.target2)

    @property
    def means_code(self) -> str:
        return "59" if self.mandate else "58" if self.iban[:2] != "NO" else "30"


@dataclass(frozen=True, slots=True)
class Document:
    kind: DocumentKind
    number: str
    issued: date
    due: date
    currency: str
    seller: Party
    buyer: Party
    lines: tuple[Line, ...]
    payment: Payment
    buyer_reference: str  # BT-10: the contract
    period: tuple[date, date] | None = None
    credit_note_for: str | None = None  # the corrected invoice's number
    credit_note_for_date: date | None = None
    terms: str | None = None  # payment terms text: the clause governing payment and late fees
    note: str | None = None  # a catalogue msgid (BT-22), its placeholders in note_values
    language: str = "en"
    source: str = ""  # what the engine issued: invoice ref, or the settlement it credits
    invoice_kind: str = ""  # subscription, usage, ..., sla_credit, correction
    prepaid: Decimal = ZERO
    attachments: tuple[tuple[str, str, bytes], ...] = field(default=())  # (name, mime, data)
    note_values: tuple[tuple[str, str], ...] = ()
    # BT-25/BT-26: the legal number and issue date of the document this one arises from (the
    # invoice a fee, interest or charge is for) when it is not a credit note's corrected invoice
    refers_to: str | None = None
    refers_to_date: date | None = None
    remark: str | None = None  # why a credit note by hand was made, as its maker wrote it

    @property
    def preceding(self) -> tuple[str, date | None] | None:
        """EN 16931 BT-25 (preceding invoice reference) and BT-26 (its issue date): the
        invoice a credit note corrects or a charge arises from."""
        number = self.credit_note_for or self.refers_to
        if number is None:
            return None
        return number, self.credit_note_for_date if self.credit_note_for else self.refers_to_date

    @property
    def note_text(self) -> str | None:
        """The note in English (the UBL's BT-22; the PDF translates `note`)."""
        note = None
        if self.note is not None:
            note = self.note.format(**dict(self.note_values)) if self.note_values else self.note
        if self.remark is not None:  # one BT-22 (Peppol allows a single invoice note)
            return self.remark if note is None else f"{self.remark}\n{note}"
        return note

    @property
    def totals(self) -> Totals:
        return totals([(ln.net, ln.category) for ln in self.lines], self.prepaid)

    @property
    def net(self) -> Decimal:
        return self.totals.tax_exclusive

    @property
    def vat(self) -> Decimal:
        return self.totals.tax

    @property
    def total(self) -> Decimal:
        return self.totals.tax_inclusive
