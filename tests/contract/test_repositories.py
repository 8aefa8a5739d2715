"""What the repositories promise (`app/ports.py`), held the same on every store: the
in-memory fakes cannot drift from SQLite and PostgreSQL."""

from __future__ import annotations

import json
import threading
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from pydantic import TypeAdapter

from termline.adapters.sql.store_records import (
    NEVER,
    BankEntry,
    BankMatch,
    NewAction,
    NewEmail,
    RunDay,
    UnmatchedEntry,
    Unreadable,
)
from termline.app.ports import UnitOfWork, UowFactory
from termline.domain.contract.model import Contract, Event
from termline.domain.engine.actions import action
from termline.domain.engine.state import ContractState
from termline.domain.errors import ConcurrentWrite
from termline.domain.policy import load_pack

SMARTWEB = load_pack("smartweb")
EVENT: TypeAdapter[Any] = TypeAdapter(Event)


def contract(ref: str, start: str = "2027-01-04", name: str = "Acme ApS") -> Contract:
    return Contract.model_validate({
        "id": ref, "customer": {"name": name, "country": "DK"}, "start": start,
        "lines": [{"item": "Shop", "unit_price": "50.00", "per": "month", "quantity": 1}]})


def payment(day: str, ref: str = "acme", amount: str = "50.00") -> Any:
    return EVENT.validate_python({"date": day, "type": "payment", "contract": ref,
                                  "amount": amount})


def book(store: UowFactory, *refs: str) -> tuple[int, list[int]]:
    """A tenant with contracts (smartweb), committed: (tenant id, contract ids)."""
    with store() as uow:
        tenant = uow.tenants.add_tenant("dk", "Europe/Copenhagen", {"a": 1})
        ids = [uow.contracts.add_contract(tenant, contract(ref, name=ref), SMARTWEB)
               for ref in refs]
        uow.commit()
    return tenant, ids


# --- tenants --------------------------------------------------------------------------------

def test_tenants_by_name_in_added_order_settings_as_stored(store: UowFactory) -> None:
    with store() as uow:
        b = uow.tenants.add_tenant("b", "UTC", {"profile": {"name": "B"}, "n": [1, "2"]})
        a = uow.tenants.add_tenant("a", "Europe/Brussels", {})
        assert [t.name for t in uow.tenants.tenants()] == ["b", "a"]
        found = uow.tenants.tenant("b")
        assert found is not None and found.id == b
        assert found.settings == {"profile": {"name": "B"}, "n": [1, "2"]}
        assert uow.tenants.tenant("nobody") is None
        uow.tenants.set_tenant_settings(a, {"renewal_reminder_days": 10})
        again = uow.tenants.tenant("a")
        assert again is not None and again.settings == {"renewal_reminder_days": 10}
        assert again.timezone == "Europe/Brussels"


def test_run_through_never_moves_back(store: UowFactory) -> None:
    with store() as uow:
        t = uow.tenants.add_tenant("dk", "UTC", {})
        assert uow.tenants.run_through(t) is None
        uow.tenants.record_run(t, date(2027, 3, 1))
        uow.tenants.record_run(t, date(2027, 2, 1))
        assert uow.tenants.run_through(t) == date(2027, 3, 1)
        uow.tenants.record_run(t, date(2027, 4, 1))
        assert uow.tenants.run_through(t) == date(2027, 4, 1)


# --- policies, customers, contracts ---------------------------------------------------------

def test_policy_versions_are_stored_once_per_content(store: UowFactory) -> None:
    other = load_pack("clientcom")
    with store() as uow:
        first = uow.policies.policy_version(SMARTWEB)
        assert uow.policies.policy_version(SMARTWEB) == first
        second = uow.policies.policy_version(other)
        assert second != first
        assert uow.policies.policy(first) == SMARTWEB
        assert uow.policies.policy_text(second) == other.model_dump_json(by_alias=True)


def test_customer_is_one_per_name_country_and_email(store: UowFactory) -> None:
    with store() as uow:
        t = uow.tenants.add_tenant("dk", "UTC", {})
        acme = contract("x").customer
        first = uow.contracts.customer(t, acme)
        assert uow.contracts.customer(t, acme) == first
        assert uow.contracts.customer(t, acme.model_copy(update={"email": "a@b.dk"})) != first


def test_a_new_contract_is_due_on_its_first_day_with_an_empty_state(store: UowFactory) -> None:
    tenant, (acme, globex) = book(store, "acme", "globex")
    with store() as uow:
        stored = uow.contracts.contracts(tenant)
        assert [(s.id, s.contract.id) for s in stored] == [(acme, "acme"), (globex, "globex")]
        assert stored[0].contract == contract("acme", name="acme")
        assert stored[0].policy_version_id == uow.policies.policy_version(SMARTWEB)
        assert [s.id for s in uow.contracts.contracts(ref="globex")] == [globex]
        assert uow.contracts.contracts(tenant + 1) == []
        run = uow.runs.run_state(acme)
        assert (run.cursor, run.next_due, run.recompute_from, run.action_count, run.problem) \
            == (date(2027, 1, 3), date(2027, 1, 4), None, 0, None)
        assert run.state == ContractState()


def test_rollback_and_leaving_without_commit_store_nothing(store: UowFactory) -> None:
    with store() as uow:
        uow.tenants.add_tenant("kept", "UTC", {})
        uow.commit()
        uow.tenants.add_tenant("rolled-back", "UTC", {})
        uow.rollback()
        assert [t.name for t in uow.tenants.tenants()] == ["kept"]
        uow.tenants.add_tenant("dropped", "UTC", {})
    with store() as uow:
        assert [t.name for t in uow.tenants.tenants()] == ["kept"]


def test_a_duplicate_key_leaves_the_unit_of_work_as_a_concurrent_write(
        store: UowFactory) -> None:
    """ports.UnitOfWork: a write a unique key refuses (here a tenant's name, stored by another
    transaction first) leaves the block as `ConcurrentWrite`, the same on every store, so that
    a caller retries without naming the database's error; nothing of the block is kept."""
    with store() as uow:
        uow.tenants.add_tenant("dk", "Europe/Copenhagen", {})
        uow.commit()
    with pytest.raises(ConcurrentWrite), store() as uow:
        uow.tenants.add_tenant("se", "Europe/Stockholm", {})
        uow.tenants.add_tenant("dk", "UTC", {})
        uow.commit()
    with store() as uow:
        assert [(t.name, t.timezone) for t in uow.tenants.tenants()] \
            == [("dk", "Europe/Copenhagen")]


# --- the event log --------------------------------------------------------------------------

def test_one_event_per_natural_key_and_its_payload_as_stored(store: UowFactory) -> None:
    tenant, (acme,) = book(store, "acme")
    with store() as uow:
        first = uow.events.add_event(tenant, acme, payment("2027-01-10"), "ref:1")
        assert first is not None
        assert uow.events.add_event(tenant, acme, payment("2027-01-11", amount="9.00"),
                                    "ref:1") is None
        assert uow.events.event_key_payload(tenant, "ref:1") == \
            payment("2027-01-10").model_dump_json(by_alias=True)
        assert uow.events.event_key_payload(tenant, "ref:2") is None


def test_events_in_received_order_with_broadcasts_and_bounds(store: UowFactory) -> None:
    tenant, (acme, globex) = book(store, "acme", "globex")
    with store() as uow:
        acme_c, globex_c = uow.contracts.contracts(tenant)
        late = uow.events.add_event(tenant, acme, payment("2027-02-10"), "k1")
        early = uow.events.add_event(tenant, acme, payment("2027-01-20"), "k2")
        other = uow.events.add_event(tenant, globex, payment("2027-01-15", "globex"), "k3")
        wide = uow.events.add_event(tenant, None, payment("2027-01-25"), "k4")
        before = uow.events.add_event(tenant, acme, payment("2027-01-01"), "k5")  # pre-start
        got = uow.events.events(acme_c, None)
        assert [e.id for e in got] == [late, early, wide]  # received, not dated, order
        assert got[1].event == payment("2027-01-20")
        assert [e.id for e in uow.events.events(acme_c, date(2027, 1, 20))] == [late, wide]
        assert [e.id for e in uow.events.events(acme_c, None, date(2027, 1, 25))] == \
            [early, wide]
        after = uow.events.events_after(tenant, [(acme_c, date(2027, 1, 20)),
                                                 (globex_c, date(2027, 1, 3))])
        assert {cid: [e.id for e in evs] for cid, evs in after.items()} == \
            {acme: [late, wide], globex: [other, wide]}
        raw = uow.events.raw_events_after(tenant, [(acme, date(2027, 1, 24), date(2027, 1, 4))])
        assert [(i, d) for i, d, _ in raw[acme]] == [(late, date(2027, 2, 10)),
                                                     (wide, date(2027, 1, 25))]
        assert uow.events.raw_events_after(tenant, []) == {}
        assert before is not None


def test_an_unreadable_payload_is_returned_as_such(store: UowFactory) -> None:
    tenant, (acme,) = book(store, "acme")

    class Odd:  # an event the current model refuses (stored by an older version)
        date = date(2027, 1, 10)
        type = "payment"

        def model_dump_json(self, by_alias: bool = False) -> str:
            return '{"date": "2027-01-10", "type": "payment", "contract": "acme"}'

    with store() as uow:
        uow.events.add_event(tenant, acme, Odd(), "odd")
        (stored,) = uow.events.events(uow.contracts.contracts(tenant)[0], None)
        assert isinstance(stored.event, Unreadable)
        assert stored.event.date == date(2027, 1, 10) and "amount" in stored.event.problem


def test_a_voided_event_stays_in_the_log_but_no_run_reads_it(store: UowFactory) -> None:
    tenant, (acme,) = book(store, "acme")
    at = datetime(2027, 2, 1, 9, tzinfo=UTC)
    with store() as uow:
        kept = uow.events.add_event(tenant, acme, payment("2027-01-10"), "k1")
        gone = uow.events.add_event(tenant, acme, payment("2027-01-12"), "k2")
        wide = uow.events.add_event(tenant, None, payment("2027-01-13"), "k3")
        assert kept is not None and gone is not None and wide is not None
        assert uow.events.void_event(tenant, gone, "duplicate transfer", at) == \
            (acme, date(2027, 1, 12))
        with pytest.raises(ValueError):
            uow.events.void_event(tenant, gone, "again", at)
        with pytest.raises(LookupError):
            uow.events.void_event(tenant + 1, kept, "other tenant", at)
        with pytest.raises(LookupError):
            uow.events.void_event(tenant, 10_000, "none", at)
        assert [e.id for e in uow.events.events(uow.contracts.contracts()[0], None)] == \
            [kept, wide]
        log = uow.events.event_log(tenant)
        assert [(e.id, e.contract, e.natural_key, e.void_reason) for e in log] == [
            (kept, "acme", "k1", None), (gone, "acme", "k2", "duplicate transfer"),
            (wide, None, "k3", None)]
        assert log[0].payload == {"date": "2027-01-10", "contract": "acme",
                                  "reference": None, "type": "payment", "amount": "50.00",
                                  "invoice": None, "end_to_end_id": None}
        assert [e.id for e in uow.events.event_log(tenant, acme)] == [kept, gone, wide]
        assert uow.events.event_log(tenant + 1) == []


# --- run state ------------------------------------------------------------------------------

def test_claims_take_the_most_overdue_first_never_the_never_due(store: UowFactory) -> None:
    """A claim takes the earliest due day only (issue 17: legal numbers run in issue-date
    order, so no contract of a later day is stepped while one of an earlier day waits)."""
    tenant, ids = book(store, "a", "b", "c")
    with store() as uow:
        first = uow.runs.run_state(ids[0])
        uow.runs.save_run(first, _moved(first, next_due=date(2027, 1, 2)))
        uow.runs.set_aside(ids[1], {"reason": "bad event"})
        assert uow.runs.count_due(tenant, date(2027, 1, 4)) == 2
        assert uow.runs.count_due(tenant, date(2027, 1, 3)) == 1
        assert uow.runs.count_due(tenant, date(9999, 12, 31)) == 2  # NEVER is never due
        claimed = uow.runs.claim(tenant, date(2027, 1, 4), limit=5)
        assert [(sc.id, rs.next_due) for sc, rs in claimed] == [(ids[0], date(2027, 1, 2))]
        assert claimed[0][0].contract.id == "a"
        assert uow.runs.claim(tenant + 1, date(2027, 1, 4)) == []
        # the day's last contract in flight: nothing of a later day is handed out meanwhile
        assert uow.runs.due_runs(tenant, date(2027, 1, 4), limit=1, skip={ids[0]}) == []
        uow.runs.save_run(uow.runs.run_state(ids[0]),
                          _moved(uow.runs.run_state(ids[0]), next_due=date(2027, 1, 5)))
        assert [sc.id for sc, _ in uow.runs.claim(tenant, date(2027, 1, 4), limit=5)] == [ids[2]]
        due = uow.runs.due_runs(tenant, date(2027, 1, 4), limit=1)
        assert [(d.contract_id, d.start, d.mark()) for d in due] == [
            (ids[2], date(2027, 1, 4), (date(2027, 1, 3), date(2027, 1, 4), None, 0))]
        assert due[0].document == contract("c", name="c").model_dump_json(by_alias=True)
        assert [sc.id for sc, _ in uow.runs.claim_ids([ids[2], ids[0]])] == [ids[0], ids[2]]


def test_due_runs_leave_out_the_rows_in_flight_and_still_fill_the_batch(store: UowFactory
                                                                         ) -> None:
    """The pipelined run reads a batch while others are in flight (`skip`): those are left
    out, and the batch still takes `limit` of the others, most overdue first (all three start,
    and are due, on 2027-01-04)."""
    tenant, ids = book(store, "a", "b", "c")
    day = date(2027, 1, 4)
    with store() as uow:
        assert [d.contract_id for d in uow.runs.due_runs(tenant, day, 2, skip={ids[0]})] == \
            [ids[1], ids[2]]
        assert [d.contract_id for d in uow.runs.due_runs(tenant, day, 1, skip={ids[0]})] == \
            [ids[1]]
        assert [d.contract_id for d in uow.runs.due_runs(tenant, day, 5, skip={ids[1]})] == \
            [ids[0], ids[2]]
        assert uow.runs.due_runs(tenant, day, 5, skip=set(ids)) == []


def _moved(run: Any, **changes: Any) -> Any:
    from dataclasses import replace
    return replace(run, **changes)


def test_save_is_optimistic_and_clears_a_problem(store: UowFactory) -> None:
    _, (acme,) = book(store, "acme")
    with store() as uow:
        old = uow.runs.run_state(acme)
        new = _moved(old, cursor=date(2027, 1, 31), next_due=date(2027, 2, 4), action_count=3,
                     state=ContractState(), recompute_from=None)
        assert uow.runs.save_run(old, new)
        assert not uow.runs.save_run(old, new)  # the cursor moved meanwhile
        assert not uow.runs.save_runs([(new, new), (old, new)])
        stored = uow.runs.run_state(acme)
        assert (stored.cursor, stored.next_due, stored.action_count) == \
            (date(2027, 1, 31), date(2027, 2, 4), 3)
        assert uow.runs.save_runs([])
        uow.runs.set_aside(acme, {"reason": "x"})
        assert uow.runs.run_marks([acme]) == {}
        assert uow.runs.save_run(stored, _moved(stored, cursor=date(2027, 2, 1)))
        assert uow.runs.run_state(acme).problem is None
        assert uow.runs.run_marks([acme]) == {
            acme: (date(2027, 2, 1), date(2027, 2, 4), None, 3)}


def test_set_aside_until_resumed_from_the_day_after_the_cursor(store: UowFactory) -> None:
    tenant, (acme, globex) = book(store, "acme", "globex")
    with store() as uow:
        assert not uow.runs.resume(acme)
        uow.runs.set_aside(acme, {"reason": "unreadable", "event": 4})
        assert uow.runs.problems(tenant) == {acme: {"reason": "unreadable", "event": 4}}
        assert uow.runs.run_state(acme).next_due == NEVER
        assert uow.runs.resume(acme)
        assert uow.runs.run_state(acme).next_due == date(2027, 1, 4)
        assert uow.runs.problems(tenant + 1) == {}
        assert globex not in uow.runs.problems(tenant)


def _at_february_end(uow: UnitOfWork, *contract_ids: int) -> None:
    """Each contract run through 2027-02-28, next due on 2027-03-04."""
    for cid in contract_ids:
        old = uow.runs.run_state(cid)
        assert uow.runs.save_run(old, _moved(old, cursor=date(2027, 2, 28),
                                             next_due=date(2027, 3, 4)))


def test_an_event_makes_its_contract_due_and_a_back_dated_one_recompute(
        store: UowFactory) -> None:
    tenant, (acme, globex) = book(store, "acme", "globex")
    with store() as uow:
        _at_february_end(uow, acme, globex)
        uow.runs.note_event(tenant, acme, date(2027, 3, 2))  # ahead of the cursor
        acme_run, globex_run = uow.runs.run_state(acme), uow.runs.run_state(globex)
        assert (acme_run.next_due, acme_run.recompute_from) == (date(2027, 3, 2), None)
        assert (globex_run.next_due, globex_run.recompute_from) == (date(2027, 3, 4), None)
        uow.runs.note_event(tenant, acme, date(2027, 2, 10))  # back-dated
        uow.runs.note_event(tenant, acme, date(2027, 2, 20))  # a later one keeps the earliest
        acme_run = uow.runs.run_state(acme)
        assert (acme_run.next_due, acme_run.recompute_from) == \
            (date(2027, 2, 10), date(2027, 2, 10))
        uow.runs.note_event(tenant, None, date(2027, 2, 15))  # a broadcast: every contract
        globex_run = uow.runs.run_state(globex)
        assert (globex_run.next_due, globex_run.recompute_from) == \
            (date(2027, 2, 15), date(2027, 2, 15))
        assert uow.runs.run_state(acme).recompute_from == date(2027, 2, 10)


def test_a_deferred_note_changes_nothing_until_taken_then_what_note_event_does(
        store: UowFactory) -> None:
    """The service's intake defers its note (`defer_note`, issue 18: a request never waits
    for a claim); the run takes the notes (`take_notes`) with `note_event`'s effect: each
    contract due by its earliest event, recomputed when back-dated, a broadcast for all."""
    tenant, (acme, globex) = book(store, "acme", "globex")
    with store() as uow:
        _at_february_end(uow, acme, globex)
        uow.runs.defer_note(tenant, acme, date(2027, 2, 20))
        uow.runs.defer_note(tenant, acme, date(2027, 2, 10))  # the earliest counts
        uow.runs.defer_note(tenant, globex, date(2027, 3, 2))  # ahead of the cursor
        uow.runs.defer_note(tenant, None, date(2027, 3, 3))  # a broadcast: every contract
        assert (uow.runs.run_state(acme).next_due, uow.runs.run_state(acme).recompute_from) \
            == (date(2027, 3, 4), None)
        uow.commit()
    with store() as uow:
        assert uow.runs.take_notes() == 4
        uow.commit()
    with store() as uow:
        acme_run, globex_run = uow.runs.run_state(acme), uow.runs.run_state(globex)
        assert (acme_run.next_due, acme_run.recompute_from) == \
            (date(2027, 2, 10), date(2027, 2, 10))
        assert (globex_run.next_due, globex_run.recompute_from) == (date(2027, 3, 2), None)
        assert uow.runs.take_notes() == 0  # taken once


def test_notes_taken_in_a_transaction_rolled_back_are_taken_again(store: UowFactory) -> None:
    tenant, (acme,) = book(store, "acme")
    with store() as uow:
        uow.runs.defer_note(tenant, acme, date(2027, 1, 2))
        uow.commit()
    with store() as uow:
        assert uow.runs.take_notes() == 1  # and no commit
    with store() as uow:
        assert uow.runs.take_notes() == 1
        uow.commit()
        assert uow.runs.run_state(acme).next_due == date(2027, 1, 2)


def test_save_runs_stores_each_contract_of_a_batch(store: UowFactory) -> None:
    _, ids = book(store, "a", "b")
    with store() as uow:
        olds = [uow.runs.run_state(cid) for cid in ids]
        news = [_moved(o, cursor=date(2027, 1, 10), next_due=date(2027, 2, 4), action_count=2)
                for o in olds]
        assert uow.runs.save_runs(list(zip(olds, news, strict=True)))
        assert [uow.runs.run_state(cid).cursor for cid in ids] == [date(2027, 1, 10)] * 2


def test_a_stepped_save_stores_only_rows_still_as_read(store: UowFactory) -> None:
    """The pipelined run's store (`save_stepped`): a row is stored only if its whole mark is
    what `due_runs` read and it is not set aside; the row read carries what the console keeps
    for its contract (currency, status, access as stored)."""
    tenant, (a, b, c, d) = book(store, "a", "b", "c", "d")
    with store() as uow:
        _at_february_end(uow, a, b, c, d)
        read = {r.contract_id: r for r in uow.runs.due_runs(tenant, date(2027, 3, 4), 5)}
        assert sorted((r.contract_id, r.mark(), r.currency, r.status, r.access)
                      for r in read.values()) == [
            (cid, (date(2027, 2, 28), date(2027, 3, 4), None, 0), "EUR", "pending", "none")
            for cid in sorted((a, b, c, d))]
        uow.runs.note_event(tenant, a, date(2027, 3, 2))  # due earlier: next_due moved
        uow.runs.note_event(tenant, b, date(2027, 2, 10))  # back-dated: to recompute
        uow.runs.set_aside(c, {"reason": "x"})

        def stepped(cid: int) -> tuple[Any, Any]:
            return read[cid], _moved(uow.runs.run_state(cid), cursor=date(2027, 3, 4),
                                     next_due=date(2027, 4, 4), recompute_from=None,
                                     action_count=2,
                                     state=ContractState(status="active", access="full"))

        for cid in (a, b, c):
            assert not uow.runs.save_stepped([stepped(cid)], ['{"status":"active"}'])
            assert uow.runs.run_state(cid).cursor == date(2027, 2, 28)
        assert uow.runs.save_stepped([stepped(d)], ['{"status":"active","access":"full"}'])
        assert not uow.runs.save_stepped([stepped(d)], ['{"status":"active"}'])  # moved: once
        stored = uow.runs.run_state(d)
        assert (stored.cursor, stored.next_due, stored.action_count, stored.state.status,
                stored.state.access) == (date(2027, 3, 4), date(2027, 4, 4), 2, "active",
                                         "full")
        uow.runs.set_aside(a, {"reason": "x"})  # a and b due before d: out of its way
        uow.runs.set_aside(b, {"reason": "x"})
        assert [(r.contract_id, r.status, r.access)
                for r in uow.runs.due_runs(tenant, date(2027, 4, 4), 5)] == [(d, "active", "full")]
        assert uow.runs.save_stepped([], [])


# --- the ledger -----------------------------------------------------------------------------

def _started(day: date, ref: str, key: str) -> NewAction:
    return NewAction(action(day, "contract_started", ref, ("1.1",)), key, day, ())


def test_the_ledger_appends_in_sequence_and_lists_with_the_contract_ref(
        store: UowFactory) -> None:
    tenant, (acme, globex) = book(store, "acme", "globex")
    with store() as uow:
        acme_c, globex_c = uow.contracts.contracts(tenant)
        uow.ledger.add_actions(acme_c, 1, [_started(date(2027, 1, 4), "acme", "k1")],
                               date(2027, 1, 4), ContractState())
        uow.ledger.add_actions(acme_c, 2, [], date(2027, 1, 4), ContractState())
        uow.ledger.add_days([
            RunDay(globex_c, 1, ContractState(), [_started(date(2027, 1, 4), "globex", "g1")]),
            RunDay(acme_c, 2, ContractState(), [_started(date(2027, 1, 5), "acme", "k2")])],
            date(2027, 1, 5))
        stored = uow.ledger.stored_actions(acme)
        assert [(a.natural_key, a.seq, a.date, a.kind) for a in stored] == [
            ("k1", 1, date(2027, 1, 4), "contract_started"),
            ("k2", 2, date(2027, 1, 5), "contract_started")]
        assert stored[0].body == {"date": "2027-01-04", "kind": "contract_started",
                                  "contract": "acme", "clauses": ["1.1"]}
        rows = sorted(uow.ledger.ledger(tenant, None), key=lambda r: (r[1], r[2]))
        assert [(d, ref, seq) for d, ref, seq, _ in rows] == [
            (date(2027, 1, 4), "acme", 1), (date(2027, 1, 5), "acme", 2),
            (date(2027, 1, 4), "globex", 1)]
        assert [r[1] for r in uow.ledger.ledger(None, "globex")] == ["globex"]
        assert uow.ledger.ledger(tenant + 1, None) == []
        assert globex in {c.id for c in uow.contracts.contracts()}


def test_a_stored_body_is_kept_as_written(store: UowFactory) -> None:
    tenant, (acme,) = book(store, "acme")
    with store() as uow:
        (acme_c,) = uow.contracts.contracts(tenant)
        item = NewAction(action(date(2027, 1, 4), "contract_started", "acme", ("1.1",)), "k1",
                         date(2027, 1, 4), (), body='{"as":"written"}')
        uow.ledger.add_actions(acme_c, 1, [item], date(2027, 1, 4), ContractState())
        assert uow.ledger.stored_actions(acme)[0].body == {"as": "written"}


# --- concurrency ----------------------------------------------------------------------------

def test_concurrent_units_of_work_never_store_an_event_twice(store: UowFactory) -> None:
    """Four writers add the same natural keys at once: each key is stored once, and every
    writer's own keys all arrive (the insert waits for a concurrent one)."""
    tenant, (acme,) = book(store, "acme")
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            with store() as uow:
                for i in range(5):
                    uow.events.add_event(tenant, acme, payment(
                        (date(2027, 1, 5) + timedelta(days=i)).isoformat()), f"shared:{i}")
                    uow.events.add_event(tenant, acme, payment("2027-01-20"), f"own:{n}:{i}")
                uow.commit()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    with store() as uow:
        keys = [e.natural_key for e in uow.events.event_log(tenant)]
    assert sorted(keys) == sorted([f"shared:{i}" for i in range(5)]
                                  + [f"own:{n}:{i}" for n in range(4) for i in range(5)])


def test_concurrent_run_records_keep_the_latest_day(store: UowFactory) -> None:
    with store() as uow:
        tenant = uow.tenants.add_tenant("dk", "UTC", {})
        uow.commit()

    def record(day: date) -> None:
        with store() as uow:
            uow.tenants.record_run(tenant, day)
            uow.commit()

    days = [date(2027, 1, 1) + timedelta(days=n) for n in range(6)]
    threads = [threading.Thread(target=record, args=(d,)) for d in reversed(days)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    with store() as uow:
        assert uow.tenants.run_through(tenant) == days[-1]


def test_amounts_survive_as_decimal(store: UowFactory) -> None:
    tenant, (acme,) = book(store, "acme")
    with store() as uow:
        uow.events.add_event(tenant, acme, payment("2027-01-10", amount="0.10"), "k")
        (stored,) = uow.events.events(uow.contracts.contracts(tenant)[0], None)
        assert stored.event.amount == Decimal("0.10")


def test_contracts_in_bulk_as_one_by_one(store: UowFactory) -> None:
    """The intake's path for thousands of contracts stores what `add_contract` stores."""
    with store() as uow:
        tenant = uow.tenants.add_tenant("dk", "UTC", {})
        version = uow.policies.policy_version(SMARTWEB)
        a, b = contract("a", name="Same"), contract("b", "2027-02-01", name="Same")
        keys = uow.contracts.customers(tenant, [a.customer, b.customer])
        assert len(keys) == 1 and list(keys.values()) == [uow.contracts.customer(tenant,
                                                                                  a.customer)]
        (customer,) = keys.values()
        ids = uow.contracts.add_contracts(tenant, [(a, SMARTWEB, version, customer),
                                                   (b, SMARTWEB, version, customer)])
        assert [s.id for s in uow.contracts.contracts(tenant)] == ids
        assert uow.contracts.stored_refs(tenant, ["a", "c"]) == {"a"}
        assert uow.contracts.stored_refs(tenant + 1, ["a"]) == set()
        run = uow.runs.run_state(ids[1])
        assert (run.cursor, run.next_due, run.action_count, run.state) == \
            (date(2027, 1, 31), date(2027, 2, 1), 0, ContractState())
        assert uow.contracts.add_contracts(tenant, []) == []


def test_an_action_key_is_stored_once_per_contract(store: UowFactory) -> None:
    """The ledger's natural key: a run that would append an action twice fails (the SQL
    store's unique constraint, the fake's check) and its unit of work stores nothing."""
    tenant, (acme,) = book(store, "acme")
    with store() as uow:
        (acme_c,) = uow.contracts.contracts(tenant)
        uow.ledger.add_actions(acme_c, 1, [_started(date(2027, 1, 4), "acme", "k1")],
                               date(2027, 1, 4), ContractState())
        uow.commit()
        with pytest.raises(Exception, match=r"k1|natural_key|UNIQUE|unique"):
            uow.ledger.add_actions(acme_c, 2, [_started(date(2027, 1, 5), "acme", "k2"),
                                               _started(date(2027, 1, 5), "acme", "k1")],
                                   date(2027, 1, 5), ContractState())
        uow.rollback()
        assert [a.natural_key for a in uow.ledger.stored_actions(acme)] == ["k1"]


# --- bank lines -----------------------------------------------------------------------------

def _line(tenant: int, ref: str, booked: str, amount: str, status: str = "unmatched",
          **more: Any) -> BankEntry:
    return BankEntry(tenant_id=tenant, entry_ref=ref, booked=date.fromisoformat(booked),
                     amount=Decimal(amount), currency="EUR", debtor="Acme ApS",
                     structured_ref=None, text=f"line {ref}", status=status, **more)


def test_a_bank_line_is_one_per_tenant_and_reference_and_reads_back_as_stored(
        store: UowFactory) -> None:
    """BankEntries: a line reads back with its id and every value as imported; a second line
    with the tenant's reference is refused (ConcurrentWrite once it leaves the unit of work)
    and the first is kept alone."""
    tenant, _ = book(store, "acme")
    with store() as uow:
        first = uow.bank.add_bank_entry(_line(tenant, "E1", "2027-02-01", "120.50"))
        uow.commit()
        assert uow.bank.bank_entry_known(tenant, "E1")
        assert not uow.bank.bank_entry_known(tenant, "E2")
        assert uow.bank.bank_entry(tenant, "E2") is None
        found = uow.bank.bank_entry(tenant, "E1")
        assert found == _line(tenant, "E1", "2027-02-01", "120.50", id=first)
        assert found is not None and found.amount == Decimal("120.50")
    with pytest.raises(ConcurrentWrite), store() as uow:
        uow.bank.add_bank_entry(_line(tenant, "E1", "2027-02-02", "9.99"))
        uow.commit()
    with store() as uow:
        assert uow.bank.unmatched(tenant) == [UnmatchedEntry(
            "E1", date(2027, 2, 1), Decimal("120.50"), "EUR", "Acme ApS", None, "line E1",
            Decimal("120.50"))]


def test_matches_sum_to_what_is_assigned_and_list_the_payments_of_a_document(
        store: UowFactory) -> None:
    """E1 (booked 02-03) pays 40.00 of INV-1 by hand, E2 (booked 02-01) pays it 60.00 by
    reference: E1 has 40.00 assigned (of 100.00, 60.00 open), E2 60.00; INV-1's payments list
    E2 first (the earlier booking), each with its event's payload; INV-2 has none."""
    tenant, (acme,) = book(store, "acme")
    with store() as uow:
        e1 = uow.bank.add_bank_entry(_line(tenant, "E1", "2027-02-03", "100.00"))
        e2 = uow.bank.add_bank_entry(_line(tenant, "E2", "2027-02-01", "60.00", "matched",
                                           document_number="INV-1"))
        by_hand = uow.events.add_event(tenant, acme, payment("2027-02-03", amount="40.00"),
                                       "pay-e1")
        by_ref = uow.events.add_event(tenant, acme, payment("2027-02-01", amount="60.00"),
                                      "pay-e2")
        assert by_hand is not None and by_ref is not None
        uow.bank.add_bank_match(BankMatch(tenant, e1, "INV-1", Decimal("40.00"), "manual",
                                          by_hand))
        uow.bank.add_bank_match(BankMatch(tenant, e2, "INV-1", Decimal("60.00"), "reference",
                                          by_ref))
        uow.commit()
    with store() as uow:
        assert (uow.bank.bank_assigned(e1), uow.bank.bank_assigned(e2)) \
            == (Decimal("40.00"), Decimal("60.00"))
        paid = uow.bank.bank_payments_of(tenant, "INV-1")
        assert [(p.entry_ref, p.booked, p.amount, p.by, p.event_id) for p in paid] == [
            ("E2", date(2027, 2, 1), Decimal("60.00"), "reference", by_ref),
            ("E1", date(2027, 2, 3), Decimal("40.00"), "manual", by_hand)]
        assert [json.loads(p.payload)["amount"] for p in paid] == ["60.00", "40.00"]
        assert uow.bank.bank_payments_of(tenant, "INV-2") == []
        assert [(u.entry_ref, u.amount, u.open) for u in uow.bank.unmatched(tenant)] == [
            ("E1", Decimal("100.00"), Decimal("60.00"))]


def test_a_line_matched_by_hand_leaves_the_unmatched_ones(store: UowFactory) -> None:
    """Unmatched lines by booking day, then import order (E3 and E1 booked the same day, E3
    imported first); once E1 is set matched to INV-9 it is listed no more, and reads back
    matched to INV-9 and its event."""
    tenant, (acme,) = book(store, "acme")
    with store() as uow:
        uow.bank.add_bank_entry(_line(tenant, "E3", "2027-03-01", "5.00"))
        e1 = uow.bank.add_bank_entry(_line(tenant, "E1", "2027-03-01", "7.00"))
        uow.bank.add_bank_entry(_line(tenant, "E0", "2027-02-28", "3.00"))
        event = uow.events.add_event(tenant, acme, payment("2027-03-01", amount="7.00"), "p")
        assert event is not None
        assert [u.entry_ref for u in uow.bank.unmatched(tenant)] == ["E0", "E3", "E1"]
        uow.bank.set_bank_entry_matched(e1, "INV-9", event)
        uow.commit()
    with store() as uow:
        assert [u.entry_ref for u in uow.bank.unmatched(tenant)] == ["E0", "E3"]
        matched = uow.bank.bank_entry(tenant, "E1")
        assert matched is not None
        assert (matched.status, matched.document_number, matched.event_id) \
            == ("matched", "INV-9", event)


# --- the outbox -----------------------------------------------------------------------------

def _email(tenant: int, contract: int | None, msg_id: str, subject: str) -> NewEmail:
    return NewEmail(tenant_id=tenant, contract_id=contract, msg_id=msg_id,
                    kind="renewal_reminder", to_addr="acme@example.com", subject=subject,
                    body=f"{subject}.\n", from_addr=None, attachments=None)


def test_an_email_is_stored_once_per_message_id_in_the_order_written(
        store: UowFactory) -> None:
    """Outbox: of m1, m2 and m1 again (another subject), 2 are new and the first m1 is kept
    as written; a second write of m2 adds none; another tenant's e-mails are its own."""
    tenant, (acme,) = book(store, "acme")
    with store() as uow:
        other = uow.tenants.add_tenant("se", "Europe/Stockholm", {})
        assert uow.outbox.add_emails([_email(tenant, acme, "m1", "First"),
                                      _email(tenant, None, "m2", "Second"),
                                      _email(tenant, acme, "m1", "Again")]) == 2
        assert uow.outbox.add_emails([]) == 0
        uow.commit()
    with store() as uow:
        assert uow.outbox.add_emails([_email(tenant, None, "m2", "Later")]) == 0
        assert uow.outbox.add_emails([_email(other, None, "m3", "Theirs")]) == 1
        uow.commit()
    with store() as uow:
        assert uow.outbox.emails(tenant) == [_email(tenant, acme, "m1", "First"),
                                             _email(tenant, None, "m2", "Second")]
        assert [e.msg_id for e in uow.outbox.emails(other)] == ["m3"]
        assert (uow.outbox.emails(tenant)[0].status, uow.outbox.emails(tenant)[0].attempts) \
            == ("pending", 0)


def test_the_language_stored_with_a_contract_is_read_per_tenant(store: UowFactory) -> None:
    """Outbox.contract_languages: acme's "da" once stored, beta without one left out; a
    second language for acme is refused (one row per contract)."""
    tenant, (acme, beta) = book(store, "acme", "beta")
    with store() as uow:
        assert uow.outbox.contract_languages(tenant) == {}
        uow.outbox.add_contract_info(tenant, acme, {"po": "7"}, "da")
        uow.commit()
        assert uow.outbox.contract_languages(tenant) == {acme: "da"}
        assert beta not in uow.outbox.contract_languages(tenant)
    with pytest.raises(ConcurrentWrite), store() as uow:
        uow.outbox.add_contract_info(tenant, acme, {}, "en")
        uow.commit()
    with store() as uow:
        assert uow.outbox.contract_languages(tenant) == {acme: "da"}


def test_the_events_mark_moves_with_each_event_and_each_void_where_the_store_can_tell(
        store: UowFactory, request: pytest.FixtureRequest) -> None:
    """The pipelined run reads a batch's events again in the transaction that stores it only if
    the mark moved since it read them (`events_mark`). On the fakes and SQLite every event
    stored and every void moves it, also one stored by another unit of work, and an event
    refused as a duplicate of its natural key does not. PostgreSQL gives no mark (an id is
    taken before its transaction commits), so the run reads again there."""
    tenant, (acme,) = book(store, "acme")
    with store() as uow:
        before = uow.events.events_mark()
    if request.node.callspec.params["store"] == "postgresql":
        assert before is None
        return
    assert before is not None
    with store() as uow:
        paid = uow.events.add_event(tenant, acme, payment("2027-01-10"), "k1")
        uow.commit()
    assert paid is not None
    with store() as uow:
        stored = uow.events.events_mark()
        assert stored is not None and stored != before
        assert uow.events.add_event(tenant, acme, payment("2027-01-10"), "k1") is None
        assert uow.events.events_mark() == stored
        uow.events.void_event(tenant, paid, "duplicate transfer",
                              datetime(2027, 2, 1, 9, tzinfo=UTC))
        uow.commit()
    with store() as uow:
        voided = uow.events.events_mark()
        assert voided is not None and voided not in (before, stored)
        assert uow.events.events_mark() == voided  # read twice, nothing stored: it stands
