"""VAT per category on the category total (EN 16931 BR-CO-17), reverse charge, compensation
outside the scope of VAT, and the UBL every such document becomes, validated by the official
CEN and Peppol rules; the official examples read back by the UBL reader."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal as D
from pathlib import Path

from documents.conftest import PROFILE
from termline.adapters.documents.build import Issued, IssuedLine, document
from termline.adapters.documents.parties import SellerProfile
from termline.adapters.documents.reader import read
from termline.adapters.documents.ubl import write
from termline.domain.contract.model import Contract
from termline.domain.mechanisms.tax.categories import category

SELLER = SellerProfile.model_validate(PROFILE)


def contract(**customer: object) -> Contract:
    return Contract.model_validate({
        "id": "acme", "start": "2027-01-04",
        "customer": {"name": "Acme", "address": {"street": "Rue 2", "city": "Liège",
                                                 "postal_code": "4000"}, **customer},
        "lines": [{"item": "Seat", "unit_price": "1.50"}]})


def issued(*lines: tuple[str, str, str, str], kind: str = "subscription",
           doc: str = "invoice", number: str = "SC2027-000001") -> Issued:
    return Issued(doc, number, date(2027, 1, 4), date(2027, 2, 3), "EUR",  # type: ignore[arg-type]
                  tuple(IssuedLine(n, D(q), D(p), D(a)) for n, q, p, a in lines), "acme-0001",
                  kind, (date(2027, 1, 4), date(2027, 2, 3)))


def test_vat_is_rounded_once_on_the_category_total_not_per_line_br_co_17(
        valid: Callable[[bytes], None]) -> None:
    """Two lines of 1.50 at the Belgian 21 %: per line 0.315 -> 0.32 each = 0.64; on the
    category total 3.00 x 21 % = 0.63 (BR-CO-17). Total 3.63."""
    doc = document(issued(("Seat", "1", "1.50", "1.50"), ("Extra", "1", "1.50", "1.50")),
                   SELLER, contract(country="BE", vat_number="BE0477472701"))
    tot = doc.totals
    assert [(s.category.code, s.category.percent, s.taxable, s.tax) for s in tot.subtotals] == [
        ("S", D("21"), D("3.00"), D("0.63"))]
    assert (tot.line_total, tot.tax, tot.tax_inclusive, tot.payable) == (
        D("3.00"), D("0.63"), D("3.63"), D("3.63"))
    xml = write(doc)
    valid(xml)
    back = read(xml)
    assert back.vat == (("S", D("21"), D("3.00"), D("0.63")),)
    assert (back.number, back.payable, back.payment_id) == (
        "SC2027-000001", D("3.63"), "+++202/7000/00122+++")


def test_intra_eu_b2b_customer_is_reverse_charged_ae(valid: Callable[[bytes], None]) -> None:
    """A Belgian seller, a Dutch business customer with a valid NL VAT number: category AE,
    0 %, VAT 0.00, exemption reason VATEX-EU-AE with the legal mention (BR-AE-10), the buyer's
    VAT number on the document (BR-AE-02). 3 x 33.33 = 99.99 payable as is."""
    doc = document(issued(("Seat", "3", "33.33", "99.99")), SELLER,
                   contract(country="NL", vat_number="NL123456782B01"))
    sub = doc.totals.subtotals[0]
    assert (sub.category.code, sub.category.percent, sub.taxable, sub.tax) == (
        "AE", D("0"), D("99.99"), D("0.00"))
    assert sub.category.exemption_code == "VATEX-EU-AE"
    assert doc.total == D("99.99")
    xml = write(doc)
    valid(xml)
    assert b"<cbc:TaxExemptionReasonCode>VATEX-EU-AE</cbc:TaxExemptionReasonCode>" in xml
    assert read(xml).buyer.vat_number == "NL123456782B01"


def test_same_country_or_no_vat_number_pays_the_sellers_standard_rate() -> None:
    """Domestic: S 21 % (BE). An NL customer without a VAT number: no reverse charge, S 21 %.
    Denmark and Norway sellers: 25 %."""
    day = date(2027, 1, 4)
    assert category("BE", "BE", "BE0477472701", day).percent == D("21")
    assert category("BE", "NL", None, day).code == "S"
    assert category("DK", "DK", None, day).percent == D("25")
    assert category("NO", "NO", None, day).percent == D("25")


def test_late_payment_fees_are_outside_the_scope_of_vat(valid: Callable[[bytes], None]) -> None:
    """A reminder fee (compensation, not a supply; docs/readings.md): category O, no rate on
    the line (BR-O-05), VATEX-EU-O, no VAT on 40.00."""
    doc = document(issued(("Recovery costs", "1", "40.00", "40.00"), kind="fee"), SELLER,
                   contract(country="BE", vat_number="BE0477472701"))
    assert [(s.category.code, s.tax) for s in doc.totals.subtotals] == [("O", D("0.00"))]
    valid(write(doc))


def test_a_credit_note_refers_to_the_invoice_it_corrects(valid: Callable[[bytes], None]) -> None:
    """CreditNote 381 with BillingReference to SC2027-000001 (NL-R-001 style), 21 % VAT:
    1.35 x 21 % = 0.2835 -> 0.28; total 1.63."""
    cn = Issued("credit_note", "SCCN2027-000001", date(2027, 3, 31), date(2027, 3, 31), "EUR",
                (IssuedLine("Service credit (SLA) 2027-03", D(1), D("1.35"), D("1.35")),),
                "sla-credit 2027-03", "sla_credit", None, "SC2027-000001")
    doc = document(cn, SELLER, contract(country="BE", vat_number="BE0477472701"))
    assert (doc.vat, doc.total) == (D("0.28"), D("1.63"))
    xml = write(doc)
    valid(xml)
    back = read(xml)
    assert (back.kind, back.credit_note_for, back.payable) == (
        "credit_note", "SC2027-000001", D("1.63"))


def test_official_examples_read_back_with_their_totals(shared: Path) -> None:
    """The Peppol BIS examples: kind, number, currency, parties' countries, VAT breakdown and
    payable amount as the examples state them."""
    examples = shared / "peppol" / "examples"
    base = read((examples / "base-example.xml").read_bytes())
    assert (base.kind, base.number, base.issued, base.currency, base.payable) == (
        "invoice", "Snippet1", date(2017, 11, 13), "EUR", D("1656.25"))
    assert (base.seller.country, base.buyer.country) == ("GB", "SE")
    assert base.vat == (("S", D("25.0"), D("1325"), D("331.25")),)
    credit = read((examples / "base-creditnote-correction.xml").read_bytes())
    assert (credit.kind, credit.credit_note_for, credit.payable) == (
        "credit_note", "Snippet1", D("1656.25"))
    for path in sorted(examples.glob("*.xml")):
        doc = read(path.read_bytes())
        assert sum((ln.net for ln in doc.lines), D(0)) == doc.line_total, path.name
        assert doc.tax_inclusive >= doc.tax_exclusive or doc.payable < 0, path.name
