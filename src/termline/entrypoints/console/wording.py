"""The customer's page in the customer's language (en, nl, fr, da, de), from the gettext
catalogue's `console` domain (`adapters/catalogue/locale/<language>/LC_MESSAGES/console.po`),
as the documents and e-mails are from theirs. The template reads `t.<key>`; the msgid is the
English text."""

from __future__ import annotations

from functools import cache

from termline.adapters.catalogue import language_of, text

__all__ = ["CUSTOMER_PAGE", "DOMAIN", "labels", "language_of"]

DOMAIN = "console"

# template key -> msgid; the deadline kinds, statuses and access levels are keys as the data
# names them (`t.get(kind, kind)`)
CUSTOMER_PAGE = {
    "title": "Your contracts",
    "with": "with",
    "valid_until": "This read-only link is valid until",
    "contracts": "Contracts",
    "contract": "Contract",
    "status": "Status",
    "access": "Access",
    "deadlines": "Next deadlines",
    "date": "Date",
    "what": "What",
    "clause": "Clause",
    "none": "None",
    "documents": "Invoices and credit notes",
    "number": "Number",
    "issued": "Issued",
    "due": "Due",
    "total": "Total",
    "open": "Open",
    "download": "Download",
    "open_items": "What is open",
    "owed": "Total open",
    "calendar": "Add these deadlines to your calendar (iCalendar)",
    "as_of": "as of",
    "notice_deadline": "Last day to give notice",
    "term_end": "Term ends",
    "objection_deadline": "Last day to object",
    "price_change_objection": "Last day to object to the price change",
    "next_invoice": "Next invoice",
    "trial_end": "Trial ends",
    "data_deletion": "Data deletion",
    "next_dunning_step": "Next reminder",
    "item": "Item",
    "active": "active",
    "trial": "trial",
    "pending": "not started",
    "terminated": "terminated",
    "full": "full",
    "suspended": "suspended",
    "export_only": "export only",
}


@cache
def labels(language: str) -> dict[str, str]:
    """The page's words in `language` (English for a language termline does not write)."""
    lang = language_of(language)
    return {key: text(lang, msgid, domain=DOMAIN) for key, msgid in CUSTOMER_PAGE.items()}
