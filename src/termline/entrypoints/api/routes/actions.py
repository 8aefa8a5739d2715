"""The ledger: actions exactly as `simulate` prints them, each with its `id`, by date then id."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from termline.app import answers
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
    """Filtered by contract, kind and action date (from, to, inclusive), by date then id.
    The cursor is the id of the last action of the previous page."""
    return answers.actions(ctx.uow(), who.tenant_id, contract=contract, kind=kind,
                           since=since, until=until, after=starting_after,
                           limit=limit).to_json()
