"""`termline bench`: a synthetic book run day by day through the store, with its floor.

The bench owns the database it is given: on PostgreSQL it works in its own schema
(`termline_bench`, dropped and made anew; the floor in `termline_bench_floor`); a SQLite file is
replaced. Steps, each timed apart:

1. load: N synthetic contracts (`synthetic.synthetic_contracts`, streamed in chunks) bulk-inserted
   with their notices and seat changes;
2. days: `service.run` for each of D days from the first start date, the engine's wall time per
   day (`wall_s` is their sum); after each day the customers answer that day's invoices with
   payment events (on time 5 days later, late 25 days after the due date, never: a failed direct
   debit on the due date), stored through the intake path and timed apart (`intake_s`);
3. idle day: the last day run again, when nothing is due (`idle_day_s`);
4. floor: the rows the engine wrote (`FLOOR_TABLES`: actions, invoices, lines, payments,
   allocations, the legal documents and their numbering, the console's kept open items and
   totals, and one state update per stored contract day) bulk-inserted again, with the same
   driver and no logic, into an empty copy of the schema (`floor_s`).
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, bindparam, create_engine, func, insert, select, text, update
from sqlalchemy.engine import make_url

from termline.adapters.sql import tables as t
from termline.adapters.sql.codec import encode
from termline.adapters.sql.db import make_engine, upgrade
from termline.adapters.sql.kept import count_new_contracts
from termline.adapters.sql.repository import Repository, dumps
from termline.adapters.sql.schema import metadata
from termline.adapters.sql.uow import SqlUnitOfWork
from termline.app.pipeline import run_pipelined, step_processes
from termline.app.run import run
from termline.app.run_parts import RunReport
from termline.compiled import compiled_modules
from termline.devtools.synthetic import SyntheticContract, synthetic_contracts
from termline.domain.engine.state import ContractState

SCHEMA = "termline_bench"
CHUNK = 5000
BEHAVIOURS = ("on_time", "late", "never")


@dataclass
class BenchReport:
    db: str
    contracts: int
    days: int
    batch: int
    workers: int
    jobs: int = 0  # step processes beside the single writer (`service.pipeline`)
    load_s: float = 0.0
    day_walls: list[float] = field(default_factory=list)
    due: list[int] = field(default_factory=list)
    actions: int = 0
    invoices: int = 0
    contract_days: int = 0
    intake_s: float = 0.0
    idle_day_s: float = 0.0
    floor_s: float = 0.0
    # CPU seconds of this process and the worker processes during the days (step processes'
    # apart: they are not children this process can time while they live)
    cpu_s: float = 0.0
    # `--jobs`: the step processes' CPU seconds (read once they have stopped), and how long
    # the writer waited for them: which of the two bounds the run
    step_cpu_s: float = 0.0
    step_wait_s: float = 0.0
    # the machine's core seconds idle (or waiting on the disk) and taken by the hypervisor
    # during the days, where the system says (`_machine_times`): what no process of the run
    # used, and how much of a slow run was another guest's
    idle_cores_s: float | None = None
    steal_s: float | None = None

    def to_json(self) -> dict[str, Any]:
        wall = sum(self.day_walls)
        busiest = max(range(len(self.day_walls)), key=self.day_walls.__getitem__, default=0)
        peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                   resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
        return {
            "db": self.db, "contracts": self.contracts, "days": self.days, "batch": self.batch,
            "workers": self.workers, "jobs": self.jobs,
            "core": "compiled" if compiled_modules() else "pure",
            "actions": self.actions, "invoices": self.invoices,
            "contract_days_stored": self.contract_days,
            "wall_s": round(wall, 3),
            "actions_per_s": round(self.actions / wall, 1) if wall else None,
            "invoices_per_s": round(self.invoices / wall, 1) if wall else None,
            "peak_rss_mb": round(peak / 1024, 1),
            "busy_day_s": round(max(self.day_walls, default=0.0), 3),
            "busy_day_contracts_due": self.due[busiest] if self.due else 0,
            "idle_day_s": round(self.idle_day_s, 4),
            "floor_s": round(self.floor_s, 3),
            "engine_floor_ratio": round(wall / self.floor_s, 2) if self.floor_s else None,
            "load_s": round(self.load_s, 3), "intake_s": round(self.intake_s, 3),
            "cpu_s": round(self.cpu_s, 3),
            "cpu_us_per_contract_day": round(self.cpu_s / self.contract_days * 1e6, 1)
            if self.contract_days else None,
            **({"step_cpu_s": round(self.step_cpu_s, 3),
                "step_wait_s": round(self.step_wait_s, 3)} if self.jobs else {}),
            "idle_cores_s": None if self.idle_cores_s is None else round(self.idle_cores_s, 1),
            "steal_s": None if self.steal_s is None else round(self.steal_s, 1),
        }


def remove_sqlite_file(path: str | Path) -> None:
    """A SQLite database's file gone, with its write-ahead log and shared-memory index."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def fresh_database(url: str, schema: str) -> str:
    """An empty database for the bench: a new PostgreSQL schema, or a replaced SQLite file."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database:
            remove_sqlite_file(parsed.database)
        return url
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    return parsed.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False)


def floor_url(url: str) -> str:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return fresh_database(url.replace(".db", "") + "-floor.db", "")
    return fresh_database(url.split("?")[0], SCHEMA + "_floor")


_worker_engine: Engine | None = None


def _start_worker(url: str) -> None:
    global _worker_engine
    _worker_engine = make_engine(url)


def _worker_day(day: date, batch: int) -> tuple[RunReport, float]:
    """The day's run in a worker process, with the CPU seconds it took there."""
    engine = _worker_engine
    assert engine is not None
    started = time.process_time()
    report = run(lambda: SqlUnitOfWork(engine), day, batch=batch)
    return report, time.process_time() - started


def bench(url: str, contracts: int, days: int, first: date = date(2027, 1, 1),
          spread: int = 365, batch: int = 500, seed: int = 7,
          progress: Callable[[str, int, int], None] | None = None,
          workers: int = 1, jobs: int = 0) -> BenchReport:
    target = fresh_database(url, SCHEMA)
    engine = make_engine(target)
    upgrade(engine)
    report = BenchReport(engine.dialect.name, contracts, days, batch, workers, jobs)
    behaviours = bytearray(contracts + 1)  # by contract id (ids are 1..N in load order)
    started = time.perf_counter()
    tenant = _load(engine, synthetic_contracts(contracts, first, seed, spread), behaviours,
                   progress)
    report.load_s = time.perf_counter() - started

    def factory() -> SqlUnitOfWork:
        return SqlUnitOfWork(engine)

    totals = RunReport()
    # Worker processes claim contracts side by side (PostgreSQL: SKIP LOCKED); the children
    # are forked before any connection of this process is used by them.
    pool = multiprocessing.get_context("fork").Pool(
        workers, _start_worker, (target,)) if workers > 1 else None
    steps = ExitStack()
    stepping = steps.enter_context(step_processes(jobs)) if jobs else None
    for i in range(days):
        day = first + timedelta(days=i)
        with factory() as uow:
            report.due.append(uow.repo.count_due(tenant, day))
        started, cpu, machine = time.perf_counter(), time.process_time(), _machine_times()
        if stepping is not None:
            totals.add(run_pipelined(factory, day, stepping, jobs, batch=batch))
        elif pool is None:
            totals.add(run(factory, day, batch=batch))
        else:
            for part, used in pool.starmap(_worker_day, [(day, batch)] * workers):
                totals.add(part)
                report.cpu_s += used
        report.day_walls.append(time.perf_counter() - started)
        report.cpu_s += time.process_time() - cpu
        after = _machine_times()
        if machine is not None and after is not None:
            report.idle_cores_s = (report.idle_cores_s or 0.0) + after[0] - machine[0]
            report.steal_s = (report.steal_s or 0.0) + after[1] - machine[1]
        started = time.perf_counter()
        _answer_invoices(engine, tenant, day, behaviours)
        report.intake_s += time.perf_counter() - started
        if progress is not None:
            progress("days", i + 1, days)
    if pool is not None:
        pool.close()
        pool.join()
    before = _children_cpu()
    steps.close()
    report.step_cpu_s = _children_cpu() - before
    report.step_wait_s = totals.step_wait_s
    started = time.perf_counter()
    idle = run(factory, first + timedelta(days=days - 1), batch=batch)
    report.idle_day_s = time.perf_counter() - started
    assert idle.contracts == 0, "the idle day found work"
    report.contract_days = totals.contracts
    with engine.connect() as conn:
        report.actions = conn.execute(select(func.count()).select_from(t.actions)).scalar_one()
        report.invoices = conn.execute(select(func.count()).select_from(t.invoices)
                                       ).scalar_one()
    report.floor_s = _floor(engine, report.contract_days, progress)
    engine.dispose()
    return report


def _machine_times(stat: Path = Path("/proc/stat")) -> tuple[float, float] | None:
    """The machine's core seconds idle or waiting on the disk, and stolen by the hypervisor,
    since it started (Linux's /proc/stat, in clock ticks); None where the system has no such
    file."""
    try:
        with stat.open() as lines:
            ticks = [int(n) for n in lines.readline().split()[1:9]]
    except (OSError, ValueError):
        return None
    if len(ticks) < 8:
        return None
    hertz = os.sysconf("SC_CLK_TCK")
    # user, nice, system, idle, iowait, irq, softirq, steal
    return (ticks[3] + ticks[4]) / hertz, ticks[7] / hertz


def _children_cpu() -> float:
    """The CPU seconds of this process's children that have stopped."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _chunks(items: Iterator[Any], size: int) -> Iterator[list[Any]]:
    while chunk := list(islice(items, size)):
        yield chunk


def _load(engine: Engine, made: Iterator[SyntheticContract], behaviours: bytearray,
          progress: Callable[[str, int, int], None] | None) -> int:
    empty = dumps(encode(ContractState(), ContractState))
    with engine.begin() as conn:
        repo = Repository(conn)
        tenant = repo.add_tenant("bench", "Europe/Brussels", {})
        versions: dict[str, int] = {}
    loaded = 0
    for chunk in _chunks(made, CHUNK):
        with engine.begin() as conn:
            repo = Repository(conn)
            for m in chunk:
                if m.policy.pack not in versions:
                    versions[m.policy.pack] = repo.policy_version(m.policy)
            customers = conn.execute(insert(t.customers).returning(
                t.customers.c.id, sort_by_parameter_order=True), [
                {"tenant_id": tenant, "key": m.contract.id, "name": m.contract.customer.name}
                for m in chunk]).scalars().all()
            ids = conn.execute(insert(t.contracts).returning(
                t.contracts.c.id, sort_by_parameter_order=True), [
                {"tenant_id": tenant, "ref": m.contract.id, "customer_id": cust,
                 "policy_version_id": versions[m.policy.pack], "start": m.contract.start,
                 "currency": m.policy.currency,
                 "document": m.contract.model_dump_json(by_alias=True)}
                for m, cust in zip(chunk, customers, strict=True)]).scalars().all()
            conn.execute(insert(t.contract_runs), [
                {"contract_id": cid, "tenant_id": tenant, "state": empty,
                 "cursor": m.contract.start - timedelta(days=1), "next_due": m.contract.start,
                 "action_count": 0} for m, cid in zip(chunk, ids, strict=True)])
            count_new_contracts(conn, tenant, len(ids))
            events = [{"tenant_id": tenant, "contract_id": cid, "date": e.date, "type": e.type,
                       "natural_key": f"bench:{m.contract.id}:{n}",
                       "payload": e.model_dump_json(by_alias=True)}
                      for m, cid in zip(chunk, ids, strict=True)
                      for n, e in enumerate(m.events)]
            if events:
                conn.execute(insert(t.events), events)
            for m, cid in zip(chunk, ids, strict=True):
                behaviours[cid] = BEHAVIOURS.index(m.behaviour)
        loaded += len(chunk)
        if progress is not None:
            progress("load", loaded, len(behaviours) - 1)
    return tenant


def _answer_invoices(engine: Engine, tenant: int, day: date, behaviours: bytearray) -> None:
    """The customers' payments (or failed direct debits) for the invoices issued on `day`."""
    i = t.invoices.c
    with engine.begin() as conn:
        rows = conn.execute(select(i.contract_id, i.ref, i.amount, i.due, t.contracts.c.ref)
                            .join(t.contracts, t.contracts.c.id == i.contract_id)
                            .where(i.tenant_id == tenant, i.issued == day)).all()
        events, wake = [], []
        for cid, ref, amount, due, contract_ref in rows:
            who = BEHAVIOURS[behaviours[cid]]
            if who == "never":
                on, payload = due, {"type": "payment_failed", "date": due.isoformat(),
                                    "contract": contract_ref, "reference": ref}
            else:
                on = day + timedelta(days=5) if who == "on_time" else due + timedelta(days=25)
                payload = {"type": "payment", "date": on.isoformat(), "contract": contract_ref,
                           "amount": f"{amount:.2f}"}
            events.append({"tenant_id": tenant, "contract_id": cid, "date": on,
                           "type": payload["type"], "natural_key": f"bench-answer:{ref}",
                           "payload": dumps(payload)})
            wake.append({"cid": cid, "day": on})
        if events:
            conn.execute(insert(t.events), events)
            r = t.contract_runs.c
            conn.execute(update(t.contract_runs).where(
                r.contract_id == bindparam("cid"), r.next_due > bindparam("day"))
                .values(next_due=bindparam("day")), wake)


# The tables the run writes rows to, each copied whole and timed (the run rows are the book's,
# written by the load; the run's updates of them are `_state_writes`). The documents and the
# console's kept tables came after the floor was first defined (issues 10 and 20) and were
# copied untimed until the twenty-seventh round (docs/benchmarks.md).
FLOOR_TABLES = ("actions", "invoices", "invoice_lines", "payments", "allocations", "documents",
                "document_series", "contract_open_items", "book_counts", "book_open",
                "book_months", "book_documents", "tenant_runs")
# what the bench writes before and between the days: the book, its events and the payments
BOOK_TABLES = ("tenants", "policy_versions", "customers", "contracts", "contract_runs",
               "events", "book_added")


def _floor(engine: Engine, contract_days: int,
           progress: Callable[[str, int, int], None] | None) -> float:
    """Bulk-insert the engine's rows again, same driver, no logic: the storage floor."""
    floor = make_engine(floor_url(engine.url.render_as_string(hide_password=False)))
    upgrade(floor)
    timed, copied = 0.0, 0
    with engine.connect() as src:
        for table in metadata.sorted_tables:  # in the foreign keys' order, the untimed too
            if table.name not in FLOOR_TABLES:
                _copy(src, floor, table)
                continue
            timed += _copy(src, floor, table)
            copied += 1
            if progress is not None:
                progress("floor", copied, len(FLOOR_TABLES) + 1)
        timed += _state_writes(src, floor, contract_days)
    floor.dispose()
    return timed


def _state_writes(src: Any, floor: Engine, count: int) -> float:
    """`count` state updates, the engine's stored states written again in passes."""
    r = t.contract_runs.c
    statement = update(t.contract_runs).where(r.contract_id == bindparam("cid")).values(
        state=bindparam("state"), cursor=bindparam("cursor"), next_due=bindparam("next_due"))
    timed, left = 0.0, count
    while left > 0:
        result = src.execution_options(stream_results=True, yield_per=CHUNK).execute(
            select(r.contract_id, r.state, r.cursor, r.next_due).order_by(r.contract_id))
        for rows in result.partitions(CHUNK):
            params = [{"cid": row[0], "state": row[1], "cursor": row[2], "next_due": row[3]}
                      for row in rows[:left]]
            if not params:
                break
            started = time.perf_counter()
            with floor.begin() as conn:
                conn.execute(statement, params)
            timed += time.perf_counter() - started
            left -= len(params)
        result.close()
    return timed


def _copy(src: Any, floor: Engine, table: Any) -> float:
    timed = 0.0
    result = src.execution_options(stream_results=True, yield_per=CHUNK).execute(
        select(table).order_by(*table.primary_key.columns))
    for rows in result.partitions(CHUNK):
        data = [dict(row._mapping) for row in rows]
        started = time.perf_counter()
        with floor.begin() as conn:
            conn.execute(insert(table), data)
        timed += time.perf_counter() - started
    return timed
