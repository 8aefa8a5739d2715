"""What would happen to a stored contract: its stored events and policy as they are, with
hypothetical events added, run to a day. Nothing is stored and nothing is sent: the use case
behind `POST /v1/simulate {"contract", "events", "until"}` (and a web console's what-if)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from termline.adapters.sql.store_records import Unreadable
from termline.app import intake
from termline.app.ports import UnitOfWork
from termline.app.run import context
from termline.app.run_parts import tenant_tables
from termline.domain.contract.model import BROADCAST, EventBase
from termline.domain.engine.actions import Action
from termline.domain.engine.simulate import Balance, balance, run_contract
from termline.domain.errors import InputError

HORIZON = timedelta(days=3660)  # ten years from the contract's start
MAX_EVENTS = 1000


@dataclass(frozen=True)
class WhatIf:
    contract: str
    until: date
    actions: list[Action]
    balance: Balance
    stored_events: int
    hypothetical_events: int

    def to_json(self) -> dict[str, Any]:
        return {"contract": self.contract, "until": self.until.isoformat(),
                "actions": [a.to_json() for a in self.actions],
                "balance": self.balance.to_json(), "stored_events": self.stored_events,
                "hypothetical_events": self.hypothetical_events}


class NotFound(InputError):
    """The tenant has no contract by that id."""


def what_if(uow: UnitOfWork, tenant_id: int, contract_ref: str, events: list[EventBase],
            until: date) -> WhatIf:
    """The contract's whole life to `until` under its stored policy, with its stored events
    and `events` (checked as `POST /v1/events` checks them, each naming `events.i`); the
    unit of work is never committed."""
    if len(events) > MAX_EVENTS:
        raise InputError(f"at most {MAX_EVENTS} hypothetical events", field="events")
    with uow:
        repo = uow.repo
        found = repo.contracts(tenant_id, contract_ref)
        if not found:
            raise NotFound(f"no contract {contract_ref!r}", field="contract")
        stored = found[0]
        owner = next(tn for tn in repo.tenants() if tn.id == tenant_id)
        if until < stored.contract.start or until > stored.contract.start + HORIZON:
            raise InputError("until must lie within ten years after the contract's start "
                             f"({stored.contract.start.isoformat()})", field="until")
        policy = repo.policy(stored.policy_version_id)
        indices = tenant_tables(owner)[1]
        added = []
        for i, event in enumerate(events):
            if event.contract not in (BROADCAST, contract_ref):
                raise InputError(f"the event is for {event.contract!r}, not {contract_ref!r}",
                                 field=f"events.{i}.contract")
            try:
                intake.check_event(event, stored, policy, indices, None)
            except InputError as exc:
                raise InputError(exc.message, field=f"events.{i}.{exc.field or 'type'}"
                                 ) from None
            added.append(event)
        kept = [se.event for se in repo.events(stored, None, until)
                if not isinstance(se.event, Unreadable)]
        ctx = context(uow, stored, owner)
    state, actions = run_contract(ctx, kept + added, until)
    return WhatIf(contract_ref, until, actions, balance(state, ctx, until), len(kept),
                  len(added))
