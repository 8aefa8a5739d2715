"""The run's fixed statements through the driver (`store.driver_sql`): the values read back are
those SQLAlchemy's types give, a batch's keys travel as one array parameter, and the claim
sent as text still passes over the contracts another worker holds (PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Column, Date, Integer, MetaData, Numeric, String, Table, insert, select

from termline.adapters.sql.db import make_engine
from termline.adapters.sql.driver_sql import Pairs, Reads, driver_text
from termline.adapters.sql.numbering import CORRECTED, _corrections
from termline.adapters.sql.store_records import NewAction
from termline.adapters.sql.writes import insert_rows
from termline.domain.engine.actions import Action
from termline.domain.policy import load_pack
from tests.store.books import shop_contract

PROBE = Table("probe", MetaData(), Column("id", Integer, primary_key=True),
              Column("name", String(20)), Column("day", Date),
              Column("amount", Numeric(19, 4, asdecimal=True)))
AMOUNTS = [Decimal("12.5"), Decimal("0.1"), Decimal("-3.0001"), Decimal("100"),
           Decimal("123456789.9999"), None]


def test_the_template_becomes_each_drivers_text() -> None:
    template = "SELECT id FROM t WHERE a = {p} AND b IN {in}"
    assert driver_text(template, True) == "SELECT id FROM t WHERE a = %s AND b = ANY(%s)"
    assert driver_text(template, False) == \
        "SELECT id FROM t WHERE a = ? AND b IN (SELECT value FROM json_each(?))"


def test_pairs_become_the_pairs_on_each_database() -> None:
    template = "SELECT id FROM t WHERE (t.a, t.b) IN {pairs} AND c = {p}"
    assert driver_text(template, True) == ("SELECT id FROM t WHERE (t.a, t.b) IN "
                                           "(SELECT * FROM unnest(%s::bigint[], %s::text[])) "
                                           "AND c = %s")
    assert driver_text(template, False) == (
        "SELECT id FROM t WHERE (t.a, t.b) IN (SELECT json_extract(value, '$[0]'), "
        "json_extract(value, '$[1]') FROM json_each(?)) AND c = ?")
    pairs = Pairs(frozenset({(2, "y"), (1, "x"), (1, "y")}))
    assert pairs.columns() == ([1, 1, 2], ["x", "y", "y"])
    assert pairs.values() == ([(1, "x"), (1, "y"), (2, "y")],)


def test_a_look_up_by_pairs_finds_each_pair_asked(db_url: str) -> None:
    """Rows of (id, name): asked (1, a), (2, b) and (4, a); (4, b) is stored, a pair of the
    asked values that was not asked, and neither database returns it (on SQLite the two
    columns' `IN` each did, until the pairs were looked up as pairs)."""
    engine = make_engine(db_url)
    PROBE.create(engine)
    with engine.begin() as conn:
        conn.execute(insert(PROBE), [{"id": i, "name": name, "day": date(2027, 1, d)}
                                     for i, name, d in [(1, "a", 1), (2, "b", 2), (3, "c", 3)]])
        conn.execute(insert(PROBE), [{"id": 4, "name": "b", "day": date(2027, 1, 4)}])
        reads = Reads(conn)
        asked = Pairs(frozenset({(1, "a"), (2, "b"), (4, "a")}))
        got = reads.rows("SELECT id, name FROM probe WHERE (id, name) IN {pairs} ORDER BY id",
                         asked)
        assert reads.rows("SELECT id FROM probe WHERE (id, name) IN {pairs} AND day > {p}",
                          asked, date(2027, 1, 1)) == [(2,)]
    engine.dispose()
    assert got == [(1, "a"), (2, "b")]


EVENTS_LIKE = Table("probe_events", MetaData(), Column("id", Integer, primary_key=True),
                    Column("owner", Integer), Column("day", Date))


def test_bounds_read_each_id_s_rows_after_its_own_day(db_url: str) -> None:
    """`FROM {bounds}`, as the run reads a batch's events (issue 16, seventeenth round): owner 1
    asked after 5 January gets its rows of the 6th and 9th, owner 2 after 1 January all three
    of its own, owner 3 (not asked) none, though its rows are dated after both bounds."""
    assert driver_text("SELECT b.id FROM {bounds}", True) == \
        "SELECT b.id FROM unnest(%s::bigint[], %s::date[]) AS b(id, after)"
    engine = make_engine(db_url)
    EVENTS_LIKE.create(engine)
    rows = [(1, 1, 3), (2, 1, 5), (3, 1, 6), (4, 1, 9), (5, 2, 2), (6, 2, 4), (7, 2, 8),
            (8, 3, 7)]
    with engine.begin() as conn:
        conn.execute(insert(EVENTS_LIKE), [{"id": i, "owner": o, "day": date(2027, 1, d)}
                                           for i, o, d in rows])
        got = Reads(conn).rows(
            "SELECT e.id, e.day FROM {bounds} JOIN probe_events AS e ON e.owner = b.id "
            "AND e.day > b.after ORDER BY e.id",
            Pairs(frozenset({(1, "2027-01-05"), (2, "2027-01-01")})))
    engine.dispose()
    day = date.fromisoformat
    assert [(i, day(str(d))) for i, d in got] == [
        (3, date(2027, 1, 6)), (4, date(2027, 1, 9)), (5, date(2027, 1, 2)),
        (6, date(2027, 1, 4)), (7, date(2027, 1, 8))]


def test_dates_and_money_read_as_sqlalchemy_reads_them(db_url: str) -> None:
    engine = make_engine(db_url)
    PROBE.create(engine)
    with engine.begin() as conn:
        conn.execute(insert(PROBE), [
            {"id": i, "name": f"n{i}", "day": date(2027, 1, i + 1), "amount": amount}
            for i, amount in enumerate(AMOUNTS)])
        expected = [(r.id, r.day, r.amount) for r in conn.execute(
            select(PROBE.c.id, PROBE.c.day, PROBE.c.amount).order_by(PROBE.c.id))]
        reads = Reads(conn)
        got = [(i, reads.day(day), reads.money(amount)) for i, day, amount in reads.rows(
            "SELECT id, day, amount FROM probe ORDER BY id")]
    engine.dispose()
    assert got == expected
    # the same text too: the totals and kept figures are computed from these
    assert [str(m) for _, _, m in got] == [str(m) for _, _, m in expected] == [
        "12.5000", "0.1000", "-3.0001", "100.0000", "123456789.9999", "None"]
    assert got[0][1] == date(2027, 1, 1)


def test_rows_written_through_the_driver_read_back_as_sqlalchemys(db_url: str) -> None:
    """`writes.insert_rows` binds through the driver's own adapters (on SQLite a date through a
    cache, None as itself): each row reads back as the same values inserted by SQLAlchemy,
    the same day bound twice and a missing name and amount included; SQLite holds the date as
    ISO text and the missing values as NULL."""
    rows = [(date(2027, 1, 31), "a", Decimal("12.5")), (date(2027, 1, 31), None, None),
            (date(2028, 2, 29), "c", Decimal("-3.0001"))]
    engine = make_engine(db_url)
    PROBE.create(engine)
    with engine.begin() as conn:
        insert_rows(conn, PROBE, ("id", "day", "name", "amount"),
                    [(i, *row) for i, row in enumerate(rows)])
        conn.execute(insert(PROBE), [{"id": 10 + i, "day": day, "name": name, "amount": amount}
                                     for i, (day, name, amount) in enumerate(rows)])
        read = [(r.day, r.name, r.amount) for r in conn.execute(
            select(PROBE.c.day, PROBE.c.name, PROBE.c.amount).order_by(PROBE.c.id))]
        stored = conn.exec_driver_sql(
            "SELECT typeof(day), typeof(name), typeof(amount) FROM probe WHERE id = 1").one() \
            if conn.dialect.name == "sqlite" else ("text", "null", "null")
    engine.dispose()
    assert read[:3] == read[3:] == [(date(2027, 1, 31), "a", Decimal("12.5000")),
                                    (date(2027, 1, 31), None, None),
                                    (date(2028, 2, 29), "c", Decimal("-3.0001"))]
    assert tuple(stored) == ("text", "null", "null")


def test_one_array_parameter_holds_a_batchs_keys(db_url: str) -> None:
    engine = make_engine(db_url)
    PROBE.create(engine)
    with engine.begin() as conn:
        conn.execute(insert(PROBE), [{"id": i, "name": name} for i, name in
                                     enumerate(["a", "Ærø", "c'd", "e"])])
        reads = Reads(conn)
        assert reads.rows("SELECT id FROM probe WHERE id IN {in} ORDER BY id",
                          [3, 1, 99]) == [(1,), (3,)]
        assert reads.rows("SELECT id FROM probe WHERE name IN {in} AND id > {p} ORDER BY id",
                          ["Ærø", "c'd", "e"], 1) == [(2,), (3,)]
        assert reads.rows("SELECT id FROM probe WHERE id IN {in}", []) == []
        assert reads.execute("DELETE FROM probe WHERE id IN {in}", [0, 2]) == 2
    engine.dispose()


def test_a_claim_passes_over_the_contracts_another_worker_holds(
        uow: Callable[[], Any], db_url: str) -> None:
    """PostgreSQL: `FOR UPDATE OF r SKIP LOCKED` in the claim's text. Without it the second
    claim would wait for the first worker's commit (here: fail on the lock timeout)."""
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite's writers take turns from BEGIN IMMEDIATE")
    pack = load_pack("smartweb")
    with uow() as setup:
        tenant = setup.tenants.add_tenant("dk", "Europe/Copenhagen", {})
        ids = [setup.contracts.add_contract(tenant, shop_contract(ref), pack)
               for ref in ("a", "b", "c")]
        setup.commit()
    with uow() as first, uow() as second:
        held = first.runs.claim(tenant, date(2027, 1, 4), limit=1)
        assert [sc.id for sc, _ in held] == [ids[0]]
        second.runs.conn.exec_driver_sql("SET LOCAL lock_timeout = '2s'")
        taken = second.runs.claim(tenant, date(2027, 1, 4), limit=5)
        assert [sc.id for sc, _ in taken] == ids[1:]
        assert [(rs.cursor, rs.next_due, rs.recompute_from, rs.action_count)
                for _, rs in taken] == [(date(2027, 1, 3), date(2027, 1, 4), None, 0)] * 2
        assert [sc.contract.id for sc, _ in taken] == ["b", "c"]


def test_corrections_in_one_batch_credit_each_contracts_own_invoice(
        uow: Callable[[], Any]) -> None:
    """Two contracts' corrections stored in one batch: a corrects its January invoice, b its
    February one, and each has both. Each gets a credit note in full for the invoice its own
    correction names (a: A-1, 100.00; b: B-2, 200.00), not the other's key on its own invoices
    (the look-up by pairs must not return a's February or b's January invoice)."""
    pack = load_pack("smartweb")
    with uow() as setup:
        tenant = setup.tenants.add_tenant("dk", "Europe/Copenhagen", {})
        a, b = (setup.contracts.add_contract(tenant, shop_contract(ref), pack)
                for ref in ("a", "b"))
        rows = [(cid, f"{name}-{month}", f"invoice|2027-0{month}", f"inv-{month}",
                 Decimal(100 * month)) for cid, name in ((a, "A"), (b, "B")) for month in (1, 2)]
        for cid, number, key, ref, amount in rows:
            setup.runs.conn.exec_driver_sql(
                "INSERT INTO documents (tenant_id, contract_id, number, kind, reason, issued, "
                "due, action_key, source_ref, amount, currency, payment_reference) VALUES "
                f"({tenant}, {cid}, '{number}', 'invoice', 'period', '2027-01-04', "
                f"'2027-01-18', '{key}', '{ref}', {amount}, 'EUR', '{number}')")
        day = date(2027, 3, 1)
        fixes = [(tenant, cid, NewAction(Action(day, "action_corrected", ref, ("6.2",)),
                                         CORRECTED + key, day, ()))
                 for cid, ref, key in ((a, "a", "invoice|2027-01"), (b, "b", "invoice|2027-02"))]
        notes = _corrections(setup.runs.conn, fixes)
    assert sorted((p.contract_id, p.kind, p.reason, p.credit_note_for, p.amount)
                  for p in notes) == [(a, "credit_note", "correction", "A-1", Decimal("100.0000")),
                                      (b, "credit_note", "correction", "B-2", Decimal("200.0000"))]
