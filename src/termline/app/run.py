"""The daily run: every stored contract that is due, day by day, through the pure core.

Each contract's day is one transaction: the day's actions are inserted under their natural
key together with the new state and cursor, or nothing is. Days on which nothing happens are
folded into the next transaction that stores something (the state they lead to is recomputed
the same way if that transaction is lost), so a killed run resumes with nothing lost and
nothing doubled. The cursor update is conditional on the cursor read, so two runs of the same
contract at once cannot both store a day.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Final

from termline.adapters.sql.db import DATA_REFUSED, STORE_ERROR
from termline.adapters.sql.repository import (
    NEVER,
    NewAction,
    RunDay,
    RunState,
    StoredContract,
    StoredEvent,
    Tenant,
    Unreadable,
    action_keys,
)
from termline.app.contract_day import UnreadableEvent, next_day
from termline.app.ports import UnitOfWork, UowFactory
from termline.app.run_parts import (
    RunReport,
    quiet_collector,
    seller_country,
    tenant_tables,
    wave_bound,
    why_set_aside,
)
from termline.domain.contract.model import EventBase
from termline.domain.engine.actions import Action
from termline.domain.engine.state import Context
from termline.domain.engine.wake import run_contract_sparse
from termline.domain.errors import TermlineError
from termline.domain.mechanisms.pricing.series import IndexTable
from termline.domain.policy.schema import Policy
from termline.domain.rates.table import RateTable

CORRECTION: Final = "action_corrected"

# The last day a run can reach: the store marks "nothing can happen to this contract" with
# the day after it, and a run up to that day would claim those contracts again and again.
LAST_RUN_DAY = NEVER - timedelta(days=1)


@dataclass
class _Caches:
    policies: dict[int, Policy] = field(default_factory=dict)
    tables: dict[int, tuple[RateTable, IndexTable]] = field(default_factory=dict)


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
    return Context(contract.contract, policy, tables[0], tables[1], seller_country(tenant))


Progress = Callable[[int, int], None]

BATCH = 50  # contracts claimed (and locked) together; each gets one day per claim
# How often a worker that finds every due contract held by others looks again, one count on
# the run rows' index: each day of a run with several workers ends so, one waiting for the
# other's last batch. At 50 ms the waiting worker idled about 12 s of a year of 100,000
# contracts with two (PostgreSQL: 185.9 and 186.9 s; 174.2 s at 5 ms, the same CPU).
POLL = 0.005


def run(uow_factory: UowFactory, until: date | Mapping[str, date],
        progress: Progress | None = None, batch: int = BATCH,
        wait: Callable[[float], None] = time.sleep) -> RunReport:
    """Everything due up to and including `until` (one date, or one per tenant name).

    Contracts are claimed in batches, most overdue first, so any number of workers may run
    this at once (see `Repository.claim`). A claim moves each of its contracts to its next day
    that acts and stores those days together; a contract with more due days is claimed again.
    When every due contract is held by another worker, this one waits for them.
    """
    with quiet_collector():
        return _run(uow_factory, until, progress, batch, wait)


def take_notes(uow_factory: UowFactory) -> int:
    """The events the service stored since the last run made their contracts due
    (`Runs.take_notes`), in a transaction of their own, before anything is counted or
    claimed: how many."""
    with uow_factory() as uow:
        taken = uow.repo.take_notes()
        if taken:
            uow.commit()
    return taken


def due_work(uow_factory: UowFactory, until: date | Mapping[str, date]
             ) -> tuple[list[tuple[Tenant, date, int]], int]:
    """Each tenant with the day it is run to and how many of its contracts are due, and how
    many are due in all."""
    take_notes(uow_factory)
    with uow_factory() as uow:
        # first, so that the counts and every claim after them are planned with statistics
        analyzed = uow.repo.refresh_statistics()
        work = [(tn, day, uow.repo.count_due(tn.id, day)) for tn in uow.repo.tenants()
                for day in [until if isinstance(until, date) else until.get(tn.name)]
                if day is not None]
        if analyzed:
            uow.commit()
        return work, sum(due for _, _, due in work)


def even_batch(limit: int, due: int) -> int:
    """The claim's size for `due` contracts in batches of at most `limit`: as many batches as
    `limit` needs, all of one size. Workers that share a day then end it together: 628 due
    in batches of 500 were claimed as 500 and 128, and the worker that took 128 waited for
    the other's 372 more (a year of 30,000 with two workers: 25 s of each one's 126);
    as 314 and 314 they finish side by side. One worker claims as many batches as before."""
    if due <= 0:  # none due when counted: those that come due meanwhile, in full batches
        return limit
    batches = -(-due // limit)
    return -(-due // batches)


def _run(uow_factory: UowFactory, until: date | Mapping[str, date], progress: Progress | None,
         batch: int, wait: Callable[[float], None]) -> RunReport:
    work, total = due_work(uow_factory, until)
    report = RunReport()
    caches = _Caches()
    finished = 0
    for tn, day, due in work:
        size = even_batch(batch, due)
        idle = False
        while True:
            moved = advance_batch(uow_factory, tn, day, report, caches, size)
            if moved is None:
                with uow_factory() as uow:
                    if uow.repo.count_due(tn.id, day) == 0:
                        uow.repo.record_run(tn.id, day)
                        uow.commit()
                        break
                    # the first wait gathers the statistics gone stale (`due_work` does it
                    # before any claim, where the other worker claimed on meanwhile and left
                    # this one the day's wait: a year of 30,000 with two, 14 s of ANALYZE in
                    # one, and each worker waited 25 s of its 126); the next run's own check
                    # then mostly finds them fresh
                    if not idle:
                        idle = True
                        if uow.repo.refresh_statistics():
                            uow.commit()
                wait(POLL)  # the rest is claimed by other workers: let them finish
                continue
            finished += moved
            if progress is not None:
                progress(finished, max(total, finished))
    return report


def as_of(run_state: RunState, run_through: date | None) -> date:
    """The day a stored state holds for: its cursor, or the tenant's last run when the contract
    was not due by then (nothing happened to it in between)."""
    if run_state.problem is not None:  # set aside: nothing happened before the failing day
        failed = run_state.problem.get("day")
        return max(run_state.cursor, date.fromisoformat(failed) - timedelta(days=1)) \
            if failed else run_state.cursor
    if run_through is None or run_state.recompute_from is not None \
            or run_state.next_due <= run_through:
        return run_state.cursor
    return max(run_state.cursor, run_through)


def advance_batch(uow_factory: UowFactory, tenant: Tenant, until: date, report: RunReport,
                  caches: _Caches | None = None, size: int = BATCH) -> int | None:
    """Claim up to `size` due contracts and store each one's next day that does something.

    All in one transaction: a contract day is stored whole (state, cursor, actions, invoices,
    payments) or not at all. A contract whose step fails is set aside in that transaction
    (`Repository.set_aside`); a batch the store refuses (a value its columns cannot hold) is
    redone one contract per transaction, so that only the contract at fault is set aside.
    Returns how many contracts are done up to `until`, or None when no contract of the
    tenant could be claimed.
    """
    caches = caches or _Caches()
    with uow_factory() as uow:
        claimed = uow.repo.claim(tenant.id, until, size)
        if not claimed:
            return None
        try:
            return _advance(uow, claimed, tenant, until, report, caches)
        except DATA_REFUSED:
            uow.rollback()
    done = 0
    for contract, _ in claimed:
        done += _advance_alone(uow_factory, contract.id, tenant, until, report, caches)
    return done


def _advance_alone(uow_factory: UowFactory, contract_id: int, tenant: Tenant, until: date,
                   report: RunReport, caches: _Caches) -> int:
    with uow_factory() as uow:
        claimed = uow.repo.claim_ids([contract_id])
        if not claimed or claimed[0][1].next_due > until:
            return 1  # another worker took it meanwhile
        try:
            return _advance(uow, claimed, tenant, until, report, caches)
        except DATA_REFUSED as exc:
            uow.rollback()
            contract, old = claimed[0]
            problem = why_set_aside(exc, None, [], old.cursor)
            uow.repo.set_aside(contract_id, problem)
            uow.commit()
            report.set_aside[contract.contract.id] = problem
            return 1


def _advance(uow: UnitOfWork, claimed: Sequence[tuple[StoredContract, RunState]],
             tenant: Tenant, until: date, report: RunReport, caches: _Caches) -> int:
    """The claimed contracts' next days, stored and committed; counted in `report` once
    committed."""
    batch = RunReport()
    events = uow.repo.events_after(tenant.id, [(c, old.cursor) for c, old in claimed
                                               if old.recompute_from is None])
    days: list[RunDay] = []
    pairs: list[tuple[RunState, RunState]] = []
    done = 0
    for contract, old in claimed:
        todays = events.get(contract.id, [])
        try:
            ctx = context(uow, contract, tenant, caches)
            if old.recompute_from is not None:
                new = _recompute(uow, contract, ctx, old, until, batch)
            else:
                new, items = next_day(ctx, old, todays, wave_bound(old, until), batch, until)
                pairs.append((old, new))
                days.append(RunDay(contract, old.action_count, new.state, items))
        except (STORE_ERROR, StoreConflict):
            raise
        except Exception as exc:  # one contract's failure never stops the book
            problem = why_set_aside(exc, getattr(exc, "day", None), todays, old.cursor)
            uow.repo.set_aside(contract.id, problem)
            batch.set_aside[contract.contract.id] = problem
            done += 1
            continue
        done += new.next_due > until
    if not uow.repo.save_runs(pairs):
        uow.rollback()
        report.conflicts += len(claimed)
        return 0
    uow.repo.add_days(days, until)
    uow.commit()
    batch.contracts = len(claimed)
    batch.actions += sum(len(d.items) for d in days)
    report.add(batch)
    return done


def readable(events: Sequence[StoredEvent]) -> list[EventBase]:
    """The events of a contract's log to replay whole, or UnreadableEvent for the first one
    that no longer validates."""
    out: list[EventBase] = []
    for logged in events:
        if isinstance(logged.event, Unreadable):
            raise UnreadableEvent(logged.id, logged.event.date, logged.event.problem)
        out.append(logged.event)
    return out


class StoreConflict(TermlineError):
    """A contract's stored run moved under a transaction that read it (never under claims)."""


def _recompute(uow: UnitOfWork, contract: StoredContract, ctx: Context, old: RunState,
               run_date: date, report: RunReport) -> RunState:
    """A back-dated event arrived: rerun the contract from its start with the full log.

    Actions already in the ledger stay; those the rerun now produces and the ledger lacks are
    appended; a stored action the rerun no longer produces gets its own `action_corrected`.
    """
    state, actions = run_contract_sparse(ctx, readable(uow.repo.events(contract, None,
                                                                       old.cursor)),
                                         old.cursor)
    stored = uow.repo.stored_actions(contract.id)
    have = {s.natural_key for s in stored}
    keys = action_keys(actions)
    wanted = set(keys)
    replayed = [NewAction(a, k, a.date, ()) for a, k in zip(actions, keys, strict=True)]
    new = [n for n in replayed if n.natural_key not in have]
    corrected = {s.body.get("natural_key") for s in stored if s.kind == CORRECTION}
    for s in stored:
        if s.kind == CORRECTION or s.natural_key in wanted or s.natural_key in corrected:
            continue
        fix = correction(s.body, s.natural_key, run_date)
        new.append(NewAction(fix, "correction|" + s.natural_key, run_date, ()))
        report.corrections += 1
    # step_sparse may have stopped before the cursor: the days in between do nothing
    after = RunState(contract.id, state, old.cursor, old.cursor + timedelta(days=1), None,
                     old.action_count + len(new))
    if not uow.repo.save_run(old, after):
        raise StoreConflict(f"contract {contract.contract.id} moved during its recompute")
    uow.repo.add_actions(contract, old.action_count, new, run_date, after.state, replayed)
    report.actions += len(new)
    return after


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
