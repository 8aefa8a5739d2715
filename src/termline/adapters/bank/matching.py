"""Which open invoice a bank credit pays, in order of certainty:

1. its structured reference: a Belgian OGM (12 digits, type SCOR, issuer BBA) equal to an
   invoice's payment reference;
2. the end-to-end id of a direct-debit collection (the invoice number `sepa collect` put in
   it), then an invoice number (or an OGM) written in the unstructured remittance text;
3. the exact amount still open on exactly one invoice of a customer whose name is the
   debtor's (letters and digits compared, case and punctuation ignored).

No match: the line is kept for review. Pure: the caller gives the invoices.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from termline.adapters.bank.camt import Credit
from termline.adapters.documents.references import structured

_OGM_IN_TEXT = re.compile(r"\+{3}\s*\d{3}\s*/\s*\d{4}\s*/\s*\d{5}\s*\+{3}|\b\d{12}\b")


@dataclass(frozen=True, slots=True)
class OpenInvoice:
    number: str
    payment_reference: str  # OGM digits (Belgian sellers) or the number
    contract: str
    customer: str
    open: Decimal  # VAT-inclusive amount still open
    currency: str


@dataclass(frozen=True, slots=True)
class Match:
    invoice: OpenInvoice
    by: str  # structured_reference | end_to_end_id | invoice_number | amount_and_name


def _name(text: str | None) -> str:
    return "".join(ch for ch in (text or "").casefold() if ch.isalnum())


def match(credit: Credit, invoices: Sequence[OpenInvoice]) -> Match | None:
    same_currency = [i for i in invoices if i.currency == credit.currency]
    by_reference = {i.payment_reference: i for i in same_currency}
    if credit.structured_ref:
        digits = structured(credit.structured_ref)
        if digits is not None and digits in by_reference:
            return Match(by_reference[digits], "structured_reference")
    for found in _OGM_IN_TEXT.findall(credit.text):
        digits = structured(found)
        if digits is not None and digits in by_reference:
            return Match(by_reference[digits], "structured_reference")
    numbers = {i.number: i for i in same_currency}
    if credit.end_to_end and credit.end_to_end in numbers:
        return Match(numbers[credit.end_to_end], "end_to_end_id")
    text = credit.text.casefold()
    for inv in sorted(same_currency, key=lambda i: -len(i.number)):
        if re.search(rf"(?<![0-9A-Za-z]){re.escape(inv.number.casefold())}(?![0-9])", text):
            return Match(inv, "invoice_number")
    debtor = _name(credit.debtor)
    if debtor:
        candidates = [i for i in same_currency if i.open == credit.amount
                      and _name(i.customer) == debtor]
        if len(candidates) == 1:
            return Match(candidates[0], "amount_and_name")
    return None
