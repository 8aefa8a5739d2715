"""The read side: the ledger in `simulate`'s JSON shape, a contract's timeline, and the
upcoming deadlines of the whole book."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

from termline.adapters.sql.repository import Tenant
from termline.app.intake import tenant as find_tenant
from termline.app.ports import UnitOfWork
from termline.app.run import as_of, context
from termline.domain.engine.deadlines import Deadline
from termline.domain.engine.deadlines import deadlines as contract_deadlines
from termline.domain.engine.simulate import balance
from termline.domain.errors import InputError
from termline.domain.values.duration import Duration


def ledger(uow: UnitOfWork, tenant_name: str | None = None, contract_ref: str | None = None
           ) -> dict[str, Any]:
    """`{"actions": [...], "balances": [...]}` as `simulate --format json` prints them.

    Actions in the order simulate gives them (date, contract id, order of production);
    balances per contract as of the day its state holds for (`run.as_of`).
    """
    with uow:
        owner = find_tenant(uow.repo, tenant_name)  # never two tenants' actions in one list
        rows = uow.repo.ledger(owner.id, contract_ref)
        rows.sort(key=lambda r: (r[0], r[1], r[2]))
        tenants = {tn.id: tn for tn in uow.repo.tenants()}
        balances = []
        for stored in sorted(uow.repo.contracts(owner.id, contract_ref),
                             key=lambda c: c.contract.id):
            run_state = uow.repo.run_state(stored.id)
            ctx = context(uow, stored, tenants[stored.tenant_id])
            day = as_of(run_state, uow.repo.run_through(stored.tenant_id))
            balances.append(balance(run_state.state, ctx, day).to_json())
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
        day = as_of(run_state, uow.repo.run_through(owner.id))
        upcoming = contract_deadlines(run_state.state, ctx, day)
    return {"contract": contract_ref, "customer": stored.contract.customer.name,
            "as_of": day.isoformat(),
            "actions": [body for *_, body in rows],
            "deadlines": [d.to_json() for d in upcoming]}


def horizon(on: date, within: timedelta | Duration | None) -> date | None:
    """The last day `within` reaches from `on` (None: no limit). Months clamp to the month end."""
    if within is None:
        return None
    if isinstance(within, timedelta):
        return on + within
    return within.add_to(on)  # business days have no calendar here: Duration refuses them


def in_window(found: Iterable[Deadline], on: date, within: timedelta | Duration | None
              ) -> list[Deadline]:
    """The deadlines dated in [on, on + within]; all of them when `within` is None."""
    last = horizon(on, within)
    if last is None:
        return list(found)
    return [d for d in found if on <= d.date <= last]


def deadlines(uow: UnitOfWork, tenant_name: str | None = None, *,
              on: date | Mapping[str, date], within: timedelta | Duration | None = None
              ) -> list[dict[str, Any]]:
    """Every stored contract's deadlines (of the tenant, or of all), as `deadlines` rows plus
    `tenant`, sorted by (date, contract, kind).

    A contract's stored state is as of the last run, so `on` should be at or after the last
    run: a later `on` only moves the notice deadline on, it does not run the days between (an
    invoice due in between still shows with its past date, and `within` drops it).
    `on` may be one date or one per tenant name (each tenant's today in its own time zone).
    """
    rows: list[tuple[tuple[str, str, str, str], dict[str, Any]]] = []
    with uow:
        owner = find_tenant(uow.repo, tenant_name)
        tenants = {tn.id: tn for tn in uow.repo.tenants()}
        for stored in uow.repo.contracts(owner.id):
            tn = tenants[stored.tenant_id]
            day = on if isinstance(on, date) else on.get(tn.name)
            if day is None:
                continue
            run_state = uow.repo.run_state(stored.id)
            ctx = context(uow, stored, tn)
            for d in in_window(contract_deadlines(run_state.state, ctx, day), day, within):
                rows.append(((d.date.isoformat(), d.contract, d.kind, tn.name),
                             {"tenant": tn.name, "customer": stored.contract.customer.name,
                              **d.to_json()}))
    rows.sort(key=lambda r: r[0])
    return [body for _, body in rows]
