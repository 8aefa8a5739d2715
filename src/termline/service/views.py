"""The read side: the ledger in `simulate`'s JSON shape, and a contract's timeline."""

from __future__ import annotations

from typing import Any

from termline.engine.deadlines import deadlines
from termline.engine.simulate import balance
from termline.errors import InputError
from termline.service.intake import tenant as find_tenant
from termline.service.run import context
from termline.service.unit_of_work import UnitOfWork
from termline.store.repository import Tenant


def ledger(uow: UnitOfWork, tenant_name: str | None = None, contract_ref: str | None = None
           ) -> dict[str, Any]:
    """`{"actions": [...], "balances": [...]}` as `simulate --format json` prints them.

    Actions in the order simulate gives them (date, contract id, order of production);
    balances per contract as of its cursor (the last day run).
    """
    with uow:
        owner = find_tenant(uow.repo, tenant_name) if tenant_name is not None else None
        rows = uow.repo.ledger(owner.id if owner else None, contract_ref)
        rows.sort(key=lambda r: (r[0], r[1], r[2]))
        tenants = {tn.id: tn for tn in uow.repo.tenants()}
        balances = []
        for stored in sorted(uow.repo.contracts(owner.id if owner else None, contract_ref),
                             key=lambda c: c.contract.id):
            run_state = uow.repo.run_state(stored.id)
            ctx = context(uow, stored, tenants[stored.tenant_id])
            balances.append(balance(run_state.state, ctx, run_state.cursor).to_json())
    return {"actions": [body for *_, body in rows], "balances": balances}


def timeline(uow: UnitOfWork, contract_ref: str, tenant_name: str | None = None
             ) -> dict[str, Any]:
    """A contract's stored actions and its upcoming deadlines as of its cursor."""
    with uow:
        owner: Tenant = find_tenant(uow.repo, tenant_name)
        found = uow.repo.contracts(owner.id, contract_ref)
        if not found:
            raise InputError(f"no contract {contract_ref!r} for tenant {owner.name!r}",
                             field="CONTRACT")
        stored = found[0]
        rows = sorted(uow.repo.ledger(owner.id, contract_ref), key=lambda r: (r[0], r[2]))
        run_state = uow.repo.run_state(stored.id)
        ctx = context(uow, stored, owner)
        upcoming = deadlines(run_state.state, ctx, run_state.cursor)
    return {"contract": contract_ref, "as_of": run_state.cursor.isoformat(),
            "actions": [body for *_, body in rows],
            "deadlines": [d.to_json() for d in upcoming]}
