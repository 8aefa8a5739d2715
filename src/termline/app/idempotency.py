"""The idempotency keys and the audit trail of the API's writes (`api.idempotency` runs them
around each request): a key reserved with the request's hash, settled with its answer; two
audit rows per write, one before it runs (in the reservation's transaction) and one with its
answer (in the settlement's)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from termline.adapters.sql import service_tables as s
from termline.app.keys import Principal

KEEP = timedelta(hours=48)  # at least the promised 24 hours
PENDING = 0  # the status of a key whose first request is still running
RECEIVED = 0  # the audit status of a request received, before it runs
# A reservation still pending after this long belongs to a process that died mid-request: the
# next request with the key runs again instead of being refused until the key expires.
ABANDONED = timedelta(minutes=5)


def _before(conn: Connection) -> None:
    """The rows written before a request runs are committed without waiting for the disk
    (PostgreSQL): the request's own commit, or the audit row of its answer, flushes the log
    up to and past them, so they are durable whenever what follows them is. A server that
    dies in between leaves them committed (only a crash of the database could lose them, and
    with them nothing the client was told)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET LOCAL synchronous_commit = off")


def reserve(engine: Engine, who: Principal, method: str, path: str, key: str, digest: str,
            now: datetime) -> tuple[int, str, str] | None:
    """None when the key is new (now reserved, and the request's audit row written with it);
    else the stored (status, body, hash)."""
    i = s.idempotency_keys.c
    try:
        with engine.begin() as conn:
            _before(conn)
            conn.execute(insert(s.idempotency_keys).values(
                tenant_id=who.tenant_id, key=key, request_hash=digest, status=PENDING, body="",
                created_at=now))
            _audit(conn, who, method, path, RECEIVED, key, digest, now)
        return None
    except IntegrityError:
        with engine.begin() as conn:
            taken = conn.execute(update(s.idempotency_keys).where(
                i.tenant_id == who.tenant_id, i.key == key, i.status == PENDING,
                i.request_hash == digest, i.created_at < now - ABANDONED).values(created_at=now))
            if taken.rowcount:
                _audit(conn, who, method, path, RECEIVED, key, digest, now)
                return None
            row = conn.execute(select(i.status, i.body, i.request_hash).where(
                i.tenant_id == who.tenant_id, i.key == key)).one()
        return int(row.status), str(row.body), str(row.request_hash)


def received(engine: Engine, who: Principal, method: str, path: str, digest: str,
             now: datetime) -> None:
    """The audit row of a write without a key, before it runs."""
    with engine.begin() as conn:
        _before(conn)
        _audit(conn, who, method, path, RECEIVED, None, digest, now)


def settle(engine: Engine, who: Principal, method: str, path: str, key: str | None,
           status: int, body: bytes, digest: str, now: datetime, audit: bool = True) -> None:
    """The answer: kept for the key's replays (unless it is a server error, which the client
    may retry with the same key) and audited, in one transaction."""
    i = s.idempotency_keys.c
    with engine.begin() as conn:
        if key is not None:
            where = (i.tenant_id == who.tenant_id, i.key == key)
            if status >= 500:
                conn.execute(delete(s.idempotency_keys).where(*where))
            else:
                conn.execute(update(s.idempotency_keys).where(*where).values(
                    status=status, body=body.decode("utf-8")))
        if audit:
            _audit(conn, who, method, path, status, key, digest, now)


def _audit(conn: Connection, who: Principal, method: str, path: str, status: int,
           key: str | None, digest: str, now: datetime) -> None:
    conn.execute(insert(s.audit_log).values(
        tenant_id=who.tenant_id, key_id=who.key_id, at=now, method=method, path=path[:400],
        status=status, idempotency_key=key, request_hash=digest))


def release_pending(engine: Engine) -> int:
    """Drop the reservations still pending: called when the service starts, they belong to
    requests that died with the process before it (one `termline serve`, with its workers,
    serves a store). A retry then runs again at once instead of being refused as still
    running until ABANDONED; the events route keys what it stores by the Idempotency-Key, so
    a request that had stored its events before dying stores them once."""
    with engine.begin() as conn:
        return int(conn.execute(delete(s.idempotency_keys).where(
            s.idempotency_keys.c.status == PENDING)).rowcount)


def purge(engine: Engine, now: datetime) -> int:
    """Drop idempotency keys older than KEEP; how many."""
    with engine.begin() as conn:
        return int(conn.execute(delete(s.idempotency_keys).where(
            s.idempotency_keys.c.created_at < now - KEEP)).rowcount)
