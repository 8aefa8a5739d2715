"""Customers (as the contracts named them) with their contracts and a metadata string map."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from termline.app import answers
from termline.entrypoints.api.deps import Ctx, Limit, Reader, Writer
from termline.entrypoints.api.models import CustomerList, CustomerOut, MetadataPatch
from termline.entrypoints.api.problems import errors

router = APIRouter(prefix="/v1/customers", tags=["customers"])
PATTERN = r"^cus_[0-9]{1,18}$"
CustomerId = Annotated[str, Path(pattern=PATTERN, description="cus_…")]


def _id(customer_id: str) -> int:
    return int(customer_id.removeprefix("cus_"))


@router.get("", response_model=CustomerList, responses=errors())
def list_customers(who: Reader, ctx: Ctx, limit: Limit = 20,
                   starting_after: Annotated[str | None, Query(pattern=PATTERN)] = None
                   ) -> dict[str, Any]:
    """The tenant's customers in the order they were first named."""
    after = None if starting_after is None else _id(starting_after)
    return answers.customers(ctx.uow(), who.tenant_id, after, limit).to_json()


@router.get("/{customer_id}", response_model=CustomerOut, responses=errors(404))
def get_customer(customer_id: CustomerId, who: Reader, ctx: Ctx) -> dict[str, Any]:
    return answers.customer(ctx.uow(), who.tenant_id, _id(customer_id))


@router.patch("/{customer_id}", response_model=CustomerOut, responses=errors(404))
def update_customer(customer_id: CustomerId, body: MetadataPatch, who: Writer, ctx: Ctx
                    ) -> dict[str, Any]:
    """Replace the customer's metadata."""
    return answers.set_customer_metadata(ctx.uow(), who.tenant_id, _id(customer_id),
                                         body.metadata)
