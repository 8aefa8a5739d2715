"""The e-mail outbox: what was (or will be) sent to the tenant's customers, with its status."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlalchemy import select

from termline.adapters.sql import service_tables as s
from termline.adapters.sql import tables as t
from termline.domain.contract.bounds import ID_PATTERN
from termline.entrypoints.api.deps import Ctx, Limit, Reader
from termline.entrypoints.api.models import EmailList
from termline.entrypoints.api.problems import Problem, errors

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
    m, c = s.emails.c, t.contracts.c
    query = select(m.id, m.msg_id, m.kind, m.to_addr, m.subject, m.status, m.attempts,
                   m.created_at, m.sent_at, m.last_error, c.ref).outerjoin(
        t.contracts, c.id == m.contract_id).where(m.tenant_id == who.tenant_id)
    if contract is not None:
        query = query.where(c.ref == contract)
    if status is not None:
        query = query.where(m.status == status)
    with ctx.engine.connect() as conn:
        if starting_after is not None:
            after = conn.execute(select(m.id).where(m.msg_id == starting_after,
                                                    m.tenant_id == who.tenant_id)).scalar()
            if after is None:
                raise Problem(422, f"no e-mail {starting_after!r}", field="starting_after",
                              kind="invalid-input")
            query = query.where(m.id > after)
        rows = conn.execute(query.order_by(m.id).limit(limit + 1)).all()
    return {"data": [{"id": r.msg_id, "kind": r.kind, "contract": r.ref, "to": r.to_addr,
                      "subject": r.subject, "status": r.status, "attempts": r.attempts,
                      "created_at": r.created_at.isoformat(),
                      "sent_at": r.sent_at.isoformat() if r.sent_at else None,
                      "last_error": r.last_error} for r in rows[:limit]],
            "has_more": len(rows) > limit}
