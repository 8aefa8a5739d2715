"""Bulk rows for a streamed import: a chunk of contracts or events per statement.

Each method takes or returns one chunk (a few thousand rows) so an import of any size holds
one chunk in memory. Contracts, their run rows and customers go through the driver itself
(PostgreSQL's `COPY`, sqlite3's `executemany` of plain tuples): SQLAlchemy's per-row
parameter processing cost more than the database's work. A chunk's look-ups pass its keys as
one array parameter (`= ANY(%s)`, `json_each(?)`): an `IN` list of 5,000 bound parameters
was compiled, rendered and parsed anew for every chunk. Nothing here commits: the caller's
unit of work keeps the whole import one transaction.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects import postgresql, sqlite

from termline.adapters.sql import tables as t
from termline.adapters.sql.codec import encode
from termline.adapters.sql.driver_sql import Reads, Row
from termline.adapters.sql.jsontext import dumps
from termline.adapters.sql.kept import count_new_contracts
from termline.adapters.sql.run_repository import note_days
from termline.adapters.sql.store_records import StoredContract, customer_key, stored_contract
from termline.adapters.sql.writes import insert_rows
from termline.domain.contract.model import Contract, Customer, EventBase
from termline.domain.engine.state import ContractState
from termline.domain.policy.schema import Policy

_R = t.contract_runs.c
_CONTRACT_COLUMNS = ("id", "tenant_id", "ref", "customer_id", "policy_version_id", "start",
                     "currency", "document")
_RUN_COLUMNS = ("contract_id", "tenant_id", "state", "cursor", "next_due", "action_count")
_CUSTOMER_COLUMNS = ("id", "tenant_id", "key", "name", "country", "email")


class RefTaken(Exception):
    """A contract of the chunk has a ref its tenant has already (the store's unique key
    refused it); the transaction is then unusable on PostgreSQL. `refs`: the chunk's
    (line, ref), set by the caller that knows the lines."""

    refs: list[tuple[int, str]] = []  # noqa: RUF012 - set per instance by the caller


def _ref_taken(exc: BaseException | None) -> bool:
    diag = getattr(exc, "diag", None)  # psycopg
    if diag is not None:
        return getattr(diag, "constraint_name", None) == "uq_contracts_tenant_id_ref"
    return "UNIQUE constraint failed: contracts.tenant_id, contracts.ref" in str(exc)


class BulkRows:
    def __init__(self, connection: Connection) -> None:
        self.conn = connection
        self.pg = connection.dialect.name == "postgresql"
        raw = connection.connection.driver_connection
        assert raw is not None
        self.raw: Any = raw  # the same DB-API connection, so the same transaction
        self.reads = Reads(connection)
        self._fresh_state = dumps(encode(ContractState(), ContractState))

    @contextmanager
    def small_page_cache(self) -> Iterator[None]:
        """SQLite: a page cache of 32 MB while importing, the connection's own after.

        The store's 256 MB cache (`store.db`) is for the run's index walks; an import's pages
        are written once, and with the large cache its memory grew with the book (217 MB at
        100,000 contracts, 431 MB at 1,000,000) for no gain in speed (measured: 16 MB took as
        long as 256 MB at 100,000)."""
        if self.pg:
            yield
            return
        (before,), = self._rows("PRAGMA cache_size")
        self.raw.execute("PRAGMA cache_size=-32768")
        try:
            yield
        finally:
            self.raw.execute(f"PRAGMA cache_size={int(before)}")

    # --- the driver's own paths -----------------------------------------------------------
    def _rows(self, sql: str, *params: object) -> list[Row]:
        """A query's rows; `sql` has `{p}` for each placeholder and `{in}` for a
        `column IN (the values of one array parameter)` condition (`store.driver_sql`)."""
        return self.reads.rows(sql, *params)

    def _insert(self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        """Rows into a table through the driver (`store.writes.insert_rows`)."""
        insert_rows(self.conn, t.metadata.tables[table], columns, rows)

    def _new_ids(self, table: str, count: int) -> Iterator[int]:
        """`count` fresh ids for rows of `table`, so that no look-up after the insert is
        needed to learn them. PostgreSQL: from the column's sequence (concurrent writers draw
        their own). SQLite: after the largest, as SQLite itself numbers rows; the unit of work
        holds the write lock from BEGIN IMMEDIATE, so nobody else inserts meanwhile."""
        if self.pg:
            found = self._rows(f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) "
                               "FROM generate_series(1, {p})", count)
            return iter(int(i) for (i,) in found)
        (largest,), = self._rows(f"SELECT coalesce(max(id), 0) FROM {table}")
        return iter(range(int(largest) + 1, int(largest) + 1 + count))

    # --- contracts ------------------------------------------------------------------------
    def has_contracts(self, tenant_id: int) -> bool:
        return bool(self._rows("SELECT 1 FROM contracts WHERE tenant_id = {p} LIMIT 1",
                               tenant_id))

    def stored_refs(self, tenant_id: int, refs: Collection[str]) -> set[str]:
        return {r for (r,) in self._rows(
            "SELECT ref FROM contracts WHERE tenant_id = {p} AND ref IN {in}",
            tenant_id, list(refs))}

    def customers(self, tenant_id: int, customers: Iterable[Customer]) -> dict[str, int]:
        """The ids of these customers by key, the new ones stored now."""
        return self.customer_ids(tenant_id, {customer_key(cu): cu for cu in customers})

    def customer_ids(self, tenant_id: int, wanted: dict[str, Customer]) -> dict[str, int]:
        """The ids of these customers (by `customer_key`), the new ones stored now."""
        found = {k: int(i) for k, i in self._rows(
            "SELECT key, id FROM customers WHERE tenant_id = {p} AND key IN {in}",
            tenant_id, list(wanted))}
        new = [(key, cu) for key, cu in wanted.items() if key not in found]
        if new:
            ids = self._new_ids("customers", len(new))
            rows = []
            for key, cu in new:
                found[key] = next(ids)
                rows.append((found[key], tenant_id, key, cu.name, cu.country, cu.email))
            self._insert("customers", _CUSTOMER_COLUMNS, rows)
        return found

    def add_contracts(self, tenant_id: int, rows: Sequence[tuple[Contract, Policy, int, int]],
                      documents: Sequence[str] | None = None) -> list[int]:
        """Store (contract, policy, policy version id, customer id) rows with their run rows,
        as `Repository.add_contract` stores one; their ids, in order. `documents`, when
        given, are the contracts' JSON (`model_dump_json(by_alias=True)`) made beforehand."""
        if not rows:
            return []
        ids = list(self._new_ids("contracts", len(rows)))
        if documents is None:
            documents = [contract.model_dump_json(by_alias=True) for contract, *_ in rows]
        try:
            self._insert("contracts", _CONTRACT_COLUMNS, self._contract_rows(
                tenant_id, ids, rows, documents))
        except sa_exc.IntegrityError as exc:
            if _ref_taken(exc.orig):
                raise RefTaken(str(exc.orig)) from exc
            raise
        day: Any = (lambda d: d) if self.pg else date.isoformat
        state = self._fresh_state
        self._insert("contract_runs", _RUN_COLUMNS, [
            (cid, tenant_id, state, day(contract.start - timedelta(days=1)),
             day(contract.start), 0)
            for cid, (contract, _, _, _) in zip(ids, rows, strict=True)])
        count_new_contracts(self.conn, tenant_id, len(ids))
        return ids

    def _contract_rows(self, tenant_id: int, ids: list[int],
                       rows: Sequence[tuple[Contract, Policy, int, int]],
                       documents: Sequence[str]) -> list[tuple[Any, ...]]:
        day: Any = (lambda d: d) if self.pg else date.isoformat
        return [
            (cid, tenant_id, contract.id, customer_id, version, day(contract.start),
             policy.currency, document)
            for cid, (contract, policy, version, customer_id), document
            in zip(ids, rows, documents, strict=True)]

    def contracts_by_ref(self, tenant_id: int, refs: Collection[str]
                         ) -> dict[str, StoredContract]:
        return {ref: StoredContract(int(cid), tenant_id, Contract.model_validate_json(document),
                                    int(version))
                for cid, ref, document, version in self._rows(
                    "SELECT id, ref, document, policy_version_id FROM contracts "
                    "WHERE tenant_id = {p} AND ref IN {in}", tenant_id, list(refs))}

    def contract_pages(self, tenant_id: int, size: int) -> Iterable[list[StoredContract]]:
        """Every contract of the tenant, `size` at a time (for events sent to all of them)."""
        c = t.contracts.c
        after = 0
        while True:
            page = [stored_contract(r.id, r) for r in self.conn.execute(
                select(c.id, c.tenant_id, c.document, c.policy_version_id)
                .where(c.tenant_id == tenant_id, c.id > after).order_by(c.id).limit(size))]
            if not page:
                return
            yield page
            after = page[-1].id

    # --- events ---------------------------------------------------------------------------
    def event_payloads(self, tenant_id: int, keys: Collection[str]) -> dict[str, str]:
        """The stored payloads of the events with these natural keys."""
        return dict(self._rows(
            "SELECT natural_key, payload FROM events WHERE tenant_id = {p} "
            "AND natural_key IN {in}", tenant_id, list(keys)))

    def add_events(self, tenant_id: int, rows: Sequence[tuple[int | None, EventBase, str]]
                   ) -> None:
        """Append (contract id, event, natural key) rows in order; a key stored meanwhile by
        another transaction is skipped (its insert waits for that one)."""
        if not rows:
            return
        dialect = {"postgresql": postgresql, "sqlite": sqlite}[self.conn.dialect.name]
        statement = dialect.insert(t.events).on_conflict_do_nothing()
        if self.conn.dialect.name == "postgresql":  # many rows a statement (insertmanyvalues)
            statement = statement.returning(t.events.c.id)
        self.conn.execute(statement, [
            {"tenant_id": tenant_id, "contract_id": target, "date": event.date,
             "type": event.type, "natural_key": key,
             "payload": event.model_dump_json(by_alias=True)}
            for target, event, key in rows])

    def note_events(self, earliest: dict[int, date]) -> None:
        """`Repository.note_event` for many contracts at once, each with the date of its
        earliest new event (noting the later ones changes nothing more). Rows are updated in
        contract order, the order every writer locks them in."""
        note_days(self.conn, _R.contract_id, earliest)
