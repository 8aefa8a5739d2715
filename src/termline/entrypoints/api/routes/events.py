"""Events: one at a time or in bulk, in the scenario file's event shape.

The routes are built by `routes()` when the app is made (after `bootstrap()`), so that their
bodies take the event kinds of every installed mechanism (`contract.event_kinds`), those of
a mechanism added through the registry too, and their schema lists them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Body, Request
from pydantic import Field

from termline.app import intake
from termline.app.contract_answers import StoredContract, Tenant
from termline.app.inputs import LocatedEvent
from termline.app.keys import Principal
from termline.app.ports import UnitOfWork
from termline.app.precheck import refusals
from termline.domain.contract.event_kinds import event_form
from termline.domain.contract.model import BROADCAST, BroadcastBase, EventBase
from termline.domain.errors import ConcurrentWrite, InputError
from termline.domain.mechanisms.pricing.series import IndexTable
from termline.domain.policy.schema import Policy
from termline.entrypoints.api.deps import Ctx, ServiceContext, Writer
from termline.entrypoints.api.models import BulkAccepted, EventAccepted
from termline.entrypoints.api.problems import Problem, errors


def _checker(events: Sequence[object]) -> intake.Check:
    """404 for a contract the tenant does not have; 422 with the clause for an event the
    terms refuse (checked in the transaction that stores the events)."""
    def check(uow: UnitOfWork, owner: Tenant, event: EventBase, stored: StoredContract | None,
              policy: Policy | None, indices: IndexTable, position: int) -> None:
        if event.contract == BROADCAST and isinstance(event, BroadcastBase):
            return  # every contract of the tenant (a type that cannot be broadcast: no '*')
        where = f"{position}." if len(events) > 1 else ""
        if stored is None:
            raise Problem(404, f"no contract {event.contract!r}", field="id", kind="not-found")
        try:
            intake.check_event(event, stored, policy, indices, None)
        except InputError as exc:
            raise Problem(422, exc.message, field=f"{where}{exc.field}" if exc.field else None,
                          kind="invalid-input") from None
        refused = refusals(uow, stored, owner, event)
        if refused:
            reason = str(refused[0].get("reason"))
            fields = [name for name in type(event).model_fields if name in reason.split()]
            raise Problem(422, f"the terms refuse this event: {reason}",
                          field=f"{where}{fields[0]}" if fields else f"{where}type",
                          clauses=list(refused[0].clauses), kind="refused-by-terms")
    return check


def _store(ctx: ServiceContext, who: Principal, events: list[EventBase],
           idempotency_key: str | None) -> tuple[int, int]:
    located = [LocatedEvent(e, "request body", None) for e in events]
    # With an Idempotency-Key the request's events take their identity from it (those without
    # a `reference`): a retry after the server died between storing and answering finds them.
    origin = intake.request_origin(idempotency_key, events) if idempotency_key else None
    for _ in range(3):
        try:
            return intake.add_events(ctx.uow(), located, who.tenant_name, origin,
                                     check=_checker(events), defer=True,
                                     owner=who.tenant())
        except ConcurrentWrite:
            # The same event stored by a concurrent request between our check and insert:
            # again, it is now found and counted as a duplicate.
            continue
    raise Problem(409, "the same events are being stored concurrently; retry",
                  kind="conflict")


async def _store_one(ctx: ServiceContext, who: Principal, event: EventBase,
                     idempotency_key: str | None) -> int:
    """`_store` for a request of one event, gathered with the others arriving meanwhile
    (`ctx.events`: one transaction for them all, each checked and answered on its own)."""
    owner = who.tenant()
    if owner is None:  # a caller made without its tenant's row (not the middleware's)
        return _store(ctx, who, [event], idempotency_key)[0]
    origin = intake.request_origin(idempotency_key, [event]) if idempotency_key else None
    request = intake.EventRequest(owner, event, origin, _checker([event]))
    for _ in range(3):
        try:
            return (await ctx.events(request))[0]
        except ConcurrentWrite:
            continue  # as `_store`: the event stored meanwhile is found next time
    raise Problem(409, "the same events are being stored concurrently; retry",
                  kind="conflict")


def routes() -> APIRouter:
    """The events routes, their bodies typed with the installed event kinds."""
    router = APIRouter(prefix="/v1/events", tags=["events"])
    event = event_form()

    async def post_event(event: EventBase, who: Writer, ctx: Ctx, request: Request
                         ) -> dict[str, Any]:
        """Store one event; the scheduler processes it within seconds when it is dated today or
        earlier (later ones wait for their day, or `POST /v1/runs`)."""
        added = await _store_one(ctx, who, event, request.headers.get("idempotency-key"))
        ctx.wake()
        return {"status": "stored" if added else "duplicate",
                "event": event.model_dump(mode="json", by_alias=True, exclude_none=True)}

    def post_events(events: list[EventBase], who: Writer, ctx: Ctx, request: Request
                    ) -> dict[str, int]:
        """Store up to 1,000 events, all or none."""
        if not events:
            raise Problem(422, "no events given", field="body", kind="validation")
        added, duplicates = _store(ctx, who, list(events),
                                   request.headers.get("idempotency-key"))
        ctx.wake()
        return {"stored": added, "duplicates": duplicates}

    # the bodies' types are known only now: FastAPI reads them from the annotations
    post_event.__annotations__["event"] = Annotated[event, Body()]
    post_events.__annotations__["events"] = Annotated[
        list[event], Body(max_length=1000), Field(min_length=1)]  # type: ignore[valid-type]
    router.post("", status_code=202, response_model=EventAccepted,
                responses=errors(401, 403, 404, 409, 422))(post_event)
    router.post("/bulk", status_code=202, response_model=BulkAccepted,
                responses=errors(401, 403, 404, 409, 422))(post_events)
    return router
