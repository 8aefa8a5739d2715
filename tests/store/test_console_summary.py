"""The figures the run keeps for the console's book (issue 20, migration 0013): each contract's
status and access, and its open items. They must be the same as a recomputation from the stored
states after runs with invoices, payments (whole, partial, late), credit notes and fees, run in
several steps (items are paid off and leave), and with two workers running the days at once
(PostgreSQL: side by side; no update of one lost)."""

from __future__ import annotations

import sys
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from termline.adapters.sql import console_tables as ct
from termline.adapters.sql import tables as t
from termline.adapters.sql.codec import decode
from termline.adapters.sql.console_repo import ConsoleStore
from termline.adapters.sql.db import downgrade, make_engine, upgrade
from termline.adapters.sql.jsontext import loads
from termline.app.console_views import aged_open_items
from termline.domain.engine.state import ContractState
from termline.domain.mechanisms.dunning.aging import Aged, age
from termline.domain.values.money import ZERO
from tests.store.books import scenario_text, synthetic_scenario
from tests.store.conftest import workers_at_once
from tests.store.test_equivalence import termline
from tests.store.test_money_model import _book

TERMLINE = str(Path(sys.executable).parent / "termline")
UNTIL = date(2028, 3, 31)


def _states(engine: Any) -> list[tuple[int, str, str, str, ContractState]]:
    r, c = t.contract_runs.c, t.contracts.c
    with engine.connect() as conn:
        rows = conn.execute(select(r.contract_id, c.currency, r.status, r.access, r.state)
                            .join(t.contracts, c.id == r.contract_id)).all()
    return [(int(cid), str(cur), str(st), str(ac), decode(ContractState, loads(text)))
            for cid, cur, st, ac, text in rows]


def _kept(engine: Any) -> dict[tuple[int, str], tuple[str, str, date, Decimal]]:
    o = ct.contract_open_items.c
    with engine.connect() as conn:
        rows = conn.execute(select(o.contract_id, o.ref, o.currency, o.kind, o.due,
                                   o.amount_open)).all()
    return {(int(cid), str(ref)): (str(cur), str(kind), due, Decimal(amount))
            for cid, ref, cur, kind, due, amount in rows}


def _summed(conn: Any, query: str) -> list[tuple[str, str, Decimal]]:
    """(YYYY-MM, currency, sum) of the rows (day, currency, amount) the query gives."""
    out: dict[tuple[str, str], Decimal] = {}
    for day, currency, amount in conn.exec_driver_sql(query):
        day = day if isinstance(day, date) else date.fromisoformat(str(day))
        key = (f"{day.year:04d}-{day.month:02d}", str(currency))
        out[key] = out.get(key, ZERO) + Decimal(str(amount))
    return sorted((m, c, v) for (m, c), v in out.items() if v)


def _assert_kept_match_states(db_url: str, on: date) -> dict[str, Any]:
    """The kept rows are exactly the states' open items; the book's aging of the kept totals
    is `aging.age` over every state; the kept status and access and the book's counts of
    them are the states'."""
    engine = make_engine(db_url)
    try:
        states = _states(engine)
        recomputed = {(cid, it.ref): (cur, it.kind, it.due, it.open)
                      for cid, cur, _, _, state in states for it in state.items
                      if it.open > ZERO}
        assert _kept(engine) == recomputed
        assert [(cid, st, ac) for cid, _, st, ac, _ in states] == \
            [(cid, state.status, state.access) for cid, _, _, _, state in states]
        expected: dict[str, Aged] = {}
        for _, cur, _, _, state in states:
            charged = sum((it.open for it in state.items
                           if it.kind == "interest" and it.open > ZERO), ZERO)
            if any(it.open > ZERO for it in state.items):
                expected.setdefault(cur, Aged()).add(age(state.items, on, charged))
        with engine.connect() as conn:
            tenant = int(conn.execute(select(t.tenants.c.id)).scalar_one())
            store = ConsoleStore(conn)
            got = aged_open_items(store, tenant, on)
            counted = store.status_counts(tenant)
        assert got == expected
        by_status: dict[tuple[str, str], int] = {}
        for *_, state in states:
            key = (state.status, state.access)
            by_status[key] = by_status.get(key, 0) + 1
        assert counted == sorted((s, a, n) for (s, a), n in by_status.items())
        with engine.connect() as conn:
            store = ConsoleStore(conn)
            assert store.invoiced_by_month(tenant, date(2000, 1, 1)) == _summed(
                conn, "SELECT issued, currency, CASE WHEN kind = 'credit_note' THEN -amount "
                "ELSE amount END FROM documents")
            assert store.cash_by_month(tenant, date(2000, 1, 1)) == _summed(
                conn, "SELECT date, currency, amount FROM payments")
        return {"states": states, "kept": recomputed, "aged": got}
    finally:
        engine.dispose()


def test_kept_open_items_and_status_equal_a_recomputation_after_each_run(
        db_url: str, tmp_path: Path) -> None:
    """Issue 20: the book's totals come from kept rows; after each of four runs (paying,
    partly paying, never paying, seat changes, dunning fees, then a back-dated payment whose
    recompute credits the fees)
    they equal what the stored states give, and the months' invoiced and cash what the documents
    and payments add up to, on SQLite and PostgreSQL."""
    scenario = tmp_path / "book.yaml"
    scenario.write_text(scenario_text("smartweb", until=UNTIL.isoformat()), "utf-8")
    # a seller profile: the invoices, fees and credit notes become numbered documents
    _book(db_url, tmp_path, scenario.read_text("utf-8"))
    nopay_start = next(c["start"] for c in yaml.safe_load(scenario.read_text("utf-8"))
                       ["contracts"] if c["id"] == "nopay")
    nopay = _contract_id(db_url, "nopay")
    kinds: set[str] = set()
    statuses: set[str] = set()
    found: dict[str, Any] = {"kept": {}}
    for until in ("2027-02-15", "2027-05-20", "2027-09-30", UNTIL.isoformat()):
        if until == "2027-09-30":
            # a back-dated payment of nopay: recomputed from its start, its reminders no
            # longer follow and their fee invoices get credit notes (the fees leave the book)
            assert any(kind == "fee" and cid == nopay for (cid, _), (_, kind, _, _)
                       in found["kept"].items())
            termline(db_url, "event", "add", "--contract", "nopay", "--type", "payment",
                     "--date", str(nopay_start), "--field", "amount=5000.00")
        termline(db_url, "run", "--until", until)
        found = _assert_kept_match_states(db_url, date.fromisoformat(until))
        kinds |= {kind for _, kind, _, _ in found["kept"].values()}
        statuses |= {st for _, _, st, _, _ in found["states"]}
        documents = _count(db_url, "SELECT count(*) FROM documents WHERE kind = 'credit_note'")
        if until == "2027-09-30":
            assert documents > 0, "no credit note was issued"
            assert not any(kind == "fee" and cid == nopay for (cid, _), (_, kind, _, _)
                           in found["kept"].items())
    # what the comparison went through (a test of nothing open would prove nothing)
    assert {"invoice", "fee"} <= kinds
    assert {"active", "terminated"} <= statuses


def test_an_open_item_a_day_leaves_as_it_was_keeps_its_row(db_url: str,
                                                             tmp_path: Path) -> None:
    """SmartWeb's nopay never pays its first invoice: it stays open at its amount while the
    reminders of the dunning clause add their fee invoices. The run writes only the kept rows
    that moved (docs/benchmarks.md, sixteenth round): after those runs the invoice's row is
    the very row written when it was issued (its SQLite rowid, its PostgreSQL row version),
    the fees' rows are new, and the kept rows still equal a recomputation from the states."""
    scenario = tmp_path / "book.yaml"
    scenario.write_text(scenario_text("smartweb", until=UNTIL.isoformat()), "utf-8")
    _book(db_url, tmp_path, scenario.read_text("utf-8"))
    start = next(date.fromisoformat(str(c["start"])) for c in yaml.safe_load(
        scenario.read_text("utf-8"))["contracts"] if c["id"] == "nopay")
    nopay = _contract_id(db_url, "nopay")
    version = "xmin::text" if db_url.startswith("postgresql") else "rowid"

    def rows() -> dict[str, tuple[str, Decimal, str]]:
        engine = make_engine(db_url)
        try:
            with engine.connect() as conn:
                return {str(ref): (str(kind), Decimal(str(open_)).quantize(Decimal("0.01")),
                                   str(row))
                        for ref, kind, open_, row in conn.exec_driver_sql(
                            f"SELECT ref, kind, amount_open, {version} FROM contract_open_items "
                            f"WHERE contract_id = {nopay}")}
        finally:
            engine.dispose()

    termline(db_url, "run", "--until", (start + timedelta(days=2)).isoformat())
    first = rows()
    assert [kind for kind, _, _ in first.values()] == ["invoice"]
    termline(db_url, "run", "--until", (start + timedelta(days=90)).isoformat())
    later = rows()
    assert {ref: later[ref] for ref in first} == first
    assert [kind for ref, (kind, _, _) in later.items() if ref not in first] and all(
        kind == "fee" and amount == Decimal("14.00")
        for ref, (kind, amount, _) in later.items() if ref not in first)
    _assert_kept_match_states(db_url, start + timedelta(days=90))


def _count(db_url: str, query: str) -> int:
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            return int(conn.exec_driver_sql(query).scalar_one())
    finally:
        engine.dispose()


def _contract_id(db_url: str, ref: str) -> int:
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(select(t.contracts.c.id).where(
                t.contracts.c.ref == ref)).scalar_one())
    finally:
        engine.dispose()


def test_two_workers_at_once_lose_no_kept_update(db_url: str, tmp_path: Path) -> None:
    """Two `termline worker`s run the days of a 120-contract book at the same time (on
    PostgreSQL side by side, each claiming its contracts); afterwards every contract's kept
    open items and status are those of its stored state: neither worker's writes were lost
    or left stale by the other's."""
    scenario = synthetic_scenario(tmp_path / "book.yaml", 120, UNTIL)
    termline(db_url, "db", "upgrade")
    termline(db_url, "tenant", "add", "default")
    termline(db_url, "import", str(scenario))
    middle = UNTIL - timedelta(days=200)
    for until in (middle, UNTIL):
        workers_at_once(db_url, until, batch=1)
        found = _assert_kept_match_states(db_url, until)
        assert found["kept"], "nothing open: the comparison would prove nothing"


def test_the_migration_fills_the_kept_figures_of_a_book_run_before_it(
        db_url: str, tmp_path: Path) -> None:
    """A book run before revision 0013 (here: run, then taken back to 0012, which drops what
    0013 keeps) gets its status, access, open items and totals from the migration's backfill,
    the same as a recomputation from the stored states, documents and payments."""
    scenario = tmp_path / "book.yaml"
    scenario.write_text(scenario_text("smartweb", until=UNTIL.isoformat()), "utf-8")
    _book(db_url, tmp_path, scenario.read_text("utf-8"))
    termline(db_url, "run", "--until", "2027-06-30")
    before = _assert_kept_match_states(db_url, date(2027, 6, 30))
    engine = make_engine(db_url)
    try:
        downgrade(engine, "0012")
        upgrade(engine)
    finally:
        engine.dispose()
    after = _assert_kept_match_states(db_url, date(2027, 6, 30))
    assert after["kept"] == before["kept"] and after["aged"] == before["aged"]
    assert after["kept"], "nothing open: the backfill would prove nothing"
