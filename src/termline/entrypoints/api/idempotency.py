"""`Idempotency-Key` on POST and the audit trail of every write, as one middleware.

A POST with a key first reserves (tenant, key) with the request's hash: a repeat with the same
hash gets the first response (status and body), one with another body a 409, one while the
first is still running a 409 too. Keys are kept at least 24 hours (`purge` drops older ones).
Every write (POST, PUT, PATCH, DELETE) by a known key appends two rows to `audit_log`: one
with status 0 (received) committed before the write runs (with the key's reservation), one
with the answer's status after (with the answer kept for the key). A process that dies in
between leaves the first: no write goes unrecorded.

A plain ASGI middleware (not Starlette's `BaseHTTPMiddleware`, whose task group and streams
cost each request several switches): the caller's key and the reservation are one trip to
the thread pool, the settlement another; the answer is held until it is settled. The
scheduler's bell, rung by the route, rings once the answer is settled and sent.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, MutableMapping
from datetime import datetime
from typing import Any

from fastapi import Request, Response
from starlette.concurrency import run_in_threadpool

from termline.app.idempotency import PENDING, Admission, Settlement, caller
from termline.app.keys import Principal
from termline.entrypoints.api.deps import (
    ServiceContext,
    bearer_token,
    hold_rings,
    release_rings,
)
from termline.entrypoints.api.door import replaying
from termline.entrypoints.api.problems import MEDIA, problem_response

WRITES = ("POST", "PUT", "PATCH", "DELETE")
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
_BAD_KEY = object()  # the Idempotency-Key's length is wrong (answered 422, nothing written)


def _hash(request: Request, body: bytes) -> str:
    text = f"{request.method} {request.url.path}?{request.url.query}\n".encode() + body
    return hashlib.sha256(text).hexdigest()


async def _admit(request: Request, ctx: ServiceContext, token: str | None, key: str | None,
                 digest: str, now: datetime) -> tuple[Principal | None, object]:
    """The caller, then (for a known caller) the key's reservation or the audit row of a
    write without a key, gathered with the writes that arrive meanwhile (`ctx.admit`: one
    transaction for them all). (caller, what the key's reservation found; a key of the wrong
    length is checked before anything is written)."""
    if not token:
        who, found = None, None
    elif key is not None and not 1 <= len(key) <= 255:
        who, found = await run_in_threadpool(caller, ctx.write, token), _BAD_KEY
    else:
        who, found = await ctx.admit(Admission(token, request.method, request.url.path, key,
                                               digest, now))
    request.state.principal = who  # the route's dependency finds it (`deps.resolve`)
    return (who, found) if who is not None else (None, None)


async def _read(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


class IdempotencyAndAudit:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in WRITES:
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        ctx: ServiceContext = request.app.state.ctx
        body = await _read(receive)
        replay = replaying(body, receive)

        digest = _hash(request, body)
        key = request.headers.get("idempotency-key") if request.method == "POST" else None
        who, found = await _admit(request, ctx, bearer_token(request.headers.get("authorization")),
                                  key, digest, ctx.clock())
        if who is None:
            await self.app(scope, replay, send)
            return
        if found is _BAD_KEY:
            await problem_response(422, "Idempotency-Key is 1 to 255 characters",
                                   field="Idempotency-Key", kind="validation")(
                scope, replay, send)
            return
        if found is not None:
            assert isinstance(found, tuple)
            await self._stored(found, digest)(scope, replay, send)
            return
        start: Message = {}
        chunks: list[bytes] = []

        async def hold(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(bytes(message.get("body", b"")))

        rings, token = hold_rings()
        try:
            try:
                await self.app(scope, replay, hold)
            except BaseException:
                if key is not None:
                    await ctx.settle(Settlement(who, request.method, request.url.path, key,
                                                500, b"", digest, ctx.clock(), False))
                raise
            content = b"".join(chunks)
            status = int(start.get("status", 500))
            await ctx.settle(Settlement(who, request.method, request.url.path, key, status,
                                        content, digest, ctx.clock()))
            await send({"type": "http.response.start", "status": status,
                        "headers": start.get("headers", [])})
            await send({"type": "http.response.body", "body": content, "more_body": False})
        finally:
            release_rings(token)
            if rings:  # what the write stored is committed: the scheduler's pass may start
                ctx.wake()

    @staticmethod
    def _stored(found: tuple[int, str, str], digest: str) -> Response:
        status, stored, stored_hash = found
        if stored_hash != digest:
            return problem_response(409, "this Idempotency-Key was used with another request",
                                    field="Idempotency-Key", kind="idempotency-conflict")
        if status == PENDING:
            return problem_response(409, "the first request with this Idempotency-Key is "
                                    "still running", field="Idempotency-Key",
                                    kind="idempotency-in-progress")
        media = MEDIA if status >= 400 else "application/json"
        return Response(stored, status_code=status, media_type=media,
                        headers={"Idempotent-Replayed": "true"})
