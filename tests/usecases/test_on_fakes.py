"""The use cases of `app/` on the in-memory fakes: intake, corrections, the daily run and the
book's views, without a database (the fast tier). The SQL store runs the same use cases in
`tests/store/`; `tests/contract/` holds the fakes to its behaviour.

What the fakes carry: everything the ports hold (tenants, contracts, the event log, run
state, the ledger, the imported bank lines, the e-mail outbox). What they do not: the
projection of the ledger into invoices, payments, allocations and numbered documents
(`adapters/sql/projection.py`), so the documents, balances by open item, receivables and
customer listings stay on the SQL tests.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from termline.adapters.memory.memory_tables import MemoryBook
from termline.adapters.memory.memory_uow import MemoryUnitOfWork
from termline.adapters.sql.store_records import BankEntry, BankMatch
from termline.app import bank, corrections, intake, views
from termline.app.inputs import parse_event
from termline.app.run import run
from termline.domain.contract import load_scenario
from termline.domain.engine import simulate_scenario
from termline.domain.errors import InputError
from termline.domain.policy import BUILTIN_PACKS
from tests.store.books import scenario_text


class Book:
    """A store in memory: `book.uow()` for a use case, `book.factory` for a run."""

    def __init__(self) -> None:
        self.memory = MemoryBook()

    def uow(self) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(self.memory)

    factory = uow


def _scenario(tmp_path: Path, pack: str) -> Any:
    path = tmp_path / f"{pack}.yaml"
    path.write_text(scenario_text(pack), "utf-8")
    return load_scenario(path)


def _imported(tmp_path: Path, pack: str) -> tuple[Book, Any]:
    book = Book()
    intake.add_tenant(book.uow(), "default")
    scenario = _scenario(tmp_path, pack)
    intake.import_scenario(book.uow(), scenario)
    return book, scenario


# --- intake ---------------------------------------------------------------------------------

def test_a_tenant_is_added_once_with_a_known_time_zone() -> None:
    book = Book()
    assert intake.add_tenant(book.uow(), "dk", "Europe/Copenhagen") == 1
    with pytest.raises(InputError, match="exists already"):
        intake.add_tenant(book.uow(), "dk")
    with pytest.raises(InputError, match="unknown time zone 'Mars/Base'"):
        intake.add_tenant(book.uow(), "mars", "Mars/Base")
    with book.uow() as uow:
        assert [t.name for t in uow.tenants.tenants()] == ["dk"]


def test_the_only_tenant_is_implied_several_must_be_named() -> None:
    book = Book()
    with book.uow() as uow, pytest.raises(InputError, match="has no tenant"):
        intake.tenant(uow.repo, None)
    intake.add_tenant(book.uow(), "dk")
    with book.uow() as uow:
        assert intake.tenant(uow.repo, None).name == "dk"
    intake.add_tenant(book.uow(), "be")
    with book.uow() as uow:
        with pytest.raises(InputError, match=r"2 tenants \(be, dk\)"):
            intake.tenant(uow.repo, None)
        with pytest.raises(InputError, match="no tenant 'nl'"):
            intake.tenant(uow.repo, "nl")


def test_a_contract_ref_is_stored_once_per_tenant(tmp_path: Path) -> None:
    book, scenario = _imported(tmp_path, "smartweb")
    contract = scenario.contracts[0]
    with pytest.raises(InputError, match=f"contract '{contract.id}' is stored already"):
        intake.add_contracts(book.uow(), [(contract, scenario.policies[contract.id])])
    intake.add_tenant(book.uow(), "other")
    assert len(intake.add_contracts(book.uow(), [(contract, scenario.policies[contract.id])],
                                    "other")) == 1


def test_the_same_reference_is_one_event_and_other_content_is_refused(
        tmp_path: Path) -> None:
    book, _ = _imported(tmp_path, "smartweb")
    paid = parse_event({"date": "2027-03-01", "type": "payment", "contract": "prepay",
                        "amount": "10.00", "reference": "bank-1"})
    assert intake.add_events(book.uow(), [paid]) == (1, 0)
    assert intake.add_events(book.uow(), [paid]) == (0, 1)
    other = parse_event({"date": "2027-03-01", "type": "payment", "contract": "prepay",
                         "amount": "99.00", "reference": "bank-1"})
    with pytest.raises(InputError, match="'bank-1' names another stored event"):
        intake.add_events(book.uow(), [other])
    unknown = parse_event({"date": "2027-03-01", "type": "payment", "contract": "nobody",
                           "amount": "1.00"})
    with pytest.raises(InputError):
        intake.add_events(book.uow(), [unknown])


def test_asking_the_terms_over_a_log_with_an_unreadable_event_names_that_event(
        tmp_path: Path) -> None:
    """The API's check of an event (`precheck.refusals`: would the terms refuse it?) replays
    the contract's stored log. A stored event the model now refuses (a payment of a negative
    amount, stored by an older version) stops it as it stops the run, naming the event; before
    (typed events showed it) the replay failed on the unread event itself ("the step of
    2027-01-21 failed: 'Unreadable' object has no attribute 'type'")."""
    from termline.adapters.memory.memory_tables import EventRow
    from termline.app.precheck import refusals
    from termline.app.run import UnreadableEvent

    book, _ = _imported(tmp_path, "smartweb")
    with book.uow() as uow:
        (stored,) = uow.contracts.contracts(ref="seats")
        owner = intake.tenant(uow.repo, None)
    day = stored.contract.start
    tables = book.memory.committed
    bad = tables.new_id("events")
    tables.events[bad] = EventRow(bad, owner.id, stored.id, day, "payment", "legacy:1",
                                  f'{{"date": "{day}", "type": "payment", "contract": "seats", '
                                  '"amount": "-5.00"}')
    notice = parse_event({"date": str(day + timedelta(days=30)), "type": "termination_notice",
                          "contract": "seats", "by": "customer"}).event
    with book.uow() as uow, pytest.raises(UnreadableEvent,
                                          match=f"stored event {bad} of {day} is not valid"):
        refusals(uow, stored, owner, notice)


# --- the daily run --------------------------------------------------------------------------

@pytest.mark.parametrize("pack", BUILTIN_PACKS)
def test_run_on_the_fakes_equals_simulation(tmp_path: Path, pack: str) -> None:
    """`import` + `run` + `ledger` gives what `simulate` gives (as tests/store/
    test_equivalence.py holds on the databases), a first run part of the way; a second run
    over the same days adds nothing."""
    book, scenario = _imported(tmp_path, pack)
    run(book.factory, date(2027, 6, 15))
    report = run(book.factory, date(2028, 3, 31))
    assert report.actions > 0
    expected = simulate_scenario(scenario, date(2028, 3, 31), None, None).to_json()
    assert views.ledger(book.uow()) == expected
    again = run(book.factory, date(2028, 3, 31))
    assert (again.actions, again.days) == (0, 0)
    assert views.ledger(book.uow()) == expected


def test_a_back_dated_event_recomputes_and_corrects(tmp_path: Path) -> None:
    """A payment dated before the last run: the contract is recomputed from that day, and the
    ledger keeps what no longer follows, each undone action named by `action_corrected`."""
    book, _ = _imported(tmp_path, "smartweb")
    run(book.factory, date(2027, 9, 30))
    late = parse_event({"date": "2027-02-20", "type": "payment", "contract": "nopay",
                        "amount": "5000.00", "reference": "late-transfer"})
    intake.add_events(book.uow(), [late])
    report = run(book.factory, date(2027, 9, 30))
    assert report.corrections > 0
    kinds = [a["kind"] for a in views.ledger(book.uow(), contract_ref="nopay")["actions"]]
    assert kinds.count("action_corrected") == report.corrections
    assert "payment_applied" in kinds


def test_a_day_a_voided_payment_brought_forward_is_stepped_and_nothing_happens(
        tmp_path: Path) -> None:
    """The run takes a run row's `next_due` as the contract's first step day instead of
    computing its wake again (`step_sparse(wake=...)`): a lower bound. A payment posted for
    2027-07-02 brings the SmartWeb contract `late` due that day; voided, the day stays due.
    The run to that day adds no action of `late`, moves its cursor to it and stores the wake
    again as its next day due, and the ledger to 2028-03-31 is `simulate`'s, without the
    payment. (That the given day is the one stepped: tests/test_wake.py.)"""
    book, scenario = _imported(tmp_path, "smartweb")
    run(book.factory, date(2027, 6, 15))
    with book.uow() as uow:
        (late,) = uow.contracts.contracts(ref="late")
        wake = uow.runs.run_state(late.id).next_due
    assert wake > date(2027, 7, 2)
    ghost = parse_event({"date": "2027-07-02", "type": "payment", "contract": "late",
                         "amount": "1.00", "reference": "posted-in-error"})
    assert intake.add_events(book.uow(), [ghost]) == (1, 0)
    logged = corrections.event_log(book.uow(), None, "late")[-1]
    corrections.void_event(book.uow(), None, logged["id"], "posted in error",
                           datetime(2027, 7, 1, tzinfo=UTC))
    with book.uow() as uow:
        assert uow.runs.run_state(late.id).next_due == date(2027, 7, 2)
    before = len(views.ledger(book.uow(), contract_ref="late")["actions"])
    run(book.factory, date(2027, 7, 2))
    with book.uow() as uow:
        stepped = uow.runs.run_state(late.id)
    assert (stepped.cursor, stepped.next_due) == (date(2027, 7, 2), wake)
    assert len(views.ledger(book.uow(), contract_ref="late")["actions"]) == before
    run(book.factory, date(2028, 3, 31))
    assert views.ledger(book.uow()) == simulate_scenario(
        scenario, date(2028, 3, 31), None, None).to_json()


def test_a_day_is_claimed_in_batches_of_one_size_so_workers_end_it_together(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Five SmartWeb contracts starting 2027-01-01, each due that day, run in batches of at
    most 4: two batches are needed, so the run claims 3 and then 2 (before: 4 and then 1, and a
    second worker that took the 1 waited for the other's 3 more); `even_batch` by hand:
    628 due in batches of 500 is 314 twice, 2,091 is 419 five times, 58,669 (the busiest
    day of the year of 100,000) 498 in 118 batches."""
    from termline.adapters.memory.memory_runs import MemoryRuns
    from termline.app.inputs import contract_policy
    from termline.app.run import even_batch
    from termline.domain.contract.model import Contract

    assert [even_batch(500, due) for due in (628, 2_091, 58_669, 500, 501, 1, 0)] == [
        314, 419, 498, 500, 251, 1, 500]
    book = Book()
    intake.add_tenant(book.uow(), "p")
    intake.add_contracts(book.uow(), [
        (shop, contract_policy(shop, "test", None)) for shop in (Contract.model_validate({
            "id": f"shop{n}", "policy": "smartweb", "start": "2027-01-01",
            "customer": {"name": f"Shop {n} ApS", "email": f"shop{n}@example.com"},
            "lines": [{"item": "SmartWeb Shop", "unit_price": "100.00"}]})
            for n in range(5))], "p")
    claims: list[tuple[int, int]] = []
    claim = MemoryRuns.claim

    def recorded(self: MemoryRuns, tenant_id: int, until: date, limit: int = 1) -> Any:
        got = claim(self, tenant_id, until, limit)
        claims.append((limit, len(got)))
        return got

    monkeypatch.setattr(MemoryRuns, "claim", recorded)
    report = run(book.factory, date(2027, 1, 1), batch=4)
    assert claims == [(3, 3), (3, 2), (3, 0)]
    assert report.contracts == 5


# --- corrections ----------------------------------------------------------------------------

def test_a_voided_event_is_marked_in_the_log_and_voided_once(tmp_path: Path) -> None:
    book, _ = _imported(tmp_path, "smartweb")
    log = corrections.event_log(book.uow(), None, "late")
    assert [(e["type"], e["voided"]) for e in log] == [("payment", None), ("payment", None)]
    at = datetime(2027, 7, 1, tzinfo=UTC)
    first = log[0]["id"]
    assert corrections.void_event(book.uow(), None, first, " typo ", at) == \
        {"event": first, "voided": True, "reason": "typo"}
    with pytest.raises(InputError, match="voided already"):
        corrections.void_event(book.uow(), None, first, "again", at)
    with pytest.raises(InputError, match="has no event 999"):
        corrections.void_event(book.uow(), None, 999, "none", at)
    with pytest.raises(InputError, match="say why"):
        corrections.void_event(book.uow(), None, first, "  ", at)
    assert [e["voided"] for e in corrections.event_log(book.uow(), None, "late")] == \
        ["typo", None]


def test_a_set_aside_contract_is_listed_and_resumed(tmp_path: Path) -> None:
    book, _ = _imported(tmp_path, "smartweb")
    with book.uow() as uow:
        (stored,) = uow.contracts.contracts(ref="late")
        uow.runs.set_aside(stored.id, {"reason": "the tenant's data is incomplete"})
        uow.commit()
    assert corrections.problems(book.uow(), None) == {
        "late": {"reason": "the tenant's data is incomplete"}}
    assert corrections.resume(book.uow(), None, "late")
    assert not corrections.resume(book.uow(), None, "prepay")
    with pytest.raises(InputError, match="no contract 'nobody'"):
        corrections.resume(book.uow(), None, "nobody")


# --- the book's views -----------------------------------------------------------------------

def test_timeline_and_deadlines_come_from_the_stored_state(tmp_path: Path) -> None:
    book, scenario = _imported(tmp_path, "smartweb")
    run(book.factory, date(2027, 12, 31))
    line = views.timeline(book.uow(), "seats")
    simulated = simulate_scenario(scenario, date(2027, 12, 31), None, None).to_json()
    assert line["actions"] == [a for a in simulated["actions"] if a["contract"] == "seats"]
    assert line["customer"] == "Seats"
    rows = views.deadlines(book.uow(), on=date(2027, 12, 31))
    assert rows == sorted(rows, key=lambda r: (r["date"], r["contract"], r["kind"]))
    assert {r["tenant"] for r in rows} == {"default"}
    with pytest.raises(InputError, match="no contract 'nobody'"):
        views.timeline(book.uow(), "nobody")


# --- bank lines -----------------------------------------------------------------------------

def test_the_bank_lines_left_unmatched_are_listed_with_what_is_still_open() -> None:
    """`termline bank unmatched` on the fakes (`uow.bank`): E1 (80.00, 03-02) of which 30.00
    was assigned by hand shows 50.00 open; E0 (12.00, 03-01) shows all of it, first (the
    earlier booking); E2, matched at import, and E9, another tenant's, are not listed. Amounts
    as the CLI prints them."""
    book = Book()
    intake.add_tenant(book.uow(), "default")
    with book.uow() as uow:
        tenant = uow.tenants.add_tenant("other", "UTC", {})
        uow.commit()
    with book.uow() as uow:
        (owner,) = [t for t in uow.tenants.tenants() if t.name == "default"]
        line = dict(currency="EUR", debtor="Acme", structured_ref=None, text=None)
        e1 = uow.bank.add_bank_entry(BankEntry(owner.id, "E1", date(2027, 3, 2),
                                               Decimal("80.00"), status="unmatched", **line))
        uow.bank.add_bank_entry(BankEntry(owner.id, "E0", date(2027, 3, 1), Decimal("12.00"),
                                          status="unmatched", **line))
        uow.bank.add_bank_entry(BankEntry(owner.id, "E2", date(2027, 3, 1), Decimal("5.00"),
                                          status="matched", **line))
        uow.bank.add_bank_entry(BankEntry(tenant, "E9", date(2027, 3, 1), Decimal("1.00"),
                                          status="unmatched", **line))
        event = uow.events.add_event(owner.id, None, parse_event(
            {"date": "2027-03-02", "type": "payment", "contract": "*", "amount": "30.00"}
        ).event, "by-hand")
        assert event is not None
        uow.bank.add_bank_match(BankMatch(owner.id, e1, "INV-7", Decimal("30.00"), "manual",
                                          event))
        uow.commit()
    assert [(u["entry_ref"], u["booked"], u["amount"], u["open"], u["debtor"])
            for u in bank.unmatched(book.uow(), "default")] == [
        ("E0", "2027-03-01", "12.00", "12.00", "Acme"),
        ("E1", "2027-03-02", "80.00", "50.00", "Acme")]


# --- the outbox -----------------------------------------------------------------------------

def test_a_renewal_reminder_is_written_30_days_before_the_notice_deadline_once() -> None:
    """As tests/service/test_reminders.py on SQLite: SmartWeb's last day to give notice for
    a term ending 2027-06-30 is 2027-06-16 (14.1, the day before the next period's invoice is
    dispatched 14 days ahead, 4.1); with the default lead of 30 days the reminder is written
    on 2027-05-17 and not on 05-16, once however often asked."""
    from termline.app.inputs import contract_policy
    from termline.app.reminders import due_reminders
    from termline.domain.contract.model import Contract

    loyal = Contract.model_validate({
        "id": "loyal", "policy": "smartweb", "start": "2027-01-01",
        "customer": {"name": "Loyal ApS", "email": "loyal@example.com"},
        "lines": [{"item": "SmartWeb Shop", "unit_price": "100.00"}]})
    book = Book()
    intake.add_tenant(book.uow(), "p")
    with book.uow() as uow:
        owner = uow.tenants.tenant("p")
        assert owner is not None
        uow.tenants.set_tenant_settings(owner.id, {"terms_url": "https://p.example/terms"})
        uow.commit()
    intake.add_contracts(book.uow(), [(loyal, contract_policy(loyal, "test", None))], "p")
    # SmartWeb 4.1: 6 x 100.00 = 600.00 + 25 % Danish VAT = 750.00, paid in full
    intake.add_events(book.uow(), [parse_event({"date": "2027-01-05", "type": "payment",
                                                "contract": "loyal", "amount": "750.00"})], "p")
    with book.uow() as uow:
        tenant = uow.tenants.tenant("p")
    assert tenant is not None
    run(book.factory, date(2027, 5, 16))
    assert due_reminders(book.factory, tenant, date(2027, 5, 16)) == 0
    run(book.factory, date(2027, 5, 17))
    assert due_reminders(book.factory, tenant, date(2027, 5, 17)) == 1
    assert due_reminders(book.factory, tenant, date(2027, 5, 18)) == 0
    with book.uow() as uow:
        (email,) = uow.outbox.emails(tenant.id)
    assert (email.kind, email.to_addr, email.subject) == (
        "renewal_reminder", "loyal@example.com",
        "Contract loyal: last day to give notice is 2027-06-16")
    assert "for an end on 2027-06-30" in email.body
    assert "Clause(s): 14.1. Terms: https://p.example/terms" in email.body
