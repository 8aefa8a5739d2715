"""Issue 12, "Getting the book in": a book streamed from JSON Lines (or the contracts CSV)
stores what the YAML scenario import stores, all or nothing, and a file of events imported
twice is stored once."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import func, select
from typer.testing import CliRunner

import termline.domain.registry  # the engine's mechanisms, for with_payments
from termline.adapters.sql import tables as t
from termline.app.book_import import import_book
from termline.devtools.synthetic import (
    scenario_document,
    synthetic_book,
    with_payments,
    write_jsonl,
)
from termline.domain.errors import InputError
from termline.entrypoints.cli.app import app

UNTIL = date(2027, 3, 31)


def termline(db_url: str, *args: str, code: int = 0) -> tuple[str, str]:
    result = CliRunner().invoke(app, list(args), env={"TERMLINE_DATABASE_URL": db_url})
    assert result.exit_code == code, (result.output, result.exception)
    return result.stdout, result.stderr


def _store(db_url: str) -> None:
    termline(db_url, "db", "upgrade")
    termline(db_url, "tenant", "add", "acme")


def _ledger(db_url: str) -> Any:
    termline(db_url, "run", "--until", UNTIL.isoformat())
    return json.loads(termline(db_url, "ledger", "--format", "json")[0])


@pytest.fixture(scope="module")
def book_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """60 synthetic contracts over the five packs with their payments to the end of March
    2027, as a scenario (YAML) and as JSON Lines of contracts and of events."""
    folder = tmp_path_factory.mktemp("book")
    book = with_payments(synthetic_book(60, first_start=date(2026, 7, 1)), UNTIL)
    assert len(book.events) > 20
    write_jsonl(book, folder / "book.jsonl", folder / "events.jsonl")
    (folder / "book.yaml").write_text(yaml.safe_dump(scenario_document(book, UNTIL)), "utf-8")
    return folder


def _counts(db_url: str) -> tuple[int, int, int]:
    from termline.adapters.sql.db import make_engine

    engine = make_engine(db_url)
    with engine.connect() as conn:
        found = tuple(int(conn.execute(select(func.count()).select_from(table)).scalar_one())
                      for table in (t.contracts, t.contract_runs, t.events))
    engine.dispose()
    return found  # type: ignore[return-value]


def test_streamed_book_stores_what_the_scenario_import_stores(
        db_url: str, book_files: Path, tmp_path: Path) -> None:
    reference = f"sqlite:///{tmp_path / 'yaml.db'}"
    _store(reference)
    out, _ = termline(reference, "import", str(book_files / "book.yaml"))
    _store(db_url)
    streamed, _ = termline(db_url, "import", "--contracts", str(book_files / "book.jsonl"),
                           "--events", str(book_files / "events.jsonl"))
    events = sum(1 for _ in (book_files / "events.jsonl").open())
    assert f"60 contract(s) and {events} event(s) stored" in out
    assert f"60 contract(s) and {events} event(s) stored, 0 event(s) already stored" \
        in streamed
    expected, got = _ledger(reference), _ledger(db_url)
    assert len(expected["actions"]) > 100
    assert got == expected


def test_the_yaml_scenario_is_streamed_and_stores_what_load_scenario_stores(
        db_url: str, book_files: Path, tmp_path: Path, uow: Any) -> None:
    """`import book.yaml` reads the contracts as a stream, in chunks of 7 here (no fallback
    to the whole-file reader, which would raise NotAMapping) and stores what
    `intake.import_scenario` stores from `load_scenario`; a second import is refused."""
    from termline.adapters.sql.db import make_engine
    from termline.adapters.sql.uow import SqlUnitOfWork
    from termline.app import intake
    from termline.app.scenario_import import import_scenario_file
    from termline.domain.contract import load_scenario

    reference = f"sqlite:///{tmp_path / 'whole.db'}"
    _store(reference)
    engine = make_engine(reference)
    whole = intake.import_scenario(SqlUnitOfWork(engine), load_scenario(book_files / "book.yaml"))
    engine.dispose()
    with uow() as unit:
        unit.repo.add_tenant("acme", "UTC", {})
        unit.commit()
    assert import_scenario_file(uow(), book_files / "book.yaml", "acme", chunk=7) == whole
    assert whole[0] == 60 and whole[1] > 20
    assert _ledger(db_url) == _ledger(reference)
    _, err = termline(db_url, "import", str(book_files / "book.yaml"), code=2)
    assert "is stored already for tenant 'acme'" in err


def test_the_same_events_file_twice_is_stored_once(db_url: str, book_files: Path) -> None:
    """Events without a reference are keyed by the file's content and line (intake.event_key)."""
    _store(db_url)
    events = sum(1 for _ in (book_files / "events.jsonl").open())
    termline(db_url, "import", "--contracts", str(book_files / "book.jsonl"))
    first, _ = termline(db_url, "import", "--events", str(book_files / "events.jsonl"))
    again, _ = termline(db_url, "import", "--events", str(book_files / "events.jsonl"))
    assert f"0 contract(s) and {events} event(s) stored, 0 event(s) already" in first
    assert f"0 contract(s) and 0 event(s) stored, {events} event(s) already stored" in again
    assert _counts(db_url) == (60, 60, events)


def _edited(book_files: Path, tmp_path: Path, number: int, change: Any) -> Path:
    """The book with line `number` changed in place (`change` edits the parsed row)."""
    lines = (book_files / "book.jsonl").read_text("utf-8").splitlines()
    row = json.loads(lines[number - 1])
    change(row)
    lines[number - 1] = json.dumps(row)
    book = tmp_path / "book.jsonl"
    book.write_text("\n".join(lines) + "\n", "utf-8")
    return book


def _tenant(uow: Any) -> None:
    with uow() as unit:
        unit.repo.add_tenant("acme", "UTC", {})
        unit.commit()


def test_a_bad_contract_late_in_the_book_stores_nothing(db_url: str, book_files: Path,
                                                        tmp_path: Path, uow: Any) -> None:
    """Chunks of 7: the bad line 58 comes after eight chunks were written in the same
    transaction; all of it rolls back."""
    book = _edited(book_files, tmp_path, 58, lambda row: row["lines"][0].update(
        unit_price="12,50"))
    _tenant(uow)
    with pytest.raises(InputError) as caught:
        import_book(uow(), book, book_files / "events.jsonl", "acme", chunk=7)
    assert (caught.value.source, caught.value.line, caught.value.field) == \
        (str(book), 58, "lines.0.unit_price")
    assert _counts(db_url) == (0, 0, 0)


def test_a_bad_event_late_in_the_file_stores_no_contract_and_no_event(
        db_url: str, book_files: Path, tmp_path: Path) -> None:
    """A payment of 10.005 EUR: the euro has 2 decimals (scenario.checks), named on its line
    after every contract and the events before it were written."""
    events = (book_files / "events.jsonl").read_text("utf-8").splitlines()
    late = len(events) - 1
    bad = json.loads(events[late])
    bad.update(type="payment", amount="10.005")
    bad.pop("reason", None)
    events[late] = json.dumps(bad)
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(events) + "\n", "utf-8")
    _store(db_url)
    _, err = termline(db_url, "import", "--contracts", str(book_files / "book.jsonl"),
                      "--events", str(path), code=2)
    assert f"{path}, line {late + 1}, field 'amount'" in " ".join(err.split())
    assert _counts(db_url) == (0, 0, 0)


CSV = ("id;customer;country;start;policy;item;unit_price;per;quantity\n"
       "acme;Acme ApS;DK;2027-01-04;smartweb;SmartWeb Shop;50,00;month;1\n"
       "acme;;;;;Extra storage;12,50;month;2\n"
       "beta;Beta ApS;DK;2027-02-01;smartweb;SmartWeb Shop;50,00;month;1\n")


def test_the_contracts_csv_streams_as_contract_import_reads_it(db_url: str,
                                                              tmp_path: Path) -> None:
    """SmartWeb 4.1 (six months in advance): acme's two rows are one contract of
    50.00 + 2 x 12.50 = 75.00 a month, invoiced 6 x 75.00 = 450.00 on 2027-01-04; the
    decimal commas are detected as `contract import` detects them."""
    (tmp_path / "book.csv").write_text(CSV, "utf-8")
    _store(db_url)
    out, err = termline(db_url, "import", "--contracts", str(tmp_path / "book.csv"))
    assert "2 contract(s) and 0 event(s) stored" in out
    assert "50,00 is read as 50.00" in err
    invoices = [(a["contract"], a["amount"]) for a in _ledger(db_url)["actions"]
                if a["kind"] == "invoice_issued"]
    assert invoices[0] == ("acme", "450.00")
    reference = f"sqlite:///{tmp_path / 'rows.db'}"
    _store(reference)
    termline(reference, "contract", "import", str(tmp_path / "book.csv"))
    assert _ledger(reference) == _ledger(db_url)


def test_a_bad_contract_late_in_a_yaml_scenario_stores_nothing(
        db_url: str, book_files: Path, tmp_path: Path) -> None:
    """The scenario's contracts are streamed and written a chunk at a time; a bad price on
    the last contract still names its line and field, and nothing is stored."""
    document = yaml.safe_load((book_files / "book.yaml").read_text("utf-8"))
    document["contracts"][-1]["lines"][0]["unit_price"] = "12,50"
    path = tmp_path / "book.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), "utf-8")
    line = next(number for number, text in enumerate(path.read_text("utf-8").splitlines(), 1)
                if "12,50" in text)
    _store(db_url)
    _, err = termline(db_url, "import", str(path), code=2)
    last = len(document["contracts"]) - 1
    assert f"{path}, line {line}, field 'contracts.{last}.lines.0.unit_price'" \
        in " ".join(err.split())
    assert _counts(db_url) == (0, 0, 0)


def test_a_scenario_whose_pack_follows_its_contracts_stores_the_same(
        db_url: str, book_files: Path, tmp_path: Path) -> None:
    """`contracts` before `policy` and `until`: the streamed reader checks those at the end
    (or reads the file whole when a contract needs the default pack first)."""
    document = yaml.safe_load((book_files / "book.yaml").read_text("utf-8"))
    path = tmp_path / "book.yaml"
    reordered = {"contracts": document.pop("contracts"), **document}
    path.write_text(yaml.safe_dump(reordered, sort_keys=False), "utf-8")
    _store(db_url)
    out, _ = termline(db_url, "import", str(path))
    events = len(document["events"])
    assert f"60 contract(s) and {events} event(s) stored" in out
    assert _counts(db_url) == (60, 60, events)


def test_a_book_imported_twice_is_refused_at_its_first_line(
        db_url: str, book_files: Path, uow: Any) -> None:
    """The store refuses the second import's first chunk (written in the writer thread on
    PostgreSQL, while the next chunk is read): its first contract is named, nothing more is
    stored."""
    with uow() as unit:
        unit.repo.add_tenant("acme", "UTC", {})
        unit.commit()
    import_book(uow(), book_files / "book.jsonl", None, "acme", chunk=7)
    with pytest.raises(InputError) as caught:
        import_book(uow(), book_files / "book.jsonl", book_files / "events.jsonl", "acme",
                    chunk=7)
    assert (caught.value.line, caught.value.field) == (1, "id")
    assert "is stored already for tenant 'acme'" in caught.value.message
    assert _counts(db_url) == (60, 60, 0)


def test_a_ref_repeated_chunks_later_names_both_lines(db_url: str, book_files: Path,
                                                      tmp_path: Path, uow: Any) -> None:
    """Into a tenant without contracts no chunk asks the store for its refs: the store's
    unique key refuses line 50's ref, which line 3 gave, and the file is read again to say
    so. Nothing is stored."""
    first = json.loads((book_files / "book.jsonl").read_text("utf-8").splitlines()[2])["id"]
    book = _edited(book_files, tmp_path, 50, lambda row: row.update(id=first))
    _tenant(uow)
    with pytest.raises(InputError) as caught:
        import_book(uow(), book, None, "acme", chunk=7)
    assert (caught.value.source, caught.value.line, caught.value.field) == (str(book), 50, "id")
    assert caught.value.message == \
        f"contract id {first!r} appears twice (first on line 3)"
    assert _counts(db_url) == (0, 0, 0)
