"""Issue 8, "Spreadsheets as finance teams have them": event and contract files as Excel and
LibreOffice save them (UTF-8 BOM, `;`, decimal commas), refused with the line when a row does
not fit its header, and `contract import` all or nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from termline.adapters.files.csv_table import read_table
from termline.domain.errors import InputError
from termline.entrypoints.cli.app import app

BOM = "\ufeff"


def termline(db_url: str, *args: str, code: int = 0) -> tuple[str, str]:
    result = CliRunner().invoke(app, list(args), env={"TERMLINE_DATABASE_URL": db_url})
    assert result.exit_code == code, (result.output, result.exception)
    return result.stdout, result.stderr


CONTRACTS = (BOM + "id;customer;country;start;policy;item;unit_price;per;quantity\n"
             "acme;Acme ApS;DK;2027-01-04;smartweb;SmartWeb Shop;50,00;month;1\n"
             "acme;;;;;Extra storage;12,50;month;2\n"
             "beta;Beta ApS;DK;2027-02-01;smartweb;SmartWeb Shop;50,00;month;1\n")


def _book(db_url: str, tmp_path: Path) -> None:
    termline(db_url, "db", "upgrade")
    termline(db_url, "tenant", "add", "dk", "--timezone", "Europe/Copenhagen")
    (tmp_path / "contracts.csv").write_text(CONTRACTS, "utf-8")
    out, err = termline(db_url, "contract", "import", str(tmp_path / "contracts.csv"))
    assert "2 contract(s) with 3 line(s) stored" in out
    assert "decimal commas detected" in err and "50,00 is read as 50.00" in err


def _ledger(db_url: str) -> list[dict[str, object]]:
    actions: list[dict[str, object]] = json.loads(termline(
        db_url, "ledger", "--format", "json")[0])["actions"]
    return actions


def test_contract_import_and_a_semicolon_file_with_decimal_commas(db_url: str,
                                                                   tmp_path: Path) -> None:
    """SmartWeb 4.1 (six months in advance): acme's two rows are one contract of
    50.00 + 2 x 12.50 = 75.00 a month, invoiced 6 x 75.00 = 450.00 on 2027-01-04; the bank's
    `;` export with a BOM and `300,00` is a payment of 300.00."""
    _book(db_url, tmp_path)
    events = tmp_path / "bank.csv"
    events.write_text(BOM + "date;type;contract;amount;reference\n"
                      "2027-01-10;payment;acme;300,00;BANK-1\n", "utf-8")
    out, err = termline(db_url, "event", "import", str(events))
    assert "1 event(s) stored" in out and "300,00 is read as 300.00" in err
    termline(db_url, "run", "--until", "2027-01-31")
    money = [(a["kind"], a["contract"], a.get("amount")) for a in _ledger(db_url)
             if a["kind"] in ("invoice_issued", "payment_applied")]
    assert money == [("invoice_issued", "acme", "450.00"), ("payment_applied", "acme", "300.00")]


def test_extra_cells_unknown_columns_and_wrong_separators_are_refused(db_url: str,
                                                                      tmp_path: Path) -> None:
    """Today `2027-06-01,payment,acme,1,250.00` under a 4-column header is a payment of 1 and
    an extra `USD` cell vanishes: both are refused with their line; nothing is stored."""
    _book(db_url, tmp_path)
    cases = {
        "comma.csv": ("date,type,contract,amount\n2027-06-01,payment,acme,1,250.00\n",
                      "comma.csv, line 2: 5 cells where the header has 4"),
        "usd.csv": ("date,type,contract,amount\n2027-06-01,payment,acme,250.00,USD\n",
                    "usd.csv, line 2: 5 cells where the header has 4"),
        "typo.csv": ("date,type,contract,amout\n2027-06-01,payment,acme,250.00\n",
                     "typo.csv, line 1: unknown column 'amout'"),
        "tabs.csv": ("date\ttype\tcontract\tamount\n2027-06-01\tpayment\tacme\t250.00\n",
                     "the separator between cells is ',' or ';'"),
    }
    for name, (text, expected) in cases.items():
        (tmp_path / name).write_text(text, "utf-8")
        _, err = termline(db_url, "event", "import", str(tmp_path / name), code=2)
        assert expected in err and len(err.strip().splitlines()) == 1, err
    termline(db_url, "run", "--until", "2027-06-30")
    assert not [a for a in _ledger(db_url) if a["kind"] == "payment_applied"]


def test_contract_import_is_all_or_nothing(db_url: str, tmp_path: Path) -> None:
    """A bad unit price on the second contract's line names line and column; the first
    contract is not stored either. JSON lines work the same way."""
    termline(db_url, "db", "upgrade")
    termline(db_url, "tenant", "add", "dk")
    bad = tmp_path / "contracts.jsonl"
    bad.write_text('{"id": "one", "customer": "One ApS", "start": "2027-01-01", '
                   '"policy": "smartweb", "item": "Shop", "unit_price": "50.00"}\n'
                   '{"id": "two", "customer": "Two ApS", "start": "2027-01-01", '
                   '"policy": "smartweb", "item": "Shop", "unit_price": "fifty"}\n', "utf-8")
    _, err = termline(db_url, "contract", "import", str(bad), code=2)
    assert "contracts.jsonl, line 2, field 'unit_price'" in err
    out, _ = termline(db_url, "contract", "list", "--format", "json")
    assert json.loads(out) == []
    mixed = tmp_path / "mixed.csv"
    mixed.write_text("id,customer,start,policy,item,unit_price\n"
                     "one,One ApS,2027-01-01,smartweb,Shop,50.00\n"
                     "one,Other ApS,,,Extra,5.00\n", "utf-8")
    _, err = termline(db_url, "contract", "import", str(mixed), code=2)
    assert "mixed.csv, line 3, field 'customer': contract 'one' has customer 'One ApS'" in err


@pytest.mark.parametrize(("text", "asked", "expected"), [
    ('amount\n"250,00"\n', True, "250.00"),          # asked: a quoted cell in a ',' file
    ('amount\n"250,00"\n', None, "250,00"),          # ',' file: never guessed
    ("a;amount\nx;1.250,50\n", None, "1250.50"),     # detected: ';' and a decimal comma
    ("a;amount\nx;1,250\n", None, "1,250"),          # 1,250: a thousands comma? not guessed
    ("a;amount\nx;250,00\ny;3.50\n", None, "250,00"),  # mixed marks: not guessed
])
def test_decimal_commas_only_when_asked_or_unambiguous(text: str, asked: bool | None,
                                                       expected: str) -> None:
    table = read_table(text, "t.csv", {"a", "amount"}, {"amount"}, asked)
    assert table.rows[0].cells["amount"] == expected


def test_a_header_only_names_known_columns() -> None:
    with pytest.raises(InputError, match="column 'amount' appears twice"):
        read_table("amount,amount\n1,2\n", "t.csv", {"amount"}, {"amount"})
