"""Bank statements (issue 10): a CAMT.053 import pays two invoices (one by its Belgian
structured reference, one by its number in the free text), leaves an unknown credit for review,
restores the suspended contract on the next run, and applies nothing when imported again."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from documents.conftest import PROFILE
from termline.adapters.bank.camt import Credit, read
from termline.adapters.bank.matching import OpenInvoice, match
from tests.store.test_equivalence import termline

BOOK = """
policy: smartconnect
until: 2027-04-30
contracts:
  - id: late
    customer: {name: Acme NV, country: BE, vat_number: BE0477472701,
               address: {street: Rue 2, city: Liège, postal_code: "4000"}}
    start: 2027-01-04
    lines: [{item: Contact center seat, unit_price: "45.00", quantity: 5}]
  - id: dutch
    customer: {name: Dutch BV, country: NL, vat_number: NL123456782B01,
               address: {street: Straat 2, city: Utrecht, postal_code: "3500 AA"}}
    start: 2027-03-01
    lines: [{item: Contact center seat, unit_price: "45.00", quantity: 3}]
events: []
"""


def entry(ref: str, amount: str, direction: str, debtor: str, remittance: str) -> str:
    return f"""
      <Ntry>
        <Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>{direction}</CdtDbtInd><Sts>BOOK</Sts>
        <BookgDt><Dt>2027-04-06</Dt></BookgDt><ValDt><Dt>2027-04-06</Dt></ValDt>
        <AcctSvcrRef>{ref}</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls><TxDtls>
          <Refs><AcctSvcrRef>{ref}</AcctSvcrRef></Refs>
          <RltdPties><Dbtr><Nm>{debtor}</Nm></Dbtr></RltdPties>
          <RmtInf>{remittance}</RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>"""


OGM = ("<Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry><Issr>BBA</Issr></Tp>"
       "<Ref>202700000122</Ref></CdtrRefInf></Strd>")
STATEMENT = f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>STMT-2027-04-06</MsgId><CreDtTm>2027-04-06T18:00:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>STMT-2027-04-06-1</Id><CreDtTm>2027-04-06T18:00:00</CreDtTm>
      <Acct><Id><IBAN>BE35310123456737</IBAN></Id></Acct>
      {entry("B7A0406-0001", "3267.00", "CRDT", "ACME NV", OGM)}
      {entry("B7A0406-0002", "1620.00", "CRDT", "Dutch B.V.",
             "<Ustrd>Payment invoice SC2027-000002 thank you</Ustrd>")}
      {entry("B7A0406-0003", "99.00", "CRDT", "Unknown GmbH", "<Ustrd>donation</Ustrd>")}
      {entry("B7A0406-0004", "12.00", "DBIT", "Bank", "<Ustrd>fees</Ustrd>")}
    </Stmt>
  </BkToCstmrStmt>
</Document>
"""


def test_camt053_import_pays_two_invoices_restores_access_and_is_idempotent(
        db_url: str, tmp_path: Path) -> None:
    """Smartconnect 8.4/8.5 with a Belgian seller. `late` is invoiced 4 January for a year:
    5 x 45.00 x 12 = 2,700.00 + 21 % VAT 567.00 = 3,267.00 (SC2027-000001, OGM
    +++202/7000/00122+++), due 3 February; three reminders 14 days apart (17 Feb, 3 and 17
    March) and suspension once 14 days after the third have lapsed (`lapsed`: 17 March + 14 =
    31 March, lapsed on 1 April). `dutch` is invoiced 1 March:
    3 x 45.00 x 12 = 1,620.00, reverse charged (SC2027-000002).

    The statement of 6 April has three credits and a debit: 3,267.00 with the OGM as SCOR/BBA
    structured reference (pays SC2027-000001), 1,620.00 naming SC2027-000002 in its free text,
    99.00 from a stranger (kept for review); the debit is not a payment. The run through 6
    April applies 3,267.00 (issue 17: the item is the invoice total incl. VAT) under
    reference B7A0406-0001 and gives access back the same day (8.4: principal paid). A second
    import applies nothing."""
    # (Belgian statutory rate: 10.5 % from 2026-01-01, carried forward as provisional.)
    termline(db_url, "db", "upgrade")
    termline(db_url, "tenant", "add", "default")
    book, profile, statement = (tmp_path / "book.yaml", tmp_path / "profile.yaml",
                                tmp_path / "statement.xml")
    book.write_text(BOOK)
    profile.write_text(yaml.safe_dump(PROFILE))
    statement.write_text(STATEMENT)
    termline(db_url, "import", str(book))
    termline(db_url, "tenant", "profile", "default", str(profile))
    termline(db_url, "run", "--until", "2027-04-05")
    timeline = json.loads(termline(db_url, "timeline", "late", "--format", "json"))
    assert [a["date"] for a in timeline["actions"] if a["kind"] == "access_suspended"] == [
        "2027-04-01"]
    rows = {r["number"]: r for r in json.loads(termline(db_url, "invoice", "list", "-f",
                                                        "json"))}
    assert (rows["SC2027-000001"]["total"], rows["SC2027-000002"]["total"]) == (
        "3267.00", "1620.00")

    first = json.loads(termline(db_url, "bank", "import", str(statement), "--json"))
    assert first == {"entries": 3, "matched": 2, "unmatched": 1, "already_imported": 0,
                     "returned": 0, "lines": [
                         {"entry": "B7A0406-0001", "amount": "3267.00",
                          "matched_to": ["SC2027-000001"], "by": "reference"},
                         {"entry": "B7A0406-0002", "amount": "1620.00",
                          "matched_to": ["SC2027-000002"], "by": "number"},
                         {"entry": "B7A0406-0003", "amount": "99.00", "matched_to": [],
                          "by": None}]}
    again = json.loads(termline(db_url, "bank", "import", str(statement), "--json"))
    assert again == {"entries": 3, "matched": 0, "unmatched": 0, "already_imported": 3,
                     "returned": 0, "lines": []}
    unmatched = json.loads(termline(db_url, "bank", "unmatched", "-f", "json"))
    assert [(u["entry_ref"], u["amount"], u["debtor"]) for u in unmatched] == [
        ("B7A0406-0003", "99.00", "Unknown GmbH")]

    termline(db_url, "run", "--until", "2027-04-06")
    ledger = json.loads(termline(db_url, "ledger", "--format", "json"))["actions"]
    applied = [(a["contract"], a["ref"], a["amount"], a.get("reference")) for a in ledger
               if a["kind"] == "payment_applied"]
    assert sorted(applied) == [("dutch", "dutch-0001", "1620.00", "B7A0406-0002"),
                               ("late", "late-0001", "3267.00", "B7A0406-0001")]
    restored = [(a["contract"], a["date"]) for a in ledger if a["kind"] == "access_restored"]
    assert restored == [("late", "2027-04-06")]
    rows = {r["number"]: r for r in json.loads(termline(db_url, "invoice", "list", "-f",
                                                        "json"))}
    assert (rows["SC2027-000001"]["open"], rows["SC2027-000002"]["open"]) == ("0.00", "0.00")
    # 8.5: statutory interest from the invoice date, charged when the invoice is settled, on
    # the amount due incl. VAT (issue 17, interest.base gross; law of 2 August 2002 art. 5):
    # 3,267.00 x 10.5 % x 92 / 365 (4 January to 6 April) = 86.4636 -> 86.46, an invoice of
    # its own outside the scope of VAT, open.
    assert (rows["SC2027-000003"]["ref"], rows["SC2027-000003"]["total"],
            rows["SC2027-000003"]["vat"], rows["SC2027-000003"]["open"]) == (
        "late-0001-INT", "86.46", "0.00", "86.46")
    # a third import after the run still applies nothing
    assert json.loads(termline(db_url, "bank", "import", str(statement), "--json"))[
        "already_imported"] == 3


def test_two_equal_credits_are_two_payments_and_the_name_match_needs_one_candidate() -> None:
    """Amount + name: only when exactly one open invoice of that customer has that amount."""
    invoices = [OpenInvoice("SC2027-000007", "SC2027-000007", "a", "Acme NV",
                            Decimal("121.00"), "EUR"),
                OpenInvoice("SC2027-000009", "SC2027-000009", "a", "Acme NV",
                            Decimal("242.00"), "EUR")]

    def credit(ref: str, amount: str, debtor: str, text: str = "") -> Credit:
        return Credit(ref, date(2027, 5, 3), Decimal(amount), "EUR",
                      debtor, None, None, text)

    one = match(credit("E1", "121.00", "acme n.v."), invoices)
    assert one is not None and (one.invoice.number, one.by) == ("SC2027-000007",
                                                               "amount_and_name")
    assert match(credit("E2", "121.00", "Other NV"), invoices) is None
    by_text = match(credit("E3", "5.00", "x", "ref sc2027-000009"), invoices)
    assert by_text is not None and by_text.by == "invoice_number"
    # SC2027-0000091 is not SC2027-000009
    assert match(credit("E4", "5.00", "x", "SC2027-0000091"), invoices) is None
    assert [c.entry_ref for c in read(STATEMENT.encode())] == [
        "B7A0406-0001", "B7A0406-0002", "B7A0406-0003"]


def test_the_same_statement_imported_twice_at_once_applies_once(uow: Any,
                                                               tmp_path: Path) -> None:
    """Two imports of one statement side by side (PostgreSQL: concurrent transactions; SQLite:
    one waits for the write lock): between them 2 credits matched and 1 unmatched, once; the
    other import finds every entry imported. Two payment events are stored, not four."""
    import threading

    from sqlalchemy import func, select

    from termline.adapters.sql import tables as t
    from termline.app import bank, documents, intake
    from termline.app import run as service
    from termline.domain.contract import load_scenario

    (tmp_path / "book.yaml").write_text(BOOK)
    intake.add_tenant(uow(), "default")
    intake.import_scenario(uow(), load_scenario(tmp_path / "book.yaml"))
    documents.set_profile(uow(), "default", PROFILE, "profile.yaml")
    service.run(uow, date(2027, 4, 5))
    credits = read(STATEMENT.encode())
    reports: list[dict[str, int]] = []
    errors: list[BaseException] = []

    def one() -> None:
        try:
            reports.append(bank.import_statement(uow, credits, None))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=one) for _ in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=120)
    assert errors == []
    assert sum(r["matched"] for r in reports) == 2
    assert sum(r["unmatched"] for r in reports) == 1
    assert sum(r["already_imported"] for r in reports) == 3
    with uow() as unit:
        payments = unit.repo.conn.execute(select(func.count()).select_from(t.events).where(
            t.events.c.type == "payment")).scalar_one()
    assert payments == 2
