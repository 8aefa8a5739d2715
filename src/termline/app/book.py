"""The read side of a tenant's book for finance users: tenants, customers, contracts with
their status and balance, per-customer balances and aged receivables.

Every figure comes from each contract's stored state as of the tenant's last run
(`run.as_of`): run the book up to a day before reading it as of that day.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from termline.adapters.sql import reports
from termline.adapters.sql.repository import StoredContract, Tenant
from termline.adapters.sql.sql_rows import connection
from termline.app.intake import tenant as find_tenant
from termline.app.ports import UnitOfWork
from termline.app.run import _Caches, as_of, context
from termline.domain.engine.deadlines import deadlines as contract_deadlines
from termline.domain.engine.simulate import Balance, balance
from termline.domain.engine.state import Context, ContractState
from termline.domain.errors import InputError
from termline.domain.mechanisms.dunning.aging import BUCKETS, Aged, age
from termline.domain.mechanisms.dunning.as_of import state_on
from termline.domain.values.money import ZERO, fmt


@dataclass(frozen=True)
class Row:
    """One stored contract as of its last run."""

    stored: StoredContract
    state: ContractState
    ctx: Context
    as_of: date
    problem: dict[str, Any] | None  # why the run set it aside (`service.run`), if it did


def _rows(uow: UnitOfWork, owner: Tenant, ref: str | None = None) -> Iterator[Row]:
    caches = _Caches()
    through = uow.repo.run_through(owner.id)
    for stored in sorted(uow.repo.contracts(owner.id, ref), key=lambda c: c.contract.id):
        run_state = uow.repo.run_state(stored.id)
        yield Row(stored, run_state.state, context(uow, stored, owner, caches),
                  as_of(run_state, through), run_state.problem)


def tenants(uow: UnitOfWork) -> list[dict[str, Any]]:
    with uow:
        out = []
        for tn in sorted(uow.repo.tenants(), key=lambda tn: tn.name):
            through = uow.repo.run_through(tn.id)
            out.append({"tenant": tn.name, "timezone": tn.timezone,
                        "contracts": len(uow.repo.contracts(tn.id)),
                        "run_through": through.isoformat() if through else None})
    return out


def customers(uow: UnitOfWork, tenant_name: str | None) -> list[dict[str, Any]]:
    with uow:
        owner = find_tenant(uow.repo, tenant_name)
        return reports.customers(connection(uow.repo), owner.id)


def _problem(problem: dict[str, Any] | None) -> str:
    """A set-aside contract's problem in one line: the day and the error."""
    if problem is None:
        return ""
    return f"{problem.get('day') or 'run'}: {problem['error']}"


def _next_due(state: ContractState) -> date | None:
    return min((it.due for it in state.items if it.open > ZERO), default=None)


def _balance_json(bal: Balance) -> dict[str, str]:
    data = bal.to_json()
    return {k: data[k] for k in ("principal", "fees", "interest", "total", "credit", "currency")}


def contracts(uow: UnitOfWork, tenant_name: str | None) -> list[dict[str, Any]]:
    """Every contract of the tenant: customer, status, access, the earliest due date of what
    is open, the next deadline, the balance. `problem` is empty unless the run set the
    contract aside."""
    with uow:
        owner = find_tenant(uow.repo, tenant_name)
        out = []
        for row in _rows(uow, owner):
            due = _next_due(row.state)
            upcoming = contract_deadlines(row.state, row.ctx, row.as_of)
            nxt = upcoming[0] if upcoming else None
            bal = balance(row.state, row.ctx, row.as_of)
            out.append({
                "contract": row.stored.contract.id, "customer": row.stored.contract.customer.name,
                "status": row.state.status, "access": row.state.access,
                "next_due": due.isoformat() if due else None,
                "next_deadline": f"{nxt.date.isoformat()} {nxt.kind}" if nxt else None,
                "as_of": row.as_of.isoformat(), **_balance_json(bal),
                "problem": _problem(row.problem)})
    return out


def contract(uow: UnitOfWork, tenant_name: str | None, ref: str) -> dict[str, Any]:
    """One contract in full: its terms, state, open items, balance and deadlines."""
    with uow:
        owner = find_tenant(uow.repo, tenant_name)
        found = list(_rows(uow, owner, ref))
        if not found:
            known = ", ".join(c.contract.id for c in uow.repo.contracts(owner.id)[:10])
            raise InputError(f"no contract {ref!r} for tenant {owner.name!r} (contracts: "
                             f"{known or 'none'})", field="CONTRACT")
        row = found[0]
        c, state = row.stored.contract, row.state
        return {
            "contract": c.id, "tenant": owner.name, "customer": c.customer.model_dump(),
            "pack": row.ctx.policy.pack, "start": c.start.isoformat(),
            "lines": [line.model_dump(mode="json") for line in c.lines],
            "as_of": row.as_of.isoformat(), "status": state.status, "access": state.access,
            "term_end": state.term_end.isoformat() if state.term_end else None,
            "open_items": [{"ref": it.ref, "kind": it.kind, "issued": it.issued.isoformat(),
                            "due": it.due.isoformat(), "amount": fmt(it.amount),
                            "open": fmt(it.open), "on_hold": it.on_hold}
                           for it in state.items if it.open > ZERO],
            "balance": _balance_json(balance(state, row.ctx, row.as_of)),
            "deadlines": [d.to_json() for d in contract_deadlines(state, row.ctx, row.as_of)],
            "problem": _problem(row.problem),
        }


def balances(uow: UnitOfWork, tenant_name: str | None, customer: str | None = None
             ) -> list[dict[str, Any]]:
    """What each customer owes (or has in credit), summed over its contracts, per currency."""
    sums: dict[tuple[str, str], list[Decimal]] = {}
    counts: dict[tuple[str, str], int] = {}
    with uow:
        owner = find_tenant(uow.repo, tenant_name)
        for row in _rows(uow, owner):
            name = row.stored.contract.customer.name
            if customer is not None and name != customer:
                continue
            bal = balance(row.state, row.ctx, row.as_of)
            key = (name, bal.currency)
            acc = sums.setdefault(key, [ZERO] * 5)
            for i, value in enumerate((bal.principal, bal.fees, bal.interest, bal.total,
                                       bal.credit)):
                acc[i] += value
            counts[key] = counts.get(key, 0) + 1
    if customer is not None and not sums:
        raise InputError(f"no customer named {customer!r} for tenant {owner.name!r}",
                         field="--customer")
    return [{"customer": name, "contracts": counts[(name, cur)],
             **dict(zip(("principal", "fees", "interest", "total", "credit"),
                        map(fmt, acc), strict=True)), "currency": cur}
            for (name, cur), acc in sorted(sums.items())]


def last_run(uow: UnitOfWork, tenant_name: str | None) -> tuple[str, date | None]:
    """(tenant name, the last day its book was run through)."""
    with uow:
        owner = find_tenant(uow.repo, tenant_name)
        return owner.name, uow.repo.run_through(owner.id)


def receivables(uow: UnitOfWork, tenant_name: str | None, on: date) -> list[dict[str, Any]]:
    """Aged receivables on day ON per customer and currency: open principal by days past due
    (current, 1-30, 31-60, 61-90, 90+), fees and interest apart, and the total. A day before
    a contract's last run: what was open then, each item as issued by then and paid by the
    allocations stored up to then (`overdue.as_of`)."""
    aged: dict[tuple[str, str], Aged] = {}
    with uow:
        owner = find_tenant(uow.repo, tenant_name)
        paid: dict[int, dict[str, list[tuple[date, Decimal]]]] | None = None
        for row in _rows(uow, owner):
            state = row.state
            if on < row.as_of:
                if paid is None:
                    paid = reports.allocations_through(connection(uow.repo), owner.id, on)
                state = state_on(state, paid.get(row.stored.id, {}), on)
            bal = balance(state, row.ctx, on)
            key = (row.stored.contract.customer.name, bal.currency)
            aged.setdefault(key, Aged()).add(age(state.items, on, bal.interest))
    out = []
    for (name, currency), a in sorted(aged.items()):
        if a.total == ZERO:
            continue
        out.append({"customer": name,
                    **{bucket: fmt(a.principal[bucket]) for bucket, _, _ in BUCKETS},
                    "fees": fmt(a.fees), "interest": fmt(a.interest), "total": fmt(a.total),
                    "currency": currency})
    return out
