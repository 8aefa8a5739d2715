"""Bulk rows for a streamed import: a chunk of contracts or events per statement.

Each method takes or returns one chunk (a few thousand rows) so an import of any size holds
one chunk in memory; the driver's executemany sends the prepared rows. Nothing here commits:
the caller's unit of work keeps the whole import one transaction.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from termline.engine.state import ContractState
from termline.policy.schema import Policy
from termline.scenario.model import Contract, Customer
from termline.store import tables as t
from termline.store.codec import encode
from termline.store.records import StoredContract
from termline.store.repository import _stored_contract, digest, dumps

_R = t.contract_runs.c


def customer_key(customer: Customer) -> str:
    """The customer's identity in its tenant (as `Repository.customer` keys it)."""
    return digest(dumps([customer.name, customer.country, customer.email]))


class BulkRows:
    def __init__(self, connection: Connection) -> None:
        self.conn = connection
        self._fresh_state = dumps(encode(ContractState(), ContractState))

    def _insert(self, table: Any, rows: list[dict[str, Any]]) -> None:
        """Rows into a table: PostgreSQL's `COPY` (same transaction), else executemany."""
        if self.conn.dialect.name != "postgresql":
            self.conn.execute(insert(table), rows)
            return
        columns = list(rows[0])
        names = ", ".join(f'"{c}"' for c in columns)
        raw = self.conn.connection.driver_connection
        assert raw is not None
        with raw.cursor() as cursor, \
                cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[c] for c in columns])

    # --- contracts ------------------------------------------------------------------------
    def stored_refs(self, tenant_id: int, refs: Collection[str]) -> set[str]:
        c = t.contracts.c
        return {r for (r,) in self.conn.execute(select(c.ref).where(
            c.tenant_id == tenant_id, c.ref.in_(list(refs))))}

    def customers(self, tenant_id: int, customers: Iterable[Customer]) -> dict[str, int]:
        """The ids of these customers by key, the new ones stored now."""
        wanted = {customer_key(cu): cu for cu in customers}
        c = t.customers.c
        query = select(c.key, c.id).where(c.tenant_id == tenant_id, c.key.in_(list(wanted)))
        found = {k: int(i) for k, i in self.conn.execute(query)}
        new = [{"tenant_id": tenant_id, "key": key, "name": cu.name, "country": cu.country,
                "email": cu.email} for key, cu in wanted.items() if key not in found]
        if new:
            self._insert(t.customers, new)
            found = {k: int(i) for k, i in self.conn.execute(query)}
        return found

    def add_contracts(self, tenant_id: int,
                      rows: Sequence[tuple[Contract, Policy, int, int]]) -> list[int]:
        """Store (contract, policy, policy version id, customer id) rows with their run rows,
        as `Repository.add_contract` stores one; their ids, in order."""
        if not rows:
            return []
        self._insert(t.contracts, [
            {"tenant_id": tenant_id, "ref": contract.id, "customer_id": customer_id,
             "policy_version_id": version, "start": contract.start,
             "currency": policy.currency, "document": contract.model_dump_json(by_alias=True)}
            for contract, policy, version, customer_id in rows])
        c = t.contracts.c
        ids = {ref: int(i) for ref, i in self.conn.execute(select(c.ref, c.id).where(
            c.tenant_id == tenant_id, c.ref.in_([row[0].id for row in rows])))}
        self._insert(t.contract_runs, [
            {"contract_id": ids[contract.id], "tenant_id": tenant_id,
             "state": self._fresh_state, "cursor": contract.start - timedelta(days=1),
             "next_due": contract.start, "action_count": 0}
            for contract, _, _, _ in rows])
        return [ids[contract.id] for contract, _, _, _ in rows]

    def contracts_by_ref(self, tenant_id: int, refs: Collection[str]
                         ) -> dict[str, StoredContract]:
        c = t.contracts.c
        rows = self.conn.execute(select(c.id, c.tenant_id, c.ref, c.document,
                                        c.policy_version_id)
                                 .where(c.tenant_id == tenant_id, c.ref.in_(list(refs))))
        return {r.ref: _stored_contract(r.id, r) for r in rows}

    def contract_pages(self, tenant_id: int, size: int) -> Iterable[list[StoredContract]]:
        """Every contract of the tenant, `size` at a time (for events sent to all of them)."""
        c = t.contracts.c
        after = 0
        while True:
            page = [_stored_contract(r.id, r) for r in self.conn.execute(
                select(c.id, c.tenant_id, c.document, c.policy_version_id)
                .where(c.tenant_id == tenant_id, c.id > after).order_by(c.id).limit(size))]
            if not page:
                return
            yield page
            after = page[-1].id

    # --- events ---------------------------------------------------------------------------
    def event_payloads(self, tenant_id: int, keys: Collection[str]) -> dict[str, str]:
        """The stored payloads of the events with these natural keys."""
        c = t.events.c
        return {key: payload for key, payload in self.conn.execute(
            select(c.natural_key, c.payload).where(c.tenant_id == tenant_id,
                                                   c.natural_key.in_(list(keys))))}

    def add_events(self, tenant_id: int, rows: Sequence[tuple[int | None, Any, str]]) -> None:
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
        if not earliest:
            return
        params = [{"cid": cid, "day": day} for cid, day in sorted(earliest.items())]
        day = bindparam("day", type_=t.contract_runs.c.cursor.type)
        least = func.coalesce(func.min(_R.recompute_from, day), day) \
            if self.conn.dialect.name == "sqlite" else \
            func.least(func.coalesce(_R.recompute_from, day), day)
        self.conn.execute(update(t.contract_runs).where(
            _R.contract_id == bindparam("cid"), _R.cursor >= day)
            .values(recompute_from=least), params)
        self.conn.execute(update(t.contract_runs).where(
            _R.contract_id == bindparam("cid"), _R.next_due > day)
            .values(next_due=day), params)
