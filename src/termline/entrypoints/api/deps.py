"""What routes depend on: the service context, the caller's key, its scope, paging."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextvars import ContextVar, Token
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from termline.adapters.notify.outbound import Allow
from termline.app.gather import Gather
from termline.app.idempotency import (
    Admission,
    Admitted,
    Settlement,
    Writes,
    admit_many,
    in_transaction,
    settle_many,
)
from termline.app.intake import EventRequest, add_requests
from termline.app.keys import Principal, authenticate
from termline.app.ports import UnitOfWork
from termline.app.wiring import Engine, unit_of_work
from termline.entrypoints.api.problems import Problem

Clock = Callable[[], datetime]


@dataclass
class ServiceContext:
    """The edges the API is given: the store's engine, the clock, the scheduler's doorbell."""
    engine: Engine
    clock: Clock
    wake: Callable[[], None] = field(default=lambda: None)
    outbound: Allow = field(default_factory=Allow)  # TERMLINE_WEBHOOK_ALLOW
    future_runs: bool = False  # POST /v1/runs past today (TERMLINE_DEV_FUTURE_RUNS, tests)
    write: Writes = field(init=False)  # the middleware's transactions (idempotency, audit)
    # the writes' admissions and settlements, gathered with those arriving meanwhile
    admit: Gather[Admission, Admitted] = field(init=False)
    settle: Gather[Settlement, None] = field(init=False)
    events: Gather[EventRequest, tuple[int, int]] = field(init=False)  # POST /v1/events

    def __post_init__(self) -> None:
        self.write = in_transaction(self.engine)
        self.admit = Gather(partial(admit_many, self.write))
        self.settle = Gather(partial(settle_many, self.write))
        self.events = Gather(partial(add_requests, self.uow))

    def uow(self) -> UnitOfWork:
        return unit_of_work(self.engine)


# The rings of the scheduler's bell a write asked for, held until its answer is settled and
# sent (`idempotency.IdempotencyAndAudit`), so the pass it starts does not compete with the
# rest of the request; None outside such a write (the bell rings at once).
_HELD: ContextVar[list[bool] | None] = ContextVar("termline_held_rings", default=None)


def holding(wake: Callable[[], None]) -> Callable[[], None]:
    """`wake` that waits for the end of the write it is rung in, if one holds the rings."""
    def ring() -> None:
        rings = _HELD.get()
        if rings is None:
            wake()
        else:
            rings.append(True)
    return ring


def hold_rings() -> tuple[list[bool], Token[list[bool] | None]]:
    """Hold the rings of the current request (from the event loop, before the route runs);
    the route's thread shares the list through the copied context."""
    rings: list[bool] = []
    return rings, _HELD.set(rings)


def release_rings(token: Token[list[bool] | None]) -> None:
    _HELD.reset(token)


def context(request: Request) -> ServiceContext:
    ctx: ServiceContext = request.app.state.ctx
    return ctx


async def _context(request: Request) -> ServiceContext:
    return context(request)  # async: FastAPI runs a plain function in a thread of its pool


Ctx = Annotated[ServiceContext, Depends(_context)]
_bearer = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer tl_…`")
_UNSET = object()


def resolve(request: Request, token: str | None) -> Principal | None:
    """The caller (cached on the request: the idempotency middleware resolves it first)."""
    cached: Any = getattr(request.state, "principal", _UNSET)
    if cached is not _UNSET:
        assert cached is None or isinstance(cached, Principal)
        return cached
    found = None
    if token:
        with context(request).engine.connect() as conn:
            found = authenticate(conn, token)
    request.state.principal = found
    return found


def bearer_token(header: str | None) -> str | None:
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


async def _caller(request: Request,
                  credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
                  ) -> Principal:
    """The caller: on the event loop when the idempotency middleware found it already (every
    write), else looked up in a thread of the pool (the store is read)."""
    token = credentials.credentials if credentials else None
    cached: Any = getattr(request.state, "principal", _UNSET)
    principal = cached if cached is not _UNSET else await run_in_threadpool(
        resolve, request, token)
    if principal is None:
        raise Problem(401, "a valid API key is required (Authorization: Bearer tl_…)",
                      field="Authorization", kind="unauthorized",
                      headers={"WWW-Authenticate": "Bearer"})
    return principal


def scope(name: str) -> Callable[..., Awaitable[Principal]]:
    async def check(principal: Annotated[Principal, Depends(_caller)]) -> Principal:
        if not principal.allows(name):
            raise Problem(403, f"this key lacks the {name!r} scope", field="Authorization",
                          kind="forbidden")
        return principal
    return check


Reader = Annotated[Principal, Depends(scope("read"))]
Writer = Annotated[Principal, Depends(scope("write"))]
Admin = Annotated[Principal, Depends(scope("admin"))]

Limit = Annotated[int, Query(ge=1, le=100, description="Items per page (1-100).")]
