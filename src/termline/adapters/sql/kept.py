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
* each numbered document's open amount and status (columns of `documents`, migration 0014:
  `keep_documents`), set again after a batch's allocations and documents are written, for the
  documents of the items they touch: the console's "open" filter and its totals read them
  instead of summing every open document's allocations, and so do the API and the CLI.

All of it is written in the transaction that stores the states, after `save_runs`' optimistic
check passed (a conflict rolls everything back). On PostgreSQL the totals' rows are shared by
the workers of a tenant: a transaction-scoped advisory lock per tenant is taken before they are
read or moved, so two workers take turns there (they already do at the documents' numbering,
which comes after in the same transaction) and can never deadlock on two totals rows taken in
opposite orders, and no increment is lost.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import Connection, Table, func, insert, select

from termline.adapters.sql import console_tables as ct
from termline.adapters.sql.driver_sql import Pairs, Reads
from termline.adapters.sql.writes import insert_rows
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
    """Add each delta to its row of `table` (a new row when there is none), in the order of
    the keys' text: two writers of a tenant take its rows in the same order."""
    rows = [(*key, units(delta) if isinstance(delta, Decimal) else delta)
            for key, delta in sorted(deltas, key=lambda kv: repr(kv[0])) if delta != 0]
    if rows:
        Reads(conn).many(_upsert_text(table.name, tuple(keys), value), rows)


@functools.cache
def _upsert_text(table: str, keys: tuple[str, ...], value: str) -> str:
    """The upsert of a totals row, written once per table and column (PostgreSQL and SQLite
    share the `ON CONFLICT ... DO UPDATE` form)."""
    names = ", ".join((*keys, value))
    marks = ", ".join(["{p}"] * (len(keys) + 1))
    return (f"INSERT INTO {table} ({names}) VALUES ({marks}) "
            f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {value} = {table}.{value} + "
            f"excluded.{value}")


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


_KEPT_RUNS = ("SELECT c.id, c.tenant_id, c.currency, r.status, r.access FROM contracts AS c "
              "JOIN contract_runs AS r ON r.contract_id = c.id WHERE c.id IN {in}")
# the open items stored so far; those that changed are updated, those gone deleted, by key
_OLD_ITEMS = ("SELECT contract_id, ref, tenant_id, currency, kind, due, amount_open "
              "FROM contract_open_items WHERE contract_id IN {in}")
_GONE_ITEMS = "DELETE FROM contract_open_items WHERE (contract_id, ref) IN {pairs}"
_MOVED_ITEM = ("UPDATE contract_open_items SET kind = {p}, due = {p}, amount_open = {p} "
               "WHERE contract_id = {p} AND ref = {p}")
_OPEN_ITEM_COLUMNS = ("contract_id", "ref", "tenant_id", "currency", "kind", "due",
                      "amount_open")


Kept = tuple[int, str, str, str]  # a contract's tenant, currency, status and access as stored


def keep(conn: Connection, states: Sequence[tuple[int, ContractState]],
         stored: Mapping[int, Kept] | None = None) -> None:
    """The contracts' new states were just stored: replace their open items and move the
    tenants' totals by the difference. It reads the status and access stored so far, so it is
    called before the states' own UPDATE, unless the caller gives them as `stored` (read with
    rows the UPDATE checked are unchanged since)."""
    if not states:
        return
    ids = sorted({cid for cid, _ in states})
    reads = Reads(conn)
    found = stored if stored is not None else {
        int(cid): (tenant, currency, status, access)
        for cid, tenant, currency, status, access in reads.rows(_KEPT_RUNS, ids)}
    lock_totals(conn, (row[0] for row in found.values()))
    counts: dict[tuple[int, str, str], int] = {}
    owed: dict[tuple[int, str, str, date], Decimal] = {}
    for cid, state in states:
        tenant, _, status, access = found[cid]
        before = (tenant, status, access)
        after = (tenant, state.status, state.access)
        if before != after:
            counts[before] = counts.get(before, 0) - 1
            counts[after] = counts.get(after, 0) + 1
    day, money = reads.day, reads.money
    old: dict[tuple[int, str], tuple[str, date, Decimal]] = {}
    for cid, ref, tenant, currency, kind, due, amount_open in reads.rows(_OLD_ITEMS, ids):
        stored_item = (str(kind), day(due), money(amount_open))
        old[int(cid), str(ref)] = stored_item
        key = (tenant, currency, stored_item[0], stored_item[1])
        owed[key] = owed.get(key, ZERO) - stored_item[2]
    added: list[tuple[object, ...]] = []
    moved: list[tuple[object, ...]] = []
    for cid, state in states:
        tenant, currency, _, _ = found[cid]
        for it in state.items:
            left = it.open
            if left > ZERO:
                key = (tenant, currency, it.kind, it.due)
                owed[key] = owed.get(key, ZERO) + left
                was = old.pop((cid, it.ref), None)
                if was is None:
                    added.append((cid, it.ref, tenant, currency, it.kind, it.due, left))
                elif was != (it.kind, it.due, left):
                    moved.append((it.kind, it.due, left, cid, it.ref))
    # only what moved is written: a year's contract day mostly leaves its open items as they
    # were, and each row rewritten dirtied its pages for the commit to write again
    # (docs/benchmarks.md, sixteenth round); `old` now holds the items no longer open
    if old:
        reads.execute(_GONE_ITEMS, Pairs(frozenset(old)))
    reads.many(_MOVED_ITEM, moved)
    # through the driver (`writes`): a row per item newly open
    insert_rows(conn, ct.contract_open_items, _OPEN_ITEM_COLUMNS, added)
    _upsert(conn, ct.book_counts, ("tenant_id", "status", "access"), "contracts", counts.items())
    _upsert(conn, ct.book_open, ("tenant_id", "currency", "kind", "due"), "amount", owed.items())


# --- each document's open amount and status (migration 0014) ------------------------------

def document_figures(docs: Sequence[Any], paid: dict[tuple[int, str], Decimal]
                     ) -> dict[int, tuple[Decimal, str]]:
    """(open amount, status) of each document (rows with id, contract_id, source_ref, number,
    kind, reason, credit_note_for, amount), given every document of their (contract, engine
    item) groups and what the uncorrected allocations paid of each item: a credit note is
    `credit_note` (0); an invoice a correction credit note cancels is `credited` (0); an
    invoice whose number a later revision replaced is `replaced` (0); any other is open by its
    amount less what was paid (`open` while above 0, else `paid`)."""
    latest: dict[tuple[int, str], int] = {}
    cancelled: set[str] = set()
    for d in docs:
        if d.kind == "invoice":
            key = (int(d.contract_id), str(d.source_ref))
            latest[key] = max(latest.get(key, 0), int(d.id))
        elif d.reason == "correction" and d.credit_note_for is not None:
            cancelled.add(str(d.credit_note_for))
    out: dict[int, tuple[Decimal, str]] = {}
    for d in docs:
        key = (int(d.contract_id), str(d.source_ref))
        if d.kind != "invoice":
            out[int(d.id)] = (ZERO, "credit_note")
        elif str(d.number) in cancelled:
            out[int(d.id)] = (ZERO, "credited")
        elif latest[key] != int(d.id):
            out[int(d.id)] = (ZERO, "replaced")
        else:
            left = max(Decimal(d.amount) - paid.get(key, ZERO), ZERO)
            out[int(d.id)] = (left, "open" if left > ZERO else "paid")
    return out


def keep_documents(conn: Connection, items: Iterable[tuple[int, str]],
                   contracts: Iterable[int] = ()) -> int:
    """Set the kept open amount and status of the documents of the (contract, engine item)
    pairs `items` and of every document of `contracts` (a correction may undo an allocation
    of any item), from the documents and the uncorrected allocations as stored now, in the
    transaction that wrote them. Called after the run's allocations and documents of a batch
    are inserted (`projection`); the rows whose figures did not move are left alone. Returns
    how many documents changed."""
    pairs = set(items)
    whole = set(contracts)
    ids = sorted({c for c, _ in pairs} | whole)
    if not ids:
        return 0
    reads = Reads(conn)
    money = reads.money
    if whole:
        found, owed = (reads.rows(_DOCUMENTS_OF, ids), reads.rows(_PAID_OF, ids))
    else:
        asked = Pairs(frozenset(pairs))
        found, owed = (reads.rows(_DOCUMENTS_OF_ITEMS, asked), reads.rows(_PAID_OF_ITEMS, asked))
    docs = [_Document(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7],
                      money(row[8]), row[9], money(row[10]), row[11]) for row in found
            if int(row[2]) in whole or (int(row[2]), str(row[3])) in pairs]
    if not docs:
        return 0
    paid = {(int(cid), str(ref)): money(total) for cid, ref, total in owed if total is not None}
    figures = document_figures(docs, paid)
    changed = [(figures[r.id][0], figures[r.id][1], r.id) for r in docs
               if (r.open_amount, str(r.status)) != figures[r.id]]
    if changed:
        reads.many("UPDATE documents SET open_amount = {p}, status = {p} WHERE id = {p}",
                   changed)
        moves: list[tuple[int, str, str, Decimal, int]] = []
        for r in docs:
            status = figures[r.id][1]
            if status != str(r.status):
                moves.append((int(r.tenant_id), str(r.status), str(r.currency), -r.amount, -1))
                moves.append((int(r.tenant_id), status, str(r.currency), r.amount, 1))
        count_documents(conn, moves)
    return len(changed)


class _Document(NamedTuple):
    id: int
    tenant_id: int
    contract_id: int
    source_ref: str
    number: str
    kind: str
    reason: str
    credit_note_for: str | None
    amount: Decimal
    currency: str
    open_amount: Decimal
    status: str


# through the driver (`driver_sql`): asked for every batch that allocates or documents
_DOCUMENTS_OF = ("SELECT id, tenant_id, contract_id, source_ref, number, kind, reason, "
                 "credit_note_for, amount, currency, open_amount, status FROM documents "
                 "WHERE %s")
_DOCUMENTS_OF_ITEMS = _DOCUMENTS_OF % "(contract_id, source_ref) IN {pairs}"
_DOCUMENTS_OF = _DOCUMENTS_OF % "contract_id IN {in}"
# what the allocations not corrected (`corrected.uncorrected`) paid of each item
_PAID = ("SELECT a.contract_id, a.item_ref, sum(a.amount) FROM allocations AS a "
         "WHERE %s AND NOT EXISTS (SELECT 1 FROM actions AS x "
         "WHERE x.contract_id = a.contract_id AND x.natural_key = 'correction|' || "
         "a.action_key) GROUP BY a.contract_id, a.item_ref")
_PAID_OF = _PAID % "a.contract_id IN {in}"
_PAID_OF_ITEMS = _PAID % "(a.contract_id, a.item_ref) IN {pairs}"


def count_documents(conn: Connection, moves: Sequence[tuple[int, str, str, Decimal, int]]
                    ) -> None:
    """Move `book_documents` by (tenant, status, currency, amount, documents) differences."""
    if not moves:
        return
    lock_totals(conn, (tenant for tenant, *_ in moves))
    counted: dict[tuple[object, ...], int] = {}
    summed: dict[tuple[object, ...], Decimal] = {}
    for tenant, status, currency, value, n in moves:
        key = (tenant, status, currency)
        counted[key] = counted.get(key, 0) + n
        summed[key] = summed.get(key, ZERO) + value
    rows = [(*k, counted[k], units(summed[k])) for k in sorted(counted, key=repr)
            if counted[k] or summed[k]]
    Reads(conn).many(_COUNT_DOCUMENTS, rows)


_COUNT_DOCUMENTS = (
    "INSERT INTO book_documents (tenant_id, status, currency, documents, amount) "
    "VALUES ({p}, {p}, {p}, {p}, {p}) ON CONFLICT (tenant_id, status, currency) DO UPDATE SET "
    "documents = book_documents.documents + excluded.documents, "
    "amount = book_documents.amount + excluded.amount")


def document_totals(conn: Connection, tenant_id: int) -> list[tuple[str, str, int, Decimal]]:
    """(status, currency, documents, amount) of the tenant's documents, from the kept totals."""
    b = ct.book_documents.c
    return [(str(s), str(c), int(n), amount(v)) for s, c, n, v in conn.execute(
        select(b.status, b.currency, b.documents, b.amount).where(b.tenant_id == tenant_id))
        if n or v]
