"""What is refused before any route runs (issue 18), as one ASGI middleware:

- a body over 1 MB is a 413 (by its Content-Length, or counted as it arrives);
- a NUL byte in the path or the query string is a 400 (PostgreSQL cannot hold one);
- a JSON body with a key twice in one object is a 422 naming it (JSON leaves the meaning
  open; "the last one wins" would store what the sender did not mean);
- a JSON body's values of the wrong JSON type where the model would coerce them: a day or a
  timestamp as a number (0 is not 1970-01-01), a count as text or a fraction ("3", 2.0), a
  yes/no as 0 or 1, money as a binary fraction (100.1 cannot be held exactly: send "100.10").
The body read here is handed on unchanged to the routes.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import unquote_to_bytes

from termline.entrypoints.api.problems import problem_response

MAX_BODY = 1024 * 1024
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

DAYS = frozenset({"date", "start", "effective", "migration_date", "signed", "backup_date",
                  "audit_date", "until", "end_date"})
STAMPS = frozenset({"announced_at", "reported_at", "end", "at"})
COUNTS = frozenset({"quantity", "trial_days"})
FLAGS = frozenset({"accepted", "eu_eea", "exceptional", "intra_group", "material"})
MONEY = frozenset({"amount", "unit_price", "new_unit_price", "costs"})
DECIMAL_COUNTS = frozenset({"usage", "purchase"})  # event types whose quantity is a decimal


def replaying(body: bytes, receive: Receive) -> Receive:
    """A `receive` that gives the body a middleware has already read, then what follows."""
    given = False

    async def replay() -> Message:
        nonlocal given
        if not given:
            given = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


class Refused(Exception):
    def __init__(self, status: int, detail: str, field: str | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.field = status, detail, field


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise Refused(422, f"the key {key[:100]!r} appears twice in one object", key[:100])
        seen[key] = value
    return seen


def _typed(value: Any, path: str) -> None:
    """Values whose JSON type the models would coerce silently."""
    if isinstance(value, list):
        for i, item in enumerate(value):
            _typed(item, f"{path}.{i}" if path else str(i))
        return
    if not isinstance(value, dict):
        return
    kind = value.get("type")
    decimal_quantity = isinstance(kind, str) and kind in DECIMAL_COUNTS
    for key, item in value.items():
        where = f"{path}.{key}" if path else key
        if key in DAYS and not isinstance(item, str) and item is not None:
            raise Refused(422, "a date is written as YYYY-MM-DD text", where)
        if key in STAMPS and not isinstance(item, str) and item is not None:
            raise Refused(422, "a timestamp is written as ISO 8601 text with its offset",
                          where)
        if key in FLAGS and not isinstance(item, bool) and item is not None:
            raise Refused(422, "a yes or no is written true or false", where)
        if key in COUNTS and not decimal_quantity and item is not None and (
                isinstance(item, bool) or not isinstance(item, int)):
            raise Refused(422, "a count is a whole JSON number, e.g. 3", where)
        if key in MONEY and (isinstance(item, (bool, float))):
            raise Refused(422, "an amount is written as text with its decimals, e.g. "
                          '"100.10"', where)
        if isinstance(item, (dict, list)):
            _typed(item, where)


def check_body(body: bytes) -> None:
    """Refused for a duplicate key or a mistyped value; malformed JSON is left to the route
    (which says where it breaks)."""
    try:
        data = json.loads(body, object_pairs_hook=_pairs)
    except (ValueError, RecursionError):
        return
    _typed(data, "")


class Door:
    def __init__(self, app: ASGIApp, max_body: int = MAX_BODY) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            body = await self._admit(scope, receive)
        except Refused as exc:
            response = problem_response(exc.status, exc.detail, field=exc.field,
                                        kind="too-large" if exc.status == 413
                                        else "invalid-input")
            await response(scope, receive, send)
            return
        if body is None:
            await self.app(scope, receive, send)
            return
        await self.app(scope, replaying(body, receive), send)

    async def _admit(self, scope: Scope, receive: Receive) -> bytes | None:
        raw_path = scope.get("raw_path") or scope.get("path", "").encode()
        if b"\x00" in unquote_to_bytes(raw_path) or b"\x00" in unquote_to_bytes(
                scope.get("query_string", b"")) or "\x00" in scope.get("path", ""):
            raise Refused(400, "a NUL byte in the path or the query string", "path")
        if scope["method"] not in ("POST", "PUT", "PATCH"):
            return None
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_body:
            raise Refused(413, f"the body is larger than {self.max_body:,} bytes", "body")
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                raise Refused(413, f"the body is larger than {self.max_body:,} bytes", "body")
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if body and b"json" in headers.get(b"content-type", b"application/json"):
            check_body(body)
        return body
