"""The e-mail outbox: what was (or will be) sent to the tenant's customers, with its status."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from termline.app import answers
from termline.domain.contract.bounds import ID_PATTERN
from termline.entrypoints.api.deps import Ctx, Limit, Reader
from termline.entrypoints.api.models import EmailList
from termline.entrypoints.api.problems import errors

router = APIRouter(prefix="/v1/emails", tags=["emails"])


@router.get("", response_model=EmailList, responses=errors())
def list_emails(who: Reader, ctx: Ctx, limit: Limit = 20,
                starting_after: Annotated[str | None, Query(pattern=r"^eml_[0-9a-f]{40}$")]
                = None,
                contract: Annotated[str | None,
                                    Query(max_length=100, pattern=ID_PATTERN)] = None,
                status: Annotated[str | None,
                                  Query(pattern="^(pending|sent|failed|not_sent)$")] = None
                ) -> dict[str, Any]:
    """The tenant's e-mails in the order they were written."""
    return answers.emails(ctx.uow(), who.tenant_id, contract=contract, status=status,
                          after=starting_after, limit=limit).to_json()
