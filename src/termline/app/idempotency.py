"""The idempotency keys and the audit trail of the API's writes (`api.idempotency` runs them
around each request): a key reserved with the request's hash, settled with its answer; two
audit rows per write, one before it runs (in the reservation's transaction) and one with its
answer (in the settlement's); the caller's key is read in the first."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol, TypeVar

from sqlalchemy import Connection, Engine, delete, select, update

from termline.adapters.sql import admissions
from termline.adapters.sql import service_tables as s
from termline.adapters.sql.db import WRITE_OPTION
from termline.app.keys import Principal, authenticate, authenticate_many

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


def _held(conn: Connection, who: Principal, key: str, digest: str, now: datetime
          ) -> tuple[int, str, str] | None:
    """A key found reserved already: None when its reservation was abandoned by a dead
    request with the same hash (taken over now), else the stored (status, body, hash)."""
    i = s.idempotency_keys.c
    taken = conn.execute(update(s.idempotency_keys).where(
        i.tenant_id == who.tenant_id, i.key == key, i.status == PENDING,
        i.request_hash == digest, i.created_at < now - ABANDONED).values(created_at=now))
    if taken.rowcount:
        return None
    row = conn.execute(select(i.status, i.body, i.request_hash).where(
        i.tenant_id == who.tenant_id, i.key == key)).one()
    return int(row.status), str(row.body), str(row.request_hash)


@dataclass(frozen=True)
class Admission:
    """A write as it arrives: the key it presents, its method, path, Idempotency-Key and hash."""
    token: str
    method: str
    path: str
    key: str | None
    digest: str
    now: datetime


Admitted = tuple[Principal | None, tuple[int, str, str] | None]


def admit_many(write: Writes, batch: Sequence[Admission]) -> list[Admitted]:
    """Before the writes that arrived together run, in one transaction: their callers' keys
    in one select, the new keys' reservations in one insert, their audit rows in one insert.
    Each write's answer is (its caller or None, None for a key now reserved or the key's stored
    (status, body, hash)): the same key twice in a batch is reserved by the first,
    and the second finds it pending, as it would one committed a moment before."""
    def op(conn: Connection) -> list[Admitted]:
        callers = authenticate_many(conn, {a.token for a in batch})
        if any(callers.values()):
            _before(conn)
        first: dict[tuple[int, str], int] = {}  # (tenant, key) -> the write that reserves it
        for n, a in enumerate(batch):
            who = callers[a.token]
            if who is not None and a.key is not None:
                first.setdefault((who.tenant_id, a.key), n)
        fresh = admissions.reserve_new(conn, [
            (tenant_id, key, batch[n].digest, batch[n].now)
            for (tenant_id, key), n in first.items()], PENDING)
        answers: list[Admitted] = []
        audits = []
        for n, a in enumerate(batch):
            who = callers[a.token]
            found = None
            if who is not None and a.key is not None and not (
                    first[(who.tenant_id, a.key)] == n and (who.tenant_id, a.key) in fresh):
                found = _held(conn, who, a.key, a.digest, a.now)
            if who is not None and found is None:
                audits.append(_audit_row(who, a.method, a.path, RECEIVED, a.key, a.digest,
                                         a.now))
            answers.append((who, found))
        admissions.audit(conn, audits)
        return answers
    return write(op)


@dataclass(frozen=True)
class Settlement:
    """A write's answer to keep for its key (none: a write without a key) and to audit."""
    who: Principal
    method: str
    path: str
    key: str | None
    status: int
    body: bytes
    digest: str
    now: datetime
    audit: bool = True


def settle_many(write: Writes, batch: Sequence[Settlement]) -> list[None]:
    """The answers that came together, in one transaction: kept for their keys (a server
    error lets its key go, which the client may retry) in
    one executemany, the audit rows in one insert."""
    i = s.idempotency_keys.c

    def op(conn: Connection) -> list[None]:
        for a in batch:  # a server error: the key is let go (rare, one statement each)
            if a.key is not None and a.status >= 500:
                conn.execute(delete(s.idempotency_keys).where(
                    i.tenant_id == a.who.tenant_id, i.key == a.key))
        admissions.keep_answers(conn, [
            (a.who.tenant_id, a.key, a.status, a.body.decode("utf-8")) for a in batch
            if a.key is not None and a.status < 500])
        admissions.audit(conn, [
            _audit_row(a.who, a.method, a.path, a.status, a.key, a.digest, a.now)
            for a in batch if a.audit])
        return [None] * len(batch)
    return write(op)


def _audit_row(who: Principal, method: str, path: str, status: int, key: str | None,
               digest: str, now: datetime) -> admissions.AuditRow:
    return admissions.AuditRow(who.tenant_id, who.key_id, now, method, path[:400], status, key,
                               digest)


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
