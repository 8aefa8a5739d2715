"""What the pipelined writer does to store one contract day of the billing day, counted in
instructions.

The companion of `bench/step_instructions.py`, for the other process of `run --jobs N`: this
bench loads a synthetic book into a SQLite file, reads the billing day's due contracts in
batches as the writer reads them, steps them in this process and sends the results through
pickle as a step process would, then stores each batch as the writer does
(`app.pipeline._store_flight`: the checks, the run rows, the console's kept rows, the
ledger, the invoices and documents, the outbox), one transaction a batch. It runs itself twice
under callgrind on fresh copies of the loaded file, once without storing and once storing;
the difference per contract day is the figure. Instructions do not drift with the machine as
wall and CPU times do (docs/benchmarks.md); what the kernel does for SQLite's reads and
writes is not counted. Each run takes a minute or two.

With `--book-days D` the day counted is a day of the year instead: the book (start dates
spread over the year) is run D days by `termline bench` (`devtools.bench.bench`, the customers
paying as there) and the day after is counted, when each due contract carries the invoices,
fees and receipts of its months so far.

With `--keyed-in-step yes` the step sends the actions' ledger keys, as two step processes
or more do (`run --jobs 2`), and the writer does not key them.

Usage: python bench/store_instructions.py [--contracts 30000] [--book-days 0]
                                          [--keyed-in-step no|yes]
       python bench/store_instructions.py --no-valgrind ...   (CPU µs instead, same input)
"""

from __future__ import annotations

import json
import pickle
import shutil
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from instructions import arguments, counted
from sqlalchemy import Engine

from termline.adapters.sql.db import make_engine, upgrade
from termline.adapters.sql.store_records import Tenant
from termline.adapters.sql.uow import SqlUnitOfWork
from termline.app.pipeline import BATCH, _store_flight, batch_task
from termline.app.run_parts import RunReport
from termline.app.stepping import step_batch
from termline.devtools import bench
from termline.devtools.synthetic import synthetic_contracts
from termline.domain.registry import bootstrap

DAY = date(2027, 1, 1)


class _Ready:
    """A step processes' result already in hand (what `AsyncResult.get` gives the writer)."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def get(self) -> Any:
        return self.value


def load(db: Path, contracts: int, book_days: int) -> date:
    """A synthetic book in a SQLite file; the day to count. Without `book_days`, a third of
    the book starts, and is invoiced, on DAY; with them, `termline bench`'s book has run so
    many days from DAY and the day after is counted."""
    if book_days:
        bench.bench(f"sqlite:///{db}", contracts, book_days, DAY)
        return DAY + timedelta(days=book_days)
    engine = make_engine(bench.fresh_database(f"sqlite:///{db}", bench.SCHEMA))
    upgrade(engine)
    bench._load(engine, synthetic_contracts(contracts, DAY, 7, 3), bytearray(contracts + 1),
                None)
    engine.dispose()
    return DAY


def due_days(loaded: Path, day: date) -> int:
    """How many contracts of the loaded book are due on `day`."""
    engine = make_engine(f"sqlite:///{loaded}")
    with SqlUnitOfWork(engine) as uow:
        due = uow.repo.count_due(uow.repo.tenants()[0].id, day)
    engine.dispose()
    return due


def store_day(loaded: Path, work: bool, day: date = DAY, keyed_in_step: bool = False
              ) -> tuple[int, float]:
    """On a copy of the loaded book: read and step the billing day's due contracts a batch at
    a time, then (`work`) store each batch: how many contract days were stored, and the CPU
    seconds the stores took."""
    copy = loaded.with_name("work.db")
    shutil.copy(loaded, copy)
    engine = make_engine(f"sqlite:///{copy}")
    tenant, flights = stepped_flights(engine, day, keyed_in_step)
    report = RunReport()
    started = time.process_time()
    if work:
        store_flights(engine, tenant, day, flights, report)
    engine.dispose()
    return report.contracts, time.process_time() - started


def stepped_flights(engine: Engine, day: date, keyed_in_step: bool = False
                    ) -> tuple[Tenant, list[tuple[Any, _Ready, Any]]]:
    """The day's due contracts read a batch at a time and stepped here, each batch's results
    sent through pickle as a step process sends them (`keyed_in_step`: with the actions'
    ledger keys, as two step processes or more send them)."""
    with SqlUnitOfWork(engine) as uow:
        tenant = uow.repo.tenants()[0]
        due = uow.repo.due_runs(tenant.id, day, 10 ** 9)
        flights = []
        for i in range(0, len(due), BATCH):
            task = batch_task(uow, tenant, day, {}, due[i:i + BATCH], keyed_in_step)
            result = pickle.loads(pickle.dumps([step_batch(task)], pickle.HIGHEST_PROTOCOL))
            flights.append((task[3], _Ready(result), uow.repo.events_mark()))
    return tenant, flights


def store_flights(engine: Engine, tenant: Tenant, day: date,
                  flights: list[tuple[Any, _Ready, Any]], report: RunReport) -> None:
    """Each stepped batch stored as the writer stores it, one transaction a batch."""
    for flight in flights:
        with SqlUnitOfWork(engine) as uow:
            _store_flight(uow, tenant, day, flight, report)  # type: ignore[arg-type]
            uow.commit()


def main() -> None:
    args = arguments(30000, "DB", {"book-days": "0", "keyed-in-step": "no"})
    book_days = int(args.book_days)
    keyed_in_step = args.keyed_in_step == "yes"
    options = ["--book-days", str(book_days), "--keyed-in-step", args.keyed_in_step]
    if args.child:
        store_day(Path(args.child[1]), args.child[0] == "work", DAY + timedelta(days=book_days),
                  keyed_in_step)
        return
    with tempfile.TemporaryDirectory() as tmp:
        loaded = Path(tmp) / "book.db"
        day = load(loaded, args.contracts, book_days)
        report: dict[str, object] = {"contracts": args.contracts, "day": day.isoformat()}
        if args.no_valgrind:
            stored, cpu = store_day(loaded, True, day, keyed_in_step)
            report.update(contract_days=stored,
                          cpu_us_per_contract_day=round(cpu * 1e6 / stored, 1))
        else:
            due = due_days(loaded, day)  # each stored once (the work run stores them all)
            base = counted(__file__, "base", loaded, Path(tmp), options)
            work = counted(__file__, "work", loaded, Path(tmp), options)
            report.update(contract_days=due,
                          instructions_per_contract_day=round((work - base) / due))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    bootstrap()
    main()
