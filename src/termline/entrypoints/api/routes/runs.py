"""Runs: the tenant's book run up to a day (what the scheduler does at each local midnight)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter

from termline.app import run as service
from termline.app.intake import local_day
from termline.entrypoints.api.deps import Ctx, Writer
from termline.entrypoints.api.models import RunIn, RunOut
from termline.entrypoints.api.problems import Problem, errors
from termline.entrypoints.api.routes.contracts import tenant_of

HORIZON = timedelta(days=3660)
router = APIRouter(prefix="/v1/runs", tags=["runs"])


@router.post("", response_model=RunOut, responses=errors(401, 403, 409, 422))
def post_run(body: RunIn, who: Writer, ctx: Ctx) -> dict[str, Any]:
    """Everything due up to and including `until`, stored (and announced) when this returns.
    A run goes up to today in the tenant's time zone: what would happen later is a what-if,
    `POST /v1/simulate` with the contract's id (the operator may allow later days for
    development: TERMLINE_DEV_FUTURE_RUNS=1)."""
    with ctx.uow() as uow:
        today = local_day(tenant_of(uow.repo, who), ctx.clock())
    if not ctx.future_runs and body.until > today:
        raise Problem(422, f"a run goes up to today ({today.isoformat()} in the tenant's time "
                      "zone); ask POST /v1/simulate what would happen later", field="until",
                      kind="invalid-input")
    if body.until > today + HORIZON:
        raise Problem(422, "until is more than ten years ahead", field="until",
                      kind="invalid-input")
    report = service.run(ctx.uow, {who.tenant_name: body.until})
    return {"until": body.until, **report.to_json()}
