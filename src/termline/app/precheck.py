"""Would the terms refuse this event? The contract replayed in memory through the event's day
with and without it: the `event_refused` actions it alone causes (nothing stored)."""

from __future__ import annotations

from termline.adapters.sql.repository import StoredContract, Tenant
from termline.app.ports import UnitOfWork
from termline.app.run import context, readable
from termline.domain.contract.model import EventBase
from termline.domain.engine.actions import Action
from termline.domain.engine.wake import run_contract_sparse

# Events the engine never refuses: no replay needed.
NEVER_REFUSED = ("payment", "payment_failed")


def refusals(uow: UnitOfWork, stored: StoredContract, tenant: Tenant, event: EventBase
             ) -> list[Action]:
    if event.type in NEVER_REFUSED:
        return []
    ctx = context(uow, stored, tenant)
    log = readable(uow.repo.events(stored, None, event.date))
    _, without = run_contract_sparse(ctx, log, event.date)
    _, with_it = run_contract_sparse(ctx, [*log, event], event.date)
    before = [a for a in without if a.kind == "event_refused" and a.date == event.date]
    after = [a for a in with_it if a.kind == "event_refused" and a.date == event.date]
    for a in before:
        if a in after:
            after.remove(a)
    return after
