"""What a step process does for one contract day of the billing day, counted in instructions.

The wall and CPU times of `termline bench` and `bench/writer_bound.py` drift by up to a fifth
between runs on the shared two-core machines (docs/benchmarks.md), more than most changes to
the step save. Instructions do not drift: `valgrind --tool=callgrind` counts the same total for
the same code and input whatever else the machine does. This bench loads a synthetic book,
reads the billing day's due contracts as the pipelined run's writer reads them
(`app.pipeline`: due runs, their events, the policies' texts), and counts what a step process
spends on them: `step_batch` (decode, validate, step, encode) and pickling its results. It runs
itself twice under callgrind, once only to start, load the task and warm up, once to step it
as well; the difference per contract day is the figure. Each run takes a minute or two.

With `--book-days D` the day stepped is a day of the year instead: `termline bench`'s book
(start dates over the year) is run D days (`devtools.bench.bench`, the customers paying as
there) and the day after is stepped, when each due contract carries its months' invoices,
fees and receipts (`bench/store_instructions.py` counts the writer's side of such a day).
With `--keyed-in-step yes` the step keys the actions for the ledger, as two step processes or
more do (`run --jobs 2`).

Usage: python bench/step_instructions.py [--contracts 6000] [--db sqlite:///out/steps.db]
                                         [--book-days 0] [--keyed-in-step no|yes]
       python bench/step_instructions.py --no-valgrind ...   (CPU µs instead, same input)
"""

from __future__ import annotations

import gc
import json
import pickle
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from instructions import arguments, counted

from termline.adapters.sql.db import make_engine, upgrade
from termline.adapters.sql.uow import SqlUnitOfWork
from termline.app.pipeline import batch_task
from termline.app.run import due_work
from termline.app.run_parts import QUIET
from termline.app.stepping import Task, step_batch
from termline.devtools import bench
from termline.devtools.synthetic import synthetic_contracts
from termline.domain.registry import bootstrap

DAY = date(2027, 1, 1)
WARM = 100  # contract days stepped before counting: policies parsed, tables and caches filled


def billing_day_task(db: str, contracts: int, key: bool) -> Task:
    """The billing day's due contracts of a synthetic book (a third start on 2027-01-01) as
    the writer sends them to a step process (`key`: with the flag to key the actions)."""
    engine = make_engine(bench.fresh_database(db, bench.SCHEMA))
    upgrade(engine)
    bench._load(engine, synthetic_contracts(contracts, DAY, 7, 3), bytearray(contracts + 1),
                None)
    work, _ = due_work(lambda: SqlUnitOfWork(engine), DAY)
    tenant = work[0][0]
    with SqlUnitOfWork(engine) as uow:
        task = batch_task(uow, tenant, DAY, {}, uow.repo.due_runs(tenant.id, DAY, contracts, ()),
                          key)
    engine.dispose()
    return task


def year_day_task(db: str, contracts: int, book_days: int, key: bool) -> Task:
    """The due contracts of `termline bench`'s book the day after it ran `book_days` days, as
    the writer sends them to a step process (`key`: with the flag to key the actions)."""
    bench.bench(db, contracts, book_days, DAY)
    day = DAY + timedelta(days=book_days)
    engine = make_engine(db)
    with SqlUnitOfWork(engine) as uow:
        tenant = uow.repo.tenants()[0]
        task = batch_task(uow, tenant, day, {}, uow.repo.due_runs(tenant.id, day, contracts, ()),
                          key)
    engine.dispose()
    return task


def step_task(path: Path, work: bool) -> tuple[int, float]:
    """Load the task, warm up, and (`work`) step the rest and pickle the results: how many
    contract days were stepped, and the CPU seconds it took."""
    with path.open("rb") as f:
        tenant, day, texts, rows, key = pickle.load(f)
    pickle.dumps(step_batch((tenant, day, texts, rows[:WARM], key)), pickle.HIGHEST_PROTOCOL)
    gc.freeze()  # as a step process runs (app.stepping.start)
    gc.set_threshold(*QUIET)
    if not work:
        return 0, 0.0
    started = time.process_time()
    pickle.dumps(step_batch((tenant, day, texts, rows[WARM:], key)), pickle.HIGHEST_PROTOCOL)
    return len(rows) - WARM, time.process_time() - started


def main() -> None:
    args = arguments(6000, "TASK", {"db": "sqlite:///out/steps.db", "book-days": "0",
                                    "keyed-in-step": "no"})
    if args.child:
        step_task(Path(args.child[1]), args.child[0] == "work")
        return
    book_days = int(args.book_days)
    key = args.keyed_in_step == "yes"
    task = year_day_task(args.db, args.contracts, book_days, key) if book_days else \
        billing_day_task(args.db, args.contracts, key)
    if len(task[3]) <= WARM:
        sys.exit(f"{len(task[3])} contract days due: give more than {3 * WARM} contracts")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "task.pickle"
        path.write_bytes(pickle.dumps(task, pickle.HIGHEST_PROTOCOL))
        report: dict[str, object] = {"contracts": args.contracts, "day": task[1].isoformat(),
                                     "contract_days": len(task[3]) - WARM}
        if args.no_valgrind:
            stepped, cpu = step_task(path, True)
            report["cpu_us_per_contract_day"] = round(cpu * 1e6 / stepped, 1)
        else:
            base = counted(__file__, "base", path, Path(tmp))
            work = counted(__file__, "work", path, Path(tmp))
            report["instructions_per_contract_day"] = round((work - base) / (len(task[3]) - WARM))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    bootstrap()
    main()
