"""What the run keeps beside the contracts' states for the console's book (migration 0013).

* each contract's status and access: columns of `contract_runs`, set by `save_runs`' own
  statement;
* each contract's open items (`contract_open_items`), replaced here when its state is stored;
* the documents issued and the payments received per month (`book_months`), added where
  the documents are numbered and the payments projected;
* the tenant's totals of both (`book_counts`: contracts by status and access, new ones in
  `book_added`; `book_open`: open amount by currency, kind and due date), moved by the
  difference between the contracts' old and new rows. The book reads these few rows
  instead of a million states.

All of it is written in the transaction that stores the states, after `save_runs`' optimistic
check passed (a conflict rolls everything back). On PostgreSQL the totals' rows are shared by
the workers of a tenant: a transaction-scoped advisory lock per tenant is taken before they are
read or moved, so two workers take turns there (they already do at the documents' numbering,
which comes after in the same transaction) and can never deadlock on two totals rows taken in
opposite orders, and no increment is lost.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Table, delete, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from termline.adapters.sql import console_tables as ct
from termline.adapters.sql import tables as t
from termline.domain.engine.state import ContractState
from termline.domain.values.money import ZERO

_LOCK_SPACE = 20_20  # the advisory lock key's first half: the book totals of a tenant


def lock_totals(conn: Connection, tenant_ids: Iterable[int]) -> None:
    """Take the tenants' totals for this transaction (PostgreSQL; SQLite has one writer)."""
    if conn.dialect.name != "postgresql":
        return
    for tenant_id in sorted(set(tenant_ids)):
        conn.exec_driver_sql("SELECT pg_advisory_xact_lock(%s, %s)", (_LOCK_SPACE, tenant_id))


def units(amount: Decimal) -> int:
    """An amount in ten-thousandths, the totals' exact integers (on SQLite a NUMERIC with a
    fraction is a float, and a float moved a million times drifts)."""
    scaled = Decimal(amount).scaleb(4)
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{amount} has more than four decimals")
    return int(scaled)


def amount(stored: int | str | Decimal) -> Decimal:
    return Decimal(int(stored)).scaleb(-4)


def _upsert(conn: Connection, table: Table, keys: Sequence[str], value: str,
            deltas: Iterable[tuple[tuple[object, ...], int | Decimal]]) -> None:
    rows = [{**dict(zip(keys, key, strict=True)),
             value: units(delta) if isinstance(delta, Decimal) else delta}
            for key, delta in sorted(deltas, key=lambda kv: repr(kv[0])) if delta != 0]
    if not rows:
        return
    conn.execute(_upsert_statement(conn.dialect.name, table, tuple(keys), value), rows)


@functools.cache
def _upsert_statement(dialect_name: str, table: Table, keys: tuple[str, ...], value: str
                      ) -> Any:
    """Built once per table and column: `excluded` makes a new alias of the table each time,
    which was most of the cost of a batch's few upserts."""
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    statement = dialect.insert(table)
    return statement.on_conflict_do_update(
        index_elements=list(keys), set_={value: table.c[value] + statement.excluded[value]})


def count_new_contracts(conn: Connection, tenant_id: int, contracts: int) -> None:
    """New contracts start pending, without access (the state's defaults): a row of their
    own, so an intake takes no shared row (`book_counts` moves when the run stores them)."""
    if contracts:
        conn.execute(insert(ct.book_added).values(tenant_id=tenant_id, contracts=contracts))


def counts(conn: Connection, tenant_id: int) -> list[tuple[str, str, int]]:
    """(status, access, contracts) of the tenant, from the kept totals."""
    b, a = ct.book_counts.c, ct.book_added.c
    found = {(str(s), str(x)): int(n) for s, x, n in conn.execute(
        select(b.status, b.access, b.contracts).where(b.tenant_id == tenant_id))}
    added = conn.execute(select(func.coalesce(func.sum(a.contracts), 0))
                         .where(a.tenant_id == tenant_id)).scalar_one()
    found["pending", "none"] = found.get(("pending", "none"), 0) + int(added)
    return sorted((s, x, n) for (s, x), n in found.items() if n)


def open_by_due(conn: Connection, tenant_id: int) -> list[tuple[str, str, date, Decimal]]:
    """(currency, kind, due, open amount) of the tenant, from the kept totals."""
    o = ct.book_open.c
    return [(str(c), str(k), d, amount(v)) for c, k, d, v in conn.execute(
        select(o.currency, o.kind, o.due, o.amount).where(o.tenant_id == tenant_id,
                                                          o.amount != 0))]


def add_to_months(conn: Connection, column: str,
                  amounts: Sequence[tuple[int, date, str, Decimal]]) -> None:
    """Add (tenant, day, currency, amount) to the month's `invoiced` (documents, credit notes
    negative) or `cash` (payments) in `book_months`."""
    if not amounts:
        return
    lock_totals(conn, (tenant for tenant, _, _, _ in amounts))
    deltas: dict[tuple[object, ...], Decimal] = {}
    for tenant, day, currency, value in amounts:
        key = (tenant, f"{day.year:04d}-{day.month:02d}", currency)
        deltas[key] = deltas.get(key, ZERO) + Decimal(value)
    _upsert(conn, ct.book_months, ("tenant_id", "month", "currency"), column, deltas.items())


def months(conn: Connection, tenant_id: int, first: str, column: str
           ) -> list[tuple[str, str, Decimal]]:
    """(YYYY-MM, currency, amount) of `column` from month `first` on."""
    m = ct.book_months.c
    return sorted((str(month), str(cur), amount(v)) for month, cur, v in conn.execute(
        select(m.month, m.currency, ct.book_months.c[column])
        .where(m.tenant_id == tenant_id, m.month >= first)) if v)


def keep(conn: Connection, states: Sequence[tuple[int, ContractState]]) -> None:
    """The contracts' new states were just stored: replace their open items and move the
    tenants' totals by the difference. Called before the states' own UPDATE (it reads the
    status and access stored so far)."""
    if not states:
        return
    ids = sorted({cid for cid, _ in states})
    c, r, o = t.contracts.c, t.contract_runs.c, ct.contract_open_items.c
    found = {row.id: row for row in conn.execute(
        select(c.id, c.tenant_id, c.currency, r.status, r.access)
        .join(t.contract_runs, r.contract_id == c.id).where(c.id.in_(ids)))}
    lock_totals(conn, (row.tenant_id for row in found.values()))
    counts: dict[tuple[int, str, str], int] = {}
    owed: dict[tuple[int, str, str, date], Decimal] = {}
    for cid, state in states:
        row = found[cid]
        before = (row.tenant_id, row.status, row.access)
        after = (row.tenant_id, state.status, state.access)
        if before != after:
            counts[before] = counts.get(before, 0) - 1
            counts[after] = counts.get(after, 0) + 1
    for old in conn.execute(select(o.tenant_id, o.currency, o.kind, o.due, o.amount_open)
                            .where(o.contract_id.in_(ids))):
        key = (old.tenant_id, old.currency, old.kind, old.due)
        owed[key] = owed.get(key, ZERO) - Decimal(old.amount_open)
    conn.execute(delete(ct.contract_open_items).where(o.contract_id.in_(ids)))
    rows = []
    for cid, state in states:
        row = found[cid]
        for it in state.items:
            if it.open > ZERO:
                rows.append({"contract_id": cid, "ref": it.ref, "tenant_id": row.tenant_id,
                             "currency": row.currency, "kind": it.kind, "due": it.due,
                             "amount_open": it.open})
                key = (row.tenant_id, row.currency, it.kind, it.due)
                owed[key] = owed.get(key, ZERO) + it.open
    if rows:
        conn.execute(insert(ct.contract_open_items), rows)
    _upsert(conn, ct.book_counts, ("tenant_id", "status", "access"), "contracts", counts.items())
    _upsert(conn, ct.book_open, ("tenant_id", "currency", "kind", "due"), "amount", owed.items())
