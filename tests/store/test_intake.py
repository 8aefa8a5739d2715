"""Intake: tenants, contract files and event files; bad input names its line and field and
nothing is stored."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from termline.entrypoints.cli.app import app


def termline(db_url: str, *args: str, code: int = 0) -> str:
    result = CliRunner().invoke(app, list(args), env={"TERMLINE_DATABASE_URL": db_url})
    assert result.exit_code == code, result.output
    return result.output


CONTRACT = """\
id: acme
policy: smartweb
customer: {name: Acme ApS, country: DK}
start: 2027-01-04
lines:
  - {item: SmartWeb Shop, unit_price: "50.00", per: month, quantity: 1}
"""


def _setup(db_url: str, tmp_path: Path) -> None:
    termline(db_url, "db", "upgrade")
    termline(db_url, "tenant", "add", "dk", "--timezone", "Europe/Copenhagen")
    (tmp_path / "acme.yaml").write_text(CONTRACT, "utf-8")
    termline(db_url, "contract", "add", str(tmp_path / "acme.yaml"), "--tenant", "dk")


def _ledger(db_url: str) -> list[dict[str, object]]:
    data = json.loads(termline(db_url, "ledger", "--tenant", "dk", "--format", "json"))
    actions: list[dict[str, object]] = data["actions"]
    return actions


def test_tenant_errors_are_clear(db_url: str, tmp_path: Path) -> None:
    _setup(db_url, tmp_path)
    assert "unknown time zone 'Mars/Base'" in termline(
        db_url, "tenant", "add", "x", "--timezone", "Mars/Base", code=2)
    assert "exists already" in termline(db_url, "tenant", "add", "dk", code=2)
    assert "no tenant 'nobody'" in termline(
        db_url, "contract", "add", str(tmp_path / "acme.yaml"), "--tenant", "nobody", code=2)
    assert "stored already" in termline(
        db_url, "contract", "add", str(tmp_path / "acme.yaml"), "--tenant", "dk", code=2)


def test_a_bad_contract_file_names_line_and_field(db_url: str, tmp_path: Path) -> None:
    termline(db_url, "db", "upgrade")
    bad = tmp_path / "bad.yaml"
    bad.write_text(CONTRACT.replace('"50.00"', '"fifty"'), "utf-8")
    output = termline(db_url, "contract", "add", str(bad), code=2)
    assert "line 6" in output and "lines.0.unit_price" in output


def test_an_invalid_event_in_a_file_stores_nothing(db_url: str, tmp_path: Path) -> None:
    _setup(db_url, tmp_path)
    events = tmp_path / "events.csv"
    events.write_text("date,type,contract,amount,item,quantity\n"
                      "2027-01-10,payment,acme,300.00,,\n"
                      "2027-03-01,seat_change,acme,,SmartWeb Shop,three\n", "utf-8")
    output = termline(db_url, "event", "import", str(events), "--tenant", "dk", code=2)
    assert "events.csv, line 3, field 'quantity'" in output
    unknown = tmp_path / "events.jsonl"
    unknown.write_text('{"date": "2027-01-10", "type": "payment", "contract": "acme", '
                       '"amount": "300.00"}\n'
                       '{"date": "2027-01-11", "type": "payment", "contract": "zork", '
                       '"amount": "1.00"}\n', "utf-8")
    output = termline(db_url, "event", "import", str(unknown), "--tenant", "dk", code=2)
    assert "events.jsonl, line 2, field 'contract': no contract with id 'zork'" in output
    termline(db_url, "run", "--until", "2027-02-28")
    assert not [a for a in _ledger(db_url) if a["kind"] == "payment_applied"]


def test_an_event_file_imported_twice_is_stored_once(db_url: str, tmp_path: Path) -> None:
    """SmartWeb 4.2: two payments of 187.50 pay the invoice of 300.00 + 25 % VAT = 375.00."""
    _setup(db_url, tmp_path)
    events = tmp_path / "events.jsonl"
    events.write_text('{"date": "2027-01-10", "type": "payment", "contract": "acme", '
                      '"amount": "187.50"}\n' * 2, "utf-8")
    assert "2 event(s) stored, 0 already" in termline(
        db_url, "event", "import", str(events), "--tenant", "dk")
    assert "0 event(s) stored, 2 already" in termline(
        db_url, "event", "import", str(events), "--tenant", "dk")
    termline(db_url, "event", "add", "--tenant", "dk", "--contract", "acme", "--type",
             "termination_notice", "--date", "2027-02-01", "--field", "by=customer")
    termline(db_url, "run", "--until", "2027-02-28")
    kinds = [(a["kind"], a.get("amount")) for a in _ledger(db_url)]
    assert kinds == [("contract_started", None), ("invoice_issued", "300.00"),
                     ("payment_applied", "187.50"), ("payment_applied", "187.50"),
                     ("termination_notice_received", None)]


def _payments(db_url: str) -> list[tuple[object, object]]:
    return [(a["date"], a["amount"]) for a in _ledger(db_url)
            if a["kind"] in ("payment_applied", "credit_recorded")]


def _add_payment(db_url: str, amount: str, *extra: str, code: int = 0) -> str:
    return termline(db_url, "event", "add", "--tenant", "dk", "--contract", "acme", "--type",
                    "payment", "--date", "2027-01-10", "--field", f"amount={amount}", *extra,
                    code=code)


def test_two_identical_transfers_on_one_day_are_two_payments(db_url: str,
                                                              tmp_path: Path) -> None:
    """Issue 8: `event add` of a second identical payment used to answer "already stored"
    and drop it. SmartWeb 4.2: 150.00 + 150.00 pay the invoice of 300.00."""
    _setup(db_url, tmp_path)
    assert "event stored" in _add_payment(db_url, "150.00")
    assert "event stored" in _add_payment(db_url, "150.00")
    termline(db_url, "run", "--until", "2027-01-31")
    assert _payments(db_url) == [("2027-01-10", "150.00"), ("2027-01-10", "150.00")]


def test_the_same_reference_twice_is_one_event_and_a_clash_is_refused(
        db_url: str, tmp_path: Path) -> None:
    """A reference (a bank's entry reference) is the event's identity: sent again, it is one
    event; sent with other content, it is refused with the field named."""
    _setup(db_url, tmp_path)
    assert "event stored" in _add_payment(db_url, "300.00", "--field", "reference=BANK-77")
    assert "already stored" in _add_payment(db_url, "300.00", "--field", "reference=BANK-77")
    clash = _add_payment(db_url, "250.00", "--field", "reference=BANK-77", code=2)
    assert "field 'reference'" in clash and "names another stored event" in clash
    termline(db_url, "run", "--until", "2027-01-31")
    assert _payments(db_url) == [("2027-01-10", "300.00")]


def test_an_identical_line_in_another_file_is_another_event(db_url: str,
                                                             tmp_path: Path) -> None:
    """Without a reference an event is identified by its file and line: the same file twice
    is applied once, the same payment in next week's file is a payment of its own."""
    _setup(db_url, tmp_path)
    line = "2027-01-10,payment,acme,100.00\n"
    week1 = tmp_path / "week1.csv"
    week1.write_text("date,type,contract,amount\n" + line, "utf-8")
    week2 = tmp_path / "week2.csv"
    week2.write_text("date,type,contract,amount\n" + line + "\n", "utf-8")
    assert "1 event(s) stored, 0 already" in termline(
        db_url, "event", "import", str(week1), "--tenant", "dk")
    assert "0 event(s) stored, 1 already" in termline(
        db_url, "event", "import", str(week1), "--tenant", "dk")
    assert "1 event(s) stored, 0 already" in termline(
        db_url, "event", "import", str(week2), "--tenant", "dk")
    termline(db_url, "run", "--until", "2027-01-31")
    assert _payments(db_url) == [("2027-01-10", "100.00"), ("2027-01-10", "100.00")]


def test_money_the_store_cannot_hold_is_refused_and_nothing_is_written(
        db_url: str, tmp_path: Path) -> None:
    """Issue 8: amounts with more decimals than EUR has, or out of the store's range, and a
    negative unit price (today a stored invoice of -300.00) are refused with their field."""
    _setup(db_url, tmp_path)
    for amount, message in (("0.00001", "more than 4 decimals"),
                            ("10.001", "more decimals than EUR has"),
                            ("1e400", "out of range"),
                            ("1000000000000000.00", "out of range")):
        output = _add_payment(db_url, amount, code=2)
        assert "field 'amount'" in output and message in output, output
    negative = tmp_path / "neg.yaml"
    negative.write_text(CONTRACT.replace("acme", "neg").replace('"50.00"', '"-50.00"'), "utf-8")
    output = termline(db_url, "contract", "add", str(negative), "--tenant", "dk", code=2)
    assert "line 6" in output and "lines.0.unit_price" in output and "greater than 0" in output
    events = tmp_path / "bad.csv"
    events.write_text("date,type,contract,amount\n2027-01-10,payment,acme,300.00\n"
                      "2027-01-11,payment,acme,12.345\n", "utf-8")
    output = termline(db_url, "event", "import", str(events), "--tenant", "dk", code=2)
    assert "bad.csv, line 3, field 'amount'" in output
    nul = _add_payment(db_url, "1.00", "--field", "reference=A\x00B", code=2)
    assert "field 'reference'" in nul and "NUL" in nul
    termline(db_url, "run", "--until", "2027-01-20")  # 4.2: due 01-12, no reminder yet
    assert _payments(db_url) == []
    assert [c for c in json.loads(termline(db_url, "ledger", "--tenant", "dk", "--format",
                                           "json"))["balances"]] == [
        # 300.00 + 25 % moms = 375.00, the open item (issue 17)
        {"contract": "acme", "principal": "375.00", "fees": "0.00", "interest": "0.00",
         "total": "375.00", "credit": "0.00", "currency": "EUR"}]


def test_a_price_change_needing_an_index_the_tenant_lacks_is_refused(
        db_url: str, tmp_path: Path) -> None:
    """SmartWeb 3.3 caps an announced increase by the DK net price index: without that
    series loaded, the announcement is refused at the door (it used to stop the whole book),
    naming the series and the clause."""
    _setup(db_url, tmp_path)
    output = termline(db_url, "event", "add", "--tenant", "dk", "--json", json.dumps({
        "date": "2027-03-01", "type": "price_change_announced", "contract": "acme",
        "item": "SmartWeb Shop", "new_unit_price": "55.00", "effective": "2027-07-04"}),
        code=2)
    assert "dk-npi" in output.lower() and "3.3" in output and "not loaded" in output
