"""`run --jobs N`: the step in other processes, one writer storing (issue 12).

The pipelined run must store exactly what the claiming run stores (and `simulate` computes),
must not lose an event that arrives between its read of a contract and its store, and must set
a contract whose step fails aside like the claiming run does.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import Engine, select

from documents.conftest import PROFILE
from termline.adapters.sql import service_tables as s
from termline.adapters.sql.codec import decode, encode
from termline.adapters.sql.db import make_engine, upgrade
from termline.adapters.sql.uow import SqlUnitOfWork
from termline.app import intake
from termline.app.inputs import parse_event
from termline.app.pipeline import (
    AHEAD,
    FIRST,
    GROWTH,
    _send,
    _store_flight,
    ramped,
    run_pipelined,
    step_processes,
)
from termline.app.run_parts import RunReport
from termline.app.stepping import STORE_READS, store_view
from termline.domain.engine.actions import Action
from termline.domain.engine.state import ContractState, Item
from termline.domain.policy import BUILTIN_PACKS
from tests.store.books import scenario_text, synthetic_scenario
from tests.store.test_customer_letters import SENDER
from tests.store.test_customer_letters import _contract as _letter_contract
from tests.store.test_equivalence import termline
from tests.store.test_intake_race import TENANT, _scenario
from tests.store.test_poison import _poison, _without


@pytest.mark.parametrize("pack", BUILTIN_PACKS)
def test_pipelined_run_equals_simulation_for_each_pack(db_url: str, pack: str,
                                                       tmp_path: Path) -> None:
    """Each pack's scenario run with one step process, part of the way then to the end, gives
    `simulate`'s actions and balances byte for byte; a run again does nothing."""
    scenario = tmp_path / f"{pack}.yaml"
    scenario.write_text(scenario_text(pack), "utf-8")
    termline(db_url, "db", "upgrade")
    termline(db_url, "tenant", "add", "default")
    termline(db_url, "import", str(scenario))
    termline(db_url, "run", "--until", "2027-06-15", "--jobs", "1", "--batch", "7")
    termline(db_url, "run", "--until", "2028-03-31", "--jobs", "2", "--batch", "7")
    expected = termline(db_url, "simulate", str(scenario), "--format", "json", "--until",
                        "2028-03-31")
    assert termline(db_url, "ledger", "--format", "json") == expected
    again = json.loads(termline(db_url, "run", "--until", "2028-03-31", "--jobs", "1",
                                "--json"))
    assert (again["actions"], again["days"], again["contracts"]) == (0, 0, 0)


_LEDGER_ROWS = ("SELECT c.ref, a.seq, a.date, a.kind, a.natural_key, a.body, a.cause_date, "
                "a.cause_events FROM actions AS a JOIN contracts AS c ON c.id = a.contract_id "
                "ORDER BY c.ref, a.seq")


def _ledger_rows(db_url: str) -> list[tuple[str, ...]]:
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            return [tuple(str(v) for v in row) for row in conn.exec_driver_sql(_LEDGER_ROWS)]
    finally:
        engine.dispose()


def test_a_days_first_batches_are_smaller_so_the_step_starts_sooner() -> None:
    """The writer's first store of a day waits for the first batch's step: a day's first batch
    is a sixteenth of `--batch` (`FIRST`), and each next one three tenths larger (`GROWTH`,
    rounded down, at least one more) until full. A year's days are a few batches each: 30,000
    contracts with `--jobs 1` waited 33.4 s for steps with full batches, 19.7 s from a quarter,
    17.3-21.6 s from a sixteenth doubling; 100,000 waited 51.4 s with the doubling and 40.5 s
    with this growth (docs/benchmarks.md, twenty-seventh round). A batch is never empty."""
    many = 100_000
    assert (FIRST, GROWTH) == (16, (13, 10))
    # 500 // 16 = 31; 31 * 13 // 10 = 40; 40 -> 52 -> 67 -> 87 -> 113 -> 146 -> 189 -> 245
    # -> 318 -> 413 -> 536, full at 500
    assert [ramped(500, sent, many) for sent in range(13)] == [
        31, 40, 52, 67, 87, 113, 146, 189, 245, 318, 413, 500, 500]
    # 4 // 16 = 0, at least 1; then one more each (1 * 13 // 10 = 1)
    assert [ramped(4, sent, many) for sent in range(6)] == [1, 2, 3, 4, 4, 4]
    assert [ramped(1, sent, many) for sent in range(5)] == [1, 1, 1, 1, 1]


def _day(batch: int, due: int) -> list[int]:
    sizes: list[int] = []
    while due > 0:
        sizes.append(ramped(batch, len(sizes), due))
        due -= sizes[-1]
    return sizes


def test_a_days_last_batches_are_smaller_so_its_tail_is_short() -> None:
    """The writer stores a day's last batch after the step processes are done with it, one
    core idle: the last batches are half of what is left, down to a tenth of `--batch`, all of
    the rest once that is at most two tenths. 628 due (a year of 30,000's usual day) went as
    125, 250 and a tail of 253 before the twenty-sixth round; 2,091 (a year of 100,000's) as
    125, 250, 500, 500, 500 and 216. More due than counted (`left` spent, a run over several
    days): full batches."""
    # 628: 31, 40, 52, 67, 87, 113 leave 238; half of it, 119, leaves 119; half, 60, leaves
    # 59, at most two tenths (100): all of it
    assert _day(500, 628) == [31, 40, 52, 67, 87, 113, 119, 60, 59]
    # 2,091: the growth to 318 leaves 803; 413 is more than half of it (402), which leaves
    # 401; then 201, 100, and the last 100
    assert _day(500, 2091) == [31, 40, 52, 67, 87, 113, 146, 189, 245, 318, 402, 201, 100, 100]
    assert _day(500, 10_000)[-6:] == [500, 500, 400, 200, 100, 99]
    assert sum(_day(500, 10_000)) == 10_000
    assert _day(4, 6) == [1, 2, 2, 1]
    assert _day(500, 1) == [1]
    assert [ramped(500, sent, 0) for sent in (0, 1, 4, 9)] == [31, 500, 500, 500]
    assert ramped(500, 5, -40) == 500


@pytest.mark.parametrize(("batch", "jobs"), [("1", "1"), ("4", "1"), ("4", "2")])
def test_batches_sent_ahead_store_what_the_claiming_run_stores(db_url: str, tmp_path: Path,
                                                               batch: str, jobs: str) -> None:
    """The writer keeps `AHEAD` (two) batches with the step process while it stores the one
    before; with one contract a batch, a day with three or more of SmartWeb's six contracts
    due has three batches out at once (with four, a day's batches take 1, 2, 3, then up to
    4 contracts, fewer at the day's end: `ramped`). The writer keys the actions for the ledger
    with one step process; two step processes key them themselves. Every action is stored as
    the claiming run stores it: its contract, sequence, date, kind, its natural key, its body,
    the day and events that caused it. The ledger holds nopay's invoice of 1,132.50 and
    its two reminders' fees of 14.00 (SmartWeb 4.1, 4.3), and a run again finds nothing to do."""
    assert AHEAD == 2
    scenario = tmp_path / "smartweb.yaml"
    scenario.write_text(scenario_text("smartweb"), "utf-8")
    reference = f"sqlite:///{tmp_path / 'claiming.db'}"
    for url, args in ((db_url, ["--jobs", jobs, "--batch", batch]), (reference, [])):
        termline(url, "db", "upgrade")
        termline(url, "tenant", "add", "default")
        termline(url, "import", str(scenario))
        termline(url, "run", "--until", "2027-06-15", *args)
        termline(url, "run", "--until", "2028-03-31", *args)
    rows = _ledger_rows(db_url)
    assert rows == _ledger_rows(reference)
    nopay = [json.loads(r[5]) for r in rows if r[0] == "nopay"]
    assert [(a["date"], a["kind"], a.get("total") or a.get("fee")) for a in nopay
            if "total" in a or "fee" in a] == [
        ("2027-01-04", "invoice_issued", "1132.50"), ("2027-01-22", "reminder_sent", "14.00"),
        ("2027-02-01", "reminder_sent", "14.00")]
    again = json.loads(termline(db_url, "run", "--until", "2028-03-31", "--jobs", "1",
                                "--batch", batch, "--json"))
    assert (again["actions"], again["contracts"]) == (0, 0)


def _run_to(db_url: str, scenario: Path, day: str) -> Engine:
    """The scenario stored for TENANT (Copenhagen) and run to `day` by the claiming run."""
    engine = make_engine(db_url)
    upgrade(engine)
    termline(db_url, "tenant", "add", TENANT, "--timezone", "Europe/Copenhagen")
    termline(db_url, "import", str(scenario), "--tenant", TENANT)
    termline(db_url, "run", "--until", day)
    return engine


@pytest.mark.parametrize(("paid", "due"), [("2027-06-10", "2027-06-10"),
                                           ("2027-06-20", "2027-06-20")])
def test_a_payment_posted_between_the_read_and_the_store_is_not_lost(
        db_url: str, tmp_path: Path, paid: str, due: str) -> None:
    """acme (SmartWeb 4.1/4.2, as in test_intake_race) is read for its invoice of 2027-06-20;
    a payment of 412.07 is committed before the writer stores that day. The writer must leave
    acme due instead of storing past the payment, and the book must end as `simulate` with the
    payment: invoices of 300.00 + 25 % VAT = 375.00, 412.07 - 375.00 = 37.07 on the third:
    337.93 open on 2027-12-31. Dated 2027-06-10, the payment moves acme's next day due (the
    run row's check sees it); dated the invoice's own day, it moves no row, and only the
    events read again see it (`events_mark` moved)."""
    racing = {"date": paid, "type": "payment", "contract": "acme", "amount": "412.07"}
    engine = _run_to(db_url, _scenario(tmp_path), "2027-06-01")
    until = date(2027, 6, 30)
    with step_processes(1) as steps:
        with SqlUnitOfWork(engine) as uow:
            tenant = uow.repo.tenant(TENANT)
            assert tenant is not None
            read = uow.repo.due_runs(tenant.id, until, 10)
            # its last acting day was the payment of 2027-01-10; next, the invoice
            assert [(r.cursor, r.next_due) for r in read] == [(date(2027, 1, 10),
                                                               date(2027, 6, 20))]
            flight = _send(uow, steps, 1, tenant, until, {}, read)
            uow.commit()
        intake.add_events(SqlUnitOfWork(engine), [parse_event(racing)], TENANT)
        report = RunReport()
        with SqlUnitOfWork(engine) as uow:
            assert flight is not None
            assert _store_flight(uow, tenant, until, flight, report) == (0, [])
            uow.commit()
    assert report.contracts == 0 and report.actions == 0  # nothing stored from the stale read
    with SqlUnitOfWork(engine) as uow:
        state = uow.repo.run_state(read[0].contract_id)
    assert (state.cursor, state.next_due) == (date(2027, 1, 10), date.fromisoformat(due))
    engine.dispose()

    termline(db_url, "run", "--until", "2027-12-31", "--jobs", "1")
    expected = json.loads(termline(db_url, "simulate", str(_scenario(tmp_path, racing)),
                                   "--format", "json"))
    ledger = json.loads(termline(db_url, "ledger", "--tenant", TENANT, "--format", "json"))
    assert (ledger["balances"][0]["principal"], ledger["balances"][0]["credit"]) \
        == ("337.93", "0.00")
    assert ledger == expected


def test_a_batch_with_a_row_moved_meanwhile_stores_the_others_and_leaves_it_due(
        db_url: str, tmp_path: Path) -> None:
    """The writer stores a batch on the condition that each run row is still as read
    (`save_stepped`). examples/smartweb.yaml with a twin of nopay (same start, same line), run
    to 2027-01-20: both last acted on 2027-01-19 and are read for their next day, 2027-01-29.
    Then a payment of 100.00 to nopay dated 2027-01-15, before its cursor, is posted: nopay's
    row is marked to recompute from that day (SmartWeb 4.1: a payment settles the oldest
    invoice). Storing the batch finds the row moved, rolls back and stores again with the rows
    read first: the twin's day is stored, nopay stays as it was, due on 2027-01-15 with its
    recompute mark, and the book ends as `simulate` with the payment."""
    example = Path(__file__).resolve().parents[2] / "examples" / "smartweb.yaml"
    twin = ("  - id: twin\n    customer: {name: Twin ApS, country: DK, vat_number: DK12345682}\n"
            "    start: 2027-01-01\n    lines:\n"
            "      - {item: SmartWeb Shop, unit_price: \"100.00\", per: month, quantity: 1}\n")
    scenario = tmp_path / "smartweb.yaml"
    scenario.write_text(example.read_text("utf-8").replace("events:\n", twin + "events:\n"),
                        "utf-8")
    racing = {"date": "2027-01-15", "type": "payment", "contract": "nopay",
              "amount": "100.00"}
    engine = _run_to(db_url, scenario, "2027-01-20")
    until = date(2027, 1, 31)
    with step_processes(1) as steps:
        with SqlUnitOfWork(engine) as uow:
            tenant = uow.repo.tenant(TENANT)
            assert tenant is not None
            read = {json.loads(r.document)["id"]: r
                    for r in uow.repo.due_runs(tenant.id, until, 10)}
            assert {ref: (r.cursor, r.next_due) for ref, r in read.items()} == {
                ref: (date(2027, 1, 19), date(2027, 1, 29)) for ref in ("nopay", "twin")}
            flight = _send(uow, steps, 1, tenant, until, {}, list(read.values()))
            uow.commit()
        intake.add_events(SqlUnitOfWork(engine), [parse_event(racing)], TENANT)
        report = RunReport()
        with SqlUnitOfWork(engine) as uow:
            assert flight is not None
            _store_flight(uow, tenant, until, flight, report)
            uow.commit()
    assert report.contracts == 1  # the twin's, stored once
    with SqlUnitOfWork(engine) as uow:
        stored = uow.repo.run_state(read["twin"].contract_id)
        nopay = uow.repo.run_state(read["nopay"].contract_id)
    assert stored.cursor == date(2027, 1, 29)
    assert (nopay.cursor, nopay.next_due, nopay.recompute_from, nopay.action_count) == (
        date(2027, 1, 19), date(2027, 1, 15), date(2027, 1, 15), read["nopay"].action_count)
    engine.dispose()

    termline(db_url, "run", "--until", "2027-12-31", "--jobs", "1")
    with_payment = tmp_path / "with-payment.yaml"
    with_payment.write_text(scenario.read_text("utf-8") + "  - {" + ", ".join(
        f"{k}: {json.dumps(v)}" for k, v in racing.items()) + "}\n", "utf-8")
    expected = json.loads(termline(db_url, "simulate", str(with_payment), "--format", "json"))
    ledger = json.loads(termline(db_url, "ledger", "--tenant", TENANT, "--format", "json"))
    assert ledger == expected


def test_a_contract_whose_step_fails_is_set_aside_and_the_others_run_on(
        db_url: str, tmp_path: Path) -> None:
    """As in test_poison: a SmartWeb 3.3 price change with no DK net price index fails its
    contract's step of 2027-03-10 in a step process; that contract is set aside with its day
    and event, and the 79 others end exactly as `simulate` without it."""
    scenario = synthetic_scenario(tmp_path / "book.yaml", 80, date(2027, 6, 30), seed=3)
    document: dict[str, Any] = yaml.safe_load(scenario.read_text("utf-8"))
    victim = next(c for c in document["contracts"] if c["policy"] == "smartweb"
                  and date.fromisoformat(str(c["start"])) < date(2027, 3, 1))
    termline(db_url, "db", "upgrade")
    termline(db_url, "tenant", "add", "book")
    termline(db_url, "import", str(scenario), "--tenant", "book")
    termline(db_url, "run", "--until", "2027-03-01", "--jobs", "1")
    _poison(db_url, victim["id"], {"date": "2027-03-10", "type": "price_change_announced",
                                   "item": victim["lines"][0]["item"],
                                   "new_unit_price": "99.00", "effective": "2027-06-01"},
            "legacy:1")
    report = json.loads(termline(db_url, "run", "--until", "2027-06-30", "--jobs", "2",
                                 "--json"))
    assert list(report["set_aside"]) == [victim["id"]]
    assert report["set_aside"][victim["id"]]["day"] == "2027-03-10"
    assert "MissingIndex" in report["set_aside"][victim["id"]]["error"]
    expected = json.loads(termline(db_url, "simulate", str(_without(
        document, {victim["id"]}, tmp_path / "others.yaml")), "--format", "json"))
    ledger = json.loads(termline(db_url, "ledger", "--tenant", "book", "--format", "json"))
    assert [a for a in ledger["actions"] if a["contract"] != victim["id"]] \
        == expected["actions"]
    assert len(expected["balances"]) == 79


_KEPT = {
    "open items": "SELECT c.ref, o.ref, o.kind, o.due, o.amount_open FROM contract_open_items o "
                  "JOIN contracts c ON c.id = o.contract_id",
    "run rows": "SELECT c.ref, r.status, r.access FROM contract_runs r "
                "JOIN contracts c ON c.id = r.contract_id",
    "open totals": "SELECT currency, kind, due, amount FROM book_open WHERE amount <> 0",
    "counts": "SELECT status, access, contracts FROM book_counts WHERE contracts <> 0",
    "documents": "SELECT number, open_amount, status FROM documents",
}


def _kept(db_url: str) -> dict[str, list[tuple[str, ...]]]:
    """The console's kept rows (`kept.keep`), amounts to the cent, dates as text, sorted."""
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            return {name: sorted(tuple(
                f"{Decimal(str(v)):.2f}" if isinstance(v, (int, float, Decimal)) else str(v)
                for v in row) for row in conn.exec_driver_sql(query))
                for name, query in _KEPT.items()}
    finally:
        engine.dispose()


def test_the_pipelined_run_keeps_the_consoles_rows_as_the_claiming_run(
        db_url: str, tmp_path: Path) -> None:
    """The step processes send back each new state as stored text; the writer keeps the
    console's rows from it (open items, status and access, the book's totals, each document's
    open amount). SmartWeb's scenario to 2027-06-15 with `--jobs 1` keeps what the claiming
    run keeps: nopay terminated with no access (SmartWeb 5.3), its invoice nopay-0001 of
    1,132.50 open with the two 14.00 reminder fees (SmartWeb 4.3). Before the writer was sent
    the open items, status and access, it kept every contract `pending` with nothing open."""
    scenario = tmp_path / "smartweb.yaml"
    scenario.write_text(scenario_text("smartweb"), "utf-8")
    reference = f"sqlite:///{tmp_path / 'claiming.db'}"
    for url, jobs in ((db_url, ["--jobs", "1"]), (reference, [])):
        termline(url, "db", "upgrade")
        termline(url, "tenant", "add", "default")
        termline(url, "import", str(scenario))
        termline(url, "run", "--until", "2027-06-15", *jobs)
    kept = _kept(db_url)
    assert kept == _kept(reference)
    assert ("nopay", "terminated", "none") in kept["run rows"]
    assert [row for row in kept["open items"] if row[0] == "nopay"] == [
        ("nopay", "nopay-0001", "invoice", "2027-01-12", "1132.50"),
        ("nopay", "nopay-0001-R1", "fee", "2027-01-22", "14.00"),
        ("nopay", "nopay-0001-R2", "fee", "2027-02-01", "14.00")]


def _mails(db_url: str, tmp_path: Path, contracts: list[dict[str, Any]],
           events: list[dict[str, Any]], until: str) -> dict[str, list[tuple[Any, ...]]]:
    """The e-mails queued by `run --until` with `--jobs 1` on `db_url` and by the claiming run
    on a SQLite file, for SmartWeb contracts under the Belgian seller profile (by URL)."""
    scenario = tmp_path / "book.yaml"
    scenario.write_text(yaml.safe_dump({"policy": "smartweb", "until": until,
                                        "contracts": contracts, "events": events}))
    profile = tmp_path / "profile.yaml"
    profile.write_text(yaml.safe_dump({**PROFILE, "mail_from": SENDER}))
    reference = f"sqlite:///{tmp_path / 'claiming.db'}"
    mails: dict[str, list[tuple[Any, ...]]] = {}
    for url, jobs in ((db_url, ["--jobs", "1"]), (reference, [])):
        termline(url, "db", "upgrade")
        termline(url, "tenant", "add", "default")
        termline(url, "tenant", "profile", "default", str(profile))
        termline(url, "import", str(scenario))
        termline(url, "run", "--until", until, *jobs)
        engine = make_engine(url)
        with engine.connect() as conn:
            mails[url] = [tuple(row) for row in conn.execute(
                select(s.emails.c.to_addr, s.emails.c.kind, s.emails.c.subject,
                       s.emails.c.body, s.emails.c.from_addr, s.emails.c.attachments)
                .order_by(s.emails.c.id))]
        engine.dispose()
    return {"pipelined": mails[db_url], "claiming": mails[reference]}


def test_the_pipelined_run_mails_the_customers_the_claiming_run_mails(
        db_url: str, tmp_path: Path) -> None:
    """The writer takes each contract's document as read and validates it only to write to a
    customer who has an e-mail address (`StoredContract.source`). SmartWeb 4.1/4.2 under the
    Belgian seller profile: klant (Dutch, klant@customer.example) and a customer without an
    address, each SmartWeb Shop 50.00 a month from 2027-01-04, never paid, run to 2027-01-22
    with `--jobs 1`: klant is sent its invoice (6 x 50.00 + 21 % VAT = 363.00) and the first
    reminder (363.00 + the 14.00 fee = 377.00 due), the other customer nothing, and the
    claiming run queues the same e-mails word for word."""
    klant = _letter_contract("klant")
    klant.pop("policy")
    quiet = {**klant, "id": "quiet", "customer": {"name": "Stil BV", "country": "NL"}}
    mails = _mails(db_url, tmp_path, [klant, quiet], [], "2027-01-22")
    assert mails["pipelined"] == mails["claiming"]
    assert [(to, kind) for to, kind, *_ in mails["pipelined"]] == [
        ("klant@customer.example", "invoice_issued"), ("klant@customer.example", "reminder_sent")]
    reminder = mails["pipelined"][1]
    assert reminder[2] == "Herinnering 1: factuur SC2027-000001 is vervallen"
    body = reminder[3].replace("\xa0", " ").replace("\u202f", " ")
    for phrase in ("€ 363,00", "€ 14,00", "Totaal te betalen: € 377,00", "Artikel(s): 4.2"):
        assert phrase in body, phrase


def test_the_writer_reads_a_later_reminder_without_the_settled_invoices(
        db_url: str, tmp_path: Path) -> None:
    """The step processes send the writer the new state without the items that are neither
    open nor named by the day's actions (`stepping.store_view`); the letters and the console's
    rows need no more. SmartWeb 4.1/4.2: klant pays its first half-year, 363.00, on 2027-01-10
    and not its second (invoiced 2027-06-20, 363.00, due eight days later on 2027-06-28): the
    first letter, no earlier than 10 days after the Due Date (2027-07-08), states the second
    invoice and the 14.00 fee, 377.00 in all, and not the settled first, word for word as the
    claiming run (which reads the whole state) writes it; its open items are the claiming
    run's. A view that drops an open item or the reminded invoice fails here."""
    klant = _letter_contract("klant")
    klant.pop("policy")
    paid = {"date": "2027-01-10", "type": "payment", "contract": "klant", "amount": "363.00"}
    mails = _mails(db_url, tmp_path, [klant], [paid], "2027-07-08")
    assert mails["pipelined"] == mails["claiming"]
    assert [kind for _, kind, *_ in mails["pipelined"]] == [
        "invoice_issued", "invoice_issued", "reminder_sent"]
    reminder = mails["pipelined"][2]
    assert reminder[2] == "Herinnering 1: factuur SC2027-000002 is vervallen"
    body = reminder[3].replace("\xa0", " ").replace("\u202f", " ")
    for phrase in ("SC2027-000002", "€ 14,00", "Totaal te betalen: € 377,00"):
        assert phrase in body, phrase
    assert "SC2027-000001" not in body
    assert _kept(db_url)["open items"] == [
        ("klant", "klant-0002", "invoice", "2027-06-28", "363.00"),
        ("klant", "klant-0002-R1", "fee", "2027-07-08", "14.00")]


def test_the_writers_view_of_a_state_holds_what_the_store_reads_and_no_more() -> None:
    """`store_view`: the writer decodes the status and access (the console's rows and the run
    row's columns), the steps done (a reminder letter's next step), the open items and the item
    each of the day's actions names; not the settled items nor the mechanisms' own fields
    (term, quantities). A SmartWeb contract on 2027-07-25: its first half-year invoice paid
    (4.1), its second (363.00, due 2027-06-28) reminded on 2027-07-08 and 2027-07-18 (4.2, ten
    days apart) and its access suspended seven days after the second reminder (4.3); today's
    payment of 14.00 settles the first reminder's fee (4.2)."""
    day = date(2027, 7, 25)
    paid = Item("klant-0001", "invoice", date(2027, 1, 1), date(2027, 1, 9), Decimal("363.00"),
                1, paid=Decimal("363.00"), settled_on=date(2027, 1, 10))
    open_ = Item("klant-0002", "invoice", date(2027, 6, 20), date(2027, 6, 28),
                 Decimal("363.00"), 2)
    settled_today = Item("klant-0002-R1", "fee", date(2027, 7, 8), date(2027, 7, 8),
                         Decimal("14.00"), 3, paid=Decimal("14.00"), settled_on=day)
    steps = (("klant-0002", "reminder_1", date(2027, 7, 8)),
             ("klant-0002", "reminder_2", date(2027, 7, 18)),
             ("klant-0002", "suspension", day))
    state = ContractState(status="active", access="suspended", term_start=date(2027, 1, 1),
                          term_end=date(2027, 12, 31), quantities=(("seats", 3),),
                          items=(paid, open_, settled_today), steps_done=steps)
    acts = [Action(day, "payment_applied", "klant", ("4.2",),
                   (("ref", "klant-0002-R1"), ("amount", Decimal("14.00"))))]
    data = encode(state, ContractState)
    view = store_view(data, state, acts)
    assert set(view) == STORE_READS == {"status", "access", "items", "steps_done"}
    seen: ContractState = decode(ContractState, view)
    assert (seen.status, seen.access, seen.steps_done) == ("active", "suspended", steps)
    assert seen.items == (open_, settled_today)
    assert (seen.term_end, seen.quantities) == (None, ())
    # nothing to leave out: the data itself, not a copy
    bare = ContractState(status="active", access="full", items=(open_,))
    whole = encode(bare, ContractState)
    assert store_view(whole, bare, []) is whole


# run in a step process by name (a builtin, so that the child imports nothing to find it)
_LOADED = ("sorted({m.split('.')[0] for m in __import__('sys').modules} & "
           "{'sqlalchemy', 'alembic', 'psycopg', 'typer', 'rich', 'fastapi'})")


def test_a_step_process_starts_with_the_pure_core_and_not_the_store_or_the_command_line(
) -> None:
    """A step process imports what it steps with (`stepping`: the pure core, the store's
    records) and neither the store's driver nor the command line it was started from: with
    them it imported 0.80 s of modules where it needs 0.49 s (docs/benchmarks.md, twenty-fifth
    round)."""
    with step_processes(1) as steps:
        assert steps.pool().apply(eval, (_LOADED,)) == []
        loaded = "'termline.domain.registry' in __import__('sys').modules"
        assert steps.pool().apply(eval, (loaded,))
    launched = subprocess.run(
        [sys.executable, "-c", "import sys, termline.entrypoints.cli.launch\n"
                               f"print({_LOADED})"],
        check=True, capture_output=True, text=True)
    assert launched.stdout.strip() == "[]"


def test_a_run_with_nothing_due_starts_no_step_process(db_url: str, tmp_path: Path) -> None:
    """The step processes are spawned when the first batch is sent: run again to the day it
    reached, the book has nothing due and `run --jobs 1` starts none (it took 0.50 s a run
    where the claiming run takes 0.02 s); run on to 2027-06-30, acme's invoice of 2027-06-20
    (SmartWeb 4.1: 300.00 and 25 % VAT) is stepped in one, and the pool is stopped on leaving."""
    engine = _run_to(db_url, _scenario(tmp_path), "2027-06-01")
    try:
        with step_processes(1) as steps:
            idle = run_pipelined(lambda: SqlUnitOfWork(engine), date(2027, 6, 1), steps, 1)
            assert (idle.contracts, idle.actions, steps.started) == (0, 0, False)
            busy = run_pipelined(lambda: SqlUnitOfWork(engine), date(2027, 6, 30), steps, 1)
            assert (busy.contracts, steps.started) == (1, True)
            with engine.connect() as conn:
                issued = [(kind, json.loads(body)["total"]) for kind, body in conn.exec_driver_sql(
                    "SELECT kind, body FROM actions WHERE date = '2027-06-20'")]
            assert issued == [("invoice_issued", "375.00")]
        assert not steps.started
    finally:
        engine.dispose()
