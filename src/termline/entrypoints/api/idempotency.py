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

from fastapi import Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.middleware.base import BaseHTTPMiddleware

from termline.app.idempotency import PENDING, received, reserve, settle
from termline.entrypoints.api.deps import ServiceContext, bearer_token, resolve
from termline.entrypoints.api.problems import MEDIA, problem_response

WRITES = ("POST", "PUT", "PATCH", "DELETE")


def _hash(request: Request, body: bytes) -> str:
    text = f"{request.method} {request.url.path}?{request.url.query}\n".encode() + body
    return hashlib.sha256(text).hexdigest()


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
            found = await run_in_threadpool(reserve, ctx.engine, who, request.method,
                                            request.url.path, key, digest,
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
            await run_in_threadpool(received, ctx.engine, who, request.method,
                                    request.url.path, digest, ctx.clock())
        try:
            response = await call_next(request)
            chunks = [chunk async for chunk in response.body_iterator]  # type: ignore[attr-defined]
            content = b"".join(c if isinstance(c, bytes) else c.encode() for c in chunks)
        except BaseException:
            if key is not None:
                await run_in_threadpool(settle, ctx.engine, who, request.method,
                                        request.url.path, key, 500, b"", digest, ctx.clock(),
                                        False)
            raise
        await run_in_threadpool(settle, ctx.engine, who, request.method, request.url.path, key,
                                response.status_code, content, digest, ctx.clock())
        headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
        return Response(content, status_code=response.status_code, headers=headers,
                        media_type=response.media_type)
