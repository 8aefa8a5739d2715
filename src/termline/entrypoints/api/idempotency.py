"""`Idempotency-Key` on POST and the audit trail of every write, as one middleware.

A POST with a key first reserves (tenant, key) with the request's hash: a repeat with the same
hash gets the first response (status and body), one with another body a 409, one while the
first is still running a 409 too. Keys are kept at least 24 hours (`purge` drops older ones).
Every write (POST, PUT, PATCH, DELETE) by a known key appends two rows to `audit_log`: one
with status 0 (received) committed before the write runs (with the key's reservation), one
with the answer's status after (with the answer kept for the key). A process that dies in
between leaves the first: no write goes unrecorded.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from fastapi import Request, Response
from sqlalchemy import Connection, Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool
from starlette.middleware.base import BaseHTTPMiddleware

from termline.adapters.sql import service_tables as s
from termline.app.keys import Principal
from termline.entrypoints.api.deps import ServiceContext, bearer_token, resolve
from termline.entrypoints.api.problems import MEDIA, problem_response

WRITES = ("POST", "PUT", "PATCH", "DELETE")
KEEP = timedelta(hours=48)  # at least the promised 24 hours
PENDING = 0  # the status of a key whose first request is still running
RECEIVED = 0  # the audit status of a write about to run (its answer is a row of its own)
# A reservation still pending after this long belongs to a process that died mid-request: the
# next request with the key runs again instead of being refused until the key expires.
ABANDONED = timedelta(minutes=5)


def _hash(request: Request, body: bytes) -> str:
    text = f"{request.method} {request.url.path}?{request.url.query}\n".encode() + body
    return hashlib.sha256(text).hexdigest()


def _before(conn: Connection) -> None:
    """The rows written before a request runs are committed without waiting for the disk
    (PostgreSQL): the request's own commit, or the audit row of its answer, flushes the log
    up to and past them, so they are durable whenever what follows them is. A server that
    dies in between leaves them committed (only a crash of the database could lose them, and
    with them nothing the client was told)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET LOCAL synchronous_commit = off")


def _reserve(engine: Engine, who: Principal, request: Request, key: str, digest: str,
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
            _audit(conn, who, request, RECEIVED, key, digest, now)
        return None
    except IntegrityError:
        with engine.begin() as conn:
            taken = conn.execute(update(s.idempotency_keys).where(
                i.tenant_id == who.tenant_id, i.key == key, i.status == PENDING,
                i.request_hash == digest, i.created_at < now - ABANDONED).values(created_at=now))
            if taken.rowcount:
                _audit(conn, who, request, RECEIVED, key, digest, now)
                return None
            row = conn.execute(select(i.status, i.body, i.request_hash).where(
                i.tenant_id == who.tenant_id, i.key == key)).one()
        return int(row.status), str(row.body), str(row.request_hash)


def _received(engine: Engine, who: Principal, request: Request, digest: str, now: datetime
              ) -> None:
    with engine.begin() as conn:
        _before(conn)
        _audit(conn, who, request, RECEIVED, None, digest, now)


def _settle(engine: Engine, who: Principal, request: Request, key: str | None, status: int,
            body: bytes, digest: str, now: datetime, audit: bool = True) -> None:
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
            _audit(conn, who, request, status, key, digest, now)


def _audit(conn: Connection, who: Principal, request: Request, status: int, key: str | None,
           digest: str, now: datetime) -> None:
    conn.execute(insert(s.audit_log).values(
        tenant_id=who.tenant_id, key_id=who.key_id, at=now, method=request.method,
        path=request.url.path[:400], status=status, idempotency_key=key,
        request_hash=digest))


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


class IdempotencyAndAudit(BaseHTTPMiddleware):
    async def dispatch(self, request: Request,
                       call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        if request.method not in WRITES:
            return await call_next(request)
        ctx: ServiceContext = request.app.state.ctx
        token = bearer_token(request.headers.get("authorization"))
        who = await run_in_threadpool(resolve, request, token)
        if who is None:
            return await call_next(request)  # the route answers 401
        body = await request.body()
        digest = _hash(request, body)
        key = request.headers.get("idempotency-key") if request.method == "POST" else None
        if key is not None:
            if not 1 <= len(key) <= 255:
                return problem_response(422, "Idempotency-Key is 1 to 255 characters",
                                        field="Idempotency-Key", kind="validation")
            found = await run_in_threadpool(_reserve, ctx.engine, who, request, key, digest,
                                            ctx.clock())
            if found is not None:
                status, stored, stored_hash = found
                if stored_hash != digest:
                    return problem_response(409, "this Idempotency-Key was used with another "
                                            "request", field="Idempotency-Key",
                                            kind="idempotency-conflict")
                if status == PENDING:
                    return problem_response(409, "the first request with this Idempotency-Key "
                                            "is still running", field="Idempotency-Key",
                                            kind="idempotency-in-progress")
                media = MEDIA if status >= 400 else "application/json"
                return Response(stored, status_code=status, media_type=media,
                                headers={"Idempotent-Replayed": "true"})
        else:
            await run_in_threadpool(_received, ctx.engine, who, request, digest, ctx.clock())
        try:
            response = await call_next(request)
            chunks = [chunk async for chunk in response.body_iterator]  # type: ignore[attr-defined]
            content = b"".join(c if isinstance(c, bytes) else c.encode() for c in chunks)
        except BaseException:
            if key is not None:
                await run_in_threadpool(_settle, ctx.engine, who, request, key, 500, b"",
                                        digest, ctx.clock(), False)
            raise
        await run_in_threadpool(_settle, ctx.engine, who, request, key, response.status_code,
                                content, digest, ctx.clock())
        headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
        return Response(content, status_code=response.status_code, headers=headers,
                        media_type=response.media_type)
