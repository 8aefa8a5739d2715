"""Contracts: create (the scenario file's shape plus `policy`), read, list, metadata,
entitlement, timeline, deadlines and balance."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from termline.app import contract_answers as answers
from termline.app.contract_answers import StoredContract, Tenant
from termline.app.inputs import contract_policy
from termline.app.keys import Principal
from termline.app.ports import Store
from termline.domain.contract.bounds import ID_PATTERN
from termline.domain.errors import InputError
from termline.domain.policy.policy_file import BUILTIN_PACKS
from termline.entrypoints.api.deps import Ctx, Limit, Reader, Writer
from termline.entrypoints.api.models import (
    ContractIn,
    ContractList,
    ContractOut,
    EntitlementOut,
    MetadataPatch,
)
from termline.entrypoints.api.problems import Problem, errors

router = APIRouter(prefix="/v1/contracts", tags=["contracts"])
ContractId = Annotated[str, Path(min_length=1, max_length=100, pattern=ID_PATTERN,
                                 description="The id the contract was created with.")]


def find(repo: Store, who: Principal, ref: str) -> StoredContract:
    """The caller's contract `ref`; a 404 for any other (another tenant's too)."""
    return answers.find(repo, who.tenant_id, ref)


def tenant_of(repo: Store, who: Principal) -> Tenant:
    return answers.tenant_named(repo, who.tenant_name)


@router.post("", status_code=201, response_model=ContractOut,
             responses=errors(401, 403, 409, 422))
def create_contract(body: ContractIn, who: Writer, ctx: Ctx) -> dict[str, Any]:
    """Store a contract; it runs from its `start` under the named pack."""
    if body.policy not in BUILTIN_PACKS:
        raise Problem(422, f"no built-in pack {body.policy!r} (built-in: "
                      f"{', '.join(BUILTIN_PACKS)})", field="policy", kind="invalid-input")
    contract = body.contract()
    try:
        policy = contract_policy(contract, "request body", None)
    except InputError as exc:
        raise Problem(422, exc.message, field=exc.field, kind="invalid-input") from None
    data = answers.create(ctx.uow(), who.tenant_name, contract, policy, body.metadata,
                          body.customer.language, ctx.clock())
    ctx.wake()
    return data


@router.get("", response_model=ContractList, responses=errors(401, 403, 422))
def list_contracts(who: Reader, ctx: Ctx, limit: Limit = 20,
                   starting_after: Annotated[str | None, Query(min_length=1, max_length=100,
                                                               pattern=ID_PATTERN)] = None
                   ) -> dict[str, Any]:
    """The tenant's contracts by start day, then the order they were created."""
    return answers.page(ctx.uow, who.tenant_id, who.tenant_name, starting_after,
                        limit).to_json()


@router.get("/{contract_id}", response_model=ContractOut, responses=errors(401, 403, 404))
def get_contract(contract_id: ContractId, who: Reader, ctx: Ctx) -> dict[str, Any]:
    return answers.show(ctx.uow, who.tenant_id, who.tenant_name, contract_id)


@router.patch("/{contract_id}", response_model=ContractOut,
              responses=errors(401, 403, 404, 422))
def update_metadata(contract_id: ContractId, body: MetadataPatch, who: Writer, ctx: Ctx
                    ) -> dict[str, Any]:
    """Replace the contract's metadata (the terms themselves change through events)."""
    return answers.set_metadata(ctx.uow(), who.tenant_id, contract_id, body.metadata)


@router.get("/{contract_id}/entitlement", response_model=EntitlementOut,
            responses=errors(401, 403, 404))
def get_entitlement(contract_id: ContractId, who: Reader, ctx: Ctx) -> dict[str, Any]:
    """The access the contract gives now (`full|suspended|export_only|none`), since when and
    the clauses behind it."""
    return answers.entitlement(ctx.uow(), who.tenant_id, contract_id)


@router.get("/{contract_id}/timeline", responses=errors(401, 403, 404))
def get_timeline(contract_id: ContractId, who: Reader, ctx: Ctx) -> dict[str, Any]:
    """The contract's actions with their clauses and its upcoming deadlines."""
    from termline.app import views

    answers.exists(ctx.uow(), who.tenant_id, contract_id)
    return views.timeline(ctx.uow(), contract_id, who.tenant_name)


@router.get("/{contract_id}/deadlines", responses=errors(401, 403, 404))
def get_deadlines(contract_id: ContractId, who: Reader, ctx: Ctx) -> dict[str, Any]:
    """The contract's next decision dates (last day to give notice, term end, ...)."""
    return answers.deadlines(ctx.uow(), who.tenant_id, who.tenant_name, contract_id)


@router.get("/{contract_id}/balance", responses=errors(401, 403, 404))
def get_balance(contract_id: ContractId, who: Reader, ctx: Ctx) -> dict[str, Any]:
    """What the customer owes (principal, fees, interest) and its credit, as of the last run."""
    return answers.balance(ctx.uow(), who.tenant_id, who.tenant_name, contract_id)
