"""Issue 17, "every document refers to the legal number of the document it arises from": a fee
or interest document names the invoice it is for by its legal number (UBL BillingReference,
EN 16931 BG-3: BT-25 the number, BT-26 its issue date; a line on the PDF), never the engine's
internal ref; and the reason a buyer without a VAT number pays the seller's VAT is printed in
the customer's language. Both databases (`db_url`); the UBLs pass the official CEN and Peppol
rules (`valid`)."""

from __future__ import annotations

import json
from collections.abc import Callable
from html import unescape
from pathlib import Path

from lxml import etree

from termline.adapters.documents.pdf import html
from termline.adapters.sql.db import make_engine
from termline.adapters.sql.document_store import DocumentStore
from termline.adapters.sql.uow import SqlUnitOfWork
from termline.app.documents import build, profile_of
from tests.store.test_equivalence import termline
from tests.store.test_money_model import _book, _documents

UBL = {"cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
       "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"}

# SmartWeb 4.2 (seed 002): the invoice of 1 January is due 9 January; the first reminder ten
# days later charges 14.00, the second another 14.00 (4.2). A French-speaking customer.
SMARTWEB_LATE = """
policy: smartweb
until: 2025-03-31
contracts:
  - id: acme
    customer: {name: Acme SA, country: BE, language: fr, company_id: "0477.472.701"}
    start: 2025-01-01
    lines: [{item: SmartWeb Shop, unit_price: "50.00", per: month, quantity: 1}]
events: []
"""

# A French customer without a VAT number of a Belgian seller (Directive 2006/112/EC art. 45).
FRENCH_CONSUMER = """
policy: smartweb
until: 2025-01-31
contracts:
  - id: paris
    customer: {name: Jean Dupont, country: FR, language: fr}
    start: 2025-01-01
    lines: [{item: SmartWeb Shop, unit_price: "50.00", per: month, quantity: 1}]
events: []
"""


def _page(db_url: str, number: str) -> str:
    engine = make_engine(db_url)
    with SqlUnitOfWork(engine) as uow:
        owner = uow.repo.tenant("default")
        assert owner is not None
        stored = DocumentStore(uow.repo.conn).document(owner.id, number)
        assert stored is not None
        page = html(build(uow.repo, stored, profile_of(uow.repo, None)))
    engine.dispose()
    return unescape(page)


def test_a_reminder_fee_names_its_invoice_by_legal_number(
        db_url: str, tmp_path: Path, valid: Callable[[bytes], None]) -> None:
    """SmartWeb 4.2: SC2025-000001 of 1 January 2025 (6 months x 50.00 = 300.00 + 21 % =
    363.00) is unpaid on its due date of 9 January; the reminder of 19 January charges a fee
    of 14.00 (category O, compensation), numbered SC2025-000002. That fee document refers to
    SC2025-000001 (its legal number, not the engine's `acme-0001`): in the UBL as
    BillingReference/InvoiceDocumentReference ID SC2025-000001, IssueDate 2025-01-01 (EN 16931
    BT-25, BT-26), on the French PDF as "Concerne la facture SC2025-000001 du 1 janv. 2025",
    and its line names the invoice by that number. The UBL passes the CEN and Peppol rules."""
    _book(db_url, tmp_path, SMARTWEB_LATE)
    termline(db_url, "run", "--until", "2025-01-20")
    docs = {d["number"]: d for d in _documents(db_url)}
    assert [(n, d["ref"], d["total"]) for n, d in docs.items()] == [
        ("SC2025-000001", "acme-0001", "363.00"), ("SC2025-000002", "acme-0001-R1", "14.00")]
    out = tmp_path / "fee.xml"
    termline(db_url, "invoice", "ubl", "SC2025-000002", "-o", str(out))
    valid(out.read_bytes())
    root = etree.fromstring(out.read_bytes())
    ref = "cac:BillingReference/cac:InvoiceDocumentReference/"
    assert (root.findtext(ref + "cbc:ID", namespaces=UBL),
            root.findtext(ref + "cbc:IssueDate", namespaces=UBL)) == (
        "SC2025-000001", "2025-01-01")
    shown = json.loads(termline(db_url, "invoice", "show", "SC2025-000002"))
    assert "SC2025-000001" in shown["lines"][0]["name"]
    page = _page(db_url, "SC2025-000002")
    assert "Concerne la facture SC2025-000001 du 1 janv. 2025" in page
    # the invoice itself arises from nothing
    invoice = tmp_path / "invoice.xml"
    termline(db_url, "invoice", "ubl", "SC2025-000001", "-o", str(invoice))
    assert etree.fromstring(invoice.read_bytes()).find(
        "cac:BillingReference", namespaces=UBL) is None


def test_the_no_vat_number_reason_is_in_the_customers_language(db_url: str, tmp_path: Path
                                                               ) -> None:
    """A French customer without a VAT number is a non-taxable person: the Belgian seller
    charges Belgian VAT (Directive 2006/112/EC art. 45), 300.00 + 21 % = 363.00, and says why.
    Its PDF says it in French (issue 17: it was English on every PDF); the document's note for
    the UBL (BT-22) keeps the English text with the two member states filled in."""
    _book(db_url, tmp_path, FRENCH_CONSUMER)
    termline(db_url, "run", "--until", "2025-01-02")
    [doc] = _documents(db_url)
    assert (doc["net"], doc["vat"], doc["total"]) == ("300.00", "63.00", "363.00")
    page = _page(db_url, doc["number"])
    assert ("TVA de BE facturée : le client n'a pas communiqué de numéro de TVA de FR et est "
            "traité comme une personne non assujettie") in page
    assert "the customer gave no VAT number" not in page
    engine = make_engine(db_url)
    with SqlUnitOfWork(engine) as uow:
        owner = uow.repo.tenant("default")
        assert owner is not None
        stored = DocumentStore(uow.repo.conn).document(owner.id, doc["number"])
        assert stored is not None
        note = build(uow.repo, stored, profile_of(uow.repo, None)).note_text
    engine.dispose()
    assert note == ("VAT of BE charged: the customer gave no VAT number of FR and is treated "
                    "as a non-taxable person (Directive 2006/112/EC art. 45; art. 58 and 59c "
                    "below the EU threshold)")
