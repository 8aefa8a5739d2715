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
from termline.adapters.sql.driver_sql import Reads, driver_text
from termline.domain.contract.model import Contract
from termline.domain.policy import load_pack

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
        ids = [setup.contracts.add_contract(tenant, Contract.model_validate({
            "id": ref, "customer": {"name": ref, "country": "DK"}, "start": "2027-01-04",
            "lines": [{"item": "Shop", "unit_price": "50.00", "per": "month",
                       "quantity": 1}]}), pack) for ref in ("a", "b", "c")]
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
