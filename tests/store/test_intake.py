"""Intake: tenants, contract files and event files; bad input names its line and field and
nothing is stored."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from termline.cli.app import app


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
    _setup(db_url, tmp_path)
    events = tmp_path / "events.jsonl"
    events.write_text('{"date": "2027-01-10", "type": "payment", "contract": "acme", '
                      '"amount": "150.00"}\n' * 2, "utf-8")
    assert "2 event(s) stored, 0 already" in termline(
        db_url, "event", "import", str(events), "--tenant", "dk")
    assert "0 event(s) stored, 2 already" in termline(
        db_url, "event", "import", str(events), "--tenant", "dk")
    termline(db_url, "event", "add", "--tenant", "dk", "--contract", "acme", "--type",
             "termination_notice", "--date", "2027-02-01", "--field", "by=customer")
    termline(db_url, "run", "--until", "2027-02-28")
    kinds = [(a["kind"], a.get("amount")) for a in _ledger(db_url)]
    assert kinds == [("contract_started", None), ("invoice_issued", "300.00"),
                     ("payment_applied", "150.00"), ("payment_applied", "150.00"),
                     ("termination_notice_received", None)]
