"""The daily run with the pure step in other processes, fed and stored by one writer.

SQLite has one writer and the step is CPU work: a single process leaves the second core idle
while it steps, and the database idle while it computes. Here the writer reads a batch of due
contracts as stored (`Repository.due_runs`) and hands it to step processes, which decode,
step and encode with no I/O (with two or more, they key the actions for the ledger too);
while they work, the writer keys (with one) and stores the batch sent `AHEAD` batches
before, in the same transaction in which it read the next one.

Nothing is locked between the read and the store, so each contract's input is checked again
in the storing transaction: its run row (cursor, next day due, recompute mark, action count)
and the ids of its live events after the cursor must be what the step read. A contract whose
input moved meanwhile (an event arrived through the API, an operator voided one) is not
stored: it stays due and a later batch reads it again. The row's check is the condition of
the statement that stores it (`save_stepped`); a batch with a moved row is rolled back and
stored again with the rows read first (`_store_flight`). One writer at a time: with several
writers on PostgreSQL, use the claiming run (`service.run`), which locks what it claims.
"""

from __future__ import annotations

import gc
import multiprocessing
import time
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date
from multiprocessing.pool import AsyncResult, Pool
from typing import Any, NamedTuple

from termline.adapters.sql.codec import Reuse, decode, encode
from termline.adapters.sql.db import DATA_REFUSED
from termline.adapters.sql.jsontext import dumps, loads
from termline.adapters.sql.ledger_keys import keyed_bodies
from termline.adapters.sql.repository import stored_event
from termline.adapters.sql.store_records import (
    DueRun,
    RawEvent,
    RunDay,
    RunState,
    StoredContract,
    StoredEvent,
    Tenant,
    field_value,
)
from termline.app.contract_day import acted_day, keyed
from termline.app.ports import UnitOfWork, UowFactory
from termline.app.run import (
    QUIET,
    Progress,
    RunReport,
    StoreConflict,
    _advance_alone,
    _Caches,
    _problem,
    due_work,
    quiet_collector,
    seller_country,
    tenant_tables,
    wave_bound,
)
from termline.domain.contract.model import Contract
from termline.domain.engine.actions import Action
from termline.domain.engine.state import Context, ContractState
from termline.domain.mechanisms.pricing.series import IndexTable
from termline.domain.policy.schema import Policy
from termline.domain.policy.stored import policy_from_text
from termline.domain.rates.table import RateTable
from termline.domain.registry import bootstrap
from termline.domain.values.money import ZERO

BATCH = 500
# batches read and sent ahead of the one being stored: with two, a step process finds its next
# batch waiting when it finishes one instead of idling until the writer has stored (a core
# that idles even a millisecond runs the next tens of milliseconds slower on these VMs)
AHEAD = 2


class Stepped(NamedTuple):
    """What a step process computed for one contract: its next day, or why it failed.

    Sent back between processes, so it holds the new state as stored text (the writer decodes
    it, several times cheaper than unpickling the records) and the run row's columns, not the
    state or the contract (the writer has the contract's document); the actions go as their
    records (plain tuples saved a few µs a contract day on each side: docs/benchmarks.md,
    tenth round)."""

    contract_id: int
    ref: str
    cursor: date
    next_due: date
    recompute_from: date | None
    action_count: int
    # the day's actions; with one step process the writer keys them for the ledger
    # (`contract_day.keyed`), which spares the step process, as loaded as the writer on a
    # two-core day, an eighth of its work (`keys` below when the step processes key them)
    actions: list[Action]
    cause: tuple[int, ...]  # the ids of the events that caused them
    state_text: str  # the new state as stored ("" when the step failed)
    days: int
    problem: dict[str, Any] | None = None
    # what of the new state the writer decodes (`store_view`), when less than `state_text`
    view_text: str | None = None
    # the actions' ledger keys and bodies (`keyed_bodies`), when the step process keyed them
    keys: list[tuple[str, str]] | None = None


Task = tuple[Tenant, date, dict[int, str], list[tuple[DueRun, list[RawEvent]]], bool]

# each step process's own: the policies and tables it parsed, by version and tenant id
_policies: dict[int, Policy] = {}
_tables: dict[int, tuple[RateTable, IndexTable]] = {}


def step_batch(task: Task) -> list[Stepped]:
    """Decode, step and encode a part of a batch (runs in a step process; pure)."""
    tenant, until, policy_texts, rows, key = task
    tables = _tables.get(tenant.id) or _tables.setdefault(tenant.id, tenant_tables(tenant))
    out = []
    for row, raw in rows:
        policy = _policies.get(row.policy_version_id) or _policies.setdefault(
            row.policy_version_id, policy_from_text(policy_texts[row.policy_version_id]))
        events: list[StoredEvent] = []
        contract: Contract | None = None
        report = RunReport()
        reuse: Reuse = {}  # what of the state comes back unchanged is encoded as it was read
        try:
            # not through the store's cache of validated documents (`contract_document`), here
            # or in the writer: on a billing day each contract comes once, and keeping them all
            # made `--jobs 1` slower (300,000 contracts: 24.3-26.3 s against 22.4-22.6 s)
            contract = Contract.model_validate_json(row.document)
            events = [stored_event(*e) for e in raw]
            old = RunState(row.contract_id, decode(ContractState, loads(row.state), reuse),
                           row.cursor, row.next_due, None, row.action_count)
            new, acts, cause = acted_day(Context(contract, policy, tables[0], tables[1],
                                                 seller_country(tenant)), old, events,
                                         wave_bound(old, until), report, until)
            data = encode(new.state, ContractState, reuse)
            view = store_view(data, new.state, acts)
            out.append(Stepped(row.contract_id, contract.id, new.cursor, new.next_due,
                               new.recompute_from, new.action_count, acts, cause,
                               dumps(data), report.days,
                               view_text=None if view is data else dumps(view),
                               keys=keyed_bodies(acts) if key else None))
        except Exception as exc:  # one contract's failure never stops the book
            out.append(Stepped(row.contract_id, contract.id if contract else f"#{row.contract_id}",
                               row.cursor, row.next_due, row.recompute_from, row.action_count,
                               [], (), "", report.days,
                               _problem(exc, getattr(exc, "day", None), events, row.cursor)))
    return out


# The fields of a new state the store reads (`store_view` says which part reads which)
STORE_READS = frozenset({"status", "access", "items", "steps_done"})


def store_view(data: Mapping[str, object], state: ContractState, acts: Sequence[Action]
               ) -> Mapping[str, object]:
    """Of a new state's JSON (`data`, the encoding of `state`), what the writer decodes: the
    fields it reads (`STORE_READS`), with only the items that are open or named by the day's
    actions (`acts`).

    The store reads no more of a stored day's state: the status, access and open items
    (`kept.keep`), the item each action names (`projection`: the invoice issued, the item a
    payment or a return moved), the open items and the steps done (`dues`, a reminder's
    letter). A year's state carries every settled invoice, fee and interest document of its
    months, and the mechanisms' own states (term, pricing, SLA windows), which the writer
    decoded each day for nothing."""
    named = {field_value(a, "ref") for a in acts}
    keep = [i for i, item in enumerate(state.items) if item.open > ZERO or item.ref in named]
    whole = len(keep) == len(state.items)
    if whole and STORE_READS.issuperset(data):
        return data
    view = {key: value for key, value in data.items() if key in STORE_READS and key != "items"}
    if keep:
        items = data["items"]
        assert isinstance(items, list)  # the encoding of a tuple of records
        view["items"] = items if whole else [items[i] for i in keep]
    return view


def _quiet_process() -> None:
    """The mechanisms installed, and `quiet_collector` for the whole life of a step process,
    which does nothing else."""
    bootstrap()
    gc.freeze()
    gc.set_threshold(*QUIET)


@contextmanager
def step_processes(jobs: int) -> Iterator[Pool]:
    """`jobs` step processes, started fresh (spawned: nothing of this process's connections
    is inherited) and stopped on leaving."""
    pool = multiprocessing.get_context("spawn").Pool(jobs, _quiet_process)
    try:
        yield pool
    finally:
        pool.close()
        pool.join()


Flight = tuple[list[tuple[DueRun, list[RawEvent]]], "AsyncResult[list[list[Stepped]]]"]


def run_pipelined(uow_factory: UowFactory, until: date | Mapping[str, date], steps: Pool,
                  jobs: int, progress: Progress | None = None, batch: int = BATCH
                  ) -> RunReport:
    """`service.run.run` for a single writer, stepping in `steps`, a pool of `jobs` processes
    (see the module)."""
    with quiet_collector():
        return _run_pipelined(uow_factory, until, steps, jobs, progress, batch)


def _run_pipelined(uow_factory: UowFactory, until: date | Mapping[str, date], steps: Pool,
                   jobs: int, progress: Progress | None, batch: int) -> RunReport:
    work, total = due_work(uow_factory, until)
    report = RunReport()
    caches = _Caches()
    texts: dict[int, str] = {}
    finished = 0
    for tn, day, _ in work:
        flights: deque[Flight] = deque()
        sent = 0
        while True:
            redo: list[int] = []
            with uow_factory() as uow:
                skip = {row.contract_id for f in flights for row, _ in f[0]}
                rows = uow.repo.due_runs(tn.id, day, ramped(batch, sent), skip)
                redo = [r.contract_id for r in rows if r.recompute_from is not None]
                flight = _send(uow, steps, jobs, tn, day, texts,
                               [r for r in rows if r.recompute_from is None])
                if flight is not None:
                    flights.append(flight)
                    sent += 1
                stored = flights.popleft() if flights and (
                    len(flights) > AHEAD or flight is None) else None
                if stored is not None:
                    done, refused = _store_flight(uow, tn, day, stored, report)
                    finished += done
                    redo += refused  # each contract alone, below
                uow.commit()
            for contract_id in redo:  # back-dated events, refused values: the claiming path
                finished += _advance_alone(uow_factory, contract_id, tn, day, report, caches)
            if progress is not None:
                progress(finished, max(total, finished))
            if not rows and stored is None:
                break
        with uow_factory() as uow:
            if uow.repo.count_due(tn.id, day) == 0:
                uow.repo.record_run(tn.id, day)
                uow.commit()
    return report


def ramped(batch: int, sent: int) -> int:
    """The size of a day's batch after `sent` others: the first `AHEAD` smaller (a quarter,
    a half of `batch`), so that the step processes start the day sooner and the writer's first
    store finds its batch stepped, instead of waiting a whole batch's step each day (a year's
    days are a few batches each; a billing day's hundreds are unchanged)."""
    return batch if sent >= AHEAD else max(1, batch * (sent + 1) // (AHEAD + 2))


def batch_task(uow: UnitOfWork, tenant: Tenant, until: date, texts: dict[int, str],
               rows: Sequence[DueRun], key: bool = False) -> Task:
    """Due rows as a step process takes them: each with its stored events after its cursor,
    the texts of the policies they run under (from `texts`, the run's, which gains each
    version it did not hold yet), and whether it keys the actions for the ledger (`key`)."""
    events = uow.repo.raw_events_after(tenant.id, [(r.contract_id, r.cursor, r.start)
                                                   for r in rows])
    for version in {r.policy_version_id for r in rows} - set(texts):
        texts[version] = uow.repo.policy_text(version)
    policies = {r.policy_version_id: texts[r.policy_version_id] for r in rows}
    return tenant, until, policies, [(r, events.get(r.contract_id, [])) for r in rows], key


def _send(uow: UnitOfWork, steps: Pool, jobs: int, tenant: Tenant, until: date,
          texts: dict[int, str], rows: Sequence[DueRun]) -> Flight | None:
    if not rows:
        return None
    # with two step processes or more the writer is the bound, so they key the actions too
    # (docs/benchmarks.md, twenty-third round); one step process is as loaded as the writer
    _, _, policies, work, key = batch_task(uow, tenant, until, texts, rows, jobs > 1)
    size = -(-len(work) // jobs)
    parts = [work[i:i + size] for i in range(0, len(work), size)]
    return work, steps.map_async(step_batch, [(tenant, until, policies, p, key) for p in parts])


class _RowsMoved(Exception):
    """A row of the batch moved since it was read: store it again, each mark read first."""


def _store_flight(uow: UnitOfWork, tenant: Tenant, until: date, flight: Flight,
                  report: RunReport) -> tuple[int, list[int]]:
    """Store a batch the step processes computed: how many contracts are done, and which to
    run again alone (a value the store refused: the batch is rolled back).

    Rows rarely move under the single writer (an event arrived through the API, an operator
    voided one), so each is stored on the condition that its whole mark is still what was
    read, in the statement that stores it; only when one moved is the batch rolled back and
    stored again with the marks read first, passing over the moved ones."""
    for careful in (False, True):
        try:
            return _store(uow, tenant, until, flight, report, careful), []
        except _RowsMoved:
            uow.rollback()
        except DATA_REFUSED:
            uow.rollback()  # one value refused: each contract alone
            return 0, [row.contract_id for row, _ in flight[0]]
    raise AssertionError("a careful store raises StoreConflict instead")  # pragma: no cover


def _store(uow: UnitOfWork, tenant: Tenant, until: date, flight: Flight,
           report: RunReport, careful: bool) -> int:
    """Store what the step processes computed for a batch; how many contracts are done.
    `careful`: the rows' marks read first (else those of the contracts set aside only)."""
    work, result = flight
    started = time.perf_counter()
    stepped = [s for part in result.get() for s in part]
    report.step_wait_s += time.perf_counter() - started
    checked = {row.contract_id for (row, _), s in zip(work, stepped, strict=True)
               if careful or s.problem is not None}
    marks = uow.repo.run_marks(sorted(checked)) if checked else {}
    live = uow.repo.raw_events_after(tenant.id, [(r.contract_id, r.cursor, r.start)
                                                 for r, _ in work])
    batch = RunReport()
    runs: list[tuple[DueRun, RunState]] = []
    texts: list[str] = []
    days: list[RunDay] = []
    done = 0
    for (row, read), s in zip(work, stepped, strict=True):
        if (row.contract_id in checked and marks.get(row.contract_id) != row.mark()) or \
                [e[0] for e in live.get(row.contract_id, [])] != [e[0] for e in read]:
            continue  # its input moved since the read: still due, read again later
        batch.days += s.days
        batch.contracts += 1
        if s.problem is not None:
            uow.repo.set_aside(row.contract_id, s.problem)
            batch.set_aside[s.ref] = s.problem
            done += 1
            continue
        # what the store reads of the new state (`store_view`); the text stored is all of it
        new = RunState(row.contract_id, decode(ContractState, loads(s.view_text or s.state_text)),
                       s.cursor, s.next_due, s.recompute_from, s.action_count)
        runs.append((row, new))
        texts.append(s.state_text)
        # the document as read: the step process validated it (`StoredContract.source`)
        days.append(RunDay(StoredContract(row.contract_id, row.tenant_id, row.document,
                                          row.policy_version_id),
                           row.action_count, new.state,
                           keyed(s.actions, s.cursor, s.cause, s.keys)))
        done += new.next_due > until
    if not uow.repo.save_stepped(runs, texts):
        if not careful:
            raise _RowsMoved
        raise StoreConflict("a run row moved under the single writer's checked store")
    uow.repo.add_days(days, until)
    batch.actions = sum(len(d.items) for d in days)
    report.add(batch)
    return done
