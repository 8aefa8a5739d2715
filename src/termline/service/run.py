"""The daily run: every stored contract that is due, day by day, through the pure core.

Each contract's day is one transaction: the day's actions are inserted under their natural
key together with the new state and cursor, or nothing is. Days on which nothing happens are
folded into the next transaction that stores something (the state they lead to is recomputed
the same way if that transaction is lost), so a killed run resumes with nothing lost and
nothing doubled. The cursor update is conditional on the cursor read, so two runs of the same
contract at once cannot both store a day.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from termline.engine.actions import Action
from termline.engine.simulate import run_contract
from termline.engine.state import Context, ContractState
from termline.engine.step import step
from termline.policy.schema import Policy
from termline.pricing.series import IndexTable, from_mapping
from termline.rates.table import RateTable, builtin_rates
from termline.scenario.model import event_sort_key
from termline.service.unit_of_work import UnitOfWork, UowFactory
from termline.store.repository import (
    NewAction,
    RunState,
    StoredContract,
    StoredEvent,
    Tenant,
    action_keys,
)

CORRECTION = "action_corrected"


@dataclass
class RunReport:
    contracts: int = 0
    days: int = 0
    actions: int = 0
    corrections: int = 0
    conflicts: int = 0

    def to_json(self) -> dict[str, int]:
        return {"contracts": self.contracts, "days": self.days, "actions": self.actions,
                "corrections": self.corrections, "conflicts": self.conflicts}


@dataclass
class _Caches:
    policies: dict[int, Policy] = field(default_factory=dict)
    tables: dict[int, tuple[RateTable, IndexTable]] = field(default_factory=dict)


def tenant_tables(tenant: Tenant) -> tuple[RateTable, IndexTable]:
    source = f"tenant {tenant.name}"
    return (builtin_rates().merged(tenant.settings.get("statutory_rates", {}), source),
            from_mapping(tenant.settings.get("index_series", {}), source))


def context(uow: UnitOfWork, contract: StoredContract, tenant: Tenant,
            caches: _Caches | None = None) -> Context:
    caches = caches or _Caches()
    policy = caches.policies.get(contract.policy_version_id)
    if policy is None:
        policy = caches.policies[contract.policy_version_id] = \
            uow.repo.policy(contract.policy_version_id)
    tables = caches.tables.get(tenant.id)
    if tables is None:
        tables = caches.tables[tenant.id] = tenant_tables(tenant)
    return Context(contract.contract, policy, tables[0], tables[1])


Progress = Callable[[int, int], None]


def run(uow_factory: UowFactory, until: date | Mapping[str, date],
        progress: Progress | None = None) -> RunReport:
    """Everything due up to and including `until` (one date, or one per tenant name)."""
    with uow_factory() as uow:
        tenants = uow.repo.tenants()
        work = [(tn, day, cid) for tn in tenants
                for day in [until if isinstance(until, date) else until.get(tn.name)]
                if day is not None for cid in uow.repo.due(tn.id, day)]
    report = RunReport()
    caches = _Caches()
    for done, (tn, day, cid) in enumerate(work, start=1):
        advance(uow_factory, tn, cid, day, report, caches)
        if progress is not None:
            progress(done, len(work))
    return report


def advance(uow_factory: UowFactory, tenant: Tenant, contract_id: int, until: date,
            report: RunReport, caches: _Caches | None = None) -> None:
    """Bring one contract up to `until`, one committed transaction per day that does work."""
    with uow_factory() as uow:
        contract = uow.repo.contract(contract_id)
        run_state = uow.repo.run_state(contract_id)
        if run_state.cursor >= until and run_state.recompute_from is None:
            return
        ctx = context(uow, contract, tenant, caches)
        report.contracts += 1
        if run_state.recompute_from is not None:
            new = _recompute(uow, contract, ctx, run_state, until, report)
            if new is None:
                return
            run_state = new
        events = uow.repo.events(contract, run_state.cursor, until)
        uow.rollback()  # end the read transaction before stepping
        by_day: dict[date, list[StoredEvent]] = defaultdict(list)
        for stored in events:
            by_day[stored.event.date].append(stored)
        state, day = run_state.state, run_state.cursor
        while day < until:
            day += timedelta(days=1)
            todays = sorted(by_day.pop(day, ()), key=lambda e: event_sort_key(e.event))
            state, acts = step(state, ctx, day, [e.event for e in todays])
            report.days += 1
            if not acts and not todays and day < until:
                continue
            cause = tuple(e.id for e in todays)
            new_state = RunState(contract_id, state, day, day + timedelta(days=1), None,
                                 run_state.action_count + len(acts))
            items = [NewAction(a, k, day, cause) for a, k in zip(acts, action_keys(acts),
                                                                  strict=True)]
            if not _store(uow, contract, run_state, new_state, items, until):
                report.conflicts += 1
                return
            report.actions += len(acts)
            run_state = new_state


def _store(uow: UnitOfWork, contract: StoredContract, old: RunState, new: RunState,
           items: Sequence[NewAction], recorded_on: date) -> bool:
    if not uow.repo.save_run(old, new):
        uow.rollback()
        return False
    uow.repo.add_actions(contract, old.action_count, items, recorded_on)
    uow.commit()
    return True


def _recompute(uow: UnitOfWork, contract: StoredContract, ctx: Context, old: RunState,
               run_date: date, report: RunReport) -> RunState | None:
    """A back-dated event arrived: rerun the contract from its start with the full log.

    Actions already in the ledger stay; those the rerun now produces and the ledger lacks are
    appended; a stored action the rerun no longer produces gets its own `action_corrected`.
    """
    events = uow.repo.events(contract, None, old.cursor)
    state, actions = run_contract(ctx, [e.event for e in events], old.cursor)
    stored = uow.repo.stored_actions(contract.id)
    have = {s.natural_key for s in stored}
    keys = action_keys(actions)
    wanted = set(keys)
    new = [NewAction(a, k, a.date, ()) for a, k in zip(actions, keys, strict=True)
           if k not in have]
    corrected = {s.body.get("natural_key") for s in stored if s.kind == CORRECTION}
    for s in stored:
        if s.kind == CORRECTION or s.natural_key in wanted or s.natural_key in corrected:
            continue
        fix = correction(s.body, s.natural_key, run_date)
        new.append(NewAction(fix, "correction|" + s.natural_key, run_date, ()))
        report.corrections += 1
    after = RunState(contract.id, state, old.cursor, old.cursor + timedelta(days=1), None,
                     old.action_count + len(new))
    if not _store(uow, contract, old, after, new, run_date):
        report.conflicts += 1
        return None
    report.actions += len(new)
    return replace(after)


def correction(original: dict[str, Any], natural_key: str, day: date) -> Action:
    """The action that records that a stored action no longer follows from the event log."""
    fields: list[tuple[str, Any]] = [
        ("original_kind", original["kind"]), ("original_date", original["date"]),
        ("natural_key", natural_key), ("reason", "back_dated_event")]
    for key in ("ref", "invoice", "number", "step"):
        if key in original:
            fields.append((f"original_{key}", original[key]))
    return Action(day, CORRECTION, original["contract"], tuple(original["clauses"]),
                  tuple(fields))


def state_of(uow: UnitOfWork, contract_id: int) -> ContractState:
    return uow.repo.run_state(contract_id).state
