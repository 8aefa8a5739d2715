"""SEPA direct-debit safeguards (issue 17): collection dates on TARGET2 business days, the
Core scheme's D-1 lead time, no file for a day already passed, message ids that differ per
file, and the pre-notification of the date and amount on the invoice and its e-mail (14
calendar days unless the terms set less: SEPA Core rulebook PT-04.03)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import yaml
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree
from sqlalchemy import select
from typer.testing import CliRunner

from documents.conftest import PROFILE
from termline.adapters.bank import target2
from termline.adapters.bank.pain008 import validate
from termline.adapters.documents.pdf import html
from termline.adapters.sql.db import make_engine
from termline.adapters.sql.document_store import DocumentStore
from termline.adapters.sql.service_tables import emails
from termline.adapters.sql.uow import SqlUnitOfWork
from termline.app.documents import build, profile_of
from termline.entrypoints.cli.app import app
from tests.store.test_equivalence import termline

NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.008.001.02"}
UBL = {"cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
       "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"}

# ClientCom with an agreed payment term of 5 days (5.1; payment.term is overridable): the
# January invoice is issued 4 January and due 9 January 2027, a Saturday, only 5 days later.
BOOK = """
policy: clientcom
until: 2027-04-30
contracts:
  - id: short
    customer: {name: Klant NV, country: BE, vat_number: BE0477472701, email: ap@klant.example,
               address: {street: Rue 2, city: Liège, postal_code: "4000"}}
    start: 2027-01-04
    overrides: {payment.term: 5 days}
    mandate: {id: CC-MANDATE-0001, signed: 2026-12-15, iban: BE48001123456727}
    lines: [{item: Smart voicemail, unit_price: "29.00", per: month, quantity: 1}]
events: []
"""


def test_target2_closing_days_move_a_collection_to_the_next_business_day() -> None:
    """TARGET2 is closed on weekends, 1 January, Good Friday, Easter Monday, 1 May, 25 and 26
    December. 2027: Good Friday 26 March, Easter Monday 29 March (Easter 28 March)."""
    far = date(2027, 1, 1)  # issued long before: the pre-notification has run
    assert target2.collection_date(date(2027, 3, 26), far) == date(2027, 3, 30)
    assert target2.collection_date(date(2027, 3, 29), far) == date(2027, 3, 30)
    assert target2.collection_date(date(2027, 5, 1), far) == date(2027, 5, 3)  # Sat + 1 May
    assert target2.collection_date(date(2027, 12, 25), far) == date(2027, 12, 27)
    assert target2.collection_date(date(2026, 12, 25), date(2026, 11, 1)) == \
        date(2026, 12, 28)  # Friday 25, Saturday 26 (closed twice), Sunday 27
    assert target2.collection_date(date(2028, 1, 1), far) == date(2028, 1, 3)
    assert target2.collection_date(date(2027, 2, 3), far) == date(2027, 2, 3)  # a Wednesday
    # D-1: a file collecting on Tuesday 30 March 2027 is sent by Thursday 25 March (Good
    # Friday and Easter Monday closed)
    assert target2.submission_deadline(date(2027, 3, 30)) == date(2027, 3, 25)
    assert target2.earliest_collection(date(2027, 3, 25)) == date(2027, 3, 30)
    assert target2.earliest_collection(date(2027, 2, 6)) == date(2027, 2, 9)  # a Saturday


@given(st.dates(date(2020, 1, 1), date(2040, 12, 31)), st.integers(0, 60),
       st.integers(1, 14))
def test_a_collection_is_never_dated_on_a_weekend_or_a_target2_holiday(
        issued: date, term: int, notice: int) -> None:
    due = issued + timedelta(days=term)
    day = target2.collection_date(due, issued, notice)
    closed = {(1, 1), (5, 1), (12, 25), (12, 26)}
    assert day.weekday() < 5 and (day.month, day.day) not in closed
    assert day not in target2._closed(day.year)
    earliest = max(due, issued + timedelta(days=notice))
    assert day >= earliest
    # the first business day on or after that: nothing open in between
    assert all(not target2.is_business_day(earliest + timedelta(days=n))
               for n in range((day - earliest).days))
    assert target2.submission_deadline(day) < day


def _setup(db_url: str, tmp_path: Path) -> None:
    store_book(db_url, tmp_path, BOOK)


def store_book(db_url: str, tmp_path: Path, book: str) -> None:
    """A fresh store with the tenant `default`, a Belgian seller collecting by direct debit
    (creditor id), and `book` imported."""
    termline(db_url, "db", "upgrade")
    termline(db_url, "tenant", "add", "default")
    (tmp_path / "book.yaml").write_text(book)
    (tmp_path / "profile.yaml").write_text(yaml.safe_dump(
        {**PROFILE, "creditor_id": "BE69ZZZ050D000000008"}))
    termline(db_url, "import", str(tmp_path / "book.yaml"))
    termline(db_url, "tenant", "profile", "default", str(tmp_path / "profile.yaml"))


def _refused(db_url: str, *args: str) -> str:
    done = CliRunner().invoke(app, list(args), env={"TERMLINE_DATABASE_URL": db_url})
    assert done.exit_code == 2, done.output
    return done.stderr


def test_an_invoice_due_in_5_days_is_collected_after_the_14_day_prenotification(
        db_url: str, tmp_path: Path) -> None:
    """Issued 4 January, due 9 January: the debtor is told the amount and date at least 14
    days ahead, so the debit is on 4 + 14 = 18 January 2027 (a Monday). The invoice's UBL
    (payment terms note) and PDF, and its e-mail, announce 35.09 (29.00 + 21 % VAT) on
    2027-01-18. Nothing is collected on the due date's next business day (11 January); the
    file for 18 January holds the invoice."""
    _setup(db_url, tmp_path)
    termline(db_url, "run", "--until", "2027-01-05")
    number = json.loads(termline(db_url, "invoice", "list", "-f", "json"))[0]["number"]
    ubl = tmp_path / "inv.xml"
    termline(db_url, "invoice", "ubl", number, "-o", str(ubl))
    note = etree.fromstring(ubl.read_bytes()).findtext("cac:PaymentTerms/cbc:Note",
                                                       namespaces=UBL)
    assert note is not None and note.startswith(
        "SEPA direct debit of 35.09 EUR on 2027-01-18, mandate CC-MANDATE-0001; ")
    engine = make_engine(db_url)
    with SqlUnitOfWork(engine) as uow:  # the PDF's HTML, in the customer's language
        owner = uow.repo.tenant("default")
        assert owner is not None
        stored = DocumentStore(uow.repo.conn).document(owner.id, number)
        assert stored is not None
        page = html(build(uow.repo, stored, profile_of(uow.repo, None)))
        bodies = [r.body for r in uow.repo.conn.execute(select(emails.c.body, emails.c.kind))
                  if r.kind == "invoice_issued"]
    engine.dispose()
    assert "Direct debit on</span><br><strong>18 Jan 2027: €35.09</strong>" in page
    assert len(bodies) == 1
    assert "It will be collected by SEPA direct debit (mandate CC-MANDATE-0001) on " \
           "2027-01-18" in bodies[0]
    assert "no direct debit" in _refused(db_url, "sepa", "collect", "--on", "2027-01-11",
                                         "-o", str(tmp_path / "x.xml"))
    out = tmp_path / "jan.xml"
    termline(db_url, "sepa", "collect", "--on", "2027-01-18", "-o", str(out))
    root = etree.fromstring(out.read_bytes())
    assert (root.findtext(".//p:ReqdColltnDt", namespaces=NS),
            root.findtext(".//p:EndToEndId", namespaces=NS),
            root.findtext(".//p:InstdAmt", namespaces=NS)) == ("2027-01-18", number, "35.09")


def test_a_day_target2_is_closed_or_already_passed_is_refused_naming_the_date(
        db_url: str, tmp_path: Path) -> None:
    """--on a Saturday (16 January 2027) names the Monday its collections go on (18 January);
    --on Monday 5 January 2026, long past, names the last day its file could have been sent:
    Friday 2 January 2026 (D-1; 1 January closed, 2 January open). Nothing is written."""
    _setup(db_url, tmp_path)
    termline(db_url, "run", "--until", "2027-01-05")
    out = tmp_path / "never.xml"
    saturday = _refused(db_url, "sepa", "collect", "--on", "2027-01-16", "-o", str(out))
    assert "2027-01-16 is not a TARGET2 business day" in saturday and "2027-01-18" in saturday
    past = _refused(db_url, "sepa", "collect", "--on", "2026-01-05", "-o", str(out))
    assert "2026-01-05 has passed" in past and "sent by 2026-01-02, the last possible date" \
        in past and "--on" in past
    assert not out.exists()


REFUND_BOOK = BOOK.replace("events: []", """events:
  - {date: 2027-01-10, type: payment, contract: short, amount: "100.00", reference: TR-1}
""")


def test_a_credit_balance_is_refunded_by_a_pain001_credit_transfer(
        db_url: str, tmp_path: Path) -> None:
    """The customer pays 100.00 on 10 January for January's invoice of 35.09 (29.00 + 21 % VAT
    6.09: issue 17, the item is the invoice total): 100.00 - 35.09 = 64.91 is left as credit.
    `sepa refund` on Tuesday 12 January writes a pain.001.001.03 paying 64.91 to the mandate's
    account, valid under the schema sepaxml ships, and the credit_refund event takes it off
    the credit: February's invoice (4 February, 35.09) is then not paid from a credit that
    was given back. A refund one cent above the credit (64.92) is refused."""
    _setup(db_url, tmp_path)
    (tmp_path / "refund.yaml").write_text(REFUND_BOOK.replace("short", "over"))
    termline(db_url, "import", str(tmp_path / "refund.yaml"))
    termline(db_url, "run", "--until", "2027-01-11")
    out = tmp_path / "refund.xml"
    too_much = _refused(db_url, "sepa", "refund", "over", "--on", "2027-01-12", "--amount",
                        "64.92", "-o", str(out))
    assert "--amount" in too_much and "holds a credit of 64.91" in too_much
    assert not out.exists()
    termline(db_url, "sepa", "refund", "over", "--on", "2027-01-12", "-o", str(out))
    data = out.read_bytes()
    validate(data, "pain.001.001.03")
    root = etree.fromstring(data)
    ns = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"}
    assert (root.findtext(".//p:InstdAmt", namespaces=ns),
            root.findtext(".//p:CdtrAcct/p:Id/p:IBAN", namespaces=ns),
            root.findtext(".//p:ReqdExctnDt", namespaces=ns),
            root.findtext(".//p:DbtrAcct/p:Id/p:IBAN", namespaces=ns)) == (
        "64.91", "BE48001123456727", "2027-01-12", "BE35310123456737")
    termline(db_url, "run", "--until", "2027-02-05")
    actions = json.loads(termline(db_url, "timeline", "over", "-f", "json"))["actions"]
    assert [(a["date"], a["amount"], a["balance"]) for a in actions
            if a["kind"] == "credit_refunded"] == [("2027-01-12", "64.91", "0.00")]
    assert [a["ref"] for a in actions if a["kind"] == "payment_applied"] == ["over-0001"]
    assert "credit of 0.00" in _refused(db_url, "sepa", "refund", "over", "--on",
                                        "2027-02-08", "-o", str(tmp_path / "again.xml"))
