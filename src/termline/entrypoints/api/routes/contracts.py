"""Contracts: create (the scenario file's shape plus `policy`), read, list, metadata,
entitlement, timeline, deadlines and balance."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from sqlalchemy import Connection, insert, select, update
from sqlalchemy.exc import IntegrityError

from termline.adapters.sql import service_tables as s
from termline.adapters.sql import tables as t
from termline.adapters.sql.repository import Repository, StoredContract, Tenant
from termline.app import book, intake
from termline.app.entitlement import entitlement
from termline.app.inputs import contract_policy
from termline.app.keys import Principal
from termline.app.ports import Store
from termline.app.run import as_of, context
from termline.domain.contract.bounds import ID_PATTERN
from termline.domain.contract.model import Contract
from termline.domain.engine.deadlines import deadlines as contract_deadlines
from termline.domain.engine.simulate import balance
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
    found = repo.contracts(who.tenant_id, ref)
    if not found:
        raise Problem(404, f"no contract {ref!r}", field="id", kind="not-found")
    return found[0]


def tenant_of(repo: Store, who: Principal) -> Tenant:
    found = repo.tenant(who.tenant_name)
    assert found is not None
    return found


def _info(conn: Connection, contract_id: int) -> tuple[dict[str, str], str]:
    c = s.contract_info.c
    row = conn.execute(select(c.metadata, c.language).where(c.contract_id == contract_id)
                       ).first()
    return (json.loads(row.metadata), str(row.language)) if row else ({}, "en")


def standing(ctx: Any, who: Principal, ref: str) -> dict[str, Any]:
    """Status, access, balance, next deadline and problem as of the contract's last run day
    (the figures of `termline contract show`)."""
    found = book.contract(ctx.uow(), who.tenant_name, ref)
    deadlines = found["deadlines"]
    return {"status": found["status"], "access": found["access"], "as_of": found["as_of"],
            "balance": found["balance"], "next_deadline": deadlines[0] if deadlines else None,
            "problem": found["problem"] or None}


def show(conn: Connection, stored: StoredContract) -> dict[str, Any]:
    metadata, language = _info(conn, stored.id)
    data = stored.contract.model_dump(mode="json")
    policy = conn.execute(select(t.policy_versions.c.pack).where(
        t.policy_versions.c.id == stored.policy_version_id)).scalar_one()
    currency = conn.execute(select(t.contracts.c.currency).where(
        t.contracts.c.id == stored.id)).scalar_one()
    data["customer"]["language"] = language
    data.update(policy=data.get("policy") or policy, currency=currency, metadata=metadata)
    return data


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
    try:
        with ctx.uow() as uow:
            if uow.repo.contracts(who.tenant_id, contract.id):
                raise Problem(409, f"contract {contract.id!r} exists already", field="id",
                              kind="conflict")
            contract_id = uow.repo.add_contract(who.tenant_id, contract, policy)
            intake.mark_added(uow.repo.conn, [contract_id],
                              intake.local_day(tenant_of(uow.repo, who), ctx.clock()))
            uow.repo.conn.execute(insert(s.contract_info).values(
                contract_id=contract_id, tenant_id=who.tenant_id,
                metadata=json.dumps(body.metadata), language=body.customer.language))
            uow.commit()
            stored = uow.repo.contracts(who.tenant_id, contract.id)[0]
            data = show(uow.repo.conn, stored)
    except IntegrityError:
        raise Problem(409, f"contract {contract.id!r} exists already", field="id",
                      kind="conflict") from None
    ctx.wake()
    return data


@router.get("", response_model=ContractList, responses=errors(401, 403, 422))
def list_contracts(who: Reader, ctx: Ctx, limit: Limit = 20,
                   starting_after: Annotated[str | None, Query(max_length=100,
                                                               pattern=ID_PATTERN)] = None
                   ) -> dict[str, Any]:
    """The tenant's contracts in the order they were created."""
    c = t.contracts.c
    with ctx.engine.connect() as conn:
        query = select(c.id).where(c.tenant_id == who.tenant_id)
        if starting_after is not None:
            after = conn.execute(select(c.id).where(c.tenant_id == who.tenant_id,
                                                    c.ref == starting_after)).scalar()
            if after is None:
                raise Problem(422, f"no contract {starting_after!r}", field="starting_after",
                              kind="invalid-input")
            query = query.where(c.id > after)
        ids = list(conn.execute(query.order_by(c.id).limit(limit + 1)).scalars())
        page = []
        for cid in ids[:limit]:
            row = conn.execute(select(t.contracts).where(c.id == cid)).one()
            page.append(show(conn, StoredContract(cid, row.tenant_id,
                                                  Contract.model_validate_json(row.document),
                                                  row.policy_version_id)))
    for item in page:
        item.update(standing(ctx, who, item["id"]))
    return {"data": page, "has_more": len(ids) > limit}


@router.get("/{contract_id}", response_model=ContractOut, responses=errors(401, 403, 404))
def get_contract(contract_id: ContractId, who: Reader, ctx: Ctx) -> dict[str, Any]:
    with ctx.engine.connect() as conn:
        data = show(conn, find(Repository(conn), who, contract_id))
    return {**data, **standing(ctx, who, contract_id)}


@router.patch("/{contract_id}", response_model=ContractOut,
              responses=errors(401, 403, 404, 422))
def update_metadata(contract_id: ContractId, body: MetadataPatch, who: Writer, ctx: Ctx
                    ) -> dict[str, Any]:
    """Replace the contract's metadata (the terms themselves change through events)."""
    with ctx.uow() as uow:
        stored = find(uow.repo, who, contract_id)
        uow.repo.conn.execute(update(s.contract_info).where(
            s.contract_info.c.contract_id == stored.id).values(
            metadata=json.dumps(body.metadata)))
        uow.commit()
        return show(uow.repo.conn, stored)


@router.get("/{contract_id}/entitlement", response_model=EntitlementOut,
            responses=errors(401, 403, 404))
def get_entitlement(contract_id: ContractId, who: Reader, ctx: Ctx) -> dict[str, Any]:
    """The access the contract gives now (`full|suspended|export_only|none`), since when and
    the clauses behind it."""
    with ctx.engine.connect() as conn:
        repo = Repository(conn)
        stored = find(repo, who, contract_id)
        state = repo.run_state(stored.id).state
        actions = [body for *_, body in sorted(repo.ledger(who.tenant_id, contract_id),
                                                key=lambda r: r[2])]
    return entitlement(state.access, actions).to_json()


@router.get("/{contract_id}/timeline", responses=errors(401, 403, 404))
def get_timeline(contract_id: ContractId, who: Reader, ctx: Ctx) -> dict[str, Any]:
    """The contract's actions with their clauses and its upcoming deadlines."""
    from termline.app import views

    with ctx.engine.connect() as conn:
        find(Repository(conn), who, contract_id)
    return views.timeline(ctx.uow(), contract_id, who.tenant_name)


@router.get("/{contract_id}/deadlines", responses=errors(401, 403, 404))
def get_deadlines(contract_id: ContractId, who: Reader, ctx: Ctx) -> dict[str, Any]:
    """The contract's next decision dates (last day to give notice, term end, ...)."""
    with ctx.uow() as uow:
        stored = find(uow.repo, who, contract_id)
        tenant = tenant_of(uow.repo, who)
        run_state = uow.repo.run_state(stored.id)
        day = as_of(run_state, uow.repo.run_through(who.tenant_id))
        found = contract_deadlines(run_state.state, context(uow, stored, tenant), day)
    return {"as_of": day.isoformat(), "data": [d.to_json() for d in found]}


@router.get("/{contract_id}/balance", responses=errors(401, 403, 404))
def get_balance(contract_id: ContractId, who: Reader, ctx: Ctx) -> dict[str, Any]:
    """What the customer owes (principal, fees, interest) and its credit, as of the last run."""
    with ctx.uow() as uow:
        stored = find(uow.repo, who, contract_id)
        tenant = tenant_of(uow.repo, who)
        run_state = uow.repo.run_state(stored.id)
        day = as_of(run_state, uow.repo.run_through(who.tenant_id))
        return {"as_of": day.isoformat(),
                **balance(run_state.state, context(uow, stored, tenant), day).to_json()}
