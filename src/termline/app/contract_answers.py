"""Contracts as the service answers them: created with their metadata and the customer's
language, shown with where they stand (`book.contract`: status, access, balance, next
deadline, problem), their entitlement, deadlines and balance as of the last run day."""

from __future__ import annotations

import json
from datetime import datetime

from termline.adapters.sql.service_reads import Record, ServiceReads
from termline.adapters.sql.sql_rows import connection
from termline.adapters.sql.store_records import StoredContract as StoredContract
from termline.adapters.sql.store_records import Tenant as Tenant
from termline.app import book, intake
from termline.app.answers import Json, NotFound, Page, reads
from termline.app.entitlement import entitlement as access_of
from termline.app.ports import Store, UnitOfWork, UowFactory
from termline.app.run import as_of, context
from termline.domain.contract.model import Contract
from termline.domain.engine.deadlines import deadlines as contract_deadlines
from termline.domain.engine.simulate import balance as balance_of
from termline.domain.errors import ConcurrentWrite, InputError
from termline.domain.policy.schema import Policy


class Exists(InputError):
    """The tenant has a contract by that id already."""


def find(repo: Store, tenant_id: int, ref: str) -> StoredContract:
    """The tenant's contract `ref`; NotFound for any other (another tenant's too)."""
    found = repo.contracts(tenant_id, ref)
    if not found:
        raise NotFound(f"no contract {ref!r}", field="id")
    return found[0]


def tenant_named(repo: Store, name: str) -> Tenant:
    found = repo.tenant(name)
    assert found is not None
    return found


def _shown(row: Record) -> Json:
    data = Contract.model_validate_json(row.document).model_dump(mode="json")
    data["customer"]["language"] = row.language or "en"
    data.update(policy=data.get("policy") or row.pack, currency=row.currency,
                metadata=json.loads(row.metadata) if row.metadata else {})
    return data


def _show(q: ServiceReads, tenant_id: int, contract_id: int) -> Json:
    return _shown(q.contract_rows(tenant_id, [contract_id])[0])


def standing(uow: UnitOfWork, tenant_name: str, ref: str) -> Json:
    """Status, access, balance, next deadline and problem as of the contract's last run day
    (the figures of `termline contract show`)."""
    found = book.contract(uow, tenant_name, ref)
    deadlines = found["deadlines"]
    return {"status": found["status"], "access": found["access"], "as_of": found["as_of"],
            "balance": found["balance"], "next_deadline": deadlines[0] if deadlines else None,
            "problem": found["problem"] or None}


def create(uow: UnitOfWork, tenant_name: str, contract: Contract, policy: Policy,
           metadata: dict[str, str], language: str, now: datetime) -> Json:
    """Store a contract (Exists when its id is taken), its metadata and language beside it."""
    try:
        return _create(uow, tenant_name, contract, policy, metadata, language, now)
    except ConcurrentWrite:  # the same id stored by a concurrent request
        raise Exists(f"contract {contract.id!r} exists already", field="id") from None


def _create(uow: UnitOfWork, tenant_name: str, contract: Contract, policy: Policy,
            metadata: dict[str, str], language: str, now: datetime) -> Json:
    with uow:
        owner = tenant_named(uow.repo, tenant_name)
        if uow.repo.contracts(owner.id, contract.id):
            raise Exists(f"contract {contract.id!r} exists already", field="id")
        contract_id = uow.repo.add_contract(owner.id, contract, policy)
        conn = connection(uow.repo)
        intake.mark_added(conn, [contract_id], intake.local_day(owner, now))
        q = ServiceReads(conn)
        q.add_contract_info(owner.id, contract_id, metadata, language)
        uow.commit()
        return _show(q, owner.id, contract_id)


def page(uow_factory: UowFactory, tenant_id: int, tenant_name: str, after: str | None,
         limit: int) -> Page:
    """The tenant's contracts by start day then id, each with where it stands."""
    with reads(uow_factory(), "contract") as q:
        ids, more = q.contracts_page(tenant_id, after, limit)
        shown = [_shown(r) for r in q.contract_rows(tenant_id, [int(i.id) for i in ids])]
    return Page([{**c, **standing(uow_factory(), tenant_name, c["id"])} for c in shown], more)


def show(uow_factory: UowFactory, tenant_id: int, tenant_name: str, ref: str
         ) -> Json:
    uow = uow_factory()
    with uow:
        stored = find(uow.repo, tenant_id, ref)
        data = _show(ServiceReads(connection(uow.repo)), tenant_id, stored.id)
    return {**data, **standing(uow_factory(), tenant_name, ref)}


def set_metadata(uow: UnitOfWork, tenant_id: int, ref: str, metadata: dict[str, str]
                 ) -> Json:
    """Replace the contract's metadata (the terms themselves change through events)."""
    with uow:
        stored = find(uow.repo, tenant_id, ref)
        q = ServiceReads(connection(uow.repo))
        q.set_contract_metadata(stored.id, metadata)
        uow.commit()
        return _show(q, tenant_id, stored.id)


def entitlement(uow: UnitOfWork, tenant_id: int, ref: str) -> Json:
    """The access the contract gives now, since when and the clauses behind it."""
    with uow:
        stored = find(uow.repo, tenant_id, ref)
        state = uow.repo.run_state(stored.id).state
        actions = [body for *_, body in sorted(uow.repo.ledger(tenant_id, ref),
                                                key=lambda r: r[2])]
    return access_of(state.access, actions).to_json()


def deadlines(uow: UnitOfWork, tenant_id: int, tenant_name: str, ref: str) -> Json:
    """The contract's next decision dates as of its last run day."""
    with uow:
        stored = find(uow.repo, tenant_id, ref)
        run_state = uow.repo.run_state(stored.id)
        day = as_of(run_state, uow.repo.run_through(tenant_id))
        found = contract_deadlines(run_state.state,
                                   context(uow, stored, tenant_named(uow.repo, tenant_name)),
                                   day)
    return {"as_of": day.isoformat(), "data": [d.to_json() for d in found]}


def balance(uow: UnitOfWork, tenant_id: int, tenant_name: str, ref: str) -> Json:
    """What the customer owes (principal, fees, interest) and its credit, as of the last
    run."""
    with uow:
        stored = find(uow.repo, tenant_id, ref)
        run_state = uow.repo.run_state(stored.id)
        day = as_of(run_state, uow.repo.run_through(tenant_id))
        figures = balance_of(run_state.state,
                             context(uow, stored, tenant_named(uow.repo, tenant_name)), day)
        return {"as_of": day.isoformat(), **figures.to_json()}


def exists(uow: UnitOfWork, tenant_id: int, ref: str) -> None:
    """NotFound unless the tenant has the contract."""
    with uow:
        find(uow.repo, tenant_id, ref)
