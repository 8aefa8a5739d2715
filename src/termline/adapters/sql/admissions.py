"""The multi-row statements of a batch of API writes (`app.idempotency.admit_many`,
`settle_many`): the callers' keys in one select, the idempotency reservations in one insert,
the audit rows in one insert, the answers kept in one executemany."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

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


def key_rows(conn: Connection, public_ids: Collection[str]) -> dict[str, Any]:
    """The API keys with these public ids, each with its tenant's row, by public id."""
    if not public_ids:
        return {}
    return {str(r.public_id): r for r in conn.execute(
        _KEYS.where(_K.public_id.in_(sorted(public_ids))))}


def reserve_new(conn: Connection, rows: Sequence[tuple[int, str, str]], now: datetime,
                pending: int) -> set[tuple[int, str]]:
    """Reserve (tenant id, key, request hash) rows whose keys are distinct, in one insert:
    the (tenant id, key) pairs that were new. A key another transaction holds is waited for
    (then not new); the rows go in key order, the order every batch locks them in, so that
    two batches cannot wait for each other."""
    if not rows:
        return set()
    ordered = sorted(rows)
    found = conn.execute(SqlRows(conn).dialect().insert(s.idempotency_keys).values([
        {"tenant_id": tenant_id, "key": key, "request_hash": digest, "status": pending,
         "body": "", "created_at": now} for tenant_id, key, digest in ordered])
        .on_conflict_do_nothing().returning(_I.tenant_id, _I.key))
    return {(int(tenant_id), str(key)) for tenant_id, key in found}


def keep_answers(conn: Connection, rows: Sequence[tuple[int, str, int, str]]) -> None:
    """(tenant id, key, status, body): each key's answer, in one executemany (in key order)."""
    if rows:
        conn.execute(_KEEP_ANSWER, [{"t": tenant_id, "k": key, "s": status, "b": body}
                                    for tenant_id, key, status, body in sorted(rows)])


def audit(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Audit rows (`audit_log`'s columns) in one statement."""
    if rows:
        conn.execute(insert(s.audit_log).values(list(rows)))
