"""Runs: the tenant's book run up to a day (what the scheduler does at each local midnight)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter

from termline.app import run as service
from termline.entrypoints.api.deps import Ctx, Writer
from termline.entrypoints.api.models import RunIn, RunOut
from termline.entrypoints.api.problems import Problem, errors

HORIZON = timedelta(days=3660)
router = APIRouter(prefix="/v1/runs", tags=["runs"])


@router.post("", response_model=RunOut, responses=errors(401, 403, 409, 422))
def post_run(body: RunIn, who: Writer, ctx: Ctx) -> dict[str, Any]:
    """Everything due up to and including `until`, stored when this returns (at most ten
    years ahead of today)."""
    if body.until > ctx.clock().date() + HORIZON:
        raise Problem(422, "until is more than ten years ahead", field="until",
                      kind="invalid-input")
    report = service.run(ctx.uow, {who.tenant_name: body.until})
    return {"until": body.until, **report.to_json()}
