"""The words on a PDF invoice, per language, from the message catalogue
(`termline.adapters.catalogue`)."""

from __future__ import annotations

from termline.adapters.catalogue import LANGUAGES, text

# The template's names for the catalogue's messages (msgid: the English words).
MESSAGES = {
    "invoice": "Invoice", "credit_note": "Credit note", "number": "Number",
    "issued": "Issue date", "due": "Due date", "period": "Period", "seller": "From",
    "buyer": "To", "vat": "VAT", "company": "Company no.", "item": "Description",
    "quantity": "Qty", "unit_price": "Unit price", "net": "Amount", "category": "VAT",
    "taxable": "Taxable amount", "total_net": "Total excl. VAT", "total_vat": "Total VAT",
    "total": "Total", "payable": "Amount due", "reference": "Payment reference",
    "structured": "Structured communication", "pay_to": "Pay to", "credits": "Credits invoice",
    "contract": "Contract", "terms": "Terms", "scan": "Scan to pay",
    "mandate": "Collected by SEPA direct debit, mandate", "collected_on": "Direct debit on",
    "reason": "Reason",
}

LABELS: dict[str, dict[str, str]] = {
    lang: {key: text(lang, msgid) for key, msgid in MESSAGES.items()} for lang in LANGUAGES}
