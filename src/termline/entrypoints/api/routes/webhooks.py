"""Webhook endpoints (URL, action kinds, secret) and their deliveries with the attempt log."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from termline.adapters.notify.outbound import RefusedURL
from termline.app import answers
from termline.app import webhook_endpoints as endpoints
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


def _id(endpoint_id: str) -> int:
    return int(endpoint_id.removeprefix("we_"))


@router.post("/v1/webhook_endpoints", status_code=201, response_model=EndpointOut,
             responses=errors(401, 403, 409, 422))
def create_endpoint(body: EndpointIn, who: Writer, ctx: Ctx) -> dict[str, Any]:
    """A new endpoint; its signing secret is shown here only. The URL must reach a public
    address over https (checked again at every delivery)."""
    try:
        row, secret = endpoints.add_tenant_endpoint(ctx.engine, who.tenant_id, body.url,
                                                    body.events, ctx.clock(), ctx.outbound)
    except RefusedURL as exc:
        raise Problem(422, str(exc), field="url", kind="invalid-input") from None
    except InputError as exc:
        raise Problem(422, exc.message, field=exc.field, kind="invalid-input") from None
    return answers.endpoint_json(row, secret)


@router.get("/v1/webhook_endpoints", response_model=EndpointList,
            responses=errors(401, 403, 422))
def list_endpoints(who: Reader, ctx: Ctx, limit: Limit = 20,
                   starting_after: Annotated[str | None, Query(pattern=r"^we_[0-9]{1,18}$")]
                   = None) -> dict[str, Any]:
    after = None if starting_after is None else _id(starting_after)
    return answers.endpoints(ctx.uow(), who.tenant_id, after, limit).to_json()


@router.get("/v1/webhook_endpoints/{endpoint_id}", response_model=EndpointOut,
            responses=errors(401, 403, 404, 422))
def get_endpoint(endpoint_id: EndpointId, who: Reader, ctx: Ctx) -> dict[str, Any]:
    return answers.endpoint(ctx.uow(), who.tenant_id, _id(endpoint_id))


@router.post("/v1/webhook_endpoints/{endpoint_id}/disable", response_model=EndpointOut,
             responses=errors(401, 403, 404, 422))
def disable_endpoint(endpoint_id: EndpointId, who: Writer, ctx: Ctx) -> dict[str, Any]:
    """Stop announcing to this endpoint (its pending deliveries wait until it is enabled)."""
    return answers.set_endpoint_enabled(ctx.uow(), who.tenant_id, _id(endpoint_id), False,
                                        ctx.clock())


@router.post("/v1/webhook_endpoints/{endpoint_id}/enable", response_model=EndpointOut,
             responses=errors(401, 403, 404, 422))
def enable_endpoint(endpoint_id: EndpointId, who: Writer, ctx: Ctx) -> dict[str, Any]:
    return answers.set_endpoint_enabled(ctx.uow(), who.tenant_id, _id(endpoint_id), True,
                                        ctx.clock())


@router.get("/v1/webhook_endpoints/{endpoint_id}/deliveries", response_model=DeliveryList,
            responses=errors(401, 403, 404, 422))
def list_deliveries(endpoint_id: EndpointId, who: Reader, ctx: Ctx, limit: Limit = 20,
                    starting_after: Annotated[str | None,
                                              Query(pattern=r"^msg_[0-9a-f]{40}$")] = None,
                    status: Annotated[str | None,
                                      Query(pattern="^(pending|delivered|failed)$")] = None
                    ) -> dict[str, Any]:
    """The endpoint's deliveries by the time they were written (the order of the actions),
    then id, each with its attempts."""
    return answers.deliveries(ctx.uow(), who.tenant_id, _id(endpoint_id), status=status,
                              after=starting_after, limit=limit).to_json()


@router.post("/v1/webhook_deliveries/{delivery_id}/redeliver", response_model=DeliveryOut,
             responses=errors(401, 403, 404, 422))
def redeliver(delivery_id: DeliveryId, who: Writer, ctx: Ctx) -> dict[str, Any]:
    """Send a delivery again now (also one already delivered or given up)."""
    return answers.redeliver(ctx.uow(), who.tenant_id, delivery_id, ctx.clock())
