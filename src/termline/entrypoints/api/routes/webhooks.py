"""Webhook endpoints (URL, action kinds, secret) and their deliveries with the attempt log."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from sqlalchemy import Connection, select, update

from termline.adapters.notify.outbound import RefusedURL
from termline.adapters.sql import service_tables as s
from termline.app import webhook_endpoints as endpoints
from termline.app.keys import Principal
from termline.domain.errors import InputError
from termline.entrypoints.api.deps import Ctx, Limit, Reader, Writer
from termline.entrypoints.api.models import (
    DeliveryList,
    DeliveryOut,
    EndpointIn,
    EndpointList,
    EndpointOut,
)
from termline.entrypoints.api.problems import Problem, errors

router = APIRouter(tags=["webhooks"])
EndpointId = Annotated[str, Path(pattern=r"^we_[0-9]{1,18}$", description="we_…")]
DeliveryId = Annotated[str, Path(pattern=r"^msg_[0-9a-f]{40}$", description="msg_…")]


def _endpoint(row: Any, secret: str | None = None) -> dict[str, Any]:
    return {"id": f"we_{row.id}", "url": row.url, "events": json.loads(row.events),
            "enabled": bool(row.enabled), "created_at": row.created_at.isoformat(),
            "disabled_at": row.disabled_at.isoformat() if row.disabled_at else None,
            "secret": secret}


def _find(conn: Connection, who: Principal, endpoint_id: str) -> Any:
    e = s.webhook_endpoints.c
    row = conn.execute(select(s.webhook_endpoints).where(
        e.id == int(endpoint_id.removeprefix("we_")), e.tenant_id == who.tenant_id)).first()
    if row is None:
        raise Problem(404, f"no webhook endpoint {endpoint_id!r}", field="id",
                      kind="not-found")
    return row


@router.post("/v1/webhook_endpoints", status_code=201, response_model=EndpointOut,
             responses=errors(401, 403, 409, 422))
def create_endpoint(body: EndpointIn, who: Writer, ctx: Ctx) -> dict[str, Any]:
    """A new endpoint; its signing secret is shown here only. The URL must reach a public
    address over https (checked again at every delivery)."""
    try:
        with ctx.engine.begin() as conn:
            row, secret = endpoints.create_endpoint(conn, who.tenant_id, body.url, body.events,
                                                    ctx.clock(), ctx.outbound)
    except RefusedURL as exc:
        raise Problem(422, str(exc), field="url", kind="invalid-input") from None
    except InputError as exc:
        raise Problem(422, exc.message, field=exc.field, kind="invalid-input") from None
    return _endpoint(row, secret)


@router.get("/v1/webhook_endpoints", response_model=EndpointList,
            responses=errors(401, 403, 422))
def list_endpoints(who: Reader, ctx: Ctx, limit: Limit = 20,
                   starting_after: Annotated[str | None, Query(pattern=r"^we_[0-9]{1,18}$")]
                   = None) -> dict[str, Any]:
    e = s.webhook_endpoints.c
    query = select(s.webhook_endpoints).where(e.tenant_id == who.tenant_id)
    if starting_after is not None:
        query = query.where(e.id > int(starting_after.removeprefix("we_")))
    with ctx.engine.connect() as conn:
        rows = conn.execute(query.order_by(e.id).limit(limit + 1)).all()
    return {"data": [_endpoint(r) for r in rows[:limit]], "has_more": len(rows) > limit}


@router.get("/v1/webhook_endpoints/{endpoint_id}", response_model=EndpointOut,
            responses=errors(401, 403, 404, 422))
def get_endpoint(endpoint_id: EndpointId, who: Reader, ctx: Ctx) -> dict[str, Any]:
    with ctx.engine.connect() as conn:
        return _endpoint(_find(conn, who, endpoint_id))


@router.post("/v1/webhook_endpoints/{endpoint_id}/disable", response_model=EndpointOut,
             responses=errors(401, 403, 404, 422))
def disable_endpoint(endpoint_id: EndpointId, who: Writer, ctx: Ctx) -> dict[str, Any]:
    """Stop announcing to this endpoint (its pending deliveries wait until it is enabled)."""
    return _set_enabled(endpoint_id, who, ctx, False)


@router.post("/v1/webhook_endpoints/{endpoint_id}/enable", response_model=EndpointOut,
             responses=errors(401, 403, 404, 422))
def enable_endpoint(endpoint_id: EndpointId, who: Writer, ctx: Ctx) -> dict[str, Any]:
    return _set_enabled(endpoint_id, who, ctx, True)


def _set_enabled(endpoint_id: str, who: Principal, ctx: Any, enabled: bool) -> dict[str, Any]:
    e = s.webhook_endpoints.c
    with ctx.engine.begin() as conn:
        row = _find(conn, who, endpoint_id)
        conn.execute(update(s.webhook_endpoints).where(e.id == row.id).values(
            enabled=enabled, disabled_at=None if enabled else ctx.clock(),
            failing_since=None))
        return _endpoint(_find(conn, who, endpoint_id))


def _delivery(conn: Connection, row: Any) -> dict[str, Any]:
    at = s.webhook_attempts.c
    attempts = conn.execute(select(at.at, at.status_code, at.latency_ms, at.response)
                            .where(at.delivery_id == row.id).order_by(at.id)).all()
    return {"id": row.msg_id, "endpoint": f"we_{row.endpoint_id}", "type": row.type,
            "status": row.status,
            "attempts": [{"at": a.at.isoformat(), "status_code": a.status_code,
                          "latency_ms": a.latency_ms, "response": a.response}
                         for a in attempts],
            "created_at": row.created_at.isoformat(),
            "next_attempt_at": row.next_attempt_at.isoformat()
            if row.status == "pending" else None,
            "delivered_at": row.delivered_at.isoformat() if row.delivered_at else None}


@router.get("/v1/webhook_endpoints/{endpoint_id}/deliveries", response_model=DeliveryList,
            responses=errors(401, 403, 404, 422))
def list_deliveries(endpoint_id: EndpointId, who: Reader, ctx: Ctx, limit: Limit = 20,
                    starting_after: Annotated[str | None,
                                              Query(pattern=r"^msg_[0-9a-f]{40}$")] = None,
                    status: Annotated[str | None,
                                      Query(pattern="^(pending|delivered|failed)$")] = None
                    ) -> dict[str, Any]:
    """The endpoint's deliveries in the order of the actions, each with its attempts."""
    d = s.webhook_deliveries.c
    with ctx.engine.connect() as conn:
        endpoint = _find(conn, who, endpoint_id)
        query = select(s.webhook_deliveries).where(d.endpoint_id == endpoint.id)
        if status is not None:
            query = query.where(d.status == status)
        if starting_after is not None:
            after = conn.execute(select(d.id).where(d.msg_id == starting_after,
                                                    d.endpoint_id == endpoint.id)).scalar()
            if after is None:
                raise Problem(422, f"no delivery {starting_after!r}", field="starting_after",
                              kind="invalid-input")
            query = query.where(d.id > after)
        rows = conn.execute(query.order_by(d.id).limit(limit + 1)).all()
        return {"data": [_delivery(conn, r) for r in rows[:limit]],
                "has_more": len(rows) > limit}


@router.post("/v1/webhook_deliveries/{delivery_id}/redeliver", response_model=DeliveryOut,
             responses=errors(401, 403, 404, 422))
def redeliver(delivery_id: DeliveryId, who: Writer, ctx: Ctx) -> dict[str, Any]:
    """Send a delivery again now (also one already delivered or given up)."""
    d = s.webhook_deliveries.c
    with ctx.engine.begin() as conn:
        row = conn.execute(select(s.webhook_deliveries).where(
            d.msg_id == delivery_id, d.tenant_id == who.tenant_id)).first()
        if row is None:
            raise Problem(404, f"no delivery {delivery_id!r}", field="id", kind="not-found")
        conn.execute(update(s.webhook_deliveries).where(d.id == row.id).values(
            status="pending", next_attempt_at=ctx.clock()))
        return _delivery(conn, conn.execute(select(s.webhook_deliveries).where(
            d.id == row.id)).one())
