"""Issue 8, "One command line": one tenant rule, listings with --format table|json|csv, aged
receivables, the ledger as a table, run summaries in words, `--version`."""

from __future__ import annotations

import csv
import io
import json
import textwrap
from pathlib import Path

from sqlalchemy import func, select
from typer.testing import CliRunner

from termline.adapters.sql import tables as t
from termline.adapters.sql.db import make_engine
from termline.entrypoints.cli.app import app

# SmartWeb 4.1/4.2: six months invoiced in advance on the start day, due 8 days later.
AGED = textwrap.dedent("""\
    policy: smartweb
    until: 2027-04-20
    contracts:
      - {id: fresh, customer: {name: Acme ApS}, start: 2027-04-15,
         lines: [{item: Shop, unit_price: "50.00"}]}
      - {id: month, customer: {name: Acme ApS}, start: 2027-03-10,
         lines: [{item: Shop, unit_price: "100.00"}]}
      - {id: ten, customer: {name: Ten ApS}, start: 2027-03-25,
         lines: [{item: Shop, unit_price: "20.00"}]}
      - {id: sixty, customer: {name: Sixty ApS}, start: 2027-02-10,
         lines: [{item: Shop, unit_price: "10.00"}]}
      - {id: nopay, customer: {name: Nopay ApS}, start: 2027-01-01,
         lines: [{item: Shop, unit_price: "100.00"}]}
    events: []
    """)


def termline(db_url: str, *args: str, code: int = 0, **env: str) -> tuple[str, str]:
    result = CliRunner().invoke(app, list(args), env={"TERMLINE_DATABASE_URL": db_url, **env})
    assert result.exit_code == code, (result.output, result.exception)
    return result.stdout, result.stderr


def _aged_book(db_url: str, tmp_path: Path) -> None:
    (tmp_path / "aged.yaml").write_text(AGED, "utf-8")
    termline(db_url, "db", "upgrade")
    termline(db_url, "tenant", "add", "dk", "--timezone", "Europe/Copenhagen")
    termline(db_url, "import", str(tmp_path / "aged.yaml"))
    termline(db_url, "run", "--until", "2027-04-20")


def test_aged_receivables_by_hand(db_url: str, tmp_path: Path) -> None:
    """SmartWeb on 2027-04-20. 4.1: each contract's first invoice is 6 months of its price,
    due 8 days after its start (4.2), open at its total with 25 % Danish VAT (issue 17: the
    receivable is the document). fresh 300.00 -> 375.00 due 04-23: current. month 600.00 ->
    750.00 due 03-18: 33 days late, 31-60. ten 120.00 -> 150.00 due 04-02: 18 days, 1-30.
    sixty 60.00 -> 75.00 due 02-18: 61 days, 61-90. nopay 600.00 -> 750.00 due 01-09: 101
    days, 90+. Fees (4.2, EUR 14 a reminder, 10 days after the due date and 10 days apart;
    outside the scope of VAT): 2, 2, 1, 2 reminders. Interest (4.2, 1.5 % a completed month
    from the due date, compound, on the amount due including VAT): month 1 month 750 x 1.5 %
    = 11.25; sixty 2 months 75 x (1.015^2 - 1) = 2.2669 -> 2.27; nopay 3 months
    750 x (1.015^3 - 1) = 34.2588 -> 34.26; ten none. Acme ApS holds fresh and month: one
    row, 375.00 + 750.00 + 28.00 + 11.25 = 1164.25."""
    _aged_book(db_url, tmp_path)
    out, err = termline(db_url, "receivables", "--on", "2027-04-20", "--format", "json")
    assert err == ""
    assert json.loads(out) == [
        {"customer": "Acme ApS", "current": "375.00", "1-30": "0.00", "31-60": "750.00",
         "61-90": "0.00", "90+": "0.00", "fees": "28.00", "interest": "11.25",
         "total": "1164.25", "currency": "EUR"},
        {"customer": "Nopay ApS", "current": "0.00", "1-30": "0.00", "31-60": "0.00",
         "61-90": "0.00", "90+": "750.00", "fees": "28.00", "interest": "34.26",
         "total": "812.26", "currency": "EUR"},
        {"customer": "Sixty ApS", "current": "0.00", "1-30": "0.00", "31-60": "0.00",
         "61-90": "75.00", "90+": "0.00", "fees": "28.00", "interest": "2.27",
         "total": "105.27", "currency": "EUR"},
        {"customer": "Ten ApS", "current": "0.00", "1-30": "150.00", "31-60": "0.00",
         "61-90": "0.00", "90+": "0.00", "fees": "14.00", "interest": "0.00",
         "total": "164.00", "currency": "EUR"}]
    out, _ = termline(db_url, "receivables", "--on", "2027-04-20", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["customer"], r["total"]) for r in rows] == [
        ("Acme ApS", "1164.25"), ("Nopay ApS", "812.26"), ("Sixty ApS", "105.27"),
        ("Ten ApS", "164.00")]
    out, _ = termline(db_url, "receivables", "--on", "2027-04-20")
    assert "Aged receivables on 2027-04-20" in out and "Sixty ApS" in out
    # After the last run: a warning. Before it: what was open then (issue 17), below.
    _, err = termline(db_url, "receivables", "--on", "2027-05-20")
    assert err.startswith("warning: ") and "run through 2027-04-20" in err


def test_aged_receivables_on_an_earlier_day_by_hand(db_url: str, tmp_path: Path) -> None:
    """The same book, run through 2027-04-20, aged as of 2027-04-01 (issue 17: what was open
    then). fresh starts 04-15: nothing yet. month 600.00 due 03-18: 14 days, 1-30; one
    reminder (03-28, EUR 14; the second is 04-07); no completed month of interest. ten 120.00
    due 04-02: current. sixty 60.00 due 02-18: 42 days, 31-60; two reminders (02-28, 03-10);
    one completed month: 60 x 1.5 % = 0.90. nopay 600.00 due 01-09: 82 days, 61-90; two
    reminders; two completed months: 600 x (1.015^2 - 1) = 18.135 -> 18.14.
    Issue 17, gross (25 % moms on every invoice, fees without VAT, interest on the amount due
    incl. VAT): month 750.00 + 14 = 764.00; ten 150.00; sixty 75.00 + 28 + 75 x 1.5 % (1.125
    -> 1.13) = 104.13; nopay 750.00 + 28 + 750 x (1.015^2 - 1) (22.6688 -> 22.67) = 800.67."""
    _aged_book(db_url, tmp_path)
    out, err = termline(db_url, "receivables", "--on", "2027-04-01", "--format", "json")
    assert err == ""
    assert [(r["customer"], r["current"], r["1-30"], r["31-60"], r["61-90"], r["90+"],
             r["fees"], r["interest"], r["total"]) for r in json.loads(out)] == [
        ("Acme ApS", "0.00", "750.00", "0.00", "0.00", "0.00", "14.00", "0.00", "764.00"),
        ("Nopay ApS", "0.00", "0.00", "0.00", "750.00", "0.00", "28.00", "22.67", "800.67"),
        ("Sixty ApS", "0.00", "0.00", "75.00", "0.00", "0.00", "28.00", "1.13", "104.13"),
        ("Ten ApS", "150.00", "0.00", "0.00", "0.00", "0.00", "0.00", "0.00", "150.00")]
    # before the book's first day: nothing was owed
    out, _ = termline(db_url, "receivables", "--on", "2026-12-31", "--format", "json")
    assert json.loads(out) == []


def test_balances_contracts_customers_and_tenants(db_url: str, tmp_path: Path) -> None:
    """The same book: per-customer balance (Acme ApS: 375.00 + 750.00 principal, the invoices'
    totals with 25 % VAT), contract
    list (month: suspended 7 days after the second reminder of 04-07, 4.3: 04-14), contract
    show, customer list and tenant list, each in json and csv."""
    _aged_book(db_url, tmp_path)
    out, _ = termline(db_url, "balance", "--customer", "Acme ApS", "-f", "json")
    assert json.loads(out) == [{"customer": "Acme ApS", "contracts": 2, "principal": "1125.00",
                                "fees": "28.00", "interest": "11.25", "total": "1164.25",
                                "credit": "0.00", "currency": "EUR"}]
    contracts = {c["contract"]: c for c in json.loads(
        termline(db_url, "contract", "list", "-f", "json")[0])}
    assert (contracts["month"]["customer"], contracts["month"]["status"],
            contracts["month"]["access"], contracts["month"]["next_due"],
            contracts["month"]["total"], contracts["month"]["problem"]) == \
        ("Acme ApS", "active", "suspended", "2027-03-18", "789.25", "")
    assert contracts["fresh"]["access"] == "full"
    table, _ = termline(db_url, "contract", "list")
    assert "Nopay ApS" in table and "suspended" in table
    shown = json.loads(termline(db_url, "contract", "show", "month", "-f", "json")[0])
    assert [(i["ref"], i["kind"], i["open"]) for i in shown["open_items"]] == [
        ("month-0001", "invoice", "750.00"), ("month-0001-R1", "fee", "14.00"),
        ("month-0001-R2", "fee", "14.00")]
    _, err = termline(db_url, "contract", "show", "nobody", code=2)
    assert "no contract 'nobody'" in err
    customers = json.loads(termline(db_url, "customer", "list", "-f", "json")[0])
    assert [(c["customer"], c["contracts"]) for c in customers] == [
        ("Acme ApS", ["fresh", "month"]), ("Nopay ApS", ["nopay"]), ("Sixty ApS", ["sixty"]),
        ("Ten ApS", ["ten"])]
    out, _ = termline(db_url, "tenant", "list", "-f", "csv")
    assert out == ("tenant,timezone,contracts,run_through\n"
                   "dk,Europe/Copenhagen,5,2027-04-20\n")


def _counts(db_url: str) -> tuple[int, int]:
    engine = make_engine(db_url)
    with engine.connect() as conn:
        found = (conn.execute(select(func.count()).select_from(t.tenants)).scalar_one(),
                 conn.execute(select(func.count()).select_from(t.contracts)).scalar_one())
    engine.dispose()
    return found


def test_one_tenant_rule(db_url: str, tmp_path: Path) -> None:
    """No tenant: `import` and `event add` refuse and create none (today they create
    `default`). One tenant: used without --tenant. Two: --tenant (or TERMLINE_TENANT) is
    needed, and the error lists them; `ledger` never mixes two tenants' actions."""
    (tmp_path / "aged.yaml").write_text(AGED, "utf-8")
    termline(db_url, "db", "upgrade")
    _, err = termline(db_url, "import", str(tmp_path / "aged.yaml"), code=2)
    assert "no tenant" in err and "termline tenant add" in err
    _, err = termline(db_url, "event", "add", "--contract", "ten", "--type", "payment",
                      "--date", "2027-04-01", "--field", "amount=1.00", code=2)
    assert "termline tenant add" in err
    assert _counts(db_url) == (0, 0)
    termline(db_url, "tenant", "add", "dk")
    termline(db_url, "import", str(tmp_path / "aged.yaml"))
    termline(db_url, "tenant", "add", "be")
    _, err = termline(db_url, "ledger", code=2)
    assert "2 tenants (be, dk)" in err and "--tenant" in err
    _, err = termline(db_url, "contract", "list", code=2)
    assert "2 tenants (be, dk)" in err
    _, err = termline(db_url, "import", str(tmp_path / "aged.yaml"), code=2)
    assert "2 tenants (be, dk)" in err
    termline(db_url, "import", str(tmp_path / "aged.yaml"), "--tenant", "be")
    termline(db_url, "run", "--until", "2027-04-20")
    only_dk = json.loads(termline(db_url, "ledger", "-f", "json", TERMLINE_TENANT="dk")[0])
    both = json.loads(termline(db_url, "ledger", "--tenant", "be", "-f", "json")[0])
    assert only_dk == both  # the same book under two tenants, each its own ledger
    assert len(only_dk["balances"]) == 5
    _, err = termline(db_url, "ledger", "--tenant", "fr", code=2)
    assert "no tenant 'fr' (tenants: be, dk" in err


def test_ledger_table_marks_corrections_and_summaries_speak_plainly(db_url: str,
                                                                      tmp_path: Path) -> None:
    """SmartWeb 4.2: invoice 300.00 (375.00 with 25 % VAT) due 2025-01-09, first reminder
    01-19. A payment of the total made
    01-08 but reported after the run: the reminder is corrected. The table shows amounts and
    marks the reminder `corrected` and its correction, not a second line of money."""
    scenario = tmp_path / "one.yaml"
    scenario.write_text(textwrap.dedent("""\
        policy: smartweb
        until: 2025-03-31
        contracts:
          - id: acme
            customer: {name: Acme ApS, country: DK}
            start: 2025-01-01
            lines: [{item: SmartWeb Shop, unit_price: "50.00"}]
        events: []
        """), "utf-8")
    termline(db_url, "db", "upgrade")
    termline(db_url, "tenant", "add", "dk")
    termline(db_url, "import", str(scenario))
    out, _ = termline(db_url, "run", "--until", "2025-01-20")
    assert out.startswith("1 invoice issued, 1 reminder sent, 1 contract started (")
    termline(db_url, "event", "add", "--contract", "acme", "--type", "payment", "--date",
             "2025-01-08", "--field", "amount=375.00")
    data = json.loads(termline(db_url, "run", "--until", "2025-03-31", "--json")[0])
    assert data["kinds"]["action_corrected"] == 1 and data["corrections"] == 1
    table, _ = termline(db_url, "ledger")
    lines = table.splitlines()
    reminder = next(line for line in lines if "reminder_sent" in line)
    assert "14.00 EUR" in reminder and "corrected" in reminder and "Acme ApS" in reminder
    correction = next(line for line in lines if "action_corrected" in line)
    assert "undoes reminder_sent of 2025-01-19" in correction
    # the invoice as the books hold it (issue 17): 6 x 50.00 = 300.00 + 25 % moms = 375.00,
    # what `balance` and `invoice list` show; net and VAT beside it
    invoice = next(line for line in lines if "invoice_issued" in line)
    assert "375.00 EUR" in invoice and "net 300.00 + VAT 75.00" in invoice
    rows = list(csv.DictReader(io.StringIO(termline(db_url, "ledger", "-f", "csv")[0])))
    assert next((r["amount"], r["net"], r["vat"]) for r in rows
                if r["action"] == "invoice_issued") == ("375.00", "300.00", "75.00")
    assert [(r["date"], r["action"], r["amount"], r["note"]) for r in rows
            if r["action"] in ("reminder_sent", "action_corrected", "payment_applied")] == [
        ("2025-01-08", "payment_applied", "375.00", ""),  # recomputed: the invoice is paid
        ("2025-01-19", "reminder_sent", "14.00", "corrected"),
        ("2025-03-31", "action_corrected", "", "undoes reminder_sent of 2025-01-19")]


def test_version_and_deadlines_past_the_last_run(db_url: str, tmp_path: Path) -> None:
    from importlib.metadata import version

    out, _ = termline(db_url, "--version")
    assert out == f"termline {version('termline')}\n"
    _aged_book(db_url, tmp_path)
    _, err = termline(db_url, "deadlines", "--on", "2027-04-20")
    assert err == ""
    out, err = termline(db_url, "deadlines", "--on", "2027-06-01", "-f", "json")
    assert "warning: the book of tenant dk is run through 2027-04-20, before 2027-06-01" in err
    assert {r["customer"] for r in json.loads(out)} >= {"Acme ApS", "Ten ApS"}
