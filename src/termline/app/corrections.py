"""An operator's corrections: list the event log, void an event, resume a set-aside contract.

The log is append-only: voiding records the withdrawal beside the event, and the run then
reads the log without it and recomputes what it had caused (`action_corrected`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from termline.adapters.sql.repository import StoredContract, Tenant
from termline.app.intake import tenant as find_tenant
from termline.app.ports import Store, UnitOfWork
from termline.domain.errors import InputError


def _contract(repo: Store, owner: Tenant, ref: str) -> StoredContract:
    found = repo.contracts(owner.id, ref)
    if not found:
        raise InputError(f"no contract {ref!r} for tenant {owner.name!r}", field="--contract")
    return found[0]


def event_log(uow: UnitOfWork, tenant_name: str | None, contract_ref: str | None = None
              ) -> list[dict[str, Any]]:
    """The tenant's events in received order with their ids, voided ones marked."""
    with uow:
        owner = find_tenant(uow.repo, tenant_name)
        contract_id = _contract(uow.repo, owner, contract_ref).id if contract_ref else None
        return [{"id": e.id, "contract": e.contract or "*", "date": e.payload["date"],
                 "type": e.payload["type"], "reference": e.payload.get("reference"),
                 "voided": e.void_reason, "event": e.payload}
                for e in uow.repo.event_log(owner.id, contract_id)]


def void_event(uow: UnitOfWork, tenant_name: str | None, event_id: int, reason: str,
               at: datetime) -> dict[str, Any]:
    """Withdraw an event: the next run recomputes its contract(s) without it, and a contract
    it had stopped runs again."""
    if not reason.strip():
        raise InputError("say why the event is voided", field="--reason")
    with uow:
        owner = find_tenant(uow.repo, tenant_name)
        try:
            contract_id, day = uow.repo.void_event(owner.id, event_id, reason.strip(), at)
        except LookupError:
            raise InputError(f"tenant {owner.name!r} has no event {event_id}",
                             field="ID") from None
        except ValueError:
            raise InputError(f"event {event_id} is voided already", field="ID") from None
        uow.repo.note_event(owner.id, contract_id, day)
        uow.commit()
    return {"event": event_id, "voided": True, "reason": reason.strip()}


def resume(uow: UnitOfWork, tenant_name: str | None, contract_ref: str) -> bool:
    """Run a set-aside contract again (after the tenant's data was completed, for instance);
    False when it was not set aside."""
    with uow:
        owner = find_tenant(uow.repo, tenant_name)
        done = uow.repo.resume(_contract(uow.repo, owner, contract_ref).id)
        uow.commit()
    return done


def problems(uow: UnitOfWork, tenant_name: str | None) -> dict[str, dict[str, Any]]:
    """The tenant's set-aside contracts by ref, with why the run stopped each."""
    with uow:
        owner = find_tenant(uow.repo, tenant_name)
        refs = {c.id: c.contract.id for c in uow.repo.contracts(owner.id)}
        return {refs[cid]: problem for cid, problem in uow.repo.problems(owner.id).items()}
