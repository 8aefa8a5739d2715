"""The idempotency keys and the audit trail of the API's writes (`api.idempotency` runs them
around each request): a key reserved with the request's hash, settled with its answer; two
audit rows per write, one before it runs and one with its answer."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from termline.adapters.sql import service_tables as s
from termline.app.keys import Principal

KEEP = timedelta(hours=48)  # at least the promised 24 hours
PENDING = 0  # the status of a key whose first request is still running
# A reservation still pending after this long belongs to a process that died mid-request: the
# next request with the key runs again instead of being refused until the key expires.
ABANDONED = timedelta(minutes=5)


def reserve(engine: Engine, tenant_id: int, key: str, digest: str, now: datetime
             ) -> tuple[int, str, str] | None:
    """None when the key is new (now reserved); else the stored (status, body, hash)."""
    i = s.idempotency_keys.c
    try:
        with engine.begin() as conn:
            conn.execute(insert(s.idempotency_keys).values(
                tenant_id=tenant_id, key=key, request_hash=digest, status=PENDING, body="",
                created_at=now))
        return None
    except IntegrityError:
        with engine.begin() as conn:
            taken = conn.execute(update(s.idempotency_keys).where(
                i.tenant_id == tenant_id, i.key == key, i.status == PENDING,
                i.request_hash == digest, i.created_at < now - ABANDONED).values(created_at=now))
            if taken.rowcount:
                return None
            row = conn.execute(select(i.status, i.body, i.request_hash).where(
                i.tenant_id == tenant_id, i.key == key)).one()
        return int(row.status), str(row.body), str(row.request_hash)


def settle(engine: Engine, tenant_id: int, key: str, status: int, body: bytes) -> None:
    i = s.idempotency_keys.c
    where = (i.tenant_id == tenant_id, i.key == key)
    with engine.begin() as conn:
        if status >= 500:  # not an answer to replay: the client may retry with the same key
            conn.execute(delete(s.idempotency_keys).where(*where))
        else:
            conn.execute(update(s.idempotency_keys).where(*where).values(
                status=status, body=body.decode("utf-8")))


def audit(engine: Engine, who: Principal, method: str, path: str, status: int,
          key: str | None, digest: str, now: datetime) -> None:
    with engine.begin() as conn:
        conn.execute(insert(s.audit_log).values(
            tenant_id=who.tenant_id, key_id=who.key_id, at=now, method=method,
            path=path[:400], status=status, idempotency_key=key,
            request_hash=digest))


def purge(engine: Engine, now: datetime) -> int:
    """Drop idempotency keys older than KEEP; how many."""
    with engine.begin() as conn:
        return int(conn.execute(delete(s.idempotency_keys).where(
            s.idempotency_keys.c.created_at < now - KEEP)).rowcount)
