"""The run gathers PostgreSQL's planner statistics of its tables again when they are stale
(`adapters/sql/planner_stats.py`): the development server runs with `autovacuum = off`, and
without statistics the batch's events look-up scanned the whole table (90 ms a batch instead of
6 in the year of 100,000)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import Connection, text

from termline.adapters.sql.db import make_engine
from termline.adapters.sql.planner_stats import refresh
from termline.app.run import run
from termline.domain.policy import load_pack
from tests.store.books import shop_contract


def _events(conn: Connection, tenant: int, contract: int, count: int, first: int = 0) -> None:
    conn.execute(text(
        "INSERT INTO events (tenant_id, contract_id, date, type, natural_key, payload) "
        "VALUES (:t, :c, :d, 'payment', :k, '{}')"),
        [{"t": tenant, "c": contract, "d": date(2027, 1, 4), "k": f"k{i}"}
         for i in range(first, first + count)])
    conn.exec_driver_sql("SELECT pg_stat_force_next_flush()")  # counted now, not in a second


def _analyzed(conn: Connection, table: str) -> bool:
    """The table has the planner's statistics (`pg_stats`, seen in the same transaction)."""
    return bool(conn.exec_driver_sql(
        "SELECT count(*) FROM pg_stats WHERE schemaname = ANY(current_schemas(false)) "
        "AND tablename = %s", (table,)).scalar())


def _book(uow: Callable[[], Any]) -> tuple[int, int]:
    with uow() as setup:
        tenant = setup.tenants.add_tenant("dk", "Europe/Copenhagen", {})
        contract = setup.contracts.add_contract(tenant, shop_contract("a"),
                                                load_pack("smartweb"))
        setup.commit()
    return tenant, contract


def test_a_run_analyzes_a_table_changed_by_more_than_a_tenth(uow: Callable[[], Any],
                                                           db_url: str) -> None:
    """1,500 events stored (more than 1,000 + a tenth of the table): the check analyzes
    `events`; again with nothing new, nothing; 1,500 more (over 1,000 + a tenth of 3,000),
    `events` again;
    then the run, whose first step is the check, runs its day. SQLite: nothing."""
    tenant, contract = _book(uow)
    engine = make_engine(db_url)
    pg = db_url.startswith("postgresql")
    try:
        with engine.begin() as conn:
            if pg:
                _events(conn, tenant, contract, 1500)
        with engine.begin() as conn:
            assert not pg or not _analyzed(conn, "events")
            assert refresh(conn) == (["events"] if pg else [])
            assert not pg or _analyzed(conn, "events")
        with engine.begin() as conn:
            assert refresh(conn) == []
        with engine.begin() as conn:
            if pg:
                _events(conn, tenant, contract, 1500, first=1500)
        with engine.begin() as conn:
            assert refresh(conn) == (["events"] if pg else [])
        report = run(uow, date(2027, 1, 4))
        assert report.contracts == 1  # the run's own check, then its day
    finally:
        engine.dispose()


def test_two_workers_at_once_one_analyzes_the_other_goes_on(uow: Callable[[], Any],
                                                            db_url: str) -> None:
    """PostgreSQL: while one worker holds the try-lock (its refresh not yet committed), the
    other's refresh returns at once with nothing, without waiting."""
    if not db_url.startswith("postgresql"):
        return
    tenant, contract = _book(uow)
    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            _events(conn, tenant, contract, 1500)
        with engine.connect() as first, first.begin():
            assert refresh(first) == ["events"]
            got: list[list[str]] = []
            other = threading.Thread(target=lambda: got.append(_other(engine)))
            other.start()
            other.join(timeout=10)
            assert got == [[]]
    finally:
        engine.dispose()


def _other(engine: Any) -> list[str]:
    with engine.begin() as conn:
        conn.exec_driver_sql("SET LOCAL lock_timeout = '2s'")
        return refresh(conn)
