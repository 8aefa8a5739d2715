"""The message catalogue (`termline.adapters.catalogue`): every message the code writes for a
customer
is in every language's `.po` file, translated (non-empty, not fuzzy) with the same
placeholders; and the words on a PDF come from it (issue 18: reverse charge, fee and interest
descriptions and the payment-terms line were English on French, Dutch and Danish PDFs)."""

from __future__ import annotations

import ast
import string
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from documents.conftest import PROFILE
from termline.adapters.catalogue import DOMAIN, LANGUAGES, po_path, text
from termline.adapters.documents.build import (
    CHARGE_LABELS,
    CREDIT_LABELS,
    Issued,
    IssuedLine,
    document,
)
from termline.adapters.documents.labels import MESSAGES
from termline.adapters.documents.parties import SellerProfile
from termline.adapters.documents.pdf import html
from termline.adapters.documents.terms import payment_terms
from termline.domain.contract.model import Contract
from termline.domain.mechanisms.tax.categories import (
    COMPENSATION,
    NO_VAT_NUMBER,
    NOT_SUBJECT,
    OUTSIDE_EU,
    REVERSE_CHARGE,
)
from termline.domain.policy.policy_file import load_pack
from termline.entrypoints.console import wording

SRC = Path(__file__).resolve().parents[2] / "src" / "termline"


def _catalogue(language: str, domain: str = DOMAIN) -> dict[str, tuple[str, bool]]:
    with po_path(language, domain).open("rb") as fh:
        catalog = read_po(fh, locale=language)
    return {str(m.id): (str(m.string), m.fuzzy) for m in catalog if m.id}


def _used_msgids() -> set[str]:
    """The literal msgids of every `text(language, "...")` call in the package, and the msgid
    tables the code translates from."""
    found = set(MESSAGES.values()) | set(CHARGE_LABELS.values()) | set(CREDIT_LABELS.values())
    found |= {REVERSE_CHARGE[1], NOT_SUBJECT[1], COMPENSATION[1], OUTSIDE_EU[1], NO_VAT_NUMBER}
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id == "text" and len(node.args) >= 2):
                arg = node.args[1]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    found.add(arg.value)
                elif isinstance(arg, ast.IfExp):
                    found |= {a.value for a in (arg.body, arg.orelse)
                              if isinstance(a, ast.Constant)}
    return found


def _fields(message: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(message) if name}


def test_the_code_uses_messages_the_scan_can_see() -> None:
    used = _used_msgids()
    assert "{seller}: payment within {term} (clause {clauses})" in used
    assert "Reminder {number}" in used and "Please pay {amount} without delay." in used
    assert len(used) >= 50


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_in_every_language(language: str) -> None:
    """Fails on a message the code uses that a language lacks, an empty or fuzzy
    translation, or a translation that drops or invents a placeholder."""
    catalogue = _catalogue(language)
    every = _used_msgids() | set().union(*(_catalogue(lang) for lang in LANGUAGES))
    missing = sorted(m for m in every if m not in catalogue)
    assert not missing, f"{language}: no translation of {missing}"
    empty = sorted(m for m, (tr, fuzzy) in catalogue.items() if not tr.strip() or fuzzy)
    assert not empty, f"{language}: empty or fuzzy translation of {empty}"
    for msgid, (translated, _) in catalogue.items():
        assert _fields(translated) == _fields(msgid), (language, msgid, translated)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_word_of_the_customer_page_is_translated_in_every_language(language: str
                                                                          ) -> None:
    """The console's customer page (issue 20) reads its words from the catalogue's `console`
    domain: fails on a word of the page a language lacks, an empty or fuzzy translation, a
    msgid no page uses, or a dropped placeholder."""
    catalogue = _catalogue(language, wording.DOMAIN)
    used = set(wording.CUSTOMER_PAGE.values())
    missing = sorted(used - set(catalogue))
    assert not missing, f"{language}: no translation of {missing}"
    assert not sorted(set(catalogue) - used), f"{language}: unused msgids"
    empty = sorted(m for m, (tr, fuzzy) in catalogue.items() if not tr.strip() or fuzzy)
    assert not empty, f"{language}: empty or fuzzy translation of {empty}"
    for msgid, (translated, _) in catalogue.items():
        assert _fields(translated) == _fields(msgid), (language, msgid, translated)


def test_the_customer_page_speaks_german_and_falls_back_to_english() -> None:
    assert wording.labels("de")["title"] == "Ihre Verträge"
    assert wording.labels("de")["notice_deadline"] == "Letzter Tag für die Kündigung"
    assert wording.labels("da")["title"] == "Dine aftaler"
    assert wording.labels("sv")["title"] == "Your contracts"


def test_german_is_a_language_of_its_own() -> None:
    assert text("de", "Reminder {number}", number=2) == "Mahnung 2"
    assert text("de", REVERSE_CHARGE[1]).startswith("Steuerschuldnerschaft")
    assert text("sv", "Invoice") == "Invoice"  # a language termline does not write: English


SELLER_NL = SellerProfile.model_validate({
    "legal_name": "SmartTrackers B.V.", "street": "Keizersgracht 1", "city": "Amsterdam",
    "postal_code": "1015 CJ", "country": "NL", "vat_number": "NL004495445B01",
    "iban": "NL91ABNA0417164300", "peppol_id": "0106:12345678", "invoice_prefix": "ST",
    "language": "nl", "terms_url": "https://smarttrackers.example/voorwaarden"})
SELLER_BE = SellerProfile.model_validate(PROFILE)


def _invoice(customer: dict[str, object], kind: str = "subscription",
             line: str = "Tracker") -> Issued:
    return Issued("invoice", "ST2027-000001", date(2027, 1, 4), date(2027, 2, 3), "EUR",
                  (IssuedLine(line, D(1), D("100.00"), D("100.00")),), "c-0001", kind)


def _contract(**customer: object) -> Contract:
    return Contract.model_validate({"id": "c", "start": "2027-01-04",
                                    "customer": {"name": "Client", **customer},
                                    "lines": [{"item": "Tracker", "unit_price": "100.00"}]})


def test_a_plain_invoice_number_is_no_structured_communication() -> None:
    """Only a Belgian seller's OGM/VCS (+++…+++) is a 'gestructureerde mededeling'; the Dutch
    seller's reference is the invoice number, a 'betalingskenmerk'."""
    nl = html(document(_invoice({}), SELLER_NL, _contract(country="NL", language="nl")))
    assert "Gestructureerde mededeling" not in nl and "Betalingskenmerk" in nl
    assert "ST2027-000001" in nl
    be = html(document(_invoice({}), SELLER_BE, _contract(country="BE", language="nl")))
    assert "Gestructureerde mededeling" in be and "+++" in be


@pytest.mark.parametrize(("language", "mention"), [
    ("fr", "Autoliquidation"), ("nl", "Verlegging van heffing"),
    ("da", "Omvendt betalingspligt"), ("de", "Steuerschuldnerschaft")])
def test_reverse_charge_mention_in_the_customers_language(language: str, mention: str) -> None:
    """Directive 2006/112/EC art. 196: a Belgian seller to a French (German...) business with
    a valid VAT number reverse-charges; the mention is printed in the customer's language."""
    buyer = _contract(country="FR", vat_number="FR40303265045", language=language)
    page = html(document(_invoice({}), SELLER_BE, buyer))
    assert mention in page and "Reverse charge" not in page


def test_fee_and_interest_lines_and_payment_terms_translated_naming_the_seller() -> None:
    """SmartTrackers 6.8 (statutory interest, NL) on a Dutch invoice of another tenant: the
    payment-terms line names the tenant's legal name, not the pack's author, in Dutch."""
    policy = load_pack("smarttrackers")
    other = SELLER_NL.model_copy(update={"legal_name": "Andere Leverancier B.V."})
    line = payment_terms(policy, other, "nl")
    assert line.startswith("Andere Leverancier B.V.: betaling binnen")
    assert "SmartTrackers" not in line.replace("smarttrackers.example", "")
    assert "wettelijke handelsrente van Nederland" in line
    assert "(artikel 6.8)" in line
    de = payment_terms(policy, other, "de")
    assert "Zahlungsziel 30 Tage" in de and "Niederlande" in de
    from termline.adapters.documents.build import charge_label
    assert charge_label("fee", "c-0001-R1", "fr") == \
        "Frais de rappel / de recouvrement pour la facture c-0001 (c-0001-R1)"
    assert charge_label("interest", "c-0001-INT", "da") == \
        "Morarenter af faktura c-0001 (c-0001-INT)"
