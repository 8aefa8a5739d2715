"""The multi-row statements of a batch of API writes (`app.idempotency.admit_many`,
`settle_many`): the callers' keys in one select, the idempotency reservations in one insert,
the audit rows in one insert, the answers kept in one update.

On PostgreSQL the writes go to the driver as fixed statements over arrays (`unnest`): one
text whatever the batch's size, so SQLAlchemy compiles nothing (its compilation of a
multi-row VALUES of each new size was a fifth of the server's time under load) and psycopg
prepares each once per connection. SQLite, one writer, keeps SQLAlchemy's statements (and
its way of storing timestamps)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Connection, bindparam, insert, select, update

from termline.adapters.sql import service_tables as s
from termline.adapters.sql import tables as t
from termline.adapters.sql.sql_rows import SqlRows

_K, _TN, _I = s.api_keys.c, t.tenants.c, s.idempotency_keys.c
_KEYS = (select(_K.id, _K.public_id, _K.tenant_id, _K.salt, _K.hash, _K.scopes, _K.revoked_at,
                _TN.name, _TN.timezone, _TN.settings)
         .join(t.tenants, _TN.id == _K.tenant_id))
_KEEP_ANSWER = (update(s.idempotency_keys)
                .where(_I.tenant_id == bindparam("t"), _I.key == bindparam("k"))
                .values(status=bindparam("s"), body=bindparam("b")))


_RESERVE_PG = (
    "INSERT INTO idempotency_keys (tenant_id, key, request_hash, status, body, created_at) "
    "SELECT v.t, v.k, v.h, %s::int, '', v.at "
    "FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::timestamptz[]) AS v(t, k, h, at) "
    "ON CONFLICT DO NOTHING RETURNING tenant_id, key")
_KEEP_ANSWERS_PG = (
    "UPDATE idempotency_keys AS i SET status = v.s, body = v.b "
    "FROM unnest(%s::bigint[], %s::text[], %s::int[], %s::text[]) AS v(t, k, s, b) "
    "WHERE i.tenant_id = v.t AND i.key = v.k")


def _pg(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


class KeyRow(NamedTuple):
    """A stored API key with its tenant's row."""
    id: int
    public_id: str
    tenant_id: int
    salt: str
    hash: str
    scopes: str
    revoked_at: datetime | None
    name: str
    timezone: str
    settings: str


class AuditRow(NamedTuple):
    """A row of `audit_log`, in its columns' order."""
    tenant_id: int
    key_id: int | None
    at: datetime
    method: str
    path: str
    status: int
    idempotency_key: str | None
    request_hash: str


_AUDIT_PG = (
    f"INSERT INTO audit_log ({', '.join(AuditRow._fields)}) SELECT * FROM unnest(%s::bigint[], "
    "%s::bigint[], %s::timestamptz[], %s::text[], %s::text[], %s::int[], %s::text[], "
    "%s::text[])")


def key_rows(conn: Connection, public_ids: Collection[str]) -> dict[str, KeyRow]:
    """The API keys with these public ids, each with its tenant's row, by public id."""
    if not public_ids:
        return {}
    return {str(r.public_id): KeyRow._make(r) for r in conn.execute(
        _KEYS.where(_K.public_id.in_(sorted(public_ids))))}


def reserve_new(conn: Connection, rows: Sequence[tuple[int, str, str, datetime]],
                pending: int) -> set[tuple[int, str]]:
    """Reserve (tenant id, key, request hash, received at) rows whose keys are distinct, in
    one insert: the (tenant id, key) pairs that were new. A key another transaction holds is
    waited for (then not new); the rows go in key order, the order every batch locks them
    in, so that two batches cannot wait for each other."""
    if not rows:
        return set()
    ordered = sorted(rows)
    if _pg(conn):
        found = conn.exec_driver_sql(_RESERVE_PG, (pending, *(
            list(column) for column in zip(*ordered, strict=True))))
        return {(int(tenant_id), str(key)) for tenant_id, key in found}
    found = conn.execute(SqlRows(conn).dialect().insert(s.idempotency_keys).values([
        {"tenant_id": tenant_id, "key": key, "request_hash": digest, "status": pending,
         "body": "", "created_at": at} for tenant_id, key, digest, at in ordered])
        .on_conflict_do_nothing().returning(_I.tenant_id, _I.key))
    return {(int(tenant_id), str(key)) for tenant_id, key in found}


def keep_answers(conn: Connection, rows: Sequence[tuple[int, str, int, str]]) -> None:
    """(tenant id, key, status, body): each key's answer, in one statement (in key order)."""
    if rows and _pg(conn):
        conn.exec_driver_sql(_KEEP_ANSWERS_PG, tuple(
            list(column) for column in zip(*sorted(rows), strict=True)))
    elif rows:
        conn.execute(_KEEP_ANSWER, [{"t": tenant_id, "k": key, "s": status, "b": body}
                                    for tenant_id, key, status, body in sorted(rows)])


def audit(conn: Connection, rows: Sequence[AuditRow]) -> None:
    """Audit rows in one statement."""
    if rows and _pg(conn):
        conn.exec_driver_sql(_AUDIT_PG, tuple(list(column) for column in zip(*rows, strict=True)))
    elif rows:
        conn.execute(insert(s.audit_log).values([row._asdict() for row in rows]))
