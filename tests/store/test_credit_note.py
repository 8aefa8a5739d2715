"""Issue 17, "a credit note by hand": `termline invoice credit NUMBER [--amount] --reason`.

ClientCom (seed 001) with a Belgian seller: a month of Smart Voicemail invoiced on its first
day, 50.00 + 21 % VAT = 60.50 (ClientCom 5.2), numbered SC2027-00000n; credit notes numbered
in their own series SCCN2027-00000n. Every figure is worked out by hand in the docstrings;
every test runs on SQLite and PostgreSQL (`db_url`); the UBLs pass the official CEN EN 16931
and Peppol BIS 3.0 rules (`valid`).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from lxml import etree
from typer.testing import CliRunner

from termline.adapters.sql.db import make_engine
from termline.adapters.sql.uow import SqlUnitOfWork
from termline.app import credit_notes
from termline.domain.errors import InputError
from termline.entrypoints.cli.app import app
from tests.store.test_document_references import UBL, _page
from tests.store.test_equivalence import termline
from tests.store.test_money_model import CLIENTCOM as BOOK
from tests.store.test_money_model import _book, _documents, _pay

# the customer with its enterprise number: its Peppol endpoint (0208), for the UBL
CLIENTCOM = BOOK.replace("country: BE}", 'country: BE, company_id: "0477.472.701"}')


def _cli(db_url: str, *args: str) -> Result:
    return CliRunner().invoke(app, list(args), env={"TERMLINE_DATABASE_URL": db_url})


def _two_invoices(db_url: str, tmp_path: Path) -> None:
    """SC2027-000001 of 4 January and SC2027-000002 of 4 February, 60.50 each, unpaid."""
    _book(db_url, tmp_path, CLIENTCOM)
    termline(db_url, "run", "--until", "2027-02-05")


def _balance(db_url: str) -> tuple[str, str]:
    row = json.loads(termline(db_url, "balance", "-f", "json"))[0]
    return row["principal"], row["credit"]


def test_a_partial_then_the_rest_credits_the_invoice_exactly(
        db_url: str, tmp_path: Path, valid: Callable[[bytes], None]) -> None:
    """20.00 of SC2027-000001 (60.50) credited on 5 February, the day the book is run through:
    net 20.00 / 1.21 = 16.528 -> 16.53, VAT 16.53 x 21 % = 3.4713 -> 3.47 (BR-CO-17), and
    16.53 + 3.47 = 20.00 exactly. Credit note SCCN2027-000001 names SC2027-000001 of 4 January
    (BT-25, BT-26), mirrors its line (Smart Voicemail, category S 21 %) and settles 20.00 of
    it: 40.50 open. Then the rest without --amount: 40.50, net 40.50 / 1.21 = 33.471 -> 33.47,
    VAT 7.0287 -> 7.03; the two credit notes add up to the invoice (16.53 + 33.47 = 50.00 net,
    3.47 + 7.03 = 10.50 VAT). The invoice is then settled, and `invoice list`, `balance` and
    `ledger` agree: open 0.00 + 60.50 = balance 60.50."""
    _two_invoices(db_url, tmp_path)
    done = json.loads(termline(db_url, "invoice", "credit", "SC2027-000001", "--amount",
                               "20.00", "--reason", "two weeks without service", "--json"))
    assert (done["number"], done["issued"], done["net"], done["vat"], done["total"],
            done["creditable"]) == ("SCCN2027-000001", "2027-02-05", "16.53", "3.47",
                                    "20.00", "40.50")
    docs = {d["number"]: d for d in _documents(db_url)}
    credit = docs["SCCN2027-000001"]
    assert (credit["kind"], credit["credit_note_for"], credit["net"], credit["vat"],
            credit["total"]) == ("credit_note", "SC2027-000001", "16.53", "3.47", "20.00")
    assert (docs["SC2027-000001"]["open"], docs["SC2027-000002"]["open"]) == ("40.50", "60.50")
    assert _balance(db_url) == ("101.00", "0.00")  # 40.50 + 60.50
    ledger = json.loads(termline(db_url, "ledger", "--format", "json"))["actions"]
    assert [(a["kind"], a["ref"], a["amount"]) for a in ledger
            if a["kind"] in ("invoice_credited", "payment_applied")] == [
        ("invoice_credited", "vp-0001", "20.00"), ("payment_applied", "vp-0001", "20.00")]
    table = termline(db_url, "ledger")
    assert "20.00 EUR" in next(line for line in table.splitlines()
                               if "invoice_credited" in line)
    out = tmp_path / "cn1.xml"
    termline(db_url, "invoice", "ubl", "SCCN2027-000001", "-o", str(out))
    valid(out.read_bytes())
    root = etree.fromstring(out.read_bytes())
    ref = "cac:BillingReference/cac:InvoiceDocumentReference/"
    assert (root.findtext(ref + "cbc:ID", namespaces=UBL),
            root.findtext(ref + "cbc:IssueDate", namespaces=UBL),
            root.findtext("cac:LegalMonetaryTotal/cbc:PayableAmount", namespaces=UBL),
            root.findtext("cac:CreditNoteLine/cac:Item/cbc:Name", namespaces=UBL),
            root.findtext("cac:CreditNoteLine/cac:Item/cac:ClassifiedTaxCategory/cbc:ID",
                          namespaces=UBL)) == (
        "SC2027-000001", "2027-01-04", "20.00", "ClientCom Smart Voicemail", "S")
    assert root.findtext("cbc:Note", namespaces=UBL) == "two weeks without service"
    page = _page(db_url, "SCCN2027-000001")
    assert "Concerns invoice SC2027-000001 of 4 Jan 2027" in page
    assert "Reason: two weeks without service" in page

    rest = json.loads(termline(db_url, "invoice", "credit", "SC2027-000001", "--reason",
                               "contract cancelled", "--json"))
    assert (rest["number"], rest["net"], rest["vat"], rest["total"], rest["creditable"]) == (
        "SCCN2027-000002", "33.47", "7.03", "40.50", "0.00")
    out = tmp_path / "cn2.xml"
    termline(db_url, "invoice", "ubl", "SCCN2027-000002", "-o", str(out))
    valid(out.read_bytes())
    docs = {d["number"]: d for d in _documents(db_url)}
    assert docs["SC2027-000001"]["open"] == "0.00"
    assert _balance(db_url) == ("60.50", "0.00")
    refused = _cli(db_url, "invoice", "credit", "SC2027-000001", "--reason", "again")
    assert refused.exit_code != 0
    assert "NUMBER" in refused.output and "credited in full already" in refused.output


@pytest.mark.parametrize(("args", "field", "words"), [
    (["SC2027-000009", "--reason", "x"], "NUMBER", "no invoice 'SC2027-000009'"),
    (["SC2027-000001", "--amount", "60.51", "--reason", "x"], "--amount",
     "60.51 exceeds the 60.50 still creditable"),
    (["SC2027-000001", "--amount", "0", "--reason", "x"], "--amount", "must be positive"),
    (["SC2027-000001", "--amount", "-5", "--reason", "x"], "--amount", "must be positive"),
    (["SC2027-000001", "--amount", "1.005", "--reason", "x"], "--amount", "two decimals"),
    (["SC2027-000001", "--amount", "ten", "--reason", "x"], "--amount", "not an amount"),
    # at 21 %: 8.26 + 1.7346 -> 1.73 = 9.99 and 8.27 + 1.7367 -> 1.74 = 10.01: no net to the
    # cent gives 10.00 (the VAT is the net times the rate rounded once, EN 16931 BR-CO-17)
    (["SC2027-000001", "--amount", "10.00", "--reason", "x"], "--amount",
     "the nearest totals are 9.99 and 10.01"),
    (["SC2027-000001", "--reason", "   "], "--reason", "say why"),
    (["SC2027-000001", "--reason", "x", "--on", "2027-01-03"], "--on", "before SC2027-000001"),
])
def test_a_credit_refused_names_the_field_and_writes_nothing(
        db_url: str, tmp_path: Path, args: list[str], field: str, words: str) -> None:
    """Each refusal names its field and leaves the book as it was: no event, no document."""
    _two_invoices(db_url, tmp_path)
    before = (_documents(db_url), termline(db_url, "ledger", "--format", "json"))
    result = _cli(db_url, "invoice", "credit", *args)
    assert result.exit_code != 0
    assert field in result.output and words in result.output, result.output
    assert (_documents(db_url), termline(db_url, "ledger", "--format", "json")) == before
    termline(db_url, "run", "--until", "2027-02-05")
    assert json.loads(termline(db_url, "ledger", "--format", "json")) == json.loads(before[1])


def test_a_credit_of_a_paid_invoice_becomes_credit(db_url: str, tmp_path: Path) -> None:
    """SC2027-000002 (60.50) is paid in full on 10 February by its number; SC2027-000001 stays
    open at 60.50. A credit of 12.10 (10.00 + 21 % = 2.10) of SC2027-000002 on 28 February:
    nothing of it is open, so the 12.10 is the customer's money again and goes where a
    payment's rest goes (ClientCom: the oldest item first), to SC2027-000001: 48.40 open,
    balance 48.40 (the March invoice of 4 March is not issued yet), no credit left."""
    _two_invoices(db_url, tmp_path)
    _pay(db_url, "vp", "2027-02-10", "60.50", invoice="SC2027-000002")
    termline(db_url, "run", "--until", "2027-02-28")
    done = json.loads(termline(db_url, "invoice", "credit", "SC2027-000002", "--amount",
                               "12.10", "--reason", "goodwill", "--json"))
    assert (done["number"], done["issued"], done["net"], done["vat"], done["total"]) == (
        "SCCN2027-000001", "2027-02-28", "10.00", "2.10", "12.10")
    docs = {d["number"]: d for d in _documents(db_url)}
    assert (docs["SC2027-000001"]["open"], docs["SC2027-000002"]["open"]) == ("48.40", "0.00")
    assert _balance(db_url) == ("48.40", "0.00")


def test_a_fee_credit_note_is_category_o(db_url: str, tmp_path: Path,
                                         valid: Callable[[bytes], None]) -> None:
    """SmartWeb 4.2: the reminder fee of 19 January 2025 (14.00, category O: compensation, not
    a supply) credited in full by hand is a credit note of 14.00 in category O with no VAT,
    naming the fee document SC2025-000002 of 19 January; its UBL passes the rules."""
    from tests.store.test_document_references import SMARTWEB_LATE

    _book(db_url, tmp_path, SMARTWEB_LATE)
    termline(db_url, "run", "--until", "2025-01-20")
    done = json.loads(termline(db_url, "invoice", "credit", "SC2025-000002", "--reason",
                               "geste commercial", "--json"))
    assert (done["net"], done["vat"], done["total"]) == ("14.00", "0.00", "14.00")
    shown = json.loads(termline(db_url, "invoice", "show", done["number"]))
    assert [v["category"] for v in shown["vat"]] == ["O"]
    out = tmp_path / "fee-cn.xml"
    termline(db_url, "invoice", "ubl", done["number"], "-o", str(out))
    valid(out.read_bytes())
    page = unescape(_page(db_url, done["number"]))
    assert "Concerne la facture SC2025-000002 du 19 janv. 2025" in page
    assert "Motif : geste commercial" in page or "Motif: geste commercial" in page


def test_two_credits_at_once_for_the_whole_invoice(db_url: str, tmp_path: Path) -> None:
    """Two credits of all of SC2027-000001 (60.50) at the same moment on PostgreSQL, each in
    its own thread and connection through the use case (`app.credit_notes.credit`): the
    document's row is locked while each is decided, so one succeeds and the other sees it and
    is refused (all 60.50 are credited already). One credit note of 60.50."""
    if not db_url.startswith("postgresql"):
        pytest.skip("row locks: PostgreSQL")
    _two_invoices(db_url, tmp_path)
    engine = make_engine(db_url)
    outcomes: list[Any] = []
    start = threading.Barrier(2)

    def credit() -> None:
        start.wait()
        try:
            outcomes.append(credit_notes.credit(lambda: SqlUnitOfWork(engine), None,
                                                "SC2027-000001", "60.50", "duplicate"))
        except InputError as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=credit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    engine.dispose()
    done = [o for o in outcomes if isinstance(o, dict)]
    refused = [o for o in outcomes if isinstance(o, InputError)]
    assert len(done) == 1 and len(refused) == 1, outcomes
    assert (done[0]["number"], done[0]["total"]) == ("SCCN2027-000001", "60.50")
    assert refused[0].field == "NUMBER" and "credited in full already" in str(refused[0])
    credits = [d for d in _documents(db_url) if d["kind"] == "credit_note"]
    assert [(d["credit_note_for"], d["total"]) for d in credits] == [("SC2027-000001", "60.50")]
    assert _balance(db_url) == ("60.50", "0.00")


def test_receivables_of_an_earlier_day_count_a_credit_note_from_its_day_once(
        db_url: str, tmp_path: Path) -> None:
    """Aged receivables as of a day before the book's last run rebuild each item from the
    allocations stored up to that day, credit notes included. 20.00 of SC2027-000001 (60.50,
    due 3 February: ClientCom 5.2, 30 days) credited on 5 February, the book then run to
    6 February. On 4 February nothing was credited yet: 60.50 one day late (1-30) and
    SC2027-000002 of 4 February current, 60.50: 121.00. On 5 February: 40.50 late + 60.50 =
    101.00, the credit counted once (not once as an allocation and again as the item's
    credited amount)."""
    _two_invoices(db_url, tmp_path)
    termline(db_url, "invoice", "credit", "SC2027-000001", "--amount", "20.00", "--reason",
             "two weeks without service")
    termline(db_url, "run", "--until", "2027-02-06")

    def aged(on: str) -> tuple[str, str, str]:
        row = json.loads(termline(db_url, "receivables", "--on", on, "--format", "json"))[0]
        return row["current"], row["1-30"], row["total"]

    assert aged("2027-02-04") == ("60.50", "60.50", "121.00")
    assert aged("2027-02-05") == ("60.50", "40.50", "101.00")
    assert aged("2027-02-06") == ("60.50", "40.50", "101.00")
