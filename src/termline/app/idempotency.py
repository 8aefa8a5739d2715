"""The idempotency keys and the audit trail of the API's writes (`api.idempotency` runs them
around each request): a key reserved with the request's hash, settled with its answer; two
audit rows per write, one before it runs (in the reservation's transaction) and one with its
answer (in the settlement's); the caller's key is read in the first."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol, TypeVar

from sqlalchemy import Connection, Engine, delete, insert, select, update

from termline.adapters.sql import service_tables as s
from termline.adapters.sql.db import WRITE_OPTION
from termline.adapters.sql.sql_rows import SqlRows
from termline.app.keys import Principal, authenticate

T = TypeVar("T")

KEEP = timedelta(hours=48)  # at least the promised 24 hours
PENDING = 0  # the status of a key whose first request is still running
RECEIVED = 0  # the audit status of a request received, before it runs
# A reservation still pending after this long belongs to a process that died mid-request: the
# next request with the key runs again instead of being refused until the key expires.
ABANDONED = timedelta(minutes=5)


class Writes(Protocol):
    """Runs a function of a connection in a transaction and returns once it is committed."""

    def __call__(self, op: Callable[[Connection], T], /) -> T: ...


def in_transaction(engine: Engine) -> Writes:
    """Each operation in a transaction of its own that writes (SQLite: the write lock taken
    when it begins, since it reads the caller's key before it writes)."""
    def write(op: Callable[[Connection], T], /) -> T:
        with engine.connect().execution_options(**{WRITE_OPTION: True}) as conn, \
                conn.begin():
            return op(conn)
    return write


def _before(conn: Connection) -> None:
    """The rows written before a request runs are committed without waiting for the disk
    (PostgreSQL): the request's own commit, or the audit row of its answer, flushes the log
    up to and past them, so they are durable whenever what follows them is. A server that
    dies in between leaves them committed (only a crash of the database could lose them, and
    with them nothing the client was told)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET LOCAL synchronous_commit = off")


def caller(write: Writes, token: str) -> Principal | None:
    return write(lambda conn: authenticate(conn, token))


def admit(write: Writes, token: str, method: str, path: str, key: str | None, digest: str,
          now: datetime) -> tuple[Principal | None, tuple[int, str, str] | None]:
    """Before a write runs, in one transaction: its caller (None: unknown, nothing written)
    and, for a known caller, the key's reservation with the request's audit row (`reserve`),
    or the audit row alone for a write without a key: (caller, what `reserve` found)."""
    def op(conn: Connection) -> tuple[Principal | None, tuple[int, str, str] | None]:
        who = authenticate(conn, token)
        if who is None:
            return None, None
        _before(conn)
        if key is None:
            _audit(conn, who, method, path, RECEIVED, None, digest, now)
            return who, None
        return who, reserve(conn, who, method, path, key, digest, now)
    return write(op)


def reserve(conn: Connection, who: Principal, method: str, path: str, key: str, digest: str,
            now: datetime) -> tuple[int, str, str] | None:
    """None when the key is new (now reserved, and the request's audit row written with it);
    else the stored (status, body, hash). A key another transaction is reserving is waited
    for (its insert holds the key), then found."""
    i = s.idempotency_keys.c
    fresh = conn.execute(SqlRows(conn).dialect().insert(s.idempotency_keys).values(
        tenant_id=who.tenant_id, key=key, request_hash=digest, status=PENDING, body="",
        created_at=now).on_conflict_do_nothing().returning(i.key)).first()
    if fresh is None:
        taken = conn.execute(update(s.idempotency_keys).where(
            i.tenant_id == who.tenant_id, i.key == key, i.status == PENDING,
            i.request_hash == digest, i.created_at < now - ABANDONED).values(created_at=now))
        if not taken.rowcount:
            row = conn.execute(select(i.status, i.body, i.request_hash).where(
                i.tenant_id == who.tenant_id, i.key == key)).one()
            return int(row.status), str(row.body), str(row.request_hash)
    _audit(conn, who, method, path, RECEIVED, key, digest, now)
    return None


def settle(write: Writes, who: Principal, method: str, path: str, key: str | None,
           status: int, body: bytes, digest: str, now: datetime, audit: bool = True) -> None:
    """The answer: kept for the key's replays (unless it is a server error, which the client
    may retry with the same key) and audited, in one transaction."""
    i = s.idempotency_keys.c

    def op(conn: Connection) -> None:
        if key is not None:
            where = (i.tenant_id == who.tenant_id, i.key == key)
            if status >= 500:
                conn.execute(delete(s.idempotency_keys).where(*where))
            else:
                conn.execute(update(s.idempotency_keys).where(*where).values(
                    status=status, body=body.decode("utf-8")))
        if audit:
            _audit(conn, who, method, path, status, key, digest, now)
    write(op)


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
