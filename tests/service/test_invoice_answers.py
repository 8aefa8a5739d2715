"""Complete answers about invoices (issue 18), on SQLite and PostgreSQL: the legal number, net,
VAT, total, what is open, status, links to the stored PDF and UBL; lists ordered by issue day
then id, one cursor for every page; another tenant's number is a 404.

SmartWeb 4.1 bills six months in advance on the first day, payable in 8 days, plus 25 % Danish
VAT (issue 17: the open item is the document, VAT included):
- c1 from 2027-01-01 at 100.00 a month: 6 x 100.00 = 600.00 net, 150.00 VAT, 750.00, due
  2027-01-09; a payment of 300.00 on 2027-01-05 leaves exactly 750.00 - 300.00 = 450.00 open.
- c2 from 2027-01-03 at 50.00 a month (created first, so its ids are lower): 300.00 net,
  75.00 VAT, 375.00, all open.
The seller's profile numbers invoices SW{year}-{n:06d} in issue order: c1's is SW2027-000001.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient

from termline.adapters.sql.db import make_engine, upgrade
from termline.adapters.sql.uow import SqlUnitOfWork
from termline.app import documents, intake
from termline.app.keys import create_key
from termline.entrypoints.api.app import create_app

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2027, 1, 8, 9, tzinfo=UTC)
CUSTOMER = {"country": "DK", "email": "billing@example.com"}
C1 = {"id": "c1", "policy": "smartweb", "start": "2027-01-01",
      "customer": {"name": "C1 ApS", "vat_number": "DK13585628", **CUSTOMER},
      "lines": [{"item": "SmartWeb Shop", "unit_price": "100.00"}]}
C2 = {"id": "c2", "policy": "smartweb", "start": "2027-01-03",
      "customer": {"name": "C2 ApS", **CUSTOMER},
      "lines": [{"item": "SmartWeb Shop", "unit_price": "50.00"}]}


@pytest.fixture
def api(db_url: str) -> Iterator[dict[str, Any]]:
    engine = make_engine(db_url)
    upgrade(engine)
    for name in ("p", "other"):
        intake.add_tenant(SqlUnitOfWork(engine), name)
    profile = yaml.safe_load((ROOT / "examples/profiles/seller.yaml").read_text("utf-8"))
    documents.set_profile(SqlUnitOfWork(engine), "p", profile, "seller.yaml")
    app = create_app(engine, lambda: NOW)
    ours = TestClient(app, headers={"Authorization": "Bearer "
                                    + create_key(engine, "p", ("write",), NOW).key})
    theirs = TestClient(app, headers={"Authorization": "Bearer "
                                      + create_key(engine, "other", ("write",), NOW).key})
    for contract in (C2, C1):
        assert ours.post("/v1/contracts", json=contract).status_code == 201
    assert ours.post("/v1/events", json={"date": "2027-01-05", "type": "payment",
                                         "contract": "c1", "amount": "300.00"}
                     ).status_code == 202
    assert ours.post("/v1/runs", json={"until": "2027-01-08"}).status_code == 200
    yield {"ours": ours, "theirs": theirs}
    engine.dispose()


def test_an_invoice_carries_its_legal_number_net_vat_total_and_what_is_open_smartweb_4_1(
        api: dict[str, Any]) -> None:
    ours: TestClient = api["ours"]
    got = ours.get("/v1/invoices/SW2027-000001")
    assert got.status_code == 200, got.text
    assert got.json() == {
        "number": "SW2027-000001", "ref": "c1-0001", "contract": "c1", "kind": "invoice",
        "reason": got.json()["reason"], "issued": "2027-01-01", "due": "2027-01-09",
        "period_start": "2027-01-01", "period_end": "2027-06-30", "currency": "EUR",
        "net": "600.00", "vat": "150.00", "total": "750.00", "open": "450.00",
        "status": "open", "credit_note_for": None,
        # the line as the PDF and UBL write it: six months of 100.00 (4.1) as 1 x 600.00
        "lines": [{"item": "SmartWeb Shop", "quantity": "1", "unit_price": "600.00",
                   "amount": "600.00"}],
        "links": {"pdf": "/v1/invoices/SW2027-000001.pdf",
                  "xml": "/v1/invoices/SW2027-000001.xml"}}
    # the contract's balance is the same open item: 450.00, as text in the currency's decimals
    balance = ours.get("/v1/contracts/c1/balance").json()
    assert (balance["principal"], balance["total"]) == ("450.00", "450.00")
    applied = ours.get("/v1/actions", params={"contract": "c1", "kind": "payment_applied"}
                       ).json()["data"]
    assert [a["amount"] for a in applied] == ["300.00"]


def test_invoices_are_listed_by_issue_day_then_id_one_cursor_per_page(
        api: dict[str, Any]) -> None:
    ours: TestClient = api["ours"]
    every = ours.get("/v1/invoices").json()
    assert not every["has_more"]
    assert [(i["number"], i["contract"], i["issued"], i["net"], i["vat"], i["total"],
             i["open"]) for i in every["data"]] == [
        ("SW2027-000001", "c1", "2027-01-01", "600.00", "150.00", "750.00", "450.00"),
        ("SW2027-000002", "c2", "2027-01-03", "300.00", "75.00", "375.00", "375.00")]
    first = ours.get("/v1/invoices", params={"limit": 1}).json()
    assert [i["number"] for i in first["data"]] == ["SW2027-000001"] and first["has_more"]
    second = ours.get("/v1/invoices", params={"limit": 1,
                                              "starting_after": "SW2027-000001"}).json()
    assert [i["number"] for i in second["data"]] == ["SW2027-000002"]
    assert not second["has_more"]
    assert [i["number"] for i in ours.get("/v1/invoices", params={"contract": "c2"}
                                          ).json()["data"]] == ["SW2027-000002"]
    unknown = ours.get("/v1/invoices", params={"starting_after": "SW2027-000099"})
    assert unknown.status_code == 404 and unknown.json()["field"] == "starting_after"
    # contracts too: by start day (c1 on the 1st before c2 on the 3rd, though c2 came first)
    assert [c["id"] for c in ours.get("/v1/contracts").json()["data"]] == ["c1", "c2"]


def test_the_pdf_and_the_ubl_are_served_with_their_media_types(api: dict[str, Any]) -> None:
    ours: TestClient = api["ours"]
    pdf = ours.get("/v1/invoices/SW2027-000001.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    ubl = ours.get("/v1/invoices/SW2027-000001.xml")
    assert ubl.status_code == 200
    assert ubl.headers["content-type"].startswith("application/xml")
    text = ubl.text
    assert "<cbc:ID>SW2027-000001</cbc:ID>" in text
    assert '<cbc:TaxExclusiveAmount currencyID="EUR">600.00</cbc:TaxExclusiveAmount>' in text
    assert '<cbc:TaxInclusiveAmount currencyID="EUR">750.00</cbc:TaxInclusiveAmount>' in text
    # stored: the second request gets the same bytes
    assert ours.get("/v1/invoices/SW2027-000001.pdf").content == pdf.content


def test_another_tenants_number_is_not_found_in_any_form(api: dict[str, Any]) -> None:
    theirs: TestClient = api["theirs"]
    for path in ("/v1/invoices/SW2027-000001", "/v1/invoices/SW2027-000001.pdf",
                 "/v1/invoices/SW2027-000001.xml"):
        answer = theirs.get(path)
        assert answer.status_code == 404, path
        assert answer.headers["content-type"] == "application/problem+json"
        assert "SW2027" not in answer.text.replace("'SW2027-000001'", "")
    assert theirs.get("/v1/invoices").json() == {"data": [], "has_more": False}
