"""The repository: engine objects in, engine objects out; SQL stays in this module."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Iterable, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import (
    Connection,
    CursorResult,
    and_,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from termline.adapters.sql import tables as t
from termline.adapters.sql.codec import decode, encode
from termline.adapters.sql.jsontext import dumps, loads
from termline.adapters.sql.projection import project, project_days
from termline.adapters.sql.store_records import (
    DueRun,
    LoggedEvent,
    NewAction,
    RawEvent,
    RunDay,
    RunState,
    StoredAction,
    StoredContract,
    StoredEvent,
    Tenant,
    Unreadable,
)
from termline.adapters.sql.writes import insert_rows
from termline.domain.contract.model import BROADCAST, Contract, Customer, Event
from termline.domain.engine.actions import Action
from termline.domain.engine.state import ContractState
from termline.domain.policy.schema import Policy
from termline.domain.policy.stored import policy_from_text, policy_text

_EVENT: TypeAdapter[Event] = TypeAdapter(Event)
NEVER = date(9999, 12, 31)  # next_due of a contract nothing can happen to without an event
_RUN = t.contract_runs.c
_SAVE_RUNS_SQLITE = (
    "UPDATE contract_runs SET state = ?, cursor = ?, next_due = ?, recompute_from = ?, "
    "action_count = ?, problem = NULL WHERE contract_id = ? AND cursor = ? AND action_count = ?")
_SAVE_RUNS_PG = (
    "UPDATE contract_runs AS r SET state = v.state, cursor = v.cursor, next_due = v.next_due, "
    "recompute_from = v.recompute_from, action_count = v.action_count, problem = NULL "
    "FROM unnest(%b::text[], %b::date[], %b::date[], %b::date[], %b::int[], %b::bigint[], "
    "%b::date[], %b::int[]) AS v(state, cursor, next_due, recompute_from, action_count, cid, "
    "old_cursor, old_count) "
    "WHERE r.contract_id = v.cid AND r.cursor = v.old_cursor AND r.action_count = v.old_count")
# a contract's run row with what a claim needs of its contract
_RUN_ROWS = select(_RUN.contract_id, _RUN.state, _RUN.cursor, _RUN.next_due,
                   _RUN.recompute_from, _RUN.action_count, _RUN.problem, t.contracts.c.tenant_id,
                   t.contracts.c.document, t.contracts.c.policy_version_id,
                   t.contracts.c.start).join(
    t.contracts, t.contracts.c.id == _RUN.contract_id)
# an event's own rows, less those an operator voided (`event_voids`)
_LIVE = ~select(t.event_voids.c.event_id).where(
    t.event_voids.c.event_id == t.events.c.id).exists()


def _new_id(result: CursorResult[Any]) -> int:
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def stored_event(event_id: int, day: date, payload: str) -> StoredEvent:
    try:
        return StoredEvent(event_id, _EVENT.validate_json(payload))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        return StoredEvent(event_id, Unreadable(day, f"{where}: {first['msg']}" if where
                                                else first["msg"]))


class Repository:
    def __init__(self, connection: Connection) -> None:
        self.conn = connection

    # --- tenants and policy versions ------------------------------------------------------
    def tenant(self, name: str) -> Tenant | None:
        row = self.conn.execute(select(t.tenants).where(t.tenants.c.name == name)).first()
        return None if row is None else Tenant(row.id, row.name, row.timezone,
                                               json.loads(row.settings))

    def tenants(self) -> list[Tenant]:
        rows = self.conn.execute(select(t.tenants).order_by(t.tenants.c.id))
        return [Tenant(r.id, r.name, r.timezone, json.loads(r.settings)) for r in rows]

    def add_tenant(self, name: str, timezone: str, settings: dict[str, Any]) -> int:
        result = self.conn.execute(insert(t.tenants).values(
            name=name, timezone=timezone, settings=dumps(settings)))
        return _new_id(result)

    def set_tenant_settings(self, tenant_id: int, settings: dict[str, Any]) -> None:
        self.conn.execute(update(t.tenants).where(t.tenants.c.id == tenant_id)
                          .values(settings=dumps(settings)))

    def policy_version(self, policy: Policy) -> int:
        """The id of the stored version with this exact content, stored now if new."""
        text = policy_text(policy)
        key = digest(text)
        found = self.conn.execute(select(t.policy_versions.c.id)
                                  .where(t.policy_versions.c.content_hash == key)).scalar()
        if found is not None:
            return int(found)
        result = self.conn.execute(insert(t.policy_versions).values(
            pack=policy.pack, content_hash=key, policy=text))
        return _new_id(result)

    def policy(self, version_id: int) -> Policy:
        text = self.conn.execute(select(t.policy_versions.c.policy)
                                 .where(t.policy_versions.c.id == version_id)).scalar_one()
        return policy_from_text(text)

    # --- customers and contracts ----------------------------------------------------------
    def customer(self, tenant_id: int, customer: Customer) -> int:
        key = digest(dumps([customer.name, customer.country, customer.email]))
        found = self.conn.execute(select(t.customers.c.id).where(
            t.customers.c.tenant_id == tenant_id, t.customers.c.key == key)).scalar()
        if found is not None:
            return int(found)
        result = self.conn.execute(insert(t.customers).values(
            tenant_id=tenant_id, key=key, name=customer.name, country=customer.country,
            email=customer.email))
        return _new_id(result)

    def add_contract(self, tenant_id: int, contract: Contract, policy: Policy) -> int:
        version = self.policy_version(policy)
        result = self.conn.execute(insert(t.contracts).values(
            tenant_id=tenant_id, ref=contract.id, customer_id=self.customer(tenant_id,
                                                                            contract.customer),
            policy_version_id=version, start=contract.start, currency=policy.currency,
            document=contract.model_dump_json(by_alias=True)))
        contract_id = _new_id(result)
        self.conn.execute(insert(t.contract_runs).values(
            contract_id=contract_id, tenant_id=tenant_id,
            state=dumps(encode(ContractState(), ContractState)),
            cursor=contract.start - timedelta(days=1), next_due=contract.start,
            action_count=0))
        return contract_id

    def contracts(self, tenant_id: int | None = None, ref: str | None = None
                  ) -> list[StoredContract]:
        query = select(t.contracts).order_by(t.contracts.c.id)
        if tenant_id is not None:
            query = query.where(t.contracts.c.tenant_id == tenant_id)
        if ref is not None:
            query = query.where(t.contracts.c.ref == ref)
        return [_stored_contract(r.id, r) for r in self.conn.execute(query)]

    # --- the event log --------------------------------------------------------------------
    def add_event(self, tenant_id: int, contract_id: int | None, event: Any,
                  natural_key: str) -> int | None:
        """Append an event; None when an event with the same natural key is stored (also
        when a concurrent transaction stores it first: the insert waits for it)."""
        dialect = {"postgresql": postgresql, "sqlite": sqlite}[self.conn.dialect.name]
        result = self.conn.execute(dialect.insert(t.events).values(
            tenant_id=tenant_id, contract_id=contract_id, date=event.date, type=event.type,
            natural_key=natural_key, payload=event.model_dump_json(by_alias=True))
            .on_conflict_do_nothing().returning(t.events.c.id))
        found = result.scalar()
        return None if found is None else int(found)

    def events(self, contract: StoredContract, after: date | None, until: date | None = None
               ) -> list[StoredEvent]:
        """The contract's own and its tenant's broadcast events, in received order."""
        c = t.events.c
        query = select(c.id, c.date, c.payload).where(
            or_(c.contract_id == contract.id,
                and_(c.tenant_id == contract.tenant_id, c.contract_id.is_(None))),
            c.date >= contract.contract.start, _LIVE).order_by(c.id)
        if until is not None:
            query = query.where(c.date <= until)
        if after is not None:
            query = query.where(c.date > after)
        return [stored_event(r.id, r.date, r.payload)
                for r in self.conn.execute(query)]

    def note_event(self, tenant_id: int, contract_id: int | None, day: date) -> None:
        """An event dated `day` arrived (or was voided): make its contract(s) due, and
        recompute if back-dated.

        The run rows are locked first. A worker that has claimed the contract holds its row
        until the day it computes is stored, and it read the event log before this event was
        committed: waiting for it here means the conditions below see the cursor it stored,
        so an event dated before that cursor triggers the recompute instead of being passed
        over (PostgreSQL; on SQLite the write lock already serialises the two).
        """
        r = t.contract_runs.c
        target = (r.contract_id == contract_id) if contract_id is not None else \
            (r.tenant_id == tenant_id)
        self.conn.execute(select(r.contract_id).where(target).order_by(r.contract_id)
                          .with_for_update())
        self.conn.execute(update(t.contract_runs).where(target, r.cursor >= day).values(
            recompute_from=func.coalesce(func.min(r.recompute_from, day), day)
            if self.conn.dialect.name == "sqlite" else
            func.least(func.coalesce(r.recompute_from, day), day)))
        self.conn.execute(update(t.contract_runs).where(target, r.next_due > day)
                          .values(next_due=day))

    # --- run state ------------------------------------------------------------------------
    def count_due(self, tenant_id: int, until: date) -> int:
        r = t.contract_runs.c
        return int(self.conn.execute(select(func.count()).select_from(t.contract_runs).where(
            r.tenant_id == tenant_id, r.next_due <= _claimable(until))).scalar_one())

    def claim(self, tenant_id: int, until: date, limit: int = 1
              ) -> list[tuple[StoredContract, RunState]]:
        """Up to `limit` of the tenant's most overdue contracts, locked for this transaction.

        On PostgreSQL the rows are taken `FOR UPDATE SKIP LOCKED`: concurrent workers each get
        other contracts. On SQLite the transaction holds the write lock from its start (see
        `store.db`), so workers take turns; the optimistic check of `save_runs` stays as a
        guard either way.
        """
        r = t.contract_runs.c
        wave = self.wave(tenant_id, until)
        if wave is None:
            return []
        return self._locked(_RUN_ROWS.where(r.tenant_id == tenant_id, r.next_due <= wave)
                            .order_by(r.next_due, r.contract_id).limit(limit)
                            .with_for_update(skip_locked=True, of=t.contract_runs))

    def wave(self, tenant_id: int, until: date) -> date | None:
        """The earliest day a contract of the tenant is due (locked or not), or None.

        A run takes the book a day at a time: it claims only the contracts due on the earliest
        due day, so every document of one day is numbered before any of a later day, also on
        a catch-up run over many months and with several workers (a worker waits while another
        holds the last contracts of the day). Legal numbering is chronological per series.
        """
        r = t.contract_runs.c
        found = self.conn.execute(select(func.min(r.next_due)).where(
            r.tenant_id == tenant_id, r.next_due <= _claimable(until))).scalar()
        return found if found is None or isinstance(found, date) \
            else date.fromisoformat(str(found))

    def _locked(self, query: Any) -> list[tuple[StoredContract, RunState]]:
        return [(_stored_contract(row.contract_id, row), _run_state(row))
                for row in self.conn.execute(query)]

    def events_after(self, tenant_id: int, cursors: Sequence[tuple[StoredContract, date]]
                     ) -> dict[int, list[StoredEvent]]:
        """Each contract's own and broadcast events dated after its cursor, in received order
        (one query for a batch of contracts)."""
        raw = self.raw_events_after(tenant_id, [(sc.id, cursor, sc.contract.start)
                                                for sc, cursor in cursors])
        parsed: dict[int, StoredEvent] = {}  # a broadcast event is read once for the batch
        return {cid: [parsed.get(i) or parsed.setdefault(i, stored_event(i, day, payload))
                      for i, day, payload in events] for cid, events in raw.items()}

    def raw_events_after(self, tenant_id: int, cursors: Sequence[tuple[int, date, date]]
                         ) -> dict[int, list[RawEvent]]:
        """`events_after` as stored, for (contract id, cursor, start) triples."""
        if not cursors:
            return {}
        c = t.events.c
        low = min(cursor for _, cursor, _ in cursors)
        rows = self.conn.execute(select(c.id, c.contract_id, c.date, c.payload).where(
            or_(c.contract_id.in_([cid for cid, _, _ in cursors]),
                and_(c.tenant_id == tenant_id, c.contract_id.is_(None))),
            c.date > low, _LIVE).order_by(c.id))
        bounds = {cid: (cursor, start) for cid, cursor, start in cursors}
        out: dict[int, list[RawEvent]] = {}
        for row in rows:
            for cid in [row.contract_id] if row.contract_id is not None else bounds:
                cursor, start = bounds[cid]
                if row.date > cursor and row.date >= start:
                    out.setdefault(cid, []).append((row.id, row.date, row.payload))
        return out

    def due_runs(self, tenant_id: int, until: date, limit: int, skip: Collection[int] = ()
                 ) -> list[DueRun]:
        """Up to `limit` of the tenant's most overdue contracts as stored, leaving out `skip`
        (those in flight), without locking: for a single writer that checks each row again
        before it stores what it computed from it (`run_marks`)."""
        r = t.contract_runs.c
        wave = self.wave(tenant_id, until)  # a day at a time, as `claim`
        if wave is None:
            return []
        rows = self.conn.execute(_RUN_ROWS.where(r.tenant_id == tenant_id, r.next_due <= wave)
                                 .order_by(r.next_due, r.contract_id).limit(limit + len(skip)))
        return [_due_run(row) for row in rows if row.contract_id not in skip][:limit]

    def run_marks(self, contract_ids: Sequence[int]
                  ) -> dict[int, tuple[date, date, date | None, int]]:
        """What `DueRun.mark` was when read, now (set-aside contracts left out)."""
        r = t.contract_runs.c
        rows = self.conn.execute(select(r.contract_id, r.cursor, r.next_due, r.recompute_from,
                                        r.action_count).where(r.contract_id.in_(contract_ids),
                                                              r.problem.is_(None)))
        return {row.contract_id: (row.cursor, row.next_due, row.recompute_from,
                                  row.action_count) for row in rows}

    def policy_text(self, version_id: int) -> str:
        return str(self.conn.execute(select(t.policy_versions.c.policy).where(
            t.policy_versions.c.id == version_id)).scalar_one())

    def claim_ids(self, contract_ids: Sequence[int]) -> list[tuple[StoredContract, RunState]]:
        """These contracts, locked for this transaction (waiting for another holder)."""
        r = t.contract_runs.c
        return self._locked(_RUN_ROWS.where(r.contract_id.in_(contract_ids))
                            .order_by(r.contract_id).with_for_update(of=t.contract_runs))

    def set_aside(self, contract_id: int, problem: dict[str, Any]) -> None:
        """Stop running the contract until its input is corrected (`note_event`) or it is
        resumed: the claim passes over it, the rest of the book runs on."""
        self.conn.execute(update(t.contract_runs)
                          .where(t.contract_runs.c.contract_id == contract_id)
                          .values(problem=dumps(problem), next_due=NEVER))

    def resume(self, contract_id: int) -> bool:
        """Run a set-aside contract again from the day after its cursor; False if it was not
        set aside."""
        r = t.contract_runs.c
        cursor = self.conn.execute(select(r.cursor).where(
            r.contract_id == contract_id, r.problem.is_not(None)).with_for_update()).scalar()
        if cursor is None:
            return False
        self.conn.execute(update(t.contract_runs).where(r.contract_id == contract_id)
                          .values(next_due=cursor + timedelta(days=1)))
        return True

    def problems(self, tenant_id: int) -> dict[int, dict[str, Any]]:
        """The set-aside contracts of a tenant, with why."""
        r = t.contract_runs.c
        rows = self.conn.execute(select(r.contract_id, r.problem).where(
            r.tenant_id == tenant_id, r.problem.is_not(None)))
        return {row.contract_id: json.loads(row.problem) for row in rows}

    def event_log(self, tenant_id: int, contract_id: int | None = None) -> list[LoggedEvent]:
        """The tenant's events in received order (one contract's own and the broadcast ones
        when `contract_id` is given), voided ones included and marked."""
        e, v, c = t.events.c, t.event_voids.c, t.contracts.c
        query = (select(e.id, c.ref, e.natural_key, e.payload, v.reason)
                 .select_from(t.events.outerjoin(t.contracts, c.id == e.contract_id)
                              .outerjoin(t.event_voids, v.event_id == e.id))
                 .where(e.tenant_id == tenant_id).order_by(e.id))
        if contract_id is not None:
            query = query.where(or_(e.contract_id == contract_id, e.contract_id.is_(None)))
        return [LoggedEvent(r.id, r.ref, r.natural_key, json.loads(r.payload), r.reason)
                for r in self.conn.execute(query)]

    def void_event(self, tenant_id: int, event_id: int, reason: str, at: datetime
                   ) -> tuple[int | None, date]:
        """Record that an event is withdrawn: (its contract id or None, its date). Raises
        LookupError when the tenant has no such event, ValueError when it is voided already."""
        e = t.events.c
        row = self.conn.execute(select(e.contract_id, e.date).where(
            e.id == event_id, e.tenant_id == tenant_id)).first()
        if row is None:
            raise LookupError(event_id)
        dialect = {"postgresql": postgresql, "sqlite": sqlite}[self.conn.dialect.name]
        done = self.conn.execute(dialect.insert(t.event_voids).values(
            event_id=event_id, tenant_id=tenant_id, reason=reason, recorded_at=at)
            .on_conflict_do_nothing())
        if not done.rowcount:
            raise ValueError(event_id)
        return row.contract_id, row.date

    def event_key_payload(self, tenant_id: int, natural_key: str) -> str | None:
        """The payload stored under a natural key, if any."""
        e = t.events.c
        found = self.conn.execute(select(e.payload).where(
            e.tenant_id == tenant_id, e.natural_key == natural_key)).scalar()
        return None if found is None else str(found)

    def run_through(self, tenant_id: int) -> date | None:
        return self.conn.execute(select(t.tenant_runs.c.run_through).where(
            t.tenant_runs.c.tenant_id == tenant_id)).scalar()

    def record_run(self, tenant_id: int, day: date) -> None:
        """Note that the tenant's book has been run through `day` (never moves back).

        Workers finishing together all record: the row is created if missing without a
        conflict (ON CONFLICT DO NOTHING waits for a concurrent creator), then moved forward.
        """
        runs = t.tenant_runs.c
        dialect = {"postgresql": postgresql, "sqlite": sqlite}[self.conn.dialect.name]
        self.conn.execute(dialect.insert(t.tenant_runs).values(
            tenant_id=tenant_id, run_through=day).on_conflict_do_nothing())
        self.conn.execute(update(t.tenant_runs).where(runs.tenant_id == tenant_id,
                                                      runs.run_through < day)
                          .values(run_through=day))

    def run_state(self, contract_id: int) -> RunState:
        return _run_state(self.conn.execute(select(t.contract_runs).where(
            t.contract_runs.c.contract_id == contract_id)).one())

    def save_run(self, old: RunState, new: RunState) -> bool:
        """Store the new state if nobody moved the cursor meanwhile (optimistic check)."""
        return self.save_runs([(old, new)])

    def save_runs(self, pairs: Sequence[tuple[RunState, RunState]],
                  encoded: Sequence[str] | None = None) -> bool:
        """`save_run` for a batch in one statement; False if any contract moved meanwhile.
        `encoded`: the new states' text, when already encoded (in a step process)."""
        if not pairs:
            return True
        texts = encoded if encoded is not None else [
            dumps(encode(new.state, ContractState)) for _, new in pairs]
        rows = [(text, new.cursor, new.next_due,
                 new.recompute_from, new.action_count, old.contract_id, old.cursor,
                 old.action_count) for (old, new), text in zip(pairs, texts, strict=True)]
        if self.conn.dialect.name == "postgresql":
            # one statement for the batch: the rows as arrays, joined back by contract id
            columns = list(zip(*rows, strict=True))
            result = self.conn.exec_driver_sql(_SAVE_RUNS_PG, tuple(list(c) for c in columns))
        else:
            # dates bound as ISO text by the adapter `store.writes` registers
            result = self.conn.exec_driver_sql(_SAVE_RUNS_SQLITE, rows)
        return result.rowcount == len(pairs)

    # --- the action ledger ----------------------------------------------------------------
    def stored_actions(self, contract_id: int) -> list[StoredAction]:
        a = t.actions.c
        rows = self.conn.execute(select(a.natural_key, a.seq, a.date, a.kind, a.body)
                                 .where(a.contract_id == contract_id).order_by(a.seq))
        return [StoredAction(r.natural_key, r.seq, r.date, r.kind, loads(r.body))
                for r in rows]

    def add_actions(self, contract: StoredContract, first_seq: int, new: Sequence[NewAction],
                    recorded_on: date, state: ContractState,
                    replayed: Sequence[NewAction] | None = None) -> None:
        """Append to the ledger, and project invoices, payments and allocations from it.

        `state` is the contract's state after `new`; `replayed`, for a recompute, every action
        of the rerun (see `store.projection.project`).
        """
        if not new:
            return
        insert_rows(self.conn, t.actions, ACTION_COLUMNS,
                    _action_rows(contract, first_seq, new, recorded_on))
        project(self.conn, contract, state, new, replayed)

    def add_days(self, days: Sequence[RunDay], recorded_on: date) -> None:
        """`add_actions` for a batch of contract days: one insert, one projection."""
        rows = [row for day in days
                for row in _action_rows(day.contract, day.first_seq, day.items, recorded_on)]
        if rows:
            insert_rows(self.conn, t.actions, ACTION_COLUMNS, rows)
            project_days(self.conn, [(d.contract, d.state, d.items) for d in days if d.items])

    def ledger(self, tenant_id: int | None, contract_ref: str | None
               ) -> list[tuple[date, str, int, dict[str, Any]]]:
        """(date, contract ref, seq, action JSON) of the stored actions."""
        a, c = t.actions.c, t.contracts.c
        query = select(a.date, c.ref, a.seq, a.body).join(
            t.contracts, t.contracts.c.id == a.contract_id)
        if tenant_id is not None:
            query = query.where(a.tenant_id == tenant_id)
        if contract_ref is not None:
            query = query.where(c.ref == contract_ref)
        return [(r.date, r.ref, r.seq, json.loads(r.body)) for r in self.conn.execute(query)]


def _claimable(until: date) -> date:
    """The last next_due a run to `until` claims: NEVER marks a contract nothing can happen to
    without an event (or one set aside), never due, even on a run to 9999-12-31."""
    return min(until, NEVER - timedelta(days=1))


def _stored_contract(contract_id: int, row: Any) -> StoredContract:
    return StoredContract(contract_id, row.tenant_id, Contract.model_validate_json(row.document),
                          row.policy_version_id)


def _due_run(row: Any) -> DueRun:
    return DueRun(row.contract_id, row.tenant_id, row.policy_version_id, row.start,
                  row.document, row.state, row.cursor, row.next_due, row.recompute_from,
                  row.action_count)


def _run_state(row: Any) -> RunState:
    return RunState(row.contract_id, decode(ContractState, loads(row.state)), row.cursor,
                    row.next_due, row.recompute_from, row.action_count,
                    json.loads(row.problem) if row.problem else None)


ACTION_COLUMNS = ("tenant_id", "contract_id", "seq", "date", "kind", "natural_key", "clauses",
                  "body", "amount", "currency", "policy_version_id", "cause_date",
                  "cause_events", "recorded_on")


def _action_rows(contract: StoredContract, first_seq: int, new: Sequence[NewAction],
                 recorded_on: date) -> list[tuple[Any, ...]]:
    rows = []
    for i, item in enumerate(new):
        act = item.action
        amount = dict(act.fields).get("amount")
        rows.append((
            contract.tenant_id, contract.id, first_seq + i, act.date, act.kind,
            item.natural_key, dumps(list(act.clauses)),
            item.body if item.body is not None else dumps(act.to_json()),
            amount if isinstance(amount, Decimal) else None, act.currency,
            contract.policy_version_id, item.cause_date, dumps(list(item.cause_events)),
            recorded_on))
    return rows


def action_keys(actions: Iterable[Action]) -> list[str]:
    """Natural keys of a contract's actions: date, kind, content hash and occurrence."""
    return [key for key, _ in keyed_bodies(actions)]


def keyed_bodies(actions: Iterable[Action]) -> list[tuple[str, str]]:
    """(natural key, JSON body) of each action; the body is what the ledger stores."""
    seen: dict[str, int] = {}
    out = []
    for act in actions:
        body = dumps(act.to_json())
        base = f"{act.date.isoformat()}|{act.kind}|{digest(body)[:24]}"
        seen[base] = seen.get(base, 0) + 1
        out.append((f"{base}|{seen[base]}", body))
    return out


__all__ = ["BROADCAST", "LoggedEvent", "NewAction", "Repository", "RunDay", "RunState",
           "StoredAction", "StoredContract", "StoredEvent", "Tenant", "Unreadable", "action_keys",
           "dumps"]
