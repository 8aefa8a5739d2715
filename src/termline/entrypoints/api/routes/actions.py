"""The ledger: actions exactly as `simulate` prints them, each with its `id`, in append order."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlalchemy import select

from termline.adapters.sql import tables as t
from termline.domain.contract.bounds import ID_PATTERN
from termline.domain.contract.model import Day
from termline.entrypoints.api.deps import Ctx, Limit, Reader
from termline.entrypoints.api.models import ActionList
from termline.entrypoints.api.problems import errors

router = APIRouter(prefix="/v1/actions", tags=["actions"])


@router.get("", response_model=ActionList, responses=errors(401, 403, 422))
def list_actions(
    who: Reader, ctx: Ctx, limit: Limit = 20,
    starting_after: Annotated[int | None, Query(ge=0, le=2**62,
                                                description="An action id.")] = None,
    contract: Annotated[str | None, Query(max_length=100, pattern=ID_PATTERN)] = None,
    kind: Annotated[str | None, Query(max_length=64, pattern=r"^[a-z_]+$")] = None,
    since: Annotated[Day | None, Query(alias="from")] = None,
    until: Annotated[Day | None, Query(alias="to")] = None,
) -> dict[str, Any]:
    """Filtered by contract, kind and action date (from, to, inclusive). The cursor is the
    action id: new actions always get higher ids, so paging is stable while the run appends."""
    a, c = t.actions.c, t.contracts.c
    query = select(a.id, a.body).where(a.tenant_id == who.tenant_id)
    if contract is not None:
        query = query.join(t.contracts, c.id == a.contract_id).where(c.ref == contract)
    if kind is not None:
        query = query.where(a.kind == kind)
    if since is not None:
        query = query.where(a.date >= since)
    if until is not None:
        query = query.where(a.date <= until)
    if starting_after is not None:
        query = query.where(a.id > starting_after)
    with ctx.engine.connect() as conn:
        rows = conn.execute(query.order_by(a.id).limit(limit + 1)).all()
    return {"data": [{"id": int(r.id), **json.loads(r.body)} for r in rows[:limit]],
            "has_more": len(rows) > limit}
