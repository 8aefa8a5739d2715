"""The multi-row statements of a batch of API requests storing events
(`app.intake.add_requests`): their contracts with their policies in one select, the events
in one insert, their notes for the run in one insert. On PostgreSQL the inserts go to the
driver as fixed statements over arrays, as `admissions` explains."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date

from sqlalchemy import Connection, insert, select, tuple_

from termline.adapters.sql import tables as t
from termline.adapters.sql.policy_repository import read_policy
from termline.adapters.sql.sql_rows import SqlRows
from termline.adapters.sql.store_records import StoredContract, stored_contract
from termline.domain.contract.model import EventBase
from termline.domain.policy.schema import Policy

_C, _P, _E = t.contracts.c, t.policy_versions.c, t.events.c
_CONTRACTS = select(_C.id, _C.tenant_id, _C.ref, _C.document, _C.policy_version_id,
                    _P.policy).join(t.policy_versions, _P.id == _C.policy_version_id)


_EVENTS_PG = (
    "INSERT INTO events (tenant_id, contract_id, date, type, natural_key, payload) "
    "SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::date[], %s::text[], %s::text[], "
    "%s::text[]) ON CONFLICT DO NOTHING RETURNING tenant_id, natural_key")
_NOTES_PG = ("INSERT INTO event_notes (tenant_id, contract_id, day) "
             "SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::date[])")


def contracts(conn: Connection, named: Collection[tuple[int, str]]
              ) -> dict[tuple[int, str], tuple[StoredContract, Policy]]:
    """The contracts these (tenant id, ref) pairs name, with their policies, by pair."""
    if not named:
        return {}
    return {(int(r.tenant_id), str(r.ref)): (stored_contract(r.id, r), read_policy(r.policy))
            for r in conn.execute(_CONTRACTS.where(
                tuple_(_C.tenant_id, _C.ref).in_(sorted(named))))}


def add_events(conn: Connection, rows: Sequence[tuple[int, int | None, EventBase, str]]
               ) -> set[tuple[int, str]]:
    """Append (tenant id, contract id, event, natural key) rows whose keys are distinct, in
    one insert: the (tenant id, key) pairs stored now (a key stored already, or by a
    concurrent transaction, which the insert waits for, is not). In key order, the order
    every batch takes them in, so that two batches cannot wait for each other."""
    if not rows:
        return set()
    ordered = [(tenant_id, contract_id, event.date, event.type, key,
                event.model_dump_json(by_alias=True))
               for tenant_id, contract_id, event, key in sorted(rows, key=lambda r: (r[0], r[3]))]
    if conn.dialect.name == "postgresql":
        found = conn.exec_driver_sql(_EVENTS_PG, tuple(
            list(column) for column in zip(*ordered, strict=True))).all()
    else:
        found = conn.execute(SqlRows(conn).dialect().insert(t.events).values([
            {"tenant_id": tenant_id, "contract_id": contract_id, "date": day, "type": kind,
             "natural_key": key, "payload": payload}
            for tenant_id, contract_id, day, kind, key, payload in ordered])
            .on_conflict_do_nothing().returning(_E.tenant_id, _E.natural_key)).all()
    return {(int(tenant_id), str(key)) for tenant_id, key in found}


def add_notes(conn: Connection, rows: Sequence[tuple[int, int | None, date]]) -> None:
    """`Runs.defer_note` for many events: (tenant id, contract id, day) rows, one insert."""
    if rows and conn.dialect.name == "postgresql":
        conn.exec_driver_sql(_NOTES_PG, tuple(list(column) for column in zip(*rows, strict=True)))
    elif rows:
        conn.execute(insert(t.event_notes).values([
            {"tenant_id": tenant_id, "contract_id": contract_id, "day": day}
            for tenant_id, contract_id, day in rows]))
