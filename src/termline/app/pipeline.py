"""The daily run with the pure step in other processes, fed and stored by one writer.

SQLite has one writer and the step is CPU work: a single process leaves the second core idle
while it steps, and the database idle while it computes. Here the writer reads a batch of due
contracts as stored (`Repository.due_runs`) and hands it to step processes (`stepping`), which
decode, step and encode with no I/O (with two or more, they key the actions for the ledger too);
while they work, the writer keys (with one) and stores the batch sent `AHEAD` batches
before, in the same transaction in which it read the next one.

Nothing is locked between the read and the store, so each contract's input is checked again
in the storing transaction: its run row (cursor, next day due, recompute mark, action count)
and the ids of its live events after the cursor must be what the step read (read again only
if an event or a void was stored since, where the store can tell: `events_mark`). A contract
whose input moved meanwhile (an event arrived through the API, an operator voided one) is not
stored: it stays due and a later batch reads it again. The row's check is the condition of
the statement that stores it (`save_stepped`); a batch with a moved row is rolled back and
stored again with the rows read first (`_store_flight`). One writer at a time: with several
writers on PostgreSQL, use the claiming run (`service.run`), which locks what it claims.
"""

from __future__ import annotations

import multiprocessing
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date
from multiprocessing.pool import AsyncResult, Pool

from termline.adapters.sql.codec import decode
from termline.adapters.sql.db import DATA_REFUSED
from termline.adapters.sql.jsontext import loads
from termline.adapters.sql.store_records import (
    DueRun,
    RawEvent,
    RunDay,
    RunState,
    StoredContract,
    Tenant,
)
from termline.app.contract_day import keyed
from termline.app.ports import UnitOfWork, UowFactory
from termline.app.run import Progress, StoreConflict, _advance_alone, _Caches, due_work
from termline.app.run_parts import RunReport, quiet_collector
from termline.app.stepping import Stepped, Task, start, step_batch
from termline.domain.engine.state import ContractState

BATCH = 500
# batches read and sent ahead of the one being stored: with two, a step process finds its next
# batch waiting when it finishes one instead of idling until the writer has stored (a core
# that idles even a millisecond runs the next tens of milliseconds slower on these VMs)
AHEAD = 2
# a day's first batch is a `FIRST`th of a full one (a sixteenth), and each next one grows by
# `GROWTH` (numerator, denominator: three tenths) until full (`ramped`)
FIRST = 16
GROWTH = (13, 10)


class StepPool:
    """`jobs` step processes, spawned (nothing of this process's connections is inherited)
    when the first batch is sent: a run with nothing due starts none (0.50 s a run against
    0.02 s for the claiming run, each day on a book where nothing is due)."""

    def __init__(self, jobs: int) -> None:
        self.jobs = jobs
        self._pool: Pool | None = None

    def pool(self) -> Pool:
        if self._pool is None:
            self._pool = multiprocessing.get_context("spawn").Pool(self.jobs, start)
        return self._pool

    def map_async(self, func: Callable[[Task], list[Stepped]], tasks: Sequence[Task]
                  ) -> AsyncResult[list[list[Stepped]]]:
        return self.pool().map_async(func, tasks)

    @property
    def started(self) -> bool:
        return self._pool is not None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool.join()
            self._pool = None


@contextmanager
def step_processes(jobs: int) -> Iterator[StepPool]:
    """`jobs` step processes (`StepPool`), stopped on leaving."""
    steps = StepPool(jobs)
    try:
        yield steps
    finally:
        steps.close()


# a batch sent: its rows with the events read for them, what the step processes will send back,
# and the events' mark when they were read (`events_mark`)
Flight = tuple[list[tuple[DueRun, list[RawEvent]]], "AsyncResult[list[list[Stepped]]]",
               tuple[int, int] | None]


def run_pipelined(uow_factory: UowFactory, until: date | Mapping[str, date],
                  steps: StepPool | Pool, jobs: int, progress: Progress | None = None,
                  batch: int = BATCH) -> RunReport:
    """`service.run.run` for a single writer, stepping in `steps`, a pool of `jobs` processes
    (see the module)."""
    with quiet_collector():
        return _run_pipelined(uow_factory, until, steps, jobs, progress, batch)


def _run_pipelined(uow_factory: UowFactory, until: date | Mapping[str, date],
                   steps: StepPool | Pool, jobs: int, progress: Progress | None, batch: int
                   ) -> RunReport:
    work, total = due_work(uow_factory, until)
    report = RunReport()
    caches = _Caches()
    texts: dict[int, str] = {}
    finished = 0
    for tn, day, due in work:
        flights: deque[Flight] = deque()
        sent = 0
        while True:
            redo: list[int] = []
            with uow_factory() as uow:
                skip = {row.contract_id for f in flights for row, _ in f[0]}
                rows = uow.repo.due_runs(tn.id, day, ramped(batch, sent, due), skip)
                due -= len(rows)
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


def ramped(batch: int, sent: int, left: int) -> int:
    """The size of a day's batch after `sent` others, with `left` of the contracts counted
    due at the start not read yet.

    The first are smaller, from a sixteenth of `batch` growing by three tenths each (31, 40,
    52, 67, ... of 500): the writer can store nothing before the step processes are done with
    the first batch, and a small one is stepped in a few milliseconds (a year of 30,000 on
    SQLite waited 26 ms a day for a first batch of 125). They grow slowly because the writer
    stores batch `n` while the step processes step `n + 1`: with each batch twice the last,
    the writer waited for a step of twice what it had to store (a year of 100,000 on SQLite
    waited 51.4 s, against 40.5 s with this growth: docs/benchmarks.md, twenty-seventh round).

    The last are smaller too, half of what is left down to a tenth of `batch`: the day ends
    when the writer has stored the last batch, which it can only start once the step
    processes are done, so that store is the day's tail, one core idle (a year of 30,000 has
    350 days of fewer than 1,000 contracts due: a tail of 253 contracts was a fifth of such a
    day; twenty-sixth round). Full batches once more came due than were counted (`left`
    spent after the first: a run over several days steps a contract once a day due). A
    billing day's hundreds of batches are unchanged but for the few at each end."""
    size = max(1, batch // FIRST)
    for _ in range(sent):
        if size >= batch:
            break
        size = max(size + 1, size * GROWTH[0] // GROWTH[1])
    size = min(size, batch)
    tail = max(1, batch // 10)
    if left <= 0:
        return batch if sent else size
    if left <= 2 * tail:
        return min(size, left)
    return min(size, max(tail, -(-left // 2)))


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


def _send(uow: UnitOfWork, steps: StepPool | Pool, jobs: int, tenant: Tenant, until: date,
          texts: dict[int, str], rows: Sequence[DueRun]) -> Flight | None:
    if not rows:
        return None
    # with two step processes or more the writer is the bound, so they key the actions too
    # (docs/benchmarks.md, twenty-third round); one step process is as loaded as the writer
    _, _, policies, work, key = batch_task(uow, tenant, until, texts, rows, jobs > 1)
    size = -(-len(work) // jobs)
    parts = [work[i:i + size] for i in range(0, len(work), size)]
    return (work, steps.map_async(step_batch, [(tenant, until, policies, p, key) for p in parts]),
            uow.repo.events_mark())


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
    work, result, mark = flight
    started = time.perf_counter()
    stepped = [s for part in result.get() for s in part]
    report.step_wait_s += time.perf_counter() - started
    checked = {row.contract_id for (row, _), s in zip(work, stepped, strict=True)
               if careful or s.problem is not None}
    marks = uow.repo.run_marks(sorted(checked)) if checked else {}
    # the events again only if one was stored or voided since they were read (on SQLite the
    # mark tells; the writer's profile had the two reads at 5.9 %: docs/benchmarks.md)
    live = None if mark is not None and uow.repo.events_mark() == mark else \
        uow.repo.raw_events_after(tenant.id, [(r.contract_id, r.cursor, r.start)
                                              for r, _ in work])
    batch = RunReport()
    runs: list[tuple[DueRun, RunState]] = []
    texts: list[str] = []
    days: list[RunDay] = []
    done = 0
    for (row, read), s in zip(work, stepped, strict=True):
        if (row.contract_id in checked and marks.get(row.contract_id) != row.mark()) or (
                live is not None
                and [e[0] for e in live.get(row.contract_id, [])] != [e[0] for e in read]):
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
