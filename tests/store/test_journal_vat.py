"""Issue 17, what comes back out: the double-entry journal balances per document and its
totals equal the invoice list's; the Belgian VAT return's sales grids and the intra-community
listing of 2027Q1 come from it; a British customer is invoiced without VAT with the legal
mention, a French one without a VAT number with Belgian VAT and the reason. Both databases."""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from lxml import etree

from documents.conftest import PROFILE
from termline.adapters.documents.pdf import html
from termline.adapters.journal.entries import Entry
from termline.adapters.journal.vat_return import quarter, vat_report
from termline.adapters.sql.db import make_engine
from termline.adapters.sql.document_store import DocumentStore
from termline.adapters.sql.uow import SqlUnitOfWork
from termline.app.documents import build, profile_of
from termline.domain.mechanisms.tax.categories import category
from termline.domain.values.identifiers import check_vat
from tests.store.test_equivalence import termline

# Smartconnect (BE seller): a contact-center seat is 45.00 a month, invoiced a year ahead on
# the start day: one seat 540.00, two 1,080.00.
BOOK = """
policy: smartconnect
until: 2027-03-31
contracts:
  - id: be
    customer: {name: Acme NV, country: BE, vat_number: BE0477472701,
               address: {street: Rue 2, city: Liège, postal_code: "4000"}}
    start: 2027-01-04
    lines: [{item: Contact center seat, unit_price: "45.00", quantity: 2}]
  - id: nl
    customer: {name: Dutch BV, country: NL, vat_number: NL123456782B01,
               address: {street: Straat 2, city: Utrecht, postal_code: "3500 AA"}}
    start: 2027-02-01
    lines: [{item: Contact center seat, unit_price: "45.00", quantity: 1}]
  - id: gb
    customer: {name: British Ltd, country: GB, vat_number: GB 980 7806 84,
               address: {street: High St 1, city: London, postal_code: "EC1A 1BB"}}
    start: 2027-03-01
    lines: [{item: Contact center seat, unit_price: "45.00", quantity: 1}]
  - id: fr
    customer: {name: Particulier Durand, country: FR,
               address: {street: Rue 5, city: Lille, postal_code: "59000"}}
    start: 2027-03-01
    lines: [{item: Contact center seat, unit_price: "45.00", quantity: 1}]
events:
  - {date: 2027-03-10, type: payment, contract: gb, amount: "540.00", reference: GB-PAY-1}
"""
UBL = {"cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
       "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"}


def _book(db_url: str, tmp_path: Path, **profile: object) -> dict[str, dict[str, str]]:
    termline(db_url, "db", "upgrade")
    termline(db_url, "tenant", "add", "default")
    (tmp_path / "book.yaml").write_text(BOOK)
    (tmp_path / "profile.yaml").write_text(yaml.safe_dump({**PROFILE, **profile}))
    termline(db_url, "import", str(tmp_path / "book.yaml"))
    termline(db_url, "tenant", "profile", "default", str(tmp_path / "profile.yaml"))
    termline(db_url, "run", "--until", "2027-03-31")
    return {r["contract"]: r for r in json.loads(termline(db_url, "invoice", "list", "-f",
                                                            "json")) if r["ref"].endswith("-0001")}


def test_the_journal_balances_and_equals_the_invoice_list(db_url: str, tmp_path: Path) -> None:
    """be: 1,080.00 + 21 % 226.80 = 1,306.80 (400 debit; 700 and 451 credit). nl: 540.00
    reverse charged (AE). gb: 540.00 outside the EU (O), paid 540.00 on 10 March (550 debit,
    400 credit). fr: 540.00 + 113.40 = 653.40 (S21: no VAT number). Every document balances,
    and the journal's totals per document are the invoice list's total, net and VAT."""
    rows = _book(db_url, tmp_path)
    assert [(rows[c]["net"], rows[c]["vat"], rows[c]["total"]) for c in ("be", "nl", "gb",
                                                                          "fr")] == [
        ("1080.00", "226.80", "1306.80"), ("540.00", "0.00", "540.00"),
        ("540.00", "0.00", "540.00"), ("540.00", "113.40", "653.40")]
    lines = json.loads(termline(db_url, "journal", "--from", "2027-01-01", "--to",
                                "2027-03-31", "--format", "json"))
    debit: dict[str, Decimal] = defaultdict(Decimal)
    credit: dict[str, Decimal] = defaultdict(Decimal)
    for ln in lines:
        debit[ln["document"]] += Decimal(ln["debit"])
        credit[ln["document"]] += Decimal(ln["credit"])
    assert debit == credit  # balances per document
    listed = json.loads(termline(db_url, "invoice", "list", "-f", "json"))
    for doc in listed:
        mine = [ln for ln in lines if ln["document"] == doc["number"]]
        assert sum(Decimal(ln["debit"]) for ln in mine if ln["account"] == "400") == \
            Decimal(doc["total"])
        assert sum(Decimal(ln["credit"]) for ln in mine if ln["account"] in
                   ("700", "743", "751")) == Decimal(doc["net"])
        assert sum(Decimal(ln["credit"]) for ln in mine if ln["account"] == "451") == \
            Decimal(doc["vat"])
    assert {ln["document"] for ln in lines if ln["kind"] in ("invoice", "credit_note")} == \
        {doc["number"] for doc in listed}
    be = rows["be"]["number"]
    assert [(ln["account"], ln["debit"], ln["credit"], ln["vat_code"]) for ln in lines
            if ln["document"] == be] == [("400", "1306.80", "0.00", ""),
                                         ("700", "0.00", "1080.00", "S21"),
                                         ("451", "0.00", "226.80", "S21")]
    assert [(ln["date"], ln["account"], ln["debit"], ln["credit"], ln["customer"])
            for ln in lines if ln["document"] == "GB-PAY-1"] == [
        ("2027-03-10", "550", "540.00", "0.00", "British Ltd"),
        ("2027-03-10", "400", "0.00", "540.00", "British Ltd")]
    table = list(csv.DictReader(io.StringIO(termline(db_url, "journal", "--format", "csv"))))
    assert len(table) == len(lines) and table[0].keys() >= {
        "date", "document", "account", "debit", "credit", "vat_code", "customer"}


def test_the_chart_of_accounts_comes_from_the_tenant_profile(db_url: str,
                                                              tmp_path: Path) -> None:
    """A tenant keeping a longer chart maps customers to 4000, sales to 7000, VAT to 4510."""
    rows = _book(db_url, tmp_path, accounts={"customers": "4000", "sales": "7000",
                                             "vat_due": "4510"})
    lines = json.loads(termline(db_url, "journal", "--format", "json"))
    assert [ln["account"] for ln in lines if ln["document"] == rows["be"]["number"]] == [
        "4000", "7000", "4510"]


def test_the_vat_return_of_2027q1_from_the_journal(db_url: str, tmp_path: Path) -> None:
    """Grid 03 (21 %): be 1,080.00 + fr 540.00 = 1,620.00, its VAT in grid 54: 226.80 +
    113.40 = 340.20; grid 44 (services to an EU business, reverse charge): nl 540.00, also on
    the intra-community listing under NL123456782B01; grid 47 (place of supply abroad): gb
    540.00. No credit notes this quarter (48, 49, 64 empty). Reminder fees and interest are
    compensation outside VAT: in no grid."""
    _book(db_url, tmp_path)
    report = json.loads(termline(db_url, "vat", "report", "--quarter", "2027Q1"))
    assert report == {"period": {"from": "2027-01-01", "to": "2027-03-31"},
                      "grids": {"03": "1620.00", "44": "540.00", "47": "540.00",
                                "54": "340.20"},
                      "intra_community_listing": [
                          {"vat_number": "NL123456782B01", "code": "S", "amount": "540.00"}]}
    assert json.loads(termline(db_url, "vat", "report", "--quarter", "2027Q2"))[
        "grids"] == {}


def test_a_gb_customer_is_invoiced_without_vat_with_the_mention_and_a_french_one_with_the_reason(
        db_url: str, tmp_path: Path, valid: Callable[[bytes], None]) -> None:
    """A British VAT number (checked with python-stdnum) is a business outside the EU: the
    service is taxable where it is established (Directive 2006/112/EC art. 44), category O,
    no VAT, the mention on the UBL (BT-120) and the PDF; the UBL passes the CEN and Peppol
    rules. A French customer without a VAT number pays Belgian VAT, with the reason."""
    rows = _book(db_url, tmp_path)
    out = tmp_path / "gb.xml"
    termline(db_url, "invoice", "ubl", rows["gb"]["number"], "-o", str(out))
    valid(out.read_bytes())
    root = etree.fromstring(out.read_bytes())
    assert root.findtext(".//cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:ID",
                         namespaces=UBL) == "O"
    assert root.findtext(".//cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/"
                         "cbc:TaxExemptionReason", namespaces=UBL) == (
        "Not subject to VAT: services to a business established outside the EU, taxable "
        "where the customer is established (Directive 2006/112/EC art. 44)")
    # the French customer has no Peppol endpoint (a consumer): its PDF carries the reason
    engine = make_engine(db_url)
    with SqlUnitOfWork(engine) as uow:
        owner = uow.repo.tenant("default")
        assert owner is not None
        stored = DocumentStore(uow.repo.conn).document(owner.id, rows["fr"]["number"])
        assert stored is not None
        page = html(build(uow.repo, stored, profile_of(uow.repo, None)))
    engine.dispose()
    assert '<p class="note">VAT of BE charged: the customer gave no VAT number of FR and is ' \
        "treated as a non-taxable person (Directive 2006/112/EC art. 45; art. 58 and 59c " \
        "below the EU threshold)</p>" in page


@pytest.mark.parametrize(("number", "compact", "country"), [
    ("GB 980 7806 84", "GB980780684", "GB"),
    ("NO 974 760 673 MVA", "NO974760673MVA", "NO"),
    ("CHE-116.281.710 MWST", "CHE116281710MWST", "CH")])
def test_gb_no_and_ch_vat_numbers_are_outside_the_eu(number: str, compact: str,
                                                     country: str) -> None:
    assert check_vat(number) == compact
    cat = category("BE", country, compact, date(2027, 3, 1))
    assert (cat.code, cat.percent) == ("O", Decimal("0"))
    assert cat.exemption_reason is not None and "outside the EU" in cat.exemption_reason
    with pytest.raises(ValueError, match="invalid"):
        check_vat(compact[:-4] + ("9" if compact[-4] != "9" else "8") + compact[-3:])


def test_credit_notes_go_to_grids_48_49_and_64() -> None:
    """By hand: a 21 % credit note of 100.00 + 21.00 (grid 49, VAT 64) and a reverse-charged
    one of 50.00 to an EU business (grid 48, listing -50.00), in 2027Q2."""
    def e(doc: str, role: str, debit: str, credit: str, code: str, vat: str | None = None
          ) -> Entry:
        return Entry(date(2027, 5, 2), doc, "credit_note", "x", role,  # type: ignore[arg-type]
                     Decimal(debit), Decimal(credit), code, "c", vat, None,
                     "sales" if role == "revenue" else None)
    start, end = quarter("2027Q2")
    report = vat_report([e("CN1", "revenue", "100.00", "0", "S21"),
                         e("CN1", "vat", "21.00", "0", "S21"),
                         e("CN2", "revenue", "50.00", "0", "AE", "NL123456782B01")],
                        start, end)
    assert report["grids"] == {"48": "50.00", "49": "100.00", "64": "21.00"}
    assert report["intra_community_listing"] == [
        {"vat_number": "NL123456782B01", "code": "S", "amount": "-50.00"}]
    assert (start, end) == (date(2027, 4, 1), date(2027, 6, 30))
