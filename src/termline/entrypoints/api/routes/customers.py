"""Customers (as the contracts named them) with their contracts and a metadata string map."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from sqlalchemy import Connection, insert, select, update

from termline.adapters.sql import service_tables as s
from termline.adapters.sql import tables as t
from termline.app.keys import Principal
from termline.entrypoints.api.deps import Ctx, Limit, Reader, Writer
from termline.entrypoints.api.models import CustomerList, CustomerOut, MetadataPatch
from termline.entrypoints.api.problems import Problem, errors

router = APIRouter(prefix="/v1/customers", tags=["customers"])
PATTERN = r"^cus_[0-9]{1,18}$"
CustomerId = Annotated[str, Path(pattern=PATTERN, description="cus_…")]


def _show(conn: Connection, row: Any) -> dict[str, Any]:
    c = t.contracts.c
    refs = list(conn.execute(select(c.ref).where(c.customer_id == row.id).order_by(c.id))
                .scalars())
    meta = conn.execute(select(s.customer_info.c.metadata).where(
        s.customer_info.c.customer_id == row.id)).scalar()
    return {"id": f"cus_{row.id}", "name": row.name, "country": row.country,
            "email": row.email, "contracts": refs,
            "metadata": json.loads(meta) if meta else {}}


def _find(conn: Connection, who: Principal, customer_id: str) -> Any:
    cu = t.customers.c
    row = conn.execute(select(t.customers).where(
        cu.id == int(customer_id.removeprefix("cus_")), cu.tenant_id == who.tenant_id)).first()
    if row is None:
        raise Problem(404, f"no customer {customer_id!r}", field="id", kind="not-found")
    return row


@router.get("", response_model=CustomerList, responses=errors())
def list_customers(who: Reader, ctx: Ctx, limit: Limit = 20,
                   starting_after: Annotated[str | None, Query(pattern=PATTERN)] = None
                   ) -> dict[str, Any]:
    cu = t.customers.c
    query = select(t.customers).where(cu.tenant_id == who.tenant_id)
    if starting_after is not None:
        query = query.where(cu.id > int(starting_after.removeprefix("cus_")))
    with ctx.engine.connect() as conn:
        rows = conn.execute(query.order_by(cu.id).limit(limit + 1)).all()
        return {"data": [_show(conn, r) for r in rows[:limit]], "has_more": len(rows) > limit}


@router.get("/{customer_id}", response_model=CustomerOut, responses=errors(404))
def get_customer(customer_id: CustomerId, who: Reader, ctx: Ctx) -> dict[str, Any]:
    with ctx.engine.connect() as conn:
        return _show(conn, _find(conn, who, customer_id))


@router.patch("/{customer_id}", response_model=CustomerOut, responses=errors(404))
def update_customer(customer_id: CustomerId, body: MetadataPatch, who: Writer, ctx: Ctx
                    ) -> dict[str, Any]:
    """Replace the customer's metadata."""
    ci = s.customer_info.c
    with ctx.engine.begin() as conn:
        row = _find(conn, who, customer_id)
        text = json.dumps(body.metadata)
        if conn.execute(update(s.customer_info).where(ci.customer_id == row.id)
                        .values(metadata=text)).rowcount == 0:
            conn.execute(insert(s.customer_info).values(
                customer_id=row.id, tenant_id=who.tenant_id, metadata=text))
        return _show(conn, row)
