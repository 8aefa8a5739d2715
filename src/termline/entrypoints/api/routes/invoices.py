"""Invoices as the run projected them (append-only: a reissued number is a new revision)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from sqlalchemy import Connection, select

from termline.adapters.sql import tables as t
from termline.domain.contract.bounds import ID_PATTERN
from termline.entrypoints.api.deps import Ctx, Limit, Reader
from termline.entrypoints.api.models import InvoiceList, InvoiceOut
from termline.entrypoints.api.problems import Problem, errors

router = APIRouter(prefix="/v1/invoices", tags=["invoices"])
PATTERN = r"^inv_[0-9]{1,18}$"
InvoiceId = Annotated[str, Path(pattern=PATTERN, description="inv_…")]


def _money(value: Any) -> str:
    return f"{value:.2f}"


def _show(conn: Connection, row: Any, ref: str) -> dict[str, Any]:
    ln = t.invoice_lines.c
    lines = conn.execute(select(ln.item, ln.quantity, ln.unit_price, ln.amount).where(
        ln.contract_id == row.contract_id, ln.invoice_key == row.action_key)
        .order_by(ln.position)).all()
    return {"id": f"inv_{row.id}", "number": row.ref, "revision": row.revision,
            "contract": ref, "kind": row.kind, "issued": row.issued.isoformat(),
            "due": row.due.isoformat(),
            "period_start": row.period_start.isoformat() if row.period_start else None,
            "period_end": row.period_end.isoformat() if row.period_end else None,
            "amount": _money(row.amount), "currency": row.currency,
            "lines": [{"item": x.item, "quantity": format(x.quantity.normalize(), "f"),
                       "unit_price": format(x.unit_price.normalize(), "f"),
                       "amount": _money(x.amount)} for x in lines]}


@router.get("", response_model=InvoiceList, responses=errors())
def list_invoices(who: Reader, ctx: Ctx, limit: Limit = 20,
                  starting_after: Annotated[str | None, Query(pattern=PATTERN)] = None,
                  contract: Annotated[str | None, Query(max_length=100, pattern=ID_PATTERN)] = None
                  ) -> dict[str, Any]:
    """The tenant's invoices in the order they were issued (excl. VAT)."""
    i, c = t.invoices.c, t.contracts.c
    query = select(t.invoices, c.ref.label("contract_ref")).join(
        t.contracts, c.id == i.contract_id).where(i.tenant_id == who.tenant_id)
    if contract is not None:
        query = query.where(c.ref == contract)
    if starting_after is not None:
        query = query.where(i.id > int(starting_after.removeprefix("inv_")))
    with ctx.engine.connect() as conn:
        rows = conn.execute(query.order_by(i.id).limit(limit + 1)).all()
        return {"data": [_show(conn, r, r.contract_ref) for r in rows[:limit]],
                "has_more": len(rows) > limit}


@router.get("/{invoice_id}", response_model=InvoiceOut, responses=errors(404))
def get_invoice(invoice_id: InvoiceId, who: Reader, ctx: Ctx) -> dict[str, Any]:
    i, c = t.invoices.c, t.contracts.c
    with ctx.engine.connect() as conn:
        row = conn.execute(select(t.invoices, c.ref.label("contract_ref")).join(
            t.contracts, c.id == i.contract_id).where(
            i.id == int(invoice_id.removeprefix("inv_")), i.tenant_id == who.tenant_id)).first()
        if row is None:
            raise Problem(404, f"no invoice {invoice_id!r}", field="id", kind="not-found")
        return _show(conn, row, row.contract_ref)
